//! 售后 for the demo: which customers bring their goods back.

use sqlx::AnyConnection;

use crate::Result;

/// Up to `n` customers, spread over the archive (every `step`-th by id), with a province
/// (a repair is routed by it).
pub async fn rma_customers(conn: &mut AnyConnection, n: i64) -> Result<Vec<i64>> {
    let total: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM customers WHERE province IS NOT NULL")
            .fetch_one(&mut *conn)
            .await?;
    let step = (total / n.max(1)).max(1);
    Ok(sqlx::query_scalar(
        "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS k FROM customers \
         WHERE province IS NOT NULL) x WHERE (x.k - 1) % $1 = 0 ORDER BY id LIMIT $2",
    )
    .bind(step)
    .bind(n)
    .fetch_all(conn)
    .await?)
}
