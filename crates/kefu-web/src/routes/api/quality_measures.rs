//! 改善措施 over the API: planning a measure on an anomaly, the lists, one measure, and its
//! steps (progress, instruction, verification), each with `If-Match`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::quality::{MeasureForm, MeasureScope, MeasureView};
use kefu_domain::quality::measure::{MeasureKind, MeasureStatus};
use kefu_store::quality::measure::MeasureRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, Created, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// 改善措施 — a measure.
#[derive(Serialize, ToSchema)]
pub struct MeasureOut {
    pub id: i64,
    pub anomaly_id: i64,
    pub anomaly_number: String,
    /// `corrective` or `preventive`.
    pub kind: String,
    pub body: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_on: String,
    /// The manager's instruction.
    pub instruction: String,
    pub instructed_by: Option<String>,
    pub instructed_at: Option<String>,
    /// `planned`, `in_progress`, `done`, `effective` or `not_effective`.
    pub status: String,
    pub progress_note: String,
    pub done_on: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    pub verdict_note: String,
    /// Anomalies of the same service item and cause since it was done (kept at
    /// verification; counted so far before).
    pub recurrences: Option<i64>,
    /// The first day it may be verified, once done.
    pub verify_from: Option<String>,
    pub overdue_days: i32,
    /// Send as `If-Match` (`"7"`) with a step.
    pub version: i64,
}

pub(super) fn measure_out(m: MeasureRow) -> MeasureOut {
    MeasureOut {
        id: m.id,
        anomaly_id: m.anomaly_id,
        anomaly_number: m.anomaly_number,
        kind: m.kind,
        body: m.body,
        owner_id: m.owner_id,
        owner_name: m.owner_name,
        due_on: m.due_on,
        instruction: m.instruction,
        instructed_by: m.instructed_by_name,
        instructed_at: m.instructed_at.map(rfc3339),
        status: m.status,
        progress_note: m.progress_note,
        done_on: m.done_on,
        verified_by: m.verified_by_name,
        verified_at: m.verified_at.map(rfc3339),
        verdict_note: m.verdict_note,
        recurrences: m.recurrences,
        verify_from: None,
        overdue_days: 0,
        version: m.version,
    }
}

fn view_out(v: MeasureView) -> MeasureOut {
    MeasureOut {
        recurrences: v.recurrences,
        verify_from: v.verify_from.map(|d| d.to_string()),
        overdue_days: v.overdue_days,
        ..measure_out(v.measure)
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureIn {
    /// `corrective` or `preventive`.
    pub kind: String,
    /// What is to be done; 1–2000 characters.
    pub body: String,
    pub owner_id: i64,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
}

/// Plans a measure on an anomaly; its owner is told.
#[utoipa::path(post, path = "/api/v1/quality/anomalies/{id}/measures", tag = "quality",
    params(("id" = i64, Path, description = "anomaly id")), request_body = MeasureIn,
    responses(
        (status = 201, description = "Planned", body = Created),
        (status = 400, description = "`invalid_field`: `due_on` is not a date", body = ErrorBody),
        (status = 404, description = "No such anomaly or owner", body = ErrorBody),
        (status = 422, description = "`measure_no_text`, `measure_text_too_long`, \
            `measure_due_in_past`, `date_out_of_range`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn plan_measure(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<MeasureIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let form = MeasureForm {
        kind: parse_key::<MeasureKind>("kind", &b.kind)?,
        body: b.body,
        owner_id: b.owner_id,
        due_on: kefu_domain::dates::parse("due_on", &b.due_on)?,
    };
    let id = state
        .app
        .plan_quality_measure(&identity.actor(), id, &form)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeasureParams {
    /// `mine` (the default) or `all` (with `quality_inspect`).
    pub scope: Option<String>,
    /// Only those still to be carried out.
    #[serde(default)]
    pub pending: bool,
}

/// Measures, the soonest due first (at most 500).
#[utoipa::path(get, path = "/api/v1/quality/measures", tag = "quality", params(MeasureParams),
    responses(
        (status = 200, description = "The measures", body = Vec<MeasureOut>),
        (status = 422, description = "`unknown_value`: scope", body = ErrorBody),
    ))]
pub async fn measures(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<MeasureParams>,
) -> Result<Json<Vec<MeasureOut>>, WebError> {
    let scope = match p.scope.as_deref().unwrap_or("mine") {
        "mine" => MeasureScope::Mine,
        "all" => MeasureScope::Everyone,
        other => {
            return Err(crate::input::unknown_value(
                "scope",
                other,
                vec!["mine", "all"],
            ));
        }
    };
    let list = state
        .app
        .quality_measures(&identity.actor(), scope, p.pending)
        .await?;
    Ok(Json(list.into_iter().map(measure_out).collect()))
}

async fn tagged_view(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Tagged<MeasureOut>, WebError> {
    let v = state.app.quality_measure(&identity.actor(), id).await?;
    Ok(tagged(v.measure.version, view_out(v)))
}

/// A measure, for quality or its owner (404 to anyone else); `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/quality/measures/{id}", tag = "quality",
    params(("id" = i64, Path, description = "measure id")),
    responses(
        (status = 200, description = "The measure", body = MeasureOut),
        (status = 404, description = "No such measure (or not the caller's)", body = ErrorBody),
    ))]
