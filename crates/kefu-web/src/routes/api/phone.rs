//! 电话渠道 — the telephone system's webhook: each event of each call (ringing, answered,
//! hangup), posted as JSON and signed with the channel's secret as every channel's webhook
//! is.

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use kefu_app::channel::phone::EventStatus;
use kefu_app::channel::signature::SignedPost;
use kefu_domain::channel::phone::RawCallEvent;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::channels::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// One event of a call, as the telephone system reports it.
#[derive(Deserialize, ToSchema)]
pub struct CallEventBody {
    /// The telephone system's id of the call; all events of one call carry the same.
    pub call_id: Option<String>,
    /// `ringing`, `answered` or `hangup`.
    pub event: Option<String>,
    /// `inbound` or `outbound`.
    pub direction: Option<String>,
    /// The calling number (the customer's, inbound).
    pub from: Option<String>,
    /// The number called (the customer's, outbound).
    pub to: Option<String>,
    /// The agent's extension.
    pub extension: Option<String>,
    /// When it happened, RFC 3339; at most 7 days ago or 10 minutes ahead.
    pub at: Option<String>,
    /// Talk time in seconds, on a hangup (0–86400).
    pub duration_secs: Option<i64>,
    /// Where the recording is, `http://` or `https://`.
    pub recording_url: Option<String>,
}

/// What became of an event.
#[derive(Serialize, ToSchema)]
pub struct CallEventAnswer {
    /// `created` (the call's first event), `updated` or `duplicate` (received before:
    /// nothing new was written).
    pub status: String,
    /// kefu's id of the call (its page is `/calls/{id}`).
    pub call: i64,
    /// The call now: `ringing`, `answered`, `missed` or `done`.
    pub call_status: String,
}

fn header<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Receives one event of a call for a telephone channel. The body is JSON, signed:
/// `X-Kefu-Timestamp` is the time of sending in Unix seconds, `X-Kefu-Signature` is
/// `sha256=` and the hex HMAC-SHA256, under the channel's secret, of the timestamp, a dot
/// and the body. Each (call, event) is stored once: sending it again (or twice at once)
/// answers `duplicate`; events of one call may arrive in any order (a hangup before its
/// answer) and make the same call. A ringing inbound call pops the caller's customer on
/// the screens of the agent the extension rings at.
#[utoipa::path(post, path = "/api/v1/channels/phone/{id}/events", tag = "channels",
    params(
        ("id" = i64, Path, description = "the telephone channel"),
        ("X-Kefu-Timestamp" = String, Header, description = "Unix seconds when the event was posted; within 300 s of kefu's clock"),
        ("X-Kefu-Signature" = String, Header, description = "`sha256=` + hex HMAC-SHA256(channel secret, `<timestamp>.` + body)"),
    ),
    request_body = CallEventBody,
    security(("webhook_signature" = [])),
    responses(
        (status = 201, description = "The call's first event (`created`)", body = CallEventAnswer),
        (status = 200, description = "`updated` or `duplicate`", body = CallEventAnswer),
        (status = 401, body = super::ErrorBody, description = "No valid signature \
            (`webhook_rejected`; `detail`: `missing_timestamp`, `missing_signature`, \
            `bad_timestamp`, `stale_timestamp` or `bad_signature`). Audited; nothing is stored."),
        (status = 403, body = super::ErrorBody, description = "The channel is switched off (`channel_inactive`)"),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "An event kefu cannot take; \
            nothing is stored. `unknown_value` (an `event` or `direction` it does not know), \
            `call_event_missing` (`call_id`, `event`, `direction` or `at`), \
            `call_event_bad_time`, `call_event_out_of_range` (`at` more than 7 days ago or \
            10 minutes ahead), `call_event_bad_duration`, `call_event_bad_recording_url` \
            (not http or https), `call_event_too_long`; `detail` names the field."),
    ))]
pub async fn events(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    req: Request,
) -> Result<(StatusCode, Json<CallEventAnswer>), WebError> {
    let headers = req.headers().clone();
    let bytes = super::json_bytes(req, &state).await?;
    let post = SignedPost {
        timestamp: header(&headers, TIMESTAMP_HEADER),
        signature: header(&headers, SIGNATURE_HEADER),
        body: &bytes,
    };
    // The signature first: a forged post learns nothing of what kefu would make of it.
    let channel = state
        .app
        .check_phone_webhook(&identity.actor(), id, post)
        .await?;
    let body: CallEventBody = super::parse_json(&bytes)?;
    let raw = RawCallEvent {
        call_id: body.call_id,
        event: body.event,
        direction: body.direction,
        from: body.from,
        to: body.to,
        extension: body.extension,
        at: body.at,
        duration_secs: body.duration_secs,
        recording_url: body.recording_url,
    };
    let outcome = state.app.record_call_event(&channel, &raw).await?;
    let status = if outcome.status == EventStatus::Created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(CallEventAnswer {
            status: outcome.status.key().to_owned(),
            call: outcome.call,
            call_status: outcome.call_status.key().to_owned(),
        }),
    ))
}
