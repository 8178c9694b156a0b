//! 幂等键 — remembered `Idempotency-Key`s: which API token sent which key, the fingerprint
//! of that request, and what it created. A row is written in the transaction that creates
//! the resource; the primary key (token, key) lets only one of two requests with one key
//! commit, the other's insert failing as [`StoreError::Conflict`](crate::StoreError)
//! (on PostgreSQL after waiting for the first transaction to end).

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// A key as remembered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredKey {
    pub token_id: i64,
    pub key: String,
    /// SHA-256 (hex) of the method, path and body of the request that used the key first.
    pub fingerprint: String,
    /// `ticket`, `complaint` (whose id is its ticket's) or `customer`.
    pub resource_kind: String,
    pub resource_id: i64,
    pub created_at: Timestamp,
}

/// The key `key` of token `token_id`, however old.
pub async fn find(conn: &mut AnyConnection, token_id: i64, key: &str) -> Result<Option<StoredKey>> {
    let row = sqlx::query(
        "SELECT token_id, idempotency_key, fingerprint, resource_kind, resource_id, created_at \
         FROM idempotency_keys WHERE token_id = $1 AND idempotency_key = $2",
    )
    .bind(token_id)
    .bind(key)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(StoredKey {
            token_id: r.try_get("token_id")?,
            key: r.try_get("idempotency_key")?,
            fingerprint: r.try_get("fingerprint")?,
            resource_kind: r.try_get("resource_kind")?,
            resource_id: r.try_get("resource_id")?,
            created_at: from_micros(r.try_get("created_at")?),
        })
    })
    .transpose()
}

/// Remembers a key; one the token already holds is a `Conflict`.
pub async fn insert(conn: &mut AnyConnection, k: &StoredKey) -> Result<()> {
    sqlx::query(
        "INSERT INTO idempotency_keys (token_id, idempotency_key, fingerprint, resource_kind, \
         resource_id, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(k.token_id)
    .bind(&k.key)
    .bind(&k.fingerprint)
    .bind(&k.resource_kind)
    .bind(k.resource_id)
    .bind(to_micros(k.created_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the token's key if it was written before `before`, so that it can be used
/// afresh without waiting for the purge.
pub async fn forget_if_before(
    conn: &mut AnyConnection,
    token_id: i64,
    key: &str,
    before: Timestamp,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys \
         WHERE token_id = $1 AND idempotency_key = $2 AND created_at < $3",
    )
    .bind(token_id)
    .bind(key)
    .bind(to_micros(before))
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets every key written before `before`; returns how many.
pub async fn delete_before(conn: &mut AnyConnection, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(to_micros(before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}
