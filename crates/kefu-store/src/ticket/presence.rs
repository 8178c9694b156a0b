//! Who is looking at or replying on a ticket right now.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{Result, to_micros};

/// Records that `user_id` has the ticket open (and whether they are writing a reply).
pub async fn touch(
    conn: &mut AnyConnection,
    ticket_id: i64,
    user_id: i64,
    replying: bool,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_presence (ticket_id, user_id, replying, seen_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (ticket_id, user_id) DO UPDATE SET replying = excluded.replying, \
         seen_at = excluded.seen_at",
    )
    .bind(ticket_id)
    .bind(user_id)
    .bind(i64::from(replying))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Others seen on the ticket since `since`: (user id, display name, replying).
pub async fn others(
    conn: &mut AnyConnection,
    ticket_id: i64,
    user_id: i64,
    since: Timestamp,
) -> Result<Vec<(i64, String, bool)>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT p.user_id, u.display_name, p.replying FROM ticket_presence p \
         JOIN users u ON u.id = p.user_id \
         WHERE p.ticket_id = $1 AND p.user_id <> $2 AND p.seen_at >= $3 ORDER BY u.display_name",
    )
    .bind(ticket_id)
    .bind(user_id)
    .bind(to_micros(since))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|(id, n, r)| (id, n, r != 0)).collect())
}

/// Forgets presence older than `before`.
pub async fn purge(conn: &mut AnyConnection, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM ticket_presence WHERE seen_at < $1")
        .bind(to_micros(before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
