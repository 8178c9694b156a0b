//! 对账单 over the API: a month's statements made, listed and read (every line traceable to
//! the amount owed or payment it shows), the customer's answer recorded, a disputed line's
//! resolution proposed and decided, the statement closed. Money is integer fen.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kefu_app::receivable::{Resolution, StatementDetail};
use kefu_domain::receivable::DifferenceCause;
use kefu_domain::receivable::statement::StatementState;
use kefu_store::statement::{StatementFilter, StatementRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ErrorBody, IfMatch, Tagged, rfc3339, tagged};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::input::parse_key;

/// Which statements to list.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatementParams {
    /// `YYYY-MM`.
    pub period: Option<String>,
    /// `sent`, `confirmed`, `disputed`, `resolved` or `closed`.
    pub state: Option<String>,
    pub customer_id: Option<i64>,
    /// At most 500 (default 100).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

/// A statement on a list.
#[derive(Serialize, ToSchema)]
pub struct StatementOut {
    pub id: i64,
    /// `ZD<yyyymmdd>-<seq>`
    pub number: String,
    pub customer_id: i64,
    pub customer: String,
    /// `YYYY-MM`
    pub period: String,
    /// `sent`, `confirmed`, `disputed`, `resolved` or `closed`.
    pub state: String,
    pub opening_fen: i64,
    pub closing_fen: i64,
    pub created_at: String,
    pub answered_at: Option<String>,
    pub closed_at: Option<String>,
    pub version: i64,
}

fn statement_out(s: &StatementRow) -> StatementOut {
    StatementOut {
        id: s.id,
        number: s.number.clone(),
        customer_id: s.customer_id,
        customer: s.customer_name.clone(),
        period: s.period.clone(),
        state: s.state.key().to_owned(),
        opening_fen: s.opening_fen,
        closing_fen: s.closing_fen,
        created_at: rfc3339(s.created_at),
        answered_at: s.answered_at.map(rfc3339),
        closed_at: s.closed_at.map(rfc3339),
        version: s.version,
    }
}

/// Statements, the latest month first.
#[utoipa::path(get, path = "/api/v1/statements", tag = "receivables",
    params(StatementParams),
    responses(
        (status = 200, description = "The statements", body = Vec<StatementOut>),
        (status = 422, description = "`unknown_value` (a state), `statement_bad_period`", body = ErrorBody),
    ))]
pub async fn statements(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<StatementParams>,
) -> Result<Json<Vec<StatementOut>>, WebError> {
    let states = match p.state.as_deref() {
        None | Some("") => Vec::new(),
        Some(s) => vec![parse_key::<StatementState>("state", s)?],
    };
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(WebError::bad_request("invalid_field", "limit"));
    }
    let list = state
        .app
        .statements(
            &identity.actor(),
            &StatementFilter {
                period: p.period.filter(|x| !x.is_empty()),
                states,
                customer_id: p.customer_id,
                owner_id: None,
                limit,
            },
        )
        .await?;
    Ok(Json(list.iter().map(statement_out).collect()))
}

/// A month's statements to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateIn {
    /// `YYYY-MM`, a month that is over.
    pub period: String,
    /// Only this customer's; every customer with a balance or entries when left out.
    pub customer_id: Option<i64>,
}

/// What a generation did.
#[derive(Serialize, ToSchema)]
pub struct GeneratedOut {
    pub created: usize,
    /// Customers that had this month's statement already.
    pub existing: usize,
}

/// 生成对账单 — makes a month's statements (each customer and month once) and sends each
/// customer's contact its link.
#[utoipa::path(post, path = "/api/v1/statements", tag = "receivables",
    request_body = GenerateIn,
    responses(
        (status = 201, description = "Made", body = GeneratedOut),
        (status = 404, description = "No such customer", body = ErrorBody),
        (status = 422, description = "`statement_bad_period`, `statement_period_not_over`", body = ErrorBody),
    ))]
