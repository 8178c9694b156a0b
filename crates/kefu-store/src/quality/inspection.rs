//! 每日抽检与质检 — the quality settings, the day's samples, what they may draw from, and
//! the inspections with their item scores.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, from_micros, to_micros};

fn flag(r: &AnyRow, col: &str) -> Result<bool> {
    Ok(r.try_get::<i64, _>(col)? != 0)
}

// ---------------------------------------------------------------------------------------
// Settings

/// The stored settings (JSON in the domain's form), if any were saved.
pub async fn settings(conn: &mut AnyConnection) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT body FROM quality_settings WHERE id = 1")
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn save_settings(
    conn: &mut AnyConnection,
    body: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO quality_settings (id, body, updated_by, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET body = $1, updated_by = $2, updated_at = $3",
    )
    .bind(body)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Samples

/// A day's sample as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleRow {
    pub id: i64,
    /// The business day it was drawn for, `YYYY-MM-DD`.
    pub sample_date: String,
    /// The work it drew from: done in `[covers_from, covers_to)`.
    pub covers_from: Timestamp,
    pub covers_to: Timestamp,
    /// The draw's seed (a u64, in decimal).
    pub seed: String,
    /// The rules it was drawn by (JSON).
    pub rules: String,
    /// How many candidates there were.
    pub candidates: i64,
    pub drawn_at: Timestamp,
    pub drawn_by_name: Option<String>,
    /// How many inspections it made.
    pub inspections: i64,
}

const SELECT_SAMPLE: &str = "SELECT s.id, s.sample_date, s.covers_from, s.covers_to, s.seed, \
     s.rules, s.candidates, s.drawn_at, u.display_name AS drawn_by_name, \
     (SELECT COUNT(*) FROM quality_inspections i WHERE i.sample_id = s.id) AS inspections \
     FROM quality_samples s LEFT JOIN users u ON u.id = s.drawn_by";

fn sample(r: &AnyRow) -> Result<SampleRow> {
    Ok(SampleRow {
        id: r.try_get("id")?,
        sample_date: r.try_get("sample_date")?,
        covers_from: from_micros(r.try_get("covers_from")?),
        covers_to: from_micros(r.try_get("covers_to")?),
        seed: r.try_get("seed")?,
        rules: r.try_get("rules")?,
        candidates: r.try_get("candidates")?,
        drawn_at: from_micros(r.try_get("drawn_at")?),
        drawn_by_name: r.try_get("drawn_by_name")?,
        inspections: r.try_get("inspections")?,
    })
}

/// The latest samples, the newest first.
pub async fn samples(conn: &mut AnyConnection, limit: i64) -> Result<Vec<SampleRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT_SAMPLE} ORDER BY s.sample_date DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(sample).collect()
}

pub async fn sample_by_date(conn: &mut AnyConnection, date: &str) -> Result<Option<SampleRow>> {
    let row = sqlx::query(&format!("{SELECT_SAMPLE} WHERE s.sample_date = $1"))
        .bind(date)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(sample).transpose()
}

/// Where the latest sample before `date` stopped, if any was drawn.
pub async fn covered_until(conn: &mut AnyConnection, date: &str) -> Result<Option<Timestamp>> {
    let at: Option<i64> =
        sqlx::query_scalar("SELECT MAX(covers_to) FROM quality_samples WHERE sample_date < $1")
            .bind(date)
            .fetch_one(conn)
            .await?;
    Ok(at.map(from_micros))
}

/// A sample to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSample<'a> {
    pub sample_date: &'a str,
    pub covers_from: Timestamp,
    pub covers_to: Timestamp,
    pub seed: &'a str,
    pub rules: &'a str,
    pub candidates: i64,
    pub drawn_by: Option<i64>,
}

/// Stores the day's sample; `None` when that day's was drawn already (by another instance,
/// or by hand).
pub async fn insert_sample(
    conn: &mut AnyConnection,
    s: &NewSample<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quality_samples (sample_date, covers_from, covers_to, seed, rules, \
         candidates, drawn_at, drawn_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (sample_date) DO NOTHING RETURNING id",
    )
    .bind(s.sample_date)
    .bind(to_micros(s.covers_from))
    .bind(to_micros(s.covers_to))
    .bind(s.seed)
    .bind(s.rules)
    .bind(s.candidates)
    .bind(to_micros(now))
    .bind(s.drawn_by)
    .fetch_optional(conn)
    .await?)
}

// ---------------------------------------------------------------------------------------
// What a sample draws from

