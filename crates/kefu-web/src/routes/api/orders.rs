//! 订单 over the API: orders placed on credit or prepaid (the credit check's answer and
//! reason), met from stock and by production, approved by the manager, lines changed and
//! orders cancelled before goods leave (`If-Match` on the version read), and the finished
//! goods in stock.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::order::{OrderDetail, OrderLineRequest, OrderRequest};
use kefu_domain::dates;
use kefu_domain::order::{OrderState, Payment};
use kefu_store::order::{OrderFilter, OrderRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, IfMatch, Tagged, doc, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// 订单 — an order's head.
#[derive(Serialize, ToSchema)]
pub struct OrderOut {
    pub id: i64,
    /// `DD<yyyymmdd>-<seq>`
    pub number: String,
    pub customer_id: i64,
    pub customer: String,
    /// `pending_approval`, `open`, `partly_shipped`, `shipped`, `closed` or `cancelled`.
    pub state: String,
    /// `credit` or `prepayment`.
    pub payment: String,
    /// The credit check: `prepaid`, `allowed` or `needs_approval`.
    pub credit: String,
    pub total_fen: i64,
    pub currency: String,
    pub note: String,
    pub promised_on: Option<String>,
    pub version: i64,
    pub created_at: String,
}

fn order_out(o: OrderRow) -> OrderOut {
    OrderOut {
        id: o.id,
        number: o.number,
        customer_id: o.customer_id,
        customer: o.customer,
        state: o.state.key().to_owned(),
        payment: o.payment.key().to_owned(),
        credit: o.credit,
        total_fen: o.total_fen,
        currency: o.currency,
        note: o.note,
        promised_on: o.promised_on.map(|d| d.to_string()),
        version: o.version,
        created_at: rfc3339(o.created_at),
    }
}

/// Which orders (or custom requests) to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderParams {
    /// One state; all when left out.
    pub state: Option<String>,
    pub customer_id: Option<i64>,
    /// The page before this id (newest first).
    pub before: Option<i64>,
    /// At most 200 (default 50).
    pub limit: Option<i64>,
}

/// Orders newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders",
    params(OrderParams),
    responses(
        (status = 200, description = "The orders", body = Vec<OrderOut>),
        (status = 422, description = "`unknown_value`", body = ErrorBody),
    ))]
pub async fn orders(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<OrderParams>,
) -> Result<Json<Vec<OrderOut>>, WebError> {
    let s = parse_optional_key::<OrderState>("state", p.state.as_deref())?;
    let list = state
        .app
        .orders(
            &identity.actor(),
            &OrderFilter {
                states: s.into_iter().collect(),
                customer_id: p.customer_id,
                before: p.before,
                limit: p.limit.unwrap_or(50),
            },
        )
        .await?;
    Ok(Json(list.into_iter().map(order_out).collect()))
}

/// A line to order.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineIn {
    pub product_id: i64,
    /// 1–1,000,000.
    pub quantity: i64,
    /// Fen; the customer's price that day when left out.
    #[serde(default)]
    pub unit_price_fen: Option<i64>,
}

/// An order to place.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderIn {
    pub customer_id: i64,
    /// `credit` (on the customer's terms) or `prepayment`.
    pub payment: String,
    /// 1–200 lines, each product once.
    pub lines: Vec<OrderLineIn>,
    /// `YYYY-MM-DD`, today or later: required when part of the order is to be produced.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateInput>)]
    pub promised_on: Option<String>,
    #[serde(default)]
    pub note: String,
}

/// An order placed.
#[derive(Serialize, ToSchema)]
pub struct OrderPlaced {
    pub id: i64,
    pub state: String,
}

/// 下单 — places an order: priced, credit-checked (grade D or pay-first terms: prepayment
/// only; over the limit or grade C: the manager approves), met from stock and by
/// production.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders",
    request_body = OrderIn,
    responses(
        (status = 201, description = "Placed", body = OrderPlaced),
        (status = 404, description = "No such customer or product", body = ErrorBody),
        (status = 409, description = "`order_stock_taken`: place it again", body = ErrorBody),
        (status = 422, description = "`order_credit_refused` (the reason), `order_quantity`, \
            `order_product_twice`, `order_promised_required`, `order_promised_past`, \
            `negative_amount`…", body = ErrorBody),
    ))]
