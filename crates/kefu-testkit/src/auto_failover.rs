//! 自动故障切换 — a PostgreSQL formation that fails over by itself: Debian's
//! pg_auto_failover (`postgresql-<version>-auto-failover`, whose `pg_autoctl` is
//! `/usr/bin/pg_autoctl`) with a monitor, a primary and a secondary, each a private cluster in
//! one temporary directory on free loopback ports, set up as an operator does:
//!
//! ```text
//! pg_autoctl create monitor --pgdata DIR/monitor --pgport P --pgctl BIN/pg_ctl \
//!     --hostname 127.0.0.1 --auth trust --no-ssl
//! pg_autoctl config set --pgdata DIR/monitor postgresql.listen_addresses 127.0.0.1
//! pg_autoctl run --pgdata DIR/monitor
//! pg_autoctl create postgres --pgdata DIR/node1 --pgport P1 --listen 127.0.0.1 \
//!     --hostname 127.0.0.1 --name node1 --dbname kefu --username postgres \
//!     --monitor postgres://autoctl_node@127.0.0.1:P/pg_auto_failover?sslmode=prefer \
//!     --auth trust --no-ssl --pgctl BIN/pg_ctl --run
//! (the same for node2, which pg_autoctl makes the secondary)
//! ```
//!
//! Each `pg_autoctl run` (or `create … --run`) is a child of the test in a process group of
//! its own, holding its PostgreSQL: [`PgAutoFailover::kill_node`] kills a node's group with
//! `kill -9` — its keeper and its postmaster at once, as when its machine dies — and the
//! monitor, not the test, promotes the other node. On drop every `pg_autoctl` gets SIGQUIT
//! (it stops its PostgreSQL at once and exits), what is left is killed, and the directory
//! goes. pg_autoctl's own files (configuration, state, pid files) live in that directory
//! too: `XDG_CONFIG_HOME`, `XDG_DATA_HOME` and `XDG_RUNTIME_DIR` point there.
//!
//! Replication is pg_auto_failover's default: the formation's `number_sync_standbys` is 0
//! and every node has `replication-quorum` true, so the monitor sets the primary's
//! `synchronous_standby_names` to `ANY 1 (pgautofailover_standby_2)` (with
//! `synchronous_commit = on`): a commit returns once the secondary has it. The monitor's
//! health checks are lowered ([`MONITOR_SETTINGS`]) so that a failover takes seconds, not
//! the half minute and more of the defaults.
//!
//! Tests running as root run everything as the `postgres` account. PostgreSQL's unix socket
//! stays in Debian's default directory ([`SOCKET_DIR`]; pg_autoctl passes PostgreSQL no
//! other), so another account must be able to write there. Without pg_autoctl, the
//! extension or that account, a test using it skips (prints why and returns), unless the
//! peers are required (`KEFU_REQUIRE_PEERS=1`, set by `scripts/test.sh`): then it fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::smtp_peer::required;

mod setup;

use setup::{
    Owner, Setup, crash, free_ports, owner, postmaster_of, postmaster_pid, signal_group,
    wait_postmaster_gone,
};

/// Where Debian installs pg_autoctl; `KEFU_PG_AUTOCTL` names another.
const PG_AUTOCTL: &str = "/usr/bin/pg_autoctl";

/// PostgreSQL's server programs, one directory per major version (`<version>/bin`).
const DEBIAN_ROOT: &str = "/usr/lib/postgresql";

/// PostgreSQL's extensions, one directory per major version (`<version>/extension`).
const DEBIAN_SHARE: &str = "/usr/share/postgresql";

/// The monitor's extension: the PostgreSQL version used is one that has it.
const EXTENSION: &str = "pgautofailover.control";

/// Where Debian's PostgreSQL puts its unix socket.
pub const SOCKET_DIR: &str = "/var/run/postgresql";

/// The account the formation runs as when the tests run as root.
const OS_USER: &str = "postgres";

/// The database pg_autoctl makes on the primary for kefu.
pub const DATABASE: &str = "kefu";

/// The two nodes' names, in the order they join: the first becomes the primary.
pub const NODES: [&str; 2] = ["node1", "node2"];

/// How long the formation may take to come up (4 to 7.5 s by hand on an idle machine).
const PATIENCE: Duration = Duration::from_secs(90);

