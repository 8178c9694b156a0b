//! Crash safety: kefu killed with `kill -9` under load, at random moments, and started again
//! on the same database and port — on SQLite and, with `KEFU_TEST_DATABASE_URL`, on
//! PostgreSQL. After every restart each acknowledged write is there and whole, the change
//! log agrees with the tables, nothing exists twice, and the search index catches up (see
//! `checks` for exactly what is checked); a job killed mid-run runs again after its lease
//! (`mail_job`).
//!
//! The server is a process of its own ([`kefu_testkit::ServerProcess`]: this test binary run
//! again for the ignored [`server_process`] below), so the kill is a real SIGKILL of a kefu
//! that is mid-request, mid-transaction and mid-job. Kill moments come from a seeded
//! generator: `KEFU_CRASH_SEED=N` replays a run's moments (the seed is printed). Cycles:
//! 5 by default, 20 with `KEFU_LONG=1`, or `KEFU_CRASH_CYCLES=N`.

mod checks;
mod load;
mod mail_job;

use std::sync::Arc;
use std::time::{Duration, Instant};

use kefu_testkit::{ServerProcess, TestApp, TestOptions};
use serde_json::Value;

use load::{Ack, Load};

/// The test the server processes run.
const ENTRY: &str = "crash::server_process";

/// The job lease of the crash tests' servers: a job whose server was killed runs again
/// this long after it was claimed.
const JOB_LEASE: Duration = Duration::from_secs(3);

/// How long after a restart the search index may take to find the last acknowledged ticket.
const SEARCH_WITHIN: Duration = Duration::from_secs(30);

/// A kefu server on the database and port the environment names, until killed; returns at
/// once when run without them (`cargo test -- --ignored`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the crash tests"]
async fn server_process() {
    kefu_testkit::server_process::serve_from_env().await;
}

/// A small xorshift64* generator: the kill moments and the clients' choices, from a seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

fn cycles() -> usize {
    if let Some(n) = std::env::var("KEFU_CRASH_CYCLES")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    if std::env::var("KEFU_LONG").is_ok_and(|v| v == "1") {
        20
    } else {
        5
    }
}

fn seed() -> u64 {
    if let Some(seed) = std::env::var("KEFU_CRASH_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return seed;
    }
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("randomness");
    u64::from_le_bytes(b)
}

