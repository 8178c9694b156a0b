//! Complaints as stored: the complaint record, its steps, notices, proposals, RMAs,
//! penalties and follow-up, and the board and deadline queries.

use jiff::Timestamp;
use kefu_domain::complaint::{
    Category, FollowUpResult, NoticeStatus, ProposalStatus, Remedy, RmaStatus, Severity, Stage,
};
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
    pub cost_fen: i64,
    pub summary: Option<String>,
    pub lessons: Option<String>,
    pub measure: Option<String>,
    pub measure_owner_id: Option<i64>,
    pub measure_due: Option<String>,
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

const SELECT: &str = "SELECT c.id, c.ticket_id, t.number AS ticket_number, c.customer_id, \
    cu.name AS customer_name, c.stage, c.severity, c.category, c.complainant, \
    c.complainant_phone, c.channel, c.content, c.received_at, c.order_number, c.part_number, \
    c.quantity, c.delivery_date, c.product, c.valid, c.invalid_reason, c.department_id, \
    d.name AS department_name, c.promised_answer_at, c.cause, c.responsible_department_id, \
    c.responsible_user_id, c.findings, c.cost_fen, c.summary, c.lessons, c.measure, \
    c.measure_owner_id, c.measure_due, c.stage_entered_at, c.stage_due_at, c.stage_warned, \
    c.stage_escalated, c.handler_id, h.display_name AS handler_name, c.opened_by, c.created_at, \
    c.updated_at, c.closed_at, c.version \
    FROM complaints c JOIN tickets t ON t.id = c.ticket_id \
    LEFT JOIN customers cu ON cu.id = c.customer_id \
    LEFT JOIN departments d ON d.id = c.department_id \
    LEFT JOIN users h ON h.id = c.handler_id";

