//! 配件库存 — locations, balances and the movements ledger. A balance changes only by a
//! conditional update that keeps it at or above zero, so two instances issuing the last part
//! at once cannot both succeed.

use jiff::Timestamp;
use kefu_domain::aftersales::stock::{Approval, Condition, Disposal, MovementKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::{opt_time, parse};
use crate::{Result, StoreError, from_micros, to_micros};

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

/// One location.
pub async fn location_by_id(conn: &mut AnyConnection, id: i64) -> Result<LocationRow> {
    let r = sqlx::query("SELECT id, name, service_point_id FROM stock_locations WHERE id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    Ok(LocationRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        service_point_id: r.try_get("service_point_id")?,
    })
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
    /// The part's cost that day, in fen: what an issue costs its RMA.
    pub unit_cost_fen: i64,
}

/// Logs a movement; its id.
pub async fn log(conn: &mut AnyConnection, m: &MovementRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO stock_movements (part_id, kind, quantity, location_id, to_location_id, \
         document, rma_id, reason, by_user, at, unit_cost_fen) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11) RETURNING id",
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
    .bind(m.unit_cost_fen)
    .fetch_one(conn)
    .await?)
}

/// A movement with the names it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovementLine {
    pub row: MovementRow,
    pub part_number: String,
    pub part_name: String,
    pub location: String,
    pub to_location: Option<String>,
    pub rma_number: Option<String>,
    pub by_name: Option<String>,
}

/// Movements, newest first: of part `part` and at location `location` (from or to) when
/// not 0.
pub async fn movements(
    conn: &mut AnyConnection,
    part: i64,
    location: i64,
    limit: i64,
) -> Result<Vec<MovementLine>> {
    let rows = sqlx::query(
        "SELECT m.*, p.part_number, p.name AS part_name, l.name AS location_name, \
         t.name AS to_name, r.number AS rma_number, u.display_name AS by_name \
         FROM stock_movements m JOIN parts p ON p.id = m.part_id \
         JOIN stock_locations l ON l.id = m.location_id \
         LEFT JOIN stock_locations t ON t.id = m.to_location_id \
         LEFT JOIN rmas r ON r.id = m.rma_id LEFT JOIN users u ON u.id = m.by_user \
         WHERE ($1 = 0 OR m.part_id = $1) \
         AND ($2 = 0 OR m.location_id = $2 OR m.to_location_id = $2) \
         ORDER BY m.id DESC LIMIT $3",
    )
    .bind(part)
    .bind(location)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(MovementLine {
                row: MovementRow {
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
                    unit_cost_fen: r.try_get("unit_cost_fen")?,
                },
                part_number: r.try_get("part_number")?,
                part_name: r.try_get("part_name")?,
                location: r.try_get("location_name")?,
                to_location: r.try_get("to_name")?,
                rma_number: r.try_get("rma_number")?,
                by_name: r.try_get("by_name")?,
            })
        })
        .collect()
}

/// A part's stock at a location: good, defective, and the approved plan of the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceLine {
    pub location_id: i64,
    pub location: String,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub unit: String,
    pub good: i64,
    pub defective: i64,
    pub planned: Option<i64>,
}

/// Every part kept or planned at a location (at `location` when not 0), the warehouse
/// first, with the approved plan of `period`.
pub async fn balances(
    conn: &mut AnyConnection,
    location: i64,
    period: &str,
) -> Result<Vec<BalanceLine>> {
    let rows = sqlx::query(
        "SELECT k.location_id, l.name AS location_name, k.part_id, p.part_number, \
         p.name AS part_name, p.unit, COALESCE(g.quantity, 0) AS good, \
         COALESCE(d.quantity, 0) AS defective, pl.quantity AS planned \
         FROM (SELECT location_id, part_id FROM stock_balances \
               UNION SELECT location_id, part_id FROM stock_plans \
               WHERE period = $1 AND status = 'approved') k \
         JOIN stock_locations l ON l.id = k.location_id JOIN parts p ON p.id = k.part_id \
         LEFT JOIN stock_balances g ON g.location_id = k.location_id \
              AND g.part_id = k.part_id AND g.condition = 'good' \
         LEFT JOIN stock_balances d ON d.location_id = k.location_id \
              AND d.part_id = k.part_id AND d.condition = 'defective' \
         LEFT JOIN stock_plans pl ON pl.location_id = k.location_id \
              AND pl.part_id = k.part_id AND pl.period = $1 AND pl.status = 'approved' \
         WHERE ($2 = 0 OR k.location_id = $2) \
         ORDER BY (l.service_point_id IS NOT NULL), l.name, p.part_number",
    )
    .bind(period)
    .bind(location)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BalanceLine {
                location_id: r.try_get("location_id")?,
                location: r.try_get("location_name")?,
                part_id: r.try_get("part_id")?,
                part_number: r.try_get("part_number")?,
                part_name: r.try_get("part_name")?,
                unit: r.try_get("unit")?,
                good: r.try_get("good")?,
                defective: r.try_get("defective")?,
                planned: r.try_get("planned")?,
            })
        })
        .collect()
}

