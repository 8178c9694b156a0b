//! 质量异常讨论会 — what a period's meeting discusses (anomalies by service item and by
//! cause) and the meetings' records with their attendees. Days are `YYYY-MM-DD` text.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// Anomalies of the days `[from, to)` per service item (every item, in its order; none
/// counts 0).
pub async fn by_service_item(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT s.name, COUNT(a.id) AS n FROM quality_service_items s \
         LEFT JOIN quality_anomalies a ON a.service_item_id = s.id \
         AND a.occurred_on >= $1 AND a.occurred_on < $2 \
         GROUP BY s.id, s.name, s.position ORDER BY s.position, s.id",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("n")?)))
        .collect()
}

/// Anomalies of the days `[from, to)` per service item and cause (empty: not investigated
/// yet), most first.
pub async fn causes(
    conn: &mut AnyConnection,
    from: &str,
    to: &str,
) -> Result<Vec<(String, String, i64)>> {
    let rows = sqlx::query(
        "SELECT s.name, COALESCE(a.cause, '') AS cause, COUNT(*) AS n \
         FROM quality_anomalies a JOIN quality_service_items s ON s.id = a.service_item_id \
         WHERE a.occurred_on >= $1 AND a.occurred_on < $2 \
         GROUP BY s.name, a.cause ORDER BY COUNT(*) DESC, s.name, cause",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("name")?, r.try_get("cause")?, r.try_get("n")?)))
        .collect()
}

/// A meeting record to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting<'a> {
    pub title: &'a str,
    pub period_from: &'a str,
    pub period_to: &'a str,
    pub held_on: &'a str,
    pub decisions: &'a str,
    pub attendees: &'a [i64],
    pub created_by: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, m: &NewMeeting<'_>, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO quality_meetings (title, period_from, period_to, held_on, decisions, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(m.title)
    .bind(m.period_from)
    .bind(m.period_to)
    .bind(m.held_on)
    .bind(m.decisions)
    .bind(m.created_by)
    .bind(to_micros(now))
    .fetch_one(&mut *conn)
    .await?;
    for user in m.attendees {
        sqlx::query(
            "INSERT INTO quality_meeting_attendees (meeting_id, user_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(*user)
        .execute(&mut *conn)
        .await?;
    }
    Ok(id)
}

/// A meeting as stored, with its attendees' names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingRow {
    pub id: i64,
    pub title: String,
    pub period_from: String,
    pub period_to: String,
    pub held_on: String,
    pub decisions: String,
    pub created_by_name: Option<String>,
    pub created_at: Timestamp,
    pub attendees: Vec<String>,
}

const SELECT: &str = "SELECT m.id, m.title, m.period_from, m.period_to, m.held_on, m.decisions, \
     u.display_name AS created_by_name, m.created_at \
     FROM quality_meetings m LEFT JOIN users u ON u.id = m.created_by";

async fn attendees(conn: &mut AnyConnection, id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT u.display_name FROM quality_meeting_attendees a JOIN users u ON u.id = a.user_id \
         WHERE a.meeting_id = $1 ORDER BY u.display_name",
    )
    .bind(id)
    .fetch_all(conn)
    .await?)
}

fn meeting(r: &sqlx::any::AnyRow) -> Result<MeetingRow> {
    Ok(MeetingRow {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        period_from: r.try_get("period_from")?,
        period_to: r.try_get("period_to")?,
        held_on: r.try_get("held_on")?,
        decisions: r.try_get("decisions")?,
        created_by_name: r.try_get("created_by_name")?,
        created_at: from_micros(r.try_get("created_at")?),
        attendees: Vec::new(),
    })
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<MeetingRow> {
    let row = sqlx::query(&format!("{SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let mut m = meeting(&row)?;
    m.attendees = attendees(conn, id).await?;
    Ok(m)
}

/// The meetings, the latest held first, at most `limit` (without their attendees).
pub async fn list(conn: &mut AnyConnection, limit: i64) -> Result<Vec<MeetingRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} ORDER BY m.held_on DESC, m.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(meeting).collect()
}
