//! 出站 HTTP — how kefu calls a provider's API (an SMS gateway, WeChat's customer-service
//! message API): one client for the process, TLS by rustls on ring with Mozilla's roots
//! (the same crypto the database and SMTP connections use, so one provider is linked), a
//! connect and a whole-request timeout so a dead provider fails the job instead of holding
//! it.

use std::sync::{Arc, LazyLock};
use std::time::Duration;

/// How long connecting to a provider may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a whole call (request and answer) may take before the job counts it failed
/// and tries again later.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

static CLIENT: LazyLock<reqwest::Client> = LazyLock::new(|| {
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap_or_else(|e| panic!("ring supports the default TLS versions: {e}"))
    .with_root_certificates(roots)
    .with_no_client_auth();
    reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(REQUEST_TIMEOUT)
        .user_agent(concat!("kefu/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_else(|e| panic!("the provider HTTP client builds: {e}"))
});

/// The process's client for calling providers. Cheap to clone; connections are pooled.
pub fn client() -> reqwest::Client {
    CLIENT.clone()
}
