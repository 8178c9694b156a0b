//! 订单 — orders, their lines, documents and steps, and the finished goods in stock. Stock
//! is taken for an order by one conditional update (never below zero), so two orders taking
//! the last units at once cannot both have them.

pub mod custom;
pub mod shipment;

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::order::{DocumentKind, OrderState, Payment};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::step_log::{self, Step, StepLog};
use crate::ticket::parse;
use crate::{Result, StoreError, from_micros, marks, to_micros};

/// The finished goods of each product asked (0 for a product never stocked).
pub async fn stock_of(conn: &mut AnyConnection, products: &[i64]) -> Result<HashMap<i64, i64>> {
    let mut out: HashMap<i64, i64> = products.iter().map(|p| (*p, 0)).collect();
    if products.is_empty() {
        return Ok(out);
    }
    let sql = format!(
        "SELECT product_id, on_hand FROM product_stock WHERE product_id IN ({})",
        marks(1, products.len())
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
    for p in products {
        q = q.bind(p);
    }
    out.extend(q.fetch_all(&mut *conn).await?);
    Ok(out)
}

/// Sets a product's finished goods in stock (a count from the warehouse).
pub async fn set_stock(
    conn: &mut AnyConnection,
    product: i64,
    on_hand: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO product_stock (product_id, on_hand, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (product_id) DO UPDATE SET on_hand = excluded.on_hand, \
         updated_at = excluded.updated_at",
    )
    .bind(product)
    .bind(on_hand)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes `quantity` of a product from stock (negative: puts it back); whether there was
/// enough.
pub async fn take_stock(
    conn: &mut AnyConnection,
    product: i64,
    quantity: i64,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE product_stock SET on_hand = on_hand - $2, updated_at = $3 \
         WHERE product_id = $1 AND on_hand - $2 >= 0",
    )
    .bind(product)
    .bind(quantity)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The next number of the day for orders and their documents.
pub async fn next_seq(conn: &mut AnyConnection, day: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO order_counters (day, last_seq) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_seq = order_counters.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(day)
    .fetch_one(conn)
    .await?)
}

/// An order as stored, with its customer's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer: String,
    pub state: OrderState,
    pub payment: Payment,
    /// The credit check's answer: `prepaid`, `allowed` or `needs_approval`.
    pub credit: String,
    pub total_fen: i64,
    pub currency: String,
    pub note: String,
    pub promised_on: Option<Date>,
    pub approved_by: Option<i64>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const ORDER: &str = "SELECT o.*, c.name AS customer_name FROM orders o \
     JOIN customers c ON c.id = o.customer_id";

pub(crate) fn date_opt(r: &AnyRow, col: &str) -> Result<Option<Date>> {
    let v: Option<String> = r.try_get(col)?;
    v.map(|t| {
        t.parse()
            .map_err(|_| StoreError::Corrupt(format!("an order's {col} {t:?}")))
    })
    .transpose()
}

fn order_row(r: &AnyRow) -> Result<OrderRow> {
    Ok(OrderRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        customer_id: r.try_get("customer_id")?,
        customer: r.try_get("customer_name")?,
        state: parse(r, "state")?,
        payment: parse(r, "payment")?,
        credit: r.try_get("credit")?,
        total_fen: r.try_get("total_fen")?,
        currency: r.try_get("currency")?,
        note: r.try_get("note")?,
        promised_on: date_opt(r, "promised_on")?,
        approved_by: r.try_get("approved_by")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Adds an order (its `id`, `customer` and `version` are ignored); its id.
pub async fn insert(conn: &mut AnyConnection, o: &OrderRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO orders (number, customer_id, state, payment, credit, total_fen, currency, \
         note, promised_on, approved_by, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(&o.number)
    .bind(o.customer_id)
    .bind(o.state.key())
    .bind(o.payment.key())
    .bind(&o.credit)
    .bind(o.total_fen)
    .bind(&o.currency)
    .bind(&o.note)
    .bind(o.promised_on.map(|d| d.to_string()))
    .bind(o.approved_by)
    .bind(o.created_by)
    .bind(to_micros(o.created_at))
    .bind(to_micros(o.updated_at))
    .fetch_one(conn)
    .await?)
}

/// Saves an order's state, total and approver made from `version`; whether it was still
/// that version.
pub async fn save(conn: &mut AnyConnection, o: &OrderRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE orders SET state = $3, total_fen = $4, approved_by = $5, updated_at = $6, \
         version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(o.id)
    .bind(o.version)
    .bind(o.state.key())
    .bind(o.total_fen)
    .bind(o.approved_by)
    .bind(to_micros(o.updated_at))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One order.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<OrderRow> {
    let r = sqlx::query(&format!("{ORDER} WHERE o.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    order_row(&r)
}

/// Which orders to list.
#[derive(Debug, Clone, Default)]
pub struct OrderFilter {
    /// These states only (empty: all).
    pub states: Vec<OrderState>,
    pub customer_id: Option<i64>,
    /// The page before this id (newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

fn filter_sql(f: &OrderFilter) -> String {
    let mut sql = String::from(" WHERE o.id < $1");
    if !f.states.is_empty() {
        let keys: Vec<String> = f.states.iter().map(|s| format!("'{}'", s.key())).collect();
        sql.push_str(&format!(" AND o.state IN ({})", keys.join(", ")));
    }
    if f.customer_id.is_some() {
        sql.push_str(" AND o.customer_id = $2");
    }
    sql
}

/// Orders newest first.
pub async fn list(conn: &mut AnyConnection, f: &OrderFilter) -> Result<Vec<OrderRow>> {
    let sql = format!(
        "{ORDER}{} ORDER BY o.id DESC LIMIT {}",
        filter_sql(f),
        f.limit.clamp(1, 500)
    );
    let mut q = sqlx::query(&sql).bind(f.before.unwrap_or(i64::MAX));
    if let Some(c) = f.customer_id {
        q = q.bind(c);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(order_row).collect()
}

/// How many orders a filter finds.
pub async fn count(conn: &mut AnyConnection, f: &OrderFilter) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM orders o{}", filter_sql(f));
    let mut q = sqlx::query_scalar(&sql).bind(i64::MAX);
    if let Some(c) = f.customer_id {
        q = q.bind(c);
    }
    Ok(q.fetch_one(conn).await?)
}

/// A line as stored, with its product's SKU and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub id: i64,
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    pub product: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub from_stock: i64,
    pub to_produce: i64,
    pub shipped: i64,
    pub received: i64,
}

/// Adds a line.
pub async fn insert_line(conn: &mut AnyConnection, order_id: i64, l: &LineRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_fen, \
         from_stock, to_produce) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(order_id)
    .bind(l.line_no)
    .bind(l.product_id)
    .bind(l.quantity)
    .bind(l.unit_price_fen)
    .bind(l.from_stock)
    .bind(l.to_produce)
    .fetch_one(conn)
    .await?)
}

/// Saves a line's quantity and how it is met.
pub async fn update_line(conn: &mut AnyConnection, l: &LineRow) -> Result<()> {
    sqlx::query(
        "UPDATE order_lines SET quantity = $2, from_stock = $3, to_produce = $4 WHERE id = $1",
    )
    .bind(l.id)
    .bind(l.quantity)
    .bind(l.from_stock)
    .bind(l.to_produce)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order's lines, in order.
pub async fn lines(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<LineRow>> {
    let rows = sqlx::query(
        "SELECT l.*, p.sku, p.name AS product_name FROM order_lines l \
         JOIN products p ON p.id = l.product_id WHERE l.order_id = $1 ORDER BY l.line_no",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LineRow {
                id: r.try_get("id")?,
                line_no: r.try_get("line_no")?,
                product_id: r.try_get("product_id")?,
                sku: r.try_get("sku")?,
                product: r.try_get("product_name")?,
                quantity: r.try_get("quantity")?,
                unit_price_fen: r.try_get("unit_price_fen")?,
                from_stock: r.try_get("from_stock")?,
                to_produce: r.try_get("to_produce")?,
                shipped: r.try_get("shipped")?,
                received: r.try_get("received")?,
            })
        })
        .collect()
}

/// How many of the customer's orders are closed (every shipment received and checked).
pub async fn closed_count(conn: &mut AnyConnection, customer_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE customer_id = $1 AND state = 'closed'",
    )
    .bind(customer_id)
    .fetch_one(conn)
    .await?)
}

/// 已收货的订单行 — a line of the customer's that has left: what an RMA in the portal is
/// asked on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShippedLine {
    pub line_id: i64,
    pub order_number: String,
    pub product_id: i64,
    pub sku: String,
    pub product: String,
    pub shipped: i64,
    pub unit_price_fen: i64,
    /// When its goods arrived (its order's latest delivery; the latest departure when no
    /// delivery is recorded).
    pub arrived_at: Timestamp,
}

/// The customer's shipped lines, the newest order first (at most `limit`); with `line_id`,
/// that line alone.
pub async fn shipped_lines(
    conn: &mut AnyConnection,
    customer_id: i64,
    line_id: Option<i64>,
    limit: i64,
) -> Result<Vec<ShippedLine>> {
    let rows = sqlx::query(
        "SELECT l.id, o.number, l.product_id, p.sku, p.name AS product_name, l.shipped,          l.unit_price_fen, (SELECT MAX(COALESCE(s.delivered_at, s.shipped_at)) FROM shipments s          WHERE s.order_id = o.id) AS arrived_at FROM order_lines l          JOIN orders o ON o.id = l.order_id JOIN products p ON p.id = l.product_id          WHERE o.customer_id = $1 AND l.shipped > 0 AND ($2 IS NULL OR l.id = $2)          ORDER BY o.id DESC, l.line_no LIMIT $3",
    )
    .bind(customer_id)
    .bind(line_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ShippedLine {
                line_id: r.try_get("id")?,
                order_number: r.try_get("number")?,
                product_id: r.try_get("product_id")?,
                sku: r.try_get("sku")?,
                product: r.try_get("product_name")?,
                shipped: r.try_get("shipped")?,
                unit_price_fen: r.try_get("unit_price_fen")?,
                arrived_at: from_micros(r.try_get::<Option<i64>, _>("arrived_at")?.unwrap_or(0)),
            })
        })
        .collect()
}

