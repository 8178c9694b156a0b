//! 质检 — an inspection's life: assigned to an inspector, scored, then acknowledged by the
//! agent or appealed (申诉) within the days the settings allow; the manager upholds the
//! score or sends it back to be scored again, and that second score is final.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::phrases::{self, PhrasesError};
use super::sample::{SampleRules, SampleRulesError};

keyed! {
    /// Where an inspection stands.
    InspectionStatus {
        /// Waiting for its inspector.
        Assigned = "assigned",
        /// Scored; the agent may acknowledge or appeal.
        Scored = "scored",
        /// The agent accepted the result.
        Acknowledged = "acknowledged",
        /// The agent appealed; the manager decides.
        Appealed = "appealed",
        /// The manager kept the score.
        Upheld = "upheld",
        /// The manager sent it back to be scored again.
        Rescoring = "rescoring",
        /// Scored again after an appeal (final).
        Revised = "revised",
    }
}

impl InspectionStatus {
    /// The inspector may score it now.
    pub fn open_to_score(self) -> bool {
        matches!(
            self,
            InspectionStatus::Assigned | InspectionStatus::Rescoring
        )
    }

    /// It has a score the agent can read.
    pub fn has_result(self) -> bool {
        !self.open_to_score()
    }
}

keyed! {
    /// 申诉裁决 — the manager's decision on an appeal.
    AppealDecision {
        /// The score stands.
        Uphold = "uphold",
        /// The inspector scores it again.
        Rescore = "rescore",
    }
}

/// The longest comment, appeal reason or decision note, in characters.
pub const MAX_TEXT: usize = 1000;
/// The longest evidence per item (a quoted line, a time in the recording), in characters.
pub const MAX_EVIDENCE: usize = 500;
/// Days an agent has to appeal, by default and at most.
pub const DEFAULT_APPEAL_DAYS: u8 = 3;
pub const MAX_APPEAL_DAYS: u8 = 30;

/// 质检设置 — the sampling rules, the appeal days and the phrases hinted at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualitySettings {
    pub rules: SampleRules,
    pub appeal_days: u8,
    pub phrases: Vec<String>,
}

impl Default for QualitySettings {
    fn default() -> QualitySettings {
        QualitySettings {
            rules: SampleRules::default(),
            appeal_days: DEFAULT_APPEAL_DAYS,
            phrases: phrases::parse(phrases::DEFAULT_PHRASES).unwrap_or_default(),
        }
    }
}

