//! 信用管理 and 今日关注 — recording credit investigations and terms from the 360 page, the
//! scoring model's admin page, and the daily view of customers needing attention.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::credit::FactorScore;
use kefu_app::versions::Sheet;
use kefu_domain::credit::{Factor, Model};

use super::render;
use super::tickets::field;
use super::versioned::{SettingStale, form_version, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Yuan as typed (`12,000.50`) to fen: the domain's one reading of money typed by people.
pub use kefu_domain::money::parse_yuan;

/// Money on the pages: one formatter for all of them ([`crate::view::yuan`], `12,000.50`),
/// which the credit form also reads back ([`parse_yuan`] takes the separators).
pub use crate::view::yuan;

pub async fn record_investigation(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let mut scores = Vec::new();
    for f in Factor::ALL {
        let raw = field(&pairs, &format!("score_{}", f.key()))
            .trim()
            .to_owned();
        if raw.is_empty() {
            continue;
        }
        let score: u32 = raw
            .parse()
            .map_err(|_| WebError::bad_request("invalid_field", format!("score_{}", f.key())))?;
        scores.push(FactorScore {
            factor: f,
            score,
            evidence: field(&pairs, &format!("evidence_{}", f.key())).to_owned(),
        });
    }
    // The investigation's date: today when left empty, else through the one date rule.
    let on = match kefu_domain::dates::parse_opt("on", Some(field(&pairs, "on"))) {
        Ok(Some(d)) => Ok(d),
        Ok(None) => Ok(state
            .app
            .now()
            .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC))
            .date()),
        Err(e) => Err(kefu_app::AppError::from(e)),
    };
    let recorded = match on {
        Ok(on) => {
            state
                .app
                .record_investigation(&identity.actor(), id, on, &scores, field(&pairs, "notes"))
                .await
        }
        Err(e) => Err(e),
    };
    match recorded {
        Ok(_) => Ok(Redirect::to(&format!("/customers/{id}#credit")).into_response()),
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            render(
                status,
                &super::customers::page_with_error(&state, &identity, id, message).await?,
            )
        }
    }
}

pub async fn set_terms(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let Some(limit) = parse_yuan(field(&pairs, "limit")) else {
        let message = t.t("error.bad_amount").to_owned();
        return render(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            &super::customers::page_with_error(&state, &identity, id, message).await?,
        );
    };
    match state
        .app
        .set_credit_terms(&identity.actor(), id, limit, field(&pairs, "payment_terms"))
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/customers/{id}#credit")).into_response()),
        Err(e) => {
            let (status, message) = super::refusal(e, t);
            render(
                status,
                &super::customers::page_with_error(&state, &identity, id, message).await?,
            )
        }
    }
}

#[derive(Template)]
#[template(path = "admin_credit.html")]
struct ModelPage {
    t: Tr,
    layout: Layout,
    /// (factor key, weight)
    weights: Vec<(String, u32)>,
    a_from: u32,
    b_from: u32,
    c_from: u32,
    /// The model's version the form was rendered with.
    version: i64,
    error: Option<String>,
    saved: bool,
    stale: Option<SettingStale>,
}

impl ModelPage {
    /// The model as the form shows it, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        self.weights
            .iter()
            .map(|(k, w)| (t.tk("credit.factor", k), w.to_string()))
            .chain([
                (t.t("credit.a_from").to_owned(), self.a_from.to_string()),
                (t.t("credit.b_from").to_owned(), self.b_from.to_string()),
                (t.t("credit.c_from").to_owned(), self.c_from.to_string()),
            ])
            .collect()
    }
}

fn model_page(
    identity: &Identity,
    m: &Model,
    version: i64,
    error: Option<String>,
    saved: bool,
) -> ModelPage {
    ModelPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/admin/credit"),
        weights: Factor::ALL
            .iter()
            .map(|f| {
                let w = m
                    .weights
                    .iter()
                    .find(|(x, _)| x == f)
                    .map_or(0, |(_, w)| *w);
                (f.key().to_owned(), w)
            })
            .collect(),
        a_from: m.a_from,
        b_from: m.b_from,
        c_from: m.c_from,
        version,
        error,
        saved,
        stale: None,
    }
}

