//! 服务网点 over the API: the service points (where, which categories, capacity and
//! turnaround, how many repairs each holds), one added or changed from the version read
//! (`If-Match`), a checklist inspection recorded, and a repair sent to a point by hand.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::aftersales::{PointDetail, PointView};
use kefu_domain::aftersales::service_point::{Checked, ServicePoint};
use kefu_domain::dates;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// 服务网点 — a service point.
#[derive(Serialize, ToSchema)]
pub struct ServicePointOut {
    pub id: i64,
    pub name: String,
    pub province: String,
    pub city: String,
    pub address: String,
    /// The product categories it repairs.
    pub category_ids: Vec<i64>,
    /// Repairs it takes at once.
    pub capacity: u32,
    /// Days it promises to turn a repair round.
    pub turnaround_days: u32,
    pub active: bool,
    /// Repairs routed to it and not yet repaired.
    pub open_repairs: i64,
    pub version: i64,
}

fn point_out(p: PointView) -> ServicePointOut {
    let pt = p.row.point;
    ServicePointOut {
        id: p.row.id,
        name: pt.name,
        province: pt.province,
        city: pt.city,
        address: pt.address,
        category_ids: pt.categories,
        capacity: pt.capacity,
        turnaround_days: pt.turnaround_days,
        active: pt.active,
        open_repairs: p.open,
        version: p.row.version,
    }
}

/// Every service point, by name.
#[utoipa::path(get, path = "/api/v1/aftersales/points", tag = "aftersales",
    responses((status = 200, description = "The points", body = Vec<ServicePointOut>)))]
pub async fn service_points(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<ServicePointOut>>, WebError> {
    let list = state.app.service_points(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(point_out).collect()))
}

/// A point to add or save.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePointIn {
    pub name: String,
    /// 省 (`浙江` or `浙江省`).
    pub province: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub address: String,
    pub category_ids: Vec<i64>,
    /// 1–10,000 repairs at once.
    pub capacity: u32,
    /// 1–90 days.
    pub turnaround_days: u32,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

fn point_of(b: ServicePointIn) -> ServicePoint {
    ServicePoint {
        name: b.name,
        province: b.province,
        city: b.city,
        address: b.address,
        categories: b.category_ids,
        capacity: b.capacity,
        turnaround_days: b.turnaround_days,
        active: b.active,
    }
}

/// A point saved.
#[derive(Serialize, ToSchema)]
pub struct ServicePointSaved {
    pub id: i64,
    pub version: i64,
}

/// Adds a point.
#[utoipa::path(post, path = "/api/v1/aftersales/points", tag = "aftersales",
    request_body = ServicePointIn,
    responses(
        (status = 201, description = "Added", body = ServicePointSaved),
        (status = 409, description = "`name_taken`", body = ErrorBody),
        (status = 422, description = "Refused: `point_capacity`, `point_turnaround`, \
            `point_no_category`, `catalogue_unknown_category`…", body = ErrorBody),
    ))]
pub async fn create_service_point(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<ServicePointIn>,
) -> Result<(StatusCode, Json<ServicePointSaved>), WebError> {
    let id = state
        .app
        .create_service_point(&identity.actor(), point_of(b))
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ServicePointSaved { id, version: 1 }),
    ))
}

/// A repair at a point, with its turnaround.
#[derive(Serialize, ToSchema)]
pub struct ServicePointRepairOut {
    pub rma_id: i64,
    pub number: String,
    pub state: String,
    pub received_at: Option<String>,
    pub repaired_at: Option<String>,
}

/// A checklist inspection.
#[derive(Serialize, ToSchema)]
pub struct ServicePointInspectionOut {
    pub id: i64,
    pub inspected_on: String,
    /// 0–100: the share of items passed.
    pub score: i64,
    /// `[{"item": …, "passed": true|false}]`
    pub items: serde_json::Value,
    pub actions: String,
    pub inspector: Option<String>,
}

/// A point with its repairs and inspections.
#[derive(Serialize, ToSchema)]
pub struct ServicePointDetail {
    #[serde(flatten)]
    pub point: ServicePointOut,
    pub mean_turnaround_days: Option<f64>,
    pub repairs: Vec<ServicePointRepairOut>,
    pub inspections: Vec<ServicePointInspectionOut>,
}

