//! The complaint closed loop over the API: every stage's step, with the same rules as the
//! pages (the state machine refuses a step out of order with `complaint_out_of_order`).
//!
//! This module holds the complaint's answers, the list, registration and the detail; the
//! complaint's own steps are in `steps`, the steps on its notices, proposals and RMAs in
//! `rows`, and the statistics in `stats`.

use crate::routes::api::Created;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::ETAG;
use jiff::Timestamp;
use kefu_app::complaint::{
    ComplaintDetail, ComplaintForm, Evaluation, Investigation, Judgement, NewPenalty, NewProposal,
};
use kefu_domain::complaint::{Category, Cause, FollowUpResult, Remedy, Severity, Stage};
use kefu_domain::dates;
use kefu_domain::ticket::Channel;
use kefu_store::complaint::{BoardFilter, Complaint as StoredComplaint};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::idempotency::{KeyedJson, answer};
use super::{ApiJson, ErrorBody, IfMatch, Tagged, doc, etag, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::complaint_shared::{default_answer_message, default_follow_up_script};
use crate::error::WebError;

mod rows;
mod stats;
mod steps;

pub use rows::*;
pub use stats::*;
pub use steps::*;

fn parse<T: std::str::FromStr>(name: &str, v: &str) -> Result<T, WebError> {
    v.parse()
        .map_err(|_| WebError::bad_request("invalid_field", format!("{name}: {v:?}")))
}

fn parse_opt<T: std::str::FromStr>(name: &str, v: Option<&str>) -> Result<Option<T>, WebError> {
    v.filter(|s| !s.is_empty())
        .map(|s| parse(name, s))
        .transpose()
}

#[derive(Serialize, ToSchema)]
pub struct Complaint {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// `intake`, `validity`, `notice`, `investigation`, `solution`, `implementation`,
    /// `follow_up`, `evaluation`, `closed`, or `invalid`.
    pub stage: String,
    pub stage_due_at: Option<String>,
    pub severity: String,
    pub category: String,
    pub complainant: String,
    /// Masked (`138****5678`); reveal with `POST /api/v1/complaints/{id}/reveal`.
    pub complainant_phone: Option<String>,
    pub channel: String,
    pub content: String,
    pub received_at: String,
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    pub delivery_date: Option<String>,
    pub product: Option<String>,
    pub valid: Option<bool>,
    pub invalid_reason: Option<String>,
    pub department_id: Option<i64>,
    pub promised_answer_at: Option<String>,
    pub cause: Option<String>,
    pub responsible_department_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub findings: Option<String>,
    pub summary: Option<String>,
    pub lessons: Option<String>,
    /// 改进措施
    pub measure: Option<String>,
    /// The user responsible for the measure (负责人).
    pub measure_owner_id: Option<i64>,
    /// The measure owner's display name.
    pub measure_owner: Option<String>,
    /// When the measure is due (完成期限), `YYYY-MM-DD`.
    pub measure_due: Option<String>,
    /// 回访人 — the agent who makes the follow-up call, chosen at intake (by default the
    /// ticket's assignee); `null` leaves it to the handler.
    pub follow_up_agent_id: Option<i64>,
    /// The follow-up agent's display name.
    pub follow_up_agent: Option<String>,
    pub closed_at: Option<String>,
    /// The complaint's version, also the `ETag` header (`"7"`). Every step moves it on;
    /// send it back as `If-Match` with a step, so that a step someone took in the meantime
    /// is not followed by a second one made on what you read before (412 instead).
    pub version: i64,
}

fn complaint(c: StoredComplaint) -> Complaint {
    Complaint {
        id: c.id,
        ticket_id: c.ticket_id,
        ticket_number: c.ticket_number,
        customer_id: c.customer_id,
        customer_name: c.customer_name,
        stage: c.stage.key().to_owned(),
        stage_due_at: c.stage_due_at.map(rfc3339),
        severity: c.severity.key().to_owned(),
        category: c.category.key().to_owned(),
        complainant: c.complainant,
        complainant_phone: c.complainant_phone,
        channel: c.channel,
        content: c.content,
        received_at: rfc3339(c.received_at),
        order_number: c.order_number,
        part_number: c.part_number,
        quantity: c.quantity,
        delivery_date: c.delivery_date,
        product: c.product,
        valid: c.valid,
        invalid_reason: c.invalid_reason,
        department_id: c.department_id,
        promised_answer_at: c.promised_answer_at.map(rfc3339),
        cause: c.cause,
        responsible_department_id: c.responsible_department_id,
        responsible_user_id: c.responsible_user_id,
        findings: c.findings,
        summary: c.summary,
        lessons: c.lessons,
        measure: c.measure,
        measure_owner_id: c.measure_owner_id,
        measure_owner: c.measure_owner_name,
        measure_due: c.measure_due,
        follow_up_agent_id: c.follow_up_agent_id,
        follow_up_agent: c.follow_up_agent_name,
        closed_at: c.closed_at.map(rfc3339),
        version: c.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct StepOut {
    pub at: String,
    /// Who took it; `kefu` with no user is the system itself (a deadline's warning…).
    pub actor: String,
    pub action: String,
    pub from_stage: String,
    pub to_stage: String,
    /// What was written with it. A follow-up step's starts with the result's key
    /// (`unsatisfied: …`).
    pub comment: Option<String>,
    /// The RMA a step on an RMA (`rma_approved`, `rma_done`…) moved; null on other steps
    /// and on RMA steps logged before steps named their RMA.
    pub rma_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NoticeOut {
    pub id: i64,
    pub department_id: i64,
    pub department: String,
    /// `sent`, `acknowledged`, `answered`, `accepted`, `returned`.
    pub status: String,
    pub due_at: String,
    pub answer: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ProposalOut {
    pub id: i64,
    pub remedy: String,
    pub description: String,
    pub cost_fen: i64,
    /// `proposed`, `approved`, `set_aside` (still waiting when another was approved),
    /// `sent_back` (the supervisor asked for another), `rejected` (the customer did not
    /// accept it), `reopened` (accepted, but the follow-up found the customer unsatisfied).
    pub status: String,
    pub decision_comment: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct RmaOut {
    pub id: i64,
    pub proposal_id: i64,
    pub remedy: String,
    /// `requested`, `approved`, `received`, `done`, `closed`.
    pub status: String,
    pub amount_fen: i64,
    pub note: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PenaltyOut {
    pub id: i64,
    pub department_id: Option<i64>,
    pub user_id: Option<i64>,
    pub amount_fen: i64,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct FollowUpOut {
    pub id: i64,
    pub due_at: String,
    /// Who makes the call.
    pub assignee_id: Option<i64>,
    pub script: String,
    pub result: Option<String>,
    pub comment: Option<String>,
}

/// A file backing the investigation (调查证据): an attachment of the complaint's ticket.
#[derive(Serialize, ToSchema)]
pub struct EvidenceOut {
    /// The ticket attachment's id.
    pub id: i64,
    pub filename: String,
    /// The type read from the file's bytes.
    pub content_type: String,
    /// Bytes.
    pub size: i64,
    pub added_by: Option<String>,
    pub added_at: String,
    /// Where to download it: the ticket attachment's route, with its permission.
    pub download: String,
}

fn evidence_out(e: kefu_store::complaint::Evidence) -> EvidenceOut {
    EvidenceOut {
        download: format!(
            "/api/v1/tickets/{}/attachments/{}",
            e.ticket_id, e.attachment_id
        ),
        id: e.attachment_id,
        filename: e.filename,
        content_type: e.content_type,
        size: e.size,
        added_by: e.added_by_name,
        added_at: rfc3339(e.added_at),
    }
}

/// A complaint with everything that happened to it, and the "short, flat, fast" measures.
#[derive(Serialize, ToSchema)]
pub struct Detail {
    pub complaint: Complaint,
    pub steps: Vec<StepOut>,
    pub notices: Vec<NoticeOut>,
    pub proposals: Vec<ProposalOut>,
    pub rmas: Vec<RmaOut>,
    pub penalties: Vec<PenaltyOut>,
    pub follow_ups: Vec<FollowUpOut>,
    /// The visit (`/api/v1/follow-ups/{id}`) that makes the latest follow-up call; none
    /// when the complaint has no customer. Recording its result records the follow-up.
    pub follow_up_visit_id: Option<i64>,
    /// 调查证据 — the files backing the investigation, oldest first.
    pub evidence: Vec<EvidenceOut>,
    /// 短 — times it changed hands.
    pub hand_offs: usize,
    /// 快 — business minutes since the customer complained (to closing, once closed).
    pub elapsed_business_minutes: i64,
    /// 平 — 已发生: what was carried out, in fen: RMAs done or closed, every penalty, and
    /// an approved solution without an RMA once the customer accepted it. The figure the
    /// statistics sum (`cost_carried_out_fen` there too).
    pub cost_carried_out_fen: i64,
    /// 已批准未执行: approved and not carried out yet, in fen: RMAs not done, and an
    /// approved solution without an RMA while it is being implemented.
    pub cost_committed_fen: i64,
    /// The same as `cost_carried_out_fen`, kept for clients written before the two
    /// figures. (It once meant the approved solution's cost, whether carried out or not:
    /// that is now part of `cost_committed_fen` until it is carried out.)
    pub cost_fen: i64,
}

fn detail(d: ComplaintDetail) -> Detail {
    Detail {
        complaint: complaint(d.complaint),
        steps: d
            .steps
            .into_iter()
            .map(|s| StepOut {
                at: rfc3339(s.at),
                actor: s.actor_name,
                action: s.action,
                from_stage: s.from_stage.key().to_owned(),
                to_stage: s.to_stage.key().to_owned(),
                comment: s.comment,
                rma_id: s.rma_id,
            })
            .collect(),
        notices: d
            .notices
            .into_iter()
            .map(|n| NoticeOut {
                id: n.id,
                department_id: n.department_id,
                department: n.department_name,
                status: n.status.key().to_owned(),
                due_at: rfc3339(n.due_at),
                answer: n.answer,
            })
            .collect(),
        proposals: d
            .proposals
            .into_iter()
            .map(|p| ProposalOut {
                id: p.id,
                remedy: p.remedy.key().to_owned(),
                description: p.description,
                cost_fen: p.cost_fen,
                status: p.status.key().to_owned(),
                decision_comment: p.decision_comment,
            })
            .collect(),
        rmas: d
            .rmas
            .into_iter()
            .map(|r| RmaOut {
                id: r.id,
                proposal_id: r.proposal_id,
                remedy: r.remedy.key().to_owned(),
                status: r.status.key().to_owned(),
                amount_fen: r.amount_fen,
                note: r.note,
            })
            .collect(),
        penalties: d
            .penalties
            .into_iter()
            .map(|p| PenaltyOut {
                id: p.id,
                department_id: p.department_id,
                user_id: p.user_id,
                amount_fen: p.amount_fen,
                reason: p.reason,
            })
            .collect(),
        follow_up_visit_id: d.follow_up_visit_id,
        follow_ups: d
            .follow_ups
            .into_iter()
            .map(|f| FollowUpOut {
                id: f.id,
                due_at: rfc3339(f.due_at),
                assignee_id: f.assignee_id,
                script: f.script,
                result: f.result.map(|r| r.key().to_owned()),
                comment: f.comment,
            })
            .collect(),
        evidence: d.evidence.into_iter().map(evidence_out).collect(),
        hand_offs: d.hand_offs,
        elapsed_business_minutes: d.elapsed_minutes,
        cost_carried_out_fen: d.cost.carried_out_fen,
        cost_committed_fen: d.cost.committed_fen,
        cost_fen: d.cost.carried_out_fen,
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// One stage only.
    #[param(value_type = Option<doc::StageKey>)]
    pub stage: Option<String>,
    /// Only open complaints (default true).
    pub open: Option<bool>,
    pub customer_id: Option<i64>,
    /// How many, default 100; values outside 1–1000 are brought within it.
    pub limit: Option<i64>,
}

/// Complaints, the nearest stage deadline first.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", params(ListParams),
    responses(
        (status = 200, description = "The complaints", body = Vec<Complaint>),
        (status = 422, description = "An unknown `stage`", body = ErrorBody),
    ))]
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<ListParams>,
) -> Result<Json<Vec<Complaint>>, WebError> {
    let f = BoardFilter {
        stage: crate::input::parse_optional_key::<Stage>("stage", p.stage.as_deref())?,
        open_only: p.open.unwrap_or(true),
        department_id: None,
        customer_id: p.customer_id,
        limit: p.limit.unwrap_or(100),
        ..BoardFilter::default()
    };
    let rows = state.app.complaints(&identity.actor(), &f).await?;
    Ok(Json(rows.into_iter().map(complaint).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComplaint {
    /// Convert this ticket into the complaint's ticket; without it a complaint ticket is
    /// opened.
    pub ticket_id: Option<i64>,
    pub customer_id: Option<i64>,
    /// Who complains, 1–100 characters.
    #[schema(min_length = 1, max_length = 100)]
    pub complainant: String,
    pub complainant_phone: Option<String>,
    /// A ticket channel (`phone`, `email`, `web_form`…); default `phone`.
    #[schema(value_type = Option<doc::ChannelKey>)]
    pub channel: Option<String>,
    /// What the customer complains about, 1–10,000 characters.
    #[schema(min_length = 1, max_length = 10000)]
    pub content: String,
    /// When the customer complained (RFC 3339); now when missing, now when in the future.
    #[schema(value_type = Option<doc::TimestampInput>)]
    pub received_at: Option<String>,
    /// At most 64 characters.
    #[schema(max_length = 64)]
    pub order_number: Option<String>,
    /// At most 64 characters.
    #[schema(max_length = 64)]
    pub part_number: Option<String>,
    /// How many pieces the complaint is about: at least 1.
    #[schema(minimum = 1)]
    pub quantity: Option<i64>,
    /// The day the goods were delivered, `YYYY-MM-DD`.
    #[schema(value_type = Option<doc::DateInput>)]
    pub delivery_date: Option<String>,
    /// At most 200 characters.
    #[schema(max_length = 200)]
    pub product: Option<String>,
    /// `quality`, `delivery`, `service`, `billing`, `installation`, `other`.
    #[schema(value_type = doc::ComplaintCategoryKey)]
    pub category: String,
    /// `minor`, `major`, `serious`, `critical`.
    #[schema(value_type = doc::SeverityKey)]
    pub severity: String,
}

/// Opens a complaint (受理), directly or from a ticket. A call sent again with its
/// `Idempotency-Key` gets the complaint the first opened, 201 again, with
/// `Idempotent-Replayed: true`.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = NewComplaint,
    params(("Idempotency-Key" = Option<String>, Header, description = super::idempotency::KEY_DESCRIPTION)),
    responses(
        (status = 201, description = "Opened", body = Created, headers(("Idempotent-Replayed" = String, description = "`true` when this is the answer of an earlier request with the same `Idempotency-Key`"))),
        (status = 404, description = "No such ticket (`ticket_id`)", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The ticket already has a \
            complaint (`already_complaint`)"),
    ))]
pub async fn create(
    State(state): State<AppState>,
    identity: Identity,
    KeyedJson { key, body: b }: KeyedJson<NewComplaint>,
) -> Result<axum::response::Response, WebError> {
    let form = ComplaintForm {
        customer_id: b.customer_id,
        complainant: b.complainant,
        complainant_phone: b.complainant_phone,
        channel: crate::input::parse_optional_key("channel", b.channel.as_deref())?
            .unwrap_or(Channel::Phone),
        content: b.content,
        received_at: parse_opt::<Timestamp>("received_at", b.received_at.as_deref())?,
        order_number: b.order_number.unwrap_or_default(),
        part_number: b.part_number.unwrap_or_default(),
        quantity: b.quantity,
        delivery_date: dates::parse_opt("delivery_date", b.delivery_date.as_deref())?,
        product: b.product.unwrap_or_default(),
        category: crate::input::parse_key::<Category>("category", &b.category)?,
        severity: crate::input::parse_key::<Severity>("severity", &b.severity)?,
    };
    let out = state
        .app
        .open_complaint_with_key(&identity.actor(), b.ticket_id, &form, key.as_ref())
        .await?;
    Ok(answer(
        StatusCode::CREATED,
        out.replayed,
        Created { id: out.id },
    ))
}

/// One complaint with its steps, notices, proposals, RMAs, penalties and follow-up. The
/// `ETag` header carries the complaint's version: send it as `If-Match` with a step.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")),
    responses(
        (status = 200, description = "The complaint", body = Detail,
            headers(("ETag" = String, description = "the complaint's version, `\"7\"`"))),
        (status = 404, description = "No such complaint", body = ErrorBody),
    ))]
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<Detail>, WebError> {
    current(&state, &identity, id).await
}

/// The complainant's phone in clear; the reveal is written to the audit log.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/reveal", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")),
    responses(
        (status = 200, description = "The phone in clear", body = super::customers::Revealed),
        (status = 404, description = "No such complaint", body = ErrorBody),
    ))]
pub async fn reveal(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Json<super::customers::Revealed>, WebError> {
    let value = state
        .app
        .reveal_complainant_phone(&identity.actor(), id)
        .await?;
    Ok(Json(super::customers::Revealed { value }))
}

/// The complaint as it is now, its version as `ETag`.
async fn current(
    state: &AppState,
    identity: &Identity,
    id: i64,
) -> Result<Tagged<Detail>, WebError> {
    let d = state.app.complaint_detail(&identity.actor(), id).await?;
    let tag = etag(d.complaint.version);
    Ok(([(ETAG, tag)], Json(detail(d))))
}
