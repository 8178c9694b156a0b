//! 售后服务费用与质量反馈 over the API: an RMA's cost and a cost entered on it, the cost
//! report of a span of months against the budgets, a month's budget set, and the month's
//! fault figures by product and part with their sending to the departments.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_domain::aftersales::cost::{CostGroup, CostKind, Costs};
use kefu_store::aftersales::cost::CostRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// What a case or a group cost, in fen, by what it went on.
#[derive(Serialize, ToSchema)]
pub struct AftersalesCostsOut {
    pub parts_fen: i64,
    pub labour_fen: i64,
    pub freight_fen: i64,
    pub compensation_fen: i64,
    pub other_fen: i64,
    pub refund_fen: i64,
    pub total_fen: i64,
    pub currency: &'static str,
}

fn costs_out(c: &Costs) -> AftersalesCostsOut {
    AftersalesCostsOut {
        parts_fen: c.parts,
        labour_fen: c.labour,
        freight_fen: c.freight,
        compensation_fen: c.compensation,
        other_fen: c.other,
        refund_fen: c.refund,
        total_fen: c.total(),
        currency: "CNY",
    }
}

/// A part issued to the RMA, at its cost that day.
#[derive(Serialize, ToSchema)]
pub struct RmaPartCostOut {
    pub part_number: String,
    pub name: String,
    pub quantity: i64,
    pub unit_cost_fen: i64,
}

/// A cost entered on the RMA.
#[derive(Serialize, ToSchema)]
pub struct RmaCostLineOut {
    pub id: i64,
    /// `labour`, `freight`, `compensation` or `other`.
    pub kind: String,
    pub amount_fen: i64,
    pub note: String,
    pub by: Option<String>,
    pub at: String,
}

/// An RMA's cost.
#[derive(Serialize, ToSchema)]
pub struct RmaCostOut {
    pub parts: Vec<RmaPartCostOut>,
    pub lines: Vec<RmaCostLineOut>,
    pub costs: AftersalesCostsOut,
}

/// What an RMA cost so far.
#[utoipa::path(get, path = "/api/v1/aftersales/rmas/{id}/costs", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id")),
    responses(
        (status = 200, description = "The cost", body = RmaCostOut),
        (status = 404, description = "No such RMA", body = ErrorBody),
    ))]
pub async fn rma_costs(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<RmaCostOut>, WebError> {
    let c = state.app.rma_costs(&identity.actor(), id).await?;
    Ok(Json(RmaCostOut {
        costs: costs_out(&c.costs),
        parts: c
            .parts
            .into_iter()
            .map(|p| RmaPartCostOut {
                part_number: p.part_number,
                name: p.name,
                quantity: p.quantity,
                unit_cost_fen: p.unit_cost_fen,
            })
            .collect(),
        lines: c
            .lines
            .into_iter()
            .map(|l| RmaCostLineOut {
                id: l.id,
                kind: l.kind.key().to_owned(),
                amount_fen: l.amount_fen,
                note: l.note,
                by: l.by,
                at: rfc3339(l.at),
            })
            .collect(),
    }))
}

/// A cost to enter.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RmaCostIn {
    /// `labour`, `freight`, `compensation` or `other`.
    pub kind: String,
    /// Fen, more than 0 (an integer: `12.5` is refused).
    pub amount_fen: i64,
    #[serde(default)]
    pub note: String,
}

/// An id created.
#[derive(Serialize, ToSchema)]
pub struct AftersalesCostCreated {
    pub id: i64,
}

/// Enters a cost on an RMA.
#[utoipa::path(post, path = "/api/v1/aftersales/rmas/{id}/costs", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id")),
    request_body = RmaCostIn,
    responses(
        (status = 201, description = "Entered", body = AftersalesCostCreated),
        (status = 404, description = "No such RMA", body = ErrorBody),
        (status = 422, description = "`cost_zero`, `negative_amount`, `amount_too_large`, \
            `cost_note`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn add_rma_cost(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RmaCostIn>,
) -> Result<(StatusCode, Json<AftersalesCostCreated>), WebError> {
    let kind = parse_key::<CostKind>("kind", &b.kind)?;
    let id = state
        .app
        .add_rma_cost(&identity.actor(), id, kind, b.amount_fen, &b.note)
        .await?;
    Ok((StatusCode::CREATED, Json(AftersalesCostCreated { id })))
}

/// Which span and grouping.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AftersalesCostParams {
    /// First month, `YYYY-MM` (this month when left out).
    pub from: Option<String>,
    /// Last month, `YYYY-MM` (the first when left out); at most 24 months.
    pub to: Option<String>,
    /// `product` (default), `category`, `part`, `cause`, `point`, `customer` or `month`.
    pub by: Option<String>,
}