/// 低于计划 — the approved plan lines of `period` whose location holds fewer good parts.
pub async fn count_below_plan(conn: &mut AnyConnection, period: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM stock_plans pl LEFT JOIN stock_balances g \
         ON g.location_id = pl.location_id AND g.part_id = pl.part_id AND g.condition = 'good' \
         WHERE pl.period = $1 AND pl.status = 'approved' AND COALESCE(g.quantity, 0) < pl.quantity",
    )
    .bind(period)
    .fetch_one(conn)
    .await?)
}

/// A line of an issue plan as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanRow {
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub quantity: i64,
    pub status: Approval,
    pub proposer: Option<i64>,
    pub proposed_by: Option<String>,
    pub decided_by: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

/// A location's plan for a period, by part number.
pub async fn plan(conn: &mut AnyConnection, location: i64, period: &str) -> Result<Vec<PlanRow>> {
    let rows = sqlx::query(
        "SELECT s.*, p.part_number, p.name AS part_name, a.display_name AS proposed_name, \
         b.display_name AS decided_name FROM stock_plans s JOIN parts p ON p.id = s.part_id \
         LEFT JOIN users a ON a.id = s.proposed_by LEFT JOIN users b ON b.id = s.decided_by \
         WHERE s.location_id = $1 AND s.period = $2 ORDER BY p.part_number",
    )
    .bind(location)
    .bind(period)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PlanRow {
                part_id: r.try_get("part_id")?,
                part_number: r.try_get("part_number")?,
                part_name: r.try_get("part_name")?,
                quantity: r.try_get("quantity")?,
                status: parse(r, "status")?,
                proposer: r.try_get("proposed_by")?,
                proposed_by: r.try_get("proposed_name")?,
                decided_by: r.try_get("decided_name")?,
                created_at: from_micros(r.try_get("created_at")?),
                decided_at: opt_time(r, "decided_at")?,
            })
        })
        .collect()
}

/// Replaces a location's plan for a period by `lines` (part, quantity), all waiting for
/// approval again.
pub async fn replace_plan(
    conn: &mut AnyConnection,
    location: i64,
    period: &str,
    lines: &[(i64, i64)],
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("DELETE FROM stock_plans WHERE location_id = $1 AND period = $2")
        .bind(location)
        .bind(period)
        .execute(&mut *conn)
        .await?;
    for (part, quantity) in lines {
        sqlx::query(
            "INSERT INTO stock_plans (location_id, period, part_id, quantity, status, \
             proposed_by, created_at) VALUES ($1, $2, $3, $4, 'pending', $5, $6)",
        )
        .bind(location)
        .bind(period)
        .bind(part)
        .bind(quantity)
        .bind(by)
        .bind(to_micros(now))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Decides the waiting lines of a location's plan; how many were waiting.
pub async fn decide_plan(
    conn: &mut AnyConnection,
    location: i64,
    period: &str,
    status: Approval,
    by: Option<i64>,
    now: Timestamp,
) -> Result<u64> {
    Ok(sqlx::query(
        "UPDATE stock_plans SET status = $3, decided_by = $4, decided_at = $5 \
         WHERE location_id = $1 AND period = $2 AND status = 'pending'",
    )
    .bind(location)
    .bind(period)
    .bind(status.key())
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?
    .rows_affected())
}

/// A plan of a location and period: its lines and how many wait for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanSummary {
    pub location_id: i64,
    pub location: String,
    pub period: String,
    pub lines: i64,
    pub pending: i64,
}

/// Every plan from `since` (a period key) on, the latest period first.
pub async fn plans(conn: &mut AnyConnection, since: &str) -> Result<Vec<PlanSummary>> {
    let rows = sqlx::query(
        "SELECT s.location_id, l.name AS location_name, s.period, COUNT(*) AS lines, \
         SUM(CASE WHEN s.status = 'pending' THEN 1 ELSE 0 END) AS pending \
         FROM stock_plans s JOIN stock_locations l ON l.id = s.location_id \
         WHERE s.period >= $1 GROUP BY s.location_id, l.name, s.period \
         ORDER BY s.period DESC, l.name",
    )
    .bind(since)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PlanSummary {
                location_id: r.try_get("location_id")?,
                location: r.try_get("location_name")?,
                period: r.try_get("period")?,
                lines: r.try_get("lines")?,
                pending: r.try_get("pending")?,
            })
        })
        .collect()
}

/// How many plans (location × period) have lines waiting for approval.
pub async fn count_plans_pending(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT DISTINCT location_id, period FROM stock_plans \
         WHERE status = 'pending') w",
    )
    .fetch_one(conn)
    .await?)
}