fn from_row(r: &AnyRow) -> Result<Complaint> {
    Ok(Complaint {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_number: r.try_get("ticket_number")?,
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
        cost_fen: r.try_get("cost_fen")?,
        summary: r.try_get("summary")?,
        lessons: r.try_get("lessons")?,
        measure: r.try_get("measure")?,
        measure_owner_id: r.try_get("measure_owner_id")?,
        measure_due: r.try_get("measure_due")?,
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
         version = version + 1 WHERE id = $1",
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
    .bind(c.cost_fen)
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

/// What the board and the list show: open complaints, or those of one stage; with
/// `department`, only complaints whose notice went to that department.
#[derive(Debug, Clone, Default)]
pub struct BoardFilter {
    pub stage: Option<Stage>,
    pub open_only: bool,
    pub department_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub limit: i64,
}

pub async fn list(conn: &mut AnyConnection, f: &BoardFilter) -> Result<Vec<Complaint>> {
    let mut sql = format!("{SELECT} WHERE 1 = 1");
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    if f.stage.is_some() {
        sql.push_str(&format!(" AND c.stage = ${}", next()));
    }
    if f.open_only {
        // Closed complaints have no deadline: the deadline index holds the open ones.
        sql.push_str(" AND c.stage_due_at IS NOT NULL AND c.stage NOT IN ('closed', 'invalid')");
    }
    if f.department_id.is_some() {
        sql.push_str(&format!(
            " AND EXISTS (SELECT 1 FROM complaint_notices n WHERE n.complaint_id = c.id \
             AND n.department_id = ${})",
            next()
        ));
    }
    if f.customer_id.is_some() {
        sql.push_str(&format!(" AND c.customer_id = ${}", next()));
    }
    let order = if f.open_only {
        "c.stage_due_at, c.id"
    } else {
        "c.id DESC"
    };
    sql.push_str(&format!(" ORDER BY {order} LIMIT ${}", next()));
    let mut q = sqlx::query(&sql);
    if let Some(s) = f.stage {
        q = q.bind(s.key());
    }
    if let Some(d) = f.department_id {
        q = q.bind(d);
    }
    if let Some(c) = f.customer_id {
        q = q.bind(c);
    }
    let rows = q.bind(f.limit).fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// Open complaints whose stage deadline is at or before `until` and not yet `marked`
/// (`stage_warned` or `stage_escalated`).
pub async fn due(conn: &mut AnyConnection, until: Timestamp, escalation: bool) -> Result<Vec<i64>> {
    let column = if escalation {
        "stage_escalated"
    } else {
        "stage_warned"
    };
    Ok(sqlx::query_scalar(&format!(
        "SELECT id FROM complaints WHERE stage_due_at <= $1 AND {column} = 0 \
         AND stage NOT IN ('closed', 'invalid') ORDER BY stage_due_at LIMIT 500"
    ))
    .bind(to_micros(until))
    .fetch_all(conn)
    .await?)
}

/// Sets a stage's warned or escalated mark once: false when another instance already did.
pub async fn claim_mark(conn: &mut AnyConnection, id: i64, escalation: bool) -> Result<bool> {
    let column = if escalation {
        "stage_escalated"
    } else {
        "stage_warned"
    };
    let done = sqlx::query(&format!(
        "UPDATE complaints SET {column} = 1, version = version + 1 \
         WHERE id = $1 AND {column} = 0"
    ))
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One step in a complaint's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub id: i64,
    pub complaint_id: i64,
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub from_stage: Stage,
    pub to_stage: Stage,
    pub comment: Option<String>,
    /// Business minutes spent in `from_stage`, on steps that leave it.
    pub stage_minutes: Option<i64>,
    /// The complaint's `received_at`, copied for the report.
    pub received_at: Timestamp,
}

pub async fn add_step(conn: &mut AnyConnection, s: &Step) -> Result<()> {
    sqlx::query(
        "INSERT INTO complaint_steps (complaint_id, at, actor_user_id, actor_name, action, \
         from_stage, to_stage, comment, stage_minutes, received_at) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10)",
    )
    .bind(s.complaint_id)
    .bind(to_micros(s.at))
    .bind(s.actor_user_id)
    .bind(&s.actor_name)
    .bind(&s.action)
    .bind(s.from_stage.key())
    .bind(s.to_stage.key())
    .bind(&s.comment)
    .bind(s.stage_minutes)
    .bind(to_micros(s.received_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn steps(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Step>> {
    let rows = sqlx::query(
        "SELECT id, complaint_id, at, actor_user_id, actor_name, action, from_stage, to_stage, \
         comment, stage_minutes, received_at FROM complaint_steps WHERE complaint_id = $1 \
         ORDER BY id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Step {
                id: r.try_get("id")?,
                complaint_id: r.try_get("complaint_id")?,
                at: from_micros(r.try_get("at")?),
                actor_user_id: r.try_get("actor_user_id")?,
                actor_name: r.try_get("actor_name")?,
                action: r.try_get("action")?,
                from_stage: parse(r, "from_stage")?,
                to_stage: parse(r, "to_stage")?,
                comment: r.try_get("comment")?,
                stage_minutes: r.try_get("stage_minutes")?,
                received_at: from_micros(r.try_get("received_at")?),
            })
        })
        .collect()
}

/// 投诉处理通知
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: i64,
    pub complaint_id: i64,
    pub department_id: i64,
    pub department_name: String,
    pub status: NoticeStatus,
    pub due_at: Timestamp,
    pub sent_by: Option<i64>,
    pub sent_at: Timestamp,
    pub acknowledged_by: Option<i64>,
    pub acknowledged_at: Option<Timestamp>,
    pub answer: Option<String>,
    pub answered_by: Option<i64>,
    pub answered_at: Option<Timestamp>,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<Timestamp>,
    pub review_comment: Option<String>,
    pub escalated: bool,
}

pub async fn insert_notice(conn: &mut AnyConnection, n: &Notice) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO complaint_notices (complaint_id, department_id, status, due_at, sent_by, \
         sent_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(n.complaint_id)
    .bind(n.department_id)
    .bind(n.status.key())
    .bind(to_micros(n.due_at))
    .bind(n.sent_by)
    .bind(to_micros(n.sent_at))
    .fetch_one(conn)
    .await?)
}

pub async fn save_notice(conn: &mut AnyConnection, n: &Notice) -> Result<()> {
    let t = |v: Option<Timestamp>| v.map(to_micros);
    let done = sqlx::query(
        "UPDATE complaint_notices SET status = $2, due_at = $3, acknowledged_by = $4, \
         acknowledged_at = $5, answer = $6, answered_by = $7, answered_at = $8, \
         reviewed_by = $9, reviewed_at = $10, review_comment = $11, escalated = $12 \
         WHERE id = $1",
    )
    .bind(n.id)
    .bind(n.status.key())
    .bind(to_micros(n.due_at))
    .bind(n.acknowledged_by)
    .bind(t(n.acknowledged_at))
    .bind(&n.answer)
    .bind(n.answered_by)
    .bind(t(n.answered_at))
    .bind(n.reviewed_by)
    .bind(t(n.reviewed_at))
    .bind(&n.review_comment)
    .bind(i64::from(n.escalated))
    .execute(conn)
    .await?;
    found(done)
}

pub async fn notices(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Notice>> {
    let rows = sqlx::query(
        "SELECT n.id, n.complaint_id, n.department_id, d.name AS department_name, n.status, \
         n.due_at, n.sent_by, n.sent_at, n.acknowledged_by, n.acknowledged_at, n.answer, \
         n.answered_by, n.answered_at, n.reviewed_by, n.reviewed_at, n.review_comment, \
         n.escalated FROM complaint_notices n JOIN departments d ON d.id = n.department_id \
         WHERE n.complaint_id = $1 ORDER BY n.id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Notice {
                id: r.try_get("id")?,
                complaint_id: r.try_get("complaint_id")?,
                department_id: r.try_get("department_id")?,
                department_name: r.try_get("department_name")?,
                status: parse(r, "status")?,
                due_at: from_micros(r.try_get("due_at")?),
                sent_by: r.try_get("sent_by")?,
                sent_at: from_micros(r.try_get("sent_at")?),
                acknowledged_by: r.try_get("acknowledged_by")?,
                acknowledged_at: opt_time(r, "acknowledged_at")?,
                answer: r.try_get("answer")?,
                answered_by: r.try_get("answered_by")?,
                answered_at: opt_time(r, "answered_at")?,
                reviewed_by: r.try_get("reviewed_by")?,
                reviewed_at: opt_time(r, "reviewed_at")?,
                review_comment: r.try_get("review_comment")?,
                escalated: r.try_get::<i64, _>("escalated")? != 0,
            })
        })
        .collect()
}

/// 处理方案
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub id: i64,
    pub complaint_id: i64,
    pub remedy: Remedy,
    pub description: String,
    pub cost_fen: i64,
    pub status: ProposalStatus,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: Option<String>,
    pub proposed_at: Timestamp,
    pub decided_by: Option<i64>,
    pub decided_at: Option<Timestamp>,
    pub decision_comment: Option<String>,
}

