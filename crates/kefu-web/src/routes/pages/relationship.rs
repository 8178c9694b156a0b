//! 关系调查 — the relationship surveys: the list with each one's current round, the survey
//! builder (the plan and the survey's own questions after the standard four), and a
//! round's results.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::satisfaction::relationship::{
    InvitationRow, QuestionResult, RelationshipSurvey, RoundResults, SurveyForm, SurveySummary,
};
use kefu_domain::customer::{CustomerType, Tier};
use kefu_domain::input::Keyed;
use kefu_domain::satisfaction::per_mille;
use kefu_domain::satisfaction::relationship::plan::EVERY_MONTHS;
use kefu_domain::satisfaction::relationship::{
    MAX_QUESTIONS, Question, QuestionKind, SurveyPlan, standard_questions,
};
pub(crate) use kefu_domain::satisfaction::tenths_text as tenths;

use super::tickets::field;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Blank question rows the builder offers below the survey's own.
const BLANK_ROWS: usize = 3;

/// `41.7%` from tenths of a percent; empty without a figure.
pub(crate) fn tenths_percent(v: Option<i64>) -> String {
    v.map(|x| format!("{}%", tenths(x))).unwrap_or_default()
}

fn segment(t: Tr, s: &SurveyPlan) -> String {
    let tier = s
        .tier
        .map(|x| t.tk("tier", x.key()))
        .unwrap_or_else(|| t.t("relationship.all_tiers").to_owned());
    let kind = s
        .customer_type
        .map(|x| t.tk("customer_type", x.key()))
        .unwrap_or_else(|| t.t("relationship.all_types").to_owned());
    format!("{tier} · {kind}")
}

struct ListLine {
    id: i64,
    name: String,
    segment: String,
    every: String,
    active: bool,
    period: String,
    sent: i64,
    answered: i64,
    rate: String,
    nps: String,
}

#[derive(Template)]
#[template(path = "relationship_list.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<ListLine>,
}

/// `/satisfaction/relationship`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let surveys = state.app.relationship_surveys(&identity.actor()).await?;
    let lines = surveys
        .into_iter()
        .map(|s: SurveySummary| ListLine {
            id: s.survey.id,
            segment: segment(t, &s.survey.plan),
            every: t.tk(
                "relationship.every",
                &s.survey.plan.every_months.to_string(),
            ),
            name: s.survey.plan.name,
            active: s.survey.active,
            period: s.period,
            sent: s.tally.sent,
            answered: s.tally.answered,
            rate: tenths_percent(per_mille(s.tally.answered, s.tally.sent)),
            nps: s.nps_tenths.map(tenths).unwrap_or_default(),
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            t,
            layout: Layout::new(&identity, "/satisfaction/relationship"),
            lines,
        },
    )
}

/// One question row of the builder.
struct Row {
    n: usize,
    text: String,
    kind: String,
    options: String,
    required: bool,
}

#[derive(Template)]
#[template(path = "relationship_form.html")]
struct FormPage {
    t: Tr,
    layout: Layout,
    /// `None` for a new survey.
    id: Option<i64>,
    version: i64,
    name: String,
    tier: String,
    customer_type: String,
    every_months: String,
    link_days: String,
    remind_after_days: String,
    active: bool,
    standard: Vec<Question>,
    rows: Vec<Row>,
    /// Invitations went out: the questions are shown, not edited.
    fixed: bool,
    tiers: Vec<(String, String)>,
    types: Vec<(String, String)>,
    periods: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    error: Option<String>,
}

fn rows_of(custom: &[Question], fixed: bool) -> Vec<Row> {
    let mut rows: Vec<Row> = custom
        .iter()
        .enumerate()
        .map(|(i, q)| Row {
            n: i + 1,
            text: q.text.clone(),
            kind: q.kind.key().to_owned(),
            options: q.options.join("\n"),
            required: q.required,
        })
        .collect();
    if !fixed {
        let room = MAX_QUESTIONS - standard_questions().len();
        let blanks = BLANK_ROWS.min(room.saturating_sub(rows.len()));
        for _ in 0..blanks {
            rows.push(Row {
                n: rows.len() + 1,
                text: String::new(),
                kind: QuestionKind::Scale.key().to_owned(),
                options: String::new(),
                required: false,
            });
        }
    }
    rows
}

