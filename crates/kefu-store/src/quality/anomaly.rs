//! 服务质量异常 — the service items, the anomalies (one per source) and their numbers.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, from_micros, to_micros};

/// A service item 服务项目.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceItem {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub position: i64,
    pub active: bool,
}

/// The service items, in their order.
pub async fn service_items(conn: &mut AnyConnection) -> Result<Vec<ServiceItem>> {
    let rows = sqlx::query(
        "SELECT id, key, name, position, active FROM quality_service_items ORDER BY position, id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ServiceItem {
                id: r.try_get("id")?,
                key: r.try_get("key")?,
                name: r.try_get("name")?,
                position: r.try_get("position")?,
                active: r.try_get::<i64, _>("active")? != 0,
            })
        })
        .collect()
}

/// The next number of `day` (`20261206`): 1, 2, … whichever instance asks.
pub async fn next_seq(conn: &mut AnyConnection, day: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quality_anomaly_counters (day, last_seq) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_seq = quality_anomaly_counters.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(day)
    .fetch_one(conn)
    .await?)
}

/// The anomaly already opened from this source, if any.
pub async fn by_source(conn: &mut AnyConnection, kind: &str, key: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM quality_anomalies WHERE source_kind = $1 AND source_key = $2",
    )
    .bind(kind)
    .bind(key)
    .fetch_optional(conn)
    .await?)
}

/// An anomaly to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnomaly<'a> {
    pub number: &'a str,
    pub occurred_on: &'a str,
    pub source_kind: &'a str,
    pub source_key: &'a str,
    pub service_item_id: i64,
    pub channel: Option<&'a str>,
    pub agent_id: Option<i64>,
    pub department_id: Option<i64>,
    pub ticket_id: Option<i64>,
    pub severity: &'a str,
    pub description: &'a str,
    pub evidence: &'a str,
    pub created_by: Option<i64>,
}

/// Stores an anomaly; `None` when its source has one already (opened meanwhile elsewhere).
pub async fn insert(
    conn: &mut AnyConnection,
    a: &NewAnomaly<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quality_anomalies (number, occurred_on, recorded_at, source_kind, \
         source_key, service_item_id, channel, agent_id, department_id, ticket_id, severity, \
         description, evidence, status, created_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'open', $14) \
         ON CONFLICT (source_kind, source_key) DO NOTHING RETURNING id",
    )
    .bind(a.number)
    .bind(a.occurred_on)
    .bind(to_micros(now))
    .bind(a.source_kind)
    .bind(a.source_key)
    .bind(a.service_item_id)
    .bind(a.channel)
    .bind(a.agent_id)
    .bind(a.department_id)
    .bind(a.ticket_id)
    .bind(a.severity)
    .bind(a.description)
    .bind(a.evidence)
    .bind(a.created_by)
    .fetch_optional(conn)
    .await?)
}

/// An anomaly with the names pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyRow {
    pub id: i64,
    pub number: String,
    pub occurred_on: String,
    pub recorded_at: Timestamp,
    pub source_kind: String,
    pub source_key: String,
    pub service_item_id: i64,
    pub service_item: String,
    pub channel: Option<String>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub severity: String,
    pub description: String,
    pub evidence: String,
    pub status: String,
    pub cause: Option<String>,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: Option<String>,
    pub findings: String,
    pub investigated_by_name: Option<String>,
    pub investigated_at: Option<Timestamp>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<Timestamp>,
    pub created_by_name: Option<String>,
    pub version: i64,
}

