//! In-app notifications: the bell in the header and its list.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub id: i64,
    pub user_id: i64,
    pub kind: String,
    pub ticket_id: Option<i64>,
    /// JSON object of placeholder values.
    pub params: String,
    pub read_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

pub async fn insert(
    conn: &mut AnyConnection,
    user_id: i64,
    kind: &str,
    ticket_id: Option<i64>,
    params: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO notifications (user_id, kind, ticket_id, params, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(kind)
    .bind(ticket_id)
    .bind(params)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Unread notifications of a user, counting at most `cap` (the bell shows "99+"): every
/// page asks, so it must not grow with a busy agent's backlog.
pub async fn unread_count(conn: &mut AnyConnection, user_id: i64, cap: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM notifications WHERE user_id = $1 \
         AND read_at IS NULL LIMIT $2) AS capped",
    )
    .bind(user_id)
    .bind(cap)
    .fetch_one(conn)
    .await?)
}

/// The newest notifications of a user.
pub async fn latest(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Notification>> {
    newest(conn, user_id, false, limit).await
}

/// The newest notifications of a user not read yet: what [`unread_count`] counts.
pub async fn latest_unread(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Notification>> {
    newest(conn, user_id, true, limit).await
}

async fn newest(
    conn: &mut AnyConnection,
    user_id: i64,
    unread_only: bool,
    limit: i64,
) -> Result<Vec<Notification>> {
    let unread = if unread_only {
        " AND read_at IS NULL"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT id, user_id, kind, ticket_id, params, read_at, created_at FROM notifications \
         WHERE user_id = $1{unread} ORDER BY id DESC LIMIT $2"
    ))
    .bind(user_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notification {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                kind: r.try_get("kind")?,
                ticket_id: r.try_get("ticket_id")?,
                params: r.try_get("params")?,
                read_at: r.try_get::<Option<i64>, _>("read_at")?.map(from_micros),
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// Marks one notification (or, with `None`, all) of the user read.
pub async fn mark_read(
    conn: &mut AnyConnection,
    user_id: i64,
    id: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    match id {
        Some(id) => {
            let done = sqlx::query(
                "UPDATE notifications SET read_at = COALESCE(read_at, $3) \
                 WHERE id = $1 AND user_id = $2",
            )
            .bind(id)
            .bind(user_id)
            .bind(to_micros(now))
            .execute(conn)
            .await?;
            found(done)?;
        }
        None => {
            sqlx::query(
                "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL",
            )
            .bind(user_id)
            .bind(to_micros(now))
            .execute(conn)
            .await?;
        }
    }
    Ok(())
}
