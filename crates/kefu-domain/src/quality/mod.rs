//! 服务质量管理 — the quality specialist's work (000 §(四)): scorecards the daily
//! inspections are scored on.

pub mod defaults;
pub mod sample;
pub mod scorecard;

pub use defaults::default_scorecard;
pub use scorecard::{Item, ItemScore, Outcome, Scorecard, ScorecardError, Section};
