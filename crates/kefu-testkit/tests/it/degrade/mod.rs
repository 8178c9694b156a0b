//! 故障降级 — kefu while its database is away or full. A private PostgreSQL
//! (`kefu_testkit::PgPeer`) is restarted and stopped under a light write load: requests
//! answer 503 with `Retry-After` within seconds (JSON for the API, a zh-CN or English page
//! for people), `/healthz` says the database is down, webhooks answer 503 and land once when
//! sent again, the pool reconnects by itself, jobs resume, and every acknowledged ticket is
//! there afterwards. A SQLite database whose disk is full (simulated with SQLite's page cap,
//! `PRAGMA max_page_count`) refuses writes with 507 and is whole once space is freed.
//!
//! These tests bring their own database, whatever `KEFU_TEST_DATABASE_URL` says, so they
//! run once: in the suite's pass without it.

mod postgres_restart;
mod sqlite_full;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::json;
use tokio::task::JoinHandle;

/// Whether this is the suite's pass on its own default database (not PostgreSQL's).
fn once_per_suite() -> bool {
    !std::env::var("KEFU_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

/// The longest any single answer may take, outage or not: a request waits at most the
/// pool's acquire timeout (3 s on PostgreSQL) before it is answered 503; the rest is
/// margin for a loaded two-core machine.
pub const NEVER_HANGS: Duration = Duration::from_secs(10);

/// Runs `f`, timing it.
pub async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = f.await;
    (out, started.elapsed())
}

/// What one writing client saw.
#[derive(Debug, Default)]
pub struct Log {
    /// Tickets acknowledged (201): id, subject and when.
    pub acked: Vec<(i64, String, Instant)>,
    /// 503 answers (each carried `Retry-After`, else it is in `unexpected`).
    pub unavailable: usize,
    /// Anything else: must stay empty.
    pub unexpected: Vec<String>,
    /// The slowest answer.
    pub slowest: Duration,
}

/// A few API clients writing tickets, each with an `Idempotency-Key` sent again after a
/// 503 until the ticket is acknowledged — as a careful integration does.
pub struct Load {
    stop: Arc<AtomicBool>,
    clients: Vec<JoinHandle<Log>>,
}

impl Load {
    pub fn start(apis: Vec<ApiClient>) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let clients = apis
            .into_iter()
            .enumerate()
            .map(|(n, api)| tokio::spawn(write_tickets(api, n, stop.clone())))
            .collect();
        Load { stop, clients }
    }

    pub async fn finish(self) -> Vec<Log> {
        self.stop.store(true, Ordering::Relaxed);
        let mut logs = Vec::new();
        for c in self.clients {
            logs.push(c.await.expect("a writing client ran"));
        }
        logs
    }
}

async fn write_tickets(api: ApiClient, client: usize, stop: Arc<AtomicBool>) -> Log {
    let mut log = Log::default();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let subject = format!("降级测试 客户端{client} 第{n}单");
        let key = format!("degrade-{client}-{n}");
        loop {
            let (res, took) = timed(
                api.request(Method::POST, "/api/v1/tickets")
                    .header("Idempotency-Key", key.as_str())
                    .json(&json!({"subject": subject, "body": "数据库重启期间提交的工单"}))
                    .timeout(Duration::from_secs(30))
                    .send(),
            )
            .await;
            log.slowest = log.slowest.max(took);
            let res = match res {
                Ok(res) => res,
                Err(e) => {
                    log.unexpected
                        .push(format!("no answer after {took:?}: {e}"));
                    break;
                }
            };
            match res.status().as_u16() {
                201 => {
                    let body = json_body(res).await;
                    let id = body["id"].as_i64().expect("the ticket's id");
                    log.acked.push((id, subject.clone(), Instant::now()));
                    break;
                }
                503 => {
                    log.unavailable += 1;
                    if retry_after(&res).is_none() {
                        log.unexpected.push("503 without Retry-After".to_owned());
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
                status => {
                    let text = res.text().await.unwrap_or_default();
                    log.unexpected.push(format!("{status}: {text}"));
                    break;
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    log
}

/// The seconds of a `Retry-After` header, when it has one.
pub fn retry_after(res: &reqwest::Response) -> Option<u64> {
    res.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
}

/// Every acknowledged ticket is stored with its subject and its first message.
pub async fn assert_all_stored(app: &TestApp, acked: &[(i64, String)]) {
    let mut conn = app.app.store.conn().await.expect("the database is back");
    let stored: Vec<(i64, String)> = sqlx::query_as("SELECT id, subject FROM tickets")
        .fetch_all(&mut *conn)
        .await
        .expect("tickets");
    let stored: std::collections::HashMap<i64, String> = stored.into_iter().collect();
    let with_message: Vec<i64> =
        sqlx::query_scalar("SELECT DISTINCT ticket_id FROM ticket_messages")
            .fetch_all(&mut *conn)
            .await
            .expect("messages");
    let with_message: std::collections::HashSet<i64> = with_message.into_iter().collect();
    let mut lost = Vec::new();
    for (id, subject) in acked {
        match stored.get(id) {
            Some(s) if s == subject && with_message.contains(id) => {}
            Some(s) if s == subject => lost.push(format!("{id} ({subject}) has no first message")),
            Some(s) => lost.push(format!("{id} is {s:?}, acknowledged as {subject:?}")),
            None => lost.push(format!("{id} ({subject}) is missing")),
        }
    }
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged tickets lost or broken: {lost:#?}",
        lost.len(),
        acked.len()
    );
}
