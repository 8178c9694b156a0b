//! kefu-store — the only crate that speaks SQL.
//!
//! One implementation serves both backends: every query is written once, with `$N`
//! placeholders that SQLite and PostgreSQL both accept, and runs through sqlx's `Any`
//! driver. What differs between the two (connection set-up, migrations folder) lives in
//! [`dialect`]. Times are stored as microseconds since the Unix epoch, flags as 0/1
//! integers, so the same row decoding works on both.
//!
//! Functions take a `&mut AnyConnection`, so a use case can run several of them inside one
//! transaction (`&mut *tx`).

pub mod absence;
pub mod aftersales;
pub mod audit;
mod availability;
pub mod backup;
pub mod bulk;
pub mod changelog;
pub mod chat;
pub mod checkpoint;
pub mod complaint;
pub mod customer;
pub mod dialect;
mod failover;
pub mod follow_up;
pub mod idempotency;
pub mod jobs;
pub mod kb;
pub mod key_account;
pub mod key_account_plan;
pub mod mail;
pub mod notification;
pub mod order;
pub mod outbox;
pub mod phone;
pub mod portal;
pub mod quality;
pub mod ratelimit;
mod reader;
pub mod receivable;
pub mod relationship;
pub mod satisfaction;
pub mod satisfaction_report;
pub mod search;
pub mod shift;
pub mod sla;
pub mod sms;
pub mod staff;
pub mod statement;
pub mod step_log;
pub mod ticket;
pub mod trigger;
pub mod version;
pub mod webhook;
pub mod wechat;

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Executor, Transaction};

use availability::{Class, PageCap};

pub use dialect::{Backend, Synchronous};
pub use reader::{ReaderUrlError, check_reader_url};
pub use sqlx::AnyConnection;

/// A write transaction on either backend. On SQLite it also holds this process's writer
/// turn (see [`Store::begin`]), released when the transaction ends.
pub struct Tx {
    inner: Transaction<'static, Any>,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Tx {
    pub async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.inner.rollback().await
    }
}

impl std::ops::Deref for Tx {
    type Target = AnyConnection;
    fn deref(&self) -> &AnyConnection {
        &self.inner
    }
}

impl std::ops::DerefMut for Tx {
    fn deref_mut(&mut self) -> &mut AnyConnection {
        &mut self.inner
    }
}

/// Errors from the store, mapped precisely so callers never guess.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// A unique or foreign-key constraint refused the write.
    #[error("conflict on {0}")]
    Conflict(String),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    UnsupportedUrl(String),
    #[error("could not prepare the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("invalid synchronous={0:?} in the SQLite URL: use normal or full")]
    Synchronous(String),
    /// kefu writes, so its database URL must lead to a primary.
    #[error(
        "unsupported target_session_attrs={0:?} in the database URL: kefu writes, so use read-write (or leave it out)"
    )]
    SessionAttrs(String),
    /// `read_database_url` is for a PostgreSQL replica of a PostgreSQL database.
    #[error(transparent)]
    ReaderUrl(#[from] ReaderUrlError),
    /// A stored value that no longer parses (edited by hand, or written by a newer kefu).
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    /// 数据库不可用 — the database cannot be reached or refuses work for now: connection
    /// refused or reset, no connection within the pool's acquire timeout, PostgreSQL
    /// shutting down, restarting or failing over, SQLite locked by another process past its
    /// busy timeout. The work was not done (or, for a commit cut off in flight, may have
    /// been: an `Idempotency-Key` or external id makes sending it again safe).
    #[error("database unavailable: {0}")]
    Unavailable(sqlx::Error),
    /// 存储空间已满 — the disk under the database is full (SQLite's SQLITE_FULL, also when
    /// the page cap of [`Store::set_page_cap`] is reached; PostgreSQL's `disk_full`). The
    /// transaction was rolled back; what was stored before is intact.
    #[error("database storage full: {0}")]
    StorageFull(sqlx::Error),
}

impl StoreError {
    /// An outage of the database: the same request may succeed later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable(_))
    }

    pub fn is_storage_full(&self) -> bool {
        matches!(self, StoreError::StorageFull(_))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match availability::classify(&e) {
            Class::NotFound => StoreError::NotFound,
            Class::Conflict(name) => StoreError::Conflict(name),
            Class::Unavailable => StoreError::Unavailable(e),
            Class::StorageFull => StoreError::StorageFull(e),
            Class::Other => StoreError::Database(e),
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Pool statistics for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub size: u32,
    pub idle: u32,
    pub max: u32,
}

/// The database: a connection pool on one of the two backends.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite takes one writer at a time: writers of this process queue here, fairly,
    /// instead of polling the database lock (which starves some under load).
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    page_cap: Arc<PageCap>,
    /// With several PostgreSQL hosts (or `target_session_attrs`): what finds the primary
    /// again after a failover (see the `failover` module).
    failover: Option<Arc<failover::Follower>>,
    /// A pool on a replica, for reads that may lag behind ([`Store::replica_conn`]).
    reader: Option<AnyPool>,
    /// Told how long each write transaction waited to begin (see [`Store::on_write_wait`]).
    write_waits: Arc<std::sync::OnceLock<WaitObserver>>,
}

