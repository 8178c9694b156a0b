//! What a ticket's page says about texts: each reply sent by text with the messages it took
//! and what became of it (短信 2 条 · 已送达, 发送失败：…), and whether the next public reply
//! would go by text (the reply box then counts the messages as one types).

use kefu_domain::Permission;
use kefu_store::sms::{self as store, inbound, sends};

use super::CHANNEL_KEY;
use crate::{Actor, App, Result};

/// One reply's text as the ticket page shows it beside the reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSendView {
    /// The reply (ticket message) it carries.
    pub message_id: i64,
    pub segments: i64,
    /// `queued`, `sent`, `delivered` or `failed`.
    pub status: String,
    /// Why it failed, in the gateway's or the operator's words (numbers masked).
    pub reason: Option<String>,
}

/// A ticket's texts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketSms {
    pub sends: Vec<SmsSendView>,
    /// The next public reply goes by text (the customer last wrote by text).
    pub reply_by_sms: bool,
    /// The signature the gateway will put before it: counted with the reply.
    pub sign_name: Option<String>,
}

impl TicketSms {
    /// The text that carried message `message_id`, if one did.
    pub fn of_message(&self, message_id: i64) -> Option<&SmsSendView> {
        self.sends.iter().find(|s| s.message_id == message_id)
    }
}

impl App {
    /// Ticket `ticket_id`'s texts, for its page (read by whoever works tickets).
    pub async fn ticket_sms(&self, actor: &Actor, ticket_id: i64) -> Result<TicketSms> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        let sends = sends::of_ticket(&mut conn, ticket_id)
            .await?
            .into_iter()
            .filter_map(|s| {
                Some(SmsSendView {
                    message_id: s.ticket_message_id?,
                    segments: s.segments,
                    reason: s.last_error.filter(|_| s.status == sends::status::FAILED),
                    status: s.status,
                })
            })
            .collect();
        let last =
            kefu_store::ticket::conversation::last_inbound_channel(&mut conn, ticket_id).await?;
        let reply_by_sms = last.as_deref() == Some(CHANNEL_KEY);
        let sign_name = if reply_by_sms {
            let came_by = match inbound::last_of_ticket(&mut conn, ticket_id).await? {
                Some(t) => Some(store::channel(&mut conn, t.channel_id).await?),
                None => None,
            };
            match came_by.filter(|c| c.active) {
                Some(c) => Some(c.sign_name),
                None => store::sending_channel(&mut conn)
                    .await?
                    .map(|c| c.sign_name),
            }
        } else {
            None
        };
        Ok(TicketSms {
            sends,
            reply_by_sms,
            sign_name,
        })
    }
}
