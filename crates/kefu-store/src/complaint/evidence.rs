//! 调查证据 — the files that are a complaint's evidence. The files themselves are the
//! complaint ticket's attachments (stored, served and guarded as those are); this table says
//! which of them are evidence, who added each and when.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// One evidence file, described without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// The ticket attachment holding the file.
    pub attachment_id: i64,
    /// The complaint's ticket, whose attachment route serves the file.
    pub ticket_id: i64,
    pub filename: String,
    /// The type read from the file's bytes.
    pub content_type: String,
    pub size: i64,
    pub added_by: Option<i64>,
    pub added_by_name: Option<String>,
    pub added_at: Timestamp,
}

/// Marks attachment `attachment_id` of the complaint's ticket as evidence.
pub async fn add_evidence(
    conn: &mut AnyConnection,
    complaint_id: i64,
    attachment_id: i64,
    added_by: Option<i64>,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO complaint_evidence (complaint_id, attachment_id, added_by, added_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(complaint_id)
    .bind(attachment_id)
    .bind(added_by)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The complaint's evidence, oldest first.
pub async fn evidence(conn: &mut AnyConnection, complaint_id: i64) -> Result<Vec<Evidence>> {
    let rows = sqlx::query(
        "SELECT e.attachment_id, a.ticket_id, a.filename, a.content_type, a.size, e.added_by, \
         u.display_name AS added_by_name, e.added_at FROM complaint_evidence e \
         JOIN ticket_attachments a ON a.id = e.attachment_id \
         LEFT JOIN users u ON u.id = e.added_by \
         WHERE e.complaint_id = $1 ORDER BY e.attachment_id",
    )
    .bind(complaint_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Evidence {
                attachment_id: r.try_get("attachment_id")?,
                ticket_id: r.try_get("ticket_id")?,
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                added_by: r.try_get("added_by")?,
                added_by_name: r.try_get("added_by_name")?,
                added_at: from_micros(r.try_get("added_at")?),
            })
        })
        .collect()
}
