//! 大客户服务方案与优惠政策 — one key account's page: its service plan with goals per stage
//! and the form that writes it, the reviews held and the form for the next, its discount
//! and incentive policies with the form that proposes one and the manager's decisions; and
//! the policies waiting for the manager.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::key_account::plan::AccountPlan;
use kefu_app::key_account::policy::Policy as StoredPolicy;
use kefu_domain::Permission;
use kefu_domain::input::Keyed;
use kefu_domain::key_account::plan::{GoalState, REVIEW_INTERVALS, Stage};
use kefu_domain::key_account::policy::{PolicyKind, percent, zhe};

use super::credit::parse_yuan;
use super::render;
use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::key_account_shared::{KeyAccountPolicyIn, ServicePlanIn};
use crate::view::{Layout, local_time, yuan};

/// A goal row of the form (the plan's goals, then blank rows to add more).
pub struct GoalRow {
    pub stage: String,
    pub goal: String,
    pub measure: String,
    pub due_on: String,
    pub state: String,
}

/// A policy as the pages show it.
pub struct PolicyLine {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    pub title: String,
    pub kind: String,
    /// "9.5 折（优惠 5%）", "返利 2%", or blank.
    pub rate: String,
    /// Yuan, or blank.
    pub threshold: String,
    pub conditions: String,
    pub valid: String,
    pub state_key: String,
    pub state: String,
    pub in_force: bool,
    pub proposed: String,
    pub decided: String,
    /// Whether this reader may withdraw it now (proposer while it waits, the manager).
    pub can_withdraw: bool,
}

/// What a policy reads as, for the key account page, the manager's list and the customer
/// page.
pub fn policy_line(
    t: Tr,
    p: StoredPolicy,
    in_force: bool,
    reader: Option<i64>,
    approves: bool,
) -> PolicyLine {
    let rate = match (p.kind.as_str(), p.rate_bp) {
        ("discount", Some(bp)) => t.f(
            "key_account.policy.discount_rate",
            &[("zhe", &zhe(bp)), ("percent", &percent(bp))],
        ),
        ("rebate", Some(bp)) => t.f(
            "key_account.policy.rebate_rate",
            &[("percent", &percent(bp))],
        ),
        _ => String::new(),
    };
    let pending = p.state == "pending";
    let can_withdraw = (pending
        && (approves || (p.proposed_by.is_some() && p.proposed_by == reader)))
        || (p.state == "approved" && approves);
    PolicyLine {
        id: p.id,
        customer_id: p.customer_id,
        customer: p.customer_name,
        title: p.title,
        kind: t.tk("key_account.policy_kind", &p.kind),
        rate,
        threshold: p.threshold_fen.map(yuan).unwrap_or_default(),
        conditions: p.conditions,
        valid: format!("{} – {}", p.valid_from, p.valid_until),
        state: t.tk("key_account.policy_state", &p.state),
        state_key: p.state,
        in_force,
        proposed: format!(
            "{} {}",
            p.proposed_by_name.unwrap_or_default(),
            local_time(p.proposed_at)
        ),
        decided: match p.decided_at {
            Some(at) => format!(
                "{} {}{}",
                p.decided_by_name.unwrap_or_default(),
                local_time(at),
                p.decision_note
                    .filter(|n| !n.is_empty())
                    .map(|n| format!(" · {n}"))
                    .unwrap_or_default()
            ),
            None => String::new(),
        },
        can_withdraw,
    }
}

#[derive(Template)]
#[template(path = "key_account_plan.html")]
struct PlanPage {
    t: Tr,
    layout: Layout,
    id: i64,
    customer: String,
    owner: String,
    has_plan: bool,
    stage: String,
    stage_key: String,
    needs: String,
    review_every: String,
    review_every_label: String,
    next_review_on: String,
    review_due: bool,
    author: String,
    /// The plan's goals as shown: (stage, goal, measure, due, state).
    goals: Vec<(String, String, String, String, String)>,
    /// The form's rows.
    goal_rows: Vec<GoalRow>,
    /// (when, reviewer, stage before → after, findings, next review)
    reviews: Vec<(String, String, String, String, String)>,
    policies: Vec<PolicyLine>,
    stages: Vec<(String, String)>,
    goal_states: Vec<(String, String)>,
    intervals: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    can_decide: bool,
    form: Vec<(String, String)>,
    /// Which form the error belongs to: `plan`, `review`, `policy` or `decision`.
    error_for: &'static str,
    error: Option<String>,
}

