//! 大客户服务方案与优惠政策 — each key account's service plan with its goals and reviews,
//! and its discount and incentive policies. Dates are stored as `YYYY-MM-DD` text.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, StoreError, from_micros, to_micros};

/// A goal to write or as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub stage: String,
    pub goal: String,
    pub measure: String,
    pub due_on: Option<String>,
    pub state: String,
}

/// A plan to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan<'a> {
    pub customer_id: i64,
    pub stage: &'a str,
    pub needs: &'a str,
    pub review_every_months: i64,
    pub next_review_on: &'a str,
    pub author_id: Option<i64>,
    pub goals: &'a [Goal],
}

/// A plan with its goals, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub customer_id: i64,
    pub stage: String,
    pub needs: String,
    pub review_every_months: i64,
    pub next_review_on: String,
    pub author_id: Option<i64>,
    pub author_name: Option<String>,
    pub updated_at: Timestamp,
    pub goals: Vec<Goal>,
}

/// Writes the account's plan, replacing the one there (its goals with it); the reviews
/// stay. A new review date clears the reminder sent for the old one.
pub async fn save_plan(conn: &mut AnyConnection, p: &NewPlan<'_>, now: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_plans (customer_id, stage, needs, review_every_months, \
         next_review_on, author_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
         ON CONFLICT (customer_id) DO UPDATE SET stage = excluded.stage, \
         needs = excluded.needs, review_every_months = excluded.review_every_months, \
         reminded_for = CASE WHEN service_plans.next_review_on = excluded.next_review_on \
           THEN service_plans.reminded_for ELSE NULL END, \
         next_review_on = excluded.next_review_on, author_id = excluded.author_id, \
         updated_at = excluded.updated_at",
    )
    .bind(p.customer_id)
    .bind(p.stage)
    .bind(p.needs)
    .bind(p.review_every_months)
    .bind(p.next_review_on)
    .bind(p.author_id)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM service_plan_goals WHERE customer_id = $1")
        .bind(p.customer_id)
        .execute(&mut *conn)
        .await?;
    for (n, g) in p.goals.iter().enumerate() {
        sqlx::query(
            "INSERT INTO service_plan_goals (customer_id, position, stage, goal, measure, \
             due_on, state) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(p.customer_id)
        .bind(n as i64)
        .bind(&g.stage)
        .bind(&g.goal)
        .bind(&g.measure)
        .bind(&g.due_on)
        .bind(&g.state)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The account's plan, or `None` when it has none yet.
pub async fn plan(conn: &mut AnyConnection, customer: i64) -> Result<Option<Plan>> {
    let Some(r) = sqlx::query(
        "SELECT p.customer_id, p.stage, p.needs, p.review_every_months, p.next_review_on, \
         p.author_id, u.display_name AS author_name, p.updated_at FROM service_plans p \
         LEFT JOIN users u ON u.id = p.author_id WHERE p.customer_id = $1",
    )
    .bind(customer)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let goals = sqlx::query(
        "SELECT stage, goal, measure, due_on, state FROM service_plan_goals \
         WHERE customer_id = $1 ORDER BY position, id",
    )
    .bind(customer)
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|g| {
        Ok(Goal {
            stage: g.try_get("stage")?,
            goal: g.try_get("goal")?,
            measure: g.try_get("measure")?,
            due_on: g.try_get("due_on")?,
            state: g.try_get("state")?,
        })
    })
    .collect::<Result<_>>()?;
    Ok(Some(Plan {
        customer_id: r.try_get("customer_id")?,
        stage: r.try_get("stage")?,
        needs: r.try_get("needs")?,
        review_every_months: r.try_get("review_every_months")?,
        next_review_on: r.try_get("next_review_on")?,
        author_id: r.try_get("author_id")?,
        author_name: r.try_get("author_name")?,
        updated_at: from_micros(r.try_get("updated_at")?),
        goals,
    }))
}

/// A review to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReview<'a> {
    pub customer_id: i64,
    pub reviewer_id: Option<i64>,
    pub stage_before: &'a str,
    pub stage_after: &'a str,
    pub findings: &'a str,
    pub next_review_on: &'a str,
}

