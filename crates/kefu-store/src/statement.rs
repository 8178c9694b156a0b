//! 对账单 — statements, their lines (each traceable to the amount owed or payment it shows),
//! the customers' answers and the resolutions of what they dispute; and the ledger read a
//! statement is made from: every entry dated in a month, and each customer's balance
//! before it.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::receivable::statement::{LineAnswer, StatementState};
use kefu_domain::receivable::{DifferenceCause, StatementLineKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::order::date_opt;
use crate::ticket::{opt_time, parse};
use crate::{Result, StoreError, from_micros, to_micros};

/// A statement as stored, with its customer's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementRow {
    pub id: i64,
    pub number: String,
    pub customer_id: i64,
    pub customer_name: String,
    pub period: String,
    pub state: StatementState,
    pub opening_fen: i64,
    pub closing_fen: i64,
    pub created_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub closed_by: Option<i64>,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

/// A ledger entry as a statement shows it: what it is, the record it is, its day, its
/// reference and its amount (positive; an adjustment signed: owed +, credited −).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub customer_id: i64,
    pub kind: StatementLineKind,
    pub receivable_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub on_date: Date,
    pub reference: String,
    pub amount_fen: i64,
}

/// A statement line with the customer's answer and its resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLineRow {
    pub id: i64,
    pub line_no: i64,
    pub entry: Entry,
    pub answer: LineAnswer,
    pub customer_note: String,
    pub cause: Option<DifferenceCause>,
    pub resolution: String,
    pub adjustment_fen: Option<i64>,
    pub proposed_by: Option<i64>,
    pub approved_by: Option<i64>,
    pub resolved_at: Option<Timestamp>,
}

fn date_of(r: &AnyRow, col: &str) -> Result<Date> {
    date_opt(r, col)?.ok_or_else(|| StoreError::Corrupt(format!("{col} is empty")))
}

const STATEMENT: &str = "SELECT s.id, s.number, s.customer_id, c.name AS customer_name, s.period, \
    s.state, s.opening_fen, s.closing_fen, s.created_at, s.answered_at, s.closed_by, \
    s.closed_at, s.version FROM statements s JOIN customers c ON c.id = s.customer_id";

fn statement(r: &AnyRow) -> Result<StatementRow> {
    Ok(StatementRow {
        id: r.try_get("id")?,
        number: r.try_get("number")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        period: r.try_get("period")?,
        state: parse(r, "state")?,
        opening_fen: r.try_get("opening_fen")?,
        closing_fen: r.try_get("closing_fen")?,
        created_at: from_micros(r.try_get("created_at")?),
        answered_at: opt_time(r, "answered_at")?,
        closed_by: r.try_get("closed_by")?,
        closed_at: opt_time(r, "closed_at")?,
        version: r.try_get("version")?,
    })
}

/// Every ledger entry dated from `start` to `end` (of one customer, or all), by customer,
/// day, amounts owed before payments, then record.
pub async fn entries_in(
    conn: &mut AnyConnection,
    customer_id: Option<i64>,
    start: Date,
    end: Date,
) -> Result<Vec<Entry>> {
    let one = if customer_id.is_some() {
        " AND customer_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT customer_id, kind, id AS receivable_id, CAST(NULL AS BIGINT) AS payment_id, \
           booked_on AS on_date, reference, amount_fen, CAST(0 AS BIGINT) AS side \
           FROM receivables WHERE booked_on >= $1 AND booked_on <= $2{one} \
         UNION ALL \
         SELECT customer_id, kind, CAST(NULL AS BIGINT), id, received_on, reference, amount_fen, CAST(1 AS BIGINT) \
           FROM payments WHERE received_on >= $1 AND received_on <= $2{one} \
         ORDER BY customer_id, on_date, side, receivable_id, payment_id"
    );
    let mut q = sqlx::query(&sql)
        .bind(start.to_string())
        .bind(end.to_string());
    if let Some(c) = customer_id {
        q = q.bind(c);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(entry_of).collect()
}

fn entry_of(r: &AnyRow) -> Result<Entry> {
    let side: i64 = r.try_get("side")?;
    let kind: String = r.try_get("kind")?;
    let amount: i64 = r.try_get("amount_fen")?;
    let (kind, amount_fen) = match (side, kind.as_str()) {
        (0, "shipment") => (StatementLineKind::Shipment, amount),
        (0, "adjustment") => (StatementLineKind::Adjustment, amount),
        (1, "payment") => (StatementLineKind::Payment, amount),
        (1, "credit_note") => (StatementLineKind::CreditNote, amount),
        (1, "adjustment") => (StatementLineKind::Adjustment, -amount),
        _ => return Err(StoreError::Corrupt(format!("ledger entry {side}/{kind}"))),
    };
    Ok(Entry {
        customer_id: r.try_get("customer_id")?,
        kind,
        receivable_id: r.try_get("receivable_id")?,
        payment_id: r.try_get("payment_id")?,
        on_date: date_of(r, "on_date")?,
        reference: r.try_get("reference")?,
        amount_fen,
    })
}

/// Each customer's balance (owed less paid and credited) from everything dated before
/// `start` (of one customer, or all); customers without any left out.
pub async fn balances_before(
    conn: &mut AnyConnection,
    customer_id: Option<i64>,
    start: Date,
) -> Result<HashMap<i64, i64>> {
    let one = if customer_id.is_some() {
        " AND customer_id = $2"
    } else {
        ""
    };
    let sql = format!(
        "SELECT customer_id, CAST(SUM(amount_fen) AS BIGINT) AS fen FROM ( \
           SELECT customer_id, amount_fen FROM receivables WHERE booked_on < $1{one} \
           UNION ALL \
           SELECT customer_id, -amount_fen FROM payments WHERE received_on < $1{one}) e \
         GROUP BY customer_id"
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql).bind(start.to_string());
    if let Some(c) = customer_id {
        q = q.bind(c);
    }
    Ok(q.fetch_all(conn).await?.into_iter().collect())
}

/// The customers that have a statement of `period`.
pub async fn customers_with(conn: &mut AnyConnection, period: &str) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar("SELECT customer_id FROM statements WHERE period = $1")
            .bind(period)
            .fetch_all(conn)
            .await?,
    )
}

