//! 售后单 (RMA) — the record, its moves, its numbers and the lists that find it.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::aftersales::policy::{Approver, ClauseKey, Fault, Reason, RmaKind, Verdict};
use kefu_domain::aftersales::rma::{Inspection, RmaSource, RmaState};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::step_log::{self, Step, StepLog};
use crate::ticket::parse;
use crate::{Result, StoreError, from_micros, marks, to_micros};

/// An RMA as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RmaRow {
    pub id: i64,
    pub number: String,
    pub kind: RmaKind,
    pub state: RmaState,
    pub source: RmaSource,
    pub customer_id: i64,
    pub ticket_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub complaint_rma_id: Option<i64>,
    pub product_id: i64,
    pub order_number: String,
    pub serial: String,
    pub quantity: i64,
    pub fault: Fault,
    pub description: String,
    pub delivered_on: Date,
    pub requested_on: Date,
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub currency: String,
    pub policy_id: i64,
    pub clause: ClauseKey,
    pub verdict: Verdict,
    pub approver: Approver,
    pub reason: Reason,
    pub paid_repair: bool,
    pub inspection: Option<Inspection>,
    pub quote_fen: Option<i64>,
    pub refund_fen: Option<i64>,
    pub replacement_serial: Option<String>,
    pub approved_by: Option<i64>,
    /// The service point a repair was routed to.
    pub service_point_id: Option<i64>,
    /// When the goods arrived: a repair's turnaround runs from here.
    pub received_at: Option<Timestamp>,
    pub due_at: Option<Timestamp>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
}

/// An RMA with the names a list or page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RmaLine {
    pub rma: RmaRow,
    pub customer: String,
    pub sku: String,
    pub product: String,
    pub ticket_number: Option<String>,
}

const SELECT: &str = "SELECT r.*, c.name AS customer_name, p.sku AS product_sku, \
     p.name AS product_name, t.number AS ticket_number FROM rmas r \
     JOIN customers c ON c.id = r.customer_id JOIN products p ON p.id = r.product_id \
     LEFT JOIN tickets t ON t.id = r.ticket_id";

fn date_of(r: &AnyRow, col: &str) -> Result<Date> {
    let text: String = r.try_get(col)?;
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("an RMA's {col} {text:?}")))
}

fn optional_key<T: std::str::FromStr>(r: &AnyRow, col: &str) -> Result<Option<T>> {
    let v: Option<String> = r.try_get(col)?;
    v.map(|s| {
        s.parse()
            .map_err(|_| StoreError::Corrupt(format!("an RMA's {col} {s:?}")))
    })
    .transpose()
}

fn line(r: &AnyRow) -> Result<RmaLine> {
    let micros = |col: &str| -> Result<Option<Timestamp>> {
        Ok(r.try_get::<Option<i64>, _>(col)?.map(from_micros))
    };
    Ok(RmaLine {
        rma: RmaRow {
            id: r.try_get("id")?,
            number: r.try_get("number")?,
            kind: parse(r, "kind")?,
            state: parse(r, "state")?,
            source: parse(r, "source")?,
            customer_id: r.try_get("customer_id")?,
            ticket_id: r.try_get("ticket_id")?,
            complaint_id: r.try_get("complaint_id")?,
            complaint_rma_id: r.try_get("complaint_rma_id")?,
            product_id: r.try_get("product_id")?,
            order_number: r.try_get("order_number")?,
            serial: r.try_get("serial")?,
            quantity: r.try_get("quantity")?,
            fault: parse(r, "fault")?,
            description: r.try_get("description")?,
            delivered_on: date_of(r, "delivered_on")?,
            requested_on: date_of(r, "requested_on")?,
            amount_fen: r.try_get("amount_fen")?,
            paid_fen: r.try_get("paid_fen")?,
            currency: r.try_get("currency")?,
            policy_id: r.try_get("policy_id")?,
            clause: parse(r, "clause")?,
            verdict: parse(r, "verdict")?,
            approver: parse(r, "approver")?,
            reason: parse(r, "reason")?,
            paid_repair: r.try_get::<i64, _>("paid_repair")? != 0,
            inspection: optional_key(r, "inspection")?,
            quote_fen: r.try_get("quote_fen")?,
            refund_fen: r.try_get("refund_fen")?,
            replacement_serial: r.try_get("replacement_serial")?,
            approved_by: r.try_get("approved_by")?,
            service_point_id: r.try_get("service_point_id")?,
            received_at: micros("received_at")?,
            due_at: micros("due_at")?,
            version: r.try_get("version")?,
            created_by: r.try_get("created_by")?,
            created_at: from_micros(r.try_get("created_at")?),
            updated_at: from_micros(r.try_get("updated_at")?),
            closed_at: micros("closed_at")?,
        },
        customer: r.try_get("customer_name")?,
        sku: r.try_get("product_sku")?,
        product: r.try_get("product_name")?,
        ticket_number: r.try_get("ticket_number")?,
    })
}

