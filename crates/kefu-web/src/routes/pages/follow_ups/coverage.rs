//! 回访覆盖 — the coverage page: a period and a tier, every customer in scope with its
//! completed visit or why it is missing (the missing first), and each agent's planned,
//! done and overdue visits.

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
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

struct Row {
    customer_id: i64,
    customer: String,
    tier_now: String,
    owner: String,
    state_key: &'static str,
    state: String,
    visit_id: Option<i64>,
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
    let today = kefu_app::workbench::start_of_day(state.app.now())
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
        .date();
    let period = match field(&q, "period").trim() {
        "" => PlanPeriod::containing(today, 1)
            .map(|p| p.key())
            .unwrap_or_default(),
        p => p.to_owned(),
    };
    let mut page = CoveragePage {
        t,
        layout: Layout::new(&identity, "/follow-ups/coverage"),
        period: period.clone(),
        missing_only: field(&q, "missing") == "1",
        tiers: Vec::new(),
        report: None,
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

fn tier_choices(t: Tr, chosen: Tier) -> Vec<(String, String, bool)> {
    <Tier as Keyed>::keys()
        .into_iter()
        .map(|k| (k.to_owned(), t.tk("tier", k), k == chosen.key()))
        .collect()
}
