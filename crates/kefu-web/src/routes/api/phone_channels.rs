//! 电话渠道 over the API — the administrator's telephone systems: list (with what each
//! reported), add (the webhook secret answered once), read, change against the version read
//! (`If-Match`), switch off, rotate the secret; and which extension rings at which agent
//! (分机 → 坐席), each change moving the system's version on.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::channel::phone::{PhoneChannelForm, PhoneChannelView};
use kefu_store::phone::{Extension, PhoneChannel};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::email_channels::double;
use super::sms::RotatedSecret;
use super::{ApiJson, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// A telephone system, without its secret.
#[derive(Serialize, ToSchema)]
pub struct PhoneChannelOut {
    pub id: i64,
    pub name: String,
    /// `false`: its webhook refuses events (`403 channel_inactive`).
    pub active: bool,
    /// The group a missed call's callback goes to when its extension is nobody's.
    pub group_id: Option<i64>,
    /// The exchange's area code (`0571`): a caller's local number gets it.
    pub area_code: Option<String>,
    /// Where the telephone system posts its call events (signed with the webhook secret).
    pub webhook: String,
    pub secret_rotated_at: String,
    pub created_at: String,
    pub updated_at: String,
    /// Moves on with every change (its extensions included); also the `ETag` of
    /// `GET /api/v1/channels/phone/{id}`, to send as `If-Match` with a change.
    pub version: i64,
}

fn to_api(c: PhoneChannel) -> PhoneChannelOut {
    PhoneChannelOut {
        webhook: format!("/api/v1/channels/phone/{}/events", c.id),
        id: c.id,
        name: c.name,
        active: c.active,
        group_id: c.group_id,
        area_code: c.area_code,
        secret_rotated_at: rfc3339(c.secret_rotated_at),
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        version: c.version,
    }
}

/// A telephone system in the list, with what it reported.
#[derive(Serialize, ToSchema)]
pub struct PhoneChannelEntry {
    pub channel: PhoneChannelOut,
    /// When it last reported a call.
    pub last_call_at: Option<String>,
    /// Calls it reported.
    pub calls: i64,
    /// Extensions mapped to agents.
    pub extensions: i64,
}

fn entry(v: PhoneChannelView) -> PhoneChannelEntry {
    PhoneChannelEntry {
        last_call_at: v.last_call_at.map(rfc3339),
        calls: v.calls,
        extensions: v.extensions,
        channel: to_api(v.channel),
    }
}

/// Every telephone system, by name.
#[utoipa::path(get, path = "/api/v1/channels/phone", tag = "phone_channels",
    responses((status = 200, description = "The telephone channels", body = Vec<PhoneChannelEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<PhoneChannelEntry>>, WebError> {
    let list = state.app.phone_channels(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(entry).collect()))
}

/// A new telephone system.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPhoneChannel {
    /// 1–60 characters, unique.
    pub name: String,
    /// The exchange's area code (`0571`, `571`); absent or empty for none.
    pub area_code: Option<String>,
    pub group_id: Option<i64>,
    /// Default `true`.
    pub active: Option<bool>,
}

/// A telephone system just added, with its webhook secret — the only time it is shown.
#[derive(Serialize, ToSchema)]
pub struct CreatedPhoneChannel {
    pub channel: PhoneChannelOut,
    /// The HMAC key the telephone system signs its posts with.
    pub webhook_secret: String,
}

/// Adds a telephone system; the answer carries its webhook secret, shown this once.
#[utoipa::path(post, path = "/api/v1/channels/phone", tag = "phone_channels",
    request_body = NewPhoneChannel,
    responses(
        (status = 201, description = "Added", body = CreatedPhoneChannel),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "`bad_name`, `bad_area_code`, \
            `unknown_group`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(body): ApiJson<NewPhoneChannel>,
) -> Result<(StatusCode, Json<CreatedPhoneChannel>), WebError> {
    let actor = identity.actor();
    let form = PhoneChannelForm {
        name: body.name,
        group_id: body.group_id,
        area_code: body.area_code.unwrap_or_default(),
        active: body.active.unwrap_or(true),
    };
    let created = state.app.create_phone_channel(&actor, &form).await?;
    let channel = state.app.phone_channel(&actor, created.channel_id).await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedPhoneChannel {
            channel: to_api(channel),
            webhook_secret: created.secret,
        }),
    ))
}