pub async fn insert_proposal(conn: &mut AnyConnection, p: &Proposal) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO complaint_proposals (complaint_id, remedy, description, cost_fen, status, \
         proposed_by, proposed_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(p.complaint_id)
    .bind(p.remedy.key())
    .bind(&p.description)
    .bind(p.cost_fen)
    .bind(p.status.key())
    .bind(p.proposed_by)
    .bind(to_micros(p.proposed_at))
    .fetch_one(conn)
    .await?)
}

pub async fn decide_proposal(conn: &mut AnyConnection, p: &Proposal) -> Result<()> {
    let done = sqlx::query(
        "UPDATE complaint_proposals SET status = $2, decided_by = $3, decided_at = $4, \
         decision_comment = $5 WHERE id = $1",
    )
    .bind(p.id)
    .bind(p.status.key())
    .bind(p.decided_by)
    .bind(p.decided_at.map(to_micros))
    .bind(&p.decision_comment)
    .execute(conn)
    .await?;
    found(done)
}

pub async fn proposals(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Proposal>> {
    let rows = sqlx::query(
        "SELECT p.id, p.complaint_id, p.remedy, p.description, p.cost_fen, p.status, \
         p.proposed_by, u.display_name AS proposed_by_name, p.proposed_at, p.decided_by, \
         p.decided_at, p.decision_comment FROM complaint_proposals p \
         LEFT JOIN users u ON u.id = p.proposed_by WHERE p.complaint_id = $1 ORDER BY p.id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Proposal {
                id: r.try_get("id")?,
                complaint_id: r.try_get("complaint_id")?,
                remedy: parse(r, "remedy")?,
                description: r.try_get("description")?,
                cost_fen: r.try_get("cost_fen")?,
                status: parse(r, "status")?,
                proposed_by: r.try_get("proposed_by")?,
                proposed_by_name: r.try_get("proposed_by_name")?,
                proposed_at: from_micros(r.try_get("proposed_at")?),
                decided_by: r.try_get("decided_by")?,
                decided_at: opt_time(r, "decided_at")?,
                decision_comment: r.try_get("decision_comment")?,
            })
        })
        .collect()
}

