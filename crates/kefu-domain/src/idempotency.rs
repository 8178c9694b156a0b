//! 幂等键 — the rules of an `Idempotency-Key` (the header most APIs follow, after Stripe and
//! the IETF draft): what a key may be, and how long one is remembered. A client that sends a
//! create again with the key of its first try (a retry after a timeout) gets the first
//! answer instead of a second ticket.

use jiff::{SignedDuration, Timestamp};

/// The longest key accepted, in characters (bytes: the key is ASCII).
pub const MAX_KEY_LEN: usize = 255;

/// How long a key is remembered; after that it is ignored, and purged.
pub const KEEP_FOR: SignedDuration = SignedDuration::from_hours(24);

/// Why a key was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the Idempotency-Key is empty")]
    Empty,
    #[error("the Idempotency-Key is longer than 255 characters")]
    TooLong,
    #[error("the Idempotency-Key holds a character that is not printable ASCII")]
    NotPrintable,
}

/// The key as sent (the header's bytes), checked: 1–255 printable ASCII characters (space
/// to `~`). A key in double quotes — the IETF draft sends a structured-field string — is
/// the key between them.
pub fn check_key(raw: &[u8]) -> Result<String, KeyError> {
    let key = raw
        .strip_prefix(b"\"")
        .and_then(|k| k.strip_suffix(b"\""))
        .unwrap_or(raw);
    if key.is_empty() {
        return Err(KeyError::Empty);
    }
    if !key.iter().all(|b| (0x20u8..=0x7e).contains(b)) {
        return Err(KeyError::NotPrintable);
    }
    if key.len() > MAX_KEY_LEN {
        return Err(KeyError::TooLong);
    }
    // Printable ASCII is UTF-8.
    Ok(key.iter().map(|b| char::from(*b)).collect())
}

/// Keys written before this instant are forgotten at `now`.
pub fn forgotten_before(now: Timestamp) -> Timestamp {
    now.checked_sub(KEEP_FOR).unwrap_or(Timestamp::MIN)
}

/// Whether a key written at `created_at` is still remembered at `now`.
pub fn is_remembered(created_at: Timestamp, now: Timestamp) -> bool {
    created_at >= forgotten_before(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_one_to_255_printable_ascii_characters() {
        assert_eq!(check_key(b"order-4711").unwrap(), "order-4711");
        assert_eq!(check_key(b"a b~!").unwrap(), "a b~!");
        assert_eq!(
            check_key(b"\"8e03978e-40d5-43e8\"").unwrap(),
            "8e03978e-40d5-43e8",
            "the draft's quoted form"
        );
        assert_eq!(check_key(&[b'k'; 255]).unwrap().len(), 255);
        assert_eq!(check_key(&[b'k'; 256]), Err(KeyError::TooLong));
        assert_eq!(check_key(b""), Err(KeyError::Empty));
        assert_eq!(check_key(b"\"\""), Err(KeyError::Empty));
        assert_eq!(check_key(b"tab\there"), Err(KeyError::NotPrintable));
        assert_eq!(check_key("键".as_bytes()), Err(KeyError::NotPrintable));
        assert_eq!(check_key(b"del\x7f"), Err(KeyError::NotPrintable));
    }

    #[test]
    fn a_key_is_remembered_for_24_hours() {
        let at: Timestamp = "2026-11-22T01:00:00Z".parse().unwrap();
        assert!(is_remembered(at, at));
        assert!(is_remembered(at, at + SignedDuration::from_hours(24)));
        assert!(!is_remembered(
            at,
            at + SignedDuration::from_hours(24) + SignedDuration::from_secs(1)
        ));
    }
}
