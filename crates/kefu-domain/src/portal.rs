//! 客户门户 — how a portal account proves an address it reads: a link mailed to an e-mail
//! address, a six-digit code texted to a mobile (验证码). What a proven address brings (the
//! tickets filed from it before) and who may see them is decided in the use cases; the rules
//! here are what a code looks like, how long codes and links live, and how often they may
//! be asked for and tried.

use jiff::{SignedDuration, Timestamp};

keyed! {
    /// A kind of address a portal account proves.
    AddressKind {
        Email = "email",
        Mobile = "mobile",
    }
}

/// Digits of a code.
pub const CODE_DIGITS: usize = 6;
/// How long a code may be entered (text-message codes in China live 5–10 minutes).
pub const CODE_LIFETIME: SignedDuration = SignedDuration::from_mins(10);
/// Entries a code takes, wrong or right; after the last wrong one a new code must be asked
/// for. Five tries of a million codes, at most five codes an hour per mobile.
pub const CODE_ATTEMPTS: i64 = 5;
/// A new code or link to the same address no sooner than this after the last (the
/// "重新获取 (60 秒)" every Chinese sign-in page shows).
pub const RESEND_AFTER: SignedDuration = SignedDuration::from_secs(60);
/// Codes or links sent to one address within an hour.
pub const SENDS_PER_ADDRESS_PER_HOUR: i64 = 5;
/// Codes and links asked for from one client address within an hour.
pub const SENDS_PER_IP_PER_HOUR: i64 = 20;
/// How long an e-mail verification link works.
pub const LINK_LIFETIME: SignedDuration = SignedDuration::from_hours(24);

/// Why an address could not be proven, or a code not be sent or taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// Not a mainland mobile: codes go by text message to mainland mobiles only.
    #[error("not a mainland mobile number")]
    BadMobile,
    /// Not six digits.
    #[error("a code is six digits")]
    BadCode,
    #[error("wrong code ({left} tries left)")]
    WrongCode { left: i64 },
    #[error("the code has expired")]
    CodeExpired,
    #[error("too many wrong codes; ask for a new one")]
    TooManyAttempts,
    /// No code was asked for in this form, or it was used already.
    #[error("no code is waiting; ask for one")]
    NoCode,
    #[error("wait {secs} s before asking for another")]
    TooSoon { secs: i64 },
    #[error("too many codes or links asked for; try again in an hour")]
    TooManySends,
    #[error("the verification link is not valid")]
    BadLink,
    #[error("the verification link has expired")]
    LinkExpired,
    #[error("the verification link was used already")]
    LinkUsed,
    /// The account has no mainland mobile to send a code to.
    #[error("the account has no mainland mobile number")]
    NoMobile,
    /// The account has no e-mail address to send a link to.
    #[error("the account has no e-mail address")]
    NoEmail,
    #[error("the address is verified already")]
    AlreadyVerified,
    /// Another account proved the address first.
    #[error("the address is verified for another portal account")]
    AddressTaken,
    #[error("the portal account is deactivated")]
    AccountInactive,
}

/// An e-mail address as addresses are compared: trimmed, lower case.
pub fn normalise_email(s: &str) -> String {
    s.trim().to_lowercase()
}

/// The code a customer typed, as six ASCII digits: full-width digits (Chinese input methods),
/// spaces and dashes are forgiven.
pub fn clean_code(s: &str) -> Result<String, VerifyError> {
    let t: String = crate::customer::to_half_width(s)
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if t.len() == CODE_DIGITS && t.chars().all(|c| c.is_ascii_digit()) {
        Ok(t)
    } else {
        Err(VerifyError::BadCode)
    }
}

/// A code from a random number, every one of the million codes equally likely: `None` for
/// the few numbers past the last whole million (draw again).
pub fn code_from(random: u32) -> Option<String> {
    const CODES: u32 = 1_000_000;
    let whole = (u32::MAX / CODES) * CODES;
    (random < whole).then(|| format!("{:06}", random % CODES))
}

/// Where a code stands when one is entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeState {
    pub expires_at: Timestamp,
    /// Entries made so far.
    pub attempts: i64,
    pub used: bool,
}

