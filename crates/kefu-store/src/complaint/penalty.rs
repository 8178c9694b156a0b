//! 处罚 — the penalties recorded against a department or a person for a complaint.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

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
