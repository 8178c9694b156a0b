//! 排班 — the hours one staff member works (000 §二(三)1, 001: 能接受轮班轮休制).
//!
//! A roster is a week of working periods (Monday first; a day without periods is a rest
//! day 轮休) and dated changes 调班 that replace the week on one date (no periods: off that
//! day; periods: worked, a holiday included). The company calendar still counts: on a public
//! holiday nobody is rostered unless a change says so, and on a make-up working day 调休上班
//! the roster's ordinary day is worked — the periods of its first weekday, Monday onwards,
//! that has any, as in the business calendar. Someone without a roster works the business
//! calendar's hours.

use std::collections::BTreeMap;

use jiff::Timestamp;
use jiff::civil::{Date, Weekday};

use crate::calendar::{BusinessCalendar, CalendarError, DayKind, Period};

/// How far ahead a dated change may be made, in days.
pub const MAX_DAYS_AHEAD: i64 = 366;
/// The longest note on a dated change, in characters.
pub const MAX_NOTE: usize = 200;

/// Why a roster or a change is refused; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShiftError {
    #[error("{0:?} is not HH:MM-HH:MM with the start before the end")]
    BadPeriod(String),
    #[error("the working periods of {0} overlap")]
    Overlapping(String),
    #[error("the week has {0} days, not 7")]
    WeekLength(usize),
    #[error("the date is past")]
    Past,
    #[error("a change is made at most {max} days ahead")]
    TooFar { max: i64 },
    #[error("the note is longer than {max} characters")]
    NoteTooLong { max: usize },
}

/// Working periods, sorted; an empty list is a day off.
pub type DayPeriods = Vec<Period>;

/// Parses one day's periods: `09:00-12:00, 14:30-18:00` (commas, full-width commas,
/// semicolons or spaces between); empty, `休` or `-` is a day off. `day` names the day in
/// the error.
pub fn parse_day(text: &str, day: &str) -> Result<DayPeriods, ShiftError> {
    let text = text.trim();
    if text.is_empty() || text == "休" || text == "-" {
        return Ok(Vec::new());
    }
    let mut periods = text
        .split([',', ';', '，', '；', ' ', '、'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match Period::parse(p) {
            Ok(p) => Ok(p),
            Err(CalendarError::BadPeriod(t)) => Err(ShiftError::BadPeriod(t)),
            Err(_) => Err(ShiftError::BadPeriod(p.to_owned())),
        })
        .collect::<Result<Vec<_>, _>>()?;
    periods.sort();
    if periods.windows(2).any(|w| w[0].end > w[1].start) {
        return Err(ShiftError::Overlapping(day.to_owned()));
    }
    Ok(periods)
}

/// One day's periods as text, `09:00-12:00,14:30-18:00`; empty for a day off.
pub fn format_day(periods: &[Period]) -> String {
    periods
        .iter()
        .map(Period::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses a week of seven days' texts, Monday first.
pub fn parse_week(days: &[String]) -> Result<[DayPeriods; 7], ShiftError> {
    if days.len() != 7 {
        return Err(ShiftError::WeekLength(days.len()));
    }
    let mut week: [DayPeriods; 7] = Default::default();
    for (i, text) in days.iter().enumerate() {
        let name = Weekday::from_monday_zero_offset(i as i8)
            .map(|d| format!("{d:?}"))
            .unwrap_or_default();
        week[i] = parse_day(text, &name)?;
    }
    Ok(week)
}

/// The week as stored: the seven days' texts joined by `|`, Monday first.
pub fn format_week(week: &[DayPeriods; 7]) -> String {
    week.iter()
        .map(|d| format_day(d))
        .collect::<Vec<_>>()
        .join("|")
}

/// The week from its stored text; `None` when it is not seven valid days.
pub fn stored_week(text: &str) -> Option<[DayPeriods; 7]> {
    let days: Vec<String> = text.split('|').map(str::to_owned).collect();
    parse_week(&days).ok()
}

/// Checks a dated change made on `today`: not past, at most [`MAX_DAYS_AHEAD`] ahead, a
/// note of at most [`MAX_NOTE`] characters. Returns the note trimmed.
pub fn check_change(date: Date, note: &str, today: Date) -> Result<String, ShiftError> {
    if date < today {
        return Err(ShiftError::Past);
    }
    if i64::from((date - today).get_days()) > MAX_DAYS_AHEAD {
        return Err(ShiftError::TooFar {
            max: MAX_DAYS_AHEAD,
        });
    }
    let note = note.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(ShiftError::NoteTooLong { max: MAX_NOTE });
    }
    Ok(note.to_owned())
}

/// Where a day's hours come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DaySource {
    /// The roster's week (or the business calendar's, for someone without a roster).
    Week,
    /// A make-up working day 调休上班: the roster's ordinary day.
    MakeUp,
    /// A public holiday: off.
    Holiday,
    /// A dated change 调班.
    Change,
}

/// 排班表 — one person's working hours.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Roster {
    week: [DayPeriods; 7],
    changes: BTreeMap<Date, DayPeriods>,
}

