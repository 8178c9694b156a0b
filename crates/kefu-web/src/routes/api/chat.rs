//! 在线客服 over the API: what the chat console does, for agents' own tools — availability
//! (在线/离开), the waiting queue and one's chats, a chat with its transcript, accept (refused
//! past the agent's limit), answer, transfer, link a customer, end (the chat becomes a
//! ticket). The visitor's contact is masked as everywhere.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::channel::chat::{
    AgentState, ChatMessage, ChatSession, SessionDetail, SessionSummary, TransferTo,
};
use kefu_domain::channel::chat::{ChatError, visitor_label};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, doc, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// The lists `view` names.
pub(super) const LIST_KEYS: [&str; 2] = ["waiting", "mine"];

#[derive(Serialize, ToSchema)]
pub struct ChatAvailability {
    /// 在线 (takes chats) or not (离开).
    pub online: bool,
    /// How many chats the agent takes at once.
    pub chat_limit: i64,
    /// How many they answer now.
    pub active_chats: i64,
}

fn agent_body(a: AgentState) -> ChatAvailability {
    ChatAvailability {
        online: a.online,
        chat_limit: a.chat_limit,
        active_chats: a.active_chats,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChatLine {
    /// The line's number in the chat, from 1.
    pub seq: i64,
    /// `visitor`, `agent` or `system`.
    pub from: String,
    pub name: String,
    pub text: String,
    pub at: String,
}

fn line(m: ChatMessage) -> ChatLine {
    ChatLine {
        seq: m.seq,
        from: m.author,
        name: m.author_name,
        text: m.body,
        at: rfc3339(m.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct ChatSessionView {
    pub id: i64,
    pub channel_id: i64,
    pub channel: String,
    /// `waiting`, `active` or `ended`.
    pub status: String,
    /// The visitor's name, or 访客 and the chat's number.
    pub visitor: String,
    /// Masked.
    pub visitor_phone: Option<String>,
    /// Masked.
    pub visitor_email: Option<String>,
    pub agent_id: Option<i64>,
    pub agent: Option<String>,
    pub group_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// The ticket the chat became, once it ended.
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub origin: Option<String>,
    pub page_url: Option<String>,
    pub started_at: String,
    pub accepted_at: Option<String>,
    pub ended_at: Option<String>,
    /// The last line (in lists).
    pub last: Option<ChatLine>,
}

fn session_body(s: ChatSession, last: Option<ChatMessage>) -> ChatSessionView {
    ChatSessionView {
        visitor: visitor_label(s.id, s.visitor_name.as_deref()),
        id: s.id,
        channel_id: s.channel_id,
        channel: s.channel_name,
        status: s.status,
        visitor_phone: s.visitor_phone,
        visitor_email: s.visitor_email,
        agent_id: s.agent_user_id,
        agent: s.agent_name,
        group_id: s.group_id,
        customer_id: s.customer_id,
        ticket_id: s.ticket_id,
        ticket_number: s.ticket_number,
        origin: s.origin,
        page_url: s.page_url,
        started_at: rfc3339(s.started_at),
        accepted_at: s.accepted_at.map(rfc3339),
        ended_at: s.ended_at.map(rfc3339),
        last: last.map(line),
    }
}

fn summary_body(s: SessionSummary) -> ChatSessionView {
    session_body(s.session, s.last)
}

#[derive(Serialize, ToSchema)]
pub struct ChatTranscript {
    pub session: ChatSessionView,
    pub messages: Vec<ChatLine>,
    /// The chat is active and the caller answers it.
    pub mine: bool,
    /// The chat waits in the caller's queue.
    pub can_accept: bool,
}

fn detail_body(d: SessionDetail) -> ChatTranscript {
    ChatTranscript {
        session: session_body(d.session, None),
        messages: d.messages.into_iter().map(line).collect(),
        mine: d.mine,
        can_accept: d.can_accept,
    }
}

/// The caller's availability for chats; asking counts as being there (an agent online but
/// not heard from for three minutes does not count as on shift).
#[utoipa::path(get, path = "/api/v1/chat/agent", tag = "chat",
    responses((status = 200, description = "The caller's availability", body = ChatAvailability)))]
pub async fn agent(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<ChatAvailability>, WebError> {
    let a = state.app.chat_agent_state(&identity.actor()).await?;
    Ok(Json(agent_body(a)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatAvailabilityUpdate {
    /// `true`: 在线, takes chats; `false`: 离开.
    pub online: bool,
}

/// Switches the caller to 在线 or 离开.
#[utoipa::path(put, path = "/api/v1/chat/agent", tag = "chat", request_body = ChatAvailabilityUpdate,
    responses((status = 200, description = "The caller's availability now", body = ChatAvailability)))]
pub async fn set_agent(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(body): ApiJson<ChatAvailabilityUpdate>,
) -> Result<Json<ChatAvailability>, WebError> {
    let actor = identity.actor();
    state.app.set_chat_online(&actor, body.online).await?;
    Ok(Json(agent_body(state.app.chat_agent_state(&actor).await?)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `waiting` (the default): the chats waiting in the caller's queue (of no group or of
    /// the caller's groups), the longest waiting first; `mine`: the chats the caller answers.
    #[param(value_type = Option<doc::ChatListKey>)]
    pub view: Option<String>,
}

/// Chats: the waiting queue, or the caller's own.
#[utoipa::path(get, path = "/api/v1/chat/sessions", tag = "chat", params(ListParams),
    responses(
        (status = 200, description = "The chats, each with its last line", body = Vec<ChatSessionView>),
        (status = 422, body = super::ErrorBody, description = "An unknown `view`"),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<ChatSessionView>>, WebError> {
    let actor = identity.actor();
    let list = match p.view.as_deref().filter(|v| !v.is_empty()) {
        None | Some("waiting") => state.app.chat_queue(&actor).await?,
        Some("mine") => state.app.my_chats(&actor).await?,
        Some(other) => return Err(crate::input::unknown_value("view", other, LIST_KEYS)),
    };
    Ok(Json(list.into_iter().map(summary_body).collect()))
}

/// A chat with its transcript.
#[utoipa::path(get, path = "/api/v1/chat/sessions/{id}", tag = "chat",
    params(("id" = i64, Path, description = "the chat")),
    responses(
        (status = 200, description = "The chat and its lines", body = ChatTranscript),
        (status = 404, description = "No such chat", body = super::ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ChatTranscript>, WebError> {
    let d = state.app.chat_session(&identity.actor(), id).await?;
    Ok(Json(detail_body(d)))
}

/// The chat as it is after an action of the caller's.
async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Json<ChatTranscript>, WebError> {
    state.chat.wake();
    show(State(state.clone()), identity.clone(), Path(id)).await
}

/// 接入 — takes a waiting chat of the caller's queue (and switches the caller to 在线).
#[utoipa::path(post, path = "/api/v1/chat/sessions/{id}/accept", tag = "chat",
    params(("id" = i64, Path, description = "the chat")),
    responses(
        (status = 200, description = "The chat, now the caller's", body = ChatTranscript),
        (status = 404, description = "No such chat", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "`chat_limit_reached` (the \
            caller already answers as many chats as their limit), `chat_not_waiting` (another \
            agent took it), `chat_not_yours` (another group's), `chat_ended`"),
    ))]
pub async fn accept(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ChatTranscript>, WebError> {
    state.app.accept_chat(&identity.actor(), id).await?;
    after(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewChatLine {
    /// The answer; at most the channel's longest message.
    pub text: String,
}

/// The caller's answer in their chat; the visitor sees it at once (on whichever kefu
/// instance their socket is).
#[utoipa::path(post, path = "/api/v1/chat/sessions/{id}/messages", tag = "chat",
    params(("id" = i64, Path, description = "the chat")),
    request_body = NewChatLine,
    responses(
        (status = 201, description = "The line as stored", body = ChatLine),
        (status = 404, description = "No such chat", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "`chat_not_yours` (not the \
            caller's, or still waiting), `chat_ended`"),
        (status = 422, body = super::ErrorBody, description = "`chat_empty`, `chat_too_long` \
            (over the channel's longest message; nothing is stored)"),
    ))]
pub async fn send(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<NewChatLine>,
) -> Result<(StatusCode, Json<ChatLine>), WebError> {
    let m = state
        .app
        .send_chat(&identity.actor(), id, &body.text)
        .await?;
    state.chat.wake();
    Ok((StatusCode::CREATED, Json(line(m))))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatTransfer {
    /// Another agent on shift with room: the chat stays active, theirs.
    pub agent_id: Option<i64>,
    /// Or a group: the chat waits in that group's queue.
    pub group_id: Option<i64>,
}

/// 转接 — hands the caller's chat to another agent or to a group (one of them); a line in
/// the transcript says so.
#[utoipa::path(post, path = "/api/v1/chat/sessions/{id}/transfer", tag = "chat",
    params(("id" = i64, Path, description = "the chat")),
    request_body = ChatTransfer,
    responses(
        (status = 200, description = "The chat after the transfer", body = ChatTranscript),
        (status = 404, description = "No such chat", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "`chat_not_yours`, `chat_ended`, \
            `chat_agent_unavailable` (the agent is not on shift or has no room)"),
        (status = 422, body = super::ErrorBody, description = "`chat_no_transfer_target` \
            (neither or both of `agent_id` and `group_id`), `unknown_group`"),
    ))]
pub async fn transfer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChatTransfer>,
) -> Result<Json<ChatTranscript>, WebError> {
    let to = match (body.agent_id, body.group_id) {
        (Some(a), None) => TransferTo::Agent(a),
        (None, Some(g)) => TransferTo::Group(g),
        _ => return Err(WebError::App(ChatError::NoTransferTarget.into())),
    };
    state.app.transfer_chat(&identity.actor(), id, to).await?;
    after(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChatCustomerLink {
    /// A customer of the archive.
    pub customer_id: i64,
}

/// Links the chat to a customer of the archive; the ticket it becomes is theirs.
#[utoipa::path(post, path = "/api/v1/chat/sessions/{id}/customer", tag = "chat",
    params(("id" = i64, Path, description = "the chat")),
    request_body = ChatCustomerLink,
    responses(
        (status = 200, description = "The chat, linked", body = ChatTranscript),
        (status = 404, description = "No such chat", body = super::ErrorBody),
        (status = 422, body = super::ErrorBody, description = "`unknown_archive_customer`"),
    ))]
pub async fn link_customer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(body): ApiJson<ChatCustomerLink>,
) -> Result<Json<ChatTranscript>, WebError> {
    state
        .app
        .link_chat_customer(&identity.actor(), id, body.customer_id)
        .await?;
    after(&state, &identity, id).await
}

#[derive(Serialize, ToSchema)]
pub struct ChatEnded {
    pub session: ChatSessionView,
    /// The ticket the chat became (none for a chat without a visitor's line, or when it
    /// could not be written now: the sweep makes it within a minute).
    pub ticket_id: Option<i64>,
}

/// 结束 — ends the caller's chat (or a waiting one of their queue); it becomes a ticket with
/// its transcript. Ending it again gives the same ticket.
#[utoipa::path(post, path = "/api/v1/chat/sessions/{id}/end", tag = "chat",
    params(("id" = i64, Path, description = "the chat")),
    responses(
        (status = 200, description = "The chat, ended, and its ticket", body = ChatEnded),
        (status = 404, description = "No such chat", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "`chat_not_yours`"),
    ))]
pub async fn end(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ChatEnded>, WebError> {
    let actor = identity.actor();
    let ticket_id = state.app.end_chat(&actor, id).await?;
    state.chat.wake();
    let d = state.app.chat_session(&actor, id).await?;
    Ok(Json(ChatEnded {
        session: session_body(d.session, None),
        ticket_id,
    }))
}
