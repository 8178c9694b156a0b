//! 回访规则 — what makes a rule plan a visit, checked: every customer of a tier once per
//! period (定期回访), an occasion such as a holiday, the 店庆日 or a promotion (特色回访,
//! 002 §三3), or customers nobody has been in touch with for a while (沉睡客户).
//!
//! An occasion is a few days, at most [`MAX_OCCASION_DAYS`]; a yearly one comes back on
//! the same dates every year. Its visits are due from its first day and must be made by
//! its last. A dormant customer is one with no contact recorded for `days` days (nor, when
//! it never had one, since it was added); it gets one visit at a time.

use jiff::civil::Date;
use jiff::{Span, Timestamp};

use super::plan::{PlanError, check_months};
use crate::customer::Tier;
use crate::dates::{self, DateError};

keyed! {
    /// What makes a rule plan a visit.
    RuleKind {
        /// 定期回访 — every customer of a tier, once per period.
        TierPeriodic = "tier_periodic",
        /// 特色回访 — customers visited around a holiday, the 店庆日 or a promotion.
        Occasion = "occasion",
        /// 沉睡客户回访 — customers nobody has been in touch with for a while.
        Dormant = "dormant",
    }
}

/// The longest an occasion may last, in days.
pub const MAX_OCCASION_DAYS: i64 = 62;
/// How many days before an occasion its visits are planned.
pub const OCCASION_LEAD_DAYS: i64 = 30;
/// The fewest and most days without contact that make a customer dormant.
pub const DORMANT_DAYS: (i64, i64) = (30, 730);
/// How long a dormant customer's visit may take, in days.
pub const DORMANT_WINDOW_DAYS: i64 = 30;

/// Why a rule is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    #[error("a periodic rule needs a tier")]
    TierRequired,
    #[error("{0}")]
    Period(#[from] PlanError),
    #[error("an occasion needs its first and last day")]
    DatesRequired,
    #[error("{0}")]
    Date(#[from] DateError),
    #[error("an occasion lasts at most {MAX_OCCASION_DAYS} days")]
    OccasionTooLong,
    #[error("a customer is dormant after {min}–{max} days without contact", min = DORMANT_DAYS.0, max = DORMANT_DAYS.1)]
    DormantDays,
}

/// A rule as a form or the API gives it, before it is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RuleInput {
    pub tier: Option<Tier>,
    pub every_months: Option<i64>,
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    pub yearly: bool,
    pub dormant_days: Option<i64>,
}

/// 特色回访 — an occasion's days, `from` to `to` inclusive, every year when `yearly`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occasion {
    pub from: Date,
    pub to: Date,
    pub yearly: bool,
}

impl Occasion {
    /// The occurrence to plan on `today`: the first whose last day is today or later
    /// (this year's or the next for a yearly one); `None` once a one-off occasion is over.
    pub fn next_from(self, today: Date) -> Option<(Date, Date)> {
        if !self.yearly {
            return (self.to >= today).then_some((self.from, self.to));
        }
        let shift = |d: Date, years: i16| d.checked_add(Span::new().years(years)).ok();
        let mut years = today
            .year()
            .saturating_sub(self.to.year())
            .max(0)
            .saturating_sub(1);
        loop {
            let (from, to) = (shift(self.from, years)?, shift(self.to, years)?);
            if to >= today {
                return Some((from, to));
            }
            years = years.checked_add(1)?;
        }
    }
}

/// What a rule says, checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSpec {
    /// Every customer of `tier`, once per period of `months` months.
    TierPeriodic { tier: Tier, months: i8 },
    /// Customers of `tier` (every tier when `None`) visited during the occasion.
    Occasion {
        tier: Option<Tier>,
        occasion: Occasion,
    },
    /// Customers of `tier` (every tier when `None`) with no contact for `days` days.
    Dormant { tier: Option<Tier>, days: i64 },
}

