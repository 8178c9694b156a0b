//! 大客户 — the key-account specialist's duties (000 §(六)): arranging the customer service
//! manager's regular visits to the key accounts (§(六)1) with a report of each; asking the
//! key accounts often what they think of the agents serving them and changing the agent
//! when they are not served well (§(六)3).
//!
//! A key account is due a manager visit when its last visit done is more than
//! [`VISIT_EVERY_MONTHS`] months ago (or it never had one) and none is planned. A rating of
//! the customer's agent at or under [`LOW_RATING`] proposes a change of agent, which the
//! manager applies (naming the new agent) or dismisses. The opinion is asked each calendar
//! quarter ([`rating_due`]).
//!
//! [`plan`] holds the service plan of each account (§(六)5), [`policy`] its discounts and
//! incentives (§(六)6).

pub mod plan;
pub mod policy;

use jiff::Timestamp;

/// A key account should see the manager at least this often.
pub const VISIT_EVERY_MONTHS: i64 = 3;
/// A rating at or under this proposes a change of agent.
pub const LOW_RATING: i64 = 2;
/// How far ahead a visit may be arranged, in days.
pub const MAX_AHEAD_DAYS: i64 = 366;
/// The longest purpose, in characters.
pub const MAX_PURPOSE: usize = 500;
/// The longest part of a report (or a rating's comment, a note), in characters.
pub const MAX_TEXT: usize = 4000;

keyed! {
    /// How the manager meets the customer.
    VisitMode {
        /// 上门拜访
        OnSite = "on_site",
        Phone = "phone",
        Video = "video",
    }
}

keyed! {
    /// Where a manager visit stands.
    VisitState {
        Planned = "planned",
        Done = "done",
        Cancelled = "cancelled",
    }
}

/// Why an arrangement, a report, a rating or a decision is refused; nothing is stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyAccountError {
    #[error("only key accounts get the manager's visits")]
    NotKeyAccount,
    #[error("the visit is arranged for a time from now to a year ahead")]
    BadTime,
    #[error("{field} is required")]
    Required { field: &'static str },
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("a rating is 1–5")]
    BadScore,
    #[error("the visit is {0:?} already")]
    VisitClosed(VisitState),
    #[error("the visitor must be an active customer service manager")]
    NotAManager,
    #[error("nobody serves this customer: give it an owner first")]
    NoAgent,
    #[error("the change was decided already")]
    ChangeDecided,
    #[error("the new agent must be someone else, active")]
    BadNewAgent,
    #[error("a plan is reviewed every 1, 3, 6 or 12 months")]
    BadReviewInterval,
    #[error("the next review is from today to a year ahead")]
    BadReviewDate,
    #[error("a plan holds at most {max} goals")]
    TooManyGoals { max: usize },
    #[error("a discount or rebate needs its rate")]
    RateRequired,
    #[error("a rate is 0.01 % to {max_bp} basis points")]
    BadRate { max_bp: i64 },
    #[error("a free or priority service has no rate or amount")]
    RateNotApplicable,
    #[error("a rebate needs the purchases it starts at")]
    ThresholdRequired,
    #[error("a policy runs until today or later, for at most {years} years")]
    PolicyDates { years: i64 },
    #[error("the policy is {0:?} already")]
    PolicyDecided(policy::PolicyState),
    #[error("the account has no service plan yet: write it first")]
    NoPlan,
    #[error("nobody approves a policy they proposed")]
    OwnPolicy,
    #[error("only the proposer or the manager withdraws a policy")]
    NotYourPolicy,
    #[error(transparent)]
    Date(#[from] crate::dates::DateError),
    #[error(transparent)]
    Amount(#[from] crate::money::AmountError),
}

/// Trims a text field and checks it: required when `required`, at most `max` characters.
pub fn text(
    field: &'static str,
    v: &str,
    max: usize,
    required: bool,
) -> Result<String, KeyAccountError> {
    let v = v.trim();
    if required && v.is_empty() {
        return Err(KeyAccountError::Required { field });
    }
    if v.chars().count() > max {
        return Err(KeyAccountError::TooLong { field, max });
    }
    Ok(v.to_owned())
}

/// Checks an arrangement: a time from `now` to [`MAX_AHEAD_DAYS`] ahead, a purpose. Returns
/// the purpose trimmed.
pub fn check_arrangement(
    at: Timestamp,
    purpose: &str,
    now: Timestamp,
) -> Result<String, KeyAccountError> {
    let ahead = jiff::SignedDuration::from_hours(24 * MAX_AHEAD_DAYS);
    if at < now || at > now + ahead {
        return Err(KeyAccountError::BadTime);
    }
    text("purpose", purpose, MAX_PURPOSE, true)
}

/// A visit's report as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VisitReport {
    /// 拜访纪要 — what was found.
    pub summary: String,
    /// 客户需求 — what the customer asked for.
    pub requests: String,
    /// 后续措施 — what follows, and who does it.
    pub actions: String,
}

/// Checks a report: the summary is required, each part at most [`MAX_TEXT`] characters.
pub fn check_report(r: &VisitReport) -> Result<VisitReport, KeyAccountError> {
    Ok(VisitReport {
        summary: text("summary", &r.summary, MAX_TEXT, true)?,
        requests: text("requests", &r.requests, MAX_TEXT, false)?,
        actions: text("actions", &r.actions, MAX_TEXT, false)?,
    })
}

