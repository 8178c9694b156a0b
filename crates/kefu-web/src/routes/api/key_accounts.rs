//! 大客户 over the API: the key accounts, the manager's visits and their reports, the
//! ratings of the agents, and the changes of agent.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::key_account::{ArrangeForm, KeyAccountQuery, PAGE_SIZE, ReportForm};
use kefu_domain::key_account::{VisitMode, VisitReport};
use kefu_store::key_account::{Change, Visit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// A key account and where it stands.
#[derive(Serialize, ToSchema)]
pub struct KeyAccountOut {
    pub customer_id: i64,
    pub name: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub last_visit_at: Option<String>,
    pub next_visit_at: Option<String>,
    /// Its last rating of its agent, 1–5.
    pub last_score: Option<i64>,
    /// No visit planned and none done for three months.
    pub due: bool,
    pub change_waiting: bool,
    /// Its service plan's stage (`exploring`, `forming`, `stable`, `declining`), `null`
    /// without a plan.
    pub stage: Option<String>,
    pub next_review_on: Option<String>,
    /// The plan's review date has come.
    pub review_due: bool,
    /// Its opinion of its agent was not asked this calendar quarter.
    pub rating_due: bool,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeyAccountParams {
    /// Only those due a manager visit.
    pub due: Option<bool>,
    /// Only those whose service plan's review date has come.
    pub review: Option<bool>,
    /// Only those whose opinion was not asked this quarter.
    pub rating: Option<bool>,
    /// The `customer_id` of the last account of the previous page.
    pub after: Option<i64>,
    /// Page size, default 200; values outside 1–500 are brought within it.
    pub limit: Option<i64>,
}

/// 大客户 — the key accounts that are customers now, by name, a page at a time.
#[utoipa::path(get, path = "/api/v1/key-accounts", tag = "key_accounts",
    params(KeyAccountParams),
    responses((status = 200, description = "A page of the key accounts",
        body = Vec<KeyAccountOut>)))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<KeyAccountParams>,
) -> Result<Json<Vec<KeyAccountOut>>, WebError> {
    let query = KeyAccountQuery {
        visit_due: p.due.unwrap_or(false),
        review_due: p.review.unwrap_or(false),
        rating_due: p.rating.unwrap_or(false),
        after: p.after,
        limit: p.limit.unwrap_or(PAGE_SIZE),
    };
    let list = state
        .app
        .key_accounts(&identity.actor(), &query)
        .await?
        .lines;
    Ok(Json(
        list.into_iter()
            .map(|a| KeyAccountOut {
                customer_id: a.account.customer_id,
                name: a.account.name,
                owner_id: a.account.owner_id,
                owner_name: a.account.owner_name,
                last_visit_at: a.account.last_visit_at.map(rfc3339),
                next_visit_at: a.account.next_visit_at.map(rfc3339),
                last_score: a.account.last_score,
                due: a.due,
                change_waiting: a.account.change_waiting,
                stage: a.account.stage,
                next_review_on: a.account.next_review_on,
                review_due: a.review_due,
                rating_due: a.rating_due,
            })
            .collect(),
    ))
}

/// A manager visit.
#[derive(Serialize, ToSchema)]
pub struct ManagerVisitOut {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub manager_id: i64,
    pub manager_name: String,
    pub scheduled_at: String,
    /// `on_site`, `phone`, `video`.
    pub mode: String,
    pub purpose: String,
    /// `planned`, `done`, `cancelled`.
    pub state: String,
    pub summary: Option<String>,
    pub requests: Option<String>,
    pub actions: Option<String>,
    pub reported_at: Option<String>,
    pub cancel_reason: Option<String>,
}

fn visit_out(v: Visit) -> ManagerVisitOut {
    ManagerVisitOut {
        id: v.id,
        customer_id: v.customer_id,
        customer_name: v.customer_name,
        manager_id: v.manager_id,
        manager_name: v.manager_name,
        scheduled_at: rfc3339(v.scheduled_at),
        mode: v.mode,
        purpose: v.purpose,
        state: v.state,
        summary: v.summary,
        requests: v.requests,
        actions: v.actions,
        reported_at: v.reported_at.map(rfc3339),
        cancel_reason: v.cancel_reason,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitParams {
    /// From this instant (RFC 3339); default 30 days ago.
    pub from: Option<String>,
    /// Before this instant; default 60 days after `from`. At most a year after `from`.
    pub to: Option<String>,
    pub manager_id: Option<i64>,
}

fn instant(field: &str, v: Option<&str>) -> Result<Option<jiff::Timestamp>, WebError> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| crate::input::unknown_value(field, s, vec!["2026-12-10T02:00:00Z"])),
    }
}

