//! Cross-site request forgery: which token a form must carry, and where a state-changing
//! request may come from.
//!
//! Tokens are HMAC-SHA256 signatures, under a key kept in the database (so every instance
//! agrees), of a cookie the browser holds:
//! - signed-in staff: the session cookie — a token from one person's session is worthless
//!   in anyone else's, and it dies with the session;
//! - signed-in portal customers: the portal session cookie, likewise;
//! - nobody signed in yet (sign-in, portal sign-in and registration, the public web form): a
//!   random pre-session cookie. A value planted from a sibling domain comes without its
//!   signature, so it does not make a token either. (An attacker can still fetch a cookie
//!   and its token from kefu for themselves and plant both: that is what the origin check
//!   below is for; public routes act for nobody's session, so little rides on them.)
//!
//! Routes that act for a signed-in person take only the token of that person's session;
//! public routes also take the pre-session token (and any session's, so a form keeps
//! working when someone signed in in another tab meanwhile).
//!
//! Before the token, [`cross_site`] looks at what the browser says about the request's
//! origin (`Sec-Fetch-Site`, `Origin`): a post another site made the browser send is
//! refused even with a valid token. Requests that carry neither header (older browsers,
//! scripts) rely on the token alone.

use axum::http::header::{HOST, ORIGIN};
use axum::http::{HeaderMap, Uri};
use kefu_domain::Access;

use crate::WebConfig;

/// What a token is bound to; part of the signed message, so a token of one kind never
/// passes as another.
#[derive(Debug, Clone, Copy)]
pub enum Binding {
    PreSession,
    Staff,
    Customer,
}

impl Binding {
    fn label(self) -> &'static str {
        match self {
            Binding::PreSession => "pre-session",
            Binding::Staff => "staff-session",
            Binding::Customer => "portal-session",
        }
    }
}

/// The key that signs tokens (read from the database once per process).
pub struct CsrfKey(String);

impl std::fmt::Debug for CsrfKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfKey(<redacted>)")
    }
}

impl CsrfKey {
    pub fn new(secret: String) -> CsrfKey {
        CsrfKey(secret)
    }

    /// The token for a browser holding `cookie` (the value of the cookie `binding` names).
    pub fn token(&self, binding: Binding, cookie: &str) -> String {
        let message = format!("kefu-csrf\n{}\n{cookie}", binding.label());
        kefu_app::secret::hmac_sha256_hex(self.0.as_bytes(), message.as_bytes())
    }
}

/// The pre-session cookie's value: 32 random bytes as hex. Anything else is replaced.
pub fn is_nonce(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The tokens this browser may present, one per cookie it holds.
#[derive(Clone, Default)]
pub struct CsrfTokens {
    pub pre_session: Option<String>,
    pub staff: Option<String>,
    pub customer: Option<String>,
}

impl std::fmt::Debug for CsrfTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CsrfTokens(<redacted>)")
    }
}