pub async fn measure(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<MeasureOut>, WebError> {
    tagged_view(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgressIn {
    /// `in_progress` or `done`.
    pub status: String,
    #[serde(default)]
    pub note: String,
}

/// The owner reports progress.
#[utoipa::path(post, path = "/api/v1/quality/measures/{id}/progress", tag = "quality",
    params(("id" = i64, Path, description = "measure id")), request_body = ProgressIn,
    responses(
        (status = 200, description = "Recorded", body = MeasureOut),
        (status = 403, description = "`measure_not_owner`", body = ErrorBody),
        (status = 404, description = "No such measure (or not the caller's)", body = ErrorBody),
        (status = 409, description = "`measure_bad_move`", body = ErrorBody),
        (status = 422, description = "`measure_text_too_long`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn progress_measure(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<ProgressIn>,
) -> Result<Tagged<MeasureOut>, WebError> {
    let to = parse_key::<MeasureStatus>("status", &b.status)?;
    state
        .app
        .progress_quality_measure(&identity.actor(), id, to, &b.note, expected)
        .await?;
    tagged_view(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InstructionIn {
    /// 1–2000 characters.
    pub text: String,
}

/// 经理指示 — the manager's instruction on a measure; its owner is told.
#[utoipa::path(post, path = "/api/v1/quality/measures/{id}/instruction", tag = "quality",
    params(("id" = i64, Path, description = "measure id")), request_body = InstructionIn,
    responses(
        (status = 200, description = "Recorded", body = MeasureOut),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 422, description = "`measure_no_text`, `measure_text_too_long`", body = ErrorBody),
    ))]
pub async fn instruct_measure(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<InstructionIn>,
) -> Result<Tagged<MeasureOut>, WebError> {
    state
        .app
        .instruct_quality_measure(&identity.actor(), id, &b.text, expected)
        .await?;
    tagged_view(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationIn {
    pub effective: bool,
    #[serde(default)]
    pub note: String,
}

/// Verifies a measure done: effective, or not (its anomaly opens again).
#[utoipa::path(post, path = "/api/v1/quality/measures/{id}/verification", tag = "quality",
    params(("id" = i64, Path, description = "measure id")), request_body = VerificationIn,
    responses(
        (status = 200, description = "Verified", body = MeasureOut),
        (status = 403, description = "`measure_owner_verifies`", body = ErrorBody),
        (status = 404, description = "No such measure", body = ErrorBody),
        (status = 409, description = "`measure_not_done`, `measure_too_early`", body = ErrorBody),
        (status = 422, description = "`measure_text_too_long`", body = ErrorBody),
    ))]
pub async fn verify_measure(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<VerificationIn>,
) -> Result<Tagged<MeasureOut>, WebError> {
    state
        .app
        .verify_quality_measure(&identity.actor(), id, b.effective, &b.note, expected)
        .await?;
    tagged_view(&state, &identity, id).await
}
