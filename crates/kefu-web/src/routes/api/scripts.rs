//! Reply scripts over the API: search (filled in for a ticket when asked), propose, review.

use super::Created;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::kb::ScriptForm;
use kefu_domain::kb::{MacroActions, ScriptStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, IfMatch, doc};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct Script {
    pub id: i64,
    pub category: String,
    pub title: String,
    /// The text with placeholders such as `{customer_name}` / `{客户名称}`.
    pub body: String,
    /// The text filled in for the ticket given as `ticket_id`.
    pub rendered: Option<String>,
    /// `proposed`, `approved` or `rejected`.
    pub status: String,
    /// Macro actions as JSON: `status`, `priority`, `ticket_type`, `add_tags`, `assign_to_me`.
    #[schema(value_type = Object)]
    pub actions: serde_json::Value,
    pub use_count: i64,
    /// Moves on with every edit and review: send it as `If-Match` (`"7"`) with a review, so
    /// a script edited after you read it is not approved unread.
    pub version: i64,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Words in the category, title or text.
    pub q: Option<String>,
    /// Fill in the placeholders for this ticket.
    pub ticket_id: Option<i64>,
    /// `approved` (default); reviewers may ask for `proposed` or `rejected`.
    #[param(value_type = Option<doc::ScriptStatusKey>)]
    pub status: Option<String>,
}

/// Reply scripts.
#[utoipa::path(get, path = "/api/v1/scripts", tag = "scripts", params(ListParams),
    responses(
        (status = 200, description = "The scripts", body = Vec<Script>),
        (status = 404, description = "No such ticket (`ticket_id`)", body = super::ErrorBody),
        (status = 422, description = "An unknown `status`", body = super::ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Script>>, WebError> {
    let actor = identity.actor();
    let status = match p.status.as_deref() {
        None | Some("") => ScriptStatus::Approved,
        Some(s) => crate::input::parse_key::<ScriptStatus>("status", s)?,
    };
    let mut out = Vec::new();
    for v in state.app.scripts(&actor, status, p.q.as_deref()).await? {
        let rendered = match p.ticket_id {
            Some(t) if status == ScriptStatus::Approved => {
                Some(state.app.render_script(&actor, v.script.id, t).await?.0)
            }
            _ => None,
        };
        out.push(Script {
            id: v.script.id,
            category: v.script.category,
            title: v.script.title,
            body: v.script.body,
            rendered,
            status: v.script.status,
            actions: serde_json::to_value(&v.actions).unwrap_or_default(),
            use_count: v.script.use_count,
            version: v.script.version,
        });
    }
    Ok(Json(out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewScript {
    pub category: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub actions: MacroActions,
}

/// Proposes a script (a reviewer's own script is approved at once).
#[utoipa::path(post, path = "/api/v1/scripts", tag = "scripts", request_body = NewScript,
    responses(
        (status = 201, description = "Proposed", body = Created),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(s): ApiJson<NewScript>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state
        .app
        .propose_script(
            &identity.actor(),
            &ScriptForm {
                category: s.category,
                title: s.title,
                body: s.body,
                actions: s.actions,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub approve: bool,
    pub note: Option<String>,
}

/// Approves or rejects a script.
#[utoipa::path(post, path = "/api/v1/scripts/{id}/review", tag = "scripts", request_body = Review,
    params(("id" = i64, Path, description = "script id")),
    responses(
        (status = 204, description = "Reviewed"),
        (status = 404, description = "No such script", body = super::ErrorBody),
    ))]
pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(r): ApiJson<Review>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .review_script(
            &identity.actor(),
            id,
            r.approve,
            r.note.as_deref(),
            expected,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
