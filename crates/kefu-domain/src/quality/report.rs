//! 质量异常分析日报表 — the daily quality anomaly report (000 §(四)3–4: 每日汇总质量异常,
//! 制作质量异常分析日报表): made once per business day, at [`REPORT_TIME`], for the previous
//! business day.
//!
//! **Which days a report covers.** The report of business day D covers the calendar days
//! from D up to (not including) the next business day N, and is made on N at
//! [`REPORT_TIME`]: a weekend or a holiday folds into the report of the business day before
//! it, so Friday's report, made on Monday morning, holds Friday, Saturday and Sunday, and
//! every day is in exactly one report. A date that is no business day has no report of its
//! own ([`ReportError::NotBusinessDay`] names the report holding it).
//!
//! **As issued.** A report is stored with its figures as they were when it was made. An
//! anomaly recorded after its day's report was made shows in the next report, marked
//! 补录 (`late`). Making a report again is a new revision with its reason; the earlier ones
//! stay readable.

use jiff::civil::{Date, Time};
use serde::{Deserialize, Serialize};

use crate::calendar::BusinessCalendar;
use crate::dates::MIN_DATE;

/// When the job makes the report of the previous business day, local time.
pub const REPORT_TIME: Time = jiff::civil::time(8, 30, 0, 0);

/// The longest reason for making a report again, in characters.
pub const MAX_REASON: usize = 500;

/// The anomalies a report lists, at most (the figures count them all).
pub const LIST_LIMIT: usize = 2000;

/// The overdue measures a report lists, at most.
pub const OVERDUE_LIMIT: usize = 500;

/// Days a business day is looked for before giving up (a calendar with no working day).
const SEARCH_DAYS: i32 = 60;

/// Why a report is not made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the report of {date} can be made once its days are over ({ready})")]
    Future { date: Date, ready: Date },
    #[error("{date} is no business day; it is in the report of {folded_into}")]
    NotBusinessDay { date: Date, folded_into: Date },
    #[error("{date} has no business day before it to report on")]
    NoBusinessDay { date: Date },
    #[error("reports start on {min}")]
    TooEarly { min: Date },
    #[error("the report of {0} was made already: making it again needs a reason")]
    NeedsReason(Date),
    #[error("a reason is at most {max} characters")]
    ReasonTooLong { max: usize },
}

/// The business day after `date`.
pub fn next_business_day(calendar: &BusinessCalendar, date: Date) -> Option<Date> {
    (1..=SEARCH_DAYS)
        .filter_map(|n| date.checked_add(jiff::Span::new().days(n)).ok())
        .find(|d| calendar.is_working_day(*d))
}

/// The business day before `date`.
pub fn previous_business_day(calendar: &BusinessCalendar, date: Date) -> Option<Date> {
    (1..=SEARCH_DAYS)
        .filter_map(|n| date.checked_sub(jiff::Span::new().days(n)).ok())
        .find(|d| calendar.is_working_day(*d))
}

/// The days a report covers: `from` (its business day) up to `to`, the next business day,
/// on which it is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub date: Date,
    pub to: Date,
}

/// The window of the report of `date`, made once `today` has reached its next business day
/// (and, on that day, [`REPORT_TIME`] — the job's rule; a person may make it from
/// midnight on).
pub fn window(calendar: &BusinessCalendar, date: Date, today: Date) -> Result<Window, ReportError> {
    if date < MIN_DATE {
        return Err(ReportError::TooEarly { min: MIN_DATE });
    }
    if !calendar.is_working_day(date) {
        return match previous_business_day(calendar, date) {
            Some(folded_into) => Err(ReportError::NotBusinessDay { date, folded_into }),
            None => Err(ReportError::NoBusinessDay { date }),
        };
    }
    let to = next_business_day(calendar, date).ok_or(ReportError::NoBusinessDay { date })?;
    if to > today {
        return Err(ReportError::Future { date, ready: to });
    }
    Ok(Window { date, to })
}

