//! The complaint closed loop over the API: every stage's step, with the same rules as the
//! pages (the state machine refuses a step out of order with `complaint_out_of_order`).

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
use super::{ApiJson, IfMatch, Tagged, doc, etag, rfc3339};
use crate::AppState;
use crate::auth::Identity;
use crate::complaint_shared::{default_answer_message, default_follow_up_script};
use crate::error::WebError;

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
    pub measure: Option<String>,
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
        closed_at: c.closed_at.map(rfc3339),
        version: c.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct StepOut {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub from_stage: String,
    pub to_stage: String,
    pub comment: Option<String>,
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
    /// `proposed`, `approved`, `sent_back`, `rejected`.
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
    pub script: String,
    pub result: Option<String>,
    pub comment: Option<String>,
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
    /// 短 — times it changed hands.
    pub hand_offs: usize,
    /// 快 — business minutes since the customer complained (to closing, once closed).
    pub elapsed_business_minutes: i64,
    /// 平 — what the solution cost, in fen.
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
        follow_ups: d
            .follow_ups
            .into_iter()
            .map(|f| FollowUpOut {
                id: f.id,
                due_at: rfc3339(f.due_at),
                script: f.script,
                result: f.result.map(|r| r.key().to_owned()),
                comment: f.comment,
            })
            .collect(),
        hand_offs: d.hand_offs,
        elapsed_business_minutes: d.elapsed_minutes,
        cost_fen: d.cost_fen,
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
        (status = 422, description = "An unknown `stage`", body = super::ErrorBody),
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

#[derive(Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Opens a complaint (受理), directly or from a ticket. A call sent again with its
/// `Idempotency-Key` gets the complaint the first opened, 201 again, with
/// `Idempotent-Replayed: true`.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", request_body = NewComplaint,
    params(("Idempotency-Key" = Option<String>, Header, description = super::idempotency::KEY_DESCRIPTION)),
    responses(
        (status = 201, description = "Opened", body = Created, headers(("Idempotent-Replayed" = String, description = "`true` when this is the answer of an earlier request with the same `Idempotency-Key`"))),
        (status = 404, description = "No such ticket (`ticket_id`)", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The ticket already has a \
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
        (status = 404, description = "No such complaint", body = super::ErrorBody),
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
        (status = 404, description = "No such complaint", body = super::ErrorBody),
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

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    #[serde(default)]
    pub comment: String,
}

/// 受理确认 — intake complete; validity next.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/intake", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = Comment,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn complete_intake(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<Comment>,
) -> Result<Tagged<Detail>, WebError> {
    state
        .app
        .complete_intake(&identity.actor(), id, &b.comment, expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgementIn {
    pub valid: bool,
    /// Not valid: why (required).
    pub reason: Option<String>,
    /// Not valid: the reply to the customer, or `script_id` of an approved reply script.
    pub reply: Option<String>,
    pub script_id: Option<i64>,
    /// Valid: the responsible department.
    pub department_id: Option<i64>,
    /// Valid: when the customer will have an answer (RFC 3339).
    pub promised_answer_at: Option<String>,
    /// Valid: the message telling the customer; a standard text when missing.
    pub customer_message: Option<String>,
    pub comment: Option<String>,
}

/// 判断 — valid (notice to the department) or not valid (polite reply, closed as invalid).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/judgement", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = JudgementIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn judge(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<JudgementIn>,
) -> Result<Tagged<Detail>, WebError> {
    let j = if b.valid {
        let at: Timestamp = parse_opt("promised_answer_at", b.promised_answer_at.as_deref())?
            .ok_or_else(|| {
                WebError::bad_request("invalid_field", "promised_answer_at is required")
            })?;
        Judgement::Valid {
            department_id: b.department_id.ok_or_else(|| {
                WebError::bad_request("invalid_field", "department_id is required")
            })?,
            promised_answer_at: at,
            customer_message: b
                .customer_message
                .filter(|m| !m.trim().is_empty())
                .unwrap_or_else(|| default_answer_message(at)),
            comment: b.comment.unwrap_or_default(),
        }
    } else {
        Judgement::Invalid {
            reason: b.reason.unwrap_or_default(),
            reply: b.reply.unwrap_or_default(),
            script_id: b.script_id,
        }
    };
    state
        .app
        .judge_complaint(&identity.actor(), id, &j, expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    pub answer: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    pub accept: bool,
    /// Required when returning the answer.
    #[serde(default)]
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// The department confirms it received the handling notice.
#[utoipa::path(post, path = "/api/v1/complaint-notices/{id}/acknowledge", tag = "complaints",
    params(("id" = i64, Path, description = "notice id")),
    responses(
        (status = 200, description = "Acknowledged", body = Done),
        (status = 404, description = "No such notice", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The notice is past this step \
            (`notice_out_of_order`)"),
    ))]
pub async fn acknowledge_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<Json<Done>, WebError> {
    state
        .app
        .acknowledge_notice(&identity.actor(), id, expected)
        .await?;
    Ok(Json(Done { ok: true }))
}

/// The department answers the handling notice.
#[utoipa::path(post, path = "/api/v1/complaint-notices/{id}/answer", tag = "complaints",
    params(("id" = i64, Path, description = "notice id")), request_body = AnswerIn,
    responses(
        (status = 200, description = "Answered", body = Done),
        (status = 404, description = "No such notice", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The notice is past this step \
            (`notice_out_of_order`)"),
    ))]
pub async fn answer_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<AnswerIn>,
) -> Result<Json<Done>, WebError> {
    state
        .app
        .answer_notice(&identity.actor(), id, &b.answer, expected)
        .await?;
    Ok(Json(Done { ok: true }))
}

/// The complaint specialist accepts the answer (on to investigation) or returns it.
#[utoipa::path(post, path = "/api/v1/complaint-notices/{id}/review", tag = "complaints",
    params(("id" = i64, Path, description = "notice id")), request_body = ReviewIn,
    responses(
        (status = 200, description = "Reviewed", body = Done),
        (status = 404, description = "No such notice", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The notice is not answered \
            (`notice_not_answered`) or past review"),
    ))]
