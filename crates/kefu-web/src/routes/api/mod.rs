//! The JSON API under `/api/v1`: bearer-token auth, the same permission policy as the
//! pages, one error shape, and an OpenAPI document generated from these handlers.

pub mod absences;
pub mod aftersales_costs;
pub mod aftersales_disputes;
pub mod aftersales_points;
pub mod aftersales_policies;
pub mod aftersales_rmas;
pub mod aftersales_stock;
pub mod audit;
pub mod catalogue;
pub mod channels;
pub mod chat;
pub mod chat_channels;
pub mod complaints;
pub mod custom_requests;
pub mod customers;
pub mod doc;
pub mod follow_ups;
pub mod idempotency;
pub mod key_account_plans;
pub mod key_accounts;
pub mod me;
pub mod order_shipments;
pub mod orders;
pub mod phone;
pub mod quality;
pub mod quality_anomalies;
pub mod quality_calibrations;
pub mod quality_inspections;
pub mod quality_measures;
pub mod quality_meetings;
pub mod quality_reports;
pub mod receivables;
pub mod relationship;
pub mod satisfaction;
pub mod satisfaction_report;
pub mod scripts;
pub mod search;
pub mod shifts;
pub mod sms;
pub mod statements;
pub mod tickets;
pub mod users;
pub mod wechat;

// 邮件渠道 and 电话渠道 administered over the API.
pub mod email_channels;
pub mod email_imap;
pub mod email_mails;
pub mod phone_channels;

use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::{OpenApi, ToSchema};

use crate::error::WebError;

/// A JSON body whose rejections speak the API's error shape.
///
/// Every string in the body, object keys included, is checked before the body becomes `T`:
/// a control character is refused here, naming its JSON path (`contacts[0].name`), the same
/// on SQLite and PostgreSQL (see [`crate::input`]).
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = json_bytes(req, state).await?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// The body of a JSON request, read whole: another content type and a body over the limit
/// are refused in the API's error shape.
pub(crate) async fn json_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, WebError> {
    if !is_json(req.headers()) {
        return Err(WebError::UnsupportedMediaType);
    }
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebError::PayloadTooLarge
        } else {
            WebError::bad_request("bad_request", e.body_text())
        }
    })
}

/// A JSON body checked for control characters, then read into `T`.
pub(crate) fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, WebError> {
    // Parsed twice: once as a document to walk, once into `T` by axum's parser, so a
    // wrong value keeps the path axum names it by (`priority: invalid type …`).
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(document) => {
            // Every request body of the API is an object; serde would also read a struct
            // from an array of its fields, which no client means.
            if !document.is_object() {
                return Err(WebError::bad_request(
                    "invalid_field",
                    "the body must be a JSON object",
                ));
            }
            if let Some(path) = crate::input::json_forbidden_path(&document) {
                return Err(WebError::ControlCharacter { field: path });
            }
        }
        Err(e) => {
            // Malformed: described by axum's parser, as before.
            return Err(match axum::Json::<T>::from_bytes(bytes) {
                Err(rejection) => json_rejection(rejection),
                Ok(_) => WebError::bad_request("malformed_json", e.to_string()),
            });
        }
    }
    axum::Json::<T>::from_bytes(bytes)
        .map(|axum::Json(v)| v)
        .map_err(json_rejection)
}

/// `application/json` or `application/<something>+json`, as axum's `Json` accepts.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|essence| {
            essence == "application/json"
                || (essence.starts_with("application/") && essence.ends_with("+json"))
        })
}

fn json_rejection(rejection: JsonRejection) -> WebError {
    match rejection {
        JsonRejection::JsonDataError(e) => WebError::bad_request("invalid_field", e.body_text()),
        JsonRejection::JsonSyntaxError(e) => WebError::bad_request("malformed_json", e.body_text()),
        JsonRejection::MissingJsonContentType(_) => WebError::UnsupportedMediaType,
        JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            WebError::PayloadTooLarge
        }
        other => WebError::bad_request("bad_request", other.body_text()),
    }
}

/// The error shape of every failed API call.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `forbidden`, `malformed_json`, `rate_limited`.
    pub code: String,
    /// Human-readable message in the caller's language.
    pub message: String,
    /// Extra detail where there is some (which field, which value).
    pub detail: Option<String>,
}

use doc::{
    BearerAuth, CommonResponses, Conditional, InputSchemas, UniqueOperationIds, WebhookSignature,
};

