//! How the formation's programs run: as whom, where, with which files and settings, and
//! how their processes end.

use std::fs::File;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{DATABASE, LIBPQ_SETTINGS, NodeState, OS_USER, SOCKET_DIR};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// `n` free loopback ports, all different.
pub(super) fn free_ports<const N: usize>() -> [u16; N] {
    let mut ports = [0; N];
    let mut i = 0;
    while i < N {
        let port = free_port();
        if !ports[..i].contains(&port) {
            ports[i] = port;
            i += 1;
        }
    }
    ports
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

fn id_of(flag: &str, user: &str) -> Option<String> {
    Command::new("id")
        .args([flag, user])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
}

/// Who runs the formation: the tests' own account (its name is the clusters' superuser),
/// or `postgres` when that is root.
#[derive(Debug, Clone)]
pub(super) enum Owner {
    Me { name: String },
    Postgres { uid: u32, gid: u32 },
}

impl Owner {
    pub(super) fn superuser(&self) -> &str {
        match self {
            Owner::Me { name } => name.as_str(),
            Owner::Postgres { .. } => OS_USER,
        }
    }
}

pub(super) fn owner() -> Result<Owner, String> {
    let me = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .map_err(|e| format!("id -u: {e}"))?;
    if me != "0" {
        let name = id_of("-un", &me)
            .filter(|n| !n.is_empty())
            .ok_or("no name for the tests' account")?;
        // pg_autoctl gives PostgreSQL no socket directory of its own.
        let probe = Path::new(SOCKET_DIR).join(format!(".kefu-probe-{}", crate::unique_name()));
        if std::fs::write(&probe, b"").is_err() {
            return Err(format!(
                "pg_auto_failover's PostgreSQL puts its socket in {SOCKET_DIR}, which the \
                 tests' account ({name}) cannot write to"
            ));
        }
        let _ = std::fs::remove_file(&probe);
        return Ok(Owner::Me { name });
    }
    let uid = id_of("-u", OS_USER).and_then(|v| v.parse::<u32>().ok());
    let gid = id_of("-g", OS_USER).and_then(|v| v.parse::<u32>().ok());
    match (uid, gid) {
        (Some(uid), Some(gid)) => Ok(Owner::Postgres { uid, gid }),
        _ => Err(format!(
            "the tests run as root and there is no {OS_USER} account to run PostgreSQL as"
        )),
    }
}

/// Everything needed to run the programs, cheap to move into a blocking task.
#[derive(Debug, Clone)]
pub(super) struct Setup {
    pub(super) dir: PathBuf,
    pub(super) pg_autoctl: PathBuf,
    pub(super) bindir: PathBuf,
    pub(super) owner: Owner,
}

impl Setup {
    /// `program` as the formation's owner, in its directory, with pg_autoctl's files there
    /// and none of the caller's libpq settings.
    fn command(&self, program: &Path) -> Command {
        let mut cmd = Command::new(program);
        if let Owner::Postgres { uid, gid } = &self.owner {
            cmd.uid(*uid).gid(*gid);
        }
        cmd.current_dir(&self.dir)
            .env("HOME", &self.dir)
            .env("XDG_CONFIG_HOME", self.dir.join("config"))
            .env("XDG_DATA_HOME", self.dir.join("share"))
            .env("XDG_RUNTIME_DIR", self.dir.join("run"));
        for var in LIBPQ_SETTINGS.split(' ') {
            cmd.env_remove(var);
        }
        cmd
    }

    /// `pg_autoctl ARGS…`, the first of them words split at spaces.
    fn autoctl(&self, words: &str) -> Command {
        let mut cmd = self.command(&self.pg_autoctl);
        cmd.args(words.split(' '));
        cmd
    }

    pub(super) fn pgdata(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn pg_ctl(&self) -> PathBuf {
        self.bindir.join("pg_ctl")
    }

    pub(super) fn log_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.log"))
    }

    pub(super) fn log_tail(&self, name: &str) -> String {
        let log = std::fs::read_to_string(self.log_path(name)).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(40)..].join("\n")
    }

    /// `pg_autoctl create monitor`, which initialises the monitor's cluster and stops it,
    /// then its PostgreSQL told to listen on loopback only (it would listen on `*`).
    pub(super) fn create_monitor(&self, port: u16) -> Result<(), String> {
        let log = File::create(self.log_path("create-monitor")).map_err(|e| format!("{e}"))?;
        let err = log.try_clone().map_err(|e| format!("{e}"))?;
        let mut create = self.autoctl("create monitor --hostname 127.0.0.1 --auth trust --no-ssl");
        create
            .arg("--pgdata")
            .arg(self.pgdata("monitor"))
            .arg("--pgport")
            .arg(port.to_string())
            .arg("--pgctl")
            .arg(self.pg_ctl());
        let status = create
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .status()
            .map_err(|e| format!("pg_autoctl create monitor: {e}"))?;
        if !status.success() {
            return Err(format!(
                "pg_autoctl create monitor failed ({status}):\n{}",
                self.log_tail("create-monitor")
            ));
        }
        let mut listen = self.autoctl("config set");
        listen
            .arg("--pgdata")
            .arg(self.pgdata("monitor"))
            .args(["postgresql.listen_addresses", "127.0.0.1"]);
        run(listen, "pg_autoctl config set").map(drop)
    }

    /// `pg_autoctl run --pgdata DIR/monitor`, the monitor's service.
    pub(super) fn spawn_monitor(&self) -> Result<Child, String> {
        let mut cmd = self.autoctl("run");
        cmd.arg("--pgdata").arg(self.pgdata("monitor"));
        self.spawn("monitor", cmd)
    }

    /// A pg_autoctl service as a child in a process group of its own, its output in
    /// `DIR/<name>.log`.
    fn spawn(&self, name: &str, mut cmd: Command) -> Result<Child, String> {
        let log = File::create(self.log_path(name)).map_err(|e| format!("{name}.log: {e}"))?;
        let err = log.try_clone().map_err(|e| format!("{name}.log: {e}"))?;
        cmd.process_group(0)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .map_err(|e| format!("pg_autoctl ({name}) does not start: {e}"))
    }

    /// `pg_autoctl create postgres … --run`: a node registers with the monitor, which makes
    /// it the primary when it is the first, a secondary (`pg_basebackup` from the primary)
    /// otherwise; then it keeps running as the node's keeper.
    pub(super) fn spawn_node(
        &self,
        name: &str,
        port: u16,
        monitor_port: u16,
    ) -> Result<Child, String> {
        let monitor = format!(
            "postgres://autoctl_node@127.0.0.1:{monitor_port}/pg_auto_failover?sslmode=prefer"
        );
        let mut cmd = self.autoctl(
            "create postgres --listen 127.0.0.1 --hostname 127.0.0.1 --auth trust --no-ssl --run",
        );
        cmd.arg("--pgdata")
            .arg(self.pgdata(name))
            .arg("--pgport")
            .arg(port.to_string())
            .arg("--pgctl")
            .arg(self.pg_ctl())
            .args(["--name", name, "--dbname", DATABASE])
            .args(["--username", self.owner.superuser()])
            .args(["--monitor", monitor.as_str()]);
        self.spawn(name, cmd)
    }

    /// `psql -Atc SQL` on database `db` of the cluster on `port`: its output.
    pub(super) fn psql(&self, port: u16, db: &str, sql: &str) -> Result<String, String> {
        let port = port.to_string();
        let mut cmd = self.command(&self.bindir.join("psql"));
        cmd.args(["-h", "127.0.0.1", "-p", port.as_str()])
            .args(["-U", self.owner.superuser(), "-d", db])
            .args(["-X", "-A", "-t", "-c", sql]);
        run(cmd, "psql")
    }

    /// What the monitor says of the nodes.
    pub(super) fn states(&self) -> Result<Vec<NodeState>, String> {
        let mut cmd = self.autoctl("show state --json");
        cmd.arg("--pgdata").arg(self.pgdata("monitor"));
        let out = run(cmd, "pg_autoctl show state")?;
        let value: serde_json::Value = serde_json::from_str(&out)
            .map_err(|e| format!("pg_autoctl show state --json: {e}: {out}"))?;
        let nodes = value
            .as_array()
            .ok_or_else(|| format!("pg_autoctl show state --json: not a list: {out}"))?;
        let text =
            |node: &serde_json::Value, key: &str| node[key].as_str().unwrap_or_default().to_owned();
        Ok(nodes
            .iter()
            .map(|node| NodeState {
                name: text(node, "nodename"),
                port: node["nodeport"]
                    .as_u64()
                    .and_then(|p| u16::try_from(p).ok())
                    .unwrap_or(0),
                current: text(node, "current_group_state"),
                assigned: text(node, "assigned_group_state"),
            })
            .collect())
    }

    /// The formation's connection string as pg_autoctl gives it to applications.
    pub(super) fn formation_uri(&self) -> Result<String, String> {
        let mut cmd = self.autoctl("show uri --formation default");
        cmd.arg("--pgdata").arg(self.pgdata("monitor"));
        run(cmd, "pg_autoctl show uri").map(|uri| uri.trim().to_owned())
    }
}

