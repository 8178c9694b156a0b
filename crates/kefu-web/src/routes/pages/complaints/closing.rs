//! 结案 — telling the complainant, the customer's decision, the follow-up (回访) and the
//! evaluation that closes the complaint.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use kefu_app::complaint::Evaluation;
use kefu_domain::complaint::FollowUpResult;

use super::super::tickets::field;
use super::show::{after, stepped};
use super::stale::Kept;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::routes::pages::versioned::form_version;

pub async fn tell(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .tell_complainant(
            &identity.actor(),
            id,
            field(&pairs, "message"),
            form_version(&pairs),
        )
        .await;
    stepped(&state, &identity, id, Kept::new("tell", None, &pairs), r).await
}

pub async fn customer_decision(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let r = state
        .app
        .record_customer_decision(
            &identity.actor(),
            id,
            field(&pairs, "accepted") == "1",
            field(&pairs, "comment"),
            field(&pairs, "script"),
            form_version(&pairs),
        )
        .await;
    stepped(
        &state,
        &identity,
        id,
        Kept::new("decision", None, &pairs),
        r,
    )
    .await
}

pub async fn follow_up(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let result = super::super::form_key(&pairs, "result")?.unwrap_or(FollowUpResult::Neutral);
    let r = state
        .app
        .record_complaint_follow_up(
            &identity.actor(),
            id,
            result,
            field(&pairs, "comment"),
            form_version(&pairs),
        )
        .await;
    let kept = Kept::new("follow_up", None, &pairs);
    stepped(&state, &identity, id, kept, r).await
}

pub async fn evaluate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let measure_due =
        match kefu_domain::dates::parse_opt("measure_due", Some(field(&pairs, "measure_due"))) {
            Ok(d) => d,
            Err(e) => return after(&state, &identity, id, Err(e.into())).await,
        };
    let e = Evaluation {
        summary: field(&pairs, "summary").to_owned(),
        lessons: field(&pairs, "lessons").to_owned(),
        measure: field(&pairs, "measure").to_owned(),
        measure_owner_id: field(&pairs, "measure_owner").parse().ok(),
        measure_due,
    };
    let r = state
        .app
        .evaluate_complaint(&identity.actor(), id, &e, form_version(&pairs))
        .await;
    let kept = Kept::new("evaluation", None, &pairs);
    stepped(&state, &identity, id, kept, r).await
}
