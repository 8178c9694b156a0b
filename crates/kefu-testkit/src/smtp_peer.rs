//! A real SMTP server for the mail-out tests: `smtp_peer.py` beside this crate, on Debian's
//! `python3-aiosmtpd`, run as a child process on a free loopback port. It keeps every
//! message it takes in a directory and answers by recipient — `reject+…@` gets 550 at
//! RCPT, `tempfail+…@` gets 451 at DATA the first time, `slow+…@` is kept at once but
//! answered only a minute later the first time (see the script).
//!
//! Without python3-aiosmtpd a test using it skips (prints why and returns), unless the
//! peers are required (`KEFU_REQUIRE_PEERS=1`, set by `scripts/test.sh`): then it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The script the peer runs.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/smtp_peer.py");

/// Debian's Python, which sees Debian's python3-aiosmtpd (a `python3` earlier in `PATH`,
/// from pyenv or a virtual environment, may not); `KEFU_PYTHON` overrides it.
fn python() -> PathBuf {
    std::env::var("KEFU_PYTHON")
        .unwrap_or_else(|_| "/usr/bin/python3".into())
        .into()
}

/// Whether the test peers must run (the test script sets `KEFU_REQUIRE_PEERS=1`), so a
/// missing peer fails instead of skipping.
pub fn required() -> bool {
    std::env::var("KEFU_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

/// Whether python3-aiosmtpd can be imported.
pub fn available() -> bool {
    Command::new(python())
        .args(["-c", "import aiosmtpd.smtp"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// A running SMTP peer; it stops, and its directory goes, on drop.
pub struct SmtpPeer {
    pub port: u16,
    /// Where it writes what it takes.
    pub dir: PathBuf,
    child: Child,
}

impl SmtpPeer {
    /// A peer that takes mail without signing in; `None` (the caller returns, the test
    /// skipped) when python3-aiosmtpd is missing and not required.
    pub async fn start() -> Option<SmtpPeer> {
        SmtpPeer::launch(None).await
    }

    /// A peer that lets in only `user` with `password` (AUTH on the plain connection).
    pub async fn start_with_login(user: &str, password: &str) -> Option<SmtpPeer> {
        SmtpPeer::launch(Some((user, password))).await
    }

    async fn launch(login: Option<(&str, &str)>) -> Option<SmtpPeer> {
        if !available() {
            assert!(
                !required(),
                "python3-aiosmtpd is required (KEFU_REQUIRE_PEERS=1) but {} cannot import it",
                python().display()
            );
            eprintln!(
                "skipped: python3-aiosmtpd is not installed (apt-get install python3-aiosmtpd)"
            );
            return None;
        }
        let port = free_port();
        let dir =
            std::env::temp_dir().join(format!("kefu-smtp-peer-{port}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("peer dir");
        let mut cmd = Command::new(python());
        cmd.arg(SCRIPT)
            .arg("--port")
            .arg(port.to_string())
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some((user, password)) = login {
            cmd.args(["--user", user, "--password", password]);
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {SCRIPT}: {e}"));
        let peer = SmtpPeer { port, dir, child };
        let deadline = Instant::now() + Duration::from_secs(15);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(
                Instant::now() < deadline,
                "the SMTP peer did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Some(peer)
    }

    /// The messages it took, in order, raw.
    pub fn received(&self) -> Vec<Vec<u8>> {
        read_mails(&self.dir)
    }

    /// The messages it refused with 451 (once per `tempfail+` recipient), in order, raw.
    pub fn tempfailed(&self) -> Vec<Vec<u8>> {
        read_mails(&self.dir.join("tempfail"))
    }

    /// Waits (up to ten seconds) until it took at least `n` messages; all it took.
    pub async fn wait_for(&self, n: usize) -> Vec<Vec<u8>> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// The complete `.eml` files of `dir`, by name.
fn read_mails(dir: &Path) -> Vec<Vec<u8>> {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
        .iter()
        .map(|p| std::fs::read(p).expect("read a received mail"))
        .collect()
}

impl Drop for SmtpPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
