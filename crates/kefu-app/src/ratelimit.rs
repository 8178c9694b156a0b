//! 接口限流 — the API's calls per key per minute, counted in the database so that the limit
//! holds across every instance behind a load balancer: a client spreading its calls over
//! three instances gets the limit once, not three times.
//!
//! The count is the generic cell rate algorithm: each call moves the key's "allowance whole
//! again" moment on by a minute divided by the limit; a call that would move it more than a
//! minute ahead of now is refused. So a key may spend its whole minute at once, then gets
//! one call back every `60 / limit` seconds — the same allowance the in-memory limiter gave
//! each instance. It runs on the wall clock, which instances share (keep them on NTP), not
//! on the application's clock that tests may stop.
//!
//! On SQLite there is only ever one kefu process on the database, so the same cells are
//! kept in that process's memory ([`LocalRates`]) and an API call costs no write: a read
//! never queues behind the writers for its count.

use std::sync::Arc;

use kefu_domain::{Clock, SystemClock};
use kefu_store::StoreError;
use kefu_store::ratelimit as store;

use crate::{App, Result};

const MINUTE_US: i64 = 60_000_000;

/// An allowed call: what the `X-RateLimit-*` headers tell the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the allowance is whole again.
    pub reset_secs: u64,
}

/// The answer to one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateCheck {
    Allowed(Allowance),
    /// Refused; the next call is allowed after this many seconds.
    Limited {
        retry_after_secs: u64,
    },
}

/// The wall clock in microseconds: the rate is real time even where the application's
/// clock is a test's.
fn wall_clock_us() -> i64 {
    SystemClock.now().as_microsecond()
}

/// What one call costs in microseconds of the minute.
fn cost_us(per_minute: u32) -> i64 {
    (MINUTE_US / i64::from(per_minute.max(1))).max(1)
}

/// The allowance left when the key is whole again at `full_at_us`.
fn allowance(per_minute: u32, now_us: i64, full_at_us: i64) -> Allowance {
    let ahead = (full_at_us - now_us).clamp(0, MINUTE_US);
    let left = (MINUTE_US - ahead) / cost_us(per_minute);
    Allowance {
        limit: per_minute.max(1),
        remaining: u32::try_from(left)
            .unwrap_or(u32::MAX)
            .min(per_minute.max(1)),
        reset_secs: u64::try_from(ahead).unwrap_or(0).div_ceil(1_000_000),
    }
}

/// Seconds until one more call fits, when the key is whole again at `full_at_us`.
fn retry_after(per_minute: u32, now_us: i64, full_at_us: i64) -> u64 {
    let wait = full_at_us + cost_us(per_minute) - MINUTE_US - now_us;
    u64::try_from(wait).unwrap_or(0).div_ceil(1_000_000).max(1)
}

/// Takes one call of `cost_us` from a cell whole again at `full_at_us` (none: whole now):
/// the new moment, or `None` when it would pass `window_us` ahead of now.
fn take_cell(full_at_us: Option<i64>, now_us: i64, cost_us: i64, window_us: i64) -> Option<i64> {
    let next = full_at_us.map_or(now_us, |f| f.max(now_us)) + cost_us;
    (next - now_us <= window_us).then_some(next)
}