impl Roster {
    pub fn new(
        week: [DayPeriods; 7],
        changes: impl IntoIterator<Item = (Date, DayPeriods)>,
    ) -> Roster {
        Roster {
            week,
            changes: changes.into_iter().collect(),
        }
    }

    /// The roster of someone without one: the business calendar's week.
    pub fn department(calendar: &BusinessCalendar) -> Roster {
        Roster::new(calendar.week().clone(), [])
    }

    pub fn week(&self) -> &[DayPeriods; 7] {
        &self.week
    }

    /// The periods of the roster's ordinary working day: its first weekday, Monday onwards,
    /// with any.
    fn ordinary_day(&self) -> &[Period] {
        self.week
            .iter()
            .find(|d| !d.is_empty())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The periods worked on `date`, and where they come from.
    pub fn day(&self, date: Date, business: &BusinessCalendar) -> (&[Period], DaySource) {
        if let Some(p) = self.changes.get(&date) {
            return (p, DaySource::Change);
        }
        match business.day_kind(date) {
            Some(DayKind::Holiday) => (&[], DaySource::Holiday),
            Some(DayKind::Workday) => (self.ordinary_day(), DaySource::MakeUp),
            None => (
                &self.week[date.weekday().to_monday_zero_offset() as usize],
                DaySource::Week,
            ),
        }
    }

    /// The periods worked on `date`.
    pub fn periods_on(&self, date: Date, business: &BusinessCalendar) -> &[Period] {
        self.day(date, business).0
    }

    /// Whether `at` falls inside a rostered period (in the business calendar's zone).
    pub fn on_shift(&self, at: Timestamp, business: &BusinessCalendar) -> bool {
        let z = at.to_zoned(business.time_zone().clone());
        let minute = z.hour() as u16 * 60 + z.minute() as u16;
        self.periods_on(z.date(), business)
            .iter()
            .any(|p| p.start <= minute && minute < p.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use jiff::tz::TimeZone;

    fn p(s: &str) -> Period {
        Period::parse(s).unwrap()
    }

    fn days(texts: [&str; 7]) -> Vec<String> {
        texts.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_day_reads_periods_in_any_order_and_refuses_overlaps_and_nonsense() {
        assert_eq!(
            parse_day("14:30-18:00，09:00-12:00", "Monday"),
            Ok(vec![p("09:00-12:00"), p("14:30-18:00")])
        );
        assert_eq!(parse_day(" 休 ", "Monday"), Ok(vec![]));
        assert_eq!(parse_day("", "Monday"), Ok(vec![]));
        assert_eq!(
            parse_day("09:00-13:00, 12:00-18:00", "Monday"),
            Err(ShiftError::Overlapping("Monday".into()))
        );
        assert_eq!(
            parse_day("18:00-09:00", "Monday"),
            Err(ShiftError::BadPeriod("18:00-09:00".into()))
        );
        assert_eq!(
            parse_day("早班", "Monday"),
            Err(ShiftError::BadPeriod("早班".into()))
        );
        assert_eq!(
            parse_week(&days(["", "", "", "", "", "", ""])[..6]),
            Err(ShiftError::WeekLength(6))
        );
    }

    #[test]
    fn a_week_survives_being_stored() {
        let week = parse_week(&days([
            "",
            "13:00-21:00",
            "13:00-21:00",
            "13:00-21:00",
            "13:00-21:00",
            "09:00-12:00,13:00-17:00",
            "",
        ]))
        .unwrap();
        let text = format_week(&week);
        assert_eq!(
            text,
            "|13:00-21:00|13:00-21:00|13:00-21:00|13:00-21:00|09:00-12:00,13:00-17:00|"
        );
        assert_eq!(stored_week(&text), Some(week));
        assert_eq!(stored_week("09:00-18:00"), None);
    }

    #[test]
    fn changes_win_then_holidays_then_make_up_days_then_the_week() {
        // Tuesday to Saturday, afternoons and evenings; Monday and Sunday off.
        let late = vec![p("13:00-21:00")];
        let mut week: [DayPeriods; 7] = Default::default();
        for d in &mut week[1..6] {
            *d = late.clone();
        }
        let roster = Roster::new(
            week,
            [
                (date(2026, 10, 2), vec![p("09:00-17:00")]), // 值班 on a holiday
                (date(2026, 12, 8), vec![]),                 // 调休 off on a Tuesday
            ],
        );
        let cal = BusinessCalendar::china_standard();
        // Monday 7 December: the roster's rest day, though the company works.
        assert_eq!(
            roster.day(date(2026, 12, 7), &cal),
            (&[][..], DaySource::Week)
        );
        assert_eq!(
            roster.day(date(2026, 12, 8), &cal),
            (&[][..], DaySource::Change)
        );
        assert_eq!(
            roster.day(date(2026, 12, 9), &cal),
            (&late[..], DaySource::Week)
        );
        // National Day: off, but the 2nd is a duty day.
        assert_eq!(
            roster.day(date(2026, 10, 1), &cal),
            (&[][..], DaySource::Holiday)
        );
        assert_eq!(
            roster.day(date(2026, 10, 2), &cal).0,
            &[p("09:00-17:00")][..]
        );
        // Saturday 10 October is a make-up day: the roster's ordinary day (Tuesday's).
        assert_eq!(
            roster.day(date(2026, 10, 10), &cal),
            (&late[..], DaySource::MakeUp)
        );
        let at = |h, m| {
            date(2026, 12, 9)
                .at(h, m, 0, 0)
                .to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
                .unwrap()
                .timestamp()
        };
        assert!(!roster.on_shift(at(12, 59), &cal));
        assert!(roster.on_shift(at(13, 0), &cal));
        assert!(roster.on_shift(at(20, 59), &cal));
        assert!(!roster.on_shift(at(21, 0), &cal));
        // Without a roster: the company's hours.
        let dept = Roster::department(&cal);
        assert_eq!(
            dept.periods_on(date(2026, 12, 7), &cal),
            cal.periods_on(date(2026, 12, 7))
        );
        assert_eq!(
            dept.periods_on(date(2026, 10, 10), &cal),
            cal.periods_on(date(2026, 10, 10))
        );
    }

    #[test]
    fn a_change_is_for_today_onwards_within_a_year() {
        let today = date(2026, 12, 6);
        assert_eq!(check_change(today, " 顶班 ", today), Ok("顶班".into()));
        assert_eq!(
            check_change(date(2026, 12, 5), "", today),
            Err(ShiftError::Past)
        );
        assert_eq!(
            check_change(date(2027, 12, 7), "", today),
            Ok(String::new())
        );
        assert_eq!(
            check_change(date(2027, 12, 8), "", today),
            Err(ShiftError::TooFar { max: 366 })
        );
        assert_eq!(
            check_change(today, &"长".repeat(201), today),
            Err(ShiftError::NoteTooLong { max: 200 })
        );
    }
}