const SELECT: &str = "SELECT a.id, a.number, a.occurred_on, a.recorded_at, a.source_kind, \
     a.source_key, a.service_item_id, s.name AS service_item, a.channel, a.agent_id, \
     ag.display_name AS agent_name, a.department_id, d.name AS department_name, a.ticket_id, \
     t.number AS ticket_number, a.severity, a.description, a.evidence, a.status, a.cause, \
     a.responsible_user_id, r.display_name AS responsible_name, a.findings, \
     iv.display_name AS investigated_by_name, a.investigated_at, \
     cl.display_name AS closed_by_name, a.closed_at, cr.display_name AS created_by_name, \
     a.version \
     FROM quality_anomalies a \
     JOIN quality_service_items s ON s.id = a.service_item_id \
     LEFT JOIN users ag ON ag.id = a.agent_id \
     LEFT JOIN departments d ON d.id = a.department_id \
     LEFT JOIN tickets t ON t.id = a.ticket_id \
     LEFT JOIN users r ON r.id = a.responsible_user_id \
     LEFT JOIN users iv ON iv.id = a.investigated_by \
     LEFT JOIN users cl ON cl.id = a.closed_by \
     LEFT JOIN users cr ON cr.id = a.created_by";

fn anomaly(r: &AnyRow) -> Result<AnomalyRow> {
    Ok(AnomalyRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        occurred_on: r.try_get("occurred_on")?,
        recorded_at: from_micros(r.try_get("recorded_at")?),
        source_kind: r.try_get("source_kind")?,
        source_key: r.try_get("source_key")?,
        service_item_id: r.try_get("service_item_id")?,
        service_item: r.try_get("service_item")?,
        channel: r.try_get("channel")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_number: r.try_get("ticket_number")?,
        severity: r.try_get("severity")?,
        description: r.try_get("description")?,
        evidence: r.try_get("evidence")?,
        status: r.try_get("status")?,
        cause: r.try_get("cause")?,
        responsible_user_id: r.try_get("responsible_user_id")?,
        responsible_name: r.try_get("responsible_name")?,
        findings: r.try_get("findings")?,
        investigated_by_name: r.try_get("investigated_by_name")?,
        investigated_at: opt_time(r, "investigated_at")?,
        closed_by_name: r.try_get("closed_by_name")?,
        closed_at: opt_time(r, "closed_at")?,
        created_by_name: r.try_get("created_by_name")?,
        version: r.try_get("version")?,
    })
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<AnomalyRow> {
    let row = sqlx::query(&format!("{SELECT} WHERE a.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    anomaly(&row)
}

/// Which anomalies a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnomalyFilter {
    pub status: Option<String>,
    pub source_kind: Option<String>,
    pub service_item_id: Option<i64>,
    pub limit: i64,
}

/// Anomalies by the filter, the newest first.
pub async fn list(conn: &mut AnyConnection, f: &AnomalyFilter) -> Result<Vec<AnomalyRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 IS NULL OR a.status = $1) AND ($2 IS NULL OR a.source_kind = $2) \
         AND ($3 IS NULL OR a.service_item_id = $3) ORDER BY a.id DESC LIMIT $4"
    ))
    .bind(f.status.as_deref())
    .bind(f.source_kind.as_deref())
    .bind(f.service_item_id)
    .bind(f.limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(anomaly).collect()
}

/// How many anomalies stand at `status`.
pub async fn count_in_status(conn: &mut AnyConnection, status: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM quality_anomalies WHERE status = $1")
            .bind(status)
            .fetch_one(conn)
            .await?,
    )
}

/// An investigation to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvestigationWrite<'a> {
    pub cause: &'a str,
    pub responsible_user_id: Option<i64>,
    pub findings: &'a str,
    pub by: Option<i64>,
}

/// Writes anomaly `id`'s investigation if it is still at `version`; false when it moved on.
pub async fn investigate(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    w: &InvestigationWrite<'_>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE quality_anomalies SET status = 'investigated', cause = $3, \
         responsible_user_id = $4, findings = $5, investigated_by = $6, investigated_at = $7, \
         version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(w.cause)
    .bind(w.responsible_user_id)
    .bind(w.findings)
    .bind(w.by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Closes anomaly `id` if it is still at `version`; false when it moved on.
pub async fn close(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    by: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE quality_anomalies SET status = 'closed', closed_by = $3, closed_at = $4, \
         version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(id)
    .bind(version)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Opens anomaly `id` again (a measure found not effective): it waits for a new
/// investigation.
pub async fn reopen(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query(
        "UPDATE quality_anomalies SET status = 'open', closed_by = NULL, closed_at = NULL, \
         version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(())
}
