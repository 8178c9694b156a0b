use std::collections::HashMap;

use proptest::prelude::*;

use super::*;

fn line(product_id: i64, quantity: i64, unit_price_fen: i64) -> LineInput {
    LineInput {
        product_id,
        quantity,
        unit_price_fen,
    }
}

#[test]
fn lines_are_checked_and_totalled_to_the_fen() {
    assert_eq!(
        check_lines(&[line(1, 3, 129_900), line(2, 1, 5)]),
        Ok(389_705)
    );
    assert_eq!(check_lines(&[]), Err(OrderError::Lines));
    assert_eq!(
        check_lines(&[line(1, 0, 100)]),
        Err(OrderError::Quantity { line: 1 })
    );
    assert_eq!(
        check_lines(&[line(1, 1, 100), line(1, 2, 100)]),
        Err(OrderError::ProductTwice(1))
    );
    assert!(matches!(
        check_lines(&[line(1, MAX_QUANTITY, money::MAX_AMOUNT_FEN)]),
        Err(OrderError::Amount { line: 1, .. })
    ));
    assert!(matches!(
        check_lines(&[line(1, 1, -1)]),
        Err(OrderError::Amount { line: 1, .. })
    ));
}

#[test]
fn a_line_partly_in_stock_is_split_between_a_sales_document_and_production() {
    let stock = HashMap::from([(1, 4), (2, 10)]);
    let s = split(
        &[line(1, 10, 100), line(2, 3, 100), line(3, 2, 100)],
        &stock,
    );
    assert_eq!(
        s.iter()
            .map(|x| (x.from_stock, x.to_produce))
            .collect::<Vec<_>>(),
        [(4, 6), (3, 0), (0, 2)]
    );
}

#[test]
fn grade_d_orders_only_on_prepayment_and_over_the_limit_the_manager_decides() {
    let on_credit = |grade, outstanding, amount| {
        check_credit(
            Payment::Credit,
            grade,
            100_000,
            outstanding,
            amount,
            TermsKind::OnCredit,
        )
    };
    assert_eq!(
        on_credit(Some(Grade::A), 0, 100_000),
        Ok(CreditCheck::Allowed)
    );
    assert_eq!(
        on_credit(Some(Grade::A), 50_000, 60_000),
        Ok(CreditCheck::NeedsManager(CreditDecision::NeedsApproval))
    );
    assert_eq!(
        on_credit(Some(Grade::C), 0, 1),
        Ok(CreditCheck::NeedsManager(CreditDecision::NeedsApproval))
    );
    assert_eq!(
        on_credit(Some(Grade::D), 0, 1),
        Err(OrderError::CreditRefused(CreditDecision::TermsSuspended))
    );
    assert_eq!(
        check_credit(
            Payment::Prepayment,
            Some(Grade::D),
            0,
            0,
            1,
            TermsKind::Unstated
        ),
        Ok(CreditCheck::Prepaid)
    );
}

#[test]
fn shipments_never_exceed_the_order_and_counts_never_exceed_the_shipment() {
    let lines = [
        LineProgress {
            ordered: 10,
            shipped: 4,
            received: 4,
        },
        LineProgress {
            ordered: 2,
            shipped: 0,
            received: 0,
        },
    ];
    assert_eq!(check_shipment(&lines, &[6, 2]), Ok(()));
    assert_eq!(
        check_shipment(&lines, &[7, 0]),
        Err(OrderError::AboveOrdered { line: 1, left: 6 })
    );
    assert_eq!(check_shipment(&lines, &[0, 0]), Err(OrderError::Lines));
    assert_eq!(check_received(&[6, 2], &[6, 1]), Ok(vec![(1, 2, 1)]));
    assert_eq!(
        check_received(&[6, 2], &[7, 2]),
        Err(OrderError::AboveShipped {
            line: 1,
            shipped: 6
        })
    );
    assert_eq!(state_of(&lines), OrderState::PartlyShipped);
    assert_eq!(
        check_change(1, lines[0], 3),
        Err(OrderError::BelowShipped {
            line: 1,
            shipped: 4
        })
    );
    assert_eq!(
        check_cancel(OrderState::PartlyShipped, &lines),
        Err(OrderError::AlreadyShipped)
    );
    assert_eq!(
        check_cancel(
            OrderState::Open,
            &[LineProgress {
                ordered: 1,
                ..Default::default()
            }]
        ),
        Ok(())
    );
}

