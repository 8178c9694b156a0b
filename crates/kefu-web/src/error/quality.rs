//! 服务质量 — how quality refusals read: scorecards and the scores given on them.

use axum::http::StatusCode;
use kefu_domain::quality::ScorecardError;

use super::ErrorInfo;

pub(super) fn scorecard_info(e: ScorecardError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let item = |k: String| vec![("item", k)];
    let (code, args) = match e {
        ScorecardError::WeightsNot100 { sum } => {
            ("scorecard_weights", vec![("sum", sum.to_string())])
        }
        ScorecardError::Empty => ("scorecard_empty", vec![]),
        ScorecardError::TooManyItems { max } => {
            ("scorecard_too_many_items", vec![("max", max.to_string())])
        }
        ScorecardError::EmptySection { section } => (
            "scorecard_empty_section",
            vec![("section", section.to_string())],
        ),
        ScorecardError::NoName => ("scorecard_no_name", vec![]),
        ScorecardError::NameTooLong(v) => ("scorecard_name_too_long", vec![("value", v)]),
        ScorecardError::GuideTooLong(k) => ("scorecard_guide_too_long", item(k)),
        ScorecardError::ZeroWeight(k) => ("scorecard_zero_weight", item(k)),
        ScorecardError::BadLevels { item: k, max } => (
            "scorecard_bad_levels",
            vec![("item", k), ("max", max.to_string())],
        ),
        ScorecardError::BadKey(k) => ("scorecard_bad_key", vec![("value", k)]),
        ScorecardError::UnknownChannel { item: k, channel } => (
            "scorecard_unknown_channel",
            vec![("item", k), ("channel", channel)],
        ),
        ScorecardError::BadPassMark(_) => ("scorecard_bad_pass_mark", vec![]),
        ScorecardError::NoteTooLong { max } => {
            ("scorecard_note_too_long", vec![("max", max.to_string())])
        }
        ScorecardError::OutOfScale {
            item: k,
            score,
            max,
        } => (
            "score_out_of_scale",
            vec![
                ("item", k),
                ("score", score.to_string()),
                ("max", max.to_string()),
            ],
        ),
        ScorecardError::UnknownItem(k) => ("score_unknown_item", item(k)),
        ScorecardError::NotScored(k) => ("score_not_scored", item(k)),
        ScorecardError::NotApplicable(k) => ("score_not_applicable", item(k)),
        ScorecardError::NothingScored => ("score_nothing_scored", vec![]),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(StatusCode::UNPROCESSABLE_ENTITY, code)
    }
}
