use jiff::civil::date;
use proptest::prelude::*;

use super::*;

fn claim(kind: RmaKind, fault: Fault, days: i64, amount_fen: i64) -> Claim {
    let delivered_on = date(2026, 3, 1);
    Claim {
        kind,
        fault,
        delivered_on,
        requested_on: delivered_on
            .checked_add(jiff::Span::new().days(days))
            .unwrap(),
        failed_repairs: 0,
        product_warranty_months: 12,
        amount_fen,
    }
}

fn decide(c: &Claim) -> Decision {
    check(&default_policy(), c).unwrap()
}

#[test]
fn the_shipped_policy_is_the_three_guarantees_and_reads_back() {
    let p = default_policy().checked().unwrap();
    assert_eq!(
        (p.return_days, p.exchange_days, p.failed_repairs),
        (7, 15, 2)
    );
    assert_eq!(p.clauses.len(), ClauseKey::ALL.len());
    assert!(p.clause(ClauseKey::ReturnWindow).contains("7日内"));
    assert_eq!(clause_number(ClauseKey::ReturnWindow), 1);
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), p);
}

#[test]
fn a_quality_return_is_taken_for_seven_days_an_exchange_for_fifteen() {
    let small = 20_000;
    let d = decide(&claim(RmaKind::Return, Fault::Quality, 7, small));
    assert_eq!(
        (d.verdict, d.approver, d.clause, d.reason),
        (
            Verdict::Eligible,
            Approver::Auto,
            ClauseKey::ReturnWindow,
            Reason::WithinReturnWindow
        )
    );
    let d = decide(&claim(RmaKind::Return, Fault::Quality, 8, small));
    assert_eq!(
        (d.verdict, d.approver, d.reason),
        (
            Verdict::Outside,
            Approver::Manager,
            Reason::PastReturnWindow
        )
    );
    assert_eq!(
        decide(&claim(RmaKind::Exchange, Fault::Quality, 15, small)).verdict,
        Verdict::Eligible
    );
    assert_eq!(
        decide(&claim(RmaKind::Exchange, Fault::Quality, 16, small)).reason,
        Reason::PastExchangeWindow
    );
}

#[test]
fn two_failed_repairs_in_warranty_open_an_exchange_or_return() {
    let mut c = claim(RmaKind::Exchange, Fault::Quality, 100, 20_000);
    c.failed_repairs = 1;
    assert_eq!(decide(&c).verdict, Verdict::Outside);
    c.failed_repairs = 2;
    let d = decide(&c);
    assert_eq!(
        (d.verdict, d.clause),
        (Verdict::Eligible, ClauseKey::FailedRepairs)
    );
    c.kind = RmaKind::Return;
    assert_eq!(decide(&c).reason, Reason::RepeatedFailedRepairs);
    // Past the warranty, the repairs no longer open it.
    let mut late = claim(RmaKind::Return, Fault::Quality, 400, 20_000);
    late.failed_repairs = 3;
    assert_eq!(decide(&late).verdict, Verdict::Outside);
}

#[test]
fn a_repair_is_free_in_warranty_and_quoted_after_or_for_damage() {
    let d = decide(&claim(RmaKind::Repair, Fault::Quality, 300, 80_000));
    assert_eq!(
        (d.clause, d.paid_repair, d.in_warranty, d.approver),
        (ClauseKey::RepairWarranty, false, true, Approver::Specialist)
    );
    // The warranty of 12 months from 2026-03-01 runs to 2027-02-28.
    let d = decide(&claim(RmaKind::Repair, Fault::Quality, 364, 80_000));
    assert!(d.in_warranty);
    let d = decide(&claim(RmaKind::Repair, Fault::Quality, 365, 80_000));
    assert_eq!(
        (d.verdict, d.clause, d.paid_repair, d.in_warranty),
        (Verdict::Eligible, ClauseKey::PaidRepair, true, false)
    );
    let d = decide(&claim(RmaKind::Repair, Fault::CustomerDamage, 3, 80_000));
    assert_eq!((d.reason, d.paid_repair), (Reason::CustomerDamage, true));
    let d = decide(&claim(RmaKind::Return, Fault::CustomerDamage, 3, 100));
    assert_eq!(
        (d.verdict, d.clause),
        (Verdict::Outside, ClauseKey::CustomerDamage)
    );
    let refusing = Policy {
        paid_repair_for_damage: false,
        ..default_policy()
    };
    let d = check(
        &refusing,
        &claim(RmaKind::Repair, Fault::CustomerDamage, 3, 100),
    )
    .unwrap();
    assert_eq!(d.reason, Reason::CustomerDamageRefused);
}

#[test]
fn goods_without_fault_come_back_only_in_a_no_fault_window() {
    let d = decide(&claim(RmaKind::Return, Fault::NoFault, 1, 100));
    assert_eq!(
        (d.verdict, d.reason),
        (Verdict::Outside, Reason::NoFaultNotTaken)
    );
    let seven = Policy {
        no_fault_return_days: 7,
        ..default_policy()
    };
    let c = claim(RmaKind::Return, Fault::NoFault, 7, 100);
    assert_eq!(
        check(&seven, &c).unwrap().reason,
        Reason::WithinNoFaultWindow
    );
    let c = claim(RmaKind::Exchange, Fault::NoFault, 1, 100);
    assert_eq!(check(&seven, &c).unwrap().verdict, Verdict::Outside);
}