#[derive(OpenApi)]
#[openapi(
    info(title = "kefu API", description = "客服 kefu — the customer service department's system. \
        Authenticate with a personal API token: `Authorization: Bearer kefu_…`."),
    paths(
        me::show, me::tokens, me::revoke_token,
        users::list, users::create, users::show, users::update, users::departments,
        audit::list,
        tickets::list, tickets::create, tickets::show, tickets::reveal, tickets::update,
        tickets::reply,
        tickets::upload, tickets::download,
        scripts::list, scripts::propose, scripts::review,
        customers::list, customers::show, customers::create, customers::reveal,
        customers::credit, customers::card,
        complaints::list, complaints::create, complaints::show, complaints::reveal,
        complaints::complete_intake,
        complaints::judge, complaints::acknowledge_notice, complaints::answer_notice,
        complaints::review_notice, complaints::investigate, complaints::add_evidence,
        complaints::propose, complaints::approvals, complaints::decide, complaints::advance_rma,
        complaints::cancel_rma, complaints::penalty, complaints::tell,
        complaints::customer_decision, complaints::follow_up, complaints::evaluate,
        complaints::stats,
        follow_ups::list, follow_ups::show, follow_ups::reschedule, follow_ups::attempt,
        follow_ups::card, follow_ups::dial,
        follow_ups::plan, follow_ups::coverage, follow_ups::analysis::weekly,
        follow_ups::setup::settings,
        follow_ups::setup::save_settings, follow_ups::setup::rules, follow_ups::setup::create_rule,
        follow_ups::setup::save_rule,
        satisfaction::settings, satisfaction::save_settings, satisfaction::surveys,
        satisfaction::handle, relationship::list, relationship::create, relationship::show,
        relationship::update, relationship::results, satisfaction_report::report,
        key_accounts::list, key_accounts::rate, key_accounts::visits, key_accounts::arrange,
        key_accounts::visit, key_accounts::report, key_accounts::cancel, key_accounts::changes,
        key_accounts::apply, key_accounts::dismiss,
        key_account_plans::plan, key_account_plans::save_plan, key_account_plans::review,
        key_account_plans::policies, key_account_plans::propose, key_account_plans::pending,
        key_account_plans::approve, key_account_plans::reject, key_account_plans::withdraw,
        absences::list, absences::record, absences::cancel,
        shifts::week, shifts::set_week, shifts::clear_week, shifts::set_change,
        shifts::clear_change,
        quality::scorecards, quality::scorecard, quality::create_scorecard,
        quality::save_scorecard,
        quality_inspections::quality_settings, quality_inspections::save_quality_settings,
        quality_inspections::quality_samples, quality_inspections::draw_sample, quality_inspections::inspections,
        quality_inspections::inspection, quality_inspections::score_inspection, quality_inspections::acknowledge_inspection,
        quality_inspections::appeal_inspection, quality_inspections::decide_appeal,
        quality_anomalies::service_items, quality_anomalies::anomalies, quality_anomalies::anomaly,
        quality_anomalies::record_anomaly, quality_anomalies::investigate_anomaly, quality_anomalies::close_anomaly,
        quality_measures::plan_measure, quality_measures::measures, quality_measures::measure,
        quality_measures::progress_measure, quality_measures::instruct_measure, quality_measures::verify_measure,
        quality_reports::quality_reports, quality_reports::quality_report,
        quality_reports::quality_report_xlsx, quality_reports::make_quality_report,
        quality_reports::resend_quality_report,
        quality_calibrations::quality_calibrations, quality_calibrations::ask_calibration,
        quality_calibrations::score_calibration,
        quality_meetings::meeting_summary, quality_meetings::meetings,
        quality_meetings::record_meeting, quality_meetings::meeting,
        catalogue::catalogue_categories, catalogue::add_catalogue_category,
        catalogue::catalogue_products, catalogue::create_catalogue_product,
        catalogue::catalogue_product, catalogue::save_catalogue_product,
        catalogue::import_catalogue_products, catalogue::catalogue_parts,
        catalogue::create_catalogue_part, catalogue::catalogue_part,
        catalogue::save_catalogue_part, catalogue::import_catalogue_parts,
        catalogue::catalogue_price_lists, catalogue::create_catalogue_price_list,
        catalogue::catalogue_price_list, catalogue::save_catalogue_price_list,
        catalogue::set_catalogue_prices, catalogue::catalogue_customer_price,
        aftersales_policies::aftersales_policies, aftersales_policies::aftersales_policy,
        aftersales_policies::issue_aftersales_policy, aftersales_policies::check_aftersales_claim,
        aftersales_rmas::aftersales_rmas, aftersales_rmas::request_aftersales_rma,
        aftersales_rmas::aftersales_rma, aftersales_rmas::move_aftersales_rma,
        aftersales_rmas::add_rma_photos, aftersales_rmas::rma_photo,
        aftersales_disputes::aftersales_disputes, aftersales_disputes::open_aftersales_dispute,
        aftersales_disputes::aftersales_dispute, aftersales_disputes::rule_aftersales_dispute,
        aftersales_points::service_points, aftersales_points::create_service_point,
        aftersales_points::service_point, aftersales_points::save_service_point,
        aftersales_points::inspect_service_point, aftersales_points::assign_rma_point,
        aftersales_stock::stock_locations, aftersales_stock::create_stock_location,
        aftersales_stock::stock, aftersales_stock::stock_movements,
        aftersales_stock::record_stock_movement, aftersales_stock::stock_plans,
        aftersales_stock::stock_plan, aftersales_stock::propose_stock_plan,
        aftersales_stock::decide_stock_plan, aftersales_stock::defective_goods,
        aftersales_stock::defective, aftersales_stock::register_defective,
        aftersales_stock::decide_defective, aftersales_stock::repropose_defective,
        aftersales_costs::rma_costs, aftersales_costs::add_rma_cost,
        aftersales_costs::cost_report, aftersales_costs::set_budget,
        aftersales_costs::fault_figures, aftersales_costs::send_fault_figures,
        orders::orders, orders::place_order, orders::order, orders::decide_order,
        orders::change_order_line, orders::cancel_order, orders::set_product_stock,
        order_shipments::complete_production, order_shipments::ship_order,
        order_shipments::shipments, order_shipments::shipment,
        order_shipments::add_tracking_event, order_shipments::count_shipment,
        order_shipments::push_tracking,
        custom_requests::custom_requests, custom_requests::request_custom,
        custom_requests::custom_request, custom_requests::move_custom,
        receivables::record_payment, receivables::allocate_payment, receivables::payment,
        receivables::account, receivables::ageing,
        statements::statements, statements::generate, statements::statement,
        statements::answer, statements::propose, statements::decide, statements::close,
        search::search,
        channels::inbound,
        phone::events,
        sms::sms_events, sms::list, sms::create, sms::show, sms::update, sms::rotate, sms::test,
        wechat::server_check, wechat::receive,
        wechat::list, wechat::create, wechat::show, wechat::update, wechat::test,
        wechat::link_follower,
        chat::agent, chat::set_agent, chat::list, chat::show, chat::accept, chat::send,
        chat::transfer, chat::link_customer, chat::end,
        chat_channels::list, chat_channels::create, chat_channels::show, chat_channels::update,
        chat_channels::set_limit,
        email_channels::list, email_channels::create, email_channels::show,
        email_channels::update, email_channels::rotate, email_channels::set_smtp,
        email_channels::remove_smtp, email_channels::test_mail,
        email_imap::imap_show, email_imap::imap_save, email_imap::imap_remove,
        email_imap::imap_test,
        email_mails::failed_list, email_mails::failed_retry, email_mails::failed_discard,
        email_mails::raw_mail,
        phone_channels::list, phone_channels::create, phone_channels::show,
        phone_channels::update, phone_channels::rotate, phone_channels::extensions,
        phone_channels::map_extension, phone_channels::unmap_extension,
    ),
    components(schemas(ErrorBody, ErrorDetail, sms::SmsGatewaySend, sms::SmsGatewayAnswer)),
    // The bearer scheme, the key and value schemas, the refusals every operation can give
    // and unique operation ids: see `doc`.
    modifiers(
        &BearerAuth,
        &WebhookSignature,
        &InputSchemas,
        &Conditional,
        &CommonResponses,
        &UniqueOperationIds
    ),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

