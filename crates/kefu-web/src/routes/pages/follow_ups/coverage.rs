//! 回访覆盖 — the coverage page: a period and a tier, every customer in scope with its
//! completed visit or why it is missing (the missing first), and each agent's planned,
//! done and overdue visits; the same as CSV or XLSX.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::follow_up::{CoverageReport, CoverageState};
use kefu_domain::customer::Tier;
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::input::Keyed;

use super::super::tickets::field;
use super::super::{form_key, input_refusal, refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, conditions_sheet, download};
use crate::i18n::Tr;
use crate::view::{Layout, local_time};
use kefu_app::export::{Cell, Export, Row as SheetRow, Sheet};

struct Row {
    customer_id: i64,
    customer: String,
    tier_now: String,
    owner: String,
    state_key: &'static str,
    state: String,
    visit_id: Option<i64>,
    done: Option<jiff::Timestamp>,
    done_at: String,
    agent: String,
    attempts: i64,
    satisfaction: String,
}

struct AgentRow {
    agent: String,
    planned: i64,
    done: i64,
    overdue: i64,
}

#[derive(Template)]
#[template(path = "follow_up_coverage.html")]
struct CoveragePage {
    t: Tr,
    layout: Layout,
    period: String,
    /// Only the customers still missing a visit.
    missing_only: bool,
    tiers: Vec<(String, String, bool)>,
    report: Option<Summary>,
    /// The query string of the exports: this period, tier and filter.
    query: String,
    rows: Vec<Row>,
    agents: Vec<AgentRow>,
    error: Option<String>,
}

struct Summary {
    in_scope: i64,
    covered: i64,
    missing: i64,
    percent: String,
    at_risk: bool,
    end: String,
}

fn rows(t: Tr, r: &CoverageReport) -> Vec<Row> {
    let mut rows: Vec<Row> = r
        .rows
        .iter()
        .map(|c| Row {
            customer_id: c.customer_id,
            customer: c.customer_name.clone(),
            tier_now: t.tk("tier", &c.tier_now),
            owner: c.owner_name.clone().unwrap_or_default(),
            state_key: c.state.key(),
            state: t.tk("follow_up.coverage_state", c.state.key()),
            visit_id: c.visit_id,
            done: c.done_at,
            done_at: c.done_at.map(local_time).unwrap_or_default(),
            agent: c.agent_name.clone().unwrap_or_default(),
            attempts: c.attempts,
            satisfaction: c
                .satisfaction
                .as_deref()
                .map(|s| t.tk("follow_up_result", s))
                .unwrap_or_default(),
        })
        .collect();
    // The missing first: they are what the page is for.
    rows.sort_by_key(|r| (r.state_key == CoverageState::Done.key(), r.customer_id));
    rows
}

/// `/follow-ups/coverage?period=2026-12&tier=key_account` (this month's key accounts by
/// default).
pub async fn coverage(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let period = asked_period(&state, &q).await?;
    let mut page = CoveragePage {
        t,
        layout: Layout::new(&identity, "/follow-ups/coverage"),
        period: period.clone(),
        missing_only: field(&q, "missing") == "1",
        tiers: Vec::new(),
        report: None,
        query: String::new(),
        rows: Vec::new(),
        agents: Vec::new(),
        error: None,
    };
    let tier = match form_key::<Tier>(&q, "tier") {
        Ok(t) => t.unwrap_or(Tier::KeyAccount),
        Err(e) => {
            let (status, message) = input_refusal(e, t);
            page.error = Some(message);
            page.tiers = tier_choices(t, Tier::KeyAccount);
            return render(status, &page);
        }
    };
    page.tiers = tier_choices(t, tier);
    page.query = format!(
        "period={period}&tier={}{}",
        tier.key(),
        if page.missing_only { "&missing=1" } else { "" }
    );
    match state
        .app
        .follow_up_coverage(&identity.actor(), &period, tier)
        .await
    {
        Ok(r) => {
            page.rows = rows(t, &r);
            if page.missing_only {
                page.rows
                    .retain(|row| row.state_key != CoverageState::Done.key());
            }
            page.agents = r
                .standings
                .iter()
                .map(|s| AgentRow {
                    agent: s
                        .agent_name
                        .clone()
                        .unwrap_or_else(|| t.t("follow_up.in_group").to_owned()),
                    planned: s.planned,
                    done: s.done,
                    overdue: s.overdue,
                })
                .collect();
            page.report = Some(Summary {
                in_scope: r.in_scope(),
                covered: r.covered,
                missing: r.missing,
                percent: format!("{:.1}", r.permille() as f64 / 10.0),
                at_risk: r.at_risk,
                end: local_time(r.end),
            });
            render(StatusCode::OK, &page)
        }
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => {
            let (status, message) = refusal(e, t);
            page.error = Some(message);
            render(status, &page)
        }
    }
}

