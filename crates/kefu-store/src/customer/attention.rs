//! 今日关注 as stored (seed 002 §二): every reason an owner's customer needs attention
//! today, one row per reason and ticket, read in one query. The app groups the rows by
//! customer.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use super::{COLUMNS, Customer, from_row};
use crate::{Result, to_micros};

/// The reasons a customer is listed, as [`AttentionRow::reason`] names them, the most
/// pressing first.
pub const ATTENTION_REASONS: [&str; 5] = [
    "overdue_ticket",
    "overdue_receivable",
    "new_ticket",
    "credit",
    "dormant",
];

/// One reason a customer needs attention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionRow {
    pub customer: Customer,
    /// `overdue_ticket` (an active ticket past its SLA deadline), `overdue_receivable`
    /// (something owed past its due date), `new_ticket` (one nobody has answered yet), `credit` (grade, limit or terms changed lately) or `dormant` (a
    /// key account without contact for too long).
    pub reason: &'static str,
    /// The ticket a ticket reason is about: (id, number).
    pub ticket: Option<(i64, String)>,
}

/// Every reason `owner`'s customers need attention today: active tickets that are new or
/// past their deadline at `now` (one row each), credit changed since `changed_since`, key
/// accounts not lost without contact since `dormant_before`. Ordered by customer, at most
/// `limit` rows.
pub async fn needing_attention(
    conn: &mut AnyConnection,
    owner: i64,
    dormant_before: Timestamp,
    changed_since: Timestamp,
    now: Timestamp,
    today: jiff::civil::Date,
    limit: i64,
) -> Result<Vec<AttentionRow>> {
    // The owner's customers first, then each one's open tickets (CROSS JOIN keeps SQLite to
    // that order): an owner has hundreds of customers, the company tens of thousands of
    // open tickets.
    let sql = format!(
        "SELECT {COLUMNS}, a.reason, a.ticket_id, a.ticket_number FROM ( \
           SELECT t.customer_id AS customer_id, \
                  CASE WHEN t.sla_next_due_at < $2 THEN 'overdue_ticket' ELSE 'new_ticket' END \
                    AS reason, \
                  t.id AS ticket_id, t.number AS ticket_number \
             FROM customers o CROSS JOIN tickets t \
            WHERE t.customer_id = o.id AND o.owner_id = $1 AND t.active = 1 \
              AND (t.status_category = 'new' OR t.sla_next_due_at < $2) \
           UNION ALL \
           SELECT DISTINCT r.customer_id, 'overdue_receivable', CAST(NULL AS BIGINT), NULL \
             FROM customers o CROSS JOIN receivables r \
            WHERE r.customer_id = o.id AND o.owner_id = $1 AND r.open_fen > 0 AND r.due_on < $6 \
           UNION ALL \
           SELECT id, 'credit', NULL, NULL FROM customers \
            WHERE owner_id = $1 AND credit_updated_at >= $3 \
           UNION ALL \
           SELECT id, 'dormant', NULL, NULL FROM customers \
            WHERE owner_id = $1 AND tier = 'key_account' AND status <> 'lost' \
              AND (last_contact_at IS NULL OR last_contact_at < $4) \
         ) a JOIN customers c ON c.id = a.customer_id LEFT JOIN users u ON u.id = c.owner_id \
         ORDER BY c.id, a.reason, a.ticket_id LIMIT $5"
    );
    let rows = sqlx::query(&sql)
        .bind(owner)
        .bind(to_micros(now))
        .bind(to_micros(changed_since))
        .bind(to_micros(dormant_before))
        .bind(limit)
        .bind(today.to_string())
        .fetch_all(conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let stored: String = r.try_get("reason")?;
        // The query writes only these; anything else would be a query changed without this.
        let Some(reason) = ATTENTION_REASONS.into_iter().find(|k| *k == stored) else {
            continue;
        };
        let id: Option<i64> = r.try_get("ticket_id")?;
        let number: Option<String> = r.try_get("ticket_number")?;
        out.push(AttentionRow {
            customer: from_row(r)?,
            reason,
            ticket: id.zip(number),
        });
    }
    Ok(out)
}
