//! 休假 — staff absences, by day (`YYYY-MM-DD`, the department's days).

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, from_micros, to_micros};

/// An absence as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Absence {
    pub id: i64,
    pub user_id: i64,
    pub user_name: String,
    pub starts_on: String,
    pub ends_on: String,
    pub reason: String,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

const SELECT: &str = "SELECT a.id, a.user_id, u.display_name, a.starts_on, a.ends_on, \
     a.reason, a.created_by, a.created_at \
     FROM staff_absences a JOIN users u ON u.id = a.user_id";

fn absence(r: &AnyRow) -> Result<Absence> {
    Ok(Absence {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        user_name: r.try_get("display_name")?,
        starts_on: r.try_get("starts_on")?,
        ends_on: r.try_get("ends_on")?,
        reason: r.try_get("reason")?,
        created_by: r.try_get("created_by")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

/// Records an absence; returns its id.
pub async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    (starts_on, ends_on): (&str, &str),
    reason: &str,
    created_by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO staff_absences (user_id, starts_on, ends_on, reason, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(user_id)
    .bind(starts_on)
    .bind(ends_on)
    .bind(reason)
    .bind(created_by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// The first of `user_id`'s absences that shares a day with `starts_on..=ends_on`.
pub async fn overlapping(
    conn: &mut AnyConnection,
    user_id: i64,
    (starts_on, ends_on): (&str, &str),
) -> Result<Option<Absence>> {
    let sql = format!(
        "{SELECT} WHERE a.user_id = $1 AND a.starts_on <= $3 AND a.ends_on >= $2 \
         ORDER BY a.starts_on LIMIT 1"
    );
    let row = sqlx::query(&sql)
        .bind(user_id)
        .bind(starts_on)
        .bind(ends_on)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(absence).transpose()
}

pub async fn get(conn: &mut AnyConnection, id: i64) -> Result<Absence> {
    let sql = format!("{SELECT} WHERE a.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    absence(&row)
}

/// Absences ending on or after `from` (`YYYY-MM-DD`), of one user or everyone, by start.
pub async fn list(
    conn: &mut AnyConnection,
    user_id: Option<i64>,
    from: &str,
) -> Result<Vec<Absence>> {
    let sql = format!(
        "{SELECT} WHERE a.ends_on >= $1 AND ($2 = 0 OR a.user_id = $2) \
         ORDER BY a.starts_on, u.display_name, a.id"
    );
    let rows = sqlx::query(&sql)
        .bind(from)
        .bind(user_id.unwrap_or(0))
        .fetch_all(conn)
        .await?;
    rows.iter().map(absence).collect()
}

pub async fn delete(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("DELETE FROM staff_absences WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}
