//! 对账单 — a customer's statement of a month (002 §一6: 负责与客户对账工作…如有不符，迅速查明
//! 原因，并协调公司或者客户，进行相应的调整).
//!
//! ```text
//! 已发送 sent ─ the customer confirms every line ─ 已确认 confirmed ─┐
//!            └─ disputes lines ─ 有异议 disputed                     │
//!                 each disputed line: a cause and a resolution        │
//!                 proposed, approved by the manager (an adjustment    │
//!                 posted when it has an amount) ─ 已处理 resolved ─────┴─ closed 已结账
//! ```
//!
//! A closed statement never changes, and nothing is dated into its month any more. An entry
//! dated into the month of a statement not yet closed joins it (a confirmed one goes back to
//! the customer).

use jiff::civil::Date;

use super::DifferenceCause;
use crate::money;

keyed! {
    /// 对账单状态
    StatementState {
        /// 已发送 — waiting for the customer.
        Sent = "sent",
        /// 已确认 — the customer agreed with every line.
        Confirmed = "confirmed",
        /// 有异议 — lines disputed, not every one resolved.
        Disputed = "disputed",
        /// 已处理 — every disputed line resolved.
        Resolved = "resolved",
        /// 已结账 — immutable.
        Closed = "closed",
    }
}

keyed! {
    /// Where a line stands with the customer.
    LineAnswer {
        /// Not answered yet.
        Open = "open",
        Confirmed = "confirmed",
        /// 有异议 — the customer's note says why.
        Disputed = "disputed",
        /// 处理意见待审批 — a cause and resolution proposed.
        Proposed = "proposed",
        /// 已处理 — the resolution approved.
        Resolved = "resolved",
    }
}

/// Most characters of a customer's note and of a resolution.
pub const MAX_STATEMENT_TEXT: usize = 1_000;

/// Why a step on a statement is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatementError {
    #[error("a statement's month is written YYYY-MM")]
    BadPeriod,
    #[error("a month is reconciled once it is over")]
    PeriodNotOver,
    #[error("the statement is closed and never changes")]
    Closed,
    #[error("the statement is {}: not now", .0.key())]
    NotNow(StatementState),
    #[error("the statement has no line {0}")]
    UnknownLine(i64),
    #[error("line {0} is not disputed")]
    NotDisputed(i64),
    #[error("line {0} has no resolution waiting for approval")]
    NotProposed(i64),
    #[error("a disputed line needs the customer's reason")]
    NoteRequired,
    #[error("a resolution needs its cause and what is done")]
    ResolutionRequired,
    #[error("the text is at most {MAX_STATEMENT_TEXT} characters")]
    TooLong,
    #[error("an adjustment is at most the ceiling either way")]
    Adjustment,
    #[error("the link is not valid or has run out")]
    BadLink,
}

/// A statement's month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    first: Date,
}

impl Period {
    /// `2026-11`.
    pub fn parse(key: &str) -> Result<Period, StatementError> {
        let key = key.trim();
        let (y, m) = key.split_once('-').ok_or(StatementError::BadPeriod)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(StatementError::BadPeriod);
        }
        let y: i16 = y.parse().map_err(|_| StatementError::BadPeriod)?;
        let m: i8 = m.parse().map_err(|_| StatementError::BadPeriod)?;
        let first = Date::new(y, m, 1).map_err(|_| StatementError::BadPeriod)?;
        if first < crate::dates::MIN_DATE || first > crate::dates::MAX_DATE {
            return Err(StatementError::BadPeriod);
        }
        Ok(Period { first })
    }

    /// The month `day` is in.
    pub fn of(day: Date) -> Period {
        Period {
            first: day.first_of_month(),
        }
    }

    pub fn start(self) -> Date {
        self.first
    }

    pub fn end(self) -> Date {
        self.first.last_of_month()
    }

    pub fn key(self) -> String {
        format!("{:04}-{:02}", self.first.year(), self.first.month())
    }

    /// Refused unless the month is over on `today`.
    pub fn check_over(self, today: Date) -> Result<Period, StatementError> {
        if self.end() < today {
            Ok(self)
        } else {
            Err(StatementError::PeriodNotOver)
        }
    }
}

