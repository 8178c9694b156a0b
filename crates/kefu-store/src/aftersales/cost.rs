//! 售后服务费用 — the costs entered on RMAs, the parts issued to them at their cost, the cost
//! report grouped one way per query on both backends, the monthly budgets, the fault figures
//! by product and part, and the record of those figures sent to the departments.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::aftersales::cost::{CostGroup, CostKind, Costs};
use kefu_domain::money;
use sqlx::{AnyConnection, Row};

use crate::ticket::parse;
use crate::{Result, from_micros, to_micros};

/// A cost entered on an RMA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    pub id: i64,
    pub kind: CostKind,
    pub amount_fen: i64,
    pub note: String,
    pub by: Option<String>,
    pub at: Timestamp,
}

/// Adds a cost to an RMA; its id.
pub async fn insert(
    conn: &mut AnyConnection,
    rma_id: i64,
    kind: CostKind,
    amount_fen: i64,
    note: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO rma_costs (rma_id, kind, amount_fen, note, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(rma_id)
    .bind(kind.key())
    .bind(amount_fen)
    .bind(note)
    .bind(by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// The costs entered on an RMA, oldest first.
pub async fn lines(conn: &mut AnyConnection, rma_id: i64) -> Result<Vec<CostLine>> {
    let rows = sqlx::query(
        "SELECT c.id, c.kind, c.amount_fen, c.note, u.display_name AS by_name, c.at \
         FROM rma_costs c LEFT JOIN users u ON u.id = c.by_user WHERE c.rma_id = $1 \
         ORDER BY c.id",
    )
    .bind(rma_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CostLine {
                id: r.try_get("id")?,
                kind: parse(r, "kind")?,
                amount_fen: money::stored(r.try_get("amount_fen")?),
                note: r.try_get("note")?,
                by: r.try_get("by_name")?,
                at: from_micros(r.try_get("at")?),
            })
        })
        .collect()
}

/// A part issued to an RMA, at its cost that day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartIssued {
    pub part_number: String,
    pub name: String,
    pub quantity: i64,
    pub unit_cost_fen: i64,
}

/// The parts issued to an RMA, in the order issued.
pub async fn parts_issued(conn: &mut AnyConnection, rma_id: i64) -> Result<Vec<PartIssued>> {
    let rows = sqlx::query(
        "SELECT p.part_number, p.name, m.quantity, m.unit_cost_fen FROM stock_movements m \
         JOIN parts p ON p.id = m.part_id WHERE m.rma_id = $1 AND m.kind = 'issue' ORDER BY m.id",
    )
    .bind(rma_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PartIssued {
                part_number: r.try_get("part_number")?,
                name: r.try_get("name")?,
                quantity: r.try_get("quantity")?,
                unit_cost_fen: money::stored(r.try_get("unit_cost_fen")?),
            })
        })
        .collect()
}

/// One row of the cost report: the group's key and label, how many RMAs, what they cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostRow {
    pub key: String,
    pub label: String,
    pub cases: i64,
    /// Parts issued (a part's row: its quantity).
    pub quantity: i64,
    pub costs: Costs,
}

/// The per-RMA parts and entered costs, joined to `rmas r` of the span.
const PER_RMA: &str = "LEFT JOIN (SELECT rma_id, CAST(SUM(quantity * unit_cost_fen) AS BIGINT) AS fen \
         FROM stock_movements WHERE kind = 'issue' AND rma_id IS NOT NULL GROUP BY rma_id) pc \
         ON pc.rma_id = r.id \
     LEFT JOIN (SELECT rma_id, \
         CAST(SUM(CASE WHEN kind = 'labour' THEN amount_fen ELSE 0 END) AS BIGINT) AS labour, \
         CAST(SUM(CASE WHEN kind = 'freight' THEN amount_fen ELSE 0 END) AS BIGINT) AS freight, \
         CAST(SUM(CASE WHEN kind = 'compensation' THEN amount_fen ELSE 0 END) AS BIGINT) AS compensation, \
         CAST(SUM(CASE WHEN kind = 'other' THEN amount_fen ELSE 0 END) AS BIGINT) AS other \
         FROM rma_costs GROUP BY rma_id) cl ON cl.rma_id = r.id";