pub async fn openapi_json() -> Response {
    match ApiDoc::openapi().to_json() {
        Ok(json) => (
            [(axum::http::header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response(),
        Err(e) => WebError::Internal(e.to_string()).into_response(),
    }
}

/// A record's version as the strong entity tag of `ETag`: `"7"`.
pub(crate) fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// An answer carrying the record's version as its `ETag`.
pub type Tagged<T> = ([(axum::http::HeaderName, String); 1], axum::Json<T>);

/// `body` with `ETag: "<version>"`.
pub(crate) fn tagged<T>(version: i64, body: T) -> Tagged<T> {
    (
        [(axum::http::header::ETAG, etag(version))],
        axum::Json(body),
    )
}

/// The version an `If-Match` header names for a conditional write (`"7"`, as `ETag` gave
/// it). `None` without the header, or with `*` (whatever is current): the write goes ahead
/// as an unconditional one. A weak tag, a list or anything else is refused: a version is
/// compared strongly, and a guess is no precondition.
///
/// An extractor, placed before the body in a handler's arguments, so a malformed header is
/// refused before the body is read; the operations that take it are listed in
/// [`doc::CONDITIONAL`], which documents the header and the 412 for them.
pub struct IfMatch(pub Option<i64>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for IfMatch {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        if_match(&parts.headers).map(IfMatch)
    }
}

fn if_match(headers: &HeaderMap) -> Result<Option<i64>, WebError> {
    let Some(raw) = headers.get(axum::http::header::IF_MATCH) else {
        return Ok(None);
    };
    let text = raw.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(None);
    }
    text.strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .and_then(|v| v.parse::<i64>().ok())
        .map(Some)
        .ok_or_else(|| {
            WebError::bad_request(
                "invalid_field",
                format!("If-Match: {text:?} (expected one version as ETag gives it, \"7\")"),
            )
        })
}

/// Instants in the API are RFC 3339 in UTC.
pub(crate) fn rfc3339(at: jiff::Timestamp) -> String {
    at.to_string()
}

/// The id of what a call created.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Created {
    pub id: i64,
}
