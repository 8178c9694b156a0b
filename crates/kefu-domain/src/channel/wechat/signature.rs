//! 服务器验证 — how WeChat proves a request comes from it: `signature` is the hex SHA-1 of
//! the account's Token, the request's `timestamp` and `nonce`, sorted as strings and joined.
//! The same check guards the `echostr` verification (GET) and every message (POST). The
//! timestamp must be within five minutes of kefu's clock either way, so a captured request
//! cannot be replayed later. In plaintext mode the body is not signed: the signature proves
//! only who sent the request (安全模式 would cover the body; kefu does not offer it).

use jiff::Timestamp;
use sha1::{Digest, Sha1};

/// How far a request's timestamp may be from kefu's clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a request was refused as not WeChat's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureProblem {
    MissingTimestamp,
    MissingSignature,
    /// Not a whole number of seconds.
    BadTimestamp,
    /// More than five minutes away from kefu's clock.
    StaleTimestamp,
    /// Not the SHA-1 of this token, timestamp and nonce.
    BadSignature,
}

/// The signature WeChat sends for `token`, `timestamp` and `nonce`: lowercase hex SHA-1 of
/// the three sorted (byte order, as WeChat's own sample code sorts) and joined.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    let mut parts = [token, timestamp, nonce];
    parts.sort_unstable();
    let mut hash = Sha1::new();
    for p in parts {
        hash.update(p.as_bytes());
    }
    hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Checks a request's query parameters against the account's `token` at `now`. A missing
/// nonce counts as empty (the signature then cannot match one WeChat made).
pub fn verify(
    token: &str,
    timestamp: Option<&str>,
    nonce: Option<&str>,
    given: Option<&str>,
    now: Timestamp,
) -> Result<(), SignatureProblem> {
    let timestamp = timestamp
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(SignatureProblem::MissingTimestamp)?;
    let given = given
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(SignatureProblem::MissingSignature)?;
    let seconds: i64 = timestamp
        .parse()
        .map_err(|_| SignatureProblem::BadTimestamp)?;
    if now.as_second().abs_diff(seconds) > MAX_SKEW_SECS as u64 {
        return Err(SignatureProblem::StaleTimestamp);
    }
    let expected = signature(token, timestamp, nonce.unwrap_or_default());
    if same_text(&expected, &given.to_ascii_lowercase()) {
        Ok(())
    } else {
        Err(SignatureProblem::BadSignature)
    }
}

/// Compares in time that does not depend on where the texts first differ, so a signature
/// cannot be guessed byte by byte from how long refusals take.
fn same_text(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "kefuToken2026";

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(second).unwrap()
    }

    #[test]
    fn the_signature_is_sha1_of_the_sorted_parts() {
        // Computed independently: sha1("1700000000" + "583921" + "kefuToken2026").
        assert_eq!(
            signature(TOKEN, "1700000000", "583921"),
            "483ee5bc42a9cd83456e08bfde95eaf5f73b789a"
        );
        // Capitals sort between digits and small letters, as bytes do.
        assert_eq!(
            signature("AAAtoken", "1700000000", "nonceZ"),
            "6e7f624a47274e71ba8dc611ee5d3cfe2bb1a0e1"
        );
        // The order the parts are given in does not matter.
        assert_eq!(
            signature("583921", TOKEN, "1700000000"),
            signature(TOKEN, "1700000000", "583921")
        );
    }

    #[test]
    fn a_fresh_right_signature_passes_and_anything_else_is_refused() {
        let now = at(1_700_000_100);
        let good = signature(TOKEN, "1700000000", "583921");
        let check = |ts: Option<&str>, nonce: Option<&str>, sig: Option<&str>| {
            verify(TOKEN, ts, nonce, sig, now)
        };
        assert_eq!(
            check(Some("1700000000"), Some("583921"), Some(good.as_str())),
            Ok(())
        );
        let upper = good.to_ascii_uppercase();
        assert_eq!(
            check(Some("1700000000"), Some("583921"), Some(upper.as_str())),
            Ok(())
        );
        assert_eq!(
            verify(
                "another",
                Some("1700000000"),
                Some("583921"),
                Some(good.as_str()),
                now
            ),
            Err(SignatureProblem::BadSignature)
        );
        assert_eq!(
            check(Some("1700000000"), Some("583922"), Some(good.as_str())),
            Err(SignatureProblem::BadSignature)
        );
        assert_eq!(
            check(Some("1700000000"), None, Some(good.as_str())),
            Err(SignatureProblem::BadSignature)
        );
        assert_eq!(
            check(Some("1700000000"), Some("583921"), Some(&good[1..])),
            Err(SignatureProblem::BadSignature)
        );
        assert_eq!(
            check(None, Some("583921"), Some(good.as_str())),
            Err(SignatureProblem::MissingTimestamp)
        );
        assert_eq!(
            check(Some("1700000000"), Some("583921"), None),
            Err(SignatureProblem::MissingSignature)
        );
        assert_eq!(
            check(Some("soon"), Some("583921"), Some(good.as_str())),
            Err(SignatureProblem::BadTimestamp)
        );
        // Six minutes old, or six minutes ahead: refused even when signed right.
        let old = signature(TOKEN, "1699999740", "583921");
        assert_eq!(
            check(Some("1699999740"), Some("583921"), Some(old.as_str())),
            Err(SignatureProblem::StaleTimestamp)
        );
        let ahead = signature(TOKEN, "1700000460", "583921");
        assert_eq!(
            check(Some("1700000460"), Some("583921"), Some(ahead.as_str())),
            Err(SignatureProblem::StaleTimestamp)
        );
        // Five minutes is still fresh.
        let edge = signature(TOKEN, "1699999800", "583921");
        assert_eq!(
            check(Some("1699999800"), Some("583921"), Some(edge.as_str())),
            Ok(())
        );
    }
}
