//! Operations, sign-in, accounts, users, audit, the customer side (web form and portal) and
//! notifications.

use axum::http::Method;
use kefu_domain::Access::{Customer, Public, Requires};
use kefu_domain::Permission::*;

use crate::routes::{
    RouteTable,
    Surface::{Ops, Page},
    ops,
    pages::{
        account, admin_audit, admin_grants, admin_jobs, admin_users, approvals, dashboard, login,
        notifications, tokens,
    },
    portal,
};

pub(in crate::routes) fn add(t: RouteTable) -> RouteTable {
    t
        // Operations
        .add(Ops, Method::GET, "/healthz", Public, ops::healthz)
        .add(Ops, Method::GET, "/metrics", Public, ops::metrics)
        .add(
            Ops,
            Method::GET,
            "/static/{name}",
            Public,
            crate::static_files::serve,
        )
        // Pages
        .add(Page, Method::GET, "/login", Public, login::form)
        .add(Page, Method::POST, "/login", Public, login::submit)
        .add(
            Page,
            Method::POST,
            "/logout",
            Requires(AccountSelf),
            login::logout,
        )
        .add(
            Page,
            Method::GET,
            "/",
            Requires(DashboardView),
            dashboard::show,
        )
        // The workbench's live nudge: every role may listen (it says nothing of what
        // changed); the tiles it fetches again are the reader's own.
        .add(
            Page,
            Method::GET,
            "/events/workbench",
            Requires(DashboardView),
            crate::live::workbench_events,
        )
        // 待我审批: everyone has an inbox (empty for who decides nothing); a script is
        // decided from it by those who review scripts.
        .add(
            Page,
            Method::GET,
            "/approvals",
            Requires(DashboardView),
            approvals::inbox,
        )
        .add(
            Page,
            Method::POST,
            "/approvals/scripts/{id}",
            Requires(ScriptApprove),
            approvals::decide_script,
        )
        .add(
            Page,
            Method::GET,
            "/account",
            Requires(AccountSelf),
            account::show,
        )
        .add(
            Page,
            Method::POST,
            "/account/password",
            Requires(AccountSelf),
            account::change_password,
        )
        .add(
            Page,
            Method::POST,
            "/account/locale",
            Requires(AccountSelf),
            account::change_locale,
        )
        .add(
            Page,
            Method::POST,
            "/account/contact",
            Requires(AccountSelf),
            account::change_contact,
        )
        .add(
            Page,
            Method::GET,
            "/account/tokens",
            Requires(AccountSelf),
            tokens::list,
        )
        .add(
            Page,
            Method::POST,
            "/account/tokens",
            Requires(AccountSelf),
            tokens::create,
        )
        .add(
            Page,
            Method::POST,
            "/account/tokens/{id}/revoke",
            Requires(AccountSelf),
            tokens::revoke,
        )
        .add(
            Page,
            Method::GET,
            "/admin/users",
            Requires(UserManage),
            admin_users::list,
        )
        .add(
            Page,
            Method::GET,
            "/admin/users/new",
            Requires(UserManage),
            admin_users::new_form,
        )
        .add(
            Page,
            Method::GET,
            "/admin/grants",
            Requires(UserManage),
            admin_grants::show,
        )
        .add(
            Page,
            Method::POST,
            "/admin/grants",
            Requires(UserManage),
            admin_grants::save,
        )
        .add(
            Page,
            Method::POST,
            "/admin/users",
            Requires(UserManage),
            admin_users::create,
        )
        .add(
            Page,
            Method::GET,
            "/admin/users/{id}",
            Requires(UserManage),
            admin_users::edit_form,
        )
        .add(
            Page,
            Method::POST,
            "/admin/users/{id}",
            Requires(UserManage),
            admin_users::update,
        )
        .add(
            Page,
            Method::POST,
            "/admin/users/{id}/active",
            Requires(UserManage),
            admin_users::set_active,
        )
        .add(
            Page,
            Method::POST,
            "/admin/users/{id}/password",
            Requires(UserManage),
            admin_users::reset_password,
        )
        .add(
            Page,
            Method::GET,
            "/admin/audit",
            Requires(AuditView),
            admin_audit::list,
        )
        .add(
            Page,
            Method::GET,
            "/admin/jobs",
            Requires(UserManage),
            admin_jobs::list,
        )
        // The customer side: the public web form and the portal
        .add(Page, Method::GET, "/support", Public, portal::support_form)
        .upload(Page, "/support", Public, portal::support_submit)
        .add(
            Page,
            Method::GET,
            "/portal/login",
            Public,
            portal::login_form,
        )
        .add(Page, Method::POST, "/portal/login", Public, portal::login)
        // 满意度调查: the survey link from the message, answered with no sign-in.
        .add(Page, Method::GET, "/s/{link}", Public, portal::survey::show)
        .add(
            Page,
            Method::POST,
            "/s/{link}",
            Public,
            portal::survey::answer,
        )
        // 关系调查: the invitation's link, answered with no sign-in.
        .add(
            Page,
            Method::GET,
            "/r/{link}",
            Public,
            portal::relationship::show,
        )
        .add(
            Page,
            Method::POST,
            "/r/{link}",
            Public,
            portal::relationship::answer,
        )
        // 手机号登录: a code to the mobile, then the code (an unknown mobile gets the same
        // answer, and its code opens a mobile-only account).
        .add(
            Page,
            Method::POST,
            "/portal/login/code",
            Public,
            portal::verify::send_sign_in_code,
        )
        .add(
            Page,
            Method::POST,
            "/portal/login/code/confirm",
            Public,
            portal::verify::confirm_sign_in_code,
        )
        // The link of a verification e-mail works in any browser: it is the proof.
        .add(
            Page,
            Method::GET,
            "/portal/verify/{token}",
            Public,
            portal::verify::follow_link,
        )
        .add(
            Page,
            Method::POST,
            "/portal/verify/email",
            Customer,
            portal::verify::resend_link,
        )
        .add(
            Page,
            Method::POST,
            "/portal/verify/mobile",
            Customer,
            portal::verify::send_mobile_code,
        )
        .add(
            Page,
            Method::POST,
            "/portal/verify/mobile/confirm",
            Customer,
            portal::verify::confirm_mobile_code,
        )
        .add(
            Page,
            Method::GET,
            "/portal/register",
            Public,
            portal::register_form,
        )
        .add(
            Page,
            Method::POST,
            "/portal/register",
            Public,
            portal::register,
        )
        .add(
            Page,
            Method::POST,
            "/portal/logout",
            Customer,
            portal::logout,
        )
        .add(Page, Method::GET, "/portal", Customer, portal::home)
        .add(
            Page,
            Method::GET,
            "/portal/tickets/new",
            Customer,
            portal::new_form,
        )
        .upload(Page, "/portal/tickets", Customer, portal::create)
        .add(
            Page,
            Method::GET,
            "/portal/tickets/{id}",
            Customer,
            portal::show,
        )
        .upload(Page, "/portal/tickets/{id}/reply", Customer, portal::reply)
        .upload(
            Page,
            "/portal/tickets/{id}/rmas",
            Customer,
            portal::rma::request,
        )
        .add(
            Page,
            Method::GET,
            "/portal/tickets/{id}/attachments/{attachment}",
            Customer,
            portal::attachment,
        )
        // Notifications
        .add(
            Page,
            Method::GET,
            "/notifications",
            Requires(AccountSelf),
            notifications::list,
        )
        .add(
            Page,
            Method::POST,
            "/notifications/read",
            Requires(AccountSelf),
            notifications::read_all,
        )
        .add(
            Page,
            Method::POST,
            "/notifications/{id}/open",
            Requires(AccountSelf),
            notifications::open,
        )
}
