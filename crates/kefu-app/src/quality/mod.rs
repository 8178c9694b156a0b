//! 服务质量管理 — the quality specialist's work (000 §(四)): the scorecards inspections are
//! scored on.

mod scorecard;

pub use scorecard::{
    DEFAULT_NAME, MAX_NAME, MAX_NOTE, ScorecardForm, ScorecardVersion, ScorecardView,
};
