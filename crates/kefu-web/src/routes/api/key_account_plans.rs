//! 大客户服务方案与优惠政策 over the API: a key account's service plan and its reviews, its
//! discount and incentive policies, and the manager's decisions on them.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::key_account::plan::AccountPlan;
use kefu_app::key_account::policy::Policy;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::key_account_shared::{KeyAccountPolicyIn, ServicePlanIn, review_of};

/// A goal of a plan.
#[derive(Serialize, ToSchema)]
pub struct PlanGoalOut {
    pub stage: String,
    pub goal: String,
    pub measure: String,
    pub due_on: Option<String>,
    /// `open`, `met`, `missed`, `dropped`.
    pub state: String,
}

/// A key account's service plan.
#[derive(Serialize, ToSchema)]
pub struct ServicePlanOut {
    /// `exploring`, `forming`, `stable`, `declining`.
    pub stage: String,
    pub needs: String,
    pub review_every_months: i64,
    pub next_review_on: String,
    pub goals: Vec<PlanGoalOut>,
}

/// A review held with the customer.
#[derive(Serialize, ToSchema)]
pub struct PlanReviewOut {
    pub id: i64,
    pub reviewed_at: String,
    pub reviewer_name: Option<String>,
    pub stage_before: String,
    pub stage_after: String,
    pub findings: String,
    pub next_review_on: String,
}

/// A key account's plan (`null` until written) and its reviews.
#[derive(Serialize, ToSchema)]
pub struct AccountPlanOut {
    pub customer_id: i64,
    pub customer_name: String,
    pub plan: Option<ServicePlanOut>,
    /// The review date has come.
    pub review_due: bool,
    pub reviews: Vec<PlanReviewOut>,
}

fn plan_out(a: AccountPlan) -> AccountPlanOut {
    AccountPlanOut {
        customer_id: a.customer_id,
        customer_name: a.customer_name,
        plan: a.plan.map(|p| ServicePlanOut {
            stage: p.stage.key().to_owned(),
            needs: p.needs,
            review_every_months: p.review_every_months,
            next_review_on: p.next_review_on.to_string(),
            goals: p
                .goals
                .into_iter()
                .map(|g| PlanGoalOut {
                    stage: g.stage.key().to_owned(),
                    goal: g.goal,
                    measure: g.measure,
                    due_on: g.due_on.map(|d| d.to_string()),
                    state: g.state.key().to_owned(),
                })
                .collect(),
        }),
        review_due: a.review_due,
        reviews: a
            .reviews
            .into_iter()
            .map(|r| PlanReviewOut {
                id: r.id,
                reviewed_at: rfc3339(r.reviewed_at),
                reviewer_name: r.reviewer_name,
                stage_before: r.stage_before,
                stage_after: r.stage_after,
                findings: r.findings,
                next_review_on: r.next_review_on,
            })
            .collect(),
    }
}

