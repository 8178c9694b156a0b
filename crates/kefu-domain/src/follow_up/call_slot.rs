//! 避免在客户休息时打扰客户 (002 §三) — the earliest moment a follow-up call may be made: on a
//! business day of the company's calendar (holidays off, 调休 make-up days on), inside the
//! company's calling hours, on the agent's shift, and outside the contact's rest hours
//! (免打扰时段, which may run past midnight). Every time of day is read in the business
//! calendar's zone.
//!
//! Times are whole minutes: calling hours, shifts and rest hours all start and end on a
//! minute, so a slot starts at the due moment itself or on the minute a stretch opens.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};

use crate::calendar::{BusinessCalendar, CalendarError, Period, department_hours};
use crate::customer::RestHours;
use crate::staff::shift::Roster;

/// Minutes in a day; a period may end at 24:00.
const DAY: u16 = 24 * 60;

/// How many days ahead a slot is looked for at most, whatever the window: a calendar that
/// never works ends the search instead of looping.
const HORIZON_DAYS: i32 = 3660;

/// 允许拨打时段 — the hours of a business day in which the company calls customers; 002's
/// example is 9:00–12:00 and 14:30–18:00.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallingHours(Vec<Period>);

impl CallingHours {
    /// The hours of `periods`, sorted, with overlapping or touching ones joined.
    pub fn new(periods: impl IntoIterator<Item = Period>) -> CallingHours {
        let mut sorted: Vec<Period> = periods.into_iter().collect();
        sorted.sort();
        let mut joined: Vec<Period> = Vec::with_capacity(sorted.len());
        for p in sorted {
            match joined.last_mut() {
                Some(last) if p.start <= last.end => last.end = last.end.max(p.end),
                _ => joined.push(p),
            }
        }
        CallingHours(joined)
    }

    /// Parses `09:00-12:00, 14:30-18:00` (commas, full-width commas or semicolons).
    pub fn parse(text: &str) -> Result<CallingHours, CalendarError> {
        let periods = text
            .split([',', ';', '，', '；'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(Period::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(CallingHours::new(periods))
    }

    /// The periods, sorted and disjoint.
    pub fn periods(&self) -> &[Period] {
        &self.0
    }
}

impl Default for CallingHours {
    /// 002's working hours: 9:00–12:00 and 14:30–18:00.
    fn default() -> CallingHours {
        CallingHours::new(department_hours())
    }
}

/// The rules one call must keep.
#[derive(Debug, Clone, Copy)]
pub struct CallWindow<'a> {
    /// Which dates are business days, and the zone every time of day is read in.
    pub business: &'a BusinessCalendar,
    pub calling_hours: &'a CallingHours,
    /// The agent's roster: the periods they work on each date.
    pub shift: &'a Roster,
    /// The contact's rest hours, when nobody may call them.
    pub rest: &'a RestHours,
}

/// A moment a call may be made, and when that stretch of the day closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallSlot {
    pub start: Timestamp,
    /// The end of the open stretch `start` is in (or the window's end, if sooner).
    pub end: Timestamp,
}

impl CallWindow<'_> {
    /// The earliest slot at or after `due` and before `until`; `None`: no slot in that
    /// window.
    pub fn earliest(&self, due: Timestamp, until: Timestamp) -> Option<CallSlot> {
        if due >= until {
            return None;
        }
        let local = |date, minute| self.business.local(date, minute);
        let mut date = due.to_zoned(self.business.time_zone().clone()).date();
        for _ in 0..HORIZON_DAYS {
            if local(date, 0)? >= until {
                return None;
            }
            for (open, close) in self.open_minutes(date) {
                let (open, close) = (local(date, open)?, local(date, close)?);
                if close <= due {
                    continue;
                }
                let start = open.max(due);
                if start >= until {
                    return None;
                }
                return Some(CallSlot {
                    start,
                    end: close.min(until),
                });
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// Whether a call may be made at `at`: what turns the dial button on.
    pub fn allows(&self, at: Timestamp) -> bool {
        let Ok(until) = at.checked_add(SignedDuration::from_mins(1)) else {
            return false;
        };
        self.earliest(at, until).is_some_and(|s| s.start == at)
    }

    /// The stretches of `date` in which a call may be made, as local minutes `[open,
    /// close)`, sorted and disjoint.
    fn open_minutes(&self, date: Date) -> Vec<(u16, u16)> {
        if !self.business.is_working_day(date) {
            return Vec::new();
        }
        let hours: Vec<(u16, u16)> = self
            .calling_hours
            .periods()
            .iter()
            .map(|p| (p.start, p.end))
            .collect();
        let shift: Vec<(u16, u16)> = self
            .shift
            .periods_on(date, self.business)
            .iter()
            .map(|p| (p.start, p.end))
            .collect();
        let mut open = intersect(&hours, &shift);
        for &(from, to) in &self.rest.0 {
            let resting: &[(u16, u16)] = if from < to {
                &[(from, to)]
            } else {
                &[(from, DAY), (0, to)]
            };
            for &r in resting {
                open = subtract(&open, r);
            }
        }
        open
    }
}

/// The overlap of two sorted, disjoint lists of intervals.
fn intersect(a: &[(u16, u16)], b: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut out = Vec::new();
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (s, e) = (a0.max(b0), a1.min(b1));
            if s < e {
                out.push((s, e));
            }
        }
    }
    out.sort_unstable();
    out
}

/// `list` without the minutes of `cut`.
fn subtract(list: &[(u16, u16)], cut: (u16, u16)) -> Vec<(u16, u16)> {
    let mut out = Vec::with_capacity(list.len() + 1);
    for &(s, e) in list {
        if cut.1 <= s || e <= cut.0 {
            out.push((s, e));
            continue;
        }
        if s < cut.0 {
            out.push((s, cut.0));
        }
        if cut.1 < e {
            out.push((cut.1, e));
        }
    }
    out
}

#[cfg(test)]
mod tests;
