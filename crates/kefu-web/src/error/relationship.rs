//! 关系调查 — how a refused survey plan, questionnaire or answer reads; a satisfaction
//! report's months; and the key accounts' visits, ratings and changes of agent.

use axum::http::StatusCode;
use kefu_domain::key_account::KeyAccountError;
use kefu_domain::satisfaction::relationship::plan::{LINK_DAYS, MAX_NAME, REMIND_DAYS};
use kefu_domain::satisfaction::relationship::{
    MAX_OPTION, MAX_OPTIONS, MAX_QUESTION, MAX_QUESTIONS, MAX_TEXT_ANSWER, QuestionnaireError,
    SurveyPlanError,
};
use kefu_domain::satisfaction::report::{MAX_MONTHS, ReportRangeError};

use super::ErrorInfo;

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

pub(super) fn plan_info(e: SurveyPlanError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        SurveyPlanError::Name => ("survey_name", vec![("max", MAX_NAME.to_string())]),
        SurveyPlanError::EveryMonths => ("survey_every_months", vec![]),
        SurveyPlanError::LinkDays => (
            "survey_link_days",
            vec![
                ("min", LINK_DAYS.start().to_string()),
                ("max", LINK_DAYS.end().to_string()),
            ],
        ),
        SurveyPlanError::RemindDays => (
            "survey_remind_days",
            vec![("max", REMIND_DAYS.end().to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

/// The question a refusal is about, as the customer or the builder sees it: its number,
/// or its key for an answer (the page names the question by its text itself).
pub(super) fn questionnaire_info(e: QuestionnaireError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        QuestionnaireError::QuestionCount => (
            "survey_question_count",
            vec![("max", MAX_QUESTIONS.to_string())],
        ),
        QuestionnaireError::QuestionText(n) => (
            "survey_question_text",
            vec![("n", n.to_string()), ("max", MAX_QUESTION.to_string())],
        ),
        QuestionnaireError::Options(n) => (
            "survey_question_options",
            vec![
                ("n", n.to_string()),
                ("max", MAX_OPTIONS.to_string()),
                ("length", MAX_OPTION.to_string()),
            ],
        ),
        QuestionnaireError::SecondNps(n) => ("survey_second_nps", vec![("n", n.to_string())]),
        QuestionnaireError::DuplicateKey(k) => ("survey_duplicate_question", vec![("key", k)]),
        QuestionnaireError::UnknownQuestion(k) => ("survey_unknown_question", vec![("key", k)]),
        QuestionnaireError::Unanswered(k) => ("survey_unanswered", vec![("key", k)]),
        QuestionnaireError::OutOfRange(k) => ("survey_answer_out_of_range", vec![("key", k)]),
        QuestionnaireError::TooLong(k) => (
            "survey_answer_too_long",
            vec![("key", k), ("max", MAX_TEXT_ANSWER.to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

pub(super) fn range_info(e: ReportRangeError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (code, args) = match e {
        ReportRangeError::BadMonth(m) => ("report_bad_month", vec![("value", m)]),
        ReportRangeError::Backwards => ("report_months_backwards", vec![]),
        ReportRangeError::TooLong => (
            "satisfaction_report_too_long",
            vec![("max", MAX_MONTHS.to_string())],
        ),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(UNPROCESSABLE, code)
    }
}

pub(super) fn key_account_info(e: KeyAccountError) -> ErrorInfo {
    let detail = Some(e.to_string());
    let (status, code, args) = match e {
        KeyAccountError::NotKeyAccount => (UNPROCESSABLE, "not_key_account", vec![]),
        KeyAccountError::BadTime => (UNPROCESSABLE, "manager_visit_time", vec![]),
        KeyAccountError::Required { field } => (
            UNPROCESSABLE,
            "key_account_required",
            vec![("field", format!("@key_account.field.{field}"))],
        ),
        KeyAccountError::TooLong { field, max } => (
            UNPROCESSABLE,
            "key_account_too_long",
            vec![
                ("field", format!("@key_account.field.{field}")),
                ("max", max.to_string()),
            ],
        ),
        KeyAccountError::BadScore => (UNPROCESSABLE, "agent_rating_score", vec![]),
        KeyAccountError::NotAManager => (UNPROCESSABLE, "not_a_manager", vec![]),
        KeyAccountError::NoAgent => (UNPROCESSABLE, "key_account_no_agent", vec![]),
        KeyAccountError::BadNewAgent => (UNPROCESSABLE, "bad_new_agent", vec![]),
        KeyAccountError::VisitClosed(s) => (
            StatusCode::CONFLICT,
            "manager_visit_closed",
            vec![("state", format!("@key_account.state.{}", s.key()))],
        ),
        KeyAccountError::ChangeDecided => (StatusCode::CONFLICT, "agent_change_decided", vec![]),
        KeyAccountError::BadReviewInterval => (UNPROCESSABLE, "plan_review_interval", vec![]),
        KeyAccountError::BadReviewDate => (UNPROCESSABLE, "plan_review_date", vec![]),
        KeyAccountError::TooManyGoals { max } => (
            UNPROCESSABLE,
            "plan_too_many_goals",
            vec![("max", max.to_string())],
        ),
        KeyAccountError::NoPlan => (StatusCode::CONFLICT, "service_plan_missing", vec![]),
        KeyAccountError::RateRequired => (UNPROCESSABLE, "policy_rate_required", vec![]),
        KeyAccountError::BadRate { max_bp } => (
            UNPROCESSABLE,
            "policy_rate",
            vec![("max", kefu_domain::key_account::policy::percent(max_bp))],
        ),
        KeyAccountError::RateNotApplicable => (UNPROCESSABLE, "policy_rate_not_applicable", vec![]),
        KeyAccountError::ThresholdRequired => (UNPROCESSABLE, "policy_threshold_required", vec![]),
        KeyAccountError::PolicyDates { years } => (
            UNPROCESSABLE,
            "policy_dates",
            vec![("years", years.to_string())],
        ),
        KeyAccountError::PolicyDecided(s) => (
            StatusCode::CONFLICT,
            "policy_decided",
            vec![("state", format!("@key_account.policy_state.{}", s.key()))],
        ),
        KeyAccountError::OwnPolicy => (StatusCode::FORBIDDEN, "own_policy", vec![]),
        KeyAccountError::NotYourPolicy => (StatusCode::FORBIDDEN, "not_your_policy", vec![]),
        KeyAccountError::Date(e) => return super::areas::date_info(e),
        KeyAccountError::Amount(e) => return super::areas::amount_info(e),
    };
    ErrorInfo {
        args,
        detail,
        ..ErrorInfo::new(status, code)
    }
}