fn sums(r: &sqlx::any::AnyRow) -> Result<Costs> {
    Ok(Costs {
        parts: r.try_get("parts")?,
        labour: r.try_get("labour")?,
        freight: r.try_get("freight")?,
        compensation: r.try_get("compensation")?,
        other: r.try_get("other")?,
        refund: r.try_get("refund")?,
    })
}

/// The cost of the RMAs registered from `from` to before `to`, grouped by `group`, the
/// costliest first.
pub async fn report(
    conn: &mut AnyConnection,
    from: Date,
    to: Date,
    group: CostGroup,
) -> Result<Vec<CostRow>> {
    if group == CostGroup::Part {
        return by_part(conn, from, to).await;
    }
    let (key, label) = match group {
        CostGroup::Product => ("p.sku", "p.name"),
        CostGroup::Category => ("CAST(p.category_id AS TEXT)", "pcat.name"),
        CostGroup::Cause => ("r.fault", "r.fault"),
        CostGroup::Point => (
            "COALESCE(CAST(r.service_point_id AS TEXT), '')",
            "COALESCE(sp.name, '')",
        ),
        CostGroup::Customer => ("CAST(r.customer_id AS TEXT)", "cu.name"),
        CostGroup::Month | CostGroup::Part => (
            "SUBSTR(r.requested_on, 1, 7)",
            "SUBSTR(r.requested_on, 1, 7)",
        ),
    };
    let sql = format!(
        "SELECT {key} AS k, {label} AS label, COUNT(*) AS cases, \
         CAST(COALESCE(SUM(pc.fen), 0) AS BIGINT) AS parts, \
         CAST(COALESCE(SUM(cl.labour), 0) AS BIGINT) AS labour, \
         CAST(COALESCE(SUM(cl.freight), 0) AS BIGINT) AS freight, \
         CAST(COALESCE(SUM(cl.compensation), 0) AS BIGINT) AS compensation, \
         CAST(COALESCE(SUM(cl.other), 0) AS BIGINT) AS other, \
         CAST(COALESCE(SUM(r.refund_fen), 0) AS BIGINT) AS refund \
         FROM rmas r JOIN products p ON p.id = r.product_id \
         JOIN product_categories pcat ON pcat.id = p.category_id \
         JOIN customers cu ON cu.id = r.customer_id \
         LEFT JOIN service_points sp ON sp.id = r.service_point_id {PER_RMA} \
         WHERE r.requested_on >= $1 AND r.requested_on < $2 \
         GROUP BY {key}, {label} ORDER BY {key}"
    );
    let rows = sqlx::query(&sql)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(conn)
        .await?;
    let mut out = rows
        .iter()
        .map(|r| {
            Ok(CostRow {
                key: r.try_get("k")?,
                label: r.try_get("label")?,
                cases: r.try_get("cases")?,
                quantity: 0,
                costs: sums(r)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if group != CostGroup::Month {
        out.sort_by(|a, b| {
            b.costs
                .total()
                .cmp(&a.costs.total())
                .then(a.key.cmp(&b.key))
        });
    }
    Ok(out)
}

/// Parts issued to the RMAs of the span, by part: how many, at what cost, to how many RMAs.
async fn by_part(conn: &mut AnyConnection, from: Date, to: Date) -> Result<Vec<CostRow>> {
    let rows = sqlx::query(
        "SELECT p.part_number, p.name, COUNT(DISTINCT m.rma_id) AS cases, \
         CAST(SUM(m.quantity) AS BIGINT) AS quantity, \
         CAST(SUM(m.quantity * m.unit_cost_fen) AS BIGINT) AS fen \
         FROM stock_movements m JOIN rmas r ON r.id = m.rma_id JOIN parts p ON p.id = m.part_id \
         WHERE m.kind = 'issue' AND r.requested_on >= $1 AND r.requested_on < $2 \
         GROUP BY p.part_number, p.name ORDER BY fen DESC, p.part_number",
    )
    .bind(from.to_string())
    .bind(to.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CostRow {
                key: r.try_get("part_number")?,
                label: r.try_get("name")?,
                cases: r.try_get("cases")?,
                quantity: r.try_get("quantity")?,
                costs: Costs {
                    parts: r.try_get("fen")?,
                    ..Costs::default()
                },
            })
        })
        .collect()
}

/// Sets a month's budget.
pub async fn set_budget(
    conn: &mut AnyConnection,
    period: &str,
    amount_fen: i64,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO aftersales_budgets (period, amount_fen, set_by, set_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (period) DO UPDATE SET \
         amount_fen = excluded.amount_fen, set_by = excluded.set_by, set_at = excluded.set_at",
    )
    .bind(period)
    .bind(amount_fen)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The budgets of the months from `from` to `to` (keys, both included), by month.
pub async fn budgets(conn: &mut AnyConnection, from: &str, to: &str) -> Result<Vec<(String, i64)>> {
    let rows = sqlx::query(
        "SELECT period, amount_fen FROM aftersales_budgets WHERE period >= $1 AND period <= $2 \
         ORDER BY period",
    )
    .bind(from)
    .bind(to)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("period")?,
                money::stored(r.try_get("amount_fen")?),
            ))
        })
        .collect()
}