/// A ticket worked on in the span, with what the rules look at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketCandidate {
    pub ticket_id: i64,
    pub agent_id: i64,
    pub channel: String,
    /// A complaint was received on it in the span.
    pub complaint: bool,
    /// Its survey was answered low in the span.
    pub low_csat: bool,
    /// A deadline of it was breached in the span.
    pub sla_breached: bool,
}

/// The tickets with an agent that were resolved, breached a deadline, got a low survey
/// answer or became a complaint in `[from, to)`: each read by its time index.
pub async fn ticket_candidates(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<TicketCandidate>> {
    let rows = sqlx::query(
        "WITH touched AS ( \
           SELECT id AS ticket_id FROM tickets WHERE resolved_at >= $1 AND resolved_at < $2 \
           UNION SELECT ticket_id FROM ticket_events \
             WHERE field = 'sla_breach' AND at >= $1 AND at < $2 \
           UNION SELECT ticket_id FROM csat_surveys \
             WHERE answered_at >= $1 AND answered_at < $2 AND low = 1 \
           UNION SELECT ticket_id FROM complaints WHERE received_at >= $1 AND received_at < $2 \
         ) \
         SELECT t.id, t.assignee_id, t.channel, \
           CASE WHEN EXISTS (SELECT 1 FROM complaints c WHERE c.ticket_id = t.id \
             AND c.received_at >= $1 AND c.received_at < $2) THEN 1 ELSE 0 END AS complaint, \
           CASE WHEN EXISTS (SELECT 1 FROM csat_surveys s WHERE s.ticket_id = t.id \
             AND s.low = 1 AND s.answered_at >= $1 AND s.answered_at < $2) THEN 1 ELSE 0 END \
             AS low_csat, \
           CASE WHEN EXISTS (SELECT 1 FROM ticket_events e WHERE e.ticket_id = t.id \
             AND e.field = 'sla_breach' AND e.at >= $1 AND e.at < $2) THEN 1 ELSE 0 END \
             AS breached \
         FROM touched x JOIN tickets t ON t.id = x.ticket_id \
         WHERE t.assignee_id IS NOT NULL ORDER BY t.id",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TicketCandidate {
                ticket_id: r.try_get("id")?,
                agent_id: r.try_get("assignee_id")?,
                channel: r.try_get("channel")?,
                complaint: flag(r, "complaint")?,
                low_csat: flag(r, "low_csat")?,
                sla_breached: flag(r, "breached")?,
            })
        })
        .collect()
}

/// A call that ended in the span with an agent on it: (call, agent, seconds).
pub async fn call_candidates(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT id, agent_user_id, duration_secs FROM phone_calls \
         WHERE ended_at >= $1 AND ended_at < $2 AND agent_user_id IS NOT NULL \
         AND duration_secs IS NOT NULL ORDER BY id",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("agent_user_id")?,
                r.try_get("duration_secs")?,
            ))
        })
        .collect()
}

/// The visits done in the span without a call to prove them: (visit, agent, channel).
pub async fn unverified_visits(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(i64, i64, String)>> {
    let rows = sqlx::query(
        "SELECT id, agent_id, channel FROM follow_up_visits \
         WHERE status = 'done' AND done_at >= $1 AND done_at < $2 AND unverified = 1 \
         AND agent_id IS NOT NULL ORDER BY id",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("agent_id")?,
                r.try_get("channel")?,
            ))
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Inspections

/// An inspection to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInspection<'a> {
    pub sample_id: i64,
    pub source_kind: &'a str,
    pub source_id: i64,
    pub rule: &'a str,
    pub agent_id: i64,
    pub channel: &'a str,
    pub inspector_id: Option<i64>,
}

pub async fn insert_inspection(
    conn: &mut AnyConnection,
    i: &NewInspection<'_>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quality_inspections (sample_id, source_kind, source_id, rule, agent_id, \
         channel, inspector_id, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'assigned', $8) RETURNING id",
    )
    .bind(i.sample_id)
    .bind(i.source_kind)
    .bind(i.source_id)
    .bind(i.rule)
    .bind(i.agent_id)
    .bind(i.channel)
    .bind(i.inspector_id)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// An inspection as stored, with the names pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionRow {
    pub id: i64,
    pub sample_id: i64,
    pub sample_date: String,
    pub source_kind: String,
    pub source_id: i64,
    /// The ticket's number and subject, for a ticket.
    pub ticket_number: Option<String>,
    pub ticket_subject: Option<String>,
    pub rule: String,
    pub agent_id: i64,
    pub agent_name: String,
    pub channel: String,
    pub inspector_id: Option<i64>,
    pub inspector_name: Option<String>,
    pub status: String,
    pub scorecard_version_id: Option<i64>,
    pub score_tenths: Option<i64>,
    pub passed: Option<bool>,
    pub critical_failed: Option<bool>,
    pub comment: String,
    pub scored_at: Option<Timestamp>,
    pub appeal_due_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub appeal_reason: String,
    pub appealed_at: Option<Timestamp>,
    pub decision: Option<String>,
    pub decision_note: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub version: i64,
}