/// 服务方案 — a key account's service plan and its reviews.
#[utoipa::path(get, path = "/api/v1/key-accounts/{id}/plan", tag = "key_accounts",
    params(("id" = i64, Path, description = "customer id")),
    responses(
        (status = 200, description = "The plan", body = AccountPlanOut),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn plan(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<AccountPlanOut>, WebError> {
    let a = state.app.key_account_plan(&identity.actor(), id).await?;
    Ok(Json(plan_out(a)))
}

/// Writes a key account's service plan, replacing the one there (its reviews stay).
#[utoipa::path(put, path = "/api/v1/key-accounts/{id}/plan", tag = "key_accounts",
    params(("id" = i64, Path, description = "customer id")), request_body = ServicePlanIn,
    responses(
        (status = 200, description = "Written", body = AccountPlanOut),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "`not_key_account`, `key_account_required`, `key_account_too_long`, `plan_review_interval`, `plan_review_date`, `plan_too_many_goals`, `date_out_of_range`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn save_plan(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ServicePlanIn>,
) -> Result<Json<AccountPlanOut>, WebError> {
    let actor = identity.actor();
    state.app.save_service_plan(&actor, id, &b.plan()?).await?;
    Ok(Json(plan_out(
        state.app.key_account_plan(&actor, id).await?,
    )))
}

/// A review of the plan.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanReviewIn {
    /// What was found, 1–4000 characters.
    pub findings: String,
    /// The stage after the review.
    pub stage: String,
    /// `YYYY-MM-DD`; absent: the plan's interval after today.
    pub next_review_on: Option<String>,
}

/// 方案回顾 — records a review held with the customer and moves the plan to its stage and
/// next review date.
#[utoipa::path(post, path = "/api/v1/key-accounts/{id}/plan/reviews", tag = "key_accounts",
    params(("id" = i64, Path, description = "customer id")), request_body = PlanReviewIn,
    responses(
        (status = 201, description = "Recorded", body = AccountPlanOut),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 409, description = "`service_plan_missing`", body = ErrorBody),
        (status = 422, description = "`not_key_account`, `key_account_required`, `plan_review_date`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn review(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PlanReviewIn>,
) -> Result<(StatusCode, Json<AccountPlanOut>), WebError> {
    let actor = identity.actor();
    let r = review_of(&b.findings, &b.stage, b.next_review_on.as_deref())?;
    state.app.review_service_plan(&actor, id, &r).await?;
    Ok((
        StatusCode::CREATED,
        Json(plan_out(state.app.key_account_plan(&actor, id).await?)),
    ))
}

/// A discount or incentive policy.
#[derive(Serialize, ToSchema)]
pub struct KeyAccountPolicyOut {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// `discount`, `rebate`, `free_service`, `priority`.
    pub kind: String,
    pub title: String,
    pub conditions: String,
    /// Basis points: 500 is 5 % off (九五折) or back.
    pub rate_bp: Option<i64>,
    /// Fen.
    pub threshold_fen: Option<i64>,
    pub currency: String,
    pub valid_from: String,
    pub valid_until: String,
    /// `pending`, `approved`, `rejected`, `withdrawn`.
    pub state: String,
    /// Approved and today within its dates.
    pub in_force: bool,
    pub proposed_by_name: Option<String>,
    pub proposed_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_note: Option<String>,
}

pub(super) fn policy_out(p: Policy, in_force: bool) -> KeyAccountPolicyOut {
    KeyAccountPolicyOut {
        id: p.id,
        customer_id: p.customer_id,
        customer_name: p.customer_name,
        kind: p.kind,
        title: p.title,
        conditions: p.conditions,
        rate_bp: p.rate_bp,
        threshold_fen: p.threshold_fen,
        currency: p.currency,
        valid_from: p.valid_from,
        valid_until: p.valid_until,
        state: p.state,
        in_force,
        proposed_by_name: p.proposed_by_name,
        proposed_at: rfc3339(p.proposed_at),
        decided_by_name: p.decided_by_name,
        decided_at: p.decided_at.map(rfc3339),
        decision_note: p.decision_note,
    }
}

/// 优惠政策 — a key account's policies, the newest first.
#[utoipa::path(get, path = "/api/v1/key-accounts/{id}/policies", tag = "key_accounts",
    params(("id" = i64, Path, description = "customer id")),
    responses(
        (status = 200, description = "The policies", body = Vec<KeyAccountPolicyOut>),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn policies(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<Vec<KeyAccountPolicyOut>>, WebError> {
    let a = state.app.key_account_plan(&identity.actor(), id).await?;
    Ok(Json(
        a.policies
            .into_iter()
            .map(|(p, f)| policy_out(p, f))
            .collect(),
    ))
}

/// Proposes a policy for a key account; the managers are told.
#[utoipa::path(post, path = "/api/v1/key-accounts/{id}/policies", tag = "key_accounts",
    params(("id" = i64, Path, description = "customer id")), request_body = KeyAccountPolicyIn,
    responses(
        (status = 201, description = "Proposed, waiting for a manager", body = KeyAccountPolicyOut),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "`not_key_account`, `key_account_required`, `key_account_too_long`, `policy_rate_required`, `policy_rate`, `policy_rate_not_applicable`, `policy_threshold_required`, `policy_dates`, `dates_reversed`, `date_out_of_range`, `negative_amount`, `amount_too_large`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<KeyAccountPolicyIn>,
) -> Result<(StatusCode, Json<KeyAccountPolicyOut>), WebError> {
    let actor = identity.actor();
    let pid = state.app.propose_policy(&actor, id, &b.policy()?).await?;
    let (p, f) = state.app.key_account_policy(&actor, pid).await?;
    Ok((StatusCode::CREATED, Json(policy_out(p, f))))
}

/// 待审批 — the policies waiting for a manager, the oldest first.
#[utoipa::path(get, path = "/api/v1/key-account-policies", tag = "key_accounts",
    responses((status = 200, description = "The policies waiting", body = Vec<KeyAccountPolicyOut>)))]
pub async fn pending(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<KeyAccountPolicyOut>>, WebError> {
    let list = state.app.pending_policies(&identity.actor()).await?;
    Ok(Json(
        list.into_iter().map(|p| policy_out(p, false)).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDecisionIn {
    /// Why: optional when approving, required to reject or withdraw; at most 2000
    /// characters.
    #[serde(default)]
    pub note: String,
}

async fn decided(
    state: &AppState,
    identity: &Identity,
    id: i64,
    result: kefu_app::Result<()>,
) -> Result<Json<KeyAccountPolicyOut>, WebError> {
    result?;
    let (p, f) = state.app.key_account_policy(&identity.actor(), id).await?;
    Ok(Json(policy_out(p, f)))
}

/// Approves a waiting policy (not one you proposed); its proposer is told.
#[utoipa::path(post, path = "/api/v1/key-account-policies/{id}/approve", tag = "key_accounts",
    params(("id" = i64, Path, description = "policy id")), request_body = PolicyDecisionIn,
    responses(
        (status = 200, description = "Approved", body = KeyAccountPolicyOut),
        (status = 403, description = "`own_policy`", body = ErrorBody),
        (status = 404, description = "No such policy", body = ErrorBody),
        (status = 409, description = "`policy_decided`", body = ErrorBody),
        (status = 422, description = "`key_account_too_long`", body = ErrorBody),
    ))]
pub async fn approve(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PolicyDecisionIn>,
) -> Result<Json<KeyAccountPolicyOut>, WebError> {
    let r = state
        .app
        .decide_policy(&identity.actor(), id, true, &b.note)
        .await;
    decided(&state, &identity, id, r).await
}

/// Rejects a waiting policy, saying why; its proposer is told.
#[utoipa::path(post, path = "/api/v1/key-account-policies/{id}/reject", tag = "key_accounts",
    params(("id" = i64, Path, description = "policy id")), request_body = PolicyDecisionIn,
    responses(
        (status = 200, description = "Rejected", body = KeyAccountPolicyOut),
        (status = 403, description = "`own_policy`", body = ErrorBody),
        (status = 404, description = "No such policy", body = ErrorBody),
        (status = 409, description = "`policy_decided`", body = ErrorBody),
        (status = 422, description = "`key_account_required`, `key_account_too_long`", body = ErrorBody),
    ))]
pub async fn reject(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PolicyDecisionIn>,
) -> Result<Json<KeyAccountPolicyOut>, WebError> {
    let r = state
        .app
        .decide_policy(&identity.actor(), id, false, &b.note)
        .await;
    decided(&state, &identity, id, r).await
}

/// Withdraws a waiting policy (its proposer or a manager) or ends an approved one early (a
/// manager), saying why.
#[utoipa::path(post, path = "/api/v1/key-account-policies/{id}/withdraw", tag = "key_accounts",
    params(("id" = i64, Path, description = "policy id")), request_body = PolicyDecisionIn,
    responses(
        (status = 200, description = "Withdrawn", body = KeyAccountPolicyOut),
        (status = 403, description = "`not_your_policy`", body = ErrorBody),
        (status = 404, description = "No such policy", body = ErrorBody),
        (status = 409, description = "`policy_decided`", body = ErrorBody),
        (status = 422, description = "`key_account_required`, `key_account_too_long`", body = ErrorBody),
    ))]
pub async fn withdraw(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PolicyDecisionIn>,
) -> Result<Json<KeyAccountPolicyOut>, WebError> {
    let r = state
        .app
        .withdraw_policy(&identity.actor(), id, &b.note)
        .await;
    decided(&state, &identity, id, r).await
}
