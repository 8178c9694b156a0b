//! 回访周报 — the week a follow-up analysis covers (002 §三2: 最后分析结果，上报客服主管).
//!
//! Weeks are ISO weeks, Monday to Sunday, named `2026-W49`. A week's analysis is sent the
//! Monday after it, from [`SEND_HOUR`] local time.

use std::fmt;

use jiff::civil::{Date, ISOWeekDate, Weekday};

/// The hour (local) from which last week's analysis is sent on a Monday.
pub const SEND_HOUR: i8 = 8;

/// An ISO week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Week {
    monday: Date,
}

/// Why a week's name is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a week: {0:?} (2026-W49)")]
pub struct BadWeek(pub String);

impl Week {
    /// The week `date` falls in.
    pub fn containing(date: Date) -> Week {
        let back = i64::from(date.weekday().to_monday_zero_offset());
        Week {
            monday: date
                .checked_sub(jiff::Span::new().days(back))
                .unwrap_or(date),
        }
    }

    /// Reads `2026-W49` (the year of the ISO week, `W`, its number).
    pub fn parse(key: &str) -> Result<Week, BadWeek> {
        let bad = || BadWeek(key.to_owned());
        let (year, week) = key.trim().split_once("-W").ok_or_else(bad)?;
        if year.len() != 4 || week.len() != 2 {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        let week: i8 = week.parse().map_err(|_| bad())?;
        if !(2000..=2099).contains(&year) {
            return Err(bad());
        }
        let d = ISOWeekDate::new(year, week, Weekday::Monday).map_err(|_| bad())?;
        Ok(Week { monday: d.date() })
    }

    /// Its Monday.
    pub fn start(self) -> Date {
        self.monday
    }

    /// The Monday after it.
    pub fn end(self) -> Date {
        self.monday
            .checked_add(jiff::Span::new().days(7))
            .unwrap_or(Date::MAX)
    }

    pub fn previous(self) -> Week {
        Week {
            monday: self
                .monday
                .checked_sub(jiff::Span::new().days(7))
                .unwrap_or(self.monday),
        }
    }

    pub fn key(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Week {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let iso = self.monday.iso_week_date();
        write!(f, "{}-W{:02}", iso.year(), iso.week())
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn weeks_run_monday_to_sunday_and_read_back_from_their_names() {
        let w = Week::containing(date(2026, 12, 3));
        assert_eq!(w.key(), "2026-W49");
        assert_eq!(
            (w.start(), w.end()),
            (date(2026, 11, 30), date(2026, 12, 7))
        );
        assert_eq!(
            Week::containing(date(2026, 12, 6)),
            w,
            "Sunday is its last day"
        );
        assert_eq!(Week::containing(date(2026, 12, 7)).key(), "2026-W50");
        assert_eq!(Week::parse("2026-W49"), Ok(w));
        assert_eq!(w.previous().key(), "2026-W48");
        // The ISO year: 2027-01-01 is a Friday of 2026's week 53.
        let new_year = Week::containing(date(2027, 1, 1));
        assert_eq!(new_year.key(), "2026-W53");
        assert_eq!(Week::parse("2026-W53"), Ok(new_year));
        assert_eq!(Week::containing(date(2027, 1, 4)).key(), "2027-W01");
    }

    #[test]
    fn bad_week_names_are_refused() {
        for bad in [
            "", "2026", "2026-49", "2026-W4", "2026-W00", "2027-W53", "1999-W01", "2026-w49",
        ] {
            assert!(Week::parse(bad).is_err(), "{bad}");
        }
    }
}
