//! The complaint's own steps, from intake to evaluation, each taken at the version
//! `If-Match` names.

use super::*;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeIn {
    #[serde(default)]
    pub comment: String,
    /// 回访人 — the agent who will make the follow-up call: an active customer-service user
    /// (`unknown_assignee` otherwise). By default the ticket's assignee.
    pub follow_up_agent_id: Option<i64>,
}

/// 受理确认 — intake complete; validity next. The follow-up agent is chosen here.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/intake", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = IntakeIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
            (`complaint_out_of_order`), or closed"),
    ))]
pub async fn complete_intake(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<IntakeIn>,
) -> Result<Tagged<Detail>, WebError> {
    state
        .app
        .complete_intake(
            &identity.actor(),
            id,
            &b.comment,
            b.follow_up_agent_id,
            expected,
        )
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
    /// Valid: when the customer will have an answer (RFC 3339); when missing, one business
    /// day from now on the business calendar (never on a rest day or holiday).
    pub promised_answer_at: Option<String>,
    /// Valid: the message telling the customer; a standard text when missing.
    pub customer_message: Option<String>,
    pub comment: Option<String>,
    /// Valid: a change of the follow-up agent chosen at intake (回访人).
    pub follow_up_agent_id: Option<i64>,
}

/// 判断 — valid (notice to the department) or not valid (polite reply, closed as invalid).
#[utoipa::path(post, path = "/api/v1/complaints/{id}/judgement", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = JudgementIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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
        let at: Timestamp = match parse_opt("promised_answer_at", b.promised_answer_at.as_deref())?
        {
            Some(at) => at,
            None => state.app.default_answer_promise().await?,
        };
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
            follow_up_agent_id: b.follow_up_agent_id,
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
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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

/// 调查证据 — adds files to the complaint's evidence while it is open: `multipart/form-data`
/// with one or more file parts, each checked as a ticket attachment is (size, and a type
/// read from its bytes); one refused file refuses them all. The files are the complaint
/// ticket's attachments: each is downloaded from its `download` link, with that route's
/// permission.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/evidence", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")),
    request_body(content_type = "multipart/form-data", description = "file parts"),
    responses(
        (status = 201, description = "The files added", body = Vec<EvidenceOut>),
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "The complaint is closed \
            (`complaint_closed`)"),
    ))]
pub async fn add_evidence(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    multipart: axum::extract::Multipart,
) -> Result<(StatusCode, Json<Vec<EvidenceOut>>), WebError> {
    let (_, files) = crate::upload::read(multipart).await?;
    let added = state
        .app
        .add_complaint_evidence(&identity.actor(), id, &files, expected)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(added.into_iter().map(evidence_out).collect()),
    ))
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
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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

/// 回访 — the follow-up's result: recorded by the complaint specialist or the manager, or
/// by the agent who makes the call (chosen at intake); anyone else gets 403.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/follow-up", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = FollowUpIn,
    responses(
        (status = 200, description = "The complaint after the step", body = Detail),
        (status = 403, description = "Neither a complaint handler nor the follow-up agent",
            body = ErrorBody),
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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
    /// 负责人 — an active user (`unknown_assignee` otherwise).
    pub measure_owner_id: Option<i64>,
    /// When the measure is due, `YYYY-MM-DD`: today or later (`complaint_in_past`).
    #[schema(value_type = Option<doc::DateInput>)]
    pub measure_due: Option<String>,
}

/// 总结评价 — closes the complaint.
#[utoipa::path(post, path = "/api/v1/complaints/{id}/evaluation", tag = "complaints",
    params(("id" = i64, Path, description = "complaint id")), request_body = EvaluationIn,
    responses(
        (status = 200, description = "The complaint, closed", body = Detail),
        (status = 404, description = "No such complaint", body = ErrorBody),
        (status = 409, body = ErrorBody, description = "Not this complaint's stage now \
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
