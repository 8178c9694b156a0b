//! 处理通知 — the department's steps on a handling notice: acknowledging it, answering it,
//! and the specialist's review of the answer.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

use super::super::tickets::field;
use super::show::stepped;
use super::stale::Kept;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::versioned::form_version;

/// The complaint a notice belongs to, for coming back to its page.
async fn complaint_of_notice(
    state: &AppState,
    identity: &Identity,
    notice: i64,
) -> Result<i64, WebError> {
    Ok(state
        .app
        .complaint_of_notice(&identity.actor(), notice)
        .await?)
}

pub async fn acknowledge_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(notice): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = complaint_of_notice(&state, &identity, notice).await?;
    let r = state
        .app
        .acknowledge_notice(&identity.actor(), notice, form_version(&pairs))
        .await;
    let kept = Kept::new("ack", Some(notice), &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn answer_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(notice): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = complaint_of_notice(&state, &identity, notice).await?;
    let r = state
        .app
        .answer_notice(
            &identity.actor(),
            notice,
            field(&pairs, "answer"),
            form_version(&pairs),
        )
        .await;
    let kept = Kept::new("answer", Some(notice), &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn review_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(notice): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = complaint_of_notice(&state, &identity, notice).await?;
    let r = state
        .app
        .review_notice(
            &identity.actor(),
            notice,
            field(&pairs, "accept") == "1",
            field(&pairs, "comment"),
            form_version(&pairs),
        )
        .await;
    let kept = Kept::new("review", Some(notice), &pairs);
    stepped(&state, &identity, id, kept, r).await
}
