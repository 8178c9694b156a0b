//! 渠道 — where requests come in besides the forms: e-mail, the telephone, text messages,
//! WeChat official accounts and live chat on the department's web sites; a reply goes
//! back the way the customer last wrote ([`reply`]). Every channel's webhook is signed the
//! same way ([`signature`]) but WeChat's, which signs as WeChat does ([`wechat`]);
//! refusals are audited alike.

pub mod chat;
pub mod email;
pub mod http;
pub mod phone;
pub mod reply;
pub mod signature;
pub mod sms;
pub mod wechat;