impl RuleSpec {
    /// Checks a rule as a form or the API gives it; what another kind needs is ignored.
    pub fn new(kind: RuleKind, input: &RuleInput) -> Result<RuleSpec, RuleError> {
        match kind {
            RuleKind::TierPeriodic => Ok(RuleSpec::TierPeriodic {
                tier: input.tier.ok_or(RuleError::TierRequired)?,
                months: check_months(input.every_months.unwrap_or(1))?,
            }),
            RuleKind::Occasion => {
                let (Some(from), Some(to)) = (input.starts_on, input.ends_on) else {
                    return Err(RuleError::DatesRequired);
                };
                dates::check("starts_on", from)?;
                dates::check("ends_on", to)?;
                dates::check_range(from, to)?;
                let days = from.until(to).map_or(i64::MAX, |s| i64::from(s.get_days()));
                if days + 1 > MAX_OCCASION_DAYS {
                    return Err(RuleError::OccasionTooLong);
                }
                Ok(RuleSpec::Occasion {
                    tier: input.tier,
                    occasion: Occasion {
                        from,
                        to,
                        yearly: input.yearly,
                    },
                })
            }
            RuleKind::Dormant => {
                let days = input.dormant_days.ok_or(RuleError::DormantDays)?;
                if !(DORMANT_DAYS.0..=DORMANT_DAYS.1).contains(&days) {
                    return Err(RuleError::DormantDays);
                }
                Ok(RuleSpec::Dormant {
                    tier: input.tier,
                    days,
                })
            }
        }
    }

    pub fn kind(&self) -> RuleKind {
        match self {
            RuleSpec::TierPeriodic { .. } => RuleKind::TierPeriodic,
            RuleSpec::Occasion { .. } => RuleKind::Occasion,
            RuleSpec::Dormant { .. } => RuleKind::Dormant,
        }
    }

    /// The tier whose customers the rule visits; `None`: every tier.
    pub fn tier(&self) -> Option<Tier> {
        match *self {
            RuleSpec::TierPeriodic { tier, .. } => Some(tier),
            RuleSpec::Occasion { tier, .. } | RuleSpec::Dormant { tier, .. } => tier,
        }
    }

    /// The rule as a form shows it again.
    pub fn input(&self) -> RuleInput {
        match *self {
            RuleSpec::TierPeriodic { tier, months } => RuleInput {
                tier: Some(tier),
                every_months: Some(i64::from(months)),
                ..RuleInput::default()
            },
            RuleSpec::Occasion { tier, occasion } => RuleInput {
                tier,
                starts_on: Some(occasion.from),
                ends_on: Some(occasion.to),
                yearly: occasion.yearly,
                ..RuleInput::default()
            },
            RuleSpec::Dormant { tier, days } => RuleInput {
                tier,
                dormant_days: Some(days),
                ..RuleInput::default()
            },
        }
    }
}

/// 沉睡客户 — whether a customer last in touch at `last_contact` (never: `None`, counted
/// from `created_at`) is dormant at `now` after `days` days.
pub fn is_dormant(
    last_contact: Option<Timestamp>,
    created_at: Timestamp,
    days: i64,
    now: Timestamp,
) -> bool {
    last_contact.unwrap_or(created_at) <= dormant_cutoff(days, now)
}

