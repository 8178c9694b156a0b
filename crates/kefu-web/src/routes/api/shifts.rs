//! 排班 over the API: the roster week (one's own, or everyone's for whoever manages
//! follow-ups or users), and for them each person's week and dated changes 调班. Setting
//! either slots the person's follow-up visits still ahead on it again.

use axum::Json;
use axum::extract::{Path, Query, State};
use kefu_app::shift::{ChangeForm, RosterWeek};
use kefu_domain::dates;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// What one person works on one date.
#[derive(Serialize, ToSchema)]
pub struct RosterDayOut {
    /// `YYYY-MM-DD`
    pub date: String,
    /// The periods worked, e.g. `["09:00-12:00", "14:30-18:00"]`; empty: off.
    pub periods: Vec<String>,
    /// Where they come from: `week` (the person's week, or the business calendar's),
    /// `make_up` (调休上班: the week's ordinary day), `holiday`, `change` (调班) or
    /// `leave` (休假).
    pub source: String,
    /// The change's note.
    pub note: String,
}

/// One person's roster in the week.
#[derive(Serialize, ToSchema)]
pub struct RosterLineOut {
    pub user_id: i64,
    pub name: String,
    /// Whether they have a week of their own; without one they work the business
    /// calendar's hours (and take tickets whenever signed in).
    pub own_week: bool,
    /// Their week, Monday first: each day's periods joined by commas, empty for a rest day.
    pub week: Vec<String>,
    pub days: Vec<RosterDayOut>,
}

/// 排班表 — a week of rosters, Monday to Sunday.
#[derive(Serialize, ToSchema)]
pub struct RosterWeekOut {
    /// `YYYY-MM-DD`, the Monday.
    pub starts_on: String,
    /// Each date's kind in the business calendar: `holiday`, `workday` (a make-up day) or
    /// null.
    pub day_kinds: Vec<Option<String>>,
    pub staff: Vec<RosterLineOut>,
}

fn split(periods: &str) -> Vec<String> {
    periods
        .split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

fn week_out(w: RosterWeek) -> RosterWeekOut {
    RosterWeekOut {
        starts_on: w.start.to_string(),
        day_kinds: w
            .kinds
            .iter()
            .map(|k| k.map(|k| k.key().to_owned()))
            .collect(),
        staff: w
            .lines
            .into_iter()
            .map(|l| RosterLineOut {
                user_id: l.user_id,
                name: l.name,
                own_week: l.own_week,
                week: l.week.to_vec(),
                days: l
                    .days
                    .into_iter()
                    .map(|d| RosterDayOut {
                        date: d.date.to_string(),
                        periods: split(&d.periods),
                        source: d.source.to_owned(),
                        note: d.note,
                    })
                    .collect(),
            })
            .collect(),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RosterParams {
    /// `YYYY-MM-DD`: the week this date is in (this week without it).
    pub week: Option<String>,
}

/// The roster week: everyone's for a manager, one's own for anyone else.
#[utoipa::path(get, path = "/api/v1/shifts", tag = "shifts", params(RosterParams),
    responses(
        (status = 200, description = "The week", body = RosterWeekOut),
        (status = 400, description = "`invalid_field`: a date that is not one", body = ErrorBody),
    ))]
pub async fn week(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<RosterParams>,
) -> Result<Json<RosterWeekOut>, WebError> {
    let date = p
        .week
        .as_deref()
        .map(|w| dates::parse("week", w))
        .transpose()
        .map_err(kefu_app::AppError::from)?;
    let week = state.app.roster_week(&identity.actor(), date).await?;
    Ok(Json(week_out(week)))
}

/// A person's week to set.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RosterIn {
    /// Seven days, Monday first: each `09:00-12:00, 14:30-18:00`, or empty (or `休`) for a
    /// rest day.
    pub week: Vec<String>,
}

/// How many follow-up visits were slotted again.
#[derive(Serialize, ToSchema)]
pub struct Reslotted {
    pub visits_reslotted: u64,
}

