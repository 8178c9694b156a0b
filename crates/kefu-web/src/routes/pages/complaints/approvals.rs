//! 待我审批 — the proposals waiting for the manager's approval: the approvals inbox
//! ([`crate::routes::pages::approvals`]) narrowed to the complaints' proposals, kept at its
//! old address.

pub use crate::routes::pages::approvals::complaint_proposals as approvals;
