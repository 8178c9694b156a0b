//! 工作日历 — business calendars: when the department works, so that SLA targets count only
//! working time.
//!
//! A calendar has working periods per weekday (seed 002: 9:00–12:00 and 14:30–18:00), public
//! holidays, and make-up working days 调休 that turn a weekend day into a working day with
//! the periods of an ordinary working day. Everything is computed in the calendar's own
//! time zone (default Asia/Shanghai) and returned as absolute instants.
//!
//! The two operations SLA needs are [`BusinessCalendar::add`] (when is a target of N
//! business minutes due?) and [`BusinessCalendar::between`] (how much business time passed?).
//! Both are exact to the nanosecond, so `between(a, add(a, d)) == d` and `between` is
//! additive; the property tests below hold the implementation to that.

use std::collections::BTreeMap;
use std::fmt;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// How far ahead [`BusinessCalendar::add`] looks for working time before giving up: ten
/// years of days, so a calendar that never works fails loudly instead of looping.
const HORIZON_DAYS: i32 = 3660;

/// The default zone of a new calendar.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Shanghai";

/// A working period within one day, as minutes after midnight: `[start, end)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Period {
    pub start: u16,
    pub end: u16,
}

impl Period {
    /// A period from `HH:MM` to `HH:MM`; `24:00` is allowed as an end.
    pub fn parse(text: &str) -> Result<Period, CalendarError> {
        let bad = || CalendarError::BadPeriod(text.to_owned());
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let start = parse_hhmm(a.trim()).ok_or_else(bad)?;
        let end = parse_hhmm(b.trim()).ok_or_else(bad)?;
        if start >= end || end > 24 * 60 {
            return Err(bad());
        }
        Ok(Period { start, end })
    }

    pub fn minutes(self) -> i64 {
        i64::from(self.end - self.start)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}:{:02}-{:02}:{:02}",
            self.start / 60,
            self.start % 60,
            self.end / 60,
            self.end % 60
        )
    }
}

fn parse_hhmm(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Seed 002's department hours (客服部管理制度 工作時間): 9:00–12:00 and 14:30–18:00.
pub fn department_hours() -> Vec<Period> {
    vec![
        Period {
            start: 9 * 60,
            end: 12 * 60,
        },
        Period {
            start: 14 * 60 + 30,
            end: 18 * 60,
        },
    ]
}

/// What a listed date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// 法定节假日 — no work, whatever the weekday.
    Holiday,
    /// 调休上班 — a make-up working day, worked with the periods of an ordinary working day.
    Workday,
}

impl DayKind {
    pub fn key(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }

    pub fn parse(s: &str) -> Option<DayKind> {
        match s.trim() {
            "holiday" | "休" | "假" | "放假" => Some(DayKind::Holiday),
            "workday" | "班" | "上班" | "调休上班" => Some(DayKind::Workday),
            _ => None,
        }
    }
}

/// A date with a special meaning, and its name (国庆节, 春节调休…).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecialDay {
    pub date: Date,
    pub kind: DayKind,
    pub name: String,
}

/// Why a calendar could not be built or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("working period {0:?} is not HH:MM-HH:MM with start before end")]
    BadPeriod(String),
    #[error("working periods on {0:?} overlap")]
    OverlappingPeriods(Weekday),
    #[error("the calendar has no working time within ten years")]
    NoWorkingTime,
    #[error("line {line}: {reason}")]
    BadHolidayLine { line: usize, reason: String },
}

/// A business calendar, ready to compute with.
#[derive(Debug, Clone)]
pub struct BusinessCalendar {
    tz: TimeZone,
    tz_name: String,
    /// Working periods per weekday, Monday first, sorted and disjoint.
    week: [Vec<Period>; 7],
    special: BTreeMap<Date, DayKind>,
}

impl BusinessCalendar {
    /// A calendar in `time_zone` with `week[0]` (Monday) … `week[6]` (Sunday) periods.
    pub fn new(
        time_zone: &str,
        week: [Vec<Period>; 7],
        special: impl IntoIterator<Item = (Date, DayKind)>,
    ) -> Result<BusinessCalendar, CalendarError> {
        let tz = TimeZone::get(time_zone)
            .map_err(|_| CalendarError::UnknownTimeZone(time_zone.to_owned()))?;
        let mut week = week;
        for (i, day) in week.iter_mut().enumerate() {
            day.sort();
            if day.windows(2).any(|w| w[0].end > w[1].start) {
                let weekday = Weekday::from_monday_zero_offset(i as i8).unwrap_or(Weekday::Monday);
                return Err(CalendarError::OverlappingPeriods(weekday));
            }
        }
        Ok(BusinessCalendar {
            tz,
            tz_name: time_zone.to_owned(),
            week,
            special: special.into_iter().collect(),
        })
    }

