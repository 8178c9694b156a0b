//! 大客户服务方案 — the service plan the key-account specialist designs with each key
//! account "to meet its particular needs at each stage of its development" (000 §(六)5).
//!
//! A plan names the stage the account is in ([`Stage`], the usual four of a customer
//! relationship), what the account needs now, and goals, each for a stage, with how it is
//! measured and by when. It is reviewed with the customer every 1, 3, 6 or 12 months: a
//! review records what was found and may move the account to another stage; the next
//! review falls that many months after it (or on a date chosen). A plan whose review date
//! has come is due; the specialist is reminded once per review date.

use jiff::civil::Date;

use super::{KeyAccountError, MAX_TEXT, text};
use crate::dates;

/// How often a plan may be reviewed, in months.
pub const REVIEW_INTERVALS: [i64; 4] = [1, 3, 6, 12];
/// The most goals one plan holds.
pub const MAX_GOALS: usize = 20;
/// The longest goal or measure, in characters.
pub const MAX_GOAL: usize = 500;

keyed! {
    /// 客户发展阶段 — where the account is in its relationship with the company.
    Stage {
        /// 考察期 — trying the company out.
        Exploring = "exploring",
        /// 形成期 — buying more, the relationship forming.
        Forming = "forming",
        /// 稳定期 — a settled partner.
        Stable = "stable",
        /// 退化期 — buying less, at risk.
        Declining = "declining",
    }
}

keyed! {
    /// Where a goal stands.
    GoalState {
        Open = "open",
        /// 已达成
        Met = "met",
        /// 未达成
        Missed = "missed",
        /// 已取消 — no longer wanted.
        Dropped = "dropped",
    }
}

/// A goal of the plan: what the company means to achieve for the account at a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub stage: Stage,
    /// 目标 — e.g. "备件 48 小时到货".
    pub goal: String,
    /// 衡量方式 — how it is known to be met.
    pub measure: String,
    pub due_on: Option<Date>,
    pub state: GoalState,
}

/// A plan as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub stage: Stage,
    /// 客户需求 — what the account needs at this stage.
    pub needs: String,
    pub review_every_months: i64,
    pub next_review_on: Date,
    pub goals: Vec<Goal>,
}

fn interval(months: i64) -> Result<i64, KeyAccountError> {
    if REVIEW_INTERVALS.contains(&months) {
        Ok(months)
    } else {
        Err(KeyAccountError::BadReviewInterval)
    }
}

/// The next review is from `today` to a year ahead.
fn review_date(on: Date, today: Date) -> Result<Date, KeyAccountError> {
    let on = dates::check("next_review_on", on)?;
    let year = today
        .checked_add(jiff::Span::new().years(1))
        .unwrap_or(today);
    if on < today || on > year {
        return Err(KeyAccountError::BadReviewDate);
    }
    Ok(on)
}

/// Checks a plan written on `today`: the needs, a review interval of 1, 3, 6 or 12 months,
/// the next review from today to a year ahead, and 1 to [`MAX_GOALS`] goals, each with its
/// goal and measure and a due date in the business range. Returns it with texts trimmed.
pub fn check_plan(p: &Plan, today: Date) -> Result<Plan, KeyAccountError> {
    let needs = text("needs", &p.needs, MAX_TEXT, true)?;
    let review_every_months = interval(p.review_every_months)?;
    let next_review_on = review_date(p.next_review_on, today)?;
    if p.goals.is_empty() {
        return Err(KeyAccountError::Required { field: "goals" });
    }
    if p.goals.len() > MAX_GOALS {
        return Err(KeyAccountError::TooManyGoals { max: MAX_GOALS });
    }
    let goals = p
        .goals
        .iter()
        .map(|g| {
            Ok(Goal {
                stage: g.stage,
                goal: text("goal", &g.goal, MAX_GOAL, true)?,
                measure: text("measure", &g.measure, MAX_GOAL, true)?,
                due_on: g.due_on.map(|d| dates::check("due_on", d)).transpose()?,
                state: g.state,
            })
        })
        .collect::<Result<_, KeyAccountError>>()?;
    Ok(Plan {
        stage: p.stage,
        needs,
        review_every_months,
        next_review_on,
        goals,
    })
}

/// A review as written: what was found, the stage after it, and the next review date
/// (`None`: the plan's interval after `today`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    pub findings: String,
    pub stage: Stage,
    pub next_review_on: Option<Date>,
}

