//! 发货 — an order's shipments, their lines and tracking events, the customer's count, and
//! the production request marked done.

use jiff::Timestamp;
use kefu_domain::order::shipment::{EventSource, Notice, ShipmentState, TrackingStatus};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::{opt_time, parse};
use crate::{Result, StoreError, from_micros, marks, to_micros};

/// A shipment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentRow {
    pub id: i64,
    pub order_id: i64,
    pub number: String,
    pub carrier: String,
    pub tracking_number: String,
    pub state: ShipmentState,
    pub notice: Notice,
    pub shipped_at: Timestamp,
    pub delivered_at: Option<Timestamp>,
    pub checked_at: Option<Timestamp>,
    pub issue_ticket_id: Option<i64>,
    pub issue_ticket_number: Option<String>,
    pub created_by: Option<i64>,
    pub version: i64,
}

/// A line of a shipment: the order line, how many left, how many the customer counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentLineRow {
    pub shipment_id: i64,
    pub order_line_id: i64,
    pub line_no: i64,
    pub sku: String,
    pub product: String,
    pub quantity: i64,
    pub received: Option<i64>,
}

/// A tracking event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub shipment_id: i64,
    pub at: Timestamp,
    pub status: TrackingStatus,
    pub place: String,
    pub source: EventSource,
}

const SHIPMENT: &str = "SELECT s.id, s.order_id, s.number, s.carrier, s.tracking_number, \
    s.state, s.notice, s.shipped_at, s.delivered_at, s.checked_at, s.issue_ticket_id, \
    t.number AS ticket_number, s.created_by, s.version \
    FROM shipments s LEFT JOIN tickets t ON t.id = s.issue_ticket_id";

fn shipment(r: &AnyRow) -> Result<ShipmentRow> {
    Ok(ShipmentRow {
        id: r.try_get("id")?,
        order_id: r.try_get("order_id")?,
        number: r.try_get("number")?,
        carrier: r.try_get("carrier")?,
        tracking_number: r.try_get("tracking_number")?,
        state: parse(r, "state")?,
        notice: parse(r, "notice")?,
        shipped_at: from_micros(r.try_get("shipped_at")?),
        delivered_at: opt_time(r, "delivered_at")?,
        checked_at: opt_time(r, "checked_at")?,
        issue_ticket_id: r.try_get("issue_ticket_id")?,
        issue_ticket_number: r.try_get("ticket_number")?,
        created_by: r.try_get("created_by")?,
        version: r.try_get("version")?,
    })
}

/// Records a shipment; its id.
pub async fn insert(conn: &mut AnyConnection, s: &ShipmentRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO shipments (order_id, number, carrier, tracking_number, state, notice, \
         shipped_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(s.order_id)
    .bind(&s.number)
    .bind(&s.carrier)
    .bind(&s.tracking_number)
    .bind(s.state.key())
    .bind(s.notice.key())
    .bind(to_micros(s.shipped_at))
    .bind(s.created_by)
    .fetch_one(conn)
    .await?)
}

/// Records how many of order line `order_line_id` left with shipment `shipment_id`, and
/// adds them to the line's shipped count.
pub async fn insert_line(
    conn: &mut AnyConnection,
    shipment_id: i64,
    order_line_id: i64,
    quantity: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity) VALUES ($1, $2, $3)",
    )
    .bind(shipment_id)
    .bind(order_line_id)
    .bind(quantity)
    .execute(&mut *conn)
    .await?;
    sqlx::query("UPDATE order_lines SET shipped = shipped + $2 WHERE id = $1")
        .bind(order_line_id)
        .bind(quantity)
        .execute(conn)
        .await?;
    Ok(())
}

