//! 规则缓存 — the set-up every ticket write is measured and triggered by (SLA policies,
//! business calendars, active triggers), kept between writes.
//!
//! Reading it took five statements per new ticket batch and four per reply or status
//! change, inside the write turn; each is a hand-off to the database, the costliest part of
//! a write when both cores are busy. Now a write reads one mark instead: how many change-log
//! entries there are about calendars, SLA policies and triggers, and the newest one's id.
//! Every write of those (on any instance) logs such an entry in its own transaction, so a
//! mark that did not move means the kept set-up is still what is stored; one that moved
//! makes the writer read the set-up again.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kefu_domain::trigger::TriggerEvent;
use kefu_store::trigger::{self as store, TriggerRow};
use kefu_store::{AnyConnection, changelog};

use super::SlaContext;
use crate::{App, Result};

/// The change-log entities whose writes change the set-up.
const ENTITIES: [&str; 3] = ["calendar", "sla_policy", "trigger"];

/// The set-up as read at one mark.
pub(crate) struct TicketRules {
    pub sla: SlaContext,
    triggers: HashMap<String, Vec<TriggerRow>>,
}

impl TicketRules {
    async fn load(conn: &mut AnyConnection) -> Result<TicketRules> {
        let sla = SlaContext::load(conn).await?;
        let mut triggers: HashMap<String, Vec<TriggerRow>> = HashMap::new();
        for row in store::all_active(conn).await? {
            triggers.entry(row.event.clone()).or_default().push(row);
        }
        Ok(TicketRules { sla, triggers })
    }

    /// The active triggers of `event`, in the order they run.
    pub fn triggers(&self, event: TriggerEvent) -> &[TriggerRow] {
        self.triggers
            .get(event.key())
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
}

/// How many change-log entries there are about the set-up, and the newest one's id.
type Mark = (i64, i64);

/// The set-up this instance read last, and the mark it was read at.
#[derive(Default)]
pub struct RulesCache {
    held: Mutex<Option<(Mark, Arc<TicketRules>)>>,
}

impl std::fmt::Debug for RulesCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RulesCache").finish_non_exhaustive()
    }
}

impl App {
    /// The ticket set-up as stored now, seen through `conn` (inside a write's transaction,
    /// as that transaction sees it).
    pub(crate) async fn ticket_rules(&self, conn: &mut AnyConnection) -> Result<Arc<TicketRules>> {
        let mark = changelog::mark_of(conn, &ENTITIES).await?;
        if let Some((at, rules)) = &*self.rules.held.lock().unwrap_or_else(|e| e.into_inner())
            && *at == mark
        {
            return Ok(rules.clone());
        }
        // Read after the mark: what is read is at least as new as the mark, and a change
        // committed in between moves the mark again, so the next write reads once more.
        let rules = Arc::new(TicketRules::load(conn).await?);
        *self.rules.held.lock().unwrap_or_else(|e| e.into_inner()) = Some((mark, rules.clone()));
        Ok(rules)
    }
}
