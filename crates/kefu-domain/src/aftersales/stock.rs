//! 配件与不良品 — spare parts stock as a ledger (000 §(七)7: 审批、制订不良品和产品配件的
//! 计划、发放及处理): every movement a receipt, an issue to a case, a transfer, a faulty part
//! back, a scrap, a return to the supplier or an adjustment, each tied to a document and a
//! person; what each does to the balance of a part at a location, good or defective; and the
//! one rule that no balance ever goes below zero.

keyed! {
    /// 库存状态 — good parts to issue, or defective ones waiting for their disposal.
    Condition {
        /// 良品
        Good = "good",
        /// 不良品
        Defective = "defective",
    }
}

keyed! {
    /// 出入库类型
    MovementKind {
        /// 入库 — from the supplier or production.
        Receipt = "receipt",
        /// 领用 — to a repair (an RMA).
        Issue = "issue",
        /// 调拨 — from one location to another.
        Transfer = "transfer",
        /// 旧件返回 — the faulty part taken out in a repair, back as defective.
        FaultyBack = "faulty_back",
        /// 报废 — a defective part scrapped.
        Scrap = "scrap",
        /// 退供应商 — a defective part sent back to the supplier.
        ReturnToSupplier = "return_to_supplier",
        /// 修复入库 — a defective part repaired, back as good.
        Restock = "restock",
        /// 盘点调整 — a count that differs from the book, with its reason.
        Adjustment = "adjustment",
    }
}

keyed! {
    /// 不良品处理方式 — what becomes of defective goods, once approved.
    Disposal {
        /// 修复入库 — repaired and back in stock as good.
        RepairRestock = "repair_restock",
        /// 退供应商
        ReturnToSupplier = "return_to_supplier",
        /// 报废
        Scrap = "scrap",
    }
}

impl Disposal {
    /// The movement that carries the disposal out.
    pub fn movement(self) -> MovementKind {
        match self {
            Disposal::RepairRestock => MovementKind::Restock,
            Disposal::ReturnToSupplier => MovementKind::ReturnToSupplier,
            Disposal::Scrap => MovementKind::Scrap,
        }
    }
}

keyed! {
    /// 审批状态 of an issue plan's line or a defective goods' disposal.
    Approval {
        /// 待审批
        Pending = "pending",
        /// 已批准
        Approved = "approved",
        /// 已驳回
        Rejected = "rejected",
    }
}

/// The most lines in one location's plan for a period.
pub const MAX_PLAN_LINES: usize = 500;

/// One line of an issue plan 配件发放计划: how many of a part a location is to hold for
/// the period's repairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    pub part_number: String,
    pub quantity: i64,
}

/// Reads a plan typed as lines of `料号 数量` (a space, tab or comma between), blank lines
/// skipped; every line is checked and every refusal named by its line number.
pub fn parse_plan(text: &str) -> Result<Vec<PlanLine>, Vec<(usize, PlanLineError)>> {
    let mut lines = Vec::new();
    let mut problems = Vec::new();
    for (n, raw) in text.lines().enumerate() {
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let mut parts = raw
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|p| !p.is_empty());
        let (Some(code), Some(q), None) = (parts.next(), parts.next(), parts.next()) else {
            problems.push((n + 1, PlanLineError::Shape));
            continue;
        };
        let code = code.to_uppercase();
        if lines.iter().any(|l: &PlanLine| l.part_number == code) {
            problems.push((n + 1, PlanLineError::Twice));
            continue;
        }
        match q.parse::<i64>() {
            Ok(q) if (0..=MAX_QUANTITY).contains(&q) => lines.push(PlanLine {
                part_number: code,
                quantity: q,
            }),
            _ => problems.push((n + 1, PlanLineError::Quantity)),
        }
    }
    if lines.len() > MAX_PLAN_LINES {
        problems.push((0, PlanLineError::TooMany));
    }
    if lines.is_empty() && problems.is_empty() {
        problems.push((0, PlanLineError::Empty));
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(problems)
    }
}

/// Why a plan's line is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanLineError {
    /// Not `料号 数量`.
    Shape,
    /// A quantity that is not a whole number 0–1,000,000.
    Quantity,
    /// The part named twice.
    Twice,
    /// More lines than a plan holds.
    TooMany,
    /// No line at all.
    Empty,
}

