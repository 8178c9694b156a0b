//! Complaints as stored: the complaint record, its steps, notices, proposals, RMAs,
//! penalties and follow-up, and the board and deadline queries.
//!
//! This module holds the complaint row and the board listing; the submodules hold the rest,
//! each re-exported here so every function keeps its path `kefu_store::complaint::name`.

mod board;
mod deadline;
mod evidence;
mod follow_up;
mod notice;
mod penalty;
mod proposal;
mod report;
mod rma;
mod step_log;

pub use board::{BoardFilter, NoticeWait, board_count, board_count_by_stage, list};
pub use deadline::{claim_mark, clear_deadline, deadlines, due, set_deadline};
pub use evidence::{Evidence, add_evidence, evidence};
pub use follow_up::{FollowUp, finish_follow_up, follow_ups, insert_follow_up};
pub use notice::{
    Notice, claim_notice_escalation, department_exists, department_members, insert_notice,
    notice_complaint, notices, overdue_notices, save_notice,
};
pub use penalty::{Penalty, insert_penalty, penalties};
pub use proposal::{
    Proposal, Waiting, count_waiting_proposals, decide_proposal, insert_proposal,
    proposal_complaint, proposals, waiting_proposals,
};
pub use report::{StatRow, penalty_total, stage_durations, stats};
pub use rma::{Rma, insert_rma, rma_complaint, rmas, save_rma};
pub use step_log::{Step, add_step, steps};

use jiff::Timestamp;
use kefu_domain::complaint::{Category, Severity, Stage};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::{opt_time, parse};
use crate::{Result, found, from_micros, to_micros};

/// 投诉记录
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub id: i64,
    pub ticket_id: i64,
    /// The ticket's human number, `KF…` (read only).
    pub ticket_number: String,
    /// The ticket's subject (read only): what the board's card says the complaint is about.
    pub ticket_subject: String,
    /// Who the ticket is assigned to now (read only): the default follow-up agent.
    pub ticket_assignee_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub stage: Stage,
    pub severity: Severity,
    pub category: Category,
    pub complainant: String,
    pub complainant_phone: Option<String>,
    pub channel: String,
    pub content: String,
    pub received_at: Timestamp,
    pub order_number: Option<String>,
    pub part_number: Option<String>,
    pub quantity: Option<i64>,
    /// 交运日期, `YYYY-MM-DD`.
    pub delivery_date: Option<String>,
    pub product: Option<String>,
    pub valid: Option<bool>,
    pub invalid_reason: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub promised_answer_at: Option<Timestamp>,
    pub cause: Option<String>,
    pub responsible_department_id: Option<i64>,
    pub responsible_user_id: Option<i64>,
    pub findings: Option<String>,
    /// The cost of the solution last approved, as it was proposed (column `cost_fen`): a
    /// record of the supervisor's decision, not what the complaint cost — that is
    /// `kefu_domain::complaint_cost`, from its RMAs, penalties and proposals.
    pub approved_cost_fen: i64,
    pub summary: Option<String>,
    pub lessons: Option<String>,
    pub measure: Option<String>,
    pub measure_owner_id: Option<i64>,
    /// The measure owner's display name (read only).
    pub measure_owner_name: Option<String>,
    /// 完成期限, `YYYY-MM-DD`.
    pub measure_due: Option<String>,
    /// 回访人 — who makes the follow-up call: chosen at intake, by default the ticket's
    /// assignee; `None` leaves it to the handler.
    pub follow_up_agent_id: Option<i64>,
    /// The follow-up agent's display name (read only).
    pub follow_up_agent_name: Option<String>,
    pub stage_entered_at: Timestamp,
    pub stage_due_at: Option<Timestamp>,
    pub stage_warned: bool,
    pub stage_escalated: bool,
    pub handler_id: Option<i64>,
    pub handler_name: Option<String>,
    pub opened_by: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    /// Moves on with every write to the complaint (a step, a note on its log, a deadline
    /// mark); a step taken against an older version is refused (see [`lock_at_version`]).
    /// Starts at 1.
    pub version: i64,
}

