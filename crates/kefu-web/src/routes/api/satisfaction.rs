//! 满意度调查 over the API: the settings, the surveys, and the lead's follow-up of a low
//! score.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::satisfaction::SurveyScope;
use kefu_domain::satisfaction::CsatRules;
use kefu_domain::ticket::{Channel, TicketType};
use kefu_store::satisfaction::Survey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// 满意度调查设置
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CsatSettingsBody {
    /// Surveys are sent when tickets are resolved.
    pub active: bool,
    /// Ticket types surveyed (`inquiry`…); every type when empty.
    pub ticket_types: Vec<String>,
    /// Channels surveyed (`email`, `sms`, `wechat`…); every channel when empty.
    pub channels: Vec<String>,
    /// At most one survey per contact in this many days (0–365).
    pub quiet_days: i64,
    /// Days a link lasts (1–60).
    pub link_days: i64,
    /// Days an answer may be changed after it was given (0–30).
    pub change_days: i64,
    /// Scores at or under this (1–4) are low and wait for a lead's follow-up.
    pub low_score: i64,
}

fn settings_body(r: &CsatRules) -> CsatSettingsBody {
    CsatSettingsBody {
        active: r.active,
        ticket_types: r.ticket_types.iter().map(|t| t.key().to_owned()).collect(),
        channels: r.channels.iter().map(|c| c.key().to_owned()).collect(),
        quiet_days: r.quiet_days,
        link_days: r.link_days,
        change_days: r.change_days,
        low_score: r.low_score,
    }
}

/// The survey settings; `ETag` carries their version.
#[utoipa::path(get, path = "/api/v1/csat-settings", tag = "satisfaction",
    responses((status = 200, description = "The settings", body = CsatSettingsBody)))]
pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Tagged<CsatSettingsBody>, WebError> {
    let (r, version) = state.app.csat_settings(&identity.actor()).await?;
    Ok(tagged(version, settings_body(&r)))
}

/// Saves the survey settings. Out of range: 422 `follow_up_out_of_range` naming the field.
#[utoipa::path(put, path = "/api/v1/csat-settings", tag = "satisfaction",
    request_body = CsatSettingsBody,
    responses(
        (status = 200, description = "Saved", body = CsatSettingsBody),
        (status = 422, description = "`follow_up_out_of_range`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CsatSettingsBody>,
) -> Result<Tagged<CsatSettingsBody>, WebError> {
    let rules = CsatRules {
        active: b.active,
        ticket_types: b
            .ticket_types
            .iter()
            .map(|k| parse_key::<TicketType>("ticket_types", k))
            .collect::<Result<_, _>>()?,
        channels: b
            .channels
            .iter()
            .map(|k| parse_key::<Channel>("channels", k))
            .collect::<Result<_, _>>()?,
        quiet_days: b.quiet_days,
        link_days: b.link_days,
        change_days: b.change_days,
        low_score: b.low_score,
    };
    let actor = identity.actor();
    state
        .app
        .save_csat_settings(&actor, rules, expected)
        .await?;
    let (r, version) = state.app.csat_settings(&actor).await?;
    Ok(tagged(version, settings_body(&r)))
}

/// A survey sent after a ticket was resolved.
#[derive(Serialize, ToSchema)]
pub struct SurveyOut {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// Whose service is rated: the ticket's assignee when it was resolved.
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub channel: String,
    pub sent_at: String,
    pub expires_at: Option<String>,
    /// 1–5; `null` until answered.
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub answered_at: Option<String>,
    pub changed_at: Option<String>,
    /// At or under the low mark.
    pub low: bool,
    pub handled_at: Option<String>,
    pub handled_by: Option<String>,
    pub handling_note: Option<String>,
}

pub(crate) fn survey_out(s: Survey) -> SurveyOut {
    SurveyOut {
        id: s.id,
        ticket_id: s.ticket_id,
        ticket_number: s.ticket_number,
        customer_id: s.customer_id,
        customer_name: s.customer_name,
        agent_id: s.agent_id,
        agent_name: s.agent_name,
        channel: s.channel,
        sent_at: rfc3339(s.sent_at),
        expires_at: s.expires_at.map(rfc3339),
        score: s.score,
        comment: s.comment,
        answered_at: s.answered_at.map(rfc3339),
        changed_at: s.changed_at.map(rfc3339),
        low: s.low,
        handled_at: s.handled_at.map(rfc3339),
        handled_by: s.handled_by_name,
        handling_note: s.handling_note,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SurveyParams {
    /// Only low scores still waiting for a lead's follow-up.
    #[serde(default)]
    pub low: bool,
    /// Only answered surveys.
    #[serde(default)]
    pub answered: bool,
    /// Only the caller's own tickets (always so without `satisfaction_manage`).
    #[serde(default)]
    pub mine: bool,
}

/// Surveys sent, the latest answer first (at most 500).
#[utoipa::path(get, path = "/api/v1/csat-surveys", tag = "satisfaction", params(SurveyParams),
    responses((status = 200, description = "The surveys", body = Vec<SurveyOut>)))]
pub async fn surveys(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<SurveyParams>,
) -> Result<Json<Vec<SurveyOut>>, WebError> {
    let manages = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(kefu_domain::Permission::SatisfactionManage));
    let scope = if manages && !p.mine {
        SurveyScope::Everyone
    } else {
        SurveyScope::Mine
    };
    let list = state
        .app
        .csat_surveys(&identity.actor(), scope, p.low, p.answered)
        .await?;
    Ok(Json(list.into_iter().map(survey_out).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandleIn {
    /// How the low score was followed up (who called, what was agreed); 1–2000 characters.
    pub note: String,
}

/// 低分跟进 — records a lead's follow-up of a low score.
#[utoipa::path(post, path = "/api/v1/csat-surveys/{id}/handle", tag = "satisfaction",
    params(("id" = i64, Path, description = "survey id")), request_body = HandleIn,
    responses(
        (status = 204, description = "Recorded"),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 409, description = "`csat_not_low`, `csat_already_handled`", body = ErrorBody),
        (status = 422, description = "`csat_note_required`, `csat_note_too_long`", body = ErrorBody),
    ))]
pub async fn handle(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<HandleIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .handle_low_csat(&identity.actor(), id, &b.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