/// The monitor's health checks (`pgautofailover.*`, set with `ALTER SYSTEM`), lowered from
/// the defaults (a check every 5 s, 5 s timeout, 2 retries 2 s apart, a node unhealthy
/// after 20 s without a report, 30 s for a lost primary to demote itself): a node is found
/// dead within about 4 s and its secondary promoted 3 s later.
pub const MONITOR_SETTINGS: &[&str] = &[
    "health_check_period = 1000",
    "health_check_timeout = 1000",
    "health_check_max_retries = 1",
    "health_check_retry_delay = 500",
    "node_considered_unhealthy_timeout = 3000",
    "primary_demote_timeout = 3000",
    "startup_grace_period = 1000",
];

/// The primary's own settings, before the secondary joins. pg_autoctl makes the secondary
/// with `pg_basebackup`, which waits for a spread checkpoint — minutes on an idle server —
/// unless checkpoints are not spread. `fsync = off` as for every test cluster: nothing
/// here must survive the machine (a killed process's writes are in the page cache).
const PRIMARY_SETTINGS: &[&str] = &["checkpoint_completion_target = 0", "fsync = off"];

/// The caller's libpq settings, which pg_autoctl and psql must not see: a `PGHOST` would
/// send pg_autoctl to a socket its PostgreSQL does not open.
const LIBPQ_SETTINGS: &str =
    "PGDATA PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGSERVICE PGSSLMODE PG_CONFIG";

/// What the monitor says of one node (`pg_autoctl show state --json`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeState {
    pub name: String,
    pub port: u16,
    /// The state the node reported (`current_group_state`): `primary`, `secondary`,
    /// `wait_primary`…
    pub current: String,
    /// The state the monitor assigned it (`assigned_group_state`).
    pub assigned: String,
}

/// pg_autoctl, when installed.
pub fn program() -> Option<PathBuf> {
    let path = std::env::var_os("KEFU_PG_AUTOCTL")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(PG_AUTOCTL));
    path.exists().then_some(path)
}

/// The server programs' directory of the newest PostgreSQL that has the monitor's
/// extension; `KEFU_PG_BINDIR` when set.
pub fn bindir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KEFU_PG_BINDIR").filter(|d| !d.is_empty()) {
        let dir = PathBuf::from(dir);
        return dir.join("pg_ctl").exists().then_some(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir(DEBIAN_ROOT)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let name = entry.file_name();
            let name = name.to_str()?;
            let version = name.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            let extension = Path::new(DEBIAN_SHARE)
                .join(name)
                .join("extension")
                .join(EXTENSION);
            (bin.join("pg_ctl").exists() && extension.exists()).then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// Runs `f` off the async runtime's threads: pg_autoctl and psql wait for servers, and
/// kefu, serving in the same runtime, must go on meanwhile.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    tokio::task::spawn_blocking(f)
        .await
        .expect("a pg_auto_failover command ran")
}

/// One pg_autoctl service: the monitor or a node.
struct Service {
    name: &'static str,
    pgdata: PathBuf,
    child: Option<Child>,
}

/// A running pg_auto_failover formation: monitor, primary, secondary. Everything stops,
/// and its directory goes, on drop.
pub struct PgAutoFailover {
    /// Its directory: `monitor/`, `node1/`, `node2/` (the clusters), one log per
    /// pg_autoctl service, pg_autoctl's files.
    pub dir: PathBuf,
    /// The monitor's port on 127.0.0.1.
    pub monitor_port: u16,
    /// The ports of [`NODES`] on 127.0.0.1: the primary's, then the secondary's.
    pub ports: [u16; 2],
    setup: Setup,
    services: Vec<Service>,
}

impl PgAutoFailover {
    /// A monitor, then a primary and a secondary; returns once the monitor has them as
    /// `primary` and `secondary`. `None` (the caller returns, the test skipped) when
    /// pg_auto_failover cannot run here and is not required.
    pub async fn launch() -> Option<PgAutoFailover> {
        let why = match (program(), bindir(), owner()) {
            (Some(pg_autoctl), Some(bindir), Ok(owner)) => {
                return Some(PgAutoFailover::create(pg_autoctl, bindir, owner).await);
            }
            (None, _, _) => format!(
                "pg_auto_failover is not installed: no {PG_AUTOCTL} \
                 (apt-get install postgresql-15-auto-failover), and KEFU_PG_AUTOCTL names none"
            ),
            (_, None, _) => format!(
                "no PostgreSQL under {DEBIAN_ROOT} has pg_auto_failover's extension \
                 ({DEBIAN_SHARE}/<version>/extension/{EXTENSION}), and KEFU_PG_BINDIR names none"
            ),
            (_, _, Err(why)) => why,
        };
        assert!(
            !required(),
            "pg_auto_failover is required (KEFU_REQUIRE_PEERS=1) but cannot run: {why}"
        );
        eprintln!("skipped: {why}");
        None
    }

