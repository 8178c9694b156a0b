//! 调查与方案 — the investigation form (with evidence files), proposing a solution, and the
//! supervisor's decision on a proposal.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::complaint::{Investigation, NewProposal};
use kefu_domain::complaint::{Cause, Remedy};

use super::super::credit::parse_yuan;
use super::super::tickets::field;
use super::show::{after, stepped};
use super::stale::Kept;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::versioned::form_version;

pub async fn investigate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    form: crate::upload::FormWithFiles,
) -> Result<Response, WebError> {
    let crate::upload::FormWithFiles { pairs, files } = form;
    let inv = Investigation {
        cause: super::super::form_key(&pairs, "cause")?.unwrap_or(Cause::Other),
        responsible_department_id: field(&pairs, "responsible_department").parse().ok(),
        responsible_user_id: field(&pairs, "responsible_user").parse().ok(),
        findings: field(&pairs, "findings").to_owned(),
    };
    let expected = form_version(&pairs);
    let r = state
        .app
        .record_complaint_investigation(&identity.actor(), id, &inv, &files, expected)
        .await;
    let kept = Kept::new("investigation", None, &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let raw = field(&pairs, "cost").trim();
    // A negative figure reaches the rule that refuses it, with its own message.
    let cost = match raw.strip_prefix('-') {
        Some(rest) => Some(-parse_yuan(rest).unwrap_or(0).max(1)),
        None => parse_yuan(raw),
    };
    let Some(cost_fen) = cost else {
        return after(&state, &identity, id, Err(kefu_app::AppError::BadAmount)).await;
    };
    let p = NewProposal {
        remedy: super::super::form_key(&pairs, "remedy")?.unwrap_or(Remedy::Apologise),
        description: field(&pairs, "description").to_owned(),
        cost_fen,
    };
    let r = state
        .app
        .propose_solution(&identity.actor(), id, &p, form_version(&pairs))
        .await
        .map(|_| ());
    stepped(&state, &identity, id, Kept::new("propose", None, &pairs), r).await
}

pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path(proposal): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let id = state
        .app
        .complaint_of_proposal(&identity.actor(), proposal)
        .await?;
    let r = state
        .app
        .decide_proposal(
            &identity.actor(),
            proposal,
            field(&pairs, "approve") == "1",
            field(&pairs, "comment"),
            form_version(&pairs),
        )
        .await;
    let kept = Kept::new("decide", Some(proposal), &pairs);
    stepped(&state, &identity, id, kept, r).await
}
