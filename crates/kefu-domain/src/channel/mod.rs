//! 渠道 — rules of the ways customers reach the department (mail first).

pub mod email;
pub mod mail_out;
