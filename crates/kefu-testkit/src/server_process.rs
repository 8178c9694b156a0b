//! kefu in a process of its own, for the tests that kill it: `kill -9` lands on a server that
//! is mid-request, mid-transaction and mid-job, and nothing of it survives but what it wrote
//! to the database and its data directory — as when a machine's kefu is killed.
//!
//! The process is the test binary run again for one `#[ignore]`d test whose body is
//! [`serve_from_env`]: without the environment below that test returns at once, with it the
//! process serves as `kefu serve` does — [`kefu::server::prepare`] then
//! [`kefu::server::run`] (HTTP, the job worker, the mailbox readers and the search index
//! following the change log) — on the database, data directory and port it is told, until
//! it is killed. Only its poll intervals are a test's (200 ms for jobs, 100 ms for search)
//! and, when asked, its job lease, its instance name (`X-Kefu-Instance`), how long it
//! drains at SIGTERM and its API rate limit. SIGTERM stops it as it stops `kefu serve`
//! ([`ServerProcess::stop_gracefully`]); [`ServerProcess::launch`] starts several without
//! waiting, so they start together.
//!
//! ```ignore
//! #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
//! #[ignore = "run as a child process by the crash tests"]
//! async fn server_process() {
//!     kefu_testkit::server_process::serve_from_env().await;
//! }
//! ```
//!
//! [`ServerProcess::start`] names that test (`crash::server_process`), so several test
//! modules may each have their own entry point.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use kefu::config::{FileConfig, Overrides, ServerConfig};
use kefu::server::{self, RunOptions};
use kefu_domain::SystemClock;
use tokio::net::TcpListener;

use crate::{install_crypto, unique_name};

/// The database URL the process serves.
const DATABASE: &str = "KEFU_SERVER_PROCESS_DATABASE";
/// Its data directory (the search index lives in `search/` under it).
const DATA_DIR: &str = "KEFU_SERVER_PROCESS_DATA_DIR";
/// The loopback port it listens on.
const PORT: &str = "KEFU_SERVER_PROCESS_PORT";
/// Its job lease in milliseconds, when not the default.
const JOB_LEASE_MS: &str = "KEFU_SERVER_PROCESS_JOB_LEASE_MS";
/// Its name in `X-Kefu-Instance`, when given.
const INSTANCE: &str = "KEFU_SERVER_PROCESS_INSTANCE";
/// How long it drains on SIGTERM (`/healthz` 503 while still serving), in milliseconds.
const DRAIN_MS: &str = "KEFU_SERVER_PROCESS_DRAIN_MS";
/// Its API rate limit per token per minute, when not (practically) unlimited.
const API_RATE: &str = "KEFU_SERVER_PROCESS_API_RATE";

/// How a [`ServerProcess`] is started, beyond its database.
#[derive(Debug, Clone, Default)]
pub struct ProcessOptions {
    /// Another job lease than kefu's default.
    pub job_lease: Option<Duration>,
    /// The instance's name in `X-Kefu-Instance` (kefu's default otherwise).
    pub instance: Option<String>,
    /// At SIGTERM, how long `/healthz` answers 503 while requests are still served.
    pub drain: Option<Duration>,
    /// The API's rate limit per token per minute; practically unlimited when `None`.
    pub api_rate_per_minute: Option<u32>,
}

/// How long a start may take before the test gives up on it: a loaded CI machine runs the
/// whole suite beside it.
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// A kefu server process. It keeps its port and data directory across [`restart`]s; it is
/// killed, and its data directory removed, on drop (the database is the caller's).
///
/// [`restart`]: ServerProcess::restart
pub struct ServerProcess {
    /// `http://127.0.0.1:PORT`, the same after every restart.
    pub base: String,
    pub port: u16,
    pub database_url: String,
    pub data_dir: PathBuf,
    /// The test the process runs (`module::test_name`).
    entry: String,
    options: ProcessOptions,
    child: Option<Child>,
    /// Starts so far; each start logs to its own file.
    starts: u32,
}

