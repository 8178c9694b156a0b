//! 今日关注 — the signed-in owner's customers needing attention today (seed 002 §二: each
//! day the agent looks after their customers' latest state). A customer is listed once,
//! with every reason it is there and the tickets those reasons are about.

use kefu_domain::Permission;
use kefu_store::customer::{self as store, AttentionRow, Customer};

use super::mask_customer;
use crate::{Actor, App, AppError, Result};

/// Most customers the view lists.
const MAX_CUSTOMERS: usize = 200;

/// Most reason rows read: enough for every listed customer's tickets.
const MAX_ROWS: i64 = 2_000;

/// One reason a customer is listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttentionReason {
    /// `overdue_ticket`, `new_ticket`, `credit` or `dormant` (see
    /// [`kefu_store::customer::AttentionRow::reason`]).
    pub key: &'static str,
    /// The tickets a ticket reason is about, (id, number) in id order; empty for the others.
    pub tickets: Vec<(i64, String)>,
}

/// A customer needing attention today, sensitive values masked, with every reason, the
/// most pressing first.
#[derive(Debug, Clone)]
pub struct Attention {
    pub customer: Customer,
    pub reasons: Vec<AttentionReason>,
}

/// How pressing a reason is: overdue tickets first, dormant key accounts last.
fn rank(key: &str) -> usize {
    store::ATTENTION_REASONS
        .iter()
        .position(|k| *k == key)
        .unwrap_or(usize::MAX)
}

/// The rows (ordered by customer) as one entry per customer. When the rows ran to `limit`,
/// the last customer's may be cut short: it is left out rather than shown with reasons
/// missing (unless it is the only one).
fn group(rows: Vec<AttentionRow>, limit: usize) -> Vec<Attention> {
    let full = rows.len() >= limit;
    let mut out: Vec<Attention> = Vec::new();
    for row in rows {
        if out.last().is_none_or(|a| a.customer.id != row.customer.id) {
            out.push(Attention {
                customer: row.customer,
                reasons: Vec::new(),
            });
        }
        let Some(entry) = out.last_mut() else {
            continue;
        };
        match entry.reasons.iter_mut().find(|r| r.key == row.reason) {
            Some(r) => r.tickets.extend(row.ticket),
            None => entry.reasons.push(AttentionReason {
                key: row.reason,
                tickets: row.ticket.into_iter().collect(),
            }),
        }
    }
    if full && out.len() > 1 {
        out.pop();
    }
    for a in &mut out {
        a.reasons.sort_by_key(|r| rank(r.key));
        for r in &mut a.reasons {
            r.tickets.sort_unstable();
            r.tickets.dedup();
        }
    }
    out.sort_by_key(|a| {
        (
            a.reasons.first().map_or(usize::MAX, |r| rank(r.key)),
            a.customer.id,
        )
    });
    out.truncate(MAX_CUSTOMERS);
    out
}

impl App {
    /// 今日关注 — the signed-in owner's customers needing attention today, each once: new
    /// or overdue tickets (naming them), credit changed in the last week, key accounts
    /// without contact for `dormant_after_days`.
    pub async fn customers_needing_attention(&self, actor: &Actor) -> Result<Vec<Attention>> {
        actor.require(Permission::CustomerView)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        let now = self.now();
        let dormant = now - jiff::SignedDuration::from_hours(24 * self.settings.dormant_after_days);
        let week = now - jiff::SignedDuration::from_hours(24 * 7);
        let mut conn = self.store.conn().await?;
        let today = crate::workbench::local_date(now);
        let rows =
            store::needing_attention(&mut conn, me, dormant, week, now, today, MAX_ROWS).await?;
        Ok(group(rows, MAX_ROWS as usize)
            .into_iter()
            .map(|a| Attention {
                customer: mask_customer(a.customer),
                reasons: a.reasons,
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;

    fn customer(id: i64) -> Customer {
        Customer {
            id,
            kind: "company".into(),
            name: format!("客户{id}"),
            name_key: format!("客户{id}"),
            tier: "normal".into(),
            customer_type: "end_customer".into(),
            status: "active".into(),
            province: None,
            city: None,
            industry: None,
            owner_id: Some(1),
            owner_name: None,
            tags: Vec::new(),
            notes: None,
            id_number: None,
            address: None,
            bank_account: None,
            last_contact_at: None,
            credit_grade: None,
            credit_limit_fen: 0,
            payment_terms: None,
            credit_updated_at: None,
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            version: 1,
        }
    }

    fn row(id: i64, reason: &'static str, ticket: Option<i64>) -> AttentionRow {
        AttentionRow {
            customer: customer(id),
            reason,
            ticket: ticket.map(|t| (t, format!("KF20261125-{t:04}"))),
        }
    }

    #[test]
    fn a_customer_is_listed_once_with_every_reason_and_its_tickets() {
        let rows = vec![
            row(1, "credit", None),
            row(1, "overdue_ticket", Some(7)),
            row(1, "overdue_ticket", Some(3)),
            row(1, "new_ticket", Some(9)),
            row(2, "dormant", None),
            row(3, "credit", None),
        ];
        let list = group(rows, 100);
        let ids: Vec<i64> = list.iter().map(|a| a.customer.id).collect();
        assert_eq!(ids, [1, 3, 2], "the most pressing first");
        let keys: Vec<&str> = list[0].reasons.iter().map(|r| r.key).collect();
        assert_eq!(keys, ["overdue_ticket", "new_ticket", "credit"]);
        assert_eq!(
            list[0].reasons[0].tickets,
            [
                (3, "KF20261125-0003".to_owned()),
                (7, "KF20261125-0007".to_owned())
            ]
        );
        assert!(list[0].reasons[2].tickets.is_empty());
    }

    #[test]
    fn a_customer_cut_short_by_the_row_limit_is_left_out() {
        let rows = vec![
            row(1, "credit", None),
            row(2, "overdue_ticket", Some(1)),
            row(2, "overdue_ticket", Some(2)),
        ];
        let ids: Vec<i64> = group(rows.clone(), 3)
            .iter()
            .map(|a| a.customer.id)
            .collect();
        assert_eq!(ids, [1]);
        assert_eq!(
            group(rows[1..].to_vec(), 2).len(),
            1,
            "unless it is the only one"
        );
    }
}
