//! 大客户服务方案 — each key account's service plan (000 §(六)5): written and reviewed by the
//! key-account specialist with the customer, the reviews kept, the specialist reminded once
//! when a review date comes.

use kefu_domain::Permission;
use kefu_domain::key_account::plan::{
    Goal, GoalState, Plan, Review, Stage, check_plan, check_review,
};
use kefu_domain::key_account::{KeyAccountError, policy};
use kefu_store::key_account_plan::{self as store, NewPlan, NewReview, Policy};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::follow_up::local_date;
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

pub use kefu_store::key_account_plan::Review as ReviewRecord;

/// Reminders one run of the job sends, at most.
const REMINDERS_PER_RUN: i64 = 500;

/// A key account's page: its plan (none yet: `None`), its reviews and its policies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPlan {
    pub customer_id: i64,
    pub customer_name: String,
    pub owner_name: Option<String>,
    pub plan: Option<Plan>,
    pub author_name: Option<String>,
    /// The review date has come.
    pub review_due: bool,
    pub reviews: Vec<ReviewRecord>,
    /// The policies, newest first, each with whether it is in force today.
    pub policies: Vec<(Policy, bool)>,
    /// Today where the department works.
    pub today: jiff::civil::Date,
}

fn plan_of(p: store::Plan) -> Plan {
    let stage = |s: &str| s.parse().unwrap_or(Stage::Forming);
    Plan {
        stage: stage(&p.stage),
        needs: p.needs,
        review_every_months: p.review_every_months,
        next_review_on: p.next_review_on.parse().unwrap_or_default(),
        goals: p
            .goals
            .into_iter()
            .map(|g| Goal {
                stage: stage(&g.stage),
                goal: g.goal,
                measure: g.measure,
                due_on: g.due_on.and_then(|d| d.parse().ok()),
                state: g.state.parse().unwrap_or(GoalState::Open),
            })
            .collect(),
    }
}

/// The customer, refused unless it is a key account.
pub(super) async fn key_account(
    conn: &mut AnyConnection,
    customer: i64,
) -> Result<kefu_store::customer::Customer> {
    let c = kefu_store::customer::by_id(conn, customer).await?;
    if c.tier != "key_account" {
        return Err(KeyAccountError::NotKeyAccount.into());
    }
    Ok(c)
}

impl App {
    /// A key account's plan, reviews and policies.
    pub async fn key_account_plan(&self, actor: &Actor, customer: i64) -> Result<AccountPlan> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now());
        let c = kefu_store::customer::by_id(&mut conn, customer).await?;
        let owner_name = match c.owner_id {
            Some(id) => Some(
                kefu_store::staff::user_by_id(&mut conn, id)
                    .await?
                    .display_name,
            ),
            None => None,
        };
        let stored = store::plan(&mut conn, customer).await?;
        let author_name = stored.as_ref().and_then(|p| p.author_name.clone());
        let plan = stored.map(plan_of);
        let policies = store::policies_of(&mut conn, customer)
            .await?
            .into_iter()
            .map(|p| {
                let force = in_force(&p, today);
                (p, force)
            })
            .collect();
        Ok(AccountPlan {
            customer_id: c.id,
            customer_name: c.name,
            owner_name,
            review_due: plan.as_ref().is_some_and(|p| {
                kefu_domain::key_account::plan::review_due(p.next_review_on, today)
            }),
            plan,
            author_name,
            reviews: store::reviews(&mut conn, customer).await?,
            policies,
            today,
        })
    }

    /// 设计服务方案 — writes a key account's plan (replacing the one there; its reviews stay).
    pub async fn save_service_plan(&self, actor: &Actor, customer: i64, plan: &Plan) -> Result<()> {
        actor.require(Permission::KeyAccountManage)?;
        let mut tx = self.store.begin().await?;
        let calendar = self.business_calendar(&mut tx).await?;
        let today = local_date(&calendar, self.now());
        let plan = check_plan(plan, today)?;
        key_account(&mut tx, customer).await?;
        let goals: Vec<store::Goal> = plan
            .goals
            .iter()
            .map(|g| store::Goal {
                stage: g.stage.key().to_owned(),
                goal: g.goal.clone(),
                measure: g.measure.clone(),
                due_on: g.due_on.map(|d| d.to_string()),
                state: g.state.key().to_owned(),
            })
            .collect();
        store::save_plan(
            &mut tx,
            &NewPlan {
                customer_id: customer,
                stage: plan.stage.key(),
                needs: &plan.needs,
                review_every_months: plan.review_every_months,
                next_review_on: &plan.next_review_on.to_string(),
                author_id: actor.user_id(),
                goals: &goals,
            },
            self.now(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 方案回顾 — a review held with the customer: what was found, the stage after it, and
    /// the next review (the plan's interval ahead unless a date is chosen).
    pub async fn review_service_plan(
        &self,
        actor: &Actor,
        customer: i64,
        review: &Review,
    ) -> Result<i64> {
        actor.require(Permission::KeyAccountManage)?;
        let mut tx = self.store.begin().await?;
        let calendar = self.business_calendar(&mut tx).await?;
        let today = local_date(&calendar, self.now());
        key_account(&mut tx, customer).await?;
        let plan = store::plan(&mut tx, customer)
            .await?
            .ok_or(KeyAccountError::NoPlan)?;
        let (findings, next) = check_review(review, plan.review_every_months, today)?;
        let id = store::insert_review(
            &mut tx,
            &NewReview {
                customer_id: customer,
                reviewer_id: actor.user_id(),
                stage_before: &plan.stage,
                stage_after: review.stage.key(),
                findings: &findings,
                next_review_on: &next.to_string(),
            },
            self.now(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The job: tells each plan's author (or, when they left, the customer's owner) once
    /// that its review date has come. Returns the reminders sent.
    pub async fn remind_plan_reviews(&self) -> Result<usize> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let calendar = self.business_calendar(&mut tx).await?;
        let today = local_date(&calendar, now).to_string();
        let due = store::reviews_to_remind(&mut tx, &today, REMINDERS_PER_RUN).await?;
        let mut sent = 0;
        for d in due {
            if !store::mark_reminded(&mut tx, d.customer_id, &d.next_review_on).await? {
                continue;
            }
            let mut to = Vec::new();
            for id in [d.author_id, d.owner_id].into_iter().flatten() {
                if matches!(kefu_store::staff::user_by_id(&mut tx, id).await, Ok(u) if u.active) {
                    to.push(id);
                    break;
                }
            }
            if to.is_empty() {
                to = notify::with_role(&mut tx, kefu_domain::Role::KeyAccountSpecialist).await?;
            }
            notify::notify(
                &mut tx,
                &to,
                kind::SERVICE_PLAN_REVIEW_DUE,
                None,
                &json!({
                    "customer": d.customer_name,
                    "due": d.next_review_on,
                    "key_account_page": d.customer_id,
                }),
                now,
            )
            .await?;
            sent += 1;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(sent)
    }

    /// How many key accounts' plans are due for review; for the tile.
    pub(crate) async fn plan_reviews_due(&self, actor: &Actor) -> Result<i64> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now()).to_string();
        Ok(store::reviews_due(&mut conn, &today).await?)
    }
}

/// Whether a stored policy is in force on `today`.
pub(super) fn in_force(p: &Policy, today: jiff::civil::Date) -> bool {
    match (p.state.parse(), p.valid_from.parse(), p.valid_until.parse()) {
        (Ok(state), Ok(from), Ok(until)) => policy::in_force(state, from, until, today),
        _ => false,
    }
}
