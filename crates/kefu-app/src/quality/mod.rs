//! 服务质量管理 — the quality specialist's work (000 §(四)): the scorecards, the daily
//! sample at an unannounced time, the inspections with the agents' appeals, and the quality
//! anomalies opened where service went wrong, investigated before they close.

pub(crate) mod anomaly;
mod calibration;
mod inspection;
mod measure;
mod meeting;
mod report;
mod sample;
mod scorecard;
mod settings;
mod tiles;

pub use anomaly::{ANOMALY_LIMIT, AnomalyForm, AnomalyInvestigation};
pub use calibration::{
    CALIBRATION_LIMIT, CalibrationOverview, CalibrationPart, CalibrationRound, PairAgreement,
};
pub use inspection::{
    ConversationLine, InspectionScope, InspectionView, ItemScoreForm, LIST_LIMIT, ScoreForm,
    SourceView, points,
};
pub use measure::{MEASURE_LIMIT, MeasureForm, MeasureScope, MeasureView};
pub use meeting::{MEETING_LIMIT, MeetingForm, MeetingSummary, MeetingView};
pub use report::{
    QualityReport, REPORT_LIST_LIMIT, ReportSummary, change, number, percent, shown, tenths,
};
pub use sample::DrawnSample;
pub use scorecard::{
    DEFAULT_NAME, MAX_NAME, MAX_NOTE, ScorecardForm, ScorecardVersion, ScorecardView,
};
pub(crate) use tiles::TILES;

/// Today in Beijing, the day anomaly numbers and measure dates are counted in.
pub(crate) fn beijing_today(now: jiff::Timestamp) -> jiff::civil::Date {
    now.to_zoned(
        jiff::tz::TimeZone::get(crate::ticket::NUMBER_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC),
    )
    .date()
}

/// `at` on Beijing's clock.
pub(crate) fn beijing_time(at: jiff::Timestamp) -> jiff::civil::DateTime {
    at.to_zoned(
        jiff::tz::TimeZone::get(crate::ticket::NUMBER_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC),
    )
    .datetime()
}

/// Refuses a step made against `expected` when the record is at `current` now.
pub(crate) fn expect_version(current: i64, expected: Option<i64>) -> crate::Result<()> {
    match expected {
        Some(v) if v != current => Err(moved_on(current)),
        _ => Ok(()),
    }
}

/// The refusal when a record read at `version` moved on before the write.
pub(crate) fn moved_on(version: i64) -> crate::AppError {
    crate::AppError::StaleVersion {
        current: version,
        changed: Vec::new(),
    }
}
