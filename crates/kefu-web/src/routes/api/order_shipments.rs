//! 发货与到货核实 over the API: production marked done, shipments with carrier and tracking
//! number (the customer told), tracking events, and the customer's count — a short count
//! opens an order-issue ticket.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use kefu_app::order::{PushedEvent, ShipmentDetail, ShipmentRequest, TrackingEvent};
use kefu_domain::order::shipment::{EventSource, TrackingStatus};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ErrorBody, IfMatch, doc, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// 生产完成 — marks the order's production request done: what it made may ship.
#[utoipa::path(post, path = "/api/v1/orders/{id}/production", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses(
        (status = 204, description = "Done"),
        (status = 404, description = "No such order", body = ErrorBody),
        (status = 409, description = "`order_no_production`, `order_not_now`", body = ErrorBody),
    ))]
pub async fn complete_production(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, WebError> {
    state
        .app
        .complete_production(&identity.actor(), id, expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many of a line leave.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentLineIn {
    pub line_no: i64,
    pub quantity: i64,
}

/// A shipment to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentIn {
    /// At most 60 characters.
    pub carrier: String,
    /// Letters, digits and hyphens, at most 60.
    pub tracking_number: String,
    pub lines: Vec<ShipmentLineIn>,
}

/// A shipment recorded, and how the customer was told.
#[derive(Serialize, ToSchema)]
pub struct ShipmentCreated {
    pub id: i64,
    /// `sms`, `email` or `no_contact`.
    pub notice: String,
}

/// 发货 — ships what is ready of the order's lines (stock; what production made once it is
/// done); the customer's primary contact is told by text or mail.
#[utoipa::path(post, path = "/api/v1/orders/{id}/shipments", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    request_body = ShipmentIn,
    responses(
        (status = 201, description = "Shipped", body = ShipmentCreated),
        (status = 404, description = "No such order", body = ErrorBody),
        (status = 409, description = "`order_not_produced`, `order_not_now`", body = ErrorBody),
        (status = 422, description = "`order_above_ordered`, `order_unknown_line`, \
            `order_carrier`, `order_tracking`, `order_quantity`, `order_nothing_shipped`", body = ErrorBody),
    ))]
pub async fn ship_order(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<ShipmentIn>,
) -> Result<(StatusCode, Json<ShipmentCreated>), WebError> {
    let req = ShipmentRequest {
        carrier: b.carrier,
        tracking_number: b.tracking_number,
        lines: b.lines.iter().map(|l| (l.line_no, l.quantity)).collect(),
    };
    let (id, notice) = state
        .app
        .ship_order(&identity.actor(), id, expected, &req)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(ShipmentCreated {
            id,
            notice: notice.key().to_owned(),
        }),
    ))
}

/// A line of a shipment.
#[derive(Serialize, ToSchema)]
pub struct ShipmentLineOut {
    pub line_no: i64,
    pub sku: String,
    pub product: String,
    pub quantity: i64,
    /// The customer's count; null before it.
    pub received: Option<i64>,
}

/// A tracking event.
#[derive(Serialize, ToSchema)]
pub struct TrackingEventOut {
    pub at: String,
    /// `picked_up`, `in_transit`, `out_for_delivery`, `delivered` or `exception`.
    pub status: String,
    pub place: String,
    /// `manual`, `import` or `webhook`.
    pub source: String,
}

/// 发货单 — a shipment with its lines and tracking.
#[derive(Serialize, ToSchema)]
pub struct ShipmentOut {
    pub id: i64,
    pub order_id: i64,
    /// `FH<yyyymmdd>-<seq>`
    pub number: String,
    pub carrier: String,
    pub tracking_number: String,
    /// `in_transit`, `delivered` or `checked`.
    pub state: String,
    /// How the customer was told: `sms`, `email` or `no_contact`.
    pub notice: String,
    pub shipped_at: String,
    pub delivered_at: Option<String>,
    pub checked_at: Option<String>,
    /// The order-issue ticket a short count opened.
    pub issue_ticket_id: Option<i64>,
    pub lines: Vec<ShipmentLineOut>,
    pub events: Vec<TrackingEventOut>,
}