/// One shipment.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<ShipmentRow> {
    let row = sqlx::query(&format!("{SHIPMENT} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    shipment(&row)
}

/// An order's shipments, oldest first.
pub async fn of_order(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<ShipmentRow>> {
    let rows = sqlx::query(&format!("{SHIPMENT} WHERE s.order_id = $1 ORDER BY s.id"))
        .bind(order_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(shipment).collect()
}

/// The lines of these shipments, each shipment's in line order (one query).
pub async fn lines_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<ShipmentLineRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT sl.shipment_id, sl.order_line_id, l.line_no, p.sku, p.name AS product, \
         sl.quantity, sl.received FROM shipment_lines sl \
         JOIN order_lines l ON l.id = sl.order_line_id JOIN products p ON p.id = l.product_id \
         WHERE sl.shipment_id IN ({}) ORDER BY sl.shipment_id, l.line_no",
        marks(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(ShipmentLineRow {
                shipment_id: r.try_get("shipment_id")?,
                order_line_id: r.try_get("order_line_id")?,
                line_no: r.try_get("line_no")?,
                sku: r.try_get("sku")?,
                product: r.try_get("product")?,
                quantity: r.try_get("quantity")?,
                received: r.try_get("received")?,
            })
        })
        .collect()
}

/// The tracking events of these shipments, each shipment's by time (one query).
pub async fn events_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<EventRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT shipment_id, at, status, place, source FROM shipment_events \
         WHERE shipment_id IN ({}) ORDER BY shipment_id, at, id",
        marks(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            Ok(EventRow {
                shipment_id: r.try_get("shipment_id")?,
                at: from_micros(r.try_get("at")?),
                status: parse(r, "status")?,
                place: r.try_get("place")?,
                source: parse(r, "source")?,
            })
        })
        .collect()
}

/// Adds a tracking event; false when the shipment has that status at that time already
/// (the same event entered twice, or pushed again by the carrier).
pub async fn add_event(
    conn: &mut AnyConnection,
    e: &EventRow,
    by: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO shipment_events (shipment_id, at, status, place, source, created_by, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (shipment_id, at, status) DO NOTHING",
    )
    .bind(e.shipment_id)
    .bind(to_micros(e.at))
    .bind(e.status.key())
    .bind(&e.place)
    .bind(e.source.key())
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a shipment in transit as delivered at `at` (a carrier's 已签收); false when it was
/// delivered or counted already.
pub async fn mark_delivered(conn: &mut AnyConnection, id: i64, at: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE shipments SET state = 'delivered', delivered_at = $2, version = version + 1 \
         WHERE id = $1 AND state = 'in_transit'",
    )
    .bind(id)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes a shipment for its count: false when it was counted already (by another person
/// or instance at the same time).
pub async fn mark_checked(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE shipments SET state = 'checked', checked_at = $2, \
         delivered_at = COALESCE(delivered_at, $2), version = version + 1 \
         WHERE id = $1 AND checked_at IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records the customer's count of one line of a shipment, and moves the order line on: what
/// arrived is received, what did not is to ship again.
pub async fn set_received(
    conn: &mut AnyConnection,
    shipment_id: i64,
    order_line_id: i64,
    quantity: i64,
    received: i64,
) -> Result<()> {
    sqlx::query(
        "UPDATE shipment_lines SET received = $3 WHERE shipment_id = $1 AND order_line_id = $2",
    )
    .bind(shipment_id)
    .bind(order_line_id)
    .bind(received)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE order_lines SET received = received + $2, shipped = shipped - $3 WHERE id = $1",
    )
    .bind(order_line_id)
    .bind(received)
    .bind(quantity - received)
    .execute(conn)
    .await?;
    Ok(())
}

/// Links the order-issue ticket a short count opened.
pub async fn set_issue_ticket(conn: &mut AnyConnection, id: i64, ticket_id: i64) -> Result<()> {
    sqlx::query("UPDATE shipments SET issue_ticket_id = $2 WHERE id = $1")
        .bind(id)
        .bind(ticket_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks an order's issued production request done (生产完成); false when none waits.
pub async fn production_done(
    conn: &mut AnyConnection,
    order_id: i64,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE order_documents SET state = 'done', done_at = $2 \
         WHERE order_id = $1 AND kind = 'production' AND state = 'issued'",
    )
    .bind(order_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether an order's production is done, or it has none to do.
pub async fn produced(conn: &mut AnyConnection, order_id: i64) -> Result<bool> {
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM order_documents \
         WHERE order_id = $1 AND kind = 'production' AND state = 'issued'",
    )
    .bind(order_id)
    .fetch_one(conn)
    .await?;
    Ok(waiting == 0)
}

/// The latest shipment of each of these tracking numbers that has one: (number, shipment).
pub async fn by_tracking(
    conn: &mut AnyConnection,
    numbers: &[String],
) -> Result<Vec<(String, i64)>> {
    let mut out = Vec::with_capacity(numbers.len());
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT tracking_number, MAX(id) AS id FROM shipments \
             WHERE tracking_number IN ({}) GROUP BY tracking_number",
            marks(1, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        for n in chunk {
            q = q.bind(n);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}
