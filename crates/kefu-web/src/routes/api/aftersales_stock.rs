//! 配件与不良品 over the API: stock locations, the balances against this month's approved
//! plan, the movements ledger and a movement recorded, issue plans proposed and approved per
//! location and month, and defective goods registered, decided and proposed again.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::aftersales::DefectiveInput;
use kefu_domain::aftersales::stock::{Approval, Disposal, Movement, MovementKind, PlanLine};
use kefu_store::aftersales::stock::{DefectiveRow, MovementLine};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// 库位 — the central warehouse (no point) or a service point's stock.
#[derive(Serialize, ToSchema)]
pub struct StockLocationOut {
    pub id: i64,
    pub name: String,
    pub service_point_id: Option<i64>,
}

/// Every location, the warehouse first.
#[utoipa::path(get, path = "/api/v1/aftersales/stock/locations", tag = "aftersales",
    responses((status = 200, description = "The locations", body = Vec<StockLocationOut>)))]
pub async fn stock_locations(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<StockLocationOut>>, WebError> {
    let list = state.app.stock_locations(&identity.actor()).await?;
    Ok(Json(
        list.into_iter()
            .map(|l| StockLocationOut {
                id: l.id,
                name: l.name,
                service_point_id: l.service_point_id,
            })
            .collect(),
    ))
}

/// A location to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockLocationIn {
    /// Unique, at most 200 characters.
    pub name: String,
    /// The service point whose stock it is; the warehouse when left out.
    #[serde(default)]
    pub service_point_id: Option<i64>,
}

/// An id created.
#[derive(Serialize, ToSchema)]
pub struct StockCreated {
    pub id: i64,
}

/// Adds a location.
#[utoipa::path(post, path = "/api/v1/aftersales/stock/locations", tag = "aftersales",
    request_body = StockLocationIn,
    responses(
        (status = 201, description = "Added", body = StockCreated),
        (status = 404, description = "No such service point", body = ErrorBody),
        (status = 409, description = "`name_taken`, or the point has its location", body = ErrorBody),
        (status = 422, description = "`stock_required`, `stock_too_long`", body = ErrorBody),
    ))]
pub async fn create_stock_location(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<StockLocationIn>,
) -> Result<(StatusCode, Json<StockCreated>), WebError> {
    let id = state
        .app
        .create_stock_location(&identity.actor(), &b.name, b.service_point_id)
        .await?;
    Ok((StatusCode::CREATED, Json(StockCreated { id })))
}

/// A part's stock at a location.
#[derive(Serialize, ToSchema)]
pub struct StockBalanceOut {
    pub location_id: i64,
    pub location: String,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub unit: String,
    /// 良品 — to issue.
    pub good: i64,
    /// 不良品 — waiting for their disposal.
    pub defective: i64,
    /// This month's approved plan, if any.
    pub planned: Option<i64>,
    /// How many good parts are missing to reach the plan.
    pub short_of_plan: i64,
}

/// The stock and the month it is held against.
#[derive(Serialize, ToSchema)]
pub struct StockOut {
    /// `YYYY-MM`
    pub period: String,
    pub lines: Vec<StockBalanceOut>,
}

/// Which stock to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockParams {
    pub location_id: Option<i64>,
    /// Only the parts below this month's approved plan.
    #[serde(default)]
    pub below_plan: bool,
}

/// The stock at every location (or one), with this month's approved plan.
#[utoipa::path(get, path = "/api/v1/aftersales/stock", tag = "aftersales",
    params(StockParams),
    responses(
        (status = 200, description = "The stock", body = StockOut),
        (status = 404, description = "No such location", body = ErrorBody),
    ))]
pub async fn stock(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<StockParams>,
) -> Result<Json<StockOut>, WebError> {
    let lines = state
        .app
        .stock(&identity.actor(), p.location_id, p.below_plan)
        .await?;
    Ok(Json(StockOut {
        period: state.app.stock_period(),
        lines: lines
            .into_iter()
            .map(|l| StockBalanceOut {
                location_id: l.balance.location_id,
                location: l.balance.location,
                part_id: l.balance.part_id,
                part_number: l.balance.part_number,
                part_name: l.balance.part_name,
                unit: l.balance.unit,
                good: l.balance.good,
                defective: l.balance.defective,
                planned: l.balance.planned,
                short_of_plan: l.short,
            })
            .collect(),
    }))
}

