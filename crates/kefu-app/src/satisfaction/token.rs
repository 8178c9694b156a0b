//! The survey link's token: the survey, when the link runs out, and an HMAC of both and of
//! what the link is for (a ticket's survey, a relationship survey's invitation) under a
//! key kept in the database (so every instance makes and reads the same links). Nobody can
//! make a link for another survey, turn one kind into the other, or stretch one's life,
//! without the key.

use jiff::Timestamp;

use crate::secret::hmac_sha256_hex;

/// Hex digits of the HMAC a token carries (80 bits).
const MAC_DIGITS: usize = 20;

/// What a link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// 满意度调查 after a ticket.
    Csat,
    /// 关系调查 invitation.
    Relationship,
    /// 对账单 — a customer's statement, to confirm or dispute.
    Statement,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Csat => "csat",
            Purpose::Relationship => "rel",
            Purpose::Statement => "stmt",
        }
    }
}

fn mac(key: &str, purpose: Purpose, id: i64, expires: i64) -> String {
    let message = format!("{}:{id}:{expires}", purpose.tag());
    let full = hmac_sha256_hex(key.as_bytes(), message.as_bytes());
    full[..MAC_DIGITS].to_owned()
}

/// `{id}-{expires, seconds, base 36}-{mac}`: short enough for a text message.
pub(crate) fn make(key: &str, purpose: Purpose, id: i64, expires_at: Timestamp) -> String {
    let expires = expires_at.as_second();
    format!(
        "{id}-{}-{}",
        base36(expires),
        mac(key, purpose, id, expires)
    )
}

/// The survey and expiry a token names, when kefu made it.
pub(crate) fn read(key: &str, purpose: Purpose, token: &str) -> Option<(i64, Timestamp)> {
    let mut parts = token.trim().splitn(3, '-');
    let id: i64 = parts.next()?.parse().ok()?;
    let expires = i64::from_str_radix(parts.next()?, 36).ok()?;
    let given = parts.next()?;
    let want = mac(key, purpose, id, expires);
    if given.len() != want.len() || !same(given.as_bytes(), want.as_bytes()) {
        return None;
    }
    Some((id, Timestamp::from_second(expires).ok()?))
}

/// Compares without stopping at the first difference.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn base36(mut n: i64) -> String {
    const DIGITS: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    if n <= 0 {
        return "0".to_owned();
    }
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Purpose::*;
    use super::*;

    #[test]
    fn a_token_reads_back_and_a_changed_one_does_not() {
        let at: Timestamp = "2026-12-10T02:00:00Z".parse().unwrap();
        let t = make("key-1", Csat, 42, at);
        assert_eq!(read("key-1", Csat, &t), Some((42, at)));
        assert_eq!(read("key-1", Relationship, &t), None, "another purpose");
        assert_eq!(read("key-2", Csat, &t), None, "another key");
        let (head, mac) = t.rsplit_once('-').unwrap();
        let forged_id = t.replacen("42-", "43-", 1);
        assert_eq!(read("key-1", Csat, &forged_id), None);
        let later = make("key-1", Csat, 42, at + jiff::SignedDuration::from_hours(24));
        let stretched = format!("{}-{mac}", later.rsplit_once('-').unwrap().0);
        assert_eq!(
            read("key-1", Csat, &stretched),
            None,
            "a later expiry with the old mac"
        );
        assert_eq!(read("key-1", Csat, head), None);
        for junk in [
            "",
            "x",
            "1-2",
            "1-zz-",
            "-1-2-3",
            "9999999999999999999999-1-ab",
        ] {
            assert_eq!(read("key-1", Csat, junk), None, "{junk}");
        }
    }
}
