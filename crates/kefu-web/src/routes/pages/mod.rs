//! Server-rendered pages for staff.

pub mod account;
pub mod admin_audit;
pub mod admin_grants;
pub mod admin_sla;
pub mod admin_tickets;
pub mod admin_triggers;
pub mod admin_users;
pub mod complaints;
pub mod credit;
pub mod customer_import;
pub mod customers;
pub mod dashboard;
pub mod login;
pub mod notifications;
pub mod scripts;
pub mod search;
pub mod tickets;
pub mod tokens;
pub(crate) mod versioned;

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::error::WebError;

/// Renders a template with a status.
pub(crate) fn render(status: StatusCode, page: &impl Template) -> Result<Response, WebError> {
    Ok((status, Html(page.render()?)).into_response())
}

/// Renders a template with 200 OK.
pub(crate) fn ok(page: &impl Template) -> Result<Response, WebError> {
    render(StatusCode::OK, page)
}

/// The status and translated message of a refused action, for re-rendering its form.
pub(crate) fn refusal(e: kefu_app::AppError, t: crate::i18n::Tr) -> (StatusCode, String) {
    let info = WebError::from(e).into_info();
    let message = info.message(t);
    (info.status, message)
}
