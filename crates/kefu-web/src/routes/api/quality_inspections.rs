//! 质检 over the API: the quality settings, the daily samples, the inspections with their
//! scores, the agent's acknowledgement or appeal and the manager's decision. Writes to an
//! inspection or the settings honour `If-Match` with the version `ETag` gave.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::quality::{InspectionScope, InspectionView, ItemScoreForm, ScoreForm, SourceView};
use kefu_domain::quality::sample::SampleRules;
use kefu_domain::quality::{AppealDecision, InspectionStatus, QualitySettings};
use kefu_store::quality::inspection::{InspectionRow, SampleRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// 质检设置
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QualitySettingsBody {
    /// Random tickets per agent per day, 0–50.
    pub per_agent: u16,
    /// At least this many items per channel (`{"email": 5}`), 0–500 each.
    #[serde(default)]
    pub channel_quotas: BTreeMap<String, u16>,
    pub all_complaints: bool,
    /// Every survey answered at or under the low mark.
    pub all_low_csat: bool,
    pub all_sla_breaches: bool,
    /// Every call of at least this many minutes (1–600); `null`: none by length.
    pub calls_over_minutes: Option<u16>,
    /// Every visit done without a call to prove it.
    pub all_unverified_visits: bool,
    /// Days an agent has to appeal a result, 1–30.
    pub appeal_days: u8,
    /// The phrases hinted in agents' written replies (at most 200, 20 characters each).
    pub phrases: Vec<String>,
}

fn settings_body(s: QualitySettings) -> QualitySettingsBody {
    QualitySettingsBody {
        per_agent: s.rules.per_agent,
        channel_quotas: s.rules.channel_quotas,
        all_complaints: s.rules.all_complaints,
        all_low_csat: s.rules.all_low_csat,
        all_sla_breaches: s.rules.all_sla_breaches,
        calls_over_minutes: s.rules.calls_over_minutes,
        all_unverified_visits: s.rules.all_unverified_visits,
        appeal_days: s.appeal_days,
        phrases: s.phrases,
    }
}

/// The quality settings; `ETag` carries their version.
#[utoipa::path(get, path = "/api/v1/quality/settings", tag = "quality",
    responses((status = 200, description = "The settings", body = QualitySettingsBody)))]
pub async fn quality_settings(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Tagged<QualitySettingsBody>, WebError> {
    let (s, version) = state.app.quality_settings(&identity.actor()).await?;
    Ok(tagged(version, settings_body(s)))
}

/// Saves the quality settings; the next sample is drawn by them.
#[utoipa::path(put, path = "/api/v1/quality/settings", tag = "quality",
    request_body = QualitySettingsBody,
    responses(
        (status = 200, description = "Saved", body = QualitySettingsBody),
        (status = 422, description = "`quality_per_agent_too_many`, `quality_quota_too_large`, \
            `quality_unknown_channel`, `quality_bad_call_minutes`, `quality_bad_appeal_days`, \
            `quality_phrases_too_many`, `quality_phrase_too_long`", body = ErrorBody),
    ))]
pub async fn save_quality_settings(
    State(state): State<AppState>,
    identity: Identity,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<QualitySettingsBody>,
) -> Result<Tagged<QualitySettingsBody>, WebError> {
    let phrases = kefu_domain::quality::phrases::parse(&b.phrases.join("\n"))
        .map_err(|e| kefu_app::AppError::from(kefu_domain::quality::InspectionError::from(e)))?;
    let settings = QualitySettings {
        rules: SampleRules {
            per_agent: b.per_agent,
            channel_quotas: b.channel_quotas,
            all_complaints: b.all_complaints,
            all_low_csat: b.all_low_csat,
            all_sla_breaches: b.all_sla_breaches,
            calls_over_minutes: b.calls_over_minutes,
            all_unverified_visits: b.all_unverified_visits,
        },
        appeal_days: b.appeal_days,
        phrases,
    };
    let actor = identity.actor();
    state
        .app
        .save_quality_settings(&actor, settings, expected)
        .await?;
    let (s, version) = state.app.quality_settings(&actor).await?;
    Ok(tagged(version, settings_body(s)))
}

