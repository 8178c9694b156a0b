//! 售后服务政策 over the API: the policy's versions (company-wide or per product category),
//! one issued from a later day (a version once issued is never edited), and the check of a
//! claim — 退货, 换货, 退款 or 维修 — against the version in force on the day it was made,
//! with the clause (第N条) the decision rests on. Money is integer fen 分 (`*_fen`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::aftersales::{ClaimQuery, PolicyCheck, PolicyDraft, PolicyVersion, numbered_clauses};
use kefu_domain::aftersales::policy::{Clause, ClauseKey, Fault, Policy, RmaKind};
use kefu_domain::dates;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, doc, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// 条款 — a clause with its number as printed.
#[derive(Serialize, ToSchema)]
pub struct AftersalesClauseOut {
    /// `return_window`, `exchange_window`, `repair_warranty`, `failed_repairs`,
    /// `paid_repair`, `customer_damage`, `no_fault_return` or `approval_limits`.
    pub key: String,
    /// 第N条, from 1.
    pub number: usize,
    pub text: String,
}

/// 售后服务政策 — one version's rules.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRulesOut {
    /// Days after delivery a quality fault may be returned (三包: 7).
    pub return_days: u32,
    /// Days after delivery a quality fault may be exchanged (三包: 15).
    pub exchange_days: u32,
    /// The warranty in months when the policy sets it; `null`: each product's own.
    pub warranty_months: Option<u32>,
    /// Failed repairs after which a quality fault is exchanged or returned within the
    /// warranty (三包: 2).
    pub failed_repairs: u32,
    /// Days after delivery goods without fault may be returned (无理由退货); 0: never.
    pub no_fault_return_days: u32,
    /// Whether damage by the customer is repaired at their cost (else refused).
    pub paid_repair_for_damage: bool,
    /// Approved without anyone up to this amount, in fen.
    pub auto_approve_fen: i64,
    /// The after-sales specialist approves up to this amount, in fen; the manager above.
    pub specialist_limit_fen: i64,
    /// Every clause, in its order.
    pub clauses: Vec<AftersalesClauseOut>,
}

/// A version of the after-sales policy.
#[derive(Serialize, ToSchema)]
pub struct AftersalesPolicyOut {
    pub id: i64,
    /// The product category it covers; `null`: the company-wide policy.
    pub category_id: Option<i64>,
    /// The version's number within its category (or company-wide).
    pub number: i64,
    /// The first day it is in force, `YYYY-MM-DD`.
    pub valid_from: String,
    /// The last day it is in force; `null`: until a later version.
    pub valid_to: Option<String>,
    pub note: String,
    /// Who issued it; `null` for the shipped policy.
    pub by: Option<String>,
    /// When it was issued.
    pub at: String,
    pub policy: AftersalesRulesOut,
}

fn policy_out(v: PolicyVersion) -> AftersalesPolicyOut {
    let clauses = numbered_clauses(&v.policy)
        .into_iter()
        .map(|(number, key, text)| AftersalesClauseOut {
            key: key.key().to_owned(),
            number,
            text,
        })
        .collect();
    let p = v.policy;
    AftersalesPolicyOut {
        id: v.id,
        category_id: v.category_id,
        number: v.number,
        valid_from: v.valid_from.to_string(),
        valid_to: v.valid_to.map(|d| d.to_string()),
        note: v.note,
        by: v.by,
        at: rfc3339(v.at),
        policy: AftersalesRulesOut {
            return_days: p.return_days,
            exchange_days: p.exchange_days,
            warranty_months: p.warranty_months,
            failed_repairs: p.failed_repairs,
            no_fault_return_days: p.no_fault_return_days,
            paid_repair_for_damage: p.paid_repair_for_damage,
            auto_approve_fen: p.auto_approve_fen,
            specialist_limit_fen: p.specialist_limit_fen,
            clauses,
        },
    }
}

/// Every version of the after-sales policy, company-wide first, then by category and
/// number (the shipped 三包 policy is written the first time).
#[utoipa::path(get, path = "/api/v1/aftersales/policies", tag = "aftersales",
    responses((status = 200, description = "The versions", body = Vec<AftersalesPolicyOut>)))]
pub async fn aftersales_policies(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<AftersalesPolicyOut>>, WebError> {
    let list = state.app.aftersales_policies(&identity.actor()).await?;
    Ok(Json(list.into_iter().map(policy_out).collect()))
}

/// One version of the after-sales policy.
#[utoipa::path(get, path = "/api/v1/aftersales/policies/{id}", tag = "aftersales",
    params(("id" = i64, Path, description = "policy version id")),
    responses(
        (status = 200, description = "The version", body = AftersalesPolicyOut),
        (status = 404, description = "No such version", body = ErrorBody),
    ))]
