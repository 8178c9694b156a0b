//! 售后单 (RMA) over the API: the list (open, waiting on the caller's approval, late, all),
//! a request (decided at once by the policy in force on its day), one RMA with its log and
//! the moves open to the caller, and a move made from the version read (`If-Match`). Money
//! is integer fen 分 (`*_fen`).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::aftersales::{MoveInput, RmaDetail, RmaRequest};
use kefu_domain::Permission;
use kefu_domain::aftersales::policy::{Approver, Fault, RmaKind};
use kefu_domain::aftersales::rma::{Inspection, RmaMove, RmaSource, RmaState};
use kefu_domain::dates;
use kefu_store::aftersales::rma::{RmaFilter, RmaLine};
use kefu_store::aftersales::rma_photo::RmaPhoto;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::{parse_key, unknown_value};

/// 售后单 — an RMA as listed.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRmaOut {
    pub id: i64,
    /// `SH<yyyymmdd>-<seq>`
    pub number: String,
    /// `return`, `exchange`, `refund` or `repair`.
    pub kind: String,
    /// `pending_approval`, `awaiting_goods`, `received`, `quoted`, `approved`, `refunded`,
    /// `replaced`, `repaired`, `closed`, `rejected` or `cancelled`.
    pub state: String,
    /// `ticket`, `complaint`, `portal`, `api` or `staff`.
    pub source: String,
    pub customer_id: i64,
    pub customer: String,
    pub ticket_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub complaint_rma_id: Option<i64>,
    pub product_id: i64,
    pub sku: String,
    pub product: String,
    pub order_number: String,
    pub serial: String,
    pub quantity: i64,
    /// The fault claimed: `quality`, `customer_damage` or `no_fault`.
    pub fault: String,
    pub description: String,
    pub delivered_on: String,
    pub requested_on: String,
    pub amount_fen: i64,
    /// What the customer paid for the goods: a refund's ceiling.
    pub paid_fen: i64,
    pub currency: String,
    /// The policy version it was decided under.
    pub policy_id: i64,
    /// The clause the decision rests on.
    pub clause: String,
    /// `eligible`, `needs_approval` or `outside`.
    pub verdict: String,
    /// `auto`, `specialist` or `manager`.
    pub approver: String,
    pub reason: String,
    pub paid_repair: bool,
    /// What the inspection found: `fault_confirmed`, `no_fault` or `customer_damage`.
    pub inspection: Option<String>,
    pub quote_fen: Option<i64>,
    pub refund_fen: Option<i64>,
    pub replacement_serial: Option<String>,
    /// The service point a repair was routed to.
    pub service_point_id: Option<i64>,
    /// When the goods arrived (a repair's turnaround runs from here).
    pub received_at: Option<String>,
    /// When the running state is due (business time); `null` once final.
    pub due_at: Option<String>,
    pub version: i64,
    pub created_at: String,
    pub closed_at: Option<String>,
}

fn rma_out(l: RmaLine) -> AftersalesRmaOut {
    let r = l.rma;
    AftersalesRmaOut {
        id: r.id,
        number: r.number,
        kind: r.kind.key().to_owned(),
        state: r.state.key().to_owned(),
        source: r.source.key().to_owned(),
        customer_id: r.customer_id,
        customer: l.customer,
        ticket_id: r.ticket_id,
        complaint_id: r.complaint_id,
        complaint_rma_id: r.complaint_rma_id,
        product_id: r.product_id,
        sku: l.sku,
        product: l.product,
        order_number: r.order_number,
        serial: r.serial,
        quantity: r.quantity,
        fault: r.fault.key().to_owned(),
        description: r.description,
        delivered_on: r.delivered_on.to_string(),
        requested_on: r.requested_on.to_string(),
        amount_fen: r.amount_fen,
        paid_fen: r.paid_fen,
        currency: r.currency,
        policy_id: r.policy_id,
        clause: r.clause.key().to_owned(),
        verdict: r.verdict.key().to_owned(),
        approver: r.approver.key().to_owned(),
        reason: r.reason.key().to_owned(),
        paid_repair: r.paid_repair,
        inspection: r.inspection.map(|i| i.key().to_owned()),
        quote_fen: r.quote_fen,
        refund_fen: r.refund_fen,
        replacement_serial: r.replacement_serial,
        service_point_id: r.service_point_id,
        received_at: r.received_at.map(rfc3339),
        due_at: r.due_at.map(rfc3339),
        version: r.version,
        created_at: rfc3339(r.created_at),
        closed_at: r.closed_at.map(rfc3339),
    }
}

