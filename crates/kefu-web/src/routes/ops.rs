//! Health and metrics, for load balancers and Prometheus.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;
use crate::error::{KeepBody, UNAVAILABLE_RETRY_SECS};

/// How long the health check waits for the database: a load balancer's check gives up
/// after a few seconds, and should hear "down" rather than nothing.
const PING_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 with the database reachable, 503 (with `Retry-After`) without, within
/// [`PING_TIMEOUT`]; the JSON body says which, for people and balancers alike.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.app.store.backend().name();
    // Shutting down: still serving, but a balancer should send new requests elsewhere.
    if state.draining.load(std::sync::atomic::Ordering::SeqCst) {
        let mut res = (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "draining", "database": {"backend": backend}})),
        )
            .into_response();
        res.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_SECS));
        res.extensions_mut().insert(KeepBody);
        return res;
    }
    let error = match tokio::time::timeout(PING_TIMEOUT, state.app.store.ping()).await {
        Ok(Ok(())) => {
            return Json(json!({"status": "ok", "database": {"status": "ok", "backend": backend}}))
                .into_response();
        }
        Ok(Err(e)) => e.to_string(),
        Err(_) => format!("no answer within {} s", PING_TIMEOUT.as_secs()),
    };
    tracing::error!(%error, "health check: database unreachable");
    let mut res = (
        StatusCode::SERVICE_UNAVAILABLE,
        Json(json!({"status": "error", "database": {"status": "unreachable", "backend": backend}})),
    )
        .into_response();
    res.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from(UNAVAILABLE_RETRY_SECS));
    res.extensions_mut().insert(KeepBody);
    res
}

pub async fn metrics(State(state): State<AppState>) -> Response {
    let body = state.metrics.encode(&state);
    (
        [(
            CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
