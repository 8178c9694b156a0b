//! 退换货 — the RMAs (returns, replacements, refunds) carried out for an approved solution.

use jiff::Timestamp;
use kefu_domain::complaint::{Remedy, RmaStatus};
use sqlx::{AnyConnection, Row};

use crate::ticket::parse;
use crate::{Result, found, from_micros, to_micros};

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

/// The complaint an RMA belongs to.
pub async fn rma_complaint(conn: &mut AnyConnection, rma_id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT complaint_id FROM complaint_rmas WHERE id = $1")
            .bind(rma_id)
            .fetch_optional(conn)
            .await?,
    )
}
