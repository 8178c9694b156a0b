//! 客服消息接口 — what WeChat's answers mean to kefu. Every call answers `errcode` (0 for
//! done) and `errmsg`: an access token that expired or was replaced (40001, 42001, 40014)
//! is fetched again once and the call repeated; 45015 means the 48-hour window has passed
//! (the reply must go another way); -1 is WeChat being busy (tried again later); anything
//! else is final, shown with its code and words.

use jiff::{SignedDuration, Timestamp};

/// What an `errcode` asks kefu to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVerdict {
    /// 0: done.
    Ok,
    /// The access token is not (or no longer) valid: fetch a new one and call again, once.
    TokenExpired,
    /// 45015: the follower's last interaction is more than 48 hours ago.
    OutOfWindow,
    /// -1 (系统繁忙): try again later.
    Busy,
    /// Anything else: final.
    Refused,
}

/// The verdict on `errcode`.
pub fn verdict(errcode: i64) -> ApiVerdict {
    match errcode {
        0 => ApiVerdict::Ok,
        40001 | 40014 | 42001 => ApiVerdict::TokenExpired,
        45015 => ApiVerdict::OutOfWindow,
        -1 => ApiVerdict::Busy,
        _ => ApiVerdict::Refused,
    }
}

/// Stop using an access token this long before WeChat says it expires, so a call never
/// carries one that runs out on the way.
pub const TOKEN_MARGIN: SignedDuration = SignedDuration::from_mins(5);

/// Until when an access token fetched at `now`, valid `expires_in` seconds, is used: five
/// minutes before it expires (at once for one that lives less than that).
pub fn token_valid_until(now: Timestamp, expires_in: i64) -> Timestamp {
    let usable = SignedDuration::from_secs(expires_in.clamp(0, 30 * 24 * 3600)) - TOKEN_MARGIN;
    now + usable.max(SignedDuration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errcodes_say_what_to_do() {
        assert_eq!(verdict(0), ApiVerdict::Ok);
        for code in [40001, 40014, 42001] {
            assert_eq!(verdict(code), ApiVerdict::TokenExpired);
        }
        assert_eq!(verdict(45015), ApiVerdict::OutOfWindow);
        assert_eq!(verdict(-1), ApiVerdict::Busy);
        for code in [40003, 45047, 48001, 43004] {
            assert_eq!(verdict(code), ApiVerdict::Refused);
        }
    }

    #[test]
    fn a_token_is_used_until_five_minutes_before_it_expires() {
        let now: Timestamp = "2026-11-23T02:00:00Z".parse().unwrap();
        assert_eq!(
            token_valid_until(now, 7200),
            "2026-11-23T03:55:00Z".parse::<Timestamp>().unwrap()
        );
        assert_eq!(token_valid_until(now, 120), now);
        assert_eq!(token_valid_until(now, -5), now);
    }
}