/// 退换货记录 (RMA)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rma {
    pub id: i64,
    pub complaint_id: i64,
    pub proposal_id: i64,
    pub remedy: Remedy,
    pub status: RmaStatus,
    pub amount_fen: i64,
    pub note: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub updated_by: Option<i64>,
}

pub async fn insert_rma(conn: &mut AnyConnection, r: &Rma) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO complaint_rmas (complaint_id, proposal_id, remedy, status, amount_fen, \
         note, created_at, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(r.complaint_id)
    .bind(r.proposal_id)
    .bind(r.remedy.key())
    .bind(r.status.key())
    .bind(r.amount_fen)
    .bind(&r.note)
    .bind(to_micros(r.created_at))
    .bind(to_micros(r.updated_at))
    .bind(r.updated_by)
    .fetch_one(conn)
    .await?)
}

pub async fn save_rma(conn: &mut AnyConnection, r: &Rma) -> Result<()> {
    let done = sqlx::query(
        "UPDATE complaint_rmas SET status = $2, note = $3, updated_at = $4, updated_by = $5 \
         WHERE id = $1",
    )
    .bind(r.id)
    .bind(r.status.key())
    .bind(&r.note)
    .bind(to_micros(r.updated_at))
    .bind(r.updated_by)
    .execute(conn)
    .await?;
    found(done)
}

pub async fn rmas(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Rma>> {
    let rows = sqlx::query(
        "SELECT id, complaint_id, proposal_id, remedy, status, amount_fen, note, created_at, \
         updated_at, updated_by FROM complaint_rmas WHERE complaint_id = $1 ORDER BY id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Rma {
                id: r.try_get("id")?,
                complaint_id: r.try_get("complaint_id")?,
                proposal_id: r.try_get("proposal_id")?,
                remedy: parse(r, "remedy")?,
                status: parse(r, "status")?,
                amount_fen: r.try_get("amount_fen")?,
                note: r.try_get("note")?,
                created_at: from_micros(r.try_get("created_at")?),
                updated_at: from_micros(r.try_get("updated_at")?),
                updated_by: r.try_get("updated_by")?,
            })
        })
        .collect()
}

/// 处罚记录
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Penalty {
    pub id: i64,
    pub complaint_id: i64,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub amount_fen: i64,
    pub reason: String,
    pub recorded_by: Option<i64>,
    pub recorded_at: Timestamp,
}

