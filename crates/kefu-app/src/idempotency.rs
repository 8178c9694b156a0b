//! 幂等键 — `Idempotency-Key` on the API's create calls (tickets, complaints, customers). A
//! client that sends a create again with the key of its first try — a retry after a timeout,
//! a queue delivering twice — gets the first answer instead of a second resource.
//!
//! A key is remembered per API token, with a fingerprint of the request (method, path and
//! body) and the resource it created, in a row written **in the transaction that creates the
//! resource**. So two requests with one key cannot both create: the second one's row
//! collides with the first's (on SQLite writers take turns, so it finds the first committed;
//! on PostgreSQL its insert waits on the unique index until the first transaction ends), its
//! transaction is rolled back, and it answers with what the first created. Only creations
//! are remembered: a request that was refused leaves nothing, and may be sent again, fixed,
//! with the same key. A key is forgotten after [`KEEP_FOR`](rules::KEEP_FOR): an older row
//! is ignored, replaced when its key is used again, and purged by the jobs worker.
//!
//! A use case that honours a key asks `App::replay_of` before it starts, `claim`s the key
//! in its transaction, and on a conflict asks `App::replay_after`.

use jiff::Timestamp;
use kefu_domain::idempotency as rules;
use kefu_store::idempotency::{self as store, StoredKey};
use kefu_store::{AnyConnection, StoreError};
use sha2::{Digest, Sha256};

use crate::{App, AppError, Result};

/// What a create call makes, and so what a key remembers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Ticket,
    /// Remembered by its ticket's id (one complaint per ticket): a complaint opened without
    /// a ticket claims its key with the ticket it opens first.
    Complaint,
    Customer,
}

impl Resource {
    pub fn key(self) -> &'static str {
        match self {
            Resource::Ticket => "ticket",
            Resource::Complaint => "complaint",
            Resource::Customer => "customer",
        }
    }
}

/// A create request's `Idempotency-Key`, checked, with the API token that sent it and the
/// fingerprint of the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    pub token_id: i64,
    pub key: String,
    /// SHA-256 (hex) of the method, path and body: the same key with another request is
    /// refused, not answered with the first one's result.
    pub fingerprint: String,
}

impl IdempotencyKey {
    /// Checks the key as sent (the header's bytes) and fingerprints the request.
    pub fn new(
        token_id: i64,
        raw: &[u8],
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<IdempotencyKey> {
        let key = rules::check_key(raw)?;
        let mut hash = Sha256::new();
        hash.update(method.as_bytes());
        hash.update(b" ");
        hash.update(path.as_bytes());
        hash.update(b"\n");
        hash.update(body);
        Ok(IdempotencyKey {
            token_id,
            key,
            fingerprint: hex::encode(hash.finalize()),
        })
    }
}

/// What a keyed create answers: the resource, and whether an earlier request with the same
/// key created it (the answer is then that request's, given again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Created {
    pub id: i64,
    pub replayed: bool,
}

/// Remembers, inside the transaction that creates it, that the request with `key` created
/// `id`. A key another request holds is a [`StoreError::Conflict`]: the caller lets its
/// transaction roll back and answers with [`App::replay_after`]. A forgotten row of the same
/// key is replaced.
pub(crate) async fn claim(
    conn: &mut AnyConnection,
    key: &IdempotencyKey,
    resource: Resource,
    id: i64,
    now: Timestamp,
) -> Result<()> {
    store::forget_if_before(conn, key.token_id, &key.key, rules::forgotten_before(now)).await?;
    store::insert(
        conn,
        &StoredKey {
            token_id: key.token_id,
            key: key.key.clone(),
            fingerprint: key.fingerprint.clone(),
            resource_kind: resource.key().to_owned(),
            resource_id: id,
            created_at: now,
        },
    )
    .await?;
    Ok(())
}

impl App {
    /// The id of what an earlier request with this key created, when this request is its
    /// retry; `None` when the key is new or forgotten. The same key with another request
    /// (another body, another path) is refused.
    pub(crate) async fn replay_of(
        &self,
        key: &IdempotencyKey,
        resource: Resource,
    ) -> Result<Option<i64>> {
        let mut conn = self.store.conn().await?;
        let Some(stored) = store::find(&mut conn, key.token_id, &key.key).await? else {
            return Ok(None);
        };
        if !rules::is_remembered(stored.created_at, self.now()) {
            return Ok(None);
        }
        if stored.fingerprint != key.fingerprint || stored.resource_kind != resource.key() {
            return Err(AppError::IdempotencyKeyReused);
        }
        Ok(Some(stored.resource_id))
    }

    /// A keyed create that failed with `err`: when a conflict refused it and the key is now
    /// held — another request with it committed first — what that request created;
    /// otherwise `err` as it was.
    pub(crate) async fn replay_after(
        &self,
        key: Option<&IdempotencyKey>,
        resource: Resource,
        err: AppError,
    ) -> Result<i64> {
        let conflict = matches!(err, AppError::Store(StoreError::Conflict(_)));
        if let Some(key) = key.filter(|_| conflict)
            && let Some(id) = self.replay_of(key, resource).await?
        {
            return Ok(id);
        }
        Err(err)
    }

    /// Forgets the keys older than [`KEEP_FOR`](rules::KEEP_FOR); run hourly by the jobs
    /// worker. Returns how many.
    pub async fn purge_idempotency_keys(&self) -> Result<u64> {
        let mut conn = self.store.conn().await?;
        let before = rules::forgotten_before(self.now());
        Ok(store::delete_before(&mut conn, before).await?)
    }
}
