//! A private PostgreSQL per test, for what the shared test server must never undergo:
//! restarts, stops and crashes under kefu's feet. Each [`PgPeer`] is a cluster of its own —
//! `initdb` into a temporary directory, a free loopback port, trust for loopback, its unix
//! socket and log in that directory, `fsync = off` (nothing here must survive the machine) —
//! driven with `pg_ctl` the way an operator does: `restart -m fast`, `stop -m fast`,
//! `start`, and a `kill -9` of the postmaster. Extra `postgresql.conf` lines can be given
//! ([`PgPeer::start_with`]), and any server program run as the cluster's owner
//! ([`PgPeer::command`]). A streaming standby of a peer ([`PgPeer::standby_of`]) can be
//! promoted ([`PgPeer::promote`]) when its primary is killed: a failover.
//!
//! PostgreSQL's server programs are Debian's (`/usr/lib/postgresql/<version>/bin`, the
//! newest, or `KEFU_PG_BINDIR`). PostgreSQL refuses to run as root: tests running as root
//! run it as the `postgres` account (`runuser`), as `scripts/test.sh` does. Without the
//! programs, or as root without that account, a test using it skips (prints why and
//! returns), unless the peers are required (`KEFU_REQUIRE_PEERS=1`, set by
//! `scripts/test.sh`): then it fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::smtp_peer::required;

/// Where Debian installs PostgreSQL's server programs, one directory per major version.
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// The cluster's superuser; loopback is trusted, so URLs carry no password.
pub const SUPERUSER: &str = "postgres";

/// The database made at start for kefu ([`PgPeer::url`]).
pub const DATABASE: &str = "kefu";

/// The account a cluster runs as when the tests run as root.
const OS_USER: &str = "postgres";

/// How long starting (or stopping) may take, retries included.
const PATIENCE: Duration = Duration::from_secs(30);

/// The server programs' directory: `KEFU_PG_BINDIR`, else the newest Debian version's.
pub fn bindir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KEFU_PG_BINDIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return dir.join("initdb").exists().then_some(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_ROOT)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Who runs the cluster: the tests' own account, or `postgres` when that is root.
#[derive(Debug, Clone, Copy)]
enum Owner {
    Me,
    Postgres { uid: u32, gid: u32 },
}

fn owner() -> Result<Owner, String> {
    if !is_root() {
        return Ok(Owner::Me);
    }
    let id = |flag: &str| {
        Command::new("id")
            .args([flag, OS_USER])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .trim()
                    .parse::<u32>()
                    .ok()
            })
    };
    match (id("-u"), id("-g")) {
        (Some(uid), Some(gid)) => Ok(Owner::Postgres { uid, gid }),
        _ => Err(format!(
            "the tests run as root and there is no {OS_USER} account to run PostgreSQL as"
        )),
    }
}

/// Runs a command to its end: its standard output, or what went wrong.
fn run(mut cmd: Command, what: &str) -> Result<String, String> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "{what} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            String::from_utf8_lossy(&out.stdout)
        ))
    }
}

/// Runs `f` off the async runtime's threads: `pg_ctl` waits for the server, and kefu,
/// serving in the same runtime, must go on meanwhile.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a PostgreSQL command ran")
}

/// Everything needed to drive the cluster, cheap to move into a blocking task.
#[derive(Debug, Clone)]
struct Cluster {
    dir: PathBuf,
    bindir: PathBuf,
    owner: Owner,
    port: u16,
}

