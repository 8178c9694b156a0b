//! 售后照片 — the photos of an RMA's fault. The bytes live once in `attachment_blobs` under
//! their SHA-256, shared with ticket attachments; a photo names them.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// A photo, described without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RmaPhoto {
    pub id: i64,
    pub rma_id: i64,
    pub filename: String,
    /// The type read from the bytes.
    pub content_type: String,
    pub size: i64,
    pub by: Option<i64>,
    pub by_name: Option<String>,
    /// Sent by the customer in the portal.
    pub by_customer: bool,
    pub created_at: Timestamp,
}

/// A photo to store: what it is and who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRmaPhoto<'a> {
    pub rma_id: i64,
    pub filename: &'a str,
    pub content_type: &'a str,
    /// The hex SHA-256 of `data`.
    pub sha256: &'a str,
    pub data: &'a [u8],
    pub by: Option<i64>,
    pub by_customer: bool,
    pub at: Timestamp,
}

/// Stores a photo (its bytes once, whoever stored them first); its id.
pub async fn add(conn: &mut AnyConnection, p: &NewRmaPhoto<'_>) -> Result<i64> {
    crate::ticket::conversation::store_blob(&mut *conn, p.sha256, p.data, p.at).await?;
    Ok(sqlx::query_scalar(
        "INSERT INTO rma_photos (rma_id, filename, content_type, size, sha256, by_user, \
         by_customer, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(p.rma_id)
    .bind(p.filename)
    .bind(p.content_type)
    .bind(p.data.len() as i64)
    .bind(p.sha256)
    .bind(p.by)
    .bind(crate::flag(p.by_customer))
    .bind(to_micros(p.at))
    .fetch_one(conn)
    .await?)
}

/// The RMA's photos, oldest first.
pub async fn photos(conn: &mut AnyConnection, rma_id: i64) -> Result<Vec<RmaPhoto>> {
    let rows = sqlx::query(
        "SELECT p.id, p.rma_id, p.filename, p.content_type, p.size, p.by_user, \
         u.display_name AS by_name, p.by_customer, p.created_at FROM rma_photos p \
         LEFT JOIN users u ON u.id = p.by_user WHERE p.rma_id = $1 ORDER BY p.id",
    )
    .bind(rma_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RmaPhoto {
                id: r.try_get("id")?,
                rma_id: r.try_get("rma_id")?,
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                by: r.try_get("by_user")?,
                by_name: r.try_get("by_name")?,
                by_customer: r.try_get::<i64, _>("by_customer")? != 0,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// How many photos the RMA has.
pub async fn count(conn: &mut AnyConnection, rma_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM rma_photos WHERE rma_id = $1")
            .bind(rma_id)
            .fetch_one(conn)
            .await?,
    )
}

/// How many photos each of `rma_ids` holds: (RMA, count), those with none left out.
pub async fn counts(conn: &mut AnyConnection, rma_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    if rma_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (1..=rma_ids.len())
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT rma_id, COUNT(*) FROM rma_photos WHERE rma_id IN ({marks}) GROUP BY rma_id"
    );
    let mut q = sqlx::query_as::<_, (i64, i64)>(&sql);
    for id in rma_ids {
        q = q.bind(*id);
    }
    Ok(q.fetch_all(conn).await?)
}

/// A photo's name, type and bytes, checked to belong to `rma_id`.
pub async fn data(
    conn: &mut AnyConnection,
    rma_id: i64,
    id: i64,
) -> Result<(String, String, Vec<u8>)> {
    let row = sqlx::query(
        "SELECT p.filename, p.content_type, b.data FROM rma_photos p \
         JOIN attachment_blobs b ON b.sha256 = p.sha256 WHERE p.id = $1 AND p.rma_id = $2",
    )
    .bind(id)
    .bind(rma_id)
    .fetch_one(conn)
    .await?;
    Ok((
        row.try_get("filename")?,
        row.try_get("content_type")?,
        row.try_get("data")?,
    ))
}
