//! 邮件渠道 over the API — the administrator's mailboxes: list (with what each received and
//! whether it needs attention), add (the webhook secret answered once), read, change against
//! the version read (`If-Match`), switch off, rotate the secret; and each mailbox's SMTP
//! server (the password written, never read back) with a test mail. Its IMAP server and
//! failed list are `email_imap` and `email_mails`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::channel::email::{ChannelForm, ChannelView, SmtpForm, needs_attention};
use kefu_store::mail::EmailChannel;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::sms::RotatedSecret;
use super::{ApiJson, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// Present-and-null becomes `Some(None)`, absent stays `None`.
pub(super) fn double<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// A mailbox's SMTP server, without its password.
#[derive(Serialize, ToSchema)]
pub struct SmtpSettingsOut {
    pub host: String,
    pub port: i64,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    /// Empty: the server takes mail without signing in.
    pub username: String,
    /// Whether a password is stored (it is never shown).
    pub password_set: bool,
    /// The name mail goes out under; empty: the mailbox's name.
    pub from_name: String,
}

/// A mailbox, without its secrets.
#[derive(Serialize, ToSchema)]
pub struct EmailChannelOut {
    pub id: i64,
    pub name: String,
    /// The address kefu answers from.
    pub address: String,
    /// `false`: its webhook and imports refuse mail, nothing is sent through it.
    pub active: bool,
    /// The group new tickets from its mail go to.
    pub group_id: Option<i64>,
    /// Where a mail server posts each mail (signed with the webhook secret).
    pub webhook: String,
    /// Its SMTP server; `null`: it sends no mail.
    pub smtp: Option<SmtpSettingsOut>,
    pub secret_rotated_at: String,
    pub created_at: String,
    pub updated_at: String,
    /// Moves on with every change (its SMTP and IMAP servers included); also the `ETag` of
    /// `GET /api/v1/channels/email/{id}`, to send as `If-Match` with a change.
    pub version: i64,
}

pub(super) fn to_api(c: EmailChannel) -> EmailChannelOut {
    EmailChannelOut {
        webhook: format!("/api/v1/channels/email/{}/inbound", c.id),
        smtp: c.smtp.map(|s| SmtpSettingsOut {
            host: s.host,
            port: i64::from(s.port),
            security: s.security,
            username: s.username,
            password_set: s.has_password,
            from_name: s.from_name,
        }),
        id: c.id,
        name: c.name,
        address: c.address,
        active: c.active,
        group_id: c.group_id,
        secret_rotated_at: rfc3339(c.secret_rotated_at),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        version: c.version,
    }
}

/// A mailbox in the list, with what it received.
#[derive(Serialize, ToSchema)]
pub struct EmailChannelEntry {
    pub channel: EmailChannelOut,
    /// When it last received a mail.
    pub last_received_at: Option<String>,
    /// Mails waiting in its failed list.
    pub failed_mails: i64,
    /// How fetching its mail by IMAP goes: `null` (not fetched), `pending` (not read yet),
    /// `ok` or `error` (see `GET /api/v1/channels/email/{id}/imap`).
    pub imap_status: Option<String>,
    /// Fetching fails or failed mail waits (the workbench tile 邮箱需要处理 counts it).
    pub needs_attention: bool,
}

fn entry(v: ChannelView) -> EmailChannelEntry {
    EmailChannelEntry {
        needs_attention: needs_attention(&v),
        last_received_at: v.last_received_at.map(rfc3339),
        failed_mails: v.failed,
        imap_status: v
            .imap
            .map(|m| m.status.unwrap_or_else(|| "pending".to_owned())),
        channel: to_api(v.channel),
    }
}

/// Every mailbox, by name.
#[utoipa::path(get, path = "/api/v1/channels/email", tag = "email_channels",
    responses((status = 200, description = "The e-mail channels", body = Vec<EmailChannelEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<EmailChannelEntry>>, WebError> {
    let list = state.app.email_channels(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(entry).collect()))
}

/// A new mailbox.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEmailChannel {
    /// 1–60 characters, unique.
    pub name: String,
    /// The address kefu answers from.
    pub address: String,
    pub group_id: Option<i64>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// A mailbox just added, with its webhook secret — the only time it is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedEmailChannel {
    pub channel: EmailChannelOut,
    /// The HMAC key a mail server signs its posts to the webhook with.
    pub webhook_secret: String,
}

/// Adds a mailbox; the answer carries its webhook secret, shown this once. Its SMTP and IMAP
/// servers are set with `PUT …/smtp` and `PUT …/imap`.
#[utoipa::path(post, path = "/api/v1/channels/email", tag = "email_channels",
    request_body = NewEmailChannel,
    responses(
        (status = 201, description = "Added", body = CreatedEmailChannel),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "`bad_name`, `invalid_email` \
            (the address), `unknown_group`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(body): ApiJson<NewEmailChannel>,
) -> Result<(StatusCode, Json<CreatedEmailChannel>), WebError> {
    let actor = identity.actor();
    let form = ChannelForm {
        name: body.name,
        address: body.address,
        group_id: body.group_id,
        active: body.active.unwrap_or(true),
    };
    let created = state.app.create_email_channel(&actor, &form).await?;
    let channel = state.app.email_channel(&actor, created.channel_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedEmailChannel {
            channel: to_api(channel),
            webhook_secret: created.secret,
        }),
    ))
}

/// One mailbox.
#[utoipa::path(get, path = "/api/v1/channels/email/{id}", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The channel", body = EmailChannelOut,
            headers(("ETag" = String, description = "the channel's version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<EmailChannelOut>, WebError> {
    let c = state.app.email_channel(&identity.actor(), id).await?;
    Ok(tagged(c.version, to_api(c)))
}

/// Fields to change; absent fields stay as they are. `group_id` `null` sends new tickets to
/// no group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChannelPatch {
    pub name: Option<String>,
    pub address: Option<String>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    /// `false` switches the mailbox off: its webhook and imports refuse mail (`403
    /// channel_inactive`), nothing is sent through it.
    pub active: Option<bool>,
}

