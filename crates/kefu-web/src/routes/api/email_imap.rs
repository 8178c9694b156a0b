//! 收信（IMAP）over the API — a mailbox's IMAP server: read it with how reading goes (the
//! server's last error, the failures in a row, when kefu tries again, where it left off),
//! set it against the mailbox's version (`If-Match`; the password written, never read back),
//! take it away, and try the connection.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::channel::email::ImapForm;
use kefu_store::mail::imap::ImapMailbox;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// How reading the mailbox goes.
#[derive(Serialize, ToSchema)]
pub struct ImapReading {
    /// `ok`, `error` (the last connection failed), or `null`: not connected yet.
    pub status: Option<String>,
    /// The server's words for the last failure (never the password).
    pub error: Option<String>,
    /// Failed connections in a row; each waits longer before the next (30 s … 30 min).
    pub failures: i64,
    /// When kefu connects again (while failing: after its back-off).
    pub next_attempt_at: String,
    /// When kefu last connected.
    pub checked_at: Option<String>,
    /// The server offered IDLE at the last connection (new mail is read at once); else
    /// kefu polls at `poll_secs`.
    pub idle: bool,
    /// The folder's UIDVALIDITY when kefu last read it.
    pub uid_validity: Option<i64>,
    /// The highest UID kefu stored.
    pub last_uid: i64,
    /// The last UID that was in the folder when kefu first read it: mail up to it is never
    /// deleted or moved by kefu.
    pub kept_through_uid: i64,
    /// Mails fetched since the server was set.
    pub fetched_total: i64,
    pub updated_at: String,
}

/// A mailbox's IMAP server, without its password, and how reading it goes.
#[derive(Serialize, ToSchema)]
pub struct ImapServerOut {
    pub host: String,
    pub port: i64,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    pub username: String,
    /// A password is stored (always, once a server is set; it is never shown).
    pub password_set: bool,
    pub folder: String,
    /// What kefu does to a mail once it is stored: `seen`, `delete` or `move`.
    pub after: String,
    /// Where `move` moves it.
    pub move_to: Option<String>,
    /// Seconds between reads of a server without IDLE.
    pub poll_secs: i64,
    /// The CA certificate (PEM) trusted besides Mozilla's roots.
    pub ca_pem: Option<String>,
    pub reading: ImapReading,
}

/// A mailbox's IMAP part.
#[derive(Serialize, ToSchema)]
pub struct EmailImapOut {
    pub channel_id: i64,
    /// `null`: its mail is not fetched by IMAP.
    pub server: Option<ImapServerOut>,
}

fn server_out(m: ImapMailbox) -> ImapServerOut {
    ImapServerOut {
        reading: ImapReading {
            status: m.status,
            error: m.error,
            failures: m.failures,
            next_attempt_at: rfc3339(m.next_at),
            checked_at: m.checked_at.map(rfc3339),
            idle: m.idle,
            uid_validity: m.uid_validity.map(i64::from),
            last_uid: i64::from(m.last_uid),
            kept_through_uid: i64::from(m.kept_through_uid),
            fetched_total: m.fetched_total,
            updated_at: rfc3339(m.updated_at),
        },
        host: m.host,
        port: i64::from(m.port),
        security: m.security,
        username: m.username,
        password_set: true,
        folder: m.folder,
        after: m.after_fetch,
        move_to: m.move_to,
        poll_secs: m.poll_secs,
        ca_pem: m.ca_pem,
    }
}

