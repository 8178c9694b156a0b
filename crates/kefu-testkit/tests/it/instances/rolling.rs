//! A rolling restart under load: each instance in turn stopped with SIGTERM (it drains:
//! `/healthz` answers 503 while it still serves, the balancer takes it out, then requests
//! in flight finish and it exits) and started again, while clients keep calling through
//! the balancer. Every request is recorded; none may fail.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kefu_domain::Role;
use serde_json::json;

use super::{Cluster, NAMES, instance};

/// Clients calling through the balancer at once.
const CLIENTS: usize = 4;

/// One request as a client saw it.
struct Call {
    at: Duration,
    what: &'static str,
    /// The status, or the transport error.
    outcome: Result<u16, String>,
    by: String,
}

async fn client_loop(
    n: usize,
    base: String,
    token: String,
    started: Instant,
    stop: Arc<AtomicBool>,
) -> Vec<Call> {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut calls = Vec::new();
    let mut i = 0usize;
    while !stop.load(Ordering::SeqCst) {
        let (what, req) = match i % 3 {
            0 => ("GET /api/v1/me", http.get(format!("{base}/api/v1/me"))),
            1 => (
                "GET /api/v1/tickets",
                http.get(format!("{base}/api/v1/tickets")),
            ),
            _ => (
                "POST /api/v1/tickets",
                http.post(format!("{base}/api/v1/tickets")).json(&json!({
                    "subject": format!("滚动重启 {n}-{i}"),
                    "body": "客户来电询问维修进度",
                })),
            ),
        };
        let at = started.elapsed();
        let call = match req.bearer_auth(&token).send().await {
            Ok(res) => {
                let by = instance(&res);
                let status = res.status().as_u16();
                // Read the whole body: a response cut off mid-body is a failure too.
                match res.bytes().await {
                    Ok(_) => Call {
                        at,
                        what,
                        outcome: Ok(status),
                        by,
                    },
                    Err(e) => Call {
                        at,
                        what,
                        outcome: Err(format!("body: {e}")),
                        by,
                    },
                }
            }
            Err(e) => Call {
                at,
                what,
                outcome: Err(e.to_string()),
                by: String::new(),
            },
        };
        calls.push(call);
        i += 1;
    }
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rolling_restart_under_load_fails_no_request() {
    let Some(mut cluster) = Cluster::start(None).await else {
        return;
    };
    let user = cluster
        .observer
        .create_user("inst.rolling", &[Role::Agent])
        .await;
    let token = cluster.observer.token_for(user).await;
    let started = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| {
            tokio::spawn(client_loop(
                n,
                cluster.balancer.base.clone(),
                token.clone(),
                started,
                stop.clone(),
            ))
        })
        .collect();

    let mut steps = Vec::new();
    let count = cluster.servers.len();
    for (i, name) in NAMES.iter().enumerate().take(count) {
        tokio::time::sleep(Duration::from_secs(1)).await;
        steps.push(format!("{:?} SIGTERM {}", started.elapsed(), name));
        let status = cluster.servers[i]
            .stop_gracefully(Duration::from_secs(30))
            .await;
        assert!(
            status.success(),
            "{} ended with {status}:\n{}",
            name,
            cluster.servers[i].log()
        );
        steps.push(format!("{:?} {} stopped", started.elapsed(), name));
        tokio::time::sleep(Duration::from_millis(500)).await;
        cluster.servers[i].restart().await;
        steps.push(format!("{:?} {} up again", started.elapsed(), name));
        cluster.wait_all_in_rotation().await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::SeqCst);
    let mut calls = Vec::new();
    for c in clients {
        calls.extend(c.await.expect("a client"));
    }

    let failed: Vec<&Call> = calls
        .iter()
        .filter(|c| !matches!(c.outcome, Ok(200..=299)))
        .collect();
    let answered_by: BTreeSet<&str> = calls.iter().map(|c| c.by.as_str()).collect();
    eprintln!(
        "rolling restart: {} requests, {} failed, answered by {answered_by:?}; {steps:?}",
        calls.len(),
        failed.len()
    );
    assert!(
        failed.is_empty(),
        "requests failed during the rolling restart ({steps:?}):\n{}\n\
         haproxy's log (last lines):\n{}",
        failed
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        tail(&cluster.balancer.log(), 60)
    );
    assert!(calls.len() >= 30, "the load ran: {} requests", calls.len());
    for name in NAMES {
        assert!(
            answered_by.contains(name),
            "{name} answered: {answered_by:?}"
        );
    }
}

impl std::fmt::Display for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let by = if self.by.is_empty() { "-" } else { &self.by };
        match &self.outcome {
            Ok(status) => write!(f, "{:.3?} {} → {status} by {by}", self.at, self.what),
            Err(e) => write!(f, "{:.3?} {} → {e}", self.at, self.what),
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
