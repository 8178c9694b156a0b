//! 服务质量 — how quality refusals read: scorecards and the scores given on them, the steps
//! of an inspection and the quality settings.

use axum::http::StatusCode;
use kefu_domain::quality::ScorecardError;
use kefu_domain::quality::inspection::InspectionError;
use kefu_domain::quality::phrases::PhrasesError;
use kefu_domain::quality::sample::SampleRulesError;

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

pub(super) fn inspection_info(e: InspectionError) -> ErrorInfo {
    use InspectionError as E;
    use StatusCode as S;
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        E::NotYourInspection => (S::FORBIDDEN, "inspection_not_yours", vec![]),
        E::NotYourResult => (S::FORBIDDEN, "inspection_not_your_result", vec![]),
        E::OwnWork => (S::FORBIDDEN, "inspection_own_work", vec![]),
        E::NotOpenToScore(s) => (
            S::CONFLICT,
            "inspection_not_open",
            vec![("status", s.key().to_owned())],
        ),
        E::NoResultToAnswer(s) => (
            S::CONFLICT,
            "inspection_no_result",
            vec![("status", s.key().to_owned())],
        ),
        E::NotAppealed(s) => (
            S::CONFLICT,
            "inspection_not_appealed",
            vec![("status", s.key().to_owned())],
        ),
        E::AppealClosed { due } => (
            S::CONFLICT,
            "inspection_appeal_closed",
            vec![("due", crate::view::local_time(due))],
        ),
        E::SampleDrawn(date) => (S::CONFLICT, "quality_sample_drawn", vec![("date", date)]),
        E::NoReason => (S::UNPROCESSABLE_ENTITY, "inspection_no_reason", vec![]),
        E::TextTooLong { max } => (
            S::UNPROCESSABLE_ENTITY,
            "inspection_text_too_long",
            vec![("max", max.to_string())],
        ),
        E::BadAppealDays { max } => (
            S::UNPROCESSABLE_ENTITY,
            "quality_bad_appeal_days",
            vec![("max", max.to_string())],
        ),
        E::Rules(r) => {
            let (code, args) = match r {
                SampleRulesError::PerAgentTooMany { max } => {
                    ("quality_per_agent_too_many", vec![("max", max.to_string())])
                }
                SampleRulesError::QuotaTooLarge { max } => {
                    ("quality_quota_too_large", vec![("max", max.to_string())])
                }
                SampleRulesError::UnknownChannel(c) => {
                    ("quality_unknown_channel", vec![("channel", c)])
                }
                SampleRulesError::BadCallMinutes => ("quality_bad_call_minutes", vec![]),
            };
            (S::UNPROCESSABLE_ENTITY, code, args)
        }
        E::Phrases(p) => {
            let (code, args) = match p {
                PhrasesError::TooMany { max } => {
                    ("quality_phrases_too_many", vec![("max", max.to_string())])
                }
                PhrasesError::TooLong { max, phrase } => (
                    "quality_phrase_too_long",
                    vec![("max", max.to_string()), ("value", phrase)],
                ),
            };
            (S::UNPROCESSABLE_ENTITY, code, args)
        }
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn anomaly_info(e: kefu_domain::quality::anomaly::AnomalyError) -> ErrorInfo {
    use StatusCode as S;
    use kefu_domain::quality::anomaly::AnomalyError as E;
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        E::NoDescription => (S::UNPROCESSABLE_ENTITY, "anomaly_no_description", vec![]),
        E::NoFindings => (S::UNPROCESSABLE_ENTITY, "anomaly_no_findings", vec![]),
        E::TextTooLong { max } => (
            S::UNPROCESSABLE_ENTITY,
            "anomaly_text_too_long",
            vec![("max", max.to_string())],
        ),
        E::NotInvestigated => (S::CONFLICT, "anomaly_not_investigated", vec![]),
        E::Closed => (S::CONFLICT, "anomaly_closed", vec![]),
        E::UnknownServiceItem(v) => (
            S::UNPROCESSABLE_ENTITY,
            "anomaly_unknown_service_item",
            vec![("value", v)],
        ),
        E::FutureDate(d) => (
            S::UNPROCESSABLE_ENTITY,
            "anomaly_future_date",
            vec![("date", d.to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn measure_info(e: kefu_domain::quality::measure::MeasureError) -> ErrorInfo {
    use StatusCode as S;
    use kefu_domain::quality::measure::MeasureError as E;
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        E::NoText => (S::UNPROCESSABLE_ENTITY, "measure_no_text", vec![]),
        E::TextTooLong { max } => (
            S::UNPROCESSABLE_ENTITY,
            "measure_text_too_long",
            vec![("max", max.to_string())],
        ),
        E::DueInPast(d) => (
            S::UNPROCESSABLE_ENTITY,
            "measure_due_in_past",
            vec![("date", d.to_string())],
        ),
        E::BadMove { from, to } => (
            S::CONFLICT,
            "measure_bad_move",
            vec![("from", from.key().to_owned()), ("to", to.key().to_owned())],
        ),
        E::NotOwner => (S::FORBIDDEN, "measure_not_owner", vec![]),
        E::OwnerVerifies => (S::FORBIDDEN, "measure_owner_verifies", vec![]),
        E::TooEarly(d) => (
            S::CONFLICT,
            "measure_too_early",
            vec![("date", d.to_string())],
        ),
        E::NotDone(s) => (
            S::CONFLICT,
            "measure_not_done",
            vec![("status", s.key().to_owned())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn report_info(e: kefu_domain::quality::report::ReportError) -> ErrorInfo {
    use StatusCode as S;
    use kefu_domain::quality::report::ReportError as E;
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        E::Future { date, ready } => (
            S::UNPROCESSABLE_ENTITY,
            "quality_report_future",
            vec![("date", date.to_string()), ("ready", ready.to_string())],
        ),
        E::NotBusinessDay { date, folded_into } => (
            S::UNPROCESSABLE_ENTITY,
            "quality_report_not_business_day",
            vec![
                ("date", date.to_string()),
                ("folded_into", folded_into.to_string()),
            ],
        ),
        E::NoBusinessDay { date } => (
            S::UNPROCESSABLE_ENTITY,
            "quality_report_no_business_day",
            vec![("date", date.to_string())],
        ),
        E::TooEarly { min } => (
            S::UNPROCESSABLE_ENTITY,
            "quality_report_too_early",
            vec![("min", min.to_string())],
        ),
        E::NeedsReason(d) => (
            S::UNPROCESSABLE_ENTITY,
            "quality_report_needs_reason",
            vec![("date", d.to_string())],
        ),
        E::ReasonTooLong { max } => (
            S::UNPROCESSABLE_ENTITY,
            "quality_report_reason_too_long",
            vec![("max", max.to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn calibration_info(
    e: kefu_domain::quality::calibration::CalibrationError,
) -> ErrorInfo {
    use StatusCode as S;
    use kefu_domain::quality::calibration::CalibrationError as E;
    let detail = Some(e.to_string());
    let (status, code) = match e {
        E::NotScoredYet => (S::CONFLICT, "calibration_not_scored"),
        E::SameInspector => (S::UNPROCESSABLE_ENTITY, "calibration_same_inspector"),
        E::OwnWork => (S::UNPROCESSABLE_ENTITY, "calibration_own_work"),
        E::NotAnInspector => (S::UNPROCESSABLE_ENTITY, "calibration_not_inspector"),
        E::NotYours => (S::FORBIDDEN, "calibration_not_yours"),
        E::AlreadyScored => (S::CONFLICT, "calibration_scored"),
        E::AlreadyAsked => (S::CONFLICT, "calibration_asked"),
    };
    ErrorInfo {
        detail,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn meeting_info(e: kefu_domain::quality::meeting::MeetingError) -> ErrorInfo {
    use StatusCode as S;
    use kefu_domain::quality::meeting::MeetingError as E;
    let detail = Some(e.to_string());
    let (code, args) = match e {
        E::PeriodTooLong { max } => ("meeting_period_too_long", vec![("max", max.to_string())]),
        E::NoAttendees => ("meeting_no_attendees", vec![]),
        E::TooManyAttendees { max } => {
            ("meeting_too_many_attendees", vec![("max", max.to_string())])
        }
        E::NoDecisions => ("meeting_no_decisions", vec![]),
        E::TextTooLong { max } => ("meeting_text_too_long", vec![("max", max.to_string())]),
        E::TooManyMeasures { max } => ("meeting_too_many_measures", vec![("max", max.to_string())]),
        E::HeldInFuture(d) => ("meeting_held_in_future", vec![("date", d.to_string())]),
        E::AnomalyOutsidePeriod(n) => ("meeting_anomaly_outside", vec![("number", n)]),
        E::MeasureIncomplete(n) => ("meeting_measure_incomplete", vec![("n", n.to_string())]),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(S::UNPROCESSABLE_ENTITY, code)
    }
}
