//! Settings of the HTTP face of kefu.

use serde::{Deserialize, Serialize};

/// When session and CSRF cookies carry the `Secure` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookies {
    /// When the request arrived over TLS, as told by a trusted proxy's `X-Forwarded-Proto`.
    #[default]
    Auto,
    Always,
    Never,
}

impl std::str::FromStr for SecureCookies {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(SecureCookies::Auto),
            "always" => Ok(SecureCookies::Always),
            "never" => Ok(SecureCookies::Never),
            other => Err(format!("expected auto, always or never, not {other:?}")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Largest accepted body of a file upload (a message with its attachments), in bytes.
    pub max_upload_bytes: usize,
    /// API requests allowed per token (or per address, without one) per minute.
    pub api_rate_per_minute: u32,
    /// Believe `X-Forwarded-For` / `-Proto` / `-Host` (only behind a proxy you run).
    pub trust_proxy_headers: bool,
    pub secure_cookies: SecureCookies,
    /// The address people reach kefu at (`https://kefu.example.com`). A form post whose
    /// `Origin` is not this origin is refused as cross-site. Unset, the request's own
    /// `Host` (or, with `trust_proxy_headers`, `X-Forwarded-Host`) is taken as the origin.
    pub public_url: Option<String>,
    /// This instance's name, sent with every answer as `X-Kefu-Instance` so that, behind a
    /// load balancer, one can tell which instance answered (default: host name and process
    /// id).
    pub instance: String,
    /// On shutdown, how long `/healthz` answers 503 ("draining") while requests are still
    /// served, so that a load balancer stops sending new ones before the listener closes.
    pub shutdown_drain: std::time::Duration,
}

/// `HOST-PID`: unique among the instances of one site without any configuration.
pub fn default_instance_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "kefu".to_owned());
    format!("{host}-{}", std::process::id())
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 25 * 1024 * 1024,
            api_rate_per_minute: 600,
            trust_proxy_headers: false,
            secure_cookies: SecureCookies::Auto,
            public_url: None,
            instance: default_instance_name(),
            shutdown_drain: std::time::Duration::ZERO,
        }
    }
}