/// 经理拜访 — the manager visits scheduled in a time range, by time.
#[utoipa::path(get, path = "/api/v1/manager-visits", tag = "key_accounts", params(VisitParams),
    responses(
        (status = 200, description = "The visits", body = Vec<ManagerVisitOut>),
        (status = 422, description = "`unknown_value` for a time that is not RFC 3339", body = ErrorBody),
    ))]
pub async fn visits(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<VisitParams>,
) -> Result<Json<Vec<ManagerVisitOut>>, WebError> {
    let now = state.app.now();
    let from = instant("from", p.from.as_deref())?
        .unwrap_or(now - jiff::SignedDuration::from_hours(24 * 30));
    let to = instant("to", p.to.as_deref())?
        .unwrap_or(from + jiff::SignedDuration::from_hours(24 * 60))
        .min(from + jiff::SignedDuration::from_hours(24 * 366));
    let list = state
        .app
        .manager_visits(&identity.actor(), from, to, p.manager_id)
        .await?;
    Ok(Json(list.into_iter().map(visit_out).collect()))
}

/// A visit to arrange.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArrangeIn {
    /// A key account.
    pub customer_id: i64,
    /// An active customer service manager.
    pub manager_id: i64,
    /// RFC 3339, from now to a year ahead.
    pub scheduled_at: String,
    /// `on_site`, `phone`, `video`.
    pub mode: String,
    /// 1–500 characters.
    pub purpose: String,
}

/// Arranges the manager's visit to a key account; the manager is told.
#[utoipa::path(post, path = "/api/v1/manager-visits", tag = "key_accounts", request_body = ArrangeIn,
    responses(
        (status = 201, description = "Arranged", body = ManagerVisitOut),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "`not_key_account`, `not_a_manager`, `manager_visit_time`, `key_account_required`, `key_account_too_long`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn arrange(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<ArrangeIn>,
) -> Result<(StatusCode, Json<ManagerVisitOut>), WebError> {
    let at = instant("scheduled_at", Some(&b.scheduled_at))?.ok_or_else(|| {
        crate::input::unknown_value("scheduled_at", "", vec!["2026-12-10T02:00:00Z"])
    })?;
    let actor = identity.actor();
    let id = state
        .app
        .arrange_manager_visit(
            &actor,
            &ArrangeForm {
                customer_id: b.customer_id,
                manager_id: b.manager_id,
                scheduled_at: at,
                mode: parse_key::<VisitMode>("mode", &b.mode)?,
                purpose: b.purpose,
            },
        )
        .await?;
    let v = state.app.manager_visit(&actor, id).await?;
    Ok((StatusCode::CREATED, Json(visit_out(v.visit))))
}

/// One manager visit.
#[utoipa::path(get, path = "/api/v1/manager-visits/{id}", tag = "key_accounts",
    params(("id" = i64, Path, description = "visit id")),
    responses(
        (status = 200, description = "The visit", body = ManagerVisitOut),
        (status = 404, description = "No such visit", body = ErrorBody),
    ))]
pub async fn visit(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ManagerVisitOut>, WebError> {
    let v = state.app.manager_visit(&identity.actor(), id).await?;
    Ok(Json(visit_out(v.visit)))
}

/// A visit's report.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    /// 拜访纪要, 1–4000 characters.
    pub summary: String,
    #[serde(default)]
    pub requests: String,
    #[serde(default)]
    pub actions: String,
    /// The customer's rating of its agent (1–5), when it was asked.
    pub score: Option<i64>,
    #[serde(default)]
    pub comment: String,
}

/// 拜访报告 — the visit is done; a rating of 1–2 proposes a change of agent.
#[utoipa::path(post, path = "/api/v1/manager-visits/{id}/report", tag = "key_accounts",
    params(("id" = i64, Path, description = "visit id")), request_body = ReportIn,
    responses(
        (status = 204, description = "Reported"),
        (status = 404, description = "No such visit", body = ErrorBody),
        (status = 409, description = "`manager_visit_closed`", body = ErrorBody),
        (status = 422, description = "`key_account_required`, `key_account_too_long`, `agent_rating_score`, `key_account_no_agent`", body = ErrorBody),
    ))]
pub async fn report(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ReportIn>,
) -> Result<StatusCode, WebError> {
    let form = ReportForm {
        report: VisitReport {
            summary: b.summary,
            requests: b.requests,
            actions: b.actions,
        },
        rating: b.score.map(|s| (s, b.comment)),
    };
    state
        .app
        .report_manager_visit(&identity.actor(), id, &form)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitCancelIn {
    /// Why, 1–500 characters.
    pub reason: String,
}

/// Cancels a planned visit.
#[utoipa::path(post, path = "/api/v1/manager-visits/{id}/cancel", tag = "key_accounts",
    params(("id" = i64, Path, description = "visit id")), request_body = VisitCancelIn,
    responses(
        (status = 204, description = "Cancelled"),
        (status = 404, description = "No such visit", body = ErrorBody),
        (status = 409, description = "`manager_visit_closed`", body = ErrorBody),
        (status = 422, description = "`key_account_required`", body = ErrorBody),
    ))]
