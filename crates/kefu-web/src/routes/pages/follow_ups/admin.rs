//! `/admin/follow-ups`: the calling hours, the proving call length, the coverage warning,
//! the scripts, the rules that plan visits, and planning by hand.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::follow_up::{PlanReport, RuleForm, SettingsForm};
use kefu_domain::customer::Tier;
use kefu_domain::dates;
use kefu_domain::follow_up::plan::PERIOD_MONTHS;
use kefu_domain::follow_up::rule::{RuleInput, RuleKind};
use kefu_domain::input::Keyed;

use super::super::tickets::field;
use super::super::{form_key, input_refusal, refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

struct RuleLine {
    id: i64,
    name: String,
    kind: String,
    /// Empty: every tier.
    tier: String,
    months: i64,
    starts_on: String,
    ends_on: String,
    yearly: bool,
    dormant_days: String,
    blessing: String,
    group_id: Option<i64>,
    active: bool,
    version: i64,
}

#[derive(Template)]
#[template(path = "admin_follow_ups.html")]
struct AdminPage {
    t: Tr,
    layout: Layout,
    form: SettingsForm,
    version: i64,
    rules: Vec<RuleLine>,
    tiers: Vec<(String, String)>,
    kinds: Vec<(String, String)>,
    months: Vec<i64>,
    groups: Vec<(i64, String)>,
    planned: Vec<String>,
    error: Option<String>,
    saved: bool,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    typed: Option<SettingsForm>,
    error: Option<String>,
) -> Result<AdminPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let (settings, version) = state.app.follow_up_settings(&actor).await?;
    let rules = state
        .app
        .follow_up_rules(&actor)
        .await?
        .into_iter()
        .map(|r| {
            let input = r.spec.input();
            RuleLine {
                id: r.id,
                name: r.name,
                kind: r.spec.kind().key().to_owned(),
                tier: r
                    .spec
                    .tier()
                    .map(|t| t.key().to_owned())
                    .unwrap_or_default(),
                months: input.every_months.unwrap_or(1),
                starts_on: input.starts_on.map(|d| d.to_string()).unwrap_or_default(),
                ends_on: input.ends_on.map(|d| d.to_string()).unwrap_or_default(),
                yearly: input.yearly,
                dormant_days: input
                    .dormant_days
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                blessing: r.blessing.unwrap_or_default(),
                group_id: r.group_id,
                active: r.active,
                version: r.version,
            }
        })
        .collect();
    let groups = state
        .app
        .ticket_groups(&actor)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    Ok(AdminPage {
        form: typed.unwrap_or_else(|| SettingsForm::from(&settings)),
        version,
        rules,
        tiers: <Tier as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("tier", k)))
            .collect(),
        kinds: <RuleKind as Keyed>::keys()
            .into_iter()
            .map(|k| (k.to_owned(), t.tk("follow_up.rule_kind", k)))
            .collect(),
        months: PERIOD_MONTHS.iter().map(|m| i64::from(*m)).collect(),
        groups,
        planned: Vec::new(),
        error,
        saved: false,
        t,
        layout: Layout::new(identity, "/admin/follow-ups"),
    })
}

/// `/admin/follow-ups`
pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let mut p = page(&state, &identity, None, None).await?;
    p.saved = field(&q, "saved") == "1";
    super::super::ok(&p)
}

fn number(pairs: &[(String, String)], name: &str) -> i64 {
    // Not a number: out of every range, so the rule's own refusal names the field.
    field(pairs, name).trim().parse().unwrap_or(-1)
}

