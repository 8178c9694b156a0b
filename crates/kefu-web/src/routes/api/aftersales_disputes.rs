//! 售后纠纷 over the API: disputes (open, ruled, found by their words as precedent), a
//! registration with both positions and the evidence, and the ruling 裁定 citing a clause of
//! a policy version, made from the version read (`If-Match`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::aftersales::DisputeDetail;
use kefu_domain::aftersales::dispute::{DisputeCase, DisputeStatus, Ruling};
use kefu_domain::aftersales::policy::ClauseKey;
use kefu_store::aftersales::dispute::DisputeRow;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// 售后纠纷 — a dispute.
#[derive(Serialize, ToSchema)]
pub struct AftersalesDisputeOut {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    pub rma_id: Option<i64>,
    pub rma_number: Option<String>,
    pub subject: String,
    pub customer_position: String,
    pub company_position: String,
    pub evidence: String,
    /// `open` or `ruled`.
    pub status: String,
    pub ruling: Option<String>,
    /// The policy version whose clause the ruling cites.
    pub ruling_policy_id: Option<i64>,
    pub ruling_clause: Option<String>,
    pub ruled_by: Option<String>,
    pub ruled_at: Option<String>,
    pub version: i64,
    pub created_at: String,
}

fn dispute_out(d: DisputeRow) -> AftersalesDisputeOut {
    AftersalesDisputeOut {
        id: d.id,
        customer_id: d.customer_id,
        customer: d.customer,
        rma_id: d.rma_id,
        rma_number: d.rma_number,
        subject: d.case.subject,
        customer_position: d.case.customer_position,
        company_position: d.case.company_position,
        evidence: d.case.evidence,
        status: d.status.key().to_owned(),
        ruling_policy_id: d.ruling.as_ref().map(|r| r.policy_id),
        ruling_clause: d.ruling.as_ref().map(|r| r.clause.key().to_owned()),
        ruling: d.ruling.map(|r| r.text),
        ruled_by: d.ruled_by,
        ruled_at: d.ruled_at.map(rfc3339),
        version: d.version,
        created_at: rfc3339(d.created_at),
    }
}

/// Which disputes to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AftersalesDisputeParams {
    /// `open` or `ruled`; both when left out.
    pub status: Option<String>,
    /// Words in the subject, either position, the evidence or the ruling (precedents).
    pub q: Option<String>,
    /// The page before this id (newest first).
    pub before: Option<i64>,
    /// At most 200 (default 50).
    pub limit: Option<i64>,
}

/// Disputes newest first.
#[utoipa::path(get, path = "/api/v1/aftersales/disputes", tag = "aftersales",
    params(AftersalesDisputeParams),
    responses(
        (status = 200, description = "The disputes", body = Vec<AftersalesDisputeOut>),
        (status = 422, description = "`unknown_value`: no such status", body = ErrorBody),
    ))]
pub async fn aftersales_disputes(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AftersalesDisputeParams>,
) -> Result<Json<Vec<AftersalesDisputeOut>>, WebError> {
    let status = parse_optional_key::<DisputeStatus>("status", p.status.as_deref())?;
    let list = state
        .app
        .disputes(
            &identity.actor(),
            status,
            p.q.as_deref(),
            p.before,
            p.limit.unwrap_or(50),
        )
        .await?;
    Ok(Json(list.into_iter().map(dispute_out).collect()))
}

/// A dispute to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesDisputeIn {
    pub customer_id: i64,
    /// The customer's RMA it is about, if one.
    pub rma_id: Option<i64>,
    /// At most 100 characters.
    pub subject: String,
    /// 客户主张, at most 4,000 characters.
    pub customer_position: String,
    /// 公司意见, at most 4,000 characters.
    pub company_position: String,
    /// 证据, at most 4,000 characters.
    pub evidence: String,
}

/// A dispute registered.
#[derive(Serialize, ToSchema)]
pub struct AftersalesDisputeCreated {
    pub id: i64,
}

/// Registers a dispute; the after-sales specialists are told.
#[utoipa::path(post, path = "/api/v1/aftersales/disputes", tag = "aftersales",
    request_body = AftersalesDisputeIn,
    responses(
        (status = 201, description = "Registered", body = AftersalesDisputeCreated),
        (status = 404, description = "The RMA named does not exist", body = ErrorBody),
        (status = 422, description = "Refused: `dispute_required`, `dispute_too_long`, \
            `dispute_other_customer`, `unknown_archive_customer`", body = ErrorBody),
    ))]
pub async fn open_aftersales_dispute(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<AftersalesDisputeIn>,
) -> Result<(StatusCode, Json<AftersalesDisputeCreated>), WebError> {
    let id = state
        .app
        .open_dispute(
            &identity.actor(),
            b.customer_id,
            b.rma_id,
            DisputeCase {
                subject: b.subject,
                customer_position: b.customer_position,
                company_position: b.company_position,
                evidence: b.evidence,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(AftersalesDisputeCreated { id })))
}

/// A dispute with the clause its ruling cites.
#[derive(Serialize, ToSchema)]
pub struct AftersalesDisputeDetail {
    #[serde(flatten)]
    pub dispute: AftersalesDisputeOut,
    /// 第N条 of the clause cited, once ruled.
    pub clause_number: Option<usize>,
    pub clause_text: Option<String>,
    /// The cited version's number.
    pub policy_number: Option<i64>,
}

fn detail_out(d: DisputeDetail) -> AftersalesDisputeDetail {
    let (clause_number, clause_text, policy_number) = match d.cited {
        Some((n, text, v)) => (Some(n), Some(text), Some(v)),
        None => (None, None, None),
    };
    AftersalesDisputeDetail {
        dispute: dispute_out(d.dispute),
        clause_number,
        clause_text,
        policy_number,
    }
}

/// One dispute.
#[utoipa::path(get, path = "/api/v1/aftersales/disputes/{id}", tag = "aftersales",
    params(("id" = i64, Path, description = "dispute id")),
    responses(
        (status = 200, description = "The dispute", body = AftersalesDisputeDetail),
        (status = 404, description = "No such dispute", body = ErrorBody),
    ))]
pub async fn aftersales_dispute(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<AftersalesDisputeDetail>, WebError> {
    let d = state.app.dispute(&identity.actor(), id).await?;
    Ok(tagged(d.dispute.version, detail_out(d)))
}

/// 裁定 — a ruling.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesRulingIn {
    /// At most 4,000 characters.
    pub ruling: String,
    /// The policy version whose clause is cited.
    pub policy_id: i64,
    /// The clause cited: `return_window`, `exchange_window`, `repair_warranty`,
    /// `failed_repairs`, `paid_repair`, `customer_damage`, `no_fault_return` or
    /// `approval_limits`.
    pub clause: String,
}

/// Rules a dispute; who registered it is told.
#[utoipa::path(post, path = "/api/v1/aftersales/disputes/{id}/ruling", tag = "aftersales",
    params(("id" = i64, Path, description = "dispute id")),
    request_body = AftersalesRulingIn,
    responses(
        (status = 204, description = "Ruled"),
        (status = 404, description = "No such dispute or policy version", body = ErrorBody),
        (status = 409, description = "`dispute_already_ruled`", body = ErrorBody),
        (status = 422, description = "Refused: `dispute_required`, `dispute_too_long`", body = ErrorBody),
    ))]
pub async fn rule_aftersales_dispute(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AftersalesRulingIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .rule_dispute(
            &identity.actor(),
            id,
            expected,
            Ruling {
                text: b.ruling,
                policy_id: b.policy_id,
                clause: parse_key::<ClauseKey>("clause", &b.clause)?,
            },
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
