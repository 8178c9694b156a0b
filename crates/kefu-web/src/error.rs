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
    fn new(status: StatusCode, code: &'static str) -> ErrorInfo {
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

fn rule_code(e: AccountRuleError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        AccountRuleError::InvalidUsername => ("invalid_username", vec![]),
        AccountRuleError::InvalidDisplayName => ("invalid_display_name", vec![]),
        AccountRuleError::PasswordTooShort { min } => {
            ("password_too_short", vec![("min", min.to_string())])
        }
        AccountRuleError::PasswordTooLong => ("password_too_long", vec![]),
        AccountRuleError::PasswordUnchanged => ("password_unchanged", vec![]),
        AccountRuleError::NoRoles => ("no_roles", vec![]),
        AccountRuleError::InvalidEmail => ("invalid_email", vec![]),
    }
}

fn complaint_info(e: kefu_domain::complaint::ComplaintError) -> ErrorInfo {
    use kefu_domain::complaint::ComplaintError as C;
    let (status, code, args) = match e {
        C::OutOfOrder { stage, .. } => (
            StatusCode::CONFLICT,
            "complaint_out_of_order",
            vec![("stage", format!("@complaint_stage.{}", stage.key()))],
        ),
        C::Required(field) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "complaint_required",
            vec![("field", format!("@complaint_field.{field}"))],
        ),
        C::TooLong(field) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "complaint_too_long",
            vec![("field", format!("@complaint_field.{field}"))],
        ),
        C::NegativeCost => (StatusCode::UNPROCESSABLE_ENTITY, "negative_cost", vec![]),
        C::Amount(e) => return amount_info(e),
        C::BadQuantity => (StatusCode::UNPROCESSABLE_ENTITY, "bad_quantity", vec![]),
        C::NoApprovedSolution => (StatusCode::CONFLICT, "no_approved_solution", vec![]),
        C::ProposalNotPending => (StatusCode::CONFLICT, "proposal_not_pending", vec![]),
        C::NoticeNotAnswered => (StatusCode::CONFLICT, "notice_not_answered", vec![]),
        C::NoticeOutOfOrder => (StatusCode::CONFLICT, "notice_out_of_order", vec![]),
        C::OpenRmas => (StatusCode::CONFLICT, "open_rmas", vec![]),
        C::RmaFinished => (StatusCode::CONFLICT, "rma_finished", vec![]),
        C::Closed => (StatusCode::CONFLICT, "complaint_closed", vec![]),
        C::BadDeadline { max } => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_deadline",
            vec![("max", max.to_string())],
        ),
    };
    ErrorInfo {
        args,
        ..ErrorInfo::new(status, code)
    }
}

/// An amount outside `0..=MAX_AMOUNT_FEN`: 422, the ceiling named in the message.
fn amount_info(e: AmountError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        AmountError::Negative => ErrorInfo::new(status, "negative_amount"),
        AmountError::TooLarge { max_fen } => ErrorInfo {
            args: vec![("max", kefu_domain::money::max_yuan())],
            detail: Some(format!("max_fen: {max_fen}")),
            ..ErrorInfo::new(status, "amount_too_large")
        },
    }
}

/// The business range of dates, for the messages that name it.
fn date_bounds() -> Vec<(&'static str, String)> {
    vec![("min", MIN_DATE.to_string()), ("max", MAX_DATE.to_string())]
}

/// A date refused by `kefu_domain::dates`: malformed is a bad field (400, as for any
/// value), outside the business range 422 `date_out_of_range` naming both bounds.
fn date_info(e: DateError) -> ErrorInfo {
    match e {
        DateError::NotADate { field, value } => ErrorInfo {
            detail: Some(format!("{field}: {value:?}")),
            ..ErrorInfo::new(StatusCode::BAD_REQUEST, "invalid_field")
        },
        DateError::OutOfRange { field } => ErrorInfo {
            args: date_bounds(),
            detail: Some(format!("{field}: {}..={}", MIN_DATE, MAX_DATE)),
            ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "date_out_of_range")
        },
        DateError::Reversed => ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, "dates_reversed"),
    }
}

/// The detail of a stale write: the current version (the `ETag` to send next), and the
/// fields changed since the version sent, where the record's history names them.
fn stale_detail(current: i64, changed: &[String]) -> String {
    if changed.is_empty() {
        format!("current version: {current}")
    } else {
        format!(
            "current version: {current}; changed since yours: {}",
            changed.join(", ")
        )
    }
}

