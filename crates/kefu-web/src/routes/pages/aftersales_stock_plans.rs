//! 配件发放计划 — issue plans per location and month: the list (those waiting for approval
//! first to hand), a plan with the stock it is to be met from, the form that proposes it as
//! `料号 数量` lines, and the after-sales specialist's approval.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::stock::plan_period;
use kefu_domain::Permission;
use kefu_domain::aftersales::stock::{Approval, StockError, parse_plan};
use kefu_store::aftersales::stock::{LocationRow, PlanSummary};

use super::tickets::field;
use super::{input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

#[derive(Template)]
#[template(path = "aftersales_stock_plans.html")]
struct PlansPage {
    t: Tr,
    layout: Layout,
    plans: Vec<PlanSummary>,
    locations: Vec<LocationRow>,
    period: String,
    pending_only: bool,
    error: Option<String>,
}

/// `/aftersales/stock/plans?status=pending` — or, given `location` and `period`, that plan.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let mut error = None;
    if let (Ok(l), p) = (field(&q, "location").parse::<i64>(), field(&q, "period")) {
        match plan_period(p) {
            Ok(p) => {
                return Ok(
                    Redirect::to(&format!("/aftersales/stock/plans/{l}/{p}")).into_response()
                );
            }
            Err(e) => error = Some(input_refusal(e.into(), identity.tr()).1),
        }
    }
    let pending_only = field(&q, "status") == "pending";
    let page = PlansPage {
        t: identity.tr(),
        layout: Layout::new(&identity, "/aftersales/rmas"),
        plans: state.app.stock_plans(&actor, pending_only).await?,
        locations: state.app.stock_locations(&actor).await?,
        period: state.app.stock_period(),
        pending_only,
        error,
    };
    ok(&page)
}

pub struct PlanLineRow {
    pub part_number: String,
    pub part_name: String,
    pub quantity: i64,
    /// Good parts at the location now.
    pub good: i64,
    pub status: String,
    pub status_key: &'static str,
    pub decided: String,
}

#[derive(Template)]
#[template(path = "aftersales_stock_plan.html")]
struct PlanPage {
    t: Tr,
    layout: Layout,
    location: LocationRow,
    period: String,
    lines: Vec<PlanLineRow>,
    text: String,
    pending: bool,
    may_decide: bool,
    notice: Option<String>,
    error: Option<String>,
}

async fn plan_page(
    state: &AppState,
    identity: &Identity,
    location: i64,
    period: &str,
    typed: Option<String>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<PlanPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let (loc, rows) = state.app.stock_plan(&actor, location, period).await?;
    let stock = state.app.stock(&actor, Some(location), false).await?;
    let lines: Vec<PlanLineRow> = rows
        .iter()
        .map(|r| PlanLineRow {
            part_number: r.part_number.clone(),
            part_name: r.part_name.clone(),
            quantity: r.quantity,
            good: stock
                .iter()
                .find(|s| s.balance.part_id == r.part_id)
                .map_or(0, |s| s.balance.good),
            status: t.tk("stock.approval", r.status.key()),
            status_key: r.status.key(),
            decided: match (&r.decided_by, r.decided_at) {
                (Some(by), Some(at)) => format!("{by} {}", local_time(at)),
                _ => r.proposed_by.clone().unwrap_or_default(),
            },
        })
        .collect();
    let text = typed.unwrap_or_else(|| {
        rows.iter()
            .map(|r| format!("{} {}", r.part_number, r.quantity))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(PlanPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        location: loc,
        period: plan_period(period)?,
        pending: rows.iter().any(|r| r.status == Approval::Pending),
        lines,
        text,
        may_decide: actor.require(Permission::AftersalesPolicy).is_ok(),
        notice,
        error,
    })
}

/// `/aftersales/stock/plans/{location}/{period}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path((location, period)): Path<(i64, String)>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match field(&q, "done") {
        "proposed" => Some(t.t("stock.plan_proposed").to_owned()),
        "approved" | "rejected" => Some(t.tk("stock.approval", field(&q, "done"))),
        _ => None,
    };
    ok(&plan_page(&state, &identity, location, &period, None, notice, None).await?)
}

/// `POST /aftersales/stock/plans/{location}/{period}`: the plan typed as `料号 数量` lines.
pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path((location, period)): Path<(i64, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let text = field(&pairs, "lines").to_owned();
    let done = match parse_plan(&text) {
        Ok(lines) => state
            .app
            .propose_stock_plan(&identity.actor(), location, &period, &lines)
            .await
            .map_err(WebError::from),
        Err(problems) => {
            let (line, problem) = problems[0];
            Err(kefu_app::AppError::from(StockError::PlanLine { line, problem }).into())
        }
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/aftersales/stock/plans/{location}/{period}?done=proposed"
        ))
        .into_response()),
        Err(e) => {
            let (status, message) = input_refusal(e, identity.tr());
            let page = plan_page(
                &state,
                &identity,
                location,
                &period,
                Some(text),
                None,
                Some(message),
            )
            .await?;
            render(status, &page)
        }
    }
}

/// `POST /aftersales/stock/plans/{location}/{period}/decision`: `decision=approve|reject`.
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path((location, period)): Path<(i64, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let approve = field(&pairs, "decision") == "approve";
    match state
        .app
        .decide_stock_plan(&identity.actor(), location, &period, approve)
        .await
    {
        Ok(_) => {
            let done = if approve { "approved" } else { "rejected" };
            Ok(Redirect::to(&format!(
                "/aftersales/stock/plans/{location}/{period}?done={done}"
            ))
            .into_response())
        }
        Err(e) => {
            let (status, message) = input_refusal(e.into(), identity.tr());
            let page = plan_page(
                &state,
                &identity,
                location,
                &period,
                None,
                None,
                Some(message),
            )
            .await?;
            render(status, &page)
        }
    }
}