/// The cells of one process (SQLite's single instance), keyed like the database's.
#[derive(Debug, Default)]
pub struct LocalRates {
    cells: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl LocalRates {
    /// Counts one API call of `key` against `per_minute`, in memory.
    pub fn take(&self, key: &str, per_minute: u32) -> RateCheck {
        let now_us = wall_clock_us();
        let mut cells = self.cells.lock().unwrap_or_else(|e| e.into_inner());
        if cells.len() > 10_000 {
            // Forget keys whole for a minute, as the database's purge does.
            cells.retain(|_, full_at| *full_at >= now_us - MINUTE_US);
        }
        let full_at = cells.get(key).copied();
        match take_cell(full_at, now_us, cost_us(per_minute), MINUTE_US) {
            Some(next) => {
                cells.insert(key.to_owned(), next);
                RateCheck::Allowed(allowance(per_minute, now_us, next))
            }
            None => RateCheck::Limited {
                retry_after_secs: retry_after(
                    per_minute,
                    now_us,
                    full_at.unwrap_or(now_us + MINUTE_US),
                ),
            },
        }
    }
}

/// How many calls an instance takes from a key's shared allowance at once: a hundredth of
/// the minute's worth (6 at 600 a minute), at least one. Each API call would otherwise
/// write the key's row, and calls of one key queue on that row: with one busy token, the
/// row's lock was what limited the API.
fn slice_calls(per_minute: u32) -> u32 {
    u32::try_from((MINUTE_US / 100) / cost_us(per_minute))
        .unwrap_or(u32::MAX)
        .max(1)
}

/// How long calls taken but not yet spent stay this instance's; then they lapse. Only for
/// keys gone quiet: a busy key spends its slice long before.
const SLICE_LIFE_US: i64 = MINUTE_US;

/// Calls taken from the shared allowance and not yet spent.
#[derive(Debug, Clone, Copy)]
struct Slice {
    left: u32,
    taken_at_us: i64,
    /// The key's moment in the database once this slice was taken.
    full_at_us: i64,
}

/// What the database's row gave.
enum Taken {
    Granted { full_at_us: i64 },
    Refused { retry_after_secs: u64 },
}

/// An instance's slices of the shared allowances (PostgreSQL), keyed like the database's.
#[derive(Debug, Default)]
pub struct SharedRates {
    slices: std::sync::Mutex<std::collections::HashMap<String, Slice>>,
    /// One refill per key at a time: requests of a key arriving together wait for the one
    /// taking its next slice instead of each taking one.
    refills: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl SharedRates {
    /// Spends one call of a live slice of `key`, when there is one.
    fn spend(&self, key: &str, per_minute: u32, now_us: i64) -> Option<Allowance> {
        let mut slices = self.slices.lock().unwrap_or_else(|e| e.into_inner());
        let slice = slices.get_mut(key)?;
        if slice.left == 0 || now_us - slice.taken_at_us > SLICE_LIFE_US {
            slices.remove(key);
            return None;
        }
        slice.left -= 1;
        let mut a = allowance(per_minute, now_us, slice.full_at_us);
        a.remaining = a.remaining.saturating_add(slice.left).min(a.limit);
        Some(a)
    }

    /// The lock a refill of `key` holds.
    fn refill_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut refills = self.refills.lock().unwrap_or_else(|e| e.into_inner());
        if refills.len() > 10_000 {
            refills.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        refills.entry(key.to_owned()).or_default().clone()
    }

    /// Keeps what is left of a slice just taken (the call that took it spent one).
    fn keep(&self, key: &str, left: u32, now_us: i64, full_at_us: i64) {
        let mut slices = self.slices.lock().unwrap_or_else(|e| e.into_inner());
        if slices.len() > 10_000 {
            slices.retain(|_, s| now_us - s.taken_at_us <= SLICE_LIFE_US);
        }
        if left == 0 {
            return;
        }
        // Calls taken at the same moment by other requests of the key are kept together.
        let slice = slices.entry(key.to_owned()).or_insert(Slice {
            left: 0,
            taken_at_us: now_us,
            full_at_us,
        });
        slice.left = slice.left.saturating_add(left);
        slice.taken_at_us = slice.taken_at_us.max(now_us);
        slice.full_at_us = slice.full_at_us.max(full_at_us);
    }
}

impl App {
    /// Counts one API call of `key` (`token:ID` or `ip:ADDRESS`) against `per_minute`, in the
    /// database that every instance shares, a slice of calls at a time (see [`SharedRates`]).
    pub async fn take_api_call(
        &self,
        rates: &SharedRates,
        key: &str,
        per_minute: u32,
    ) -> Result<RateCheck> {
        if let Some(a) = rates.spend(key, per_minute, wall_clock_us()) {
            return Ok(RateCheck::Allowed(a));
        }
        let lock = rates.refill_lock(key);
        let _refilling = lock.lock().await;
        let now_us = wall_clock_us();
        // Refilled by another request while this one waited.
        if let Some(a) = rates.spend(key, per_minute, now_us) {
            return Ok(RateCheck::Allowed(a));
        }
        let calls = slice_calls(per_minute);
        let mut granted = calls;
        let mut taken = self
            .take_from_database(key, per_minute, calls, now_us)
            .await?;
        if calls > 1 && matches!(taken, Taken::Refused { .. }) {
            // Near the limit a whole slice may not fit while one call does.
            granted = 1;
            taken = self.take_from_database(key, per_minute, 1, now_us).await?;
        }
        Ok(match taken {
            Taken::Granted { full_at_us } => {
                let left = granted - 1;
                rates.keep(key, left, now_us, full_at_us);
                let mut a = allowance(per_minute, now_us, full_at_us);
                a.remaining = a.remaining.saturating_add(left).min(a.limit);
                RateCheck::Allowed(a)
            }
            Taken::Refused { retry_after_secs } => RateCheck::Limited { retry_after_secs },
        })
    }