pub async fn generate(
    State(state): State<AppState>,
    identity: Identity,
    ApiJson(b): ApiJson<GenerateIn>,
) -> Result<(StatusCode, Json<GeneratedOut>), WebError> {
    let g = state
        .app
        .generate_statements(&identity.actor(), &b.period, b.customer_id)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(GeneratedOut {
            created: g.created,
            existing: g.existing,
        }),
    ))
}

/// A statement line: what it shows (and the record it is), the customer's answer, the
/// resolution.
#[derive(Serialize, ToSchema)]
pub struct StatementLineOut {
    pub line_no: i64,
    /// `shipment`, `payment`, `credit_note` or `adjustment`.
    pub kind: String,
    pub receivable_id: Option<i64>,
    pub payment_id: Option<i64>,
    pub on_date: String,
    pub reference: String,
    /// As recorded: positive, an adjustment signed.
    pub amount_fen: i64,
    /// On what the customer owes: owed +, paid or credited −.
    pub effect_fen: i64,
    /// `open`, `confirmed`, `disputed`, `proposed` or `resolved`.
    pub answer: String,
    pub customer_note: String,
    /// `price`, `quantity`, `missing_payment`, `duplicate` or `timing`.
    pub cause: Option<String>,
    pub resolution: String,
    pub adjustment_fen: Option<i64>,
}

/// A statement with its lines.
#[derive(Serialize, ToSchema)]
pub struct StatementDetailOut {
    #[serde(flatten)]
    pub statement: StatementOut,
    pub lines: Vec<StatementLineOut>,
}

fn detail_out(d: &StatementDetail) -> StatementDetailOut {
    StatementDetailOut {
        statement: statement_out(&d.statement),
        lines: d
            .lines
            .iter()
            .map(|l| StatementLineOut {
                line_no: l.line_no,
                kind: l.entry.kind.key().to_owned(),
                receivable_id: l.entry.receivable_id,
                payment_id: l.entry.payment_id,
                on_date: l.entry.on_date.to_string(),
                reference: l.entry.reference.clone(),
                amount_fen: l.entry.amount_fen,
                effect_fen: crate::statement_shared::effect(l.entry.kind, l.entry.amount_fen),
                answer: l.answer.key().to_owned(),
                customer_note: l.customer_note.clone(),
                cause: l.cause.map(|c| c.key().to_owned()),
                resolution: l.resolution.clone(),
                adjustment_fen: l.adjustment_fen,
            })
            .collect(),
    }
}

/// One statement with its lines; `ETag` carries its version.
#[utoipa::path(get, path = "/api/v1/statements/{id}", tag = "receivables",
    params(("id" = i64, Path, description = "statement id")),
    responses(
        (status = 200, description = "The statement", body = StatementDetailOut),
        (status = 404, description = "No such statement", body = ErrorBody),
    ))]
pub async fn statement(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Tagged<StatementDetailOut>, WebError> {
    let d = state.app.statement(&identity.actor(), id).await?;
    Ok(tagged(d.statement.version, detail_out(&d)))
}

/// A line the customer disputes.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisputeIn {
    pub line_no: i64,
    /// Why (1–1000 characters).
    pub note: String,
}

/// The customer's answer to the lines not answered yet: none disputed confirms them all.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementAnswerIn {
    #[serde(default)]
    pub disputes: Vec<DisputeIn>,
}

/// Where a statement stands after a step.
#[derive(Serialize, ToSchema)]
pub struct StatementStateOut {
    pub state: String,
}

/// 客户确认/异议 — records the customer's answer (taken by phone, say).
#[utoipa::path(post, path = "/api/v1/statements/{id}/answer", tag = "receivables",
    params(("id" = i64, Path, description = "statement id")),
    request_body = StatementAnswerIn,
    responses(
        (status = 200, description = "Answered", body = StatementStateOut),
        (status = 404, description = "No such statement", body = ErrorBody),
        (status = 409, description = "`statement_closed`, `statement_not_now`", body = ErrorBody),
        (status = 422, description = "`statement_unknown_line` (no such line, or one answered \
            already), `statement_note_required`, `statement_too_long`", body = ErrorBody),
    ))]