/// Defective goods as registered, with the names they refer to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefectiveRow {
    pub id: i64,
    pub rma_id: Option<i64>,
    pub rma_number: Option<String>,
    pub part_id: i64,
    pub part_number: String,
    pub part_name: String,
    pub location_id: i64,
    pub location: String,
    pub quantity: i64,
    pub disposal: Disposal,
    pub status: Approval,
    pub note: String,
    pub decision_note: String,
    pub proposed_by: Option<i64>,
    pub proposed_name: Option<String>,
    pub decided_name: Option<String>,
    pub created_at: Timestamp,
    pub decided_at: Option<Timestamp>,
}

const DEFECTIVE: &str = "SELECT g.*, r.number AS rma_number, p.part_number, \
     p.name AS part_name, l.name AS location_name, a.display_name AS proposed_name, \
     b.display_name AS decided_name FROM defective_goods g JOIN parts p ON p.id = g.part_id \
     JOIN stock_locations l ON l.id = g.location_id LEFT JOIN rmas r ON r.id = g.rma_id \
     LEFT JOIN users a ON a.id = g.proposed_by LEFT JOIN users b ON b.id = g.decided_by";

fn defective_row(r: &AnyRow) -> Result<DefectiveRow> {
    Ok(DefectiveRow {
        id: r.try_get("id")?,
        rma_id: r.try_get("rma_id")?,
        rma_number: r.try_get("rma_number")?,
        part_id: r.try_get("part_id")?,
        part_number: r.try_get("part_number")?,
        part_name: r.try_get("part_name")?,
        location_id: r.try_get("location_id")?,
        location: r.try_get("location_name")?,
        quantity: r.try_get("quantity")?,
        disposal: parse(r, "disposal")?,
        status: parse(r, "status")?,
        note: r.try_get("note")?,
        decision_note: r.try_get("decision_note")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_name: r.try_get("proposed_name")?,
        decided_name: r.try_get("decided_name")?,
        created_at: from_micros(r.try_get("created_at")?),
        decided_at: opt_time(r, "decided_at")?,
    })
}

/// What a registration of defective goods stores.
pub struct NewDefective<'a> {
    pub rma_id: Option<i64>,
    pub part_id: i64,
    pub location_id: i64,
    pub quantity: i64,
    pub disposal: Disposal,
    pub note: &'a str,
    pub by: Option<i64>,
    pub now: Timestamp,
}

/// Registers defective goods waiting for their disposal's approval; the id.
pub async fn insert_defective(conn: &mut AnyConnection, d: &NewDefective<'_>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO defective_goods (rma_id, part_id, location_id, quantity, disposal, \
         status, note, proposed_by, created_at) VALUES ($1, $2, $3, $4, $5, 'pending', $6, \
         $7, $8) RETURNING id",
    )
    .bind(d.rma_id)
    .bind(d.part_id)
    .bind(d.location_id)
    .bind(d.quantity)
    .bind(d.disposal.key())
    .bind(d.note)
    .bind(d.by)
    .bind(to_micros(d.now))
    .fetch_one(conn)
    .await?)
}

/// One registration of defective goods.
pub async fn defective_by_id(conn: &mut AnyConnection, id: i64) -> Result<DefectiveRow> {
    let r = sqlx::query(&format!("{DEFECTIVE} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    defective_row(&r)
}

/// Defective goods in `status` (any when `None`), of RMA `rma` when not 0, newest first.
pub async fn defective_list(
    conn: &mut AnyConnection,
    status: Option<Approval>,
    rma: i64,
    limit: i64,
) -> Result<Vec<DefectiveRow>> {
    let rows = sqlx::query(&format!(
        "{DEFECTIVE} WHERE ($1 = '' OR g.status = $1) AND ($2 = 0 OR g.rma_id = $2) \
         ORDER BY g.id DESC LIMIT $3"
    ))
    .bind(status.map(Approval::key).unwrap_or_default())
    .bind(rma)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(defective_row).collect()
}

/// How many defective goods wait for a decision.
pub async fn count_defective_pending(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM defective_goods WHERE status = 'pending'")
            .fetch_one(conn)
            .await?,
    )
}

/// Decides a waiting disposal; whether it was waiting.
pub async fn decide_defective(
    conn: &mut AnyConnection,
    id: i64,
    status: Approval,
    note: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE defective_goods SET status = $2, decision_note = $3, decided_by = $4, \
         decided_at = $5 WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .bind(status.key())
    .bind(note)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Proposes another disposal for rejected goods; whether they were rejected.
pub async fn repropose_defective(
    conn: &mut AnyConnection,
    id: i64,
    disposal: Disposal,
    note: &str,
    by: Option<i64>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE defective_goods SET status = 'pending', disposal = $2, note = $3, \
         proposed_by = $4, decided_by = NULL, decided_at = NULL, decision_note = '' \
         WHERE id = $1 AND status = 'rejected'",
    )
    .bind(id)
    .bind(disposal.key())
    .bind(note)
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
