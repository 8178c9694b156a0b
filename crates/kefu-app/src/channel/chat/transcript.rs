//! 会话转工单 — every chat that ends becomes a ticket (channel 在线客服), once: the visitor's
//! first words are its first message, through the one intake every channel uses (the chat
//! as external id), and the rest of the transcript is written in the same transaction
//! ([`super::ChatLanding`]), the visitor's lines as the customer's, the agent's answers as
//! public replies sent nowhere, kefu's own lines as internal notes. The ticket is made when
//! the chat ends; if that fails, the sweep makes it later.
//!
//! The sweep (a job every minute) also ends chats nobody wrote in for
//! [`IDLE_MINUTES`](kefu_domain::channel::chat::IDLE_MINUTES).

use jiff::SignedDuration;
use kefu_domain::channel::chat::{ChatAuthor, ChatStatus, EndedBy, IDLE_MINUTES, is_idle};
use kefu_domain::ticket::{Channel, SUBJECT_MAX};
use kefu_domain::{Locale, Permission};
use kefu_store::chat::{messages, sessions};
use kefu_store::{AnyConnection, StoreError, changelog};

use super::{ChatLanding, ChatMessage, SESSION_ENTITY};
use crate::ticket::Intake;
use crate::{App, AppError, Result};

/// The most chats one sweep ends, and the most tickets it makes.
const SWEEP_BATCH: i64 = 200;

/// The external id of the ticket chat `session` becomes.
fn external_id(session: i64) -> String {
    format!("chat-session-{session}")
}

impl App {
    /// Ends chat `id` (a no-op for one ended before) in the caller's transaction, with a
    /// line saying who ended it: whether it ended now.
    pub(super) async fn end_in(
        &self,
        conn: &mut AnyConnection,
        id: i64,
        by: EndedBy,
        user: Option<i64>,
        now: jiff::Timestamp,
    ) -> Result<bool> {
        if !sessions::end(&mut *conn, id, by.key(), now).await? {
            return Ok(false);
        }
        let key = match by {
            EndedBy::Visitor => "chat.system.ended_visitor",
            EndedBy::Agent => "chat.system.ended_agent",
            EndedBy::Idle => "chat.system.ended_idle",
        };
        self.system_line(&mut *conn, id, key, &[], now).await?;
        changelog::record(
            &mut *conn,
            SESSION_ENTITY,
            id,
            changelog::Operation::Update,
            user,
            now,
        )
        .await?;
        Ok(true)
    }

    /// Ends chat `id` as `by` says and makes its ticket: the ticket's id.
    pub(super) async fn end_chat_as(
        &self,
        id: i64,
        by: EndedBy,
        user: Option<i64>,
    ) -> Result<Option<i64>> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        sessions::lock(&mut tx, id).await?;
        self.end_in(&mut tx, id, by, user, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        self.chat_ticket_after_end(id).await
    }

    /// The ticket of a chat that has just ended. The chat has ended whatever happens here:
    /// a ticket that cannot be written now is left to the sweep (and logged).
    pub(super) async fn chat_ticket_after_end(&self, id: i64) -> Result<Option<i64>> {
        match self.make_chat_ticket(id).await {
            Ok(t) => Ok(t),
            Err(e) => {
                tracing::warn!(chat = id, error = %e, "a chat's ticket could not be made; the sweep tries again");
                Ok(None)
            }
        }
    }

