//! 定制 over the API: custom requests recorded, listed and read; each step (the design's
//! answer, the quote, the manager's decision, the customer's answer, the cancel) from the
//! version read (`If-Match`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::order::{CustomDetail, CustomInput, CustomRequest};
use kefu_domain::dates;
use kefu_domain::order::custom::{CustomMove, CustomState};
use kefu_store::order::custom::{CustomFilter, CustomRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::orders::OrderParams;
use super::{ApiJson, ErrorBody, IfMatch, Tagged, doc, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, parse_optional_key};

/// 定制申请 — a custom request.
#[derive(Serialize, ToSchema)]
pub struct CustomOut {
    pub id: i64,
    /// `DZ<yyyymmdd>-<seq>`
    pub number: String,
    pub customer_id: i64,
    pub customer: String,
    pub title: String,
    pub spec: String,
    pub quantity: i64,
    pub wanted_by: Option<String>,
    /// `with_design`, `answered`, `not_feasible`, `quote_pending`, `quoted`, `accepted`,
    /// `declined` or `cancelled`.
    pub state: String,
    /// The design's answer: whether it can be made, its words, unit cost (fen) and lead
    /// time (days).
    pub feasible: Option<bool>,
    pub answer: String,
    pub cost_fen: Option<i64>,
    pub lead_days: Option<i64>,
    /// The unit price quoted to the customer (fen).
    pub quote_fen: Option<i64>,
    pub currency: String,
    /// The order the customer's acceptance placed (`accepted` only), with its number, and
    /// the catalogue product made for it.
    pub order_id: Option<i64>,
    pub order_number: Option<String>,
    pub product_id: Option<i64>,
    pub version: i64,
    pub created_at: String,
}

fn custom_out(r: CustomRow) -> CustomOut {
    CustomOut {
        id: r.id,
        number: r.number,
        customer_id: r.customer_id,
        customer: r.customer,
        title: r.title,
        spec: r.spec,
        quantity: r.quantity,
        wanted_by: r.wanted_by.map(|d| d.to_string()),
        state: r.state.key().to_owned(),
        feasible: r.feasible,
        answer: r.answer,
        cost_fen: r.cost_fen,
        lead_days: r.lead_days,
        quote_fen: r.quote_fen,
        currency: "CNY".to_owned(),
        order_id: r.order_id,
        order_number: r.order_number,
        product_id: r.product_id,
        version: r.version,
        created_at: rfc3339(r.created_at),
    }
}

/// Custom requests newest first.
#[utoipa::path(get, path = "/api/v1/custom-requests", tag = "orders",
    params(OrderParams),
    responses(
        (status = 200, description = "The requests", body = Vec<CustomOut>),
        (status = 422, description = "`unknown_value`", body = ErrorBody),
    ))]
pub async fn custom_requests(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<OrderParams>,
) -> Result<Json<Vec<CustomOut>>, WebError> {
    let s = parse_optional_key::<CustomState>("state", p.state.as_deref())?;
    let list = state
        .app
        .custom_requests(
            &identity.actor(),
            &CustomFilter {
                states: s.into_iter().collect(),
                customer_id: p.customer_id,
                before: p.before,
                limit: p.limit.unwrap_or(50),
            },
        )
        .await?;
    Ok(Json(list.into_iter().map(custom_out).collect()))
}

/// A custom request to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomIn {
    pub customer_id: i64,
    /// At most 200 characters.
    pub title: String,
    /// What the customer wants made, at most 4,000 characters.
    pub spec: String,
    /// 1–1,000,000.
    pub quantity: i64,
    /// `YYYY-MM-DD`, today or later.
    #[serde(default)]
    #[schema(value_type = Option<doc::DateInput>)]
    pub wanted_by: Option<String>,
}

/// A custom request recorded.
#[derive(Serialize, ToSchema)]
pub struct CustomCreated {
    pub id: i64,
}

/// 定制申请 — records a customer's custom request and sends it to the design department,
/// whose members are told.
#[utoipa::path(post, path = "/api/v1/custom-requests", tag = "orders",
    request_body = CustomIn,
    responses(
        (status = 201, description = "Recorded", body = CustomCreated),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "`custom_required`, `custom_too_long`, \
            `custom_quantity`, `custom_wanted_past`, `date_out_of_range`", body = ErrorBody),
    ))]