/// Which RMAs to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AftersalesRmaParams {
    /// `open` (default), `approval` (waiting on the caller's approval), `late`,
    /// `turnaround` (repairs past their point's turnaround) or `all`.
    pub view: Option<String>,
    pub customer_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// The page before this id (newest first).
    pub before: Option<i64>,
    /// At most 200 (default 50).
    pub limit: Option<i64>,
}

/// RMAs newest first.
#[utoipa::path(get, path = "/api/v1/aftersales/rmas", tag = "aftersales", params(AftersalesRmaParams),
    responses(
        (status = 200, description = "The RMAs", body = Vec<AftersalesRmaOut>),
        (status = 422, description = "`unknown_value`: no such view", body = ErrorBody),
    ))]
pub async fn aftersales_rmas(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<AftersalesRmaParams>,
) -> Result<Json<Vec<AftersalesRmaOut>>, WebError> {
    let actor = identity.actor();
    let mut f = RmaFilter {
        customer_id: p.customer_id,
        complaint_id: p.complaint_id,
        before: p.before,
        limit: p.limit.unwrap_or(50),
        ..RmaFilter::default()
    };
    let open: Vec<RmaState> = RmaState::ALL
        .iter()
        .copied()
        .filter(|s| !s.is_final())
        .collect();
    match p.view.as_deref().unwrap_or("open") {
        "open" => f.states = open,
        "late" => {
            f.states = open;
            f.late_at = Some(state.app.now());
        }
        "approval" => {
            if actor.require(Permission::RmaApprove).is_ok() {
                f.approvers.push(Approver::Specialist);
            }
            if actor.require(Permission::RmaApproveAbove).is_ok() {
                f.approvers.push(Approver::Manager);
            }
            if f.approvers.is_empty() {
                return Ok(Json(Vec::new()));
            }
        }
        "turnaround" => {
            let (_, list) = state.app.repairs_past_turnaround(&actor, f.limit).await?;
            return Ok(Json(list.into_iter().map(rma_out).collect()));
        }
        "all" => {}
        other => {
            return Err(unknown_value(
                "view",
                other,
                ["open", "approval", "late", "turnaround", "all"],
            ));
        }
    }
    let list = state.app.rmas(&actor, &f).await?;
    Ok(Json(list.into_iter().map(rma_out).collect()))
}

/// A request for an RMA.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesRmaIn {
    pub customer_id: i64,
    pub ticket_id: Option<i64>,
    /// A complaint's RMA (its approved solution) to carry out.
    pub complaint_rma_id: Option<i64>,
    /// `return`, `exchange`, `refund` or `repair`.
    pub kind: String,
    pub product_id: i64,
    #[serde(default)]
    pub order_number: String,
    /// Required for a serial-tracked product.
    #[serde(default)]
    pub serial: String,
    pub quantity: u32,
    /// `quality`, `customer_damage` or `no_fault`.
    pub fault: String,
    pub description: String,
    /// `YYYY-MM-DD`
    pub delivered_on: String,
    /// `YYYY-MM-DD`; today when left out.
    pub requested_on: Option<String>,
    /// What it would cost, in fen.
    pub amount_fen: i64,
    /// What the customer paid for the goods, in fen.
    pub paid_fen: i64,
}

/// An RMA registered.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRmaCreated {
    pub id: i64,
    /// The state it starts in: `pending_approval`, or approved at once.
    pub state: String,
}

/// Registers an RMA, decided at once by the policy in force on its day.
#[utoipa::path(post, path = "/api/v1/aftersales/rmas", tag = "aftersales", request_body = AftersalesRmaIn,
    responses(
        (status = 201, description = "Registered", body = AftersalesRmaCreated),
        (status = 404, description = "The ticket or complaint RMA named does not exist", body = ErrorBody),
        (status = 409, description = "`rma_already_taken`: the complaint's RMA is handled", body = ErrorBody),
        (status = 422, description = "Refused: `rma_refund_above_paid`, `rma_serial_required`, \
            `rma_quantity`, `catalogue_unknown_sku`, `claim_before_delivery`…", body = ErrorBody),
    ))]