impl CsrfTokens {
    /// Whether `presented` is a token a route of this access accepts.
    pub fn accepts(&self, access: Access, presented: &str) -> bool {
        let matches = |t: &Option<String>| {
            t.as_deref()
                .is_some_and(|t| constant_time_eq(t.as_bytes(), presented.as_bytes()))
        };
        match access {
            Access::Requires(_) => matches(&self.staff),
            Access::Customer => matches(&self.customer),
            Access::Public => {
                matches(&self.pre_session) || matches(&self.staff) || matches(&self.customer)
            }
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Why a state-changing request was taken for another site's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossSite {
    /// `sec_fetch_site` or `origin`: which header gave it away.
    pub header: &'static str,
    pub value: String,
}

/// `Some` when the browser says the request was made by another site: `Sec-Fetch-Site` other
/// than `same-origin` (or `none`, a person's own navigation), or an `Origin` that is not
/// kefu's own (`null` included).
pub fn cross_site(headers: &HeaderMap, uri: &Uri, config: &WebConfig) -> Option<CrossSite> {
    if let Some(site) = headers.get("sec-fetch-site") {
        let site = site.to_str().unwrap_or("");
        if !matches!(site, "same-origin" | "none") {
            return Some(CrossSite {
                header: "sec_fetch_site",
                value: site.to_owned(),
            });
        }
    }
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !is_own_origin(origin, headers, uri, config) {
            return Some(CrossSite {
                header: "origin",
                value: origin.to_owned(),
            });
        }
    }
    None
}

/// Compares an `Origin` with kefu's own: the configured public URL when there is one (scheme,
/// host and port), else the host the request was sent to (host and port).
fn is_own_origin(origin: &str, headers: &HeaderMap, uri: &Uri, config: &WebConfig) -> bool {
    let Some((scheme, authority)) = origin.split_once("://") else {
        return false;
    };
    let scheme = scheme.to_ascii_lowercase();
    let origin_authority = normalized_authority(&scheme, authority);
    if let Some(public) = &config.public_url {
        let Some((own_scheme, rest)) = public.split_once("://") else {
            return false;
        };
        let own_scheme = own_scheme.to_ascii_lowercase();
        let own_authority = rest.split('/').next().unwrap_or("");
        return scheme == own_scheme
            && origin_authority == normalized_authority(&own_scheme, own_authority);
    }
    let forwarded = if config.trust_proxy_headers {
        headers
            .get("x-forwarded-host")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    } else {
        None
    };
    let host = forwarded
        .or_else(|| headers.get(HOST).and_then(|v| v.to_str().ok()))
        .or_else(|| uri.authority().map(|a| a.as_str()));
    host.is_some_and(|host| origin_authority == normalized_authority(&scheme, host))
}

/// Host and port, lower-cased, without the scheme's default port.
fn normalized_authority(scheme: &str, authority: &str) -> String {
    let a = authority.trim().to_ascii_lowercase();
    let default_port = match scheme {
        "https" => ":443",
        "http" => ":80",
        _ => return a,
    };
    a.strip_suffix(default_port).map(str::to_owned).unwrap_or(a)
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    fn uri() -> Uri {
        Uri::from_static("/tickets")
    }

    #[test]
    fn tokens_differ_by_cookie_and_by_kind() {
        let key = CsrfKey::new("k".repeat(64));
        let a = key.token(Binding::Staff, "session-a");
        assert_eq!(a.len(), 64);
        assert_eq!(a, key.token(Binding::Staff, "session-a"));
        assert_ne!(a, key.token(Binding::Staff, "session-b"));
        assert_ne!(a, key.token(Binding::Customer, "session-a"));
        assert_ne!(
            a,
            CsrfKey::new("x".repeat(64)).token(Binding::Staff, "session-a")
        );
    }

    #[test]
    fn routes_take_the_token_of_the_session_they_act_for() {
        let tokens = CsrfTokens {
            pre_session: Some("p".into()),
            staff: Some("s".into()),
            customer: Some("c".into()),
        };
        let staff_route = Access::Requires(kefu_domain::Permission::TicketWork);
        assert!(tokens.accepts(staff_route, "s"));
        assert!(!tokens.accepts(staff_route, "p") && !tokens.accepts(staff_route, "c"));
        assert!(tokens.accepts(Access::Customer, "c"));
        assert!(!tokens.accepts(Access::Customer, "p") && !tokens.accepts(Access::Customer, "s"));
        for t in ["p", "s", "c"] {
            assert!(tokens.accepts(Access::Public, t));
        }
        assert!(!tokens.accepts(Access::Public, ""));
        assert!(!CsrfTokens::default().accepts(Access::Public, ""));
    }

    #[test]
    fn the_browser_tells_where_a_post_came_from() {
        let config = WebConfig::default();
        let own = headers(&[("host", "kefu.example.com:8080")]);
        assert_eq!(
            cross_site(&own, &uri(), &config),
            None,
            "no headers: token only"
        );
        let same = headers(&[
            ("host", "kefu.example.com:8080"),
            ("origin", "http://kefu.example.com:8080"),
            ("sec-fetch-site", "same-origin"),
        ]);
        assert_eq!(cross_site(&same, &uri(), &config), None);
        for (k, v) in [
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-site", "same-site"),
            ("origin", "https://evil.example"),
            ("origin", "http://kefu.example.com:9090"),
            ("origin", "null"),
        ] {
            let h = headers(&[("host", "kefu.example.com:8080"), (k, v)]);
            assert!(cross_site(&h, &uri(), &config).is_some(), "{k}: {v}");
        }
        // The default port may be written or left out.
        let h = headers(&[
            ("host", "kefu.example.com:443"),
            ("origin", "https://kefu.example.com"),
        ]);
        assert_eq!(cross_site(&h, &uri(), &config), None);
    }

    #[test]
    fn a_configured_public_url_decides_the_origin() {
        let config = WebConfig {
            public_url: Some("https://kefu.example.com/".into()),
            ..WebConfig::default()
        };
        let behind_proxy =
            |origin: &'static str| headers(&[("host", "10.0.0.5:8080"), ("origin", origin)]);
        assert_eq!(
            cross_site(&behind_proxy("https://kefu.example.com"), &uri(), &config),
            None
        );
        assert!(cross_site(&behind_proxy("http://kefu.example.com"), &uri(), &config).is_some());
        assert!(cross_site(&behind_proxy("http://10.0.0.5:8080"), &uri(), &config).is_some());
    }
}
