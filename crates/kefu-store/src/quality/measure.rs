//! 改善措施 — the measures on quality anomalies, their steps, and what the reminders read.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, from_micros, to_micros};

/// A measure to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeasure<'a> {
    pub anomaly_id: i64,
    pub kind: &'a str,
    pub body: &'a str,
    pub owner_id: i64,
    pub due_on: &'a str,
    pub created_by: Option<i64>,
    /// 质量异常讨论会 — the meeting that decided it, if one did.
    pub meeting_id: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, m: &NewMeasure<'_>, now: Timestamp) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quality_measures (anomaly_id, kind, body, owner_id, due_on, status, \
         created_by, created_at, meeting_id) \
         VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7, $8) RETURNING id",
    )
    .bind(m.anomaly_id)
    .bind(m.kind)
    .bind(m.body)
    .bind(m.owner_id)
    .bind(m.due_on)
    .bind(m.created_by)
    .bind(to_micros(now))
    .bind(m.meeting_id)
    .fetch_one(conn)
    .await?)
}

/// A measure with the names pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureRow {
    pub id: i64,
    pub anomaly_id: i64,
    pub anomaly_number: String,
    pub kind: String,
    pub body: String,
    pub owner_id: i64,
    pub owner_name: String,
    pub due_on: String,
    pub instruction: String,
    pub instructed_by_name: Option<String>,
    pub instructed_at: Option<Timestamp>,
    pub status: String,
    pub progress_note: String,
    pub done_on: Option<String>,
    pub verified_by_name: Option<String>,
    pub verified_at: Option<Timestamp>,
    pub verdict_note: String,
    /// Anomalies of the same item and cause recorded since it was done, counted when it
    /// was verified.
    pub recurrences: Option<i64>,
    pub created_at: Timestamp,
    pub version: i64,
}

const SELECT: &str = "SELECT m.id, m.anomaly_id, a.number AS anomaly_number, m.kind, m.body, \
     m.owner_id, o.display_name AS owner_name, m.due_on, m.instruction, \
     i.display_name AS instructed_by_name, m.instructed_at, m.status, m.progress_note, \
     m.done_on, v.display_name AS verified_by_name, m.verified_at, m.verdict_note, \
     m.recurrences, m.created_at, m.version \
     FROM quality_measures m \
     JOIN quality_anomalies a ON a.id = m.anomaly_id \
     JOIN users o ON o.id = m.owner_id \
     LEFT JOIN users i ON i.id = m.instructed_by \
     LEFT JOIN users v ON v.id = m.verified_by";

fn measure(r: &AnyRow) -> Result<MeasureRow> {
    Ok(MeasureRow {
        id: r.try_get("id")?,
        anomaly_id: r.try_get("anomaly_id")?,
        anomaly_number: r.try_get("anomaly_number")?,
        kind: r.try_get("kind")?,
        body: r.try_get("body")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        due_on: r.try_get("due_on")?,
        instruction: r.try_get("instruction")?,
        instructed_by_name: r.try_get("instructed_by_name")?,
        instructed_at: r
            .try_get::<Option<i64>, _>("instructed_at")?
            .map(from_micros),
        status: r.try_get("status")?,
        progress_note: r.try_get("progress_note")?,
        done_on: r.try_get("done_on")?,
        verified_by_name: r.try_get("verified_by_name")?,
        verified_at: opt_time(r, "verified_at")?,
        verdict_note: r.try_get("verdict_note")?,
        recurrences: r.try_get("recurrences")?,
        created_at: from_micros(r.try_get("created_at")?),
        version: r.try_get("version")?,
    })
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<MeasureRow> {
    let row = sqlx::query(&format!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    measure(&row)
}

/// The measures of anomaly `id`, in the order they were planned.
pub async fn of_anomaly(conn: &mut AnyConnection, id: i64) -> Result<Vec<MeasureRow>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE m.anomaly_id = $1 ORDER BY m.id"))
        .bind(id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(measure).collect()
}

/// The measures meeting `id` decided.
pub async fn of_meeting(conn: &mut AnyConnection, id: i64) -> Result<Vec<MeasureRow>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE m.meeting_id = $1 ORDER BY m.id"))
        .bind(id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(measure).collect()
}

/// The measures on anomalies of the days `[from, to)`, the soonest due first, at most
/// `limit`.
pub async fn of_period(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<MeasureRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE a.occurred_on >= $1 AND a.occurred_on < $2 ORDER BY m.due_on, m.id LIMIT $3"
    ))
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(measure).collect()
}

