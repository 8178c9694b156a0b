//! Health and metrics, for load balancers and Prometheus.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::AppState;

/// 200 with the database reachable, 503 without; the body says which.
pub async fn healthz(State(state): State<AppState>) -> Response {
    let backend = state.app.store.backend().name();
    match state.app.store.ping().await {
        Ok(()) => Json(json!({"status": "ok", "database": {"status": "ok", "backend": backend}}))
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "error", "database": {"status": "unreachable", "backend": backend}})),
            )
                .into_response()
        }
    }
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