/// The mailbox's IMAP part, with the mailbox's version as its `ETag`.
async fn imap_of(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Tagged<EmailImapOut>, WebError> {
    let actor = identity.actor();
    let mailbox = state.app.email_channel_imap(&actor, id).await?;
    let channel = state.app.email_channel(&actor, id).await?;
    Ok(tagged(
        channel.version,
        EmailImapOut {
            channel_id: id,
            server: mailbox.map(server_out),
        },
    ))
}

/// The mailbox's IMAP server and how reading it goes.
#[utoipa::path(get, path = "/api/v1/channels/email/{id}/imap", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The IMAP server (`server` null: not fetched)", body = EmailImapOut,
            headers(("ETag" = String, description = "the channel's version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn imap_show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<EmailImapOut>, WebError> {
    imap_of(&state, &identity, id).await
}

/// A mailbox's IMAP server as it is to be. The whole setting: absent fields take their
/// defaults, but for the password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImapSettingsIn {
    /// The server's host name or IP address. Empty stops fetching, as `DELETE` does.
    pub host: String,
    /// 1–65535; absent: the security's usual port (993, or 143).
    pub port: Option<i64>,
    /// `tls` (the default), `starttls` or `none` (only to 127.0.0.1 or localhost). The
    /// certificate is always verified.
    pub security: Option<String>,
    /// The account to sign in as (at most 255 characters).
    pub username: String,
    /// Written, never read back. Absent or empty keeps the stored one; required the first
    /// time.
    pub password: Option<String>,
    /// Absent or empty: `INBOX`.
    pub folder: Option<String>,
    /// What kefu does to a mail once it is stored: `seen` (the default; flag it \Seen),
    /// `delete` or `move` (to `move_to`). Mail that was in the folder before kefu first
    /// read it is never deleted or moved.
    pub after: Option<String>,
    /// The folder `move` moves mail to (another than `folder`).
    pub move_to: Option<String>,
    /// Seconds between reads of a server without IDLE, 5–3600; absent: 60.
    pub poll_secs: Option<i64>,
    /// A CA certificate (PEM, `-----BEGIN CERTIFICATE-----`) trusted besides Mozilla's
    /// roots, for a company's own mail server.
    pub ca_pem: Option<String>,
}

/// Sets the mailbox's IMAP server (or, with an empty host, stops fetching). Another server,
/// account or folder starts reading from the folder's start again; any change is tried at
/// once. Audited with the server, never the password.
#[utoipa::path(put, path = "/api/v1/channels/email/{id}/imap", tag = "email_channels",
    request_body = ImapSettingsIn,
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The IMAP part after the change", body = EmailImapOut,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "A setting kefu refuses: \
            `imap_bad_host`, `imap_bad_port`, `imap_bad_security`, `imap_cleartext_remote` \
            (`none` to another machine), `imap_bad_username`, `imap_missing_password`, \
            `imap_bad_folder`, `imap_bad_after`, `imap_bad_move_to`, `imap_bad_interval`, \
            `imap_bad_certificate`; `detail` names the field"),
    ))]
pub async fn imap_save(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<ImapSettingsIn>,
) -> Result<Tagged<EmailImapOut>, WebError> {
    let form = ImapForm {
        host: body.host,
        port: body.port.map(|p| p.to_string()).unwrap_or_default(),
        security: body.security.unwrap_or_else(|| "tls".to_owned()),
        username: body.username,
        password: body.password.unwrap_or_default(),
        folder: body.folder.unwrap_or_default(),
        after: body.after.unwrap_or_else(|| "seen".to_owned()),
        move_to: body.move_to.unwrap_or_default(),
        poll_secs: body.poll_secs.map(|s| s.to_string()).unwrap_or_default(),
        ca_pem: body.ca_pem.unwrap_or_default(),
    };
    state
        .app
        .save_imap_settings(&identity.actor(), id, &form, expected)
        .await?;
    imap_of(&state, &identity, id).await
}

/// Stops fetching the mailbox's mail by IMAP and forgets the server and its password (mail
/// already fetched stays; mail posted to the webhook still lands).
#[utoipa::path(delete, path = "/api/v1/channels/email/{id}/imap", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn imap_remove(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, WebError> {
    state
        .app
        .save_imap_settings(&identity.actor(), id, &ImapForm::default(), expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What the server said to a connection test.
#[derive(Serialize, ToSchema)]
pub struct ImapTestOut {
    /// kefu signed in and opened the folder.
    pub ok: bool,
    /// Mails in the folder, when it opened.
    pub messages: Option<i64>,
    /// The server offers IDLE (new mail is read at once).
    pub idle: bool,
    /// What went wrong, in the server's words (never the password).
    pub error: Option<String>,
}

/// Connects to the mailbox's IMAP server now, signs in and opens its folder read-only
/// (`EXAMINE`), and says how that went — a refusal (a wrong password, an untrusted
/// certificate, no answer) is an answer too (`ok` false), not an error. Reads and changes no
/// mail. Audited.
#[utoipa::path(post, path = "/api/v1/channels/email/{id}/imap/test", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "How the connection went", body = ImapTestOut),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The mailbox has no IMAP server \
            (`imap_not_set`)"),
    ))]
pub async fn imap_test(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ImapTestOut>, WebError> {
    let r = state.app.test_imap(&identity.actor(), id).await?;
    Ok(Json(ImapTestOut {
        ok: r.ok,
        messages: r.messages.map(i64::from),
        idle: r.idle,
        error: r.error,
    }))
}
