//! 应收账款 — what customers owe (per shipment on credit, per approved adjustment), what
//! lowers it (payments, credit notes, adjustments), how each was allocated, and the
//! reminders sent. An allocation is taken by two guarded updates (never below zero on
//! either side), so two allocations at once cannot spend the same fen twice.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::receivable::{Open, PaymentKind, PaymentSource, ReceivableKind, ReminderKind};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::order::date_opt;
use crate::ticket::parse;
use crate::{Result, StoreError, from_micros, marks, to_micros};

/// An amount owed, as stored (with its order's number when it came from a shipment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivableRow {
    pub id: i64,
    pub customer_id: i64,
    pub kind: ReceivableKind,
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub shipment_id: Option<i64>,
    pub reference: String,
    pub amount_fen: i64,
    pub open_fen: i64,
    pub booked_on: Date,
    pub due_on: Date,
    pub created_at: Timestamp,
}

/// A payment, credit note or adjustment in the customer's favour, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: i64,
    pub customer_id: i64,
    pub kind: PaymentKind,
    pub reference: String,
    pub amount_fen: i64,
    pub unapplied_fen: i64,
    pub received_on: Date,
    pub source: PaymentSource,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: Timestamp,
}

/// How much of a payment went to an amount owed, by whom and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRow {
    pub payment_id: i64,
    pub receivable_id: i64,
    pub reference: String,
    pub amount_fen: i64,
    pub by_user: Option<i64>,
    pub at: Timestamp,
}

fn date_of(r: &AnyRow, col: &str) -> Result<Date> {
    date_opt(r, col)?.ok_or_else(|| StoreError::Corrupt(format!("{col} is empty")))
}

const RECEIVABLE: &str = "SELECT r.id, r.customer_id, r.kind, r.order_id, o.number AS order_number, \
    r.shipment_id, r.reference, r.amount_fen, r.open_fen, r.booked_on, r.due_on, r.created_at \
    FROM receivables r LEFT JOIN orders o ON o.id = r.order_id";

fn receivable(r: &AnyRow) -> Result<ReceivableRow> {
    Ok(ReceivableRow {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        kind: parse(r, "kind")?,
        order_id: r.try_get("order_id")?,
        order_number: r.try_get("order_number")?,
        shipment_id: r.try_get("shipment_id")?,
        reference: r.try_get("reference")?,
        amount_fen: r.try_get("amount_fen")?,
        open_fen: r.try_get("open_fen")?,
        booked_on: date_of(r, "booked_on")?,
        due_on: date_of(r, "due_on")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

const PAYMENT: &str = "SELECT id, customer_id, kind, reference, amount_fen, unapplied_fen, \
    received_on, source, note, created_by, created_at FROM payments";

fn payment(r: &AnyRow) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        kind: parse(r, "kind")?,
        reference: r.try_get("reference")?,
        amount_fen: r.try_get("amount_fen")?,
        unapplied_fen: r.try_get("unapplied_fen")?,
        received_on: date_of(r, "received_on")?,
        source: parse(r, "source")?,
        note: r.try_get("note")?,
        created_by: r.try_get("created_by")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

/// Records an amount owed (wholly open); its id.
pub async fn insert_receivable(conn: &mut AnyConnection, r: &ReceivableRow) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO receivables (customer_id, kind, order_id, shipment_id, reference, \
         amount_fen, open_fen, booked_on, due_on, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9) RETURNING id",
    )
    .bind(r.customer_id)
    .bind(r.kind.key())
    .bind(r.order_id)
    .bind(r.shipment_id)
    .bind(&r.reference)
    .bind(r.amount_fen)
    .bind(r.booked_on.to_string())
    .bind(r.due_on.to_string())
    .bind(to_micros(r.created_at))
    .fetch_one(conn)
    .await?)
}

/// Records a payment (wholly unapplied) unless the customer already has one of its kind
/// and reference: its id, or `None` when it was there.
pub async fn insert_payment(conn: &mut AnyConnection, p: &PaymentRow) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO payments (customer_id, kind, reference, amount_fen, unapplied_fen, \
         received_on, source, note, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (customer_id, kind, reference) DO NOTHING RETURNING id",
    )
    .bind(p.customer_id)
    .bind(p.kind.key())
    .bind(&p.reference)
    .bind(p.amount_fen)
    .bind(p.received_on.to_string())
    .bind(p.source.key())
    .bind(&p.note)
    .bind(p.created_by)
    .bind(to_micros(p.created_at))
    .fetch_optional(conn)
    .await?)
}

