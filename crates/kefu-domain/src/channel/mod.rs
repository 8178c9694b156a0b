//! 渠道 — rules of the ways customers reach the department: mail (posted or fetched by
//! IMAP), and the telephone.

pub mod email;
pub mod imap;
pub mod mail_out;
pub mod phone;
pub mod sms;
