//! The steps on a complaint's rows: the department acknowledges and answers its handling
//! notice and the specialist reviews it, the supervisor decides a proposal, an RMA moves on.

use super::*;

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
        (status = 404, description = "No such notice", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The notice is past this step \
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
        (status = 404, description = "No such notice", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The notice is past this step \
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
        (status = 404, description = "No such notice", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The notice is not answered \
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
        (status = 404, description = "No such proposal", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The proposal is not pending \
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
        (status = 404, description = "No such RMA", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The RMA is finished \
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
pub struct CancelIn {
    /// Why nothing is carried out (the customer rejected the remedy, a follow-up undid
    /// it…); 1–2,000 characters.
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// Cancels a return/exchange/refund/repair not yet carried out, with the reason; the
/// complaint may then close on a true record. A done RMA cannot be cancelled.
#[utoipa::path(post, path = "/api/v1/complaint-rmas/{id}/cancel", tag = "complaints",
    params(("id" = i64, Path, description = "RMA id")), request_body = CancelIn,
    responses(
        (status = 200, description = "Cancelled", body = RmaStep),
        (status = 404, description = "No such RMA", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The RMA was carried out or is \
            finished (`rma_not_cancellable`)"),
    ))]
pub async fn cancel_rma(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<CancelIn>,
) -> Result<Json<RmaStep>, WebError> {
    state
        .app
        .cancel_rma(&identity.actor(), id, &b.reason, expected)
        .await?;
    Ok(Json(RmaStep {
        status: kefu_domain::complaint::RmaStatus::Cancelled
            .key()
            .to_owned(),
    }))
}

/// A proposal waiting for approval, with its complaint.
#[derive(Serialize, ToSchema)]
pub struct WaitingOut {
    pub complaint_id: i64,
    pub ticket_number: String,
    pub complainant: String,
    pub customer_name: Option<String>,
    /// `minor`, `general`, `serious`, `critical`.
    pub severity: String,
    pub category: String,
    pub proposal: ProposalOut,
    pub proposed_by_name: Option<String>,
    pub proposed_at: String,
}

/// 待审批 — every proposal waiting for approval, the oldest first (at most 200).
#[utoipa::path(get, path = "/api/v1/complaint-approvals", tag = "complaints",
    responses(
        (status = 200, description = "The proposals waiting", body = Vec<WaitingOut>),
    ))]
pub async fn approvals(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Json<Vec<WaitingOut>>, WebError> {
    let list = state
        .app
        .proposals_awaiting_approval(&identity.actor())
        .await?;
    Ok(Json(
        list.into_iter()
            .map(|w| WaitingOut {
                complaint_id: w.proposal.complaint_id,
                ticket_number: w.ticket_number,
                complainant: w.complainant,
                customer_name: w.customer_name,
                severity: w.severity,
                category: w.category,
                proposed_by_name: w.proposal.proposed_by_name.clone(),
                proposed_at: rfc3339(w.proposal.proposed_at),
                proposal: ProposalOut {
                    id: w.proposal.id,
                    remedy: w.proposal.remedy.key().to_owned(),
                    description: w.proposal.description,
                    cost_fen: w.proposal.cost_fen,
                    status: w.proposal.status.key().to_owned(),
                    decision_comment: w.proposal.decision_comment,
                },
            })
            .collect(),
    ))
}
