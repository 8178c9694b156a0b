//! 电话渠道 — the telephone: a telephone system (CTI) posts each call's events, signed, to
//! its channel's webhook ([`App::record_call_event`]); a ringing inbound call pops the
//! caller's customer on the screens of the agent whose extension rings (through the change
//! log, so any instance's pages hear it); an answered call is logged as a ticket from its
//! page, or set aside; an inbound call nobody answered becomes a callback to make (待回拨)
//! with a notification. A call without a telephone system is logged by hand, call and
//! ticket in one form.
//!
//! The customer's number is kept normalised and leaves this module masked; it is given in
//! clear only to whoever may reveal customers' numbers, one call at a time, audited.

mod admin;
mod calls;
mod events;
mod logging;
mod tiles;

pub use admin::{PhoneChannelForm, PhoneChannelView};
pub use calls::{CallPop, calls_link};
pub use events::{EventOutcome, EventStatus};
pub use logging::{CallLog, CustomerChoice, ManualCall};
pub(crate) use tiles::TILES;

pub use kefu_store::phone::calls::{Call, CallList};

use kefu_domain::customer::mask_phone;

/// The audit log's name for a telephone system.
const TARGET: &str = "phone_channel";

/// The change log's entry that pops a call on its agent's screens.
pub const POP_ENTITY: &str = "phone_pop";

/// The change log's entry of a call's change.
const CALL_ENTITY: &str = "phone_call";

/// The most calls a list shows, and the cap its count is taken with.
pub const LIST_LIMIT: i64 = 200;

/// The call with the customer's number masked, as it leaves the use cases.
pub(crate) fn mask_call(mut c: Call) -> Call {
    c.customer_number = c.customer_number.as_deref().map(mask_phone);
    c
}
