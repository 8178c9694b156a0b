//! 排班 — staff rosters: a week of working periods per person and dated changes 调班
//! (`YYYY-MM-DD`, the department's days). The texts are the domain's
//! (`kefu_domain::staff::shift::{format_week, format_day}`).

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, to_micros};

/// A dated change as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterChange {
    pub user_id: i64,
    pub day: String,
    pub periods: String,
    pub note: String,
}

/// Every stored week: (user, week text).
pub async fn weeks(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query("SELECT user_id, week FROM staff_rosters ORDER BY user_id")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("user_id")?, r.try_get("week")?)))
        .collect()
}

/// Sets a person's week, replacing the one they had.
pub async fn set_week(
    conn: &mut AnyConnection,
    user_id: i64,
    week: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_rosters (user_id, week, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id) DO UPDATE SET week = excluded.week, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(week)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a person's week: they work the business calendar's hours again.
pub async fn clear_week(conn: &mut AnyConnection, user_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM staff_rosters WHERE user_id = $1")
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Everyone's changes from `from` to `to` (both included), by person and day.
pub async fn changes(conn: &mut AnyConnection, from: &str, to: &str) -> Result<Vec<RosterChange>> {
    let rows = sqlx::query(
        "SELECT user_id, day, periods, note FROM staff_roster_changes \
         WHERE day >= $1 AND day <= $2 ORDER BY user_id, day",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RosterChange {
                user_id: r.try_get("user_id")?,
                day: r.try_get("day")?,
                periods: r.try_get("periods")?,
                note: r.try_get("note")?,
            })
        })
        .collect()
}

/// Sets the change of a person's day, replacing the one it had.
pub async fn set_change(
    conn: &mut AnyConnection,
    change: &RosterChange,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO staff_roster_changes (user_id, day, periods, note, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (user_id, day) DO UPDATE SET periods = excluded.periods, \
         note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(change.user_id)
    .bind(&change.day)
    .bind(&change.periods)
    .bind(&change.note)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes the change of a person's day; returns whether there was one.
pub async fn clear_change(conn: &mut AnyConnection, user_id: i64, day: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM staff_roster_changes WHERE user_id = $1 AND day = $2")
        .bind(user_id)
        .bind(day)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