/// 故障统计 — a product's RMAs of a span and what their inspections found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductFaults {
    pub sku: String,
    pub name: String,
    pub category: String,
    pub rmas: i64,
    /// Claimed as a quality fault 质量问题.
    pub quality_claims: i64,
    pub fault_confirmed: i64,
    pub no_fault: i64,
    pub customer_damage: i64,
}

/// The fault figures of the RMAs registered in the span, by product, the most confirmed
/// faults first.
pub async fn faults_by_product(
    conn: &mut AnyConnection,
    from: Date,
    to: Date,
) -> Result<Vec<ProductFaults>> {
    let count = |cond: &str, alias: &str| {
        format!("CAST(SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS BIGINT) AS {alias}")
    };
    let sql = format!(
        "SELECT p.sku, p.name, pcat.name AS category, COUNT(*) AS rmas, {}, {}, {}, {} \
         FROM rmas r JOIN products p ON p.id = r.product_id \
         JOIN product_categories pcat ON pcat.id = p.category_id \
         WHERE r.requested_on >= $1 AND r.requested_on < $2 \
         GROUP BY p.sku, p.name, pcat.name ORDER BY fault_confirmed DESC, rmas DESC, p.sku",
        count("r.fault = 'quality'", "quality_claims"),
        count("r.inspection = 'fault_confirmed'", "fault_confirmed"),
        count("r.inspection = 'no_fault'", "no_fault"),
        count("r.inspection = 'customer_damage'", "customer_damage"),
    );
    let rows = sqlx::query(&sql)
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(ProductFaults {
                sku: r.try_get("sku")?,
                name: r.try_get("name")?,
                category: r.try_get("category")?,
                rmas: r.try_get("rmas")?,
                quality_claims: r.try_get("quality_claims")?,
                fault_confirmed: r.try_get("fault_confirmed")?,
                no_fault: r.try_get("no_fault")?,
                customer_damage: r.try_get("customer_damage")?,
            })
        })
        .collect()
}

/// Fault figures sent to a department.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackRow {
    pub department: String,
    pub note: String,
    pub sent_by: Option<String>,
    pub sent_at: Timestamp,
}

/// Records the figures of `period` sent to a department.
pub async fn insert_feedback(
    conn: &mut AnyConnection,
    period: &str,
    department_id: i64,
    note: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO fault_feedback (period, department_id, note, sent_by, sent_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(period)
    .bind(department_id)
    .bind(note)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// To whom the figures of `period` were sent, newest first.
pub async fn feedback(conn: &mut AnyConnection, period: &str) -> Result<Vec<FeedbackRow>> {
    let rows = sqlx::query(
        "SELECT d.name AS department, f.note, u.display_name AS sent_by, f.sent_at \
         FROM fault_feedback f JOIN departments d ON d.id = f.department_id \
         LEFT JOIN users u ON u.id = f.sent_by WHERE f.period = $1 ORDER BY f.id DESC",
    )
    .bind(period)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FeedbackRow {
                department: r.try_get("department")?,
                note: r.try_get("note")?,
                sent_by: r.try_get("sent_by")?,
                sent_at: from_micros(r.try_get("sent_at")?),
            })
        })
        .collect()
}
