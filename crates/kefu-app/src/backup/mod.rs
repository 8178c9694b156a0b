//! 备份与恢复 — a backup of the whole database in one file, taken while kefu serves, and
//! restored into an empty database of either backend.
//!
//! `kefu backup FILE` reads every table from one snapshot (see
//! [`kefu_store::backup::Snapshot`]) into the file [`archive`] describes; attachments are
//! rows of `attachment_blobs`, so they are in it. `kefu backup --verify FILE` reads the file
//! back and checks every checksum. `kefu restore FILE` checks the whole file first, then
//! writes it into an empty database in one transaction ([`restore`]). Scheduled backups with
//! retention run as a job ([`schedule`]).

pub mod archive;
mod error;
mod restore;
pub mod schedule;

use std::path::{Path, PathBuf};
use std::time::Instant;

use futures_util::StreamExt;
use jiff::Timestamp;
use kefu_store::Store;
use kefu_store::backup::Value;
use tokio::sync::mpsc;

pub use archive::{Manifest, TablePart, read_manifest_only, read_table};
pub use error::BackupError;
pub use restore::{RestoreOptions, RestoreReport, restore};

use archive::Feed;

/// What a backup wrote.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub path: PathBuf,
    /// Size of the file.
    pub bytes: u64,
    pub manifest: Manifest,
    pub seconds: f64,
}

/// Told as the backup goes: the table being read and how many of its rows so far.
pub type Progress<'a> = &'a (dyn Fn(&str, u64) + Sync);

/// The file a backup is written to until it is complete; then it is renamed, so a file
/// under the name asked for is always whole.
fn partial_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    path.with_file_name(name)
}

fn write_err(path: &Path) -> impl Fn(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Write {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a backup of the database to `path`, which must not exist; `now` is when it is
/// made.
pub async fn backup(
    store: &Store,
    path: &Path,
    now: Timestamp,
    progress: Progress<'_>,
) -> Result<BackupReport, BackupError> {
    let started = Instant::now();
    if path.exists() {
        return Err(BackupError::Exists {
            path: path.display().to_string(),
        });
    }
    let partial = partial_path(path);
    // A partial file is what a backup left when its process died: nothing else writes it.
    let _ = std::fs::remove_file(&partial);
    let (tx, rx) = mpsc::channel::<Feed>(4);
    let target = partial.clone();
    let writer = tokio::task::spawn_blocking(move || archive::write(&target, rx));
    let fed = feed(store, &tx, now, progress).await;
    drop(tx);
    let written = writer
        .await
        .map_err(|e| BackupError::Interrupted(e.to_string()))
        .and_then(|w| w);
    let manifest = match (fed, written) {
        (Ok(()), Ok(manifest)) => manifest,
        // The writer stopped first: its own error says why (the reader only saw it go).
        (Err(BackupError::Interrupted(_)), Err(e)) | (Err(e), _) | (Ok(()), Err(e)) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    if path.exists() {
        let _ = std::fs::remove_file(&partial);
        return Err(BackupError::Exists {
            path: path.display().to_string(),
        });
    }
    std::fs::rename(&partial, path).map_err(write_err(path))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename lasts through a power cut only once the directory is on disk.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
    let bytes = std::fs::metadata(path).map_err(write_err(path))?.len();
    Ok(BackupReport {
        path: path.to_owned(),
        bytes,
        manifest,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Reads the snapshot table by table and hands the rows to the writer.
async fn feed(
    store: &Store,
    out: &mpsc::Sender<Feed>,
    now: Timestamp,
    progress: Progress<'_>,
) -> Result<(), BackupError> {
    let gone = |_| BackupError::Interrupted("the backup file's writer stopped".to_owned());
    let mut snap = store.snapshot().await?;
    let migration = snap.migration().await?;
    let tables = snap.tables().await?;
    let sequences = snap.sequences(&tables).await?;
    for table in &tables {
        out.send(Feed::Table {
            name: table.name.clone(),
            columns: table.column_names(),
            sequence: sequences.get(&table.name).copied(),
        })
        .await
        .map_err(gone)?;
        let mut read = 0u64;
        let mut batch: Vec<Vec<Value>> = Vec::new();
        let mut weight = 0usize;
        let mut rows = std::pin::pin!(snap.rows(table));
        while let Some(row) = rows.next().await {
            let row = row?;
            weight += row.iter().map(Value::weight).sum::<usize>();
            batch.push(row);
            read += 1;
            if batch.len() >= archive::BATCH_ROWS || weight >= archive::BATCH_BYTES {
                out.send(Feed::Rows(std::mem::take(&mut batch)))
                    .await
                    .map_err(gone)?;
                weight = 0;
                progress(&table.name, read);
            }
        }
        if !batch.is_empty() {
            out.send(Feed::Rows(batch)).await.map_err(gone)?;
        }
        progress(&table.name, read);
    }
    let backend = snap.backend().name().to_owned();
    snap.finish().await?;
    out.send(Feed::Finish {
        migration,
        backend,
        created_at: now.to_string(),
    })
    .await
    .map_err(gone)?;
    Ok(())
}

/// Reads the backup at `path` and checks every part against its checksum and row count;
/// returns its manifest. Touches no database.
pub async fn verify(path: &Path) -> Result<Manifest, BackupError> {
    let path = path.to_owned();
    tokio::task::spawn_blocking(move || archive::verify(&path))
        .await
        .map_err(|e| BackupError::Interrupted(e.to_string()))?
}
