//! kefu-web — the HTTP face of kefu: server-rendered pages for staff, the JSON API under
//! `/api/v1` with its OpenAPI document, the live-chat widget and its WebSocket, health and
//! metrics.
//!
//! Handlers are thin: parse, check permission (done by the route table before the handler
//! runs), call a use case of kefu-app, render. Errors from anywhere become one
//! [`error::WebError`], rendered as a translated page or as the API's JSON error shape.

pub mod auth;
pub mod chat;
mod complaint_shared;
pub mod config;
pub mod csrf;
pub mod error;
mod export;
pub mod headers;
pub mod i18n;
pub mod import_report;
pub mod input;
pub mod live;
mod metrics;
pub use metrics::Metrics;
mod key_account_shared;
mod ratelimit;
pub mod routes;
mod satisfaction_shared;
mod statement_shared;
mod static_files;
mod upload;
mod view;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use kefu_app::App;
use tokio::net::TcpListener;
use tower_http::trace::TraceLayer;

pub use config::{SecureCookies, WebConfig};
pub use routes::{RouteSpec, Surface};

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub config: Arc<WebConfig>,
    metrics: Arc<metrics::Metrics>,
    limiter: Arc<ratelimit::ApiLimiter>,
    live: Arc<live::LiveHub>,
    /// Live chat's fan-out of chat lines to this instance's sockets and consoles.
    chat: Arc<chat::ChatHub>,
    /// The CSRF signing key, read from the database at the first request that needs it.
    csrf_key: Arc<tokio::sync::OnceCell<csrf::CsrfKey>>,
    /// Set when shutdown begins: `/healthz` answers 503 so load balancers drain this
    /// instance while it still serves (see [`WebConfig::shutdown_drain`]).
    draining: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(app: App, config: WebConfig) -> AppState {
        let limiter = ratelimit::ApiLimiter::new(config.api_rate_per_minute);
        AppState {
            app,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            limiter: Arc::new(limiter),
            live: Arc::new(live::LiveHub::new()),
            chat: Arc::new(chat::ChatHub::new()),
            csrf_key: Arc::default(),
            draining: Arc::default(),
        }
    }

    /// This instance's metrics, for the parts outside the web layer that report to them
    /// (the store's write waits, the job worker).
    pub fn metrics(&self) -> Arc<metrics::Metrics> {
        self.metrics.clone()
    }

    /// The key that signs CSRF tokens; the same in every instance (it is kept in the
    /// database), so it is read once and never changes while kefu runs.
    pub(crate) async fn csrf_key(&self) -> Result<&csrf::CsrfKey, error::WebError> {
        self.csrf_key
            .get_or_try_init(|| async move {
                let secret = self.app.csrf_key().await?;
                Ok::<_, error::WebError>(csrf::CsrfKey::new(secret))
            })
            .await
    }
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    routes::table(state.config.max_upload_bytes)
        .into_router()
        .fallback(routes::not_found)
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        // Inside render_errors, so a refused query is answered as a page or as JSON.
        .layer(axum::middleware::from_fn(input::refuse_bad_query))
        .layer(axum::middleware::from_fn(error::render_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::identify,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(TraceLayer::new_for_http())
        .layer(axum::middleware::from_fn(metrics::server_timing))
        // Outermost, so every answer carries them, errors included.
        .layer(axum::middleware::from_fn(headers::harden))
        .layer(headers::instance_layer(&state.config.instance))
        .with_state(state)
}

/// The route table, for tests that walk every route.
pub fn route_specs() -> Vec<RouteSpec> {
    routes::specs()
}

/// Serves until `shutdown` resolves; requests in flight finish first.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let live = state.live.clone();
    let chat = state.chat.clone();
    let draining = state.draining.clone();
    let drain = state.config.shutdown_drain;
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    // Dropped when serving ends; until then, a stop that waits long on open connections
    // says so in the log.
    let (served_tx, served_rx) = tokio::sync::oneshot::channel::<()>();
    let served = axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            shutdown.await;
            // Still accepting while the balancer's health checks see 503 and move new
            // requests elsewhere; closing the listener at once would refuse (or reset)
            // requests already on their way here.
            if !drain.is_zero() {
                draining.store(true, std::sync::atomic::Ordering::SeqCst);
                tracing::info!(secs = drain.as_secs_f64(), "draining before shutdown");
                tokio::time::sleep(drain).await;
            }
            // Live streams never end by themselves: end them so shutdown can finish.
            live.close();
            chat.close();
            tokio::spawn(async move {
                tokio::select! {
                    _ = served_rx => {}
                    _ = tokio::time::sleep(SLOW_STOP) => tracing::error!(
                        part = "open connections",
                        secs = SLOW_STOP.as_secs(),
                        "shutdown is still waiting"
                    ),
                }
            });
        })
        .await;
    drop(served_tx);
    served
}

/// How long the open connections may hold up a stop before the log says so.
const SLOW_STOP: std::time::Duration = std::time::Duration::from_secs(10);
