//! 投诉统计报表 — the complaint statistics report's vocabulary (seed 000 §(八)5): what a
//! period is broken down by, and how days fall into the report's periods.

use jiff::ToSpan;
use jiff::civil::Date;

keyed! {
    /// What the report breaks complaints down by.
    Dimension {
        /// 投诉类别
        Category = "category",
        /// 投诉原因
        Cause = "cause",
        /// 责任部门
        Department = "department",
        /// 产品
        Product = "product",
        /// 料号
        PartNumber = "part_number",
        /// 客户
        Customer = "customer",
        /// 渠道
        Channel = "channel",
        /// 是否成立
        Validity = "validity",
        /// 严重程度
        Severity = "severity",
    }
}

keyed! {
    /// The periods of the report's time series.
    Period {
        Day = "day",
        Week = "week",
        Month = "month",
    }
}

/// The longest range one report covers.
pub const MAX_DAYS: i64 = 3 * 366;

/// Why a report cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error("the end of the range is before its start")]
    Reversed,
    #[error("a report covers at most three years")]
    TooLong,
}

/// Checks a range of whole days, both ends included.
pub fn check_range(from: Date, to: Date) -> Result<(), ReportError> {
    if to < from {
        return Err(ReportError::Reversed);
    }
    if (to - from).get_days() as i64 >= MAX_DAYS {
        return Err(ReportError::TooLong);
    }
    Ok(())
}

/// The first day of the period holding `day` (weeks start on Monday).
pub fn period_start(day: Date, period: Period) -> Date {
    match period {
        Period::Day => day,
        Period::Week => {
            let back = day.weekday().to_monday_zero_offset() as i64;
            day.checked_sub(back.days()).unwrap_or(day)
        }
        Period::Month => day.first_of_month(),
    }
}

/// Every period start from `from` to `to`, so empty periods show as zero.
pub fn periods(from: Date, to: Date, period: Period) -> Vec<Date> {
    let mut out = Vec::new();
    let mut d = period_start(from, period);
    while d <= to {
        out.push(d);
        let next = match period {
            Period::Day => d.checked_add(1.day()),
            Period::Week => d.checked_add(1.week()),
            Period::Month => d.checked_add(1.month()),
        };
        match next {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    out
}

/// The sensible period for a range: days up to two months, weeks up to half a year.
pub fn default_period(from: Date, to: Date) -> Period {
    let days = (to - from).get_days();
    if days <= 62 {
        Period::Day
    } else if days <= 183 {
        Period::Week
    } else {
        Period::Month
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weeks_start_on_monday_and_months_on_the_first() {
        // 2026-11-26 is a Thursday.
        assert_eq!(
            period_start(date(2026, 11, 26), Period::Week),
            date(2026, 11, 23)
        );
        assert_eq!(
            period_start(date(2026, 11, 23), Period::Week),
            date(2026, 11, 23)
        );
        assert_eq!(
            period_start(date(2026, 11, 26), Period::Month),
            date(2026, 11, 1)
        );
        assert_eq!(
            period_start(date(2026, 11, 26), Period::Day),
            date(2026, 11, 26)
        );
    }

    #[test]
    fn periods_cover_the_range_without_gaps() {
        let p = periods(date(2026, 1, 30), date(2026, 4, 2), Period::Month);
        assert_eq!(
            p,
            [
                date(2026, 1, 1),
                date(2026, 2, 1),
                date(2026, 3, 1),
                date(2026, 4, 1)
            ]
        );
        assert_eq!(
            periods(date(2026, 2, 27), date(2026, 3, 2), Period::Day).len(),
            4
        );
    }

    #[test]
    fn ranges_are_checked() {
        assert_eq!(
            check_range(date(2026, 2, 1), date(2026, 1, 1)),
            Err(ReportError::Reversed)
        );
        assert_eq!(
            check_range(date(2020, 1, 1), date(2026, 1, 1)),
            Err(ReportError::TooLong)
        );
        assert!(check_range(date(2026, 1, 1), date(2026, 1, 1)).is_ok());
        assert_eq!(
            default_period(date(2026, 1, 1), date(2026, 1, 31)),
            Period::Day
        );
        assert_eq!(
            default_period(date(2026, 1, 1), date(2026, 12, 31)),
            Period::Month
        );
    }
}
