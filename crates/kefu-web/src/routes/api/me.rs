//! The caller's own account and tokens.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_domain::Permission;
use serde::Serialize;
use utoipa::ToSchema;

use super::rfc3339;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub roles: Vec<String>,
    pub locale: String,
    /// What the caller may do, from the permission policy.
    pub permissions: Vec<String>,
}

/// The account the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account",
    responses(
        (status = 200, description = "The caller's account", body = Me),
    ))]
pub async fn show(identity: Identity) -> Result<Json<Me>, WebError> {
    let u = identity.user()?;
    Ok(Json(Me {
        id: u.id,
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        roles: u.roles.iter().map(|r| r.key().to_owned()).collect(),
        locale: u.locale.key().to_owned(),
        permissions: Permission::ALL
            .iter()
            .filter(|p| u.allows(**p))
            .map(|p| p.key().to_owned())
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Token {
    pub id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// The caller's API tokens (never their secrets).
#[utoipa::path(get, path = "/api/v1/tokens", tag = "account",
    responses(
        (status = 200, description = "The caller's tokens", body = Vec<Token>),
    ))]
pub async fn tokens(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<Token>>, WebError> {
    let u = identity.user()?;
    let list = state.app.tokens_of(&identity.actor(), u.id).await?;
    Ok(Json(
        list.into_iter()
            .map(|t| Token {
                id: t.id,
                name: t.name,
                prefix: t.prefix,
                created_at: rfc3339(t.created_at),
                last_used_at: t.last_used_at.map(rfc3339),
                revoked_at: t.revoked_at.map(rfc3339),
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens (administrators: anyone's).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "account",
    params(("id" = i64, Path, description = "token id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "No such token of the caller's", body = super::ErrorBody),
    ))]
pub async fn revoke_token(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.app.revoke_token(&identity.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
