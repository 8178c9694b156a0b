//! 备份与恢复 — the database read as plain tables, and written back.
//!
//! A backup is every table of the schema, read through the catalogue (SQLite's
//! `pragma_table_info`, PostgreSQL's `information_schema`), so a table added by a later
//! migration is carried without anyone listing it. Only two things are left out: sqlx's
//! `_sqlx_migrations` (the backup records the newest migration instead, and the target gets
//! its own by migrating) and SQLite's internal tables (`sqlite_sequence` travels as each
//! table's last handed-out id). No table of kefu's is derived data: the search index, the one
//! derived view, lives beside the database and is rebuilt after a restore.
//!
//! Values travel in four kinds that both backends hold alike — integers, text, bytes and
//! NULL (and reals, which kefu does not use yet) — and columns are named, sorted by name,
//! because a table rebuilt by a SQLite migration has its columns in another order than its
//! PostgreSQL twin. Rows come ordered by primary key, text compared byte by byte on both
//! backends, so the same data reads the same from either.
//!
//! The file format (zip, manifest, checksums) is kefu-app's; this module is the SQL:
//! [`Snapshot`] reads, [`Loader`] writes, the rest prepares a restore's target.

mod load;
mod schema;
mod snapshot;

pub use load::{Loader, Reference, RestoreLock, RestoreTarget, reference};
pub use schema::{Column, ColumnKind, Table, load_order};
pub use snapshot::Snapshot;

use crate::{Backend, StoreError};

/// One value of a row, as a backup carries it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl Value {
    /// What the value is, for messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }

    /// Roughly how many bytes the value takes, for sizing batches.
    pub fn weight(&self) -> usize {
        match self {
            Value::Null | Value::Int(_) | Value::Real(_) => 8,
            Value::Text(s) => s.len() + 8,
            Value::Blob(b) => b.len() + 8,
        }
    }
}

/// Errors of reading and writing whole tables.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Another restore holds the database (PostgreSQL: an advisory lock; SQLite: a lock on a
    /// file beside the database).
    #[error("another kefu restore is running on this database")]
    Busy,
    #[error("the restore lock file {path} cannot be used: {source}")]
    LockFile {
        path: String,
        source: std::io::Error,
    },
    #[error("column {table}.{column} has the type {declared:?}, which backups do not carry")]
    UnsupportedType {
        table: String,
        column: String,
        declared: String,
    },
    #[error("table {table}: the column {column} is not in this database")]
    UnknownColumn { table: String, column: String },
    #[error(
        "table {table}, row {row}: {column} holds {found}, which does not fit its {expected} column"
    )]
    Misfit {
        table: String,
        row: u64,
        column: String,
        found: &'static str,
        expected: &'static str,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Store(StoreError::from(e))
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Store(StoreError::Migrate(e))
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The versions of the migrations this kefu carries, oldest first (the same for both
/// backends: a unit test of [`crate::dialect`] holds the folders together).
pub fn known_migrations() -> Vec<i64> {
    Backend::Sqlite
        .migrator()
        .iter()
        .map(|m| m.version)
        .collect()
}

/// The newest migration this kefu carries.
pub fn latest_migration() -> i64 {
    known_migrations().into_iter().max().unwrap_or(0)
}

/// Quotes an identifier read from the catalogue (never from input), for both backends.
pub(crate) fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The audit action a restore leaves in the database it filled.
pub const RESTORED_ACTION: &str = "database_restored";

/// The mark of the latest restore into this database (the audit entry's target), if any: an
/// instance whose search index was built before it builds the index again.
pub async fn latest_restore(conn: &mut sqlx::AnyConnection) -> Result<Option<String>> {
    let mark: Option<Option<String>> = sqlx::query_scalar(
        "SELECT target_id FROM audit_log WHERE action = $1 ORDER BY at DESC, id DESC LIMIT 1",
    )
    .bind(RESTORED_ACTION)
    .fetch_optional(conn)
    .await?;
    Ok(mark.flatten())
}