#[test]
fn a_change_gives_back_production_first_and_takes_stock_first() {
    let s = Split {
        product_id: 1,
        from_stock: 4,
        to_produce: 6,
    };
    let (after, back) = rebalance(s, 3, 0);
    assert_eq!((after.from_stock, after.to_produce, back), (3, 0, 1));
    let (after, back) = rebalance(s, 12, 1);
    assert_eq!((after.from_stock, after.to_produce, back), (5, 7, -1));
    let today = jiff::civil::date(2026, 12, 7);
    let both = [s];
    assert_eq!(
        check_promised(&both, None, today),
        Err(OrderError::PromisedRequired)
    );
    assert_eq!(
        check_promised(&both, Some(jiff::civil::date(2026, 12, 6)), today),
        Err(OrderError::PromisedPast)
    );
    let stocked = [Split {
        product_id: 1,
        from_stock: 2,
        to_produce: 0,
    }];
    assert_eq!(check_promised(&stocked, None, today), Ok(None));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Every line is met in full, never more from stock than a product's stock, and the
    /// stock of a product is not counted twice.
    #[test]
    fn a_split_meets_every_line_and_never_overdraws_the_stock(
        asked in proptest::collection::vec((1i64..6, 1i64..50), 1..20),
        stock in proptest::collection::vec((1i64..6, 0i64..60), 0..6),
    ) {
        let available: HashMap<i64, i64> = stock.into_iter().collect();
        let mut seen = std::collections::HashSet::new();
        let lines: Vec<LineInput> = asked
            .into_iter()
            .filter(|(p, _)| seen.insert(*p))
            .map(|(p, q)| line(p, q, 100))
            .collect();
        let s = split(&lines, &available);
        let mut taken: HashMap<i64, i64> = HashMap::new();
        for (l, x) in lines.iter().zip(&s) {
            prop_assert_eq!(x.from_stock + x.to_produce, l.quantity);
            prop_assert!(x.from_stock >= 0 && x.to_produce >= 0);
            *taken.entry(l.product_id).or_default() += x.from_stock;
        }
        for (p, t) in taken {
            prop_assert!(t <= *available.get(&p).unwrap_or(&0));
        }
    }

    /// A change always meets the new quantity, never gives back more stock than the line
    /// held, and never takes more than was available.
    #[test]
    fn a_change_meets_the_new_quantity(
        from_stock in 0i64..50, to_produce in 0i64..50, quantity in 1i64..120, available in 0i64..60,
    ) {
        let s = Split { product_id: 1, from_stock, to_produce };
        let (after, back) = rebalance(s, quantity, available);
        prop_assert_eq!(after.from_stock + after.to_produce, quantity);
        prop_assert!(after.from_stock >= 0 && after.to_produce >= 0);
        prop_assert!(back <= from_stock);
        prop_assert!(-back <= available);
        prop_assert_eq!(after.from_stock, from_stock - back);
    }

    /// An order's total is the sum of its lines' quantity × price, to the fen.
    #[test]
    fn a_total_is_the_sum_of_the_lines(
        asked in proptest::collection::vec((1i64..1_000, 0i64..10_000_000), 1..30),
    ) {
        let lines: Vec<LineInput> = asked
            .iter()
            .enumerate()
            .map(|(i, (q, p))| line(i as i64, *q, *p))
            .collect();
        let want: i128 = asked.iter().map(|(q, p)| i128::from(*q) * i128::from(*p)).sum();
        if want <= i128::from(money::MAX_AMOUNT_FEN) {
            prop_assert_eq!(check_lines(&lines).map(i128::from), Ok(want));
        } else {
            prop_assert!(matches!(check_lines(&lines), Err(OrderError::Total(_))));
        }
    }

    /// Whatever is shipped and counted within the checks, the state follows the figures:
    /// closed only when all was shipped and received.
    #[test]
    fn the_state_follows_what_was_shipped_and_received(
        lines in proptest::collection::vec((1i64..20, 0i64..20, 0i64..20), 1..8),
    ) {
        let progress: Vec<LineProgress> = lines
            .iter()
            .map(|(o, s, r)| {
                let shipped = (*s).min(*o);
                LineProgress { ordered: *o, shipped, received: (*r).min(shipped) }
            })
            .collect();
        let state = state_of(&progress);
        let all_in = progress.iter().all(|l| l.received >= l.ordered);
        prop_assert_eq!(state == OrderState::Closed, all_in);
        if progress.iter().all(|l| l.shipped == 0) {
            prop_assert_eq!(state, OrderState::Open);
        }
    }
}