pub async fn request_aftersales_rma(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<AftersalesRmaIn>,
) -> Result<(StatusCode, Json<AftersalesRmaCreated>), WebError> {
    let req = RmaRequest {
        source: if b.complaint_rma_id.is_some() {
            RmaSource::Complaint
        } else {
            RmaSource::Api
        },
        customer_id: b.customer_id,
        ticket_id: b.ticket_id,
        complaint_rma_id: b.complaint_rma_id,
        kind: parse_key::<RmaKind>("kind", &b.kind)?,
        product_id: b.product_id,
        order_number: b.order_number,
        serial: b.serial,
        quantity: b.quantity,
        fault: parse_key::<Fault>("fault", &b.fault)?,
        description: b.description,
        delivered_on: dates::parse("delivered_on", &b.delivered_on)
            .map_err(kefu_app::AppError::from)?,
        requested_on: dates::parse_opt("requested_on", b.requested_on.as_deref())
            .map_err(kefu_app::AppError::from)?,
        amount_fen: b.amount_fen,
        paid_fen: b.paid_fen,
    };
    let (id, st) = state.app.request_rma(&identity.actor(), &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(AftersalesRmaCreated {
            id,
            state: st.key().to_owned(),
        }),
    ))
}

/// A move as logged.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRmaStepOut {
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub note: String,
    pub by: Option<String>,
    pub at: String,
}

/// An RMA with its log, the clause it was decided under and the moves open to the caller.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRmaDetail {
    #[serde(flatten)]
    pub rma: AftersalesRmaOut,
    pub policy_number: i64,
    pub policy_category_id: Option<i64>,
    pub clause_number: usize,
    pub clause_text: String,
    pub steps: Vec<AftersalesRmaStepOut>,
    /// The moves the caller may make now.
    pub moves: Vec<String>,
    /// The photos of the fault, oldest first.
    pub photos: Vec<AftersalesRmaPhotoOut>,
}

/// 售后照片 — a photo (or short video) of the fault, described without its bytes.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRmaPhotoOut {
    pub id: i64,
    pub filename: String,
    /// The type read from the file's bytes (a picture or a video).
    pub content_type: String,
    pub size: i64,
    /// The staff member who added it (`null`: the customer, or the system).
    pub by: Option<String>,
    /// Sent by the customer in the portal.
    pub by_customer: bool,
    pub created_at: String,
    /// Where the bytes are read (`GET`).
    pub url: String,
}

fn photo_out(p: RmaPhoto) -> AftersalesRmaPhotoOut {
    AftersalesRmaPhotoOut {
        url: format!("/api/v1/aftersales/rmas/{}/photos/{}", p.rma_id, p.id),
        id: p.id,
        filename: p.filename,
        content_type: p.content_type,
        size: p.size,
        by: p.by_name,
        by_customer: p.by_customer,
        created_at: rfc3339(p.created_at),
    }
}

fn detail_out(d: RmaDetail) -> AftersalesRmaDetail {
    AftersalesRmaDetail {
        policy_number: d.policy_number,
        policy_category_id: d.policy_category_id,
        clause_number: d.clause_number,
        clause_text: d.clause_text,
        steps: d
            .steps
            .into_iter()
            .map(|s| AftersalesRmaStepOut {
                action: s.action,
                from_state: s.from_state.map(|x| x.key().to_owned()),
                to_state: s.to_state.key().to_owned(),
                note: s.note,
                by: s.by_name,
                at: rfc3339(s.at),
            })
            .collect(),
        moves: d.moves.iter().map(|m| (*m).to_owned()).collect(),
        photos: d.photos.into_iter().map(photo_out).collect(),
        rma: rma_out(d.rma),
    }
}

/// One RMA.
#[utoipa::path(get, path = "/api/v1/aftersales/rmas/{id}", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id")),
    responses(
        (status = 200, description = "The RMA", body = AftersalesRmaDetail),
        (status = 404, description = "No such RMA", body = ErrorBody),
    ))]
pub async fn aftersales_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<AftersalesRmaDetail>, WebError> {
    let d = state.app.rma(&identity.actor(), id).await?;
    Ok(tagged(d.rma.rma.version, detail_out(d)))
}

/// A move.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AftersalesRmaMoveIn {
    /// `approve`, `reject`, `receive`, `inspect`, `accept_quote`, `decline_quote`, `refund`,
    /// `replace`, `repair`, `close` or `cancel`.
    #[serde(rename = "move")]
    pub step: String,
    /// `inspect`: `fault_confirmed`, `no_fault` or `customer_damage`.
    pub result: Option<String>,
    /// `inspect` of a paid repair: the quote, in fen.
    pub quote_fen: Option<i64>,
    /// `refund`: the amount paid back, in fen (at most what was paid).
    pub refund_fen: Option<i64>,
    /// `replace`: the replacement's serial number.
    #[serde(default)]
    pub replacement_serial: String,
    /// Why (required to reject, cancel or decline a quote), or what was done.
    #[serde(default)]
    pub note: String,
}

