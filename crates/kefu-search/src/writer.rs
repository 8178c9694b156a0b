//! The index writer's two set-ups: following the change log while agents search, and
//! rebuilding the whole index.

use std::time::Duration;

use tantivy::directory::error::LockError;
use tantivy::indexer::{IndexWriterOptions, LogMergePolicy};
use tantivy::{Index, IndexWriter, TantivyError};

use crate::Result;

/// Segments with more documents than this are left as they are. A merge rewrites its
/// segments whole, holding their dictionaries and doc maps in memory meanwhile; the segments
/// the change log adds stay small, and the large ones a rebuild writes are not rewritten
/// while agents work (until deletions bring them under this size).
const MERGE_MAX_DOCS: usize = 200_000;

/// Memory the writer may use before it flushes a segment.
const WRITER_BYTES: usize = 32_000_000;

/// The same while rebuilding: bigger segments, so there are fewer to merge afterwards (a
/// million tickets made some 400 segments with the follower's budget).
const REBUILD_WRITER_BYTES: usize = 128_000_000;

/// How long a new writer waits for the lock its predecessor released. The lock is a
/// `flock` on a file: a process this one starts (a browser, a mail peer; any fork) shares
/// the descriptor until it has exec'd, so the lock can stay taken for a moment after the
/// old writer closed it.
const LOCK_WAIT: Duration = Duration::from_secs(2);

/// What the writer is set up for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Writing {
    /// Following the change log while agents search: small segments, one merge at a time
    /// (on the two cores kefu is sized for, parallel merges only add their memory together).
    Follow,
    /// Rebuilding the index: larger segments, merges on every core; the memory is given back
    /// when the rebuild ends.
    Rebuild,
}

pub(crate) fn writer(index: &Index, writing: Writing) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let (bytes, merge_threads) = match writing {
        Writing::Follow => (WRITER_BYTES, 1),
        Writing::Rebuild => (REBUILD_WRITER_BYTES, threads),
    };
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(bytes / threads)
        .num_merge_threads(merge_threads)
        .build();
    let step = Duration::from_millis(10);
    let mut waited = Duration::ZERO;
    let writer = loop {
        match index.writer_with_options(options.clone()) {
            Err(TantivyError::LockFailure(LockError::LockBusy, _)) if waited < LOCK_WAIT => {
                std::thread::sleep(step);
                waited += step;
            }
            other => break other?,
        }
    };
    let mut merges = LogMergePolicy::default();
    merges.set_max_docs_before_merge(MERGE_MAX_DOCS);
    writer.set_merge_policy(Box::new(merges));
    Ok(writer)
}
