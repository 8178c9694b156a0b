//! 改善措施 — the measures (mine, or everyone's for quality, the soonest due first) and one
//! measure: the owner's progress, the manager's instruction, the verification with how
//! often the problem came back.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::quality::{MeasureScope, MeasureView};
use kefu_domain::Permission;
use kefu_domain::quality::measure::MeasureStatus;

use super::quality_anomalies::{MeasureLine, measure_line};
use super::tickets::{field, non_empty};
use super::versioned::form_version;
use super::{input_refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

#[derive(Template)]
#[template(path = "quality_measures.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    all: bool,
    quality: bool,
    lines: Vec<MeasureLine>,
}

/// `/quality/measures?scope=mine|all` (pending ones).
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let quality = actor.require(Permission::QualityInspect).is_ok();
    let all = quality && field(&q, "scope") == "all";
    let scope = if all {
        MeasureScope::Everyone
    } else {
        MeasureScope::Mine
    };
    let lines = state
        .app
        .quality_measures(&actor, scope, true)
        .await?
        .into_iter()
        .map(|m| measure_line(t, m))
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            t,
            layout: Layout::new(&identity, "/quality/measures"),
            all,
            quality,
            lines,
        },
    )
}

#[derive(Template)]
#[template(path = "quality_measure.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    v: MeasureView,
    kind: String,
    status: String,
    instructed_at: String,
    verified_at: String,
    verify_from: String,
    recurrences: String,
    overdue: Option<String>,
    note: String,
    notice: Option<String>,
    error: Option<String>,
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    note: String,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let t = identity.tr();
    let v = state.app.quality_measure(&identity.actor(), id).await?;
    let m = &v.measure;
    Ok(ShowPage {
        t,
        layout: Layout::new(identity, "/quality/measures"),
        kind: t.tk("quality.measure.kind", &m.kind),
        status: t.tk("quality.measure.status", &m.status),
        instructed_at: m.instructed_at.map(local_time).unwrap_or_default(),
        verified_at: m.verified_at.map(local_time).unwrap_or_default(),
        verify_from: v.verify_from.map(|d| d.to_string()).unwrap_or_default(),
        recurrences: v.recurrences.map(|n| n.to_string()).unwrap_or_default(),
        overdue: (v.overdue_days > 0).then(|| {
            t.f(
                "quality.measure.overdue",
                &[("n", &v.overdue_days.to_string())],
            )
        }),
        note,
        v,
        notice,
        error,
    })
}

/// `/quality/measures/{id}`; `?done=…` after a step.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice = non_empty(field(&q, "done")).map(|d| identity.tr().tk("quality.measure.done", d));
    render(
        StatusCode::OK,
        &show_page(&state, &identity, id, String::new(), notice, None).await?,
    )
}

async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    outcome: Result<&'static str, WebError>,
    note: String,
) -> Result<Response, WebError> {
    match outcome {
        Ok(what) => {
            Ok(Redirect::to(&format!("/quality/measures/{id}?done={what}")).into_response())
        }
        Err(e @ WebError::App(kefu_app::AppError::NotFound | kefu_app::AppError::Forbidden)) => {
            Err(e)
        }
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            render(
                status,
                &show_page(state, identity, id, note, None, Some(message)).await?,
            )
        }
    }
}

/// `POST /quality/measures/{id}/progress`: `status=in_progress|done` and a `note`.
pub async fn progress(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let note = field(&pairs, "note").to_owned();
    let to = field(&pairs, "status")
        .parse::<MeasureStatus>()
        .unwrap_or(MeasureStatus::Done);
    let outcome = state
        .app
        .progress_quality_measure(&identity.actor(), id, to, &note, form_version(&pairs))
        .await
        .map(|_| "progress")
        .map_err(WebError::from);
    after(&state, &identity, id, outcome, note).await
}

/// `POST /quality/measures/{id}/instruction`: the manager's `text`.
pub async fn instruct(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let text = field(&pairs, "text").to_owned();
    let outcome = state
        .app
        .instruct_quality_measure(&identity.actor(), id, &text, form_version(&pairs))
        .await
        .map(|_| "instructed")
        .map_err(WebError::from);
    after(&state, &identity, id, outcome, text).await
}

/// `POST /quality/measures/{id}/verification`: `effective=1|0` and a `note`.
pub async fn verify(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let note = field(&pairs, "note").to_owned();
    let effective = field(&pairs, "effective") == "1";
    let outcome = state
        .app
        .verify_quality_measure(
            &identity.actor(),
            id,
            effective,
            &note,
            form_version(&pairs),
        )
        .await
        .map(|_| "verified")
        .map_err(WebError::from);
    after(&state, &identity, id, outcome, note).await
}