/// The RMA after a move.
#[derive(Serialize, ToSchema)]
pub struct AftersalesRmaMoved {
    pub id: i64,
    pub state: String,
}

fn move_of(b: &AftersalesRmaMoveIn) -> Result<RmaMove, WebError> {
    Ok(match b.step.as_str() {
        "approve" => RmaMove::Approve,
        "reject" => RmaMove::Reject,
        "receive" => RmaMove::Receive,
        "inspect" => RmaMove::Inspect {
            result: parse_key::<Inspection>("result", b.result.as_deref().unwrap_or(""))?,
            quote_fen: b.quote_fen,
        },
        "accept_quote" => RmaMove::AcceptQuote,
        "decline_quote" => RmaMove::DeclineQuote,
        "refund" => RmaMove::Refund {
            amount_fen: b.refund_fen.ok_or(kefu_app::AppError::from(
                kefu_domain::aftersales::rma::RmaError::Required("refund_fen"),
            ))?,
        },
        "replace" => RmaMove::Replace,
        "repair" => RmaMove::Repair,
        "close" => RmaMove::Close,
        "cancel" => RmaMove::Cancel,
        other => {
            return Err(unknown_value(
                "move",
                other,
                [
                    "approve",
                    "reject",
                    "receive",
                    "inspect",
                    "accept_quote",
                    "decline_quote",
                    "refund",
                    "replace",
                    "repair",
                    "close",
                    "cancel",
                ],
            ));
        }
    })
}

/// Moves an RMA one step on.
#[utoipa::path(post, path = "/api/v1/aftersales/rmas/{id}/moves", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id")),
    request_body = AftersalesRmaMoveIn,
    responses(
        (status = 200, description = "Moved", body = AftersalesRmaMoved),
        (status = 403, description = "`forbidden`: the approval is another's", body = ErrorBody),
        (status = 404, description = "No such RMA", body = ErrorBody),
        (status = 409, description = "`rma_not_now`: not a move of the RMA as it stands", body = ErrorBody),
        (status = 422, description = "Refused: `rma_refund_above_paid`, `rma_required`…", body = ErrorBody),
    ))]
pub async fn move_aftersales_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AftersalesRmaMoveIn>,
) -> Result<Json<AftersalesRmaMoved>, WebError> {
    let step = move_of(&b)?;
    let st = state
        .app
        .move_rma(
            &identity.actor(),
            id,
            expected,
            &MoveInput {
                step,
                note: b.note,
                replacement_serial: b.replacement_serial,
            },
        )
        .await?;
    Ok(Json(AftersalesRmaMoved {
        id,
        state: st.key().to_owned(),
    }))
}

/// Adds photos of the fault to an RMA: `multipart/form-data` with one or more file parts,
/// each a picture or a video by its bytes (at most 10 an RMA). One refused file refuses
/// them all.
#[utoipa::path(post, path = "/api/v1/aftersales/rmas/{id}/photos", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id")),
    request_body(content_type = "multipart/form-data", description = "file parts"),
    responses(
        (status = 201, description = "The RMA's photos after", body = Vec<AftersalesRmaPhotoOut>),
        (status = 404, description = "No such RMA", body = ErrorBody),
        (status = 413, description = "`attachment_too_large`", body = ErrorBody),
        (status = 415, description = "`attachment_not_a_photo`: not a picture or a video", body = ErrorBody),
        (status = 422, description = "`attachment_empty`, or `too_many` (more than 10 photos)", body = ErrorBody),
    ))]
pub async fn add_rma_photos(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> Result<(StatusCode, Json<Vec<AftersalesRmaPhotoOut>>), WebError> {
    let (_, files) = crate::upload::read(multipart).await?;
    let all = state
        .app
        .add_rma_photos(&identity.actor(), id, &files)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(all.into_iter().map(photo_out).collect()),
    ))
}

/// Reads a photo of an RMA.
#[utoipa::path(get, path = "/api/v1/aftersales/rmas/{id}/photos/{photo}", tag = "aftersales",
    params(("id" = i64, Path, description = "RMA id"), ("photo" = i64, Path, description = "photo id")),
    responses(
        (status = 200, description = "The photo"),
        (status = 404, description = "No such RMA or photo", body = ErrorBody),
    ))]
pub async fn rma_photo(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, photo)): Path<(i64, i64)>,
) -> Result<axum::response::Response, WebError> {
    let (name, content_type, bytes) = state
        .app
        .rma_photo_file(&identity.actor(), id, photo)
        .await?;
    Ok(crate::upload::serve(&name, &content_type, bytes))
}