impl ServerProcess {
    /// Starts the test `entry` (whose body is [`serve_from_env`]) as a server on
    /// `database_url`, and waits until it answers `/healthz`.
    pub async fn start(entry: &str, database_url: &str) -> ServerProcess {
        ServerProcess::start_with_lease(entry, database_url, None).await
    }

    /// As [`start`](ServerProcess::start), with another job lease than kefu's default.
    pub async fn start_with_lease(
        entry: &str,
        database_url: &str,
        job_lease: Option<Duration>,
    ) -> ServerProcess {
        let options = ProcessOptions {
            job_lease,
            ..ProcessOptions::default()
        };
        ServerProcess::start_with(entry, database_url, options).await
    }

    /// As [`start`](ServerProcess::start), with `options`.
    pub async fn start_with(
        entry: &str,
        database_url: &str,
        options: ProcessOptions,
    ) -> ServerProcess {
        let mut server = ServerProcess::launch(entry, database_url, options);
        server.wait_until_up().await;
        server
    }

    /// Starts the process without waiting for it: several launched one after the other
    /// start together (then [`wait_ready`](ServerProcess::wait_ready) each).
    pub fn launch(entry: &str, database_url: &str, options: ProcessOptions) -> ServerProcess {
        install_crypto();
        let port = free_port();
        let data_dir = std::env::temp_dir().join(format!("kefu-process-{}", unique_name()));
        std::fs::create_dir_all(&data_dir).expect("the server's data directory");
        let mut server = ServerProcess {
            base: format!("http://127.0.0.1:{port}"),
            port,
            database_url: database_url.to_owned(),
            data_dir,
            entry: entry.to_owned(),
            options,
            child: None,
            starts: 0,
        };
        server.spawn();
        server
    }

    /// Waits until a [`launch`](ServerProcess::launch)ed process answers `/healthz`.
    pub async fn wait_ready(&mut self) {
        self.wait_until_up().await;
    }

    /// SIGTERM, as a service manager stops kefu: it drains (when told to), lets requests in
    /// flight and the current job finish, and exits. Waits up to `within` for the exit and
    /// returns how it ended; the process is killed if it outlasts that.
    pub async fn stop_gracefully(&mut self, within: Duration) -> std::process::ExitStatus {
        let Some(mut child) = self.child.take() else {
            panic!("SIGTERM to a server that is not running");
        };
        let sent = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill -TERM");
        assert!(sent.success(), "kill -TERM {} failed", child.id());
        let deadline = Instant::now() + within;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return status;
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "the server did not stop within {} s of SIGTERM:\n{}",
                    within.as_secs(),
                    self.log()
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The operating system's id of the running process.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL — no signal handler runs, no request or job finishes, no connection is closed
    /// politely — and waits until the process is gone. The server must have been running.
    pub fn kill9(&mut self) {
        let Some(mut child) = self.child.take() else {
            panic!("kill -9 of a server that is not running");
        };
        if let Ok(Some(status)) = child.try_wait() {
            panic!(
                "the server had ended ({status}) before it was killed:\n{}",
                self.log()
            );
        }
        // `Child::kill` is SIGKILL on Unix.
        child.kill().expect("SIGKILL");
        let _ = child.wait();
    }

    /// Starts the server again on the same database, data directory and port (killing it
    /// first if it still runs), and waits until it answers `/healthz`.
    pub async fn restart(&mut self) {
        if self.child.is_some() {
            self.kill9();
        }
        self.spawn();
        self.wait_until_up().await;
    }

    /// What the current (or last) start wrote to standard output and error.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    fn log_path(&self) -> PathBuf {
        self.data_dir.join(format!("server-{}.log", self.starts))
    }

