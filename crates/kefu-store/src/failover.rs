//! 主备切换 — the PostgreSQL primary among several hosts, found again after a failover.
//!
//! sqlx's PostgreSQL driver connects to one host: it reads neither a host list
//! (`postgres://db1:5432,db2:5432/kefu`) nor `target_session_attrs` (it warns and ignores
//! it). kefu reads both itself, as libpq would with `target_session_attrs=read-write`:
//!
//! - the pool connects to one host at a time, the primary found last;
//! - every new connection is asked whether it takes writes (`transaction_read_only`); one
//!   that does not (a standby) is closed, and the pool tries again within its acquire
//!   timeout;
//! - when handing out a connection takes long or fails (the primary is gone), one
//!   background task asks each host in turn, the current one first, until one takes
//!   writes, and points the pool's future connections at it; connections opened before the
//!   move are not handed out again.
//!
//! Meanwhile a request waits at most the pool's acquire timeout and is answered 503 with
//! `Retry-After`; the first request after the move is served by the new primary, without
//! restarting kefu. Which host becomes primary is not kefu's decision: the operator or a
//! tool (`pg_auto_failover`, Patroni) promotes a standby; kefu follows.

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, AnyPool, Connection};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::StoreError;

/// How long one host may take to answer the prober; a host that swallows packets (a
/// machine that is off) must not hold up asking the others.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// A connection handed out later than this wakes the prober: the primary may be gone.
/// Shorter than the pool's acquire timeout, so a new primary is usually found while the
/// request still waits.
pub(crate) const SLOW_ACQUIRE: Duration = Duration::from_millis(500);

/// After a round that found the primary, further wake-ups wait this long: a burst of slow
/// requests asks the hosts once, not once each.
const CALM: Duration = Duration::from_millis(500);

/// The longest pause between rounds while no host takes writes.
const MAX_PAUSE: Duration = Duration::from_secs(1);

/// The hosts of a PostgreSQL URL, each as a URL of its own that sqlx reads.
#[derive(Debug, Clone)]
pub(crate) struct Hosts {
    /// `host:port` as written, for the log.
    names: Vec<String>,
    options: Vec<AnyConnectOptions>,
}

impl Hosts {
    /// The first host's options: where the pool starts.
    pub(crate) fn first(&self) -> AnyConnectOptions {
        self.options[0].clone()
    }
}

/// A PostgreSQL URL with several hosts (`postgres://u@db1:5432,db2:5432/kefu`) or with
/// `target_session_attrs`: its hosts, each with the URL's user, database and parameters
/// (`target_session_attrs` itself taken out). `None` for a URL of one host without it,
/// which sqlx reads as it is.
///
/// kefu writes, so only a primary will do: `read-write` and `primary` are accepted (and
/// are what a host list means without the parameter); the others (`any`, `standby`,
/// `read-only`, `prefer-standby`) are refused.
pub(crate) fn parse(url: &str) -> Result<Option<Hosts>, StoreError> {
    let bad = || StoreError::UnsupportedUrl(url.to_owned());
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    // A user name may hold an '@' of its own: the hosts follow the last one.
    let (userinfo, host_list) = match authority.rfind('@') {
        Some(at) => authority.split_at(at + 1),
        None => ("", authority),
    };
    let (path, query) = tail.split_once('?').unwrap_or((tail, ""));
    let mut attrs = None;
    let mut params = Vec::new();
    for param in query.split('&').filter(|p| !p.is_empty()) {
        match param.strip_prefix("target_session_attrs=") {
            Some(value) => attrs = Some(value),
            None => params.push(param),
        }
    }
    let hosts: Vec<&str> = host_list.split(',').collect();
    if hosts.len() < 2 && attrs.is_none() {
        return Ok(None);
    }
    match attrs {
        None | Some("read-write") | Some("primary") => {}
        Some(other) => return Err(StoreError::SessionAttrs(other.to_owned())),
    }
    if hosts.iter().any(|h| h.trim().is_empty()) {
        return Err(bad());
    }
    let query = if params.is_empty() {
        String::new()
    } else {
        format!("?{}", params.join("&"))
    };
    let mut parsed = Hosts {
        names: Vec::new(),
        options: Vec::new(),
    };
    for host in hosts {
        let host = host.trim();
        let single = format!("{scheme}://{userinfo}{host}{path}{query}");
        let options = AnyConnectOptions::from_str(&single).map_err(|_| bad())?;
        parsed.names.push(host.to_owned());
        parsed.options.push(options);
    }
    Ok(Some(parsed))
}

/// Whether the server at the other end takes writes: not a standby in recovery, not made
/// read-only by its settings — what libpq's `read-write` checks.
pub(crate) async fn accepts_writes(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let read_only: String = sqlx::query_scalar("SELECT current_setting('transaction_read_only')")
        .fetch_one(&mut *conn)
        .await?;
    Ok(read_only == "off")
}

/// The error a new connection to a standby ends with: an outage (the primary is elsewhere
/// or not promoted yet), so the pool tries again and a request that gives up answers 503.
pub(crate) fn standby_refused() -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(
        "a standby (read-only) answered: waiting for the primary",
    ))
}

/// What the pool's hooks share with the prober. Holds no pool, so the hooks (which the
/// pool owns) keep nothing alive.
#[derive(Debug, Default)]
pub(crate) struct Switch {
    wake: Notify,
    /// When the pool last moved to another host.
    moved: Mutex<Option<Instant>>,
}

