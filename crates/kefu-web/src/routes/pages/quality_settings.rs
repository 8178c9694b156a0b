//! 质检设置 — the sampling rules, the appeal days and the phrases hinted at, with the latest
//! samples drawn (when, over which work, by which rules and seed).

use std::collections::BTreeMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::quality::QualitySettings;
use kefu_domain::quality::phrases;
use kefu_domain::quality::sample::SampleRules;

use super::tickets::field;
use super::versioned::form_version;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// The form's values as shown or as typed.
struct Values {
    per_agent: String,
    quotas: String,
    all_complaints: bool,
    all_low_csat: bool,
    all_sla_breaches: bool,
    calls_over_minutes: String,
    all_unverified_visits: bool,
    appeal_days: String,
    phrases: String,
}

fn values_of(s: &QualitySettings) -> Values {
    Values {
        per_agent: s.rules.per_agent.to_string(),
        quotas: s
            .rules
            .channel_quotas
            .iter()
            .map(|(c, n)| format!("{c}={n}"))
            .collect::<Vec<_>>()
            .join(", "),
        all_complaints: s.rules.all_complaints,
        all_low_csat: s.rules.all_low_csat,
        all_sla_breaches: s.rules.all_sla_breaches,
        calls_over_minutes: s
            .rules
            .calls_over_minutes
            .map(|m| m.to_string())
            .unwrap_or_default(),
        all_unverified_visits: s.rules.all_unverified_visits,
        appeal_days: s.appeal_days.to_string(),
        phrases: s.phrases.join("\n"),
    }
}

fn typed(pairs: &[(String, String)]) -> Values {
    let on = |k: &str| !field(pairs, k).is_empty();
    Values {
        per_agent: field(pairs, "per_agent").to_owned(),
        quotas: field(pairs, "quotas").to_owned(),
        all_complaints: on("all_complaints"),
        all_low_csat: on("all_low_csat"),
        all_sla_breaches: on("all_sla_breaches"),
        calls_over_minutes: field(pairs, "calls_over_minutes").to_owned(),
        all_unverified_visits: on("all_unverified_visits"),
        appeal_days: field(pairs, "appeal_days").to_owned(),
        phrases: field(pairs, "phrases").to_owned(),
    }
}

/// A number as typed; one that does not read is out of every range, so the settings'
/// check refuses it by name.
fn number<T: std::str::FromStr + Copy>(text: &str, bad: T) -> T {
    text.trim().parse().unwrap_or(bad)
}

/// The settings the form makes; a quota line that does not read is refused as such.
fn settings_of(v: &Values) -> Result<QualitySettings, kefu_app::AppError> {
    let mut quotas = BTreeMap::new();
    for part in v
        .quotas
        .split([',', '，', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (channel, n) = part.split_once(['=', ':', '：']).unwrap_or((part, ""));
        quotas.insert(channel.trim().to_owned(), number(n, u16::MAX));
    }
    let calls = v.calls_over_minutes.trim();
    Ok(QualitySettings {
        rules: SampleRules {
            per_agent: number(&v.per_agent, u16::MAX),
            channel_quotas: quotas,
            all_complaints: v.all_complaints,
            all_low_csat: v.all_low_csat,
            all_sla_breaches: v.all_sla_breaches,
            calls_over_minutes: (!calls.is_empty()).then(|| number(calls, 0)),
            all_unverified_visits: v.all_unverified_visits,
        },
        appeal_days: number(&v.appeal_days, 0),
        phrases: phrases::parse(&v.phrases).map_err(kefu_domain::quality::InspectionError::from)?,
    })
}

struct SampleLine {
    date: String,
    covers: String,
    candidates: i64,
    inspections: i64,
    by: String,
    seed: String,
}

#[derive(Template)]
#[template(path = "quality_settings.html")]
struct SettingsPage {
    t: Tr,
    layout: Layout,
    version: i64,
    v: Values,
    samples: Vec<SampleLine>,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    typed: Option<Values>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<SettingsPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let (settings, version) = state.app.quality_settings(&actor).await?;
    let samples = state
        .app
        .quality_samples(&actor)
        .await?
        .into_iter()
        .map(|s| SampleLine {
            covers: format!(
                "{} – {}",
                local_time(s.covers_from),
                local_time(s.covers_to)
            ),
            by: s
                .drawn_by_name
                .unwrap_or_else(|| t.t("quality.settings.by_job").to_owned()),
            date: s.sample_date,
            candidates: s.candidates,
            inspections: s.inspections,
            seed: s.seed,
        })
        .collect();
    Ok(SettingsPage {
        t,
        layout: Layout::new(identity, "/quality/settings"),
        version,
        v: typed.unwrap_or_else(|| values_of(&settings)),
        samples,
        notice,
        error,
    })
}

/// `/quality/settings`; `?saved=1` after saving.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice =
        (field(&q, "saved") == "1").then(|| identity.tr().t("quality.settings.saved").to_owned());
    render(
        StatusCode::OK,
        &page(&state, &identity, None, notice, None).await?,
    )
}

/// `POST /quality/settings`: saves; a refusal shows the form again as typed, with why.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let v = typed(&pairs);
    let outcome = match settings_of(&v) {
        Ok(s) => {
            state
                .app
                .save_quality_settings(&identity.actor(), s, form_version(&pairs))
                .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Ok(Redirect::to("/quality/settings?saved=1").into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            render(
                status,
                &page(&state, &identity, Some(v), None, Some(message)).await?,
            )
        }
    }
}
