//! 故障降级 — the database away or full, as people and programs read it. While the
//! database cannot be reached (restarting, failing over, down) every request that needs it
//! is answered 503 with `Retry-After` within the pool's acquire timeout, never left
//! hanging: an API client, a mail server posting to a webhook, a telephone system or
//! WeChat sends the same request again later, and a person sees a page saying to try again
//! in a few seconds. A full disk is 507 Insufficient Storage: nothing of the request was
//! saved, what was saved before is intact, and it stays so until someone frees space.

use axum::http::StatusCode;
use kefu_store::StoreError;

use super::ErrorInfo;

/// Seconds a client is asked to wait while the database is unreachable: about what a
/// restart of PostgreSQL takes, a failover a little more.
pub const UNAVAILABLE_RETRY_SECS: u64 = 5;

/// Seconds a client is asked to wait when the disk is full: nothing changes until someone
/// frees space, so retries are spaced out.
pub const STORAGE_FULL_RETRY_SECS: u64 = 60;

/// Marks a response whose error body is already written for its reader (the health
/// check's JSON for a load balancer): [`super::render_errors`] leaves it as it is.
#[derive(Debug, Clone, Copy)]
pub struct KeepBody;

/// Whether a store error is the database away or full rather than a fault of kefu's.
pub(super) fn is_outage(e: &StoreError) -> bool {
    e.is_unavailable() || e.is_storage_full()
}

pub(super) fn outage_info(e: &StoreError) -> ErrorInfo {
    if e.is_storage_full() {
        tracing::error!(error = %e, "the database's storage is full: nothing more is saved");
        ErrorInfo {
            retry_after_secs: Some(STORAGE_FULL_RETRY_SECS),
            ..ErrorInfo::new(StatusCode::INSUFFICIENT_STORAGE, "storage_full")
        }
    } else {
        tracing::warn!(error = %e, "database unavailable: answered 503");
        ErrorInfo {
            retry_after_secs: Some(UNAVAILABLE_RETRY_SECS),
            args: vec![("secs", UNAVAILABLE_RETRY_SECS.to_string())],
            ..ErrorInfo::new(StatusCode::SERVICE_UNAVAILABLE, "database_unavailable")
        }
    }
}
