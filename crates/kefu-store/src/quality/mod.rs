//! 服务质量管理 — the quality specialist's records.

pub mod inspection;
pub mod scorecard;
