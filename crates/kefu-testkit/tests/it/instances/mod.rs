//! Several instances: three kefu server processes started together on one fresh PostgreSQL
//! database, Debian's haproxy in front of them (round robin, no stickiness, health checks
//! on `/healthz`; [`kefu_testkit::Balancer`]), as a site that outgrows one machine runs
//! kefu. What must hold: they migrate and seed once; a browser session and its CSRF tokens
//! work on every instance; what one instance writes, the others' search indexes and live
//! streams show within seconds; periodic jobs run once per key; login throttling and the
//! API's rate limit count across instances; a rolling restart under load fails no request.
//!
//! PostgreSQL only (`KEFU_TEST_DATABASE_URL`; on SQLite they skip): a SQLite file is one
//! machine's. Without haproxy they skip, unless `KEFU_REQUIRE_PEERS=1`.

mod limits;
mod rolling;
mod together;

// A chat whose customer and agent are on different instances, and a real Chromium
// through the balancer.
mod browser;
mod chat;

use std::collections::BTreeSet;
use std::time::Duration;

use kefu_testkit::{Balancer, ProcessOptions, ServerProcess, Session, TestApp, TestOptions};

/// The test the server processes run.
const ENTRY: &str = "instances::server_process";

/// The instances' names, as `X-Kefu-Instance` tells them.
const NAMES: [&str; 3] = ["kefu-a", "kefu-b", "kefu-c"];

/// How long an instance answers `/healthz` with 503 at SIGTERM before it stops accepting:
/// several of the balancer's checks (every 300 ms, one failure takes it out).
const DRAIN: Duration = Duration::from_millis(1500);

/// A kefu server on the database and port the environment names, until SIGTERM or a kill;
/// returns at once when run without them (`cargo test -- --ignored`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "run as a child process by the instance tests"]
async fn server_process() {
    kefu_testkit::server_process::serve_from_env().await;
}

/// Three instances on one fresh database, a balancer in front, and an observer: an
/// in-process kefu on the same database (no job worker) through which the tests make users
/// and tokens and read the tables.
pub struct Cluster {
    pub servers: Vec<ServerProcess>,
    pub balancer: Balancer,
    pub observer: TestApp,
}

impl Cluster {
    /// `None` (after saying why) on SQLite, or without haproxy when it is not required.
    pub async fn start(api_rate_per_minute: Option<u32>) -> Option<Cluster> {
        if !std::env::var("KEFU_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
            eprintln!(
                "skipped: several instances share one PostgreSQL database (set KEFU_TEST_DATABASE_URL)"
            );
            return None;
        }
        if kefu_testkit::balancer::program().is_none() {
            // Says why it skips, or fails when haproxy is required.
            let _ = Balancer::start(&[]).await;
            return None;
        }
        let (url, _) = kefu_testkit::fresh_database_url().await;
        // Launched one after the other without waiting: they connect, migrate and seed the
        // empty database at the same moment.
        let mut servers: Vec<ServerProcess> = NAMES
            .iter()
            .map(|name| {
                let options = ProcessOptions {
                    instance: Some((*name).to_owned()),
                    drain: Some(DRAIN),
                    api_rate_per_minute,
                    ..ProcessOptions::default()
                };
                ServerProcess::launch(ENTRY, &url, options)
            })
            .collect();
        for server in &mut servers {
            server.wait_ready().await;
        }
        let ports: Vec<u16> = servers.iter().map(|s| s.port).collect();
        let balancer = Balancer::start(&ports).await?;
        let observer = TestApp::spawn_with(TestOptions {
            join_database: Some(url),
            without_worker: true,
            ..TestOptions::default()
        })
        .await;
        let cluster = Cluster {
            servers,
            balancer,
            observer,
        };
        cluster.wait_all_in_rotation().await;
        Some(cluster)
    }

    /// Waits until requests through the balancer have landed on every instance (each is
    /// taken in after two good health checks).
    pub async fn wait_all_in_rotation(&self) {
        let http = reqwest::Client::new();
        let mut seen = BTreeSet::new();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while seen.len() < NAMES.len() {
            if let Ok(res) = http.get(self.balancer.url("/healthz")).send().await {
                seen.insert(instance(&res));
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the balancer sent requests only to {seen:?}:\n{}",
                self.balancer.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// An anonymous browser speaking to `base` (the balancer or one instance).
    pub fn browser(base: &str) -> Session {
        Session {
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            base: base.to_owned(),
        }
    }
}

/// The instance that answered.
pub fn instance(res: &reqwest::Response) -> String {
    res.headers()
        .get("x-kefu-instance")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// All the instances' names.
pub fn all_names() -> BTreeSet<String> {
    NAMES.iter().map(|n| (*n).to_owned()).collect()
}
