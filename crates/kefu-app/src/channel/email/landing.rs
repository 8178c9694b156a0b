//! 落地 — what is written with a mail's message, in the transaction that writes the message
//! (and, for a new ticket, the ticket): the claim of (mailbox, Message-ID) with the raw
//! mail, the Message-ID for threading the replies to come, the quoted history, and each
//! file with what became of it. A claim another delivery holds fails the transaction as a
//! `Conflict`, so two deliveries of one mail write one ticket and one message.

use jiff::Timestamp;
use kefu_domain::attachment::{self, AttachmentError, MailFile};
use kefu_store::mail::inbound::{self, NewInbound};
use kefu_store::ticket::conversation::{self, Attachment};
use kefu_store::{AnyConnection, StoreError};
use sha2::{Digest, Sha256};

use super::MailAttachment;
use super::ingest::MailSource;
use crate::{Actor, AppError, Result};

/// A parsed mail on its way to a ticket.
pub(crate) struct MailLanding {
    pub(crate) channel_id: i64,
    pub(crate) message_id: String,
    /// The failed mail tried again: its row takes the mail instead of a new claim.
    pub(crate) retry: Option<i64>,
    pub(crate) raw: Vec<u8>,
    /// The From address, lower case.
    pub(crate) sender: Option<String>,
    /// The Reply-To address, lower case: where answers go when it is set.
    pub(crate) reply_to: Option<String>,
    pub(crate) subject: String,
    pub(crate) source: MailSource,
    pub(crate) no_auto_reply: bool,
    /// What the row records: `ticket_created`, `added_to_ticket` or `bounce`.
    pub(crate) status: &'static str,
    pub(crate) quoted: Option<String>,
    pub(crate) files: Vec<MailAttachment>,
    /// The ticket the subject named, when the sender is not on it: the new ticket names it.
    pub(crate) reference: Option<String>,
    /// Largest file kept.
    pub(crate) max_file_bytes: usize,
    /// Most bytes of files kept from one mail.
    pub(crate) max_total_bytes: usize,
}

fn taken() -> AppError {
    AppError::Store(StoreError::Conflict("inbound_mails".to_owned()))
}

impl MailLanding {
    /// Claims the mail for its mailbox as `status`: the stored mail's id. A `Conflict`
    /// when another delivery holds it (or, tried again, when it left the failed list
    /// meanwhile).
    pub(crate) async fn claim(
        &self,
        conn: &mut AnyConnection,
        status: &str,
        ticket_id: Option<i64>,
        ticket_message_id: Option<i64>,
        now: Timestamp,
    ) -> Result<i64> {
        let row = NewInbound {
            channel_id: self.channel_id,
            message_id: &self.message_id,
            status,
            ticket_id,
            ticket_message_id,
            sender: self.sender.as_deref(),
            reply_to: self.reply_to.as_deref(),
            subject: Some(self.subject.as_str()).filter(|s| !s.is_empty()),
            raw: &self.raw,
            source: self.source.key(),
            reason: None,
            reason_detail: None,
            no_auto_reply: self.no_auto_reply,
            at: now,
        };
        match self.retry {
            Some(id) => {
                if inbound::settle_failed(conn, id, &row).await? {
                    Ok(id)
                } else {
                    Err(taken())
                }
            }
            None => inbound::claim(conn, &row).await?.ok_or_else(taken),
        }
    }

    /// Writes the mail with message `message_id` of ticket `ticket_id`; the stored mail's
    /// id.
    pub(crate) async fn write(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        message_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let row = self
            .claim(
                &mut *conn,
                self.status,
                Some(ticket_id),
                Some(message_id),
                now,
            )
            .await?;
        inbound::remember_message_id(
            &mut *conn,
            self.channel_id,
            &self.message_id,
            ticket_id,
            "in",
            now,
        )
        .await?;
        self.write_rest(&mut *conn, ticket_id, message_id, now)
            .await?;
        Ok(row)
    }

    /// Claims the mail for ticket `ticket_id` before its message is written, and remembers
    /// its Message-ID: the message's triggers then know the mail they would answer (an
    /// automatic reply must not answer an auto-reply). [`Self::finish`] writes the rest.
    pub(crate) async fn claim_for_ticket(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        now: Timestamp,
    ) -> Result<i64> {
        let row = self
            .claim(&mut *conn, self.status, Some(ticket_id), None, now)
            .await?;
        inbound::remember_message_id(
            &mut *conn,
            self.channel_id,
            &self.message_id,
            ticket_id,
            "in",
            now,
        )
        .await?;
        Ok(row)
    }

    /// After [`Self::claim_for_ticket`]: links stored mail `row` to its message and writes
    /// the quoted history and the files.
    pub(crate) async fn finish(
        &self,
        conn: &mut AnyConnection,
        row: i64,
        ticket_id: i64,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        inbound::set_ticket_message(&mut *conn, row, message_id).await?;
        self.write_rest(conn, ticket_id, message_id, now).await
    }

    /// The message's channel, the quoted history, the files and the event naming a referred
    /// ticket.
    async fn write_rest(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        // The answer goes back by mail while this is the customer's latest message.
        conversation::set_message_channel(&mut *conn, message_id, "email").await?;
        if let Some(quoted) = &self.quoted {
            conversation::set_quoted_text(&mut *conn, message_id, quoted).await?;
        }
        self.store_files(&mut *conn, ticket_id, message_id, now)
            .await?;
        if let Some(number) = &self.reference {
            crate::ticket::record_event(
                &mut *conn,
                ticket_id,
                &Actor::system(),
                now,
                "mail_reference",
                None,
                Some(number.clone()),
            )
            .await?;
        }
        Ok(())
    }

    /// Each file by [`attachment::check_mail_file`]: kept, kept quarantined (an event says
    /// so), or left in the stored original (an event says so; an empty part is just left).
    async fn store_files(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let system = Actor::system();
        let mut kept = 0usize;
        for f in &self.files {
            let name = attachment::clean_filename(&f.file_name);
            let verdict = if kept + f.bytes.len() > self.max_total_bytes && !f.bytes.is_empty() {
                MailFile::Dropped(AttachmentError::TooLarge {
                    max: self.max_total_bytes,
                })
            } else {
                attachment::check_mail_file(&name, &f.bytes, self.max_file_bytes)
            };
            let (content_type, quarantined) = match verdict {
                MailFile::Accepted(content_type) => (content_type, false),
                MailFile::Quarantined(_) => ("application/octet-stream".to_owned(), true),
                MailFile::Dropped(AttachmentError::Empty) => continue,
                MailFile::Dropped(_) => {
                    crate::ticket::record_event(
                        &mut *conn,
                        ticket_id,
                        &system,
                        now,
                        "mail_attachment_dropped",
                        None,
                        Some(name),
                    )
                    .await?;
                    continue;
                }
            };
            kept += f.bytes.len();
            let a = Attachment {
                id: 0,
                ticket_id,
                message_id: Some(message_id),
                filename: name.clone(),
                content_type,
                size: f.bytes.len() as i64,
                sha256: hex::encode(Sha256::digest(&f.bytes)),
                created_at: now,
                quarantined,
                inline: f.inline,
            };
            conversation::add_attachment(&mut *conn, &a, &f.bytes).await?;
            if quarantined {
                crate::ticket::record_event(
                    &mut *conn,
                    ticket_id,
                    &system,
                    now,
                    "attachment_quarantined",
                    None,
                    Some(name),
                )
                .await?;
            }
        }
        Ok(())
    }
}
