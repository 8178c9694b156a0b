//! 公众号设置 — what an administrator enters for an official account: its AppID and
//! AppSecret (from 公众平台 → 设置与开发 → 基本配置), the Token of 服务器配置 (3–32 letters
//! or digits, WeChat's rule), and the API address, WeChat's own unless a proxy stands in.
//! The AppSecret and every access token travel to that address, so plain `http://` is
//! allowed only to this machine (a test double, a local proxy).

/// WeChat's API.
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";

/// Why a setting cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WechatSettingsError {
    #[error("the AppID must be 1–64 letters, digits, '_' or '-'")]
    BadAppId,
    #[error("the AppSecret must be 1–128 printable characters without spaces")]
    BadAppSecret,
    #[error("the Token must be 3–32 letters or digits")]
    BadToken,
    #[error("the API address must be an https:// address without user, query or fragment")]
    BadApiBase,
    /// `http://` elsewhere than this machine would carry the AppSecret in clear.
    #[error("http:// is allowed only to 127.0.0.1, ::1 or localhost")]
    CleartextRemote,
}

/// Whether `host` is this machine: `localhost`, `::1` or an address of 127.0.0.0/8 (not
/// merely a name starting `127.`).
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// An AppID, trimmed (`wx` and 16 hex digits for a real account).
pub fn check_app_id(v: &str) -> Result<String, WechatSettingsError> {
    let v = v.trim();
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if ok {
        Ok(v.to_owned())
    } else {
        Err(WechatSettingsError::BadAppId)
    }
}

/// An AppSecret, trimmed.
pub fn check_app_secret(v: &str) -> Result<String, WechatSettingsError> {
    let v = v.trim();
    let ok = !v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(v.to_owned())
    } else {
        Err(WechatSettingsError::BadAppSecret)
    }
}

/// The Token of 服务器配置, trimmed.
pub fn check_token(v: &str) -> Result<String, WechatSettingsError> {
    let v = v.trim();
    let ok = (3..=32).contains(&v.len()) && v.chars().all(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(v.to_owned())
    } else {
        Err(WechatSettingsError::BadToken)
    }
}

/// The API address as calls are made to it (no trailing `/`); empty is WeChat's own.
pub fn check_api_base(v: &str) -> Result<String, WechatSettingsError> {
    let v = v.trim().trim_end_matches('/');
    if v.is_empty() {
        return Ok(DEFAULT_API_BASE.to_owned());
    }
    let lower = v.to_ascii_lowercase();
    let (secure, rest) = if let Some(rest) = lower.strip_prefix("https://") {
        (true, rest)
    } else if let Some(rest) = lower.strip_prefix("http://") {
        (false, rest)
    } else {
        return Err(WechatSettingsError::BadApiBase);
    };
    let plain = v.len() <= 200
        && v.chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '@' | '?' | '#' | '\\'));
    let authority = rest.split('/').next().unwrap_or_default();
    let host = if let Some(v6) = authority.strip_prefix('[') {
        v6.split(']').next().unwrap_or_default()
    } else {
        authority.split(':').next().unwrap_or_default()
    };
    if !plain || host.is_empty() {
        return Err(WechatSettingsError::BadApiBase);
    }
    if !secure && !is_loopback(host) {
        return Err(WechatSettingsError::CleartextRemote);
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_and_tokens_are_checked() {
        assert_eq!(
            check_app_id(" wx1234567890abcdef ").unwrap(),
            "wx1234567890abcdef"
        );
        assert!(check_app_id("").is_err());
        assert!(check_app_id("wx 12").is_err());
        assert_eq!(check_app_secret(" 0f3c9a ").unwrap(), "0f3c9a");
        assert!(check_app_secret("").is_err());
        assert!(check_app_secret("密钥").is_err());
        assert_eq!(check_token("kefu2026").unwrap(), "kefu2026");
        assert_eq!(check_token("ab"), Err(WechatSettingsError::BadToken));
        assert_eq!(
            check_token(&"a".repeat(33)),
            Err(WechatSettingsError::BadToken)
        );
        assert_eq!(check_token("kefu-2026"), Err(WechatSettingsError::BadToken));
    }

    #[test]
    fn the_api_address_is_https_or_this_machine() {
        assert_eq!(check_api_base("").unwrap(), DEFAULT_API_BASE);
        assert_eq!(
            check_api_base("https://api.weixin.qq.com/").unwrap(),
            DEFAULT_API_BASE
        );
        assert_eq!(
            check_api_base("https://wx-proxy.example.com:8443/wx").unwrap(),
            "https://wx-proxy.example.com:8443/wx"
        );
        assert_eq!(
            check_api_base("http://127.0.0.1:18080").unwrap(),
            "http://127.0.0.1:18080"
        );
        assert!(check_api_base("http://localhost:9000").is_ok());
        assert!(check_api_base("http://[::1]:9000").is_ok());
        assert_eq!(
            check_api_base("http://api.weixin.qq.com"),
            Err(WechatSettingsError::CleartextRemote)
        );
        assert_eq!(
            check_api_base("http://127.0.0.1.evil.example.com"),
            Err(WechatSettingsError::CleartextRemote)
        );
        for bad in [
            "ftp://api.weixin.qq.com",
            "api.weixin.qq.com",
            "https://user:pw@api.weixin.qq.com",
            "https://api.weixin.qq.com/?x=1",
            "https://",
            "https://api weixin",
        ] {
            assert_eq!(
                check_api_base(bad),
                Err(WechatSettingsError::BadApiBase),
                "{bad}"
            );
        }
    }
}
