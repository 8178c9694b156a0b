//! 服务质量管理 — the quality specialist's records.

pub mod anomaly;
pub mod calibration;
pub mod inspection;
pub mod measure;
pub mod meeting;
pub mod report;
pub mod scorecard;
