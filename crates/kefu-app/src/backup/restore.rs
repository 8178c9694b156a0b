//! Restoring a backup into an empty database, of either backend.
//!
//! Every refusal comes before anything is written: the whole file is read and checked
//! (checksums, row counts), a backup from a newer kefu is refused, the restore lock taken
//! (a second restore is refused), and the target looked at — it must hold nothing but what
//! kefu's migrations write, unless forced. Then the target's schema is brought to the
//! backup's migration (dropped first when it is past it: it is empty, or forced), the rows
//! are written in one transaction, parents before children, with every sequence moved past
//! the ids written, and the migrations newer than the backup run over the restored data.
//! The restore leaves a mark in the audit log, by which every instance knows to rebuild its
//! search index.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use jiff::Timestamp;
use kefu_store::Store;
use kefu_store::backup::{self as sb, Table, load_order};
use tokio::sync::mpsc;

use super::archive::{self, Batch, Manifest};
use super::{BackupError, Progress, verify};

/// Counting a target's rows stops here.
const COUNT_CAP: i64 = 1000;

#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    /// Replace whatever the target holds (`--force`).
    pub force: bool,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// The target's newest migration before the restore (`None`: never migrated).
    pub target_migration: Option<i64>,
    /// The target held data of its own, replaced by force.
    pub replaced: bool,
    /// Migrations run over the restored data (the backup's kefu was older).
    pub migrated_after: usize,
    pub rows: u64,
    pub seconds: f64,
    /// The mark left in the audit log.
    pub mark: String,
}

/// Restores the backup at `path` into `store`'s database (not migrated by the caller: the
/// restore migrates it as the backup needs). `now` is recorded with the restore.
pub async fn restore(
    store: &Store,
    path: &Path,
    options: &RestoreOptions,
    now: Timestamp,
    progress: Progress<'_>,
) -> Result<RestoreReport, BackupError> {
    let started = Instant::now();
    let manifest = verify(path).await?;
    let known = sb::known_migrations();
    let latest = sb::latest_migration();
    if manifest.migration > latest {
        return Err(BackupError::Newer {
            found: manifest.migration,
            known: latest,
        });
    }
    if !known.contains(&manifest.migration) {
        return Err(BackupError::UnknownMigration {
            found: manifest.migration,
        });
    }
    let expected = sb::reference(manifest.migration).await?;
    check_schema(&manifest, &expected.tables)?;

    let lock = store.lock_restore().await?;
    let target = store.restore_target(COUNT_CAP).await?;
    if !target.unknown.is_empty() {
        let versions: Vec<String> = target.unknown.iter().map(i64::to_string).collect();
        return Err(BackupError::TargetNewer {
            versions: versions.join(", "),
        });
    }
    let seeds = match target.migration {
        Some(v) => sb::reference(v).await?.rows,
        None => BTreeMap::new(),
    };
    let occupied: Vec<String> = target
        .rows
        .iter()
        .filter(|(t, n)| *n > seeds.get(t).copied().unwrap_or(0))
        .map(|(t, n)| {
            if *n >= COUNT_CAP {
                format!("{t}: {COUNT_CAP}+")
            } else {
                format!("{t}: {n}")
            }
        })
        .collect();
    if !occupied.is_empty() && !options.force {
        return Err(BackupError::NotEmpty {
            tables: occupied.join(", "),
        });
    }

    if target.migration.is_some_and(|v| v > manifest.migration) {
        store.drop_schema().await?;
    }
    store.migrate_to(manifest.migration).await?;
    let tables = store.tables().await?;
    check_schema(&manifest, &tables)?;
    let rows = load(store, path, &manifest, &tables, progress).await?;
    store.migrate().await?;
    let migrated_after = known.iter().filter(|v| **v > manifest.migration).count();

    let mark = crate::secret::random_hex(16);
    let detail = serde_json::json!({
        "backend": manifest.backend,
        "created_at": manifest.created_at,
        "migration": manifest.migration,
        "kefu_version": manifest.kefu_version,
        "sha256": manifest.sha256,
        "rows": rows,
        "forced": options.force,
    });
    store
        .record_restore(&mark, &detail.to_string(), now)
        .await?;
    drop(lock);
    Ok(RestoreReport {
        manifest,
        target_migration: target.migration,
        replaced: !occupied.is_empty(),
        migrated_after,
        rows,
        seconds: started.elapsed().as_secs_f64(),
        mark,
    })
}

