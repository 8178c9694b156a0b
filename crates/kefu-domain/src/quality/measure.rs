//! 改善措施 — improvement measures (CAPA, 000 §(四)6 在客户服务经理的指示下,拟订改善措施):
//! corrective or preventive, each with an owner and a due date, the manager's instruction
//! recorded; planned → in progress → done → verified effective, or not effective (which
//! reopens the anomaly). Someone other than the owner verifies, and not before the set
//! days after it was done, so the recurrence of the same item and cause can show.

use jiff::civil::Date;

keyed! {
    /// 纠正 or 预防.
    MeasureKind {
        /// 纠正措施 — removes the cause of this anomaly.
        Corrective = "corrective",
        /// 预防措施 — keeps it from happening elsewhere.
        Preventive = "preventive",
    }
}

keyed! {
    /// Where a measure stands.
    MeasureStatus {
        Planned = "planned",
        InProgress = "in_progress",
        Done = "done",
        /// Verified: it worked.
        Effective = "effective",
        /// Verified: it did not (the anomaly is open again).
        NotEffective = "not_effective",
    }
}

impl MeasureStatus {
    /// Still to be carried out (counts as overdue past its date).
    pub fn pending(self) -> bool {
        matches!(self, MeasureStatus::Planned | MeasureStatus::InProgress)
    }
}

/// The longest measure text, note or instruction, in characters.
pub const MAX_TEXT: usize = 2000;
/// Days after a measure is done before it may be verified, by default.
pub const VERIFY_AFTER_DAYS: i32 = 7;
/// Days overdue before the managers are told.
pub const ESCALATE_AFTER_DAYS: i32 = 3;

/// Why a measure step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeasureError {
    #[error("a measure needs its text")]
    NoText,
    #[error("a text is at most {max} characters")]
    TextTooLong { max: usize },
    #[error("the due date {0} has passed")]
    DueInPast(Date),
    #[error("a measure at {from} cannot move to {to}")]
    BadMove {
        from: MeasureStatus,
        to: MeasureStatus,
    },
    #[error("only the owner reports a measure's progress")]
    NotOwner,
    #[error("the owner does not verify their own measure")]
    OwnerVerifies,
    #[error("a measure is verified from {0}")]
    TooEarly(Date),
    #[error("only a measure done is verified (it is {0})")]
    NotDone(MeasureStatus),
}

fn bounded(text: &str) -> Result<(), MeasureError> {
    if text.chars().count() > MAX_TEXT {
        return Err(MeasureError::TextTooLong { max: MAX_TEXT });
    }
    Ok(())
}

/// A new measure: its text, and a due date not before `today`.
pub fn check_new(text: &str, due: Date, today: Date) -> Result<(), MeasureError> {
    if text.trim().is_empty() {
        return Err(MeasureError::NoText);
    }
    bounded(text)?;
    if due < today {
        return Err(MeasureError::DueInPast(due));
    }
    Ok(())
}

/// A note or an instruction within bounds.
pub fn check_note(text: &str) -> Result<(), MeasureError> {
    bounded(text)
}

/// Whether the owner may move a measure from `from` to `to`: forward only, and only to
/// in progress or done.
pub fn progress(
    from: MeasureStatus,
    to: MeasureStatus,
    owner: i64,
    reader: i64,
) -> Result<(), MeasureError> {
    if owner != reader {
        return Err(MeasureError::NotOwner);
    }
    use MeasureStatus as S;
    match (from, to) {
        (S::Planned, S::InProgress) | (S::Planned, S::Done) | (S::InProgress, S::Done) => Ok(()),
        _ => Err(MeasureError::BadMove { from, to }),
    }
}

/// The first day a measure done on `done_on` may be verified.
pub fn verify_from(done_on: Date, days: i32) -> Date {
    done_on
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(done_on)
}

/// Whether `verifier` may verify, on `today`, a measure owned by `owner` at `status`, done
/// on `done_on`.
pub fn may_verify(
    status: MeasureStatus,
    owner: i64,
    verifier: i64,
    done_on: Option<Date>,
    today: Date,
) -> Result<(), MeasureError> {
    if status != MeasureStatus::Done {
        return Err(MeasureError::NotDone(status));
    }
    if owner == verifier {
        return Err(MeasureError::OwnerVerifies);
    }
    if let Some(d) = done_on {
        let from = verify_from(d, VERIFY_AFTER_DAYS);
        if today < from {
            return Err(MeasureError::TooEarly(from));
        }
    }
    Ok(())
}

/// Days a pending measure due on `due` is overdue on `today` (0 when not).
pub fn days_overdue(due: Date, today: Date) -> i32 {
    if today <= due {
        return 0;
    }
    (today - due).get_days()
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeasureStatus as S;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn the_owner_moves_it_forward_only() {
        assert_eq!(progress(S::Planned, S::InProgress, 1, 1), Ok(()));
        assert_eq!(progress(S::InProgress, S::Done, 1, 1), Ok(()));
        assert_eq!(
            progress(S::Planned, S::InProgress, 1, 2),
            Err(MeasureError::NotOwner)
        );
        assert_eq!(
            progress(S::Done, S::InProgress, 1, 1),
            Err(MeasureError::BadMove {
                from: S::Done,
                to: S::InProgress
            })
        );
        assert!(progress(S::Planned, S::Effective, 1, 1).is_err());
    }

    #[test]
    fn someone_else_verifies_after_the_days_set() {
        let done = Some(d("2026-12-01"));
        assert_eq!(
            may_verify(S::Done, 1, 1, done, d("2026-12-20")),
            Err(MeasureError::OwnerVerifies)
        );
        assert_eq!(
            may_verify(S::Done, 1, 2, done, d("2026-12-07")),
            Err(MeasureError::TooEarly(d("2026-12-08")))
        );
        assert_eq!(may_verify(S::Done, 1, 2, done, d("2026-12-08")), Ok(()));
        assert_eq!(
            may_verify(S::InProgress, 1, 2, done, d("2026-12-20")),
            Err(MeasureError::NotDone(S::InProgress))
        );
    }

    #[test]
    fn new_measures_and_overdue_days() {
        assert_eq!(
            check_new(" ", d("2026-12-10"), d("2026-12-06")),
            Err(MeasureError::NoText)
        );
        assert_eq!(
            check_new("培训", d("2026-12-05"), d("2026-12-06")),
            Err(MeasureError::DueInPast(d("2026-12-05")))
        );
        assert_eq!(check_new("培训", d("2026-12-06"), d("2026-12-06")), Ok(()));
        assert_eq!(days_overdue(d("2026-12-06"), d("2026-12-06")), 0);
        assert_eq!(days_overdue(d("2026-12-06"), d("2026-12-09")), 3);
        assert!(S::Planned.pending() && S::InProgress.pending() && !S::Done.pending());
    }
}
