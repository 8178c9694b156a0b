//! Writing a backup back: the lock that lets one restore run at a time, what the target
//! holds, its schema brought to the backup's migration, and the rows written in one
//! transaction.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use jiff::Timestamp;
use sqlx::migrate::{Migration, MigrationSource, Migrator};
use sqlx::{AnyConnection, Connection};

use super::schema::{self, ColumnKind, Table};
use super::{Error, Result, Value, known_migrations, quote};
use crate::audit::{self, NewAuditEntry};
use crate::{Backend, Store, Tx};

/// The key of PostgreSQL's advisory lock a restore holds (sqlx's migrations use their own,
/// derived from the database name).
const RESTORE_LOCK_KEY: i64 = 0x6b65_6675_7273_7472;

/// Held while a restore runs; dropping it lets the next one in.
pub struct RestoreLock {
    /// PostgreSQL: the connection holding the advisory lock, out of the pool, so the lock
    /// ends with it whatever happens to the process.
    _session: Option<AnyConnection>,
    /// SQLite: the locked file beside the database; the operating system lets go of it when
    /// the process ends.
    _file: Option<std::fs::File>,
}

/// What a restore's target holds.
#[derive(Debug, Clone)]
pub struct RestoreTarget {
    /// The newest migration applied; `None` for a database no kefu has migrated.
    pub migration: Option<i64>,
    /// Applied migrations this kefu does not carry: a newer kefu migrated the database.
    pub unknown: Vec<i64>,
    /// Rows per table, counted up to the cap given.
    pub rows: Vec<(String, i64)>,
}

/// The migrations up to a version, as a source sqlx's migrator runs.
#[derive(Debug)]
struct UpTo(Vec<Migration>);

/// What [`MigrationSource::resolve`] hands back.
type Resolved<'s> = Pin<
    Box<
        dyn Future<Output = std::result::Result<Vec<Migration>, sqlx::error::BoxDynError>>
            + Send
            + 's,
    >,
>;

impl<'s> MigrationSource<'s> for UpTo {
    fn resolve(self) -> Resolved<'s> {
        Box::pin(async move { Ok(self.0) })
    }
}

/// sqlx's migrator for this backend's migrations up to `version` (sqlx runs all or none;
/// a restore needs the schema exactly as the backup's kefu had it).
async fn migrator_up_to(backend: Backend, version: i64) -> Result<Migrator> {
    let migrations: Vec<Migration> = backend
        .migrator()
        .iter()
        .filter(|m| m.version <= version)
        .cloned()
        .collect();
    Ok(Migrator::new(UpTo(migrations)).await?)
}

/// A database freshly migrated to a version: its tables and how many rows the migrations
/// wrote into each (departments, statuses, setting versions).
#[derive(Debug, Clone)]
pub struct Reference {
    pub tables: Vec<Table>,
    pub rows: BTreeMap<String, i64>,
}

/// The database kefu's migrations up to `version` build, found by migrating an in-memory
/// SQLite database: both backends' migrations build the same tables and columns and write
/// the same rows.
pub async fn reference(version: i64) -> Result<Reference> {
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect("sqlite::memory:").await?;
    migrator_up_to(Backend::Sqlite, version)
        .await?
        .run(&mut conn)
        .await?;
    let tables = schema::tables(&mut conn, Backend::Sqlite).await?;
    let mut rows = BTreeMap::new();
    for t in &tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quote(&t.name)))
            .fetch_one(&mut conn)
            .await?;
        rows.insert(t.name.clone(), n);
    }
    conn.close().await?;
    Ok(Reference { tables, rows })
}