fn detail_out(d: PointDetail) -> ServicePointDetail {
    ServicePointDetail {
        mean_turnaround_days: d.mean_turnaround_days,
        repairs: d
            .repairs
            .into_iter()
            .map(|(l, repaired)| ServicePointRepairOut {
                rma_id: l.rma.id,
                number: l.rma.number,
                state: l.rma.state.key().to_owned(),
                received_at: l.rma.received_at.map(rfc3339),
                repaired_at: repaired.map(rfc3339),
            })
            .collect(),
        inspections: d
            .inspections
            .into_iter()
            .map(|i| ServicePointInspectionOut {
                id: i.id,
                inspected_on: i.inspected_on,
                score: i.score,
                items: serde_json::from_str(&i.items).unwrap_or_default(),
                actions: i.actions,
                inspector: i.inspector,
            })
            .collect(),
        point: point_out(d.point),
    }
}

/// One point.
#[utoipa::path(get, path = "/api/v1/aftersales/points/{id}", tag = "aftersales",
    params(("id" = i64, Path, description = "service point id")),
    responses(
        (status = 200, description = "The point", body = ServicePointDetail),
        (status = 404, description = "No such point", body = ErrorBody),
    ))]
pub async fn service_point(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<ServicePointDetail>, WebError> {
    let d = state.app.service_point(&identity.actor(), id).await?;
    Ok(tagged(d.point.row.version, detail_out(d)))
}

/// Saves a point from the version read.
#[utoipa::path(put, path = "/api/v1/aftersales/points/{id}", tag = "aftersales",
    params(("id" = i64, Path, description = "service point id")),
    request_body = ServicePointIn,
    responses(
        (status = 200, description = "Saved", body = ServicePointSaved),
        (status = 404, description = "No such point", body = ErrorBody),
        (status = 422, description = "Refused", body = ErrorBody),
    ))]
pub async fn save_service_point(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<ServicePointIn>,
) -> Result<Tagged<ServicePointSaved>, WebError> {
    let actor = identity.actor();
    let based_on = match expected {
        Some(v) => v,
        None => state.app.service_point(&actor, id).await?.point.row.version,
    };
    let version = state
        .app
        .save_service_point(&actor, id, based_on, point_of(b))
        .await?;
    Ok(tagged(version, ServicePointSaved { id, version }))
}

/// A checked item.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePointCheckIn {
    pub item: String,
    pub passed: bool,
}

/// A checklist inspection to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePointInspectionIn {
    /// `YYYY-MM-DD`, not later than today.
    pub inspected_on: String,
    /// 1–30 items.
    pub items: Vec<ServicePointCheckIn>,
    /// What is to be done, at most 2,000 characters.
    #[serde(default)]
    pub actions: String,
}

/// An inspection recorded.
#[derive(Serialize, ToSchema)]
pub struct ServicePointInspected {
    pub id: i64,
    pub score: u32,
}

/// Records a checklist inspection of a point.
#[utoipa::path(post, path = "/api/v1/aftersales/points/{id}/inspections", tag = "aftersales",
    params(("id" = i64, Path, description = "service point id")),
    request_body = ServicePointInspectionIn,
    responses(
        (status = 201, description = "Recorded", body = ServicePointInspected),
        (status = 404, description = "No such point", body = ErrorBody),
        (status = 422, description = "Refused: `point_checklist`, a date in the future…", body = ErrorBody),
    ))]
pub async fn inspect_service_point(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ServicePointInspectionIn>,
) -> Result<(StatusCode, Json<ServicePointInspected>), WebError> {
    let on = dates::parse("inspected_on", &b.inspected_on).map_err(kefu_app::AppError::from)?;
    let items: Vec<Checked> = b
        .items
        .into_iter()
        .map(|i| Checked {
            item: i.item,
            passed: i.passed,
        })
        .collect();
    let (inspection, score) = state
        .app
        .inspect_service_point(&identity.actor(), id, on, &items, &b.actions)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ServicePointInspected {
            id: inspection,
            score,
        }),
    ))
}

/// The point to send a repair to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaPointIn {
    pub service_point_id: i64,
}

/// Sends a repair to a service point by hand.
#[utoipa::path(post, path = "/api/v1/aftersales/rmas/{id}/point", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id")),
    request_body = RmaPointIn,
    responses(
        (status = 204, description = "Sent"),
        (status = 404, description = "No such RMA or point", body = ErrorBody),
        (status = 409, description = "`rma_not_now`: carried out or ended", body = ErrorBody),
        (status = 422, description = "`point_not_a_repair`, `point_no_category`", body = ErrorBody),
    ))]
pub async fn assign_rma_point(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<RmaPointIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .assign_rma_point(&identity.actor(), id, expected, b.service_point_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
