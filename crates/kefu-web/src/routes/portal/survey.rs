//! `/s/{link}` — the customer answers a satisfaction survey from the link in the message,
//! with no sign-in, on a phone or in WeChat's browser: five big buttons, one tap each, then
//! an optional comment. Plain HTML forms, no script.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::satisfaction::PublicSurvey;

use super::PortalLayout;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::pages::render;
use crate::routes::pages::tickets::field;
use crate::view::local_time;

#[derive(Template)]
#[template(path = "csat_survey.html")]
struct SurveyPage {
    t: Tr,
    layout: PortalLayout,
    link: String,
    survey: Option<PublicSurvey>,
    /// The five scores with their words, highest first.
    scores: Vec<(i64, String)>,
    changeable_until: String,
    /// Just answered: the thanks.
    thanked: bool,
    error: Option<String>,
}

fn page(identity: &Identity, link: &str) -> SurveyPage {
    let t = identity.tr();
    SurveyPage {
        t,
        layout: PortalLayout::new(identity),
        link: link.to_owned(),
        survey: None,
        scores: (1..=5)
            .rev()
            .map(|s| (s, t.tk("csat.score", &s.to_string())))
            .collect(),
        changeable_until: String::new(),
        thanked: false,
        error: None,
    }
}

fn with(mut p: SurveyPage, s: PublicSurvey) -> SurveyPage {
    p.changeable_until = s.changeable_until.map(local_time).unwrap_or_default();
    p.survey = Some(s);
    p
}

/// `GET /s/{link}`
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(link): Path<String>,
) -> Result<Response, WebError> {
    let p = page(&identity, &link);
    match state.app.csat_survey(&link).await {
        Ok(s) => render(StatusCode::OK, &with(p, s)),
        Err(e) => refused(p, e),
    }
}

/// `POST /s/{link}`: a score (one tap), with the comment when one was written.
pub async fn answer(
    State(state): State<AppState>,
    identity: Identity,
    Path(link): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = page(&identity, &link);
    // Not a number: out of range, so the rule's refusal says what a score is.
    let score = field(&pairs, "score").trim().parse().unwrap_or(0);
    match state
        .app
        .answer_csat(&link, score, field(&pairs, "comment"))
        .await
    {
        Ok(s) => {
            let mut p = with(p, s);
            p.thanked = true;
            render(StatusCode::OK, &p)
        }
        Err(e) => {
            // Say why, and show the survey as it stands when there is one.
            let current = state.app.csat_survey(&link).await.ok();
            let p = match current {
                Some(s) => with(p, s),
                None => p,
            };
            refused(p, e)
        }
    }
}

fn refused(mut p: SurveyPage, e: kefu_app::AppError) -> Result<Response, WebError> {
    let info = WebError::from(e).into_info();
    let status = info.status;
    p.error = Some(info.message(p.t));
    render(status, &p)
}