pub async fn request_custom(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<CustomIn>,
) -> Result<(StatusCode, Json<CustomCreated>), WebError> {
    let wanted_by = match b
        .wanted_by
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => Some(dates::parse("wanted_by", d).map_err(kefu_app::AppError::from)?),
        None => None,
    };
    let id = state
        .app
        .request_custom(
            &identity.actor(),
            &CustomRequest {
                customer_id: b.customer_id,
                title: b.title,
                spec: b.spec,
                quantity: b.quantity,
                wanted_by,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(CustomCreated { id })))
}

/// A step of a request's history.
#[derive(Serialize, ToSchema)]
pub struct CustomStepOut {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: String,
    pub by: Option<String>,
    pub at: String,
}

/// A custom request with its history.
#[derive(Serialize, ToSchema)]
pub struct CustomDetailOut {
    #[serde(flatten)]
    pub request: CustomOut,
    pub steps: Vec<CustomStepOut>,
}

fn detail_out(d: CustomDetail) -> CustomDetailOut {
    CustomDetailOut {
        steps: d
            .steps
            .into_iter()
            .map(|s| CustomStepOut {
                action: s.action,
                from_state: s.from_state.map(|f| f.key().to_owned()),
                to_state: s.to_state.key().to_owned(),
                note: s.note,
                by: s.by_name,
                at: rfc3339(s.at),
            })
            .collect(),
        request: custom_out(d.request),
    }
}

/// One custom request; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/custom-requests/{id}", tag = "orders",
    params(("id" = i64, Path, description = "custom request id")),
    responses(
        (status = 200, description = "The request", body = CustomDetailOut),
        (status = 404, description = "No such request", body = ErrorBody),
    ))]
pub async fn custom_request(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<CustomDetailOut>, WebError> {
    let d = state.app.custom_request(&identity.actor(), id).await?;
    Ok(tagged(d.request.version, detail_out(d)))
}

/// A step on a custom request.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomMoveIn {
    /// `answer` (the design department), `quote`, `approve_quote` or `reject_quote` (the
    /// manager), `accept` (places the order: a catalogue product of the request's own at
    /// the quoted price, produced in the lead time, on the customer's terms), `decline` or
    /// `cancel`.
    #[serde(rename = "move")]
    pub action: String,
    /// `answer`: whether it can be made.
    #[serde(default)]
    pub feasible: bool,
    /// `answer`: the design's words.
    #[serde(default)]
    pub answer: String,
    /// `answer`, when feasible: the unit cost in fen.
    #[serde(default)]
    pub cost_fen: Option<i64>,
    /// `answer`, when feasible: the lead time in days (1–720).
    #[serde(default)]
    pub lead_days: Option<i64>,
    /// `quote`: the unit price in fen.
    #[serde(default)]
    pub quote_fen: Option<i64>,
    /// The reason (`reject_quote`, `decline`, `cancel` require it).
    #[serde(default)]
    pub note: String,
}

/// The state a request moved to.
#[derive(Serialize, ToSchema)]
pub struct CustomMoved {
    pub state: String,
}

/// One step on a custom request, from the version read.
#[utoipa::path(post, path = "/api/v1/custom-requests/{id}/moves", tag = "orders",
    params(("id" = i64, Path, description = "custom request id")),
    request_body = CustomMoveIn,
    responses(
        (status = 200, description = "Moved", body = CustomMoved),
        (status = 403, description = "`not_your_department`: the design department answers", body = ErrorBody),
        (status = 404, description = "No such request", body = ErrorBody),
        (status = 409, description = "`custom_not_now`", body = ErrorBody),
        (status = 422, description = "`custom_required`, `custom_lead_days`, \
            `custom_amount`, `unknown_value`; `accept` places the order, refused as any \
            order: `order_credit_refused`, `order_total`", body = ErrorBody),
    ))]
pub async fn move_custom(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CustomMoveIn>,
) -> Result<Json<CustomMoved>, WebError> {
    let action = parse_key::<CustomMove>("move", &b.action)?;
    let s = state
        .app
        .move_custom(
            &identity.actor(),
            id,
            expected,
            action,
            &CustomInput {
                feasible: b.feasible,
                answer: b.answer,
                cost_fen: b.cost_fen,
                lead_days: b.lead_days,
                quote_fen: b.quote_fen,
                note: b.note,
            },
        )
        .await?;
    Ok(Json(CustomMoved {
        state: s.key().to_owned(),
    }))
}
