//! 订单、应收与售后 for the benchmark: a year of orders with their lines, one shipment
//! each, what each shipment owes and the payments that settled it, and a year of closed
//! RMAs with their costs, over the customers and products already in the database (the
//! first RMAs made from the surveyed tickets, one each, so satisfaction has products). The
//! rows are the ones the orders, receivables and after-sales modules write (same columns,
//! same keys); they are made by the database from a numbers table, a million lines in
//! seconds.

use jiff::civil::Date;
use sqlx::AnyConnection;

use crate::{Backend, Result, to_micros};

/// What the benchmark asks for.
#[derive(Debug, Clone, Copy)]
pub struct BenchAccounts {
    /// Order lines, four to an order.
    pub order_lines: i64,
    /// Customers the orders go to (the oldest of the archive), at most those there are.
    pub customers: i64,
    pub rmas: i64,
    /// The last day anything is dated; the year before it is filled.
    pub today: Date,
}

/// What was written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BenchAccountsWritten {
    pub orders: u64,
    pub order_lines: u64,
    pub shipments: u64,
    pub receivables: u64,
    pub open_receivables: u64,
    pub payments: u64,
    pub rmas: u64,
    pub rma_costs: u64,
    pub customers: i64,
}

/// Days back the rows are spread over.
const DAYS: i64 = 360;

/// Terms: due this many days after the goods left.
const TERMS_DAYS: i64 = 30;

async fn exec(conn: &mut AnyConnection, sql: &str, binds: &[i64]) -> Result<u64> {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    Ok(q.execute(&mut *conn).await?.rows_affected())
}

async fn next_id(conn: &mut AnyConnection, table: &str) -> Result<i64> {
    // Table names come from this module's constants.
    let max: Option<i64> = sqlx::query_scalar(&format!("SELECT MAX(id) FROM {table}"))
        .fetch_one(&mut *conn)
        .await?;
    Ok(max.unwrap_or(0) + 1)
}