impl Store {
    /// Takes the restore lock, or refuses at once with [`Error::Busy`].
    pub async fn lock_restore(&self) -> Result<RestoreLock> {
        match self.backend {
            Backend::Postgres => {
                let mut session = self.pool.acquire().await?.detach();
                let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
                    .bind(RESTORE_LOCK_KEY)
                    .fetch_one(&mut session)
                    .await?;
                if !locked {
                    let _ = session.close().await;
                    return Err(Error::Busy);
                }
                Ok(RestoreLock {
                    _session: Some(session),
                    _file: None,
                })
            }
            Backend::Sqlite => {
                let mut conn = self.pool.acquire().await?;
                let file: Option<String> =
                    sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                        .fetch_optional(&mut *conn)
                        .await?;
                let Some(file) = file.filter(|f| !f.is_empty()) else {
                    // An in-memory database: nobody else can reach it.
                    return Ok(RestoreLock {
                        _session: None,
                        _file: None,
                    });
                };
                let path = format!("{file}-restore.lock");
                let lock_err = |source| Error::LockFile {
                    path: path.clone(),
                    source,
                };
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .truncate(false)
                    .write(true)
                    .open(&path)
                    .map_err(lock_err)?;
                match f.try_lock() {
                    Ok(()) => Ok(RestoreLock {
                        _session: None,
                        _file: Some(f),
                    }),
                    Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy),
                    Err(std::fs::TryLockError::Error(e)) => Err(lock_err(e)),
                }
            }
        }
    }

    /// The target's migrations and how many rows each table holds (counting stops at
    /// `cap`).
    pub async fn restore_target(&self, cap: i64) -> Result<RestoreTarget> {
        let mut conn = self.pool.acquire().await?;
        let has_migrations: i64 = match self.backend {
            Backend::Sqlite => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master \
                     WHERE type = 'table' AND name = '_sqlx_migrations'",
                )
                .fetch_one(&mut *conn)
                .await?
            }
            Backend::Postgres => {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM information_schema.tables \
                     WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
                )
                .fetch_one(&mut *conn)
                .await?
            }
        };
        let applied: Vec<i64> = if has_migrations > 0 {
            sqlx::query_scalar("SELECT version FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut *conn)
                .await?
        } else {
            Vec::new()
        };
        let known = known_migrations();
        let unknown = applied
            .iter()
            .copied()
            .filter(|v| !known.contains(v))
            .collect();
        let mut rows = Vec::new();
        for t in schema::tables(&mut conn, self.backend).await? {
            let n: i64 = sqlx::query_scalar(&format!(
                "SELECT COUNT(*) FROM (SELECT 1 FROM {} LIMIT {cap}) AS capped",
                quote(&t.name)
            ))
            .fetch_one(&mut *conn)
            .await?;
            rows.push((t.name, n));
        }
        Ok(RestoreTarget {
            migration: applied.iter().copied().max(),
            unknown,
            rows,
        })
    }

    /// Drops every table (sqlx's included), children first: for a target migrated past the
    /// backup, emptied or to be replaced, before it is migrated again to the backup's
    /// version.
    pub async fn drop_schema(&self) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let tables = schema::tables(&mut conn, self.backend).await?;
        let mut names: Vec<String> = schema::load_order(&tables)
            .into_iter()
            .rev()
            .map(|t| t.name.clone())
            .collect();
        names.push("_sqlx_migrations".to_owned());
        for name in names {
            let sql = match self.backend {
                Backend::Sqlite => format!("DROP TABLE IF EXISTS {}", quote(&name)),
                Backend::Postgres => format!("DROP TABLE IF EXISTS {} CASCADE", quote(&name)),
            };
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Applies the migrations up to `version` that have not run.
    pub async fn migrate_to(&self, version: i64) -> Result<()> {
        migrator_up_to(self.backend, version)
            .await?
            .run(&self.pool)
            .await?;
        Ok(())
    }

    /// The tables as the catalogue describes them now.
    pub async fn tables(&self) -> Result<Vec<Table>> {
        let mut conn = self.pool.acquire().await?;
        schema::tables(&mut conn, self.backend).await
    }

    /// Begins the one transaction a restore writes in.
    pub async fn begin_load(&self) -> Result<Loader> {
        let mut tx = self.begin().await?;
        if self.backend == Backend::Sqlite {
            // Checked at commit instead of row by row: the load order already satisfies
            // every key, this only spares the checks in between.
            sqlx::query("PRAGMA defer_foreign_keys = ON")
                .execute(&mut *tx)
                .await?;
        }
        Ok(Loader {
            tx,
            backend: self.backend,
        })
    }

    /// Records the restore in the audit log; `mark` tells instances whose search index
    /// was built before it to build it again.
    pub async fn record_restore(&self, mark: &str, detail: &str, at: Timestamp) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let entry = NewAuditEntry {
            actor_user_id: None,
            actor_name: Some("cli"),
            action: super::RESTORED_ACTION,
            target_type: Some("backup"),
            target_id: Some(mark),
            ip: None,
            detail: Some(detail),
        };
        audit::append(&mut conn, &entry, at).await?;
        Ok(())
    }
}

/// Most bind parameters in one statement (SQLite allows 32,766, PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;

/// The restore's transaction.
pub struct Loader {
    tx: Tx,
    backend: Backend,
}

/// A value as bound to its column.
enum Bound {
    Int(Option<i64>),
    Real(Option<f64>),
    Text(Option<String>),
    Blob(Option<Vec<u8>>),
    Bool(Option<bool>),
}

/// Fits a backup's value to the column it goes into. Values move between kinds only
/// without loss (SQLite may hold the digits of a number in a text column, and the like).
fn fit(value: Value, kind: ColumnKind) -> std::result::Result<Bound, &'static str> {
    let found = value.kind_name();
    Ok(match (kind, value) {
        (ColumnKind::Integer, Value::Null) => Bound::Int(None),
        (ColumnKind::Integer, Value::Int(i)) => Bound::Int(Some(i)),
        (ColumnKind::Integer, Value::Text(s)) => {
            Bound::Int(Some(s.trim().parse().map_err(|_| found)?))
        }
        (ColumnKind::Integer, Value::Real(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
            Bound::Int(Some(f as i64))
        }
        (ColumnKind::Real, Value::Null) => Bound::Real(None),
        (ColumnKind::Real, Value::Real(f)) => Bound::Real(Some(f)),
        (ColumnKind::Real, Value::Int(i)) => Bound::Real(Some(i as f64)),
        (ColumnKind::Text, Value::Null) => Bound::Text(None),
        (ColumnKind::Text, Value::Text(s)) => Bound::Text(Some(s)),
        (ColumnKind::Text, Value::Int(i)) => Bound::Text(Some(i.to_string())),
        (ColumnKind::Text, Value::Blob(b)) => {
            Bound::Text(Some(String::from_utf8(b).map_err(|_| found)?))
        }
        (ColumnKind::Blob, Value::Null) => Bound::Blob(None),
        (ColumnKind::Blob, Value::Blob(b)) => Bound::Blob(Some(b)),
        (ColumnKind::Blob, Value::Text(s)) => Bound::Blob(Some(s.into_bytes())),
        (ColumnKind::Bool, Value::Null) => Bound::Bool(None),
        (ColumnKind::Bool, Value::Int(i)) if i == 0 || i == 1 => Bound::Bool(Some(i == 1)),
        _ => return Err(found),
    })
}

