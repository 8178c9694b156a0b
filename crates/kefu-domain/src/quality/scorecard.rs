//! 质检评分表 — the scorecard an inspection is scored on: sections of items, each with a
//! weight (all weights sum to 100), a scale (yes/no, three levels, …), the channels it
//! applies to, and whether it is critical (a zero on it fails the whole inspection).
//!
//! A score is the points earned over the points possible on the items that apply, as a
//! percentage: an item marked N/A (or not applying to the conversation's channel) drops
//! out of both, so an e-mail is not marked down for the tone of voice it cannot have.

use serde::{Deserialize, Serialize};

/// The most items a scorecard holds.
pub const MAX_ITEMS: usize = 60;
/// The most levels an item's scale has (0 to 10).
pub const MAX_LEVELS: u8 = 11;
/// The longest name of a section or item, in characters.
pub const MAX_NAME: usize = 100;
/// The longest guidance of an item, in characters.
pub const MAX_GUIDE: usize = 500;
/// The least common multiple of 1 to `MAX_LEVELS - 1`.
const STEPS_LCM: u64 = 2520;

/// One thing scored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// A stable key within the scorecard (`a1`, `b2`…), kept across versions.
    pub key: String,
    pub name: String,
    /// Points of 100.
    pub weight: u8,
    /// How many levels the item is scored in: 2 (no/yes), 3 (未达标/部分达标/达标)…; a
    /// score is a level from 0 to `levels - 1`, worth `weight × level / (levels - 1)`.
    pub levels: u8,
    /// A zero on it fails the inspection, whatever the total.
    #[serde(default)]
    pub critical: bool,
    /// The channels it applies to (`phone`, `email`…); empty: all.
    #[serde(default)]
    pub channels: Vec<String>,
    /// What the inspector looks for, and where the norm comes from.
    #[serde(default)]
    pub guide: String,
}

/// A group of items.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub name: String,
    pub items: Vec<Item>,
}

/// 评分表 — sections of items, and the score that passes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scorecard {
    pub sections: Vec<Section>,
    /// The lowest passing score, 0–100.
    pub pass_mark: u8,
}

/// Why a scorecard, or a score on it, is refused; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScorecardError {
    #[error("the weights sum to {sum}, not 100")]
    WeightsNot100 { sum: u32 },
    #[error("the scorecard has no items")]
    Empty,
    #[error("a scorecard holds at most {max} items")]
    TooManyItems { max: usize },
    #[error("section {section} has no items")]
    EmptySection { section: usize },
    #[error("a section or item has no name")]
    NoName,
    #[error("the name {0:?} is too long")]
    NameTooLong(String),
    #[error("item {0:?}: the guidance is too long")]
    GuideTooLong(String),
    #[error("item {0:?} has no weight")]
    ZeroWeight(String),
    #[error("item {item:?}: a scale has 2 to {max} levels")]
    BadLevels { item: String, max: u8 },
    #[error("the key {0:?} is used twice or is not letters, digits and _")]
    BadKey(String),
    #[error("item {item:?}: unknown channel {channel:?}")]
    UnknownChannel { item: String, channel: String },
    #[error("the pass mark {0} is over 100")]
    BadPassMark(u8),
    #[error("item {item:?} is scored {score}, outside 0–{max}")]
    OutOfScale { item: String, score: u8, max: u8 },
    #[error("item {0:?} is not on the scorecard")]
    UnknownItem(String),
    #[error("item {0:?} is not scored")]
    NotScored(String),
    #[error("item {0:?} does not apply to this channel")]
    NotApplicable(String),
    #[error("every item is N/A: nothing to score")]
    NothingScored,
    #[error("the note is longer than {max} characters")]
    NoteTooLong { max: usize },
}

/// The score of one item: a level, or N/A (`None`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub key: String,
    pub score: Option<u8>,
}

/// What an inspection comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The score in tenths of a point (875 is 87.5).
    pub tenths: u32,
    /// Failed on a critical item.
    pub critical_failed: bool,
    pub passed: bool,
}

impl Item {
    fn applies_to(&self, channel: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|c| c == channel)
    }
}

