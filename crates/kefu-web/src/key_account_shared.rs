//! What the key account pages and the API both read: a service plan, a review and a
//! policy as sent (keys and dates as text), turned into the domain's values with one
//! refusal for an unknown key or a date that is not one.

use kefu_domain::dates;
use kefu_domain::key_account::plan::{Goal, GoalState, Plan, Review, Stage};
use kefu_domain::key_account::policy::{Policy, PolicyKind};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

fn date(field: &str, v: &str) -> Result<jiff::civil::Date, WebError> {
    Ok(dates::parse(field, v).map_err(kefu_app::AppError::from)?)
}

fn optional_date(field: &str, v: Option<&str>) -> Result<Option<jiff::civil::Date>, WebError> {
    Ok(dates::parse_opt(field, v).map_err(kefu_app::AppError::from)?)
}

/// A goal of a service plan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanGoalIn {
    /// The stage it is for: `exploring`, `forming`, `stable`, `declining`.
    pub stage: String,
    /// 目标.
    pub goal: String,
    /// 衡量方式 — how it is known to be met.
    pub measure: String,
    /// `YYYY-MM-DD`, optional.
    pub due_on: Option<String>,
    /// `open` (default), `met`, `missed`, `dropped`.
    pub state: Option<String>,
}

/// A key account's service plan as written.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicePlanIn {
    /// 客户发展阶段: `exploring` 考察期, `forming` 形成期, `stable` 稳定期, `declining` 退化期.
    pub stage: String,
    /// 客户需求 — what the account needs at this stage.
    pub needs: String,
    /// 1, 3, 6 or 12.
    pub review_every_months: i64,
    /// `YYYY-MM-DD`, from today to a year ahead.
    pub next_review_on: String,
    /// 1–20 goals.
    pub goals: Vec<PlanGoalIn>,
}

impl ServicePlanIn {
    pub fn plan(&self) -> Result<Plan, WebError> {
        Ok(Plan {
            stage: parse_key::<Stage>("stage", self.stage.trim())?,
            needs: self.needs.clone(),
            review_every_months: self.review_every_months,
            next_review_on: date("next_review_on", &self.next_review_on)?,
            goals: self
                .goals
                .iter()
                .map(|g| {
                    Ok(Goal {
                        stage: parse_key::<Stage>("goal_stage", g.stage.trim())?,
                        goal: g.goal.clone(),
                        measure: g.measure.clone(),
                        due_on: optional_date("due_on", g.due_on.as_deref())?,
                        state: parse_optional_key::<GoalState>(
                            "goal_state",
                            g.state.as_deref().map(str::trim),
                        )?
                        .unwrap_or(GoalState::Open),
                    })
                })
                .collect::<Result<_, WebError>>()?,
        })
    }
}

/// A review of a plan: what was found, the stage after it, and the next review date
/// (blank: the plan's interval after today).
pub fn review_of(findings: &str, stage: &str, next: Option<&str>) -> Result<Review, WebError> {
    Ok(Review {
        findings: findings.to_owned(),
        stage: parse_key::<Stage>("stage", stage.trim())?,
        next_review_on: optional_date("next_review_on", next)?,
    })
}

/// A discount or incentive policy as proposed.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyAccountPolicyIn {
    /// `discount` 价格折扣, `rebate` 采购返利, `free_service` 免费服务, `priority` 优先服务.
    pub kind: String,
    pub title: String,
    /// 适用条件, in words.
    pub conditions: String,
    /// Basis points off (discount) or back (rebate): 500 is 5 % (九五折). 1–5000; none for
    /// the other kinds.
    pub rate_bp: Option<i64>,
    /// Fen: the order amount a discount starts at (optional), the purchases a rebate needs
    /// (required); none for the other kinds.
    pub threshold_fen: Option<i64>,
    /// `YYYY-MM-DD`.
    pub valid_from: String,
    /// `YYYY-MM-DD`, today or later, at most three years after `valid_from`.
    pub valid_until: String,
}

impl KeyAccountPolicyIn {
    pub fn policy(&self) -> Result<Policy, WebError> {
        Ok(Policy {
            kind: parse_key::<PolicyKind>("kind", self.kind.trim())?,
            title: self.title.clone(),
            conditions: self.conditions.clone(),
            rate_bp: self.rate_bp,
            threshold_fen: self.threshold_fen,
            valid_from: date("valid_from", &self.valid_from)?,
            valid_until: date("valid_until", &self.valid_until)?,
        })
    }
}
