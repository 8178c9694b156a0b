//! 服务质量管理 — the quality specialist's work (000 §(四)): the scorecards, the daily
//! sample at an unannounced time, the inspections with the agents' appeals.

mod inspection;
mod sample;
mod scorecard;
mod settings;
mod tiles;

pub use inspection::{
    ConversationLine, InspectionScope, InspectionView, ItemScoreForm, LIST_LIMIT, ScoreForm,
    SourceView, points,
};
pub use sample::DrawnSample;
pub use scorecard::{
    DEFAULT_NAME, MAX_NAME, MAX_NOTE, ScorecardForm, ScorecardVersion, ScorecardView,
};
pub(crate) use tiles::TILES;
