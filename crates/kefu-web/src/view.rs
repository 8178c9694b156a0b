//! What every page shares: the translator, the signed-in user, the navigation their roles
//! allow, and the CSRF token for forms.

use kefu_domain::{CurrentUser, Permission};

use crate::auth::Identity;
use crate::i18n::Tr;

pub struct NavItem {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

/// Where an entry of the navigation shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// On the bar itself: the pages of the daily work.
    Bar,
    /// In the 设置 menu: the pages one opens now and then (configuration, people, the
    /// audit log, one's own account), folded away so the bar keeps to one row.
    Settings,
}

/// The navigation of kefu, each entry with where it shows and the permissions that show it
/// (any one of them).
const NAV: &[(&str, &str, Place, &[Permission])] = &[
    ("/", "nav.home", Place::Bar, &[Permission::DashboardView]),
    (
        "/tickets",
        "nav.tickets",
        Place::Bar,
        &[Permission::TicketWork],
    ),
    (
        "/complaints",
        "nav.complaints",
        Place::Bar,
        &[Permission::ComplaintRespond],
    ),
    (
        "/customers/today",
        "nav.today",
        Place::Bar,
        &[Permission::CustomerView],
    ),
    (
        "/customers",
        "nav.customers",
        Place::Bar,
        &[Permission::CustomerView],
    ),
    (
        "/follow-ups",
        "nav.follow_ups",
        Place::Bar,
        &[Permission::FollowUpWork],
    ),
    (
        "/scripts",
        "nav.scripts",
        Place::Bar,
        &[Permission::TicketWork],
    ),
    // 售后: returns, exchanges, refunds and repairs.
    (
        "/aftersales/rmas",
        "nav.rmas",
        Place::Bar,
        &[Permission::RmaRequest],
    ),
    // 质检: the inspections to score (agents open their own results from the workbench
    // and their notifications).
    (
        "/quality/inspections",
        "nav.quality",
        Place::Bar,
        &[Permission::QualityInspect],
    ),
    // 待我审批: for those who decide something that waits there (the inbox of everyone
    // else is always empty).
    (
        "/approvals",
        "nav.approvals",
        Place::Bar,
        &[
            Permission::ComplaintApprove,
            Permission::ScriptApprove,
            Permission::QualityDecide,
        ],
    ),
    (
        "/admin/ticket-settings",
        "nav.ticket_settings",
        Place::Settings,
        &[Permission::TicketAdmin],
    ),
    (
        "/admin/sla",
        "nav.sla",
        Place::Settings,
        &[Permission::TicketAdmin],
    ),
    (
        "/admin/complaint-deadlines",
        "nav.complaint_deadlines",
        Place::Settings,
        &[Permission::TicketAdmin],
    ),
    (
        "/admin/triggers",
        "nav.triggers",
        Place::Settings,
        &[Permission::TicketAdmin],
    ),
    (
        "/admin/channels",
        "nav.channels",
        Place::Settings,
        &[Permission::TicketAdmin],
    ),
    (
        "/admin/credit",
        "nav.credit",
        Place::Settings,
        &[Permission::CreditManage],
    ),
    (
        "/admin/follow-ups",
        "nav.follow_up_settings",
        Place::Settings,
        &[Permission::FollowUpManage],
    ),
    (
        "/admin/satisfaction",
        "nav.satisfaction_settings",
        Place::Settings,
        &[Permission::SatisfactionManage],
    ),
    (
        "/quality/scorecards",
        "nav.quality_scorecards",
        Place::Settings,
        &[Permission::QualityInspect],
    ),
    (
        "/quality/settings",
        "nav.quality_settings",
        Place::Settings,
        &[Permission::QualityInspect],
    ),
    // 产品目录 and 售后政策: kept by the after-sales specialist; everyone serving customers
    // reads them from the after-sales pages' tabs.
    (
        "/catalogue",
        "nav.catalogue",
        Place::Settings,
        &[Permission::CatalogueManage],
    ),
    (
        "/aftersales/policies",
        "nav.aftersales_policies",
        Place::Settings,
        &[Permission::AftersalesPolicy],
    ),
    (
        "/admin/users",
        "nav.users",
        Place::Settings,
        &[Permission::UserManage],
    ),
    (
        "/admin/audit",
        "nav.audit",
        Place::Settings,
        &[Permission::AuditView],
    ),
    (
        "/account",
        "nav.account",
        Place::Settings,
        &[Permission::AccountSelf],
    ),
    (
        "/account/tokens",
        "nav.tokens",
        Place::Settings,
        &[Permission::AccountSelf],
    ),
];

