//! The index writer's two set-ups: following the change log while agents search, and
//! rebuilding the whole index.

use std::time::Duration;

use tantivy::directory::error::LockError;
use tantivy::index::SegmentId;
use tantivy::indexer::{IndexWriterOptions, LogMergePolicy, NoMergePolicy};
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
/// million tickets made some 400 segments with the follower's budget). With 128 MB a
/// first start at a million tickets held up to 70 MB more while indexing, and built 3 %
/// faster.
const REBUILD_WRITER_BYTES: usize = 48_000_000;

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
    /// Rebuilding the index: larger segments, merged when the documents are in; the memory
    /// is given back when the rebuild ends.
    Rebuild,
}

pub(crate) fn writer(index: &Index, writing: Writing) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
    let bytes = match writing {
        Writing::Follow => WRITER_BYTES,
        Writing::Rebuild => REBUILD_WRITER_BYTES,
    };
    let options = IndexWriterOptions::builder()
        .num_worker_threads(threads)
        .memory_budget_per_thread(bytes / threads)
        .num_merge_threads(1)
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
    match writing {
        Writing::Follow => {
            let mut merges = LogMergePolicy::default();
            merges.set_max_docs_before_merge(MERGE_MAX_DOCS);
            writer.set_merge_policy(Box::new(merges));
        }
        // Merged once the documents are in (see `merge_groups`), one merge at a time, when
        // the indexing buffers are gone: merges beside the indexing added their memory to
        // the buffers' and set the first start's peak.
        Writing::Rebuild => writer.set_merge_policy(Box::new(NoMergePolicy)),
    }
    Ok(writer)
}

/// The rebuilt index's segments in groups to merge one after another: neighbours by size,
/// each group up to `MERGE_MAX_DOCS` documents and of at least two segments, so the index
/// ends in a few segments of about that size, which the follower's merges leave as they are.
pub(crate) fn merge_groups(mut segments: Vec<(SegmentId, u32)>) -> Vec<Vec<SegmentId>> {
    segments.sort_by_key(|(_, docs)| *docs);
    let mut groups = Vec::new();
    let mut group = Vec::new();
    let mut docs = 0usize;
    for (id, n) in segments {
        if docs + n as usize > MERGE_MAX_DOCS && !group.is_empty() {
            groups.push(std::mem::take(&mut group));
            docs = 0;
        }
        group.push(id);
        docs += n as usize;
    }
    groups.push(group);
    groups.retain(|g| g.len() > 1);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_merged_in_groups_of_neighbours_up_to_the_size_left_alone() {
        let ids: Vec<SegmentId> = (0..7).map(|_| SegmentId::generate_random()).collect();
        let sizes = [90_000, 60_000, 60_000, 150_000, 10_000, 250_000, 40_000];
        let groups = merge_groups(ids.iter().copied().zip(sizes).collect());
        let docs = |g: &Vec<SegmentId>| -> usize {
            g.iter()
                .map(|id| sizes[ids.iter().position(|i| i == id).unwrap()] as usize)
                .sum()
        };
        // By size: 10k 40k 60k 60k | 90k | 150k | 250k — the lone ones are left as they are.
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].len(), 4);
        assert_eq!(docs(&groups[0]), 170_000);
        assert!(
            groups
                .iter()
                .all(|g| docs(g) <= MERGE_MAX_DOCS && g.len() > 1)
        );

        let many: Vec<(SegmentId, u32)> = (0..46)
            .map(|_| (SegmentId::generate_random(), 25_000))
            .collect();
        let groups = merge_groups(many);
        assert_eq!(
            groups.len(),
            6,
            "46 segments of 25k: five groups of 8, one of 6"
        );
        assert!(groups.iter().all(|g| g.len() * 25_000 <= MERGE_MAX_DOCS));
        assert!(merge_groups(Vec::new()).is_empty());
    }
}
