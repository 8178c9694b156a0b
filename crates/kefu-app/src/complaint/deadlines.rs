//! The stage clock's periodic check: a warning to the handler before a stage's deadline,
//! an escalation to the managers after it, and escalation of notices a department left
//! unanswered — each once, however many instances run the check.

use jiff::Timestamp;
use kefu_store::StoreError;
use kefu_store::complaint as store;
use serde_json::json;

use super::steps::{handlers, managers};
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

impl App {
    /// Returns (warnings, escalations) sent by this call.
    pub async fn run_complaint_deadlines(&self) -> Result<(usize, usize)> {
        let now = self.now();
        let mut warned = 0;
        let mut escalated = 0;
        let overdue = {
            let mut conn = self.store.conn().await?;
            store::due(&mut conn, now, true).await?
        };
        for id in overdue {
            if self.mark_deadline(id, now, true).await? {
                escalated += 1;
            }
        }
        let soon = {
            let mut conn = self.store.conn().await?;
            store::due(&mut conn, now + self.settings.sla_warning, false).await?
        };
        for id in soon {
            if self.mark_deadline(id, now, false).await? {
                warned += 1;
            }
        }
        let notices = {
            let mut conn = self.store.conn().await?;
            store::overdue_notices(&mut conn, now).await?
        };
        for id in notices {
            if self.escalate_notice(id, now).await? {
                escalated += 1;
            }
        }
        Ok((warned, escalated))
    }

    async fn mark_deadline(&self, id: i64, now: Timestamp, escalation: bool) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        if !store::claim_mark(&mut tx, id, escalation).await? {
            return Ok(false);
        }
        let c = store::by_id(&mut tx, id).await?;
        // A stage already overdue needs no warning, only the escalation.
        if !escalation && c.stage_due_at.is_some_and(|d| d <= now) {
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(false);
        }
        let params = json!({
            "number": c.ticket_number,
            "complaint": c.id,
            "stage": c.stage.key(),
            "due": c.stage_due_at.map(|d| d.to_string()),
        });
        let (what, to) = if escalation {
            (kind::COMPLAINT_OVERDUE, managers(&mut tx).await?)
        } else {
            (kind::COMPLAINT_WARNING, handlers(&mut tx, &c).await?)
        };
        notify::notify(&mut tx, &to, what, Some(c.ticket_id), &params, now).await?;
        let action = if escalation { "escalated" } else { "warned" };
        self.note_step(&mut tx, &Actor::system(), &c, action, None, now)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(true)
    }

    async fn escalate_notice(&self, notice_id: i64, now: Timestamp) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        if !store::claim_notice_escalation(&mut tx, notice_id).await? {
            return Ok(false);
        }
        let Some(complaint_id) = store::notice_complaint(&mut tx, notice_id).await? else {
            return Ok(false);
        };
        let c = store::by_id(&mut tx, complaint_id).await?;
        let to: Vec<i64> = managers(&mut tx)
            .await?
            .into_iter()
            .chain(handlers(&mut tx, &c).await?)
            .collect();
        let params = json!({"number": c.ticket_number, "complaint": c.id, "stage": c.stage.key()});
        notify::notify(
            &mut tx,
            &to,
            kind::COMPLAINT_NOTICE_OVERDUE,
            Some(c.ticket_id),
            &params,
            now,
        )
        .await?;
        self.note_step(&mut tx, &Actor::system(), &c, "notice_escalated", None, now)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(true)
    }
}
