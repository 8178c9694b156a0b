//! The browser-hardening headers every answer carries: pages, API, errors, everything.
//!
//! The policy allows scripts, styles, images and connections from kefu itself only: no
//! inline script, no inline style (pages keep their script in `/static/kefu.js` and their
//! style in `/static/kefu.css`, reading per-page data from `data-*` attributes), no plugins,
//! no framing by anyone. A header a handler set itself wins (attachments send their own,
//! stricter policy, a sandbox) — except `Cache-Control`: pages, API answers and the live
//! event stream all carry customers' data and are never stored; only static assets (and
//! the chat widget's script) keep their cache time.

use axum::extract::Request;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Where web sites load the live-chat widget from (cached like the static assets).
pub const WIDGET_PATH: &str = "/chat/widget.js";

/// The Content-Security-Policy of kefu's pages (and of every other answer that sets none).
pub const CONTENT_SECURITY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const HEADERS: [(&str, &str); 4] = [
    ("content-security-policy", CONTENT_SECURITY),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    // Same-origin requests keep their Referer (and, on posts, their real Origin, which the
    // CSRF check compares: `no-referrer` would make browsers send `Origin: null`); other
    // sites learn nothing of kefu's addresses.
    ("referrer-policy", "same-origin"),
];

/// Adds [`HEADERS`] to every response that does not set them itself, and `Cache-Control:
/// no-store` to every response but static assets.
pub async fn harden(req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // The chat widget's script is a static asset too, served at an address of its own.
    let is_static = path.starts_with("/static/") || path == WIDGET_PATH;
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    for (name, value) in HEADERS {
        if !h.contains_key(name) {
            h.insert(
                HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
    }
    if !is_static {
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// The header naming the instance that answered (see [`crate::WebConfig::instance`]).
pub const INSTANCE_HEADER: &str = "x-kefu-instance";

/// Adds `X-Kefu-Instance` to every answer. A name that is not a valid header value (it
/// should be plain ASCII) is sent with its other characters replaced by `_`.
pub fn instance_layer(
    instance: &str,
) -> tower_http::set_header::SetResponseHeaderLayer<HeaderValue> {
    let clean: String = instance
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .collect();
    let value = HeaderValue::from_str(&clean).unwrap_or_else(|_| HeaderValue::from_static("kefu"));
    tower_http::set_header::SetResponseHeaderLayer::overriding(
        HeaderName::from_static(INSTANCE_HEADER),
        value,
    )
}
