//! 调查证据 — files that back the investigation: sent with the investigation form, or added
//! on their own (the API's upload) while the complaint is open. They are stored as the
//! complaint ticket's attachments — the same size and type checks, the same download route
//! and permission — and marked as the complaint's evidence.

use kefu_domain::Permission;
use kefu_domain::attachment::AttachmentError;
use kefu_store::complaint::{self as store, Evidence};
use kefu_store::ticket::conversation;
use kefu_store::{AnyConnection, StoreError, changelog};

use crate::ticket::Upload;
use crate::{Actor, App, Result};

/// Marks the attachments `ids` of the complaint's ticket as its evidence, added by `actor`.
pub(super) async fn mark_evidence(
    conn: &mut AnyConnection,
    actor: &Actor,
    complaint_id: i64,
    ids: &[i64],
    now: jiff::Timestamp,
) -> Result<()> {
    for a in ids {
        store::add_evidence(&mut *conn, complaint_id, *a, actor.user_id(), now).await?;
    }
    Ok(())
}

/// The attachments a message of ticket `ticket_id` carries.
pub(super) async fn files_of_message(
    conn: &mut AnyConnection,
    ticket_id: i64,
    message_id: i64,
) -> Result<Vec<i64>> {
    Ok(conversation::attachments(conn, ticket_id)
        .await?
        .into_iter()
        .filter(|a| a.message_id == Some(message_id))
        .map(|a| a.id)
        .collect())
}

impl App {
    /// Adds files to complaint `id`'s evidence, taken at version `expected` (see
    /// [`crate::complaint`]'s note on versions), while the complaint is open. Each file is
    /// checked as any attachment is (size, a type read from its bytes); one refused file
    /// refuses them all and nothing is stored. Returns the files added.
    pub async fn add_complaint_evidence(
        &self,
        actor: &Actor,
        id: i64,
        files: &[Upload],
        expected: Option<i64>,
    ) -> Result<Vec<Evidence>> {
        actor.require(Permission::ComplaintHandle)?;
        let checked = self.check_uploads(files)?;
        if checked.is_empty() {
            return Err(AttachmentError::Empty.into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let c = self.open_for_step(&mut tx, id, expected).await?;
        let ids = crate::ticket::attach_checked(&mut tx, actor, c.ticket_id, &checked, now).await?;
        mark_evidence(&mut tx, actor, c.id, &ids, now).await?;
        store::bump_version(&mut tx, c.id).await?;
        changelog::record(
            &mut tx,
            "complaint",
            c.id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        let added = store::evidence(&mut tx, c.id)
            .await?
            .into_iter()
            .filter(|e| ids.contains(&e.attachment_id))
            .collect();
        tx.commit().await.map_err(StoreError::from)?;
        Ok(added)
    }
}
