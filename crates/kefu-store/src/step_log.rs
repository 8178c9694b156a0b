//! 处理记录 — the log of a record's moves (an RMA's, an order's): what was done, from which
//! state to which, the note, who and when. One shape and one pair of queries for every log
//! table; each area names its table.

use std::fmt::Display;
use std::str::FromStr;

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, from_micros, marks, to_micros};

/// A step as logged, its states of type `S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<S> {
    pub action: String,
    pub from_state: Option<S>,
    pub to_state: S,
    pub note: String,
    pub by: Option<i64>,
    pub by_name: Option<String>,
    pub at: Timestamp,
}

/// A log table and the column naming whose steps its rows are.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StepLog {
    pub table: &'static str,
    pub owner: &'static str,
}

/// Logs a step of record `owner_id`.
pub(crate) async fn add<S: Display>(
    conn: &mut AnyConnection,
    log: StepLog,
    owner_id: i64,
    s: &Step<S>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO {} ({}, action, from_state, to_state, note, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        log.table, log.owner
    );
    sqlx::query(&sql)
        .bind(owner_id)
        .bind(&s.action)
        .bind(s.from_state.as_ref().map(ToString::to_string))
        .bind(s.to_state.to_string())
        .bind(&s.note)
        .bind(s.by)
        .bind(to_micros(s.at))
        .execute(conn)
        .await?;
    Ok(())
}

/// The steps of several records in one query: (record, step), each record's in order.
pub(crate) async fn of<S: FromStr>(
    conn: &mut AnyConnection,
    log: StepLog,
    ids: &[i64],
) -> Result<Vec<(i64, Step<S>)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT s.{owner} AS owner_id, s.action, s.from_state, s.to_state, s.note, s.by_user, \
         u.display_name, s.at FROM {table} s LEFT JOIN users u ON u.id = s.by_user \
         WHERE s.{owner} IN ({marks}) ORDER BY s.{owner}, s.id",
        owner = log.owner,
        table = log.table,
        marks = marks(1, ids.len())
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(id);
    }
    let state = |raw: String| {
        raw.parse::<S>()
            .map_err(|_| StoreError::Corrupt(format!("{}: state {raw:?}", log.table)))
    };
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| {
            let from: Option<String> = r.try_get("from_state")?;
            Ok((
                r.try_get("owner_id")?,
                Step {
                    action: r.try_get("action")?,
                    from_state: from.map(state).transpose()?,
                    to_state: state(r.try_get("to_state")?)?,
                    note: r.try_get("note")?,
                    by: r.try_get("by_user")?,
                    by_name: r.try_get("display_name")?,
                    at: from_micros(r.try_get("at")?),
                },
            ))
        })
        .collect()
}