pub async fn insert_penalty(conn: &mut AnyConnection, p: &Penalty) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO complaint_penalties (complaint_id, department_id, user_id, amount_fen, \
         reason, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(p.complaint_id)
    .bind(p.department_id)
    .bind(p.user_id)
    .bind(p.amount_fen)
    .bind(&p.reason)
    .bind(p.recorded_by)
    .bind(to_micros(p.recorded_at))
    .fetch_one(conn)
    .await?)
}

pub async fn penalties(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Penalty>> {
    let rows = sqlx::query(
        "SELECT p.id, p.complaint_id, p.department_id, d.name AS department_name, p.user_id, \
         u.display_name AS user_name, p.amount_fen, p.reason, p.recorded_by, p.recorded_at \
         FROM complaint_penalties p LEFT JOIN departments d ON d.id = p.department_id \
         LEFT JOIN users u ON u.id = p.user_id WHERE p.complaint_id = $1 ORDER BY p.id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Penalty {
                id: r.try_get("id")?,
                complaint_id: r.try_get("complaint_id")?,
                department_id: r.try_get("department_id")?,
                department_name: r.try_get("department_name")?,
                user_id: r.try_get("user_id")?,
                user_name: r.try_get("user_name")?,
                amount_fen: r.try_get("amount_fen")?,
                reason: r.try_get("reason")?,
                recorded_by: r.try_get("recorded_by")?,
                recorded_at: from_micros(r.try_get("recorded_at")?),
            })
        })
        .collect()
}

/// 回访任务
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: i64,
    pub complaint_id: i64,
    pub due_at: Timestamp,
    pub script: String,
    pub assignee_id: Option<i64>,
    pub result: Option<FollowUpResult>,
    pub comment: Option<String>,
    pub done_by: Option<i64>,
    pub done_at: Option<Timestamp>,
    pub created_at: Timestamp,
}

pub async fn insert_follow_up(conn: &mut AnyConnection, f: &FollowUp) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO complaint_follow_ups (complaint_id, due_at, script, assignee_id, \
         created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(f.complaint_id)
    .bind(to_micros(f.due_at))
    .bind(&f.script)
    .bind(f.assignee_id)
    .bind(to_micros(f.created_at))
    .fetch_one(conn)
    .await?)
}

pub async fn finish_follow_up(conn: &mut AnyConnection, f: &FollowUp) -> Result<()> {
    let done = sqlx::query(
        "UPDATE complaint_follow_ups SET result = $2, comment = $3, done_by = $4, done_at = $5 \
         WHERE id = $1 AND done_at IS NULL",
    )
    .bind(f.id)
    .bind(f.result.map(|r| r.key()))
    .bind(&f.comment)
    .bind(f.done_by)
    .bind(f.done_at.map(to_micros))
    .execute(conn)
    .await?;
    found(done)
}

