//! One consistent view of the whole database while the server goes on writing.
//!
//! PostgreSQL: one `REPEATABLE READ, READ ONLY` transaction; every table is read from the
//! snapshot its first statement took. SQLite: one read transaction on a write-ahead-log
//! database, which reads the database as it was at its first statement, however much is
//! committed meanwhile, and never blocks the writer. (The online backup API or `VACUUM INTO`
//! would copy the file first: the whole database written once more to disk, attachments and
//! all, before a byte of the backup. While the read lasts, the log cannot be checkpointed
//! past it and grows by what is written meanwhile; it shrinks back at the next checkpoint.)

use std::collections::BTreeMap;

use futures_util::stream::{Stream, StreamExt};
use sqlx::any::{AnyRow, AnyTypeInfoKind};
use sqlx::{Any, Row, Transaction, ValueRef};

use super::schema::{self, Table};
use super::{Result, Value};
use crate::{Backend, Store};

/// A read-only transaction over the whole database.
pub struct Snapshot {
    tx: Transaction<'static, Any>,
    backend: Backend,
}

impl Store {
    /// Opens a snapshot of the database.
    pub async fn snapshot(&self) -> Result<Snapshot> {
        let begin = match self.backend {
            Backend::Sqlite => "BEGIN",
            Backend::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY",
        };
        let tx = self.pool.begin_with(begin).await?;
        Ok(Snapshot {
            tx,
            backend: self.backend,
        })
    }
}

impl Snapshot {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The newest migration applied (0 for a database never migrated).
    pub async fn migration(&mut self) -> Result<i64> {
        let version: Option<i64> =
            sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations WHERE success")
                .fetch_one(&mut *self.tx)
                .await?;
        Ok(version.unwrap_or(0))
    }

    /// The tables, sorted by name.
    pub async fn tables(&mut self) -> Result<Vec<Table>> {
        schema::tables(&mut self.tx, self.backend).await
    }

    /// The last id each table's sequence handed out (tables never given one are absent):
    /// carried so a restored database does not hand out an id twice, even one whose row is
    /// gone.
    pub async fn sequences(&mut self, tables: &[Table]) -> Result<BTreeMap<String, i64>> {
        let mut out = BTreeMap::new();
        match self.backend {
            Backend::Sqlite => {
                let present: i64 = sqlx::query_scalar(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_sequence'",
                )
                .fetch_one(&mut *self.tx)
                .await?;
                if present == 0 {
                    return Ok(out);
                }
                let rows: Vec<(String, i64)> =
                    sqlx::query_as("SELECT name, seq FROM sqlite_sequence")
                        .fetch_all(&mut *self.tx)
                        .await?;
                for (name, seq) in rows {
                    let serial = tables.iter().any(|t| t.name == name && t.serial.is_some());
                    if serial && seq > 0 {
                        out.insert(name, seq);
                    }
                }
            }
            Backend::Postgres => {
                for t in tables {
                    let Some(column) = &t.serial else {
                        continue;
                    };
                    let sequence: Option<String> =
                        sqlx::query_scalar("SELECT pg_get_serial_sequence($1, $2)")
                            .bind(t.name.as_str())
                            .bind(column.as_str())
                            .fetch_one(&mut *self.tx)
                            .await?;
                    let Some(sequence) = sequence else {
                        continue;
                    };
                    // The name comes quoted from the catalogue. A sequence is outside the
                    // snapshot: it may be a little ahead of it, which only skips ids.
                    let (last, called): (i64, bool) =
                        sqlx::query_as(&format!("SELECT last_value, is_called FROM {sequence}"))
                            .fetch_one(&mut *self.tx)
                            .await?;
                    let handed_out = if called { last } else { last - 1 };
                    if handed_out > 0 {
                        out.insert(t.name.clone(), handed_out);
                    }
                }
            }
        }
        Ok(out)
    }

    /// The rows of `table` in key order, each value in the table's column order.
    pub fn rows<'a>(
        &'a mut self,
        table: &'a Table,
    ) -> impl Stream<Item = Result<Vec<Value>>> + Send + 'a {
        sqlx::query(&table.select)
            .fetch(&mut *self.tx)
            .map(|row| -> Result<Vec<Value>> { Ok(decode(&row?)?) })
    }

    /// Ends the snapshot (it wrote nothing).
    pub async fn finish(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// A row's values by what each value is (SQLite keeps what was stored, whatever the column
/// says).
fn decode(row: &AnyRow) -> std::result::Result<Vec<Value>, sqlx::Error> {
    let mut out = Vec::with_capacity(row.columns().len());
    for i in 0..row.columns().len() {
        let kind = {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                None
            } else {
                Some(raw.type_info().kind())
            }
        };
        let value = match kind {
            None | Some(AnyTypeInfoKind::Null) => Value::Null,
            Some(AnyTypeInfoKind::Bool) => Value::Int(i64::from(row.try_get::<bool, _>(i)?)),
            Some(AnyTypeInfoKind::Real | AnyTypeInfoKind::Double) => {
                Value::Real(row.try_get::<f64, _>(i)?)
            }
            Some(AnyTypeInfoKind::Text) => Value::Text(row.try_get::<String, _>(i)?),
            Some(AnyTypeInfoKind::Blob) => Value::Blob(row.try_get::<Vec<u8>, _>(i)?),
            Some(
                AnyTypeInfoKind::SmallInt | AnyTypeInfoKind::Integer | AnyTypeInfoKind::BigInt,
            ) => Value::Int(row.try_get::<i64, _>(i)?),
        };
        out.push(value);
    }
    Ok(out)
}