/// The customer's payment of `kind` with `reference`, if recorded.
pub async fn payment_by_reference(
    conn: &mut AnyConnection,
    customer_id: i64,
    kind: PaymentKind,
    reference: &str,
) -> Result<Option<PaymentRow>> {
    let sql = format!("{PAYMENT} WHERE customer_id = $1 AND kind = $2 AND reference = $3");
    let row = sqlx::query(&sql)
        .bind(customer_id)
        .bind(kind.key())
        .bind(reference)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(payment).transpose()
}

/// One payment.
pub async fn payment_by_id(conn: &mut AnyConnection, id: i64) -> Result<PaymentRow> {
    let sql = format!("{PAYMENT} WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    payment(&row)
}

/// What the customer still owes, line by line (for an allocation).
pub async fn open_of(conn: &mut AnyConnection, customer_id: i64) -> Result<Vec<Open>> {
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT id, due_on, open_fen FROM receivables WHERE customer_id = $1 AND open_fen > 0 \
         ORDER BY due_on, id",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|(id, due, open_fen)| {
            let due = due
                .parse()
                .map_err(|_| StoreError::Corrupt(format!("receivables.due_on = {due:?}")))?;
            Ok(Open { id, due, open_fen })
        })
        .collect()
}

/// 核销 — takes `fen` of payment `payment_id` to receivable `receivable_id`: both lowered
/// only if each has that much left. False (nothing written) when either had not.
pub async fn apply(
    conn: &mut AnyConnection,
    payment_id: i64,
    receivable_id: i64,
    fen: i64,
    by_user: Option<i64>,
    at: Timestamp,
) -> Result<bool> {
    let paid = sqlx::query(
        "UPDATE payments SET unapplied_fen = unapplied_fen - $2 WHERE id = $1 \
         AND unapplied_fen >= $2",
    )
    .bind(payment_id)
    .bind(fen)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if paid == 0 {
        return Ok(false);
    }
    let owed = sqlx::query(
        "UPDATE receivables SET open_fen = open_fen - $2 WHERE id = $1 AND open_fen >= $2",
    )
    .bind(receivable_id)
    .bind(fen)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if owed == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO payment_allocations (payment_id, receivable_id, amount_fen, by_user, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(payment_id)
    .bind(receivable_id)
    .bind(fen)
    .bind(by_user)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(true)
}

/// The customer's amounts owed, the latest due first.
pub async fn receivables_of(
    conn: &mut AnyConnection,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<ReceivableRow>> {
    let sql =
        format!("{RECEIVABLE} WHERE r.customer_id = $1 ORDER BY r.due_on DESC, r.id DESC LIMIT $2");
    let rows = sqlx::query(&sql)
        .bind(customer_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(receivable).collect()
}

/// The amount owed for a shipment, if its order was on credit.
pub async fn of_shipment(
    conn: &mut AnyConnection,
    shipment_id: i64,
) -> Result<Option<ReceivableRow>> {
    let sql = format!("{RECEIVABLE} WHERE r.shipment_id = $1");
    let row = sqlx::query(&sql)
        .bind(shipment_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(receivable).transpose()
}

/// The customer's payments, credit notes and adjustments, the latest first.
pub async fn payments_of(
    conn: &mut AnyConnection,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<PaymentRow>> {
    let sql =
        format!("{PAYMENT} WHERE customer_id = $1 ORDER BY received_on DESC, id DESC LIMIT $2");
    let rows = sqlx::query(&sql)
        .bind(customer_id)
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(payment).collect()
}

/// How the payments asked were allocated, in the order it was done.
pub async fn allocations_of(
    conn: &mut AnyConnection,
    payment_ids: &[i64],
) -> Result<Vec<AllocationRow>> {
    if payment_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT a.payment_id, a.receivable_id, r.reference, a.amount_fen, a.by_user, a.at \
         FROM payment_allocations a JOIN receivables r ON r.id = a.receivable_id \
         WHERE a.payment_id IN ({}) ORDER BY a.id",
        marks(1, payment_ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in payment_ids {
        q = q.bind(id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AllocationRow {
                payment_id: r.try_get("payment_id")?,
                receivable_id: r.try_get("receivable_id")?,
                reference: r.try_get("reference")?,
                amount_fen: r.try_get("amount_fen")?,
                by_user: r.try_get("by_user")?,
                at: from_micros(r.try_get("at")?),
            })
        })
        .collect()
}

/// A customer's account in three figures.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Balance {
    /// 应收余额 — everything still owed.
    pub open_fen: i64,
    /// 逾期 — what of it is past due on the day asked.
    pub overdue_fen: i64,
    /// 预收/未核销 — payments and credits not yet allocated.
    pub unapplied_fen: i64,
}

/// The customer's balance on `today`.
pub async fn balance(conn: &mut AnyConnection, customer_id: i64, today: Date) -> Result<Balance> {
    let (open_fen, overdue_fen): (i64, i64) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(open_fen), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN due_on < $2 THEN open_fen ELSE 0 END), 0) AS BIGINT) \
         FROM receivables WHERE customer_id = $1 AND open_fen > 0",
    )
    .bind(customer_id)
    .bind(today.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let unapplied_fen: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(unapplied_fen), 0) AS BIGINT) FROM payments \
         WHERE customer_id = $1 AND unapplied_fen > 0",
    )
    .bind(customer_id)
    .fetch_one(conn)
    .await?;
    Ok(Balance {
        open_fen,
        overdue_fen,
        unapplied_fen,
    })
}

