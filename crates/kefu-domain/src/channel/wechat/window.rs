//! 48 小时回复窗口 — WeChat lets an account send customer-service messages to a follower
//! only within 48 hours of the follower's last interaction (a message, a subscription, a
//! menu click); after that the API answers 45015 and the reply must go another way. The
//! ticket page shows how long is left, and a reply is not queued once it has passed.

use jiff::{SignedDuration, Timestamp};

/// How long after the follower's last interaction the account may still write to them.
pub const REPLY_WINDOW: SignedDuration = SignedDuration::from_hours(48);

/// Whether a reply may still go by WeChat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyWindow {
    /// Open, with this much time left (at most [`REPLY_WINDOW`]).
    Open { left: SignedDuration },
    /// Passed, or the follower never wrote.
    Closed,
}

impl ReplyWindow {
    pub fn is_open(self) -> bool {
        matches!(self, ReplyWindow::Open { .. })
    }

    /// Whole hours left (rounded down): 31 for 31 h 59 min; `None` once closed.
    pub fn hours_left(self) -> Option<i64> {
        match self {
            ReplyWindow::Open { left } => Some(left.as_secs() / 3600),
            ReplyWindow::Closed => None,
        }
    }
}

/// The window at `now` for a follower whose last interaction was at `last` (`None`: never).
/// A last interaction ahead of `now` (clocks apart) counts as now.
pub fn reply_window(last: Option<Timestamp>, now: Timestamp) -> ReplyWindow {
    let Some(last) = last else {
        return ReplyWindow::Closed;
    };
    let elapsed = now.duration_since(last).max(SignedDuration::ZERO);
    let left = REPLY_WINDOW - elapsed;
    if left > SignedDuration::ZERO {
        ReplyWindow::Open { left }
    } else {
        ReplyWindow::Closed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_counts_down_48_hours_from_the_last_message() {
        let last = at("2026-11-23T02:00:00Z");
        let w = reply_window(Some(last), at("2026-11-23T19:00:00Z"));
        assert_eq!(w.hours_left(), Some(31));
        assert!(w.is_open());
        // 31 h 59 min left still reads 31 hours.
        let w = reply_window(Some(last), at("2026-11-23T18:01:00Z"));
        assert_eq!(w.hours_left(), Some(31));
        // The last minutes: open, no whole hour left.
        let w = reply_window(Some(last), at("2026-11-25T01:59:00Z"));
        assert_eq!(w.hours_left(), Some(0));
        assert!(w.is_open());
        // Exactly 48 hours later it has passed.
        assert_eq!(
            reply_window(Some(last), at("2026-11-25T02:00:00Z")),
            ReplyWindow::Closed
        );
        assert_eq!(
            reply_window(Some(last), at("2026-12-01T00:00:00Z")).hours_left(),
            None
        );
        assert_eq!(reply_window(None, last), ReplyWindow::Closed);
    }

    #[test]
    fn a_message_from_the_future_counts_as_now() {
        let now = at("2026-11-23T02:00:00Z");
        let w = reply_window(Some(at("2026-11-23T03:00:00Z")), now);
        assert_eq!(w, ReplyWindow::Open { left: REPLY_WINDOW });
        assert_eq!(w.hours_left(), Some(48));
    }
}
