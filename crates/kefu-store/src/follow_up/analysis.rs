//! 回访周报 — what the weekly analysis of follow-up visits counts: visits completed per
//! agent and their satisfaction, attempts by what came of them, what the not-satisfied
//! were about, the visits whose window closed unmade, and the not-satisfied themselves.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, from_micros, to_micros};

/// One agent's completed visits in a span.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AgentTally {
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub done: i64,
    pub satisfied: i64,
    pub neutral: i64,
    pub unsatisfied: i64,
    /// Completed without a call to prove it.
    pub unverified: i64,
    /// Visits whose window closed in the span while still planned.
    pub overdue: i64,
}

/// Completed visits and visits overdue in `[start, end)`, per agent (no agent: waiting
/// in a group).
pub async fn agent_tallies(
    conn: &mut AnyConnection,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<AgentTally>> {
    let rows = sqlx::query(
        "SELECT x.agent_id, u.display_name AS agent_name, SUM(x.done) AS done, \
         SUM(x.satisfied) AS satisfied, SUM(x.neutral) AS neutral, \
         SUM(x.unsatisfied) AS unsatisfied, SUM(x.unverified) AS unverified, \
         SUM(x.overdue) AS overdue FROM ( \
           SELECT v.agent_id, 1 AS done, \
             CASE WHEN v.satisfaction = 'satisfied' THEN 1 ELSE 0 END AS satisfied, \
             CASE WHEN v.satisfaction = 'neutral' THEN 1 ELSE 0 END AS neutral, \
             CASE WHEN v.satisfaction = 'unsatisfied' THEN 1 ELSE 0 END AS unsatisfied, \
             CASE WHEN v.unverified = 1 THEN 1 ELSE 0 END AS unverified, 0 AS overdue \
           FROM follow_up_visits v WHERE v.status = 'done' AND v.done_at >= $1 \
             AND v.done_at < $2 \
           UNION ALL \
           SELECT v.agent_id, 0, 0, 0, 0, 0, 1 FROM follow_up_visits v \
           WHERE v.status = 'planned' AND v.window_end >= $1 AND v.window_end < $2 \
         ) x LEFT JOIN users u ON u.id = x.agent_id \
         GROUP BY x.agent_id, u.display_name ORDER BY SUM(x.done) DESC, x.agent_id",
    )
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AgentTally {
                agent_id: r.try_get("agent_id")?,
                agent_name: r.try_get("agent_name")?,
                done: r.try_get("done")?,
                satisfied: r.try_get("satisfied")?,
                neutral: r.try_get("neutral")?,
                unsatisfied: r.try_get("unsatisfied")?,
                unverified: r.try_get("unverified")?,
                overdue: r.try_get("overdue")?,
            })
        })
        .collect()
}

/// Attempts made in `[start, end)` by what came of them: (reach, count).
pub async fn reach_tallies(
    conn: &mut AnyConnection,
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT reach, COUNT(*) AS n FROM follow_up_attempts \
         WHERE created_at >= $1 AND created_at < $2 GROUP BY reach ORDER BY reach",
    )
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("reach")?, r.try_get("n")?)))
        .collect()
}

/// How often each of `aspects` was named by the visits completed 一般 or 不满意 in
/// `[start, end)`, in the order given.
pub async fn aspect_tallies(
    conn: &mut AnyConnection,
    start: Timestamp,
    end: Timestamp,
    aspects: &[&str],
) -> Result<Vec<i64>> {
    if aspects.is_empty() {
        return Ok(Vec::new());
    }
    // Aspect keys are the domain's own words (no quotes), stored as ",a,b,".
    let sums = aspects
        .iter()
        .enumerate()
        .map(|(i, a)| format!("SUM(CASE WHEN a.aspects LIKE '%,{a},%' THEN 1 ELSE 0 END) AS n{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let row = sqlx::query(&format!(
        "SELECT {sums} FROM follow_up_visits v JOIN follow_up_attempts a \
         ON a.id = v.done_attempt_id WHERE v.status = 'done' AND v.done_at >= $1 \
         AND v.done_at < $2 AND v.satisfaction IN ('neutral', 'unsatisfied')"
    ))
    .bind(to_micros(start))
    .bind(to_micros(end))
    .fetch_one(conn)
    .await?;
    (0..aspects.len())
        .map(|i| {
            Ok(row
                .try_get::<Option<i64>, _>(format!("n{i}").as_str())?
                .unwrap_or(0))
        })
        .collect()
}

/// A visit completed 一般 or 不满意, with what the customer said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotSatisfied {
    pub visit_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub agent_name: Option<String>,
    pub reason: String,
    pub satisfaction: String,
    pub done_at: Timestamp,
    pub aspects: Vec<String>,
    pub words: String,
    pub next_action: String,
    pub opened_ticket_id: Option<i64>,
    pub opened_complaint_id: Option<i64>,
    /// The complaint this visit followed up (a complaint's own visit).
    pub complaint_id: Option<i64>,
}

/// The visits completed 一般 or 不满意 in `[start, end)`, 不满意 first, then by time; at
/// most `limit`.
pub async fn not_satisfied(
    conn: &mut AnyConnection,
    start: Timestamp,
    end: Timestamp,
    limit: i64,
) -> Result<Vec<NotSatisfied>> {
    let rows = sqlx::query(
        "SELECT v.id, v.customer_id, c.name AS customer_name, u.display_name AS agent_name, \
         v.reason, v.satisfaction, v.done_at, a.aspects, a.words, a.next_action, \
         v.opened_ticket_id, v.opened_complaint_id, v.complaint_id \
         FROM follow_up_visits v JOIN customers c ON c.id = v.customer_id \
         LEFT JOIN users u ON u.id = v.agent_id \
         LEFT JOIN follow_up_attempts a ON a.id = v.done_attempt_id \
         WHERE v.status = 'done' AND v.done_at >= $1 AND v.done_at < $2 \
         AND v.satisfaction IN ('neutral', 'unsatisfied') \
         ORDER BY CASE WHEN v.satisfaction = 'unsatisfied' THEN 0 ELSE 1 END, v.done_at, v.id \
         LIMIT $3",
    )
    .bind(to_micros(start))
    .bind(to_micros(end))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let aspects: Option<String> = r.try_get("aspects")?;
            Ok(NotSatisfied {
                visit_id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("customer_name")?,
                agent_name: r.try_get("agent_name")?,
                reason: r.try_get("reason")?,
                satisfaction: r.try_get("satisfaction")?,
                done_at: opt_time(r, "done_at")?.unwrap_or_else(|| from_micros(0)),
                aspects: aspects
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                words: r.try_get::<Option<String>, _>("words")?.unwrap_or_default(),
                next_action: r
                    .try_get::<Option<String>, _>("next_action")?
                    .unwrap_or_default(),
                opened_ticket_id: r.try_get("opened_ticket_id")?,
                opened_complaint_id: r.try_get("opened_complaint_id")?,
                complaint_id: r.try_get("complaint_id")?,
            })
        })
        .collect()
}

/// Claims the sending of week `week`'s analysis: `true` for the one caller (of every
/// instance) that is to send it.
pub async fn claim_analysis(conn: &mut AnyConnection, week: &str, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO follow_up_analysis_sent (week, sent_at) VALUES ($1, $2) \
         ON CONFLICT (week) DO NOTHING",
    )
    .bind(week)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
