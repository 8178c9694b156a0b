//! 应收账款 over the API: payments recorded by another system (each once by its
//! reference) and allocated, a customer's account, a payment, and the ageing report.
//! Money is integer fen.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::receivable::{Account, AgeingQuery, Allocate, PaymentInput};
use kefu_domain::receivable::{AgeBucket, PaymentSource};
use kefu_store::receivable::{AllocationRow, PaymentRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// Fen to a receivable.
#[derive(Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationIn {
    pub receivable_id: i64,
    pub amount_fen: i64,
}

/// How to allocate: `oldest_first` (the default), `later` (kept on account) or `by_hand`
/// (with `allocations`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "snake_case")]
pub enum AllocateMode {
    #[default]
    OldestFirst,
    Later,
    ByHand,
}

fn allocate_of(
    mode: Option<AllocateMode>,
    list: Option<Vec<AllocationIn>>,
) -> Result<Allocate, WebError> {
    Ok(match mode.unwrap_or_default() {
        AllocateMode::OldestFirst => Allocate::OldestFirst,
        AllocateMode::Later => Allocate::Later,
        AllocateMode::ByHand => {
            let list = list.unwrap_or_default();
            if list.is_empty() {
                return Err(WebError::bad_request("invalid_field", "allocations"));
            }
            Allocate::ByHand(
                list.iter()
                    .map(|a| (a.receivable_id, a.amount_fen))
                    .collect(),
            )
        }
    })
}

/// A payment to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaymentIn {
    /// The bank's or finance system's serial number: one payment per customer. Sent again
    /// with the same amount and day, the payment is answered as it is (200).
    pub reference: String,
    /// More than zero, integer fen.
    pub amount_fen: i64,
    /// `YYYY-MM-DD`, not after today.
    pub received_on: String,
    #[serde(default)]
    pub note: String,
    pub allocate: Option<AllocateMode>,
    /// With `by_hand`.
    pub allocations: Option<Vec<AllocationIn>>,
}

/// A payment recorded (or found) and where it went.
#[derive(Serialize, ToSchema)]
pub struct PaymentRecorded {
    pub id: i64,
    /// False when the reference was recorded before.
    pub created: bool,
    pub allocations: Vec<AllocationIn>,
    pub unapplied_fen: i64,
}

/// 收款登记 — records a customer's payment and allocates it.
#[utoipa::path(post, path = "/api/v1/customers/{id}/payments", tag = "receivables",
    params(("id" = i64, Path, description = "customer id")),
    request_body = PaymentIn,
    responses(
        (status = 201, description = "Recorded", body = PaymentRecorded),
        (status = 200, description = "Recorded before with this reference", body = PaymentRecorded),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 409, description = "`receivable_reference_taken`, `receivable_moved`", body = ErrorBody),
        (status = 422, description = "`receivable_reference`, `receivable_amount`, \
            `receivable_future_date`, `receivable_note`, `receivable_above_open`, \
            `receivable_above_payment`, `receivable_unknown`, `receivable_zero`, `invalid_date`", body = ErrorBody),
    ))]
pub async fn record_payment(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<PaymentIn>,
) -> Result<(StatusCode, Json<PaymentRecorded>), WebError> {
    let input = PaymentInput {
        reference: b.reference,
        amount_fen: b.amount_fen,
        received_on: kefu_domain::dates::parse("received_on", &b.received_on)
            .map_err(kefu_app::AppError::from)?,
        note: b.note,
        allocate: allocate_of(b.allocate, b.allocations)?,
    };
    let out = state
        .app
        .record_payment(&identity.actor(), id, &input, PaymentSource::Api)
        .await?;
    let status = if out.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        Json(PaymentRecorded {
            id: out.id,
            created: out.created,
            allocations: pairs(&out.allocated),
            unapplied_fen: out.unapplied_fen,
        }),
    ))
}

fn pairs(list: &[(i64, i64)]) -> Vec<AllocationIn> {
    list.iter()
        .map(|(receivable_id, amount_fen)| AllocationIn {
            receivable_id: *receivable_id,
            amount_fen: *amount_fen,
        })
        .collect()
}