/// Checks a rating of the agent (1–5) and its comment; returns the comment trimmed and
/// whether it proposes a change of agent.
pub fn check_rating(score: i64, comment: &str) -> Result<(String, bool), KeyAccountError> {
    if !(1..=5).contains(&score) {
        return Err(KeyAccountError::BadScore);
    }
    Ok((
        text("comment", comment, MAX_TEXT, false)?,
        score <= LOW_RATING,
    ))
}

/// Whether a key account whose last visit was done `last` (none: `None`) is due a visit
/// on `today`, none being planned.
pub fn visit_due(last: Option<jiff::civil::Date>, today: jiff::civil::Date) -> bool {
    match last {
        None => true,
        Some(d) => d
            .checked_add(jiff::Span::new().months(VISIT_EVERY_MONTHS))
            .is_ok_and(|next| next <= today),
    }
}

/// Whether a key account last rated its agent on `last` (never: `None`) is due to be asked
/// again on `today`: its opinion is heard each calendar quarter (经常性地征求意见).
pub fn rating_due(last: Option<jiff::civil::Date>, today: jiff::civil::Date) -> bool {
    let quarter = |d: jiff::civil::Date| (d.year(), (d.month() - 1) / 3);
    last.is_none_or(|d| quarter(d) != quarter(today))
}

/// The last day a key account's visit may have been done for it to be due another on
/// `today`: [`visit_due`] holds exactly for the days on or before it, so a list can be
/// filtered by one comparison.
pub fn visit_due_through(today: jiff::civil::Date) -> jiff::civil::Date {
    let back = jiff::Span::new().months(VISIT_EVERY_MONTHS);
    let mut d = today.checked_sub(back).unwrap_or(jiff::civil::Date::MIN);
    // Adding months clamps to a month's end, so a few days around the estimate may differ.
    while !visit_due(Some(d), today) {
        match d.yesterday() {
            Ok(y) => d = y,
            Err(_) => return d,
        }
    }
    while let Ok(next) = d.tomorrow() {
        if !visit_due(Some(next), today) {
            break;
        }
        d = next;
    }
    d
}

/// The first day of `today`'s calendar quarter: an opinion heard before it is due again
/// ([`rating_due`]).
pub fn rating_quarter_start(today: jiff::civil::Date) -> jiff::civil::Date {
    let month = (today.month() - 1) / 3 * 3 + 1;
    jiff::civil::Date::new(today.year(), month, 1).unwrap_or(today)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_due_cutoffs_agree_with_the_rules_on_every_day() {
        let mut today = date(2023, 11, 1);
        while today < date(2028, 3, 1) {
            let through = visit_due_through(today);
            let quarter = rating_quarter_start(today);
            let mut last = today.checked_sub(jiff::Span::new().days(200)).unwrap();
            while last <= today {
                assert_eq!(
                    visit_due(Some(last), today),
                    last <= through,
                    "{last} {today}"
                );
                assert_eq!(
                    rating_due(Some(last), today),
                    last < quarter,
                    "{last} {today}"
                );
                last = last.tomorrow().unwrap();
            }
            today = today.tomorrow().unwrap();
        }
    }

    #[test]
    fn a_key_accounts_opinion_is_asked_each_quarter() {
        let today = date(2026, 12, 5);
        assert!(rating_due(None, today));
        assert!(!rating_due(Some(date(2026, 10, 1)), today));
        assert!(rating_due(Some(date(2026, 9, 30)), today));
        assert!(rating_due(Some(date(2025, 12, 5)), today), "a year ago");
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn an_arrangement_is_ahead_within_a_year_and_says_why() {
        let now = at("2026-12-03T02:00:00Z");
        assert_eq!(
            check_arrangement(at("2026-12-10T02:00:00Z"), " 季度拜访 ", now),
            Ok("季度拜访".to_owned())
        );
        assert_eq!(
            check_arrangement(at("2026-12-02T02:00:00Z"), "x", now),
            Err(KeyAccountError::BadTime)
        );
        assert_eq!(
            check_arrangement(at("2028-01-01T02:00:00Z"), "x", now),
            Err(KeyAccountError::BadTime)
        );
        assert_eq!(
            check_arrangement(at("2026-12-10T02:00:00Z"), "  ", now),
            Err(KeyAccountError::Required { field: "purpose" })
        );
    }

    #[test]
    fn reports_and_ratings_are_checked() {
        assert_eq!(
            check_report(&VisitReport::default()),
            Err(KeyAccountError::Required { field: "summary" })
        );
        let long = VisitReport {
            summary: "好".into(),
            actions: "改".repeat(MAX_TEXT + 1),
            ..VisitReport::default()
        };
        assert_eq!(
            check_report(&long),
            Err(KeyAccountError::TooLong {
                field: "actions",
                max: MAX_TEXT
            })
        );
        assert_eq!(check_rating(0, ""), Err(KeyAccountError::BadScore));
        assert_eq!(check_rating(6, ""), Err(KeyAccountError::BadScore));
        assert_eq!(check_rating(2, " 回复太慢 "), Ok(("回复太慢".into(), true)));
        assert_eq!(check_rating(3, ""), Ok((String::new(), false)));
    }

    #[test]
    fn a_key_account_is_due_three_months_after_its_last_visit() {
        let today = date(2026, 12, 3);
        assert!(visit_due(None, today));
        assert!(visit_due(Some(date(2026, 9, 3)), today));
        assert!(!visit_due(Some(date(2026, 9, 4)), today));
    }
}