const SELECT: &str = "SELECT c.id, c.ticket_id, t.number AS ticket_number, \
    t.subject AS ticket_subject, t.assignee_id AS ticket_assignee_id, c.customer_id, \
    cu.name AS customer_name, c.stage, c.severity, c.category, c.complainant, \
    c.complainant_phone, c.channel, c.content, c.received_at, c.order_number, c.part_number, \
    c.quantity, c.delivery_date, c.product, c.valid, c.invalid_reason, c.department_id, \
    d.name AS department_name, c.promised_answer_at, c.cause, c.responsible_department_id, \
    c.responsible_user_id, c.findings, c.cost_fen, c.summary, c.lessons, c.measure, \
    c.measure_owner_id, mo.display_name AS measure_owner_name, c.measure_due, \
    c.follow_up_agent_id, fa.display_name AS follow_up_agent_name, c.stage_entered_at, \
    c.stage_due_at, c.stage_warned, c.stage_escalated, c.handler_id, \
    h.display_name AS handler_name, c.opened_by, c.created_at, c.updated_at, c.closed_at, \
    c.version \
    FROM complaints c JOIN tickets t ON t.id = c.ticket_id \
    LEFT JOIN customers cu ON cu.id = c.customer_id \
    LEFT JOIN departments d ON d.id = c.department_id \
    LEFT JOIN users h ON h.id = c.handler_id \
    LEFT JOIN users mo ON mo.id = c.measure_owner_id \
    LEFT JOIN users fa ON fa.id = c.follow_up_agent_id";

fn from_row(r: &AnyRow) -> Result<Complaint> {
    Ok(Complaint {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_number: r.try_get("ticket_number")?,
        ticket_subject: r.try_get("ticket_subject")?,
        ticket_assignee_id: r.try_get("ticket_assignee_id")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        stage: parse(r, "stage")?,
        severity: parse(r, "severity")?,
        category: parse(r, "category")?,
        complainant: r.try_get("complainant")?,
        complainant_phone: r.try_get("complainant_phone")?,
        channel: r.try_get("channel")?,
        content: r.try_get("content")?,
        received_at: from_micros(r.try_get("received_at")?),
        order_number: r.try_get("order_number")?,
        part_number: r.try_get("part_number")?,
        quantity: r.try_get("quantity")?,
        delivery_date: r.try_get("delivery_date")?,
        product: r.try_get("product")?,
        valid: r.try_get::<Option<i64>, _>("valid")?.map(|v| v != 0),
        invalid_reason: r.try_get("invalid_reason")?,
        department_id: r.try_get("department_id")?,
        department_name: r.try_get("department_name")?,
        promised_answer_at: opt_time(r, "promised_answer_at")?,
        cause: r.try_get("cause")?,
        responsible_department_id: r.try_get("responsible_department_id")?,
        responsible_user_id: r.try_get("responsible_user_id")?,
        findings: r.try_get("findings")?,
        approved_cost_fen: r.try_get("cost_fen")?,
        summary: r.try_get("summary")?,
        lessons: r.try_get("lessons")?,
        measure: r.try_get("measure")?,
        measure_owner_id: r.try_get("measure_owner_id")?,
        measure_owner_name: r.try_get("measure_owner_name")?,
        measure_due: r.try_get("measure_due")?,
        follow_up_agent_id: r.try_get("follow_up_agent_id")?,
        follow_up_agent_name: r.try_get("follow_up_agent_name")?,
        stage_entered_at: from_micros(r.try_get("stage_entered_at")?),
        stage_due_at: opt_time(r, "stage_due_at")?,
        stage_warned: r.try_get::<i64, _>("stage_warned")? != 0,
        stage_escalated: r.try_get::<i64, _>("stage_escalated")? != 0,
        handler_id: r.try_get("handler_id")?,
        handler_name: r.try_get("handler_name")?,
        opened_by: r.try_get("opened_by")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        closed_at: opt_time(r, "closed_at")?,
        version: r.try_get("version")?,
    })
}

