//! 质量异常分析日报表 — the figures a daily report is made of, and the reports as issued.
//!
//! Days are `YYYY-MM-DD` text (the anomalies' `occurred_on`, compared as text); instants
//! are the window's local midnights.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// Inspections scored in `[from, to)`: how many, their scores' sum (tenths) and how many
/// passed.
pub async fn inspection_tally(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<(i64, i64, i64)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS done, CAST(COALESCE(SUM(score_tenths), 0) AS BIGINT) AS score, \
         CAST(COALESCE(SUM(CASE WHEN passed = 1 THEN 1 ELSE 0 END), 0) AS BIGINT) AS passed \
         FROM quality_inspections \
         WHERE scored_at >= $1 AND scored_at < $2 AND score_tenths IS NOT NULL",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_one(conn)
    .await?;
    Ok((
        row.try_get("done")?,
        row.try_get("score")?,
        row.try_get("passed")?,
    ))
}

/// Anomalies of the days `[from, to)` (`occurred_on`).
pub async fn anomalies_on(conn: &mut AnyConnection, from: &str, to: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_anomalies WHERE occurred_on >= $1 AND occurred_on < $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(conn)
    .await?)
}

/// Which anomalies a breakdown counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted<'a> {
    /// Of the days `[from, to)`.
    New { from: &'a str, to: &'a str },
    /// Not closed now.
    Open,
    /// Closed in `[from, to)`.
    Closed { from: Timestamp, to: Timestamp },
}

/// A group of anomalies: service item, source, agent, department (names as they are now,
/// empty for none) and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub service_item: String,
    pub source: String,
    pub agent: String,
    pub department: String,
    pub count: i64,
}

const GROUP: &str = "SELECT s.name AS service_item, a.source_kind, \
     COALESCE(u.display_name, '') AS agent, COALESCE(d.name, '') AS department, \
     COUNT(*) AS n \
     FROM quality_anomalies a \
     JOIN quality_service_items s ON s.id = a.service_item_id \
     LEFT JOIN users u ON u.id = a.agent_id \
     LEFT JOIN departments d ON d.id = a.department_id";

const GROUP_BY: &str = "GROUP BY s.name, a.source_kind, u.display_name, d.name";

/// The anomalies `which` counts, grouped by service item, source, agent and department.
pub async fn groups(conn: &mut AnyConnection, which: Counted<'_>) -> Result<Vec<Group>> {
    let rows = match which {
        Counted::New { from, to } => {
            sqlx::query(&format!(
                "{GROUP} WHERE a.occurred_on >= $1 AND a.occurred_on < $2 {GROUP_BY}"
            ))
            .bind(from)
            .bind(to)
            .fetch_all(conn)
            .await?
        }
        Counted::Open => {
            sqlx::query(&format!("{GROUP} WHERE a.status <> 'closed' {GROUP_BY}"))
                .fetch_all(conn)
                .await?
        }
        Counted::Closed { from, to } => {
            sqlx::query(&format!(
                "{GROUP} WHERE a.closed_at >= $1 AND a.closed_at < $2 {GROUP_BY}"
            ))
            .bind(to_micros(from))
            .bind(to_micros(to))
            .fetch_all(conn)
            .await?
        }
    };
    rows.iter()
        .map(|r| {
            Ok(Group {
                service_item: r.try_get("service_item")?,
                source: r.try_get("source_kind")?,
                agent: r.try_get("agent")?,
                department: r.try_get("department")?,
                count: r.try_get("n")?,
            })
        })
        .collect()
}

/// Causes found by the investigations of `[from, to)`, most first.
pub async fn causes(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT cause, COUNT(*) AS n FROM quality_anomalies \
         WHERE investigated_at >= $1 AND investigated_at < $2 AND cause IS NOT NULL \
         GROUP BY cause ORDER BY COUNT(*) DESC, cause",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("cause")?, r.try_get("n")?)))
        .collect()
}

/// An anomaly as a report lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub id: i64,
    pub number: String,
    pub occurred_on: String,
    pub service_item: String,
    pub source: String,
    pub agent: Option<String>,
    pub department: Option<String>,
    pub severity: String,
    pub status: String,
    pub cause: Option<String>,
    pub description: String,
}

