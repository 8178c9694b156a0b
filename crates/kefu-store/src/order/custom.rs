//! 定制 — customers' custom requests, the design department's answers, quotes and steps.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::order::custom::CustomState;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::date_opt;
use crate::step_log::{self, Step, StepLog};
use crate::ticket::parse;
use crate::{Result, StoreError, from_micros, to_micros};

/// A custom request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomRow {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    /// The customer's name (read only).
    pub customer: String,
    pub title: String,
    pub spec: String,
    pub quantity: i64,
    pub wanted_by: Option<Date>,
    pub state: CustomState,
    pub feasible: Option<bool>,
    pub answer: String,
    pub cost_fen: Option<i64>,
    pub lead_days: Option<i64>,
    pub answered_by: Option<i64>,
    pub quote_fen: Option<i64>,
    pub quoted_by: Option<i64>,
    pub approved_by: Option<i64>,
    pub created_by: Option<i64>,
    /// The order an accepted request placed, and the product made for it.
    pub order_id: Option<i64>,
    pub product_id: Option<i64>,
    /// The order's number (read only).
    pub order_number: Option<String>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const CUSTOM: &str = "SELECT r.*, c.name AS customer_name, o.number AS order_number \
     FROM custom_requests r JOIN customers c ON c.id = r.customer_id \
     LEFT JOIN orders o ON o.id = r.order_id";

fn row(r: &AnyRow) -> Result<CustomRow> {
    Ok(CustomRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        customer_id: r.try_get("customer_id")?,
        customer: r.try_get("customer_name")?,
        title: r.try_get("title")?,
        spec: r.try_get("spec")?,
        quantity: r.try_get("quantity")?,
        wanted_by: date_opt(r, "wanted_by")?,
        state: parse(r, "state")?,
        feasible: r.try_get::<Option<i64>, _>("feasible")?.map(|f| f != 0),
        answer: r.try_get("answer")?,
        cost_fen: r.try_get("cost_fen")?,
        lead_days: r.try_get("lead_days")?,
        answered_by: r.try_get("answered_by")?,
        quote_fen: r.try_get("quote_fen")?,
        quoted_by: r.try_get("quoted_by")?,
        approved_by: r.try_get("approved_by")?,
        created_by: r.try_get("created_by")?,
        order_id: r.try_get("order_id")?,
        product_id: r.try_get("product_id")?,
        order_number: r.try_get("order_number")?,
        version: r.try_get("version")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Adds a request (its `id`, `customer` and `version` are ignored); its id.
pub async fn insert(conn: &mut AnyConnection, c: &CustomRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO custom_requests (number, customer_id, title, spec, quantity, wanted_by, \
         state, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
    )
    .bind(&c.number)
    .bind(c.customer_id)
    .bind(&c.title)
    .bind(&c.spec)
    .bind(c.quantity)
    .bind(c.wanted_by.map(|d| d.to_string()))
    .bind(c.state.key())
    .bind(c.created_by)
    .bind(to_micros(c.created_at))
    .fetch_one(conn)
    .await?)
}

/// Saves what a step changed, made from `c.version`; whether it was still that version.
pub async fn save(conn: &mut AnyConnection, c: &CustomRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE custom_requests SET state = $3, feasible = $4, answer = $5, cost_fen = $6, \
         lead_days = $7, answered_by = $8, quote_fen = $9, quoted_by = $10, \
         approved_by = $11, updated_at = $12, order_id = $13, product_id = $14, \
         version = version + 1 \
         WHERE id = $1 AND version = $2",
    )
    .bind(c.id)
    .bind(c.version)
    .bind(c.state.key())
    .bind(c.feasible.map(i64::from))
    .bind(&c.answer)
    .bind(c.cost_fen)
    .bind(c.lead_days)
    .bind(c.answered_by)
    .bind(c.quote_fen)
    .bind(c.quoted_by)
    .bind(c.approved_by)
    .bind(to_micros(c.updated_at))
    .bind(c.order_id)
    .bind(c.product_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One request.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<CustomRow> {
    let r = sqlx::query(&format!("{CUSTOM} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// Which requests to list.
#[derive(Debug, Clone, Default)]
pub struct CustomFilter {
    /// These states only (empty: all).
    pub states: Vec<CustomState>,
    pub customer_id: Option<i64>,
    /// The page before this id (newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

fn filter_sql(f: &CustomFilter) -> String {
    let mut sql = String::from(" WHERE r.id < $1");
    if !f.states.is_empty() {
        let keys: Vec<String> = f.states.iter().map(|s| format!("'{}'", s.key())).collect();
        sql.push_str(&format!(" AND r.state IN ({})", keys.join(", ")));
    }
    if f.customer_id.is_some() {
        sql.push_str(" AND r.customer_id = $2");
    }
    sql
}

/// Requests newest first.
pub async fn list(conn: &mut AnyConnection, f: &CustomFilter) -> Result<Vec<CustomRow>> {
    let sql = format!(
        "{CUSTOM}{} ORDER BY r.id DESC LIMIT {}",
        filter_sql(f),
        f.limit.clamp(1, 500)
    );
    let mut q = sqlx::query(&sql).bind(f.before.unwrap_or(i64::MAX));
    if let Some(c) = f.customer_id {
        q = q.bind(c);
    }
    q.fetch_all(conn).await?.iter().map(row).collect()
}

/// How many requests a filter finds (a tile's count).
pub async fn count(conn: &mut AnyConnection, f: &CustomFilter) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM custom_requests r{}", filter_sql(f));
    let mut q = sqlx::query_scalar(&sql).bind(i64::MAX);
    if let Some(c) = f.customer_id {
        q = q.bind(c);
    }
    Ok(q.fetch_one(conn).await?)
}

/// A step of a request's history.
pub type CustomStep = Step<CustomState>;

const CUSTOM_STEPS: StepLog = StepLog {
    table: "custom_request_steps",
    owner: "request_id",
};

/// Logs a step.
pub async fn add_step(conn: &mut AnyConnection, id: i64, s: &CustomStep) -> Result<()> {
    step_log::add(conn, CUSTOM_STEPS, id, s).await
}

/// A request's steps, oldest first.
pub async fn steps(conn: &mut AnyConnection, id: i64) -> Result<Vec<CustomStep>> {
    Ok(step_log::of(conn, CUSTOM_STEPS, &[id])
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}
