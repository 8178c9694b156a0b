//! Where an instance reads the chat lines from. Ids are handed out when a line is inserted
//! and become visible when its transaction commits; on PostgreSQL two transactions may
//! commit in the other order, so a reader that went past id 101 may later find 100. The
//! cursor remembers the ids it skipped for a while and reads from below the oldest, telling
//! each line's news once.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The most skipped ids remembered at once (a burst of failed inserts leaves many).
const MAX_GAPS: usize = 1000;

#[derive(Debug, Default)]
pub struct Cursor {
    /// The highest id seen.
    high: i64,
    /// Ids below `high` not seen yet, with when they were first missed.
    gaps: BTreeMap<i64, Instant>,
}

impl Cursor {
    /// A cursor that has seen everything up to `head`.
    pub fn new(head: i64) -> Cursor {
        Cursor {
            high: head,
            gaps: BTreeMap::new(),
        }
    }

    /// The id to read after: just below the oldest id still looked for.
    pub fn floor(&self) -> i64 {
        self.gaps.keys().next().map_or(self.high, |g| g - 1)
    }

    /// Whether line `id`, just read (ids come in ascending order), is news.
    pub fn fresh(&mut self, id: i64, now: Instant) -> bool {
        if id > self.high {
            let skipped = id - self.high - 1;
            if skipped > 0 && (skipped as usize) + self.gaps.len() <= MAX_GAPS {
                for g in self.high + 1..id {
                    self.gaps.insert(g, now);
                }
            }
            self.high = id;
            return true;
        }
        self.gaps.remove(&id).is_some()
    }

    /// Stops looking for ids missed longer than `wait` ago (an insert that failed, a
    /// transaction rolled back).
    pub fn expire(&mut self, now: Instant, wait: Duration) {
        self.gaps
            .retain(|_, missed| now.saturating_duration_since(*missed) < wait);
    }

    /// Forgets everything up to `head` (nobody listened meanwhile).
    pub fn skip_to(&mut self, head: i64) {
        self.high = self.high.max(head);
        self.gaps.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_committed_late_is_still_told_once() {
        let t0 = Instant::now();
        let mut c = Cursor::new(10);
        assert_eq!(c.floor(), 10);
        // 11 is not visible yet; 12 is.
        assert!(c.fresh(12, t0));
        assert_eq!(c.floor(), 10, "11 is looked for");
        // The next read starts below 11 again: 12 is not news twice, 11 is news.
        assert!(c.fresh(11, t0));
        assert!(!c.fresh(12, t0));
        assert_eq!(c.floor(), 12);
    }

    #[test]
    fn a_gap_that_never_fills_is_given_up() {
        let t0 = Instant::now();
        let mut c = Cursor::new(0);
        assert!(c.fresh(3, t0));
        assert_eq!(c.floor(), 0);
        c.expire(t0 + Duration::from_secs(11), Duration::from_secs(10));
        assert_eq!(c.floor(), 3);
        assert!(!c.fresh(3, t0));
        c.skip_to(50);
        assert_eq!(c.floor(), 50);
    }
}
