//! 服务质量异常 over the API: the service items, the anomalies, one recorded by hand, the
//! investigation and closing (both with `If-Match`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::quality::{AnomalyForm, AnomalyInvestigation};
use kefu_domain::quality::anomaly::{AnomalySeverity, AnomalySource, AnomalyStatus, CauseCategory};
use kefu_store::quality::anomaly::AnomalyRow;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, Created, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// 服务项目
#[derive(Serialize, ToSchema)]
pub struct ServiceItemOut {
    pub id: i64,
    pub key: String,
    pub name: String,
    pub active: bool,
}

/// The service items anomalies are filed under, in their order.
#[utoipa::path(get, path = "/api/v1/quality/service-items", tag = "quality",
    responses((status = 200, description = "The service items", body = Vec<ServiceItemOut>)))]
pub async fn service_items(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<ServiceItemOut>>, WebError> {
    let list = state.app.quality_service_items(&identity.actor()).await?;
    Ok(Json(
        list.into_iter()
            .map(|i| ServiceItemOut {
                id: i.id,
                key: i.key,
                name: i.name,
                active: i.active,
            })
            .collect(),
    ))
}

/// 服务质量异常 — an anomaly.
#[derive(Serialize, ToSchema)]
pub struct AnomalyOut {
    pub id: i64,
    /// `ZL<yyyymmdd>-<seq>`.
    pub number: String,
    /// The day it happened, `YYYY-MM-DD`.
    pub occurred_on: String,
    pub recorded_at: String,
    /// `inspection`, `sla_breach`, `follow_up`, `complaint` or `manual`.
    pub source: String,
    /// What it came from: the inspection's, visit's or complaint's id; for a deadline
    /// `ticket:target:due`.
    pub source_key: String,
    pub service_item_id: i64,
    pub service_item: String,
    pub channel: Option<String>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    /// `minor`, `major` or `critical`.
    pub severity: String,
    pub description: String,
    pub evidence: String,
    /// `open`, `investigated` or `closed`.
    pub status: String,
    /// `people`, `process`, `rules`, `system`, `product`, `customer` or `other`.
    pub cause: Option<String>,
    pub responsible_user_id: Option<i64>,
    pub responsible_name: Option<String>,
    pub findings: String,
    pub investigated_at: Option<String>,
    pub investigated_by: Option<String>,
    pub closed_at: Option<String>,
    pub closed_by: Option<String>,
    /// Send as `If-Match` (`"7"`) with a step.
    pub version: i64,
}

fn anomaly_out(a: AnomalyRow) -> AnomalyOut {
    AnomalyOut {
        id: a.id,
        number: a.number,
        occurred_on: a.occurred_on,
        recorded_at: rfc3339(a.recorded_at),
        source: a.source_kind,
        source_key: a.source_key,
        service_item_id: a.service_item_id,
        service_item: a.service_item,
        channel: a.channel,
        agent_id: a.agent_id,
        agent_name: a.agent_name,
        department_id: a.department_id,
        department_name: a.department_name,
        ticket_id: a.ticket_id,
        ticket_number: a.ticket_number,
        severity: a.severity,
        description: a.description,
        evidence: a.evidence,
        status: a.status,
        cause: a.cause,
        responsible_user_id: a.responsible_user_id,
        responsible_name: a.responsible_name,
        findings: a.findings,
        investigated_at: a.investigated_at.map(rfc3339),
        investigated_by: a.investigated_by_name,
        closed_at: a.closed_at.map(rfc3339),
        closed_by: a.closed_by_name,
        version: a.version,
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomalyParams {
    /// `open`, `investigated` or `closed`.
    pub status: Option<String>,
    /// `inspection`, `sla_breach`, `follow_up`, `complaint` or `manual`.
    pub source: Option<String>,
    pub service_item_id: Option<i64>,
}

/// Anomalies, the newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/quality/anomalies", tag = "quality", params(AnomalyParams),
    responses(
        (status = 200, description = "The anomalies", body = Vec<AnomalyOut>),
        (status = 422, description = "`unknown_value`", body = ErrorBody),
    ))]
pub async fn anomalies(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AnomalyParams>,
) -> Result<Json<Vec<AnomalyOut>>, WebError> {
    let status = parse_optional_key::<AnomalyStatus>("status", p.status.as_deref())?;
    let source = parse_optional_key::<AnomalySource>("source", p.source.as_deref())?;
    let list = state
        .app
        .quality_anomalies(&identity.actor(), status, source, p.service_item_id)
        .await?;
    Ok(Json(list.into_iter().map(anomaly_out).collect()))
}

/// An anomaly; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/quality/anomalies/{id}", tag = "quality",
    params(("id" = i64, Path, description = "anomaly id")),
    responses(
        (status = 200, description = "The anomaly", body = AnomalyOut),
        (status = 404, description = "No such anomaly", body = ErrorBody),
    ))]
