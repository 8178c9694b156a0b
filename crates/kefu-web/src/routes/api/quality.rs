//! 服务质量 over the API: the scorecards inspections are scored on.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::quality::{ScorecardForm, ScorecardVersion, ScorecardView};
use kefu_domain::quality::{Item, Scorecard, Section};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// One item scored.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardItemIo {
    /// A stable key within the scorecard: letters, digits and `_`, at most 20.
    pub key: String,
    pub name: String,
    /// Points of 100; the weights of all items sum to 100.
    pub weight: u8,
    /// Levels of its scale, 2 (no/yes) to 11 (0–10); a score is 0 to `levels - 1`.
    pub levels: u8,
    /// A zero on it fails the inspection whatever the total.
    #[serde(default)]
    pub critical: bool,
    /// The channels it applies to (`phone`, `email`, `chat`…); empty: all.
    #[serde(default)]
    pub channels: Vec<String>,
    /// What the inspector looks for, and the norm's source.
    #[serde(default)]
    pub guide: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardSectionIo {
    pub name: String,
    pub items: Vec<ScorecardItemIo>,
}

/// 质检评分表 — a scorecard's current version.
#[derive(Serialize, ToSchema)]
pub struct ScorecardOut {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// The current version's number.
    pub version: i64,
    /// The lowest passing score, 0–100.
    pub pass_mark: u8,
    pub sections: Vec<ScorecardSectionIo>,
}

/// A version in a scorecard's history.
#[derive(Serialize, ToSchema)]
pub struct ScorecardVersionOut {
    pub number: i64,
    pub note: String,
    pub by: Option<String>,
    pub at: String,
    pub pass_mark: u8,
    pub sections: Vec<ScorecardSectionIo>,
}

/// A scorecard with its history, newest first.
#[derive(Serialize, ToSchema)]
pub struct ScorecardDetail {
    #[serde(flatten)]
    pub scorecard: ScorecardOut,
    pub versions: Vec<ScorecardVersionOut>,
}

fn sections_out(card: Scorecard) -> Vec<ScorecardSectionIo> {
    card.sections
        .into_iter()
        .map(|s| ScorecardSectionIo {
            name: s.name,
            items: s
                .items
                .into_iter()
                .map(|i| ScorecardItemIo {
                    key: i.key,
                    name: i.name,
                    weight: i.weight,
                    levels: i.levels,
                    critical: i.critical,
                    channels: i.channels,
                    guide: i.guide,
                })
                .collect(),
        })
        .collect()
}

fn scorecard_out(v: ScorecardView) -> ScorecardOut {
    ScorecardOut {
        id: v.id,
        name: v.name,
        active: v.active,
        version: v.version,
        pass_mark: v.card.pass_mark,
        sections: sections_out(v.card),
    }
}

fn version_out(v: ScorecardVersion) -> ScorecardVersionOut {
    ScorecardVersionOut {
        number: v.number,
        note: v.note,
        by: v.by,
        at: rfc3339(v.at),
        pass_mark: v.card.pass_mark,
        sections: sections_out(v.card),
    }
}

/// Every scorecard, by name (the shipped one is written the first time).
#[utoipa::path(get, path = "/api/v1/quality/scorecards", tag = "quality",
    responses((status = 200, description = "The scorecards", body = Vec<ScorecardOut>)))]
pub async fn scorecards(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<ScorecardOut>>, WebError> {
    let list = state.app.quality_scorecards(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(scorecard_out).collect()))
}

/// A scorecard and its versions.
#[utoipa::path(get, path = "/api/v1/quality/scorecards/{id}", tag = "quality",
    params(("id" = i64, Path, description = "scorecard id")),
    responses(
        (status = 200, description = "The scorecard", body = ScorecardDetail),
        (status = 404, description = "No such scorecard", body = ErrorBody),
    ))]
