//! 售后服务费用 — what an RMA cost (on its page, with the form that enters labour, freight,
//! compensation and other costs), the cost report of a span of months grouped one way and
//! held against the monthly budgets, its CSV and XLSX, and the form that sets a budget.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::aftersales::CostReport;
use kefu_app::export::{Cell, Export, Row, Sheet};
use kefu_domain::Permission;
use kefu_domain::aftersales::cost::{CostGroup, CostKind, Costs};
use kefu_domain::money::yuan;

use super::catalogue::not_a_number;
use super::credit::parse_yuan;
use super::tickets::field;
use super::{form_key, input_refusal, ok, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, conditions_sheet, download};
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// An RMA's cost as its page shows it.
pub struct RmaCostsView {
    pub parts: Vec<(String, i64, String, String)>,
    pub lines: Vec<(String, String, String, String)>,
    pub buckets: Vec<(String, String)>,
    pub total: String,
    pub kinds: Vec<(&'static str, String)>,
}

fn buckets(t: Tr, c: &Costs) -> Vec<(String, String)> {
    [
        ("parts", c.parts),
        ("labour", c.labour),
        ("freight", c.freight),
        ("compensation", c.compensation),
        ("other", c.other),
        ("refund", c.refund),
    ]
    .into_iter()
    .map(|(k, fen)| (t.tk("cost.bucket", k), yuan(fen)))
    .collect()
}

/// The RMA's cost, for whoever works RMAs (`None` for the others).
pub(super) async fn rma_costs_view(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Option<RmaCostsView>, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    if actor.require(Permission::RmaWork).is_err() {
        return Ok(None);
    }
    let c = state.app.rma_costs(&actor, id).await?;
    Ok(Some(RmaCostsView {
        parts: c
            .parts
            .iter()
            .map(|p| {
                (
                    format!("{} {}", p.part_number, p.name),
                    p.quantity,
                    yuan(p.unit_cost_fen),
                    yuan(kefu_domain::money::saturate(
                        i128::from(p.quantity) * i128::from(p.unit_cost_fen),
                    )),
                )
            })
            .collect(),
        lines: c
            .lines
            .iter()
            .map(|l| {
                (
                    t.tk("cost.bucket", l.kind.key()),
                    yuan(l.amount_fen),
                    l.note.clone(),
                    format!("{} {}", l.by.clone().unwrap_or_default(), local_time(l.at)),
                )
            })
            .collect(),
        buckets: buckets(t, &c.costs),
        total: yuan(c.costs.total()),
        kinds: CostKind::ALL
            .iter()
            .map(|k| (k.key(), t.tk("cost.bucket", k.key())))
            .collect(),
    }))
}

/// `POST /aftersales/rmas/{id}/costs`: a cost in yuan, its kind and note.
pub async fn add_rma_cost(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let done = async {
        let kind: CostKind = form_key(&pairs, "kind")?.ok_or_else(|| not_a_number("kind"))?;
        let fen = parse_yuan(field(&pairs, "amount")).ok_or_else(|| not_a_number("amount"))?;
        state
            .app
            .add_rma_cost(&identity.actor(), id, kind, fen, field(&pairs, "note"))
            .await
            .map_err(WebError::from)
    }
    .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/aftersales/rmas/{id}#costs")).into_response()),
        Err(e) => super::aftersales_rmas::after(&state, &identity, id, Err(e)).await,
    }
}

pub struct GroupRow {
    pub label: String,
    pub cases: i64,
    pub quantity: i64,
    pub buckets: Vec<String>,
    pub total: String,
}

pub struct MonthRow {
    pub period: String,
    pub budget: String,
    pub spent: String,
    pub used: String,
    pub over: bool,
}

