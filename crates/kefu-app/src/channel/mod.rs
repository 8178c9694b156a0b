//! 渠道 — where requests come in besides the forms: e-mail first.

pub mod email;
