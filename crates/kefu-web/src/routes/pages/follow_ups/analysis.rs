//! 回访周报 — the weekly analysis page: per agent the visits completed, their
//! satisfaction, the unproven and the overdue; attempts by what came of them; what the
//! 一般 and 不满意 were about; and each of those with the customer's words. The same as
//! XLSX, or CSV of the not-satisfied.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::export::{Cell, Export, Row as SheetRow, Sheet};
use kefu_app::follow_up::{WeeklyAnalysis, week_or_this};
use kefu_store::follow_up::AgentTally;

use super::super::tickets::field;
use super::super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::export::{FileFormat, conditions_sheet, download};
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

struct AgentLine {
    agent: String,
    done: i64,
    satisfied: i64,
    neutral: i64,
    unsatisfied: i64,
    rate: String,
    unverified: i64,
    overdue: i64,
}

struct Line {
    visit_id: i64,
    customer_id: i64,
    customer: String,
    agent: String,
    reason: String,
    satisfaction_key: String,
    satisfaction: String,
    done_at: String,
    aspects: String,
    words: String,
    next_action: String,
    opened: Option<(String, String)>,
}

struct Summary {
    week: String,
    from: String,
    to: String,
    total: AgentLine,
    attempts: i64,
    reach: Vec<(String, i64)>,
    aspects: Vec<(String, i64)>,
    truncated: bool,
}

#[derive(Template)]
#[template(path = "follow_up_analysis.html")]
struct AnalysisPage {
    t: Tr,
    layout: Layout,
    week: String,
    previous: String,
    next: String,
    summary: Option<Summary>,
    agents: Vec<AgentLine>,
    lines: Vec<Line>,
    error: Option<String>,
}

/// 满意率 as the pages write it: one decimal, or a dash without visits.
fn rate(satisfied: i64, done: i64) -> String {
    if done == 0 {
        return "—".to_owned();
    }
    let permille = satisfied * 1000 / done;
    format!("{}.{}%", permille / 10, permille % 10)
}

fn agent_line(t: Tr, a: &AgentTally) -> AgentLine {
    AgentLine {
        agent: a
            .agent_name
            .clone()
            .unwrap_or_else(|| t.t("follow_up.in_group").to_owned()),
        done: a.done,
        satisfied: a.satisfied,
        neutral: a.neutral,
        unsatisfied: a.unsatisfied,
        rate: rate(a.satisfied, a.done),
        unverified: a.unverified,
        overdue: a.overdue,
    }
}

fn lines(t: Tr, a: &WeeklyAnalysis) -> Vec<Line> {
    a.not_satisfied
        .iter()
        .map(|n| Line {
            visit_id: n.visit_id,
            customer_id: n.customer_id,
            customer: n.customer_name.clone(),
            agent: n.agent_name.clone().unwrap_or_default(),
            reason: t.tk("follow_up.reason", &n.reason),
            satisfaction_key: n.satisfaction.clone(),
            satisfaction: t.tk("follow_up_result", &n.satisfaction),
            done_at: local_time(n.done_at),
            aspects: n
                .aspects
                .iter()
                .map(|k| t.tk("follow_up.aspect", k))
                .collect::<Vec<_>>()
                .join("、"),
            words: n.words.clone(),
            next_action: n.next_action.clone(),
            opened: match (n.opened_complaint_id, n.opened_ticket_id, n.complaint_id) {
                (Some(c), _, _) => Some((
                    format!("/complaints/{c}"),
                    t.t("follow_up.opened_complaint").to_owned(),
                )),
                (None, Some(tk), _) => Some((
                    format!("/tickets/{tk}"),
                    t.t("follow_up.opened_ticket").to_owned(),
                )),
                (None, None, Some(c)) => Some((
                    format!("/complaints/{c}"),
                    t.t("follow_up.for_complaint").to_owned(),
                )),
                _ => None,
            },
        })
        .collect()
}

async fn analysis(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
) -> Result<WeeklyAnalysis, kefu_app::AppError> {
    let today = state.app.follow_up_today().await?;
    let week = week_or_this(field(q, "week"), today)?;
    state.app.follow_up_analysis(&identity.actor(), week).await
}

