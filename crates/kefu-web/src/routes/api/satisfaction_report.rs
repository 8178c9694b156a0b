//! 满意度报表 over the API: the report the page shows, as JSON.

use axum::Json;
use axum::extract::{Query, State};
use kefu_app::satisfaction::report::{CsatLine, NpsLine};
use serde::Serialize;
use utoipa::ToSchema;

use super::rfc3339;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::satisfaction_shared::report_query as query;

/// One group of ticket surveys.
#[derive(Serialize, ToSchema)]
pub struct CsatGroupOut {
    /// The month (`2026-11`), the agent's or product's id (`0`: none), the channel, ticket
    /// type or tier key (empty: no customer), the province (empty: none given).
    pub key: String,
    /// The agent's name, grouped by agent; the product's SKU and name, grouped by product.
    pub name: Option<String>,
    pub sent: i64,
    pub answered: i64,
    /// Answered of sent, in tenths of a percent (41.7 % is 417).
    pub response_rate_tenths: Option<i64>,
    /// The average score in tenths (4.3 is 43).
    pub average_tenths: Option<i64>,
    /// Answered 4–5 of the answered, in tenths of a percent.
    pub satisfied_rate_tenths: Option<i64>,
    pub low: i64,
}

fn csat_out(l: &CsatLine) -> CsatGroupOut {
    CsatGroupOut {
        key: l.key.clone(),
        name: l.name.clone(),
        sent: l.sent,
        answered: l.answered,
        response_rate_tenths: l.response_rate,
        average_tenths: l.average,
        satisfied_rate_tenths: l.satisfied_rate,
        low: l.low,
    }
}

/// One group of relationship invitations.
#[derive(Serialize, ToSchema)]
pub struct NpsGroupOut {
    /// The round, the tier or customer-type key, the province (empty: none given), the
    /// product's id (`0`: the customer had bought none).
    pub key: String,
    /// The product's SKU and name, grouped by product.
    pub name: Option<String>,
    pub sent: i64,
    pub answered: i64,
    pub response_rate_tenths: Option<i64>,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
    /// % promoters − % detractors, in tenths.
    pub nps_tenths: Option<i64>,
}

fn nps_out(l: &NpsLine) -> NpsGroupOut {
    NpsGroupOut {
        key: l.key.clone(),
        name: l.name.clone(),
        sent: l.sent,
        answered: l.answered,
        response_rate_tenths: l.response_rate,
        promoters: l.tally.promoters,
        passives: l.tally.passives,
        detractors: l.tally.detractors,
        nps_tenths: l.nps,
    }
}

/// The standard questions' averages in one group of invitations (grouped as `nps` is), in
/// tenths.
#[derive(Serialize, ToSchema)]
pub struct TrendOut {
    /// As the `nps` groups' key.
    pub key: String,
    pub name: Option<String>,
    pub keep: Option<i64>,
    pub repurchase: Option<i64>,
    pub recommend: Option<i64>,
    pub switch: Option<i64>,
    /// The asked survey's own 1–5 questions' averages, as `custom_questions` lists them.
    pub custom: Vec<Option<i64>>,
}

/// One of the asked survey's own 1–5 questions.
#[derive(Serialize, ToSchema)]
pub struct OwnQuestionOut {
    /// `q1`…
    pub key: String,
    pub text: String,
}

/// What a customer said: a ticket survey's comment or a relationship survey's text answer.
#[derive(Serialize, ToSchema)]
pub struct SaidOut {
    /// `csat` or `relationship`.
    pub source: String,
    /// The ticket's id (`csat`) or the survey's (`relationship`).
    pub about_id: i64,
    /// The ticket's number, or the round.
    pub about: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The ticket survey's score, or the 0–10 recommendation answer.
    pub score: Option<i64>,
    pub text: String,
    pub at: String,
}

/// 满意度报表
#[derive(Serialize, ToSchema)]
pub struct SatisfactionReportOut {
    /// The first and last month covered.
    pub from: String,
    pub to: String,
    pub csat_by: String,
    pub nps_by: String,
    pub csat: Vec<CsatGroupOut>,
    pub csat_total: CsatGroupOut,
    pub nps: Vec<NpsGroupOut>,
    pub nps_total: NpsGroupOut,
    pub trend: Vec<TrendOut>,
    /// With `survey` given, that survey's own 1–5 questions, averaged per group in `trend`
    /// after the standard four; empty otherwise.
    pub custom_questions: Vec<OwnQuestionOut>,
    /// At most 500, the newest first.
    pub said: Vec<SaidOut>,
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct ReportParams {
    /// The first month (`2026-07`); default five months before the last.
    pub from: Option<String>,
    /// The last month (`2026-12`); default this month. At most 24 months in all.
    pub to: Option<String>,
    /// `month` (default), `agent`, `channel`, `ticket_type`, `product` (the product of
    /// the ticket's first RMA), `tier`, `region`.
    pub csat_by: Option<String>,
    /// `round` (default), `tier`, `customer_type`, `region`, `product` (every product the
    /// customer had bought or brought back before the invitation; the total counts each
    /// invitation once), `channel` (`sms`, `email`; empty: not sent), `owner` (the
    /// customer's owner's id, `0`: none, with the name). The standard questions are
    /// grouped the same way.
    pub nps_by: Option<String>,
    /// One relationship survey's id (blank: every survey); its own 1–5 questions are then
    /// averaged in `trend` too.
    pub survey: Option<String>,
    /// Only what customers said containing these words.
    pub q: Option<String>,
}

/// 满意度报表 — results and trends of the ticket and relationship surveys over whole months.
#[utoipa::path(get, path = "/api/v1/satisfaction/report", tag = "satisfaction",
    params(ReportParams),
    responses(
        (status = 200, description = "The report", body = SatisfactionReportOut),
        (status = 422, description = "`report_bad_month`, `report_months_backwards`, `satisfaction_report_too_long`, `unknown_value`", body = super::ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Json<SatisfactionReportOut>, WebError> {
    let r = state
        .app
        .satisfaction_report(&identity.actor(), &query(&q)?)
        .await?;
    let months = r.range.months();
    Ok(Json(SatisfactionReportOut {
        from: months.first().cloned().unwrap_or_default(),
        to: months.last().cloned().unwrap_or_default(),
        csat_by: r.csat_by.key().to_owned(),
        nps_by: r.nps_by.key().to_owned(),
        csat: r.csat.iter().map(csat_out).collect(),
        csat_total: csat_out(&r.csat_total),
        nps: r.nps.iter().map(nps_out).collect(),
        nps_total: nps_out(&r.nps_total),
        trend: r
            .trend
            .iter()
            .map(|x| TrendOut {
                key: x.key.clone(),
                name: x.name.clone(),
                keep: x.keep,
                repurchase: x.repurchase,
                recommend: x.recommend,
                switch: x.switch,
                custom: x.custom.clone(),
            })
            .collect(),
        custom_questions: r
            .custom_questions
            .iter()
            .map(|q| OwnQuestionOut {
                key: q.key.clone(),
                text: q.text.clone(),
            })
            .collect(),
        said: r
            .said
            .into_iter()
            .map(|s| SaidOut {
                source: s.source,
                about_id: s.about_id,
                about: s.about,
                customer_id: s.customer_id,
                customer_name: s.customer_name,
                score: s.score,
                text: s.text,
                at: rfc3339(s.at),
            })
            .collect(),
    }))
}
