//! 渠道 — rules of the ways customers reach the department: mail, the telephone, and
//! WeChat official accounts.

pub mod email;
pub mod mail_out;
pub mod phone;
pub mod wechat;
