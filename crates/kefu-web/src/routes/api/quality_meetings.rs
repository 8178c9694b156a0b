//! 质量异常讨论会 over the API: a period's summary (the Pareto by service item, causes,
//! measures), recording a meeting with the measures it decided, the meetings.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::quality::{MeasureForm, MeetingForm, MeetingSummary};
use kefu_domain::quality::measure::MeasureKind;
use kefu_store::quality::meeting::MeetingRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::quality_measures::{MeasureOut, measure_out};
use super::{ApiJson, Created, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// A service item in the Pareto.
#[derive(Serialize, ToSchema)]
pub struct ParetoOut {
    pub service_item: String,
    pub count: i64,
    pub share_permille: i64,
    pub cumulative_permille: i64,
    /// Among the few items that make up four fifths of all.
    pub vital: bool,
}

/// Anomalies of a service item and cause.
#[derive(Serialize, ToSchema)]
pub struct CauseOut {
    pub service_item: String,
    /// A cause key; empty: not investigated yet.
    pub cause: String,
    pub count: i64,
}

/// What a period's meeting discusses.
#[derive(Serialize, ToSchema)]
pub struct MeetingSummaryOut {
    pub from: String,
    pub to: String,
    pub total: i64,
    pub pareto: Vec<ParetoOut>,
    pub causes: Vec<CauseOut>,
    /// Measures on the period's anomalies per status.
    pub measure_states: std::collections::BTreeMap<String, i64>,
    pub measures: Vec<MeasureOut>,
}

fn summary_out(s: MeetingSummary) -> MeetingSummaryOut {
    MeetingSummaryOut {
        from: s.from.to_string(),
        to: s.to.to_string(),
        total: s.total,
        pareto: s
            .pareto
            .into_iter()
            .map(|l| ParetoOut {
                service_item: l.label,
                count: l.count,
                share_permille: l.share_permille,
                cumulative_permille: l.cumulative_permille,
                vital: l.vital,
            })
            .collect(),
        causes: s
            .causes
            .into_iter()
            .map(|(service_item, cause, count)| CauseOut {
                service_item,
                cause,
                count,
            })
            .collect(),
        measure_states: s.measure_states.into_iter().collect(),
        measures: s.measures.into_iter().map(measure_out).collect(),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// `YYYY-MM-DD`, the first day.
    pub from: String,
    /// `YYYY-MM-DD`, the last day (at most 366 days after `from`).
    pub to: String,
}

/// The summary a meeting on `from`..`to` discusses.
#[utoipa::path(get, path = "/api/v1/quality/meeting-summary", tag = "quality", params(PeriodParams),
    responses(
        (status = 200, description = "The summary", body = MeetingSummaryOut),
        (status = 400, description = "`invalid_field`: not a date", body = ErrorBody),
        (status = 422, description = "`dates_reversed`, `date_out_of_range`, \
            `meeting_period_too_long`", body = ErrorBody),
    ))]
