//! Rate limiting of the JSON API, per token (or per client address without one).
//!
//! The counters live in this instance's memory: behind N instances a client gets up to N
//! times the limit. That is the usual trade for not writing to the database on every
//! call; the limit protects each instance, it is not a quota.

use std::num::NonZeroU32;

use axum::http::{HeaderMap, HeaderValue};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use crate::error::WebError;

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

pub struct ApiLimiter {
    limiter: Limiter,
    per_minute: u32,
    clock: DefaultClock,
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
        let n = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        let limiter = RateLimiter::keyed(Quota::per_minute(n))
            .with_middleware::<StateInformationMiddleware>();
        ApiLimiter {
            limiter,
            per_minute: n.get(),
            clock: DefaultClock::default(),
        }
    }

    pub fn check(&self, key: &str) -> Result<RateHeaders, WebError> {
        // Drop idle keys now and then so the map does not grow without bound.
        if self.limiter.len() > 10_000 {
            self.limiter.retain_recent();
        }
        match self.limiter.check_key(&key.to_owned()) {
            Ok(snapshot) => {
                let remaining = snapshot.remaining_burst_capacity();
                let used = self.per_minute.saturating_sub(remaining);
                // Capacity comes back evenly over the minute.
                let reset_secs = (u64::from(used) * 60).div_ceil(u64::from(self.per_minute));
                Ok(RateHeaders {
                    limit: self.per_minute,
                    remaining,
                    reset_secs,
                })
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                Err(WebError::RateLimited {
                    retry_after_secs: wait.as_secs().max(1),
                })
            }
        }
    }
}
