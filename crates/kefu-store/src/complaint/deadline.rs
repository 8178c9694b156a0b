//! Stage deadlines: the sweep's queries for complaints past their stage deadline, and the
//! deadlines an admin sets per severity and stage.

use jiff::Timestamp;
use kefu_domain::complaint::{Severity, Stage};
use sqlx::AnyConnection;

use crate::{Result, to_micros};

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
