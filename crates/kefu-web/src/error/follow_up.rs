//! 回访与满意度 — how follow-up and survey refusals read: settings, periods and rules,
//! visits, survey answers and the follow-up of low scores.

use axum::http::StatusCode;
use kefu_app::follow_up::SettingsError;
use kefu_domain::follow_up::plan::PlanError;
use kefu_domain::follow_up::rule::{DORMANT_DAYS, MAX_OCCASION_DAYS, RuleError};
use kefu_domain::follow_up::script::ScriptTextError;
use kefu_domain::follow_up::visit::VisitError;
use kefu_domain::satisfaction::{CsatError, MAX_COMMENT, MAX_NOTE};
use kefu_domain::staff::absence::AbsenceError;
use kefu_domain::staff::shift::ShiftError;

use super::ErrorInfo;

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

fn field(key: &str) -> String {
    format!("@follow_up.field.{key}")
}

pub(super) fn settings_info(e: SettingsError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        SettingsError::CallingHours(_) => ("bad_calling_hours", vec![]),
        SettingsError::NoCallingHours => ("no_calling_hours", vec![]),
        SettingsError::Script { field: f, error } => match error {
            ScriptTextError::Empty => ("script_text_empty", vec![("field", field(f))]),
            ScriptTextError::TooLong => ("script_text_too_long", vec![("field", field(f))]),
            ScriptTextError::UnknownPlaceholder(p) => (
                "script_unknown_placeholder",
                vec![("field", field(f)), ("placeholder", p)],
            ),
        },
        SettingsError::OutOfRange { field: f, min, max } => (
            "follow_up_out_of_range",
            vec![
                ("field", field(f)),
                ("min", min.to_string()),
                ("max", max.to_string()),
            ],
        ),
        SettingsError::TooLong { field: f, max } => (
            "follow_up_too_long",
            vec![("field", field(f)), ("max", max.to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

pub(super) fn plan_info(e: PlanError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        PlanError::BadMonths(_) => ("bad_period_months", vec![]),
        PlanError::BadPeriod(p) => ("bad_plan_period", vec![("value", p)]),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

pub(super) fn rule_info(e: RuleError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        RuleError::Period(p) => return plan_info(p),
        RuleError::Date(d) => return super::areas::date_info(d),
        RuleError::TierRequired => ("tier_required", vec![]),
        RuleError::DatesRequired => ("occasion_dates_required", vec![]),
        RuleError::OccasionTooLong => (
            "occasion_too_long",
            vec![("max", MAX_OCCASION_DAYS.to_string())],
        ),
        RuleError::DormantDays => (
            "dormant_days_out_of_range",
            vec![
                ("min", DORMANT_DAYS.0.to_string()),
                ("max", DORMANT_DAYS.1.to_string()),
            ],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

pub(super) fn visit_info(e: VisitError) -> ErrorInfo {
    let (status, code, args, detail) = match e {
        VisitError::Required { field: f } => (
            UNPROCESSABLE,
            "visit_required",
            vec![("field", field(f))],
            Some(f.to_owned()),
        ),
        VisitError::TooLong { field: f, max } => (
            UNPROCESSABLE,
            "visit_too_long",
            vec![("field", field(f)), ("max", max.to_string())],
            Some(f.to_owned()),
        ),
        VisitError::EndsBeforeStart => (UNPROCESSABLE, "visit_ends_before_start", vec![], None),
        VisitError::TooLongCall => (UNPROCESSABLE, "visit_too_long_call", vec![], None),
        VisitError::InFuture => (UNPROCESSABLE, "visit_in_future", vec![], None),
        VisitError::CallbackInPast => (UNPROCESSABLE, "callback_in_past", vec![], None),
        VisitError::NoMobile => (UNPROCESSABLE, "visit_no_mobile", vec![], None),
        VisitError::CallOfAnother => (UNPROCESSABLE, "visit_call_of_another", vec![], None),
        VisitError::OptedOutOfSms => (UNPROCESSABLE, "visit_sms_opted_out", vec![], None),
        VisitError::Finished(s) => (
            StatusCode::CONFLICT,
            "visit_finished",
            vec![("status", format!("@follow_up.status.{}", s.key()))],
            None,
        ),
        // The next allowed moment: in words for a person, RFC 3339 in `detail` for a
        // program to take up.
        VisitError::OutsideCallingWindow { next: Some(next) } => (
            UNPROCESSABLE,
            "outside_calling_window",
            vec![("next", crate::view::local_time(next))],
            Some(next.to_string()),
        ),
        VisitError::OutsideCallingWindow { next: None } => {
            (UNPROCESSABLE, "no_calling_slot", vec![], None)
        }
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}

pub(super) fn csat_info(e: CsatError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        CsatError::OutOfRange { field: f, min, max } => (
            UNPROCESSABLE,
            "follow_up_out_of_range",
            vec![
                ("field", format!("@csat.field.{f}")),
                ("min", min.to_string()),
                ("max", max.to_string()),
            ],
        ),
        CsatError::BadScore => (UNPROCESSABLE, "csat_bad_score", vec![]),
        CsatError::CommentTooLong => (
            UNPROCESSABLE,
            "csat_comment_too_long",
            vec![("max", MAX_COMMENT.to_string())],
        ),
        CsatError::BadLink => (StatusCode::NOT_FOUND, "csat_bad_link", vec![]),
        CsatError::Expired => (StatusCode::GONE, "csat_expired", vec![]),
        CsatError::Final => (StatusCode::CONFLICT, "csat_final", vec![]),
        CsatError::NoteRequired => (UNPROCESSABLE, "csat_note_required", vec![]),
        CsatError::NoteTooLong => (
            UNPROCESSABLE,
            "csat_note_too_long",
            vec![("max", MAX_NOTE.to_string())],
        ),
        CsatError::NotLow => (StatusCode::CONFLICT, "csat_not_low", vec![]),
        CsatError::AlreadyHandled => (StatusCode::CONFLICT, "csat_already_handled", vec![]),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}

/// A weekday named by the domain (`Monday`…) read in the user's language; a date as is.
fn day_name(day: String) -> String {
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    match DAYS.iter().position(|d| *d == day) {
        Some(i) => format!("@shift.weekday.{i}"),
        None => day,
    }
}

pub(super) fn shift_info(e: ShiftError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        ShiftError::BadPeriod(text) => ("shift_bad_period", vec![("value", text)]),
        ShiftError::Overlapping(day) => ("shift_overlapping", vec![("day", day_name(day))]),
        ShiftError::WeekLength(n) => ("shift_week_length", vec![("n", n.to_string())]),
        ShiftError::Past => ("shift_past", vec![]),
        ShiftError::TooFar { max } => ("shift_too_far", vec![("max", max.to_string())]),
        ShiftError::NoteTooLong { max } => ("shift_note_too_long", vec![("max", max.to_string())]),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

pub(super) fn absence_info(e: AbsenceError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        AbsenceError::Reversed => (UNPROCESSABLE, "absence_reversed", vec![]),
        AbsenceError::Past => (UNPROCESSABLE, "absence_past", vec![]),
        AbsenceError::TooLong { max } => (
            UNPROCESSABLE,
            "absence_too_long",
            vec![("max", max.to_string())],
        ),
        AbsenceError::ReasonTooLong { max } => (
            UNPROCESSABLE,
            "absence_reason_too_long",
            vec![("max", max.to_string())],
        ),
        AbsenceError::Overlaps { starts_on, ends_on } => (
            StatusCode::CONFLICT,
            "absence_overlaps",
            vec![("from", starts_on.to_string()), ("to", ends_on.to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}
