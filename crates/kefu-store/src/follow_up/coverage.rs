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

/// The visits of these customers that were completed in `[start, end)`, or planned for
/// `period`.
pub async fn coverage_visits(
    conn: &mut AnyConnection,
    ids: &[i64],
    period: &str,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<CoverageVisit>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let list = id_list(chunk);
        let rows = sqlx::query(&format!(
            "SELECT v.id, v.customer_id, v.status, v.period, v.attempts, v.slot_at, \
             v.window_end, v.done_at, v.agent_id, u.display_name AS agent_name, \
             v.satisfaction, v.cancel_reason FROM follow_up_visits v \
             LEFT JOIN users u ON u.id = v.agent_id WHERE v.customer_id IN ({list}) \
             AND (v.period = $1 OR (v.status = 'done' AND v.done_at >= $2 AND v.done_at < $3)) \
             ORDER BY v.customer_id, v.id"
        ))
        .bind(period)
        .bind(to_micros(start))
        .bind(to_micros(end))
        .fetch_all(&mut *conn)
        .await?;
        for r in &rows {
            out.push(CoverageVisit {
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
            });
        }
    }
    Ok(out)
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
