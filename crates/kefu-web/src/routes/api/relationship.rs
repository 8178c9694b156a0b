//! 关系调查 over the API: the surveys (plan and questions), and each round's results.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::satisfaction::relationship::{RelationshipSurvey, RoundResults, SurveyForm};
use kefu_domain::customer::{CustomerType, Tier};
use kefu_domain::satisfaction::relationship::{Question, QuestionKind, SurveyPlan};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// A question of a questionnaire.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyQuestion {
    /// `keep`, `repurchase`, `recommend`, `switch` (the standard four), then `q1`, `q2`…;
    /// ignored when sent (the order gives the keys).
    #[serde(default)]
    pub key: String,
    /// 1–200 characters.
    pub text: String,
    /// `scale` (1–5), `choice`, `text` — and `nps` (0–10) for the standard
    /// recommendation question only.
    pub kind: String,
    /// A choice's 2–10 options.
    #[serde(default)]
    pub options: Vec<String>,
    #[serde(default)]
    pub required: bool,
}

/// 关系调查 — a relationship survey as sent: its plan and its own questions.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationshipSurveyIn {
    /// 1–100 characters.
    pub name: String,
    /// The segment's tier (`key_account`, `vip`, `normal`); every tier when absent.
    pub tier: Option<String>,
    /// The segment's customer type (`end_customer`, `distributor`, `dealer`); every type
    /// when absent.
    pub customer_type: Option<String>,
    /// A round each period of this many months: 1, 3, 6 or 12.
    pub every_months: i64,
    /// Days an invitation's link works (1–60).
    pub link_days: i64,
    /// Days after the invitation the unanswered are reminded, once (0: never; less than
    /// `link_days`).
    pub remind_after_days: i64,
    pub active: bool,
    /// The survey's own questions, asked after the standard four (at most 16). Fixed once
    /// invitations went out: a change is refused with 409 `survey_questions_fixed`.
    #[serde(default)]
    pub questions: Vec<SurveyQuestion>,
}

