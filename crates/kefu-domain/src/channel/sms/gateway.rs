//! 短信网关 — what an SMS gateway setting may be (where kefu posts a text, the key it
//! presents, the signature the operator shows), the number a text goes to, and how a
//! gateway's answer is read.

use crate::channel::phone::{CallerNumber, NumberKind};

/// Why a gateway setting was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SmsSettingsError {
    #[error("the send URL must be an https:// address with a host")]
    BadSendUrl,
    /// `http://` carries the API key and the customers' numbers in clear: only to this
    /// machine (a gateway process beside kefu, a test).
    #[error("http:// is allowed only to 127.0.0.1, localhost or ::1; use https://")]
    CleartextRemote,
    #[error("the signature must be 2–16 characters, e.g. 【恒信售后】")]
    BadSignName,
    #[error("the API key must be at most 512 characters, without spaces")]
    BadApiKey,
}

/// Longest send URL kept.
const URL_MAX: usize = 2048;
/// Longest API key kept.
const API_KEY_MAX: usize = 512;

/// Whether `host` is this machine: 127.0.0.0/8, `::1` or `localhost` (and nothing merely
/// starting with `127.`, such as `127.example.com`).
fn is_loopback(host: &str) -> bool {
    let h = host.trim_matches(['[', ']']).to_ascii_lowercase();
    h == "localhost"
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The host of a URL's authority (`[::1]:8080` → `::1`, `sms.example.com:443` →
/// `sms.example.com`).
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default();
    }
    authority.split(':').next().unwrap_or_default()
}

/// The gateway's send endpoint as the administrator typed it: `https://` and a host, or
/// `http://` to this machine only. No spaces, no user name or password in it (the key goes
/// in its own field, which is never shown again).
pub fn check_send_url(url: &str) -> Result<String, SmsSettingsError> {
    let u = url.trim();
    let clean = !u
        .chars()
        .any(|c| c.is_whitespace() || c.is_control() || c == '"');
    if !clean || u.len() > URL_MAX {
        return Err(SmsSettingsError::BadSendUrl);
    }
    let lower = u.to_ascii_lowercase();
    let (secure, rest) = match (
        lower.strip_prefix("https://"),
        lower.strip_prefix("http://"),
    ) {
        (Some(rest), _) => (true, rest),
        (None, Some(rest)) => (false, rest),
        (None, None) => return Err(SmsSettingsError::BadSendUrl),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host_of(authority);
    if authority.contains('@') || host.is_empty() {
        return Err(SmsSettingsError::BadSendUrl);
    }
    if !secure && !is_loopback(host) {
        return Err(SmsSettingsError::CleartextRemote);
    }
    Ok(u.to_owned())
}

/// 短信签名 — the name the operator shows before every text (`【恒信售后】`), 2–16
/// characters with its brackets, trimmed.
pub fn check_sign_name(name: &str) -> Result<String, SmsSettingsError> {
    let n = name.trim();
    let len = n.chars().count();
    if !(2..=16).contains(&len) || n.chars().any(char::is_control) {
        return Err(SmsSettingsError::BadSignName);
    }
    Ok(n.to_owned())
}

/// The gateway's API key as given: trimmed, empty for none.
pub fn check_api_key(key: &str) -> Result<Option<String>, SmsSettingsError> {
    let k = key.trim();
    if k.is_empty() {
        return Ok(None);
    }
    if k.len() > API_KEY_MAX || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(SmsSettingsError::BadApiKey);
    }
    Ok(Some(k.to_owned()))
}

/// The number as a gateway takes it (E.164): a mainland mobile as `+86` and its 11
/// digits, a foreign number as it is. A landline, a local or a service number takes no
/// text message: `None`.
pub fn e164(number: &CallerNumber) -> Option<String> {
    match number.kind {
        NumberKind::Mobile => Some(format!("+86{}", number.number)),
        NumberKind::International => Some(number.number.clone()),
        NumberKind::Landline | NumberKind::Local | NumberKind::Service => None,
    }
}