/// A group's row.
#[derive(Serialize, ToSchema)]
pub struct AftersalesCostRowOut {
    /// The SKU, category id, part number, fault, point id, customer id or month.
    pub key: String,
    pub label: String,
    pub cases: i64,
    /// Parts issued (grouped by part only).
    pub quantity: i64,
    pub costs: AftersalesCostsOut,
}

fn row_out(r: CostRow) -> AftersalesCostRowOut {
    AftersalesCostRowOut {
        costs: costs_out(&r.costs),
        key: r.key,
        label: r.label,
        cases: r.cases,
        quantity: r.quantity,
    }
}

/// A month against its budget.
#[derive(Serialize, ToSchema)]
pub struct AftersalesMonthCostOut {
    pub period: String,
    pub budget_fen: Option<i64>,
    pub spent_fen: i64,
}

/// The cost report.
#[derive(Serialize, ToSchema)]
pub struct AftersalesCostReportOut {
    pub from: String,
    pub to: String,
    pub by: String,
    pub rows: Vec<AftersalesCostRowOut>,
    /// Every RMA of the span (registered in it) and what they cost.
    pub cases: i64,
    pub total: AftersalesCostsOut,
    pub months: Vec<AftersalesMonthCostOut>,
    pub budget_fen: Option<i64>,
    /// The share of the budget spent, in whole percent.
    pub used_percent: Option<i64>,
}

/// The cost of the RMAs registered in a span of months, grouped one way, against the
/// months' budgets. An RMA's costs count in the month it was registered.
#[utoipa::path(get, path = "/api/v1/aftersales/costs", tag = "aftersales",
    params(AftersalesCostParams),
    responses(
        (status = 200, description = "The report", body = AftersalesCostReportOut),
        (status = 422, description = "`cost_month`, `cost_span`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn cost_report(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AftersalesCostParams>,
) -> Result<Json<AftersalesCostReportOut>, WebError> {
    let by = parse_optional_key::<CostGroup>("by", p.by.as_deref())?.unwrap_or(CostGroup::Product);
    let from = p.from.unwrap_or_else(|| state.app.stock_period());
    let to = p.to.unwrap_or_else(|| from.clone());
    let r = state
        .app
        .cost_report(&identity.actor(), &from, &to, by)
        .await?;
    Ok(Json(AftersalesCostReportOut {
        from: r.from,
        to: r.to,
        by: r.group.key().to_owned(),
        total: costs_out(&r.total),
        rows: r.rows.into_iter().map(row_out).collect(),
        cases: r.cases,
        months: r
            .months
            .into_iter()
            .map(|m| AftersalesMonthCostOut {
                period: m.period,
                budget_fen: m.budget_fen,
                spent_fen: m.spent_fen,
            })
            .collect(),
        budget_fen: r.budget_fen,
        used_percent: r.used_percent,
    }))
}

/// A month's budget.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesBudgetIn {
    /// Fen, 0 to ¥10 亿.
    pub amount_fen: i64,
}

/// Sets a month's after-sales budget.
#[utoipa::path(put, path = "/api/v1/aftersales/budgets/{period}", tag = "aftersales",
    params(("period" = String, Path, description = "`YYYY-MM`")),
    request_body = AftersalesBudgetIn,
    responses(
        (status = 204, description = "Set"),
        (status = 404, description = "Not found", body = ErrorBody),
        (status = 422, description = "`cost_month`, `negative_amount`, `amount_too_large`", body = ErrorBody),
    ))]
