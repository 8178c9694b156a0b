//! `/r/{link}` — the customer answers a relationship survey from the link in the invitation,
//! with no sign-in, on a phone or in WeChat's browser: every question on one page, big
//! choices, one submission. Plain HTML forms, no script.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::satisfaction::relationship::PublicInvitation;
use kefu_domain::satisfaction::relationship::{Given, QuestionKind};

use super::PortalLayout;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::render;
use crate::routes::pages::tickets::field;

/// One question as the page shows it.
struct Shown {
    n: usize,
    key: String,
    text: String,
    kind: &'static str,
    required: bool,
    /// (value, label) of each choice.
    choices: Vec<(String, String)>,
    /// The words at the two ends of a scale.
    low: String,
    high: String,
    /// What the customer gave (after a refusal).
    value: String,
}

#[derive(Template)]
#[template(path = "relationship_survey.html")]
struct SurveyPage {
    t: Tr,
    layout: PortalLayout,
    link: String,
    survey: Option<PublicInvitation>,
    questions: Vec<Shown>,
    thanked: bool,
    error: Option<String>,
}

fn page(identity: &Identity, link: &str) -> SurveyPage {
    SurveyPage {
        t: identity.tr(),
        layout: PortalLayout::new(identity),
        link: link.to_owned(),
        survey: None,
        questions: Vec::new(),
        thanked: false,
        error: None,
    }
}

fn with(mut p: SurveyPage, s: PublicInvitation, given: &[(String, String)]) -> SurveyPage {
    let t = p.t;
    p.questions = s
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let numbers = |range: std::ops::RangeInclusive<i64>| {
                range.map(|n| (n.to_string(), n.to_string())).collect()
            };
            let (choices, low, high) = match q.kind {
                QuestionKind::Scale => (
                    numbers(1..=5),
                    t.t("relationship.scale_low").to_owned(),
                    t.t("relationship.scale_high").to_owned(),
                ),
                QuestionKind::Nps => (
                    numbers(0..=10),
                    t.t("relationship.nps_low").to_owned(),
                    t.t("relationship.nps_high").to_owned(),
                ),
                QuestionKind::Choice => (
                    q.options
                        .iter()
                        .enumerate()
                        .map(|(i, o)| (i.to_string(), o.clone()))
                        .collect(),
                    String::new(),
                    String::new(),
                ),
                QuestionKind::Text => (Vec::new(), String::new(), String::new()),
            };
            Shown {
                n: i + 1,
                key: q.key.clone(),
                text: q.text.clone(),
                kind: q.kind.key(),
                required: q.required,
                choices,
                low,
                high,
                value: field(given, &q.key).to_owned(),
            }
        })
        .collect();
    p.survey = Some(s);
    p
}

/// `GET /r/{link}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(link): Path<String>,
) -> Result<Response, WebError> {
    let p = page(&identity, &link);
    match state.app.relationship_invitation(&link).await {
        Ok(s) => render(StatusCode::OK, &with(p, s, &[])),
        Err(e) => refused(p, e),
    }
}

/// `POST /r/{link}`: every answer at once.
pub async fn answer(
    State(state): State<AppState>,
    identity: Identity,
    Path(link): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = page(&identity, &link);
    let given: Vec<Given> = pairs
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| Given {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    match state.app.answer_relationship(&link, &given).await {
        Ok(s) => {
            let mut p = with(p, s, &[]);
            p.thanked = true;
            render(StatusCode::OK, &p)
        }
        Err(e) => {
            // Say why, with the questionnaire and what was given, when there is one.
            let p = match state.app.relationship_invitation(&link).await.ok() {
                Some(s) => with(p, s, &pairs),
                None => p,
            };
            refused(p, e)
        }
    }
}

fn refused(mut p: SurveyPage, e: kefu_app::AppError) -> Result<Response, WebError> {
    let mut info = WebError::from(e).into_info();
    // An answer's refusal names its question by key: the customer reads its words.
    for (name, value) in info.args.iter_mut() {
        if *name == "key"
            && let Some(q) = p.questions.iter().find(|q| q.key == *value)
        {
            *value = q.text.clone();
        }
    }
    let status = info.status;
    // Answered already: the page says so itself.
    if info.code != "csat_final" {
        p.error = Some(info.message(p.t));
    }
    render(status, &p)
}
