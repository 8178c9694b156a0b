//! 失败邮件 over the API — a mailbox's failed list (mail that could not be read waits there
//! raw): read it, try a mail again, discard it; and download any mail the mailbox received
//! as it arrived (audited: it holds addresses in clear).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::channel::email::FailedMail;
use serde::Serialize;
use utoipa::ToSchema;

use super::rfc3339;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// A mail in the failed list.
#[derive(Serialize, ToSchema)]
pub struct FailedMailOut {
    pub id: i64,
    pub received_at: String,
    /// Bytes.
    pub size: i64,
    /// `too_large`, `too_complex` or `malformed`.
    pub reason: String,
    /// The parser's own words.
    pub detail: String,
    /// The sender, masked (`138****5678@qq.com`), when the headers showed one.
    pub sender: Option<String>,
    /// How it came: `webhook`, `cli` or `imap`.
    pub source: String,
    /// Where the original is downloaded.
    pub raw: String,
}

fn failed_out(channel: i64, m: FailedMail) -> FailedMailOut {
    FailedMailOut {
        raw: format!("/api/v1/channels/email/{channel}/mails/{}/raw", m.id),
        id: m.id,
        received_at: rfc3339(m.received_at),
        size: m.size,
        reason: m.reason,
        detail: m.detail,
        sender: m.sender,
        source: m.source,
    }
}

/// The mailbox's failed list, newest first (at most 200).
#[utoipa::path(get, path = "/api/v1/channels/email/{id}/failed-mails", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The mails waiting", body = Vec<FailedMailOut>),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn failed_list(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<Vec<FailedMailOut>>, WebError> {
    let mails = state.app.failed_mails(&identity.actor(), id).await?;
    Ok(Json(mails.into_iter().map(|m| failed_out(id, m)).collect()))
}

/// What became of a failed mail tried again.
#[derive(Serialize, ToSchema)]
pub struct RetriedMail {
    /// `ticket_created`, `added_to_ticket`, `duplicate` (received again meanwhile), `bounce`
    /// (a delivery status notification, recorded on its ticket), or `failed` (it still
    /// cannot be read and stays in the list with the new reason).
    pub status: String,
    /// The ticket it landed on.
    pub ticket_id: Option<i64>,
    pub mail_id: Option<i64>,
}

/// Tries a failed mail again (after kefu learned to read it): it lands as a new mail would,
/// or stays in the list with the reason it still fails.
#[utoipa::path(post, path = "/api/v1/channels/email/{id}/failed-mails/{mail_id}/retry",
    tag = "email_channels",
    params(
        ("id" = i64, Path, description = "the e-mail channel"),
        ("mail_id" = i64, Path, description = "the failed mail"),
    ),
    responses(
        (status = 200, description = "What became of it", body = RetriedMail),
        (status = 404, body = super::ErrorBody, description = "No such channel, or no such \
            mail in its failed list (`not_found`)"),
    ))]
pub async fn failed_retry(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, mail_id)): Path<(i64, i64)>,
) -> Result<Json<RetriedMail>, WebError> {
    let outcome = state
        .app
        .retry_failed_mail(&identity.actor(), id, mail_id)
        .await?;
    Ok(Json(RetriedMail {
        status: outcome.status.key().to_owned(),
        ticket_id: outcome.ticket_id,
        mail_id: outcome.mail_id,
    }))
}

/// Takes a mail off the failed list for good. It stays stored: the same mail delivered
/// again is recognised, and its original can still be downloaded. Audited.
#[utoipa::path(delete, path = "/api/v1/channels/email/{id}/failed-mails/{mail_id}",
    tag = "email_channels",
    params(
        ("id" = i64, Path, description = "the e-mail channel"),
        ("mail_id" = i64, Path, description = "the failed mail"),
    ),
    responses(
        (status = 204, description = "Discarded"),
        (status = 404, body = super::ErrorBody, description = "No such channel, or no such \
            mail in its failed list (`not_found`)"),
    ))]
pub async fn failed_discard(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, mail_id)): Path<(i64, i64)>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .discard_failed_mail(&identity.actor(), id, mail_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A mail the mailbox received (any, not only a failed one), as it arrived. It holds its
/// sender's address and whatever else they wrote in clear: each download is audited
/// (`mail_downloaded`).
#[utoipa::path(get, path = "/api/v1/channels/email/{id}/mails/{mail_id}/raw",
    tag = "email_channels",
    params(
        ("id" = i64, Path, description = "the e-mail channel"),
        ("mail_id" = i64, Path, description = "the received mail"),
    ),
    responses(
        (status = 200, description = "The mail (RFC 5322), as an attachment `mail-{id}-{mail_id}.eml`",
            content_type = "message/rfc822"),
        (status = 404, body = super::ErrorBody, description = "No such channel or mail \
            (`not_found`)"),
    ))]
pub async fn raw_mail(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, mail_id)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let (name, bytes) = state
        .app
        .inbound_mail_raw(&identity.actor(), id, mail_id)
        .await?;
    Ok(crate::upload::serve(&name, "message/rfc822", bytes))
}
