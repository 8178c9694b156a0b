//! 只读副本 — a PostgreSQL replica for reads that may lag a moment behind the primary
//! (`read_database_url`): its URL checked before anything connects, its pool, and the
//! primary answering while it is away.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Any;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::pool::PoolConnection;

use crate::{Backend, Result, Store, StoreError};

/// How long a report waits for a connection to the replica before it reads from the
/// primary instead: a replica that is away must not make reports slow.
const READER_WAIT: Duration = Duration::from_secs(1);

/// What is wrong with a `read_database_url`, each with what to write instead. The URL
/// itself is not repeated: it may carry a password, and the message goes to the log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReaderUrlError {
    #[error(
        "read_database_url is set, but database_url is SQLite, which has no replicas: remove read_database_url (it names a replica of a PostgreSQL database_url)"
    )]
    PrimaryIsSqlite,
    #[error(
        "read_database_url is empty: remove it, or name the replica as postgres://USER@HOST:PORT/DB"
    )]
    Empty,
    /// The URL's scheme (`sqlite`, `mysql`…).
    #[error(
        "read_database_url must be a PostgreSQL URL, postgres://USER@HOST:PORT/DB (a replica of database_url), not a {0}: URL"
    )]
    NotPostgres(String),
    /// The host list as written (`db1:5432,db2:5432`).
    #[error(
        "read_database_url names several hosts ({0}): name one replica, postgres://USER@HOST:PORT/DB (a host list belongs in database_url)"
    )]
    SeveralHosts(String),
    /// Why the URL cannot be read (`invalid port number`…).
    #[error(
        "read_database_url is not a valid PostgreSQL URL ({0}): write postgres://USER@HOST:PORT/DB"
    )]
    Unparsable(String),
}

/// Checks `read_database_url` against `database_url` before anything connects, so that a
/// mistaken setting stops kefu at start with its reason, rather than leaving every report
/// to fail over to the primary (or fail) once it runs.
pub fn check_reader_url(
    database_url: &str,
    read_url: &str,
) -> std::result::Result<(), ReaderUrlError> {
    if Backend::from_url(database_url).is_ok_and(|b| b == Backend::Sqlite) {
        return Err(ReaderUrlError::PrimaryIsSqlite);
    }
    options(read_url).map(drop)
}

/// The replica's connection options: a PostgreSQL URL of one host.
fn options(url: &str) -> std::result::Result<AnyConnectOptions, ReaderUrlError> {
    if url.trim().is_empty() {
        return Err(ReaderUrlError::Empty);
    }
    if !Backend::from_url(url).is_ok_and(|b| b == Backend::Postgres) {
        return Err(match scheme(url) {
            Some(scheme) => ReaderUrlError::NotPostgres(scheme.to_owned()),
            None => ReaderUrlError::Unparsable("no scheme".to_owned()),
        });
    }
    let hosts = host_list(url);
    if hosts.contains(',') {
        return Err(ReaderUrlError::SeveralHosts(hosts.to_owned()));
    }
    // sqlx's `Any` options read only the URL's syntax; PostgreSQL's own reading also
    // catches what would otherwise fail at every connection (an unknown sslmode).
    sqlx::postgres::PgConnectOptions::from_str(url).map_err(unparsable)?;
    AnyConnectOptions::from_str(url).map_err(unparsable)
}

fn unparsable(e: sqlx::Error) -> ReaderUrlError {
    ReaderUrlError::Unparsable(match e {
        sqlx::Error::Configuration(reason) => reason.to_string(),
        other => other.to_string(),
    })
}

/// A URL's scheme, when it starts with one (`sqlite` of `sqlite://…`).
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let well_formed = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    well_formed.then_some(scheme)
}

/// The hosts of a URL as written (`db1:5432,db2:5432`): after the user, before the path.
fn host_list(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    authority
        .rfind('@')
        .map_or(authority, |at| &authority[at + 1..])
}