/// An allocation asked of what is left of a payment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocateIn {
    pub allocate: Option<AllocateMode>,
    pub allocations: Option<Vec<AllocationIn>>,
}

/// 核销 — allocates what is left of a payment or credit note.
#[utoipa::path(post, path = "/api/v1/payments/{id}/allocations", tag = "receivables",
    params(("id" = i64, Path, description = "payment id")),
    request_body = AllocateIn,
    responses(
        (status = 200, description = "What went where", body = Vec<AllocationIn>),
        (status = 404, description = "No such payment", body = ErrorBody),
        (status = 409, description = "`receivable_moved`", body = ErrorBody),
        (status = 422, description = "`receivable_above_open`, `receivable_above_payment`, \
            `receivable_unknown`, `receivable_zero`", body = ErrorBody),
    ))]
pub async fn allocate_payment(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<AllocateIn>,
) -> Result<Json<Vec<AllocationIn>>, WebError> {
    let how = allocate_of(b.allocate, b.allocations)?;
    let done = state
        .app
        .allocate_payment(&identity.actor(), id, &how)
        .await?;
    Ok(Json(pairs(&done)))
}

/// Where a payment went.
#[derive(Serialize, ToSchema)]
pub struct AllocationOut {
    pub receivable_id: i64,
    pub reference: String,
    pub amount_fen: i64,
    pub at: String,
}

/// A payment, credit note or adjustment.
#[derive(Serialize, ToSchema)]
pub struct PaymentOut {
    pub id: i64,
    pub customer_id: i64,
    /// `payment`, `credit_note` or `adjustment`.
    pub kind: String,
    pub reference: String,
    pub amount_fen: i64,
    pub unapplied_fen: i64,
    pub received_on: String,
    /// `manual`, `import`, `api`, `short_delivery`, `rma` or `statement`.
    pub source: String,
    pub note: String,
    pub allocations: Vec<AllocationOut>,
}

fn payment_out(p: &PaymentRow, all: &[AllocationRow]) -> PaymentOut {
    PaymentOut {
        id: p.id,
        customer_id: p.customer_id,
        kind: p.kind.key().to_owned(),
        reference: p.reference.clone(),
        amount_fen: p.amount_fen,
        unapplied_fen: p.unapplied_fen,
        received_on: p.received_on.to_string(),
        source: p.source.key().to_owned(),
        note: p.note.clone(),
        allocations: all
            .iter()
            .filter(|a| a.payment_id == p.id)
            .map(|a| AllocationOut {
                receivable_id: a.receivable_id,
                reference: a.reference.clone(),
                amount_fen: a.amount_fen,
                at: rfc3339(a.at),
            })
            .collect(),
    }
}

/// One payment and where it went.
#[utoipa::path(get, path = "/api/v1/payments/{id}", tag = "receivables",
    params(("id" = i64, Path, description = "payment id")),
    responses(
        (status = 200, description = "The payment", body = PaymentOut),
        (status = 404, description = "No such payment", body = ErrorBody),
    ))]
