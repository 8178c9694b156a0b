//! 邮件渠道 — mail in: parsing raw mail into what a ticket needs.

pub mod parse;
pub use parse::*;
