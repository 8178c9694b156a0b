//! 物流信息 — tracking events in bulk: a carrier's file imported (all or nothing, every
//! refused cell named by row, a dry run to check first), or pushed by a carrier's system
//! through the API. Each event lands on the latest shipment of its tracking number, once;
//! 已签收 marks the shipment delivered.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::order::OrderError;
use kefu_domain::order::shipment::{EventSource, TrackingStatus};
use kefu_domain::order::tracking_file::{
    self as rules, TrackingCellError, TrackingLine, TrackingProblem,
};
use kefu_store::order::shipment::{self as store, EventRow};
use kefu_store::{AnyConnection, StoreError};

use crate::customer_import::read_table;
use crate::{Actor, App, Result};

pub use kefu_domain::order::tracking_file::MAX_PUSH;

/// What an import did, or would do (a dry run, or a file with problems: nothing written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackingImport {
    /// Data rows read (blank ones not counted).
    pub rows: usize,
    /// Events new to their shipments.
    pub added: usize,
    /// Events their shipments had already.
    pub known: usize,
    /// Each refused cell with its spreadsheet row.
    pub problems: Vec<(usize, TrackingCellError)>,
    pub written: bool,
}

/// An event as a carrier's system pushes it: tracking number, time (RFC 3339, or Beijing
/// `YYYY-MM-DD HH:MM`), status (a key or its Chinese name), place.
#[derive(Debug, Clone, Default)]
pub struct PushedEvent {
    pub tracking_number: String,
    pub at: String,
    pub status: String,
    pub place: String,
}

/// What a push did: events added, already known, and the tracking numbers kefu has no
/// shipment for (their events are not kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackingPush {
    pub added: usize,
    pub known: usize,
    pub unknown: Vec<String>,
}

/// Writes events onto their shipments: (added, known).
async fn write_events(
    tx: &mut AnyConnection,
    lines: &[(i64, TrackingLine)],
    source: EventSource,
    by: Option<i64>,
    now: Timestamp,
) -> Result<(usize, usize)> {
    let (mut added, mut known) = (0, 0);
    for (shipment_id, l) in lines {
        let new = store::add_event(
            &mut *tx,
            &EventRow {
                shipment_id: *shipment_id,
                at: l.at,
                status: l.status,
                place: l.place.clone(),
                source,
            },
            by,
            now,
        )
        .await?;
        if new {
            added += 1;
            if l.status == TrackingStatus::Delivered {
                store::mark_delivered(&mut *tx, *shipment_id, l.at).await?;
            }
        } else {
            known += 1;
        }
    }
    Ok((added, known))
}

async fn shipments_of(
    conn: &mut AnyConnection,
    lines: &[TrackingLine],
) -> Result<HashMap<String, i64>> {
    let numbers: Vec<String> = lines
        .iter()
        .map(|l| l.tracking_number.clone())
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    Ok(store::by_tracking(conn, &numbers)
        .await?
        .into_iter()
        .collect())
}

impl App {
    /// Imports a carrier's tracking file (`dry_run`: only says what would happen).
    pub async fn import_tracking(
        &self,
        actor: &Actor,
        filename: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<TrackingImport> {
        actor.require(Permission::OrderTake)?;
        let table = read_table(filename, bytes)?;
        let columns = rules::tracking_columns(&table.headers)?;
        let now = self.now();
        let mut out = TrackingImport::default();
        let mut good = Vec::new();
        for (i, cells) in table.rows.iter().enumerate() {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            out.rows += 1;
            let row = table.header_row + 1 + i;
            match rules::tracking_line(cells, &columns, now) {
                Ok(l) => good.push((row, l)),
                Err(errors) => out.problems.extend(errors.into_iter().map(|e| (row, e))),
            }
        }
        let mut tx = self.store.begin().await?;
        let lines: Vec<TrackingLine> = good.iter().map(|(_, l)| l.clone()).collect();
        let shipments = shipments_of(&mut tx, &lines).await?;
        let mut matched = Vec::with_capacity(good.len());
        for (row, l) in good {
            match shipments.get(&l.tracking_number) {
                Some(id) => matched.push((*id, l)),
                None => out.problems.push((
                    row,
                    TrackingCellError::new(
                        "tracking_number",
                        TrackingProblem::UnknownShipment,
                        &l.tracking_number,
                    ),
                )),
            }
        }
        let (added, known) =
            write_events(&mut tx, &matched, EventSource::Import, actor.user_id(), now).await?;
        out.added = added;
        out.known = known;
        out.problems.sort_by_key(|(row, _)| *row);
        if dry_run || !out.problems.is_empty() {
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(out);
        }
        tx.commit().await.map_err(StoreError::from)?;
        out.written = true;
        Ok(out)
    }

    /// Events pushed by a carrier's system (1 to [`MAX_PUSH`]), read as a file's rows are and
    /// refused whole when any is wrong (the first named); those of known tracking numbers
    /// kept, each once; the unknown numbers answered.
    pub async fn push_tracking(
        &self,
        actor: &Actor,
        events: &[PushedEvent],
    ) -> Result<TrackingPush> {
        actor.require(Permission::OrderTake)?;
        if events.is_empty() || events.len() > MAX_PUSH {
            return Err(OrderError::TrackingBatch.into());
        }
        let now = self.now();
        use rules::TrackingColumn as C;
        let columns = [
            Some(C::TrackingNumber),
            Some(C::At),
            Some(C::Status),
            Some(C::Place),
        ];
        let mut lines = Vec::with_capacity(events.len());
        for (i, e) in events.iter().enumerate() {
            let cells = [
                e.tracking_number.clone(),
                e.at.clone(),
                e.status.clone(),
                e.place.clone(),
            ];
            match rules::tracking_line(&cells, &columns, now) {
                Ok(l) => lines.push(l),
                Err(mut errors) => {
                    let first = errors.remove(0);
                    return Err(OrderError::TrackingEvent {
                        index: i + 1,
                        column: first.column,
                        problem: first.problem,
                    }
                    .into());
                }
            }
        }
        let lines = &lines;
        let mut tx = self.store.begin().await?;
        let shipments = shipments_of(&mut tx, lines).await?;
        let mut unknown = Vec::new();
        let mut matched = Vec::with_capacity(lines.len());
        for l in lines {
            match shipments.get(&l.tracking_number) {
                Some(id) => matched.push((*id, l.clone())),
                None if !unknown.contains(&l.tracking_number) => {
                    unknown.push(l.tracking_number.clone());
                }
                None => {}
            }
        }
        let (added, known) = write_events(
            &mut tx,
            &matched,
            EventSource::Webhook,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(TrackingPush {
            added,
            known,
            unknown,
        })
    }
}
