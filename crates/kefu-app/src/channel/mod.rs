//! 渠道 — where requests come in besides the forms: e-mail, and the telephone. Every
//! channel's webhook is signed the same way ([`signature`]).

pub mod email;
pub mod http;
pub mod phone;
pub mod reply;
pub mod signature;
pub mod sms;