/// The next number of `day` (`20261206`): 1, 2, … whichever instance asks.
pub async fn next_seq(conn: &mut AnyConnection, day: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO rma_counters (day, last_seq) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last_seq = rma_counters.last_seq + 1 \
         RETURNING last_seq",
    )
    .bind(day)
    .fetch_one(conn)
    .await?)
}

/// Adds an RMA (its `id` and `version` are ignored); its id. A complaint RMA already taken
/// is a [`StoreError::Conflict`].
pub async fn insert(conn: &mut AnyConnection, r: &RmaRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO rmas (number, kind, state, source, customer_id, ticket_id, complaint_id, \
         complaint_rma_id, product_id, order_number, serial, quantity, fault, description, \
         delivered_on, requested_on, amount_fen, paid_fen, policy_id, clause, verdict, \
         approver, reason, paid_repair, approved_by, due_at, created_by, created_at, \
         updated_at, service_point_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
         $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, \
         $28, $29) RETURNING id",
    )
    .bind(&r.number)
    .bind(r.kind.key())
    .bind(r.state.key())
    .bind(r.source.key())
    .bind(r.customer_id)
    .bind(r.ticket_id)
    .bind(r.complaint_id)
    .bind(r.complaint_rma_id)
    .bind(r.product_id)
    .bind(&r.order_number)
    .bind(&r.serial)
    .bind(r.quantity)
    .bind(r.fault.key())
    .bind(&r.description)
    .bind(r.delivered_on.to_string())
    .bind(r.requested_on.to_string())
    .bind(r.amount_fen)
    .bind(r.paid_fen)
    .bind(r.policy_id)
    .bind(r.clause.key())
    .bind(r.verdict.key())
    .bind(r.approver.key())
    .bind(r.reason.key())
    .bind(i64::from(r.paid_repair))
    .bind(r.approved_by)
    .bind(r.due_at.map(to_micros))
    .bind(r.created_by)
    .bind(to_micros(r.created_at))
    .bind(r.service_point_id)
    .fetch_one(conn)
    .await?)
}

/// Saves a move: the state and what it recorded, when the RMA is still at `r.version`;
/// whether it was.
pub async fn save_move(conn: &mut AnyConnection, r: &RmaRow) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE rmas SET state = $3, paid_repair = $4, inspection = $5, quote_fen = $6, \
         refund_fen = $7, replacement_serial = $8, approved_by = $9, due_at = $10, \
         updated_at = $11, closed_at = $12, service_point_id = $13, received_at = $14, \
         version = version + 1 WHERE id = $1 AND version = $2",
    )
    .bind(r.id)
    .bind(r.version)
    .bind(r.state.key())
    .bind(i64::from(r.paid_repair))
    .bind(r.inspection.map(|i| i.key()))
    .bind(r.quote_fen)
    .bind(r.refund_fen)
    .bind(&r.replacement_serial)
    .bind(r.approved_by)
    .bind(r.due_at.map(to_micros))
    .bind(to_micros(r.updated_at))
    .bind(r.closed_at.map(to_micros))
    .bind(r.service_point_id)
    .bind(r.received_at.map(to_micros))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One RMA with its names.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<RmaLine> {
    let row = sqlx::query(&format!("{SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    line(&row)
}

/// The RMA handling a complaint's RMA, if any: (id, number).
/// The id of the RMA numbered `number`, if any.
pub async fn id_by_number(conn: &mut AnyConnection, number: &str) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar("SELECT id FROM rmas WHERE number = $1")
        .bind(number)
        .fetch_optional(conn)
        .await?)
}