/// Measures of `owner` (everyone's when `None`), `pending` ones only when asked, the
/// soonest due first.
pub async fn list(
    conn: &mut AnyConnection,
    owner: Option<i64>,
    pending: bool,
    limit: i64,
) -> Result<Vec<MeasureRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 IS NULL OR m.owner_id = $1) \
         AND ($2 = 0 OR m.status IN ('planned', 'in_progress')) \
         ORDER BY m.due_on, m.id LIMIT $3"
    ))
    .bind(owner)
    .bind(i64::from(pending))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(measure).collect()
}

/// How many pending measures were due before `today` (of `owner`, when given).
pub async fn count_overdue(
    conn: &mut AnyConnection,
    today: &str,
    owner: Option<i64>,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_measures WHERE status IN ('planned', 'in_progress') \
         AND due_on < $1 AND ($2 IS NULL OR owner_id = $2)",
    )
    .bind(today)
    .bind(owner)
    .fetch_one(conn)
    .await?)
}

/// How many pending measures `owner` has (everyone when `None`).
pub async fn count_pending(conn: &mut AnyConnection, owner: Option<i64>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_measures WHERE status IN ('planned', 'in_progress') \
         AND ($1 IS NULL OR owner_id = $1)",
    )
    .bind(owner)
    .fetch_one(conn)
    .await?)
}

/// A step to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step<'a> {
    Progress {
        status: &'a str,
        note: &'a str,
        done_on: Option<&'a str>,
    },
    Instruction {
        text: &'a str,
        by: i64,
    },
    Verdict {
        status: &'a str,
        note: &'a str,
        by: i64,
        recurrences: i64,
    },
}

/// Writes a step of measure `id` if it is still at `version`; false when it moved on.
pub async fn step(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    s: &Step<'_>,
    now: Timestamp,
) -> Result<bool> {
    let now = to_micros(now);
    let q = match s {
        Step::Progress {
            status,
            note,
            done_on,
        } => sqlx::query(
            "UPDATE quality_measures SET status = $3, progress_note = $4, done_on = $5, \
             version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(*status)
        .bind(*note)
        .bind(*done_on),
        Step::Instruction { text, by } => sqlx::query(
            "UPDATE quality_measures SET instruction = $3, instructed_by = $4, \
             instructed_at = $5, version = version + 1 WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(*text)
        .bind(*by)
        .bind(now),
        Step::Verdict {
            status,
            note,
            by,
            recurrences,
        } => sqlx::query(
            "UPDATE quality_measures SET status = $3, verdict_note = $4, verified_by = $5, \
             verified_at = $6, recurrences = $7, version = version + 1 \
             WHERE id = $1 AND version = $2",
        )
        .bind(id)
        .bind(version)
        .bind(*status)
        .bind(*note)
        .bind(*by)
        .bind(now)
        .bind(*recurrences),
    };
    Ok(q.execute(conn).await?.rows_affected() == 1)
}

/// Anomalies of service item `item` investigated with `cause`, recorded at or after
/// `since` other than `except`: how often the problem came back.
pub async fn recurrences(
    conn: &mut AnyConnection,
    item: i64,
    cause: Option<&str>,
    since: Timestamp,
    except: i64,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_anomalies WHERE service_item_id = $1 \
         AND ($2 IS NULL OR cause = $2) AND recorded_at >= $3 AND id <> $4",
    )
    .bind(item)
    .bind(cause)
    .bind(to_micros(since))
    .bind(except)
    .fetch_one(conn)
    .await?)
}

/// Pending measures due before `today` that were not reminded today: (id, owner, body,
/// due_on, escalated).
pub async fn overdue_to_remind(
    conn: &mut AnyConnection,
    today: &str,
) -> Result<Vec<(i64, i64, String, String, bool)>> {
    let rows = sqlx::query(
        "SELECT id, owner_id, body, due_on, escalated_on FROM quality_measures \
         WHERE status IN ('planned', 'in_progress') AND due_on < $1 \
         AND (reminded_on IS NULL OR reminded_on <> $1) ORDER BY id",
    )
    .bind(today)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("id")?,
                r.try_get("owner_id")?,
                r.try_get("body")?,
                r.try_get("due_on")?,
                r.try_get::<Option<String>, _>("escalated_on")?.is_some(),
            ))
        })
        .collect()
}

/// Marks measure `id` reminded on `today` (and escalated, when `escalate`); false when
/// another instance marked it first.
pub async fn mark_reminded(
    conn: &mut AnyConnection,
    id: i64,
    today: &str,
    escalate: bool,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE quality_measures SET reminded_on = $2, \
         escalated_on = CASE WHEN $3 = 1 THEN $2 ELSE escalated_on END \
         WHERE id = $1 AND (reminded_on IS NULL OR reminded_on <> $2)",
    )
    .bind(id)
    .bind(today)
    .bind(i64::from(escalate))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
