//! The one error type at the HTTP edge.
//!
//! A handler returns [`WebError`]; its response carries an [`ErrorInfo`] and no body yet.
//! [`render_errors`] then writes the body for whoever asked: the JSON error shape
//! `{"error": {"code", "message"}}` under `/api/`, a friendly translated page elsewhere.
//! Internal details are logged once here and never shown.

use askama::Template;
use axum::extract::Request;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use kefu_app::AppError;
use kefu_domain::attachment::AttachmentError;
use kefu_domain::calendar::CalendarError;
use kefu_domain::condition::ConditionError;
use kefu_domain::customer::CustomerRuleError;
use kefu_domain::dates::{DateError, MAX_DATE, MIN_DATE};
use kefu_domain::kb::ScriptError;
use kefu_domain::money::AmountError;
use kefu_domain::staff::AccountRuleError;
use kefu_domain::ticket::{FieldProblem, TicketRuleError};
use kefu_domain::trigger::TriggerError;
use serde_json::json;

use crate::auth::Identity;
use crate::i18n::Tr;

mod aftersales;
mod areas;
mod follow_up;
mod quality;
mod relationship;
mod sms;

// The database away or full: 503/507 with Retry-After (see `outage`).
mod orders;
mod outage;
pub use outage::{KeepBody, STORAGE_FULL_RETRY_SECS, UNAVAILABLE_RETRY_SECS};

use areas::*;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    #[error("not found")]
    NotFound,
    #[error("sign-in required")]
    Unauthorized,
    #[error("token revoked")]
    TokenRevoked,
    /// An API token of an account whose password is still the one-time password someone
    /// else set: it works once the owner has signed in and chosen their own.
    #[error("the account's one-time password must be changed first")]
    PasswordChangeRequired,
    #[error("forbidden")]
    Forbidden,
    #[error("csrf token missing or wrong")]
    CsrfRejected,
    #[error("bad request: {code}")]
    BadRequest { code: &'static str, detail: String },
    #[error("body too large")]
    PayloadTooLarge,
    /// A query string over [`crate::input::MAX_QUERY_BYTES`].
    #[error("query string over {max_bytes} bytes")]
    QueryTooLong { max_bytes: usize },
    #[error("upload larger than {max_mb} MB")]
    UploadTooLarge { max_mb: usize },
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// Text in a query string, form or body that is not UTF-8; `field` names where.
    #[error("not UTF-8: {field}")]
    InvalidUtf8 { field: String },
    /// A control character (or noncharacter) in input; `field` names where (a form field,
    /// a query parameter, a JSON path such as `contacts[0].name`).
    #[error("control character in {field}")]
    ControlCharacter { field: String },
    /// A key that names none of a closed set (a priority, a stage…), with the keys allowed.
    #[error("unknown value {value:?} for {field}")]
    UnknownValue {
        field: String,
        value: String,
        allowed: Vec<&'static str>,
    },
    #[error("internal: {0}")]
    Internal(String),
}

/// What went wrong, in a form both renderers understand.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    pub status: StatusCode,
    /// Stable machine-readable code; also names the translation `error.<code>`.
    pub code: &'static str,
    /// Values for the placeholders of the translated message.
    pub args: Vec<(&'static str, String)>,
    /// Extra detail safe to show (e.g. which JSON field was malformed).
    pub detail: Option<String>,
    pub retry_after_secs: Option<u64>,
    /// What the error is about, put before the message (a ticket number in a bulk action).
    pub prefix: Option<String>,
}

impl ErrorInfo {
    pub(crate) fn new(status: StatusCode, code: &'static str) -> ErrorInfo {
        ErrorInfo {
            status,
            code,
            args: Vec::new(),
            detail: None,
            retry_after_secs: None,
            prefix: None,
        }
    }