fn shipment_out(d: ShipmentDetail) -> ShipmentOut {
    let s = d.shipment;
    ShipmentOut {
        id: s.id,
        order_id: s.order_id,
        number: s.number,
        carrier: s.carrier,
        tracking_number: s.tracking_number,
        state: s.state.key().to_owned(),
        notice: s.notice.key().to_owned(),
        shipped_at: rfc3339(s.shipped_at),
        delivered_at: s.delivered_at.map(rfc3339),
        checked_at: s.checked_at.map(rfc3339),
        issue_ticket_id: s.issue_ticket_id,
        lines: d
            .lines
            .into_iter()
            .map(|l| ShipmentLineOut {
                line_no: l.line_no,
                sku: l.sku,
                product: l.product,
                quantity: l.quantity,
                received: l.received,
            })
            .collect(),
        events: d
            .events
            .into_iter()
            .map(|e| TrackingEventOut {
                at: rfc3339(e.at),
                status: e.status.key().to_owned(),
                place: e.place,
                source: e.source.key().to_owned(),
            })
            .collect(),
    }
}

/// The order's shipments, oldest first.
#[utoipa::path(get, path = "/api/v1/orders/{id}/shipments", tag = "orders",
    params(("id" = i64, Path, description = "order id")),
    responses(
        (status = 200, description = "The shipments", body = Vec<ShipmentOut>),
        (status = 404, description = "No such order", body = ErrorBody),
    ))]
pub async fn shipments(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<Vec<ShipmentOut>>, WebError> {
    let list = state.app.order_shipments(&identity.actor(), id).await?;
    Ok(Json(list.into_iter().map(shipment_out).collect()))
}

/// One shipment.
#[utoipa::path(get, path = "/api/v1/shipments/{id}", tag = "orders",
    params(("id" = i64, Path, description = "shipment id")),
    responses(
        (status = 200, description = "The shipment", body = ShipmentOut),
        (status = 404, description = "No such shipment", body = ErrorBody),
    ))]
pub async fn shipment(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<ShipmentOut>, WebError> {
    let d = state.app.shipment(&identity.actor(), id).await?;
    Ok(Json(shipment_out(d)))
}

/// A tracking event to add.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingEventIn {
    /// When the carrier saw it (RFC 3339); now when empty. Not later than now.
    #[serde(default)]
    #[schema(value_type = Option<doc::TimestampInput>)]
    pub at: Option<String>,
    /// `picked_up`, `in_transit`, `out_for_delivery`, `delivered` or `exception`.
    pub status: String,
    /// At most 200 characters.
    #[serde(default)]
    pub place: String,
}

/// Whether the event was new.
#[derive(Serialize, ToSchema)]
pub struct TrackingEventAdded {
    /// False: the shipment had that status at that time already.
    pub added: bool,
}

/// 物流跟踪 — adds a tracking event; `delivered` marks the shipment delivered. The same
/// status at the same time again is answered 200 and changes nothing.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/events", tag = "orders",
    params(("id" = i64, Path, description = "shipment id")),
    request_body = TrackingEventIn,
    responses(
        (status = 201, description = "Added", body = TrackingEventAdded),
        (status = 200, description = "Had it already", body = TrackingEventAdded),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 422, description = "`order_event_in_future`, `unknown_value`, `too_long`, \
            `date_out_of_range`", body = ErrorBody),
    ))]
pub async fn add_tracking_event(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<TrackingEventIn>,
) -> Result<(StatusCode, Json<TrackingEventAdded>), WebError> {
    let at = match b.at.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) => a
            .parse::<jiff::Timestamp>()
            .map_err(|_| WebError::bad_request("invalid_field", format!("at: {a:?}")))?,
        None => state.app.now(),
    };
    let event = TrackingEvent {
        at,
        status: parse_key::<TrackingStatus>("status", &b.status)?,
        place: b.place,
    };
    let added = state
        .app
        .add_tracking_event(&identity.actor(), id, &event, EventSource::Manual)
        .await?;
    let status = if added {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(TrackingEventAdded { added })))
}

/// The customer's count of a line.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountLineIn {
    pub line_no: i64,
    pub received: i64,
}