/// Records a review and moves the plan to its stage and next review date.
pub async fn insert_review(
    conn: &mut AnyConnection,
    r: &NewReview<'_>,
    now: Timestamp,
) -> Result<i64> {
    let id = sqlx::query_scalar(
        "INSERT INTO service_plan_reviews (customer_id, reviewed_at, reviewer_id, stage_before, \
         stage_after, findings, next_review_on) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         RETURNING id",
    )
    .bind(r.customer_id)
    .bind(to_micros(now))
    .bind(r.reviewer_id)
    .bind(r.stage_before)
    .bind(r.stage_after)
    .bind(r.findings)
    .bind(r.next_review_on)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE service_plans SET stage = $2, next_review_on = $3, reminded_for = NULL, \
         updated_at = $4 WHERE customer_id = $1",
    )
    .bind(r.customer_id)
    .bind(r.stage_after)
    .bind(r.next_review_on)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(id)
}

/// A review as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub id: i64,
    pub reviewed_at: Timestamp,
    pub reviewer_name: Option<String>,
    pub stage_before: String,
    pub stage_after: String,
    pub findings: String,
    pub next_review_on: String,
}

/// The account's reviews, the latest first.
pub async fn reviews(conn: &mut AnyConnection, customer: i64) -> Result<Vec<Review>> {
    let rows = sqlx::query(
        "SELECT r.id, r.reviewed_at, u.display_name AS reviewer_name, r.stage_before, \
         r.stage_after, r.findings, r.next_review_on FROM service_plan_reviews r \
         LEFT JOIN users u ON u.id = r.reviewer_id WHERE r.customer_id = $1 \
         ORDER BY r.reviewed_at DESC, r.id DESC",
    )
    .bind(customer)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Review {
                id: r.try_get("id")?,
                reviewed_at: from_micros(r.try_get("reviewed_at")?),
                reviewer_name: r.try_get("reviewer_name")?,
                stage_before: r.try_get("stage_before")?,
                stage_after: r.try_get("stage_after")?,
                findings: r.try_get("findings")?,
                next_review_on: r.try_get("next_review_on")?,
            })
        })
        .collect()
}

/// A plan whose review has come and whose reminder has not gone out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDue {
    pub customer_id: i64,
    pub customer_name: String,
    pub next_review_on: String,
    pub author_id: Option<i64>,
    pub owner_id: Option<i64>,
}

/// Plans of key accounts with a review on or before `today` and no reminder sent for that
/// date, at most `limit`.
pub async fn reviews_to_remind(
    conn: &mut AnyConnection,
    today: &str,
    limit: i64,
) -> Result<Vec<ReviewDue>> {
    let rows = sqlx::query(
        "SELECT p.customer_id, c.name, p.next_review_on, p.author_id, c.owner_id \
         FROM service_plans p JOIN customers c ON c.id = p.customer_id \
         WHERE p.next_review_on <= $1 \
         AND (p.reminded_for IS NULL OR p.reminded_for <> p.next_review_on) \
         AND c.tier = 'key_account' AND c.status IN ('active', 'dormant') \
         ORDER BY p.next_review_on, p.customer_id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ReviewDue {
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("name")?,
                next_review_on: r.try_get("next_review_on")?,
                author_id: r.try_get("author_id")?,
                owner_id: r.try_get("owner_id")?,
            })
        })
        .collect()
}

/// Marks the reminder for review date `on` sent; `false` when another worker did, or the
/// date moved meanwhile.
pub async fn mark_reminded(conn: &mut AnyConnection, customer: i64, on: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE service_plans SET reminded_for = $2 WHERE customer_id = $1 \
         AND next_review_on = $2 AND (reminded_for IS NULL OR reminded_for <> $2)",
    )
    .bind(customer)
    .bind(on)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many key accounts' plans are due for review on `today`.
pub async fn reviews_due(conn: &mut AnyConnection, today: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM service_plans p JOIN customers c ON c.id = p.customer_id \
         WHERE p.next_review_on <= $1 AND c.tier = 'key_account' \
         AND c.status IN ('active', 'dormant')",
    )
    .bind(today)
    .fetch_one(conn)
    .await?)
}

/// A policy to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPolicy<'a> {
    pub customer_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub conditions: &'a str,
    pub rate_bp: Option<i64>,
    pub threshold_fen: Option<i64>,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    pub proposed_by: Option<i64>,
}