    /// Seed 002's department hours: 9:00–12:00 and 14:30–18:00, Monday to Friday, with the
    /// Chinese public holidays and make-up days kefu ships with.
    pub fn china_standard() -> BusinessCalendar {
        let day = department_hours();
        let week = [
            day.clone(),
            day.clone(),
            day.clone(),
            day.clone(),
            day,
            vec![],
            vec![],
        ];
        let special = parse_holiday_list(CHINA_HOLIDAYS)
            .expect("the bundled holiday list parses")
            .into_iter()
            .map(|d| (d.date, d.kind));
        BusinessCalendar::new(DEFAULT_TIME_ZONE, week, special)
            .expect("the standard calendar is valid")
    }

    pub fn time_zone(&self) -> &TimeZone {
        &self.tz
    }

    pub fn time_zone_name(&self) -> &str {
        &self.tz_name
    }

    pub fn week(&self) -> &[Vec<Period>; 7] {
        &self.week
    }

    /// The periods of an ordinary working day, used on make-up days: those of the first
    /// weekday, Monday onwards, that has any.
    fn ordinary_day(&self) -> &[Period] {
        self.week
            .iter()
            .find(|d| !d.is_empty())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// What `date` is in this calendar, when it is listed (a holiday or a make-up day).
    pub fn day_kind(&self, date: Date) -> Option<DayKind> {
        self.special.get(&date).copied()
    }

    /// The working periods of one local date, after holidays and make-up days.
    pub fn periods_on(&self, date: Date) -> &[Period] {
        match self.special.get(&date) {
            Some(DayKind::Holiday) => &[],
            Some(DayKind::Workday) => self.ordinary_day(),
            None => &self.week[date.weekday().to_monday_zero_offset() as usize],
        }
    }

    /// Whether anyone works on `date`.
    pub fn is_working_day(&self, date: Date) -> bool {
        !self.periods_on(date).is_empty()
    }

    /// Whether `at` falls inside a working period (start inclusive, end exclusive).
    pub fn is_working_instant(&self, at: Timestamp) -> bool {
        let date = at.to_zoned(self.tz.clone()).date();
        self.instants_on(date).any(|(s, e)| s <= at && at < e)
    }

    /// The absolute start and end of each working period on `date`.
    fn instants_on(&self, date: Date) -> impl Iterator<Item = (Timestamp, Timestamp)> + '_ {
        self.periods_on(date).iter().filter_map(move |p| {
            let s = self.local(date, p.start)?;
            let e = self.local(date, p.end)?;
            (s < e).then_some((s, e))
        })
    }

    /// The instant of minute `minute` of local `date` (24:00 is the next midnight).
    pub(crate) fn local(&self, date: Date, minute: u16) -> Option<Timestamp> {
        let at = if minute >= 24 * 60 {
            date.tomorrow().ok()?.to_datetime(Time::midnight())
        } else {
            date.at((minute / 60) as i8, (minute % 60) as i8, 0, 0)
        };
        at.to_zoned(self.tz.clone()).ok().map(|z| z.timestamp())
    }

    fn date_of(&self, at: Timestamp) -> Date {
        at.to_zoned(self.tz.clone()).date()
    }