#[derive(Template)]
#[template(path = "aftersales_costs.html")]
struct CostsPage {
    t: Tr,
    layout: Layout,
    from: String,
    to: String,
    by: &'static str,
    groups: Vec<(&'static str, String)>,
    headings: Vec<String>,
    rows: Vec<GroupRow>,
    months: Vec<MonthRow>,
    cases: i64,
    total: Vec<String>,
    grand_total: String,
    budget: String,
    used: String,
    may_budget: bool,
    query: String,
    error: Option<String>,
}

/// The span and grouping asked: `from`, `to` (months), `by`; this month by product when
/// left out.
fn asked(
    state: &AppState,
    q: &[(String, String)],
) -> Result<(String, String, CostGroup), WebError> {
    let this = state.app.stock_period();
    let from = match field(q, "from") {
        "" => this.clone(),
        f => f.to_owned(),
    };
    let to = match field(q, "to") {
        "" => from.clone(),
        t => t.to_owned(),
    };
    let by = form_key::<CostGroup>(q, "by")?.unwrap_or(CostGroup::Product);
    Ok((from, to, by))
}

/// A row's label as the reader reads it: the cause and the point translated or named.
fn label_of(t: Tr, group: CostGroup, key: &str, label: &str) -> String {
    match group {
        CostGroup::Cause => t.tk("policy.fault", key),
        CostGroup::Point if key.is_empty() => t.t("cost.no_point").to_owned(),
        CostGroup::Product | CostGroup::Part => format!("{key} {label}"),
        _ => label.to_owned(),
    }
}

fn money_cells(c: &Costs) -> [i64; 7] {
    [
        c.parts,
        c.labour,
        c.freight,
        c.compensation,
        c.other,
        c.refund,
        c.total(),
    ]
}

fn costs_page(
    t: Tr,
    identity: &Identity,
    r: &CostReport,
    query: String,
    error: Option<String>,
) -> CostsPage {
    let rows = r
        .rows
        .iter()
        .map(|row| GroupRow {
            label: label_of(t, r.group, &row.key, &row.label),
            cases: row.cases,
            quantity: row.quantity,
            buckets: money_cells(&row.costs)[..6]
                .iter()
                .map(|f| yuan(*f))
                .collect(),
            total: yuan(row.costs.total()),
        })
        .collect();
    let months = r
        .months
        .iter()
        .map(|m| MonthRow {
            period: m.period.clone(),
            budget: m.budget_fen.map(yuan).unwrap_or_default(),
            spent: yuan(m.spent_fen),
            used: m
                .budget_fen
                .and_then(|b| kefu_domain::aftersales::cost::budget_used(m.spent_fen, b))
                .map(|p| format!("{p}%"))
                .unwrap_or_default(),
            over: m.budget_fen.is_some_and(|b| m.spent_fen > b),
        })
        .collect();
    CostsPage {
        t,
        layout: Layout::new(identity, "/aftersales/rmas"),
        from: r.from.clone(),
        to: r.to.clone(),
        by: r.group.key(),
        groups: CostGroup::ALL
            .iter()
            .map(|g| (g.key(), t.tk("cost.by", g.key())))
            .collect(),
        headings: [
            "parts",
            "labour",
            "freight",
            "compensation",
            "other",
            "refund",
        ]
        .iter()
        .map(|k| t.tk("cost.bucket", k))
        .collect(),
        rows,
        months,
        cases: r.cases,
        total: money_cells(&r.total)[..6]
            .iter()
            .map(|f| yuan(*f))
            .collect(),
        grand_total: yuan(r.total.total()),
        budget: r.budget_fen.map(yuan).unwrap_or_default(),
        used: r.used_percent.map(|p| format!("{p}%")).unwrap_or_default(),
        may_budget: identity
            .actor()
            .require(Permission::AftersalesPolicy)
            .is_ok(),
        query,
        error,
    }
}

/// `/aftersales/costs?from=&to=&by=`
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let (from, to, by) = asked(&state, &q)?;
    match state.app.cost_report(&actor, &from, &to, by).await {
        Ok(r) => {
            let query = format!("from={}&to={}&by={}", r.from, r.to, r.group.key());
            ok(&costs_page(t, &identity, &r, query, None))
        }
        Err(e) => {
            let (status, message) = input_refusal(e.into(), t);
            let this = state.app.stock_period();
            let r = state.app.cost_report(&actor, &this, &this, by).await?;
            let query = format!("from={this}&to={this}&by={}", by.key());
            render(status, &costs_page(t, &identity, &r, query, Some(message)))
        }
    }
}

