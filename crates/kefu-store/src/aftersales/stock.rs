//! 配件库存 — locations, balances and the movements ledger. A balance changes only by a
//! conditional update that keeps it at or above zero, so two instances issuing the last part
//! at once cannot both succeed.

use jiff::Timestamp;
use kefu_domain::aftersales::stock::{Condition, MovementKind};
use sqlx::{AnyConnection, Row};

use crate::ticket::parse;
use crate::{Result, from_micros, to_micros};

/// A location: the central warehouse (no point) or a service point's stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRow {
    pub id: i64,
    pub name: String,
    pub service_point_id: Option<i64>,
}

/// Every location, the warehouse first.
pub async fn locations(conn: &mut AnyConnection) -> Result<Vec<LocationRow>> {
    let rows = sqlx::query(
        "SELECT id, name, service_point_id FROM stock_locations \
         ORDER BY (service_point_id IS NOT NULL), name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LocationRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                service_point_id: r.try_get("service_point_id")?,
            })
        })
        .collect()
}

/// Adds a location; `None` when the name (or the point's location) exists.
pub async fn insert_location(
    conn: &mut AnyConnection,
    name: &str,
    service_point_id: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO stock_locations (name, service_point_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(name)
    .bind(service_point_id)
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?)
}

/// The balance of a part at a location in a condition (0 when none was ever kept).
pub async fn balance(
    conn: &mut AnyConnection,
    location: i64,
    part: i64,
    condition: Condition,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT quantity FROM stock_balances WHERE location_id = $1 AND part_id = $2 \
         AND condition = $3",
    )
    .bind(location)
    .bind(part)
    .bind(condition.key())
    .fetch_optional(conn)
    .await?
    .unwrap_or(0))
}

/// Changes a balance by `delta` unless it would go below zero; whether it did.
pub async fn change(
    conn: &mut AnyConnection,
    location: i64,
    part: i64,
    condition: Condition,
    delta: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE stock_balances SET quantity = quantity + $4 WHERE location_id = $1 \
         AND part_id = $2 AND condition = $3 AND quantity + $4 >= 0",
    )
    .bind(location)
    .bind(part)
    .bind(condition.key())
    .bind(delta)
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(true);
    }
    if delta < 0 {
        return Ok(false);
    }
    // No row yet: the first of this part here. A concurrent first insert makes this one a
    // conflict, which the caller's transaction retries as a whole.
    sqlx::query(
        "INSERT INTO stock_balances (location_id, part_id, condition, quantity) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(location)
    .bind(part)
    .bind(condition.key())
    .bind(delta)
    .execute(conn)
    .await?;
    Ok(true)
}

/// A movement as logged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementRow {
    pub id: i64,
    pub part_id: i64,
    pub kind: MovementKind,
    pub quantity: i64,
    pub location_id: i64,
    pub to_location_id: Option<i64>,
    pub document: String,
    pub rma_id: Option<i64>,
    pub reason: String,
    pub by: Option<i64>,
    pub at: Timestamp,
}

/// Logs a movement; its id.
pub async fn log(conn: &mut AnyConnection, m: &MovementRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO stock_movements (part_id, kind, quantity, location_id, to_location_id, \
         document, rma_id, reason, by_user, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
         $10) RETURNING id",
    )
    .bind(m.part_id)
    .bind(m.kind.key())
    .bind(m.quantity)
    .bind(m.location_id)
    .bind(m.to_location_id)
    .bind(&m.document)
    .bind(m.rma_id)
    .bind(&m.reason)
    .bind(m.by)
    .bind(to_micros(m.at))
    .fetch_one(conn)
    .await?)
}

/// A part's movements, newest first.
pub async fn movements(conn: &mut AnyConnection, part: i64, limit: i64) -> Result<Vec<MovementRow>> {
    let rows = sqlx::query(
        "SELECT id, part_id, kind, quantity, location_id, to_location_id, document, rma_id, \
         reason, by_user, at FROM stock_movements WHERE part_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(part)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MovementRow {
                id: r.try_get("id")?,
                part_id: r.try_get("part_id")?,
                kind: parse(r, "kind")?,
                quantity: r.try_get("quantity")?,
                location_id: r.try_get("location_id")?,
                to_location_id: r.try_get("to_location_id")?,
                document: r.try_get("document")?,
                rma_id: r.try_get("rma_id")?,
                reason: r.try_get("reason")?,
                by: r.try_get("by_user")?,
                at: from_micros(r.try_get("at")?),
            })
        })
        .collect()
}
