//! The job queue: background work lives in the database and is claimed with a lease, so
//! several kefu instances on one database never run the same job twice, and a job whose
//! worker died is picked up again once its lease runs out.

use jiff::{SignedDuration, Timestamp};
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// A job to enqueue. A `unique_key` makes enqueueing idempotent: periodic jobs use one key
/// per period, so every instance may try and exactly one row results.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: &'a str,
    pub unique_key: Option<&'a str>,
    pub payload: &'a str,
    pub run_at: Timestamp,
    pub max_attempts: i64,
}

/// A job claimed by a worker.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
    /// When it was due: the claim's time less this is how late it started.
    pub run_at: Timestamp,
}

/// A job as listed for operators.
#[derive(Debug, Clone)]
pub struct JobRow {
    pub id: i64,
    pub kind: String,
    pub unique_key: Option<String>,
    pub status: String,
    pub attempts: i64,
    pub max_attempts: i64,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
    pub updated_at: Timestamp,
}

/// Inserts the job; returns false when a job with the same unique key already exists.
pub async fn enqueue(conn: &mut AnyConnection, job: &NewJob<'_>, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO jobs (kind, unique_key, payload, status, run_at, max_attempts, \
         created_at, updated_at) VALUES ($1, $2, $3, 'enqueued', $4, $5, $6, $6) \
         ON CONFLICT (unique_key) DO NOTHING",
    )
    .bind(job.kind)
    .bind(job.unique_key)
    .bind(job.payload)
    .bind(to_micros(job.run_at))
    .bind(job.max_attempts)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Claims the oldest due job for `worker` until `now + lease`. The outer `WHERE` repeats
/// the claimability test, so when two instances pick the same row at once only one update
/// matches and the other simply gets nothing this round.
pub async fn claim(
    conn: &mut AnyConnection,
    worker: &str,
    now: Timestamp,
    lease: SignedDuration,
) -> Result<Option<ClaimedJob>> {
    let now_us = to_micros(now);
    let until = to_micros(now.saturating_add(lease).unwrap_or(now));
    let row = sqlx::query(
        "UPDATE jobs SET status = 'processing', locked_by = $1, locked_until = $2, \
         attempts = attempts + 1, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs \
                     WHERE (status = 'enqueued' AND run_at <= $3) \
                        OR (status = 'processing' AND locked_until < $3) \
                     ORDER BY run_at, id LIMIT 1) \
           AND ((status = 'enqueued' AND run_at <= $3) \
                OR (status = 'processing' AND locked_until < $3)) \
         RETURNING id, kind, payload, attempts, max_attempts, run_at",
    )
    .bind(worker)
    .bind(until)
    .bind(now_us)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(ClaimedJob {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
            run_at: from_micros(r.try_get("run_at")?),
        })
    })
    .transpose()
}

pub async fn succeed(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE jobs SET status = 'succeeded', locked_by = NULL, locked_until = NULL, \
         last_error = NULL, updated_at = $1 WHERE id = $2 AND locked_by = $3",
    )
    .bind(to_micros(now))
    .bind(id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the failure; the job runs again at `retry_at`, or is marked failed for good when
/// `retry_at` is `None`. Either way the error is kept on the row.
pub async fn fail(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    error: &str,
    retry_at: Option<Timestamp>,
    now: Timestamp,
) -> Result<()> {
    let (status, run_at) = match retry_at {
        Some(at) => ("enqueued", Some(to_micros(at))),
        None => ("failed", None),
    };
    sqlx::query(
        "UPDATE jobs SET status = $1, run_at = COALESCE($2, run_at), last_error = $3, \
         locked_by = NULL, locked_until = NULL, updated_at = $4 \
         WHERE id = $5 AND locked_by = $6",
    )
    .bind(status)
    .bind(run_at)
    .bind(error)
    .bind(to_micros(now))
    .bind(id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(())
}

const SELECT_JOB: &str = "SELECT id, kind, unique_key, status, attempts, max_attempts, \
    run_at, last_error, updated_at FROM jobs";

fn job_from_row(r: &sqlx::any::AnyRow) -> Result<JobRow> {
    Ok(JobRow {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        unique_key: r.try_get("unique_key")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        max_attempts: r.try_get("max_attempts")?,
        run_at: from_micros(r.try_get("run_at")?),
        last_error: r.try_get("last_error")?,
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

pub async fn list(conn: &mut AnyConnection, limit: i64) -> Result<Vec<JobRow>> {
    let rows = sqlx::query(&format!("{SELECT_JOB} ORDER BY id DESC LIMIT $1"))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter().map(job_from_row).collect()
}

/// Jobs failing: failed for good at or after `since`, or waiting to be tried again after
/// an error. Both read the `(status, run_at)` index.
const FAILING: &str = "(status = 'failed' AND updated_at >= $1) \
    OR (status = 'enqueued' AND last_error IS NOT NULL)";

/// The jobs failing (see [`FAILING`]), the latest change first, at most `limit`.
pub async fn failing(
    conn: &mut AnyConnection,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<JobRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT_JOB} WHERE {FAILING} ORDER BY updated_at DESC, id DESC LIMIT $2"
    ))
    .bind(to_micros(since))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(job_from_row).collect()
}

/// How many jobs [`failing`] would list without a limit, counting at most `cap`.
pub async fn count_failing(conn: &mut AnyConnection, since: Timestamp, cap: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM jobs WHERE {FAILING} LIMIT $2) AS capped"
    ))
    .bind(to_micros(since))
    .bind(cap)
    .fetch_one(conn)
    .await?)
}

/// Extends the lease `worker` holds on job `id` to `until`, for a job that runs longer than
/// a lease (a backup of a large database); false when the job is no longer its.
pub async fn renew_lease(
    conn: &mut AnyConnection,
    id: i64,
    worker: &str,
    until: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET locked_until = $1, updated_at = $2 \
         WHERE id = $3 AND locked_by = $4 AND status = 'processing'",
    )
    .bind(to_micros(until))
    .bind(to_micros(now))
    .bind(id)
    .bind(worker)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