/// Which customers an ageing report covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgeingFilter {
    /// Only the customers this user owns.
    pub owner_id: Option<i64>,
    /// Only customers with something past due.
    pub overdue_only: bool,
}

/// One customer's ageing: what it owes in each bucket (not due, 1–30, 31–60, 61–90, over
/// 90 days late), in [`kefu_domain::receivable::AgeBucket::ALL`]'s order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeingRow {
    pub customer_id: i64,
    pub customer_name: String,
    pub owner_name: Option<String>,
    pub buckets: [i64; 5],
}

impl AgeingRow {
    pub fn total(&self) -> i64 {
        kefu_domain::money::total(self.buckets)
    }
}

/// The due dates bounding the buckets on `today`: due on or after [0] is not due; on or
/// after [1] is 1–30 days late; [2] 31–60; [3] 61–90; before [3] over 90.
fn bounds(today: Date) -> [String; 4] {
    let back = |days: i64| {
        today
            .checked_sub(jiff::Span::new().days(days))
            .unwrap_or(today)
            .to_string()
    };
    [today.to_string(), back(30), back(60), back(90)]
}

const BUCKETS: &str = "CAST(SUM(CASE WHEN r.due_on >= $1 THEN r.open_fen ELSE 0 END) AS BIGINT) AS b0, \
    CAST(SUM(CASE WHEN r.due_on < $1 AND r.due_on >= $2 THEN r.open_fen ELSE 0 END) AS BIGINT) AS b1, \
    CAST(SUM(CASE WHEN r.due_on < $2 AND r.due_on >= $3 THEN r.open_fen ELSE 0 END) AS BIGINT) AS b2, \
    CAST(SUM(CASE WHEN r.due_on < $3 AND r.due_on >= $4 THEN r.open_fen ELSE 0 END) AS BIGINT) AS b3, \
    CAST(SUM(CASE WHEN r.due_on < $4 THEN r.open_fen ELSE 0 END) AS BIGINT) AS b4";

fn ageing_where(f: &AgeingFilter) -> String {
    let mut sql = String::from(" WHERE r.open_fen > 0");
    if f.owner_id.is_some() {
        sql.push_str(" AND c.owner_id = $5");
    }
    sql
}

fn buckets_of(r: &AnyRow) -> Result<[i64; 5]> {
    Ok([
        r.try_get::<Option<i64>, _>("b0")?.unwrap_or(0),
        r.try_get::<Option<i64>, _>("b1")?.unwrap_or(0),
        r.try_get::<Option<i64>, _>("b2")?.unwrap_or(0),
        r.try_get::<Option<i64>, _>("b3")?.unwrap_or(0),
        r.try_get::<Option<i64>, _>("b4")?.unwrap_or(0),
    ])
}

