//! The change log as the index follower has read it. On PostgreSQL, entries take their ids
//! when written but become visible when their transactions commit, and concurrent
//! transactions commit in any order: an id missing below the highest one read may still
//! arrive (or never, when its transaction rolled back or a sequence skipped after a crash).
//! The follower applies what it reads at once, remembers each missing id for
//! [`GAP_WAIT`], reads the missing ones again each round, and commits the index's cursor
//! only up to the first id still missing, so a restart reads from there again.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// How long an id missing from the log is waited for: longer than any transaction kefu
/// makes runs.
pub(crate) const GAP_WAIT: Duration = Duration::from_secs(60);

/// A jump larger than this (a sequence moved on, a restore) is not waited for id by id.
const MAX_GAP: i64 = 1000;

#[derive(Debug, Default)]
pub(crate) struct Gaps {
    /// The highest id read and applied.
    seen: i64,
    /// Ids missing below `seen`, with when they were first missed.
    missing: BTreeMap<i64, Instant>,
}

impl Gaps {
    /// Starts (again) from the index's committed cursor when the follower is behind it (a
    /// new follower, or after a rebuild).
    pub(crate) fn start_from(&mut self, cursor: i64) {
        if cursor > self.seen || self.seen == 0 {
            self.seen = cursor;
            self.missing.clear();
        }
    }

    /// The highest id read.
    pub(crate) fn seen(&self) -> i64 {
        self.seen
    }

    /// The ids still waited for.
    pub(crate) fn missing(&self) -> Vec<i64> {
        self.missing.keys().copied().collect()
    }

    /// Notes the ids of new entries read after [`Gaps::seen`], ascending: those skipped
    /// become missing.
    pub(crate) fn read_new(&mut self, ids: &[i64], now: Instant) {
        for &id in ids {
            if id <= self.seen {
                continue;
            }
            if id - self.seen - 1 <= MAX_GAP {
                for gap in self.seen + 1..id {
                    self.missing.entry(gap).or_insert(now);
                }
            }
            self.seen = id;
        }
    }

    /// Notes missing ids that arrived.
    pub(crate) fn arrived(&mut self, ids: &[i64]) {
        for id in ids {
            self.missing.remove(id);
        }
    }

    /// Gives up on ids missed for longer than [`GAP_WAIT`].
    pub(crate) fn expire(&mut self, now: Instant) {
        self.missing
            .retain(|_, since| now.duration_since(*since) < GAP_WAIT);
    }

    /// Where the index may say it has read up to: before the first id still missing.
    pub(crate) fn cursor(&self) -> i64 {
        self.missing
            .keys()
            .next()
            .map_or(self.seen, |first| first - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_waits_below_a_missing_id_until_it_arrives_or_times_out() {
        let t0 = Instant::now();
        let mut g = Gaps::default();
        g.start_from(100);
        g.read_new(&[101, 103, 104], t0);
        assert_eq!((g.seen(), g.missing(), g.cursor()), (104, vec![102], 101));
        g.arrived(&[102]);
        assert_eq!(g.cursor(), 104);
        g.read_new(&[107], t0);
        assert_eq!(g.missing(), vec![105, 106]);
        g.expire(t0 + GAP_WAIT / 2);
        assert_eq!(g.cursor(), 104, "still waited for");
        g.expire(t0 + GAP_WAIT);
        assert_eq!(g.cursor(), 107, "given up");
        // A jump far ahead is not waited for id by id.
        g.read_new(&[107 + MAX_GAP + 2], t0);
        assert!(g.missing().is_empty());
        // A rebuild moves the start ahead; an older cursor does not move it back.
        g.start_from(5000);
        assert_eq!(g.seen(), 5000);
        g.start_from(10);
        assert_eq!(g.seen(), 5000);
    }
}
