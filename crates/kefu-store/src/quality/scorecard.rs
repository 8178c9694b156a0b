//! 质检评分表 — scorecards and their versions (the body is the domain's scorecard as JSON).

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, from_micros, to_micros};

/// A scorecard with its current version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorecardRow {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub current_version: i64,
    /// The current version's row id (what an inspection keeps).
    pub version_id: i64,
    pub body: String,
    pub updated_at: Timestamp,
}

/// One version of a scorecard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRow {
    pub id: i64,
    pub scorecard_id: i64,
    pub number: i64,
    pub body: String,
    pub note: String,
    pub created_by_name: Option<String>,
    pub created_at: Timestamp,
}

const SELECT: &str = "SELECT s.id, s.name, s.active, s.current_version, s.updated_at, \
     v.id AS version_id, v.body FROM quality_scorecards s \
     JOIN quality_scorecard_versions v ON v.scorecard_id = s.id AND v.number = s.current_version";

fn scorecard(r: &AnyRow) -> Result<ScorecardRow> {
    Ok(ScorecardRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? != 0,
        current_version: r.try_get("current_version")?,
        version_id: r.try_get("version_id")?,
        body: r.try_get("body")?,
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Every scorecard, by name.
pub async fn list(conn: &mut AnyConnection) -> Result<Vec<ScorecardRow>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY s.name, s.id"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(scorecard).collect()
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<ScorecardRow> {
    let row = sqlx::query(&format!("{SELECT} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    scorecard(&row)
}

/// Adds a scorecard with its first version; `None` when the name is taken.
pub async fn insert(
    conn: &mut AnyConnection,
    name: &str,
    body: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO quality_scorecards (name, active, current_version, created_at, updated_at) \
         VALUES ($1, 1, 1, $2, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    let Some(id) = id else { return Ok(None) };
    insert_version(conn, id, 1, body, "", by, now).await?;
    Ok(Some(id))
}

async fn insert_version(
    conn: &mut AnyConnection,
    scorecard_id: i64,
    number: i64,
    body: &str,
    note: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO quality_scorecard_versions (scorecard_id, number, body, note, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(scorecard_id)
    .bind(number)
    .bind(body)
    .bind(note)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds version `based_on + 1` and makes it current, when the current version is still
/// `based_on`; `Err(current)` when someone else saved one in between.
pub async fn add_version(
    conn: &mut AnyConnection,
    id: i64,
    based_on: i64,
    (name, active): (&str, bool),
    (body, note): (&str, &str),
    by: Option<i64>,
    now: Timestamp,
) -> Result<std::result::Result<i64, i64>> {
    let moved = sqlx::query(
        "UPDATE quality_scorecards SET current_version = current_version + 1, name = $3, \
         active = $4, updated_at = $5 WHERE id = $1 AND current_version = $2",
    )
    .bind(id)
    .bind(based_on)
    .bind(name)
    .bind(i64::from(active))
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    if moved.rows_affected() == 0 {
        return Ok(Err(get(conn, id).await?.current_version));
    }
    insert_version(conn, id, based_on + 1, body, note, by, now).await?;
    Ok(Ok(based_on + 1))
}

/// A scorecard's versions, newest first.
pub async fn versions(conn: &mut AnyConnection, id: i64) -> Result<Vec<VersionRow>> {
    let rows = sqlx::query(
        "SELECT v.id, v.scorecard_id, v.number, v.body, v.note, u.display_name, v.created_at \
         FROM quality_scorecard_versions v LEFT JOIN users u ON u.id = v.created_by \
         WHERE v.scorecard_id = $1 ORDER BY v.number DESC",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(VersionRow {
                id: r.try_get("id")?,
                scorecard_id: r.try_get("scorecard_id")?,
                number: r.try_get("number")?,
                body: r.try_get("body")?,
                note: r.try_get("note")?,
                created_by_name: r.try_get("display_name")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// Whether any scorecard exists.
pub async fn any(conn: &mut AnyConnection) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM quality_scorecards")
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}
