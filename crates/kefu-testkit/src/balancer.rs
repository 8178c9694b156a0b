//! A load balancer in front of several kefu instances: Debian's haproxy, run by the test as
//! a child process with a configuration of its own — round robin, no stickiness, health
//! checks on `/healthz` every few hundred milliseconds — on a free loopback port. An
//! instance whose `/healthz` answers 503 (down, or draining at shutdown) gets no new
//! requests; a request whose connection to an instance fails is sent to another one.
//!
//! Without haproxy a test using it skips (prints why and returns), unless the peers are
//! required (`KEFU_REQUIRE_PEERS=1`, set by `scripts/test.sh`): then it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::smtp_peer::required;

/// Where Debian installs haproxy; `KEFU_HAPROXY` names another.
const HAPROXY: &str = "/usr/sbin/haproxy";

/// How long the balancer may take to answer through at least one healthy instance.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// The haproxy program, when installed.
pub fn program() -> Option<PathBuf> {
    let path = std::env::var_os("KEFU_HAPROXY")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(HAPROXY));
    path.exists().then_some(path)
}

/// The configuration of a balancer on `port` in front of the instances on `backends`
/// (loopback ports). Also the README's example, with the addresses changed.
pub fn config(port: u16, backends: &[u16]) -> String {
    let mut cfg = format!(
        "global\n\
         \x20   maxconn 4096\n\
         \x20   log stdout format raw local0 info\n\
         \n\
         defaults\n\
         \x20   mode http\n\
         \x20   log global\n\
         \x20   option httplog\n\
         \x20   timeout connect 2s\n\
         \x20   timeout client 5m\n\
         \x20   timeout server 5m\n\
         \x20   timeout tunnel 1h\n\
         \x20   # A request whose connection to an instance failed (one that just stopped)\n\
         \x20   # goes to another instance.\n\
         \x20   retries 3\n\
         \x20   option redispatch\n\
         \x20   retry-on conn-failure empty-response\n\
         \x20   # One connection per request to the instances: none is reused as an\n\
         \x20   # instance closes it at shutdown.\n\
         \x20   option http-server-close\n\
         \n\
         frontend kefu\n\
         \x20   bind 127.0.0.1:{port}\n\
         \x20   default_backend kefu\n\
         \n\
         backend kefu\n\
         \x20   balance roundrobin\n\
         \x20   option httpchk GET /healthz\n\
         \x20   http-check expect status 200\n\
         \x20   # A busy instance's slow answer is no failure (without this a check times\n\
         \x20   # out after `inter`); a refused connection or a draining instance's 503 is.\n\
         \x20   timeout check 3s\n\
         \x20   default-server inter 300ms fastinter 200ms downinter 300ms fall 1 rise 2\n"
    );
    for (i, backend) in backends.iter().enumerate() {
        cfg.push_str(&format!(
            "    server kefu{} 127.0.0.1:{backend} check\n",
            i + 1
        ));
    }
    cfg
}

/// A running haproxy; killed, and its directory removed, on drop.
pub struct Balancer {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

impl Balancer {
    /// Starts haproxy in front of the instances listening on `backends` (loopback ports)
    /// and waits until it answers `/healthz` through one of them. `None` (after saying why)
    /// when haproxy is not installed and not required.
    pub async fn start(backends: &[u16]) -> Option<Balancer> {
        let Some(haproxy) = program() else {
            assert!(
                !required(),
                "haproxy is required (KEFU_REQUIRE_PEERS=1) but {HAPROXY} is missing"
            );
            eprintln!("skipped: haproxy is not installed (apt-get install haproxy)");
            return None;
        };
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("kefu-haproxy-{}", crate::unique_name()));
        std::fs::create_dir_all(&dir).expect("the balancer's directory");
        let cfg = dir.join("haproxy.cfg");
        std::fs::write(&cfg, config(port, backends)).expect("the balancer's configuration");
        let log = std::fs::File::create(dir.join("haproxy.log")).expect("the balancer's log");
        let err = log.try_clone().expect("the balancer's log");
        let child = Command::new(&haproxy)
            .arg("-f")
            .arg(&cfg)
            // In the foreground, as this test's child.
            .arg("-db")
            .current_dir(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("{} does not start: {e}", haproxy.display()));
        let mut balancer = Balancer {
            base: format!("http://127.0.0.1:{port}"),
            port,
            dir,
            child: Some(child),
        };
        balancer.wait_until_up().await;
        Some(balancer)
    }

    /// haproxy's process id, while it runs (the benchmark reads its CPU time).
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// What haproxy wrote: its warnings and one line per request.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("haproxy.log")).unwrap_or_default()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The directory holding the configuration and the log.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    async fn wait_until_up(&mut self) {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .expect("client");
        let url = self.url("/healthz");
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
                panic!("haproxy ended ({status}) at start:\n{}", self.log());
            }
            assert!(
                Instant::now() < deadline,
                "haproxy did not answer /healthz through an instance within {} s:\n{}",
                START_TIMEOUT.as_secs(),
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}