impl PlanPage {
    fn value(&self, k: &str) -> &str {
        field(&self.form, k)
    }
}

/// Blank goal rows offered below the plan's own.
const BLANK_GOALS: usize = 3;

fn goal_rows(plan: Option<&AccountPlan>, form: &[(String, String)]) -> Vec<GoalRow> {
    if !form.is_empty() && form.iter().any(|(k, _)| k == "goal") {
        // The rows as typed, so a refused form keeps them.
        let col = |k: &str| -> Vec<String> {
            form.iter()
                .filter(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .collect()
        };
        let (stages, goals, measures, dues, states) = (
            col("goal_stage"),
            col("goal"),
            col("goal_measure"),
            col("goal_due_on"),
            col("goal_state"),
        );
        let at = |v: &[String], i: usize| v.get(i).cloned().unwrap_or_default();
        return (0..goals.len())
            .map(|i| GoalRow {
                stage: at(&stages, i),
                goal: at(&goals, i),
                measure: at(&measures, i),
                due_on: at(&dues, i),
                state: at(&states, i),
            })
            .collect();
    }
    let stage = plan
        .and_then(|p| p.plan.as_ref())
        .map(|p| p.stage)
        .unwrap_or(Stage::Forming);
    let mut rows: Vec<GoalRow> = plan
        .and_then(|p| p.plan.as_ref())
        .map(|p| {
            p.goals
                .iter()
                .map(|g| GoalRow {
                    stage: g.stage.key().to_owned(),
                    goal: g.goal.clone(),
                    measure: g.measure.clone(),
                    due_on: g.due_on.map(|d| d.to_string()).unwrap_or_default(),
                    state: g.state.key().to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    rows.extend((0..BLANK_GOALS).map(|_| GoalRow {
        stage: stage.key().to_owned(),
        goal: String::new(),
        measure: String::new(),
        due_on: String::new(),
        state: GoalState::Open.key().to_owned(),
    }));
    rows
}

async fn plan_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    form: Vec<(String, String)>,
    error_for: &'static str,
    error: Option<String>,
) -> Result<PlanPage, WebError> {
    let t = identity.tr();
    let a = state.app.key_account_plan(&identity.actor(), id).await?;
    let approves = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::KeyAccountApprove));
    let reader = identity.user.as_ref().map(|u| u.id);
    let goal_rows = goal_rows(Some(&a), if error_for == "plan" { &form } else { &[] });
    let stage_name = |k: &str| t.tk("key_account.stage", k);
    let plan = a.plan.clone();
    Ok(PlanPage {
        t,
        layout: Layout::new(identity, "/key-accounts"),
        id,
        customer: a.customer_name,
        owner: a.owner_name.unwrap_or_default(),
        has_plan: plan.is_some(),
        stage: plan
            .as_ref()
            .map(|p| stage_name(p.stage.key()))
            .unwrap_or_default(),
        stage_key: plan
            .as_ref()
            .map(|p| p.stage.key().to_owned())
            .unwrap_or_else(|| Stage::Forming.key().to_owned()),
        needs: plan.as_ref().map(|p| p.needs.clone()).unwrap_or_default(),
        review_every: plan
            .as_ref()
            .map(|p| p.review_every_months.to_string())
            .unwrap_or_else(|| "3".to_owned()),
        review_every_label: plan
            .as_ref()
            .map(|p| {
                t.f(
                    "key_account.every_months",
                    &[("n", &p.review_every_months.to_string())],
                )
            })
            .unwrap_or_default(),
        next_review_on: plan
            .as_ref()
            .map(|p| p.next_review_on.to_string())
            .unwrap_or_default(),
        review_due: a.review_due,
        author: a.author_name.unwrap_or_default(),
        goals: plan
            .as_ref()
            .map(|p| {
                p.goals
                    .iter()
                    .map(|g| {
                        (
                            stage_name(g.stage.key()),
                            g.goal.clone(),
                            g.measure.clone(),
                            g.due_on.map(|d| d.to_string()).unwrap_or_default(),
                            t.tk("key_account.goal_state", g.state.key()),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        goal_rows,
        reviews: a
            .reviews
            .into_iter()
            .map(|r| {
                (
                    local_time(r.reviewed_at),
                    r.reviewer_name.unwrap_or_default(),
                    if r.stage_before == r.stage_after {
                        stage_name(&r.stage_after)
                    } else {
                        format!(
                            "{} → {}",
                            stage_name(&r.stage_before),
                            stage_name(&r.stage_after)
                        )
                    },
                    r.findings,
                    r.next_review_on,
                )
            })
            .collect(),
        policies: a
            .policies
            .into_iter()
            .map(|(p, force)| policy_line(t, p, force, reader, approves))
            .collect(),
        stages: <Stage as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), stage_name(k)))
            .collect(),
        goal_states: <GoalState as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("key_account.goal_state", k)))
            .collect(),
        intervals: REVIEW_INTERVALS
            .iter()
            .map(|m| {
                (
                    m.to_string(),
                    t.f("key_account.every_months", &[("n", &m.to_string())]),
                )
            })
            .collect(),
        kinds: <PolicyKind as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("key_account.policy_kind", k)))
            .collect(),
        can_decide: approves,
        form,
        error_for,
        error,
    })
}

