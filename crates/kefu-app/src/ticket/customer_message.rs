//! 客户回复 — the customer's words added to their ticket, however they came (the portal, a
//! mail): the same reopening, clocks, triggers and notice to the assignee on every path.

use jiff::Timestamp;
use kefu_domain::ticket::{self as rules, StatusCategory};
use kefu_store::ticket::conversation::{self, NewMessage};
use kefu_store::ticket::setup as store_setup;
use kefu_store::ticket::{self as tickets, Ticket};
use kefu_store::{AnyConnection, changelog};
use serde_json::json;

use super::{ClosedReply, event};
use crate::notify;
use crate::{Actor, App, AppError, Result};

impl App {
    /// Adds the customer's message to ticket `t` in the caller's transaction; returns the
    /// message's id. A ticket waiting for the customer or resolved opens again, and so does
    /// a closed one unless replies to closed tickets are refused ([`ClosedReply`]); the
    /// reply clock starts, the update triggers run, the assignee is told. `actor` is who
    /// the status change is recorded for.
    pub(crate) async fn add_customer_message(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        mut t: Ticket,
        author: &str,
        body: &str,
        now: Timestamp,
    ) -> Result<i64> {
        let id = t.id;
        let before = t.clone();
        let reopen = match t.category {
            StatusCategory::Closed => match self.settings.closed_reply {
                ClosedReply::Refuse => return Err(AppError::TicketClosed),
                ClosedReply::Reopen => true,
            },
            StatusCategory::PendingCustomer | StatusCategory::Resolved => true,
            _ => false,
        };
        if reopen {
            let mut statuses = store_setup::statuses(&mut *tx).await?;
            let found = statuses
                .iter()
                .position(|s| s.key == StatusCategory::Open.key());
            let open = match found {
                Some(i) => statuses.swap_remove(i),
                None => {
                    return Err(AppError::UnknownStatus {
                        key: StatusCategory::Open.key().to_owned(),
                        allowed: statuses.into_iter().map(|s| s.key).collect(),
                    });
                }
            };
            rules::check_transition(t.category, open.category)?;
            t.status = open.key;
            t.category = open.category;
            t.status_changed_at = now;
            t.resolved_at = None;
            t.closed_at = None;
        }
        let message_id = conversation::add_message(
            &mut *tx,
            &NewMessage {
                ticket_id: id,
                visibility: "public",
                author_kind: "customer",
                author_user_id: None,
                author_name: author,
                body,
                at: now,
            },
        )
        .await?;
        // The customer wrote: contact with the archive's customer (最近联系).
        if let Some(customer) = t.customer_id {
            kefu_store::customer::touch_contact(&mut *tx, customer, now).await?;
        }
        t.sla.awaiting_reply_since.get_or_insert(now);
        t.updated_at = now;
        let mut changed = Vec::new();
        if t.status != before.status {
            event(
                &mut *tx,
                id,
                actor,
                now,
                "status",
                Some(before.status.clone()),
                Some(t.status.clone()),
            )
            .await?;
            changed.push("status".to_owned());
        }
        self.apply_update_rules(&mut *tx, &mut t, before.category, &changed, now)
            .await?;
        tickets::save(&mut *tx, &t).await?;
        if let Some(a) = t.assignee_id {
            let params = json!({"number": t.number, "subject": t.subject});
            notify::notify(
                &mut *tx,
                &[a],
                notify::kind::CUSTOMER_REPLIED,
                Some(id),
                &params,
                now,
            )
            .await?;
        }
        changelog::record(
            &mut *tx,
            "ticket",
            id,
            changelog::Operation::Update,
            None,
            now,
        )
        .await?;
        Ok(message_id)
    }
}
