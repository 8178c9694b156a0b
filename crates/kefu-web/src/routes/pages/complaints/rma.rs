//! 实施 — moving an RMA (退换货) on, and recording a penalty (处罚).

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::complaint::NewPenalty;

use super::super::credit::parse_yuan;
use super::super::tickets::field;
use super::show::{after, stepped};
use super::stale::Kept;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::versioned::form_version;

/// Cancels an RMA not carried out, with the reason (`reason`).
pub async fn cancel_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(rma): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = state.app.complaint_of_rma(&identity.actor(), rma).await?;
    let r = state
        .app
        .cancel_rma(
            &identity.actor(),
            rma,
            field(&pairs, "reason"),
            form_version(&pairs),
        )
        .await;
    stepped(
        &state,
        &identity,
        id,
        Kept::new("rma_cancel", Some(rma), &pairs),
        r,
    )
    .await
}

pub async fn advance_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(rma): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = state.app.complaint_of_rma(&identity.actor(), rma).await?;
    let r = state
        .app
        .advance_rma(
            &identity.actor(),
            rma,
            field(&pairs, "note"),
            form_version(&pairs),
        )
        .await
        .map(|_| ());
    stepped(
        &state,
        &identity,
        id,
        Kept::new("rma", Some(rma), &pairs),
        r,
    )
    .await
}

pub async fn penalty(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let Some(amount_fen) = parse_yuan(field(&pairs, "amount")) else {
        return after(&state, &identity, id, Err(kefu_app::AppError::BadAmount)).await;
    };
    let p = NewPenalty {
        department_id: field(&pairs, "department").parse().ok(),
        user_id: field(&pairs, "user").parse().ok(),
        amount_fen,
        reason: field(&pairs, "reason").to_owned(),
    };
    let r = state
        .app
        .record_penalty(&identity.actor(), id, &p, form_version(&pairs))
        .await;
    stepped(&state, &identity, id, Kept::new("penalty", None, &pairs), r).await
}
