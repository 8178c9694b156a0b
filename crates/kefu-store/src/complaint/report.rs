//! 投诉统计 — the statistics report's queries: complaints grouped by a dimension, time per
//! stage, and the penalty total.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, to_micros};

/// An amount column as summed by the reports: brought within `0..=MAX_AMOUNT_FEN`, so rows
/// stored before the ceiling existed count at the ceiling (see `kefu_domain::money`). With
/// every term bounded, `SUM` stays within `BIGINT` on both backends (SQLite raises "integer
/// overflow" past it; PostgreSQL sums `bigint` as `numeric`, and the `CAST … AS BIGINT`
/// around each sum gives both backends the same `i64` to read) up to 92 million amounts at
/// the ceiling in one group.
fn bounded_amount(column: &str) -> String {
    let max = kefu_domain::money::MAX_AMOUNT_FEN;
    format!("CASE WHEN {column} > {max} THEN {max} WHEN {column} < 0 THEN 0 ELSE {column} END")
}

/// One line of the statistics report: complaints sharing a value of the dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    /// The dimension's value (a key, a name, or a day number for the time series).
    pub key: Option<String>,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    /// Cost of the approved solutions, in fen.
    pub cost_fen: i64,
    /// Microseconds from complaint to closing, summed over the closed ones.
    pub close_micros: i64,
}

/// What the report can be broken down by, as SQL over `complaints c` (with departments `d`
/// and customers `cu` joined).
fn dimension_sql(dimension: &str) -> Option<&'static str> {
    Some(match dimension {
        "category" => "c.category",
        "cause" => "c.cause",
        "department" => "d.key",
        "product" => "c.product",
        "part_number" => "c.part_number",
        "customer" => "COALESCE(cu.name, c.complainant)",
        "channel" => "c.channel",
        "validity" => {
            "CASE WHEN c.valid = 1 THEN 'valid' WHEN c.valid = 0 THEN 'invalid' ELSE 'pending' END"
        }
        "severity" => "c.severity",
        _ => return None,
    })
}

/// Complaints received in `[from, to)` grouped by `dimension` (see [`dimension_sql`]), or by
/// day number (days since the epoch at `offset_micros` from UTC) when it is `day`. At most
/// `limit` groups, the largest first.
pub async fn stats(
    conn: &mut AnyConnection,
    dimension: &str,
    from: Timestamp,
    to: Timestamp,
    offset_micros: i64,
    limit: i64,
) -> Result<Vec<StatRow>> {
    let day = format!("CAST((c.received_at + {offset_micros}) / 86400000000 AS TEXT)");
    let expr = match dimension {
        "day" => day.as_str(),
        d => {
            dimension_sql(d).ok_or_else(|| crate::StoreError::Corrupt(format!("dimension {d}")))?
        }
    };
    let order = if dimension == "day" { "k" } else { "n DESC, k" };
    // Only the dimensions that name a department or a customer read another table.
    let join = match dimension {
        "department" => {
            " LEFT JOIN departments d ON d.id = \
             COALESCE(c.responsible_department_id, c.department_id)"
        }
        "customer" => " LEFT JOIN customers cu ON cu.id = c.customer_id",
        _ => "",
    };
    let cost = bounded_amount("c.cost_fen");
    let sql = format!(
        "SELECT {expr} AS k, COUNT(*) AS n, \
         SUM(CASE WHEN c.valid = 1 THEN 1 ELSE 0 END) AS v, \
         SUM(CASE WHEN c.valid = 0 THEN 1 ELSE 0 END) AS iv, \
         SUM(CASE WHEN c.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS cl, \
         CAST(COALESCE(SUM({cost}), 0) AS BIGINT) AS cost, \
         CAST(COALESCE(SUM(c.closed_at - c.received_at), 0) AS BIGINT) AS close_us \
         FROM complaints c{join} \
         WHERE c.received_at >= $1 AND c.received_at < $2 \
         GROUP BY {expr} ORDER BY {order} LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(to_micros(from))
        .bind(to_micros(to))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StatRow {
                key: r.try_get("k")?,
                count: r.try_get("n")?,
                valid: r.try_get("v")?,
                invalid: r.try_get("iv")?,
                closed: r.try_get("cl")?,
                cost_fen: r.try_get("cost")?,
                close_micros: r.try_get("close_us")?,
            })
        })
        .collect()
}

/// Business minutes spent per stage by complaints received in `[from, to)`: (stage, times
/// left, total minutes).
pub async fn stage_durations(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT from_stage, COUNT(*), CAST(SUM(stage_minutes) AS BIGINT) FROM complaint_steps \
         WHERE stage_minutes IS NOT NULL AND received_at >= $1 AND received_at < $2 \
         GROUP BY from_stage",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_all(conn)
    .await?)
}

/// Penalties recorded on complaints received in `[from, to)`, in fen.
pub async fn penalty_total(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<i64> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) FROM complaint_penalties p \
         JOIN complaints c ON c.id = p.complaint_id \
         WHERE c.received_at >= $1 AND c.received_at < $2",
        bounded_amount("p.amount_fen")
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(to_micros(from))
        .bind(to_micros(to))
        .fetch_one(conn)
        .await?)
}
