//! A complaint's step log: one row per step taken, with the business minutes spent in the
//! stage it left.

use jiff::Timestamp;
use kefu_domain::complaint::Stage;
use sqlx::{AnyConnection, Row};

use crate::ticket::parse;
use crate::{Result, from_micros, to_micros};

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
    /// The RMA a step on an RMA moved (`rma_approved`…); `None` on every other step, and on
    /// RMA steps logged before steps named their RMA.
    pub rma_id: Option<i64>,
}

pub async fn add_step(conn: &mut AnyConnection, s: &Step) -> Result<()> {
    sqlx::query(
        "INSERT INTO complaint_steps (complaint_id, at, actor_user_id, actor_name, action, \
         from_stage, to_stage, comment, stage_minutes, received_at, rma_id) VALUES ($1, $2, $3, \
         $4, $5, $6, $7, $8, $9, $10, $11)",
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
    .bind(s.rma_id)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn steps(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Step>> {
    let rows = sqlx::query(
        "SELECT id, complaint_id, at, actor_user_id, actor_name, action, from_stage, to_stage, \
         comment, stage_minutes, received_at, rma_id FROM complaint_steps \
         WHERE complaint_id = $1 ORDER BY id",
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
                rma_id: r.try_get("rma_id")?,
            })
        })
        .collect()
}