/// Checks the customer's answer: a disputed line needs its note (within bounds).
pub fn check_answer(disputes: &[(i64, String)]) -> Result<(), StatementError> {
    for (_, note) in disputes {
        let note = note.trim();
        if note.is_empty() {
            return Err(StatementError::NoteRequired);
        }
        if note.chars().count() > MAX_STATEMENT_TEXT {
            return Err(StatementError::TooLong);
        }
    }
    Ok(())
}

/// Checks a proposed resolution: its text, and an adjustment (owed: +, credited: −)
/// within the money ceiling either way.
pub fn check_resolution(
    cause: Option<DifferenceCause>,
    resolution: &str,
    adjustment_fen: i64,
) -> Result<DifferenceCause, StatementError> {
    let cause = cause.ok_or(StatementError::ResolutionRequired)?;
    let text = resolution.trim();
    if text.is_empty() {
        return Err(StatementError::ResolutionRequired);
    }
    if text.chars().count() > MAX_STATEMENT_TEXT {
        return Err(StatementError::TooLong);
    }
    if money::amount(adjustment_fen.saturating_abs()).is_err() {
        return Err(StatementError::Adjustment);
    }
    Ok(cause)
}

/// The state a statement reaches once its lines are answered as `answers` say: a
/// difference still open keeps it disputed; a line nobody answered yet (a payment that
/// joined it late) sends it back to the customer; else resolved or confirmed.
pub fn state_of(answers: &[LineAnswer]) -> StatementState {
    let waiting = answers
        .iter()
        .any(|a| matches!(a, LineAnswer::Disputed | LineAnswer::Proposed));
    let any_resolved = answers.contains(&LineAnswer::Resolved);
    if waiting {
        StatementState::Disputed
    } else if answers.contains(&LineAnswer::Open) {
        StatementState::Sent
    } else if any_resolved {
        StatementState::Resolved
    } else if !answers.is_empty() && answers.iter().all(|a| *a == LineAnswer::Confirmed) {
        StatementState::Confirmed
    } else {
        StatementState::Sent
    }
}

/// Whether a statement in `state` may be closed: every line agreed or resolved.
pub fn may_close(state: StatementState) -> bool {
    matches!(state, StatementState::Confirmed | StatementState::Resolved)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn a_period_is_a_month_reconciled_once_it_is_over() {
        let p = Period::parse("2026-11").expect("period");
        assert_eq!(
            (p.start(), p.end()),
            (date(2026, 11, 1), date(2026, 11, 30))
        );
        assert_eq!(p.key(), "2026-11");
        assert_eq!(Period::of(date(2026, 11, 17)), p);
        assert_eq!(p.check_over(date(2026, 12, 1)), Ok(p));
        assert_eq!(
            p.check_over(date(2026, 11, 30)),
            Err(StatementError::PeriodNotOver)
        );
        for bad in ["2026-13", "2026/11", "26-11", "2026-1", "", "1999-12"] {
            assert_eq!(Period::parse(bad), Err(StatementError::BadPeriod), "{bad}");
        }
    }

    #[test]
    fn answers_move_the_statement() {
        use LineAnswer::*;
        assert_eq!(state_of(&[Confirmed, Confirmed]), StatementState::Confirmed);
        assert_eq!(state_of(&[Confirmed, Disputed]), StatementState::Disputed);
        assert_eq!(state_of(&[Resolved, Proposed]), StatementState::Disputed);
        assert_eq!(state_of(&[Confirmed, Resolved]), StatementState::Resolved);
        assert_eq!(state_of(&[Open, Confirmed]), StatementState::Sent);
        assert_eq!(state_of(&[Resolved, Open]), StatementState::Sent);
        assert_eq!(state_of(&[Proposed, Open]), StatementState::Disputed);
        assert_eq!(state_of(&[]), StatementState::Sent);
        assert!(may_close(StatementState::Resolved));
        assert!(!may_close(StatementState::Disputed));
        assert_eq!(
            check_answer(&[(1, "  ".into())]),
            Err(StatementError::NoteRequired)
        );
        assert_eq!(
            check_resolution(None, "补记", 0),
            Err(StatementError::ResolutionRequired)
        );
        assert_eq!(
            check_resolution(Some(DifferenceCause::Price), "按合同价调整", -5_000),
            Ok(DifferenceCause::Price)
        );
        assert_eq!(
            check_resolution(Some(DifferenceCause::Price), "x", i64::MIN),
            Err(StatementError::Adjustment)
        );
    }
}
