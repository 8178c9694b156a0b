//! 签名 — how a signed webhook (mail, telephone, later SMS) proves a post comes from whoever
//! holds the channel's secret: `X-Kefu-Timestamp: <unix seconds>` and `X-Kefu-Signature:
//! sha256=<hex>`, the HMAC-SHA256 under the secret of `<timestamp>.` followed by the body.
//! The timestamp must be within five minutes of kefu's clock either way, so a captured post
//! cannot be replayed later. Every channel checks its posts here, and audits a refusal the
//! same way (`App::check_webhook`): the channel and the reason, never the body or the
//! secret.

use jiff::Timestamp;
use serde_json::json;

use crate::audit::{Target, action};
use crate::secret::hmac_sha256_hex;
use crate::{Actor, App, AppError, Result};

/// How far a post's timestamp may be from kefu's clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

/// Why a post was refused as not signed by the channel's secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    MissingTimestamp,
    MissingSignature,
    /// Not a whole number of seconds.
    BadTimestamp,
    /// More than five minutes away from kefu's clock.
    StaleTimestamp,
    /// Not `sha256=<hex>`, or not the HMAC of this timestamp and body under the secret.
    BadSignature,
}

impl Rejection {
    /// The reason as the audit log and the API's `detail` give it.
    pub fn key(self) -> &'static str {
        match self {
            Rejection::MissingTimestamp => "missing_timestamp",
            Rejection::MissingSignature => "missing_signature",
            Rejection::BadTimestamp => "bad_timestamp",
            Rejection::StaleTimestamp => "stale_timestamp",
            Rejection::BadSignature => "bad_signature",
        }
    }
}

/// Checks a post's signature against `secret` at `now`.
pub fn verify(
    secret: &str,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: Timestamp,
) -> std::result::Result<(), Rejection> {
    let timestamp = timestamp
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Rejection::MissingTimestamp)?;
    let signature = signature
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or(Rejection::MissingSignature)?;
    let seconds: i64 = timestamp.parse().map_err(|_| Rejection::BadTimestamp)?;
    if now.as_second().abs_diff(seconds) > MAX_SKEW_SECS as u64 {
        return Err(Rejection::StaleTimestamp);
    }
    let given = signature
        .strip_prefix("sha256=")
        .ok_or(Rejection::BadSignature)?
        .to_ascii_lowercase();
    let mut message = Vec::with_capacity(timestamp.len() + 1 + body.len());
    message.extend_from_slice(timestamp.as_bytes());
    message.push(b'.');
    message.extend_from_slice(body);
    let expected = hmac_sha256_hex(secret.as_bytes(), &message);
    if same_text(&expected, &given) {
        Ok(())
    } else {
        Err(Rejection::BadSignature)
    }
}

/// Compares in time that does not depend on where the texts first differ, so the
/// signature cannot be guessed byte by byte from how long refusals take.
fn same_text(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.bytes()
        .zip(b.bytes())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// A post to a webhook: its two signature headers, as sent, and its body.
#[derive(Debug, Clone, Copy)]
pub struct SignedPost<'a> {
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub body: &'a [u8],
}

impl App {
    /// Checks a post to the webhook of channel `id` (`target_kind` names its kind in the
    /// audit log, `email_channel`, `phone_channel`) against the channel's `secret`: a
    /// refusal is audited and answered [`AppError::WebhookRejected`]; nothing else is
    /// written.
    pub(crate) async fn check_webhook(
        &self,
        actor: &Actor,
        target_kind: &str,
        id: i64,
        secret: &str,
        post: SignedPost<'_>,
    ) -> Result<()> {
        let checked = verify(
            secret,
            post.timestamp,
            post.signature,
            post.body,
            self.now(),
        );
        let Err(rejection) = checked else {
            return Ok(());
        };
        let id = id.to_string();
        self.audit_event(
            actor,
            action::WEBHOOK_REJECTED,
            Some(Target {
                kind: target_kind,
                id: &id,
            }),
            Some(json!({"reason": rejection.key()})),
        )
        .await?;
        Err(AppError::WebhookRejected(rejection))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0f3c9a";

    fn sign(ts: &str, body: &[u8]) -> String {
        let mut m = format!("{ts}.").into_bytes();
        m.extend_from_slice(body);
        format!("sha256={}", hmac_sha256_hex(SECRET.as_bytes(), &m))
    }

    #[test]
    fn a_signed_fresh_post_passes_and_anything_else_is_refused() {
        let now = Timestamp::from_second(1_800_000_000).unwrap();
        let body = "Subject: 你好\r\n\r\n正文".as_bytes();
        let ts = "1800000100";
        let good = sign(ts, body);
        assert_eq!(
            verify(SECRET, Some(ts), Some(good.as_str()), body, now),
            Ok(())
        );
        let upper = good.to_ascii_uppercase().replace("SHA256=", "sha256=");
        assert_eq!(
            verify(SECRET, Some(ts), Some(upper.as_str()), body, now),
            Ok(())
        );
        assert_eq!(
            verify("another", Some(ts), Some(good.as_str()), body, now),
            Err(Rejection::BadSignature)
        );
        assert_eq!(
            verify(SECRET, Some(ts), Some(good.as_str()), b"tampered", now),
            Err(Rejection::BadSignature)
        );
        let old = "1799999640";
        assert_eq!(
            verify(SECRET, Some(old), Some(sign(old, body).as_str()), body, now),
            Err(Rejection::StaleTimestamp)
        );
        assert_eq!(
            verify(SECRET, None, Some(good.as_str()), body, now),
            Err(Rejection::MissingTimestamp)
        );
        assert_eq!(
            verify(SECRET, Some(ts), None, body, now),
            Err(Rejection::MissingSignature)
        );
        assert_eq!(
            verify(SECRET, Some("soon"), Some(good.as_str()), body, now),
            Err(Rejection::BadTimestamp)
        );
        assert_eq!(
            verify(SECRET, Some(ts), Some(&good[7..]), body, now),
            Err(Rejection::BadSignature)
        );
    }
}