impl PlanLineError {
    pub fn key(self) -> &'static str {
        match self {
            PlanLineError::Shape => "shape",
            PlanLineError::Quantity => "quantity",
            PlanLineError::Twice => "twice",
            PlanLineError::TooMany => "too_many",
            PlanLineError::Empty => "empty",
        }
    }
}

/// How far a location's good stock is below its approved plan: 0 when at or above.
pub fn short_of_plan(good: i64, planned: i64) -> i64 {
    (planned - good).max(0)
}

/// The most of one part in one movement.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Why a movement is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StockError {
    /// The balance it would leave: `have` of the part there, `want` taken.
    #[error("only {have} in stock; {want} cannot be taken")]
    BelowZero { have: i64, want: i64 },
    #[error("a quantity is 1–{max}", max = MAX_QUANTITY)]
    Quantity,
    #[error("a transfer goes to another location")]
    SameLocation,
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{0} is at most 200 characters")]
    TooLong(&'static str),
    /// A plan's line refused: the first, by its line number (0: the plan as a whole).
    #[error("plan line {line}: {}", problem.key())]
    PlanLine { line: usize, problem: PlanLineError },
    #[error("no part has the number {0}")]
    UnknownPart(String),
    #[error("no RMA is numbered {0}")]
    UnknownRma(String),
    /// A faulty part back, a restock, a scrap or a return to the supplier is never typed:
    /// it is the registration of defective goods or its approved disposal.
    #[error("defective goods move by their registration and approved disposal")]
    ThroughDefective,
    /// A plan's period is a month, `YYYY-MM`.
    #[error("a plan's period is a month, YYYY-MM")]
    Period,
    /// 审批 takes a second person: who proposed does not approve.
    #[error("who proposed it does not decide it")]
    OwnProposal,
    /// A decision on what is no longer waiting for one.
    #[error("this was already decided")]
    Decided,
    /// An issue goes to a repair: the RMA it is for.
    #[error("an issue names the RMA it goes to")]
    IssueWithoutRma,
}

/// A movement asked: what, how many, where from and to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Movement {
    pub kind: MovementKind,
    /// How many; an adjustment may be negative (fewer than the book).
    pub quantity: i64,
    /// Where it leaves (an issue, transfer, scrap, return, faulty part's location) or
    /// arrives (a receipt, a restock, an adjustment).
    pub location: i64,
    /// A transfer's destination.
    pub to: Option<i64>,
}

/// One change of a balance: location, condition, by how much.
pub type Delta = (i64, Condition, i64);

/// What a movement does to the balances; refused when it asks nothing sensible.
pub fn deltas(m: &Movement) -> Result<Vec<Delta>, StockError> {
    let q = m.quantity;
    let signed_ok = m.kind == MovementKind::Adjustment && q != 0 && q.abs() <= MAX_QUANTITY;
    if !(signed_ok || (1..=MAX_QUANTITY).contains(&q)) {
        return Err(StockError::Quantity);
    }
    use Condition::{Defective, Good};
    let at = m.location;
    Ok(match m.kind {
        MovementKind::Receipt => vec![(at, Good, q)],
        MovementKind::Issue => vec![(at, Good, -q)],
        MovementKind::Transfer => {
            let to = m.to.ok_or(StockError::Required("to"))?;
            if to == at {
                return Err(StockError::SameLocation);
            }
            vec![(at, Good, -q), (to, Good, q)]
        }
        MovementKind::FaultyBack => vec![(at, Defective, q)],
        MovementKind::Scrap | MovementKind::ReturnToSupplier => vec![(at, Defective, -q)],
        MovementKind::Restock => vec![(at, Defective, -q), (at, Good, q)],
        MovementKind::Adjustment => vec![(at, Good, q)],
    })
}

