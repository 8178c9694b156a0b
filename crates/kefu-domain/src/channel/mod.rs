//! 渠道 — rules of the ways customers reach the department: mail, and the telephone.

pub mod email;
pub mod mail_out;
pub mod phone;
pub mod sms;