pub async fn payment(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<PaymentOut>, WebError> {
    let (p, a) = state.app.payment(&identity.actor(), id).await?;
    Ok(Json(payment_out(&p, &a)))
}

/// An amount owed.
#[derive(Serialize, ToSchema)]
pub struct ReceivableOut {
    pub id: i64,
    /// `shipment` or `adjustment`.
    pub kind: String,
    pub order_id: Option<i64>,
    pub shipment_id: Option<i64>,
    pub reference: String,
    pub amount_fen: i64,
    pub open_fen: i64,
    pub booked_on: String,
    pub due_on: String,
}

/// A customer's account.
#[derive(Serialize, ToSchema)]
pub struct AccountOut {
    pub customer_id: i64,
    pub payment_terms: Option<String>,
    /// The day (Beijing) the overdue figure is for.
    pub today: String,
    pub open_fen: i64,
    pub overdue_fen: i64,
    pub unapplied_fen: i64,
    /// The latest 200, the latest due first.
    pub receivables: Vec<ReceivableOut>,
    /// The latest 200, the latest first.
    pub payments: Vec<PaymentOut>,
}

fn account_out(a: Account) -> AccountOut {
    AccountOut {
        customer_id: a.customer_id,
        payment_terms: a.payment_terms,
        today: a.today.to_string(),
        open_fen: a.balance.open_fen,
        overdue_fen: a.balance.overdue_fen,
        unapplied_fen: a.balance.unapplied_fen,
        receivables: a
            .receivables
            .iter()
            .map(|r| ReceivableOut {
                id: r.id,
                kind: r.kind.key().to_owned(),
                order_id: r.order_id,
                shipment_id: r.shipment_id,
                reference: r.reference.clone(),
                amount_fen: r.amount_fen,
                open_fen: r.open_fen,
                booked_on: r.booked_on.to_string(),
                due_on: r.due_on.to_string(),
            })
            .collect(),
        payments: a
            .payments
            .iter()
            .map(|p| payment_out(p, &a.allocations))
            .collect(),
    }
}

/// 客户往来账 — a customer's balance, amounts owed and payments.
#[utoipa::path(get, path = "/api/v1/customers/{id}/account", tag = "receivables",
    params(("id" = i64, Path, description = "customer id")),
    responses(
        (status = 200, description = "The account", body = AccountOut),
        (status = 404, description = "No such customer", body = ErrorBody),
    ))]
pub async fn account(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<AccountOut>, WebError> {
    let a = state.app.customer_account(&identity.actor(), id).await?;
    Ok(Json(account_out(a)))
}

/// The ageing report asked.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AgeingParams {
    /// Only the customers I own.
    pub mine: Option<bool>,
    /// Only customers with something past due.
    pub overdue: Option<bool>,
    /// 1-based; 50 customers a page.
    #[param(minimum = 1, maximum = 100000)]
    pub page: Option<i64>,
}

/// A customer's ageing.
#[derive(Serialize, ToSchema)]
pub struct AgeingLineOut {
    pub customer_id: i64,
    pub customer: String,
    /// Fen by bucket: `not_due`, `1_30`, `31_60`, `61_90`, `over_90`.
    pub buckets: std::collections::BTreeMap<String, i64>,
    pub total_fen: i64,
}

/// One page of the ageing report.
#[derive(Serialize, ToSchema)]
pub struct AgeingOut {
    pub today: String,
    pub customers: i64,
    pub page: i64,
    pub pages: i64,
    pub totals: std::collections::BTreeMap<String, i64>,
    pub total_fen: i64,
    pub lines: Vec<AgeingLineOut>,
}

fn buckets(b: &[i64; 5]) -> std::collections::BTreeMap<String, i64> {
    AgeBucket::ALL
        .iter()
        .zip(b)
        .map(|(k, v)| (k.key().to_owned(), *v))
        .collect()
}

/// 账龄分析 — what customers owe by how late it is, the most overdue first.
#[utoipa::path(get, path = "/api/v1/receivables/ageing", tag = "receivables",
    params(AgeingParams),
    responses(
        (status = 200, description = "One page of the report", body = AgeingOut),
    ))]
pub async fn ageing(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AgeingParams>,
) -> Result<Json<AgeingOut>, WebError> {
    let page = p.page.unwrap_or(1);
    if !(1..=100_000).contains(&page) {
        return Err(WebError::bad_request("invalid_field", "page"));
    }
    let report = state
        .app
        .ageing(
            &identity.actor(),
            &AgeingQuery {
                mine: p.mine.unwrap_or(false),
                overdue_only: p.overdue.unwrap_or(false),
                page,
            },
        )
        .await?;
    Ok(Json(AgeingOut {
        today: report.today.to_string(),
        customers: report.customers,
        page: report.page,
        pages: report.pages(),
        totals: buckets(&report.totals),
        total_fen: report.total(),
        lines: report
            .rows
            .iter()
            .map(|r| AgeingLineOut {
                customer_id: r.customer_id,
                customer: r.customer_name.clone(),
                buckets: buckets(&r.buckets),
                total_fen: r.total(),
            })
            .collect(),
    }))
}
