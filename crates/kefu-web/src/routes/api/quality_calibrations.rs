//! 质检校准 over the API: asking a second inspector to score an inspection again, their
//! blind score, and the calibrations with the inspectors' agreement.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::quality::{CalibrationOverview, CalibrationRound, ScoreForm};
use kefu_domain::quality::calibration::Agreement;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::quality_inspections::{ItemScoreIn, item_forms};
use super::{ApiJson, Created, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationAskIn {
    /// The second inspector: another quality inspector than the first, not the agent.
    pub inspector_id: i64,
}

/// Asks another inspector to score a scored inspection again, blind; they are told.
#[utoipa::path(post, path = "/api/v1/quality/inspections/{id}/calibrations", tag = "quality",
    params(("id" = i64, Path, description = "inspection id")), request_body = CalibrationAskIn,
    responses(
        (status = 201, description = "Asked", body = Created),
        (status = 404, description = "No such inspection or user", body = ErrorBody),
        (status = 409, description = "`calibration_not_scored`, `calibration_asked`", body = ErrorBody),
        (status = 422, description = "`calibration_same_inspector`, `calibration_own_work`, \
            `calibration_not_inspector`", body = ErrorBody),
    ))]
pub async fn ask_calibration(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CalibrationAskIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let id = state
        .app
        .ask_quality_calibration(&identity.actor(), id, b.inspector_id)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalibrationScoreIn {
    /// Every item that applies, on the inspection's scorecard version.
    pub items: Vec<ItemScoreIn>,
    #[serde(default)]
    pub comment: String,
}

/// The calibrating inspector's blind score; the first inspector and who asked are told.
#[utoipa::path(post, path = "/api/v1/quality/calibrations/{id}/score", tag = "quality",
    params(("id" = i64, Path, description = "calibration id")), request_body = CalibrationScoreIn,
    responses(
        (status = 204, description = "Scored"),
        (status = 403, description = "`calibration_not_yours`", body = ErrorBody),
        (status = 404, description = "No such calibration", body = ErrorBody),
        (status = 409, description = "`calibration_scored`", body = ErrorBody),
        (status = 422, description = "`score_out_of_scale`, `score_unknown_item`, \
            `score_not_scored`, `score_not_applicable`, `inspection_text_too_long`", body = ErrorBody),
    ))]
pub async fn score_calibration(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CalibrationScoreIn>,
) -> Result<StatusCode, WebError> {
    let form = ScoreForm {
        card_version_id: 0,
        items: item_forms(b.items),
        comment: b.comment,
    };
    state
        .app
        .score_quality_calibration(&identity.actor(), id, &form)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One item as the two inspectors scored it (`null`: not applicable).
#[derive(Serialize, ToSchema)]
pub struct CalibrationItemOut {
    pub key: String,
    pub first: Option<i64>,
    pub second: Option<i64>,
}

/// A calibration: the inspection's first score and the second, compared once both are in.
#[derive(Serialize, ToSchema)]
pub struct CalibrationOut {
    pub id: i64,
    pub inspection_id: i64,
    pub agent: String,
    pub first_inspector: Option<String>,
    pub inspector: String,
    /// `assigned` (waiting for the blind score) or `scored`.
    pub status: String,
    pub asked_at: String,
    pub scored_at: Option<String>,
    /// Tenths of a point.
    pub first_score_tenths: Option<i64>,
    pub score_tenths: Option<i64>,
    pub total_diff_tenths: Option<i64>,
    /// Items scored alike, of those compared.
    pub agreed: Option<usize>,
    pub compared: Option<usize>,
    pub same_verdict: Option<bool>,
    pub items: Vec<CalibrationItemOut>,
}

fn calibration_out(r: CalibrationRound) -> CalibrationOut {
    let c = r.calibration;
    let cmp = r.comparison;
    CalibrationOut {
        id: c.id,
        inspection_id: c.inspection_id,
        agent: c.agent_name,
        first_inspector: c.first_inspector_name,
        inspector: c.inspector_name,
        status: c.status,
        asked_at: rfc3339(c.asked_at),
        scored_at: c.scored_at.map(rfc3339),
        first_score_tenths: c.first_score_tenths,
        score_tenths: c.score_tenths,
        total_diff_tenths: cmp.as_ref().map(|x| x.total_diff_tenths),
        agreed: cmp.as_ref().map(|x| x.agreed),
        compared: cmp.as_ref().map(|x| x.compared),
        same_verdict: cmp.as_ref().map(|x| x.same_verdict),
        items: cmp
            .map(|x| {
                x.items
                    .into_iter()
                    .map(|i| CalibrationItemOut {
                        key: i.key,
                        first: i.first,
                        second: i.second,
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// How alike inspectors judge.
#[derive(Serialize, ToSchema)]
pub struct AgreementOut {
    /// The first inspector and the second (empty overall).
    pub first: String,
    pub second: String,
    pub rounds: i64,
    /// Items scored alike, per mille.
    pub item_permille: Option<i64>,
    /// Mean |second − first| total, tenths of a point.
    pub mean_distance_tenths: Option<i64>,
    /// Rounds with the same verdict, per mille.
    pub verdict_permille: Option<i64>,
}

fn agreement_out(first: String, second: String, a: &Agreement) -> AgreementOut {
    AgreementOut {
        first,
        second,
        rounds: a.rounds,
        item_permille: a.item_permille(),
        mean_distance_tenths: a.mean_distance_tenths(),
        verdict_permille: a.verdict_permille(),
    }
}

/// 质检校准 — mine to score, the rounds of the last 90 days, the agreement.
#[derive(Serialize, ToSchema)]
pub struct CalibrationsOut {
    pub waiting: Vec<CalibrationOut>,
    pub rounds: Vec<CalibrationOut>,
    pub overall: AgreementOut,
    pub pairs: Vec<AgreementOut>,
}

/// The caller's calibrations to score, every round of the last 90 days (at most 500) and
/// the inspectors' agreement, overall and per pair.
#[utoipa::path(get, path = "/api/v1/quality/calibrations", tag = "quality",
    responses((status = 200, description = "The calibrations", body = CalibrationsOut)))]
pub async fn quality_calibrations(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<CalibrationsOut>, WebError> {
    let CalibrationOverview {
        waiting,
        rounds,
        overall,
        pairs,
    } = state.app.quality_calibrations(&identity.actor()).await?;
    Ok(Json(CalibrationsOut {
        waiting: waiting
            .into_iter()
            .map(|c| {
                calibration_out(CalibrationRound {
                    calibration: c,
                    comparison: None,
                })
            })
            .collect(),
        rounds: rounds.into_iter().map(calibration_out).collect(),
        overall: agreement_out(String::new(), String::new(), &overall),
        pairs: pairs
            .into_iter()
            .map(|p| agreement_out(p.first, p.second, &p.agreement))
            .collect(),
    }))
}