pub async fn place_order(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<OrderIn>,
) -> Result<(StatusCode, Json<OrderPlaced>), WebError> {
    let promised_on = match b.promised_on.as_deref() {
        Some(d) => Some(dates::parse("promised_on", d).map_err(kefu_app::AppError::from)?),
        None => None,
    };
    let req = OrderRequest {
        customer_id: b.customer_id,
        payment: parse_key::<Payment>("payment", &b.payment)?,
        lines: b
            .lines
            .iter()
            .map(|l| OrderLineRequest {
                product_id: l.product_id,
                quantity: l.quantity,
                unit_price_fen: l.unit_price_fen,
            })
            .collect(),
        promised_on,
        note: b.note,
    };
    let (id, s) = state.app.place_order(&identity.actor(), &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrderPlaced {
            id,
            state: s.key().to_owned(),
        }),
    ))
}

/// An order's line.
#[derive(Serialize, ToSchema)]
pub struct OrderLineOut {
    pub line_no: i64,
    pub product_id: i64,
    pub sku: String,
    pub product: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    /// Met from stock (销售单据).
    pub from_stock: i64,
    /// Made by production (生产单据).
    pub to_produce: i64,
    pub shipped: i64,
    pub received: i64,
}

/// A document issued for the order.
#[derive(Serialize, ToSchema)]
pub struct OrderDocumentOut {
    /// `sales` (销售单据) or `production` (生产单据).
    pub kind: String,
    pub number: String,
    pub promised_on: Option<String>,
    /// `issued` or `cancelled`.
    pub state: String,
}

/// A step of the order's history.
#[derive(Serialize, ToSchema)]
pub struct OrderStepOut {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: String,
    pub by: Option<String>,
    pub at: String,
}

/// An order with its lines, documents and history.
#[derive(Serialize, ToSchema)]
pub struct OrderDetailOut {
    #[serde(flatten)]
    pub order: OrderOut,
    pub lines: Vec<OrderLineOut>,
    pub documents: Vec<OrderDocumentOut>,
    pub steps: Vec<OrderStepOut>,
    /// 优惠政策 — the customer's approved discount and incentive policies in force on the
    /// day the order was placed (`in_force`: whether each still is today).
    pub policies: Vec<super::key_account_plans::KeyAccountPolicyOut>,
}

fn detail_out(d: OrderDetail) -> OrderDetailOut {
    OrderDetailOut {
        lines: d
            .lines
            .into_iter()
            .map(|l| OrderLineOut {
                line_no: l.line_no,
                product_id: l.product_id,
                sku: l.sku,
                product: l.product,
                quantity: l.quantity,
                unit_price_fen: l.unit_price_fen,
                from_stock: l.from_stock,
                to_produce: l.to_produce,
                shipped: l.shipped,
                received: l.received,
            })
            .collect(),
        documents: d
            .documents
            .into_iter()
            .map(|x| OrderDocumentOut {
                kind: x.kind.key().to_owned(),
                number: x.number,
                promised_on: x.promised_on.map(|p| p.to_string()),
                state: x.state,
            })
            .collect(),
        steps: d
            .steps
            .into_iter()
            .map(|s| OrderStepOut {
                action: s.action,
                from_state: s.from_state.map(|f| f.key().to_owned()),
                to_state: s.to_state.key().to_owned(),
                note: s.note,
                by: s.by_name,
                at: rfc3339(s.at),
            })
            .collect(),
        policies: d
            .policies
            .into_iter()
            .map(|(p, in_force)| super::key_account_plans::policy_out(p, in_force))
            .collect(),
        order: order_out(d.order),
    }
}

/// One order; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses(
        (status = 200, description = "The order", body = OrderDetailOut),
        (status = 404, description = "No such order", body = ErrorBody),
    ))]