    async fn create(pg_autoctl: PathBuf, bindir: PathBuf, owner: Owner) -> PgAutoFailover {
        let started = Instant::now();
        // /tmp rather than $TMPDIR: the postgres account must reach it.
        let dir = Path::new("/tmp").join(format!("kefu-af-{}", crate::unique_name()));
        for sub in ["", "config", "share", "run"] {
            let path = dir.join(sub);
            std::fs::create_dir_all(&path).expect("the formation's directory");
            if let Owner::Postgres { uid, gid } = &owner {
                std::os::unix::fs::chown(&path, Some(*uid), Some(*gid)).expect("chown");
            }
        }
        let [monitor_port, primary_port, secondary_port] = free_ports::<3>();
        let mut formation = PgAutoFailover {
            dir: dir.clone(),
            monitor_port,
            ports: [primary_port, secondary_port],
            setup: Setup {
                dir,
                pg_autoctl,
                bindir,
                owner,
            },
            services: Vec::new(),
        };

        // The monitor, its health checks made quick.
        let setup = formation.setup.clone();
        let child = blocking(move || {
            setup.create_monitor(monitor_port)?;
            setup.spawn_monitor()
        })
        .await
        .unwrap_or_else(|e| panic!("the pg_auto_failover monitor did not start: {e}"));
        formation.adopt("monitor", child);
        let deadline = Instant::now() + PATIENCE;
        while formation
            .try_psql(monitor_port, "pg_auto_failover", "SELECT 1")
            .await
            .is_err()
        {
            formation.assert_running("the monitor to accept connections", deadline);
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for setting in MONITOR_SETTINGS {
            formation
                .psql(
                    monitor_port,
                    "pg_auto_failover",
                    &format!("ALTER SYSTEM SET pgautofailover.{setting}"),
                )
                .await;
        }
        formation
            .psql(monitor_port, "pg_auto_failover", "SELECT pg_reload_conf()")
            .await;

        // The first node: alone, it is `single`.
        formation.start_node(0).await;
        formation
            .wait_for_states(&[(NODES[0], "single")], "the first node to run alone")
            .await;
        for setting in PRIMARY_SETTINGS {
            formation
                .psql(
                    primary_port,
                    "postgres",
                    &format!("ALTER SYSTEM SET {setting}"),
                )
                .await;
        }
        formation
            .psql(primary_port, "postgres", "SELECT pg_reload_conf()")
            .await;
        formation.psql(primary_port, "postgres", "CHECKPOINT").await;

        // The second: copied from the first, streaming, then counted in the write quorum.
        formation.start_node(1).await;
        formation
            .wait_for_states(
                &[(NODES[0], "primary"), (NODES[1], "secondary")],
                "a primary and a secondary",
            )
            .await;
        println!(
            "pg_auto_failover: monitor, primary and secondary up in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        formation
    }

    fn adopt(&mut self, name: &'static str, child: Child) {
        let pgdata = self.setup.pgdata(name);
        self.services.push(Service {
            name,
            pgdata,
            child: Some(child),
        });
    }

    async fn start_node(&mut self, node: usize) {
        let setup = self.setup.clone();
        let (port, monitor_port) = (self.ports[node], self.monitor_port);
        let child = blocking(move || setup.spawn_node(NODES[node], port, monitor_port))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        self.adopt(NODES[node], child);
    }

    /// Panics, with the logs, when a pg_autoctl service ended or `deadline` passed while
    /// waiting for `what`.
    fn assert_running(&mut self, what: &str, deadline: Instant) {
        let mut ended = Vec::new();
        for service in &mut self.services {
            if let Some(child) = service.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                ended.push(format!("pg_autoctl ({}) ended: {status}", service.name));
            }
        }
        assert!(
            ended.is_empty(),
            "waiting for {what}: {}\n{}",
            ended.join("; "),
            self.log()
        );
        assert!(
            Instant::now() < deadline,
            "waiting for {what}: not within {} s\n{}",
            PATIENCE.as_secs(),
            self.log()
        );
    }

    /// Waits until the monitor reports each named node in the given state, assigned and
    /// reached.
    async fn wait_for_states(&mut self, want: &[(&str, &str)], what: &str) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let setup = self.setup.clone();
            if let Ok(states) = blocking(move || setup.states()).await
                && want.iter().all(|(name, state)| {
                    states
                        .iter()
                        .any(|s| s.name == *name && s.current == *state && s.assigned == *state)
                })
            {
                return;
            }
            self.assert_running(what, deadline);
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// What the monitor says of the nodes now (`pg_autoctl show state`).
    pub async fn states(&self) -> Vec<NodeState> {
        let setup = self.setup.clone();
        blocking(move || setup.states())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// The formation's connection string, as `pg_autoctl show uri --formation default`
    /// prints it for applications: every node, `target_session_attrs=read-write`, no user.
    pub async fn formation_uri(&self) -> String {
        let setup = self.setup.clone();
        blocking(move || setup.formation_uri())
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// kefu's database URL: the formation's connection string with the clusters'
    /// superuser (trusted on loopback) added.
    pub async fn kefu_url(&self) -> String {
        let uri = self.formation_uri().await;
        let rest = uri
            .strip_prefix("postgres://")
            .or_else(|| uri.strip_prefix("postgresql://"))
            .unwrap_or_else(|| panic!("not a PostgreSQL URI: {uri:?}"));
        format!("postgres://{}@{rest}", self.setup.owner.superuser())
    }

    /// kefu's database on node `node` alone.
    pub fn node_url(&self, node: usize) -> String {
        format!(
            "postgres://{}@127.0.0.1:{}/{DATABASE}",
            self.setup.owner.superuser(),
            self.ports[node]
        )
    }

    async fn try_psql(&self, port: u16, db: &str, sql: &str) -> Result<String, String> {
        let setup = self.setup.clone();
        let (db, sql) = (db.to_owned(), sql.to_owned());
        blocking(move || setup.psql(port, &db, &sql)).await
    }

    /// `psql -Atc SQL` on database `db` of the cluster on `port` (the monitor's database is
    /// `pg_auto_failover`): its output.
    pub async fn psql(&self, port: u16, db: &str, sql: &str) -> String {
        self.try_psql(port, db, sql)
            .await
            .unwrap_or_else(|e| panic!("psql {sql:?}: {e}"))
    }

    /// Node `node`'s machine fails: its keeper and its PostgreSQL are killed at once
    /// (`kill -9` of its process group), so nothing is left to demote or restart it.
    /// Returns once its postmaster is gone; what follows is the monitor's doing.
    pub async fn kill_node(&mut self, node: usize) {
        let service = self
            .services
            .iter_mut()
            .find(|s| s.name == NODES[node])
            .unwrap_or_else(|| panic!("no node {}", NODES[node]));
        let child = service
            .child
            .take()
            .unwrap_or_else(|| panic!("{} is not running", NODES[node]));
        let pgdata = service.pgdata.clone();
        blocking(move || crash(child, &pgdata))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
    }

    /// The last lines of every pg_autoctl service's log, for a failing test's message.
    pub fn log(&self) -> String {
        let mut out = String::new();
        for name in ["create-monitor", "monitor", NODES[0], NODES[1]] {
            if self.setup.log_path(name).exists() {
                out.push_str(&format!(
                    "--- {name}.log ---\n{}\n",
                    self.setup.log_tail(name)
                ));
            }
        }
        out
    }
}

impl Drop for PgAutoFailover {
    fn drop(&mut self) {
        // SIGQUIT: pg_autoctl stops its PostgreSQL at once (`pg_ctl stop -m fast`) and
        // exits; whatever is left of its process group then is killed.
        for service in &self.services {
            if let Some(child) = &service.child {
                let pid = child.id().to_string();
                let _ = Command::new("kill").args(["-QUIT", pid.as_str()]).status();
            }
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for service in &mut self.services {
            if let Some(mut child) = service.child.take() {
                while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                    std::thread::sleep(Duration::from_millis(50));
                }
                // Still running: its whole process group goes (the leader, not reaped yet,
                // keeps the group's id from being reused).
                if matches!(child.try_wait(), Ok(None)) {
                    let _ = signal_group(child.id(), "-KILL");
                }
                let _ = child.wait();
            }
            // A postmaster stopped by pg_autoctl took its lock file with it.
            let postmaster = postmaster_pid(&service.pgdata);
            if let Some(pid) = postmaster.filter(|pid| postmaster_of(pid, &service.pgdata)) {
                let _ = Command::new("kill").args(["-9", pid.as_str()]).status();
                let _ = wait_postmaster_gone(Some(pid), Duration::from_secs(5));
            }
        }
        // A session that outlived its postmaster by a moment may still write its log.
        for _ in 0..5 {
            if std::fs::remove_dir_all(&self.dir).is_ok() || !self.dir.exists() {
                break;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}