/// The customer's count, every line of the shipment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CountIn {
    pub lines: Vec<CountLineIn>,
}

/// A line counted short.
#[derive(Serialize, ToSchema)]
pub struct ShortLineOut {
    pub line_no: i64,
    pub sku: String,
    pub shipped: i64,
    pub received: i64,
}

/// What the count found.
#[derive(Serialize, ToSchema)]
pub struct CountOut {
    pub short: Vec<ShortLineOut>,
    /// The order-issue ticket opened for what is short.
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
}

/// 到货核实 — records the customer's count; a line short opens an order-issue ticket (linked)
/// and what did not arrive is to ship again. Counted once.
#[utoipa::path(post, path = "/api/v1/shipments/{id}/count", tag = "orders",
    params(("id" = i64, Path, description = "shipment id")),
    request_body = CountIn,
    responses(
        (status = 200, description = "Counted", body = CountOut),
        (status = 404, description = "No such shipment", body = ErrorBody),
        (status = 409, description = "`order_counted`", body = ErrorBody),
        (status = 422, description = "`order_above_shipped`, `order_uncounted`, \
            `order_unknown_line`, `order_quantity`", body = ErrorBody),
    ))]
pub async fn count_shipment(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    ApiJson(b): ApiJson<CountIn>,
) -> Result<Json<CountOut>, WebError> {
    let counted: Vec<(i64, i64)> = b.lines.iter().map(|l| (l.line_no, l.received)).collect();
    let out = state
        .app
        .count_shipment(&identity.actor(), id, &counted)
        .await?;
    Ok(Json(CountOut {
        short: out
            .short
            .into_iter()
            .map(|l| ShortLineOut {
                line_no: l.line_no,
                sku: l.sku,
                shipped: l.shipped,
                received: l.received,
            })
            .collect(),
        ticket_id: out.ticket_id,
        ticket_number: out.ticket_number,
    }))
}

/// A tracking event as a carrier's system pushes it.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushedEventIn {
    /// Letters, digits and hyphens, at most 60.
    pub tracking_number: String,
    /// RFC 3339, or `YYYY-MM-DD HH:MM` in Beijing time; not later than now.
    pub at: String,
    /// `picked_up`, `in_transit`, `out_for_delivery`, `delivered`, `exception`, or as
    /// carriers write them: 已揽收, 运输中, 派送中, 已签收, 异常…
    pub status: String,
    /// At most 200 characters.
    #[serde(default)]
    pub place: String,
}

/// Events pushed at once.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingPushIn {
    /// 1 to 500 events.
    pub events: Vec<PushedEventIn>,
}

/// What a push did.
#[derive(Serialize, ToSchema)]
pub struct TrackingPushOut {
    /// Events new to their shipments.
    pub added: usize,
    /// Events their shipments had already.
    pub known: usize,
    /// Tracking numbers with no shipment in kefu (their events were not kept).
    pub unknown: Vec<String>,
}

/// 物流推送 — a carrier's system (signed in with an API token of an account allowed to take
/// orders) pushes tracking events by tracking number; each lands once on the latest shipment
/// of its number, 已签收 marking it delivered. Any event kefu cannot read refuses the whole
/// push, naming it.
#[utoipa::path(post, path = "/api/v1/tracking/events", tag = "orders",
    request_body = TrackingPushIn,
    responses(
        (status = 200, description = "Taken", body = TrackingPushOut),
        (status = 422, description = "`order_tracking_event` (which event, field and why), \
            `order_tracking_batch`", body = ErrorBody),
    ))]
pub async fn push_tracking(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<TrackingPushIn>,
) -> Result<Json<TrackingPushOut>, WebError> {
    let events: Vec<PushedEvent> = b
        .events
        .into_iter()
        .map(|e| PushedEvent {
            tracking_number: e.tracking_number,
            at: e.at,
            status: e.status,
            place: e.place,
        })
        .collect();
    let out = state.app.push_tracking(&identity.actor(), &events).await?;
    Ok(Json(TrackingPushOut {
        added: out.added,
        known: out.known,
        unknown: out.unknown,
    }))
}