/// Fills the year before `spec.today` (see the module's doc); what it wrote. Run it in one
/// transaction on a database nobody works on.
pub async fn bench_accounts(
    conn: &mut AnyConnection,
    backend: Backend,
    spec: BenchAccounts,
) -> Result<BenchAccountsWritten> {
    let lines = spec.order_lines.max(4) / 4 * 4;
    let orders = lines / 4;
    for sql in [
        "CREATE TEMP TABLE bench_n (i BIGINT PRIMARY KEY)",
        "CREATE TEMP TABLE bench_customers (k BIGINT PRIMARY KEY, id BIGINT NOT NULL)",
        "CREATE TEMP TABLE bench_products (k BIGINT PRIMARY KEY, id BIGINT NOT NULL, \
         price BIGINT NOT NULL)",
        "CREATE TEMP TABLE bench_days (k BIGINT PRIMARY KEY, at BIGINT NOT NULL, \
         ship_day TEXT NOT NULL, ship_at BIGINT NOT NULL, due TEXT NOT NULL, \
         settled BIGINT NOT NULL)",
    ] {
        exec(conn, sql, &[]).await?;
    }
    let numbers = lines.max(spec.rmas * 2);
    exec(
        conn,
        "WITH RECURSIVE n(i) AS (SELECT CAST(0 AS BIGINT) UNION ALL SELECT i + 1 FROM n \
         WHERE i + 1 < $1) INSERT INTO bench_n (i) SELECT i FROM n",
        &[numbers],
    )
    .await?;
    let customers = exec(
        conn,
        "INSERT INTO bench_customers (k, id) SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id \
         FROM customers ORDER BY id LIMIT $1",
        &[spec.customers],
    )
    .await? as i64;
    let products = exec(
        conn,
        "INSERT INTO bench_products (k, id, price) \
         SELECT ROW_NUMBER() OVER (ORDER BY id) - 1, id, price_fen FROM products",
        &[],
    )
    .await? as i64;
    if customers == 0 || products == 0 {
        return Ok(BenchAccountsWritten::default());
    }
    // Day k back from today: the order at 10:00, shipped the next day, due 30 days later,
    // settled (paid on its due date) once that date has passed.
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    for k in 0..DAYS {
        let day = spec.today - jiff::Span::new().days(k);
        let ship = day + jiff::Span::new().days(1);
        let due = ship + jiff::Span::new().days(TERMS_DAYS);
        let at = |d: Date| {
            d.at(10, 0, 0, 0)
                .to_zoned(tz.clone())
                .map(|z| to_micros(z.timestamp()))
                .unwrap_or_default()
        };
        sqlx::query(
            "INSERT INTO bench_days (k, at, ship_day, ship_at, due, settled) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(k)
        .bind(at(day))
        .bind(ship.to_string())
        .bind(at(ship))
        .bind(due.to_string())
        .bind(i64::from(due < spec.today))
        .execute(&mut *conn)
        .await?;
    }

    let order0 = next_id(conn, "orders").await?;
    let line0 = next_id(conn, "order_lines").await?;
    let shipment0 = next_id(conn, "shipments").await?;
    let receivable0 = next_id(conn, "receivables").await?;
    let payment0 = next_id(conn, "payments").await?;
    let rma0 = next_id(conn, "rmas").await?;
    let mut w = BenchAccountsWritten {
        customers,
        ..BenchAccountsWritten::default()
    };
    w.orders = exec(
        conn,
        "INSERT INTO orders (id, number, customer_id, state, payment, credit, total_fen, \
         created_at, updated_at) \
         SELECT $1 + n.i, 'BO' || CAST($1 + n.i AS TEXT), c.id, 'closed', 'credit', \
         'allowed', 0, d.at, d.at \
         FROM bench_n n JOIN bench_customers c ON c.k = n.i % $2 \
         JOIN bench_days d ON d.k = n.i % $3 WHERE n.i < $4",
        &[order0, customers, DAYS, orders],
    )
    .await?;
    w.order_lines = exec(
        conn,
        "INSERT INTO order_lines (id, order_id, line_no, product_id, quantity, \
         unit_price_fen, from_stock, to_produce, shipped, received) \
         SELECT $1 + n.i, $2 + n.i / 4, n.i % 4 + 1, p.id, 1 + n.i % 7, p.price, \
         1 + n.i % 7, 0, 1 + n.i % 7, 1 + n.i % 7 \
         FROM bench_n n JOIN bench_products p ON p.k = n.i % $3 WHERE n.i < $4",
        &[line0, order0, products, lines],
    )
    .await?;
    exec(
        conn,
        "UPDATE orders SET total_fen = (SELECT SUM(l.quantity * l.unit_price_fen) \
         FROM order_lines l WHERE l.order_id = orders.id) WHERE id >= $1",
        &[order0],
    )
    .await?;
    const DAY_MICROS: i64 = 86_400_000_000;
    w.shipments = exec(
        conn,
        "INSERT INTO shipments (id, order_id, number, carrier, tracking_number, state, \
         notice, shipped_at, delivered_at, checked_at) \
         SELECT $1 + n.i, $2 + n.i, 'BF' || CAST($1 + n.i AS TEXT), '顺丰速运', \
         'SF' || CAST(100000000000 + n.i AS TEXT), 'checked', 'email', d.ship_at, \
         d.ship_at + $5, d.ship_at + 2 * $5 \
         FROM bench_n n JOIN bench_days d ON d.k = n.i % $3 WHERE n.i < $4",
        &[shipment0, order0, DAYS, orders, DAY_MICROS],
    )
    .await?;
    exec(
        conn,
        "INSERT INTO shipment_lines (shipment_id, order_line_id, quantity, received) \
         SELECT $1 + n.i / 4, $2 + n.i, 1 + n.i % 7, 1 + n.i % 7 FROM bench_n n WHERE n.i < $3",
        &[shipment0, line0, lines],
    )
    .await?;
    // One in twenty of what fell due is still unpaid: every ageing bucket holds some.
    w.receivables = exec(
        conn,
        "INSERT INTO receivables (id, customer_id, kind, order_id, shipment_id, reference, \
         amount_fen, open_fen, booked_on, due_on, created_at) \
         SELECT $1 + n.i, o.customer_id, 'shipment', o.id, $2 + n.i, \
         'BF' || CAST($2 + n.i AS TEXT), o.total_fen, \
         CASE WHEN d.settled = 1 AND n.i % 20 <> 0 THEN 0 ELSE o.total_fen END, \
         d.ship_day, d.due, d.ship_at \
         FROM bench_n n JOIN orders o ON o.id = $3 + n.i \
         JOIN bench_days d ON d.k = n.i % $4 WHERE n.i < $5",
        &[receivable0, shipment0, order0, DAYS, orders],
    )
    .await?;
    w.open_receivables = sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM receivables WHERE id >= $1 AND open_fen > 0",
    )
    .bind(receivable0)
    .fetch_one(&mut *conn)
    .await? as u64;
    w.payments = exec(
        conn,
        "INSERT INTO payments (id, customer_id, kind, reference, amount_fen, unapplied_fen, \
         received_on, source, created_at) \
         SELECT $1 + r.id - $2, r.customer_id, 'payment', 'BP' || CAST(r.id AS TEXT), \
         r.amount_fen, 0, r.due_on, 'import', r.created_at + $3 \
         FROM receivables r WHERE r.id >= $2 AND r.open_fen = 0",
        &[payment0, receivable0, TERMS_DAYS * DAY_MICROS],
    )
    .await?;
    exec(
        conn,
        "INSERT INTO payment_allocations (payment_id, receivable_id, amount_fen, at) \
         SELECT p.id, $2 + p.id - $1, p.amount_fen, p.created_at FROM payments p \
         WHERE p.id >= $1",
        &[payment0, receivable0],
    )
    .await?;

    let policy: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM aftersales_policies")
        .fetch_one(&mut *conn)
        .await?;
    let first_survey: Option<i64> = sqlx::query_scalar("SELECT MIN(id) FROM csat_surveys")
        .fetch_one(&mut *conn)
        .await?;
    if let Some(policy) = policy.filter(|_| spec.rmas > 0) {
        w.rmas = exec(
            conn,
            "INSERT INTO rmas (id, number, kind, state, source, customer_id, ticket_id, product_id, \
             order_number, quantity, fault, description, delivered_on, requested_on, \
             amount_fen, paid_fen, policy_id, clause, verdict, approver, reason, inspection, \
             refund_fen, created_at, updated_at, closed_at) \
             SELECT $1 + n.i, 'BR' || CAST($1 + n.i AS TEXT), \
             CASE n.i % 4 WHEN 0 THEN 'return' WHEN 1 THEN 'exchange' WHEN 2 THEN 'repair' \
             ELSE 'refund' END, 'closed', 'staff', c.id, \
             (SELECT s.ticket_id FROM csat_surveys s WHERE s.id = $8 + n.i), p.id, \
             'BO' || CAST(n.i AS TEXT), 1, \
             CASE WHEN n.i % 10 = 0 THEN 'customer_damage' ELSE 'quality' END, \
             '基准测试售后单', d.ship_day, d.ship_day, p.price, p.price, $2, 'return_window', \
             'eligible', 'auto', '', 'fault_confirmed', \
             CASE WHEN n.i % 4 IN (0, 3) THEN p.price END, d.at, d.at, d.at + $3 \
             FROM bench_n n JOIN bench_customers c ON c.k = n.i % $4 \
             JOIN bench_products p ON p.k = n.i % $5 \
             JOIN bench_days d ON d.k = (n.i * 7) % $6 WHERE n.i < $7",
            &[
                rma0,
                policy,
                5 * DAY_MICROS,
                customers,
                products,
                DAYS,
                spec.rmas,
                first_survey.unwrap_or(0),
            ],
        )
        .await?;
        w.rma_costs = exec(
            conn,
            "INSERT INTO rma_costs (rma_id, kind, amount_fen, at) \
             SELECT $1 + n.i / 2, CASE WHEN n.i % 2 = 0 THEN 'labour' ELSE 'freight' END, \
             5000 + (n.i % 50) * 100, r.created_at \
             FROM bench_n n JOIN rmas r ON r.id = $1 + n.i / 2 WHERE n.i < $2",
            &[rma0, spec.rmas * 2],
        )
        .await?;
    }
    for t in ["bench_n", "bench_customers", "bench_products", "bench_days"] {
        exec(conn, &format!("DROP TABLE {t}"), &[]).await?;
    }
    crate::dialect::follow_chosen_ids(
        conn,
        backend,
        &[
            "orders",
            "order_lines",
            "shipments",
            "receivables",
            "payments",
            "payment_allocations",
            "rmas",
            "rma_costs",
        ],
    )
    .await?;
    Ok(w)
}