/// The postmaster's process id, from its lock file, while it has one.
pub(super) fn postmaster_pid(pgdata: &Path) -> Option<String> {
    let lock = std::fs::read_to_string(pgdata.join("postmaster.pid")).ok()?;
    lock.lines()
        .next()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
}

/// Whether process `pid` still runs: a zombie does not (a postmaster whose pg_autoctl was
/// killed is nobody's child here, and whoever inherits it may be slow to reap it).
fn alive(pid: &str) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // `pid (comm) state …`: the state follows the last parenthesis.
    stat.rsplit_once(')')
        .and_then(|(_, rest)| rest.trim_start().chars().next())
        .is_some_and(|state| state != 'Z' && state != 'X')
}

/// Whether process `pid` is still the postmaster of `pgdata` (not a process that took its
/// number since).
pub(super) fn postmaster_of(pid: &str, pgdata: &Path) -> bool {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    alive(pid) && String::from_utf8_lossy(&cmdline).contains(&*pgdata.to_string_lossy())
}

/// Sends `signal` to every process of the group led by `leader`.
pub(super) fn signal_group(leader: u32, signal: &str) -> Result<(), String> {
    let group = format!("-{leader}");
    let mut kill = Command::new("kill");
    kill.args([signal, "--", group.as_str()]);
    run(kill, "kill").map(drop)
}

/// Waits until the postmaster of `pgdata` (if it had one) is gone.
pub(super) fn wait_postmaster_gone(pid: Option<String>, patience: Duration) -> Result<(), String> {
    let Some(pid) = pid else { return Ok(()) };
    let deadline = Instant::now() + patience;
    while alive(&pid) {
        if Instant::now() > deadline {
            return Err(format!("postmaster {pid} survived"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// A machine's failure: the node's keeper and its PostgreSQL killed at once (`kill -9` of
/// the process group; PostgreSQL's sessions end as they notice their postmaster gone).
/// Returns once the postmaster is gone.
pub(super) fn crash(mut child: Child, pgdata: &Path) -> Result<(), String> {
    let postmaster = postmaster_pid(pgdata);
    signal_group(child.id(), "-KILL")?;
    let _ = child.wait();
    wait_postmaster_gone(postmaster, Duration::from_secs(30))
}
