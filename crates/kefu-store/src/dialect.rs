//! Everything that differs between SQLite and PostgreSQL, in one place.
//!
//! Queries themselves are shared; what differs is how a connection is set up and which
//! folder of migrations builds the schema (DDL types differ: `BIGSERIAL` vs
//! `INTEGER PRIMARY KEY`).

use std::path::Path;

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Executor};

use crate::StoreError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// When a SQLite commit waits for the disk, chosen by the URL's `synchronous=` parameter
/// (`sqlite://data/kefu.db?synchronous=full`).
///
/// Both keep every committed transaction through a crash of the process (`kill -9`, an
/// out-of-memory kill): in WAL mode a commit has reached the operating system before it
/// returns, and the operating system writes it out whatever became of kefu. They differ
/// when the machine itself stops (power loss, a kernel panic):
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// `NORMAL` (the default): the write-ahead log is flushed to disk at checkpoints, not
    /// at every commit. Power loss may undo the last transactions committed before it —
    /// the database stays consistent, never corrupt — in exchange for commits that do not
    /// wait for the disk.
    #[default]
    Normal,
    /// `FULL`: every commit waits until the log is on disk, so power loss undoes nothing
    /// that was committed (on a disk that honours flushes), at the price of one flush per
    /// commit.
    Full,
}

impl Synchronous {
    pub fn parse(s: &str) -> Option<Synchronous> {
        match s.to_ascii_lowercase().as_str() {
            "normal" => Some(Synchronous::Normal),
            "full" => Some(Synchronous::Full),
            _ => None,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Synchronous::Normal => "normal",
            Synchronous::Full => "full",
        }
    }
}

/// `url` with its `synchronous=` set to `level` when it is a SQLite URL; any other URL as
/// it is.
pub fn with_synchronous(url: &str, level: Synchronous) -> String {
    if !url.starts_with("sqlite:") {
        return url.to_owned();
    }
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let mut params: Vec<String> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("synchronous="))
        .map(str::to_owned)
        .collect();
    params.push(format!("synchronous={}", level.key()));
    format!("{base}?{}", params.join("&"))
}

/// Which database engine a store runs on, chosen from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }

    /// The engine behind an open connection.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Backend {
        if conn.backend_name() == "PostgreSQL" {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// The statement that opens a write transaction.
    pub(crate) fn begin_statement(self) -> &'static str {
        match self {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// For SQLite: creates the file's directory and asks for the file to be created. kefu's
    /// own `synchronous=` parameter (see [`Synchronous`]) is taken out: sqlx refuses
    /// parameters it does not know.
    pub(crate) fn prepare_url(self, url: &str) -> Result<String, StoreError> {
        if self == Backend::Postgres {
            return Ok(url.to_owned());
        }
        let rest = url.trim_start_matches("sqlite:").trim_start_matches("//");
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let query = query
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("synchronous="))
            .collect::<Vec<_>>()
            .join("&");
        let dir = Path::new(path)
            .parent()
            .filter(|d| !d.as_os_str().is_empty());
        if let Some(dir) = dir.filter(|_| path != ":memory:") {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let mode = if query.contains("mode=") {
            ""
        } else {
            "mode=rwc"
        };
        let sep = if query.is_empty() || mode.is_empty() {
            ""
        } else {
            "&"
        };
        Ok(format!("sqlite://{path}?{query}{sep}{mode}"))
    }

    /// The `synchronous=` of a SQLite URL ([`Synchronous::Normal`] without one); always
    /// `Normal` for PostgreSQL, whose durability is the server's own setting.
    pub(crate) fn synchronous(self, url: &str) -> Result<Synchronous, StoreError> {
        if self == Backend::Postgres {
            return Ok(Synchronous::Normal);
        }
        let query = url.split_once('?').map_or("", |(_, q)| q);
        match query
            .split('&')
            .find_map(|p| p.strip_prefix("synchronous="))
        {
            None => Ok(Synchronous::Normal),
            Some(v) => Synchronous::parse(v).ok_or_else(|| StoreError::Synchronous(v.to_owned())),
        }
    }

    /// SQLite: a write-ahead log so readers never block the writer; `synchronous` as the
    /// URL asks (see [`Synchronous`]); foreign keys enforced; a busy timeout instead of
    /// instant "database is locked"; no checkpoint inside a commit (see
    /// [`crate::checkpoint`]).
    pub(crate) async fn configure_connection(
        self,
        conn: &mut AnyConnection,
        synchronous: Synchronous,
    ) -> Result<(), sqlx::Error> {
        if self == Backend::Sqlite {
            let pragmas = match synchronous {
                Synchronous::Normal => {
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; \
                     PRAGMA wal_autocheckpoint = 0;"
                }
                Synchronous::Full => {
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 30000; \
                     PRAGMA wal_autocheckpoint = 0;"
                }
            };
            conn.execute(pragmas).await?;
        }
        Ok(())
    }

    /// How many ticket numbers an instance reserves at a time. SQLite has one writer: the
    /// day's counter is bumped inside each ticket's own transaction, so numbers follow
    /// creation without gaps. On PostgreSQL a counter held until each creation commits would
    /// make every creation wait for the one before; instances reserve blocks instead, so
    /// numbers stay unique but may interleave between instances and skip the rest of a
    /// block when an instance stops.
    pub fn ticket_number_block(self) -> i64 {
        match self {
            Backend::Sqlite => 1,
            Backend::Postgres => 50,
        }
    }

    /// SQLite allows one writer at a time; a small pool avoids queueing on its lock.
    pub(crate) fn max_connections(self) -> u32 {
        match self {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        }
    }

    /// How long a request waits for a connection before it is answered "unavailable"
    /// (503 with `Retry-After`). PostgreSQL away (restarting, failing over) is an outage a
    /// person should hear of within seconds, not after sqlx's default 30; a restart itself
    /// takes well under that, so requests that arrive during one mostly just wait it out.
    /// A local SQLite file is never away: its wait is only ever for a free connection
    /// under a burst, which may take longer before it is better refused.
    pub(crate) fn acquire_timeout(self) -> std::time::Duration {
        match self {
            Backend::Sqlite => std::time::Duration::from_secs(10),
            Backend::Postgres => std::time::Duration::from_secs(3),
        }
    }

    pub(crate) fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// After rows were written with ids chosen by the caller: PostgreSQL's sequences move past
/// them (SQLite's AUTOINCREMENT follows on its own) and its statistics are refreshed.
pub(crate) async fn follow_chosen_ids(
    conn: &mut AnyConnection,
    backend: Backend,
    tables: &[&str],
) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        for table in tables {
            // Table names come from the caller's constants, never from input.
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
            );
            sqlx::query(&sql).execute(&mut *conn).await?;
        }
        // Fresh statistics, so the planner knows the tables are large now (autovacuum would
        // get there later, in the middle of the first working hours).
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
    }
    Ok(())
}