/// A movement in the ledger.
#[derive(Serialize, ToSchema)]
pub struct StockMovementOut {
    pub id: i64,
    /// `receipt`, `issue`, `transfer`, `faulty_back`, `scrap`, `return_to_supplier`,
    /// `restock` or `adjustment`.
    pub kind: String,
    pub part_id: i64,
    pub part_number: String,
    pub quantity: i64,
    pub location_id: i64,
    pub to_location_id: Option<i64>,
    pub document: String,
    pub rma_id: Option<i64>,
    pub rma_number: Option<String>,
    pub reason: String,
    pub by: Option<String>,
    pub at: String,
}

fn movement_out(m: MovementLine) -> StockMovementOut {
    StockMovementOut {
        id: m.row.id,
        kind: m.row.kind.key().to_owned(),
        part_id: m.row.part_id,
        part_number: m.part_number,
        quantity: m.row.quantity,
        location_id: m.row.location_id,
        to_location_id: m.row.to_location_id,
        document: m.row.document,
        rma_id: m.row.rma_id,
        rma_number: m.rma_number,
        reason: m.row.reason,
        by: m.by_name,
        at: rfc3339(m.row.at),
    }
}

/// Which movements to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockMovementParams {
    pub part_id: Option<i64>,
    /// From or to this location.
    pub location_id: Option<i64>,
    /// At most 500 (default 100).
    pub limit: Option<i64>,
}

/// The ledger, newest first.
#[utoipa::path(get, path = "/api/v1/aftersales/stock/movements", tag = "aftersales",
    params(StockMovementParams),
    responses((status = 200, description = "The movements", body = Vec<StockMovementOut>)))]
pub async fn stock_movements(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<StockMovementParams>,
) -> Result<Json<Vec<StockMovementOut>>, WebError> {
    let list = state
        .app
        .stock_movements(
            &identity.actor(),
            p.part_id,
            p.location_id,
            p.limit.unwrap_or(100),
        )
        .await?;
    Ok(Json(list.into_iter().map(movement_out).collect()))
}

/// A movement to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockMovementIn {
    /// `receipt`, `issue` (to an RMA), `transfer` or `adjustment` (the after-sales
    /// specialist, with a reason; negative for fewer than the book). Defective goods move
    /// by their registration and approval.
    pub kind: String,
    pub part_id: i64,
    /// 1–1,000,000 (an adjustment: ±).
    pub quantity: i64,
    /// Where it leaves, or arrives for a receipt or an adjustment.
    pub location_id: i64,
    /// A transfer's destination.
    #[serde(default)]
    pub to_location_id: Option<i64>,
    /// The paper behind it (入库单, 领料单, 调拨单…), at most 200 characters.
    pub document: String,
    /// The RMA an issue goes to.
    #[serde(default)]
    pub rma_id: Option<i64>,
    #[serde(default)]
    pub reason: String,
}

/// Records a movement: all of its changes or none, never leaving a balance below zero.
#[utoipa::path(post, path = "/api/v1/aftersales/stock/movements", tag = "aftersales",
    request_body = StockMovementIn,
    responses(
        (status = 201, description = "Recorded", body = StockCreated),
        (status = 404, description = "No such part, location or RMA", body = ErrorBody),
        (status = 422, description = "`stock_below_zero`, `stock_quantity`, \
            `stock_issue_without_rma`, `stock_through_defective`, `stock_required`…", body = ErrorBody),
    ))]