/// A relationship survey.
#[derive(Serialize, ToSchema)]
pub struct RelationshipSurveyOut {
    pub id: i64,
    pub name: String,
    pub tier: Option<String>,
    pub customer_type: Option<String>,
    pub every_months: i64,
    pub link_days: i64,
    pub remind_after_days: i64,
    pub active: bool,
    /// The whole questionnaire: the standard four, then the survey's own.
    pub questions: Vec<SurveyQuestion>,
    /// When the first invitation went out (the questions are fixed from then on).
    pub first_sent_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

fn question_body(q: &Question) -> SurveyQuestion {
    SurveyQuestion {
        key: q.key.clone(),
        text: q.text.clone(),
        kind: q.kind.key().to_owned(),
        options: q.options.clone(),
        required: q.required,
    }
}

fn survey_out(s: &RelationshipSurvey) -> RelationshipSurveyOut {
    RelationshipSurveyOut {
        id: s.id,
        name: s.plan.name.clone(),
        tier: s.plan.tier.map(|t| t.key().to_owned()),
        customer_type: s.plan.customer_type.map(|t| t.key().to_owned()),
        every_months: s.plan.every_months,
        link_days: s.plan.link_days,
        remind_after_days: s.plan.remind_after_days,
        active: s.active,
        questions: s.questions.iter().map(question_body).collect(),
        first_sent_at: s.first_sent_at.map(rfc3339),
        created_at: rfc3339(s.created_at),
        updated_at: rfc3339(s.updated_at),
        version: s.version,
    }
}

fn form(b: &RelationshipSurveyIn) -> Result<SurveyForm, WebError> {
    Ok(SurveyForm {
        plan: SurveyPlan {
            name: b.name.clone(),
            tier: parse_optional_key::<Tier>("tier", b.tier.as_deref())?,
            customer_type: parse_optional_key::<CustomerType>(
                "customer_type",
                b.customer_type.as_deref(),
            )?,
            every_months: b.every_months,
            link_days: b.link_days,
            remind_after_days: b.remind_after_days,
        },
        custom: b
            .questions
            .iter()
            .map(|q| {
                Ok(Question {
                    key: String::new(),
                    text: q.text.clone(),
                    kind: parse_key::<QuestionKind>("kind", &q.kind)?,
                    options: q.options.clone(),
                    required: q.required,
                })
            })
            .collect::<Result<_, WebError>>()?,
        active: b.active,
    })
}

/// 关系调查 — every relationship survey, the newest first.
#[utoipa::path(get, path = "/api/v1/relationship-surveys", tag = "satisfaction",
    responses((status = 200, description = "The surveys", body = Vec<RelationshipSurveyOut>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<RelationshipSurveyOut>>, WebError> {
    let list = state.app.relationship_surveys(&identity.actor()).await?;
    Ok(Json(list.iter().map(|s| survey_out(&s.survey)).collect()))
}

/// Makes a relationship survey; its first round starts with the job's next run when
/// `active`.
#[utoipa::path(post, path = "/api/v1/relationship-surveys", tag = "satisfaction",
    request_body = RelationshipSurveyIn,
    responses(
        (status = 201, description = "Made", body = RelationshipSurveyOut),
        (status = 422, description = "`survey_name`, `survey_every_months`, `survey_link_days`, `survey_remind_days`, `survey_question_count`, `survey_question_text`, `survey_question_options`, `survey_second_nps`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<RelationshipSurveyIn>,
) -> Result<(StatusCode, Tagged<RelationshipSurveyOut>), WebError> {
    let actor = identity.actor();
    let id = state
        .app
        .create_relationship_survey(&actor, &form(&b)?)
        .await?;
    let s = state.app.relationship_survey(&actor, id).await?;
    Ok((StatusCode::CREATED, tagged(s.version, survey_out(&s))))
}

/// One relationship survey; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/relationship-surveys/{id}", tag = "satisfaction",
    params(("id" = i64, Path, description = "survey id")),
    responses(
        (status = 200, description = "The survey", body = RelationshipSurveyOut),
        (status = 404, description = "No such survey", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<RelationshipSurveyOut>, WebError> {
    let s = state.app.relationship_survey(&identity.actor(), id).await?;
    Ok(tagged(s.version, survey_out(&s)))
}

/// Saves a relationship survey.
#[utoipa::path(put, path = "/api/v1/relationship-surveys/{id}", tag = "satisfaction",
    params(("id" = i64, Path, description = "survey id")), request_body = RelationshipSurveyIn,
    responses(
        (status = 200, description = "Saved", body = RelationshipSurveyOut),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 409, description = "`survey_questions_fixed`", body = ErrorBody),
        (status = 422, description = "As when made", body = ErrorBody),
    ))]
pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<RelationshipSurveyIn>,
) -> Result<Tagged<RelationshipSurveyOut>, WebError> {
    let actor = identity.actor();
    state
        .app
        .update_relationship_survey(&actor, id, &form(&b)?, expected)
        .await?;
    let s = state.app.relationship_survey(&actor, id).await?;
    Ok(tagged(s.version, survey_out(&s)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundParams {
    /// The round: `2026-12`, `2026-Q4`, `2026-H2`, `2026`; today's round when absent.
    pub period: Option<String>,
}

/// How often one answer was given.
#[derive(Serialize, ToSchema)]
pub struct AnswerCount {
    /// The option's words, or the number answered.
    pub label: String,
    pub count: i64,
}

/// One question's answers.
#[derive(Serialize, ToSchema)]
pub struct QuestionResult {
    pub key: String,
    pub text: String,
    pub kind: String,
    pub answers: i64,
    /// The average of a scale or 0–10 question, in tenths (4.3 is 43).
    pub average_tenths: Option<i64>,
    pub counts: Vec<AnswerCount>,
}

/// A text answer.
#[derive(Serialize, ToSchema)]
pub struct SurveyComment {
    pub customer_id: i64,
    pub customer_name: String,
    pub question: String,
    pub text: String,
    pub answered_at: String,
}

/// Whom the round asked.
#[derive(Serialize, ToSchema)]
pub struct SurveyInvitation {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_name: Option<String>,
    /// `sent` or `skipped`.
    pub state: String,
    /// `no_contact` when skipped.
    pub skip_reason: Option<String>,
    /// `sms` or `email`.
    pub channel: Option<String>,
    pub sent_at: Option<String>,
    pub reminded_at: Option<String>,
    pub answered_at: Option<String>,
    /// The 0–10 recommendation answer.
    pub nps: Option<i64>,
}

/// A round's results.
#[derive(Serialize, ToSchema)]
pub struct SurveyRoundResults {
    pub survey_id: i64,
    pub period: String,
    /// The rounds there are, the latest first.
    pub periods: Vec<String>,
    pub sent: i64,
    pub skipped: i64,
    pub reminded: i64,
    pub answered: i64,
    /// Answered of sent, in tenths of a percent (41.7 % is 417).
    pub response_rate_tenths: Option<i64>,
    /// 9–10 answers to the recommendation question.
    pub promoters: i64,
    pub passives: i64,
    /// 0–6 answers.
    pub detractors: i64,
    /// % promoters − % detractors, in tenths (−1000 to 1000).
    pub nps_tenths: Option<i64>,
    pub questions: Vec<QuestionResult>,
    pub comments: Vec<SurveyComment>,
    pub invitations: Vec<SurveyInvitation>,
}

fn results_out(r: RoundResults) -> SurveyRoundResults {
    SurveyRoundResults {
        survey_id: r.survey.id,
        period: r.period,
        periods: r.periods,
        sent: r.tally.sent,
        skipped: r.tally.skipped,
        reminded: r.tally.reminded,
        answered: r.tally.answered,
        response_rate_tenths: r.response_rate_tenths,
        promoters: r.nps.promoters,
        passives: r.nps.passives,
        detractors: r.nps.detractors,
        nps_tenths: r.nps.nps_tenths(),
        questions: r
            .questions
            .into_iter()
            .map(|q| QuestionResult {
                key: q.question.key,
                text: q.question.text,
                kind: q.question.kind.key().to_owned(),
                answers: q.answers,
                average_tenths: q.average_tenths,
                counts: q
                    .counts
                    .into_iter()
                    .map(|c| AnswerCount {
                        label: c.label,
                        count: c.count,
                    })
                    .collect(),
            })
            .collect(),
        comments: r
            .comments
            .into_iter()
            .map(|c| SurveyComment {
                customer_id: c.customer_id,
                customer_name: c.customer_name,
                question: c.question,
                text: c.text,
                answered_at: rfc3339(c.answered_at),
            })
            .collect(),
        invitations: r
            .invitations
            .into_iter()
            .map(|i| SurveyInvitation {
                id: i.id,
                customer_id: i.customer_id,
                customer_name: i.customer_name,
                contact_name: i.contact_name,
                state: i.state,
                skip_reason: i.skip_reason,
                channel: i.channel,
                sent_at: i.sent_at.map(rfc3339),
                reminded_at: i.reminded_at.map(rfc3339),
                answered_at: i.answered_at.map(rfc3339),
                nps: i.nps,
            })
            .collect(),
    }
}

/// 调查结果 — one round of a relationship survey.
#[utoipa::path(get, path = "/api/v1/relationship-surveys/{id}/results", tag = "satisfaction",
    params(("id" = i64, Path, description = "survey id"), RoundParams),
    responses(
        (status = 200, description = "The round", body = SurveyRoundResults),
        (status = 404, description = "No such survey", body = ErrorBody),
        (status = 422, description = "`bad_plan_period`", body = ErrorBody),
    ))]
pub async fn results(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(p): Query<RoundParams>,
) -> Result<Json<SurveyRoundResults>, WebError> {
    let r = state
        .app
        .relationship_results(&identity.actor(), id, p.period.as_deref())
        .await?;
    Ok(Json(results_out(r)))
}
