//! 质检校准 — asking a second inspector to score an inspection again, their blind score
//! (on the inspection's page), the rounds compared item by item on that page, and the
//! calibrations page: mine to score, every round of the last 90 days, and how alike the
//! inspectors judge, overall and per pair.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::quality::{CalibrationRound, points};
use kefu_domain::quality::Scorecard;
use kefu_domain::quality::calibration::Agreement;

use super::quality_inspections::{Typing, no_typing, refused, score_form};
use super::render;
use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// One item of a comparison.
pub struct ItemLine {
    pub name: String,
    pub first: String,
    pub second: String,
    pub same: bool,
}

/// A calibration as the inspection's page and the calibrations page show it.
pub struct RoundLine {
    pub inspection_id: i64,
    pub inspector: String,
    pub first_inspector: String,
    pub agent: String,
    pub date: String,
    pub status_key: String,
    pub status: String,
    pub asked_at: String,
    pub first: String,
    pub second: String,
    /// `+1.5` / `-3.0`, once both are in.
    pub difference: Option<String>,
    /// `4/5`.
    pub agreed: String,
    pub verdict: String,
    pub items: Vec<ItemLine>,
}

fn level(v: Option<i64>, t: Tr) -> String {
    v.map_or_else(|| t.t("quality.na").to_owned(), |s| s.to_string())
}

fn signed_points(tenths: i64) -> String {
    let sign = if tenths > 0 {
        "+"
    } else if tenths < 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{}", points(tenths.abs()))
}

/// The rounds as lines; with `card`, each item named (the inspection's page).
pub fn round_lines(t: Tr, card: &Scorecard, rounds: &[CalibrationRound]) -> Vec<RoundLine> {
    let name_of = |key: &str| {
        card.sections
            .iter()
            .flat_map(|s| s.items.iter())
            .find(|i| i.key == key)
            .map_or_else(|| key.to_owned(), |i| i.name.clone())
    };
    rounds
        .iter()
        .map(|r| {
            let c = &r.calibration;
            let status = if c.status == "scored" {
                t.t("quality.status.scored").to_owned()
            } else {
                t.t("quality.calibration.waiting_score").to_owned()
            };
            let (difference, agreed, verdict, items) = match &r.comparison {
                Some(cmp) => (
                    Some(signed_points(cmp.total_diff_tenths)),
                    format!("{}/{}", cmp.agreed, cmp.compared),
                    if cmp.same_verdict {
                        t.t("quality.calibration.verdict_same").to_owned()
                    } else {
                        t.t("quality.calibration.verdict_different").to_owned()
                    },
                    cmp.items
                        .iter()
                        .filter(|i| i.first.is_some() || i.second.is_some())
                        .map(|i| ItemLine {
                            name: name_of(&i.key),
                            first: level(i.first, t),
                            second: level(i.second, t),
                            same: i.same(),
                        })
                        .collect(),
                ),
                None => (None, String::new(), String::new(), Vec::new()),
            };
            RoundLine {
                inspection_id: c.inspection_id,
                inspector: c.inspector_name.clone(),
                first_inspector: c.first_inspector_name.clone().unwrap_or_default(),
                agent: c.agent_name.clone(),
                date: c.sample_date.clone(),
                status_key: c.status.clone(),
                status,
                asked_at: local_time(c.asked_at),
                first: c.first_score_tenths.map(points).unwrap_or_default(),
                second: c.score_tenths.map(points).unwrap_or_default(),
                difference,
                agreed,
                verdict,
                items,
            }
        })
        .collect()
}

/// Agreement as the page reads it.
pub struct AgreementLine {
    pub first: String,
    pub second: String,
    pub rounds: i64,
    pub items: String,
    pub distance: String,
    pub verdicts: String,
}

fn agreement_line(first: String, second: String, a: &Agreement) -> AgreementLine {
    let permille = |v: Option<i64>| v.map_or_else(|| "—".to_owned(), kefu_app::quality::percent);
    AgreementLine {
        first,
        second,
        rounds: a.rounds,
        items: permille(a.item_permille()),
        distance: a
            .mean_distance_tenths()
            .map_or_else(|| "—".to_owned(), points),
        verdicts: permille(a.verdict_permille()),
    }
}

struct WaitingLine {
    inspection_id: i64,
    agent: String,
    date: String,
    asked_at: String,
}

#[derive(Template)]
#[template(path = "quality_calibrations.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    waiting: Vec<WaitingLine>,
    rounds: Vec<RoundLine>,
    overall: AgreementLine,
    pairs: Vec<AgreementLine>,
}

/// `/quality/calibrations`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let o = state.app.quality_calibrations(&identity.actor()).await?;
    let card = Scorecard {
        sections: Vec::new(),
        pass_mark: 0,
    };
    render(
        StatusCode::OK,
        &ListPage {
            t,
            layout: Layout::new(&identity, "/quality/inspections"),
            waiting: o
                .waiting
                .iter()
                .map(|c| WaitingLine {
                    inspection_id: c.inspection_id,
                    agent: c.agent_name.clone(),
                    date: c.sample_date.clone(),
                    asked_at: local_time(c.asked_at),
                })
                .collect(),
            rounds: round_lines(t, &card, &o.rounds),
            overall: agreement_line(String::new(), String::new(), &o.overall),
            pairs: o
                .pairs
                .iter()
                .map(|p| agreement_line(p.first.clone(), p.second.clone(), &p.agreement))
                .collect(),
        },
    )
}

/// `POST /quality/inspections/{id}/calibrations`: the `inspector` asked.
pub async fn ask(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let inspector = field(&pairs, "inspector").parse::<i64>().unwrap_or(0);
    match state
        .app
        .ask_quality_calibration(&identity.actor(), id, inspector)
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/quality/inspections/{id}?done=calibration_asked"))
                .into_response(),
        ),
        Err(e) => refused(&state, &identity, id, e, no_typing()).await,
    }
}

/// `POST /quality/calibrations/{id}/score`: the blind score, as the inspection's score form
/// sends it (with the `inspection` it is on).
pub async fn score(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let inspection = field(&pairs, "inspection").parse::<i64>().unwrap_or(0);
    let (typed, form) = score_form(&pairs);
    match state
        .app
        .score_quality_calibration(&identity.actor(), id, &form)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/quality/inspections/{inspection}?done=calibration_scored"
        ))
        .into_response()),
        Err(e) => {
            let typing = Typing {
                items: Some(typed),
                comment: Some(form.comment),
                ..no_typing()
            };
            refused(&state, &identity, inspection, e, typing).await
        }
    }
}
