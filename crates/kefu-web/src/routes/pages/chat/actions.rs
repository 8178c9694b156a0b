//! The console's actions, each a form post (CSRF-checked like every page's): 在线/离开,
//! accept, send, transfer, end, link a customer, and a reply script's text. Sent by the
//! console's script with `Accept: application/json`, send and the script answer JSON (and
//! refuse in the JSON shape); as plain forms, they come back to the console.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::ACCEPT;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::channel::chat::TransferTo;
use serde_json::json;

use super::refused;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::tickets::{field, non_empty};

/// Whether the console's script asked (it reads JSON; a plain form reads a page).
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"))
}

fn console_at(id: i64) -> Response {
    Redirect::to(&format!("/chat?session={id}")).into_response()
}

/// An id a form field names.
fn id_field(pairs: &[(String, String)], name: &'static str) -> Result<Option<i64>, WebError> {
    non_empty(field(pairs, name))
        .map(|v| {
            v.parse::<i64>()
                .map_err(|_| WebError::bad_request("invalid_field", format!("{name}: {v:?}")))
        })
        .transpose()
}

/// `POST /chat/availability`: `online=1` (在线) or `online=0` (离开).
pub async fn availability(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let online = field(&pairs, "online") == "1";
    let session = id_field(&pairs, "session")?;
    state.app.set_chat_online(&identity.actor(), online).await?;
    Ok(match session {
        Some(id) => console_at(id),
        None => Redirect::to("/chat").into_response(),
    })
}

/// `POST /chat/sessions/{id}/accept`.
pub async fn accept(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match state.app.accept_chat(&identity.actor(), id).await {
        Ok(()) => {
            state.chat.wake();
            Ok(console_at(id))
        }
        Err(e) => refused(&state, &identity, Some(id), e.into(), String::new()).await,
    }
}

/// `POST /chat/sessions/{id}/messages`: the reply box's `body`.
pub async fn send(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    headers: HeaderMap,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let body = field(&pairs, "body").replace("\r\n", "\n");
    let sent = state.app.send_chat(&identity.actor(), id, &body).await;
    if wants_json(&headers) {
        let m = sent?;
        state.chat.wake();
        return Ok(axum::Json(json!({
            "session": m.session_id,
            "seq": m.seq,
            "from": m.author,
            "name": m.author_name,
            "text": m.body,
            "at": m.created_at.as_second(),
        }))
        .into_response());
    }
    match sent {
        Ok(_) => {
            state.chat.wake();
            Ok(console_at(id))
        }
        Err(e) => refused(&state, &identity, Some(id), e.into(), body).await,
    }
}

/// `POST /chat/sessions/{id}/transfer`: to `agent` or to `group` (one of them).
pub async fn transfer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let to = match (id_field(&pairs, "agent")?, id_field(&pairs, "group")?) {
        (Some(agent), None) => Ok(TransferTo::Agent(agent)),
        (None, Some(group)) => Ok(TransferTo::Group(group)),
        _ => Err(kefu_domain::channel::chat::ChatError::NoTransferTarget),
    };
    let done = match to {
        Ok(to) => state.app.transfer_chat(&identity.actor(), id, to).await,
        Err(e) => Err(e.into()),
    };
    match done {
        Ok(()) => {
            state.chat.wake();
            Ok(Redirect::to("/chat").into_response())
        }
        Err(e) => refused(&state, &identity, Some(id), e.into(), String::new()).await,
    }
}

/// `POST /chat/sessions/{id}/end`: the chat ends and becomes a ticket; the console shows it
/// with the ticket's link.
pub async fn end(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    match state.app.end_chat(&identity.actor(), id).await {
        Ok(_) => {
            state.chat.wake();
            Ok(console_at(id))
        }
        Err(e) => refused(&state, &identity, Some(id), e.into(), String::new()).await,
    }
}

/// `POST /chat/sessions/{id}/customer`: the archive's `customer` the chat is with (chosen
/// with the customer lookup).
pub async fn link_customer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let Some(customer) = id_field(&pairs, "customer")? else {
        return refused(
            &state,
            &identity,
            Some(id),
            kefu_app::AppError::UnknownArchiveCustomer.into(),
            String::new(),
        )
        .await;
    };
    match state
        .app
        .link_chat_customer(&identity.actor(), id, customer)
        .await
    {
        Ok(()) => Ok(console_at(id)),
        Err(e) => refused(&state, &identity, Some(id), e.into(), String::new()).await,
    }
}

/// `POST /chat/sessions/{id}/script/{script}`: the script's text filled in for the chat,
/// `{"text"}`, for the console's script to put where the agent's cursor is.
pub async fn script(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, script)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let text = state.app.chat_script(&identity.actor(), id, script).await?;
    Ok(axum::Json(json!({ "text": text })).into_response())
}
