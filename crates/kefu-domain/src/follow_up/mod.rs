//! 回访 — follow-up visits (002 §三, 000 §(六)): when a contact may be called (the calling
//! window), which customers the rules plan visits for and who is in the 100 % coverage duty,
//! what one attempt records and when it completes a visit, and the scripts the agent reads.

mod call_slot;
pub mod plan;
pub mod rule;
pub mod script;
pub mod visit;
pub mod week;

pub use call_slot::{CallSlot, CallWindow, CallingHours};