    fn spawn(&mut self) {
        self.starts += 1;
        let out = std::fs::File::create(self.log_path()).expect("the server's log file");
        let err = out.try_clone().expect("the server's log file");
        let mut cmd = Command::new(std::env::current_exe().expect("the test binary"));
        cmd.args([
            "--exact",
            self.entry.as_str(),
            "--ignored",
            "--test-threads=1",
            "--nocapture",
        ])
        .env(DATABASE, &self.database_url)
        .env(DATA_DIR, &self.data_dir)
        .env(PORT, self.port.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
        if let Some(lease) = self.options.job_lease {
            cmd.env(JOB_LEASE_MS, lease.as_millis().to_string());
        }
        if let Some(instance) = &self.options.instance {
            cmd.env(INSTANCE, instance);
        }
        if let Some(drain) = self.options.drain {
            cmd.env(DRAIN_MS, drain.as_millis().to_string());
        }
        if let Some(rate) = self.options.api_rate_per_minute {
            cmd.env(API_RATE, rate.to_string());
        }
        self.child = Some(cmd.spawn().expect("the server process starts"));
    }

    async fn wait_until_up(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let url = format!("{}/healthz", self.base);
        let deadline = Instant::now() + START_TIMEOUT;
        loop {
            if let Ok(res) = client.get(&url).send().await
                && res.status() == 200
            {
                return;
            }
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!(
                    "the server process ended ({status}) before it answered /healthz:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "the server process did not answer /healthz within {} s:\n{}",
                START_TIMEOUT.as_secs(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The body of a server process's entry test: serves as `kefu serve` does on the database,
/// data directory and port [`ServerProcess`] put in the environment, until killed. Without
/// that environment (the test run on its own, or with `--ignored`) it returns at once.
pub async fn serve_from_env() {
    let Ok(database_url) = std::env::var(DATABASE) else {
        return;
    };
    install_crypto();
    // Installed before start-up, so a SIGTERM during it still stops the server cleanly.
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler");
    let data_dir = PathBuf::from(std::env::var_os(DATA_DIR).expect("KEFU_SERVER_PROCESS_DATA_DIR"));
    let port: u16 = std::env::var(PORT)
        .ok()
        .and_then(|p| p.parse().ok())
        .expect("KEFU_SERVER_PROCESS_PORT");
    let job_lease = std::env::var(JOB_LEASE_MS)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
        .map(Duration::from_millis);
    // The configuration as `kefu serve --database-url … --data-dir … --listen …` resolves
    // it. The load comes from a few tokens and, for webhooks, from one address: the API's
    // rate limit would measure the test's clients rather than kefu.
    let overrides = Overrides {
        listen: Some(format!("127.0.0.1:{port}")),
        database_url: Some(database_url),
        data_dir: Some(data_dir),
        api_rate_limit_per_minute: Some(
            std::env::var(API_RATE)
                .ok()
                .and_then(|r| r.parse().ok())
                .unwrap_or(1_000_000_000),
        ),
        ..Overrides::default()
    };
    let mut config =
        ServerConfig::resolve(overrides, FileConfig::default()).expect("configuration");
    if let Ok(instance) = std::env::var(INSTANCE) {
        config.web.instance = instance;
    }
    if let Some(drain) = std::env::var(DRAIN_MS)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
    {
        config.web.shutdown_drain = Duration::from_millis(drain);
    }
    let prepared = server::prepare(&config, Arc::new(SystemClock))
        .await
        .expect("kefu prepares");
    let listener = bind(config.listen).await;
    let mut options = RunOptions {
        job_poll: Some(Duration::from_millis(200)),
        search_poll: Duration::from_millis(100),
        search_rebuild: prepared.search_rebuild,
        ..RunOptions::default()
    };
    if let Some(lease) = job_lease {
        options.job_lease = lease;
    }
    server::run(prepared.app, config.web, listener, options, async move {
        term.recv().await;
    })
    .await
    .expect("kefu runs");
}

/// The port of a killed predecessor is free again at once (its listening socket died with
/// it), but a few tries cost nothing against a slow kernel.
async fn bind(addr: SocketAddr) -> TcpListener {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpListener::bind(addr).await {
            Ok(l) => return l,
            Err(e) if Instant::now() >= deadline => panic!("cannot listen on {addr}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}
