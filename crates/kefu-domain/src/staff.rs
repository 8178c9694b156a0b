//! Staff: the people who use kefu, their roles, departments and levels.
//!
//! Roles come from the department's job descriptions (seed 000 §一, 004); levels from the
//! career path of seed 003 §四. A user may hold several roles.

pub mod absence;
pub mod shift;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A role a staff member holds; permissions are granted per role (see [`crate::permission`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员 — settings, users, calendars, channels.
    Admin,
    /// 客户服务经理 — runs the department.
    CsManager,
    /// 客户关系管理专员 — visits, reception, relationship evaluation.
    CrmSpecialist,
    /// 客户服务质量管理专员 — inspections, quality anomalies.
    QualitySpecialist,
    /// 客户信息管理专员 — surveys, archive upkeep, confidentiality, credit.
    InfoSpecialist,
    /// 大客户服务专员 — key accounts.
    KeyAccountSpecialist,
    /// 售后服务专员 — after-sales, returns, repairs, spare parts.
    AftersalesSpecialist,
    /// 客户投诉管理专员 — the complaint closed loop.
    ComplaintSpecialist,
    /// 客服专员 / 客户服务代表 — answers requests on every channel.
    Agent,
    /// 相关部门 — staff of other departments answering notices and requests.
    Department,
}

impl Role {
    pub const ALL: [Role; 10] = [
        Role::Admin,
        Role::CsManager,
        Role::CrmSpecialist,
        Role::QualitySpecialist,
        Role::InfoSpecialist,
        Role::KeyAccountSpecialist,
        Role::AftersalesSpecialist,
        Role::ComplaintSpecialist,
        Role::Agent,
        Role::Department,
    ];

    /// The stable key stored in the database and used in the API.
    pub fn key(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::CsManager => "cs_manager",
            Role::CrmSpecialist => "crm_specialist",
            Role::QualitySpecialist => "quality_specialist",
            Role::InfoSpecialist => "info_specialist",
            Role::KeyAccountSpecialist => "key_account_specialist",
            Role::AftersalesSpecialist => "aftersales_specialist",
            Role::ComplaintSpecialist => "complaint_specialist",
            Role::Agent => "agent",
            Role::Department => "department",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// A key that names no known role, department, level or locale.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind}: {value}")]
pub struct UnknownKey {
    pub kind: &'static str,
    pub value: String,
}

impl FromStr for Role {
    type Err = UnknownKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.key() == s)
            .ok_or_else(|| UnknownKey {
                kind: "role",
                value: s.to_owned(),
            })
    }
}

/// The set of roles one user holds, kept sorted and without repeats.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSet(Vec<Role>);

impl RoleSet {
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        let mut v: Vec<Role> = roles.into_iter().collect();
        v.sort();
        v.dedup();
        Self(v)
    }

    pub fn contains(&self, role: Role) -> bool {
        self.0.contains(&role)
    }

    pub fn iter(&self) -> impl Iterator<Item = Role> + '_ {
        self.0.iter().copied()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<Role> for RoleSet {
    fn from_iter<T: IntoIterator<Item = Role>>(iter: T) -> Self {
        RoleSet::new(iter)
    }
}

/// Departments a staff member belongs to; complaint notices and coordination requests are
/// addressed to them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Department {
    /// 客户服务部
    CustomerService,
    /// 销售部
    Sales,
    /// 设计部
    Design,
    /// 生产部
    Production,
    /// 仓储部
    Warehouse,
    /// 财务部
    Finance,
    /// 品质部
    Quality,
}

impl Department {
    pub const ALL: [Department; 7] = [
        Department::CustomerService,
        Department::Sales,
        Department::Design,
        Department::Production,
        Department::Warehouse,
        Department::Finance,
        Department::Quality,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Department::CustomerService => "customer_service",
            Department::Sales => "sales",
            Department::Design => "design",
            Department::Production => "production",
            Department::Warehouse => "warehouse",
            Department::Finance => "finance",
            Department::Quality => "quality",
        }
    }
}

impl FromStr for Department {
    type Err = UnknownKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Department::ALL
            .into_iter()
            .find(|d| d.key() == s)
            .ok_or_else(|| UnknownKey {
                kind: "department",
                value: s.to_owned(),
            })
    }
}

/// Career level of a staff member (seed 003 §四 职业发展路径).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StaffLevel {
    /// 初级客服专员
    JuniorAgent,
    /// 中级客服主管
    IntermediateSupervisor,
    /// 高级客服经理
    SeniorManager,
    /// 客服总监
    Director,
}

impl StaffLevel {
    pub const ALL: [StaffLevel; 4] = [
        StaffLevel::JuniorAgent,
        StaffLevel::IntermediateSupervisor,
        StaffLevel::SeniorManager,
        StaffLevel::Director,
    ];

    pub fn key(self) -> &'static str {
        match self {
            StaffLevel::JuniorAgent => "junior_agent",
            StaffLevel::IntermediateSupervisor => "intermediate_supervisor",
            StaffLevel::SeniorManager => "senior_manager",
            StaffLevel::Director => "director",
        }
    }
}