/// Whether a code may still be tried at `now` (before the entry is counted).
pub fn check_open(s: &CodeState, now: Timestamp) -> Result<(), VerifyError> {
    if s.used {
        return Err(VerifyError::NoCode);
    }
    if s.attempts >= CODE_ATTEMPTS {
        return Err(VerifyError::TooManyAttempts);
    }
    if now >= s.expires_at {
        return Err(VerifyError::CodeExpired);
    }
    Ok(())
}

/// The answer to a wrong code, once it is counted (`attempts` includes it).
pub fn wrong_code(attempts: i64) -> VerifyError {
    let left = CODE_ATTEMPTS - attempts;
    if left <= 0 {
        VerifyError::TooManyAttempts
    } else {
        VerifyError::WrongCode { left }
    }
}

/// How long before another code or link may go to an address last sent to at `last`;
/// `None` when it may go now.
pub fn wait_before_resend(last: Option<Timestamp>, now: Timestamp) -> Option<i64> {
    let last = last?;
    let ready = last + RESEND_AFTER;
    (ready > now).then(|| ready.duration_since(now).as_secs().max(1))
}

/// A link's state when it is followed.
pub fn check_link(used: bool, expires_at: Timestamp, now: Timestamp) -> Result<(), VerifyError> {
    if used {
        Err(VerifyError::LinkUsed)
    } else if now >= expires_at {
        Err(VerifyError::LinkExpired)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn codes_are_six_digits_typed_any_way() {
        assert_eq!(clean_code(" 012 345 ").unwrap(), "012345");
        assert_eq!(clean_code("０１２３４５").unwrap(), "012345");
        assert_eq!(clean_code("12345"), Err(VerifyError::BadCode));
        assert_eq!(clean_code("12345a"), Err(VerifyError::BadCode));
        assert_eq!(clean_code("1234567"), Err(VerifyError::BadCode));
    }

    #[test]
    fn codes_drawn_from_random_numbers_are_uniform_and_padded() {
        assert_eq!(code_from(7).as_deref(), Some("000007"));
        assert_eq!(code_from(1_234_567).as_deref(), Some("234567"));
        assert_eq!(code_from(u32::MAX), None);
    }

    #[test]
    fn a_code_stops_after_its_tries_and_its_lifetime() {
        let now = at("2026-11-22T01:00:00Z");
        let open = CodeState {
            expires_at: now + CODE_LIFETIME,
            attempts: 0,
            used: false,
        };
        assert_eq!(check_open(&open, now), Ok(()));
        assert_eq!(
            check_open(&open, now + CODE_LIFETIME),
            Err(VerifyError::CodeExpired)
        );
        let spent = CodeState {
            attempts: CODE_ATTEMPTS,
            ..open
        };
        assert_eq!(check_open(&spent, now), Err(VerifyError::TooManyAttempts));
        let used = CodeState { used: true, ..open };
        assert_eq!(check_open(&used, now), Err(VerifyError::NoCode));
        assert_eq!(wrong_code(1), VerifyError::WrongCode { left: 4 });
        assert_eq!(wrong_code(CODE_ATTEMPTS), VerifyError::TooManyAttempts);
    }

    #[test]
    fn another_code_waits_a_minute() {
        let now = at("2026-11-22T01:00:00Z");
        assert_eq!(wait_before_resend(None, now), None);
        let last = now - SignedDuration::from_secs(20);
        assert_eq!(wait_before_resend(Some(last), now), Some(40));
        let long_ago = now - SignedDuration::from_secs(61);
        assert_eq!(wait_before_resend(Some(long_ago), now), None);
    }

    #[test]
    fn emails_compare_trimmed_and_in_lower_case() {
        assert_eq!(normalise_email("  Wang@Example.COM "), "wang@example.com");
    }

    #[test]
    fn links_work_once_and_for_a_day() {
        let now = at("2026-11-22T01:00:00Z");
        let expires = now + LINK_LIFETIME;
        assert_eq!(check_link(false, expires, now), Ok(()));
        assert_eq!(check_link(true, expires, now), Err(VerifyError::LinkUsed));
        assert_eq!(
            check_link(false, expires, expires),
            Err(VerifyError::LinkExpired)
        );
    }
}
