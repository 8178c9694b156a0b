//! 回信 — a public reply on a ticket the customer wrote by mail goes back by mail. It is
//! queued in the transaction that wrote the reply: a row in `mail_sends` with the
//! Message-ID every attempt will carry (also remembered for the ticket, so the customer's
//! answer threads back), and a job that sends it (see [`super::send`]).
//!
//! Which tickets: one that received a mail from its customer (the mail goes to that mail's
//! Reply-To, else its From, through the mailbox it came to), or one opened as an e-mail
//! ticket without one (to its contact e-mail, through the mailbox that sends the outbox).
//! Nothing goes to an address whose mail bounced; an automatic mail (a trigger's reply)
//! never answers a mail marked `no_auto_reply` and stays within the hourly cap per
//! address. Each refusal is an event on the ticket.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::channel::mail_out::{
    REFERENCES_MAX, domain_of, is_real_message_id, outgoing_message_id, references, reply_subject,
};
use kefu_domain::ticket::Channel;
use kefu_store::AnyConnection;
use kefu_store::jobs::{self, NewJob};
use kefu_store::mail::inbound;
use kefu_store::mail::outbound::{self, NewSend};
use kefu_store::mail::{self as store};
use kefu_store::ticket::Ticket;
use serde_json::json;

use crate::jobs::kind;
use crate::secret::random_hex;
use crate::{Actor, App, Result};

/// Attempts a mail gets: 30 s, 2, 8 and 32 minutes apart, then hourly — about four hours
/// before it counts as failed.
pub const SEND_ATTEMPTS: i64 = 8;

/// Why a reply was not sent by mail (the event's value on the ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotSent {
    /// No address to send to.
    NoAddress,
    /// The mailbox has no SMTP server, or is switched off.
    NoSmtp,
    /// Mail to the address came back before.
    Bounced,
    /// The mail answered is an auto-reply, bulk or list mail, or a bounce.
    NoAutoReply,
    /// The address had its automatic mails for this hour.
    AutoCap,
}

impl NotSent {
    pub(crate) fn key(self) -> &'static str {
        match self {
            NotSent::NoAddress => "no_address",
            NotSent::NoSmtp => "no_smtp",
            NotSent::Bounced => "bounced",
            NotSent::NoAutoReply => "no_auto_reply",
            NotSent::AutoCap => "auto_cap",
        }
    }
}

/// The event a mail not sent leaves on its ticket.
pub(crate) async fn record_not_sent(
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
        "mail_not_sent",
        None,
        Some(why.key().to_owned()),
    )
    .await
}

/// An address as mail goes to it: trimmed, lower case, plausible.
fn clean_recipient(address: Option<String>) -> Option<String> {
    let a = address?.trim().to_lowercase();
    kefu_domain::staff::check_email(&a).ok().map(|()| a)
}

impl App {
    /// Queues, in the caller's transaction, the mail carrying message `message_id` of
    /// ticket `t` (a public reply; `automatic` when no person wrote it): the mail's id, or
    /// `None` when the ticket is not answered by mail or the mail may not go (an event on
    /// the ticket says why).
    pub(crate) async fn queue_reply_mail(
        &self,
        conn: &mut AnyConnection,
        t: &Ticket,
        message_id: i64,
        automatic: bool,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let last = inbound::last_of_ticket(&mut *conn, t.id).await?;
        let (channel, recipient, parent, no_auto_reply) = match last {
            Some(m) => {
                let channel = store::channel(&mut *conn, m.channel_id).await?;
                let parent = Some(m.message_id).filter(|id| is_real_message_id(id));
                (
                    Some(channel),
                    m.reply_to.or(m.sender),
                    parent,
                    m.no_auto_reply,
                )
            }
            None if t.channel == Channel::Email => (
                store::sending_channel(&mut *conn).await?,
                t.contact_email.clone(),
                None,
                false,
            ),
            None => return Ok(None),
        };
        let Some(recipient) = clean_recipient(recipient) else {
            record_not_sent(conn, t.id, NotSent::NoAddress, now).await?;
            return Ok(None);
        };
        let Some(channel) = channel.filter(|c| c.active && c.smtp.is_some()) else {
            record_not_sent(conn, t.id, NotSent::NoSmtp, now).await?;
            return Ok(None);
        };
        if inbound::bounced(&mut *conn, &recipient).await?.is_some() {
            record_not_sent(conn, t.id, NotSent::Bounced, now).await?;
            return Ok(None);
        }
        if automatic {
            if no_auto_reply {
                record_not_sent(conn, t.id, NotSent::NoAutoReply, now).await?;
                return Ok(None);
            }
            let since = now - SignedDuration::from_hours(1);
            let sent = outbound::automatic_since(&mut *conn, &recipient, since).await?;
            if sent >= self.settings.auto_mail_per_hour {
                record_not_sent(conn, t.id, NotSent::AutoCap, now).await?;
                return Ok(None);
            }
        }
        let mail_id = outgoing_message_id(
            t.id,
            message_id,
            &random_hex(6),
            &domain_of(&channel.address),
        );
        let thread = inbound::thread_of_ticket(&mut *conn, t.id, REFERENCES_MAX as i64).await?;
        let refs = references(&thread, parent.as_deref());
        let subject = reply_subject(&t.subject, &t.number);
        let id = outbound::queue(
            &mut *conn,
            &NewSend {
                channel_id: channel.id,
                ticket_id: t.id,
                ticket_message_id: message_id,
                recipient: &recipient,
                message_id: &mail_id,
                in_reply_to: parent.as_deref(),
                references: &refs,
                subject: &subject,
                automatic,
            },
            now,
        )
        .await?;
        inbound::remember_message_id(&mut *conn, channel.id, &mail_id, t.id, "out", now).await?;
        let key = format!("{}:{id}", kind::MAIL_SEND);
        let payload = json!({ "send": id }).to_string();
        jobs::enqueue(
            &mut *conn,
            &NewJob {
                kind: kind::MAIL_SEND,
                unique_key: Some(&key),
                payload: &payload,
                run_at: now,
                max_attempts: SEND_ATTEMPTS,
            },
            now,
        )
        .await?;
        Ok(Some(id))
    }
}