    /// The instant `amount` of business time after `from`. Zero returns `from`; a positive
    /// amount always ends inside a working period or exactly at its end.
    pub fn add(&self, from: Timestamp, amount: SignedDuration) -> Result<Timestamp, CalendarError> {
        if amount <= SignedDuration::ZERO {
            return Ok(from);
        }
        let mut left = amount;
        let mut date = self.date_of(from);
        for _ in 0..HORIZON_DAYS {
            for (s, e) in self.instants_on(date) {
                if e <= from {
                    continue;
                }
                let start = s.max(from);
                let available = e.duration_since(start);
                if left <= available {
                    return start
                        .checked_add(left)
                        .map_err(|_| CalendarError::NoWorkingTime);
                }
                left -= available;
            }
            date = match date.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        Err(CalendarError::NoWorkingTime)
    }

    /// [`add`](Self::add) in whole minutes, the unit SLA targets are set in.
    pub fn add_minutes(&self, from: Timestamp, minutes: i64) -> Result<Timestamp, CalendarError> {
        self.add(from, SignedDuration::from_mins(minutes))
    }

    /// Business time from `a` to `b`; negative when `b` is before `a`.
    pub fn between(&self, a: Timestamp, b: Timestamp) -> SignedDuration {
        if b < a {
            return -self.between(b, a);
        }
        let mut total = SignedDuration::ZERO;
        let mut date = self.date_of(a);
        let last = self.date_of(b);
        while date <= last {
            for (s, e) in self.instants_on(date) {
                let start = s.max(a);
                let end = e.min(b);
                if start < end {
                    total += end.duration_since(start);
                }
            }
            date = match date.tomorrow() {
                Ok(d) => d,
                Err(_) => break,
            };
        }
        total
    }

    /// [`between`](Self::between) in whole minutes, rounded toward zero.
    pub fn minutes_between(&self, a: Timestamp, b: Timestamp) -> i64 {
        self.between(a, b).as_secs() / 60
    }
}

/// Parses a holiday list: one entry per line, `DATE[..DATE],KIND[,NAME]`, where KIND is
/// `holiday`/`休` or `workday`/`班`. Blank lines and lines starting with `#` are skipped,
/// as is a header line starting with `date` or `日期`. Commas or tabs separate fields.
pub fn parse_holiday_list(text: &str) -> Result<Vec<SpecialDay>, CalendarError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split([',', '\t', '，']).map(str::trim).collect();
        if out.is_empty() && (fields[0].eq_ignore_ascii_case("date") || fields[0] == "日期") {
            continue;
        }
        let bad = |reason: &str| CalendarError::BadHolidayLine {
            line: line_no,
            reason: reason.to_owned(),
        };
        if fields.len() < 2 {
            return Err(bad("expected DATE,KIND[,NAME]"));
        }
        let (first, last) = match fields[0].split_once("..") {
            Some((a, b)) => (a.trim(), b.trim()),
            None => (fields[0], fields[0]),
        };
        let read = |v: &str| {
            crate::dates::parse("date", v).map_err(|e| match e {
                crate::dates::DateError::NotADate { .. } => bad("date must be YYYY-MM-DD"),
                _ => bad(format!(
                    "dates run from {} to {}",
                    crate::dates::MIN_DATE,
                    crate::dates::MAX_DATE
                )
                .as_str()),
            })
        };
        let first: Date = read(first)?;
        let last: Date = read(last)?;
        if last < first || first.until(last).map(|s| s.get_days()).unwrap_or(i32::MAX) > 366 {
            return Err(bad("a date range must run forward and span at most a year"));
        }
        let kind =
            DayKind::parse(fields[1]).ok_or_else(|| bad("kind must be holiday or workday"))?;
        let name = fields.get(2).copied().unwrap_or("").to_owned();
        let mut date = first;
        loop {
            out.push(SpecialDay {
                date,
                kind,
                name: name.clone(),
            });
            if date == last {
                break;
            }
            date = date.tomorrow().map_err(|_| bad("date out of range"))?;
        }
    }
    Ok(out)
}

