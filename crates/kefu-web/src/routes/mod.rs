//! The route table: every route of kefu with the [`Access`] it requires.
//!
//! Routes are added only through [`RouteTable::add`], which wraps each handler in the
//! permission guard, so no route exists without a declared permission. The table is also
//! exported as data ([`specs`]) for the test that walks every route for every role.

pub mod api;
pub mod ops;
pub mod pages;
pub mod portal;
mod table;

use axum::Router;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{MethodFilter, on};
use kefu_domain::Access;

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

/// Every route of kefu, area by area.
pub fn table(upload_limit: usize) -> RouteTable {
    let t = RouteTable::new(upload_limit);
    let t = table::foundation::add(t);
    let t = table::ticket_settings::add(t);
    let t = table::customers::add(t);
    let t = table::complaints::add(t);
    let t = table::follow_ups::add(t);
    let t = table::satisfaction::add(t);
    let t = table::key_accounts::add(t);
    let t = table::quality::add(t);
    let t = table::aftersales::add(t);
    let t = table::aftersales_stock::add(t);
    let t = table::orders::add(t);
    let t = table::receivables::add(t);
    let t = table::tickets::add(t);
    let t = table::channels::add(t);
    let t = table::phone::add(t);
    let t = table::sms::add(t);
    let t = table::wechat::add(t);
    let t = table::chat::add(t);
    let t = table::channel_api::add(t);
    table::api::add(t)
}

/// The route table as data.
pub fn specs() -> Vec<RouteSpec> {
    table(crate::WebConfig::default().max_upload_bytes).specs
}

/// Anything not in the table.
pub async fn not_found() -> WebError {
    WebError::NotFound
}