pub async fn aftersales_policy(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<AftersalesPolicyOut>, WebError> {
    let v = state.app.aftersales_policy(&identity.actor(), id).await?;
    Ok(Json(policy_out(v)))
}

/// A clause's wording to issue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesClauseIn {
    /// `return_window`, `exchange_window`, `repair_warranty`, `failed_repairs`,
    /// `paid_repair`, `customer_damage`, `no_fault_return` or `approval_limits`.
    pub key: String,
    /// 1–500 characters.
    pub text: String,
}

/// The rules of a version to issue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesRulesIn {
    /// 0–365 days.
    pub return_days: u32,
    /// 0–365 days.
    pub exchange_days: u32,
    /// 0–120 months; absent or `null`: each product's own warranty.
    #[serde(default)]
    pub warranty_months: Option<u32>,
    /// 1–10.
    pub failed_repairs: u32,
    /// 0–365 days; 0: no return without fault.
    pub no_fault_return_days: u32,
    pub paid_repair_for_damage: bool,
    /// In fen; at most `specialist_limit_fen`.
    #[schema(value_type = doc::AmountFen)]
    pub auto_approve_fen: i64,
    /// In fen.
    #[schema(value_type = doc::AmountFen)]
    pub specialist_limit_fen: i64,
    /// Every clause's wording, each key once (all eight are required).
    pub clauses: Vec<AftersalesClauseIn>,
}

/// A version to issue.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesPolicyIn {
    /// The product category it covers; absent or `null`: the company-wide policy.
    #[serde(default)]
    pub category_id: Option<i64>,
    /// The first day it is in force, `YYYY-MM-DD`; an open version starting earlier ends
    /// the day before.
    pub valid_from: String,
    /// The last day it is in force; absent or blank: until a later version.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateInput>)]
    pub valid_to: Option<String>,
    /// What changed, at most 200 characters.
    #[serde(default)]
    pub note: String,
    pub policy: AftersalesRulesIn,
}

/// The version issued.
#[derive(Serialize, ToSchema)]
pub struct AftersalesPolicyIssued {
    pub id: i64,
    /// Its number within its category (or company-wide).
    pub number: i64,
}

fn draft_of(b: AftersalesPolicyIn) -> Result<PolicyDraft, WebError> {
    let p = b.policy;
    let mut clauses = Vec::with_capacity(p.clauses.len());
    for c in p.clauses {
        clauses.push(Clause {
            key: parse_key::<ClauseKey>("clauses.key", &c.key)?,
            text: c.text,
        });
    }
    Ok(PolicyDraft {
        category_id: b.category_id,
        valid_from: dates::parse("valid_from", &b.valid_from).map_err(kefu_app::AppError::from)?,
        valid_to: dates::parse_opt("valid_to", b.valid_to.as_deref())
            .map_err(kefu_app::AppError::from)?,
        note: b.note,
        policy: Policy {
            return_days: p.return_days,
            exchange_days: p.exchange_days,
            warranty_months: p.warranty_months,
            failed_repairs: p.failed_repairs,
            no_fault_return_days: p.no_fault_return_days,
            paid_repair_for_damage: p.paid_repair_for_damage,
            auto_approve_fen: p.auto_approve_fen,
            specialist_limit_fen: p.specialist_limit_fen,
            clauses,
        },
    })
}

/// Issues a version of the after-sales policy; a later start ends the open version the day
/// before, any other shared day is refused.
#[utoipa::path(post, path = "/api/v1/aftersales/policies", tag = "aftersales",
    request_body = AftersalesPolicyIn,
    responses(
        (status = 201, description = "Issued", body = AftersalesPolicyIssued),
        (status = 400, description = "`invalid_field`: a date is not `YYYY-MM-DD`", body = ErrorBody),
        (status = 409, description = "`policy_overlap`: the dates share a day with another \
            version than the open one it ends", body = ErrorBody),
        (status = 422, description = "`policy_days` (a window over 365 days), \
            `policy_failed_repairs` (outside 1–10), `catalogue_warranty` (over 120 months), \
            `negative_amount`, `amount_too_large`, `policy_limits` (the automatic limit above \
            the specialist's), `policy_clause_missing`, `policy_clause_too_long`, \
            `policy_note_too_long`, `catalogue_reversed` (the end before the start), \
            `catalogue_unknown_category`, `date_out_of_range`, `unknown_value` (a clause \
            key)", body = ErrorBody),
    ))]
pub async fn issue_aftersales_policy(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<AftersalesPolicyIn>,
) -> Result<(StatusCode, Json<AftersalesPolicyIssued>), WebError> {
    let draft = draft_of(b)?;
    let (id, number) = state
        .app
        .issue_aftersales_policy(&identity.actor(), draft)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(AftersalesPolicyIssued { id, number }),
    ))
}

