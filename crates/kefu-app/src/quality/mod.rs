//! 服务质量管理 — the quality specialist's work (000 §(四)): the scorecards, the daily
//! sample at an unannounced time, the inspections with the agents' appeals, and the quality
//! anomalies opened where service went wrong, investigated before they close.

pub(crate) mod anomaly;
mod inspection;
mod measure;
mod sample;
mod scorecard;
mod settings;
mod tiles;

pub use anomaly::{ANOMALY_LIMIT, AnomalyForm, AnomalyInvestigation};
pub use inspection::{
    ConversationLine, InspectionScope, InspectionView, ItemScoreForm, LIST_LIMIT, ScoreForm,
    SourceView, points,
};
pub use measure::{MEASURE_LIMIT, MeasureForm, MeasureScope, MeasureView};
pub use sample::DrawnSample;
pub use scorecard::{
    DEFAULT_NAME, MAX_NAME, MAX_NOTE, ScorecardForm, ScorecardVersion, ScorecardView,
};
pub(crate) use tiles::TILES;