impl Cluster {
    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.join("server.log")
    }

    fn command(&self, program: &str) -> Command {
        let bin = self.bindir.join(program);
        let mut cmd = match self.owner {
            Owner::Me => Command::new(bin),
            Owner::Postgres { .. } => {
                let mut c = Command::new("runuser");
                c.args(["-u", OS_USER, "--"]).arg(bin);
                c
            }
        };
        // The programs complain about a working directory their account cannot enter.
        cmd.current_dir(&self.dir);
        cmd
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut cmd = self.command("pg_ctl");
        cmd.arg("-D").arg(self.data()).args(args);
        cmd
    }

    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.log_path()).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    fn init(&self, conf: &[String]) -> Result<(), String> {
        let mut initdb = self.command("initdb");
        initdb.arg("-D").arg(self.data()).args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "-N",
        ]);
        run(initdb, "initdb")?;
        let mut settings = format!(
            "\n# kefu test peer\nlisten_addresses = '127.0.0.1'\nport = {}\n\
             unix_socket_directories = '{}'\nfsync = off\n",
            self.port,
            self.dir.display()
        );
        for line in conf {
            settings.push_str(line);
            settings.push('\n');
        }
        let path = self.data().join("postgresql.conf");
        let mut file = std::fs::read_to_string(&path).map_err(|e| format!("{e}"))?;
        file.push_str(&settings);
        std::fs::write(&path, file).map_err(|e| format!("postgresql.conf: {e}"))
    }

    /// Starts the server and waits until it accepts connections. Tried again for a while:
    /// after a `kill -9` of the postmaster its sessions take a moment to notice and let go
    /// of the shared memory a new postmaster needs.
    fn start(&self) -> Result<(), String> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let log = self.log_path().display().to_string();
            match run(
                self.pg_ctl(&["-l", log.as_str(), "-w", "-t", "30", "start"]),
                "pg_ctl start",
            ) {
                Ok(_) => return Ok(()),
                Err(e) if Instant::now() >= deadline => {
                    return Err(format!("{e}\nserver log:\n{}", self.log_tail()));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(250)),
            }
        }
    }

    fn stop(&self, mode: &str) -> Result<(), String> {
        run(
            self.pg_ctl(&["-m", mode, "-w", "-t", "30", "stop"]),
            "pg_ctl stop",
        )
        .map(drop)
        .map_err(|e| format!("{e}\nserver log:\n{}", self.log_tail()))
    }

    /// Makes this (not yet existing) cluster a streaming standby of the one on
    /// `primary_port`: `pg_basebackup -R` writes its connection to the primary, `-C -S`
    /// creates the physical replication slot `name` there (the primary keeps the WAL the
    /// standby has not received yet). It reports itself as `name` (`cluster_name`), what
    /// the primary's `synchronous_standby_names` names; its own copy of that setting is
    /// emptied, so that once promoted, alone, it does not wait for a standby it has not.
    fn clone_of(&self, primary_port: u16, name: &str) -> Result<(), String> {
        let port = primary_port.to_string();
        let mut backup = self.command("pg_basebackup");
        backup
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                port.as_str(),
                "-U",
                SUPERUSER,
                "-D",
            ])
            .arg(self.data())
            // A spread checkpoint (the default) makes the copy wait for one paced over
            // `checkpoint_timeout`.
            .args(["-R", "-C", "-S", name, "-X", "stream", "--no-sync"])
            .arg("--checkpoint=fast");
        run(backup, "pg_basebackup")?;
        let settings = format!(
            "\n# kefu test standby\nport = {}\nunix_socket_directories = '{}'\n\
             cluster_name = '{name}'\nsynchronous_standby_names = ''\n",
            self.port,
            self.dir.display()
        );
        let path = self.data().join("postgresql.conf");
        let mut file = std::fs::read_to_string(&path).map_err(|e| format!("{e}"))?;
        file.push_str(&settings);
        std::fs::write(&path, file).map_err(|e| format!("postgresql.conf: {e}"))
    }

    fn restart(&self, mode: &str) -> Result<(), String> {
        let log = self.log_path().display().to_string();
        run(
            self.pg_ctl(&["-l", log.as_str(), "-m", mode, "-w", "-t", "30", "restart"]),
            "pg_ctl restart",
        )
        .map(drop)
        .map_err(|e| format!("{e}\nserver log:\n{}", self.log_tail()))
    }

    /// The postmaster's process id, from its lock file, while it has one.
    fn postmaster_pid(&self) -> Option<String> {
        let lock = std::fs::read_to_string(self.data().join("postmaster.pid")).ok()?;
        lock.lines()
            .next()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
    }

    /// Whether process `pid` still runs: a zombie does not (a postmaster started by
    /// `pg_ctl` is nobody's child here, and whoever inherits it may be slow to reap it).
    fn alive(pid: &str) -> bool {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // `pid (comm) state …`: the state follows the last parenthesis.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.trim_start().chars().next())
            .is_some_and(|state| state != 'Z' && state != 'X')
    }

    /// `kill -9` of the postmaster, as a crash: no shutdown, no checkpoint; its sessions
    /// end as they notice. Returns once the postmaster is gone.
    fn kill9(&self) -> Result<(), String> {
        let pid = self
            .postmaster_pid()
            .ok_or("no postmaster.pid: the server is not running")?;
        let mut kill = Command::new("kill");
        kill.args(["-9", pid.as_str()]);
        run(kill, "kill -9")?;
        let deadline = Instant::now() + PATIENCE;
        while Cluster::alive(&pid) {
            if Instant::now() > deadline {
                return Err(format!("postmaster {pid} survived kill -9"));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // A dead postmaster nobody has reaped yet still answers `kill(pid, 0)`, and a new
        // one would take its lock file for a live server's: the file goes, as after a
        // reboot, when its process is gone.
        let _ = std::fs::remove_file(self.data().join("postmaster.pid"));
        Ok(())
    }
}

/// A running private PostgreSQL; it stops, and its directory goes, on drop.
pub struct PgPeer {
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// Its directory: `data/` (the cluster), `server.log`, the unix socket.
    pub dir: PathBuf,
    cluster: Cluster,
}

impl PgPeer {
    /// A cluster with the test settings and a database [`DATABASE`]; `None` (the caller
    /// returns, the test skipped) when PostgreSQL cannot run here and is not required.
    pub async fn launch() -> Option<PgPeer> {
        PgPeer::start_with(&[]).await
    }

    /// The same, with more `postgresql.conf` lines (`"wal_level = replica"`,
    /// `"max_connections = 300"`…), written after the test settings so they win.
    pub async fn start_with(conf: &[&str]) -> Option<PgPeer> {
        let why = match (bindir(), owner()) {
            (Some(bin), Ok(owner)) => {
                return Some(PgPeer::create(bin, owner, conf).await);
            }
            (None, _) => format!(
                "PostgreSQL's server programs are not installed under {DEBIAN_ROOT} \
                 (apt-get install postgresql), and KEFU_PG_BINDIR names none"
            ),
            (Some(_), Err(why)) => why,
        };
        assert!(
            !required(),
            "PostgreSQL is required (KEFU_REQUIRE_PEERS=1) but cannot run: {why}"
        );
        eprintln!("skipped: {why}");
        None
    }

    async fn create(bindir: PathBuf, owner: Owner, conf: &[&str]) -> PgPeer {
        // /tmp rather than $TMPDIR: the postgres account must reach it, and the socket's
        // path must stay within the 107 bytes a unix socket's name may have.
        let dir = Path::new("/tmp").join(format!("kefu-pg-{}", crate::unique_name()));
        std::fs::create_dir_all(&dir).expect("the cluster's directory");
        if let Owner::Postgres { uid, gid } = owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown");
        }
        let cluster = Cluster {
            dir: dir.clone(),
            bindir,
            owner,
            port: free_port(),
        };
        let peer = PgPeer {
            port: cluster.port,
            dir,
            cluster: cluster.clone(),
        };
        let conf: Vec<String> = conf.iter().map(|l| (*l).to_owned()).collect();
        blocking(move || {
            cluster.init(&conf)?;
            cluster.start()?;
            let port = cluster.port.to_string();
            let mut createdb = cluster.command("createdb");
            createdb
                .args(["-h", "127.0.0.1", "-p", port.as_str()])
                .args(["-U", SUPERUSER, DATABASE]);
            run(createdb, "createdb").map(drop)
        })
        .await
        .unwrap_or_else(|e| panic!("the private PostgreSQL did not start: {e}"));
        peer
    }

    /// A streaming standby of `primary` in a cluster of its own, made as an operator does
    /// (`pg_basebackup -R -C -S name`), with a physical replication slot `name` on the
    /// primary and `name` as its `application_name` there — list it in the primary's
    /// `synchronous_standby_names` (given to [`PgPeer::start_with`]) for synchronous
    /// replication. Returns once the primary streams to it.
    pub async fn standby_of(primary: &PgPeer, name: &str) -> PgPeer {
        let dir = Path::new("/tmp").join(format!("kefu-pg-{}", crate::unique_name()));
        std::fs::create_dir_all(&dir).expect("the standby's directory");
        if let Owner::Postgres { uid, gid } = primary.cluster.owner {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).expect("chown");
        }
        let cluster = Cluster {
            dir: dir.clone(),
            bindir: primary.cluster.bindir.clone(),
            owner: primary.cluster.owner,
            port: free_port(),
        };
        let standby = PgPeer {
            port: cluster.port,
            dir,
            cluster: cluster.clone(),
        };
        let (primary_port, slot) = (primary.port, name.to_owned());
        blocking(move || {
            cluster.clone_of(primary_port, &slot)?;
            cluster.start()
        })
        .await
        .unwrap_or_else(|e| panic!("the standby did not start: {e}"));
        let deadline = Instant::now() + PATIENCE;
        let sql = format!(
            "SELECT state FROM pg_stat_replication \
             WHERE application_name = '{name}' AND state = 'streaming'"
        );
        while primary.psql("postgres", &sql).await.trim().is_empty() {
            assert!(
                Instant::now() < deadline,
                "the primary does not stream to standby {name}:\n{}",
                standby.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        standby
    }

    /// `pg_ctl promote`: a standby stops following its primary and takes writes. Returns
    /// once it does.
    pub async fn promote(&self) {
        let cmd = self.cluster.pg_ctl(&["-w", "-t", "30", "promote"]);
        blocking(move || run(cmd, "pg_ctl promote"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// kefu's database on this cluster.
    pub fn url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The maintenance database, for creating others.
    pub fn server_url(&self) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/postgres", self.port)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.cluster.data()
    }

    /// A server program of this cluster's PostgreSQL (`psql`, `pg_basebackup`…), run as
    /// the cluster's owner in its directory.
    pub fn command(&self, program: &str) -> Command {
        self.cluster.command(program)
    }

    /// `psql -Atc SQL` on database `db`: its output.
    pub async fn psql(&self, db: &str, sql: &str) -> String {
        let port = self.port.to_string();
        let mut cmd = self.command("psql");
        cmd.args(["-h", "127.0.0.1", "-p", port.as_str()])
            .args(["-U", SUPERUSER, "-d", db, "-X", "-A", "-t", "-c", sql]);
        let sql = sql.to_owned();
        blocking(move || run(cmd, "psql"))
            .await
            .unwrap_or_else(|e| panic!("psql {sql:?}: {e}"))
    }

    /// `pg_ctl restart -m fast`: every session is ended (57P01), the server checkpoints,
    /// stops and starts again. Returns when it accepts connections.
    pub async fn restart_fast(&self) {
        let cluster = self.cluster.clone();
        blocking(move || cluster.restart("fast"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// `pg_ctl stop -m fast`: sessions ended, a clean shutdown. Returns when it is down.
    pub async fn stop_fast(&self) {
        let cluster = self.cluster.clone();
        blocking(move || cluster.stop("fast"))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// `pg_ctl start` (after a stop or a kill). Returns when it accepts connections.
    pub async fn start(&self) {
        let cluster = self.cluster.clone();
        blocking(move || cluster.start())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// `kill -9` of the postmaster: a crash. Returns once it is gone; [`PgPeer::start`]
    /// brings the cluster back through crash recovery.
    pub async fn kill9_postmaster(&self) {
        let cluster = self.cluster.clone();
        blocking(move || cluster.kill9())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// Whether the server is up (`pg_ctl status`).
    pub async fn is_running(&self) -> bool {
        let cmd = self.cluster.pg_ctl(&["status"]);
        blocking(move || run(cmd, "pg_ctl status").is_ok()).await
    }

    /// The server's log, for a failing test's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.cluster.log_path()).unwrap_or_default()
    }
}

impl Drop for PgPeer {
    fn drop(&mut self) {
        // No checkpoint needed for a cluster about to be deleted.
        let _ = run(
            self.cluster
                .pg_ctl(&["-m", "immediate", "-w", "-t", "10", "stop"]),
            "pg_ctl stop",
        );
        if let Some(pid) = self.cluster.postmaster_pid()
            && Cluster::alive(&pid)
        {
            let _ = Command::new("kill").args(["-9", pid.as_str()]).status();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