    pub fn message(&self, tr: Tr) -> String {
        // A value `@key` is itself translated (a stage or field name in the reader's language).
        let args: Vec<(&str, &str)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, v.strip_prefix('@').map_or(v.as_str(), |key| tr.t(key))))
            .collect();
        let message = tr.f(&format!("error.{}", self.code), &args);
        match &self.prefix {
            Some(p) => format!("{p}: {message}"),
            None => message,
        }
    }
}

impl WebError {
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> WebError {
        WebError::BadRequest {
            code,
            detail: detail.into(),
        }
    }

    pub fn into_info(self) -> ErrorInfo {
        use StatusCode as S;
        match self {
            WebError::NotFound => ErrorInfo::new(S::NOT_FOUND, "not_found"),
            WebError::Unauthorized => ErrorInfo::new(S::UNAUTHORIZED, "unauthorized"),
            WebError::TokenRevoked => ErrorInfo::new(S::UNAUTHORIZED, "token_revoked"),
            WebError::PasswordChangeRequired => {
                ErrorInfo::new(S::FORBIDDEN, "password_change_required")
            }
            WebError::Forbidden => ErrorInfo::new(S::FORBIDDEN, "forbidden"),
            WebError::CsrfRejected => ErrorInfo::new(S::FORBIDDEN, "csrf_rejected"),
            WebError::BadRequest { code, detail } => ErrorInfo {
                detail: Some(detail),
                ..ErrorInfo::new(S::BAD_REQUEST, code)
            },
            WebError::PayloadTooLarge => ErrorInfo::new(S::PAYLOAD_TOO_LARGE, "payload_too_large"),
            WebError::QueryTooLong { max_bytes } => ErrorInfo {
                args: vec![("kb", (max_bytes / 1024).to_string())],
                ..ErrorInfo::new(S::URI_TOO_LONG, "query_too_long")
            },
            WebError::UploadTooLarge { max_mb } => ErrorInfo {
                args: vec![("mb", max_mb.to_string())],
                ..ErrorInfo::new(S::PAYLOAD_TOO_LARGE, "upload_too_large")
            },
            WebError::UnsupportedMediaType => {
                ErrorInfo::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            WebError::InvalidUtf8 { field } => ErrorInfo {
                args: vec![("field", field.clone())],
                detail: Some(field),
                ..ErrorInfo::new(S::BAD_REQUEST, "invalid_utf8")
            },
            WebError::ControlCharacter { field } => ErrorInfo {
                args: vec![("field", field.clone())],
                detail: Some(field),
                ..ErrorInfo::new(S::BAD_REQUEST, "control_character")
            },
            WebError::UnknownValue {
                field,
                value,
                allowed,
            } => {
                let allowed = allowed.join(", ");
                ErrorInfo {
                    detail: Some(format!("{field}: {value:?} (allowed: {allowed})")),
                    args: vec![("field", field), ("value", value), ("allowed", allowed)],
                    ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_value")
                }
            }
            WebError::RateLimited { retry_after_secs } => ErrorInfo {
                retry_after_secs: Some(retry_after_secs),
                args: vec![("secs", retry_after_secs.to_string())],
                ..ErrorInfo::new(S::TOO_MANY_REQUESTS, "rate_limited")
            },
            WebError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                ErrorInfo::new(S::INTERNAL_SERVER_ERROR, "internal")
            }
            WebError::App(e) => match e {
                AppError::NotFound => ErrorInfo::new(S::NOT_FOUND, "not_found"),
                AppError::Forbidden => ErrorInfo::new(S::FORBIDDEN, "forbidden"),
                AppError::Rule(rule) => {
                    let (code, args) = rule_code(rule);
                    ErrorInfo {
                        args,
                        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, code)
                    }
                }
                AppError::Verify(e) => verify_info(e),
                AppError::UsernameTaken => ErrorInfo::new(S::CONFLICT, "username_taken"),
                AppError::EmailTaken => ErrorInfo::new(S::CONFLICT, "email_taken"),
                AppError::WebFormThrottled => ErrorInfo {
                    retry_after_secs: Some(3600),
                    ..ErrorInfo::new(S::TOO_MANY_REQUESTS, "web_form_throttled")
                },
                AppError::UnknownDepartment => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_department")
                }
                AppError::InvalidCredentials => {
                    ErrorInfo::new(S::UNAUTHORIZED, "invalid_credentials")
                }
                AppError::Throttled { retry_after_secs } => {
                    let secs = retry_after_secs.max(1) as u64;
                    ErrorInfo {
                        retry_after_secs: Some(secs),
                        args: vec![("mins", secs.div_ceil(60).to_string())],
                        ..ErrorInfo::new(S::TOO_MANY_REQUESTS, "login_throttled")
                    }
                }
                AppError::WrongCurrentPassword => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "wrong_current_password")
                }
                AppError::LastAdmin => ErrorInfo::new(S::CONFLICT, "last_admin"),
                AppError::SelfDeactivation => ErrorInfo::new(S::CONFLICT, "self_deactivation"),
                AppError::InvalidTokenName => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "invalid_token_name")
                }
                AppError::Ticket(rule) => {
                    let (code, args) = ticket_rule_code(rule);
                    ErrorInfo {
                        args,
                        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, code)
                    }
                }
                AppError::InTicket { number, reason } => ErrorInfo {
                    prefix: Some(number),
                    ..WebError::App(*reason).into_info()
                },
                AppError::UnknownAssignee => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_assignee")
                }
                AppError::UnknownGroup => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_group"),
                AppError::UnknownCustomer => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_customer")
                }
                AppError::UnknownArchiveCustomer => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_archive_customer")
                }
                AppError::UnknownField(key) => ErrorInfo {
                    args: vec![("field", key)],
                    ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_field")
                },
                AppError::UnknownStatus { key, allowed } => {
                    let allowed = allowed.join(", ");
                    ErrorInfo {
                        detail: Some(format!("status: {key:?} (allowed: {allowed})")),
                        args: vec![("status", key), ("allowed", allowed)],
                        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_status")
                    }
                }
                AppError::TicketClosed => ErrorInfo::new(S::CONFLICT, "ticket_closed"),
                AppError::ContactRequired => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "contact_required")
                }
                AppError::TooLong => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "too_long"),
                AppError::BadName => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "bad_name"),
                AppError::NameTaken => ErrorInfo::new(S::CONFLICT, "name_taken"),
                AppError::Calendar(e) => calendar_info(e),
                AppError::ImportFile(e) => import_info(e),
                AppError::Export(e) => crate::export::error_info(e),
                AppError::Credit(e) => {
                    use kefu_domain::credit::CreditError as C;
                    ErrorInfo::new(
                        S::UNPROCESSABLE_ENTITY,
                        match e {
                            C::BadThresholds => "credit_bad_thresholds",
                            C::NoWeight => "credit_no_weight",
                            C::BadScore => "credit_bad_score",
                            C::NoFactors => "credit_no_factors",
                            C::EvidenceTooLong => "too_long",
                        },
                    )
                }
                AppError::BadAmount => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "bad_amount"),
                AppError::Amount(e) => amount_info(e),
                AppError::Date(e) => date_info(e),
                AppError::Complaint(e) => complaint_info(e),
                AppError::Report(e) => {
                    use kefu_domain::complaint_report::ReportError as R;
                    ErrorInfo::new(
                        S::UNPROCESSABLE_ENTITY,
                        match e {
                            R::Reversed => "report_reversed",
                            R::TooLong => "report_too_long",
                        },
                    )
                }
                AppError::AlreadyComplaint { id } => ErrorInfo {
                    args: vec![("id", id.to_string())],
                    ..ErrorInfo::new(S::CONFLICT, "already_complaint")
                },
                AppError::NotYourDepartment => ErrorInfo::new(S::FORBIDDEN, "not_your_department"),
                AppError::SearchUnavailable => {
                    ErrorInfo::new(S::SERVICE_UNAVAILABLE, "search_unavailable")
                }
                AppError::Customer(e) => {
                    let status = S::UNPROCESSABLE_ENTITY;
                    match e {
                        CustomerRuleError::BadName => ErrorInfo::new(status, "customer_bad_name"),
                        CustomerRuleError::BadMobile(v) => ErrorInfo {
                            args: vec![("value", v)],
                            ..ErrorInfo::new(status, "bad_mobile")
                        },
                        CustomerRuleError::BadPhone(v) => ErrorInfo {
                            args: vec![("value", v)],
                            ..ErrorInfo::new(status, "bad_phone")
                        },
                        CustomerRuleError::BadRestHours(v) => ErrorInfo {
                            args: vec![("value", v)],
                            ..ErrorInfo::new(status, "bad_rest_hours")
                        },
                        CustomerRuleError::TooLong(f) => ErrorInfo {
                            args: vec![("field", f.to_owned())],
                            ..ErrorInfo::new(status, "customer_too_long")
                        },
                    }
                }
                AppError::Trigger(e) => trigger_info(e),
                AppError::Script(e) => ErrorInfo::new(
                    S::UNPROCESSABLE_ENTITY,
                    match e {
                        ScriptError::BadTitle => "script_bad_title",
                        ScriptError::BadBody => "script_bad_body",
                        ScriptError::BadCategory => "script_bad_category",
                    },
                ),
                AppError::Attachment(e) => match e {
                    AttachmentError::Empty => {
                        ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "attachment_empty")
                    }
                    AttachmentError::TooLarge { max } => ErrorInfo {
                        args: vec![("mb", (max / (1024 * 1024)).max(1).to_string())],
                        ..ErrorInfo::new(S::PAYLOAD_TOO_LARGE, "attachment_too_large")
                    },
                    AttachmentError::ForbiddenType => {
                        ErrorInfo::new(S::UNSUPPORTED_MEDIA_TYPE, "attachment_forbidden_type")
                    }
                    AttachmentError::TooMany { max } => ErrorInfo {
                        args: vec![("max", max.to_string())],
                        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "too_many")
                    },
                    AttachmentError::NotAPhoto => {
                        ErrorInfo::new(S::UNSUPPORTED_MEDIA_TYPE, "attachment_not_a_photo")
                    }
                },
                AppError::BadMinutes => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "bad_minutes"),
                AppError::UnknownTier(tier) => {
                    let allowed = kefu_app::ticket::TIERS.join(", ");
                    ErrorInfo {
                        detail: Some(format!("customer_tier: {tier:?} (allowed: {allowed})")),
                        args: vec![("tier", tier), ("allowed", allowed)],
                        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_tier")
                    }
                }
                AppError::UnknownAssignmentRule(rule) => {
                    use kefu_domain::input::Keyed;
                    let allowed = kefu_domain::ticket::AssignmentRule::keys().join(", ");
                    ErrorInfo {
                        detail: Some(format!("assignment: {rule:?} (allowed: {allowed})")),
                        args: vec![("rule", rule), ("allowed", allowed)],
                        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_assignment_rule")
                    }
                }
                AppError::UnknownCalendar => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_calendar")
                }
                AppError::NothingSelected => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "nothing_selected")
                }
                AppError::TooMany { max } => ErrorInfo {
                    args: vec![("max", max.to_string())],
                    ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "too_many")
                },
                AppError::IdempotencyKey(e) => ErrorInfo {
                    detail: Some(e.to_string()),
                    ..ErrorInfo::new(S::BAD_REQUEST, "invalid_idempotency_key")
                },
                AppError::IdempotencyKeyReused => {
                    ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "idempotency_key_reused")
                }
                // Only a conditional write (`If-Match`, a form carrying its version) is
                // refused as stale; pages that send one answer 409 with the form themselves.
                AppError::StaleVersion { current, changed } => ErrorInfo {
                    args: vec![("version", current.to_string())],
                    detail: Some(stale_detail(current, &changed)),
                    ..ErrorInfo::new(S::PRECONDITION_FAILED, "stale_version")
                },
                // A webhook's signature refused: the reason is safe to give (it names no
                // part of the secret).
                AppError::WebhookRejected(r) => ErrorInfo {
                    detail: Some(r.key().to_owned()),
                    ..ErrorInfo::new(S::UNAUTHORIZED, "webhook_rejected")
                },
                AppError::ChannelInactive => ErrorInfo::new(S::FORBIDDEN, "channel_inactive"),
                AppError::Smtp(e) => smtp_info(e),
                AppError::SmtpNotSet => ErrorInfo::new(S::CONFLICT, "smtp_not_set"),
                AppError::Imap(e) => imap_info(e),
                AppError::ImapNotSet => ErrorInfo::new(S::CONFLICT, "imap_not_set"),
                AppError::FollowUpSettings(e) => follow_up::settings_info(e),
                AppError::FollowUpPlan(e) => follow_up::plan_info(e),
                AppError::FollowUpRule(e) => follow_up::rule_info(e),
                AppError::FollowUpWeek(e) => ErrorInfo {
                    args: vec![("value", e.0.clone())],
                    detail: Some(e.to_string()),
                    ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "bad_week")
                },
                AppError::Visit(e) => follow_up::visit_info(e),
                AppError::Absence(e) => follow_up::absence_info(e),
                AppError::Shift(e) => follow_up::shift_info(e),
                AppError::Scorecard(e) => quality::scorecard_info(e),
                AppError::Inspection(e) => quality::inspection_info(e),
                AppError::Anomaly(e) => quality::anomaly_info(e),
                AppError::Measure(e) => quality::measure_info(e),
                AppError::QualityReport(e) => quality::report_info(e),
                AppError::Calibration(e) => quality::calibration_info(e),
                AppError::Meeting(e) => quality::meeting_info(e),
                AppError::Catalogue(e) => aftersales::catalogue_info(e),
                AppError::CatalogueColumns(e) => aftersales::columns_info(e),
                AppError::Policy(e) => aftersales::policy_info(e),
                AppError::Claim(e) => aftersales::claim_info(e),
                AppError::Rma(e) => aftersales::rma_info(e),
                AppError::Dispute(e) => aftersales::dispute_info(e),
                AppError::ServicePoint(e) => aftersales::service_point_info(e),
                AppError::Stock(e) => aftersales::stock_info(e),
                AppError::Cost(e) => aftersales::cost_info(e),
                AppError::Order(e) => orders::order_info(e),
                AppError::Custom(e) => orders::custom_info(e),
                AppError::Receivable(e) => orders::receivable_info(e),
                AppError::Statement(e) => orders::statement_info(e),
                AppError::UnknownCall => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "unknown_call"),
                AppError::NoSmsChannel => ErrorInfo::new(S::CONFLICT, "no_sms_channel"),
                AppError::Csat(e) => follow_up::csat_info(e),
                AppError::SurveyPlan(e) => relationship::plan_info(e),
                AppError::Questionnaire(e) => relationship::questionnaire_info(e),
                AppError::ReportRange(e) => relationship::range_info(e),
                AppError::KeyAccount(e) => relationship::key_account_info(e),
                AppError::QuestionsFixed => ErrorInfo::new(S::CONFLICT, "survey_questions_fixed"),
                AppError::CallEvent(e) => call_event_info(e),
                AppError::AreaCode(e) => ErrorInfo {
                    args: vec![("value", e.0)],
                    ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "bad_area_code")
                },
                AppError::BadExtension => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "bad_extension"),
                AppError::SmsSettings(e) => sms::settings_info(e),
                AppError::SmsEvent(e) => sms::event_info(e),
                AppError::SmsUnknownSend => ErrorInfo::new(S::NOT_FOUND, "sms_unknown_send"),
                AppError::SmsOptedOut => ErrorInfo::new(S::CONFLICT, "sms_opted_out"),
                AppError::SmsBadNumber => ErrorInfo::new(S::UNPROCESSABLE_ENTITY, "sms_bad_number"),
                AppError::WechatMessage(e) => wechat_message_info(e),
                AppError::WechatSettings(e) => wechat_settings_info(e),
                AppError::Chat(e) => chat_info(e),
                AppError::Store(e) if outage::is_outage(&e) => outage::outage_info(&e),
                AppError::Store(e) => {
                    tracing::error!(error = %e, "store error");
                    ErrorInfo::new(S::INTERNAL_SERVER_ERROR, "internal")
                }
                AppError::Internal(msg) => {
                    tracing::error!(error = %msg, "internal error");
                    ErrorInfo::new(S::INTERNAL_SERVER_ERROR, "internal")
                }
            },
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let info = self.into_info();
        let mut res = info.status.into_response();
        res.extensions_mut().insert(info);
        res
    }
}

