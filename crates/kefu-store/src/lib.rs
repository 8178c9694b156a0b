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

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod changelog;
pub mod chat;
pub mod complaint;
pub mod customer;
pub mod dialect;
pub mod idempotency;
pub mod jobs;
pub mod kb;
pub mod mail;
pub mod notification;
pub mod outbox;
pub mod phone;
pub mod portal;
pub mod search;
pub mod sla;
pub mod sms;
pub mod staff;
pub mod ticket;
pub mod trigger;
pub mod version;
pub mod webhook;
pub mod wechat;

use jiff::Timestamp;
use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyPool, Transaction};

pub use dialect::Backend;
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
    /// A stored value that no longer parses (edited by hand, or written by a newer kefu).
    #[error("unreadable stored value: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => StoreError::NotFound,
            sqlx::Error::Database(db) => match db.kind() {
                sqlx::error::ErrorKind::UniqueViolation
                | sqlx::error::ErrorKind::ForeignKeyViolation => {
                    StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
                }
                _ => StoreError::Database(e),
            },
            _ => StoreError::Database(e),
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
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`); for SQLite, the file and its
    /// directory are created when missing.
    pub async fn connect(url: &str) -> Result<Store> {
        install_default_drivers();
        let backend = Backend::from_url(url)?;
        let url = backend.prepare_url(url)?;
        let max = backend.max_connections();
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .after_connect(move |conn, _meta| Box::pin(backend.configure_connection(conn)))
            .connect(&url)
            .await?;
        Ok(Store {
            pool,
            backend,
            writer: std::sync::Arc::new(tokio::sync::Mutex::new(())),
        })
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
        Ok(self.pool.acquire().await?)
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN
    /// IMMEDIATE`): a transaction that read first and wrote later could otherwise fail
    /// with "database is locked" instead of waiting its turn.
    pub async fn begin(&self) -> Result<Tx> {
        let turn = match self.backend {
            Backend::Sqlite => Some(self.writer.clone().lock_owned().await),
            Backend::Postgres => None,
        };
        let inner = self.pool.begin_with(self.backend.begin_statement()).await?;
        Ok(Tx { inner, _turn: turn })
    }

    /// A trivial round trip, for the health check.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
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
        self.pool.close().await;
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
