//! 回访设置与规则 — the department's calling hours and scripts, and the rules that plan
//! visits, over the API.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::follow_up::{FollowUpSettings, RuleForm, RuleView, SettingsForm};
use kefu_domain::customer::Tier;
use kefu_domain::dates;
use kefu_domain::follow_up::rule::{RuleInput, RuleKind};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::{ApiJson, ErrorBody, IfMatch, Tagged, doc, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_optional_key;

/// 回访设置
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    /// 允许拨打时段 on business days, `09:00-12:00, 14:30-18:00`.
    pub calling_hours: String,
    /// A completed phone visit without a linked call this long (0–900 s) goes to quality.
    pub min_call_seconds: i64,
    /// Coverage is "at risk" this many days (0–60) before a period ends.
    pub coverage_warning_days: i64,
    /// 售后回访 and 首单回访 are due this many business days (1–30) after the RMA is
    /// closed or the first order has arrived; 3 when left out.
    #[serde(default = "default_after_sales_days")]
    #[schema(default = 3)]
    pub after_sales_days: i64,
    /// {公司}, at most 60 characters.
    pub company: String,
    /// {客服电话}, at most 40 characters.
    pub service_phone: String,
    /// Scripts, each 1–2,000 characters, with the placeholders {称呼}, {公司}, {客服姓名},
    /// {客服电话}, {祝福语} only.
    pub script_first: String,
    pub script_later: String,
    pub ending_satisfied: String,
    pub ending_other: String,
    /// {祝福语}, at most 20 characters.
    pub blessing: String,
}

fn default_after_sales_days() -> i64 {
    FollowUpSettings::default().after_sales_days
}

fn settings_body(s: &FollowUpSettings) -> SettingsBody {
    let f = SettingsForm::from(s);
    SettingsBody {
        calling_hours: f.calling_hours,
        min_call_seconds: f.min_call_seconds,
        coverage_warning_days: f.coverage_warning_days,
        after_sales_days: f.after_sales_days,
        company: f.company,
        service_phone: f.service_phone,
        script_first: f.script_first,
        script_later: f.script_later,
        ending_satisfied: f.ending_satisfied,
        ending_other: f.ending_other,
        blessing: f.blessing,
    }
}

/// The follow-up settings; `ETag` carries their version.
#[utoipa::path(get, path = "/api/v1/follow-up-settings", tag = "follow_ups",
    responses((status = 200, description = "The settings", body = SettingsBody)))]
pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Tagged<SettingsBody>, WebError> {
    let (s, version) = state.app.follow_up_settings(&identity.actor()).await?;
    Ok(tagged(version, settings_body(&s)))
}

/// Saves the follow-up settings. Refusals (`bad_calling_hours`, `no_calling_hours`,
/// `script_unknown_placeholder`, `follow_up_out_of_range` …) store nothing.
#[utoipa::path(put, path = "/api/v1/follow-up-settings", tag = "follow_ups", request_body = SettingsBody,
    responses((status = 200, description = "The settings saved", body = SettingsBody)))]
pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<SettingsBody>,
) -> Result<Tagged<SettingsBody>, WebError> {
    let form = SettingsForm {
        calling_hours: b.calling_hours,
        min_call_seconds: b.min_call_seconds,
        coverage_warning_days: b.coverage_warning_days,
        after_sales_days: b.after_sales_days,
        company: b.company,
        service_phone: b.service_phone,
        script_first: b.script_first,
        script_later: b.script_later,
        ending_satisfied: b.ending_satisfied,
        ending_other: b.ending_other,
        blessing: b.blessing,
    };
    let actor = identity.actor();
    state
        .app
        .save_follow_up_settings(&actor, &form, expected)
        .await?;
    let (s, version) = state.app.follow_up_settings(&actor).await?;
    Ok(tagged(version, settings_body(&s)))
}

/// 回访规则
#[derive(Serialize, ToSchema)]
pub struct RuleOut {
    pub id: i64,
    pub name: String,
    /// `tier_periodic` (定期回访), `occasion` (特色回访) or `dormant` (沉睡客户回访).
    #[schema(value_type = doc::RuleKindKey)]
    pub kind: String,
    /// The tier whose customers are visited; `null`: every tier (an occasion or dormant
    /// rule only).
    pub tier: Option<String>,
    /// `tier_periodic`: 1, 3, 6 or 12.
    pub every_months: Option<i64>,
    /// `occasion`: its first and last day (`2026-12-28`).
    pub starts_on: Option<String>,
    pub ends_on: Option<String>,
    /// `occasion`: on the same dates every year.
    pub yearly: bool,
    /// `dormant`: days without contact that make a customer dormant.
    pub dormant_days: Option<i64>,
    /// {祝福语} of this rule's visits; `null`: the department's.
    pub blessing: Option<String>,
    /// Visits of customers without an active owner wait in this group.
    pub group_id: Option<i64>,
    pub active: bool,
    pub version: i64,
}