/// A date or amount refused where a handler reads it, answered like a refusal of the app.
impl From<DateError> for WebError {
    fn from(e: DateError) -> Self {
        WebError::App(AppError::Date(e))
    }
}

impl From<AmountError> for WebError {
    fn from(e: AmountError) -> Self {
        WebError::App(AppError::Amount(e))
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> Self {
        WebError::Internal(format!("template: {e}"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    t: Tr,
    status: u16,
    title: &'a str,
    message: &'a str,
    signed_in: bool,
}

/// Writes the body of an error response for an API client or a person.
pub fn render_error_response(info: ErrorInfo, tr: Tr, api: bool, signed_in: bool) -> Response {
    let message = info.message(tr);
    let mut res = if api {
        let mut error = json!({"code": info.code, "message": message});
        if let Some(d) = &info.detail {
            error["detail"] = json!(d);
        }
        (info.status, axum::Json(json!({ "error": error }))).into_response()
    } else {
        let title = tr.t(status_title_key(info.status));
        let page = ErrorPage {
            t: tr,
            status: info.status.as_u16(),
            title,
            message: &message,
            signed_in,
        };
        match page.render() {
            Ok(html) => (info.status, Html(html)).into_response(),
            Err(_) => (info.status, message).into_response(),
        }
    };
    if let Some(secs) = info.retry_after_secs {
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

fn status_title_key(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 | 422 => "error.title_400",
        401 => "error.title_401",
        403 => "error.title_403",
        404 => "error.title_404",
        429 => "error.title_429",
        503 => "error.title_503",
        507 => "error.title_507",
        s if s >= 500 => "error.title_500",
        _ => "error.title_400",
    }
}

/// Gives every error response its body. Responses that carry an [`ErrorInfo`] came from
/// kefu; bare 4xx/5xx ones (a method the route lacks, a body over the limit refused by an
/// extractor) are described by their status. A page's own script asking for JSON (the
/// ticket page fetching a reply script) gets the JSON shape too.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/") || asks_for_json(&req);
    let tr = req
        .extensions()
        .get::<Identity>()
        .map_or(Tr(Default::default()), Identity::tr);
    let signed_in = req
        .extensions()
        .get::<Identity>()
        .is_some_and(|i| i.user.is_some());
    let res = next.run(req).await;
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    if res.extensions().get::<KeepBody>().is_some() {
        return res;
    }
    let info = match res.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if is_rendered(&res) => return res,
        None => info_for_bare_status(status),
    };
    let mut out = render_error_response(info, tr, api, signed_in);
    for (name, value) in res.headers() {
        if name != CONTENT_TYPE && name != axum::http::header::CONTENT_LENGTH {
            out.headers_mut().append(name, value.clone());
        }
    }
    out
}

/// Whether the request says it reads JSON first (`Accept: application/json`).
fn asks_for_json(req: &Request) -> bool {
    req.headers()
        .get(axum::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

/// Pages that render their own error state (a login form with a message) pass through.
fn is_rendered(res: &Response) -> bool {
    res.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"))
}

fn info_for_bare_status(status: StatusCode) -> ErrorInfo {
    let code = match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => "bad_request",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    ErrorInfo::new(status, code)
}