pub async fn model(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let m = state.app.credit_model(&identity.actor()).await?;
    let version = state
        .app
        .sheet_version(&identity.actor(), Sheet::CreditModel)
        .await?;
    super::ok(&model_page(&identity, &m, version, None, false))
}

pub async fn save_model(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let num = |k: &str| field(&pairs, k).trim().parse::<u32>().unwrap_or(0);
    let m = Model {
        weights: Factor::ALL
            .iter()
            .map(|f| (*f, num(&format!("weight_{}", f.key()))))
            .collect(),
        a_from: num("a_from"),
        b_from: num("b_from"),
        c_from: num("c_from"),
    };
    let actor = identity.actor();
    let expected = form_version(&pairs);
    match state.app.save_credit_model(&actor, &m, expected).await {
        Ok(()) => {
            let version = state.app.sheet_version(&actor, Sheet::CreditModel).await?;
            super::ok(&model_page(&identity, &m, version, None, true))
        }
        Err(e) if stale_version(&e).is_some() => {
            let current = stale_version(&e).unwrap_or_default();
            let stored = model_page(
                &identity,
                &state.app.credit_model(&actor).await?,
                current,
                None,
                false,
            );
            let mut page = model_page(&identity, &m, current, None, false);
            page.stale = Some(SettingStale::new(
                identity.tr(),
                current,
                page.shown(),
                stored.shown(),
            ));
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => {
            let (status, message) = super::refusal(e, identity.tr());
            let version = match expected {
                Some(v) => v,
                None => state.app.sheet_version(&actor, Sheet::CreditModel).await?,
            };
            render(
                status,
                &model_page(&identity, &m, version, Some(message), false),
            )
        }
    }
}

/// One reason a customer is on today's list, in words, with the tickets it names.
pub struct ReasonCell {
    pub key: &'static str,
    pub text: String,
    /// (id, number) of each ticket the reason is about, linked on the page.
    pub tickets: Vec<(i64, String)>,
}

/// A customer on today's list, once, with every reason.
pub struct AttentionRow {
    pub id: i64,
    pub name: String,
    pub tier: String,
    /// The most pressing first.
    pub reasons: Vec<ReasonCell>,
    /// `why-<reason>` for each reason, for styling.
    pub classes: String,
    pub last_contact: String,
    pub grade: String,
}

#[derive(Template)]
#[template(path = "customers_today.html")]
struct TodayPage {
    t: Tr,
    layout: Layout,
    rows: Vec<AttentionRow>,
    hint: String,
}

/// 今日关注 — the signed-in agent's customers needing attention today (seed 002 §二), each
/// once with all its reasons and the tickets they are about.
pub async fn today(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let days = state.app.settings.dormant_after_days.to_string();
    let rows = state
        .app
        .customers_needing_attention(&identity.actor())
        .await?
        .into_iter()
        .map(|a| {
            let c = a.customer;
            AttentionRow {
                id: c.id,
                tier: t.tk("tier", &c.tier),
                classes: a
                    .reasons
                    .iter()
                    .map(|r| format!("why-{}", r.key))
                    .collect::<Vec<_>>()
                    .join(" "),
                reasons: a
                    .reasons
                    .into_iter()
                    .map(|r| ReasonCell {
                        key: r.key,
                        text: t.f(&format!("today.reason.{}", r.key), &[("days", &days)]),
                        tickets: r.tickets,
                    })
                    .collect(),
                last_contact: c
                    .last_contact_at
                    .map(local_time)
                    .unwrap_or_else(|| "—".into()),
                grade: c.credit_grade.unwrap_or_default(),
                name: c.name,
            }
        })
        .collect();
    super::ok(&TodayPage {
        t,
        layout: Layout::new(&identity, "/customers/today"),
        rows,
        hint: t.f("today.hint", &[("days", &days)]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_amounts_parse_to_fen() {
        assert_eq!(parse_yuan("12,000.5"), Some(1_200_050));
        assert_eq!(parse_yuan("0.05"), Some(5));
        assert_eq!(parse_yuan(""), Some(0));
        assert_eq!(parse_yuan("-3"), None);
        assert_eq!(parse_yuan("1.234"), None);
        assert_eq!(yuan(1_200_050), "12,000.50");
        assert_eq!(parse_yuan(&yuan(1_200_050)), Some(1_200_050));
    }
}