pub async fn record_stock_movement(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<StockMovementIn>,
) -> Result<(StatusCode, Json<StockCreated>), WebError> {
    let m = Movement {
        kind: parse_key::<MovementKind>("kind", &b.kind)?,
        quantity: b.quantity,
        location: b.location_id,
        to: b.to_location_id,
    };
    let id = state
        .app
        .record_stock_movement(
            &identity.actor(),
            b.part_id,
            m,
            &b.document,
            b.rma_id,
            &b.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(StockCreated { id })))
}

/// A plan of a location and month.
#[derive(Serialize, ToSchema)]
pub struct StockPlanSummaryOut {
    pub location_id: i64,
    pub location: String,
    pub period: String,
    pub lines: i64,
    /// Lines waiting for approval.
    pub pending: i64,
}

/// Which plans to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StockPlanParams {
    /// `pending`: every plan waiting for approval, however old; else a year of plans.
    pub status: Option<String>,
}

/// Issue plans, the latest month first.
#[utoipa::path(get, path = "/api/v1/aftersales/stock/plans", tag = "aftersales",
    params(StockPlanParams),
    responses(
        (status = 200, description = "The plans", body = Vec<StockPlanSummaryOut>),
        (status = 422, description = "`unknown_value`", body = ErrorBody),
    ))]
pub async fn stock_plans(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<StockPlanParams>,
) -> Result<Json<Vec<StockPlanSummaryOut>>, WebError> {
    let status = parse_optional_key::<Approval>("status", p.status.as_deref())?;
    let pending_only = status == Some(Approval::Pending);
    let list = state
        .app
        .stock_plans(&identity.actor(), pending_only)
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|p| StockPlanSummaryOut {
                location_id: p.location_id,
                location: p.location,
                period: p.period,
                lines: p.lines,
                pending: p.pending,
            })
            .collect(),
    ))
}

/// A line of a plan as stored.
#[derive(Serialize, ToSchema)]
pub struct StockPlanLineOut {
    pub part_number: String,
    pub quantity: i64,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
}

/// A line of a plan to propose.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockPlanLineIn {
    pub part_number: String,
    /// 0–1,000,000.
    pub quantity: i64,
}

/// A location's plan for a month.
#[derive(Serialize, ToSchema)]
pub struct StockPlanOut {
    pub location_id: i64,
    pub period: String,
    pub lines: Vec<StockPlanLineOut>,
}

/// A location's issue plan for a month.
#[utoipa::path(get, path = "/api/v1/aftersales/stock/plans/{location_id}/{period}", tag = "aftersales",
    params(("location_id" = i64, Path, description = "location id"),
        ("period" = String, Path, description = "`YYYY-MM`")),
    responses(
        (status = 200, description = "The plan (no line when none was proposed)", body = StockPlanOut),
        (status = 404, description = "No such location", body = ErrorBody),
        (status = 422, description = "`stock_period`", body = ErrorBody),
    ))]
pub async fn stock_plan(
    State(state): State<AppState>,
    identity: Identity,
    Path((location_id, period)): Path<(i64, String)>,
) -> Result<Json<StockPlanOut>, WebError> {
    let (_, rows) = state
        .app
        .stock_plan(&identity.actor(), location_id, &period)
        .await?;
    Ok(Json(StockPlanOut {
        location_id,
        period: kefu_app::aftersales::stock::plan_period(&period)?,
        lines: rows
            .into_iter()
            .map(|r| StockPlanLineOut {
                part_number: r.part_number,
                quantity: r.quantity,
                status: r.status.key().to_owned(),
            })
            .collect(),
    }))
}

/// A plan to propose.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockPlanIn {
    /// 1–500 lines, each part once.
    pub lines: Vec<StockPlanLineIn>,
}

/// Proposes a location's plan for a month, replacing it; it waits for approval again.
#[utoipa::path(put, path = "/api/v1/aftersales/stock/plans/{location_id}/{period}", tag = "aftersales",
    params(("location_id" = i64, Path, description = "location id"),
        ("period" = String, Path, description = "`YYYY-MM`")),
    request_body = StockPlanIn,
    responses(
        (status = 204, description = "Proposed"),
        (status = 404, description = "No such location", body = ErrorBody),
        (status = 422, description = "`stock_period`, `stock_plan_line`, `stock_unknown_part`", body = ErrorBody),
    ))]