/// Whether the page at `path` is under the entry `href` (`/` is the home page only).
fn under(path: &str, href: &str) -> bool {
    if href == "/" {
        return path == "/";
    }
    path.strip_prefix(href)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'))
}

pub struct Layout {
    pub t: Tr,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    /// The entries on the bar.
    pub nav: Vec<NavItem>,
    /// The entries of the 设置 menu (empty: no menu).
    pub settings: Vec<NavItem>,
    /// The page shown is one of the 设置 menu's: the menu is marked as the bar's entries are.
    pub settings_active: bool,
    pub unread: i64,
}

impl Layout {
    pub fn new(identity: &Identity, path: &str) -> Layout {
        // The entry a page belongs to is the most specific one it is under: 今日关注 rather
        // than 客户档案 for `/customers/today`, API 令牌 rather than 我的账户.
        let current = NAV
            .iter()
            .map(|(href, ..)| *href)
            .filter(|href| under(path, href))
            .max_by_key(|href| href.len());
        let mut nav = Vec::new();
        let mut settings = Vec::new();
        if let Some(u) = &identity.user {
            for (href, label, place, permissions) in NAV {
                if !permissions.iter().any(|p| u.allows(*p)) {
                    continue;
                }
                let item = NavItem {
                    href,
                    label,
                    active: current == Some(*href),
                };
                match place {
                    Place::Bar => nav.push(item),
                    Place::Settings => settings.push(item),
                }
            }
        }
        let settings_active = settings.iter().any(|i| i.active);
        Layout {
            t: identity.tr(),
            user: identity.user.clone(),
            csrf: identity.csrf.clone(),
            nav,
            settings,
            settings_active,
            unread: identity.unread,
        }
    }

    /// Whether the signed-in user works tickets: their pages listen for the screen pops of
    /// calls ringing at their extension.
    pub fn works_tickets(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.allows(Permission::TicketWork))
    }

    /// Role names of the signed-in user, joined for the header.
    pub fn role_names(&self) -> String {
        self.user
            .as_ref()
            .map(|u| {
                u.roles
                    .iter()
                    .map(|r| self.t.tk("role", r.key()))
                    .collect::<Vec<_>>()
                    .join(" · ")
            })
            .unwrap_or_default()
    }
}

/// An instant as people in the department read it: Beijing time, to the minute.
/// Who did something, as a history shows it: the person's name, or 系统 for what kefu did
/// by itself (deadlines, automatic closing, imports).
pub fn actor_text(t: Tr, user_id: Option<i64>, name: &str) -> String {
    if user_id.is_none() && name == kefu_app::SYSTEM_ACTOR_NAME {
        t.t("common.system").to_owned()
    } else {
        name.to_owned()
    }
}

pub fn local_time(at: jiff::Timestamp) -> String {
    static SHANGHAI: std::sync::LazyLock<jiff::tz::TimeZone> = std::sync::LazyLock::new(|| {
        jiff::tz::TimeZone::get("Asia/Shanghai")
            .unwrap_or(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
    });
    at.to_zoned(SHANGHAI.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Money as every page shows it: yuan with thousands separators and two decimals,
/// `18,000.00` (the template puts the `¥` before it). Files keep their own form: CSV cells
/// plain (`18000.00`), XLSX cells numbers formatted `#,##0.00` (`kefu_app::export`).
pub fn yuan(fen: i64) -> String {
    kefu_domain::money::yuan(fen)
}