pub async fn by_complaint_rma(
    conn: &mut AnyConnection,
    complaint_rma_id: i64,
) -> Result<Option<(i64, String)>> {
    let row = sqlx::query("SELECT id, number FROM rmas WHERE complaint_rma_id = $1")
        .bind(complaint_rma_id)
        .fetch_optional(conn)
        .await?;
    row.map(|r| Ok((r.try_get("id")?, r.try_get("number")?)))
        .transpose()
}

/// Which RMAs a list shows.
#[derive(Debug, Clone, Default)]
pub struct RmaFilter {
    /// These states only (empty: all).
    pub states: Vec<RmaState>,
    /// These approvers only, of RMAs pending approval.
    pub approvers: Vec<Approver>,
    pub customer_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub ticket_id: Option<i64>,
    /// Only those past their deadline at this instant.
    pub late_at: Option<Timestamp>,
    /// The page before this id (newest first).
    pub before: Option<i64>,
    pub limit: i64,
}

/// The `WHERE` of a filter, its placeholders from `$2` (`$1` is the page's `before`), and
/// the next placeholder's number.
fn filter_sql(f: &RmaFilter) -> (String, usize) {
    let mut sql = String::from(" WHERE r.id < $1");
    let mut n = 2;
    if !f.states.is_empty() {
        sql.push_str(&format!(" AND r.state IN ({})", marks(n, f.states.len())));
        n += f.states.len();
    }
    if !f.approvers.is_empty() {
        sql.push_str(&format!(
            " AND r.state = 'pending_approval' AND r.approver IN ({})",
            marks(n, f.approvers.len())
        ));
        n += f.approvers.len();
    }
    if f.customer_id.is_some() {
        sql.push_str(&format!(" AND r.customer_id = ${n}"));
        n += 1;
    }
    if f.complaint_id.is_some() {
        sql.push_str(&format!(" AND r.complaint_id = ${n}"));
        n += 1;
    }
    if f.ticket_id.is_some() {
        sql.push_str(&format!(" AND r.ticket_id = ${n}"));
        n += 1;
    }
    if f.late_at.is_some() {
        sql.push_str(&format!(" AND r.due_at < ${n}"));
        n += 1;
    }
    (sql, n)
}

fn bind_filter<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    f: &RmaFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q = q.bind(f.before.unwrap_or(i64::MAX));
    for s in &f.states {
        q = q.bind(s.key());
    }
    for a in &f.approvers {
        q = q.bind(a.key());
    }
    if let Some(c) = f.customer_id {
        q = q.bind(c);
    }
    if let Some(c) = f.complaint_id {
        q = q.bind(c);
    }
    if let Some(t) = f.ticket_id {
        q = q.bind(t);
    }
    if let Some(at) = f.late_at {
        q = q.bind(to_micros(at));
    }
    q
}