/// The balance after `delta`, or why it cannot be: never below zero.
pub fn apply(have: i64, delta: i64) -> Result<i64, StockError> {
    let after = have.saturating_add(delta);
    if after < 0 {
        Err(StockError::BelowZero { have, want: -delta })
    } else {
        Ok(after)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;

    use super::*;

    fn m(kind: MovementKind, quantity: i64, location: i64, to: Option<i64>) -> Movement {
        Movement {
            kind,
            quantity,
            location,
            to,
        }
    }

    #[test]
    fn each_movement_moves_what_it_names() {
        use Condition::{Defective, Good};
        assert_eq!(
            deltas(&m(MovementKind::Transfer, 3, 1, Some(2))).unwrap(),
            vec![(1, Good, -3), (2, Good, 3)]
        );
        assert_eq!(
            deltas(&m(MovementKind::Restock, 2, 5, None)).unwrap(),
            vec![(5, Defective, -2), (5, Good, 2)]
        );
        assert_eq!(
            deltas(&m(MovementKind::Adjustment, -4, 1, None)).unwrap(),
            vec![(1, Good, -4)]
        );
        assert_eq!(
            deltas(&m(MovementKind::Issue, 0, 1, None)),
            Err(StockError::Quantity)
        );
        assert_eq!(
            deltas(&m(MovementKind::Issue, -1, 1, None)),
            Err(StockError::Quantity)
        );
        assert_eq!(
            deltas(&m(MovementKind::Transfer, 1, 1, Some(1))),
            Err(StockError::SameLocation)
        );
        assert_eq!(
            deltas(&m(MovementKind::Transfer, 1, 1, None)),
            Err(StockError::Required("to"))
        );
    }

    #[test]
    fn plans_read_every_line_and_name_each_refusal() {
        let ok = parse_plan("p-ysj-01 4\n\nP-KB-02,10\nP-X  0").unwrap();
        assert_eq!(ok.len(), 3);
        assert_eq!(ok[0].part_number, "P-YSJ-01");
        assert_eq!(ok[1].quantity, 10);
        let bad = parse_plan("P-1 4\nP-1 5\nP-2 -1\nP-3\nP-4 1.5").unwrap_err();
        assert_eq!(
            bad,
            vec![
                (2, PlanLineError::Twice),
                (3, PlanLineError::Quantity),
                (4, PlanLineError::Shape),
                (5, PlanLineError::Quantity),
            ]
        );
        assert_eq!(
            parse_plan(" \n").unwrap_err(),
            vec![(0, PlanLineError::Empty)]
        );
        assert_eq!(short_of_plan(3, 5), 2);
        assert_eq!(short_of_plan(7, 5), 0);
    }

    #[test]
    fn each_disposal_is_carried_out_by_its_movement() {
        use Condition::{Defective, Good};
        let restock = Movement {
            kind: Disposal::RepairRestock.movement(),
            quantity: 2,
            location: 1,
            to: None,
        };
        assert_eq!(
            deltas(&restock).unwrap(),
            vec![(1, Defective, -2), (1, Good, 2)]
        );
        for d in [Disposal::Scrap, Disposal::ReturnToSupplier] {
            let m = Movement {
                kind: d.movement(),
                quantity: 1,
                location: 1,
                to: None,
            };
            assert_eq!(deltas(&m).unwrap(), vec![(1, Defective, -1)]);
        }
    }

    #[test]
    fn a_balance_never_goes_below_zero() {
        assert_eq!(apply(5, -5), Ok(0));
        assert_eq!(
            apply(5, -6),
            Err(StockError::BelowZero { have: 5, want: 6 })
        );
        assert_eq!(apply(0, 3), Ok(3));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever movements are asked, in whatever order, the ledger that refuses any
        /// that would go below zero keeps every balance at or above zero, and each balance
        /// is the sum of the accepted movements' deltas.
        #[test]
        fn the_ledger_never_goes_below_zero(
            asked in proptest::collection::vec((0usize..8, -20i64..40, 1i64..4, 1i64..4), 1..80)
        ) {
            let mut balances: HashMap<(i64, Condition), i64> = HashMap::new();
            let mut sums: HashMap<(i64, Condition), i64> = HashMap::new();
            for (k, q, at, to) in asked {
                let mv = m(MovementKind::ALL[k], q, at, Some(to));
                let Ok(ds) = deltas(&mv) else { continue };
                // All of a movement's deltas apply, or none.
                let after: Result<Vec<_>, _> = ds
                    .iter()
                    .map(|(l, c, d)| apply(*balances.get(&(*l, *c)).unwrap_or(&0), *d).map(|b| ((*l, *c), b, *d)))
                    .collect();
                if let Ok(after) = after {
                    for (key, b, d) in after {
                        balances.insert(key, b);
                        *sums.entry(key).or_default() += d;
                    }
                }
            }
            for (key, b) in &balances {
                prop_assert!(*b >= 0);
                prop_assert_eq!(*b, sums[key]);
            }
        }
    }
}
