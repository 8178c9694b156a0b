//! 满意度报表 — the months a satisfaction report covers, and the ways its figures are
//! grouped: the ticket surveys (CSAT) by month, agent, channel, ticket type, product,
//! customer tier or region; the relationship surveys (NPS) and their standard questions by
//! round, tier, customer type, region, product, the channel the invitation went by or the
//! customer's owner (the agent serving them).

use jiff::civil::Date;

/// The most months one report covers.
pub const MAX_MONTHS: i64 = 24;

keyed! {
    /// How the ticket surveys are grouped.
    CsatBy {
        Month = "month",
        Agent = "agent",
        Channel = "channel",
        TicketType = "ticket_type",
        Product = "product",
        Tier = "tier",
        Region = "region",
    }
}

keyed! {
    /// How the relationship invitations are grouped.
    NpsBy {
        Round = "round",
        Tier = "tier",
        CustomerType = "customer_type",
        Region = "region",
        Product = "product",
        Channel = "channel",
        Owner = "owner",
    }
}

/// Why a report's months are not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportRangeError {
    #[error("{0:?} is not a month like 2026-12")]
    BadMonth(String),
    #[error("the first month is after the last")]
    Backwards,
    #[error("a report covers at most {MAX_MONTHS} months")]
    TooLong,
}

/// The whole months from `first` to `last`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthRange {
    pub first: Date,
    pub last: Date,
}

fn month(s: &str) -> Result<Date, ReportRangeError> {
    let bad = || ReportRangeError::BadMonth(s.to_owned());
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.is_empty() || m.len() > 2 {
        return Err(bad());
    }
    let year: i16 = y.parse().map_err(|_| bad())?;
    let month: i8 = m.parse().map_err(|_| bad())?;
    if !(2000..=2099).contains(&year) {
        return Err(bad());
    }
    Date::new(year, month, 1).map_err(|_| bad())
}

impl MonthRange {
    /// The months `from`–`to` (`2026-01`, `2026-12`); a blank end is `today`'s month, a
    /// blank start the five months before the end.
    pub fn parse(from: &str, to: &str, today: Date) -> Result<MonthRange, ReportRangeError> {
        let last = if to.trim().is_empty() {
            today.first_of_month()
        } else {
            month(to)?
        };
        let first = if from.trim().is_empty() {
            last.checked_sub(jiff::Span::new().months(5))
                .map_err(|_| ReportRangeError::TooLong)?
        } else {
            month(from)?
        };
        let range = MonthRange { first, last };
        if first > last {
            return Err(ReportRangeError::Backwards);
        }
        if range.months().len() as i64 > MAX_MONTHS {
            return Err(ReportRangeError::TooLong);
        }
        Ok(range)
    }

    /// The first day of each month, then the first day after the range.
    pub fn starts(&self) -> Vec<Date> {
        let mut out = vec![self.first];
        let mut d = self.first;
        while d <= self.last {
            d = d
                .checked_add(jiff::Span::new().months(1))
                .unwrap_or(Date::MAX);
            out.push(d);
            if out.len() as i64 > MAX_MONTHS + 1 {
                break;
            }
        }
        out
    }

    /// `2026-01`… for each month.
    pub fn months(&self) -> Vec<String> {
        let starts = self.starts();
        starts[..starts.len() - 1]
            .iter()
            .map(|d| d.strftime("%Y-%m").to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_range_is_whole_months_with_a_default_of_six() {
        let today = date(2026, 12, 5);
        let r = MonthRange::parse("", "", today).unwrap();
        assert_eq!((r.first, r.last), (date(2026, 7, 1), date(2026, 12, 1)));
        assert_eq!(
            r.months(),
            [
                "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"
            ]
        );
        assert_eq!(*r.starts().last().unwrap(), date(2027, 1, 1));
        let r = MonthRange::parse("2025-01", "2026-12", today).unwrap();
        assert_eq!(r.months().len(), 24);
        assert_eq!(
            MonthRange::parse("2024-12", "2026-12", today),
            Err(ReportRangeError::TooLong)
        );
        assert_eq!(
            MonthRange::parse("2026-12", "2026-11", today),
            Err(ReportRangeError::Backwards)
        );
        for bad in [
            "2026-13",
            "26-01",
            "2026",
            "2026-1-1",
            "二〇二六-01",
            "1999-12",
        ] {
            assert_eq!(
                MonthRange::parse(bad, "", today),
                Err(ReportRangeError::BadMonth(bad.to_owned())),
                "{bad}"
            );
        }
        assert_eq!(
            MonthRange::parse("2026-3", "2026-03", today)
                .unwrap()
                .months(),
            ["2026-03"]
        );
    }
}