/// Drops and creates database `name` on the PostgreSQL server at `server_url`, for the
/// benchmark's fresh runs. `name` comes from the caller's code, never from input.
pub async fn recreate_database(server_url: &str, name: &str) -> Result<(), StoreError> {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let mut conn = AnyConnection::connect(server_url).await?;
    conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await?;
    conn.close().await?;
    Ok(())
}

/// Every (table, column) of the schema, sorted; lets a test prove both backends build the
/// same shape.
pub async fn schema_columns(
    backend: Backend,
    conn: &mut AnyConnection,
) -> Result<Vec<(String, String)>, StoreError> {
    let sql = match backend {
        Backend::Sqlite => {
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
               AND m.name <> '_sqlx_migrations'"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT), CAST(column_name AS TEXT) \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'"
        }
    };
    let mut cols: Vec<(String, String)> = sqlx::query_as(sql).fetch_all(conn).await?;
    cols.sort();
    Ok(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_from_scheme() {
        assert_eq!(
            Backend::from_url("sqlite://data/kefu.db").unwrap(),
            Backend::Sqlite
        );
        assert_eq!(
            Backend::from_url("postgres://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert_eq!(
            Backend::from_url("postgresql://u@h/db").unwrap(),
            Backend::Postgres
        );
        assert!(Backend::from_url("mysql://u@h/db").is_err());
    }

    #[test]
    fn synchronous_is_read_from_the_url_and_kept_from_sqlx() {
        let b = Backend::Sqlite;
        assert_eq!(
            b.synchronous("sqlite://d/kefu.db").unwrap(),
            Synchronous::Normal
        );
        let full = with_synchronous("sqlite://d/kefu.db", Synchronous::Full);
        assert_eq!(full, "sqlite://d/kefu.db?synchronous=full");
        assert_eq!(b.synchronous(&full).unwrap(), Synchronous::Full);
        let again = with_synchronous(
            "sqlite://d/kefu.db?mode=rwc&synchronous=full",
            Synchronous::Normal,
        );
        assert_eq!(again, "sqlite://d/kefu.db?mode=rwc&synchronous=normal");
        assert!(b.synchronous("sqlite://d/kefu.db?synchronous=off").is_err());
        let dir = std::env::temp_dir().join(format!("kefu-sync-{}", std::process::id()));
        let url = format!(
            "sqlite://{}?synchronous=FULL",
            dir.join("kefu.db").display()
        );
        let prepared = b.prepare_url(&url).unwrap();
        assert!(!prepared.contains("synchronous"), "{prepared}");
        assert!(prepared.ends_with("?mode=rwc"), "{prepared}");
        let _ = std::fs::remove_dir_all(dir);
        assert_eq!(
            with_synchronous("postgres://u@h/db", Synchronous::Full),
            "postgres://u@h/db"
        );
    }

    #[test]
    fn migration_folders_match() {
        let names = |m: &Migrator| -> Vec<(i64, String)> {
            m.iter()
                .map(|x| (x.version, x.description.to_string()))
                .collect()
        };
        assert_eq!(names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS));
        assert!(SQLITE_MIGRATIONS.iter().next().is_some());
    }
}
