//! A user's personal API tokens.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::render;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

struct TokenRow {
    id: i64,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    t: Tr,
    layout: Layout,
    tokens: Vec<TokenRow>,
    new_secret: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    new_secret: Option<String>,
    error: Option<String>,
) -> Result<TokensPage, WebError> {
    let user = identity.user()?;
    let tokens = state.app.tokens_of(&identity.actor(), user.id).await?;
    let tokens = tokens
        .into_iter()
        .map(|tok| TokenRow {
            id: tok.id,
            name: tok.name,
            prefix: tok.prefix,
            created: local_time(tok.created_at),
            last_used: tok
                .last_used_at
                .map(local_time)
                .unwrap_or_else(|| "—".into()),
            revoked: tok.revoked_at.is_some(),
        })
        .collect();
    Ok(TokensPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/account/tokens"),
        tokens,
        new_secret,
        error,
    })
}

pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    super::ok(&page(&state, &identity, None, None).await?)
}

#[derive(Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(f): Form<CreateForm>,
) -> Result<Response, WebError> {
    let user = identity.user()?;
    match state
        .app
        .create_token(&identity.actor(), user.id, &f.name)
        .await
    {
        // Shown once, on this response only; never stored in clear.
        Ok(created) => render(
            StatusCode::CREATED,
            &page(&state, &identity, Some(created.secret), None).await?,
        ),
        Err(e) => {
            let message = WebError::from(e).into_info().message(identity.tr());
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &page(&state, &identity, None, Some(message)).await?,
            )
        }
    }
}

pub async fn revoke(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    state.app.revoke_token(&identity.actor(), id).await?;
    Ok(Redirect::to("/account/tokens").into_response())
}