/// Receives how long a write transaction waited for its turn and its connection.
pub struct WaitObserver(Box<dyn Fn(Duration) + Send + Sync>);

impl std::fmt::Debug for WaitObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("WaitObserver")
    }
}

/// How long start-up waits for a database that is not accepting connections yet (one
/// started together with kefu); later, a request waits only the pool's acquire timeout.
const STARTUP_WAIT: Duration = Duration::from_secs(30);

/// The advisory lock key of first-start seeding on PostgreSQL ("kefuseed" in ASCII);
/// sqlx's migration lock is another key.
const SEED_LOCK: i64 = 0x6b65_6675_7365_6564;

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`); for SQLite, the file and its
    /// directory are created when missing.
    ///
    /// While kefu runs, the pool gives up on a connection after the backend's acquire
    /// timeout (a few seconds), so a request during an outage fails fast with
    /// [`StoreError::Unavailable`] instead of hanging; an idle connection is pinged before
    /// it is handed out, so one the server closed (a restart) is replaced, not used; and
    /// each new request tries to connect again, so kefu recovers by itself when the
    /// database is back.
    ///
    /// A PostgreSQL URL may name several hosts (`postgres://u@db1:5432,db2:5432/kefu?
    /// target_session_attrs=read-write`): kefu uses the one that takes writes and, after a
    /// failover, moves to the new primary by itself (see the `failover` module).
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let synchronous = backend.synchronous(url)?;
        let url = backend.prepare_url(url)?;
        let hosts = match backend {
            Backend::Postgres => failover::parse(&url)?,
            Backend::Sqlite => None,
        };
        let options = match &hosts {
            Some(hosts) => hosts.first(),
            None => url.parse::<AnyConnectOptions>()?,
        };
        let switch = hosts
            .as_ref()
            .map(|_| Arc::new(failover::Switch::default()));
        let switch_on_connect = switch.clone();
        let switch_on_acquire = switch.clone();
        let max = backend.max_connections();
        let page_cap = Arc::new(PageCap::default());
        let cap_on_connect = page_cap.clone();
        let cap_on_acquire = page_cap.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(backend.acquire_timeout())
            .test_before_acquire(true)
            .after_connect(move |conn, _meta| {
                let pages = cap_on_connect
                    .pages()
                    .filter(|_| backend == Backend::Sqlite);
                let switch = switch_on_connect.clone();
                Box::pin(async move {
                    backend
                        .configure_connection(&mut *conn, synchronous)
                        .await?;
                    if let Some(pages) = pages {
                        let sql = format!("PRAGMA max_page_count = {pages}");
                        conn.execute(sql.as_str()).await?;
                    }
                    // A standby (the old primary's host after a failover, or a host list's
                    // first entry) is closed, and the prober asked where the primary is.
                    if let Some(switch) = switch
                        && !failover::accepts_writes(&mut *conn).await?
                    {
                        switch.nudge();
                        return Err(failover::standby_refused());
                    }
                    Ok::<(), sqlx::Error>(())
                })
            })
            // A connection opened under another page cap, or to the host the pool has
            // since moved away from, is closed rather than reused.
            .before_acquire(move |_conn, meta| {
                let current = !cap_on_acquire.predates(meta.age)
                    && !switch_on_acquire
                        .as_ref()
                        .is_some_and(|s| s.predates(meta.age));
                Box::pin(async move { Ok::<bool, sqlx::Error>(current) })
            })
            .connect_lazy_with(options);
        let failover = match (hosts, switch) {
            (Some(hosts), Some(switch)) => Some(Arc::new(failover::Follower::start(
                pool.clone(),
                hosts,
                switch,
            ))),
            _ => None,
        };
        wait_for_database(&pool).await?;
        if backend == Backend::Sqlite {
            tokio::spawn(checkpoint::checkpoint_until_closed(pool.clone()));
        }
        Ok(Store {
            pool,
            backend,
            writer: std::sync::Arc::new(tokio::sync::Mutex::new(())),
            page_cap,
            failover,
            reader: None,
            write_waits: Arc::default(),
        })
    }

    /// SQLite: caps the database file at `pages` pages (`PRAGMA max_page_count`), as a
    /// disk with only that much room would — a write that needs more fails with
    /// [`StoreError::StorageFull`] and is rolled back; `None` lifts the cap. A cap below
    /// the file's size holds it at its size. Connections opened before take the new cap as
    /// they are next handed out. No effect on PostgreSQL.
    pub fn set_page_cap(&self, pages: Option<u32>) {
        self.page_cap.set(pages);
    }

    /// Applies the embedded migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<()> {
        self.backend.migrator().run(&self.pool).await?;
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub async fn conn(&self) -> Result<PoolConnection<Any>> {
        Ok(self.watched(self.pool.acquire()).await?)
    }

    /// After a bulk load, on PostgreSQL: marks the loaded pages all-visible and takes fresh
    /// statistics (`VACUUM (ANALYZE)`), as autovacuum would some time into the first
    /// working hours. Until then the planner prices a queue's index-only read like a read
    /// of every row it matches and may sort instead. SQLite keeps no statistics on purpose
    /// (the queue plans are chosen without them) and needs nothing.
    pub async fn settle_after_load(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            let mut conn = self.conn().await?;
            sqlx::raw_sql("VACUUM (ANALYZE)")
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    /// Runs an acquire on the pool; with several hosts, one that takes long or fails asks
    /// the prober where the primary is — the primary may have failed over.
    async fn watched<T>(
        &self,
        acquire: impl std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
    ) -> std::result::Result<T, sqlx::Error> {
        let Some(follower) = &self.failover else {
            return acquire.await;
        };
        let mut acquire = std::pin::pin!(acquire);
        let result = match tokio::time::timeout(failover::SLOW_ACQUIRE, acquire.as_mut()).await {
            Ok(result) => result,
            Err(_) => {
                follower.nudge();
                acquire.await
            }
        };
        if result
            .as_ref()
            .is_err_and(|e| availability::classify(e) == Class::Unavailable)
        {
            follower.nudge();
        }
        result
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that read first and wrote later could otherwise fail
    /// with "database is locked" instead of waiting its turn.
    pub async fn begin(&self) -> Result<Tx> {
        let asked = Instant::now();
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let inner = self
            .watched(self.pool.begin_with(self.backend.begin_statement()))
            .await?;
        if let Some(observe) = self.write_waits.get() {
            (observe.0)(asked.elapsed());
        }
        Ok(Tx { inner, _turn: turn })
    }

    /// Sets what is told, for every write transaction begun, how long it waited for its
    /// turn (SQLite's one writer), a connection and `BEGIN`: the writer queue as `/metrics`
    /// shows it. Set once per process; a later call changes nothing.
    pub fn on_write_wait(&self, observe: impl Fn(Duration) + Send + Sync + 'static) {
        let _ = self.write_waits.set(WaitObserver(Box::new(observe)));
    }

    /// Begins the transaction of a first-start seed (the administrator, the default
    /// calendar and SLA policies, the starter scripts): it checks that nothing is there yet
    /// and writes. Instances started together on one PostgreSQL database would all see
    /// "nothing yet" and all write, so there each seed transaction first takes a
    /// transaction-scoped advisory lock and they take turns; the second finds the first's
    /// rows. On SQLite writers take turns anyway.
    pub async fn begin_seeding(&self) -> Result<Tx> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Postgres {
            // Wrapped in a count: the lock function returns `void`, which the `Any` driver
            // cannot decode.
            let _: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM (SELECT pg_advisory_xact_lock($1)) AS seeding",
            )
            .bind(SEED_LOCK)
            .fetch_one(&mut *tx)
            .await?;
        }
        Ok(tx)
    }

    /// A trivial round trip, for the health check.
    pub async fn ping(&self) -> Result<()> {
        self.watched(sqlx::query("SELECT 1").execute(&self.pool))
            .await?;
        Ok(())
    }

    pub fn pool_stats(&self) -> PoolStats {
        PoolStats {
            size: self.pool.size(),
            idle: self.pool.num_idle() as u32,
            max: self.pool.options().get_max_connections(),
        }
    }

    /// Waits for checked-out connections to return and closes the pool; SQLite checkpoints
    /// its write-ahead log as the last connection closes.
    pub async fn close(&self) {
        if let Some(reader) = &self.reader {
            reader.close().await;
        }
        self.pool.close().await;
    }
}