pub async fn meeting_summary(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<PeriodParams>,
) -> Result<Json<MeetingSummaryOut>, WebError> {
    let from = kefu_domain::dates::parse("from", &p.from)?;
    let to = kefu_domain::dates::parse("to", &p.to)?;
    let s = state
        .app
        .quality_meeting_summary(&identity.actor(), from, to)
        .await?;
    Ok(Json(summary_out(s)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingMeasureIn {
    /// An anomaly of the meeting's period.
    pub anomaly_id: i64,
    /// `corrective` or `preventive`.
    pub kind: String,
    pub body: String,
    pub owner_id: i64,
    /// `YYYY-MM-DD`, today or later.
    pub due_on: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingIn {
    #[serde(default)]
    pub title: String,
    /// The period discussed, `YYYY-MM-DD`.
    pub from: String,
    pub to: String,
    /// When it was held, `YYYY-MM-DD`, not later than today.
    pub held_on: String,
    pub decisions: String,
    /// Staff user ids, at least one.
    pub attendees: Vec<i64>,
    /// New measures the meeting decided (at most 20), tracked like any other.
    #[serde(default)]
    pub measures: Vec<MeetingMeasureIn>,
}

/// Records a meeting with its attendees, decisions and new measures — all or nothing.
#[utoipa::path(post, path = "/api/v1/quality/meetings", tag = "quality", request_body = MeetingIn,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 400, description = "`invalid_field`: a date is not one", body = ErrorBody),
        (status = 404, description = "No such attendee, owner or anomaly", body = ErrorBody),
        (status = 422, description = "`meeting_no_attendees`, `meeting_no_decisions`, \
            `meeting_text_too_long`, `meeting_too_many_attendees`, `meeting_too_many_measures`, \
            `meeting_held_in_future`, `meeting_anomaly_outside`, `meeting_period_too_long`, \
            `dates_reversed`, `measure_no_text`, `measure_due_in_past`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn record_meeting(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<MeetingIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let mut measures = Vec::with_capacity(b.measures.len());
    for m in b.measures {
        measures.push((
            m.anomaly_id,
            MeasureForm {
                kind: parse_key::<MeasureKind>("kind", &m.kind)?,
                body: m.body,
                owner_id: m.owner_id,
                due_on: kefu_domain::dates::parse("due_on", &m.due_on)?,
            },
        ));
    }
    let form = MeetingForm {
        title: b.title,
        from: kefu_domain::dates::parse("from", &b.from)?,
        to: kefu_domain::dates::parse("to", &b.to)?,
        held_on: kefu_domain::dates::parse("held_on", &b.held_on)?,
        decisions: b.decisions,
        attendees: b.attendees,
        measures,
    };
    let id = state
        .app
        .record_quality_meeting(&identity.actor(), &form)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// A meeting's record.
#[derive(Serialize, ToSchema)]
pub struct MeetingOut {
    pub id: i64,
    pub title: String,
    pub period_from: String,
    pub period_to: String,
    pub held_on: String,
    pub decisions: String,
    pub attendees: Vec<String>,
    pub recorded_by: Option<String>,
    pub recorded_at: String,
}

fn meeting_out(m: MeetingRow) -> MeetingOut {
    MeetingOut {
        id: m.id,
        title: m.title,
        period_from: m.period_from,
        period_to: m.period_to,
        held_on: m.held_on,
        decisions: m.decisions,
        attendees: m.attendees,
        recorded_by: m.created_by_name,
        recorded_at: rfc3339(m.created_at),
    }
}

/// The meetings, the latest held first (without their attendees).
#[utoipa::path(get, path = "/api/v1/quality/meetings", tag = "quality",
    responses((status = 200, description = "The meetings", body = [MeetingOut])))]
pub async fn meetings(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<MeetingOut>>, WebError> {
    let list = state.app.quality_meetings(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(meeting_out).collect()))
}

/// A meeting with the measures it decided (as they stand) and its period's summary.
#[derive(Serialize, ToSchema)]
pub struct MeetingDetail {
    pub meeting: MeetingOut,
    pub decided: Vec<MeasureOut>,
    pub summary: MeetingSummaryOut,
}

/// One meeting.
#[utoipa::path(get, path = "/api/v1/quality/meetings/{id}", tag = "quality",
    params(("id" = i64, Path, description = "meeting id")),
    responses(
        (status = 200, description = "The meeting", body = MeetingDetail),
        (status = 404, description = "No such meeting", body = ErrorBody),
    ))]
pub async fn meeting(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<MeetingDetail>, WebError> {
    let v = state.app.quality_meeting(&identity.actor(), id).await?;
    Ok(Json(MeetingDetail {
        meeting: meeting_out(v.meeting),
        decided: v.decided.into_iter().map(measure_out).collect(),
        summary: summary_out(v.summary),
    }))
}
