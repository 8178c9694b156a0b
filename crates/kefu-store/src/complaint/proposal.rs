//! 处理方案 — the solutions proposed for a complaint and their approval.

use jiff::Timestamp;
use kefu_domain::complaint::{ProposalStatus, Remedy};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::{opt_time, parse};
use crate::{Result, found, from_micros, to_micros};

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
    rows.iter().map(proposal_from_row).collect()
}

fn proposal_from_row(r: &AnyRow) -> Result<Proposal> {
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

/// A proposal waiting for approval, with what the approver needs to see of its complaint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiting {
    pub proposal: Proposal,
    pub ticket_number: String,
    pub complainant: String,
    pub customer_name: Option<String>,
    pub severity: String,
    pub category: String,
}

/// 待审批 — every proposal waiting for a decision, oldest first, at most `limit`.
pub async fn waiting_proposals(conn: &mut AnyConnection, limit: i64) -> Result<Vec<Waiting>> {
    let rows = sqlx::query(
        "SELECT p.id, p.complaint_id, p.remedy, p.description, p.cost_fen, p.status, \
         p.proposed_by, u.display_name AS proposed_by_name, p.proposed_at, p.decided_by, \
         p.decided_at, p.decision_comment, t.number AS ticket_number, c.complainant, \
         cu.name AS customer_name, c.severity, c.category \
         FROM complaint_proposals p JOIN complaints c ON c.id = p.complaint_id \
         JOIN tickets t ON t.id = c.ticket_id LEFT JOIN customers cu ON cu.id = c.customer_id \
         LEFT JOIN users u ON u.id = p.proposed_by \
         WHERE p.status = $1 ORDER BY p.proposed_at, p.id LIMIT $2",
    )
    .bind(ProposalStatus::Proposed.key())
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Waiting {
                proposal: proposal_from_row(r)?,
                ticket_number: r.try_get("ticket_number")?,
                complainant: r.try_get("complainant")?,
                customer_name: r.try_get("customer_name")?,
                severity: r.try_get("severity")?,
                category: r.try_get("category")?,
            })
        })
        .collect()
}

/// How many proposals wait for a decision: the length of [`waiting_proposals`] without its
/// limit, from the same index.
pub async fn count_waiting_proposals(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM complaint_proposals WHERE status = $1")
            .bind(ProposalStatus::Proposed.key())
            .fetch_one(conn)
            .await?,
    )
}