pub async fn scorecard(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ScorecardDetail>, WebError> {
    let (card, versions) = state.app.quality_scorecard(&identity.actor(), id).await?;
    Ok(Json(ScorecardDetail {
        scorecard: scorecard_out(card),
        versions: versions.into_iter().map(version_out).collect(),
    }))
}

/// A scorecard to add or save.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScorecardIn {
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
    /// The lowest passing score, 0–100.
    pub pass_mark: u8,
    pub sections: Vec<ScorecardSectionIo>,
    /// What changed, kept with the version (at most 200 characters).
    #[serde(default)]
    pub note: String,
    /// Saving: the version the edit was made from (412 `stale_version` when another was
    /// saved since). Ignored when adding.
    pub based_on_version: Option<i64>,
}

fn yes() -> bool {
    true
}

fn form_of(b: ScorecardIn) -> ScorecardForm {
    ScorecardForm {
        name: b.name,
        active: b.active,
        note: b.note,
        card: Scorecard {
            pass_mark: b.pass_mark,
            sections: b
                .sections
                .into_iter()
                .map(|s| Section {
                    name: s.name,
                    items: s
                        .items
                        .into_iter()
                        .map(|i| Item {
                            key: i.key,
                            name: i.name,
                            weight: i.weight,
                            levels: i.levels,
                            critical: i.critical,
                            channels: i.channels,
                            guide: i.guide,
                        })
                        .collect(),
                })
                .collect(),
        },
    }
}

/// The version saved.
#[derive(Serialize, ToSchema)]
pub struct ScorecardSaved {
    pub id: i64,
    pub version: i64,
}

/// Adds a scorecard.
#[utoipa::path(post, path = "/api/v1/quality/scorecards", tag = "quality",
    request_body = ScorecardIn,
    responses(
        (status = 201, description = "Added", body = ScorecardSaved),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 422, description = "`scorecard_weights` (the weights do not sum to 100), \
            `scorecard_empty`, `scorecard_empty_section`, `scorecard_too_many_items`, \
            `scorecard_no_name`, `scorecard_name_too_long`, `scorecard_guide_too_long`, \
            `scorecard_zero_weight`, `scorecard_bad_levels`, `scorecard_bad_key`, \
            `scorecard_unknown_channel`, `scorecard_bad_pass_mark`, `scorecard_note_too_long`", body = ErrorBody),
    ))]
pub async fn create_scorecard(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<ScorecardIn>,
) -> Result<(StatusCode, Json<ScorecardSaved>), WebError> {
    let id = state
        .app
        .create_quality_scorecard(&identity.actor(), &form_of(b))
        .await?;
    Ok((StatusCode::CREATED, Json(ScorecardSaved { id, version: 1 })))
}

/// Saves a new version of a scorecard; inspections already scored keep theirs.
#[utoipa::path(put, path = "/api/v1/quality/scorecards/{id}", tag = "quality",
    request_body = ScorecardIn,
    params(("id" = i64, Path, description = "scorecard id")),
    responses(
        (status = 200, description = "Saved", body = ScorecardSaved),
        (status = 404, description = "No such scorecard", body = ErrorBody),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 412, description = "`stale_version`: another version was saved since \
            `based_on_version`", body = ErrorBody),
        (status = 422, description = "`scorecard_weights` (the weights do not sum to 100), \
            `scorecard_empty`, `scorecard_empty_section`, `scorecard_too_many_items`, \
            `scorecard_no_name`, `scorecard_name_too_long`, `scorecard_guide_too_long`, \
            `scorecard_zero_weight`, `scorecard_bad_levels`, `scorecard_bad_key`, \
            `scorecard_unknown_channel`, `scorecard_bad_pass_mark`, `scorecard_note_too_long`", body = ErrorBody),
    ))]
pub async fn save_scorecard(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ScorecardIn>,
) -> Result<Json<ScorecardSaved>, WebError> {
    let based_on = b.based_on_version.unwrap_or(0);
    let version = state
        .app
        .save_quality_scorecard(&identity.actor(), id, based_on, &form_of(b))
        .await?;
    Ok(Json(ScorecardSaved { id, version }))
}