const SELECT_INSPECTION: &str = "SELECT i.id, i.sample_id, s.sample_date, i.source_kind, \
     i.source_id, t.number AS ticket_number, t.subject AS ticket_subject, i.rule, i.agent_id, \
     a.display_name AS agent_name, i.channel, i.inspector_id, q.display_name AS inspector_name, \
     i.status, i.scorecard_version_id, i.score_tenths, i.passed, i.critical_failed, i.comment, \
     i.scored_at, i.appeal_due_at, i.acknowledged_at, i.appeal_reason, i.appealed_at, \
     i.decision, i.decision_note, d.display_name AS decided_by_name, i.decided_at, \
     i.created_at, i.version \
     FROM quality_inspections i \
     JOIN quality_samples s ON s.id = i.sample_id \
     JOIN users a ON a.id = i.agent_id \
     LEFT JOIN users q ON q.id = i.inspector_id \
     LEFT JOIN users d ON d.id = i.decided_by \
     LEFT JOIN tickets t ON i.source_kind = 'ticket' AND t.id = i.source_id";

fn inspection(r: &AnyRow) -> Result<InspectionRow> {
    Ok(InspectionRow {
        id: r.try_get("id")?,
        sample_id: r.try_get("sample_id")?,
        sample_date: r.try_get("sample_date")?,
        source_kind: r.try_get("source_kind")?,
        source_id: r.try_get("source_id")?,
        ticket_number: r.try_get("ticket_number")?,
        ticket_subject: r.try_get("ticket_subject")?,
        rule: r.try_get("rule")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        channel: r.try_get("channel")?,
        inspector_id: r.try_get("inspector_id")?,
        inspector_name: r.try_get("inspector_name")?,
        status: r.try_get("status")?,
        scorecard_version_id: r.try_get("scorecard_version_id")?,
        score_tenths: r.try_get("score_tenths")?,
        passed: r.try_get::<Option<i64>, _>("passed")?.map(|v| v != 0),
        critical_failed: r
            .try_get::<Option<i64>, _>("critical_failed")?
            .map(|v| v != 0),
        comment: r.try_get("comment")?,
        scored_at: opt_time(r, "scored_at")?,
        appeal_due_at: opt_time(r, "appeal_due_at")?,
        acknowledged_at: opt_time(r, "acknowledged_at")?,
        appeal_reason: r.try_get("appeal_reason")?,
        appealed_at: opt_time(r, "appealed_at")?,
        decision: r.try_get("decision")?,
        decision_note: r.try_get("decision_note")?,
        decided_by_name: r.try_get("decided_by_name")?,
        decided_at: opt_time(r, "decided_at")?,
        created_at: from_micros(r.try_get("created_at")?),
        version: r.try_get("version")?,
    })
}

/// Which inspections a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionFilter {
    pub inspector_id: Option<i64>,
    pub agent_id: Option<i64>,
    /// Any of these statuses (all when empty).
    pub statuses: Vec<String>,
    pub sample_date: Option<String>,
    pub limit: i64,
}

/// Inspections by the filter, the newest first.
pub async fn inspections(
    conn: &mut AnyConnection,
    f: &InspectionFilter,
) -> Result<Vec<InspectionRow>> {
    let mut sql = format!("{SELECT_INSPECTION} WHERE 1 = 1");
    let mut n = 0;
    let mut mark = || {
        n += 1;
        format!("${n}")
    };
    if f.inspector_id.is_some() {
        sql += &format!(" AND i.inspector_id = {}", mark());
    }
    if f.agent_id.is_some() {
        sql += &format!(" AND i.agent_id = {}", mark());
    }
    if !f.statuses.is_empty() {
        let marks: Vec<String> = f.statuses.iter().map(|_| mark()).collect();
        sql += &format!(" AND i.status IN ({})", marks.join(", "));
    }
    if f.sample_date.is_some() {
        sql += &format!(" AND s.sample_date = {}", mark());
    }
    sql += &format!(" ORDER BY i.id DESC LIMIT {}", mark());
    let mut q = sqlx::query(&sql);
    if let Some(v) = f.inspector_id {
        q = q.bind(v);
    }
    if let Some(v) = f.agent_id {
        q = q.bind(v);
    }
    for s in &f.statuses {
        q = q.bind(s.as_str());
    }
    if let Some(d) = &f.sample_date {
        q = q.bind(d.as_str());
    }
    let rows = q.bind(f.limit).fetch_all(conn).await?;
    rows.iter().map(inspection).collect()
}

