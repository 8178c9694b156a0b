//! 休假 over the API: one's own absences, or anyone's for whoever manages follow-ups or
//! users; recording one hands the visits its owner was to make in it to their groups.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::absence::{AbsenceForm, manages_absences};
use kefu_domain::dates;
use kefu_store::absence::Absence;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// An absence: from one day to another, both included (the department's days).
#[derive(Serialize, ToSchema)]
pub struct AbsenceOut {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    /// `YYYY-MM-DD`
    pub starts_on: String,
    /// `YYYY-MM-DD`, the last day away.
    pub ends_on: String,
    pub reason: String,
    pub created_at: String,
}

fn absence_out(a: Absence) -> AbsenceOut {
    AbsenceOut {
        id: a.id,
        user_id: a.user_id,
        user_name: a.user_name,
        starts_on: a.starts_on,
        ends_on: a.ends_on,
        reason: a.reason,
        created_at: rfc3339(a.created_at),
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AbsenceParams {
    /// Whose absences; without it, everyone's for a manager, one's own for anyone else.
    pub user_id: Option<i64>,
}

/// The absences not over yet, by start.
#[utoipa::path(get, path = "/api/v1/absences", tag = "absences", params(AbsenceParams),
    responses(
        (status = 200, description = "The absences", body = Vec<AbsenceOut>),
        (status = 403, description = "Someone else's, without managing absences",
            body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AbsenceParams>,
) -> Result<Json<Vec<AbsenceOut>>, WebError> {
    let actor = identity.actor();
    let user = match p.user_id {
        Some(u) => Some(u),
        None if manages_absences(&actor) => None,
        None => actor.user_id(),
    };
    let list = state.app.absences(&actor, user).await?;
    Ok(Json(list.into_iter().map(absence_out).collect()))
}

/// An absence to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AbsenceIn {
    /// Who is away; oneself when absent.
    pub user_id: Option<i64>,
    /// `YYYY-MM-DD`, the first day away.
    pub starts_on: String,
    /// `YYYY-MM-DD`, the last day away (at most 366 days in all).
    pub ends_on: String,
    /// 事由, at most 200 characters.
    #[serde(default)]
    pub reason: String,
}

/// The absence recorded.
#[derive(Serialize, ToSchema)]
pub struct AbsenceRecorded {
    pub id: i64,
    /// The follow-up visits it handed to their rules' groups.
    pub visits_handed_over: u64,
}

/// Records an absence; the follow-up visits its owner was to make in it go to their rules'
/// groups.
#[utoipa::path(post, path = "/api/v1/absences", tag = "absences", request_body = AbsenceIn,
    responses(
        (status = 201, description = "Recorded", body = AbsenceRecorded),
        (status = 400, description = "`invalid_field`: a date that is not one", body = ErrorBody),
        (status = 403, description = "Someone else's, without managing absences",
            body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "`absence_overlaps`", body = ErrorBody),
        (status = 422, description = "`absence_reversed`, `absence_past`, `absence_too_long`, \
            `absence_reason_too_long`", body = ErrorBody),
    ))]
pub async fn record(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<AbsenceIn>,
) -> Result<(StatusCode, Json<AbsenceRecorded>), WebError> {
    let actor = identity.actor();
    let form = AbsenceForm {
        user_id: b.user_id.or(actor.user_id()).unwrap_or(0),
        starts_on: dates::parse("starts_on", &b.starts_on).map_err(kefu_app::AppError::from)?,
        ends_on: dates::parse("ends_on", &b.ends_on).map_err(kefu_app::AppError::from)?,
        reason: b.reason,
    };
    let r = state.app.record_absence(&actor, &form).await?;
    Ok((
        StatusCode::CREATED,
        Json(AbsenceRecorded {
            id: r.id,
            visits_handed_over: r.visits_handed_over,
        }),
    ))
}

/// Cancels an absence; visits it handed over stay with their groups.
#[utoipa::path(delete, path = "/api/v1/absences/{id}", tag = "absences",
    params(("id" = i64, Path, description = "absence id")),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 403, description = "Someone else's, without managing absences",
            body = ErrorBody),
        (status = 404, description = "No such absence", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    state.app.cancel_absence(&identity.actor(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
