//! 质检校准 — calibration: an inspection already scored is scored again, blind, by a second
//! inspector, and the two are compared item by item, so that inspectors judge alike. The
//! second score is the quality team's own: the agent's result stays the first one.

/// Why a calibration step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalibrationError {
    #[error("the inspection is calibrated once it has its score")]
    NotScoredYet,
    #[error("a calibration is scored by another inspector than the one who scored it")]
    SameInspector,
    #[error("an agent's work is not calibrated by the agent")]
    OwnWork,
    #[error("only a quality inspector calibrates")]
    NotAnInspector,
    #[error("this calibration is someone else's to score")]
    NotYours,
    #[error("this calibration was scored already")]
    AlreadyScored,
    #[error("this inspector was asked to calibrate it already")]
    AlreadyAsked,
}

/// Whether `asked` may calibrate an inspection scored by `inspector` of `agent`'s work.
pub fn may_ask(
    scored: bool,
    inspector: Option<i64>,
    agent: i64,
    asked: i64,
) -> Result<(), CalibrationError> {
    if !scored {
        return Err(CalibrationError::NotScoredYet);
    }
    if Some(asked) == inspector {
        return Err(CalibrationError::SameInspector);
    }
    if asked == agent {
        return Err(CalibrationError::OwnWork);
    }
    Ok(())
}

/// One item as the two inspectors scored it (`None`: not applicable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDiff {
    pub key: String,
    pub first: Option<i64>,
    pub second: Option<i64>,
}

impl ItemDiff {
    /// The same level, or both not applicable.
    pub fn same(&self) -> bool {
        self.first == self.second
    }
}

/// Two scores of one inspection compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// In the scorecard's order (the first score's).
    pub items: Vec<ItemDiff>,
    /// Items scored alike.
    pub agreed: usize,
    /// Items either scored.
    pub compared: usize,
    /// Second total minus first, in tenths of a point.
    pub total_diff_tenths: i64,
    /// Whether the two came to the same verdict (passed or failed).
    pub same_verdict: bool,
}

/// Compares the first score with the second, item by item (an item only one of them
/// scored counts as a difference).
pub fn compare(
    first: &[(String, Option<i64>)],
    first_total: (i64, bool),
    second: &[(String, Option<i64>)],
    second_total: (i64, bool),
) -> Comparison {
    let mut items: Vec<ItemDiff> = first
        .iter()
        .map(|(key, a)| ItemDiff {
            key: key.clone(),
            first: *a,
            second: second.iter().find(|(k, _)| k == key).and_then(|(_, b)| *b),
        })
        .collect();
    for (key, b) in second {
        if !first.iter().any(|(k, _)| k == key) {
            items.push(ItemDiff {
                key: key.clone(),
                first: None,
                second: *b,
            });
        }
    }
    let compared = items
        .iter()
        .filter(|i| i.first.is_some() || i.second.is_some())
        .count();
    let agreed = items
        .iter()
        .filter(|i| (i.first.is_some() || i.second.is_some()) && i.same())
        .count();
    Comparison {
        items,
        agreed,
        compared,
        total_diff_tenths: second_total.0 - first_total.0,
        same_verdict: first_total.1 == second_total.1,
    }
}

/// Inspector agreement over calibrations: items scored alike, totals apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Agreement {
    pub rounds: i64,
    pub agreed: i64,
    pub compared: i64,
    /// Sum of |second − first| totals, in tenths.
    pub distance_tenths: i64,
    pub same_verdicts: i64,
}

impl Agreement {
    pub fn add(&mut self, c: &Comparison) {
        self.rounds += 1;
        self.agreed += c.agreed as i64;
        self.compared += c.compared as i64;
        self.distance_tenths += c.total_diff_tenths.abs();
        self.same_verdicts += i64::from(c.same_verdict);
    }

    /// Items scored alike, per mille; `None` before any.
    pub fn item_permille(&self) -> Option<i64> {
        (self.compared > 0).then(|| (self.agreed * 1000 + self.compared / 2) / self.compared)
    }

    /// The mean distance between the totals, in tenths; `None` before any round.
    pub fn mean_distance_tenths(&self) -> Option<i64> {
        (self.rounds > 0).then(|| (self.distance_tenths + self.rounds / 2) / self.rounds)
    }

    /// Rounds with the same verdict, per mille.
    pub fn verdict_permille(&self) -> Option<i64> {
        (self.rounds > 0).then(|| (self.same_verdicts * 1000 + self.rounds / 2) / self.rounds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(items: &[(&str, Option<i64>)]) -> Vec<(String, Option<i64>)> {
        items.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn two_scores_compare_item_by_item() {
        let a = s(&[
            ("a1", Some(2)),
            ("a2", Some(1)),
            ("a3", None),
            ("a4", Some(2)),
        ]);
        let b = s(&[
            ("a1", Some(2)),
            ("a2", Some(2)),
            ("a3", None),
            ("a4", Some(0)),
        ]);
        let c = compare(&a, (900, true), &b, (600, false));
        assert_eq!((c.agreed, c.compared), (1, 3), "a3 not applicable to both");
        assert_eq!(c.total_diff_tenths, -300);
        assert!(!c.same_verdict);
        let mut all = Agreement::default();
        all.add(&c);
        all.add(&compare(&a, (900, true), &a, (900, true)));
        assert_eq!(all.item_permille(), Some(667));
        assert_eq!(all.mean_distance_tenths(), Some(150));
        assert_eq!(all.verdict_permille(), Some(500));
    }

    #[test]
    fn nobody_calibrates_their_own_score_or_work() {
        assert_eq!(
            may_ask(false, Some(1), 2, 3),
            Err(CalibrationError::NotScoredYet)
        );
        assert_eq!(
            may_ask(true, Some(1), 2, 1),
            Err(CalibrationError::SameInspector)
        );
        assert_eq!(may_ask(true, Some(1), 2, 2), Err(CalibrationError::OwnWork));
        assert_eq!(may_ask(true, Some(1), 2, 3), Ok(()));
    }
}
