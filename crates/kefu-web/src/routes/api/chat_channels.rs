//! 在线客服渠道 over the API: the chat channels (the web sites allowed to embed each, the
//! answering group, the longest message, the greeting) with the tag a site pastes, changed
//! against the version read (`If-Match`), audited; and each agent's chat limit.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::channel::chat::{ChatChannel as StoredChannel, ChatChannelForm};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct ChatChannel {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// The exact origins whose pages may open the widget.
    pub allowed_origins: Vec<String>,
    pub group_id: Option<i64>,
    pub max_message_chars: i64,
    pub greeting: Option<String>,
    /// The tag a web site pastes to show the widget.
    pub snippet: String,
    pub created_at: String,
    pub updated_at: String,
    /// Send it as `If-Match` (`"7"`) with a change.
    pub version: i64,
}

fn body(state: &AppState, c: StoredChannel) -> ChatChannel {
    ChatChannel {
        snippet: state.app.chat_snippet(c.id),
        id: c.id,
        name: c.name,
        active: c.active,
        allowed_origins: c.allowed_origins,
        group_id: c.group_id,
        max_message_chars: c.max_message_chars,
        greeting: c.greeting,
        created_at: rfc3339(c.created_at),
        updated_at: rfc3339(c.updated_at),
        version: c.version,
    }
}

/// Every chat channel.
#[utoipa::path(get, path = "/api/v1/chat/channels", tag = "chat_channels",
    responses((status = 200, description = "The chat channels", body = Vec<ChatChannel>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<ChatChannel>>, WebError> {
    let list = state.app.chat_channels(&identity.actor()).await?;
    Ok(Json(
        list.into_iter().map(|v| body(&state, v.channel)).collect(),
    ))
}

/// One chat channel.
#[utoipa::path(get, path = "/api/v1/chat/channels/{id}", tag = "chat_channels",
    params(("id" = i64, Path, description = "the chat channel")),
    responses(
        (status = 200, description = "The chat channel", body = ChatChannel,
            headers(("ETag" = String, description = "the channel's version"))),
        (status = 404, description = "No such chat channel", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<ChatChannel>, WebError> {
    let c = state.app.chat_channel(&identity.actor(), id).await?;
    Ok(tagged(c.version, body(&state, c)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChatChannel {
    /// 1–60 characters, unique among chat channels.
    pub name: String,
    /// Exact origins (`https://shop.example.com`, no path), at most 20.
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    pub group_id: Option<i64>,
    /// 1–10000; 2000 when absent.
    pub max_message_chars: Option<i64>,
    /// At most 500 characters.
    pub greeting: Option<String>,
    /// `true` when absent.
    pub active: Option<bool>,
}

/// Adds a chat channel; the answer carries the tag a web site pastes.
#[utoipa::path(post, path = "/api/v1/chat/channels", tag = "chat_channels",
    request_body = NewChatChannel,
    responses(
        (status = 201, description = "The chat channel", body = ChatChannel),
        (status = 409, body = super::ErrorBody, description = "`name_taken`"),
        (status = 422, body = super::ErrorBody, description = "`bad_name`, `chat_bad_origin` \
            (not `http(s)://host[:port]`), `chat_too_many_origins`, `chat_bad_max_chars`, \
            `chat_greeting_too_long`, `unknown_group`"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<NewChatChannel>,
) -> Result<(StatusCode, Json<ChatChannel>), WebError> {
    let actor = identity.actor();
    let form = ChatChannelForm {
        name: b.name,
        active: b.active.unwrap_or(true),
        allowed_origins: b.allowed_origins.join("\n"),
        group_id: b.group_id,
        max_message_chars: b.max_message_chars,
        greeting: b.greeting.unwrap_or_default(),
    };
    let id = state.app.create_chat_channel(&actor, &form).await?;
    let c = state.app.chat_channel(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(body(&state, c))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatChannelPatch {
    pub name: Option<String>,
    pub allowed_origins: Option<Vec<String>>,
    /// `null` leaves it; to answer with any agent again, send `0`.
    pub group_id: Option<i64>,
    pub max_message_chars: Option<i64>,
    /// An empty text removes it.
    pub greeting: Option<String>,
    /// `false` switches the channel off: its widget takes no chats and no messages.
    pub active: Option<bool>,
}

/// Changes a chat channel.
#[utoipa::path(patch, path = "/api/v1/chat/channels/{id}", tag = "chat_channels",
    params(("id" = i64, Path, description = "the chat channel")),
    request_body = ChatChannelPatch,
    responses(
        (status = 200, description = "The chat channel after the changes", body = ChatChannel,
            headers(("ETag" = String, description = "the channel's new version"))),
        (status = 404, description = "No such chat channel", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "`name_taken`"),
        (status = 422, body = super::ErrorBody, description = "As when adding one"),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(p): ApiJson<ChatChannelPatch>,
) -> Result<Tagged<ChatChannel>, WebError> {
    let actor = identity.actor();
    let c = state.app.chat_channel(&actor, id).await?;
    let form = ChatChannelForm {
        name: p.name.unwrap_or(c.name),
        active: p.active.unwrap_or(c.active),
        allowed_origins: p.allowed_origins.unwrap_or(c.allowed_origins).join("\n"),
        group_id: match p.group_id {
            None => c.group_id,
            Some(0) => None,
            Some(g) => Some(g),
        },
        max_message_chars: Some(p.max_message_chars.unwrap_or(c.max_message_chars)),
        greeting: p.greeting.or(c.greeting).unwrap_or_default(),
    };
    state
        .app
        .save_chat_channel(&actor, id, &form, expected)
        .await?;
    let c = state.app.chat_channel(&actor, id).await?;
    Ok(tagged(c.version, body(&state, c)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatLimit {
    /// How many chats the agent takes at once, 1–50.
    pub chat_limit: i64,
}

/// 接待上限 — how many chats an agent (an active account that works tickets) takes at once.
#[utoipa::path(put, path = "/api/v1/chat/agents/{id}/limit", tag = "chat_channels",
    params(("id" = i64, Path, description = "the agent's user id")),
    request_body = ChatLimit,
    responses(
        (status = 204, description = "Set"),
        (status = 404, body = super::ErrorBody, description = "No such user (`not_found`)"),
        (status = 422, body = super::ErrorBody, description = "`chat_bad_limit`, \
            `unknown_assignee` (no such active agent)"),
    ))]
pub async fn set_limit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ChatLimit>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .set_chat_limit(&identity.actor(), id, b.chat_limit)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