pub async fn cancel(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<VisitCancelIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .cancel_manager_visit(&identity.actor(), id, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingIn {
    /// 1–5.
    pub score: i64,
    #[serde(default)]
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct RatingOut {
    /// The change of agent the rating proposed, if any (a rating of 1–2, none waiting).
    pub agent_change_id: Option<i64>,
}

/// 征求意见 — a key account's rating of the agent serving it (its owner).
#[utoipa::path(post, path = "/api/v1/key-accounts/{id}/ratings", tag = "key_accounts",
    params(("id" = i64, Path, description = "customer id")), request_body = RatingIn,
    responses(
        (status = 201, description = "Recorded", body = RatingOut),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "`agent_rating_score`, `key_account_too_long`, `key_account_no_agent`", body = ErrorBody),
    ))]
pub async fn rate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<RatingIn>,
) -> Result<(StatusCode, Json<RatingOut>), WebError> {
    let change = state
        .app
        .rate_agent(&identity.actor(), id, b.score, &b.comment)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(RatingOut {
            agent_change_id: change,
        }),
    ))
}

/// A change of agent.
#[derive(Serialize, ToSchema)]
pub struct AgentChangeOut {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub from_agent_id: i64,
    pub from_agent_name: String,
    /// The rating that proposed it.
    pub score: i64,
    pub comment: String,
    /// `proposed`, `applied`, `dismissed`.
    pub state: String,
    pub to_agent_name: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<String>,
    pub note: Option<String>,
    pub created_at: String,
}

fn change_out(c: Change) -> AgentChangeOut {
    AgentChangeOut {
        id: c.id,
        customer_id: c.customer_id,
        customer_name: c.customer_name,
        from_agent_id: c.from_agent_id,
        from_agent_name: c.from_agent_name,
        score: c.score,
        comment: c.comment,
        state: c.state,
        to_agent_name: c.to_agent_name,
        decided_by: c.decided_by_name,
        decided_at: c.decided_at.map(rfc3339),
        note: c.note,
        created_at: rfc3339(c.created_at),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangeParams {
    /// Only those waiting for the manager.
    #[serde(default)]
    pub waiting: bool,
}

/// 换人建议 — the changes of agent, the newest first.
#[utoipa::path(get, path = "/api/v1/agent-changes", tag = "key_accounts", params(ChangeParams),
    responses((status = 200, description = "The changes", body = Vec<AgentChangeOut>)))]
pub async fn changes(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ChangeParams>,
) -> Result<Json<Vec<AgentChangeOut>>, WebError> {
    let list = state
        .app
        .agent_changes(&identity.actor(), p.waiting)
        .await?;
    Ok(Json(list.into_iter().map(change_out).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyIn {
    /// The agent who takes the customer: active, not the one it replaces.
    pub to_agent_id: i64,
    #[serde(default)]
    pub note: String,
}

/// 调整客户服务人员 — applies a change: the customer's owner becomes the new agent, its
/// follow-up visits still to be made move to them, and they are told.
#[utoipa::path(post, path = "/api/v1/agent-changes/{id}/apply", tag = "key_accounts",
    params(("id" = i64, Path, description = "change id")), request_body = ApplyIn,
    responses(
        (status = 204, description = "Applied"),
        (status = 404, description = "No such change", body = ErrorBody),
        (status = 409, description = "`agent_change_decided`", body = ErrorBody),
        (status = 422, description = "`bad_new_agent`", body = ErrorBody),
    ))]
pub async fn apply(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ApplyIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .apply_agent_change(&identity.actor(), id, b.to_agent_id, &b.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DismissIn {
    #[serde(default)]
    pub note: String,
}

/// Dismisses a change: the agent stays.
#[utoipa::path(post, path = "/api/v1/agent-changes/{id}/dismiss", tag = "key_accounts",
    params(("id" = i64, Path, description = "change id")), request_body = DismissIn,
    responses(
        (status = 204, description = "Dismissed"),
        (status = 404, description = "No such change", body = ErrorBody),
        (status = 409, description = "`agent_change_decided`", body = ErrorBody),
    ))]
pub async fn dismiss(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<DismissIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .dismiss_agent_change(&identity.actor(), id, &b.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