impl Store {
    /// Adds a pool on a PostgreSQL replica (`read_database_url`, one host) for reads that
    /// may lag a little behind the primary: [`Store::replica_conn`], [`Store::read_conn`].
    /// Connects lazily: a replica that is away does not keep kefu from starting.
    pub fn with_reader(mut self, url: &str) -> Result<Store> {
        if self.backend != Backend::Postgres {
            return Err(ReaderUrlError::PrimaryIsSqlite.into());
        }
        let options = options(url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(self.backend.max_connections() / 2)
            .acquire_timeout(READER_WAIT)
            .test_before_acquire(true)
            .connect_lazy_with(options);
        self.reader = Some(pool);
        Ok(self)
    }

    /// A connection to the replica of [`Store::with_reader`], for a read that may lag a
    /// little behind the latest writes; `None` without a replica, or while it cannot be
    /// reached within a second (logged): the caller reads from the primary then. A read
    /// that fails there for a reason of the replica's own ([`StoreError::is_replica_miss`])
    /// is read again from the primary, as the complaint report does.
    pub async fn replica_conn(&self) -> Option<PoolConnection<Any>> {
        let reader = self.reader.as_ref()?;
        match reader.acquire().await {
            Ok(conn) => Some(conn),
            Err(e) => {
                tracing::warn!(
                    error = %e,
                    "the read replica is unavailable: reading from the primary"
                );
                None
            }
        }
    }

    /// A connection for a read that may lag a little behind the latest writes — reports
    /// and statistics — from the replica of [`Store::with_reader`] when there is one (else,
    /// or while the replica is away, the primary). Never for a read that must see a write
    /// just made (a page shown after its own form, a check before a write): a replica
    /// applies the primary's changes a moment later.
    pub async fn read_conn(&self) -> Result<PoolConnection<Any>> {
        match self.replica_conn().await {
            Some(conn) => Ok(conn),
            None => self.conn().await,
        }
    }
}

impl StoreError {
    /// Whether a read on the replica failed for a reason the primary does not share, so
    /// that reading again from the primary answers: the replica went away mid-read (an
    /// outage: stopped, restarting), cancelled the read to apply the primary's changes
    /// (40001, 40P01: a conflict with recovery), or has not applied the latest migration
    /// yet (42P01 undefined table, 42703 undefined column: it lags behind an upgrade).
    pub fn is_replica_miss(&self) -> bool {
        if self.is_unavailable() {
            return true;
        }
        match self {
            StoreError::Database(sqlx::Error::Database(db)) => matches!(
                db.code().as_deref(),
                Some("40001" | "40P01" | "42P01" | "42703")
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRIMARY: &str = "postgres://kefu@db1:5432/kefu";

    #[test]
    fn a_replica_is_one_postgresql_host() {
        assert_eq!(
            check_reader_url(PRIMARY, "postgres://kefu@db2:5432/kefu"),
            Ok(())
        );
        assert_eq!(
            check_reader_url(PRIMARY, "postgresql://kefu:p%40ss@db2/kefu?sslmode=prefer"),
            Ok(())
        );
        assert_eq!(
            check_reader_url("sqlite://data/kefu.db", "postgres://kefu@db2/kefu"),
            Err(ReaderUrlError::PrimaryIsSqlite)
        );
        assert_eq!(
            check_reader_url(PRIMARY, "sqlite://data/replica.db"),
            Err(ReaderUrlError::NotPostgres("sqlite".into()))
        );
        assert_eq!(
            check_reader_url(PRIMARY, "mysql://kefu@db2/kefu"),
            Err(ReaderUrlError::NotPostgres("mysql".into()))
        );
        assert_eq!(check_reader_url(PRIMARY, " "), Err(ReaderUrlError::Empty));
        assert_eq!(
            check_reader_url(PRIMARY, "db2/kefu"),
            Err(ReaderUrlError::Unparsable("no scheme".into()))
        );
        assert_eq!(
            check_reader_url(PRIMARY, "postgres://kefu@db1:5432,db2:5432/kefu"),
            Err(ReaderUrlError::SeveralHosts("db1:5432,db2:5432".into()))
        );
        assert!(matches!(
            check_reader_url(PRIMARY, "postgres://kefu@db2:port/kefu"),
            Err(ReaderUrlError::Unparsable(_))
        ));
        assert!(matches!(
            check_reader_url(PRIMARY, "postgres://kefu@db2/kefu?sslmode=sometimes"),
            Err(ReaderUrlError::Unparsable(_))
        ));
    }

    #[test]
    fn the_message_keeps_the_password_out() {
        let e = check_reader_url(PRIMARY, "postgres://kefu:secret@db2:port/kefu").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        let e = check_reader_url(PRIMARY, "mysql://kefu:secret@db2/kefu").unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
    }
}