impl Switch {
    /// Asks the prober to check which host is the primary.
    pub(crate) fn nudge(&self) {
        self.wake.notify_one();
    }

    /// Whether a connection `age` old was opened before the last move, to the old primary
    /// (which may come back as anything).
    pub(crate) fn predates(&self, age: Duration) -> bool {
        self.moved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some_and(|moved| moved.elapsed() <= age)
    }

    fn mark_moved(&self) {
        *self.moved.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now());
    }
}

/// The prober of one store; it stops when the last clone of the store goes.
#[derive(Debug)]
pub(crate) struct Follower {
    switch: Arc<Switch>,
    task: JoinHandle<()>,
}

impl Follower {
    /// Starts the prober for `pool`, which connects to the first of `hosts`, and asks it to
    /// check at once: the first host may be a standby now.
    pub(crate) fn start(pool: AnyPool, hosts: Hosts, switch: Arc<Switch>) -> Follower {
        let task = tokio::spawn(follow(pool, hosts, switch.clone()));
        switch.nudge();
        Follower { switch, task }
    }

    pub(crate) fn nudge(&self) {
        self.switch.nudge();
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn follow(pool: AnyPool, hosts: Hosts, switch: Arc<Switch>) {
    let mut current = 0;
    loop {
        switch.wake.notified().await;
        let mut pause = Duration::from_millis(100);
        let mut told = false;
        loop {
            if pool.is_closed() {
                return;
            }
            if let Some(found) = find_primary(&hosts, current).await {
                if found != current {
                    pool.set_connect_options(hosts.options[found].clone());
                    switch.mark_moved();
                    tracing::warn!(
                        from = %hosts.names[current],
                        to = %hosts.names[found],
                        "the PostgreSQL primary moved: new connections go to the new one"
                    );
                    current = found;
                }
                break;
            }
            if !told {
                tracing::warn!(
                    hosts = %hosts.names.join(","),
                    "no PostgreSQL host takes writes: asking again until one does"
                );
                told = true;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_PAUSE);
        }
        tokio::time::sleep(CALM).await;
    }
}

/// The first host that takes writes, asking the current one first (a primary that merely
/// restarted stays where it is), then the others in the URL's order.
async fn find_primary(hosts: &Hosts, current: usize) -> Option<usize> {
    let order =
        std::iter::once(current).chain((0..hosts.options.len()).filter(move |i| *i != current));
    for i in order {
        let name = &hosts.names[i];
        match tokio::time::timeout(PROBE_TIMEOUT, probe(&hosts.options[i])).await {
            Ok(Ok(true)) => return Some(i),
            Ok(Ok(false)) => tracing::debug!(host = %name, "a standby"),
            Ok(Err(e)) => tracing::debug!(host = %name, error = %e, "unreachable"),
            Err(_) => tracing::debug!(host = %name, "no answer in time"),
        }
    }
    None
}

async fn probe(options: &AnyConnectOptions) -> Result<bool, sqlx::Error> {
    let mut conn = AnyConnection::connect_with(options).await?;
    let writes = accepts_writes(&mut conn).await;
    let _ = conn.close().await;
    writes
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(hosts: &Hosts) -> Vec<String> {
        hosts
            .options
            .iter()
            .map(|o| o.database_url.to_string())
            .collect()
    }

    #[test]
    fn one_host_without_attrs_is_left_to_sqlx() {
        assert!(parse("postgres://u@db1:5432/kefu").unwrap().is_none());
        assert!(
            parse("postgres://u@db1/kefu?sslmode=require")
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_host_list_becomes_one_url_per_host() {
        let hosts = parse(
            "postgres://kefu:p%40ss@db1:5432,db2:6432/kefu?sslmode=prefer&target_session_attrs=read-write",
        )
        .unwrap()
        .unwrap();
        assert_eq!(hosts.names, ["db1:5432", "db2:6432"]);
        assert_eq!(
            urls(&hosts),
            [
                "postgres://kefu:p%40ss@db1:5432/kefu?sslmode=prefer",
                "postgres://kefu:p%40ss@db2:6432/kefu?sslmode=prefer",
            ]
        );
        let hosts = parse("postgresql://u@a,b:5433/d").unwrap().unwrap();
        assert_eq!(
            urls(&hosts),
            ["postgresql://u@a/d", "postgresql://u@b:5433/d"]
        );
        let one = parse("postgres://u@a:5432/d?target_session_attrs=primary")
            .unwrap()
            .unwrap();
        assert_eq!(urls(&one), ["postgres://u@a:5432/d"]);
    }

    #[test]
    fn only_a_writable_session_will_do() {
        for attrs in ["any", "read-only", "standby", "prefer-standby"] {
            let url = format!("postgres://u@a,b/d?target_session_attrs={attrs}");
            assert!(
                matches!(parse(&url), Err(StoreError::SessionAttrs(a)) if a == attrs),
                "{attrs}"
            );
        }
        assert!(matches!(
            parse("postgres://u@a,,b/d"),
            Err(StoreError::UnsupportedUrl(_))
        ));
    }

    #[test]
    fn a_move_retires_older_connections() {
        let switch = Switch::default();
        assert!(!switch.predates(Duration::from_secs(3600)));
        switch.mark_moved();
        assert!(switch.predates(Duration::from_secs(3600)));
        std::thread::sleep(Duration::from_millis(5));
        assert!(!switch.predates(Duration::from_millis(1)));
    }
}