/// A claim to check: the product and what the customer asks.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesClaimIn {
    pub product_id: i64,
    /// `return` (退货), `exchange` (换货), `refund` (退款) or `repair` (维修).
    pub kind: String,
    /// `quality` (质量问题), `customer_damage` (人为损坏) or `no_fault` (无质量问题).
    pub fault: String,
    /// 交付日期, `YYYY-MM-DD`.
    pub delivered_on: String,
    /// The day the customer asked, `YYYY-MM-DD`; today when absent or blank.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateInput>)]
    pub requested_on: Option<String>,
    /// Repairs of this unit that did not fix the fault (default 0).
    #[serde(default)]
    pub failed_repairs: u32,
    /// What it would cost — the refund, the goods' value, the repair — in fen.
    #[schema(value_type = doc::AmountFen)]
    pub amount_fen: i64,
}

/// 判定结果 — what the check decided, and on what.
#[derive(Serialize, ToSchema)]
pub struct AftersalesCheckOut {
    /// `eligible` (符合政策), `needs_approval` (需审批) or `outside` (不符合政策: only the
    /// manager may grant it, as an exception).
    pub verdict: String,
    /// Who approves: `auto`, `specialist` or `manager`.
    pub approver: String,
    /// The clause's key the decision rests on.
    pub clause: String,
    /// 第N条
    pub clause_number: usize,
    /// The clause's wording in the version, as the customer is told it.
    pub clause_text: String,
    /// Why, e.g. `within_return_window`, `past_exchange_window`, `repeated_failed_repairs`,
    /// `in_warranty`, `out_of_warranty`, `customer_damage`, `customer_damage_refused`,
    /// `within_no_fault_window`, `no_fault_not_taken`, `no_fault_repair`.
    pub reason: String,
    /// A repair at the customer's cost (a quote to accept first).
    pub paid_repair: bool,
    /// Whether the warranty still ran on the day asked.
    pub in_warranty: bool,
    /// Days from delivery to the request.
    pub days: i64,
    /// The day the claim was checked for, `YYYY-MM-DD`.
    pub requested_on: String,
    /// The version decided under.
    pub policy_id: i64,
    pub policy_number: i64,
    /// The version's category; `null`: the company-wide policy.
    pub policy_category_id: Option<i64>,
}

fn check_out(c: PolicyCheck) -> AftersalesCheckOut {
    let d = c.decision;
    AftersalesCheckOut {
        verdict: d.verdict.key().to_owned(),
        approver: d.approver.key().to_owned(),
        clause: d.clause.key().to_owned(),
        clause_number: c.clause_number,
        clause_text: c.clause_text,
        reason: d.reason.key().to_owned(),
        paid_repair: d.paid_repair,
        in_warranty: d.in_warranty,
        days: d.days,
        requested_on: c.requested_on.to_string(),
        policy_id: c.version.id,
        policy_number: c.version.number,
        policy_category_id: c.version.category_id,
    }
}

/// Checks a claim on a product against the after-sales policy in force on the day it was
/// made: eligible, needs approval (and by whom), or outside the policy, with the clause.
#[utoipa::path(post, path = "/api/v1/aftersales/policy-check", tag = "aftersales",
    request_body = AftersalesClaimIn,
    responses(
        (status = 200, description = "The decision", body = AftersalesCheckOut),
        (status = 400, description = "`invalid_field`: a date is not `YYYY-MM-DD`", body = ErrorBody),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 422, description = "`claim_before_delivery`, `negative_amount`, \
            `amount_too_large`, `policy_none_in_force`, `date_out_of_range`, `unknown_value` \
            (`kind`, `fault`)", body = ErrorBody),
    ))]
pub async fn check_aftersales_claim(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<AftersalesClaimIn>,
) -> Result<Json<AftersalesCheckOut>, WebError> {
    let q = ClaimQuery {
        product_id: b.product_id,
        kind: parse_key::<RmaKind>("kind", &b.kind)?,
        fault: parse_key::<Fault>("fault", &b.fault)?,
        delivered_on: dates::parse("delivered_on", &b.delivered_on)
            .map_err(kefu_app::AppError::from)?,
        requested_on: dates::parse_opt("requested_on", b.requested_on.as_deref())
            .map_err(kefu_app::AppError::from)?,
        failed_repairs: b.failed_repairs,
        amount_fen: b.amount_fen,
    };
    let check = state
        .app
        .check_aftersales_claim(&identity.actor(), &q)
        .await?;
    Ok(Json(check_out(check)))
}