/// The latest contact that leaves a customer dormant at `now` after `days` days.
pub fn dormant_cutoff(days: i64, now: Timestamp) -> Timestamp {
    now - jiff::SignedDuration::from_hours(days.clamp(0, DORMANT_DAYS.1) * 24)
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn periodic(tier: Option<Tier>, months: Option<i64>) -> RuleInput {
        RuleInput {
            tier,
            every_months: months,
            ..RuleInput::default()
        }
    }

    #[test]
    fn periodic_rules_need_a_tier_and_a_period_length() {
        let k = RuleKind::TierPeriodic;
        assert_eq!(
            RuleSpec::new(k, &periodic(None, Some(1))),
            Err(RuleError::TierRequired)
        );
        assert!(RuleSpec::new(k, &periodic(Some(Tier::Vip), Some(4))).is_err());
        assert_eq!(
            RuleSpec::new(k, &periodic(Some(Tier::Vip), Some(3))),
            Ok(RuleSpec::TierPeriodic {
                tier: Tier::Vip,
                months: 3
            })
        );
    }

    fn occasion(from: Option<Date>, to: Option<Date>) -> RuleInput {
        RuleInput {
            starts_on: from,
            ends_on: to,
            yearly: true,
            ..RuleInput::default()
        }
    }

    #[test]
    fn occasions_are_a_few_days_in_order() {
        let k = RuleKind::Occasion;
        let d = |m, day| Some(date(2026, m, day));
        assert_eq!(
            RuleSpec::new(k, &occasion(d(12, 28), None)),
            Err(RuleError::DatesRequired)
        );
        assert!(matches!(
            RuleSpec::new(k, &occasion(d(12, 28), d(12, 20))),
            Err(RuleError::Date(_))
        ));
        assert!(matches!(
            RuleSpec::new(k, &occasion(Some(date(1999, 1, 1)), d(1, 2))),
            Err(RuleError::Date(_))
        ));
        assert_eq!(
            RuleSpec::new(k, &occasion(d(1, 1), d(3, 31))),
            Err(RuleError::OccasionTooLong)
        );
        // 62 days is the most.
        assert!(RuleSpec::new(k, &occasion(d(1, 1), d(3, 3))).is_ok());
        assert_eq!(
            RuleSpec::new(k, &occasion(d(1, 1), d(3, 4))),
            Err(RuleError::OccasionTooLong)
        );
        let spec = RuleSpec::new(k, &occasion(d(12, 28), d(12, 31))).unwrap();
        assert_eq!(spec.tier(), None, "every tier");
        assert_eq!(RuleSpec::new(k, &spec.input()), Ok(spec));
    }

    #[test]
    fn a_yearly_occasion_comes_back_and_a_one_off_ends() {
        let store_day = Occasion {
            from: date(2024, 6, 18),
            to: date(2024, 6, 20),
            yearly: true,
        };
        assert_eq!(
            store_day.next_from(date(2026, 12, 3)),
            Some((date(2027, 6, 18), date(2027, 6, 20)))
        );
        assert_eq!(
            store_day.next_from(date(2027, 6, 20)),
            Some((date(2027, 6, 18), date(2027, 6, 20))),
            "its last day is still its own"
        );
        assert_eq!(
            store_day.next_from(date(2024, 1, 1)),
            Some((date(2024, 6, 18), date(2024, 6, 20)))
        );
        // Across the new year.
        let new_year = Occasion {
            from: date(2025, 12, 29),
            to: date(2026, 1, 2),
            yearly: true,
        };
        assert_eq!(
            new_year.next_from(date(2026, 12, 3)),
            Some((date(2026, 12, 29), date(2027, 1, 2)))
        );
        assert_eq!(
            new_year.next_from(date(2027, 1, 1)),
            Some((date(2026, 12, 29), date(2027, 1, 2)))
        );
        let once = Occasion {
            yearly: false,
            ..store_day
        };
        assert_eq!(once.next_from(date(2026, 12, 3)), None);
        assert_eq!(
            once.next_from(date(2024, 6, 20)),
            Some((date(2024, 6, 18), date(2024, 6, 20)))
        );
    }

    #[test]
    fn dormant_after_the_days_without_contact() {
        let k = RuleKind::Dormant;
        let input = |days| RuleInput {
            dormant_days: days,
            ..RuleInput::default()
        };
        assert_eq!(RuleSpec::new(k, &input(None)), Err(RuleError::DormantDays));
        assert_eq!(
            RuleSpec::new(k, &input(Some(7))),
            Err(RuleError::DormantDays)
        );
        assert_eq!(
            RuleSpec::new(k, &input(Some(731))),
            Err(RuleError::DormantDays)
        );
        assert!(RuleSpec::new(k, &input(Some(90))).is_ok());
        let t = |s: &str| -> Timestamp { s.parse().unwrap() };
        let now = t("2026-12-03T02:00:00Z");
        assert!(is_dormant(
            Some(t("2026-09-04T02:00:00Z")),
            t("2020-01-01T00:00:00Z"),
            90,
            now
        ));
        assert!(!is_dormant(
            Some(t("2026-09-04T02:00:01Z")),
            t("2020-01-01T00:00:00Z"),
            90,
            now
        ));
        // Never in touch: counted from when it was added.
        assert!(!is_dormant(None, t("2026-11-01T00:00:00Z"), 90, now));
        assert!(is_dormant(None, t("2026-01-01T00:00:00Z"), 90, now));
    }
}