/// The public holidays and make-up working days of the State Council's notices for 2025 and
/// 2026, shipped so a new installation counts SLA correctly from the first day.
pub const CHINA_HOLIDAYS: &str = "\
# 2025
2025-01-01,holiday,元旦
2025-01-26,workday,春节调休
2025-01-28..2025-02-04,holiday,春节
2025-02-08,workday,春节调休
2025-04-04..2025-04-06,holiday,清明节
2025-04-27,workday,劳动节调休
2025-05-01..2025-05-05,holiday,劳动节
2025-05-31..2025-06-02,holiday,端午节
2025-09-28,workday,国庆节调休
2025-10-01..2025-10-08,holiday,国庆节、中秋节
2025-10-11,workday,国庆节调休
# 2026
2026-01-01..2026-01-03,holiday,元旦
2026-01-04,workday,元旦调休
2026-02-14,workday,春节调休
2026-02-15..2026-02-23,holiday,春节
2026-02-28,workday,春节调休
2026-04-04..2026-04-06,holiday,清明节
2026-05-01..2026-05-05,holiday,劳动节
2026-05-09,workday,劳动节调休
2026-06-19..2026-06-21,holiday,端午节
2026-09-20,workday,国庆节调休
2026-09-25..2026-09-27,holiday,中秋节
2026-10-01..2026-10-07,holiday,国庆节
2026-10-10,workday,国庆节调休
";

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> Timestamp {
        // Local Beijing time, written as the staff read it.
        let dt: jiff::civil::DateTime = s.parse().unwrap();
        dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
            .unwrap()
            .timestamp()
    }

    fn cal() -> BusinessCalendar {
        BusinessCalendar::china_standard()
    }

    #[test]
    fn periods_parse_and_reject_nonsense() {
        assert_eq!(
            Period::parse("09:00-12:00").unwrap(),
            Period {
                start: 540,
                end: 720
            }
        );
        assert_eq!(Period::parse("14:30 - 24:00").unwrap().end, 1440);
        for bad in [
            "12:00-09:00",
            "9-12",
            "09:00-09:00",
            "25:00-26:00",
            "09:60-10:00",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn overlapping_periods_are_refused() {
        let p = |s| Period::parse(s).unwrap();
        let mut week: [Vec<Period>; 7] = Default::default();
        week[2] = vec![p("09:00-12:00"), p("11:00-13:00")];
        assert_eq!(
            BusinessCalendar::new("Asia/Shanghai", week, []).unwrap_err(),
            CalendarError::OverlappingPeriods(Weekday::Wednesday)
        );
    }

    #[test]
    fn unknown_time_zone_is_an_error() {
        assert!(matches!(
            BusinessCalendar::new("Mars/Olympus", Default::default(), []),
            Err(CalendarError::UnknownTimeZone(_))
        ));
    }

    #[test]
    fn a_calendar_without_working_time_fails_instead_of_looping() {
        let c = BusinessCalendar::new("Asia/Shanghai", Default::default(), []).unwrap();
        assert_eq!(
            c.add_minutes(at("2026-03-02T10:00"), 1),
            Err(CalendarError::NoWorkingTime)
        );
        assert_eq!(
            c.minutes_between(at("2026-03-02T00:00"), at("2026-04-02T00:00")),
            0
        );
    }

    /// Table of real periods around Chinese public holidays (State Council notices).
    #[test]
    fn adding_business_minutes_over_real_holidays() {
        let c = cal();
        let cases = [
            // An ordinary Tuesday morning: 60 minutes later, same morning.
            ("2026-03-03T10:00", 60, "2026-03-03T11:00"),
            // Morning runs out at 12:00; the rest is counted from 14:30.
            ("2026-03-03T11:30", 60, "2026-03-03T15:00"),
            // Lunch break start counts from 14:30.
            ("2026-03-03T12:30", 30, "2026-03-03T15:00"),
            // Friday evening → Monday morning.
            ("2026-03-06T17:30", 60, "2026-03-09T09:30"),
            // National Day 2025: Sep 30 (Tue) evening, holiday Oct 1–8, back on Thursday Oct 9.
            ("2025-09-30T17:00", 120, "2025-10-09T10:00"),
            // Make-up Saturday Oct 11 2025 is a working day.
            ("2025-10-10T17:00", 120, "2025-10-11T10:00"),
            // Make-up Sunday Sep 28 2025 is a working day.
            ("2025-09-27T10:00", 30, "2025-09-28T09:30"),
            // Spring Festival 2026: holiday Feb 15–23; Sat Feb 14 is a make-up day.
            ("2026-02-13T17:30", 60, "2026-02-14T09:30"),
            ("2026-02-14T17:30", 60, "2026-02-24T09:30"),
            // Full working day is 390 minutes: Monday 09:00 + 390 = Monday 18:00.
            ("2026-03-02T09:00", 390, "2026-03-02T18:00"),
            // One more minute spills to Tuesday.
            ("2026-03-02T09:00", 391, "2026-03-03T09:01"),
            // New Year 2026: Jan 1–3 off, Sunday Jan 4 worked.
            ("2025-12-31T18:00", 30, "2026-01-04T09:30"),
            // Labour Day 2026: May 1–5 off; Saturday May 9 worked.
            ("2026-04-30T17:50", 20, "2026-05-06T09:10"),
            ("2026-05-08T18:00", 10, "2026-05-09T09:10"),
        ];
        for (from, minutes, want) in cases {
            assert_eq!(
                c.add_minutes(at(from), minutes).unwrap(),
                at(want),
                "{from} + {minutes} min"
            );
        }
    }

    #[test]
    fn business_minutes_between_over_real_holidays() {
        let c = cal();
        let cases = [
            ("2026-03-03T10:00", "2026-03-03T11:00", 60),
            ("2026-03-03T11:00", "2026-03-03T15:00", 90),
            // Saturday and Sunday count nothing.
            ("2026-03-07T08:00", "2026-03-08T20:00", 0),
            // The whole National Day week 2026 (Oct 1–7) counts nothing.
            ("2026-10-01T00:00", "2026-10-08T00:00", 0),
            // Week of Sep 28 – Oct 12 2025: working days Sep 28, 29, 30, Oct 9, 10, 11.
            ("2025-09-28T00:00", "2025-10-12T00:00", 6 * 390),
            // Reversed order is negative.
            ("2026-03-03T11:00", "2026-03-03T10:00", -60),
        ];
        for (a, b, want) in cases {
            assert_eq!(c.minutes_between(at(a), at(b)), want, "{a} → {b}");
        }
    }

    #[test]
    fn the_bundled_holiday_list_matches_the_notices() {
        let c = cal();
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert!(!c.is_working_day(d("2026-02-16"))); // Monday in Spring Festival
        assert!(c.is_working_day(d("2026-02-28"))); // make-up Saturday
        assert!(!c.is_working_day(d("2026-10-07")));
        assert!(c.is_working_day(d("2026-10-10")));
        assert!(!c.is_working_day(d("2026-03-08"))); // ordinary Sunday
        assert!(c.is_working_day(d("2026-03-09")));
    }

    #[test]
    fn holiday_lists_parse_ranges_chinese_kinds_and_report_bad_lines() {
        let days = parse_holiday_list(
            "日期,类型,名称\n2026-10-01..2026-10-03,休,国庆节\n2026-10-10\t班\t调休\n",
        )
        .unwrap();
        assert_eq!(days.len(), 4);
        assert_eq!(days[3].kind, DayKind::Workday);
        assert_eq!(days[0].name, "国庆节");
        assert_eq!(
            parse_holiday_list("2026-10-01,holiday\n2026-13-01,holiday\n").unwrap_err(),
            CalendarError::BadHolidayLine {
                line: 2,
                reason: "date must be YYYY-MM-DD".into()
            }
        );
        assert!(parse_holiday_list("2026-10-01,nap\n").is_err());
        assert!(parse_holiday_list("2026-10-05..2026-10-01,holiday\n").is_err());
        assert_eq!(
            parse_holiday_list("9999-12-31,holiday\n").unwrap_err(),
            CalendarError::BadHolidayLine {
                line: 1,
                reason: "dates run from 2000-01-01 to 2099-12-31".into()
            }
        );
    }

    fn instant() -> impl Strategy<Value = Timestamp> {
        // Any second from 2025-01-01 to the end of 2026 (covers the bundled holidays).
        (1_735_660_800i64..1_798_761_600).prop_map(|s| Timestamp::from_second(s).unwrap())
    }

    fn amount() -> impl Strategy<Value = SignedDuration> {
        (0i64..40 * 390 * 60).prop_map(SignedDuration::from_secs)
    }

    fn inside_or_at_end(c: &BusinessCalendar, t: Timestamp) -> bool {
        let date = c.date_of(t);
        [date, date.yesterday().unwrap()]
            .into_iter()
            .any(|d| c.instants_on(d).any(|(s, e)| s < t && t <= e))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn add_then_between_gives_back_the_amount(a in instant(), d in amount()) {
            let c = cal();
            let due = c.add(a, d).unwrap();
            prop_assert_eq!(c.between(a, due), d);
        }

        #[test]
        fn add_is_monotonic(a in instant(), d1 in amount(), d2 in amount()) {
            let c = cal();
            let (lo, hi) = if d1 <= d2 { (d1, d2) } else { (d2, d1) };
            prop_assert!(c.add(a, lo).unwrap() <= c.add(a, hi).unwrap());
        }

        #[test]
        fn add_is_additive(a in instant(), d1 in amount(), d2 in amount()) {
            prop_assume!(d1 > SignedDuration::ZERO);
            let c = cal();
            let once = c.add(a, d1 + d2).unwrap();
            let twice = c.add(c.add(a, d1).unwrap(), d2).unwrap();
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn add_never_lands_outside_working_time(a in instant(), d in amount()) {
            prop_assume!(d > SignedDuration::ZERO);
            let c = cal();
            let due = c.add(a, d).unwrap();
            prop_assert!(inside_or_at_end(&c, due), "{} + {:?} = {} is not working time", a, d, due);
        }

        #[test]
        fn between_is_additive_and_bounded(a in instant(), b in instant(), m in instant()) {
            let c = cal();
            prop_assert_eq!(c.between(a, b), c.between(a, m) + c.between(m, b));
            let wall = if a <= b { b.duration_since(a) } else { a.duration_since(b) };
            prop_assert!(c.between(a, b).abs() <= wall);
        }
    }
}