/// 账龄分析 — each customer owing something on `today`, by bucket: the most overdue first
/// (then the most owed), one page.
pub async fn ageing(
    conn: &mut AnyConnection,
    today: Date,
    f: &AgeingFilter,
    limit: i64,
    offset: i64,
) -> Result<Vec<AgeingRow>> {
    let having = if f.overdue_only {
        " HAVING SUM(CASE WHEN r.due_on < $1 THEN r.open_fen ELSE 0 END) > 0"
    } else {
        ""
    };
    let (lim, off) = if f.owner_id.is_some() {
        ("$6", "$7")
    } else {
        ("$5", "$6")
    };
    let sql = format!(
        "SELECT r.customer_id, c.name, u.display_name AS owner_name, {BUCKETS} \
         FROM receivables r JOIN customers c ON c.id = r.customer_id \
         LEFT JOIN users u ON u.id = c.owner_id{} \
         GROUP BY r.customer_id, c.name, u.display_name{having} \
         ORDER BY SUM(CASE WHEN r.due_on < $1 THEN r.open_fen ELSE 0 END) DESC, \
         SUM(r.open_fen) DESC, r.customer_id LIMIT {lim} OFFSET {off}",
        ageing_where(f)
    );
    let [b0, b1, b2, b3] = bounds(today);
    let mut q = sqlx::query(&sql).bind(b0).bind(b1).bind(b2).bind(b3);
    if let Some(o) = f.owner_id {
        q = q.bind(o);
    }
    let rows = q.bind(limit).bind(offset).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(AgeingRow {
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("name")?,
                owner_name: r.try_get("owner_name")?,
                buckets: buckets_of(r)?,
            })
        })
        .collect()
}

/// The ageing report's totals by bucket and how many customers it lists.
pub async fn ageing_totals(
    conn: &mut AnyConnection,
    today: Date,
    f: &AgeingFilter,
) -> Result<([i64; 5], i64)> {
    let having = if f.overdue_only {
        " HAVING SUM(CASE WHEN r.due_on < $1 THEN r.open_fen ELSE 0 END) > 0"
    } else {
        ""
    };
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(b0), 0) AS BIGINT) AS b0, CAST(COALESCE(SUM(b1), 0) AS BIGINT) AS b1, \
         CAST(COALESCE(SUM(b2), 0) AS BIGINT) AS b2, CAST(COALESCE(SUM(b3), 0) AS BIGINT) AS b3, \
         CAST(COALESCE(SUM(b4), 0) AS BIGINT) AS b4, COUNT(*) AS customers FROM ( \
           SELECT r.customer_id, {BUCKETS} FROM receivables r \
           JOIN customers c ON c.id = r.customer_id{} GROUP BY r.customer_id{having}) a",
        ageing_where(f)
    );
    let [b0, b1, b2, b3] = bounds(today);
    let mut q = sqlx::query(&sql).bind(b0).bind(b1).bind(b2).bind(b3);
    if let Some(o) = f.owner_id {
        q = q.bind(o);
    }
    let row = q.fetch_one(conn).await?;
    Ok((buckets_of(&row)?, row.try_get("customers")?))
}

/// An amount owed a reminder is due for on the day asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReminderDue {
    pub receivable_id: i64,
    pub customer_id: i64,
    pub reference: String,
    pub open_fen: i64,
    pub due_on: Date,
    pub kind: ReminderKind,
}

/// Amounts owed whose reminder for `today` has not gone yet (see
/// [`kefu_domain::receivable::reminder_for`]), by customer, at most `limit`.
pub async fn reminders_due(
    conn: &mut AnyConnection,
    today: Date,
    limit: i64,
) -> Result<Vec<ReminderDue>> {
    use kefu_domain::receivable::REMIND_DAYS_BEFORE;
    let day = |d: i64| {
        today
            .checked_add(jiff::Span::new().days(d))
            .unwrap_or(today)
            .to_string()
    };
    let step = "CASE WHEN r.due_on >= $1 THEN 'before' WHEN r.due_on >= $2 THEN 'overdue_1' \
        WHEN r.due_on >= $3 THEN 'overdue_15' ELSE 'overdue_30' END";
    let sql = format!(
        "SELECT r.id, r.customer_id, r.reference, r.open_fen, r.due_on, {step} AS step \
         FROM receivables r WHERE r.open_fen > 0 AND r.due_on <= $4 \
         AND NOT EXISTS (SELECT 1 FROM receivable_reminders m WHERE m.receivable_id = r.id \
         AND m.kind = {step}) ORDER BY r.customer_id, r.due_on, r.id LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(day(0))
        .bind(day(-14))
        .bind(day(-29))
        .bind(day(i64::from(REMIND_DAYS_BEFORE)))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ReminderDue {
                receivable_id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                reference: r.try_get("reference")?,
                open_fen: r.try_get("open_fen")?,
                due_on: date_of(r, "due_on")?,
                kind: parse(r, "step")?,
            })
        })
        .collect()
}

