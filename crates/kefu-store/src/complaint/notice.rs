//! 处理通知 — the handling notices sent to departments, who receives them, and the sweep
//! for notices past their due date.

use jiff::Timestamp;
use kefu_domain::complaint::NoticeStatus;
use sqlx::{AnyConnection, Row};

use crate::ticket::{opt_time, parse};
use crate::{Result, found, from_micros, to_micros};

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