const LISTED: &str = "SELECT a.id, a.number, a.occurred_on, s.name AS service_item, \
     a.source_kind, u.display_name AS agent, d.name AS department, a.severity, a.status, \
     a.cause, a.description \
     FROM quality_anomalies a \
     JOIN quality_service_items s ON s.id = a.service_item_id \
     LEFT JOIN users u ON u.id = a.agent_id \
     LEFT JOIN departments d ON d.id = a.department_id";

fn listed(r: &AnyRow) -> Result<Listed> {
    Ok(Listed {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        occurred_on: r.try_get("occurred_on")?,
        service_item: r.try_get("service_item")?,
        source: r.try_get("source_kind")?,
        agent: r.try_get("agent")?,
        department: r.try_get("department")?,
        severity: r.try_get("severity")?,
        status: r.try_get("status")?,
        cause: r.try_get("cause")?,
        description: r.try_get("description")?,
    })
}

/// The anomalies of the days `[from, to)`, in number order, at most `limit`.
pub async fn listed_on(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<Listed>> {
    let rows = sqlx::query(&format!(
        "{LISTED} WHERE a.occurred_on >= $1 AND a.occurred_on < $2 ORDER BY a.id LIMIT $3"
    ))
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(listed).collect()
}

/// 补录: anomalies of days before `before`, recorded since `since` (when the previous
/// report was made) and in no report of an earlier date, in number order, at most `limit`.
pub async fn listed_late(
    conn: &mut AnyConnection,
    before: &str,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<Listed>> {
    let rows = sqlx::query(&format!(
        "{LISTED} WHERE a.occurred_on < $1 AND a.recorded_at >= $2 AND NOT EXISTS ( \
         SELECT 1 FROM quality_report_items i JOIN quality_reports r ON r.id = i.report_id \
         WHERE i.anomaly_id = a.id AND r.report_date < $1) \
         ORDER BY a.id LIMIT $3"
    ))
    .bind(before)
    .bind(to_micros(since))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(listed).collect()
}

/// A measure still to be carried out past its due date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub id: i64,
    pub anomaly_number: String,
    pub body: String,
    pub owner: String,
    pub due_on: String,
}

/// Measures planned or in progress due before `today`, the longest overdue first, at most
/// `limit`; and how many there are.
pub async fn overdue_measures(
    conn: &mut AnyConnection,
    today: &str,
    limit: i64,
) -> Result<(Vec<Overdue>, i64)> {
    let total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_measures \
         WHERE status IN ('planned', 'in_progress') AND due_on < $1",
    )
    .bind(today)
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(
        "SELECT m.id, a.number, m.body, u.display_name, m.due_on FROM quality_measures m \
         JOIN quality_anomalies a ON a.id = m.anomaly_id JOIN users u ON u.id = m.owner_id \
         WHERE m.status IN ('planned', 'in_progress') AND m.due_on < $1 \
         ORDER BY m.due_on, m.id LIMIT $2",
    )
    .bind(today)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    let list = rows
        .iter()
        .map(|r| {
            Ok(Overdue {
                id: r.try_get("id")?,
                anomaly_number: r.try_get("number")?,
                body: r.try_get("body")?,
                owner: r.try_get("display_name")?,
                due_on: r.try_get("due_on")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((list, total))
}

/// A report as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    pub id: i64,
    pub report_date: String,
    pub revision: i64,
    pub covers_to: String,
    pub body: String,
    pub reason: String,
    pub made_by: Option<i64>,
    pub made_by_name: Option<String>,
    pub made_at: Timestamp,
}

const REPORT: &str = "SELECT r.id, r.report_date, r.revision, r.covers_to, r.body, r.reason, \
     r.made_by, u.display_name AS made_by_name, r.made_at \
     FROM quality_reports r LEFT JOIN users u ON u.id = r.made_by";

fn report(r: &AnyRow) -> Result<ReportRow> {
    Ok(ReportRow {
        id: r.try_get("id")?,
        report_date: r.try_get("report_date")?,
        revision: r.try_get("revision")?,
        covers_to: r.try_get("covers_to")?,
        body: r.try_get("body")?,
        reason: r.try_get("reason")?,
        made_by: r.try_get("made_by")?,
        made_by_name: r.try_get("made_by_name")?,
        made_at: from_micros(r.try_get("made_at")?),
    })
}

/// A report to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport<'a> {
    pub report_date: &'a str,
    pub revision: i64,
    pub covers_to: &'a str,
    pub body: &'a str,
    pub reason: &'a str,
    pub made_by: Option<i64>,
    /// The anomalies listed, and whether each is 补录.
    pub items: &'a [(i64, bool)],
}

/// Stores a revision of a report with its anomalies; `None` when that revision exists
/// (made meanwhile by another instance or person).
pub async fn insert(
    conn: &mut AnyConnection,
    r: &NewReport<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO quality_reports (report_date, revision, covers_to, body, reason, made_by, \
         made_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (report_date, revision) DO NOTHING RETURNING id",
    )
    .bind(r.report_date)
    .bind(r.revision)
    .bind(r.covers_to)
    .bind(r.body)
    .bind(r.reason)
    .bind(r.made_by)
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else {
        return Ok(None);
    };
    // A few hundred a day: a statement of up to 300 rows at a time.
    for chunk in r.items.chunks(300) {
        let mut sql =
            String::from("INSERT INTO quality_report_items (report_id, anomaly_id, late) VALUES ");
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("($1, ${}, ${})", 2 + 2 * i, 3 + 2 * i));
        }
        let mut q = sqlx::query(&sql).bind(id);
        for (anomaly, late) in chunk {
            q = q.bind(*anomaly).bind(i64::from(*late));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(Some(id))
}

/// The latest revision of `date`'s report.
pub async fn latest(conn: &mut AnyConnection, date: &str) -> Result<Option<ReportRow>> {
    let row = sqlx::query(&format!(
        "{REPORT} WHERE r.report_date = $1 ORDER BY r.revision DESC LIMIT 1"
    ))
    .bind(date)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(report).transpose()
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<ReportRow>> {
    let row = sqlx::query(&format!("{REPORT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(report).transpose()
}

/// Revision `revision` of `date`'s report.
pub async fn revision(
    conn: &mut AnyConnection,
    date: &str,
    revision: i64,
) -> Result<Option<ReportRow>> {
    let row = sqlx::query(&format!(
        "{REPORT} WHERE r.report_date = $1 AND r.revision = $2"
    ))
    .bind(date)
    .bind(revision)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(report).transpose()
}

/// A revision as a list shows it (without its figures).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    pub report_date: String,
    pub revision: i64,
    pub reason: String,
    pub made_by_name: Option<String>,
    pub made_at: Timestamp,
}

/// Every revision of `date`'s report, the first first.
pub async fn revisions(conn: &mut AnyConnection, date: &str) -> Result<Vec<RevisionRow>> {
    let rows = sqlx::query(
        "SELECT r.report_date, r.revision, r.reason, u.display_name AS made_by_name, r.made_at \
         FROM quality_reports r LEFT JOIN users u ON u.id = r.made_by \
         WHERE r.report_date = $1 ORDER BY r.revision",
    )
    .bind(date)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RevisionRow {
                report_date: r.try_get("report_date")?,
                revision: r.try_get("revision")?,
                reason: r.try_get("reason")?,
                made_by_name: r.try_get("made_by_name")?,
                made_at: from_micros(r.try_get("made_at")?),
            })
        })
        .collect()
}

/// The latest revision of the reports, the newest date first, at most `limit` dates.
pub async fn list(conn: &mut AnyConnection, limit: i64) -> Result<Vec<ReportRow>> {
    let rows = sqlx::query(&format!(
        "{REPORT} WHERE r.revision = (SELECT MAX(x.revision) FROM quality_reports x \
         WHERE x.report_date = r.report_date) ORDER BY r.report_date DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(report).collect()
}

/// When the first revision of the latest report before `date` was made: an anomaly
/// recorded since then that no report listed is 补录.
pub async fn previous_made_at(conn: &mut AnyConnection, date: &str) -> Result<Option<Timestamp>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT made_at FROM quality_reports WHERE report_date < $1 \
         ORDER BY report_date DESC, revision LIMIT 1",
    )
    .bind(date)
    .fetch_optional(conn)
    .await?;
    Ok(at.map(from_micros))
}
