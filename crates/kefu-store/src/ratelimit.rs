//! The API's rate limit, kept in the database so that every instance counts the same calls
//! (see migration 0036): one row per key holding the moment its allowance is whole again.

use sqlx::AnyConnection;

use crate::Result;

/// Takes one call from `key`'s allowance at `now_us`: the row's moment moves `cost_us`
/// past the later of itself and now, unless that puts it more than `window_us` ahead of
/// now. Returns the new moment when the call is allowed, `None` when it is not (the row is
/// then unchanged). One statement, so instances taking calls of one key at once queue on
/// its row and none is counted twice or lost.
pub async fn take(
    conn: &mut AnyConnection,
    key: &str,
    now_us: i64,
    cost_us: i64,
    window_us: i64,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO api_rate_limits (rate_key, full_at) VALUES ($1, $2 + $3) \
         ON CONFLICT (rate_key) DO UPDATE SET full_at = \
             (CASE WHEN api_rate_limits.full_at > $2 THEN api_rate_limits.full_at ELSE $2 END) + $3 \
         WHERE (CASE WHEN api_rate_limits.full_at > $2 THEN api_rate_limits.full_at ELSE $2 END) \
             + $3 - $2 <= $4 \
         RETURNING full_at",
    )
    .bind(key)
    .bind(now_us)
    .bind(cost_us)
    .bind(window_us)
    .fetch_optional(conn)
    .await?)
}

/// The moment `key`'s allowance is whole again, when it has a row.
pub async fn full_at(conn: &mut AnyConnection, key: &str) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT full_at FROM api_rate_limits WHERE rate_key = $1")
            .bind(key)
            .fetch_optional(conn)
            .await?,
    )
}

/// Forgets the keys whose allowance was whole again before `before_us` (a missing row is a
/// whole allowance); returns how many.
pub async fn purge(conn: &mut AnyConnection, before_us: i64) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM api_rate_limits WHERE full_at < $1")
            .bind(before_us)
            .execute(conn)
            .await?
            .rows_affected(),
    )
}
