//! 渠道 — rules of the ways customers reach the department: mail (posted or fetched by
//! IMAP), the telephone, text messages, WeChat official accounts, and live chat on the
//! department's web sites.

pub mod chat;
pub mod email;
pub mod imap;
pub mod mail_out;
pub mod phone;
pub mod sms;
pub mod wechat;