/// The period asked for, else the month of today where the department works.
async fn asked_period(state: &AppState, q: &[(String, String)]) -> Result<String, WebError> {
    Ok(match field(q, "period").trim() {
        "" => PlanPeriod::containing(state.app.follow_up_today().await?, 1)
            .map(|p| p.key())
            .unwrap_or_default(),
        p => p.to_owned(),
    })
}

fn tier_choices(t: Tr, chosen: Tier) -> Vec<(String, String, bool)> {
    <Tier as Keyed>::keys()
        .into_iter()
        .map(|k| (k.to_owned(), t.tk("tier", k), k == chosen.key()))
        .collect()
}

/// `GET /follow-ups/coverage.csv` (`?encoding=gbk` for the Chinese Excel default).
pub async fn coverage_csv(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let format = FileFormat::csv(&q)?;
    coverage_file(state, identity, q, format).await
}

/// `GET /follow-ups/coverage.xlsx`: the customers, the agents, and the conditions.
pub async fn coverage_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    coverage_file(state, identity, q, FileFormat::Xlsx).await
}

async fn coverage_file(
    state: AppState,
    identity: Identity,
    q: Vec<(String, String)>,
    format: FileFormat,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let period = asked_period(&state, &q).await?;
    let tier = form_key::<Tier>(&q, "tier")?.unwrap_or(Tier::KeyAccount);
    let r = state
        .app
        .follow_up_coverage(&identity.actor(), &period, tier)
        .await?;
    let mut list = rows(t, &r);
    let missing_only = field(&q, "missing") == "1";
    if missing_only {
        list.retain(|row| row.state_key != CoverageState::Done.key());
    }
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let mut sheet = Sheet::new(t.t("follow_up.coverage_title"));
    sheet.push(SheetRow::heading([
        t.t("customer.name"),
        t.t("follow_up.tier_now"),
        t.t("customer.owner"),
        t.t("follow_up.state"),
        t.t("follow_up.done_at"),
        t.t("follow_up.agent"),
        t.t("follow_up.attempts"),
        t.t("follow_up.field.satisfaction"),
    ]));
    for row in list {
        sheet.push(SheetRow::new(vec![
            Cell::Text(row.customer),
            Cell::Text(row.tier_now),
            Cell::Text(row.owner),
            Cell::Text(row.state),
            row.done.map_or(Cell::Empty, |d| {
                Cell::DateTime(d.to_zoned(tz.clone()).datetime())
            }),
            Cell::Text(row.agent),
            Cell::Int(row.attempts),
            Cell::Text(row.satisfaction),
        ]));
    }
    sheet.push(SheetRow::blank());
    sheet.push(SheetRow::heading([
        t.t("follow_up.agent"),
        t.t("follow_up.planned"),
        t.t("follow_up.done"),
        t.t("follow_up.overdue"),
    ]));
    for s in &r.standings {
        sheet.push(SheetRow::new(vec![
            Cell::Text(
                s.agent_name
                    .clone()
                    .unwrap_or_else(|| t.t("follow_up.in_group").to_owned()),
            ),
            Cell::Int(s.planned),
            Cell::Int(s.done),
            Cell::Int(s.overdue),
        ]));
    }
    let conditions = vec![
        (
            t.t("follow_up.period").to_owned(),
            Cell::Text(r.period.clone()),
        ),
        (
            t.t("customer.tier").to_owned(),
            Cell::Text(t.tk("tier", r.tier.key())),
        ),
        (
            t.t("follow_up.in_scope").to_owned(),
            Cell::Int(r.in_scope()),
        ),
        (t.t("follow_up.covered").to_owned(), Cell::Int(r.covered)),
        (t.t("follow_up.missing").to_owned(), Cell::Int(r.missing)),
        (
            t.t("follow_up.missing_only").to_owned(),
            Cell::Text(
                t.t(if missing_only {
                    "common.yes"
                } else {
                    "common.no"
                })
                .to_owned(),
            ),
        ),
    ];
    let export = Export::new(
        sheet,
        Some(conditions_sheet(t, conditions, state.app.now())),
    );
    download(
        &export,
        format,
        &format!("follow-up-coverage-{}-{}", r.period, r.tier.key()),
    )
}