/// Bytes as MB with at most one decimal, rounded up, so that a size just over a limit is
/// never shown as the limit itself.
fn mb(bytes: u64) -> String {
    let tenths = (u128::from(bytes) * 10).div_ceil(1024 * 1024);
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

fn import_info(e: kefu_app::customer_import::ImportFileError) -> ErrorInfo {
    use kefu_app::customer_import::ImportFileError as E;
    use kefu_domain::customer_import::HeaderError as H;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let simple = |code| ErrorInfo::new(status, code);
    match e {
        E::TooLarge { tenths_mb, max_mb } => ErrorInfo {
            args: vec![
                ("size", format!("{}.{}", tenths_mb / 10, tenths_mb % 10)),
                ("mb", max_mb.to_string()),
            ],
            ..ErrorInfo::new(StatusCode::PAYLOAD_TOO_LARGE, "import_too_large")
        },
        E::TooManyRows { found, max } => ErrorInfo {
            args: vec![("found", found.to_string()), ("max", max.to_string())],
            ..simple("import_too_many_rows")
        },
        E::CellOutOfRange {
            row,
            column,
            max_rows,
            max_columns,
        } => ErrorInfo {
            args: vec![
                ("row", row.to_string()),
                ("column", column.to_string()),
                ("max_rows", max_rows.to_string()),
                ("max_columns", max_columns.to_string()),
            ],
            ..simple("import_cell_out_of_range")
        },
        E::TooManyEntries { found, max } => ErrorInfo {
            args: vec![("found", found.to_string()), ("max", max.to_string())],
            ..simple("import_xlsx_too_many_entries")
        },
        E::EntryTooLarge { entry, found, max } => ErrorInfo {
            args: vec![("size", mb(found)), ("mb", mb(max))],
            detail: Some(entry),
            ..simple("import_xlsx_entry_too_large")
        },
        E::UnpackedTooLarge { found, max } => ErrorInfo {
            args: vec![("size", mb(found)), ("mb", mb(max))],
            ..simple("import_xlsx_unpacked_too_large")
        },
        E::CompressionRatio { entry, found, max } => ErrorInfo {
            args: vec![("ratio", found.to_string()), ("max", max.to_string())],
            detail: Some(entry),
            ..simple("import_xlsx_ratio")
        },
        E::Empty => simple("import_empty"),
        E::Encoding => simple("import_encoding"),
        E::Spreadsheet(reason) => ErrorInfo {
            detail: Some(reason),
            ..simple("import_spreadsheet")
        },
        E::Csv { line, reason } => ErrorInfo {
            args: vec![("line", line.to_string())],
            detail: Some(reason),
            ..simple("import_csv")
        },
        E::Header(h) => match h {
            H::MissingName => simple("import_missing_name"),
            H::EmptyHeader(n) => ErrorInfo {
                args: vec![("column", n.to_string())],
                ..simple("import_empty_header")
            },
            H::UnknownHeader { column, header } => ErrorInfo {
                args: vec![("column", column.to_string()), ("header", header)],
                ..simple("import_unknown_header")
            },
            H::Duplicate(header) => ErrorInfo {
                args: vec![("header", header)],
                ..simple("import_duplicate_header")
            },
            H::TitleRow { row, text } => ErrorInfo {
                args: vec![("row", row.to_string()), ("text", text)],
                ..simple("import_title_row")
            },
        },
    }
}

fn trigger_info(e: TriggerError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let simple = |code| ErrorInfo::new(status, code);
    match e {
        TriggerError::NoActions => simple("trigger_no_actions"),
        TriggerError::NoConditions => simple("trigger_no_conditions"),
        TriggerError::BadName => simple("trigger_bad_name"),
        TriggerError::ChangedOutsideUpdate => simple("trigger_changed_outside_update"),
        TriggerError::BadAction(action) => ErrorInfo {
            args: vec![("action", action.to_owned())],
            ..simple("trigger_bad_action")
        },
        TriggerError::Condition(c) => match c {
            ConditionError::BadOperator { field, .. } => ErrorInfo {
                args: vec![("field", field)],
                ..simple("condition_bad_operator")
            },
            ConditionError::BadValue { field, value } => ErrorInfo {
                args: vec![("field", field), ("value", value)],
                ..simple("condition_bad_value")
            },
            ConditionError::UnknownField(key) => ErrorInfo {
                args: vec![("field", key)],
                ..simple("unknown_field")
            },
            ConditionError::TimeOutsideTimeTrigger => simple("condition_time_outside_time"),
            ConditionError::TimeTriggerWithoutTime => simple("trigger_time_without_time"),
        },
    }
}

fn calendar_info(e: CalendarError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    match e {
        CalendarError::UnknownTimeZone(tz) => ErrorInfo {
            args: vec![("zone", tz)],
            ..ErrorInfo::new(status, "unknown_time_zone")
        },
        CalendarError::BadPeriod(p) => ErrorInfo {
            args: vec![("period", p)],
            ..ErrorInfo::new(status, "bad_period")
        },
        CalendarError::OverlappingPeriods(_) => ErrorInfo::new(status, "overlapping_periods"),
        CalendarError::NoWorkingTime => ErrorInfo::new(status, "no_working_time"),
        CalendarError::BadHolidayLine { line, reason } => ErrorInfo {
            args: vec![("line", line.to_string())],
            detail: Some(reason),
            ..ErrorInfo::new(status, "bad_holiday_line")
        },
    }
}

fn ticket_rule_code(e: TicketRuleError) -> (&'static str, Vec<(&'static str, String)>) {
    match e {
        TicketRuleError::InvalidTransition { from, to } => (
            "invalid_transition",
            vec![("from", from.key().to_owned()), ("to", to.key().to_owned())],
        ),
        TicketRuleError::BadSubject => ("bad_subject", vec![]),
        TicketRuleError::BadBody => ("bad_body", vec![]),
        TicketRuleError::BadTag(tag) => ("bad_tag", vec![("tag", tag)]),
        TicketRuleError::BadFieldValue { field, problem } => {
            let code = match problem {
                FieldProblem::TextTooLong => "field_text_too_long",
                FieldProblem::NotANumber => "field_not_a_number",
                FieldProblem::NotADate => "field_not_a_date",
                FieldProblem::DateOutOfRange => "field_date_out_of_range",
                FieldProblem::NotAChoice => "field_not_a_choice",
            };
            let mut args = vec![("field", field)];
            if problem == FieldProblem::DateOutOfRange {
                args.extend(date_bounds());
            }
            (code, args)
        }
        TicketRuleError::BadFieldKey(key) => ("bad_field_key", vec![("key", key)]),
        TicketRuleError::NoChoices => ("no_choices", vec![]),
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
        s if s >= 500 => "error.title_500",
        _ => "error.title_400",
    }
}

/// Gives every error response its body. Responses that carry an [`ErrorInfo`] came from
/// kefu; bare 4xx/5xx ones (a method the route lacks, a body over the limit refused by an
/// extractor) are described by their status.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
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