pub async fn set_budget(
    State(state): State<AppState>,
    identity: Identity,
    Path(period): Path<String>,
    ApiJson(b): ApiJson<AftersalesBudgetIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .set_aftersales_budget(&identity.actor(), &period, b.amount_fen)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which month.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FaultFigureParams {
    /// `YYYY-MM`.
    pub period: String,
}

/// A product's fault figures.
#[derive(Serialize, ToSchema)]
pub struct ProductFaultsOut {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub rmas: i64,
    pub quality_claims: i64,
    pub fault_confirmed: i64,
    pub no_fault: i64,
    pub customer_damage: i64,
}

/// A part replaced in the month's RMAs.
#[derive(Serialize, ToSchema)]
pub struct PartFaultsOut {
    pub part_number: String,
    pub name: String,
    pub replaced: i64,
    pub rmas: i64,
}

/// The figures sent to a department.
#[derive(Serialize, ToSchema)]
pub struct FaultFeedbackOut {
    pub department: String,
    pub note: String,
    pub sent_by: Option<String>,
    pub sent_at: String,
}

/// A month's fault figures.
#[derive(Serialize, ToSchema)]
pub struct FaultFiguresOut {
    pub period: String,
    pub products: Vec<ProductFaultsOut>,
    pub parts: Vec<PartFaultsOut>,
    pub sent: Vec<FaultFeedbackOut>,
}

/// 故障统计 — the fault figures of the RMAs registered in a month, by product and part.
#[utoipa::path(get, path = "/api/v1/aftersales/faults", tag = "aftersales",
    params(FaultFigureParams),
    responses(
        (status = 200, description = "The figures", body = FaultFiguresOut),
        (status = 422, description = "`cost_month`", body = ErrorBody),
    ))]
pub async fn fault_figures(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<FaultFigureParams>,
) -> Result<Json<FaultFiguresOut>, WebError> {
    let f = state
        .app
        .fault_figures(&identity.actor(), &p.period)
        .await?;
    Ok(Json(FaultFiguresOut {
        period: f.period,
        products: f
            .products
            .into_iter()
            .map(|p| ProductFaultsOut {
                sku: p.sku,
                name: p.name,
                category: p.category,
                rmas: p.rmas,
                quality_claims: p.quality_claims,
                fault_confirmed: p.fault_confirmed,
                no_fault: p.no_fault,
                customer_damage: p.customer_damage,
            })
            .collect(),
        parts: f
            .parts
            .into_iter()
            .map(|p| PartFaultsOut {
                part_number: p.key,
                name: p.label,
                replaced: p.quantity,
                rmas: p.cases,
            })
            .collect(),
        sent: f
            .sent
            .into_iter()
            .map(|s| FaultFeedbackOut {
                department: s.department,
                note: s.note,
                sent_by: s.sent_by,
                sent_at: rfc3339(s.sent_at),
            })
            .collect(),
    }))
}

/// The departments to send the figures to.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaultFeedbackIn {
    pub department_ids: Vec<i64>,
    #[serde(default)]
    pub note: String,
}

/// How many people were told.
#[derive(Serialize, ToSchema)]
pub struct FaultFeedbackSent {
    pub told: usize,
}

/// 转送相关部门 — sends a month's fault figures to departments; their members are told.
#[utoipa::path(post, path = "/api/v1/aftersales/faults/{period}/feedback", tag = "aftersales",
    params(("period" = String, Path, description = "`YYYY-MM`")),
    request_body = FaultFeedbackIn,
    responses(
        (status = 201, description = "Sent", body = FaultFeedbackSent),
        (status = 404, description = "No such department", body = ErrorBody),
        (status = 422, description = "`cost_month`, `cost_no_department`, `cost_note`", body = ErrorBody),
    ))]
pub async fn send_fault_figures(
    State(state): State<AppState>,
    identity: Identity,
    Path(period): Path<String>,
    ApiJson(b): ApiJson<FaultFeedbackIn>,
) -> Result<(StatusCode, Json<FaultFeedbackSent>), WebError> {
    let told = state
        .app
        .send_fault_figures(&identity.actor(), &period, &b.department_ids, &b.note)
        .await?;
    Ok((StatusCode::CREATED, Json(FaultFeedbackSent { told })))
}