pub async fn anomaly(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<AnomalyOut>, WebError> {
    let a = state.app.quality_anomaly(&identity.actor(), id).await?;
    Ok(tagged(a.version, anomaly_out(a)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalyIn {
    pub service_item_id: i64,
    #[serde(default)]
    pub channel: Option<String>,
    #[serde(default)]
    pub agent_id: Option<i64>,
    /// `minor`, `major` or `critical`.
    pub severity: String,
    /// 1–2000 characters.
    pub description: String,
    #[serde(default)]
    pub evidence: String,
    /// `YYYY-MM-DD`, not in the future; today when absent.
    #[serde(default)]
    pub occurred_on: Option<String>,
}

/// Records an anomaly by hand; the quality specialists are told.
#[utoipa::path(post, path = "/api/v1/quality/anomalies", tag = "quality", request_body = AnomalyIn,
    responses(
        (status = 201, description = "Recorded", body = Created),
        (status = 400, description = "`invalid_field`: `occurred_on` is not a date", body = ErrorBody),
        (status = 404, description = "No such agent", body = ErrorBody),
        (status = 422, description = "`anomaly_no_description`, `anomaly_text_too_long`, \
            `anomaly_unknown_service_item`, `anomaly_future_date`, `date_out_of_range`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn record_anomaly(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<AnomalyIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let form = AnomalyForm {
        service_item_id: b.service_item_id,
        channel: b.channel.filter(|c| !c.trim().is_empty()),
        agent_id: b.agent_id,
        severity: parse_key::<AnomalySeverity>("severity", &b.severity)?,
        description: b.description,
        evidence: b.evidence,
        occurred_on: kefu_domain::dates::parse_opt("occurred_on", b.occurred_on.as_deref())?,
    };
    let id = state
        .app
        .record_quality_anomaly(&identity.actor(), &form)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnomalyInvestigationIn {
    /// `people`, `process`, `rules`, `system`, `product`, `customer` or `other`.
    pub cause: String,
    #[serde(default)]
    pub responsible_user_id: Option<i64>,
    /// 1–2000 characters.
    pub findings: String,
}

/// 调查处理 — records (or corrects, until it closes) the anomaly's investigation.
#[utoipa::path(post, path = "/api/v1/quality/anomalies/{id}/investigation", tag = "quality",
    params(("id" = i64, Path, description = "anomaly id")), request_body = AnomalyInvestigationIn,
    responses(
        (status = 200, description = "Investigated", body = AnomalyOut),
        (status = 404, description = "No such anomaly or person", body = ErrorBody),
        (status = 409, description = "`anomaly_closed`", body = ErrorBody),
        (status = 422, description = "`anomaly_no_findings`, `anomaly_text_too_long`, `unknown_value`", body = ErrorBody),
    ))]
pub async fn investigate_anomaly(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AnomalyInvestigationIn>,
) -> Result<Tagged<AnomalyOut>, WebError> {
    let i = AnomalyInvestigation {
        cause: parse_key::<CauseCategory>("cause", &b.cause)?,
        responsible_user_id: b.responsible_user_id,
        findings: b.findings,
    };
    let actor = identity.actor();
    state
        .app
        .investigate_quality_anomaly(&actor, id, &i, expected)
        .await?;
    let a = state.app.quality_anomaly(&actor, id).await?;
    Ok(tagged(a.version, anomaly_out(a)))
}

/// Closes the anomaly; refused until it is investigated.
#[utoipa::path(post, path = "/api/v1/quality/anomalies/{id}/close", tag = "quality",
    params(("id" = i64, Path, description = "anomaly id")),
    responses(
        (status = 200, description = "Closed", body = AnomalyOut),
        (status = 404, description = "No such anomaly", body = ErrorBody),
        (status = 409, description = "`anomaly_not_investigated`, `anomaly_closed`", body = ErrorBody),
    ))]
pub async fn close_anomaly(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<Tagged<AnomalyOut>, WebError> {
    let actor = identity.actor();
    state
        .app
        .close_quality_anomaly(&actor, id, expected)
        .await?;
    let a = state.app.quality_anomaly(&actor, id).await?;
    Ok(tagged(a.version, anomaly_out(a)))
}