/// The backup's tables and columns must be the ones `tables` has (kefu's schema at the
/// backup's migration).
fn check_schema(manifest: &Manifest, tables: &[Table]) -> Result<(), BackupError> {
    let schema = |detail: String| BackupError::Schema {
        migration: manifest.migration,
        detail,
    };
    for t in tables {
        let Some(part) = manifest.table(&t.name) else {
            return Err(schema(format!("the table {} is missing", t.name)));
        };
        let mut have = part.columns.clone();
        have.sort();
        if have != t.column_names() {
            return Err(schema(format!(
                "the table {} has the columns {} where kefu has {}",
                t.name,
                have.join(", "),
                t.column_names().join(", ")
            )));
        }
    }
    if let Some(extra) = manifest
        .tables
        .iter()
        .find(|p| !tables.iter().any(|t| t.name == p.name))
    {
        return Err(schema(format!("kefu has no table {}", extra.name)));
    }
    Ok(())
}

/// Writes the backup's rows in one transaction; returns how many.
async fn load(
    store: &Store,
    path: &Path,
    manifest: &Manifest,
    tables: &[Table],
    progress: Progress<'_>,
) -> Result<u64, BackupError> {
    let order = load_order(tables);
    let indices: Vec<usize> = order
        .iter()
        .filter_map(|t| manifest.tables.iter().position(|p| p.name == t.name))
        .collect();
    let mut loader = store.begin_load().await?;
    // What the migrations wrote (or, forced, whatever was there) goes first, children
    // before their parents; the backup has its own.
    for t in order.iter().rev() {
        loader.clear(t).await?;
    }
    let (tx, rx) = mpsc::channel::<Batch>(4);
    let reader = {
        let path = path.to_owned();
        let manifest = manifest.clone();
        let indices = indices.clone();
        tokio::task::spawn_blocking(move || archive::read_rows(&path, &manifest, &indices, &tx))
    };
    let inserted = insert_all(&mut loader, rx, manifest, tables, progress).await;
    let read = reader
        .await
        .map_err(|e| BackupError::Interrupted(e.to_string()))
        .and_then(|r| r);
    let rows = match (inserted, read) {
        (Ok(rows), Ok(())) => rows,
        // Dropping the loader rolls the transaction back: nothing was written.
        (Err(e), _) | (_, Err(e)) => return Err(e),
    };
    let handed_out: BTreeMap<String, i64> = manifest
        .tables
        .iter()
        .filter_map(|p| p.sequence.map(|s| (p.name.clone(), s)))
        .collect();
    loader.follow_sequences(tables, &handed_out).await?;
    loader.commit().await?;
    Ok(rows)
}

/// Inserts every batch the reader hands over; returns how many rows.
async fn insert_all(
    loader: &mut sb::Loader,
    mut rx: mpsc::Receiver<Batch>,
    manifest: &Manifest,
    tables: &[Table],
    progress: Progress<'_>,
) -> Result<u64, BackupError> {
    let mut written = 0u64;
    while let Some(batch) = rx.recv().await {
        let part = &manifest.tables[batch.table];
        let Some(table) = tables.iter().find(|t| t.name == part.name) else {
            return Err(BackupError::Schema {
                migration: manifest.migration,
                detail: format!("kefu has no table {}", part.name),
            });
        };
        let n = batch.rows.len() as u64;
        loader
            .insert(table, &part.columns, batch.rows, batch.before)
            .await?;
        written += n;
        progress(&part.name, batch.before + n);
    }
    Ok(written)
}