/// The report the job makes at `today` `now_time`: the previous business day's, once
/// today is a business day and [`REPORT_TIME`] has come.
pub fn due(calendar: &BusinessCalendar, today: Date, now_time: Time) -> Option<Date> {
    if !calendar.is_working_day(today) || now_time < REPORT_TIME {
        return None;
    }
    previous_business_day(calendar, today)
}

/// A reason for making a report again: required once a report exists, trimmed, bounded.
pub fn check_reason(date: Date, exists: bool, reason: &str) -> Result<String, ReportError> {
    let reason = reason.trim();
    if reason.chars().count() > MAX_REASON {
        return Err(ReportError::ReasonTooLong { max: MAX_REASON });
    }
    if exists && reason.is_empty() {
        return Err(ReportError::NeedsReason(date));
    }
    Ok(reason.to_owned())
}

/// Inspections of a period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InspectionTally {
    pub done: i64,
    /// Sum of the scores, in tenths of a point.
    pub score_tenths: i64,
    pub passed: i64,
}

impl InspectionTally {
    /// Average score in tenths; `None` without inspections.
    pub fn average_tenths(&self) -> Option<i64> {
        (self.done > 0).then(|| div_round(self.score_tenths, self.done))
    }

    /// 合格率 in per mille; `None` without inspections.
    pub fn pass_permille(&self) -> Option<i64> {
        (self.done > 0).then(|| div_round(self.passed * 1000, self.done))
    }
}

/// `a / b` rounded half away from zero (b > 0).
fn div_round(a: i64, b: i64) -> i64 {
    if a >= 0 {
        (2 * a + b) / (2 * b)
    } else {
        -((-2 * a + b) / (2 * b))
    }
}

/// The headline figures of a period, to compare one period with another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Headline {
    pub inspections: i64,
    /// Average score in tenths of a point.
    pub average_tenths: Option<i64>,
    /// 合格率, per mille.
    pub pass_permille: Option<i64>,
    pub anomalies: i64,
}

impl Headline {
    pub fn of(inspections: InspectionTally, anomalies: i64) -> Headline {
        Headline {
            inspections: inspections.done,
            average_tenths: inspections.average_tenths(),
            pass_permille: inspections.pass_permille(),
            anomalies,
        }
    }

    /// The daily mean of `days` days' figures (counts in hundredths: 14 is 0.14 a day);
    /// the score and the pass rate are over all their inspections.
    pub fn daily_mean(inspections: InspectionTally, anomalies: i64, days: i64) -> Headline {
        let days = days.max(1);
        Headline {
            inspections: div_round(inspections.done * 100, days),
            average_tenths: inspections.average_tenths(),
            pass_permille: inspections.pass_permille(),
            anomalies: div_round(anomalies * 100, days),
        }
    }
}

/// Days the mean a report compares with covers.
pub const MEAN_DAYS: i64 = 7;

/// One line of a breakdown: anomalies new in the report's days, open when it was made and
/// closed in its days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// The key (a source or cause) or the name (a service item, agent, department) as it
    /// was when the report was made; empty for none recorded.
    pub label: String,
    pub new: i64,
    pub open: i64,
    pub closed: i64,
}

/// Which count of a [`Tally`] a grouped row adds to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    New,
    Open,
    Closed,
}

/// Adds `n` to `label`'s line of `column`, keeping the first-seen order.
pub fn add(lines: &mut Vec<Tally>, label: &str, column: Column, n: i64) {
    let line = match lines.iter_mut().position(|l| l.label == label) {
        Some(i) => &mut lines[i],
        None => {
            lines.push(Tally {
                label: label.to_owned(),
                ..Tally::default()
            });
            let last = lines.len() - 1;
            &mut lines[last]
        }
    };
    match column {
        Column::New => line.new += n,
        Column::Open => line.open += n,
        Column::Closed => line.closed += n,
    }
}

/// Most new first, then most open, then by label.
pub fn rank(lines: &mut [Tally]) {
    lines.sort_by(|a, b| {
        (b.new, b.open, b.closed)
            .cmp(&(a.new, a.open, a.closed))
            .then_with(|| a.label.cmp(&b.label))
    });
}