/// One telephone system.
#[utoipa::path(get, path = "/api/v1/channels/phone/{id}", tag = "phone_channels",
    params(("id" = i64, Path, description = "the telephone channel")),
    responses(
        (status = 200, description = "The channel", body = PhoneChannelOut,
            headers(("ETag" = String, description = "the channel's version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<PhoneChannelOut>, WebError> {
    let c = state.app.phone_channel(&identity.actor(), id).await?;
    Ok(tagged(c.version, to_api(c)))
}

/// Fields to change; absent fields stay as they are. An empty `area_code` removes it;
/// `group_id` `null` sends callbacks of nobody's extensions to no group.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoneChannelPatch {
    pub name: Option<String>,
    pub area_code: Option<String>,
    #[serde(default, deserialize_with = "double")]
    #[schema(value_type = Option<i64>)]
    pub group_id: Option<Option<i64>>,
    /// `false` switches the channel off: its webhook refuses events.
    pub active: Option<bool>,
}

/// Changes a telephone system.
#[utoipa::path(patch, path = "/api/v1/channels/phone/{id}", tag = "phone_channels",
    request_body = PhoneChannelPatch,
    params(("id" = i64, Path, description = "the telephone channel")),
    responses(
        (status = 200, description = "The channel after the changes", body = PhoneChannelOut,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The name is taken (`name_taken`)"),
        (status = 422, body = super::ErrorBody, description = "`bad_name`, `bad_area_code`, \
            `unknown_group`"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(patch): ApiJson<PhoneChannelPatch>,
) -> Result<Tagged<PhoneChannelOut>, WebError> {
    let actor = identity.actor();
    let current = state.app.phone_channel(&actor, id).await?;
    let form = PhoneChannelForm {
        name: patch.name.unwrap_or(current.name),
        group_id: patch.group_id.unwrap_or(current.group_id),
        area_code: patch
            .area_code
            .unwrap_or_else(|| current.area_code.unwrap_or_default()),
        active: patch.active.unwrap_or(current.active),
    };
    state
        .app
        .save_phone_channel(&actor, id, &form, expected)
        .await?;
    let saved = state.app.phone_channel(&actor, id).await?;
    Ok(tagged(saved.version, to_api(saved)))
}

/// Gives the telephone system a new webhook secret, answered this once; the old one stops
/// working at once.
#[utoipa::path(post, path = "/api/v1/channels/phone/{id}/secret", tag = "phone_channels",
    params(("id" = i64, Path, description = "the telephone channel")),
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
        .rotate_phone_secret(&identity.actor(), id, None)
        .await?;
    Ok(Json(RotatedSecret {
        channel_id: created.channel_id,
        webhook_secret: created.secret,
    }))
}

/// 分机 — an extension of the system and the agent it rings at.
#[derive(Serialize, ToSchema)]
pub struct ExtensionOut {
    pub extension: String,
    pub user_id: i64,
    /// The agent's display name.
    pub user_name: String,
}

fn extension_out(e: Extension) -> ExtensionOut {
    ExtensionOut {
        extension: e.extension,
        user_id: e.user_id,
        user_name: e.user_name,
    }
}

/// The system's extensions and who they ring at, by extension.
#[utoipa::path(get, path = "/api/v1/channels/phone/{id}/extensions", tag = "phone_channels",
    params(("id" = i64, Path, description = "the telephone channel")),
    responses(
        (status = 200, description = "The extensions", body = Vec<ExtensionOut>),
        (status = 404, description = "No such channel", body = super::ErrorBody),
    ))]
pub async fn extensions(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ExtensionOut>>, WebError> {
    let list = state.app.phone_extensions(&identity.actor(), id).await?;
    Ok(Json(list.into_iter().map(extension_out).collect()))
}

/// Who an extension rings at.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionIn {
    /// An active staff account that works tickets.
    pub user_id: i64,
}

/// Extension `ext` rings at the agent from now on (mapping it again moves it). Audited
/// (`extension_mapped`).
#[utoipa::path(put, path = "/api/v1/channels/phone/{id}/extensions/{ext}", tag = "phone_channels",
    request_body = ExtensionIn,
    params(
        ("id" = i64, Path, description = "the telephone channel"),
        ("ext" = String, Path, description = "the extension: 1–32 letters, digits or `*#._-/@:` (percent-encoded in the path)"),
    ),
    responses(
        (status = 200, description = "The system's extensions after the change", body = Vec<ExtensionOut>,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such channel", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "`bad_extension`, \
            `unknown_assignee` (no such active account that works tickets)"),
    ))]
pub async fn map_extension(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, ext)): Path<(i64, String)>,
    IfMatch(expected): IfMatch,
    ApiJson(body): ApiJson<ExtensionIn>,
) -> Result<Tagged<Vec<ExtensionOut>>, WebError> {
    let actor = identity.actor();
    state
        .app
        .map_extension(&actor, id, &ext, body.user_id, expected)
        .await?;
    let channel = state.app.phone_channel(&actor, id).await?;
    let list = state.app.phone_extensions(&actor, id).await?;
    Ok(tagged(
        channel.version,
        list.into_iter().map(extension_out).collect(),
    ))
}

/// Extension `ext` rings at nobody any more. Audited (`extension_mapped`).
#[utoipa::path(delete, path = "/api/v1/channels/phone/{id}/extensions/{ext}", tag = "phone_channels",
    params(
        ("id" = i64, Path, description = "the telephone channel"),
        ("ext" = String, Path, description = "the extension (percent-encoded in the path)"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 404, body = super::ErrorBody, description = "No such channel, or the \
            extension is not mapped (`not_found`)"),
    ))]
pub async fn unmap_extension(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, ext)): Path<(i64, String)>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, WebError> {
    state
        .app
        .unmap_extension(&identity.actor(), id, ext.trim(), expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
