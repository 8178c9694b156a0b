//! 渠道 — the e-mail channel's inbound webhook: a mail server (postfix piping to `curl`, a
//! relay service) posts each mail raw, signed with the channel's secret.

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use kefu_app::channel::email::{IngestOutcome, IngestStatus, webhook_body_limit};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

pub const TIMESTAMP_HEADER: &str = "x-kefu-timestamp";
pub const SIGNATURE_HEADER: &str = "x-kefu-signature";

/// What became of a posted mail.
#[derive(Serialize, ToSchema)]
pub struct InboundAnswer {
    /// `ticket_created`; `added_to_ticket` (a reply on its ticket); `duplicate` (received
    /// before: nothing new was written); `bounce` (a delivery status notification, recorded
    /// on the ticket of the mail that bounced); `failed` (it could not be read and waits in
    /// the channel's failed list — do not send it again).
    pub status: String,
    /// The ticket it landed on (for `duplicate`, the first delivery's).
    pub ticket_id: Option<i64>,
    /// The stored mail.
    pub mail_id: Option<i64>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `message/rfc822` or `application/octet-stream`, parameters aside.
fn is_raw_mail(headers: &HeaderMap) -> bool {
    header(headers, CONTENT_TYPE.as_str())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase()
        })
        .is_some_and(|essence| essence == "message/rfc822" || essence == "application/octet-stream")
}

/// Receives one mail for an e-mail channel. The body is the mail as it arrived (RFC 5322
/// bytes, `Content-Type: message/rfc822` or `application/octet-stream`), signed:
/// `X-Kefu-Timestamp` is the time of sending in Unix seconds, `X-Kefu-Signature` is
/// `sha256=` and the hex HMAC-SHA256, under the channel's secret, of the timestamp, a dot and
/// the body. Posts more than five minutes from kefu's clock either way are refused. A mail
/// is stored once per channel and Message-ID: sending it again (or twice at once) answers
/// `duplicate`.
#[utoipa::path(post, path = "/api/v1/channels/email/{id}/inbound", tag = "channels",
    params(
        ("id" = i64, Path, description = "the e-mail channel"),
        ("X-Kefu-Timestamp" = String, Header, description = "Unix seconds when the mail was posted; within 300 s of kefu's clock"),
        ("X-Kefu-Signature" = String, Header, description = "`sha256=` + hex HMAC-SHA256(channel secret, `<timestamp>.` + body)"),
    ),
    request_body(content_type = "application/octet-stream",
        description = "The raw mail (RFC 5322), up to the parser's limit of 25 MiB; sent as `message/rfc822` it is taken too"),
    security(("webhook_signature" = [])),
    responses(
        (status = 201, description = "A new ticket (`ticket_created`)", body = InboundAnswer),
        (status = 200, description = "`added_to_ticket`, `duplicate`, `bounce` or `failed`", body = InboundAnswer),
        (status = 401, body = super::ErrorBody, description = "No valid signature \
            (`webhook_rejected`; `detail`: `missing_timestamp`, `missing_signature`, \
            `bad_timestamp`, `stale_timestamp` or `bad_signature`). Audited; nothing is stored."),
        (status = 403, body = super::ErrorBody, description = "The channel is switched off (`channel_inactive`)"),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 413, body = super::ErrorBody, description = "The body is over the limit \
            (`payload_too_large`); nothing is stored"),
    ))]
pub async fn inbound(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<InboundAnswer>), WebError> {
    let limit = webhook_body_limit();
    // A declared length over the limit is refused before a byte of the body is read.
    let declared =
        header(&headers, CONTENT_LENGTH.as_str()).and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(WebError::PayloadTooLarge);
    }
    if !is_raw_mail(&headers) {
        return Err(WebError::UnsupportedMediaType);
    }
    let bytes = axum::body::to_bytes(body, limit)
        .await
        .map_err(|_| WebError::PayloadTooLarge)?;
    let outcome: IngestOutcome = state
        .app
        .receive_mail(
            &identity.actor(),
            id,
            header(&headers, TIMESTAMP_HEADER),
            header(&headers, SIGNATURE_HEADER),
            bytes.to_vec(),
        )
        .await?;
    let status = if outcome.status == IngestStatus::TicketCreated {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(InboundAnswer {
            status: outcome.status.key().to_owned(),
            ticket_id: outcome.ticket_id,
            mail_id: outcome.mail_id,
        }),
    ))
}