/// Records a statement unless the customer has one of its month: its id.
pub async fn insert(
    conn: &mut AnyConnection,
    s: &StatementRow,
    by: Option<i64>,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO statements (number, customer_id, period, state, opening_fen, closing_fen, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (customer_id, period) DO NOTHING RETURNING id",
    )
    .bind(&s.number)
    .bind(s.customer_id)
    .bind(&s.period)
    .bind(s.state.key())
    .bind(s.opening_fen)
    .bind(s.closing_fen)
    .bind(by)
    .bind(to_micros(s.created_at))
    .fetch_optional(conn)
    .await?)
}

/// Adds line `line_no` showing `e`, answered `answer`.
pub async fn insert_line(
    conn: &mut AnyConnection,
    statement_id: i64,
    line_no: i64,
    e: &Entry,
    answer: LineAnswer,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO statement_lines (statement_id, line_no, kind, receivable_id, payment_id, \
         on_date, reference, amount_fen, answer) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(statement_id)
    .bind(line_no)
    .bind(e.kind.key())
    .bind(e.receivable_id)
    .bind(e.payment_id)
    .bind(e.on_date.to_string())
    .bind(&e.reference)
    .bind(e.amount_fen)
    .bind(answer.key())
    .execute(conn)
    .await?;
    Ok(())
}

/// One statement.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<StatementRow> {
    let sql = format!("{STATEMENT} WHERE s.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    statement(&row)
}

/// The customer's statement of `period`, if made.
pub async fn of_period(
    conn: &mut AnyConnection,
    customer_id: i64,
    period: &str,
) -> Result<Option<StatementRow>> {
    let sql = format!("{STATEMENT} WHERE s.customer_id = $1 AND s.period = $2");
    let row = sqlx::query(&sql)
        .bind(customer_id)
        .bind(period)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(statement).transpose()
}

/// A statement's lines in order.
pub async fn lines_of(
    conn: &mut AnyConnection,
    statement_id: i64,
) -> Result<Vec<StatementLineRow>> {
    let rows = sqlx::query(
        "SELECT l.id, l.line_no, s.customer_id, l.kind, l.receivable_id, l.payment_id, \
         l.on_date, l.reference, l.amount_fen, l.answer, l.customer_note, l.cause, \
         l.resolution, l.adjustment_fen, l.proposed_by, l.approved_by, l.resolved_at \
         FROM statement_lines l JOIN statements s ON s.id = l.statement_id \
         WHERE l.statement_id = $1 ORDER BY l.line_no",
    )
    .bind(statement_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let cause: Option<String> = r.try_get("cause")?;
            Ok(StatementLineRow {
                id: r.try_get("id")?,
                line_no: r.try_get("line_no")?,
                entry: Entry {
                    customer_id: r.try_get("customer_id")?,
                    kind: parse(r, "kind")?,
                    receivable_id: r.try_get("receivable_id")?,
                    payment_id: r.try_get("payment_id")?,
                    on_date: date_of(r, "on_date")?,
                    reference: r.try_get("reference")?,
                    amount_fen: r.try_get("amount_fen")?,
                },
                answer: parse(r, "answer")?,
                customer_note: r.try_get("customer_note")?,
                cause: cause
                    .map(|c| {
                        c.parse()
                            .map_err(|_| StoreError::Corrupt(format!("statement cause {c:?}")))
                    })
                    .transpose()?,
                resolution: r.try_get("resolution")?,
                adjustment_fen: r.try_get("adjustment_fen")?,
                proposed_by: r.try_get("proposed_by")?,
                approved_by: r.try_get("approved_by")?,
                resolved_at: opt_time(r, "resolved_at")?,
            })
        })
        .collect()
}

