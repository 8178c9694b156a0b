//! What the search index is built from: ids in order, and the texts of several tickets,
//! customers and scripts at once.

use sqlx::{AnyConnection, Row};

use crate::{Result, marks};

/// Ids of `table` after `after`, in order (tickets, customers, reply_scripts).
pub async fn ids_after(
    conn: &mut AnyConnection,
    table: &str,
    after: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    let table = match table {
        "tickets" => "tickets",
        "customers" => "customers",
        _ => "reply_scripts",
    };
    Ok(sqlx::query_scalar(&format!(
        "SELECT id FROM {table} WHERE id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

pub async fn count(conn: &mut AnyConnection, table: &str) -> Result<i64> {
    let table = match table {
        "tickets" => "tickets",
        "customers" => "customers",
        _ => "reply_scripts",
    };
    Ok(sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(conn)
        .await?)
}

/// The messages and notes of these tickets, joined per ticket in order: (ticket id, text).
pub async fn ticket_texts(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT ticket_id, body FROM ticket_messages WHERE ticket_id IN ({}) \
         ORDER BY ticket_id, id",
        marks(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(conn).await?;
    let mut out: Vec<(i64, String)> = Vec::new();
    for r in rows {
        let id: i64 = r.try_get("ticket_id")?;
        let body: String = r.try_get("body")?;
        match out.last_mut() {
            Some((last, text)) if *last == id => {
                text.push('\n');
                text.push_str(&body);
            }
            _ => out.push((id, body)),
        }
    }
    Ok(out)
}