/// `/key-accounts/{id}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let p = plan_page(&state, &identity, id, Vec::new(), "", None).await?;
    render(StatusCode::OK, &p)
}

/// The result of one of the page's forms: back to the page (at `anchor`), or the page
/// again with the refusal beside the form it belongs to.
async fn after(
    state: &AppState,
    identity: &Identity,
    id: i64,
    pairs: Vec<(String, String)>,
    form: &'static str,
    result: Result<(), WebError>,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/key-accounts/{id}#{form}")).into_response()),
        Err(WebError::Forbidden) => Err(WebError::Forbidden),
        Err(WebError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = super::input_refusal(e, identity.tr());
            let p = plan_page(state, identity, id, pairs, form, Some(message)).await?;
            render(status, &p)
        }
    }
}

fn app_result<T>(r: kefu_app::Result<T>) -> Result<(), WebError> {
    match r {
        Ok(_) => Ok(()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => Err(e.into()),
    }
}

/// The goal rows of a form, blank rows left out.
fn goals_of(pairs: &[(String, String)]) -> Vec<crate::key_account_shared::PlanGoalIn> {
    let col = |k: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let (stages, goals, measures, dues, states) = (
        col("goal_stage"),
        col("goal"),
        col("goal_measure"),
        col("goal_due_on"),
        col("goal_state"),
    );
    let at = |v: &[&str], i: usize| v.get(i).copied().unwrap_or_default().to_owned();
    (0..goals.len())
        .filter(|i| !at(&goals, *i).trim().is_empty() || !at(&measures, *i).trim().is_empty())
        .map(|i| crate::key_account_shared::PlanGoalIn {
            stage: at(&stages, i),
            goal: at(&goals, i),
            measure: at(&measures, i),
            due_on: Some(at(&dues, i)),
            state: Some(at(&states, i)),
        })
        .collect()
}

/// `POST /key-accounts/{id}/plan`: writes the plan.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let input = ServicePlanIn {
        stage: field(&pairs, "stage").to_owned(),
        needs: field(&pairs, "needs").to_owned(),
        review_every_months: field(&pairs, "review_every_months")
            .trim()
            .parse()
            .unwrap_or(0),
        next_review_on: field(&pairs, "next_review_on").to_owned(),
        goals: goals_of(&pairs),
    };
    let result = match input.plan() {
        Ok(plan) => app_result(
            state
                .app
                .save_service_plan(&identity.actor(), id, &plan)
                .await,
        ),
        Err(e) => Err(e),
    };
    after(&state, &identity, id, pairs, "plan", result).await
}

