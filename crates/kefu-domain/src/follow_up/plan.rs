//! 回访计划 — which customers a rule plans visits for, in which period, and who is in the
//! scope of the 100 % coverage duty (002 §三4: 必须保证优质客户的100%的回访).
//!
//! A periodic rule works in calendar periods of 1, 3, 6 or 12 months that start in January
//! (a month, a quarter, a half-year, a year). One visit is planned per rule, customer and
//! period; the period's key (`2026-12`, `2026-Q4`, `2026-H2`, `2026`) makes that unique.

use std::fmt;

use jiff::Timestamp;
use jiff::civil::Date;

use crate::customer::Tier;

/// Why a plan rule or period is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("a period is 1, 3, 6 or 12 months, not {0}")]
    BadMonths(i64),
    #[error("not a period: {0:?} (2026-12, 2026-Q4, 2026-H2 or 2026)")]
    BadPeriod(String),
}

/// A calendar period a periodic rule plans in: `months` long, starting on the first of
/// `start`'s month. The first day is in the period, `end` is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PlanPeriod {
    start: Date,
    months: i8,
}

/// The period lengths a rule may use, in months.
pub const PERIOD_MONTHS: [i8; 4] = [1, 3, 6, 12];

impl PlanPeriod {
    /// The period of `months` months that holds `date`.
    pub fn containing(date: Date, months: i64) -> Result<PlanPeriod, PlanError> {
        let months = check_months(months)?;
        let first = (date.month() - 1) / months * months + 1;
        let start = Date::new(date.year(), first, 1).map_err(|_| PlanError::BadMonths(0))?;
        Ok(PlanPeriod { start, months })
    }

    /// Reads a period's key: `2026-12` (a month), `2026-Q4`, `2026-H2` or `2026`.
    pub fn parse(key: &str) -> Result<PlanPeriod, PlanError> {
        let bad = || PlanError::BadPeriod(key.to_owned());
        let key = key.trim();
        let (year, rest) = match key.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (key, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let year: i16 = year.parse().map_err(|_| bad())?;
        if !(2000..=2099).contains(&year) {
            return Err(bad());
        }
        let number = |s: &str, max: i8| -> Result<i8, PlanError> {
            let n: i8 = s.parse().map_err(|_| bad())?;
            if s.len() > 2 || !(1..=max).contains(&n) {
                return Err(bad());
            }
            Ok(n)
        };
        let (first, months) = match rest {
            None => (1, 12),
            Some(r) => {
                if let Some(q) = r.strip_prefix('Q') {
                    ((number(q, 4)? - 1) * 3 + 1, 3)
                } else if let Some(h) = r.strip_prefix('H') {
                    ((number(h, 2)? - 1) * 6 + 1, 6)
                } else if r.len() == 2 {
                    (number(r, 12)?, 1)
                } else {
                    return Err(bad());
                }
            }
        };
        let start = Date::new(year, first, 1).map_err(|_| bad())?;
        Ok(PlanPeriod { start, months })
    }

    /// The first day.
    pub fn start(self) -> Date {
        self.start
    }

    /// The day after the last day.
    pub fn end(self) -> Date {
        self.start
            .checked_add(jiff::Span::new().months(self.months))
            .unwrap_or(Date::MAX)
    }

    pub fn months(self) -> i8 {
        self.months
    }

    /// The period after this one.
    pub fn next(self) -> PlanPeriod {
        PlanPeriod {
            start: self.end(),
            months: self.months,
        }
    }

    /// The key stored with each visit: `2026-12`, `2026-Q4`, `2026-H2` or `2026`.
    pub fn key(self) -> String {
        self.to_string()
    }
}

impl fmt::Display for PlanPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m) = (self.start.year(), self.start.month());
        match self.months {
            1 => write!(f, "{y}-{m:02}"),
            3 => write!(f, "{y}-Q{}", (m - 1) / 3 + 1),
            6 => write!(f, "{y}-H{}", (m - 1) / 6 + 1),
            _ => write!(f, "{y}"),
        }
    }
}

pub(crate) fn check_months(months: i64) -> Result<i8, PlanError> {
    PERIOD_MONTHS
        .iter()
        .copied()
        .find(|&m| i64::from(m) == months)
        .ok_or(PlanError::BadMonths(months))
}

/// One change of a customer's tier, from the archive's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierChange {
    pub at: Timestamp,
    pub old: Option<Tier>,
    pub new: Option<Tier>,
}