impl FromStr for StaffLevel {
    type Err = UnknownKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StaffLevel::ALL
            .into_iter()
            .find(|l| l.key() == s)
            .ok_or_else(|| UnknownKey {
                kind: "level",
                value: s.to_owned(),
            })
    }
}

/// The language a user reads kefu in. Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Locale {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::ZhCn, Locale::En];

    pub fn key(self) -> &'static str {
        match self {
            Locale::ZhCn => "zh-CN",
            Locale::En => "en",
        }
    }

    /// Picks the first supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        header.split(',').find_map(|part| {
            let tag = part.split(';').next()?.trim().to_ascii_lowercase();
            if tag.starts_with("zh") {
                Some(Locale::ZhCn)
            } else if tag.starts_with("en") {
                Some(Locale::En)
            } else {
                None
            }
        })
    }
}

impl FromStr for Locale {
    type Err = UnknownKey;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Locale::ALL
            .into_iter()
            .find(|l| l.key() == s)
            .ok_or_else(|| UnknownKey {
                kind: "locale",
                value: s.to_owned(),
            })
    }
}

/// The signed-in staff member a request acts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentUser {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: RoleSet,
    /// The department's changes to the default policy (who may reveal).
    pub grants: crate::permission::Grants,
    pub locale: Locale,
    pub must_change_password: bool,
}

impl CurrentUser {
    /// Whether the user's roles hold the permission, with the department's grants.
    pub fn allows(&self, permission: crate::Permission) -> bool {
        self.grants.allows(&self.roles, permission)
    }
}

/// Why a submitted username, display name or password is not acceptable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AccountRuleError {
    #[error(
        "username must be 3–32 characters of a–z, 0–9, '.', '_' or '-', starting with a letter"
    )]
    InvalidUsername,
    #[error("display name must be 1–64 characters")]
    InvalidDisplayName,
    #[error("password must be at least {min} characters")]
    PasswordTooShort { min: usize },
    #[error("password must be at most 256 characters")]
    PasswordTooLong,
    #[error("the new password must differ from the current one")]
    PasswordUnchanged,
    #[error("a user needs at least one role")]
    NoRoles,
    #[error("email address is not valid")]
    InvalidEmail,
}

pub const MIN_PASSWORD_CHARS: usize = 10;

/// Usernames are ASCII so they can be typed on any keyboard and used in the CLI; the
/// display name carries the person's Chinese name.
pub fn check_username(name: &str) -> Result<(), AccountRuleError> {
    let ok_len = (3..=32).contains(&name.len());
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if ok_len && first_ok && rest_ok {
        Ok(())
    } else {
        Err(AccountRuleError::InvalidUsername)
    }
}

pub fn check_display_name(name: &str) -> Result<(), AccountRuleError> {
    let n = name.trim().chars().count();
    if (1..=64).contains(&n) {
        Ok(())
    } else {
        Err(AccountRuleError::InvalidDisplayName)
    }
}

pub fn check_password(password: &str) -> Result<(), AccountRuleError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        Err(AccountRuleError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        })
    } else if password.len() > 256 {
        Err(AccountRuleError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// A light check: one '@' with something on each side and a dot in the domain. Delivery is
/// the real test of an address.
pub fn check_email(email: &str) -> Result<(), AccountRuleError> {
    let ok = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        None => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AccountRuleError::InvalidEmail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_keys_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.key().parse::<Role>().unwrap(), role);
        }
        assert!("boss".parse::<Role>().is_err());
    }

    #[test]
    fn role_set_sorts_and_dedups() {
        let set = RoleSet::new([Role::Agent, Role::Admin, Role::Agent]);
        assert_eq!(
            set.iter().collect::<Vec<_>>(),
            vec![Role::Admin, Role::Agent]
        );
    }

    #[test]
    fn usernames() {
        assert!(check_username("zhang.san").is_ok());
        assert!(check_username("li_si-2").is_ok());
        assert!(check_username("zs").is_err());
        assert!(check_username("2zhang").is_err());
        assert!(check_username("Zhang").is_err());
        assert!(check_username("张三").is_err());
    }

    #[test]
    fn passwords_count_characters_not_bytes() {
        assert!(check_password("短密码短密码短密码").is_err()); // 9 chars, 27 bytes
        assert!(check_password("足够长的中文密码足够长").is_ok());
    }

    #[test]
    fn accept_language_picks_first_supported() {
        assert_eq!(
            Locale::from_accept_language("en-US,en;q=0.9"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("fr, zh-TW;q=0.8"),
            Some(Locale::ZhCn)
        );
        assert_eq!(Locale::from_accept_language("fr"), None);
    }

    #[test]
    fn emails() {
        assert!(check_email("kefu@example.cn").is_ok());
        assert!(check_email("kefu@example").is_err());
        assert!(check_email("@example.cn").is_err());
        assert!(check_email("a b@example.cn").is_err());
    }
}
