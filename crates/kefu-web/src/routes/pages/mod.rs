//! Server-rendered pages for staff.

pub mod absences;
pub mod account;
pub mod admin_audit;
pub mod admin_channel_imap;
pub mod admin_channels;
pub mod admin_chat;
pub mod admin_grants;
pub mod admin_jobs;
pub mod admin_phone;
pub mod admin_sla;
pub mod admin_sms;
pub mod admin_tickets;
pub mod admin_triggers;
pub mod admin_users;
pub mod admin_wechat;
pub mod aftersales_costs;
pub mod aftersales_defective;
pub mod aftersales_disputes;
pub mod aftersales_faults;
pub mod aftersales_points;
pub mod aftersales_policies;
pub mod aftersales_rmas;
pub mod aftersales_stock;
pub mod aftersales_stock_plans;
pub mod approvals;
pub mod calls;
pub mod catalogue;
pub mod catalogue_parts;
mod channel_admin;
pub mod chat;
pub mod complaints;
pub mod credit;
pub mod custom_requests;
pub mod customer_import;
pub mod customer_imports;
pub mod customers;
pub mod dashboard;
pub mod follow_ups;
pub mod key_account_plan;
pub mod key_accounts;
pub mod login;
pub mod notifications;
pub mod order_shipments;
pub mod orders;
pub mod quality_anomalies;
pub mod quality_calibrations;
pub mod quality_inspections;
pub mod quality_measures;
pub mod quality_meetings;
pub mod quality_reports;
pub mod quality_scorecards;
pub mod quality_settings;
pub mod receivables;
pub mod relationship;
pub mod satisfaction;
pub mod satisfaction_report;
pub mod scripts;
pub mod search;
pub mod shifts;
pub mod statements;
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

/// Back to `to` once an action is done; when it was refused, the page it was asked on again
/// (`page` renders it with the message) at the refusal's status, saying why.
pub(crate) async fn done_or_refused<T, Fut>(
    outcome: Result<(), WebError>,
    to: &str,
    t: crate::i18n::Tr,
    page: impl FnOnce(String) -> Fut,
) -> Result<Response, WebError>
where
    T: Template,
    Fut: std::future::Future<Output = Result<T, WebError>>,
{
    match outcome {
        Ok(()) => Ok(axum::response::Redirect::to(to).into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, t);
            render(status, &page(message).await?)
        }
    }
}

/// The status and translated message of a refused action, for re-rendering its form.
pub(crate) fn refusal(e: kefu_app::AppError, t: crate::i18n::Tr) -> (StatusCode, String) {
    input_refusal(WebError::from(e), t)
}

/// [`refusal`] of an error found at the edge (an unknown key…), for re-rendering its form.
pub(crate) fn input_refusal(e: WebError, t: crate::i18n::Tr) -> (StatusCode, String) {
    let info = e.into_info();
    let message = info.message(t);
    (info.status, message)
}

/// The value of a closed set (a priority, a channel…) that the form field `name` names.
/// Empty or absent is `None`, for the caller's default or "none"; an unknown key is refused
/// with the keys allowed (422 `unknown_value`). A select sends only the keys it offers, so
/// an unknown one is a forged or broken request: never replaced by a default the person
/// did not choose.
pub(crate) fn form_key<T: kefu_domain::input::Keyed>(
    pairs: &[(String, String)],
    name: &str,
) -> Result<Option<T>, WebError> {
    crate::input::parse_optional_key(name, Some(tickets::field(pairs, name)))
}