    /// Takes `calls` calls of `key` at once from the database's row.
    async fn take_from_database(
        &self,
        key: &str,
        per_minute: u32,
        calls: u32,
        now_us: i64,
    ) -> Result<Taken> {
        // A write transaction: on SQLite it waits its turn with the other writers of this
        // process instead of spinning on the database lock.
        let mut tx = self.store.begin().await?;
        let cost = cost_us(per_minute) * i64::from(calls);
        let taken = match store::take(&mut tx, key, now_us, cost, MINUTE_US).await? {
            Some(full_at_us) => Taken::Granted { full_at_us },
            None => {
                // Refused: the row was left as it was; read it for the wait.
                let full_at = store::full_at(&mut tx, key)
                    .await?
                    .unwrap_or(now_us + MINUTE_US);
                Taken::Refused {
                    retry_after_secs: retry_after(per_minute, now_us, full_at),
                }
            }
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(taken)
    }

    /// Forgets the keys whose allowance has been whole for a minute; the web layer calls it
    /// about once a minute per instance.
    pub async fn purge_api_rate_limits(&self) -> Result<u64> {
        let before = wall_clock_us() - MINUTE_US;
        let mut conn = self.store.conn().await?;
        Ok(store::purge(&mut conn, before).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_takes_calls_until_its_window_is_spent() {
        let now = 1_000 * MINUTE_US;
        let cost = cost_us(3);
        let mut full = None;
        for _ in 0..3 {
            full = take_cell(full, now, cost, MINUTE_US);
            assert!(full.is_some());
        }
        assert_eq!(take_cell(full, now, cost, MINUTE_US), None);
        // One call's worth later there is room for one more.
        assert!(take_cell(full, now + cost, cost, MINUTE_US).is_some());
    }

    #[test]
    fn local_rates_refuse_the_call_past_the_limit_and_keep_keys_apart() {
        let rates = LocalRates::default();
        for _ in 0..2 {
            assert!(matches!(rates.take("token:1", 2), RateCheck::Allowed(_)));
        }
        assert!(matches!(
            rates.take("token:1", 2),
            RateCheck::Limited { retry_after_secs } if retry_after_secs >= 1
        ));
        assert!(matches!(rates.take("token:2", 2), RateCheck::Allowed(_)));
    }

    #[test]
    fn a_slice_is_spent_call_by_call_and_lapses_after_its_life() {
        let now = 1_000 * MINUTE_US;
        let rates = SharedRates::default();
        assert_eq!(slice_calls(30), 1);
        assert_eq!(slice_calls(600), 6);
        assert_eq!(
            slice_calls(1_000_000_000),
            600_000,
            "0.6 s of the minute, in whole µs"
        );
        // Six calls taken for the first; five left to spend here.
        let full_at = now + 6 * cost_us(600);
        rates.keep("token:1", 5, now, full_at);
        for left in (0..5).rev() {
            let a = rates
                .spend("token:1", 600, now + 1)
                .expect("a call of the slice");
            assert_eq!(
                a.remaining,
                allowance(600, now + 1, full_at).remaining + left
            );
        }
        assert!(
            rates.spend("token:1", 600, now + 2).is_none(),
            "the slice is spent"
        );
        assert!(rates.spend("token:2", 600, now).is_none(), "keys are apart");
        rates.keep("token:1", 5, now, full_at);
        rates.keep("token:1", 5, now, full_at + 6 * cost_us(600));
        for _ in 0..10 {
            assert!(
                rates.spend("token:1", 600, now + 1).is_some(),
                "slices taken together add up"
            );
        }
        assert!(rates.spend("token:1", 600, now + 1).is_none());
        rates.keep("token:1", 5, now, full_at);
        assert!(
            rates
                .spend("token:1", 600, now + SLICE_LIFE_US + 1)
                .is_none(),
            "an old slice lapses"
        );
    }

    #[test]
    fn a_fresh_key_has_all_but_the_call_it_made() {
        let now = 1_000 * MINUTE_US;
        let a = allowance(5, now, now + cost_us(5));
        assert_eq!(a.remaining, 4);
        assert_eq!(a.limit, 5);
        assert_eq!(a.reset_secs, 12);
    }

    #[test]
    fn a_spent_minute_waits_for_one_call() {
        let now = 1_000 * MINUTE_US;
        // Five calls of five at once: whole again in a minute, the sixth waits 12 s.
        let full_at = now + 5 * cost_us(5);
        assert_eq!(allowance(5, now, full_at).remaining, 0);
        assert_eq!(retry_after(5, now, full_at), 12);
        assert_eq!(retry_after(5, now + 11_500_000, full_at), 1);
    }
}
