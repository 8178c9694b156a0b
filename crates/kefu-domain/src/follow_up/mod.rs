//! 回访 — follow-up visits: when a contact may be called (the calling window), and, as the
//! area grows, the plans, scripts and results of visits (002 §三, 000 §(六)).

mod call_slot;

pub use call_slot::{CallSlot, CallWindow, CallingHours};