/// 每日抽检 — a day's sample.
#[derive(Serialize, ToSchema)]
pub struct SampleOut {
    pub id: i64,
    /// The business day, `YYYY-MM-DD`.
    pub date: String,
    /// The work drawn from: done from `covers_from` up to `covers_to`.
    pub covers_from: String,
    pub covers_to: String,
    /// The draw's seed: the same rules, seed and candidates draw the same sample.
    pub seed: String,
    /// The rules it was drawn by, as the settings' `per_agent`, `channel_quotas`… name them.
    #[schema(value_type = Object)]
    pub rules: serde_json::Value,
    pub candidates: i64,
    pub inspections: i64,
    pub drawn_at: String,
    /// Who drew it by hand; `null`: the daily job.
    pub drawn_by: Option<String>,
}

fn sample_out(s: SampleRow) -> SampleOut {
    SampleOut {
        id: s.id,
        date: s.sample_date,
        covers_from: rfc3339(s.covers_from),
        covers_to: rfc3339(s.covers_to),
        seed: s.seed,
        rules: serde_json::from_str(&s.rules).unwrap_or_default(),
        candidates: s.candidates,
        inspections: s.inspections,
        drawn_at: rfc3339(s.drawn_at),
        drawn_by: s.drawn_by_name,
    }
}

/// The latest samples, the newest first.
#[utoipa::path(get, path = "/api/v1/quality/samples", tag = "quality",
    responses((status = 200, description = "The samples", body = Vec<SampleOut>)))]
pub async fn quality_samples(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<SampleOut>>, WebError> {
    let list = state.app.quality_samples(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(sample_out).collect()))
}

/// What a draw made.
#[derive(Serialize, ToSchema)]
pub struct DrawnOut {
    pub sample_id: i64,
    pub date: String,
    pub candidates: usize,
    pub inspections: usize,
}

/// Draws today's sample now, without waiting for the job's unannounced minute.
#[utoipa::path(post, path = "/api/v1/quality/samples", tag = "quality",
    responses(
        (status = 201, description = "Drawn", body = DrawnOut),
        (status = 409, description = "`quality_sample_drawn`: today's was drawn already", body = ErrorBody),
    ))]