pub async fn inspection_by_id(conn: &mut AnyConnection, id: i64) -> Result<InspectionRow> {
    let row = sqlx::query(&format!("{SELECT_INSPECTION} WHERE i.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    inspection(&row)
}

/// How many inspections stand at `status`, of `inspector` or `agent` when given.
pub async fn count(
    conn: &mut AnyConnection,
    status: &str,
    inspector: Option<i64>,
    agent: Option<i64>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_inspections WHERE status = $1 \
         AND ($2 IS NULL OR inspector_id = $2) AND ($3 IS NULL OR agent_id = $3)",
    )
    .bind(status)
    .bind(inspector)
    .bind(agent)
    .fetch_one(conn)
    .await?)
}

/// One item's score as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemScoreRow {
    pub item_key: String,
    /// `None`: not applicable.
    pub score: Option<i64>,
    pub comment: String,
    pub evidence: String,
}

pub async fn item_scores(conn: &mut AnyConnection, id: i64) -> Result<Vec<ItemScoreRow>> {
    let rows = sqlx::query(
        "SELECT item_key, score, comment, evidence FROM quality_item_scores \
         WHERE inspection_id = $1 ORDER BY item_key",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ItemScoreRow {
                item_key: r.try_get("item_key")?,
                score: r.try_get("score")?,
                comment: r.try_get("comment")?,
                evidence: r.try_get("evidence")?,
            })
        })
        .collect()
}

/// A score to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScoreWrite<'a> {
    /// Who scored it (an unassigned inspection becomes theirs).
    pub inspector_id: i64,
    pub status: &'a str,
    pub scorecard_version_id: i64,
    pub tenths: i64,
    pub passed: bool,
    pub critical_failed: bool,
    pub comment: &'a str,
    pub appeal_due_at: Option<Timestamp>,
    pub items: &'a [ItemScoreRow],
}

/// Writes inspection `id`'s score if it is still at `version`; false when it moved on.
pub async fn write_score(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    s: &ScoreWrite<'_>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE quality_inspections SET status = $3, scorecard_version_id = $4, \
         score_tenths = $5, passed = $6, critical_failed = $7, comment = $8, scored_at = $9, \
         appeal_due_at = $10, inspector_id = $11, version = version + 1 \
         WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(s.status)
    .bind(s.scorecard_version_id)
    .bind(s.tenths)
    .bind(i64::from(s.passed))
    .bind(i64::from(s.critical_failed))
    .bind(s.comment)
    .bind(to_micros(now))
    .bind(s.appeal_due_at.map(to_micros))
    .bind(s.inspector_id)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM quality_item_scores WHERE inspection_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    for item in s.items {
        sqlx::query(
            "INSERT INTO quality_item_scores (inspection_id, item_key, score, comment, evidence) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&item.item_key)
        .bind(item.score)
        .bind(&item.comment)
        .bind(&item.evidence)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// The agent's answer or the manager's decision to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer<'a> {
    Acknowledge,
    Appeal {
        reason: &'a str,
    },
    Decide {
        status: &'a str,
        decision: &'a str,
        note: &'a str,
        by: i64,
    },
}

/// Writes an answer to inspection `id` if it is still at `version`; false when it moved on.
pub async fn answer(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    a: &Answer<'_>,
    now: Timestamp,
) -> Result<bool> {
    let now = to_micros(now);
    let q = match a {
        Answer::Acknowledge => sqlx::query(
            "UPDATE quality_inspections SET status = 'acknowledged', acknowledged_at = $3, \
             version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(now),
        Answer::Appeal { reason } => sqlx::query(
            "UPDATE quality_inspections SET status = 'appealed', appealed_at = $3, \
             appeal_reason = $4, version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(now)
        .bind(*reason),
        Answer::Decide {
            status,
            decision,
            note,
            by,
        } => sqlx::query(
            "UPDATE quality_inspections SET status = $4, decision = $5, decision_note = $6, \
             decided_by = $7, decided_at = $3, version = version + 1 \
             WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(now)
        .bind(*status)
        .bind(*decision)
        .bind(*note)
        .bind(*by),
    };
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// The appeals waiting for a decision, the oldest first.
pub async fn appeals_waiting(conn: &mut AnyConnection, limit: i64) -> Result<Vec<InspectionRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT_INSPECTION} WHERE i.status = 'appealed' ORDER BY i.appealed_at, i.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(inspection).collect()
}

/// The scorecard version `id`'s body (JSON).
pub async fn version_body(conn: &mut AnyConnection, id: i64) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT body FROM quality_scorecard_versions WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}