impl Loader {
    /// Deletes every row of `table` (what migrations wrote, or with `--force`, everything).
    pub async fn clear(&mut self, table: &Table) -> Result<u64> {
        let done = sqlx::query(&format!("DELETE FROM {}", quote(&table.name)))
            .execute(&mut *self.tx)
            .await?;
        Ok(done.rows_affected())
    }

    /// Inserts rows whose values are in the order of `columns`; `before` rows of the table
    /// came before them (rows are numbered in messages).
    pub async fn insert(
        &mut self,
        table: &Table,
        columns: &[String],
        rows: Vec<Vec<Value>>,
        before: u64,
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let kinds: Vec<ColumnKind> = columns
            .iter()
            .map(|c| {
                table
                    .column(c)
                    .map(|col| col.kind)
                    .ok_or_else(|| Error::UnknownColumn {
                        table: table.name.clone(),
                        column: c.clone(),
                    })
            })
            .collect::<Result<_>>()?;
        let width = columns.len().max(1);
        let per_statement = (MAX_PARAMS / width).clamp(1, 1000);
        let head = format!(
            "INSERT INTO {} ({}) VALUES ",
            quote(&table.name),
            columns
                .iter()
                .map(|c| quote(c))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let mut row_no = before;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<Vec<Value>> = rows.by_ref().take(per_statement).collect();
            let mut sql = head.clone();
            let mut n = 0;
            for r in 0..chunk.len() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    match self.backend {
                        // SQLite looks a named parameter (`$7`) up by scanning the ones
                        // before it, which turns a statement of thousands into seconds of
                        // parsing; plain `?` are numbered as they come.
                        Backend::Sqlite => sql.push('?'),
                        Backend::Postgres => {
                            use std::fmt::Write as _;
                            let _ = write!(sql, "${n}");
                        }
                    }
                }
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for row in chunk {
                row_no += 1;
                for ((value, kind), column) in row.into_iter().zip(&kinds).zip(columns) {
                    let bound = fit(value, *kind).map_err(|found| Error::Misfit {
                        table: table.name.clone(),
                        row: row_no,
                        column: column.clone(),
                        found,
                        expected: kind.name(),
                    })?;
                    q = match bound {
                        Bound::Int(v) => q.bind(v),
                        Bound::Real(v) => q.bind(v),
                        Bound::Text(v) => q.bind(v),
                        Bound::Blob(v) => q.bind(v),
                        Bound::Bool(v) => q.bind(v),
                    };
                }
            }
            q.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Moves every sequence past the ids now in its table and past the last id the backup's
    /// database had handed out (`handed_out`), so no id is handed out twice.
    pub async fn follow_sequences(
        &mut self,
        tables: &[Table],
        handed_out: &BTreeMap<String, i64>,
    ) -> Result<()> {
        for t in tables {
            let Some(column) = &t.serial else {
                continue;
            };
            let last = handed_out.get(&t.name).copied().unwrap_or(0);
            match self.backend {
                Backend::Postgres => {
                    let sql = format!(
                        "SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(m.v, 1), m.v >= 1) \
                         FROM (SELECT GREATEST(COALESCE(MAX({}), 0), $3) AS v FROM {}) AS m",
                        quote(column),
                        quote(&t.name)
                    );
                    sqlx::query(&sql)
                        .bind(t.name.as_str())
                        .bind(column.as_str())
                        .bind(last)
                        .execute(&mut *self.tx)
                        .await?;
                }
                Backend::Sqlite => {
                    sqlx::query("DELETE FROM sqlite_sequence WHERE name = $1")
                        .bind(t.name.as_str())
                        .execute(&mut *self.tx)
                        .await?;
                    let sql = format!(
                        "INSERT INTO sqlite_sequence (name, seq) \
                         SELECT $1, m.v FROM (SELECT MAX(COALESCE(MAX({}), 0), $2) AS v FROM {}) AS m \
                         WHERE m.v > 0",
                        quote(column),
                        quote(&t.name)
                    );
                    sqlx::query(&sql)
                        .bind(t.name.as_str())
                        .bind(last)
                        .execute(&mut *self.tx)
                        .await?;
                }
            }
        }
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}