/// An anomaly as a report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListedAnomaly {
    pub id: i64,
    pub number: String,
    pub occurred_on: String,
    pub service_item: String,
    pub source: String,
    pub agent: Option<String>,
    pub department: Option<String>,
    pub severity: String,
    pub status: String,
    pub cause: Option<String>,
    /// The first [`DESCRIPTION_CHARS`] characters.
    pub description: String,
    /// 补录 — of an earlier report's days, recorded after that report was made.
    pub late: bool,
}

/// Characters of an anomaly's description a report keeps.
pub const DESCRIPTION_CHARS: usize = 80;

/// A measure past its due date when the report was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueMeasure {
    pub id: i64,
    pub anomaly_number: String,
    pub body: String,
    pub owner: String,
    pub due_on: String,
    pub days_overdue: i64,
}

/// 质量异常分析日报表 — everything a report holds, as made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyReport {
    /// The business day (`2026-12-04`).
    pub date: String,
    /// The first day after the covered ones: the day it was made for.
    pub covers_to: String,
    pub inspections: InspectionTally,
    pub today: Headline,
    /// The previous business day's report days.
    pub previous: Headline,
    /// The [`MEAN_DAYS`] calendar days before the report's, per day (counts in
    /// hundredths).
    pub mean: Headline,
    /// Anomalies of the report's days.
    pub new: i64,
    /// 补录: of earlier days, recorded since.
    pub late: i64,
    /// Open (not closed) when the report was made.
    pub open: i64,
    /// Closed in the report's days.
    pub closed: i64,
    pub by_service_item: Vec<Tally>,
    pub by_source: Vec<Tally>,
    pub by_agent: Vec<Tally>,
    pub by_department: Vec<Tally>,
    /// Causes found by the investigations of the report's days, most first.
    pub causes: Vec<(String, i64)>,
    pub overdue_measures: Vec<OverdueMeasure>,
    /// More overdue measures than listed.
    pub overdue_total: i64,
    /// The new anomalies, then the 补录 ones.
    pub anomalies: Vec<ListedAnomaly>,
    /// More anomalies than listed.
    pub truncated: bool,
}

/// How a figure of the headline is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A count (its daily mean in hundredths).
    Count,
    /// A score in tenths of a point.
    Tenths,
    /// A rate in per mille.
    Permille,
}

/// One figure of the headline: this report's, the previous business day's, the daily mean
/// of the week before, and the changes against both in per mille.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figure {
    /// `inspections`, `average`, `pass_rate` or `anomalies_new`.
    pub key: &'static str,
    pub unit: Unit,
    pub now: Option<i64>,
    pub previous: Option<i64>,
    /// A count's in hundredths, else as `unit`.
    pub mean: Option<i64>,
    pub vs_previous: Option<i64>,
    pub vs_mean: Option<i64>,
}

impl Figure {
    fn new(
        key: &'static str,
        unit: Unit,
        now: Option<i64>,
        previous: Option<i64>,
        mean: Option<i64>,
    ) -> Figure {
        let scale = if unit == Unit::Count { 100 } else { 1 };
        let vs = |other: Option<i64>, by: i64| match (now, other) {
            (Some(n), Some(o)) => change_permille(n * by, o),
            _ => None,
        };
        Figure {
            key,
            unit,
            now,
            previous,
            mean,
            vs_previous: vs(previous, 1),
            vs_mean: vs(mean, scale),
        }
    }
}

/// The headline of a report: inspections, average score, pass rate, new anomalies.
pub fn figures(r: &DailyReport) -> [Figure; 4] {
    let (t, p, m) = (&r.today, &r.previous, &r.mean);
    [
        Figure::new(
            "inspections",
            Unit::Count,
            Some(t.inspections),
            Some(p.inspections),
            Some(m.inspections),
        ),
        Figure::new(
            "average",
            Unit::Tenths,
            t.average_tenths,
            p.average_tenths,
            m.average_tenths,
        ),
        Figure::new(
            "pass_rate",
            Unit::Permille,
            t.pass_permille,
            p.pass_permille,
            m.pass_permille,
        ),
        Figure::new(
            "anomalies_new",
            Unit::Count,
            Some(t.anomalies),
            Some(p.anomalies),
            Some(m.anomalies),
        ),
    ]
}

