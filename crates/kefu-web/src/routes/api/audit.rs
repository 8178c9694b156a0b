//! The audit log over the API.

use axum::Json;
use axum::extract::{Query, State};
use kefu_store::audit::AuditFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::rfc3339;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub actor_user_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    /// JSON text with details of the action.
    pub detail: Option<String>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only this action, e.g. `login_failed`.
    pub action: Option<String>,
    /// Only entries by this user.
    pub actor_user_id: Option<i64>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
    /// Page size, default 100; values outside 1–500 are brought within it.
    pub limit: Option<i64>,
}

/// Sensitive actions, newest first.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(AuditQuery),
    responses((status = 200, description = "The entries", body = Vec<AuditEntry>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntry>>, WebError> {
    let filter = AuditFilter {
        action: q.action.as_deref(),
        actor_user_id: q.actor_user_id,
        before_id: q.before,
        limit: q.limit.unwrap_or(100),
        ..AuditFilter::default()
    };
    let entries = state.app.audit_log(&identity.actor(), &filter).await?;
    Ok(Json(
        entries
            .into_iter()
            .map(|e| AuditEntry {
                id: e.id,
                at: rfc3339(e.at),
                actor_user_id: e.actor_user_id,
                actor_name: e.actor_name,
                action: e.action,
                target_type: e.target_type,
                target_id: e.target_id,
                ip: e.ip,
                detail: e.detail,
            })
            .collect(),
    ))
}