pub async fn draw_sample(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<(StatusCode, Json<DrawnOut>), WebError> {
    let d = state.app.draw_quality_sample(&identity.actor()).await?;
    Ok((
        StatusCode::CREATED,
        Json(DrawnOut {
            sample_id: d.sample_id,
            date: d.date.to_string(),
            candidates: d.candidates,
            inspections: d.inspections,
        }),
    ))
}

/// 质检 — an inspection.
#[derive(Serialize, ToSchema)]
pub struct InspectionOut {
    pub id: i64,
    pub sample_date: String,
    /// `ticket`, `call` or `visit`.
    pub source_kind: String,
    pub source_id: i64,
    pub ticket_number: Option<String>,
    /// Why it is in the sample: `per_agent`, `channel_quota`, `complaint`, `low_csat`,
    /// `sla_breach`, `long_call`, `unverified_visit`.
    pub rule: String,
    pub agent_id: i64,
    pub agent_name: String,
    pub channel: String,
    /// `null`: not assigned (any inspector may score it).
    pub inspector_id: Option<i64>,
    pub inspector_name: Option<String>,
    /// `assigned`, `scored`, `acknowledged`, `appealed`, `upheld`, `rescoring`, `revised`.
    pub status: String,
    /// The score in tenths of a point (875 is 87.5).
    pub score_tenths: Option<i64>,
    pub passed: Option<bool>,
    /// Failed on a critical item.
    pub critical_failed: Option<bool>,
    pub comment: String,
    pub scored_at: Option<String>,
    /// Until when the agent may appeal.
    pub appeal_due_at: Option<String>,
    pub acknowledged_at: Option<String>,
    pub appeal_reason: String,
    pub appealed_at: Option<String>,
    /// `uphold` or `rescore`.
    pub decision: Option<String>,
    pub decision_note: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    /// Send as `If-Match` (`"7"`) with a step.
    pub version: i64,
}

fn inspection_out(r: InspectionRow) -> InspectionOut {
    InspectionOut {
        id: r.id,
        sample_date: r.sample_date,
        source_kind: r.source_kind,
        source_id: r.source_id,
        ticket_number: r.ticket_number,
        rule: r.rule,
        agent_id: r.agent_id,
        agent_name: r.agent_name,
        channel: r.channel,
        inspector_id: r.inspector_id,
        inspector_name: r.inspector_name,
        status: r.status,
        score_tenths: r.score_tenths,
        passed: r.passed,
        critical_failed: r.critical_failed,
        comment: r.comment,
        scored_at: r.scored_at.map(rfc3339),
        appeal_due_at: r.appeal_due_at.map(rfc3339),
        acknowledged_at: r.acknowledged_at.map(rfc3339),
        appeal_reason: r.appeal_reason,
        appealed_at: r.appealed_at.map(rfc3339),
        decision: r.decision,
        decision_note: r.decision_note,
        decided_by: r.decided_by_name,
        decided_at: r.decided_at.map(rfc3339),
        version: r.version,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionParams {
    /// `todo` (assigned to the caller, waiting for a score), `all`, or `mine` (the caller's
    /// own results; the default without `quality_inspect`).
    pub scope: Option<String>,
    /// Only inspections standing at this status.
    pub status: Option<String>,
}

/// Inspections, the newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/quality/inspections", tag = "quality",
    params(InspectionParams),
    responses(
        (status = 200, description = "The inspections", body = Vec<InspectionOut>),
        (status = 422, description = "`unknown_value`: scope or status", body = ErrorBody),
    ))]
pub async fn inspections(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<InspectionParams>,
) -> Result<Json<Vec<InspectionOut>>, WebError> {
    let scope = match p.scope.as_deref().unwrap_or("mine") {
        "todo" => InspectionScope::ToInspect,
        "all" => InspectionScope::Everyone,
        "mine" => InspectionScope::MyResults,
        other => {
            return Err(crate::input::unknown_value(
                "scope",
                other,
                vec!["todo", "all", "mine"],
            ));
        }
    };
    let status = parse_optional_key::<InspectionStatus>("status", p.status.as_deref())?;
    let list = state
        .app
        .quality_inspections(&identity.actor(), scope, status)
        .await?;
    Ok(Json(list.into_iter().map(inspection_out).collect()))
}

/// One item of the scorecard, with its score when given.
#[derive(Serialize, ToSchema)]
pub struct ItemOut {
    pub key: String,
    pub section: String,
    pub name: String,
    pub weight: u8,
    /// A score is 0 to `levels - 1`.
    pub levels: u8,
    pub critical: bool,
    /// It applies to the inspection's channel.
    pub applies: bool,
    /// The score given; `null` with `scored: true` is "not applicable".
    pub score: Option<i64>,
    pub scored: bool,
    pub comment: String,
    pub evidence: String,
}

/// A line of the conversation inspected.
#[derive(Serialize, ToSchema)]
pub struct LineOut {
    pub id: i64,
    pub at: String,
    /// `staff`, `customer` or `system`.
    pub author_kind: String,
    pub author_name: String,
    pub internal: bool,
    pub body: String,
    /// The phrases hinted in it (a hint for the inspector, not a verdict).
    pub hinted: Vec<String>,
}

/// An inspection with its scorecard and what was inspected.
#[derive(Serialize, ToSchema)]
pub struct InspectionDetail {
    #[serde(flatten)]
    pub inspection: InspectionOut,
    /// The scorecard version it is (or will be) scored on: send it with the score.
    pub scorecard_version_id: i64,
    pub pass_mark: u8,
    pub items: Vec<ItemOut>,
    pub lines: Vec<LineOut>,
    /// A call's recording, at the telephone system.
    pub recording_url: Option<String>,
}

fn detail(v: InspectionView) -> InspectionDetail {
    let channel = v.inspection.channel.clone();
    let items = v
        .card
        .sections
        .iter()
        .flat_map(|s| s.items.iter().map(move |i| (s, i)))
        .map(|(s, i)| {
            let given = v.scores.iter().find(|x| x.item_key == i.key);
            ItemOut {
                key: i.key.clone(),
                section: s.name.clone(),
                name: i.name.clone(),
                weight: i.weight,
                levels: i.levels,
                critical: i.critical,
                applies: i.channels.is_empty() || i.channels.contains(&channel),
                score: given.and_then(|x| x.score),
                scored: given.is_some(),
                comment: given.map(|x| x.comment.clone()).unwrap_or_default(),
                evidence: given.map(|x| x.evidence.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let (lines, recording_url) = match v.source {
        SourceView::Ticket { lines, .. } => (lines, None),
        SourceView::Call { call, lines } => (lines, call.recording_url),
        _ => (Vec::new(), None),
    };
    InspectionDetail {
        scorecard_version_id: v.card_version_id,
        pass_mark: v.card.pass_mark,
        items,
        lines: lines
            .into_iter()
            .map(|l| LineOut {
                hinted: l
                    .pieces
                    .iter()
                    .filter(|(_, h)| *h)
                    .map(|(p, _)| p.clone())
                    .collect(),
                body: l.pieces.into_iter().map(|(p, _)| p).collect(),
                id: l.id,
                at: rfc3339(l.at),
                author_kind: l.author_kind,
                author_name: l.author_name,
                internal: l.internal,
            })
            .collect(),
        recording_url,
        inspection: inspection_out(v.inspection),
    }
}

async fn tagged_detail(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Tagged<InspectionDetail>, WebError> {
    let v = state.app.quality_inspection(&identity.actor(), id).await?;
    Ok(tagged(v.inspection.version, detail(v)))
}

/// An inspection, its scorecard and what was inspected; `ETag` carries its version. An
/// agent reads their own once scored; to anyone else without `quality_inspect` it is 404.
#[utoipa::path(get, path = "/api/v1/quality/inspections/{id}", tag = "quality",
    params(("id" = i64, Path, description = "inspection id")),
    responses(
        (status = 200, description = "The inspection", body = InspectionDetail),
        (status = 404, description = "No such inspection (or not the caller's)", body = ErrorBody),
    ))]
pub async fn inspection(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<InspectionDetail>, WebError> {
    tagged_detail(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemScoreIn {
    pub key: String,
    /// 0 to `levels - 1`; `null`: not applicable. Every item that applies is given.
    pub score: Option<u8>,
    #[serde(default)]
    pub comment: String,
    /// A quoted line, a time in the recording (`03:25`); at most 500 characters.
    #[serde(default)]
    pub evidence: String,
}

/// The items as the use case takes them.
pub(super) fn item_forms(items: Vec<ItemScoreIn>) -> Vec<ItemScoreForm> {
    items
        .into_iter()
        .map(|i| ItemScoreForm {
            key: i.key,
            score: i.score,
            comment: i.comment,
            evidence: i.evidence,
        })
        .collect()
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreIn {
    /// The scorecard version scored on, as the inspection gave it.
    pub scorecard_version_id: i64,
    pub items: Vec<ItemScoreIn>,
    #[serde(default)]
    pub comment: String,
}

/// Scores an inspection; the agent is told and may acknowledge or appeal.
#[utoipa::path(post, path = "/api/v1/quality/inspections/{id}/score", tag = "quality",
    params(("id" = i64, Path, description = "inspection id")), request_body = ScoreIn,
    responses(
        (status = 200, description = "Scored", body = InspectionDetail),
        (status = 403, description = "`inspection_not_yours`, `inspection_own_work`", body = ErrorBody),
        (status = 404, description = "No such inspection or scorecard version", body = ErrorBody),
        (status = 409, description = "`inspection_not_open`", body = ErrorBody),
        (status = 422, description = "`score_out_of_scale`, `score_unknown_item`, \
            `score_not_scored`, `score_not_applicable`, `score_nothing_scored`, \
            `inspection_text_too_long`", body = ErrorBody),
    ))]
pub async fn score_inspection(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<ScoreIn>,
) -> Result<Tagged<InspectionDetail>, WebError> {
    let form = ScoreForm {
        card_version_id: b.scorecard_version_id,
        items: item_forms(b.items),
        comment: b.comment,
    };
    state
        .app
        .score_inspection(&identity.actor(), id, &form, expected)
        .await?;
    tagged_detail(&state, &identity, id).await
}

/// The agent accepts the result.
#[utoipa::path(post, path = "/api/v1/quality/inspections/{id}/acknowledge", tag = "quality",
    params(("id" = i64, Path, description = "inspection id")),
    responses(
        (status = 200, description = "Acknowledged", body = InspectionDetail),
        (status = 403, description = "`inspection_not_your_result`", body = ErrorBody),
        (status = 404, description = "No such inspection (or not the caller's)", body = ErrorBody),
        (status = 409, description = "`inspection_no_result`, `inspection_appeal_closed`", body = ErrorBody),
    ))]
pub async fn acknowledge_inspection(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<Tagged<InspectionDetail>, WebError> {
    state
        .app
        .acknowledge_inspection(&identity.actor(), id, expected)
        .await?;
    tagged_detail(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealIn {
    /// Why the result is wrong; 1–1000 characters.
    pub reason: String,
}

/// 申诉 — the agent appeals the result within the appeal days; the managers are told.
#[utoipa::path(post, path = "/api/v1/quality/inspections/{id}/appeal", tag = "quality",
    params(("id" = i64, Path, description = "inspection id")), request_body = AppealIn,
    responses(
        (status = 200, description = "Appealed", body = InspectionDetail),
        (status = 403, description = "`inspection_not_your_result`", body = ErrorBody),
        (status = 404, description = "No such inspection (or not the caller's)", body = ErrorBody),
        (status = 409, description = "`inspection_no_result`, `inspection_appeal_closed`", body = ErrorBody),
        (status = 422, description = "`inspection_no_reason`, `inspection_text_too_long`", body = ErrorBody),
    ))]
pub async fn appeal_inspection(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AppealIn>,
) -> Result<Tagged<InspectionDetail>, WebError> {
    state
        .app
        .appeal_inspection(&identity.actor(), id, &b.reason, expected)
        .await?;
    tagged_detail(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealDecisionIn {
    /// `uphold` (the score stands) or `rescore` (the inspector scores again, finally).
    pub decision: String,
    #[serde(default)]
    pub note: String,
}

/// 申诉裁决 — the manager decides an appeal.
#[utoipa::path(post, path = "/api/v1/quality/inspections/{id}/decision", tag = "quality",
    params(("id" = i64, Path, description = "inspection id")), request_body = AppealDecisionIn,
    responses(
        (status = 200, description = "Decided", body = InspectionDetail),
        (status = 403, description = "`inspection_own_work`", body = ErrorBody),
        (status = 404, description = "No such inspection", body = ErrorBody),
        (status = 409, description = "`inspection_not_appealed`", body = ErrorBody),
        (status = 422, description = "`unknown_value`, `inspection_text_too_long`", body = ErrorBody),
    ))]
pub async fn decide_appeal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AppealDecisionIn>,
) -> Result<Tagged<InspectionDetail>, WebError> {
    let decision = parse_key::<AppealDecision>("decision", &b.decision)?;
    state
        .app
        .decide_quality_appeal(&identity.actor(), id, decision, &b.note, expected)
        .await?;
    tagged_detail(&state, &identity, id).await
}
