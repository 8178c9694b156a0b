//! What the 100 % coverage report reads: the customers who may have held a tier during a
//! period, their tier changes, their completed visits and the period's planned ones.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, from_micros, to_micros};

/// Ids per `IN (…)` list, well under both backends' parameter limits.
const CHUNK: usize = 500;

/// A customer who may be in a period's coverage scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScopeCustomer {
    pub id: i64,
    pub name: String,
    pub tier: String,
    pub status: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub created_at: Timestamp,
}

/// Customers added before `end`, not lost, who hold `tier` now or whose tier moved to or
/// from it at or after `start`: everyone who may have held it during `[start, end)` and is
/// still a customer to visit (the planner skips lost customers too).
pub async fn scope_candidates(
    conn: &mut AnyConnection,
    tier: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<ScopeCustomer>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, c.tier, c.status, c.owner_id, u.display_name AS owner_name, \
         c.created_at FROM customers c LEFT JOIN users u ON u.id = c.owner_id \
         WHERE c.created_at < $3 AND c.status <> 'lost' AND (c.tier = $1 OR c.id IN ( \
            SELECT h.customer_id FROM customer_history h WHERE h.field = 'tier' \
            AND h.at >= $2 AND (h.old_value = $1 OR h.new_value = $1))) \
         ORDER BY c.id",
    )
    .bind(tier)
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ScopeCustomer {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                tier: r.try_get("tier")?,
                status: r.try_get("status")?,
                owner_id: r.try_get("owner_id")?,
                owner_name: r.try_get("owner_name")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// Of the customers (not lost, added before `end`) holding `tier` with no tier change since
/// `start` — nearly everyone in a period's scope — how many there are, and how many had a
/// visit completed in `[start, end)`: counted in the database, one row back.
pub async fn steady_counts(
    conn: &mut AnyConnection,
    tier: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<(i64, i64)> {
    let row = sqlx::query(
        // Both subqueries are small sets read by their indexes once (the period's completed
        // visits, its tier changes), not lookups per customer.
        "SELECT COUNT(*) AS n, COALESCE(SUM(CASE WHEN c.id IN (SELECT v.customer_id \
            FROM follow_up_visits v WHERE v.status = 'done' AND v.done_at >= $2 \
            AND v.done_at < $3) THEN 1 ELSE 0 END), 0) AS covered \
         FROM customers c WHERE c.tier = $1 AND c.status <> 'lost' AND c.created_at < $3 \
         AND c.id NOT IN (SELECT h.customer_id FROM customer_history h \
            WHERE h.field = 'tier' AND h.at >= $2)",
    )
    .bind(tier)
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_one(conn)
    .await?;
    Ok((row.try_get("n")?, row.try_get("covered")?))
}

/// The customers (not lost, added before `end`) whose tier moved to or from `tier` at or
/// after `start`: (id, tier now, added), for their history to be replayed.
pub async fn changed_candidates(
    conn: &mut AnyConnection,
    tier: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<(i64, String, Timestamp)>> {
    let rows = sqlx::query(
        "SELECT c.id, c.tier, c.created_at FROM customers c \
         WHERE c.created_at < $3 AND c.status <> 'lost' AND c.id IN ( \
            SELECT h.customer_id FROM customer_history h WHERE h.field = 'tier' \
            AND h.at >= $2 AND (h.old_value = $1 OR h.new_value = $1)) ORDER BY c.id",
    )
    .bind(tier)
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("tier")?,
                from_micros(r.try_get("created_at")?),
            ))
        })
        .collect()
}

/// Which of these customers had a visit completed in `[start, end)`.
pub async fn done_in(
    conn: &mut AnyConnection,
    ids: &[i64],
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<i64>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let list = id_list(chunk);
        let done: Vec<i64> = sqlx::query_scalar(&format!(
            "SELECT DISTINCT customer_id FROM follow_up_visits WHERE customer_id IN ({list}) \
             AND status = 'done' AND done_at >= $1 AND done_at < $2"
        ))
        .bind(to_micros(start))
        .bind(to_micros(end))
        .fetch_all(&mut *conn)
        .await?;
        out.extend(done);
    }
    Ok(out)
}

/// One tier change: (customer, when, old, new), in the order made.
pub type TierChangeRow = (i64, Timestamp, Option<String>, Option<String>);

/// The tier changes of these customers, by customer and then in the order made.
pub async fn tier_changes(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<TierChangeRow>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let list = id_list(chunk);
        let rows = sqlx::query(&format!(
            "SELECT customer_id, at, old_value, new_value FROM customer_history \
             WHERE field = 'tier' AND customer_id IN ({list}) ORDER BY customer_id, at, id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            out.push((
                r.try_get("customer_id")?,
                from_micros(r.try_get("at")?),
                r.try_get("old_value")?,
                r.try_get("new_value")?,
            ));
        }
    }
    Ok(out)
}

/// A visit as the coverage report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageVisit {
    pub id: i64,
    pub customer_id: i64,
    pub status: String,
    pub period: Option<String>,
    pub attempts: i64,
    pub slot_at: Option<Timestamp>,
    pub window_end: Timestamp,
    pub done_at: Option<Timestamp>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub satisfaction: Option<String>,
    pub cancel_reason: Option<String>,
}

/// The visits planned for `period` and those completed in `[start, end)`, of every
/// customer: two index ranges read once (the caller keeps those of the customers in scope),
/// rather than one lookup per customer.
pub async fn coverage_visits(
    conn: &mut AnyConnection,
    period: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<CoverageVisit>> {
    let rows = sqlx::query(
        "SELECT v.id, v.customer_id, v.status, v.period, v.attempts, v.slot_at, \
         v.window_end, v.done_at, v.agent_id, u.display_name AS agent_name, \
         v.satisfaction, v.cancel_reason FROM follow_up_visits v \
         LEFT JOIN users u ON u.id = v.agent_id \
         WHERE v.period = $1 OR (v.status = 'done' AND v.done_at >= $2 AND v.done_at < $3) \
         ORDER BY v.customer_id, v.id",
    )
    .bind(period)
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CoverageVisit {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                status: r.try_get("status")?,
                period: r.try_get("period")?,
                attempts: r.try_get("attempts")?,
                slot_at: opt_time(r, "slot_at")?,
                window_end: from_micros(r.try_get("window_end")?),
                done_at: opt_time(r, "done_at")?,
                agent_id: r.try_get("agent_id")?,
                agent_name: r.try_get("agent_name")?,
                satisfaction: r.try_get("satisfaction")?,
                cancel_reason: r.try_get("cancel_reason")?,
            })
        })
        .collect()
}

/// Records that the warning for `period` and `tier` went out; false when it had already.
pub async fn claim_coverage_warning(
    conn: &mut AnyConnection,
    period: &str,
    tier: &str,
    missing: i64,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO follow_up_coverage_warnings (period, tier, missing, sent_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (period, tier) DO NOTHING",
    )
    .bind(period)
    .bind(tier)
    .bind(missing)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}
