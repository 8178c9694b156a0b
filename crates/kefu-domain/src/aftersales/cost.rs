//! 售后服务费用 — what an RMA costs (000 §(七)7: 有效控制售后服务费用): the parts issued to it
//! at their cost that day, the labour, freight, compensation and other costs entered on it,
//! and its refund; the figures grouped by product, category, part, cause, service point,
//! customer or month, and held against the month's budget. An RMA's costs count in the
//! month it was registered.

use jiff::civil::Date;

use crate::follow_up::plan::PlanPeriod;
use crate::money::{self, AmountError};

keyed! {
    /// 费用类别 entered on an RMA (parts come from the stock issued, the refund from the RMA).
    CostKind {
        /// 人工费
        Labour = "labour",
        /// 运费
        Freight = "freight",
        /// 赔偿
        Compensation = "compensation",
        /// 其他
        Other = "other",
    }
}

keyed! {
    /// How the cost report groups its rows.
    CostGroup {
        /// 按产品
        Product = "product",
        /// 按产品类别
        Category = "category",
        /// 按配件
        Part = "part",
        /// 按原因 (the fault claimed)
        Cause = "cause",
        /// 按服务网点
        Point = "point",
        /// 按客户
        Customer = "customer",
        /// 按月
        Month = "month",
    }
}

/// The longest span one cost report covers, in months.
pub const MAX_REPORT_MONTHS: i64 = 24;

/// The longest note on a cost.
pub const MAX_NOTE: usize = 200;

/// Why a cost, a budget or a report's span is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CostError {
    #[error("amount: {0}")]
    Amount(AmountError),
    /// A cost is more than nothing.
    #[error("a cost is more than zero")]
    Zero,
    #[error("a note is at most {max} characters", max = MAX_NOTE)]
    Note,
    /// A month is `YYYY-MM`.
    #[error("{0} is not a month (YYYY-MM)")]
    Month(String),
    /// The span ends before it starts, or covers more than [`MAX_REPORT_MONTHS`].
    #[error("a report covers 1 to {max} months, from the first to the last", max = MAX_REPORT_MONTHS)]
    Span,
    /// Fault figures go to at least one department.
    #[error("choose at least one department")]
    NoDepartment,
}

/// A note as typed: trimmed, at most [`MAX_NOTE`] characters.
pub fn note(raw: &str) -> Result<String, CostError> {
    let note = raw.trim();
    if note.chars().count() > MAX_NOTE {
        return Err(CostError::Note);
    }
    Ok(note.to_owned())
}

/// A cost entered on an RMA, checked.
pub fn cost(amount_fen: i64, note: &str) -> Result<(i64, String), CostError> {
    let fen = money::amount(amount_fen).map_err(CostError::Amount)?;
    if fen == 0 {
        return Err(CostError::Zero);
    }
    Ok((fen, self::note(note)?))
}

/// A month as typed (`2026-12`).
pub fn month(key: &str) -> Result<PlanPeriod, CostError> {
    match PlanPeriod::parse(key.trim()) {
        Ok(p) if p.months() == 1 => Ok(p),
        _ => Err(CostError::Month(key.trim().chars().take(20).collect())),
    }
}

/// The days a report from month `from` to month `to` (both included) covers: the first day
/// and the day after the last.
pub fn span(from: &str, to: &str) -> Result<(Date, Date), CostError> {
    let (a, b) = (month(from)?, month(to)?);
    let start = a.start();
    let end = b.end();
    let months = (i64::from(end.year()) - i64::from(start.year())) * 12 + i64::from(end.month())
        - i64::from(start.month());
    if end <= start || months > MAX_REPORT_MONTHS {
        return Err(CostError::Span);
    }
    Ok((start, end))
}

/// The months of a span, first to last, as keys.
pub fn months_of(from: &str, to: &str) -> Result<Vec<String>, CostError> {
    span(from, to)?;
    let mut m = month(from)?;
    let last = month(to)?;
    let mut out = vec![m.key()];
    while m != last {
        m = m.next();
        out.push(m.key());
    }
    Ok(out)
}

/// A case's or a group's cost, in fen, by what it went on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Costs {
    pub parts: i64,
    pub labour: i64,
    pub freight: i64,
    pub compensation: i64,
    pub other: i64,
    pub refund: i64,
}

impl Costs {
    /// Everything, summed without overflow.
    pub fn total(&self) -> i64 {
        money::total([
            self.parts,
            self.labour,
            self.freight,
            self.compensation,
            self.other,
            self.refund,
        ])
    }

    /// Adds a cost entered on a case.
    pub fn add(&mut self, kind: CostKind, fen: i64) {
        let slot = match kind {
            CostKind::Labour => &mut self.labour,
            CostKind::Freight => &mut self.freight,
            CostKind::Compensation => &mut self.compensation,
            CostKind::Other => &mut self.other,
        };
        *slot = money::total([*slot, fen]);
    }
}

/// The share of a budget spent, in whole percent (rounded down); `None` without a budget.
pub fn budget_used(spent: i64, budget: i64) -> Option<i64> {
    (budget > 0).then(|| money::saturate(i128::from(spent) * 100 / i128::from(budget)))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_span_runs_from_the_first_month_to_the_last_and_at_most_two_years() {
        assert_eq!(
            span("2026-11", "2026-12").unwrap(),
            (date(2026, 11, 1), date(2027, 1, 1))
        );
        assert_eq!(span("2026-12", "2026-11"), Err(CostError::Span));
        assert!(span("2025-01", "2026-12").is_ok());
        assert_eq!(span("2024-12", "2026-12"), Err(CostError::Span));
        assert_eq!(
            span("2026-13", "2026-12"),
            Err(CostError::Month("2026-13".into()))
        );
        assert_eq!(
            span("2026-Q4", "2026-12"),
            Err(CostError::Month("2026-Q4".into()))
        );
        assert_eq!(
            months_of("2026-11", "2027-01").unwrap(),
            ["2026-11", "2026-12", "2027-01"]
        );
    }

    #[test]
    fn a_cost_is_more_than_nothing_and_bounded() {
        assert_eq!(cost(0, ""), Err(CostError::Zero));
        assert!(matches!(cost(-1, ""), Err(CostError::Amount(_))));
        assert!(matches!(
            cost(money::MAX_AMOUNT_FEN + 1, ""),
            Err(CostError::Amount(_))
        ));
        assert_eq!(cost(1_500, " 上门 ").unwrap(), (1_500, "上门".to_owned()));
        assert_eq!(budget_used(1_500, 10_000), Some(15));
        assert_eq!(budget_used(1_500, 0), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// A case's total is the sum of its buckets, to the fen, whatever order the costs
        /// came in.
        #[test]
        fn a_total_is_the_sum_of_what_it_went_on(
            entered in proptest::collection::vec((0usize..4, 1i64..=money::MAX_AMOUNT_FEN), 0..40),
            parts in 0i64..=money::MAX_AMOUNT_FEN,
            refund in 0i64..=money::MAX_AMOUNT_FEN,
        ) {
            let mut c = Costs { parts, refund, ..Costs::default() };
            let mut sum = i128::from(parts) + i128::from(refund);
            for (k, fen) in &entered {
                c.add(CostKind::ALL[*k], *fen);
                sum += i128::from(*fen);
            }
            prop_assert_eq!(i128::from(c.total()), sum);
        }
    }
}