/// 回访覆盖范围 — whether a customer is in a period's coverage duty for `tier`: it held that
/// tier at some moment of the period `[start, end)`. That is the customer of that tier on
/// the period's first day, and the one upgraded to it (or added with it) during the period;
/// a customer downgraded during the period stays in scope for it, since it was a key
/// customer when the period began. A customer added after the period is not.
///
/// `changes` are the customer's tier changes in the order they were made; `current` is its
/// tier now.
pub fn held_tier_during(
    tier: Tier,
    current: Tier,
    created_at: Timestamp,
    changes: &[TierChange],
    start: Timestamp,
    end: Timestamp,
) -> bool {
    if created_at >= end {
        return false;
    }
    let from = start.max(created_at);
    // The tier at `from`: set by the last change before or at it, else the one the first
    // later change left, else the tier now.
    let at_from = changes
        .iter()
        .rev()
        .find(|c| c.at <= from)
        .map(|c| c.new)
        .or_else(|| changes.iter().find(|c| c.at > from).map(|c| c.old))
        .unwrap_or(Some(current));
    at_from == Some(tier)
        || changes
            .iter()
            .any(|c| c.at > from && c.at < end && c.new == Some(tier))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    #[test]
    fn periods_hold_their_dates_and_read_back_from_their_keys() {
        let d = date(2026, 12, 3);
        for (months, key, start, end) in [
            (1, "2026-12", date(2026, 12, 1), date(2027, 1, 1)),
            (3, "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
            (6, "2026-H2", date(2026, 7, 1), date(2027, 1, 1)),
            (12, "2026", date(2026, 1, 1), date(2027, 1, 1)),
        ] {
            let p = PlanPeriod::containing(d, months).unwrap();
            assert_eq!(p.key(), key);
            assert_eq!((p.start(), p.end()), (start, end));
            assert_eq!(PlanPeriod::parse(key).unwrap(), p);
        }
        let q1 = PlanPeriod::containing(date(2027, 2, 28), 3).unwrap();
        assert_eq!(q1.key(), "2027-Q1");
        assert_eq!(q1.next().key(), "2027-Q2");
        assert_eq!(
            PlanPeriod::parse("2027-02").unwrap().end(),
            date(2027, 3, 1)
        );
    }

    #[test]
    fn bad_periods_are_refused() {
        for bad in [
            "",
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-H3",
            "26-12",
            "2026-1",
            "2026-Q",
            "1999",
            "2026-12-01",
            "２０２６",
        ] {
            assert!(PlanPeriod::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            PlanPeriod::containing(date(2026, 1, 1), 2),
            Err(PlanError::BadMonths(2))
        );
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_tier_on_the_first_day_or_won_during_the_period_is_in_scope() {
        let (start, end) = (at("2026-12-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
        let created = at("2026-01-01T00:00:00Z");
        let key = Tier::KeyAccount;
        let change = |t: &str, old: Tier, new: Tier| TierChange {
            at: at(t),
            old: Some(old),
            new: Some(new),
        };
        // Never changed: the tier now.
        assert!(held_tier_during(key, key, created, &[], start, end));
        assert!(!held_tier_during(key, Tier::Vip, created, &[], start, end));
        // Upgraded during the period.
        let up = [change("2026-12-15T00:00:00Z", Tier::Vip, key)];
        assert!(held_tier_during(key, key, created, &up, start, end));
        // Upgraded after it: not in this period's scope.
        let late = [change("2027-01-02T00:00:00Z", Tier::Vip, key)];
        assert!(!held_tier_during(key, key, created, &late, start, end));
        // Downgraded during the period: it was a key customer on the first day.
        let down = [change("2026-12-10T00:00:00Z", key, Tier::Normal)];
        assert!(held_tier_during(
            key,
            Tier::Normal,
            created,
            &down,
            start,
            end
        ));
        // Downgraded before the period.
        let before = [change("2026-11-10T00:00:00Z", key, Tier::Normal)];
        assert!(!held_tier_during(
            key,
            Tier::Normal,
            created,
            &before,
            start,
            end
        ));
        // Added during the period as a key customer; added after it.
        assert!(held_tier_during(
            key,
            key,
            at("2026-12-20T00:00:00Z"),
            &[],
            start,
            end
        ));
        assert!(!held_tier_during(key, key, end, &[], start, end));
    }
}