#[test]
fn the_amount_decides_who_approves() {
    let at = |fen| decide(&claim(RmaKind::Return, Fault::Quality, 1, fen)).approver;
    assert_eq!(at(50_000), Approver::Auto);
    assert_eq!(at(50_001), Approver::Specialist);
    assert_eq!(at(500_000), Approver::Specialist);
    assert_eq!(at(500_001), Approver::Manager);
    assert_eq!(
        decide(&claim(RmaKind::Return, Fault::Quality, 1, 500_001)).verdict,
        Verdict::NeedsApproval
    );
}

#[test]
fn a_claim_before_delivery_or_of_wild_money_is_refused() {
    let mut c = claim(RmaKind::Return, Fault::Quality, 0, 100);
    c.requested_on = date(2026, 2, 28);
    assert_eq!(
        check(&default_policy(), &c),
        Err(ClaimError::BeforeDelivery)
    );
    let c = claim(RmaKind::Return, Fault::Quality, 0, -1);
    assert!(matches!(
        check(&default_policy(), &c),
        Err(ClaimError::Amount(_))
    ));
}

#[test]
fn a_policy_is_refused_for_what_it_gets_wrong() {
    let bad = |p: Policy| p.checked().unwrap_err();
    assert_eq!(
        bad(Policy {
            return_days: 366,
            ..default_policy()
        }),
        PolicyError::Days
    );
    assert_eq!(
        bad(Policy {
            failed_repairs: 0,
            ..default_policy()
        }),
        PolicyError::FailedRepairs
    );
    assert_eq!(
        bad(Policy {
            auto_approve_fen: 600_000,
            ..default_policy()
        }),
        PolicyError::Limits
    );
    let mut blank = default_policy();
    blank.clauses[2].text = "  ".into();
    assert_eq!(
        bad(blank),
        PolicyError::ClauseMissing("repair_warranty".into())
    );
    let mut missing = default_policy();
    missing.clauses.pop();
    assert_eq!(
        bad(missing),
        PolicyError::ClauseMissing("approval_limits".into())
    );
}

fn span(number: i64, from: Date, to: Option<Date>) -> Span {
    Span { number, from, to }
}

#[test]
fn a_new_version_ends_the_open_one_or_is_refused_for_an_overlap() {
    let v1 = span(1, date(2020, 1, 1), None);
    assert_eq!(place(&[v1], date(2026, 1, 1), None), Ok(Some(1)));
    assert_eq!(
        place(&[v1], date(2020, 1, 1), None),
        Err(PolicyError::Overlap(1))
    );
    assert_eq!(
        place(&[v1], date(2019, 1, 1), None),
        Err(PolicyError::Overlap(1))
    );
    // Before it, ending before it starts: no overlap.
    assert_eq!(
        place(&[v1], date(2019, 1, 1), Some(date(2019, 12, 31))),
        Ok(None)
    );
    let closed = [
        span(1, date(2020, 1, 1), Some(date(2025, 12, 31))),
        span(2, date(2026, 1, 1), None),
    ];
    assert_eq!(
        place(&closed, date(2025, 6, 1), Some(date(2025, 6, 30))),
        Err(PolicyError::Overlap(1))
    );
    assert_eq!(place(&closed, date(2026, 7, 1), None), Ok(Some(2)));
    assert_eq!(
        place(&[], date(2026, 7, 1), Some(date(2026, 6, 1))),
        Err(PolicyError::Reversed)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever the claim, the decision is consistent: outside means the manager; a paid
    /// repair never needs anyone; within the policy the approver follows the amount.
    #[test]
    fn every_decision_follows_the_limits(
        kind in 0usize..4, fault in 0usize..3, days in 0i64..800,
        repairs in 0u32..4, warranty in 0u32..40, amount in 0i64..2_000_000,
    ) {
        let c = Claim {
            kind: RmaKind::ALL[kind],
            fault: Fault::ALL[fault],
            delivered_on: date(2024, 1, 31),
            requested_on: date(2024, 1, 31).checked_add(jiff::Span::new().days(days)).unwrap(),
            failed_repairs: repairs,
            product_warranty_months: warranty,
            amount_fen: amount,
        };
        let p = default_policy();
        let d = check(&p, &c).unwrap();
        prop_assert_eq!(d.days, days);
        match d.verdict {
            Verdict::Outside => prop_assert_eq!(d.approver, Approver::Manager),
            Verdict::Eligible => prop_assert!(d.paid_repair || amount <= p.auto_approve_fen),
            Verdict::NeedsApproval => {
                prop_assert!(!d.paid_repair && amount > p.auto_approve_fen);
                let expect = if amount <= p.specialist_limit_fen {
                    Approver::Specialist
                } else {
                    Approver::Manager
                };
                prop_assert_eq!(d.approver, expect);
            }
        }
        // Damage by the customer is never returned or exchanged within the policy.
        if c.fault == Fault::CustomerDamage && c.kind != RmaKind::Repair {
            prop_assert_eq!(d.verdict, Verdict::Outside);
        }
        // A quality return inside 7 days is always within the policy.
        if c.fault == Fault::Quality && c.kind == RmaKind::Return && days <= 7 {
            prop_assert!(d.verdict != Verdict::Outside);
        }
    }
}