pub async fn insert(conn: &mut AnyConnection, c: &Complaint) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO complaints (ticket_id, customer_id, stage, severity, category, \
         complainant, complainant_phone, channel, content, received_at, order_number, \
         part_number, quantity, delivery_date, product, stage_entered_at, stage_due_at, \
         handler_id, opened_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21) RETURNING id",
    )
    .bind(c.ticket_id)
    .bind(c.customer_id)
    .bind(c.stage.key())
    .bind(c.severity.key())
    .bind(c.category.key())
    .bind(&c.complainant)
    .bind(&c.complainant_phone)
    .bind(&c.channel)
    .bind(&c.content)
    .bind(to_micros(c.received_at))
    .bind(&c.order_number)
    .bind(&c.part_number)
    .bind(c.quantity)
    .bind(&c.delivery_date)
    .bind(&c.product)
    .bind(to_micros(c.stage_entered_at))
    .bind(c.stage_due_at.map(to_micros))
    .bind(c.handler_id)
    .bind(c.opened_by)
    .bind(to_micros(c.created_at))
    .bind(to_micros(c.updated_at))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Writes every field a step may change, and moves the complaint's version on.
pub async fn save(conn: &mut AnyConnection, c: &Complaint) -> Result<()> {
    let t = |v: Option<Timestamp>| v.map(to_micros);
    let done = sqlx::query(
        "UPDATE complaints SET customer_id = $2, stage = $3, severity = $4, category = $5, \
         complainant = $6, complainant_phone = $7, content = $8, order_number = $9, \
         part_number = $10, quantity = $11, delivery_date = $12, product = $13, valid = $14, \
         invalid_reason = $15, department_id = $16, promised_answer_at = $17, cause = $18, \
         responsible_department_id = $19, responsible_user_id = $20, findings = $21, \
         cost_fen = $22, summary = $23, lessons = $24, measure = $25, measure_owner_id = $26, \
         measure_due = $27, stage_entered_at = $28, stage_due_at = $29, stage_warned = $30, \
         stage_escalated = $31, handler_id = $32, updated_at = $33, closed_at = $34, \
         follow_up_agent_id = $35, version = version + 1 WHERE id = $1",
    )
    .bind(c.id)
    .bind(c.customer_id)
    .bind(c.stage.key())
    .bind(c.severity.key())
    .bind(c.category.key())
    .bind(&c.complainant)
    .bind(&c.complainant_phone)
    .bind(&c.content)
    .bind(&c.order_number)
    .bind(&c.part_number)
    .bind(c.quantity)
    .bind(&c.delivery_date)
    .bind(&c.product)
    .bind(c.valid.map(i64::from))
    .bind(&c.invalid_reason)
    .bind(c.department_id)
    .bind(t(c.promised_answer_at))
    .bind(&c.cause)
    .bind(c.responsible_department_id)
    .bind(c.responsible_user_id)
    .bind(&c.findings)
    .bind(c.approved_cost_fen)
    .bind(&c.summary)
    .bind(&c.lessons)
    .bind(&c.measure)
    .bind(c.measure_owner_id)
    .bind(&c.measure_due)
    .bind(to_micros(c.stage_entered_at))
    .bind(t(c.stage_due_at))
    .bind(i64::from(c.stage_warned))
    .bind(i64::from(c.stage_escalated))
    .bind(c.handler_id)
    .bind(to_micros(c.updated_at))
    .bind(t(c.closed_at))
    .bind(c.follow_up_agent_id)
    .execute(conn)
    .await?;
    found(done)
}

/// Takes complaint `id` for the rest of the caller's transaction if it is still at
/// `version`: false (nothing taken) when it has moved on, or does not exist. The check and
/// the row lock are one statement, so no other writer comes between the check and the step
/// that follows; the step itself moves the version on.
pub async fn lock_at_version(conn: &mut AnyConnection, id: i64, version: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE complaints SET version = version WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves complaint `id`'s version on without changing a field (its log, notices, proposals,
/// RMAs, penalties or follow-up changed).
pub async fn bump_version(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE complaints SET version = version + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    found(done)
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Complaint> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(crate::StoreError::NotFound)?;
    from_row(&row)
}

pub async fn by_ticket(conn: &mut AnyConnection, ticket_id: i64) -> Result<Option<Complaint>> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.ticket_id = $1"))
        .bind(ticket_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}
