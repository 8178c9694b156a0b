//! 回复 — a public reply on a ticket the customer last wrote by WeChat goes back to them
//! through the customer-service message API. It is queued in the transaction that wrote
//! the reply: a row in `wechat_sends` and a job that sends it (see [`super::send`]). It
//! goes to the follower who last wrote on the ticket, through the account they wrote to.
//!
//! Not queued, with an event on the ticket saying why (never an error: the agent's reply
//! stands): the account is switched off; the follower opted out of WeChat (their contact's
//! opt-outs) or unsubscribed (未发送：客户已退订); their last message is 48 hours old or
//! more — WeChat would refuse it (未发送：超出微信 48 小时回复窗口，请改用其他渠道), and the
//! agent who wrote the reply is told.

use jiff::Timestamp;
use kefu_domain::channel::wechat::{CHANNEL_KEY, MAX_TEXT_BYTES, reply_window, split_text};
use kefu_store::jobs::{self, NewJob};
use kefu_store::ticket::Ticket;
use kefu_store::wechat as store;
use kefu_store::wechat::inbound;
use kefu_store::wechat::sends::{self, NewSend};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use super::SEND_ATTEMPTS;
use crate::jobs::kind;
use crate::notify::{self, notify};
use crate::{Actor, App, Result};

/// Why a reply did not go by WeChat: the value of the ticket's `wechat_not_sent` event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotSent {
    /// The follower's last message is 48 hours old or more (or WeChat answered 45015).
    Window,
    /// The follower's contact opted out of WeChat, or the follower unsubscribed.
    OptedOut,
    /// The account is switched off.
    Inactive,
}

impl NotSent {
    pub const ALL: [NotSent; 3] = [NotSent::Window, NotSent::OptedOut, NotSent::Inactive];

    pub fn key(self) -> &'static str {
        match self {
            NotSent::Window => "window",
            NotSent::OptedOut => "opted_out",
            NotSent::Inactive => "inactive",
        }
    }
}

/// The event a reply not sent leaves on its ticket.
pub(super) async fn record_not_sent(
    conn: &mut AnyConnection,
    ticket_id: i64,
    why: NotSent,
    now: Timestamp,
) -> Result<()> {
    crate::ticket::record_event(
        conn,
        ticket_id,
        &Actor::system(),
        now,
        "wechat_not_sent",
        None,
        Some(why.key().to_owned()),
    )
    .await
}

/// Tells `author` (who wrote the reply) that it did not go by WeChat, its window passed.
pub(super) async fn tell_author(
    conn: &mut AnyConnection,
    author: Option<i64>,
    ticket_id: i64,
    number: &str,
    subject: &str,
    now: Timestamp,
) -> Result<()> {
    let Some(author) = author else {
        return Ok(());
    };
    notify(
        conn,
        &[author],
        notify::kind::WECHAT_NOT_SENT,
        Some(ticket_id),
        &json!({"number": number, "subject": subject}),
        now,
    )
    .await
}

/// Whether the contact `contact_id` refuses WeChat.
pub(super) async fn opted_out(conn: &mut AnyConnection, contact_id: Option<i64>) -> Result<bool> {
    let Some(id) = contact_id else {
        return Ok(false);
    };
    match kefu_store::customer::contact_by_id(conn, id).await {
        Ok(c) => Ok(c.opt_outs.iter().any(|o| o == CHANNEL_KEY)),
        Err(StoreError::NotFound) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

impl App {
    /// Queues, in the caller's transaction, the WeChat reply carrying public message
    /// `message_id` of ticket `t`, to the follower who last wrote on it. A reply that may
    /// not go is not queued and an event on the ticket says why; nothing here fails the
    /// agent's reply but the database.
    pub(crate) async fn queue_reply_wechat(
        &self,
        conn: &mut AnyConnection,
        t: &Ticket,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let Some((channel_id, openid)) = inbound::last_of_ticket(&mut *conn, t.id).await? else {
            return Ok(());
        };
        let Some((author, body)) = sends::public_message(&mut *conn, message_id).await? else {
            return Ok(());
        };
        if body.trim().is_empty() {
            return Ok(());
        }
        let channel = store::channel(&mut *conn, channel_id).await?;
        if !channel.active {
            return record_not_sent(conn, t.id, NotSent::Inactive, now).await;
        }
        let follower = inbound::follower(&mut *conn, channel_id, &openid).await?;
        let unsubscribed = follower.as_ref().is_some_and(|f| !f.subscribed);
        let contact = follower.as_ref().and_then(|f| f.contact_id);
        if unsubscribed || opted_out(&mut *conn, contact).await? {
            return record_not_sent(conn, t.id, NotSent::OptedOut, now).await;
        }
        let last = follower.as_ref().and_then(|f| f.last_message_at);
        if !reply_window(last, now).is_open() {
            record_not_sent(&mut *conn, t.id, NotSent::Window, now).await?;
            return tell_author(conn, author, t.id, &t.number, &t.subject, now).await;
        }
        let parts = split_text(&body, MAX_TEXT_BYTES).len() as i64;
        let id = sends::queue(
            &mut *conn,
            &NewSend {
                channel_id,
                ticket_id: t.id,
                ticket_message_id: message_id,
                author_user_id: author,
                openid: &openid,
                content: &body,
                parts,
            },
            now,
        )
        .await?;
        let unique = format!("{}:{id}", kind::WECHAT_SEND);
        let payload = json!({ "send": id }).to_string();
        jobs::enqueue(
            &mut *conn,
            &NewJob {
                kind: kind::WECHAT_SEND,
                unique_key: Some(&unique),
                payload: &payload,
                run_at: now,
                max_attempts: SEND_ATTEMPTS,
            },
            now,
        )
        .await?;
        Ok(())
    }
}
