//! 待审批 — the managers' one list of every proposal waiting for their approval, so no one
//! opens complaints one by one to find them.

use kefu_domain::Permission;
use kefu_store::complaint::{self as store, Waiting};

use crate::{Actor, App, Result};

/// The list shows at most this many; the oldest first, so none waits unseen.
pub const WAITING_SHOWN: i64 = 200;

impl App {
    /// Every proposal waiting for approval, the oldest first.
    pub async fn proposals_awaiting_approval(&self, actor: &Actor) -> Result<Vec<Waiting>> {
        actor.require(Permission::ComplaintApprove)?;
        let mut conn = self.store.conn().await?;
        Ok(store::waiting_proposals(&mut conn, WAITING_SHOWN).await?)
    }
}
