//! 会话落地 — what is written with a chat's ticket, in the transaction that writes the
//! ticket and its first message (the visitor's first words): the rest of the transcript,
//! the visitor's lines marked as having come by chat, the first answer counted as the
//! ticket's first response, and the chat's link to the ticket. The link is conditional
//! (`… WHERE ticket_id IS NULL`): a chat that became a ticket meanwhile fails the
//! transaction as a `Conflict`, so a chat becomes one ticket however often it is ended.

use jiff::Timestamp;
use kefu_domain::channel::chat::ChatAuthor;
use kefu_domain::ticket::StatusCategory;
use kefu_store::chat::sessions;
use kefu_store::ticket::conversation::{self, NewMessage};
use kefu_store::ticket::{self as tickets};
use kefu_store::{AnyConnection, StoreError};

use super::ChatMessage;
use crate::ticket::SlaContext;
use crate::{Actor, AppError, Result};

/// The channel key a customer's message that came by chat carries.
pub(crate) const CHANNEL_KEY: &str = "chat";

/// A chat (or an offline message) on its way to a ticket.
pub(crate) struct ChatLanding {
    /// The chat the ticket is made of; none for a message left on the offline form.
    pub(crate) session_id: Option<i64>,
    /// The chat's lines after the visitor's first, in order.
    pub(crate) rest: Vec<ChatMessage>,
}

impl ChatLanding {
    /// Writes the rest of the transcript on ticket `ticket_id`, whose first message
    /// `first_message_id` the intake wrote, and links the chat to it.
    pub(crate) async fn write(
        &self,
        conn: &mut AnyConnection,
        ticket_id: i64,
        first_message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        conversation::set_message_channel(&mut *conn, first_message_id, CHANNEL_KEY).await?;
        let mut answered_in_chat = false;
        for m in &self.rest {
            let author = m.author.parse::<ChatAuthor>().unwrap_or(ChatAuthor::System);
            // The agent's answers are the ticket's public replies, written here and sent
            // nowhere: the visitor read them in the chat. kefu's own lines (accepted,
            // transferred, ended) are internal notes.
            let (visibility, kind, user) = match author {
                ChatAuthor::Visitor => ("public", "customer", None),
                ChatAuthor::Agent => ("public", "staff", m.author_user_id),
                ChatAuthor::System => ("internal", "system", None),
            };
            let id = conversation::add_message(
                &mut *conn,
                &NewMessage {
                    ticket_id,
                    visibility,
                    author_kind: kind,
                    author_user_id: user,
                    author_name: &m.author_name,
                    body: &m.body,
                    at: m.created_at,
                },
            )
            .await?;
            match author {
                ChatAuthor::Visitor => {
                    conversation::set_message_channel(&mut *conn, id, CHANNEL_KEY).await?;
                }
                ChatAuthor::Agent => answered_in_chat = true,
                ChatAuthor::System => {}
            }
        }
        if answered_in_chat {
            answered(&mut *conn, ticket_id, now).await?;
        }
        if let Some(session) = self.session_id
            && !sessions::link_ticket(&mut *conn, session, ticket_id).await?
        {
            return Err(AppError::Store(StoreError::Conflict(
                "chat_sessions".to_owned(),
            )));
        }
        Ok(())
    }
}

/// The agent answered in the chat: the ticket, made when the chat ended, was answered by
/// the time it existed (its first response is its creation), and is being worked on
/// rather than new.
async fn answered(conn: &mut AnyConnection, ticket_id: i64, now: Timestamp) -> Result<()> {
    let mut t = tickets::by_id(&mut *conn, ticket_id).await?;
    let before = t.category;
    t.first_response_at.get_or_insert(t.created_at);
    if t.category == StatusCategory::New {
        let old = t.status.clone();
        crate::ticket::move_to_key(
            &mut t,
            StatusCategory::Open.key(),
            StatusCategory::Open,
            now,
        )?;
        crate::ticket::record_event(
            &mut *conn,
            ticket_id,
            &Actor::system(),
            now,
            "status",
            Some(old),
            Some(t.status.clone()),
        )
        .await?;
    }
    SlaContext::load(&mut *conn)
        .await?
        .refresh(&mut t, Some(before), now);
    tickets::save(&mut *conn, &t).await?;
    Ok(())
}
