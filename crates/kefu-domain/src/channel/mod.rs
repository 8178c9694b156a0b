//! 渠道 — rules of the ways customers reach the department: mail, the telephone, and
//! live chat on the department's web sites.

pub mod chat;
pub mod email;
pub mod mail_out;
pub mod phone;
