//! 渠道 — rules of the ways customers reach the department: mail (posted or fetched by
//! IMAP), the telephone, text messages, and WeChat official accounts.

pub mod email;
pub mod imap;
pub mod mail_out;
pub mod phone;
pub mod sms;
pub mod wechat;
