//! 回短信 — a public reply on a ticket the customer wrote by text goes back by text. It is
//! queued in the transaction that wrote the reply: a row in `sms_sends` with the reference
//! every attempt will carry and the messages it takes, and a job that sends it (see
//! `send`).
//!
//! To whom: the number of the customer's latest text on the ticket, through the gateway it
//! came by (the first switched-on one when that one is off); a ticket without a text, to
//! its contact phone. Nothing goes to a number that opted out, nor without a mobile number
//! or a gateway; each refusal is an event on the ticket (未发送：客户已退订), never an error
//! that would undo the agent's reply.

use jiff::Timestamp;
use kefu_domain::channel::phone::{CallerNumber, normalize_number};
use kefu_domain::channel::sms::{e164, plain_text, segments};
use kefu_store::AnyConnection;
use kefu_store::jobs::{self, NewJob};
use kefu_store::sms::sends::{self, NewSend};
use kefu_store::sms::{self as store, SmsChannel, inbound};
use kefu_store::ticket::Ticket;
use serde_json::json;

use crate::jobs::kind;
use crate::secret::random_hex;
use crate::{Actor, App, Result};

/// Attempts a text gets: 30 s, 2, 8 and 32 minutes apart, then hourly — about four hours
/// before it counts as failed, as a mail's.
pub const SEND_ATTEMPTS: i64 = 8;

/// The template name of a reply in the gateway's format.
pub(super) const REPLY_TEMPLATE: &str = "reply";

/// Why a reply was not sent by text (the event's value on the ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotSent {
    /// No mobile number to send to.
    NoNumber,
    /// No gateway is switched on.
    NoChannel,
    /// 已退订 — the number asked for no more texts.
    OptedOut,
}

impl NotSent {
    pub(crate) fn key(self) -> &'static str {
        match self {
            NotSent::NoNumber => "no_number",
            NotSent::NoChannel => "no_channel",
            NotSent::OptedOut => "opted_out",
        }
    }
}

/// The event a text not sent leaves on its ticket.
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
        "sms_not_sent",
        None,
        Some(why.key().to_owned()),
    )
    .await
}

/// Whether no text may go to `number`: it opted out, or a contact with it refuses texts.
pub(super) async fn is_opted_out(conn: &mut AnyConnection, number: &CallerNumber) -> Result<bool> {
    Ok(sends::opted_out(
        conn,
        &number.number,
        number.mobile(),
        &number.phone_keys(None),
    )
    .await?)
}

/// The text of a reply: its words as plain text.
pub(super) fn reply_text(body: &str) -> String {
    plain_text(body)
}

impl App {
    /// Queues, in the caller's transaction, the text carrying message `message_id` of
    /// ticket `t` (a public reply). When it may not go, an event on the ticket says why and
    /// nothing is queued.
    pub(crate) async fn queue_reply_sms(
        &self,
        conn: &mut AnyConnection,
        t: &Ticket,
        message_id: i64,
        now: Timestamp,
    ) -> Result<()> {
        let (channel, number): (Option<SmsChannel>, Option<CallerNumber>) =
            match inbound::last_of_ticket(&mut *conn, t.id).await? {
                Some(last) => {
                    let came_by = store::channel(&mut *conn, last.channel_id).await?;
                    let channel = if came_by.active {
                        Some(came_by)
                    } else {
                        store::sending_channel(&mut *conn).await?
                    };
                    (channel, normalize_number(&last.sender, None))
                }
                None => (
                    store::sending_channel(&mut *conn).await?,
                    t.contact_phone
                        .as_deref()
                        .and_then(|p| normalize_number(p, None)),
                ),
            };
        let to = number.as_ref().and_then(e164);
        let (Some(number), Some(to)) = (number, to) else {
            return record_not_sent(conn, t.id, NotSent::NoNumber, now).await;
        };
        let Some(channel) = channel else {
            return record_not_sent(conn, t.id, NotSent::NoChannel, now).await;
        };
        if is_opted_out(&mut *conn, &number).await? {
            return record_not_sent(conn, t.id, NotSent::OptedOut, now).await;
        }
        let Some(message) = sends::reply_message(&mut *conn, message_id).await? else {
            return Ok(());
        };
        let text = reply_text(&message.body);
        let taken = segments(&format!("{}{text}", channel.sign_name));
        let reference = format!("kf-{}", random_hex(10));
        let id = sends::queue(
            &mut *conn,
            &NewSend {
                channel_id: channel.id,
                reference: &reference,
                ticket_id: Some(t.id),
                ticket_message_id: Some(message_id),
                outbound_message_id: None,
                author_user_id: message.author_user_id,
                recipient: &to,
                template: REPLY_TEMPLATE,
                segments: taken.count as i64,
            },
            now,
        )
        .await?;
        let key = format!("{}:{id}", kind::SMS_SEND);
        let payload = json!({ "send": id }).to_string();
        jobs::enqueue(
            &mut *conn,
            &NewJob {
                kind: kind::SMS_SEND,
                unique_key: Some(&key),
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
