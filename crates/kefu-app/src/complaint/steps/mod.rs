//! The steps of the loop, one use case each; every one checks everything before it writes
//! and runs in one transaction, so a refused step changes nothing.
//!
//! This module holds what the steps share; the steps themselves live in the submodules, one
//! per stretch of the loop.

mod closing;
mod evidence;
mod intake;
mod notices;
mod rma;
mod solution;

pub use closing::Evaluation;
pub use intake::Judgement;
pub use rma::NewPenalty;
pub use solution::{Investigation, NewProposal};

use kefu_domain::Role;
use kefu_domain::complaint::ComplaintError;
use kefu_store::AnyConnection;
use kefu_store::complaint::{self as store, Complaint};
use serde_json::json;

use super::expect_version;
use crate::ticket::TicketChanges;
use crate::{Actor, App, Result};

/// Active customer service managers: who approves and who hears of escalations.
pub(crate) async fn managers(conn: &mut AnyConnection) -> Result<Vec<i64>> {
    with_role(conn, Role::CsManager).await
}

pub(crate) use crate::notify::with_role;

/// Who must act on complaint `c` now: its handler (the complaint specialist who accepted
/// it), or — before anyone has — every complaint specialist.
pub(crate) async fn handlers(conn: &mut AnyConnection, c: &Complaint) -> Result<Vec<i64>> {
    match c.handler_id {
        Some(h) => Ok(vec![h]),
        None => with_role(conn, Role::ComplaintSpecialist).await,
    }
}

fn params(c: &Complaint) -> serde_json::Value {
    json!({"number": c.ticket_number, "complaint": c.id, "stage": c.stage.key()})
}

impl App {
    /// Complaint `id` for a step: taken at version `expected` (see [`expect_version`]), and
    /// refused when closed.
    async fn open_for_step(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        expected: Option<i64>,
    ) -> Result<Complaint> {
        expect_version(conn, id, expected).await?;
        let c = store::by_id(conn, id).await?;
        if !c.stage.is_open() {
            return Err(ComplaintError::Closed.into());
        }
        Ok(c)
    }

    /// A closed complaint resolves its ticket (unless someone already closed it).
    async fn resolve_ticket(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        ticket_id: i64,
    ) -> Result<()> {
        let t = kefu_store::ticket::by_id(conn, ticket_id).await?;
        if matches!(
            t.category,
            kefu_domain::ticket::StatusCategory::Resolved
                | kefu_domain::ticket::StatusCategory::Closed
        ) {
            return Ok(());
        }
        let changes = TicketChanges {
            status: Some(
                kefu_domain::ticket::StatusCategory::Resolved
                    .key()
                    .to_owned(),
            ),
            ..TicketChanges::default()
        };
        self.apply_changes(conn, actor, ticket_id, &changes, None)
            .await
            .map(|_| ())
    }
}
