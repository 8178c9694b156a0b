//! How a webhook authenticates: not with a bearer token (a mail server or a telephone system
//! has none) but with a signature of the body under the channel's secret, in headers the
//! operation documents.

use utoipa::Modify;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};

/// The name of the webhooks' security scheme.
pub const WEBHOOK_SIGNATURE: &str = "webhook_signature";

/// Whether an operation's path is a webhook's (signed, not bearer-authenticated): a
/// mailbox's inbound mail, a telephone system's call events, an SMS gateway's texts and
/// delivery reports.
pub fn is_webhook(path: &str) -> bool {
    path.starts_with("/api/v1/channels/")
        && (path.ends_with("/inbound") || path.ends_with("/events"))
}

/// The name of WeChat's security scheme: its own signature, in the query string.
pub const WECHAT_SIGNATURE: &str = "wechat_signature";

/// Whether an operation's path is a WeChat official account's server address (signed as
/// WeChat signs, not bearer-authenticated).
pub fn is_wechat_webhook(path: &str) -> bool {
    path == "/api/v1/channels/wechat/{id}"
}

/// `X-Kefu-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Kefu-Timestamp>." + body)>`, and
/// WeChat's `signature` query parameter.
pub struct WebhookSignature;

impl Modify for WebhookSignature {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            WEBHOOK_SIGNATURE,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Kefu-Signature",
                "`sha256=` and the hex HMAC-SHA256, under the channel's secret (shown once \
                 when the channel is created or its secret rotated), of `X-Kefu-Timestamp`, \
                 a dot and the request body. The timestamp (Unix seconds) must be within five \
                 minutes of kefu's clock.",
            ))),
        );
        components.add_security_scheme(
            WECHAT_SIGNATURE,
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "signature",
                "WeChat's own: the hex SHA-1 of the official account's Token, the `timestamp` \
                 and the `nonce` query parameters, sorted as strings and joined. The \
                 timestamp (Unix seconds) must be within five minutes of kefu's clock. \
                 Plaintext mode only.",
            ))),
        );
    }
}
