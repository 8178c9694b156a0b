//! 短信渠道 — text messages through an SMS gateway, in kefu's own generic format (see the
//! README): kefu posts each text to the gateway's send URL as JSON with a reference of its
//! own; the gateway posts customers' texts and delivery reports to the channel's webhook,
//! signed as every channel's webhook is ([`App::check_sms_webhook`],
//! [`App::record_sms_event`]).
//!
//! In: a customer's text lands once per (gateway, message id) — on their open ticket of the
//! last 7 days, else on a new ticket through the one intake path (`inbound`); a text that
//! is only T, TD, 退订… records an opt-out instead. Out: a public reply on a ticket the
//! customer wrote by text is queued as a text in the reply's transaction (`outgoing`) and
//! sent by a job (`send`), and so are the outbox's sign-in codes; a number that opted out
//! gets nothing. Delivery reports settle each send; a failed reply is an event on its
//! ticket and a notification to whoever wrote it.
//!
//! The customer's number is kept normalised and leaves this module masked.

mod admin;
mod events;
mod gateway;
mod inbound;
mod outgoing;
mod send;
mod tiles;
mod view;

pub use admin::{FailedSms, SmsChannelForm, SmsChannelView, TestSms};
pub use events::{SmsEventOutcome, SmsEventStatus};
pub(crate) use inbound::SmsLanding;
pub use outgoing::SEND_ATTEMPTS;
pub(crate) use tiles::TILES;
pub use view::{SmsSendView, TicketSms};

pub use kefu_store::sms::SmsChannel;

use jiff::{SignedDuration, Timestamp};

/// The audit log's name for an SMS gateway.
const TARGET: &str = "sms_channel";

/// The ticket's channel key of a message that came by text (`ticket_messages.channel`).
pub const CHANNEL_KEY: &str = "sms";

/// A text from a number lands on the number's open ticket when that ticket had a text from
/// or to the number within this long.
pub const THREAD_WINDOW: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The failed sends the administrator's list and tile show: those of the last day.
pub const FAILED_WITHIN_HOURS: i64 = 24;

/// The most failed sends listed, and the cap the tile counts with.
pub const FAILED_LISTED: i64 = 200;

/// Since when a failed send counts as recent, at `now`.
fn failed_since(now: Timestamp) -> Timestamp {
    now - SignedDuration::from_hours(FAILED_WITHIN_HOURS)
}