/// Records that reminder `kind` of an amount owed went (by `channel`, or `none` when the
/// customer has no contact to reach); false when it had already.
pub async fn mark_reminded(
    conn: &mut AnyConnection,
    receivable_id: i64,
    kind: ReminderKind,
    channel: &str,
    at: Timestamp,
) -> Result<bool> {
    Ok(sqlx::query(
        "INSERT INTO receivable_reminders (receivable_id, kind, channel, sent_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (receivable_id, kind) DO NOTHING",
    )
    .bind(receivable_id)
    .bind(kind.key())
    .bind(channel)
    .bind(to_micros(at))
    .execute(conn)
    .await?
    .rows_affected()
        == 1)
}

/// The reminders sent of a customer's amounts owed: (receivable id, kind, channel, when).
pub async fn reminders_of(
    conn: &mut AnyConnection,
    customer_id: i64,
) -> Result<Vec<(i64, ReminderKind, String, Timestamp)>> {
    let rows = sqlx::query(
        "SELECT m.receivable_id, m.kind, m.channel, m.sent_at FROM receivable_reminders m \
         JOIN receivables r ON r.id = m.receivable_id WHERE r.customer_id = $1 \
         ORDER BY m.sent_at, m.receivable_id",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("receivable_id")?,
                parse(r, "kind")?,
                r.try_get("channel")?,
                from_micros(r.try_get("sent_at")?),
            ))
        })
        .collect()
}

/// How many customers (of `owner`, when given) have something past due on `today`, up to
/// `cap`.
pub async fn overdue_customers(
    conn: &mut AnyConnection,
    today: Date,
    owner: Option<i64>,
    cap: i64,
) -> Result<i64> {
    let owner_sql = if owner.is_some() {
        " JOIN customers c ON c.id = r.customer_id AND c.owner_id = $3"
    } else {
        ""
    };
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT DISTINCT r.customer_id FROM receivables r{owner_sql} \
         WHERE r.open_fen > 0 AND r.due_on < $1 LIMIT $2) a"
    );
    let mut q = sqlx::query_scalar(&sql).bind(today.to_string()).bind(cap);
    if let Some(o) = owner {
        q = q.bind(o);
    }
    Ok(q.fetch_one(conn).await?)
}

/// What a customer owes or will owe on credit: everything open, and the unshipped part of
/// its credit orders not cancelled, closed or awaiting approval, less what it paid ahead.
pub async fn credit_exposure(conn: &mut AnyConnection, customer_id: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT CAST(( \
           SELECT COALESCE(SUM(open_fen), 0) FROM receivables WHERE customer_id = $1) + ( \
           SELECT COALESCE(SUM((l.quantity - l.shipped) * l.unit_price_fen), 0) \
             FROM order_lines l JOIN orders o ON o.id = l.order_id \
            WHERE o.customer_id = $1 AND o.payment = 'credit' \
              AND o.state NOT IN ('cancelled', 'pending_approval', 'closed') \
              AND l.quantity > l.shipped) - ( \
           SELECT COALESCE(SUM(unapplied_fen), 0) FROM payments WHERE customer_id = $1) \
         AS BIGINT)",
    )
    .bind(customer_id)
    .fetch_one(conn)
    .await?)
}

/// Whether the customer's order numbered `number` was taken on credit.
pub async fn on_credit(conn: &mut AnyConnection, customer_id: i64, number: &str) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM orders WHERE customer_id = $1 AND number = $2 AND payment = 'credit'",
    )
    .bind(customer_id)
    .bind(number)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
