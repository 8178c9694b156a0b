//! The SMS channel's refusals: a gateway setting that cannot be used, an event a gateway
//! posted that kefu cannot take.

use axum::http::StatusCode;
use kefu_domain::channel::sms::{SmsEventError, SmsSettingsError};

use super::ErrorInfo;

pub(super) fn settings_info(e: SmsSettingsError) -> ErrorInfo {
    let code = match e {
        SmsSettingsError::BadSendUrl => "sms_bad_send_url",
        SmsSettingsError::CleartextRemote => "sms_cleartext_remote",
        SmsSettingsError::BadSignName => "sms_bad_sign_name",
        SmsSettingsError::BadApiKey => "sms_bad_api_key",
    };
    ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, code)
}

/// An event a gateway posted that kefu cannot take: 422, `detail` naming the field
/// (`type: "mo" (allowed: inbound, delivery)`, `message_id is missing`).
pub(super) fn event_info(e: SmsEventError) -> ErrorInfo {
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let detail = Some(e.to_string());
    let field = e.field().to_owned();
    match e {
        SmsEventError::Unknown {
            field,
            value,
            allowed,
        } => {
            let allowed = allowed.join(", ");
            ErrorInfo {
                detail: Some(format!("{field}: {value:?} (allowed: {allowed})")),
                args: vec![
                    ("field", field.to_owned()),
                    ("value", value),
                    ("allowed", allowed),
                ],
                ..ErrorInfo::new(status, "unknown_value")
            }
        }
        SmsEventError::Missing(_) => ErrorInfo {
            detail,
            args: vec![("field", field)],
            ..ErrorInfo::new(status, "sms_event_missing")
        },
        SmsEventError::TooLong(_) => ErrorInfo {
            detail,
            args: vec![("field", field)],
            ..ErrorInfo::new(status, "sms_event_too_long")
        },
        SmsEventError::OutOfBounds(_) => ErrorInfo {
            detail,
            args: vec![("field", field)],
            ..ErrorInfo::new(status, "sms_event_out_of_range")
        },
        SmsEventError::BadNumber => ErrorInfo {
            detail,
            ..ErrorInfo::new(status, "sms_event_bad_number")
        },
    }
}