/// Whether a search for `tag` finds ticket `id`, asking again until `within` has passed:
/// how long it took.
async fn search_finds(load: &Load, tag: &str, id: i64, within: Duration) -> Option<Duration> {
    let t0 = Instant::now();
    let url = format!(
        "{}/api/v1/search?q={}&kind=ticket",
        load.base,
        kefu_web::auth::urlencode(tag)
    );
    loop {
        if let Ok(res) = load
            .http
            .get(&url)
            .bearer_auth(&load.agents[0])
            .send()
            .await
            && let Ok(hits) = res.json::<Value>().await
            && hits
                .as_array()
                .is_some_and(|a| a.iter().any(|h| h["id"] == id && h["kind"] == "ticket"))
        {
            return Some(t0.elapsed());
        }
        if t0.elapsed() > within {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The last acknowledged ticket opened through the API: its tag and id.
fn last_ticket(acks: &[Ack]) -> Option<(String, i64)> {
    acks.iter().rev().find_map(|a| match a {
        Ack::Ticket { id, tag, .. } => Some((tag.clone(), *id)),
        _ => None,
    })
}

/// The jobs the killed server held: (id, attempts so far).
async fn jobs_held(app: &TestApp) -> Vec<(i64, i64)> {
    let mut c = app.app.store.conn().await.expect("a connection");
    sqlx::query_as("SELECT id, attempts FROM jobs WHERE status = 'processing'")
        .fetch_all(&mut *c)
        .await
        .expect("jobs")
}

/// Of the jobs held by killed servers, those not yet run again (still `processing`, or no
/// attempt since the kill).
async fn not_run_again(app: &TestApp, held: &[(i64, i64)]) -> Vec<i64> {
    let mut c = app.app.store.conn().await.expect("a connection");
    let mut left = Vec::new();
    for (id, attempts) in held {
        let (status, now): (String, i64) =
            sqlx::query_as("SELECT status, attempts FROM jobs WHERE id = $1")
                .bind(*id)
                .fetch_one(&mut *c)
                .await
                .expect("a job");
        if status == "processing" || now <= *attempts {
            left.push(*id);
        }
    }
    left
}

fn listed(problems: &[String]) -> String {
    let mut text = problems
        .iter()
        .take(40)
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    if problems.len() > 40 {
        text.push_str(&format!("\n… and {} more", problems.len() - 40));
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_under_load_loses_no_acknowledged_write() {
    let seed = seed();
    let cycles = cycles();
    eprintln!(
        "crash test: seed {seed} (KEFU_CRASH_SEED={seed} replays the kill moments), {cycles} kills"
    );
    // This instance only reads the database for the checks: it runs no jobs.
    let observer = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let backend = observer.backend().name();
    let mut server =
        ServerProcess::start_with_lease(ENTRY, &observer.database_url, Some(JOB_LEASE)).await;
    let load = Arc::new(Load::new(&observer, &server.base, seed).await);
    let clients: Vec<_> = (0..load::CLIENTS)
        .map(|n| tokio::spawn(load::run(load.clone(), n)))
        .collect();

    let mut rng = Rng::new(seed);
    let mut held = Vec::new();
    let mut restarts = Vec::new();
    let mut search_lags = Vec::new();
    let started = Instant::now();
    let mut acked = 0;
    for cycle in 1..=cycles {
        // Under load: writes are being acknowledged, then a random moment later the kill.
        let deadline = Instant::now() + Duration::from_secs(60);
        while load.acks().len() <= acked {
            assert!(
                Instant::now() < deadline,
                "{backend}, before kill {cycle}: no write acknowledged for a minute"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(800 + rng.below(2400))).await;
        server.kill9();
        load.control.pause().await;
        held.extend(jobs_held(&observer).await);
        let t0 = Instant::now();
        server.restart().await;
        restarts.push(t0.elapsed());

        let failures = load.failures();
        assert!(
            failures.is_empty(),
            "{backend}, kill {cycle} (seed {seed}): answers no write should get:\n{}",
            listed(&failures)
        );
        let acks = load.acks();
        acked = acks.len();
        let snapshot = checks::snapshot(&observer, load.mailbox_id).await;
        let problems = checks::problems(&snapshot, &acks, false);
        assert!(
            problems.is_empty(),
            "{backend}, after kill {cycle} (seed {seed}), {} acknowledged writes: {} problems:\n{}",
            acks.len(),
            problems.len(),
            listed(&problems)
        );
        // The restarted server's index follows the change log from where it stopped.
        if let Some((tag, id)) = last_ticket(&acks) {
            let lag = search_finds(&load, &tag, id, SEARCH_WITHIN)
                .await
                .unwrap_or_else(|| {
                    panic!(
                        "{backend}, after kill {cycle}: search did not find ticket {id} ({tag}) \
                         within {} s",
                        SEARCH_WITHIN.as_secs()
                    )
                });
            search_lags.push(lag);
        }
        load.control.resume();
    }

    // The clients send again what is in doubt until it is acknowledged, and stop.
    load.control.stop();
    for c in clients {
        tokio::time::timeout(Duration::from_secs(120), c)
            .await
            .expect("the clients settle what they owe within two minutes")
            .expect("a client");
    }
    let failures = load.failures();
    assert!(
        failures.is_empty(),
        "{backend}: answers no write should get:\n{}",
        listed(&failures)
    );
    let acks = load.acks();
    let snapshot = checks::snapshot(&observer, load.mailbox_id).await;
    let problems = checks::problems(&snapshot, &acks, true);
    assert!(
        problems.is_empty(),
        "{backend}, at the end (seed {seed}), {} acknowledged writes: {} problems:\n{}",
        acks.len(),
        problems.len(),
        listed(&problems)
    );
    if let Some((tag, id)) = last_ticket(&acks) {
        assert!(
            search_finds(&load, &tag, id, SEARCH_WITHIN).await.is_some(),
            "{backend}: search did not find the last ticket {id} ({tag})"
        );
    }
    // Every job a killed server held runs again once its lease has run out.
    let deadline = Instant::now() + JOB_LEASE + Duration::from_secs(60);
    loop {
        let left = not_run_again(&observer, &held).await;
        if left.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{backend}: jobs {left:?} of a killed server never ran again"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    let count = |f: fn(&Ack) -> bool| acks.iter().filter(|a| f(a)).count();
    let stats = &load.stats;
    let n = |a: &std::sync::atomic::AtomicUsize| a.load(std::sync::atomic::Ordering::Relaxed);
    let slowest_restart = restarts.iter().max().copied().unwrap_or_default();
    let slowest_search = search_lags.iter().max().copied().unwrap_or_default();
    eprintln!(
        "crash test ({backend}): {cycles} kills in {:.0} s; {} acknowledged writes, all found \
         whole ({} tickets, {} replies, {} complaint steps, {} mails; {} tickets in the \
         database); {} answers lost in flight: {} creates and mails had been committed \
         (replayed on retry), {} had not (made on retry), {} replies and steps left in doubt; \
         {} jobs held by killed servers, all run again after their lease; slowest restart \
         {:.1} s, search caught up within {:.2} s",
        started.elapsed().as_secs_f64(),
        acks.len(),
        count(|a| matches!(a, Ack::Ticket { .. })),
        count(|a| matches!(a, Ack::Reply { .. })),
        count(|a| matches!(a, Ack::Complaint { .. })),
        count(|a| matches!(a, Ack::Mail { .. })),
        snapshot.tickets(),
        n(&stats.in_doubt),
        n(&stats.replayed),
        n(&stats.made_on_retry),
        n(&stats.left),
        held.len(),
        slowest_restart.as_secs_f64(),
        slowest_search.as_secs_f64(),
    );
    drop(server);
}