/// Checks a review held on `today` of a plan reviewed every `every_months`; returns the
/// findings trimmed and the next review date.
pub fn check_review(
    r: &Review,
    every_months: i64,
    today: Date,
) -> Result<(String, Date), KeyAccountError> {
    let findings = text("findings", &r.findings, MAX_TEXT, true)?;
    let next = match r.next_review_on {
        Some(d) => review_date(d, today)?,
        None => next_review(today, every_months),
    };
    Ok((findings, next))
}

/// The review after one held on `on`: `every_months` later (the month's last day when the
/// day does not exist, as 31 January + 1 month is 28 or 29 February).
pub fn next_review(on: Date, every_months: i64) -> Date {
    on.checked_add(jiff::Span::new().months(every_months.clamp(1, 12)))
        .unwrap_or(on)
}

/// Whether a plan whose next review is `next_review_on` is due on `today`.
pub fn review_due(next_review_on: Date, today: Date) -> bool {
    next_review_on <= today
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn plan() -> Plan {
        Plan {
            stage: Stage::Forming,
            needs: " 扩大采购，要求备件及时 ".into(),
            review_every_months: 3,
            next_review_on: date(2027, 3, 1),
            goals: vec![Goal {
                stage: Stage::Forming,
                goal: " 备件 48 小时到货 ".into(),
                measure: "到货记录".into(),
                due_on: Some(date(2027, 6, 30)),
                state: GoalState::Open,
            }],
        }
    }

    #[test]
    fn a_plan_needs_its_needs_an_interval_a_review_date_and_goals() {
        let today = date(2026, 12, 5);
        let ok = check_plan(&plan(), today).unwrap();
        assert_eq!(ok.needs, "扩大采购，要求备件及时");
        assert_eq!(ok.goals[0].goal, "备件 48 小时到货");
        let with = |f: fn(&mut Plan)| {
            let mut p = plan();
            f(&mut p);
            check_plan(&p, today)
        };
        assert_eq!(
            with(|p| p.needs = " ".into()),
            Err(KeyAccountError::Required { field: "needs" })
        );
        assert_eq!(
            with(|p| p.review_every_months = 2),
            Err(KeyAccountError::BadReviewInterval)
        );
        assert_eq!(
            with(|p| p.next_review_on = date(2026, 12, 4)),
            Err(KeyAccountError::BadReviewDate)
        );
        assert_eq!(
            with(|p| p.next_review_on = date(2027, 12, 6)),
            Err(KeyAccountError::BadReviewDate)
        );
        assert_eq!(
            with(|p| p.goals.clear()),
            Err(KeyAccountError::Required { field: "goals" })
        );
        assert_eq!(
            with(|p| p.goals = vec![p.goals[0].clone(); MAX_GOALS + 1]),
            Err(KeyAccountError::TooManyGoals { max: MAX_GOALS })
        );
        assert_eq!(
            with(|p| p.goals[0].measure = String::new()),
            Err(KeyAccountError::Required { field: "measure" })
        );
        assert!(matches!(
            with(|p| p.goals[0].due_on = Some(date(2100, 1, 1))),
            Err(KeyAccountError::Date(_))
        ));
    }

    #[test]
    fn the_next_review_follows_the_interval_and_the_month_end() {
        assert_eq!(next_review(date(2026, 12, 5), 3), date(2027, 3, 5));
        assert_eq!(next_review(date(2027, 1, 31), 1), date(2027, 2, 28));
        assert_eq!(next_review(date(2026, 12, 5), 12), date(2027, 12, 5));
        let review = Review {
            findings: "已进入稳定期".into(),
            stage: Stage::Stable,
            next_review_on: None,
        };
        assert_eq!(
            check_review(&review, 6, date(2026, 12, 5)),
            Ok(("已进入稳定期".into(), date(2027, 6, 5)))
        );
        assert_eq!(
            check_review(
                &Review {
                    findings: String::new(),
                    ..review.clone()
                },
                6,
                date(2026, 12, 5)
            ),
            Err(KeyAccountError::Required { field: "findings" })
        );
        assert!(review_due(date(2026, 12, 5), date(2026, 12, 5)));
        assert!(!review_due(date(2026, 12, 6), date(2026, 12, 5)));
    }
}
