//! 质量异常讨论会 — the meeting the quality specialist calls on the service items where most
//! anomalies happen, their causes and the measures' progress (000 §(四)5: 召集相关人员针对
//! 主要发生异常的服务项目的发生原因及措施检查进行讨论): a Pareto of the period's anomalies
//! by service item (the few items that make up most of them first), and the meeting's record
//! — who came, what was decided, and new measures that are then tracked like any other.

use jiff::civil::Date;

/// The share of all anomalies the "vital few" service items make up together, per mille.
pub const VITAL_SHARE_PERMILLE: i64 = 800;

/// The longest period a summary covers, in days.
pub const MAX_PERIOD_DAYS: i32 = 366;

/// The longest title, and the longest decisions text, in characters.
pub const MAX_TITLE: usize = 200;
pub const MAX_DECISIONS: usize = 5000;

/// The most attendees and new measures a record takes.
pub const MAX_ATTENDEES: usize = 50;
pub const MAX_MEASURES: usize = 20;

/// Why a meeting summary or record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MeetingError {
    #[error("a summary covers at most {max} days")]
    PeriodTooLong { max: i32 },
    #[error("a meeting needs its attendees")]
    NoAttendees,
    #[error("at most {max} attendees")]
    TooManyAttendees { max: usize },
    #[error("a meeting record needs its decisions")]
    NoDecisions,
    #[error("a text is at most {max} characters")]
    TextTooLong { max: usize },
    #[error("at most {max} new measures")]
    TooManyMeasures { max: usize },
    #[error("the meeting was held on {0}, a day still to come")]
    HeldInFuture(Date),
    #[error("anomaly {0} is not of the meeting's period")]
    AnomalyOutsidePeriod(String),
    #[error("new measure {0} needs its anomaly, owner and due date")]
    MeasureIncomplete(usize),
}

/// Checks a period's length (its order and bounds are [`crate::dates::check_range`]'s):
/// at most [`MAX_PERIOD_DAYS`].
pub fn check_period(from: Date, to: Date) -> Result<(), MeetingError> {
    let days = from.until(to).map(|s| s.get_days()).unwrap_or(i32::MAX);
    if days >= MAX_PERIOD_DAYS {
        return Err(MeetingError::PeriodTooLong {
            max: MAX_PERIOD_DAYS,
        });
    }
    Ok(())
}

/// A meeting record's text and people, before anything is written.
pub fn check_record(
    title: &str,
    decisions: &str,
    attendees: usize,
    measures: usize,
    held_on: Date,
    today: Date,
) -> Result<(), MeetingError> {
    if title.chars().count() > MAX_TITLE {
        return Err(MeetingError::TextTooLong { max: MAX_TITLE });
    }
    if decisions.trim().is_empty() {
        return Err(MeetingError::NoDecisions);
    }
    if decisions.chars().count() > MAX_DECISIONS {
        return Err(MeetingError::TextTooLong { max: MAX_DECISIONS });
    }
    if attendees == 0 {
        return Err(MeetingError::NoAttendees);
    }
    if attendees > MAX_ATTENDEES {
        return Err(MeetingError::TooManyAttendees { max: MAX_ATTENDEES });
    }
    if measures > MAX_MEASURES {
        return Err(MeetingError::TooManyMeasures { max: MAX_MEASURES });
    }
    if held_on > today {
        return Err(MeetingError::HeldInFuture(held_on));
    }
    Ok(())
}

/// One bar of the Pareto chart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParetoLine {
    pub label: String,
    pub count: i64,
    /// Its share of all, per mille.
    pub share_permille: i64,
    /// The running share up to and including it, per mille.
    pub cumulative_permille: i64,
    /// Among the few items that make up [`VITAL_SHARE_PERMILLE`] of all (the first item
    /// always is; so is the one that crosses the line).
    pub vital: bool,
}

/// The Pareto of `counts`: most first (ties by label), each with its share and running
/// share; items without anomalies left out.
pub fn pareto(counts: &[(String, i64)]) -> Vec<ParetoLine> {
    let mut sorted: Vec<&(String, i64)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    let mut running = 0;
    let mut before = 0;
    sorted
        .into_iter()
        .map(|(label, n)| {
            running += n;
            let cumulative = (running * 1000 + total / 2) / total;
            let line = ParetoLine {
                label: label.clone(),
                count: *n,
                share_permille: (n * 1000 + total / 2) / total,
                cumulative_permille: cumulative,
                vital: before < VITAL_SHARE_PERMILLE,
            };
            before = cumulative;
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn c(items: &[(&str, i64)]) -> Vec<(String, i64)> {
        items.iter().map(|(k, n)| (k.to_string(), *n)).collect()
    }

    #[test]
    fn the_vital_few_come_first_up_to_four_fifths() {
        let p = pareto(&c(&[
            ("回访", 5),
            ("电话受理", 40),
            ("对账", 0),
            ("邮件回复", 30),
            ("退换货", 15),
            ("在线咨询", 10),
        ]));
        let labels: Vec<&str> = p.iter().map(|l| l.label.as_str()).collect();
        assert_eq!(
            labels,
            ["电话受理", "邮件回复", "退换货", "在线咨询", "回访"]
        );
        let cumulative: Vec<i64> = p.iter().map(|l| l.cumulative_permille).collect();
        assert_eq!(cumulative, [400, 700, 850, 950, 1000]);
        let vital: Vec<bool> = p.iter().map(|l| l.vital).collect();
        assert_eq!(vital, [true, true, true, false, false]);
        assert!(pareto(&c(&[("回访", 0)])).is_empty());
        assert_eq!(pareto(&c(&[("回访", 3)]))[0].cumulative_permille, 1000);
    }

    #[test]
    fn a_record_needs_people_and_decisions() {
        let today = date(2026, 12, 7);
        assert_eq!(
            check_record("", " ", 2, 0, today, today),
            Err(MeetingError::NoDecisions)
        );
        assert_eq!(
            check_record("", "加强培训", 0, 0, today, today),
            Err(MeetingError::NoAttendees)
        );
        assert_eq!(
            check_record("", "加强培训", 2, 0, date(2026, 12, 8), today),
            Err(MeetingError::HeldInFuture(date(2026, 12, 8)))
        );
        assert_eq!(check_record("周会", "加强培训", 2, 1, today, today), Ok(()));
    }
}