/// `/follow-ups/analysis?week=2026-W49` (this week by default).
pub async fn analysis_page(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let mut page = AnalysisPage {
        t,
        layout: Layout::new(&identity, "/follow-ups/analysis"),
        week: field(&q, "week").trim().to_owned(),
        previous: String::new(),
        next: String::new(),
        summary: None,
        agents: Vec::new(),
        lines: Vec::new(),
        error: None,
    };
    match analysis(&state, &identity, &q).await {
        Ok(a) => {
            page.week = a.week.key();
            page.previous = a.week.previous().key();
            page.next = kefu_domain::follow_up::week::Week::containing(a.week.end()).key();
            page.agents = a.agents.iter().map(|x| agent_line(t, x)).collect();
            page.lines = lines(t, &a);
            page.summary = Some(Summary {
                week: a.week.key(),
                from: a.week.start().to_string(),
                to: a
                    .week
                    .end()
                    .yesterday()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                total: agent_line(t, &a.total),
                attempts: a.attempts(),
                reach: a
                    .reach
                    .iter()
                    .map(|(r, n)| (t.tk("follow_up.reach", r.key()), *n))
                    .collect(),
                aspects: a
                    .aspects
                    .iter()
                    .map(|(x, n)| (t.tk("follow_up.aspect", x.key()), *n))
                    .collect(),
                truncated: a.truncated,
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

/// `GET /follow-ups/analysis.xlsx?week=2026-W49`: the agents, the not-satisfied, and the
/// conditions with the week's totals.
pub async fn analysis_xlsx(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let a = analysis(&state, &identity, &q).await?;
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let mut sheet = Sheet::new(t.t("follow_up.analysis_title"));
    sheet.push(SheetRow::heading([
        t.t("follow_up.agent"),
        t.t("follow_up.done"),
        t.t("follow_up_result.satisfied"),
        t.t("follow_up_result.neutral"),
        t.t("follow_up_result.unsatisfied"),
        t.t("follow_up.satisfied_rate"),
        t.t("follow_up.unverified"),
        t.t("follow_up.overdue"),
    ]));
    for x in a.agents.iter().chain(std::iter::once(&a.total)) {
        let is_total = std::ptr::eq(x, &a.total);
        sheet.push(SheetRow::new(vec![
            Cell::Text(if is_total {
                t.t("follow_up.all_agents").to_owned()
            } else {
                agent_line(t, x).agent
            }),
            Cell::Int(x.done),
            Cell::Int(x.satisfied),
            Cell::Int(x.neutral),
            Cell::Int(x.unsatisfied),
            if x.done == 0 {
                Cell::Empty
            } else {
                Cell::Decimal {
                    value: x.satisfied as f64 * 100.0 / x.done as f64,
                    places: 1,
                }
            },
            Cell::Int(x.unverified),
            Cell::Int(x.overdue),
        ]));
    }
    sheet.push(SheetRow::blank());
    sheet.push(SheetRow::heading([
        t.t("customer.name"),
        t.t("follow_up.agent"),
        t.t("follow_up.reason_label"),
        t.t("follow_up.field.satisfaction"),
        t.t("follow_up.done_at"),
        t.t("follow_up.field.aspects"),
        t.t("follow_up.field.words"),
        t.t("follow_up.field.next_action"),
    ]));
    for (n, line) in a.not_satisfied.iter().zip(lines(t, &a)) {
        sheet.push(SheetRow::new(vec![
            Cell::Text(line.customer),
            Cell::Text(line.agent),
            Cell::Text(line.reason),
            Cell::Text(line.satisfaction),
            Cell::DateTime(n.done_at.to_zoned(tz.clone()).datetime()),
            Cell::Text(line.aspects),
            Cell::Text(line.words),
            Cell::Text(line.next_action),
        ]));
    }
    let mut conditions = vec![
        (t.t("follow_up.week").to_owned(), Cell::Text(a.week.key())),
        (
            t.t("follow_up.attempts").to_owned(),
            Cell::Int(a.attempts()),
        ),
    ];
    for (r, n) in &a.reach {
        conditions.push((t.tk("follow_up.reach", r.key()), Cell::Int(*n)));
    }
    for (x, n) in &a.aspects {
        conditions.push((
            format!(
                "{}：{}",
                t.t("follow_up.not_satisfied_about"),
                t.tk("follow_up.aspect", x.key())
            ),
            Cell::Int(*n),
        ));
    }
    let export = Export::new(
        sheet,
        Some(conditions_sheet(t, conditions, state.app.now())),
    );
    download(
        &export,
        FileFormat::Xlsx,
        &format!("follow-up-analysis-{}", a.week.key()),
    )
}