pub async fn propose_stock_plan(
    State(state): State<AppState>,
    identity: Identity,
    Path((location_id, period)): Path<(i64, String)>,
    ApiJson(b): ApiJson<StockPlanIn>,
) -> Result<StatusCode, WebError> {
    let lines: Vec<PlanLine> = b
        .lines
        .into_iter()
        .map(|l| PlanLine {
            part_number: l.part_number,
            quantity: l.quantity,
        })
        .collect();
    state
        .app
        .propose_stock_plan(&identity.actor(), location_id, &period, &lines)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A decision: approve or reject.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StockDecisionIn {
    pub approve: bool,
    /// A rejection's reason (required then), at most 200 characters.
    #[serde(default)]
    pub note: String,
}

/// How many lines a decision took.
#[derive(Serialize, ToSchema)]
pub struct StockPlanDecided {
    pub lines: u64,
}

/// Approves or rejects the waiting lines of a location's plan for a month.
#[utoipa::path(post, path = "/api/v1/aftersales/stock/plans/{location_id}/{period}/decision", tag = "aftersales",
    params(("location_id" = i64, Path, description = "location id"),
        ("period" = String, Path, description = "`YYYY-MM`")),
    request_body = StockDecisionIn,
    responses(
        (status = 200, description = "Decided", body = StockPlanDecided),
        (status = 403, description = "`stock_own_proposal`: who proposed does not decide", body = ErrorBody),
        (status = 404, description = "No such location", body = ErrorBody),
        (status = 409, description = "`stock_decided`: nothing waits", body = ErrorBody),
        (status = 422, description = "`stock_period`", body = ErrorBody),
    ))]
pub async fn decide_stock_plan(
    State(state): State<AppState>,
    identity: Identity,
    Path((location_id, period)): Path<(i64, String)>,
    ApiJson(b): ApiJson<StockDecisionIn>,
) -> Result<Json<StockPlanDecided>, WebError> {
    let lines = state
        .app
        .decide_stock_plan(&identity.actor(), location_id, &period, b.approve)
        .await?;
    Ok(Json(StockPlanDecided { lines }))
}

/// 不良品 — defective goods and their disposal.
#[derive(Serialize, ToSchema)]
pub struct DefectiveGoodsOut {
    pub id: i64,
    pub rma_id: Option<i64>,
    pub rma_number: Option<String>,
    pub part_id: i64,
    pub part_number: String,
    pub location_id: i64,
    pub quantity: i64,
    /// `repair_restock`, `return_to_supplier` or `scrap`.
    pub disposal: String,
    /// `pending`, `approved` or `rejected`.
    pub status: String,
    pub note: String,
    pub decision_note: String,
    pub proposed_by: Option<String>,
    pub decided_by: Option<String>,
    pub created_at: String,
    pub decided_at: Option<String>,
}

fn defective_out(d: DefectiveRow) -> DefectiveGoodsOut {
    DefectiveGoodsOut {
        id: d.id,
        rma_id: d.rma_id,
        rma_number: d.rma_number,
        part_id: d.part_id,
        part_number: d.part_number,
        location_id: d.location_id,
        quantity: d.quantity,
        disposal: d.disposal.key().to_owned(),
        status: d.status.key().to_owned(),
        note: d.note,
        decision_note: d.decision_note,
        proposed_by: d.proposed_name,
        decided_by: d.decided_name,
        created_at: rfc3339(d.created_at),
        decided_at: d.decided_at.map(rfc3339),
    }
}

/// Which defective goods to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DefectiveParams {
    /// `pending`, `approved` or `rejected`; all when left out.
    pub status: Option<String>,
    pub rma_id: Option<i64>,
}

/// Defective goods, newest first.
#[utoipa::path(get, path = "/api/v1/aftersales/defective", tag = "aftersales",
    params(DefectiveParams),
    responses(
        (status = 200, description = "The defective goods", body = Vec<DefectiveGoodsOut>),
        (status = 422, description = "`unknown_value`", body = ErrorBody),
    ))]