pub async fn insert_policy(
    conn: &mut AnyConnection,
    p: &NewPolicy<'_>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO key_account_policies (customer_id, kind, title, conditions, rate_bp, \
         threshold_fen, valid_from, valid_until, state, proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10) RETURNING id",
    )
    .bind(p.customer_id)
    .bind(p.kind)
    .bind(p.title)
    .bind(p.conditions)
    .bind(p.rate_bp)
    .bind(p.threshold_fen)
    .bind(p.valid_from)
    .bind(p.valid_until)
    .bind(p.proposed_by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// A policy with the names its pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub kind: String,
    pub title: String,
    pub conditions: String,
    pub rate_bp: Option<i64>,
    pub threshold_fen: Option<i64>,
    pub currency: String,
    pub valid_from: String,
    pub valid_until: String,
    pub state: String,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: Option<String>,
    pub proposed_at: Timestamp,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub decision_note: Option<String>,
}

const SELECT_POLICY: &str = "SELECT p.id, p.customer_id, c.name AS customer_name, p.kind, \
    p.title, p.conditions, p.rate_bp, p.threshold_fen, p.currency, p.valid_from, \
    p.valid_until, p.state, p.proposed_by, u.display_name AS proposed_by_name, p.proposed_at, \
    d.display_name AS decided_by_name, p.decided_at, p.decision_note \
    FROM key_account_policies p JOIN customers c ON c.id = p.customer_id \
    LEFT JOIN users u ON u.id = p.proposed_by LEFT JOIN users d ON d.id = p.decided_by";

fn policy_row(r: &AnyRow) -> Result<Policy> {
    Ok(Policy {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        conditions: r.try_get("conditions")?,
        rate_bp: r.try_get("rate_bp")?,
        threshold_fen: r.try_get("threshold_fen")?,
        currency: r.try_get("currency")?,
        valid_from: r.try_get("valid_from")?,
        valid_until: r.try_get("valid_until")?,
        state: r.try_get("state")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_by_name: r.try_get("proposed_by_name")?,
        proposed_at: from_micros(r.try_get("proposed_at")?),
        decided_by_name: r.try_get("decided_by_name")?,
        decided_at: opt_time(r, "decided_at")?,
        decision_note: r.try_get("decision_note")?,
    })
}

pub async fn policy(conn: &mut AnyConnection, id: i64) -> Result<Policy> {
    let row = sqlx::query(&format!("{SELECT_POLICY} WHERE p.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    policy_row(&row)
}

/// A customer's policies, the newest first.
pub async fn policies_of(conn: &mut AnyConnection, customer: i64) -> Result<Vec<Policy>> {
    let rows = sqlx::query(&format!(
        "{SELECT_POLICY} WHERE p.customer_id = $1 ORDER BY p.proposed_at DESC, p.id DESC"
    ))
    .bind(customer)
    .fetch_all(conn)
    .await?;
    rows.iter().map(policy_row).collect()
}

/// A customer's policies in force on `today`: approved, `today` within their dates.
pub async fn policies_in_force(
    conn: &mut AnyConnection,
    customer: i64,
    today: &str,
) -> Result<Vec<Policy>> {
    let rows = sqlx::query(&format!(
        "{SELECT_POLICY} WHERE p.customer_id = $1 AND p.state = 'approved' \
         AND p.valid_from <= $2 AND p.valid_until >= $2 ORDER BY p.valid_until, p.id"
    ))
    .bind(customer)
    .bind(today)
    .fetch_all(conn)
    .await?;
    rows.iter().map(policy_row).collect()
}

/// Policies waiting for approval, the oldest first, at most `limit`.
pub async fn pending_policies(conn: &mut AnyConnection, limit: i64) -> Result<Vec<Policy>> {
    let rows = sqlx::query(&format!(
        "{SELECT_POLICY} WHERE p.state = 'pending' ORDER BY p.proposed_at, p.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(policy_row).collect()
}

/// How many policies wait for approval.
pub async fn pending_count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM key_account_policies WHERE state = 'pending'")
            .fetch_one(conn)
            .await?,
    )
}

/// Moves a policy from state `from` to `to`, recording who and why; `false` when it is
/// not `from` any more.
pub async fn decide_policy(
    conn: &mut AnyConnection,
    id: i64,
    from: &str,
    to: &str,
    by: Option<i64>,
    note: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE key_account_policies SET state = $3, decided_by = $4, decision_note = $5, \
         decided_at = $6 WHERE id = $1 AND state = $2",
    )
    .bind(id)
    .bind(from)
    .bind(to)
    .bind(by)
    .bind(note)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
