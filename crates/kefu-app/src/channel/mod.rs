//! 渠道 — where requests come in besides the forms: e-mail, the telephone, and live chat on
//! the department's web sites. Every channel's webhook is signed the same way
//! ([`signature`]).

pub mod chat;
pub mod email;
pub mod http;
pub mod phone;
pub mod signature;
