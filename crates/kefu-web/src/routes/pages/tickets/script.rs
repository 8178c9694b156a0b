//! Reply scripts used on the ticket page: from its picker's button (the page comes back
//! with the text in the reply box), and from the page's own script, which gets the text as
//! JSON and puts it where the agent's cursor is, so what they typed stays.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::field;
use super::show::page;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::render;

/// `POST /tickets/{id}/script/{script}`: uses the script on the ticket as the page's form
/// does (macro actions applied, the use counted) and answers `{"text", "ticket_changed"}`.
/// Errors come in the JSON shape when asked with `Accept: application/json`.
pub async fn use_script_json(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, script)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let used = state.app.use_script(&identity.actor(), script, id).await?;
    Ok(axum::Json(json!({
        "text": used.text,
        "ticket_changed": used.ticket_changed,
    }))
    .into_response())
}

/// Uses a reply script on the ticket: its macro actions apply, its text goes into the reply
/// box. The picker's button belongs to the reply form, so the draft (`body`) comes along
/// and is kept, the script's text after it (the page's script puts it at the cursor).
pub async fn use_script(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let script: i64 = field(&pairs, "script")
        .parse()
        .map_err(|_| WebError::bad_request("invalid_field", "script"))?;
    let draft = field(&pairs, "body").replace("\r\n", "\n");
    match state.app.use_script(&identity.actor(), script, id).await {
        Ok(used) => {
            let text = match draft.trim_end() {
                "" => used.text,
                kept => format!("{kept}\n{}", used.text),
            };
            crate::routes::pages::ok(&page(&state, &identity, id, text, None).await?)
        }
        Err(e) => {
            let (status, message) = crate::routes::pages::refusal(e, identity.tr());
            render(
                status,
                &page(&state, &identity, id, draft, Some(message)).await?,
            )
        }
    }
}
