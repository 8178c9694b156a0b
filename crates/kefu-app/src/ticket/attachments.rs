//! 附件 — files on tickets: checked by kefu-domain's rules (size, type read from the bytes),
//! stored in the database so every instance serves them, always linked to their ticket. The
//! bytes are stored once by their SHA-256: the same file uploaded again, or arriving by mail,
//! on any ticket, adds an attachment naming the bytes already there.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::attachment::{self, AttachmentError};
use kefu_store::ticket::conversation::{self, Attachment};
use kefu_store::ticket::{self as store};
use kefu_store::{AnyConnection, StoreError, changelog};
use sha2::{Digest, Sha256};

use super::event;
use crate::{Actor, App, Result};

/// A file as received.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub bytes: Vec<u8>,
}

/// A file that passed the checks.
pub(crate) struct Checked<'a> {
    filename: String,
    content_type: String,
    bytes: &'a [u8],
}

impl App {
    pub(crate) fn check_uploads<'a>(&self, files: &'a [Upload]) -> Result<Vec<Checked<'a>>> {
        let max_files = self.settings.attachments_per_message;
        if files.len() > max_files {
            return Err(AttachmentError::TooMany { max: max_files }.into());
        }
        files
            .iter()
            .map(|f| {
                let filename = attachment::clean_filename(&f.filename);
                let content_type =
                    attachment::check(&filename, &f.bytes, self.settings.attachment_max_bytes)?;
                Ok(Checked {
                    filename,
                    content_type,
                    bytes: &f.bytes,
                })
            })
            .collect()
    }

    /// Attaches files to a ticket without a message (the API's upload).
    pub async fn attach_files(
        &self,
        actor: &Actor,
        id: i64,
        files: &[Upload],
    ) -> Result<Vec<Attachment>> {
        actor.require(Permission::TicketWork)?;
        let checked = self.check_uploads(files)?;
        if checked.is_empty() {
            return Err(AttachmentError::Empty.into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        store::by_id(&mut tx, id).await?;
        let ids = attach_checked(&mut tx, actor, id, &checked, now).await?;
        let all = conversation::attachments(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(all.into_iter().filter(|a| ids.contains(&a.id)).collect())
    }

    /// An attachment's name, type and bytes, if it belongs to the ticket.
    pub async fn attachment_file(
        &self,
        actor: &Actor,
        ticket_id: i64,
        id: i64,
    ) -> Result<(String, String, Vec<u8>)> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(conversation::attachment_data(&mut conn, ticket_id, id).await?)
    }
}

/// Stores checked files on ticket `id` without a message, in the caller's transaction, as
/// the API's upload does: an `attachment` event per file, the ticket's version moved on (new
/// files are a change to the ticket) and the change logged. Returns the attachments' ids.
pub(crate) async fn attach_checked(
    conn: &mut AnyConnection,
    actor: &Actor,
    id: i64,
    checked: &[Checked<'_>],
    now: Timestamp,
) -> Result<Vec<i64>> {
    let ids = store_uploads(&mut *conn, id, None, checked, now).await?;
    for c in checked {
        event(
            &mut *conn,
            id,
            actor,
            now,
            "attachment",
            None,
            Some(c.filename.clone()),
        )
        .await?;
    }
    store::bump_version(&mut *conn, id).await?;
    changelog::record(
        &mut *conn,
        "ticket",
        id,
        changelog::Operation::Update,
        actor.user_id(),
        now,
    )
    .await?;
    Ok(ids)
}

pub(crate) async fn store_uploads(
    conn: &mut AnyConnection,
    ticket_id: i64,
    message_id: Option<i64>,
    files: &[Checked<'_>],
    now: Timestamp,
) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for f in files {
        let a = Attachment {
            id: 0,
            ticket_id,
            message_id,
            filename: f.filename.clone(),
            content_type: f.content_type.clone(),
            size: f.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(f.bytes)),
            created_at: now,
            quarantined: false,
            inline: false,
        };
        ids.push(conversation::add_attachment(conn, &a, f.bytes).await?);
    }
    Ok(ids)
}