pub async fn review_notice(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<ReviewIn>,
) -> Result<Json<Done>, WebError> {
    state
        .app
        .review_notice(&identity.actor(), id, b.accept, &b.comment, expected)
        .await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvestigationIn {
    /// `production`, `inspection`, `logistics`, `service`, `design`, `customer_misuse`,
    /// `other`.
    #[schema(value_type = doc::CauseKey)]
    pub cause: String,
    pub responsible_department_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub findings: String,
}

/// 调查 — cause and responsibility; on to the solution.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/investigation", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = InvestigationIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn investigate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<InvestigationIn>,
) -> Result<Tagged<Detail>, WebError> {
    let inv = Investigation {
        cause: crate::input::parse_key::<Cause>("cause", &b.cause)?,
        responsible_department_id: b.responsible_department_id,
        responsible_user_id: b.responsible_user_id,
        findings: b.findings,
    };
    state
        .app
        .record_complaint_investigation(&identity.actor(), id, &inv, &[], expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalIn {
    /// `replace`, `return`, `exchange`, `refund`, `repair`, `compensate`, `apologise`.
    #[schema(value_type = doc::RemedyKey)]
    pub remedy: String,
    pub description: String,
    /// What the solution costs, in fen (分).
    #[schema(value_type = doc::AmountFen)]
    pub cost_fen: i64,
}

/// 方案 — a proposal for the supervisor.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/proposals", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = ProposalIn,
    responses(
        (status = 201, description = "Proposed", body = Created),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<ProposalIn>,
) -> Result<(StatusCode, Json<Created>), WebError> {
    let p = NewProposal {
        remedy: crate::input::parse_key::<Remedy>("remedy", &b.remedy)?,
        description: b.description,
        cost_fen: b.cost_fen,
    };
    let pid = state
        .app
        .propose_solution(&identity.actor(), id, &p, expected)
        .await?;
    Ok((StatusCode::CREATED, Json(Created { id: pid })))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    pub approve: bool,
    /// Required when sending back.
    #[serde(default)]
    pub comment: String,
}

/// The supervisor (manager) approves a proposal or sends it back.
#[utoipa::path(post, path = "/api/v1/complaint-proposals/{id}/decision", tag = "complaints",
    params(("id" = i64, Path, description = "proposal id")), request_body = DecisionIn,
    responses(
        (status = 200, description = "Decided", body = Done),
        (status = 404, description = "No such proposal", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The proposal is not pending \
            (`proposal_not_pending`)"),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<DecisionIn>,
) -> Result<Json<Done>, WebError> {
    state
        .app
        .decide_proposal(&identity.actor(), id, b.approve, &b.comment, expected)
        .await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    #[serde(default)]
    pub note: String,
}

#[derive(Serialize, ToSchema)]
pub struct RmaStep {
    /// The RMA's status after the step.
    pub status: String,
}

/// Moves a return/exchange/refund/repair one step on.
#[utoipa::path(post, path = "/api/v1/complaint-rmas/{id}/advance", tag = "complaints",
    params(("id" = i64, Path, description = "RMA id")), request_body = NoteIn,
    responses(
        (status = 200, description = "The RMA's new status", body = RmaStep),
        (status = 404, description = "No such RMA", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "The RMA is finished \
            (`rma_finished`)"),
    ))]
pub async fn advance_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<NoteIn>,
) -> Result<Json<RmaStep>, WebError> {
    let s = state
        .app
        .advance_rma(&identity.actor(), id, &b.note, expected)
        .await?;
    Ok(Json(RmaStep {
        status: s.key().to_owned(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PenaltyIn {
    pub department_id: Option<i64>,
    pub user_id: Option<i64>,
    /// The penalty, in fen (分).
    #[schema(value_type = doc::AmountFen)]
    pub amount_fen: i64,
    pub reason: String,
}

/// 处罚 — a penalty for the responsible party.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/penalties", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = PenaltyIn,
    responses(
        (status = 200, description = "The complaint with the penalty", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn penalty(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<PenaltyIn>,
) -> Result<Tagged<Detail>, WebError> {
    let p = NewPenalty {
        department_id: b.department_id,
        user_id: b.user_id,
        amount_fen: b.amount_fen,
        reason: b.reason,
    };
    state
        .app
        .record_penalty(&identity.actor(), id, &p, expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageIn {
    pub message: String,
}

/// A public reply to the complainant (the solution, progress).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/messages", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = MessageIn,
    responses(
        (status = 200, description = "Sent", body = Done),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn tell(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<MessageIn>,
) -> Result<Json<Done>, WebError> {
    state
        .app
        .tell_complainant(&identity.actor(), id, &b.message, expected)
        .await?;
    Ok(Json(Done { ok: true }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerDecisionIn {
    pub accepted: bool,
    /// Required when the customer rejects.
    #[serde(default)]
    pub comment: String,
    /// The follow-up call's script; a standard one when missing.
    pub follow_up_script: Option<String>,
}

/// The customer accepts (follow-up task created) or rejects (back to the solution).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/customer-decision", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = CustomerDecisionIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn customer_decision(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CustomerDecisionIn>,
) -> Result<Tagged<Detail>, WebError> {
    let script = match b.follow_up_script.filter(|s| !s.trim().is_empty()) {
        Some(s) => s,
        None => {
            let d = state.app.complaint_detail(&identity.actor(), id).await?;
            let agent = identity
                .user
                .as_ref()
                .map(|u| u.display_name.clone())
                .unwrap_or_default();
            default_follow_up_script(&d.complaint, &agent)
        }
    };
    state
        .app
        .record_customer_decision(
            &identity.actor(),
            id,
            b.accepted,
            &b.comment,
            &script,
            expected,
        )
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpIn {
    /// `satisfied`, `neutral`, `unsatisfied` (reopens at the solution).
    #[schema(value_type = doc::FollowUpResultKey)]
    pub result: String,
    #[serde(default)]
    pub comment: String,
}

/// 回访 — the follow-up's result.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/follow-up", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = FollowUpIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn follow_up(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<FollowUpIn>,
) -> Result<Tagged<Detail>, WebError> {
    let result = crate::input::parse_key::<FollowUpResult>("result", &b.result)?;
    state
        .app
        .record_complaint_follow_up(&identity.actor(), id, result, &b.comment, expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluationIn {
    pub summary: String,
    #[serde(default)]
    pub lessons: String,
    /// 改进措施; needs an owner and a due date.
    #[serde(default)]
    pub measure: String,
    pub measure_owner_id: Option<i64>,
    /// When the measure is due, `YYYY-MM-DD`.
    #[schema(value_type = Option<doc::DateInput>)]
    pub measure_due: Option<String>,
}

/// 总结评价 — closes the complaint.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/evaluation", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = EvaluationIn,
    responses(
        (status = 200, description = "The complaint, closed", body = Detail),
        (status = 404, description = "No such complaint", body = super::ErrorBody),
        (status = 409, body = super::ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn evaluate(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<EvaluationIn>,
) -> Result<Tagged<Detail>, WebError> {
    let e = Evaluation {
        summary: b.summary,
        lessons: b.lessons,
        measure: b.measure,
        measure_owner_id: b.measure_owner_id,
        measure_due: dates::parse_opt("measure_due", b.measure_due.as_deref())?,
    };
    state
        .app
        .evaluate_complaint(&identity.actor(), id, &e, expected)
        .await?;
    current(&state, &identity, id).await
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day (`YYYY-MM-DD`, Beijing time); 30 days before `to` by default. Dates lie
    /// in 2000-01-01..=2099-12-31 (`date_out_of_range` outside).
    #[param(value_type = Option<doc::DateInput>)]
    pub from: Option<String>,
    /// Last day, included; today by default.
    #[param(value_type = Option<doc::DateInput>)]
    pub to: Option<String>,
    /// `category` (default), `cause`, `department`, `product`, `part_number`, `customer`,
    /// `channel`, `validity`, `severity`.
    #[param(value_type = Option<doc::ReportDimensionKey>)]
    pub by: Option<String>,
    /// `day`, `week`, `month`; chosen from the range by default.
    #[param(value_type = Option<doc::ReportPeriodKey>)]
    pub period: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsRow {
    /// The dimension's value (a key such as `quality`, or a name); empty when not recorded.
    pub key: String,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    pub cost_fen: i64,
    pub avg_close_hours: Option<f64>,
}

#[derive(Serialize, ToSchema)]
pub struct StatsPoint {
    pub period_start: String,
    pub count: i64,
    pub invalid: i64,
}

#[derive(Serialize, ToSchema)]
pub struct StatsStage {
    pub stage: String,
    pub times: i64,
    pub avg_business_minutes: i64,
}

/// 投诉统计报表
#[derive(Serialize, ToSchema)]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub by: String,
    pub period: String,
    pub totals: StatsRow,
    pub penalties_fen: i64,
    pub series: Vec<StatsPoint>,
    pub rows: Vec<StatsRow>,
    pub stages: Vec<StatsStage>,
}

fn stats_row(r: &kefu_app::complaint::ReportRow) -> StatsRow {
    StatsRow {
        key: r.key.clone(),
        count: r.count,
        valid: r.valid,
        invalid: r.invalid,
        closed: r.closed,
        cost_fen: r.cost_fen,
        avg_close_hours: r.avg_close_hours,
    }
}

/// The complaint statistics report for a period, broken down by one dimension.
#[utoipa::path(get, path = "/api/v1/complaints/stats", tag = "complaints", params(StatsParams),
    responses(
        (status = 200, description = "The report", body = Stats),
        (status = 422, body = super::ErrorBody, description = "An unknown `by` or `period`, a \
            day outside the business range, `to` before `from`, a range too long"),
    ))]
pub async fn stats(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<StatsParams>,
) -> Result<Json<Stats>, WebError> {
    let pairs: Vec<(String, String)> = [
        ("from", p.from),
        ("to", p.to),
        ("by", p.by),
        ("period", p.period),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| (k.to_owned(), v)))
    .collect();
    let q = crate::complaint_shared::report_query(&state, &pairs)?;
    let r = state.app.complaint_report(&identity.actor(), &q).await?;
    Ok(Json(Stats {
        from: q.from.to_string(),
        to: q.to.to_string(),
        by: q.by.key().to_owned(),
        period: q.period.key().to_owned(),
        totals: stats_row(&r.totals),
        penalties_fen: r.penalties_fen,
        series: r
            .series
            .iter()
            .map(|p| StatsPoint {
                period_start: p.period_start.to_string(),
                count: p.count,
                invalid: p.invalid,
            })
            .collect(),
        rows: r.rows.iter().map(stats_row).collect(),
        stages: r
            .stages
            .iter()
            .map(|s| StatsStage {
                stage: s.stage.clone(),
                times: s.times,
                avg_business_minutes: s.avg_minutes,
            })
            .collect(),
    }))
}