    /// 会话转工单 — the ticket ended chat `id` became, made now if it has none: its id. A
    /// chat without a visitor's line, or not ended, makes none. Made once however often it
    /// is asked, on any instance: the chat's external id and its conditional link see to it.
    pub async fn make_chat_ticket(&self, id: i64) -> Result<Option<i64>> {
        let (s, mut lines) = {
            let mut conn = self.store.conn().await?;
            let s = sessions::session(&mut conn, id).await?;
            if s.ticket_id.is_some() || s.status != ChatStatus::Ended.key() {
                return Ok(s.ticket_id);
            }
            let mut lines: Vec<ChatMessage> = Vec::new();
            loop {
                let after = lines.last().map_or(0, |m| m.seq);
                let batch =
                    messages::after(&mut conn, id, after, super::visitor::READ_BATCH).await?;
                let done = (batch.len() as i64) < super::visitor::READ_BATCH;
                lines.extend(batch);
                if done {
                    break;
                }
            }
            (s, lines)
        };
        let visitor = ChatAuthor::Visitor.key();
        let Some(first) = lines.iter().position(|m| m.author == visitor) else {
            return Ok(None);
        };
        let first_line = lines.remove(first);
        let prefix = self.text(Locale::ZhCn, "chat.ticket_subject", &[]);
        let subject =
            kefu_domain::channel::chat::ticket_subject(&prefix, &first_line.body, SUBJECT_MAX);
        let mut intake = Intake::new(Channel::Chat, &subject, &first_line.body);
        intake.contact_name = Some(first_line.author_name.clone());
        intake.contact_phone = s.visitor_phone.clone();
        intake.contact_email = s.visitor_email.clone();
        intake.customer_id = s.customer_id;
        intake.group_id = s.group_id;
        intake.assignee_id = match s.agent_user_id {
            Some(a) => self.works_tickets(a).await?.then_some(a),
            None => None,
        };
        intake.external_id = Some(external_id(id));
        let landing = ChatLanding {
            session_id: Some(id),
            rest: lines,
        };
        match self.intake_chat(&intake, landing).await {
            Ok(outcome) if outcome.created => Ok(Some(outcome.ticket.id)),
            // An earlier attempt made the ticket (its external id): the chat points at it.
            Ok(outcome) => {
                let mut conn = self.store.conn().await?;
                sessions::link_ticket(&mut conn, id, outcome.ticket.id).await?;
                Ok(sessions::session(&mut conn, id).await?.ticket_id)
            }
            // Another instance made it at the same moment.
            Err(AppError::Store(StoreError::Conflict(_))) => {
                let mut conn = self.store.conn().await?;
                Ok(sessions::session(&mut conn, id).await?.ticket_id)
            }
            Err(e) => Err(e),
        }
    }

    /// Whether user `id` is an active account that works tickets (the ticket a chat becomes
    /// is theirs then).
    async fn works_tickets(&self, id: i64) -> Result<bool> {
        let mut conn = self.store.conn().await?;
        match kefu_store::staff::user_by_id(&mut conn, id).await {
            Ok(u) => Ok(u.active && u.roles.allows(Permission::TicketWork)),
            Err(StoreError::NotFound) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The chat sweep: ends the chats nobody wrote in for half an hour, then makes the
    /// tickets of ended chats that have none yet. (Chats ended, tickets made.)
    pub async fn sweep_chats(&self) -> Result<(usize, usize)> {
        let now = self.now();
        let before = now - SignedDuration::from_mins(IDLE_MINUTES);
        let idle = {
            let mut conn = self.store.conn().await?;
            sessions::idle(&mut conn, before, SWEEP_BATCH).await?
        };
        let mut ended = 0;
        for id in idle {
            let mut tx = self.store.begin().await?;
            sessions::lock(&mut tx, id).await?;
            // Read again under the chat's lock: a line written since keeps it open.
            let s = sessions::session(&mut tx, id).await?;
            if s.status != ChatStatus::Ended.key()
                && is_idle(s.last_activity_at, now)
                && self.end_in(&mut tx, id, EndedBy::Idle, None, now).await?
            {
                ended += 1;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        let pending = {
            let mut conn = self.store.conn().await?;
            sessions::ended_without_ticket(&mut conn, SWEEP_BATCH).await?
        };
        let mut made = 0;
        for id in pending {
            match self.make_chat_ticket(id).await {
                Ok(Some(_)) => made += 1,
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(chat = id, error = %e, "a chat's ticket could not be made")
                }
            }
        }
        Ok((ended, made))
    }
}
