//! 服务质量管理 — the quality specialist's work (000 §(四)): scorecards, the daily sample
//! and its inspections, with the phrases hinted at in written replies, and the quality
//! anomalies with their investigation.

pub mod anomaly;
pub mod calibration;
pub mod defaults;
pub mod inspection;
pub mod measure;
pub mod meeting;
pub mod phrases;
pub mod report;
pub mod sample;
pub mod scorecard;

pub use defaults::default_scorecard;
pub use inspection::{AppealDecision, InspectionError, InspectionStatus, QualitySettings};
pub use scorecard::{Item, ItemScore, Outcome, Scorecard, ScorecardError, Section};