pub async fn answer(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
    ApiJson(b): ApiJson<StatementAnswerIn>,
) -> Result<Json<StatementStateOut>, WebError> {
    let disputes: Vec<(i64, String)> = b
        .disputes
        .into_iter()
        .map(|d| (d.line_no, d.note))
        .collect();
    let s = state
        .app
        .answer_statement(&identity.actor(), id, expected, &disputes)
        .await?;
    Ok(Json(StatementStateOut {
        state: s.key().to_owned(),
    }))
}

/// A disputed line's resolution.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionIn {
    /// `price`, `quantity`, `missing_payment`, `duplicate` or `timing`.
    pub cause: String,
    /// What is done (1–1000 characters).
    pub resolution: String,
    /// Owed more: +; credited: −; 0 posts nothing.
    #[serde(default)]
    pub adjustment_fen: i64,
}

/// 差异处理 — proposes a disputed line's cause and resolution; the managers are told.
#[utoipa::path(post, path = "/api/v1/statements/{id}/lines/{line_no}/resolution", tag = "receivables",
    params(("id" = i64, Path, description = "statement id"),
        ("line_no" = i64, Path, description = "line number")),
    request_body = ResolutionIn,
    responses(
        (status = 204, description = "Proposed"),
        (status = 404, description = "No such statement", body = ErrorBody),
        (status = 409, description = "`statement_closed`, `statement_not_disputed`", body = ErrorBody),
        (status = 422, description = "`statement_resolution_required`, `statement_adjustment`, \
            `statement_unknown_line`, `statement_too_long`", body = ErrorBody),
    ))]
pub async fn propose(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, line_no)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<ResolutionIn>,
) -> Result<StatusCode, WebError> {
    let r = Resolution {
        cause: Some(parse_key::<DifferenceCause>("cause", &b.cause)?),
        text: b.resolution,
        adjustment_fen: b.adjustment_fen,
    };
    state
        .app
        .propose_resolution(&identity.actor(), id, line_no, &r)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The manager's decision on a proposed resolution.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolutionDecisionIn {
    pub approve: bool,
}

/// The manager approves a proposed resolution (its adjustment posted on the month's last
/// day and shown on the statement) or sends it back.
#[utoipa::path(post, path = "/api/v1/statements/{id}/lines/{line_no}/decision", tag = "receivables",
    params(("id" = i64, Path, description = "statement id"),
        ("line_no" = i64, Path, description = "line number")),
    request_body = ResolutionDecisionIn,
    responses(
        (status = 200, description = "Decided", body = StatementStateOut),
        (status = 404, description = "No such statement", body = ErrorBody),
        (status = 409, description = "`statement_closed`, `statement_not_proposed`", body = ErrorBody),
        (status = 422, description = "`statement_unknown_line`", body = ErrorBody),
    ))]
pub async fn decide(
    State(state): State<AppState>,
    identity: Identity,
    Path((id, line_no)): Path<(i64, i64)>,
    ApiJson(b): ApiJson<ResolutionDecisionIn>,
) -> Result<Json<StatementStateOut>, WebError> {
    let s = state
        .app
        .decide_resolution(&identity.actor(), id, line_no, b.approve)
        .await?;
    Ok(Json(StatementStateOut {
        state: s.key().to_owned(),
    }))
}

/// 结账 — closes a statement agreed or resolved: it never changes again.
#[utoipa::path(post, path = "/api/v1/statements/{id}/close", tag = "receivables",
    params(("id" = i64, Path, description = "statement id")),
    responses(
        (status = 204, description = "Closed"),
        (status = 404, description = "No such statement", body = ErrorBody),
        (status = 409, description = "`statement_closed`, `statement_not_now`", body = ErrorBody),
    ))]
pub async fn close(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    IfMatch(expected): IfMatch,
) -> Result<StatusCode, WebError> {
    state
        .app
        .close_statement(&identity.actor(), id, expected)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
