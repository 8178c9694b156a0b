//! Rate limiting of the JSON API, per token (or per client address without one).
//!
//! The counts live in the database (see `kefu_app::ratelimit`), so behind several instances
//! a client gets the limit once, wherever its calls land. Each instance takes a key's calls
//! from its row a hundredth of the limit at a time (one upsert per slice); about once a
//! minute each instance also forgets the keys that are whole again. On SQLite, which only
//! ever has one kefu process, the counts stay in this process's memory.

use std::sync::atomic::{AtomicI64, Ordering};

use axum::http::{HeaderMap, HeaderValue};
use kefu_app::App;
use kefu_app::ratelimit::{LocalRates, RateCheck, SharedRates};
use kefu_domain::{Clock, SystemClock};
use kefu_store::Backend;

use crate::error::WebError;

pub struct ApiLimiter {
    per_minute: u32,
    /// When (Unix seconds) this instance last purged the spent keys.
    purged_at: AtomicI64,
    /// The counts of a SQLite kefu (one process).
    local: LocalRates,
    /// This instance's slices of the shared counts (PostgreSQL).
    shared: SharedRates,
}

/// The `X-RateLimit-*` headers of an allowed call.
pub struct RateHeaders {
    limit: u32,
    remaining: u32,
    reset_secs: u64,
}

impl RateHeaders {
    pub fn apply(&self, headers: &mut HeaderMap) {
        headers.insert("x-ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(self.reset_secs));
    }
}

impl ApiLimiter {
    pub fn new(per_minute: u32) -> ApiLimiter {
        ApiLimiter {
            per_minute: per_minute.max(1),
            purged_at: AtomicI64::new(0),
            local: LocalRates::default(),
            shared: SharedRates::default(),
        }
    }

    pub async fn check(&self, app: &App, key: &str) -> Result<RateHeaders, WebError> {
        let check = if app.store.backend() == Backend::Sqlite {
            self.local.take(key, self.per_minute)
        } else {
            self.purge_now_and_then(app).await;
            app.take_api_call(&self.shared, key, self.per_minute)
                .await?
        };
        match check {
            RateCheck::Allowed(a) => Ok(RateHeaders {
                limit: a.limit,
                remaining: a.remaining,
                reset_secs: a.reset_secs,
            }),
            RateCheck::Limited { retry_after_secs } => {
                Err(WebError::RateLimited { retry_after_secs })
            }
        }
    }

    /// The first call of each minute purges; a failed purge is tried again next minute.
    async fn purge_now_and_then(&self, app: &App) {
        let now = SystemClock.now().as_second();
        let last = self.purged_at.load(Ordering::Relaxed);
        if now - last < 60
            || self
                .purged_at
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        if let Err(e) = app.purge_api_rate_limits().await {
            tracing::warn!(error = %e, "spent API rate limit keys could not be purged");
        }
    }
}