/// Sets a person's week; their visits still ahead are slotted on it.
#[utoipa::path(put, path = "/api/v1/shifts/{user_id}", tag = "shifts", request_body = RosterIn,
    params(("user_id" = i64, Path, description = "whose week")),
    responses(
        (status = 200, description = "Set", body = Reslotted),
        (status = 403, description = "Without managing follow-ups or users", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "`shift_bad_period`, `shift_overlapping`, \
            `shift_week_length`", body = ErrorBody),
    ))]
pub async fn set_week(
    State(state): State<AppState>,
    identity: Identity,
    Path(user_id): Path<i64>,
    ApiJson(b): ApiJson<RosterIn>,
) -> Result<Json<Reslotted>, WebError> {
    let n = state
        .app
        .set_roster(&identity.actor(), user_id, &b.week)
        .await?;
    Ok(Json(Reslotted {
        visits_reslotted: n,
    }))
}

/// Removes a person's week: they work the business calendar's hours again.
#[utoipa::path(delete, path = "/api/v1/shifts/{user_id}", tag = "shifts",
    params(("user_id" = i64, Path, description = "whose week")),
    responses(
        (status = 200, description = "Removed", body = Reslotted),
        (status = 403, description = "Without managing follow-ups or users", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
    ))]
pub async fn clear_week(
    State(state): State<AppState>,
    identity: Identity,
    Path(user_id): Path<i64>,
) -> Result<Json<Reslotted>, WebError> {
    let n = state.app.clear_roster(&identity.actor(), user_id).await?;
    Ok(Json(Reslotted {
        visits_reslotted: n,
    }))
}

/// 调班 — what a person works on one date instead of their week.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeIn {
    /// `09:00-12:00, 14:30-18:00`; empty (or `休`): off that day.
    #[serde(default)]
    pub periods: String,
    /// At most 200 characters (顶班, 值班…).
    #[serde(default)]
    pub note: String,
}

/// Sets what a person works on a date (today onwards, at most 366 days ahead).
#[utoipa::path(put, path = "/api/v1/shifts/{user_id}/changes/{date}", tag = "shifts",
    request_body = ChangeIn,
    params(("user_id" = i64, Path, description = "whose day"),
        ("date" = String, Path, description = "`YYYY-MM-DD`")),
    responses(
        (status = 200, description = "Set", body = Reslotted),
        (status = 400, description = "`invalid_field`: a date that is not one", body = ErrorBody),
        (status = 403, description = "Without managing follow-ups or users", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "`shift_bad_period`, `shift_overlapping`, `shift_past`, \
            `shift_too_far`, `shift_note_too_long`", body = ErrorBody),
    ))]
pub async fn set_change(
    State(state): State<AppState>,
    identity: Identity,
    Path((user_id, date)): Path<(i64, String)>,
    ApiJson(b): ApiJson<ChangeIn>,
) -> Result<Json<Reslotted>, WebError> {
    let form = ChangeForm {
        user_id,
        date: dates::parse("date", &date).map_err(kefu_app::AppError::from)?,
        periods: b.periods,
        note: b.note,
    };
    let n = state
        .app
        .set_roster_change(&identity.actor(), &form)
        .await?;
    Ok(Json(Reslotted {
        visits_reslotted: n,
    }))
}

/// Removes a date's change: the person's week counts there again.
#[utoipa::path(delete, path = "/api/v1/shifts/{user_id}/changes/{date}", tag = "shifts",
    params(("user_id" = i64, Path, description = "whose day"),
        ("date" = String, Path, description = "`YYYY-MM-DD`")),
    responses(
        (status = 200, description = "Removed", body = Reslotted),
        (status = 400, description = "`invalid_field`: a date that is not one", body = ErrorBody),
        (status = 403, description = "Without managing follow-ups or users", body = ErrorBody),
        (status = 404, description = "No change on that date", body = ErrorBody),
    ))]
pub async fn clear_change(
    State(state): State<AppState>,
    identity: Identity,
    Path((user_id, date)): Path<(i64, String)>,
) -> Result<Json<Reslotted>, WebError> {
    let date = dates::parse("date", &date).map_err(kefu_app::AppError::from)?;
    let n = state
        .app
        .clear_roster_change(&identity.actor(), user_id, date)
        .await?;
    Ok(Json(Reslotted {
        visits_reslotted: n,
    }))
}
