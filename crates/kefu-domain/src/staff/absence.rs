//! 休假 — a staff member away from work from one day to another, both included, in the
//! department's days. While away, the follow-up visits planned for them wait in their
//! rule's group, so a colleague makes them on time.

use jiff::civil::Date;

/// The longest absence recorded at once, in days.
pub const MAX_DAYS: i64 = 366;
/// The longest reason, in characters.
pub const MAX_REASON: usize = 200;

/// Why an absence is refused; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AbsenceError {
    #[error("the absence ends before it starts")]
    Reversed,
    #[error("the absence is over already")]
    Past,
    #[error("an absence is at most {max} days")]
    TooLong { max: i64 },
    #[error("the reason is longer than {max} characters")]
    ReasonTooLong { max: usize },
    #[error("it overlaps an absence recorded already ({starts_on} – {ends_on})")]
    Overlaps { starts_on: Date, ends_on: Date },
}

/// Checks an absence recorded on `today`: it ends on or after its start and today, lasts
/// at most [`MAX_DAYS`], and says why in at most [`MAX_REASON`] characters (or not at
/// all). Returns the reason trimmed.
pub fn check_absence(
    starts_on: Date,
    ends_on: Date,
    reason: &str,
    today: Date,
) -> Result<String, AbsenceError> {
    if ends_on < starts_on {
        return Err(AbsenceError::Reversed);
    }
    if ends_on < today {
        return Err(AbsenceError::Past);
    }
    if i64::from((ends_on - starts_on).get_days()) + 1 > MAX_DAYS {
        return Err(AbsenceError::TooLong { max: MAX_DAYS });
    }
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON {
        return Err(AbsenceError::ReasonTooLong { max: MAX_REASON });
    }
    Ok(reason.to_owned())
}

/// Whether `day` falls in one of the absences (first and last day, both included).
pub fn away_on(absences: &[(Date, Date)], day: Date) -> bool {
    absences.iter().any(|&(from, to)| from <= day && day <= to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn an_absence_runs_forward_from_today_for_at_most_a_year() {
        let today = date(2026, 12, 5);
        assert_eq!(
            check_absence(date(2026, 12, 7), date(2026, 12, 11), " 年假 ", today),
            Ok("年假".to_owned())
        );
        assert_eq!(
            check_absence(date(2026, 12, 1), date(2026, 12, 5), "", today),
            Ok(String::new()),
            "under way, ending today"
        );
        assert_eq!(
            check_absence(date(2026, 12, 9), date(2026, 12, 8), "", today),
            Err(AbsenceError::Reversed)
        );
        assert_eq!(
            check_absence(date(2026, 12, 1), date(2026, 12, 4), "", today),
            Err(AbsenceError::Past)
        );
        assert!(check_absence(date(2027, 1, 1), date(2028, 1, 1), "", today).is_ok());
        assert_eq!(
            check_absence(date(2027, 1, 1), date(2028, 1, 2), "", today),
            Err(AbsenceError::TooLong { max: MAX_DAYS })
        );
        assert_eq!(
            check_absence(date(2027, 1, 1), date(2027, 1, 2), &"病".repeat(201), today),
            Err(AbsenceError::ReasonTooLong { max: MAX_REASON })
        );
    }

    #[test]
    fn away_counts_both_ends() {
        let leave = [(date(2026, 12, 7), date(2026, 12, 9))];
        assert!(!away_on(&leave, date(2026, 12, 6)));
        assert!(away_on(&leave, date(2026, 12, 7)));
        assert!(away_on(&leave, date(2026, 12, 9)));
        assert!(!away_on(&leave, date(2026, 12, 10)));
    }
}