/// A change in per mille of the earlier figure (`+250` is 25 % more); `None` when the
/// earlier figure is nothing.
pub fn change_permille(now: i64, before: i64) -> Option<i64> {
    (before != 0).then(|| div_round((now - before) * 1000, before))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn calendar() -> BusinessCalendar {
        BusinessCalendar::china_standard()
    }

    #[test]
    fn a_weekend_folds_into_fridays_report_made_on_monday() {
        let c = calendar();
        // 2026-12-04 is a Friday.
        let w = window(&c, date(2026, 12, 4), date(2026, 12, 7)).unwrap();
        assert_eq!(w.to, date(2026, 12, 7));
        assert_eq!(
            window(&c, date(2026, 12, 5), date(2026, 12, 7)),
            Err(ReportError::NotBusinessDay {
                date: date(2026, 12, 5),
                folded_into: date(2026, 12, 4)
            })
        );
        assert_eq!(
            window(&c, date(2026, 12, 4), date(2026, 12, 6)),
            Err(ReportError::Future {
                date: date(2026, 12, 4),
                ready: date(2026, 12, 7)
            })
        );
        assert_eq!(
            due(&c, date(2026, 12, 7), jiff::civil::time(8, 30, 0, 0)),
            Some(date(2026, 12, 4))
        );
        assert_eq!(
            due(&c, date(2026, 12, 7), jiff::civil::time(8, 29, 0, 0)),
            None
        );
        assert_eq!(
            due(&c, date(2026, 12, 6), jiff::civil::time(9, 0, 0, 0)),
            None
        );
        assert_eq!(
            due(&c, date(2026, 12, 8), jiff::civil::time(9, 0, 0, 0)),
            Some(date(2026, 12, 7))
        );
    }

    #[test]
    fn every_day_is_in_exactly_one_report() {
        let c = calendar();
        let today = date(2027, 3, 1);
        let mut covered = Vec::new();
        let mut d = date(2026, 9, 1);
        while d < date(2027, 2, 1) {
            if let Ok(w) = window(&c, d, today) {
                let mut x = w.date;
                while x < w.to {
                    covered.push(x);
                    x = x.tomorrow().unwrap();
                }
            }
            d = d.tomorrow().unwrap();
        }
        let first = covered[0];
        let mut expected = Vec::new();
        let mut x = first;
        while x <= *covered.last().unwrap() {
            expected.push(x);
            x = x.tomorrow().unwrap();
        }
        assert_eq!(covered, expected);
    }

    #[test]
    fn a_second_report_needs_its_reason() {
        let d = date(2026, 12, 4);
        assert_eq!(check_reason(d, false, " "), Ok(String::new()));
        assert_eq!(check_reason(d, true, " "), Err(ReportError::NeedsReason(d)));
        assert_eq!(
            check_reason(d, true, " 补录后重出 "),
            Ok("补录后重出".to_owned())
        );
        assert!(check_reason(d, true, &"长".repeat(MAX_REASON + 1)).is_err());
    }

    #[test]
    fn figures_round_and_compare() {
        let t = InspectionTally {
            done: 3,
            score_tenths: 2555,
            passed: 2,
        };
        assert_eq!(t.average_tenths(), Some(852));
        assert_eq!(t.pass_permille(), Some(667));
        assert_eq!(InspectionTally::default().average_tenths(), None);
        assert_eq!(Headline::daily_mean(t, 1, 7).anomalies, 14);
        assert_eq!(change_permille(5, 4), Some(250));
        assert_eq!(change_permille(3, 4), Some(-250));
        assert_eq!(change_permille(3, 0), None);
        let mut lines = Vec::new();
        add(&mut lines, "电话受理", Column::Open, 2);
        add(&mut lines, "回访", Column::New, 1);
        add(&mut lines, "电话受理", Column::New, 1);
        add(&mut lines, "邮件回复", Column::New, 1);
        rank(&mut lines);
        let labels: Vec<&str> = lines.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(labels, ["电话受理", "回访", "邮件回复"]);
    }
}