/// A document issued for an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRow {
    pub id: i64,
    pub kind: DocumentKind,
    pub number: String,
    pub promised_on: Option<Date>,
    /// `issued` or `cancelled`.
    pub state: String,
    pub created_at: Timestamp,
}

/// Issues a document for an order; its id.
pub async fn insert_document(
    conn: &mut AnyConnection,
    order_id: i64,
    d: &DocumentRow,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO order_documents (order_id, kind, number, promised_on, state, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(order_id)
    .bind(d.kind.key())
    .bind(&d.number)
    .bind(d.promised_on.map(|p| p.to_string()))
    .bind(&d.state)
    .bind(to_micros(d.created_at))
    .fetch_one(conn)
    .await?)
}

/// Cancels an order's documents.
pub async fn cancel_documents(conn: &mut AnyConnection, order_id: i64) -> Result<()> {
    sqlx::query("UPDATE order_documents SET state = 'cancelled' WHERE order_id = $1")
        .bind(order_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// An order's documents, in the order issued.
pub async fn documents(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<DocumentRow>> {
    let rows = sqlx::query(
        "SELECT id, kind, number, promised_on, state, created_at FROM order_documents \
         WHERE order_id = $1 ORDER BY id",
    )
    .bind(order_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DocumentRow {
                id: r.try_get("id")?,
                kind: parse(r, "kind")?,
                number: r.try_get("number")?,
                promised_on: date_opt(r, "promised_on")?,
                state: r.try_get("state")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// A step of an order's history.
pub type StepRow = Step<OrderState>;

const ORDER_STEPS: StepLog = StepLog {
    table: "order_steps",
    owner: "order_id",
};

/// Logs a step.
pub async fn add_step(conn: &mut AnyConnection, order_id: i64, s: &StepRow) -> Result<()> {
    step_log::add(conn, ORDER_STEPS, order_id, s).await
}

/// An order's steps, oldest first.
pub async fn steps(conn: &mut AnyConnection, order_id: i64) -> Result<Vec<StepRow>> {
    Ok(step_log::of(conn, ORDER_STEPS, &[order_id])
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}