fn rule_out(r: RuleView) -> RuleOut {
    let input = r.spec.input();
    RuleOut {
        id: r.id,
        name: r.name,
        kind: r.spec.kind().key().to_owned(),
        tier: r.spec.tier().map(|t| t.key().to_owned()),
        every_months: input.every_months,
        starts_on: input.starts_on.map(|d| d.to_string()),
        ends_on: input.ends_on.map(|d| d.to_string()),
        yearly: input.yearly,
        dormant_days: input.dormant_days,
        blessing: r.blessing,
        group_id: r.group_id,
        active: r.active,
        version: r.version,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleIn {
    /// 1–60 characters, unique.
    #[schema(min_length = 1, max_length = 60)]
    pub name: String,
    /// Default `tier_periodic`.
    #[schema(value_type = Option<doc::RuleKindKey>)]
    pub kind: Option<String>,
    /// The tier whose customers are visited: needed by `tier_periodic`
    /// (`tier_required`); left out, an occasion or dormant rule visits every tier.
    #[schema(value_type = Option<doc::RuleTierKey>)]
    pub tier: Option<String>,
    /// `tier_periodic`: 1, 3, 6 or 12 (`bad_period_months` otherwise); default 1.
    pub every_months: Option<i64>,
    /// `occasion`: its first and last day, at most 62 days apart
    /// (`occasion_dates_required`, `dates_reversed`, `occasion_too_long`).
    #[schema(format = Date)]
    pub starts_on: Option<String>,
    #[schema(format = Date)]
    pub ends_on: Option<String>,
    /// `occasion`: on the same dates every year. Default false.
    pub yearly: Option<bool>,
    /// `dormant`: 30–730 days without contact (`dormant_days_out_of_range`).
    pub dormant_days: Option<i64>,
    /// {祝福语} of this rule's visits, at most 20 characters; empty: the department's.
    #[schema(max_length = 20)]
    pub blessing: Option<String>,
    pub group_id: Option<i64>,
    /// Default true.
    pub active: Option<bool>,
}

fn rule_form(b: &RuleIn) -> Result<RuleForm, WebError> {
    Ok(RuleForm {
        name: b.name.clone(),
        kind: parse_optional_key::<RuleKind>("kind", b.kind.as_deref())?
            .unwrap_or(RuleKind::TierPeriodic),
        input: RuleInput {
            tier: parse_optional_key::<Tier>("tier", b.tier.as_deref())?,
            every_months: b.every_months,
            starts_on: dates::parse_opt("starts_on", b.starts_on.as_deref())?,
            ends_on: dates::parse_opt("ends_on", b.ends_on.as_deref())?,
            yearly: b.yearly.unwrap_or(false),
            dormant_days: b.dormant_days,
        },
        blessing: b.blessing.clone().unwrap_or_default(),
        group_id: b.group_id,
        active: b.active.unwrap_or(true),
    })
}

/// Every follow-up rule.
#[utoipa::path(get, path = "/api/v1/follow-up-rules", tag = "follow_ups",
    responses((status = 200, description = "The rules", body = Vec<RuleOut>)))]
pub async fn rules(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<RuleOut>>, WebError> {
    let rules = state.app.follow_up_rules(&identity.actor()).await?;
    Ok(Json(rules.into_iter().map(rule_out).collect()))
}

/// Adds a rule: every customer of a tier once per period, an occasion, or dormant
/// customers.
#[utoipa::path(post, path = "/api/v1/follow-up-rules", tag = "follow_ups", request_body = RuleIn,
    responses(
        (status = 201, description = "Added", body = RuleOut),
        (status = 409, description = "The name is taken (`name_taken`)", body = ErrorBody),
        (status = 422, description = "`tier_required`, `bad_period_months`, \
            `occasion_dates_required`, `occasion_too_long`, `dates_reversed`, \
            `dormant_days_out_of_range`, `follow_up_too_long` (blessing)", body = ErrorBody),
    ))]
pub async fn create_rule(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<RuleIn>,
) -> Result<(StatusCode, Json<RuleOut>), WebError> {
    let actor = identity.actor();
    let id = state
        .app
        .save_follow_up_rule(&actor, None, &rule_form(&b)?, None)
        .await?;
    let rule = state.app.follow_up_rule(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(rule_out(rule))))
}

/// Changes a rule (a changed period applies from the next planning run).
#[utoipa::path(put, path = "/api/v1/follow-up-rules/{id}", tag = "follow_ups",
    params(("id" = i64, Path, description = "rule id")), request_body = RuleIn,
    responses(
        (status = 200, description = "Saved", body = RuleOut),
        (status = 404, description = "No such rule", body = ErrorBody),
        (status = 409, description = "The name is taken (`name_taken`)", body = ErrorBody),
    ))]
pub async fn save_rule(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<RuleIn>,
) -> Result<Tagged<RuleOut>, WebError> {
    let actor = identity.actor();
    state
        .app
        .save_follow_up_rule(&actor, Some(id), &rule_form(&b)?, expected)
        .await?;
    let rule = state.app.follow_up_rule(&actor, id).await?;
    Ok(tagged(rule.version, rule_out(rule)))
}
