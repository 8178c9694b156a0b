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

/// The navigation of kefu, each entry with the permission that shows it.
const NAV: &[(&str, &str, Permission)] = &[
    ("/", "nav.home", Permission::DashboardView),
    ("/tickets", "nav.tickets", Permission::TicketWork),
    (
        "/complaints",
        "nav.complaints",
        Permission::ComplaintRespond,
    ),
    ("/customers/today", "nav.today", Permission::CustomerView),
    ("/customers", "nav.customers", Permission::CustomerView),
    ("/scripts", "nav.scripts", Permission::TicketWork),
    (
        "/admin/ticket-settings",
        "nav.ticket_settings",
        Permission::TicketAdmin,
    ),
    ("/admin/sla", "nav.sla", Permission::TicketAdmin),
    (
        "/admin/complaint-deadlines",
        "nav.complaint_deadlines",
        Permission::TicketAdmin,
    ),
    ("/admin/triggers", "nav.triggers", Permission::TicketAdmin),
    ("/admin/credit", "nav.credit", Permission::CreditManage),
    ("/admin/users", "nav.users", Permission::UserManage),
    ("/admin/audit", "nav.audit", Permission::AuditView),
    ("/account", "nav.account", Permission::AccountSelf),
    ("/account/tokens", "nav.tokens", Permission::AccountSelf),
];

pub struct Layout {
    pub t: Tr,
    pub user: Option<CurrentUser>,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub unread: i64,
}

impl Layout {
    pub fn new(identity: &Identity, path: &str) -> Layout {
        let nav = match &identity.user {
            Some(u) => NAV
                .iter()
                .filter(|(_, _, p)| u.allows(*p))
                .map(|(href, label, _)| NavItem {
                    href,
                    label,
                    active: if *href == "/" {
                        path == "/"
                    } else {
                        path.starts_with(href)
                            && !(*href == "/account" && path.starts_with("/account/tokens"))
                    },
                })
                .collect(),
            None => Vec::new(),
        };
        Layout {
            t: identity.tr(),
            user: identity.user.clone(),
            csrf: identity.csrf.clone(),
            nav,
            unread: identity.unread,
        }
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