fn form_page(identity: &Identity, id: Option<i64>, form: &SurveyForm, version: i64) -> FormPage {
    let t = identity.tr();
    let p = &form.plan;
    FormPage {
        t,
        layout: Layout::new(identity, "/satisfaction/relationship"),
        id,
        version,
        name: p.name.clone(),
        tier: p.tier.map(|x| x.key().to_owned()).unwrap_or_default(),
        customer_type: p
            .customer_type
            .map(|x| x.key().to_owned())
            .unwrap_or_default(),
        every_months: p.every_months.to_string(),
        link_days: p.link_days.to_string(),
        remind_after_days: p.remind_after_days.to_string(),
        active: form.active,
        standard: standard_questions(),
        rows: rows_of(&form.custom, false),
        fixed: false,
        tiers: <Tier as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("tier", k)))
            .collect(),
        types: <CustomerType as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("customer_type", k)))
            .collect(),
        periods: EVERY_MONTHS
            .iter()
            .map(|m| (m.to_string(), t.tk("relationship.every", &m.to_string())))
            .collect(),
        kinds: [
            QuestionKind::Scale,
            QuestionKind::Choice,
            QuestionKind::Text,
        ]
        .iter()
        .map(|k| (k.key().to_owned(), t.tk("relationship.kind", k.key())))
        .collect(),
        error: None,
    }
}

fn survey_form(s: &RelationshipSurvey) -> SurveyForm {
    SurveyForm {
        plan: s.plan.clone(),
        custom: s.custom().to_vec(),
        active: s.active,
    }
}

/// `/satisfaction/relationship/new`
pub async fn new(identity: Identity) -> Result<Response, WebError> {
    let form = SurveyForm {
        plan: SurveyPlan::default(),
        custom: Vec::new(),
        active: true,
    };
    render(StatusCode::OK, &form_page(&identity, None, &form, 0))
}

/// `/satisfaction/relationship/{id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let s = state.app.relationship_survey(&identity.actor(), id).await?;
    let mut p = form_page(&identity, Some(id), &survey_form(&s), s.version);
    p.fixed = s.first_sent_at.is_some();
    p.rows = rows_of(s.custom(), p.fixed);
    render(StatusCode::OK, &p)
}

/// The builder's form as sent: a question row counts when its text is not blank.
fn read_form(pairs: &[(String, String)]) -> Result<SurveyForm, WebError> {
    let number = |k: &str| field(pairs, k).trim().parse::<i64>().unwrap_or(-1);
    let mut custom = Vec::new();
    for n in 1..=MAX_QUESTIONS {
        let text = field(pairs, &format!("q{n}_text")).trim();
        if text.is_empty() {
            continue;
        }
        let kind = crate::input::parse_key::<QuestionKind>(
            "kind",
            field(pairs, &format!("q{n}_kind")).trim(),
        )?;
        custom.push(Question {
            key: String::new(),
            text: text.to_owned(),
            kind,
            options: field(pairs, &format!("q{n}_options"))
                .lines()
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(str::to_owned)
                .collect(),
            required: field(pairs, &format!("q{n}_required")) == "1",
        });
    }
    Ok(SurveyForm {
        plan: SurveyPlan {
            name: field(pairs, "name").to_owned(),
            tier: crate::input::parse_optional_key("tier", Some(field(pairs, "tier").trim()))?,
            customer_type: crate::input::parse_optional_key(
                "customer_type",
                Some(field(pairs, "customer_type").trim()),
            )?,
            every_months: number("every_months"),
            link_days: number("link_days"),
            remind_after_days: number("remind_after_days"),
        },
        custom,
        active: field(pairs, "active") == "1",
    })
}

/// `POST /satisfaction/relationship` (a new survey) and
/// `POST /satisfaction/relationship/{id}` (a change).
async fn save(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    pairs: &[(String, String)],
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let form = read_form(pairs)?;
    let version = field(pairs, "version").parse().ok();
    let saved = match id {
        None => state.app.create_relationship_survey(&actor, &form).await,
        Some(id) => state
            .app
            .update_relationship_survey(&actor, id, &form, version)
            .await
            .map(|_| id),
    };
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/satisfaction/relationship/{id}")).into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, t);
            let (current, fixed) = match id {
                Some(id) => {
                    let s = state.app.relationship_survey(&actor, id).await?;
                    (s.version, s.first_sent_at.is_some())
                }
                None => (0, false),
            };
            // The reader's input comes back as typed, with the refusal.
            let mut p = form_page(identity, id, &form, current);
            p.fixed = fixed;
            p.link_days = field(pairs, "link_days").to_owned();
            p.remind_after_days = field(pairs, "remind_after_days").to_owned();
            p.error = Some(message);
            render(status, &p)
        }
    }
}

pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(&state, &identity, None, &pairs).await
}

pub async fn update(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save(&state, &identity, Some(id), &pairs).await
}

struct QuestionLine {
    n: usize,
    text: String,
    kind: String,
    answers: i64,
    average: String,
    /// (label, count, share of the answers in whole percent for the bar)
    counts: Vec<(String, i64, i64)>,
}

fn question_line(t: Tr, n: usize, r: &QuestionResult) -> QuestionLine {
    QuestionLine {
        n,
        text: r.question.text.clone(),
        kind: t.tk("relationship.kind", r.question.kind.key()),
        answers: r.answers,
        average: r.average_tenths.map(tenths).unwrap_or_default(),
        counts: r
            .counts
            .iter()
            .map(|c| {
                let share = if r.answers > 0 {
                    c.count * 100 / r.answers
                } else {
                    0
                };
                (c.label.clone(), c.count, share)
            })
            .collect(),
    }
}

struct InvitationLine {
    customer_id: i64,
    customer: String,
    contact: String,
    state: String,
    channel: String,
    sent_at: String,
    reminded_at: String,
    answered_at: String,
    nps: String,
}

fn invitation_line(t: Tr, i: InvitationRow) -> InvitationLine {
    InvitationLine {
        customer_id: i.customer_id,
        customer: i.customer_name,
        contact: i.contact_name.unwrap_or_default(),
        state: match (i.state.as_str(), i.answered_at, i.skip_reason) {
            (_, Some(_), _) => t.t("relationship.answered").to_owned(),
            ("skipped", _, Some(why)) => t.tk("relationship.skip", &why),
            _ => t.t("relationship.waiting").to_owned(),
        },
        channel: i
            .channel
            .map(|c| t.tk("contact_channel", &c))
            .unwrap_or_default(),
        sent_at: i.sent_at.map(local_time).unwrap_or_default(),
        reminded_at: i.reminded_at.map(local_time).unwrap_or_default(),
        answered_at: i.answered_at.map(local_time).unwrap_or_default(),
        nps: i.nps.map(|n| n.to_string()).unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "relationship_results.html")]
struct ResultsPage {
    t: Tr,
    layout: Layout,
    id: i64,
    name: String,
    segment: String,
    every: String,
    active: bool,
    period: String,
    periods: Vec<String>,
    sent: i64,
    skipped: i64,
    reminded: i64,
    answered: i64,
    rate: String,
    nps: String,
    promoters: i64,
    passives: i64,
    detractors: i64,
    questions: Vec<QuestionLine>,
    /// (customer id, customer, question text, words, when)
    comments: Vec<(i64, String, String, String, String)>,
    invitations: Vec<InvitationLine>,
}

/// `/satisfaction/relationship/{id}?period=2026-Q4`
pub async fn results(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let period = field(&q, "period");
    let r: RoundResults = state
        .app
        .relationship_results(&identity.actor(), id, Some(period))
        .await?;
    let text_of = |key: &str| {
        r.survey
            .questions
            .iter()
            .find(|q| q.key == key)
            .map(|q| q.text.clone())
            .unwrap_or_default()
    };
    let comments = r
        .comments
        .iter()
        .map(|c| {
            (
                c.customer_id,
                c.customer_name.clone(),
                text_of(&c.question),
                c.text.clone(),
                local_time(c.answered_at),
            )
        })
        .collect();
    let page = ResultsPage {
        t,
        layout: Layout::new(&identity, "/satisfaction/relationship"),
        id,
        name: r.survey.plan.name.clone(),
        segment: segment(t, &r.survey.plan),
        every: t.tk(
            "relationship.every",
            &r.survey.plan.every_months.to_string(),
        ),
        active: r.survey.active,
        period: r.period.clone(),
        periods: r.periods.clone(),
        sent: r.tally.sent,
        skipped: r.tally.skipped,
        reminded: r.tally.reminded,
        answered: r.tally.answered,
        rate: tenths_percent(r.response_rate_tenths),
        nps: r.nps.nps_tenths().map(tenths).unwrap_or_default(),
        promoters: r.nps.promoters,
        passives: r.nps.passives,
        detractors: r.nps.detractors,
        questions: r
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| question_line(t, i + 1, q))
            .collect(),
        comments,
        invitations: r
            .invitations
            .into_iter()
            .map(|i| invitation_line(t, i))
            .collect(),
    };
    render(StatusCode::OK, &page)
}