/// Changes a mailbox.
#[utoipa::path(patch, path = "/api/v1/channels/email/{id}", tag = "email_channels",
    request_body = EmailChannelPatch,
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The channel after the changes", body = EmailChannelOut,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "`bad_name`, `invalid_email`, \
            `unknown_group`"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(patch): ApiJson<EmailChannelPatch>,
) -> Result<Tagged<EmailChannelOut>, WebError> {
    let actor = identity.actor();
    let current = state.app.email_channel(&actor, id).await?;
    let form = ChannelForm {
        name: patch.name.unwrap_or(current.name),
        address: patch.address.unwrap_or(current.address),
        group_id: patch.group_id.unwrap_or(current.group_id),
        active: patch.active.unwrap_or(current.active),
    };
    state
        .app
        .save_email_channel(&actor, id, &form, expected)
        .await?;
    let saved = state.app.email_channel(&actor, id).await?;
    Ok(tagged(saved.version, to_api(saved)))
}

/// Gives the mailbox a new webhook secret, answered this once; the old one stops working at
/// once.
#[utoipa::path(post, path = "/api/v1/channels/email/{id}/secret", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The new secret", body = RotatedSecret),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn rotate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<RotatedSecret>, WebError> {
    let created = state
        .app
        .rotate_channel_secret(&identity.actor(), id, None)
        .await?;
    Ok(Json(RotatedSecret {
        channel_id: created.channel_id,
        webhook_secret: created.secret,
    }))
}

/// A mailbox's SMTP server as it is to be. The whole setting: absent fields take their
/// defaults, but for the password.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpSettingsIn {
    /// The server's host name or IP address. Empty takes the server away, as `DELETE` does.
    pub host: String,
    /// 1–65535; absent: the security's usual port (587, 465 or 25).
    pub port: Option<i64>,
    /// `starttls` (the default), `tls` or `none` (only to 127.0.0.1 or localhost).
    pub security: Option<String>,
    /// Absent or empty: the server takes mail without signing in.
    pub username: Option<String>,
    /// Written, never read back. Absent or empty keeps the stored one (without a user name,
    /// none is kept).
    pub password: Option<String>,
    /// The name mail goes out under, at most 100 characters; absent or empty: the mailbox's
    /// name.
    pub from_name: Option<String>,
}

/// Sets the mailbox's SMTP server (or, with an empty host, takes it away). Audited with the
/// server, never the password.
#[utoipa::path(put, path = "/api/v1/channels/email/{id}/smtp", tag = "email_channels",
    request_body = SmtpSettingsIn,
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The channel with its SMTP server", body = EmailChannelOut,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "A setting kefu refuses: \
            `smtp_bad_host`, `smtp_bad_port`, `smtp_bad_security`, `smtp_cleartext_remote` \
            (`none` to another machine), `smtp_bad_username`, `smtp_password_without_user`, \
            `smtp_bad_from_name`; `detail` names the field"),
    ))]
pub async fn set_smtp(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<SmtpSettingsIn>,
) -> Result<Tagged<EmailChannelOut>, WebError> {
    let actor = identity.actor();
    let form = SmtpForm {
        host: body.host,
        port: body.port.map(|p| p.to_string()).unwrap_or_default(),
        security: body.security.unwrap_or_else(|| "starttls".to_owned()),
        username: body.username.unwrap_or_default(),
        password: body.password.unwrap_or_default(),
        from_name: body.from_name.unwrap_or_default(),
    };
    state
        .app
        .save_smtp_settings(&actor, id, &form, expected)
        .await?;
    let saved = state.app.email_channel(&actor, id).await?;
    Ok(tagged(saved.version, to_api(saved)))
}

/// Takes the mailbox's SMTP server away (and its password): it sends no mail until one is
/// set again.
#[utoipa::path(delete, path = "/api/v1/channels/email/{id}/smtp", tag = "email_channels",
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 204, description = "Removed (or there was none)"),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn remove_smtp(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, WebError> {
    state
        .app
        .save_smtp_settings(&identity.actor(), id, &SmtpForm::default(), expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Where a test mail goes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestMailIn {
    /// An e-mail address.
    pub to: String,
}

/// What the SMTP server answered.
#[derive(Serialize, ToSchema)]
pub struct TestMailOut {
    /// The server took it.
    pub ok: bool,
    /// Its words (`250 …`, `550 5.1.1 …`, `535 …`), addresses masked.
    pub answer: String,
}

/// Sends a test mail through the mailbox's SMTP server now and gives the server's answer — a
/// refusal is an answer too (`ok` false), not an error. Audited, the address masked.
#[utoipa::path(post, path = "/api/v1/channels/email/{id}/test-mail", tag = "email_channels",
    request_body = TestMailIn,
    params(("id" = i64, Path, description = "the e-mail channel")),
    responses(
        (status = 200, description = "The server's answer", body = TestMailOut),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The mailbox has no SMTP server \
            or is switched off (`smtp_not_set`); nothing is sent"),
        (status = 422, body = super::ErrorBody, description = "Not an e-mail address \
            (`invalid_email`)"),
    ))]
pub async fn test_mail(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<TestMailIn>,
) -> Result<Json<TestMailOut>, WebError> {
    let answer = state
        .app
        .send_test_mail(&identity.actor(), id, &body.to)
        .await?;
    Ok(Json(TestMailOut {
        ok: answer.ok,
        answer: answer.answer,
    }))
}
