//! Prometheus metrics: requests and latencies by route, database pool figures, how long
//! write transactions waited for their turn, and how late and how long background jobs
//! ran.

use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::AppState;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: String,
}

/// This instance's figures, read by `GET /metrics`.
pub struct Metrics {
    registry: Mutex<Registry>,
    write_wait: Histogram,
    job_lag: Family<JobLabels, Histogram>,
    job_duration: Family<JobLabels, Histogram>,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    pool_size: Gauge,
    pool_idle: Gauge,
    pool_max: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::<RouteLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.0005, 2.0, 16))
        });
        let (pool_size, pool_idle, pool_max) =
            (Gauge::default(), Gauge::default(), Gauge::default());
        // Bounds at 50 ms and 1 s: the targets of a write's wait and of job lag read
        // straight off a bucket.
        let write_wait = Histogram::new([
            0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0,
        ]);
        let job_lag = Family::<JobLabels, Histogram>::new_with_constructor(|| {
            Histogram::new([
                0.1, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
            ])
        });
        let job_duration = Family::<JobLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.001, 2.0, 16))
        });
        let mut registry = Registry::with_prefix("kefu");
        registry.register(
            "db_write_wait_seconds",
            "Time a write transaction waited for its turn, a connection and BEGIN",
            write_wait.clone(),
        );
        registry.register(
            "job_lag_seconds",
            "Time from a job being due to it starting, by kind",
            job_lag.clone(),
        );
        registry.register(
            "job_duration_seconds",
            "Time a job ran, by kind",
            job_duration.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "Time to answer an HTTP request",
            latency.clone(),
        );
        registry.register(
            "db_pool_connections",
            "Open database connections",
            pool_size.clone(),
        );
        registry.register(
            "db_pool_idle_connections",
            "Idle database connections",
            pool_idle.clone(),
        );
        registry.register(
            "db_pool_max_connections",
            "Largest allowed pool",
            pool_max.clone(),
        );
        Metrics {
            registry: Mutex::new(registry),
            write_wait,
            job_lag,
            job_duration,
            requests,
            latency,
            pool_size,
            pool_idle,
            pool_max,
        }
    }
}

impl Metrics {
    /// A write transaction began after waiting `wait`.
    pub fn write_waited(&self, wait: std::time::Duration) {
        self.write_wait.observe(wait.as_secs_f64());
    }

    /// A job of `kind` started `lag` after it was due and ran for `took`.
    pub fn job_ran(&self, kind: &str, lag: std::time::Duration, took: std::time::Duration) {
        let labels = JobLabels {
            kind: kind.to_owned(),
        };
        self.job_lag
            .get_or_create(&labels)
            .observe(lag.as_secs_f64());
        self.job_duration
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn encode(&self, state: &AppState) -> String {
        let stats = state.app.store.pool_stats();
        self.pool_size.set(i64::from(stats.size));
        self.pool_idle.set(i64::from(stats.idle));
        self.pool_max.set(i64::from(stats.max));
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        prometheus_client::encoding::text::encode(&mut out, &registry)
            .expect("writing to a String");
        out
    }
}

/// Counts and times every routed request under its route pattern (not the raw path, so
/// ids do not explode the label space).
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |m| m.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let res = next.run(req).await;
    let elapsed = started.elapsed().as_secs_f64();
    let m = &state.metrics;
    m.requests
        .get_or_create(&RequestLabels {
            method: method.clone(),
            route: route.clone(),
            status: res.status().as_u16().to_string(),
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels { method, route })
        .observe(elapsed);
    res
}

/// Adds `Server-Timing: app;dur=<ms>` to every response: the time kefu spent on the request,
/// sessions and errors included, so a benchmark (or the browser's developer tools) sees the
/// server's share apart from the network.
pub async fn server_timing(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let mut res = next.run(req).await;
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if let Ok(v) = axum::http::HeaderValue::from_str(&format!("app;dur={ms:.2}")) {
        res.headers_mut().insert("server-timing", v);
    }
    res
}