pub async fn order(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<OrderDetailOut>, WebError> {
    let d = state.app.order(&identity.actor(), id).await?;
    Ok(tagged(d.order.version, detail_out(d)))
}

/// The manager's decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderDecisionIn {
    pub approve: bool,
    /// A rejection's reason (required then).
    #[serde(default)]
    pub reason: String,
}

/// The state an order moved to.
#[derive(Serialize, ToSchema)]
pub struct OrderMoved {
    pub state: String,
}

/// 审批 — approves an order waiting for credit approval, or rejects it with the reason.
#[utoipa::path(post, path = "/api/v1/orders/{id}/decision", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    request_body = OrderDecisionIn,
    responses(
        (status = 200, description = "Decided", body = OrderMoved),
        (status = 404, description = "No such order", body = ErrorBody),
        (status = 409, description = "`order_not_now`: not waiting", body = ErrorBody),
        (status = 422, description = "`order_reason_required`", body = ErrorBody),
    ))]
pub async fn decide_order(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<OrderDecisionIn>,
) -> Result<Json<OrderMoved>, WebError> {
    let s = state
        .app
        .decide_order(&identity.actor(), id, expected, b.approve, &b.reason)
        .await?;
    Ok(Json(OrderMoved {
        state: s.key().to_owned(),
    }))
}

/// A line's new quantity.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderLineChangeIn {
    /// 1–1,000,000, never below what was shipped.
    pub quantity: i64,
    #[serde(default)]
    pub reason: String,
}

/// The version a write made.
#[derive(Serialize, ToSchema)]
pub struct OrderSaved {
    pub version: i64,
}

/// 修改 — changes a line's quantity before goods leave; logged with both quantities.
#[utoipa::path(put, path = "/api/v1/orders/{id}/lines/{line_no}", tag = "orders",
    params(("id" = i64, Path, description = "order id"),
        ("line_no" = i64, Path, description = "the line's number, from 1")),
    request_body = OrderLineChangeIn,
    responses(
        (status = 200, description = "Changed", body = OrderSaved),
        (status = 404, description = "No such order or line", body = ErrorBody),
        (status = 409, description = "`order_not_now`, `order_stock_taken`", body = ErrorBody),
        (status = 422, description = "`order_quantity`, `order_below_shipped`", body = ErrorBody),
    ))]
pub async fn change_order_line(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, line_no)): Path<(i64, i64)>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<OrderLineChangeIn>,
) -> Result<Tagged<OrderSaved>, WebError> {
    let version = state
        .app
        .change_order_line(
            &identity.actor(),
            id,
            expected,
            line_no,
            b.quantity,
            &b.reason,
        )
        .await?;
    Ok(tagged(version, OrderSaved { version }))
}

/// Why an order is cancelled.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderCancelIn {
    pub reason: String,
}

/// 取消 — cancels an order before goods leave; after, the customer returns them (an RMA).
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    request_body = OrderCancelIn,
    responses(
        (status = 204, description = "Cancelled"),
        (status = 404, description = "No such order", body = ErrorBody),
        (status = 409, description = "`order_already_shipped`: return the goods instead; \
            `order_not_now`", body = ErrorBody),
        (status = 422, description = "`order_reason_required`", body = ErrorBody),
    ))]
pub async fn cancel_order(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<OrderCancelIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .cancel_order(&identity.actor(), id, expected, &b.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A product's finished goods in stock.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductStockIn {
    /// 0 or more.
    pub on_hand: i64,
}

/// 成品库存 — sets a product's finished goods in stock (the warehouse's count).
#[utoipa::path(put, path = "/api/v1/catalogue/products/{id}/stock", tag = "orders",
    params(("id" = i64, Path, description = "product id")),
    request_body = ProductStockIn,
    responses(
        (status = 204, description = "Set"),
        (status = 404, description = "No such product", body = ErrorBody),
        (status = 422, description = "`order_quantity`", body = ErrorBody),
    ))]
pub async fn set_product_stock(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<ProductStockIn>,
) -> Result<StatusCode, WebError> {
    state
        .app
        .set_product_stock(&identity.actor(), id, b.on_hand)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
