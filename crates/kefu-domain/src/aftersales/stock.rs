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
        Err(StockError::BelowZero {
            have,
            want: -delta,
        })
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
    fn a_balance_never_goes_below_zero() {
        assert_eq!(apply(5, -5), Ok(0));
        assert_eq!(apply(5, -6), Err(StockError::BelowZero { have: 5, want: 6 }));
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