fn key_ok(key: &str) -> bool {
    !key.is_empty() && key.len() <= 20 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn name_ok(name: &str, max: usize) -> Result<(), ScorecardError> {
    if name.trim().is_empty() {
        return Err(ScorecardError::NoName);
    }
    if name.chars().count() > max {
        return Err(ScorecardError::NameTooLong(name.chars().take(20).collect()));
    }
    Ok(())
}

impl Scorecard {
    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.sections.iter().flat_map(|s| s.items.iter())
    }

    /// Checks the scorecard: weights summing to 100, scales of 2 to [`MAX_LEVELS`] levels,
    /// unique keys, known channels, names and a pass mark in bounds.
    pub fn check(&self, channels: &[&str]) -> Result<(), ScorecardError> {
        if self.pass_mark > 100 {
            return Err(ScorecardError::BadPassMark(self.pass_mark));
        }
        let count = self.items().count();
        if count == 0 {
            return Err(ScorecardError::Empty);
        }
        if count > MAX_ITEMS {
            return Err(ScorecardError::TooManyItems { max: MAX_ITEMS });
        }
        let mut keys = std::collections::HashSet::new();
        for (i, section) in self.sections.iter().enumerate() {
            name_ok(&section.name, MAX_NAME)?;
            if section.items.is_empty() {
                return Err(ScorecardError::EmptySection { section: i + 1 });
            }
            for item in &section.items {
                if !key_ok(&item.key) || !keys.insert(item.key.as_str()) {
                    return Err(ScorecardError::BadKey(item.key.clone()));
                }
                name_ok(&item.name, MAX_NAME)?;
                if item.guide.chars().count() > MAX_GUIDE {
                    return Err(ScorecardError::GuideTooLong(item.key.clone()));
                }
                if item.weight == 0 {
                    return Err(ScorecardError::ZeroWeight(item.key.clone()));
                }
                if !(2..=MAX_LEVELS).contains(&item.levels) {
                    return Err(ScorecardError::BadLevels {
                        item: item.key.clone(),
                        max: MAX_LEVELS,
                    });
                }
                if let Some(c) = item
                    .channels
                    .iter()
                    .find(|c| !channels.contains(&c.as_str()))
                {
                    return Err(ScorecardError::UnknownChannel {
                        item: item.key.clone(),
                        channel: c.clone(),
                    });
                }
            }
        }
        let sum: u32 = self.items().map(|i| u32::from(i.weight)).sum();
        if sum != 100 {
            return Err(ScorecardError::WeightsNot100 { sum });
        }
        Ok(())
    }

    /// Scores a conversation on `channel`: every item that applies is given a level or N/A,
    /// and nothing else is given. Items that do not apply to the channel are N/A by rule.
    pub fn score(&self, channel: &str, scores: &[ItemScore]) -> Result<Outcome, ScorecardError> {
        for s in scores {
            let item = self
                .items()
                .find(|i| i.key == s.key)
                .ok_or_else(|| ScorecardError::UnknownItem(s.key.clone()))?;
            if s.score.is_some() && !item.applies_to(channel) {
                return Err(ScorecardError::NotApplicable(s.key.clone()));
            }
        }
        let (mut earned, mut possible) = (0u64, 0u64);
        let mut critical_failed = false;
        for item in self.items().filter(|i| i.applies_to(channel)) {
            let given = scores
                .iter()
                .find(|s| s.key == item.key)
                .ok_or_else(|| ScorecardError::NotScored(item.key.clone()))?;
            let Some(score) = given.score else { continue };
            let max = item.levels - 1;
            if score > max {
                return Err(ScorecardError::OutOfScale {
                    item: item.key.clone(),
                    score,
                    max,
                });
            }
            // Points in units of 1 / 2520 of the weight (2520 divides by every scale's
            // steps, 1 to 10), so no rounding happens before the end.
            earned += u64::from(item.weight) * u64::from(score) * STEPS_LCM / u64::from(max);
            possible += u64::from(item.weight) * STEPS_LCM;
            if item.critical && score == 0 {
                critical_failed = true;
            }
        }
        if possible == 0 {
            return Err(ScorecardError::NothingScored);
        }
        // Round half up to a tenth of a point.
        let tenths = (earned * 2000 / possible).div_ceil(2);
        let tenths = u32::try_from(tenths).unwrap_or(1000);
        Ok(Outcome {
            tenths,
            critical_failed,
            passed: !critical_failed && tenths >= u32::from(self.pass_mark) * 10,
        })
    }
}

#[cfg(test)]
mod tests;
