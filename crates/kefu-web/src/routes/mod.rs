//! The route table: every route of kefu with the [`Access`] it requires.
//!
//! Routes are added only through [`RouteTable::add`], which wraps each handler in the
//! permission guard, so no route exists without a declared permission. The table is also
//! exported as data ([`specs`]) for the test that walks every route for every role.

pub mod api;
pub mod ops;
pub mod pages;
pub mod portal;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use kefu_domain::Access;
use kefu_domain::Access::{Customer, Public, Requires};
use kefu_domain::Permission::*;

use crate::AppState;
use crate::auth;
use crate::error::WebError;

/// Who a route serves; decides sign-in redirects, CSRF checks, rate limits, error shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Surface {
    /// HTML for people: anonymous visitors are sent to sign in; forms need a CSRF token.
    Page,
    /// JSON for programs: bearer tokens, rate limits, JSON errors.
    Api,
    /// Health, metrics and static files.
    Ops,
}

/// One route as data.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub surface: Surface,
}

pub struct RouteTable {
    router: Router<AppState>,
    specs: Vec<RouteSpec>,
    /// Body limit of the routes that take file uploads.
    upload_limit: usize,
}

impl RouteTable {
    fn new(upload_limit: usize) -> RouteTable {
        RouteTable {
            router: Router::new(),
            specs: Vec::new(),
            upload_limit,
        }
    }

    fn add<H, T>(
        mut self,
        surface: Surface,
        method: Method,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("a standard method");
        let guarded =
            on(filter, handler).route_layer(axum::middleware::from_fn(move |req, next| {
                auth::guard(access, surface, None, req, next)
            }));
        self.router = self.router.route(path, guarded);
        self.specs.push(RouteSpec {
            method,
            path,
            access,
            surface,
        });
        self
    }

    /// A route that takes file uploads (multipart): a larger body limit, the same guard.
    fn upload<H, T>(self, surface: Surface, path: &'static str, access: Access, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let limit = self.upload_limit;
        self.upload_with(limit, surface, path, access, handler)
    }