/// Waits up to [`STARTUP_WAIT`] for the first connection while the database is not up
/// yet (refusing connections, or starting up: the pool keeps trying those until its
/// acquire timeout); any other error (a wrong password, no such database, a host that does
/// not resolve) is answered at once.
async fn wait_for_database(pool: &AnyPool) -> Result<()> {
    let deadline = Instant::now() + STARTUP_WAIT;
    loop {
        match pool.acquire().await {
            Ok(conn) => {
                drop(conn);
                return Ok(());
            }
            Err(sqlx::Error::PoolTimedOut) if Instant::now() < deadline => {
                tracing::info!("waiting for the database to accept connections");
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Stored form of an instant.
pub fn to_micros(at: Timestamp) -> i64 {
    at.as_microsecond()
}

/// Read form of an instant; a value out of range is clamped rather than failing a whole page.
pub fn from_micros(us: i64) -> Timestamp {
    Timestamp::from_microsecond(us).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `n` numbered placeholders from `$from`, comma-separated, for an `IN (…)` list.
pub(crate) fn marks(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// An update or delete that must have touched a row: none means the row does not exist.
fn found(done: sqlx::any::AnyQueryResult) -> Result<()> {
    if done.rows_affected() == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

fn flag(v: bool) -> i64 {
    i64::from(v)
}
