//! 渠道 — the ways customers reach the department, each landing in the one ticket intake.

pub mod email;