pub async fn follow_ups(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<FollowUp>> {
    let rows = sqlx::query(
        "SELECT id, complaint_id, due_at, script, assignee_id, result, comment, done_by, \
         done_at, created_at FROM complaint_follow_ups WHERE complaint_id = $1 ORDER BY id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let result: Option<String> = r.try_get("result")?;
            Ok(FollowUp {
                id: r.try_get("id")?,
                complaint_id: r.try_get("complaint_id")?,
                due_at: from_micros(r.try_get("due_at")?),
                script: r.try_get("script")?,
                assignee_id: r.try_get("assignee_id")?,
                result: result.and_then(|s| s.parse().ok()),
                comment: r.try_get("comment")?,
                done_by: r.try_get("done_by")?,
                done_at: opt_time(r, "done_at")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// The deadlines an admin set, as (severity, stage, business minutes).
pub async fn deadlines(conn: &mut AnyConnection) -> Result<Vec<(String, String, i64)>> {
    Ok(
        sqlx::query_as("SELECT severity, stage, minutes FROM complaint_deadlines")
            .fetch_all(conn)
            .await?,
    )
}

pub async fn set_deadline(
    conn: &mut AnyConnection,
    severity: Severity,
    stage: Stage,
    minutes: i64,
) -> Result<()> {
    sqlx::query("DELETE FROM complaint_deadlines WHERE severity = $1 AND stage = $2")
        .bind(severity.key())
        .bind(stage.key())
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO complaint_deadlines (severity, stage, minutes) VALUES ($1, $2, $3)")
        .bind(severity.key())
        .bind(stage.key())
        .bind(minutes)
        .execute(conn)
        .await?;
    Ok(())
}

/// Back to the built-in deadline.
pub async fn clear_deadline(
    conn: &mut AnyConnection,
    severity: Severity,
    stage: Stage,
) -> Result<()> {
    sqlx::query("DELETE FROM complaint_deadlines WHERE severity = $1 AND stage = $2")
        .bind(severity.key())
        .bind(stage.key())
        .execute(conn)
        .await?;
    Ok(())
}

/// Active users of a department: who a handling notice goes to.
pub async fn department_members(conn: &mut AnyConnection, department_id: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM users WHERE department_id = $1 AND active = 1 ORDER BY id",
    )
    .bind(department_id)
    .fetch_all(conn)
    .await?)
}

/// Whether a department exists.
pub async fn department_exists(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM departments WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

/// The complaint a notice belongs to.
pub async fn notice_complaint(conn: &mut AnyConnection, notice_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT complaint_id FROM complaint_notices WHERE id = $1")
            .bind(notice_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The complaint a proposal belongs to.
pub async fn proposal_complaint(conn: &mut AnyConnection, proposal_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT complaint_id FROM complaint_proposals WHERE id = $1")
            .bind(proposal_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// The complaint an RMA belongs to.
pub async fn rma_complaint(conn: &mut AnyConnection, rma_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT complaint_id FROM complaint_rmas WHERE id = $1")
            .bind(rma_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// Notices past their due date, not answered and not yet escalated.
pub async fn overdue_notices(conn: &mut AnyConnection, now: Timestamp) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM complaint_notices WHERE due_at <= $1 AND escalated = 0 \
         AND status IN ('sent', 'acknowledged', 'returned') ORDER BY due_at LIMIT 500",
    )
    .bind(to_micros(now))
    .fetch_all(conn)
    .await?)
}

/// Marks a notice escalated once: false when another instance already did.
pub async fn claim_notice_escalation(conn: &mut AnyConnection, notice_id: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE complaint_notices SET escalated = 1 WHERE id = $1 AND escalated = 0")
            .bind(notice_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() == 1)
}

/// An amount column as summed by the reports: brought within `0..=MAX_AMOUNT_FEN`, so rows
/// stored before the ceiling existed count at the ceiling (see `kefu_domain::money`). With
/// every term bounded, `SUM` stays within `BIGINT` on both backends (SQLite raises "integer
/// overflow" past it; PostgreSQL sums `bigint` as `numeric`, and the `CAST … AS BIGINT`
/// around each sum gives both backends the same `i64` to read) up to 92 million amounts at
/// the ceiling in one group.
fn bounded_amount(column: &str) -> String {
    let max = kefu_domain::money::MAX_AMOUNT_FEN;
    format!("CASE WHEN {column} > {max} THEN {max} WHEN {column} < 0 THEN 0 ELSE {column} END")
}

/// One line of the statistics report: complaints sharing a value of the dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatRow {
    /// The dimension's value (a key, a name, or a day number for the time series).
    pub key: Option<String>,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    /// Cost of the approved solutions, in fen.
    pub cost_fen: i64,
    /// Microseconds from complaint to closing, summed over the closed ones.
    pub close_micros: i64,
}

/// What the report can be broken down by, as SQL over `complaints c` (with departments `d`
/// and customers `cu` joined).
fn dimension_sql(dimension: &str) -> Option<&'static str> {
    Some(match dimension {
        "category" => "c.category",
        "cause" => "c.cause",
        "department" => "d.key",
        "product" => "c.product",
        "part_number" => "c.part_number",
        "customer" => "COALESCE(cu.name, c.complainant)",
        "channel" => "c.channel",
        "validity" => {
            "CASE WHEN c.valid = 1 THEN 'valid' WHEN c.valid = 0 THEN 'invalid' ELSE 'pending' END"
        }
        "severity" => "c.severity",
        _ => return None,
    })
}

/// Complaints received in `[from, to)` grouped by `dimension` (see [`dimension_sql`]), or by
/// day number (days since the epoch at `offset_micros` from UTC) when it is `day`. At most
/// `limit` groups, the largest first.
pub async fn stats(
    conn: &mut AnyConnection,
    dimension: &str,
    from: Timestamp,
    to: Timestamp,
    offset_micros: i64,
    limit: i64,
) -> Result<Vec<StatRow>> {
    let day = format!("CAST((c.received_at + {offset_micros}) / 86400000000 AS TEXT)");
    let expr = match dimension {
        "day" => day.as_str(),
        d => {
            dimension_sql(d).ok_or_else(|| crate::StoreError::Corrupt(format!("dimension {d}")))?
        }
    };
    let order = if dimension == "day" { "k" } else { "n DESC, k" };
    // Only the dimensions that name a department or a customer read another table.
    let join = match dimension {
        "department" => {
            " LEFT JOIN departments d ON d.id = \
             COALESCE(c.responsible_department_id, c.department_id)"
        }
        "customer" => " LEFT JOIN customers cu ON cu.id = c.customer_id",
        _ => "",
    };
    let cost = bounded_amount("c.cost_fen");
    let sql = format!(
        "SELECT {expr} AS k, COUNT(*) AS n, \
         SUM(CASE WHEN c.valid = 1 THEN 1 ELSE 0 END) AS v, \
         SUM(CASE WHEN c.valid = 0 THEN 1 ELSE 0 END) AS iv, \
         SUM(CASE WHEN c.closed_at IS NOT NULL THEN 1 ELSE 0 END) AS cl, \
         CAST(COALESCE(SUM({cost}), 0) AS BIGINT) AS cost, \
         CAST(COALESCE(SUM(c.closed_at - c.received_at), 0) AS BIGINT) AS close_us \
         FROM complaints c{join} \
         WHERE c.received_at >= $1 AND c.received_at < $2 \
         GROUP BY {expr} ORDER BY {order} LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(to_micros(from))
        .bind(to_micros(to))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StatRow {
                key: r.try_get("k")?,
                count: r.try_get("n")?,
                valid: r.try_get("v")?,
                invalid: r.try_get("iv")?,
                closed: r.try_get("cl")?,
                cost_fen: r.try_get("cost")?,
                close_micros: r.try_get("close_us")?,
            })
        })
        .collect()
}

/// Business minutes spent per stage by complaints received in `[from, to)`: (stage, times
/// left, total minutes).
pub async fn stage_durations(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, i64, i64)>> {
    Ok(sqlx::query_as(
        "SELECT from_stage, COUNT(*), CAST(SUM(stage_minutes) AS BIGINT) FROM complaint_steps \
         WHERE stage_minutes IS NOT NULL AND received_at >= $1 AND received_at < $2 \
         GROUP BY from_stage",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .fetch_all(conn)
    .await?)
}

/// Penalties recorded on complaints received in `[from, to)`, in fen.
pub async fn penalty_total(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
) -> Result<i64> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({}), 0) AS BIGINT) FROM complaint_penalties p \
         JOIN complaints c ON c.id = p.complaint_id \
         WHERE c.received_at >= $1 AND c.received_at < $2",
        bounded_amount("p.amount_fen")
    );
    Ok(sqlx::query_scalar(&sql)
        .bind(to_micros(from))
        .bind(to_micros(to))
        .fetch_one(conn)
        .await?)
}
