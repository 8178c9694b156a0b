//! The order of hits.
//!
//! - A recency prior: a hit's score is raised a little the newer it is (its `at`: when a
//!   ticket, customer or contact was created, when a script last changed), by at most
//!   [`RECENCY_WEIGHT`], halving over [`RECENCY_HALF_LIFE_DAYS`]. An agent searching
//!   退货 means this week's return far more often than one from two years ago; a clearly
//!   better match still wins. Hits that match alike are ordered newer first, even when their
//!   times are too close for the prior to tell them apart.
//! - Reply scripts (话术) are few and short, so they match common words with high scores and
//!   could fill a page that the agent opened to find tickets. At most [`SCRIPTS_AHEAD`] of
//!   them are ranked among the other kinds; the rest come after all of those.
//!
//! The prior reads one fast field per matching document. The queries kefu builds all have a
//! required clause, for which tantivy scores every match anyway (its block-max pruning is
//! for pure disjunctions), so ranking this way costs no pruning.

use std::cmp::Ordering;

use tantivy::collector::{Collector, TopDocs};
use tantivy::{DocAddress, DocId, Score, SegmentReader};

/// How much newer ranks higher: a hit from today scores this much above one from long ago
/// that matches alike (0.2 = 20 %).
pub const RECENCY_WEIGHT: f32 = 0.2;

/// After this many days the prior is half of what it is today.
pub const RECENCY_HALF_LIFE_DAYS: f64 = 30.0;

/// How many reply scripts may stand among the other kinds' hits.
pub const SCRIPTS_AHEAD: usize = 3;

/// A hit's rank: its score with the prior, then its time (microseconds since the epoch).
pub(crate) type RankKey = (Score, i64);

/// What a score is multiplied by for a document from `at`, searched at `now`.
pub(crate) fn prior(now: Option<i64>, at: i64) -> f32 {
    let Some(now) = now else {
        return 1.0;
    };
    let days = now.saturating_sub(at).max(0) as f64 / 86_400_000_000.0;
    1.0 + RECENCY_WEIGHT / (1.0 + (days / RECENCY_HALF_LIFE_DAYS) as f32)
}

/// The best `limit` documents by [`RankKey`].
pub(crate) fn collector(
    limit: usize,
    now: Option<i64>,
) -> impl Collector<Fruit = Vec<(RankKey, DocAddress)>> {
    TopDocs::with_limit(limit).tweak_score(move |segment: &SegmentReader| {
        // The field is in the schema; were it unreadable, the words alone would rank.
        let at = segment.fast_fields().i64("at").ok();
        move |doc: DocId, score: Score| -> RankKey {
            let at = at.as_ref().and_then(|c| c.first(doc)).unwrap_or(0);
            (score * prior(now, at), at)
        }
    })
}

/// The first `limit` hits from the other kinds' and the scripts' (each best first): the
/// best [`SCRIPTS_AHEAD`] scripts ranked among the others, the rest after them.
pub(crate) fn first_page(
    others: Vec<(RankKey, DocAddress)>,
    mut scripts: Vec<(RankKey, DocAddress)>,
    limit: usize,
) -> Vec<(RankKey, DocAddress)> {
    let behind = scripts.split_off(scripts.len().min(SCRIPTS_AHEAD));
    let mut page: Vec<(RankKey, DocAddress)> = others.into_iter().chain(scripts).collect();
    // Stable: on a tie the other kinds stay ahead.
    page.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(Ordering::Equal));
    page.extend(behind);
    page.truncate(limit);
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000;

    #[test]
    fn newer_is_raised_a_little_and_never_lowered() {
        let now = 1_000 * DAY;
        assert!((prior(Some(now), now) - 1.2).abs() < 1e-6);
        assert!((prior(Some(now), now - 30 * DAY) - 1.1).abs() < 1e-6);
        assert!(prior(Some(now), now - DAY) > prior(Some(now), now - 2 * DAY));
        assert!(prior(Some(now), 0) >= 1.0);
        // A clock a little behind the index is not a reason to rank higher still.
        assert_eq!(prior(Some(now), now + DAY), prior(Some(now), now));
        assert_eq!(prior(None, now), 1.0);
    }

    fn hit(score: f32, doc: u32) -> (RankKey, DocAddress) {
        ((score, 0), DocAddress::new(0, doc))
    }

    #[test]
    fn scripts_keep_to_a_few_places_ahead() {
        let tickets: Vec<_> = (0..5).map(|i| hit(1.0 - i as f32 * 0.1, i)).collect();
        let scripts: Vec<_> = (0..6).map(|i| hit(9.0 - i as f32, 100 + i)).collect();
        let page = first_page(tickets.clone(), scripts.clone(), 8);
        let docs: Vec<u32> = page.iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(
            docs,
            [100, 101, 102, 0, 1, 2, 3, 4],
            "three scripts, then tickets"
        );
        // With room left, the other scripts fill it.
        let page = first_page(tickets[..1].to_vec(), scripts, 8);
        let docs: Vec<u32> = page.iter().map(|(_, a)| a.doc_id).collect();
        assert_eq!(docs, [100, 101, 102, 0, 103, 104, 105]);
        // Scripts asked for alone fill the page.
        let only: Vec<_> = (0..6).map(|i| hit(9.0 - i as f32, 100 + i)).collect();
        assert_eq!(first_page(Vec::new(), only, 20).len(), 6);
    }

    #[test]
    fn equal_scores_put_the_newer_first() {
        let older: RankKey = (1.5, 10);
        let newer: RankKey = (1.5, 20);
        assert!(newer > older);
        assert!((1.6, 10) > newer, "the score comes first");
    }
}
