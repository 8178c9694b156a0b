//! 渠道 — where requests come in besides the forms: e-mail, the telephone, and WeChat
//! official accounts. Every channel's webhook is signed the same way ([`signature`]) but
//! WeChat's, which signs as WeChat does ([`wechat`]); refusals are audited alike.

pub mod email;
pub mod http;
pub mod phone;
pub mod signature;
pub mod wechat;