/// What a gateway's answer to a send means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatewayVerdict {
    /// 2xx: the gateway took the text.
    Accepted,
    /// 4xx (but 408 and 429): the gateway will not take it; sending again changes nothing.
    Permanent,
    /// 5xx, 408, 429, or no answer at all (refused connection, timeout): try again later.
    Temporary,
}

/// The verdict on a gateway's HTTP status (`None`: it never answered).
pub fn gateway_verdict(status: Option<u16>) -> GatewayVerdict {
    match status {
        Some(s) if (200..300).contains(&s) => GatewayVerdict::Accepted,
        Some(408 | 429) => GatewayVerdict::Temporary,
        Some(s) if (400..500).contains(&s) => GatewayVerdict::Permanent,
        _ => GatewayVerdict::Temporary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::phone::normalize_number;

    #[test]
    fn https_anywhere_http_only_to_this_machine() {
        assert_eq!(
            check_send_url(" https://sms.example.com/v1/send "),
            Ok("https://sms.example.com/v1/send".to_owned())
        );
        for local in [
            "http://127.0.0.1:9000/send",
            "http://localhost/send",
            "http://LOCALHOST:8080",
            "http://[::1]:8080/send",
            "http://127.0.0.2/send",
        ] {
            assert!(check_send_url(local).is_ok(), "{local}");
        }
        for remote in [
            "http://example.com",
            "http://sms.example.com/send",
            "http://127.example.com/send",
            "http://10.0.0.5/send",
        ] {
            assert_eq!(
                check_send_url(remote),
                Err(SmsSettingsError::CleartextRemote),
                "{remote}"
            );
        }
        for bad in [
            "",
            "sms.example.com/send",
            "ftp://sms.example.com",
            "https://",
            "https:///send",
            "https://user:pass@sms.example.com/send",
            "https://sms.example.com/se nd",
            "javascript:alert(1)",
        ] {
            assert_eq!(
                check_send_url(bad),
                Err(SmsSettingsError::BadSendUrl),
                "{bad}"
            );
        }
    }

    #[test]
    fn signatures_and_keys() {
        assert_eq!(
            check_sign_name(" 【恒信售后】 "),
            Ok("【恒信售后】".to_owned())
        );
        assert_eq!(check_sign_name("恒信"), Ok("恒信".to_owned()));
        assert!(check_sign_name("恒").is_err());
        assert!(check_sign_name("【恒信电器售后服务中心华东大区分部】").is_err());
        assert!(check_sign_name("").is_err());
        assert_eq!(check_api_key("  "), Ok(None));
        assert_eq!(check_api_key(" sk-1 "), Ok(Some("sk-1".to_owned())));
        assert_eq!(check_api_key("sk 1"), Err(SmsSettingsError::BadApiKey));
        assert_eq!(
            check_api_key(&"k".repeat(513)),
            Err(SmsSettingsError::BadApiKey)
        );
    }

    #[test]
    fn only_mobiles_and_foreign_numbers_take_texts() {
        let n = |raw: &str| normalize_number(raw, None).unwrap();
        assert_eq!(e164(&n("138 1234 5678")).as_deref(), Some("+8613812345678"));
        assert_eq!(e164(&n("+852 2345 6789")).as_deref(), Some("+85223456789"));
        assert_eq!(e164(&n("0571-8888 6666")), None);
        assert_eq!(e164(&n("95588")), None);
    }

    #[test]
    fn only_a_4xx_is_final() {
        assert_eq!(gateway_verdict(Some(200)), GatewayVerdict::Accepted);
        assert_eq!(gateway_verdict(Some(202)), GatewayVerdict::Accepted);
        assert_eq!(gateway_verdict(Some(400)), GatewayVerdict::Permanent);
        assert_eq!(gateway_verdict(Some(403)), GatewayVerdict::Permanent);
        assert_eq!(gateway_verdict(Some(429)), GatewayVerdict::Temporary);
        assert_eq!(gateway_verdict(Some(503)), GatewayVerdict::Temporary);
        assert_eq!(gateway_verdict(None), GatewayVerdict::Temporary);
    }
}
