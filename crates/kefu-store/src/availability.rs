//! 故障降级 — which database errors say "not now" rather than "never".
//!
//! A database that restarts, fails over or runs out of disk is an outage, not a bug: the
//! request did nothing and the same request can be sent again later. Those errors become
//! [`StoreError::Unavailable`](crate::StoreError::Unavailable) and
//! [`StoreError::StorageFull`](crate::StoreError::StorageFull), so the HTTP edge answers
//! 503/507 with `Retry-After` instead of 500, and background loops know to wait.

use std::time::{Duration, Instant};

/// How a sqlx error reads to kefu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Class {
    NotFound,
    /// A unique or foreign-key constraint, with its name (or the message).
    Conflict(String),
    Unavailable,
    StorageFull,
    Other,
}

pub(crate) fn classify(e: &sqlx::Error) -> Class {
    use sqlx::error::ErrorKind;
    match e {
        sqlx::Error::RowNotFound => Class::NotFound,
        sqlx::Error::Database(db) => match db.kind() {
            ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation => {
                Class::Conflict(db.constraint().unwrap_or(db.message()).to_owned())
            }
            _ => {
                let code = db.code().map(|c| c.into_owned()).unwrap_or_default();
                let sqlite = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some();
                if sqlite {
                    sqlite_class(&code)
                } else {
                    postgres_class(&code)
                }
            }
        },
        // The connection went away (refused, reset, closed mid-query), or none could be
        // had in time: the server is down, restarting or unreachable.
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Class::Unavailable,
        _ => Class::Other,
    }
}

/// PostgreSQL's SQLSTATEs of an outage: class 08 (the connection failed), 57P01
/// (admin_shutdown: `pg_ctl stop/restart -m fast` ends every session), 57P02
/// (crash_shutdown: another backend crashed), 57P03 (cannot_connect_now: starting up or
/// shutting down), 53300 (too_many_connections), 25006 (read_only_sql_transaction: a
/// write reached a standby, as after a failover before the pool moved on); 53100
/// (disk_full) is storage.
fn postgres_class(code: &str) -> Class {
    match code {
        "53100" => Class::StorageFull,
        "57P01" | "57P02" | "57P03" | "53300" | "25006" => Class::Unavailable,
        c if c.starts_with("08") => Class::Unavailable,
        _ => Class::Other,
    }
}

/// SQLite's result codes (extended; the primary code is the low byte): SQLITE_BUSY (5) and
/// SQLITE_LOCKED (6) once the busy timeout has passed (another process holds the write
/// lock), SQLITE_FULL (13: the disk, or the page cap, is full).
fn sqlite_class(code: &str) -> Class {
    match code.parse::<i32>().map(|c| c & 0xff) {
        Ok(5 | 6) => Class::Unavailable,
        Ok(13) => Class::StorageFull,
        _ => Class::Other,
    }
}

/// A cap on the SQLite file's size in pages (`PRAGMA max_page_count`, a setting of each
/// connection rather than of the file), and when it last changed: connections opened
/// before the change are not handed out again, so every connection runs with the cap.
#[derive(Debug, Default)]
pub(crate) struct PageCap(std::sync::Mutex<(Option<u32>, Option<Instant>)>);

impl PageCap {
    pub(crate) fn pages(&self) -> Option<u32> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).0
    }

    pub(crate) fn set(&self, pages: Option<u32>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = (pages, Some(Instant::now()));
    }

    /// Whether a connection `age` old was opened before the cap last changed.
    pub(crate) fn predates(&self, age: Duration) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .1
            .is_some_and(|changed| changed.elapsed() <= age)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postgres_outages_and_full_disks() {
        for code in [
            "57P01", "57P02", "57P03", "08006", "08001", "53300", "25006",
        ] {
            assert_eq!(postgres_class(code), Class::Unavailable, "{code}");
        }
        assert_eq!(postgres_class("53100"), Class::StorageFull);
        for code in ["23505", "40001", "42P01", "22P02", ""] {
            assert_eq!(postgres_class(code), Class::Other, "{code}");
        }
    }

    #[test]
    fn sqlite_busy_locked_and_full() {
        // SQLITE_BUSY, SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED, SQLITE_LOCKED_SHAREDCACHE.
        for code in ["5", "517", "6", "262"] {
            assert_eq!(sqlite_class(code), Class::Unavailable, "{code}");
        }
        assert_eq!(sqlite_class("13"), Class::StorageFull);
        // SQLITE_ERROR, SQLITE_CONSTRAINT_NOTNULL, SQLITE_CORRUPT, SQLITE_IOERR_WRITE.
        for code in ["1", "1299", "11", "778", "x"] {
            assert_eq!(sqlite_class(code), Class::Other, "{code}");
        }
    }

    #[test]
    fn lost_connections_are_outages() {
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert_eq!(classify(&sqlx::Error::Io(refused)), Class::Unavailable);
        assert_eq!(classify(&sqlx::Error::PoolTimedOut), Class::Unavailable);
        assert_eq!(classify(&sqlx::Error::RowNotFound), Class::NotFound);
        assert_eq!(classify(&sqlx::Error::Protocol("odd".into())), Class::Other);
    }

    #[test]
    fn a_cap_change_retires_older_connections() {
        let cap = PageCap::default();
        assert!(!cap.predates(Duration::from_secs(3600)));
        cap.set(Some(10));
        assert_eq!(cap.pages(), Some(10));
        assert!(cap.predates(Duration::from_secs(3600)));
        std::thread::sleep(Duration::from_millis(5));
        assert!(!cap.predates(Duration::from_millis(1)));
    }
}