/// `POST /admin/follow-ups`: saves the settings sheet.
pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let form = SettingsForm {
        calling_hours: field(&pairs, "calling_hours").to_owned(),
        min_call_seconds: number(&pairs, "min_call_seconds"),
        coverage_warning_days: number(&pairs, "coverage_warning_days"),
        after_sales_days: number(&pairs, "after_sales_days"),
        company: field(&pairs, "company").to_owned(),
        service_phone: field(&pairs, "service_phone").to_owned(),
        script_first: field(&pairs, "script_first").to_owned(),
        script_later: field(&pairs, "script_later").to_owned(),
        ending_satisfied: field(&pairs, "ending_satisfied").to_owned(),
        ending_other: field(&pairs, "ending_other").to_owned(),
        blessing: field(&pairs, "blessing").to_owned(),
    };
    let version = field(&pairs, "version").parse().ok();
    match state
        .app
        .save_follow_up_settings(&identity.actor(), &form, version)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/follow-ups?saved=1").into_response()),
        Err(e) => {
            let (status, message) = refusal(e, t);
            render(
                status,
                &page(&state, &identity, Some(form), Some(message)).await?,
            )
        }
    }
}

fn rule_form(pairs: &[(String, String)]) -> Result<RuleForm, WebError> {
    Ok(RuleForm {
        name: field(pairs, "name").to_owned(),
        kind: form_key::<RuleKind>(pairs, "kind")?.unwrap_or(RuleKind::TierPeriodic),
        input: RuleInput {
            tier: form_key::<Tier>(pairs, "tier")?,
            every_months: field(pairs, "every_months").trim().parse().ok(),
            starts_on: dates::parse_opt("starts_on", Some(field(pairs, "starts_on")))?,
            ends_on: dates::parse_opt("ends_on", Some(field(pairs, "ends_on")))?,
            yearly: field(pairs, "yearly") == "1",
            // Not a number: out of range, so the rule's own refusal names the field.
            dormant_days: match field(pairs, "dormant_days").trim() {
                "" => None,
                d => Some(d.parse().unwrap_or(-1)),
            },
        },
        blessing: field(pairs, "blessing").to_owned(),
        group_id: field(pairs, "group_id").trim().parse().ok(),
        active: field(pairs, "active") == "1",
    })
}

/// `POST /admin/follow-ups/rules`: a new rule.
pub async fn add_rule(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    write_rule(&state, &identity, None, &pairs).await
}

/// `POST /admin/follow-ups/rules/{id}`: a rule changed.
pub async fn save_rule(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    write_rule(&state, &identity, Some(id), &pairs).await
}

async fn write_rule(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    pairs: &[(String, String)],
) -> Result<Response, WebError> {
    let t = identity.tr();
    let saved = match rule_form(pairs) {
        Ok(form) => state
            .app
            .save_follow_up_rule(
                &identity.actor(),
                id,
                &form,
                field(pairs, "version").parse().ok(),
            )
            .await
            .map_err(|e| refusal(e, t)),
        Err(e) => Err(input_refusal(e, t)),
    };
    match saved {
        Ok(_) => Ok(Redirect::to("/admin/follow-ups?saved=1").into_response()),
        Err((status, message)) => {
            render(status, &page(state, identity, None, Some(message)).await?)
        }
    }
}

/// `POST /admin/follow-ups/plan`: plans the current periods now (or `period`), and shows
/// what each rule planned.
pub async fn plan(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let period = field(&pairs, "period").trim();
    let period = (!period.is_empty()).then_some(period);
    match state
        .app
        .plan_follow_ups(&identity.actor(), period, false)
        .await
    {
        Ok(report) => {
            let mut p = page(&state, &identity, None, None).await?;
            p.planned = lines(t, &report);
            render(StatusCode::OK, &p)
        }
        Err(e) => {
            let (status, message) = refusal(e, t);
            render(status, &page(&state, &identity, None, Some(message)).await?)
        }
    }
}

fn lines(t: Tr, report: &PlanReport) -> Vec<String> {
    report
        .rules
        .iter()
        .map(|r| {
            t.f(
                "follow_up_cli.line",
                &[
                    ("name", &r.name),
                    ("period", &r.period),
                    ("customers", &r.customers.to_string()),
                    ("created", &r.created.to_string()),
                    ("without_slot", &r.without_slot.to_string()),
                ],
            )
        })
        .collect()
}