    /// [`upload`](Self::upload) with its own body limit (imports take larger files).
    fn upload_with<H, T>(
        mut self,
        limit: usize,
        surface: Surface,
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let guarded = axum::routing::post(handler)
            .route_layer(axum::middleware::from_fn(move |req, next| {
                auth::guard(access, surface, Some(limit), req, next)
            }))
            .layer(axum::extract::DefaultBodyLimit::max(limit));
        self.router = self.router.route(path, guarded);
        self.specs.push(RouteSpec {
            method: Method::POST,
            path,
            access,
            surface,
        });
        self
    }

    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Every route of kefu.
pub fn table(upload_limit: usize) -> RouteTable {
    use Surface::{Api, Ops, Page};
    use pages::{
        account, admin_audit, admin_grants, admin_sla, admin_tickets, admin_triggers, admin_users,
        complaints, credit, customer_import, customers, dashboard, login, notifications, scripts,
        search, tickets, tokens,
    };
    let (get, post, patch, delete) = (
        || Method::GET,
        || Method::POST,
        || Method::PATCH,
        Method::DELETE,
    );
    RouteTable::new(upload_limit)
        // Operations
        .add(Ops, get(), "/healthz", Public, ops::healthz)
        .add(Ops, get(), "/metrics", Public, ops::metrics)
        .add(
            Ops,
            get(),
            "/static/{name}",
            Public,
            crate::static_files::serve,
        )
        // Pages
        .add(Page, get(), "/login", Public, login::form)
        .add(Page, post(), "/login", Public, login::submit)
        .add(
            Page,
            post(),
            "/logout",
            Requires(AccountSelf),
            login::logout,
        )
        .add(Page, get(), "/", Requires(DashboardView), dashboard::show)
        .add(
            Page,
            get(),
            "/account",
            Requires(AccountSelf),
            account::show,
        )
        .add(
            Page,
            post(),
            "/account/password",
            Requires(AccountSelf),
            account::change_password,
        )
        .add(
            Page,
            post(),
            "/account/locale",
            Requires(AccountSelf),
            account::change_locale,
        )
        .add(
            Page,
            get(),
            "/account/tokens",
            Requires(AccountSelf),
            tokens::list,
        )
        .add(
            Page,
            post(),
            "/account/tokens",
            Requires(AccountSelf),
            tokens::create,
        )
        .add(
            Page,
            post(),
            "/account/tokens/{id}/revoke",
            Requires(AccountSelf),
            tokens::revoke,
        )
        .add(
            Page,
            get(),
            "/admin/users",
            Requires(UserManage),
            admin_users::list,
        )
        .add(
            Page,
            get(),
            "/admin/users/new",
            Requires(UserManage),
            admin_users::new_form,
        )
        .add(
            Page,
            get(),
            "/admin/grants",
            Requires(UserManage),
            admin_grants::show,
        )
        .add(
            Page,
            post(),
            "/admin/grants",
            Requires(UserManage),
            admin_grants::save,
        )
        .add(
            Page,
            post(),
            "/admin/users",
            Requires(UserManage),
            admin_users::create,
        )
        .add(
            Page,
            get(),
            "/admin/users/{id}",
            Requires(UserManage),
            admin_users::edit_form,
        )
        .add(
            Page,
            post(),
            "/admin/users/{id}",
            Requires(UserManage),
            admin_users::update,
        )
        .add(
            Page,
            post(),
            "/admin/users/{id}/active",
            Requires(UserManage),
            admin_users::set_active,
        )
        .add(
            Page,
            post(),
            "/admin/users/{id}/password",
            Requires(UserManage),
            admin_users::reset_password,
        )
        .add(
            Page,
            get(),
            "/admin/audit",
            Requires(AuditView),
            admin_audit::list,
        )
        // The customer side: the public web form and the portal
        .add(Page, get(), "/support", Public, portal::support_form)
        .upload(Page, "/support", Public, portal::support_submit)
        .add(Page, get(), "/portal/login", Public, portal::login_form)
        .add(Page, post(), "/portal/login", Public, portal::login)
        .add(
            Page,
            get(),
            "/portal/register",
            Public,
            portal::register_form,
        )
        .add(Page, post(), "/portal/register", Public, portal::register)
        .add(Page, post(), "/portal/logout", Customer, portal::logout)
        .add(Page, get(), "/portal", Customer, portal::home)
        .add(
            Page,
            get(),
            "/portal/tickets/new",
            Customer,
            portal::new_form,
        )
        .upload(Page, "/portal/tickets", Customer, portal::create)
        .add(Page, get(), "/portal/tickets/{id}", Customer, portal::show)
        .upload(Page, "/portal/tickets/{id}/reply", Customer, portal::reply)
        .add(
            Page,
            get(),
            "/portal/tickets/{id}/attachments/{attachment}",
            Customer,
            portal::attachment,
        )
        // Notifications
        .add(
            Page,
            get(),
            "/notifications",
            Requires(AccountSelf),
            notifications::list,
        )
        .add(
            Page,
            post(),
            "/notifications/read",
            Requires(AccountSelf),
            notifications::read_all,
        )
        .add(
            Page,
            post(),
            "/notifications/{id}/open",
            Requires(AccountSelf),
            notifications::open,
        )
        // Ticket settings
        .add(
            Page,
            get(),
            "/admin/ticket-settings",
            Requires(TicketAdmin),
            admin_tickets::settings,
        )
        .add(
            Page,
            post(),
            "/admin/ticket-settings/statuses",
            Requires(TicketAdmin),
            admin_tickets::add_status,
        )
        .add(
            Page,
            post(),
            "/admin/ticket-settings/fields",
            Requires(TicketAdmin),
            admin_tickets::add_field,
        )
        .add(
            Page,
            post(),
            "/admin/ticket-settings/fields/{id}/active",
            Requires(TicketAdmin),
            admin_tickets::set_field_active,
        )
        .add(
            Page,
            get(),
            "/admin/groups/new",
            Requires(TicketAdmin),
            admin_tickets::new_group,
        )
        .add(
            Page,
            post(),
            "/admin/groups",
            Requires(TicketAdmin),
            admin_tickets::create_group,
        )
        .add(
            Page,
            get(),
            "/admin/groups/{id}",
            Requires(TicketAdmin),
            admin_tickets::edit_group,
        )
        .add(
            Page,
            post(),
            "/admin/groups/{id}",
            Requires(TicketAdmin),
            admin_tickets::update_group,
        )
        .add(
            Page,
            get(),
            "/admin/sla",
            Requires(TicketAdmin),
            admin_sla::overview,
        )
        .add(
            Page,
            get(),
            "/admin/sla/policies/new",
            Requires(TicketAdmin),
            admin_sla::new_policy,
        )
        .add(
            Page,
            post(),
            "/admin/sla/policies",
            Requires(TicketAdmin),
            admin_sla::create_policy,
        )
        .add(
            Page,
            get(),
            "/admin/sla/policies/{id}",
            Requires(TicketAdmin),
            admin_sla::edit_policy,
        )
        .add(
            Page,
            post(),
            "/admin/sla/policies/{id}",
            Requires(TicketAdmin),
            admin_sla::update_policy,
        )
        .add(
            Page,
            get(),
            "/admin/calendars/new",
            Requires(TicketAdmin),
            admin_sla::new_calendar,
        )
        .add(
            Page,
            post(),
            "/admin/calendars",
            Requires(TicketAdmin),
            admin_sla::create_calendar,
        )
        .add(
            Page,
            get(),
            "/admin/calendars/{id}",
            Requires(TicketAdmin),
            admin_sla::edit_calendar,
        )
        .add(
            Page,
            post(),
            "/admin/calendars/{id}",
            Requires(TicketAdmin),
            admin_sla::update_calendar,
        )
        .add(
            Page,
            post(),
            "/admin/calendars/{id}/holidays",
            Requires(TicketAdmin),
            admin_sla::import_holidays,
        )
        .add(
            Page,
            post(),
            "/admin/calendars/{id}/days/delete",
            Requires(TicketAdmin),
            admin_sla::delete_day,
        )
        // Live updates and presence
        .add(
            Page,
            post(),
            "/tickets/shift",
            Requires(TicketWork),
            tickets::queue::set_shift,
        )
        .add(
            Page,
            get(),
            "/events/tickets",
            Requires(TicketWork),
            crate::live::ticket_events,
        )
        .add(
            Page,
            post(),
            "/tickets/{id}/presence",
            Requires(TicketWork),
            tickets::show::presence,
        )
        // Customer archive
        .add(
            Page,
            get(),
            "/customers",
            Requires(CustomerView),
            customers::list,
        )
        .add(
            Page,
            get(),
            "/customers/new",
            Requires(CustomerEdit),
            customers::new_form,
        )
        .add(
            Page,
            get(),
            "/customers/import",
            Requires(CustomerEdit),
            customer_import::form,
        )
        .upload_with(
            kefu_app::customer_import::MAX_IMPORT_BYTES + 64 * 1024,
            Page,
            "/customers/import",
            Requires(CustomerEdit),
            customer_import::run,
        )
        .add(
            Page,
            get(),
            "/customers/imports/{id}/report.csv",
            Requires(CustomerEdit),
            customer_import::report,
        )
        .add(
            Page,
            get(),
            "/customers/export.csv",
            Requires(CustomerView),
            customer_import::export_csv,
        )
        .add(
            Page,
            get(),
            "/customers/export.xlsx",
            Requires(CustomerView),
            customer_import::export_xlsx,
        )
        .add(
            Page,
            post(),
            "/customers",
            Requires(CustomerEdit),
            customers::create,
        )
        .add(
            Page,
            get(),
            "/customers/{id}",
            Requires(CustomerView),
            customers::show,
        )
        .add(
            Page,
            get(),
            "/customers/{id}/edit",
            Requires(CustomerEdit),
            customers::edit_form,
        )
        .add(
            Page,
            post(),
            "/customers/{id}",
            Requires(CustomerEdit),
            customers::update,
        )
        .add(
            Page,
            post(),
            "/customers/{id}/contacts",
            Requires(CustomerEdit),
            customers::save_contact,
        )
        .add(
            Page,
            post(),
            "/customers/{id}/reveal",
            Requires(CustomerReveal),
            customers::reveal,
        )
        .add(
            Page,
            post(),
            "/tickets/{id}/customer",
            Requires(TicketWork),
            customers::link_ticket,
        )
        .add(
            Api,
            get(),
            "/api/v1/customers",
            Requires(CustomerView),
            api::customers::list,
        )
        .add(
            Api,
            post(),
            "/api/v1/customers",
            Requires(CustomerEdit),
            api::customers::create,
        )
        .add(
            Api,
            get(),
            "/api/v1/customers/{id}",
            Requires(CustomerView),
            api::customers::show,
        )
        .add(
            Api,
            post(),
            "/api/v1/customers/{id}/reveal",
            Requires(CustomerReveal),
            api::customers::reveal,
        )
        // Credit and the daily attention view
        .add(
            Page,
            get(),
            "/customers/today",
            Requires(CustomerView),
            credit::today,
        )
        .add(
            Page,
            post(),
            "/customers/{id}/credit/investigations",
            Requires(CreditManage),
            credit::record_investigation,
        )
        .add(
            Page,
            post(),
            "/customers/{id}/credit/terms",
            Requires(CreditManage),
            credit::set_terms,
        )
        .add(
            Page,
            get(),
            "/admin/credit",
            Requires(CreditManage),
            credit::model,
        )
        .add(
            Page,
            post(),
            "/admin/credit",
            Requires(CreditManage),
            credit::save_model,
        )
        .add(
            Api,
            get(),
            "/api/v1/customers/{id}/credit",
            Requires(CustomerView),
            api::customers::credit,
        )
        // Complaints
        .add(
            Page,
            get(),
            "/complaints",
            Requires(ComplaintRespond),
            complaints::board,
        )
        .add(
            Page,
            get(),
            "/complaints/new",
            Requires(ComplaintOpen),
            complaints::new_form,
        )
        .add(
            Page,
            get(),
            "/complaints/{id}/report",
            Requires(ComplaintRespond),
            complaints::investigation_report,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/report/send",
            Requires(ComplaintHandle),
            complaints::send_investigation_report,
        )
        .add(
            Page,
            get(),
            "/admin/complaint-deadlines",
            Requires(TicketAdmin),
            complaints::deadlines,
        )
        .add(
            Page,
            post(),
            "/admin/complaint-deadlines",
            Requires(TicketAdmin),
            complaints::save_deadlines,
        )
        .add(
            Page,
            get(),
            "/search",
            Requires(DashboardView),
            search::page,
        )
        .add(
            Page,
            get(),
            "/search/suggest",
            Requires(DashboardView),
            search::suggest,
        )
        .add(
            Api,
            get(),
            "/api/v1/search",
            Requires(DashboardView),
            api::search::search,
        )
        .add(
            Page,
            get(),
            "/complaints/report",
            Requires(ComplaintView),
            complaints::report,
        )
        .add(
            Page,
            get(),
            "/complaints/report.csv",
            Requires(ComplaintView),
            complaints::report_csv,
        )
        .add(
            Page,
            get(),
            "/complaints/report.xlsx",
            Requires(ComplaintView),
            complaints::report_xlsx,
        )
        .add(
            Api,
            get(),
            "/api/v1/complaints/stats",
            Requires(ComplaintView),
            api::complaints::stats,
        )
        .add(
            Page,
            post(),
            "/complaints",
            Requires(ComplaintOpen),
            complaints::create,
        )
        .add(
            Page,
            get(),
            "/complaints/{id}",
            Requires(ComplaintRespond),
            complaints::show,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/reveal",
            Requires(CustomerReveal),
            complaints::reveal,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/intake",
            Requires(ComplaintHandle),
            complaints::complete_intake,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/judgement",
            Requires(ComplaintHandle),
            complaints::judge,
        )
        .upload(
            Page,
            "/complaints/{id}/investigation",
            Requires(ComplaintHandle),
            complaints::investigate,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/proposals",
            Requires(ComplaintHandle),
            complaints::propose,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/penalties",
            Requires(ComplaintHandle),
            complaints::penalty,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/messages",
            Requires(ComplaintHandle),
            complaints::tell,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/customer-decision",
            Requires(ComplaintHandle),
            complaints::customer_decision,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/follow-up",
            Requires(ComplaintHandle),
            complaints::follow_up,
        )
        .add(
            Page,
            post(),
            "/complaints/{id}/evaluation",
            Requires(ComplaintHandle),
            complaints::evaluate,
        )
        .add(
            Page,
            post(),
            "/complaint-notices/{id}/acknowledge",
            Requires(ComplaintRespond),
            complaints::acknowledge_notice,
        )
        .add(
            Page,
            post(),
            "/complaint-notices/{id}/answer",
            Requires(ComplaintRespond),
            complaints::answer_notice,
        )
        .add(
            Page,
            post(),
            "/complaint-notices/{id}/review",
            Requires(ComplaintHandle),
            complaints::review_notice,
        )
        .add(
            Page,
            post(),
            "/complaint-proposals/{id}/decision",
            Requires(ComplaintApprove),
            complaints::decide,
        )
        .add(
            Page,
            post(),
            "/complaint-rmas/{id}/advance",
            Requires(RmaWork),
            complaints::advance_rma,
        )
        .add(
            Api,
            get(),
            "/api/v1/complaints",
            Requires(ComplaintRespond),
            api::complaints::list,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints",
            Requires(ComplaintOpen),
            api::complaints::create,
        )
        .add(
            Api,
            get(),
            "/api/v1/complaints/{id}",
            Requires(ComplaintRespond),
            api::complaints::show,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/reveal",
            Requires(CustomerReveal),
            api::complaints::reveal,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/intake",
            Requires(ComplaintHandle),
            api::complaints::complete_intake,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/judgement",
            Requires(ComplaintHandle),
            api::complaints::judge,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/investigation",
            Requires(ComplaintHandle),
            api::complaints::investigate,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/proposals",
            Requires(ComplaintHandle),
            api::complaints::propose,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/penalties",
            Requires(ComplaintHandle),
            api::complaints::penalty,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/messages",
            Requires(ComplaintHandle),
            api::complaints::tell,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/customer-decision",
            Requires(ComplaintHandle),
            api::complaints::customer_decision,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/follow-up",
            Requires(ComplaintHandle),
            api::complaints::follow_up,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaints/{id}/evaluation",
            Requires(ComplaintHandle),
            api::complaints::evaluate,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaint-notices/{id}/acknowledge",
            Requires(ComplaintRespond),
            api::complaints::acknowledge_notice,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaint-notices/{id}/answer",
            Requires(ComplaintRespond),
            api::complaints::answer_notice,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaint-notices/{id}/review",
            Requires(ComplaintHandle),
            api::complaints::review_notice,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaint-proposals/{id}/decision",
            Requires(ComplaintApprove),
            api::complaints::decide,
        )
        .add(
            Api,
            post(),
            "/api/v1/complaint-rmas/{id}/advance",
            Requires(RmaWork),
            api::complaints::advance_rma,
        )
        // Triggers
        .add(
            Page,
            get(),
            "/admin/triggers",
            Requires(TicketAdmin),
            admin_triggers::list,
        )
        .add(
            Page,
            get(),
            "/admin/triggers/new",
            Requires(TicketAdmin),
            admin_triggers::new_form,
        )
        .add(
            Page,
            post(),
            "/admin/triggers",
            Requires(TicketAdmin),
            admin_triggers::create,
        )
        .add(
            Page,
            get(),
            "/admin/triggers/{id}",
            Requires(TicketAdmin),
            admin_triggers::edit_form,
        )
        .add(
            Page,
            post(),
            "/admin/triggers/{id}",
            Requires(TicketAdmin),
            admin_triggers::update,
        )
        .add(
            Page,
            post(),
            "/admin/triggers/{id}/active",
            Requires(TicketAdmin),
            admin_triggers::set_active,
        )
        // Reply scripts
        .add(Page, get(), "/scripts", Requires(TicketWork), scripts::list)
        .add(
            Page,
            post(),
            "/scripts",
            Requires(TicketWork),
            scripts::propose,
        )
        .add(
            Page,
            get(),
            "/scripts/{id}",
            Requires(ScriptApprove),
            scripts::edit,
        )
        .add(
            Page,
            post(),
            "/scripts/{id}",
            Requires(ScriptApprove),
            scripts::update,
        )
        .add(
            Page,
            post(),
            "/scripts/{id}/review",
            Requires(ScriptApprove),
            scripts::review,
        )
        .add(
            Page,
            post(),
            "/tickets/{id}/script",
            Requires(TicketWork),
            tickets::show::use_script,
        )
        .add(
            Api,
            get(),
            "/api/v1/scripts",
            Requires(TicketWork),
            api::scripts::list,
        )
        .add(
            Api,
            post(),
            "/api/v1/scripts",
            Requires(TicketWork),
            api::scripts::propose,
        )
        .add(
            Api,
            post(),
            "/api/v1/scripts/{id}/review",
            Requires(ScriptApprove),
            api::scripts::review,
        )
        // Tickets
        .add(
            Page,
            get(),
            "/tickets",
            Requires(TicketWork),
            tickets::queue::list,
        )
        .add(
            Page,
            get(),
            "/tickets/new",
            Requires(TicketWork),
            tickets::create::form,
        )
        .add(
            Page,
            post(),
            "/tickets",
            Requires(TicketWork),
            tickets::create::create,
        )
        .add(
            Page,
            post(),
            "/tickets/bulk",
            Requires(TicketWork),
            tickets::queue::bulk,
        )
        .add(
            Page,
            post(),
            "/tickets/views",
            Requires(TicketWork),
            tickets::queue::save_view,
        )
        .add(
            Page,
            post(),
            "/tickets/views/{id}/delete",
            Requires(TicketWork),
            tickets::queue::delete_view,
        )
        .add(
            Page,
            get(),
            "/tickets/{id}",
            Requires(TicketWork),
            tickets::show::show,
        )
        .add(
            Page,
            post(),
            "/tickets/{id}",
            Requires(TicketWork),
            tickets::show::update,
        )
        .add(
            Page,
            post(),
            "/tickets/{id}/reveal",
            Requires(CustomerReveal),
            tickets::show::reveal,
        )
        .upload(
            Page,
            "/tickets/{id}/reply",
            Requires(TicketWork),
            tickets::show::reply,
        )
        .add(
            Page,
            get(),
            "/tickets/{id}/attachments/{attachment}",
            Requires(TicketWork),
            tickets::show::attachment,
        )
        // JSON API
        .add(
            Api,
            get(),
            "/api/v1/tickets",
            Requires(TicketWork),
            api::tickets::list,
        )
        .add(
            Api,
            post(),
            "/api/v1/tickets",
            Requires(TicketWork),
            api::tickets::create,
        )
        .add(
            Api,
            get(),
            "/api/v1/tickets/{id}",
            Requires(TicketWork),
            api::tickets::show,
        )
        .add(
            Api,
            patch(),
            "/api/v1/tickets/{id}",
            Requires(TicketWork),
            api::tickets::update,
        )
        .add(
            Api,
            post(),
            "/api/v1/tickets/{id}/reveal",
            Requires(CustomerReveal),
            api::tickets::reveal,
        )
        .add(
            Api,
            post(),
            "/api/v1/tickets/{id}/messages",
            Requires(TicketWork),
            api::tickets::reply,
        )
        .upload(
            Api,
            "/api/v1/tickets/{id}/attachments",
            Requires(TicketWork),
            api::tickets::upload,
        )
        .add(
            Api,
            get(),
            "/api/v1/tickets/{id}/attachments/{attachment}",
            Requires(TicketWork),
            api::tickets::download,
        )
        .add(
            Api,
            get(),
            "/api/v1/openapi.json",
            Public,
            api::openapi_json,
        )
        .add(
            Api,
            get(),
            "/api/v1/me",
            Requires(AccountSelf),
            api::me::show,
        )
        .add(
            Api,
            get(),
            "/api/v1/users",
            Requires(DirectoryView),
            api::users::list,
        )
        .add(
            Api,
            post(),
            "/api/v1/users",
            Requires(UserManage),
            api::users::create,
        )
        .add(
            Api,
            get(),
            "/api/v1/users/{id}",
            Requires(DirectoryView),
            api::users::show,
        )
        .add(
            Api,
            patch(),
            "/api/v1/users/{id}",
            Requires(UserManage),
            api::users::update,
        )
        .add(
            Api,
            get(),
            "/api/v1/departments",
            Requires(DirectoryView),
            api::users::departments,
        )
        .add(
            Api,
            get(),
            "/api/v1/audit",
            Requires(AuditView),
            api::audit::list,
        )
        .add(
            Api,
            get(),
            "/api/v1/tokens",
            Requires(AccountSelf),
            api::me::tokens,
        )
        .add(
            Api,
            delete,
            "/api/v1/tokens/{id}",
            Requires(AccountSelf),
            api::me::revoke_token,
        )
}

/// The route table as data.
pub fn specs() -> Vec<RouteSpec> {
    table(crate::WebConfig::default().max_upload_bytes).specs
}

/// Anything not in the table.
pub async fn not_found() -> WebError {
    WebError::NotFound
}