/// RMAs newest first, a page at a time.
pub async fn list(conn: &mut AnyConnection, f: &RmaFilter) -> Result<Vec<RmaLine>> {
    let (filter, n) = filter_sql(f);
    let sql = format!("{SELECT}{filter} ORDER BY r.id DESC LIMIT ${n}");
    let rows = bind_filter(sqlx::query(&sql), f)
        .bind(f.limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(line).collect()
}

/// How many RMAs the filter holds (its page and limit aside): what a list's tile counts.
pub async fn count(conn: &mut AnyConnection, f: &RmaFilter) -> Result<i64> {
    let (filter, _) = filter_sql(&RmaFilter {
        before: None,
        ..f.clone()
    });
    let sql = format!("SELECT COUNT(*) AS n FROM rmas r{filter}");
    let row = bind_filter(sqlx::query(&sql), f).fetch_one(conn).await?;
    Ok(row.try_get("n")?)
}

/// A move as logged.
pub type RmaStep = Step<RmaState>;

const RMA_STEPS: StepLog = StepLog {
    table: "rma_steps",
    owner: "rma_id",
};

/// Logs a move.
pub async fn add_step(conn: &mut AnyConnection, rma_id: i64, s: &RmaStep) -> Result<()> {
    step_log::add(conn, RMA_STEPS, rma_id, s).await
}

/// An RMA's moves, oldest first.
pub async fn steps(conn: &mut AnyConnection, rma_id: i64) -> Result<Vec<RmaStep>> {
    Ok(steps_of(conn, &[rma_id])
        .await?
        .into_iter()
        .map(|(_, s)| s)
        .collect())
}

/// The steps of several RMAs in one query: (RMA, step), each RMA's in order.
pub async fn steps_of(conn: &mut AnyConnection, rma_ids: &[i64]) -> Result<Vec<(i64, RmaStep)>> {
    step_log::of(conn, RMA_STEPS, rma_ids).await
}

/// Repairs routed to a point and not yet repaired (nor ended): (point, how many).
pub async fn open_repairs_by_point(conn: &mut AnyConnection) -> Result<Vec<(i64, i64)>> {
    let rows = sqlx::query(
        "SELECT service_point_id, COUNT(*) AS n FROM rmas WHERE service_point_id IS NOT NULL \
         AND state IN ('awaiting_goods', 'received', 'quoted', 'approved') \
         GROUP BY service_point_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("service_point_id")?, r.try_get("n")?)))
        .collect()
}

/// Repairs at a point past its turnaround at `now` (the goods arrived more than the point's
/// days ago and the repair is not done): what the tile counts and its list shows.
pub async fn past_turnaround(
    conn: &mut AnyConnection,
    now: Timestamp,
    limit: i64,
) -> Result<(i64, Vec<RmaLine>)> {
    const LATE: &str = "r.kind = 'repair' AND r.state IN ('received', 'quoted', 'approved') \
         AND r.received_at + sp.turnaround_days * 86400000000 < $1";
    let n: i64 = sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM rmas r JOIN service_points sp ON sp.id = r.service_point_id \
         WHERE {LATE}"
    ))
    .bind(to_micros(now))
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(&format!(
        "{SELECT} JOIN service_points sp ON sp.id = r.service_point_id WHERE {LATE} \
         ORDER BY r.received_at LIMIT $2"
    ))
    .bind(to_micros(now))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok((n, rows.iter().map(line).collect::<Result<_>>()?))
}

/// A point's repairs, newest first, with when each was received and repaired (the step's
/// time), for its turnaround.
pub async fn repairs_at(
    conn: &mut AnyConnection,
    point_id: i64,
    limit: i64,
) -> Result<Vec<(RmaLine, Option<Timestamp>)>> {
    let rows = sqlx::query(&format!(
        "SELECT x.*, (SELECT MIN(s.at) FROM rma_steps s WHERE s.rma_id = x.id \
         AND s.to_state = 'repaired') AS repaired_at FROM ({SELECT} \
         WHERE r.service_point_id = $1) x ORDER BY x.id DESC LIMIT $2"
    ))
    .bind(point_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                line(r)?,
                r.try_get::<Option<i64>, _>("repaired_at")?.map(from_micros),
            ))
        })
        .collect()
}
