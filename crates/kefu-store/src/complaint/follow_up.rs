//! 回访 — the follow-up calls after a complaint is solved, and their results.

use jiff::Timestamp;
use kefu_domain::complaint::FollowUpResult;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, found, from_micros, to_micros};

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