/// `POST /aftersales/costs/budgets`: a month's budget in yuan.
pub async fn set_budget(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let period = field(&pairs, "period").to_owned();
    let done = match parse_yuan(field(&pairs, "amount")) {
        Some(fen) => state
            .app
            .set_aftersales_budget(&identity.actor(), &period, fen)
            .await
            .map_err(WebError::from),
        None => Err(not_a_number("amount")),
    };
    match done {
        Ok(()) => Ok(Redirect::to(&format!(
            "/aftersales/costs?from={period}&to={period}&by=month"
        ))
        .into_response()),
        Err(e) => {
            let t = identity.tr();
            let (status, message) = input_refusal(e, t);
            let this = state.app.stock_period();
            let r = state
                .app
                .cost_report(&identity.actor(), &this, &this, CostGroup::Month)
                .await?;
            let query = format!("from={this}&to={this}&by=month");
            render(status, &costs_page(t, &identity, &r, query, Some(message)))
        }
    }
}

/// The report as a spreadsheet: the rows, a total, then the conditions.
fn sheet(t: Tr, r: &CostReport) -> Sheet {
    let mut sheet = Sheet::new(t.t("cost.title"));
    let mut heading = vec![
        t.tk("cost.by", r.group.key()),
        t.t("cost.cases").to_owned(),
        t.t("cost.quantity").to_owned(),
    ];
    heading.extend(
        [
            "parts",
            "labour",
            "freight",
            "compensation",
            "other",
            "refund",
        ]
        .iter()
        .map(|k| t.tk("cost.bucket", k)),
    );
    heading.push(t.t("cost.total").to_owned());
    sheet.push(Row::heading(heading));
    let line = |label: String, cases: i64, quantity: i64, c: &Costs| {
        let mut cells = vec![Cell::Text(label), Cell::Int(cases), Cell::Int(quantity)];
        cells.extend(money_cells(c).into_iter().map(Cell::Money));
        Row::new(cells)
    };
    for row in &r.rows {
        sheet.push(line(
            label_of(t, r.group, &row.key, &row.label),
            row.cases,
            row.quantity,
            &row.costs,
        ));
    }
    sheet.push(line(t.t("cost.total").to_owned(), r.cases, 0, &r.total));
    sheet
}

/// `/aftersales/costs/export?format=csv|xlsx&from=&to=&by=`
pub async fn export(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let (from, to, by) = asked(&state, &q)?;
    let r = state
        .app
        .cost_report(&identity.actor(), &from, &to, by)
        .await?;
    let format = match field(&q, "format") {
        "xlsx" => FileFormat::Xlsx,
        _ => FileFormat::csv(&q)?,
    };
    let conditions = conditions_sheet(
        t,
        vec![
            (t.t("cost.from").to_owned(), Cell::text(&r.from)),
            (t.t("cost.to").to_owned(), Cell::text(&r.to)),
            (
                t.t("cost.group").to_owned(),
                Cell::text(t.tk("cost.by", r.group.key())),
            ),
            (
                t.t("cost.budget").to_owned(),
                r.budget_fen.map_or(Cell::Empty, Cell::Money),
            ),
        ],
        state.app.now(),
    );
    let export = Export::new(sheet(t, &r), Some(conditions));
    download(
        &export,
        format,
        &format!("aftersales-costs-{}-{}", r.from, r.to),
    )
}
