//! The change log: one row per business write (entity, id, operation, time), appended in
//! the same transaction as the write. Derived views such as the search index read it in
//! order of `id` and remember how far they got.

use jiff::Timestamp;
use sqlx::AnyConnection;

use crate::{Result, to_micros};

/// What happened to the entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
}

impl Operation {
    pub fn key(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }
}

/// One entry read back from the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub entity: String,
    pub entity_id: i64,
    pub operation: String,
    /// The staff member who made the change, if a person did.
    pub actor_user_id: Option<i64>,
}

pub async fn record(
    conn: &mut AnyConnection,
    entity: &str,
    entity_id: i64,
    op: Operation,
    actor_user_id: Option<i64>,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO change_log (at, entity, entity_id, operation, actor_user_id) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(to_micros(at))
    .bind(entity)
    .bind(entity_id)
    .bind(op.key())
    .bind(actor_user_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Entries after `after_id`, oldest first.
pub async fn since(conn: &mut AnyConnection, after_id: i64, limit: i64) -> Result<Vec<Change>> {
    let rows: Vec<(i64, String, i64, String, Option<i64>)> = sqlx::query_as(
        "SELECT id, entity, entity_id, operation, actor_user_id FROM change_log WHERE id > $1 \
         ORDER BY id LIMIT $2",
    )
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, entity, entity_id, operation, actor_user_id)| Change {
            id,
            entity,
            entity_id,
            operation,
            actor_user_id,
        })
        .collect())
}

/// The entries of these ids that are there (committed), oldest first.
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Change>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = ids
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let rows: Vec<(i64, String, i64, String, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT id, entity, entity_id, operation, actor_user_id FROM change_log \
         WHERE id IN ({list}) ORDER BY id"
    ))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, entity, entity_id, operation, actor_user_id)| Change {
            id,
            entity,
            entity_id,
            operation,
            actor_user_id,
        })
        .collect())
}

/// The newest entry's id (0 when the log is empty): where a new reader starts.
pub async fn latest_id(conn: &mut AnyConnection) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM change_log")
        .fetch_one(conn)
        .await?;
    Ok(id.unwrap_or(0))
}

/// How many entries the log holds about `entities`, and the newest one's id: a mark that
/// moves with every committed change of them. The count is what notices a change that
/// commits after a newer one (on PostgreSQL ids are taken before commit, not in its order).
pub async fn mark_of(conn: &mut AnyConnection, entities: &[&str]) -> Result<(i64, i64)> {
    let list = (1..=entities.len())
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT COUNT(*), MAX(id) FROM change_log WHERE entity IN ({list})");
    let mut query = sqlx::query_as::<_, (i64, Option<i64>)>(&sql);
    for e in entities {
        query = query.bind(*e);
    }
    let (count, newest) = query.fetch_one(conn).await?;
    Ok((count, newest.unwrap_or(0)))
}
