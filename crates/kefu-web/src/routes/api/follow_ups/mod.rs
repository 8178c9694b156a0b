//! 回访 — follow-up visits over the API: the list of visits due, one visit with its
//! script, rescheduling, recording attempts, planning from the rules, the coverage report,
//! and the settings and rules themselves.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::follow_up::{
    AttemptForm, AttemptOutcome, CoverageReport, PlanReport, VisitScope, VisitView,
};
use kefu_domain::customer::{ContactChannel, Tier};
use kefu_domain::follow_up::visit::{Aspect, Reach, Satisfaction, VisitError};
use kefu_store::follow_up::{AttemptRow, Visit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub mod analysis;
pub mod setup;

use super::search::instant;
use super::{ApiJson, ErrorBody, IfMatch, Tagged, doc, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// A visit in a list.
#[derive(Serialize, ToSchema)]
pub struct VisitRow {
    pub id: i64,
    /// `periodic`, `complaint` (its `complaint_id` is followed up), `occasion`, `dormant`
    /// or `manual`.
    pub reason: String,
    /// The period a periodic visit covers (`2026-12`, `2026-Q4`); an occasion's first day.
    pub period: Option<String>,
    /// The tier its rule visits.
    pub tier: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_id: Option<i64>,
    /// The complaint this visit follows up (reason `complaint`): its result is that
    /// complaint's follow-up result.
    pub complaint_id: Option<i64>,
    /// Who makes it; none while it waits in `group_id`.
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub group_id: Option<i64>,
    /// `phone`, `sms`, `email`, `wechat` or `visit`.
    pub channel: String,
    /// The window the visit is due in, `[due_at, window_end)`.
    pub due_at: String,
    pub window_end: String,
    /// The earliest moment the calling rules allow; none: no slot in the window.
    pub slot_at: Option<String>,
    /// A time the contact asked to be called back at.
    pub callback_at: Option<String>,
    pub first_visit: bool,
    /// `planned`, `done` or `cancelled`.
    pub status: String,
    pub attempts: i64,
    pub done_at: Option<String>,
    /// `satisfied`, `neutral` or `unsatisfied`, once done.
    pub satisfaction: Option<String>,
    /// Done without a call long enough to prove it: for the quality specialist.
    pub unverified: bool,
    pub opened_ticket_id: Option<i64>,
    pub opened_complaint_id: Option<i64>,
    /// When the agent's card (名片短信) was last texted to the contact.
    pub card_sent_at: Option<String>,
    pub version: i64,
}

fn row(v: &Visit) -> VisitRow {
    VisitRow {
        id: v.id,
        reason: v.reason.clone(),
        period: v.period.clone(),
        tier: v.tier.clone(),
        customer_id: v.customer_id,
        customer_name: v.customer_name.clone(),
        contact_id: v.contact_id,
        complaint_id: v.complaint_id,
        agent_id: v.agent_id,
        agent_name: v.agent_name.clone(),
        group_id: v.group_id,
        channel: v.channel.clone(),
        due_at: rfc3339(v.due_at),
        window_end: rfc3339(v.window_end),
        slot_at: v.slot_at.map(rfc3339),
        callback_at: v.callback_at.map(rfc3339),
        first_visit: v.first_visit,
        status: v.status.clone(),
        attempts: v.attempts,
        done_at: v.done_at.map(rfc3339),
        satisfaction: v.satisfaction.clone(),
        unverified: v.unverified,
        opened_ticket_id: v.opened_ticket_id,
        opened_complaint_id: v.opened_complaint_id,
        card_sent_at: v.card_sent_at.map(rfc3339),
        version: v.version,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `mine` (mine and my groups', the default) or `all` (everyone's; for those who manage
    /// follow-ups).
    pub scope: Option<String>,
    /// Visits whose slot comes before this (RFC 3339 or a day, Beijing time); default: the
    /// end of today.
    #[param(value_type = Option<doc::InstantInput>)]
    pub until: Option<String>,
}

/// 今日回访 — planned visits whose slot (or asked-for call-back) comes before `until`, in
/// slot order, and those with no slot in their window last; at most 500.
#[utoipa::path(get, path = "/api/v1/follow-ups", tag = "follow_ups", params(ListParams),
    responses(
        (status = 200, description = "Visits due", body = Vec<VisitRow>),
        (status = 422, description = "`unknown_value` (scope), `date_out_of_range`", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<VisitRow>>, WebError> {
    let scope = match p.scope.as_deref().unwrap_or("") {
        "" | "mine" => VisitScope::Mine,
        "all" => VisitScope::Everyone,
        other => {
            return Err(WebError::UnknownValue {
                field: "scope".into(),
                value: other.into(),
                allowed: vec!["mine", "all"],
            });
        }
    };
    let until = match instant("until", p.until.as_deref())? {
        Some(t) => t,
        None => {
            kefu_app::workbench::start_of_day(state.app.now())
                + jiff::SignedDuration::from_hours(24)
        }
    };
    let visits = state
        .app
        .follow_up_visits(&identity.actor(), scope, until)
        .await?;
    Ok(Json(visits.iter().map(row).collect()))
}

/// One attempt at a visit.
#[derive(Serialize, ToSchema)]
pub struct AttemptOut {
    pub id: i64,
    /// `reached`, `no_answer`, `wrong_number`, `refused` or `call_back`.
    pub reach: String,
    pub channel: String,
    pub started_at: String,
    pub ended_at: String,
    pub call_id: Option<i64>,
    pub callback_at: Option<String>,
    pub satisfaction: Option<String>,
    pub aspects: Vec<String>,
    pub words: String,
    pub next_action: String,
    pub by_name: Option<String>,
}

fn attempt_out(a: &AttemptRow) -> AttemptOut {
    AttemptOut {
        id: a.id,
        reach: a.reach.clone(),
        channel: a.channel.clone(),
        started_at: rfc3339(a.started_at),
        ended_at: rfc3339(a.ended_at),
        call_id: a.call_id,
        callback_at: a.callback_at.map(rfc3339),
        satisfaction: a.satisfaction.clone(),
        aspects: a.aspects.clone(),
        words: a.words.clone(),
        next_action: a.next_action.clone(),
        by_name: a.by_name.clone(),
    }
}

/// A visit with its contact, script and attempts.
#[derive(Serialize, ToSchema)]
pub struct VisitOut {
    #[serde(flatten)]
    pub visit: VisitRow,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    /// The number a call goes to, masked (`138****5678`).
    pub number: Option<String>,
    /// The contact's rest hours (免打扰时段).
    pub rest_hours: String,
    /// The script: the opening (first visit or a later one) and the two endings.
    pub opening: String,
    pub ending_satisfied: String,
    pub ending_other: String,
    /// The text of the agent's number a first visit ends with.
    pub card_sms: Option<String>,
    /// Whether a call may be made now: inside the calling hours and outside the contact's
    /// rest hours, or at a call-back time the contact asked for.
    pub dial_allowed: bool,
    /// The next moment a call may be made, when not now.
    pub next_slot: Option<String>,
    pub history: Vec<AttemptOut>,
}

fn visit_out(v: VisitView) -> VisitOut {
    VisitOut {
        visit: row(&v.visit),
        contact_name: v.contact_name,
        contact_title: v.contact_title,
        number: v.number_masked,
        rest_hours: v.rest_hours,
        opening: v.opening,
        ending_satisfied: v.ending_satisfied,
        ending_other: v.ending_other,
        card_sms: v.card_sms,
        dial_allowed: v.dial.allowed,
        next_slot: v.dial.next.map(rfc3339),
        history: v.attempts.iter().map(attempt_out).collect(),
    }
}

async fn current(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Tagged<VisitOut>, WebError> {
    let v = state.app.follow_up_visit(&identity.actor(), id).await?;
    Ok(tagged(v.visit.version, visit_out(v)))
}

/// One visit: its contact (the number masked), the script with its placeholders filled,
/// whether the dial button is on, and every attempt. `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/follow-ups/{id}", tag = "follow_ups",
    params(("id" = i64, Path, description = "visit id")),
    responses(
        (status = 200, description = "The visit", body = VisitOut),
        (status = 404, description = "No such visit", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<VisitOut>, WebError> {
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleIn {
    /// When to call: a moment the calling rules allow, inside the visit's window.
    #[schema(value_type = doc::InstantInput)]
    pub scheduled_at: String,
}

/// Moves a planned visit to another moment. One outside the calling hours or business
/// days, inside the contact's rest hours or outside the visit's window is refused with
/// `outside_calling_window`, `detail` naming the next allowed moment (RFC 3339), or with
/// `no_calling_slot` when the window has none.
#[utoipa::path(patch, path = "/api/v1/follow-ups/{id}", tag = "follow_ups",
    params(("id" = i64, Path, description = "visit id")), request_body = RescheduleIn,
    responses(
        (status = 200, description = "The visit, rescheduled", body = VisitOut),
        (status = 404, description = "No such visit", body = ErrorBody),
        (status = 409, description = "The visit is done or cancelled (`visit_finished`)", body = ErrorBody),
    ))]
pub async fn reschedule(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<RescheduleIn>,
) -> Result<Tagged<VisitOut>, WebError> {
    let at = instant("scheduled_at", Some(&b.scheduled_at))?.ok_or(kefu_app::AppError::Visit(
        VisitError::Required {
            field: "scheduled_at",
        },
    ))?;
    state
        .app
        .reschedule_follow_up(&identity.actor(), id, at, expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AttemptIn {
    /// `reached`, `no_answer`, `wrong_number`, `refused` or `call_back`.
    #[schema(value_type = doc::ReachKey)]
    pub reach: String,
    /// How the contact was tried; default the visit's channel.
    #[schema(value_type = Option<doc::PreferredChannelKey>)]
    pub channel: Option<String>,
    /// When the attempt began and ended: not in the future, at most a day long.
    #[schema(value_type = doc::InstantInput)]
    pub started_at: String,
    #[schema(value_type = doc::InstantInput)]
    pub ended_at: String,
    /// The call record the attempt was made on (`/calls/{id}`); a completed phone visit
    /// without a call of the set length goes to the quality specialist.
    pub call_id: Option<i64>,
    /// For `call_back`: when the contact asked to be called, in the future.
    #[schema(value_type = Option<doc::InstantInput>)]
    pub callback_at: Option<String>,
    /// For `reached`: `satisfied`, `neutral` or `unsatisfied`.
    #[schema(value_type = Option<doc::FollowUpResultKey>)]
    pub satisfaction: Option<String>,
    /// For `reached`, at least one: `product`, `delivery`, `price`, `attitude`, `agent`,
    /// `after_sales`.
    #[serde(default)]
    #[schema(value_type = Vec<doc::AspectKey>)]
    pub aspects: Vec<String>,
    /// 客户原话, required for `reached`; at most 2,000 characters.
    #[serde(default)]
    pub words: String,
    /// 后续行动, required for `reached`; at most 2,000 characters.
    #[serde(default)]
    pub next_action: String,
}

#[derive(Serialize, ToSchema)]
pub struct AttemptAnswer {
    pub attempt: i64,
    /// The attempt completed the visit (the contact was reached).
    pub completed: bool,
    /// Completed without a call long enough to prove it: sent to the quality specialists.
    pub unverified: bool,
    /// What an unsatisfied result opened: a ticket, or a complaint for product or service
    /// faults.
    pub ticket_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// The visit's version now (its `ETag`).
    pub version: i64,
}

impl From<AttemptOutcome> for AttemptAnswer {
    fn from(o: AttemptOutcome) -> Self {
        AttemptAnswer {
            attempt: o.attempt_id,
            completed: o.completed,
            unverified: o.unverified,
            ticket_id: o.ticket_id,
            complaint_id: o.complaint_id,
            version: o.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CardSent {
    /// When the message was queued for the SMS channel.
    pub sent_at: String,
}

/// 名片短信 — texts the agent's card (name, work mobile, desk phone) to the visit's contact
/// through the SMS channel. Refused for a contact with no mobile (`visit_no_mobile`) or who
/// opted out of text messages (`visit_sms_opted_out`), while the contact rests
/// (`outside_calling_window`, the next allowed moment in `detail`), and with no SMS
/// channel switched on (409 `no_sms_channel`).
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/card", tag = "follow_ups",
    params(("id" = i64, Path, description = "visit id")),
    responses(
        (status = 202, description = "Queued for the SMS channel", body = CardSent),
        (status = 404, description = "No such visit", body = ErrorBody),
        (status = 409, description = "`no_sms_channel`", body = ErrorBody),
        (status = 422, description = "`visit_no_mobile`, `visit_sms_opted_out`, \
            `outside_calling_window`, `no_calling_slot`", body = ErrorBody),
    ))]
pub async fn card(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<(StatusCode, Json<CardSent>), WebError> {
    let at = state.app.send_follow_up_card(&identity.actor(), id).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CardSent {
            sent_at: rfc3339(at),
        }),
    ))
}

/// The dial button's answer: the number to call.
#[derive(Serialize, ToSchema)]
pub struct Dial {
    /// The contact's number, in full (the reveal is audited).
    pub number: String,
    /// `tel:` and the number, for a softphone or a phone's dialler.
    pub tel: String,
}

/// 拨号 — the contact's number in full, when the calling rules allow a call now (calling
/// hours on business days, outside the contact's rest hours, in the visit's window, or at
/// the call-back time the contact asked for). Revealing it is audited. Refused at any other
/// moment (`outside_calling_window`, the next allowed moment in `detail`) and for a visit
/// with no contact number (404).
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/dial", tag = "follow_ups",
    params(("id" = i64, Path, description = "visit id")),
    responses(
        (status = 200, description = "The number to call", body = Dial),
        (status = 404, description = "No such visit, or no number to call", body = ErrorBody),
        (status = 422, description = "`outside_calling_window`", body = ErrorBody),
    ))]
pub async fn dial(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<Dial>, WebError> {
    let number = state.app.dial_follow_up(&identity.actor(), id).await?;
    Ok(Json(Dial {
        tel: format!("tel:{number}"),
        number,
    }))
}

/// 回访记录 — records one attempt. `reached` completes the visit and needs the whole result
/// (satisfaction, aspects, the customer's words, the next action: `visit_required` names
/// what is missing, and nothing is stored); an unanswered attempt plans the next try, a
/// call-back keeps the time the contact asked for.
#[utoipa::path(post, path = "/api/v1/follow-ups/{id}/attempts", tag = "follow_ups",
    params(("id" = i64, Path, description = "visit id")), request_body = AttemptIn,
    responses(
        (status = 201, description = "Recorded", body = AttemptAnswer),
        (status = 404, description = "No such visit", body = ErrorBody),
        (status = 409, description = "The visit is done or cancelled (`visit_finished`)", body = ErrorBody),
    ))]
pub async fn attempt(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AttemptIn>,
) -> Result<(StatusCode, Json<AttemptAnswer>), WebError> {
    let required = |field| kefu_app::AppError::Visit(VisitError::Required { field });
    let reach = parse_key::<Reach>("reach", &b.reach)?;
    let channel = parse_optional_key::<ContactChannel>("channel", b.channel.as_deref())?;
    let satisfaction = b
        .satisfaction
        .as_deref()
        .map(|s| parse_key::<Satisfaction>("satisfaction", s))
        .transpose()?;
    let aspects = b
        .aspects
        .iter()
        .map(|a| parse_key::<Aspect>("aspects", a))
        .collect::<Result<Vec<_>, _>>()?;
    let channel = match channel {
        Some(c) => c,
        None => {
            let v = state.app.follow_up_visit(&identity.actor(), id).await?;
            v.visit.channel.parse().unwrap_or(ContactChannel::Phone)
        }
    };
    let form = AttemptForm {
        reach,
        channel,
        started_at: instant("started_at", Some(&b.started_at))?.ok_or(required("started_at"))?,
        ended_at: instant("ended_at", Some(&b.ended_at))?.ok_or(required("ended_at"))?,
        call_id: b.call_id,
        callback_at: instant("callback_at", b.callback_at.as_deref())?,
        satisfaction,
        aspects,
        words: b.words,
        next_action: b.next_action,
    };
    let outcome = state
        .app
        .record_follow_up_attempt(&identity.actor(), id, &form, expected)
        .await?;
    Ok((StatusCode::CREATED, Json(outcome.into())))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanIn {
    /// The period to plan: `2026-12` (monthly rules), `2026-Q4`, `2026-H2` or `2026`;
    /// default each rule's current period, and occasions and dormant customers as of today
    /// (a period asked for plans the periodic rules of its length only).
    pub period: Option<String>,
    /// Count what would be planned and write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RulePlanOut {
    pub rule_id: i64,
    pub name: String,
    /// The period planned; an occasion's first day; for a dormant rule, the day whose
    /// contacts (and earlier) leave a customer dormant.
    pub period: String,
    /// Customers of the rule's tier still without a visit of it in the period.
    pub customers: i64,
    /// Visits written.
    pub created: i64,
    /// Of those, visits with no calling slot left in their window.
    pub without_slot: i64,
}

#[derive(Serialize, ToSchema)]
pub struct PlanOut {
    pub dry_run: bool,
    pub rules: Vec<RulePlanOut>,
}

fn plan_out(r: PlanReport) -> PlanOut {
    PlanOut {
        dry_run: r.dry_run,
        rules: r
            .rules
            .into_iter()
            .map(|p| RulePlanOut {
                rule_id: p.rule_id,
                name: p.name,
                period: p.period,
                customers: p.customers,
                created: p.created,
                without_slot: p.without_slot,
            })
            .collect(),
    }
}

/// 回访计划 — plans the visits of every active rule (one per rule, customer and period,
/// however often it is called); the job does this every hour by itself.
#[utoipa::path(post, path = "/api/v1/follow-ups/plan", tag = "follow_ups", request_body = PlanIn,
    responses((status = 200, description = "What was planned", body = PlanOut)))]
pub async fn plan(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<PlanIn>,
) -> Result<Json<PlanOut>, WebError> {
    let period = b.period.as_deref().map(str::trim).filter(|p| !p.is_empty());
    let report = state
        .app
        .plan_follow_ups(&identity.actor(), period, b.dry_run)
        .await?;
    Ok(Json(plan_out(report)))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// `2026-12`, `2026-Q4`, `2026-H2` or `2026`.
    pub period: String,
    /// `key_account` (the default) or `vip`, or `normal`.
    #[param(value_type = Option<doc::TierKey>)]
    pub tier: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageRowOut {
    pub customer_id: i64,
    pub customer_name: String,
    pub tier_now: String,
    pub owner_name: Option<String>,
    /// `done`, or why not: `planned`, `unreached`, `no_slot`, `cancelled`, `overdue`,
    /// `not_planned`.
    pub state: String,
    pub visit_id: Option<i64>,
    pub done_at: Option<String>,
    pub agent_name: Option<String>,
    pub attempts: i64,
    pub satisfaction: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StandingOut {
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub planned: i64,
    pub done: i64,
    pub overdue: i64,
}

#[derive(Serialize, ToSchema)]
pub struct CoverageOut {
    pub period: String,
    pub tier: String,
    pub start: String,
    pub end: String,
    pub in_scope: i64,
    pub covered: i64,
    pub missing: i64,
    /// Customers still missing in the warning days before the period's end.
    pub at_risk: bool,
    pub customers: Vec<CoverageRowOut>,
    pub agents: Vec<StandingOut>,
}

pub(crate) fn coverage_out(r: CoverageReport) -> CoverageOut {
    CoverageOut {
        in_scope: r.in_scope(),
        period: r.period,
        tier: r.tier.key().to_owned(),
        start: rfc3339(r.start),
        end: rfc3339(r.end),
        covered: r.covered,
        missing: r.missing,
        at_risk: r.at_risk,
        customers: r
            .rows
            .into_iter()
            .map(|c| CoverageRowOut {
                customer_id: c.customer_id,
                customer_name: c.customer_name,
                tier_now: c.tier_now,
                owner_name: c.owner_name,
                state: c.state.key().to_owned(),
                visit_id: c.visit_id,
                done_at: c.done_at.map(rfc3339),
                agent_name: c.agent_name,
                attempts: c.attempts,
                satisfaction: c.satisfaction,
            })
            .collect(),
        agents: r
            .standings
            .into_iter()
            .map(|s| StandingOut {
                agent_id: s.agent_id,
                agent_name: s.agent_name,
                planned: s.planned,
                done: s.done,
                overdue: s.overdue,
            })
            .collect(),
    }
}

/// 回访覆盖 — every customer that held the tier during the period (on its first day, or
/// won during it) with its completed visit or why it is missing; unanswered attempts do not
/// count. Planned, done and overdue visits per agent.
#[utoipa::path(get, path = "/api/v1/follow-ups/coverage", tag = "follow_ups", params(CoverageParams),
    responses(
        (status = 200, description = "The coverage", body = CoverageOut),
        (status = 422, description = "`bad_plan_period`, `unknown_value` (tier)", body = ErrorBody),
    ))]
pub async fn coverage(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<CoverageParams>,
) -> Result<Json<CoverageOut>, WebError> {
    let tier = parse_optional_key::<Tier>("tier", p.tier.as_deref())?.unwrap_or(Tier::KeyAccount);
    let report = state
        .app
        .follow_up_coverage(&identity.actor(), &p.period, tier)
        .await?;
    Ok(Json(coverage_out(report)))
}
