//! 业务日期 — the range of dates kefu accepts as business dates, and the one parser every
//! date typed into a page, the API, a filter, a custom field or a holiday list goes through.
//!
//! A business date before [`MIN_DATE`] or after [`MAX_DATE`] is a mistake: `1970-01-01` is
//! an empty field read as the epoch, `9999-12-31` a "forever" from another system. At the
//! far end the calendar itself stops — the day after 9999-12-31 does not exist, so a range
//! ending there cannot be turned into instants. One rule, the same on SQLite and
//! PostgreSQL: every date lies in `MIN_DATE..=MAX_DATE`, and a range's start is not after
//! its end. Instants that stand for a business date (when a complaint was received, the
//! promised answer) are held to the same range by their Beijing date.

use jiff::Timestamp;
use jiff::civil::{Date, date};
use jiff::tz::TimeZone;

/// The first business date kefu accepts.
pub const MIN_DATE: Date = date(2000, 1, 1);

/// The last business date kefu accepts.
pub const MAX_DATE: Date = date(2099, 12, 31);

/// Why a date is refused. `field` names the input (`from`, `delivery_date`…).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{field}: {value:?} is not a date (YYYY-MM-DD)")]
    NotADate { field: String, value: String },
    #[error("{field}: a date must lie between {min} and {max}", min = MIN_DATE, max = MAX_DATE)]
    OutOfRange { field: String },
    #[error("the end date is before the start date")]
    Reversed,
}

/// The one way a date is read from input: `YYYY-MM-DD`, within the business range.
pub fn parse(field: &str, value: &str) -> Result<Date, DateError> {
    let v = value.trim();
    let d: Date = v.parse().map_err(|_| DateError::NotADate {
        field: field.to_owned(),
        value: v.to_owned(),
    })?;
    check(field, d)
}

/// [`parse`] for an optional input: missing or blank is `None`.
pub fn parse_opt(field: &str, value: Option<&str>) -> Result<Option<Date>, DateError> {
    value
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| parse(field, v))
        .transpose()
}

/// Checks a date already read (a default, a value handed to a use case).
pub fn check(field: &str, d: Date) -> Result<Date, DateError> {
    if (MIN_DATE..=MAX_DATE).contains(&d) {
        Ok(d)
    } else {
        Err(DateError::OutOfRange {
            field: field.to_owned(),
        })
    }
}

/// Checks a range of days, both ends included: both in the business range, the start not
/// after the end.
pub fn check_range(from: Date, to: Date) -> Result<(), DateError> {
    check("from", from)?;
    check("to", to)?;
    if to < from {
        return Err(DateError::Reversed);
    }
    Ok(())
}

/// Checks an instant that stands for a business date: its date in Beijing time must lie in
/// the business range.
pub fn check_instant(field: &str, at: Timestamp) -> Result<Timestamp, DateError> {
    let tz = TimeZone::get(crate::calendar::DEFAULT_TIME_ZONE)
        .unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(8)));
    check(field, at.to_zoned(tz).date())?;
    Ok(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(field: &str) -> DateError {
        DateError::OutOfRange {
            field: field.into(),
        }
    }

    #[test]
    fn the_business_range_is_this_century() {
        assert_eq!(MIN_DATE.to_string(), "2000-01-01");
        assert_eq!(MAX_DATE.to_string(), "2099-12-31");
        // The day after the last business date exists, so every range becomes instants.
        assert!(MAX_DATE.tomorrow().is_ok());
    }

    #[test]
    fn dates_parse_within_the_bounds_only() {
        assert_eq!(parse("to", " 2026-11-22 "), Ok(date(2026, 11, 22)));
        assert_eq!(parse("to", "2000-01-01"), Ok(MIN_DATE));
        assert_eq!(parse("to", "2099-12-31"), Ok(MAX_DATE));
        assert_eq!(parse("to", "9999-12-31"), Err(out("to")));
        assert_eq!(parse("from", "1970-01-01"), Err(out("from")));
        assert_eq!(parse("from", "1999-12-31"), Err(out("from")));
        assert_eq!(parse("to", "2100-01-01"), Err(out("to")));
        assert_eq!(
            parse("from", "yesterday"),
            Err(DateError::NotADate {
                field: "from".into(),
                value: "yesterday".into()
            })
        );
        assert!(matches!(
            parse("d", "2026-13-01"),
            Err(DateError::NotADate { .. })
        ));
        assert_eq!(parse_opt("d", None), Ok(None));
        assert_eq!(parse_opt("d", Some("  ")), Ok(None));
        assert_eq!(
            parse_opt("d", Some("2026-01-02")),
            Ok(Some(date(2026, 1, 2)))
        );
        assert_eq!(parse_opt("d", Some("0001-01-01")), Err(out("d")));
    }

    #[test]
    fn ranges_run_forward_within_the_bounds() {
        assert_eq!(check_range(date(2026, 1, 1), date(2026, 1, 1)), Ok(()));
        assert_eq!(
            check_range(date(2026, 2, 1), date(2026, 1, 1)),
            Err(DateError::Reversed)
        );
        assert_eq!(
            check_range(date(1970, 1, 1), date(2026, 1, 1)),
            Err(out("from"))
        );
        assert_eq!(
            check_range(date(2026, 1, 1), date(9999, 12, 31)),
            Err(out("to"))
        );
    }

    #[test]
    fn instants_are_held_to_their_beijing_date() {
        let at = |s: &str| s.parse::<Timestamp>().unwrap();
        assert!(check_instant("received_at", at("2026-11-22T02:00:00Z")).is_ok());
        assert_eq!(
            check_instant("received_at", Timestamp::UNIX_EPOCH),
            Err(out("received_at"))
        );
        // 1999-12-31 16:00 UTC is already 2000-01-01 in Beijing.
        assert!(check_instant("at", at("1999-12-31T16:00:00Z")).is_ok());
        assert!(check_instant("at", at("1999-12-31T15:59:59Z")).is_err());
        // 2099-12-31 16:00 UTC is 2100-01-01 in Beijing.
        assert!(check_instant("at", at("2099-12-31T15:59:59Z")).is_ok());
        assert!(check_instant("at", at("2099-12-31T16:00:00Z")).is_err());
    }
}