pub async fn defective_goods(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<DefectiveParams>,
) -> Result<Json<Vec<DefectiveGoodsOut>>, WebError> {
    let status = parse_optional_key::<Approval>("status", p.status.as_deref())?;
    let list = state
        .app
        .defective_goods(&identity.actor(), status, p.rma_id)
        .await?;
    Ok(Json(list.into_iter().map(defective_out).collect()))
}

/// One registration of defective goods.
#[utoipa::path(get, path = "/api/v1/aftersales/defective/{id}", tag = "aftersales",
    params(("id" = i64, Path, description = "defective goods id")),
    responses(
        (status = 200, description = "The defective goods", body = DefectiveGoodsOut),
        (status = 404, description = "Not found", body = ErrorBody),
    ))]
pub async fn defective(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<DefectiveGoodsOut>, WebError> {
    let d = state.app.defective(&identity.actor(), id).await?;
    Ok(Json(defective_out(d)))
}

/// Defective goods to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefectiveGoodsIn {
    #[serde(default)]
    pub rma_id: Option<i64>,
    pub part_id: i64,
    pub location_id: i64,
    /// 1–1,000,000.
    pub quantity: i64,
    /// `repair_restock`, `return_to_supplier` or `scrap`: carried out once approved.
    pub disposal: String,
    /// The document the part came back on; the RMA's number when left out.
    #[serde(default)]
    pub document: String,
    #[serde(default)]
    pub note: String,
}

/// Registers defective goods: taken in as defective stock at once, the disposal waiting
/// for approval.
#[utoipa::path(post, path = "/api/v1/aftersales/defective", tag = "aftersales",
    request_body = DefectiveGoodsIn,
    responses(
        (status = 201, description = "Registered", body = StockCreated),
        (status = 404, description = "No such part, location or RMA", body = ErrorBody),
        (status = 422, description = "`stock_quantity`, `stock_required`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn register_defective(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<DefectiveGoodsIn>,
) -> Result<(StatusCode, Json<StockCreated>), WebError> {
    let id = state
        .app
        .register_defective(
            &identity.actor(),
            DefectiveInput {
                rma_id: b.rma_id,
                part_id: b.part_id,
                location_id: b.location_id,
                quantity: b.quantity,
                disposal: parse_key::<Disposal>("disposal", &b.disposal)?,
                document: b.document,
                note: b.note,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(StockCreated { id })))
}

/// Approves a disposal (carrying it out) or rejects it with a reason.
#[utoipa::path(post, path = "/api/v1/aftersales/defective/{id}/decision", tag = "aftersales",
    params(("id" = i64, Path, description = "defective goods id")),
    request_body = StockDecisionIn,
    responses(
        (status = 204, description = "Decided"),
        (status = 403, description = "`stock_own_proposal`: who proposed does not decide", body = ErrorBody),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 409, description = "`stock_decided`: it no longer waits", body = ErrorBody),
        (status = 422, description = "`stock_required`: a rejection's reason; `stock_below_zero`", body = ErrorBody),
    ))]
pub async fn decide_defective(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<StockDecisionIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .decide_defective(&identity.actor(), id, b.approve, &b.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Another disposal to propose.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DefectiveDisposalIn {
    pub disposal: String,
    #[serde(default)]
    pub note: String,
}

/// Proposes another disposal for rejected goods.
#[utoipa::path(post, path = "/api/v1/aftersales/defective/{id}/disposal", tag = "aftersales",
    params(("id" = i64, Path, description = "defective goods id")),
    request_body = DefectiveDisposalIn,
    responses(
        (status = 204, description = "Proposed"),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 409, description = "`stock_decided`: not rejected", body = ErrorBody),
        (status = 422, description = "`unknown_value`", body = ErrorBody),
    ))]
pub async fn repropose_defective(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DefectiveDisposalIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .repropose_defective(
            &identity.actor(),
            id,
            parse_key::<Disposal>("disposal", &b.disposal)?,
            &b.note,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