/// `POST /key-accounts/{id}/plan/reviews`: records a review.
pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let next = field(&pairs, "next_review_on");
    let result = crate::key_account_shared::review_of(
        field(&pairs, "findings"),
        field(&pairs, "stage"),
        (!next.trim().is_empty()).then_some(next),
    );
    let result = match result {
        Ok(r) => app_result(
            state
                .app
                .review_service_plan(&identity.actor(), id, &r)
                .await,
        ),
        Err(e) => Err(e),
    };
    after(&state, &identity, id, pairs, "review", result).await
}

/// `POST /key-accounts/{id}/policies`: proposes a policy. The rate is typed as a
/// percentage (`5` or `5.5`), the threshold in yuan.
pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let money = |k: &str| -> Result<Option<i64>, WebError> {
        let v = field(&pairs, k).trim();
        if v.is_empty() {
            return Ok(None);
        }
        parse_yuan(v)
            .map(Some)
            .ok_or_else(|| WebError::App(kefu_app::AppError::BadAmount))
    };
    let result = match (money("rate_percent"), money("threshold")) {
        (Ok(rate_bp), Ok(threshold_fen)) => {
            let input = KeyAccountPolicyIn {
                kind: field(&pairs, "kind").to_owned(),
                title: field(&pairs, "title").to_owned(),
                conditions: field(&pairs, "conditions").to_owned(),
                rate_bp,
                threshold_fen,
                valid_from: field(&pairs, "valid_from").to_owned(),
                valid_until: field(&pairs, "valid_until").to_owned(),
            };
            match input.policy() {
                Ok(p) => app_result(state.app.propose_policy(&identity.actor(), id, &p).await),
                Err(e) => Err(e),
            }
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    after(&state, &identity, id, pairs, "policies", result).await
}

/// `POST /key-accounts/policies/{id}/approve`
pub async fn approve(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    decide(state, identity, id, "approve", pairs).await
}

/// `POST /key-accounts/policies/{id}/reject`
pub async fn reject(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    decide(state, identity, id, "reject", pairs).await
}

/// `POST /key-accounts/policies/{id}/withdraw`
pub async fn withdraw(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    decide(state, identity, id, "withdraw", pairs).await
}

/// A decision on a policy, back to the page it was taken on (`back`: the account's page,
/// or `list`, the manager's list).
async fn decide(
    state: AppState,
    identity: Identity,
    id: i64,
    action: &str,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let (policy, _) = state.app.key_account_policy(&actor, id).await?;
    let note = field(&pairs, "note");
    let result = match action {
        "approve" => state.app.decide_policy(&actor, id, true, note).await,
        "reject" => state.app.decide_policy(&actor, id, false, note).await,
        _ => state.app.withdraw_policy(&actor, id, note).await,
    };
    if field(&pairs, "back") == "list" {
        return match app_result(result) {
            Ok(()) => Ok(Redirect::to("/key-accounts/policies").into_response()),
            Err(e @ (WebError::Forbidden | WebError::NotFound)) => Err(e),
            Err(e) => {
                let (status, message) = super::input_refusal(e, identity.tr());
                let p = pending_page(&state, &identity, Some(message)).await?;
                render(status, &p)
            }
        };
    }
    after(
        &state,
        &identity,
        policy.customer_id,
        pairs,
        "policies",
        app_result(result),
    )
    .await
}

#[derive(Template)]
#[template(path = "key_account_policies.html")]
struct PendingPage {
    t: Tr,
    layout: Layout,
    /// No account: the table links each policy to its account.
    id: i64,
    policies: Vec<PolicyLine>,
    can_decide: bool,
    error: Option<String>,
}

async fn pending_page(
    state: &AppState,
    identity: &Identity,
    error: Option<String>,
) -> Result<PendingPage, WebError> {
    let t = identity.tr();
    let approves = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::KeyAccountApprove));
    let reader = identity.user.as_ref().map(|u| u.id);
    let policies = state
        .app
        .pending_policies(&identity.actor())
        .await?
        .into_iter()
        .map(|p| policy_line(t, p, false, reader, approves))
        .collect();
    Ok(PendingPage {
        t,
        layout: Layout::new(identity, "/key-accounts"),
        id: 0,
        policies,
        can_decide: approves,
        error,
    })
}

/// `/key-accounts/policies`: the policies waiting for a manager.
pub async fn pending(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let p = pending_page(&state, &identity, None).await?;
    render(StatusCode::OK, &p)
}
