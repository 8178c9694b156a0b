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
//! and, when asked, its job lease.
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
    job_lease: Option<Duration>,
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
            job_lease,
            child: None,
            starts: 0,
        };
        server.spawn();
        server.wait_until_up().await;
        server
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
        if let Some(lease) = self.job_lease {
            cmd.env(JOB_LEASE_MS, lease.as_millis().to_string());
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
        api_rate_limit_per_minute: Some(1_000_000_000),
        ..Overrides::default()
    };
    let config = ServerConfig::resolve(overrides, FileConfig::default()).expect("configuration");
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
    server::run(
        prepared.app,
        config.web,
        listener,
        options,
        std::future::pending::<()>(),
    )
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
