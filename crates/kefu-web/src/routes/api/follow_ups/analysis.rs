//! 回访周报 over the API.

use axum::Json;
use axum::extract::{Query, State};
use kefu_app::follow_up::week_or_this;
use kefu_store::follow_up::AgentTally;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::{ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalysisParams {
    /// An ISO week, `2026-W49`; this week when left out.
    pub week: Option<String>,
}

/// One agent's week (no agent: visits waiting in a group).
#[derive(Serialize, ToSchema)]
pub struct AgentWeekOut {
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    /// Visits completed in the week.
    pub done: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
    /// Completed without a call long enough to prove them.
    pub unverified: i64,
    /// Visits whose window closed in the week while still planned.
    pub overdue: i64,
}

fn agent_out(a: AgentTally) -> AgentWeekOut {
    AgentWeekOut {
        agent_id: a.agent_id,
        agent_name: a.agent_name,
        done: a.done,
        satisfied: a.satisfied,
        neutral: a.neutral,
        unsatisfied: a.unsatisfied,
        unverified: a.unverified,
        overdue: a.overdue,
    }
}

/// A visit completed 一般 or 不满意.
#[derive(Serialize, ToSchema)]
pub struct NotSatisfiedOut {
    pub visit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub agent_name: Option<String>,
    pub reason: String,
    /// `neutral` or `unsatisfied`.
    pub satisfaction: String,
    pub done_at: String,
    pub aspects: Vec<String>,
    /// 客户原话
    pub words: String,
    pub next_action: String,
    pub opened_ticket_id: Option<i64>,
    pub opened_complaint_id: Option<i64>,
    /// The complaint the visit followed up.
    pub complaint_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct AnalysisOut {
    /// `2026-W49`.
    pub week: String,
    /// Monday 00:00 and the Monday after, local time, as instants.
    pub start: String,
    pub end: String,
    pub agents: Vec<AgentWeekOut>,
    pub total: AgentWeekOut,
    /// 满意率 in per mille of the completed visits; `null` without any.
    pub satisfied_permille: Option<i64>,
    /// Attempts made in the week by what came of them (`reached`, `no_answer`…).
    pub reach: std::collections::BTreeMap<String, i64>,
    /// How often each aspect was named by the 一般 and 不满意.
    pub aspects: std::collections::BTreeMap<String, i64>,
    /// The 一般 and 不满意, 不满意 first; at most 1000.
    pub not_satisfied: Vec<NotSatisfiedOut>,
    /// More than listed.
    pub truncated: bool,
}

/// 回访周报 — a week's follow-up results (002 §三2): per agent the visits completed and
/// their satisfaction, the unproven and the overdue; attempts by what came of them; what
/// the 一般 and 不满意 were about, and each of them in the customer's words.
#[utoipa::path(get, path = "/api/v1/follow-ups/analysis", tag = "follow_ups",
    params(AnalysisParams),
    responses(
        (status = 200, description = "The week's analysis", body = AnalysisOut),
        (status = 422, description = "`bad_week`", body = ErrorBody),
    ))]
pub async fn weekly(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AnalysisParams>,
) -> Result<Json<AnalysisOut>, WebError> {
    let today = state.app.follow_up_today().await?;
    let week = week_or_this(p.week.as_deref().unwrap_or_default(), today)
        .map_err(kefu_app::AppError::from)?;
    let a = state
        .app
        .follow_up_analysis(&identity.actor(), week)
        .await?;
    Ok(Json(AnalysisOut {
        week: a.week.key(),
        start: rfc3339(a.start),
        end: rfc3339(a.end),
        satisfied_permille: a.satisfied_permille(),
        reach: a
            .reach
            .iter()
            .map(|(r, n)| (r.key().to_owned(), *n))
            .collect(),
        aspects: a
            .aspects
            .iter()
            .map(|(x, n)| (x.key().to_owned(), *n))
            .collect(),
        truncated: a.truncated,
        total: agent_out(a.total),
        agents: a.agents.into_iter().map(agent_out).collect(),
        not_satisfied: a
            .not_satisfied
            .into_iter()
            .map(|n| NotSatisfiedOut {
                visit_id: n.visit_id,
                customer_id: n.customer_id,
                customer_name: n.customer_name,
                agent_name: n.agent_name,
                reason: n.reason,
                satisfaction: n.satisfaction,
                done_at: rfc3339(n.done_at),
                aspects: n.aspects,
                words: n.words,
                next_action: n.next_action,
                opened_ticket_id: n.opened_ticket_id,
                opened_complaint_id: n.opened_complaint_id,
                complaint_id: n.complaint_id,
            })
            .collect(),
    }))
}