/// Why an inspection step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InspectionError {
    #[error("this inspection is someone else's to score")]
    NotYourInspection,
    #[error("only the agent whose work it is answers the result")]
    NotYourResult,
    #[error("the inspection is not open to scoring (it is {0})")]
    NotOpenToScore(InspectionStatus),
    #[error("the inspection has no result to answer (it is {0})")]
    NoResultToAnswer(InspectionStatus),
    #[error("the time to appeal ended at {due}")]
    AppealClosed { due: Timestamp },
    #[error("an appeal needs its reason")]
    NoReason,
    #[error("no appeal is waiting on this inspection (it is {0})")]
    NotAppealed(InspectionStatus),
    #[error("a text is at most {max} characters")]
    TextTooLong { max: usize },
    #[error("an agent's work is not inspected by the agent")]
    OwnWork,
    #[error("appeals are allowed 1 to {max} days")]
    BadAppealDays { max: u8 },
    #[error("the sample of {0} was drawn already")]
    SampleDrawn(String),
    #[error(transparent)]
    Rules(#[from] SampleRulesError),
    #[error(transparent)]
    Phrases(#[from] PhrasesError),
}

impl QualitySettings {
    pub fn check(&self, channels: &[&str]) -> Result<(), InspectionError> {
        self.rules.check(channels)?;
        if !(1..=MAX_APPEAL_DAYS).contains(&self.appeal_days) {
            return Err(InspectionError::BadAppealDays {
                max: MAX_APPEAL_DAYS,
            });
        }
        Ok(())
    }
}

/// A text within [`MAX_TEXT`] characters.
pub fn check_text(text: &str, max: usize) -> Result<(), InspectionError> {
    if text.chars().count() > max {
        return Err(InspectionError::TextTooLong { max });
    }
    Ok(())
}

/// Whether `inspector` may score an inspection assigned to `assigned` (anyone's to take
/// when nobody) of `agent`'s work, standing at `status`. Scoring after an appeal's rescore
/// gives the final result.
pub fn may_score(
    status: InspectionStatus,
    assigned: Option<i64>,
    agent: i64,
    inspector: i64,
) -> Result<InspectionStatus, InspectionError> {
    if inspector == agent {
        return Err(InspectionError::OwnWork);
    }
    if assigned.is_some_and(|a| a != inspector) {
        return Err(InspectionError::NotYourInspection);
    }
    match status {
        InspectionStatus::Assigned => Ok(InspectionStatus::Scored),
        InspectionStatus::Rescoring => Ok(InspectionStatus::Revised),
        s => Err(InspectionError::NotOpenToScore(s)),
    }
}

/// Whether `reader` may acknowledge the result (any time while it waits for an answer).
pub fn may_acknowledge(
    status: InspectionStatus,
    agent: i64,
    reader: i64,
) -> Result<(), InspectionError> {
    if agent != reader {
        return Err(InspectionError::NotYourResult);
    }
    match status {
        InspectionStatus::Scored => Ok(()),
        s => Err(InspectionError::NoResultToAnswer(s)),
    }
}

/// Whether `reader` may appeal the result at `now` (until `due`, with a reason).
pub fn may_appeal(
    status: InspectionStatus,
    agent: i64,
    reader: i64,
    due: Option<Timestamp>,
    now: Timestamp,
    reason: &str,
) -> Result<(), InspectionError> {
    may_acknowledge(status, agent, reader)?;
    if let Some(due) = due
        && now > due
    {
        return Err(InspectionError::AppealClosed { due });
    }
    if reason.trim().is_empty() {
        return Err(InspectionError::NoReason);
    }
    check_text(reason, MAX_TEXT)
}

/// What an appeal's decision moves the inspection to.
pub fn decide(
    status: InspectionStatus,
    decision: AppealDecision,
) -> Result<InspectionStatus, InspectionError> {
    if status != InspectionStatus::Appealed {
        return Err(InspectionError::NotAppealed(status));
    }
    Ok(match decision {
        AppealDecision::Uphold => InspectionStatus::Upheld,
        AppealDecision::Rescore => InspectionStatus::Rescoring,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use InspectionStatus as S;

    #[test]
    fn an_inspection_is_scored_once_then_once_again_after_an_appeal() {
        assert_eq!(may_score(S::Assigned, Some(7), 3, 7), Ok(S::Scored));
        assert_eq!(may_score(S::Rescoring, Some(7), 3, 7), Ok(S::Revised));
        assert_eq!(
            may_score(S::Scored, Some(7), 3, 7),
            Err(InspectionError::NotOpenToScore(S::Scored))
        );
        assert_eq!(
            may_score(S::Assigned, Some(8), 3, 7),
            Err(InspectionError::NotYourInspection)
        );
        assert_eq!(
            may_score(S::Assigned, Some(3), 3, 3),
            Err(InspectionError::OwnWork)
        );
        assert_eq!(may_score(S::Assigned, None, 3, 9), Ok(S::Scored));
        assert_eq!(
            may_score(S::Assigned, None, 3, 3),
            Err(InspectionError::OwnWork)
        );
    }

    #[test]
    fn only_the_agent_answers_and_appeals_close_on_time() {
        let due: Timestamp = "2026-12-04T10:00:00Z".parse().unwrap();
        let before: Timestamp = "2026-12-04T09:59:59Z".parse().unwrap();
        let after: Timestamp = "2026-12-04T10:00:01Z".parse().unwrap();
        assert_eq!(
            may_appeal(S::Scored, 3, 3, Some(due), before, "理由"),
            Ok(())
        );
        assert_eq!(
            may_appeal(S::Scored, 3, 3, Some(due), after, "理由"),
            Err(InspectionError::AppealClosed { due })
        );
        assert_eq!(
            may_appeal(S::Scored, 3, 4, Some(due), before, "理由"),
            Err(InspectionError::NotYourResult)
        );
        assert_eq!(
            may_appeal(S::Scored, 3, 3, Some(due), before, "  "),
            Err(InspectionError::NoReason)
        );
        assert_eq!(
            may_appeal(S::Acknowledged, 3, 3, Some(due), before, "理由"),
            Err(InspectionError::NoResultToAnswer(S::Acknowledged))
        );
        assert_eq!(may_acknowledge(S::Scored, 3, 3), Ok(()));
        assert!(may_acknowledge(S::Appealed, 3, 3).is_err());
    }

    #[test]
    fn decisions_apply_to_appeals_alone() {
        assert_eq!(decide(S::Appealed, AppealDecision::Uphold), Ok(S::Upheld));
        assert_eq!(
            decide(S::Appealed, AppealDecision::Rescore),
            Ok(S::Rescoring)
        );
        assert_eq!(
            decide(S::Scored, AppealDecision::Uphold),
            Err(InspectionError::NotAppealed(S::Scored))
        );
    }

    #[test]
    fn settings_are_bounded() {
        let mut s = QualitySettings::default();
        assert_eq!(s.check(&["email"]), Ok(()));
        s.appeal_days = 0;
        assert!(matches!(
            s.check(&["email"]),
            Err(InspectionError::BadAppealDays { .. })
        ));
    }
}