/// Which statements a list shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementFilter {
    pub period: Option<String>,
    pub states: Vec<StatementState>,
    pub customer_id: Option<i64>,
    /// Only those of customers this user owns.
    pub owner_id: Option<i64>,
    pub limit: i64,
}

fn filter_sql(f: &StatementFilter) -> (String, Vec<String>, Vec<i64>) {
    let mut sql = String::from(" WHERE 1 = 1");
    let mut texts = Vec::new();
    let mut ints = Vec::new();
    let mut n = 0;
    if let Some(p) = &f.period {
        n += 1;
        sql.push_str(&format!(" AND s.period = ${n}"));
        texts.push(p.clone());
    }
    if !f.states.is_empty() {
        let marks: Vec<String> = f
            .states
            .iter()
            .map(|s| {
                n += 1;
                texts.push(s.key().to_owned());
                format!("${n}")
            })
            .collect();
        sql.push_str(&format!(" AND s.state IN ({})", marks.join(", ")));
    }
    if let Some(c) = f.customer_id {
        n += 1;
        sql.push_str(&format!(" AND s.customer_id = ${n}"));
        ints.push(c);
    }
    if let Some(o) = f.owner_id {
        n += 1;
        sql.push_str(&format!(" AND c.owner_id = ${n}"));
        ints.push(o);
    }
    (sql, texts, ints)
}

/// Statements, the latest month first, at most `limit`.
pub async fn list(conn: &mut AnyConnection, f: &StatementFilter) -> Result<Vec<StatementRow>> {
    let (where_sql, texts, ints) = filter_sql(f);
    let sql = format!(
        "{STATEMENT}{where_sql} ORDER BY s.period DESC, s.id DESC LIMIT ${}",
        texts.len() + ints.len() + 1
    );
    let mut q = sqlx::query(&sql);
    for t in texts {
        q = q.bind(t);
    }
    for i in ints {
        q = q.bind(i);
    }
    let rows = q.bind(f.limit).fetch_all(conn).await?;
    rows.iter().map(statement).collect()
}

/// How many statements a filter finds (up to its limit).
pub async fn count(conn: &mut AnyConnection, f: &StatementFilter) -> Result<i64> {
    let (where_sql, texts, ints) = filter_sql(f);
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT s.id FROM statements s \
         JOIN customers c ON c.id = s.customer_id{where_sql} LIMIT ${}) a",
        texts.len() + ints.len() + 1
    );
    let mut q = sqlx::query_scalar(&sql);
    for t in texts {
        q = q.bind(t);
    }
    for i in ints {
        q = q.bind(i);
    }
    Ok(q.bind(f.limit).fetch_one(conn).await?)
}

/// Saves a statement's state, closing balance, answer and closing from version `expected`;
/// false (nothing written) when it moved on.
pub async fn save(conn: &mut AnyConnection, s: &StatementRow, expected: i64) -> Result<bool> {
    Ok(sqlx::query(
        "UPDATE statements SET state = $2, closing_fen = $3, answered_at = $4, closed_by = $5, \
         closed_at = $6, version = version + 1 WHERE id = $1 AND version = $7",
    )
    .bind(s.id)
    .bind(s.state.key())
    .bind(s.closing_fen)
    .bind(s.answered_at.map(to_micros))
    .bind(s.closed_by)
    .bind(s.closed_at.map(to_micros))
    .bind(expected)
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// Saves a line's answer and resolution as `l` holds them.
pub async fn save_line(conn: &mut AnyConnection, l: &StatementLineRow) -> Result<()> {
    sqlx::query(
        "UPDATE statement_lines SET answer = $2, customer_note = $3, cause = $4, resolution = $5, \
         adjustment_fen = $6, proposed_by = $7, approved_by = $8, resolved_at = $9 WHERE id = $1",
    )
    .bind(l.id)
    .bind(l.answer.key())
    .bind(&l.customer_note)
    .bind(l.cause.map(|c| c.key()))
    .bind(&l.resolution)
    .bind(l.adjustment_fen)
    .bind(l.proposed_by)
    .bind(l.approved_by)
    .bind(l.resolved_at.map(to_micros))
    .execute(conn)
    .await?;
    Ok(())
}
