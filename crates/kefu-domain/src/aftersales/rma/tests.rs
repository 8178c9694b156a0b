use super::*;

fn facts(kind: RmaKind, state: RmaState) -> RmaFacts {
    RmaFacts {
        kind,
        state,
        fault: Fault::Quality,
        paid_repair: false,
        paid_fen: 100_000,
    }
}

fn moved(r: &RmaFacts, m: RmaMove) -> RmaState {
    apply(r, &m).unwrap().state
}

#[test]
fn a_return_goes_from_request_to_close() {
    use RmaState as S;
    assert_eq!(
        first_state(RmaKind::Return, Approver::Auto),
        S::AwaitingGoods
    );
    assert_eq!(
        first_state(RmaKind::Return, Approver::Specialist),
        S::PendingApproval
    );
    let mut r = facts(RmaKind::Return, S::PendingApproval);
    for (m, want) in [
        (RmaMove::Approve, S::AwaitingGoods),
        (RmaMove::Receive, S::Received),
        (
            RmaMove::Inspect {
                result: Inspection::FaultConfirmed,
                quote_fen: None,
            },
            S::Approved,
        ),
        (
            RmaMove::Refund {
                amount_fen: 100_000,
            },
            S::Refunded,
        ),
        (RmaMove::Close, S::Closed),
    ] {
        r.state = moved(&r, m);
        assert_eq!(r.state, want);
    }
    assert!(r.state.is_final());
}

#[test]
fn a_refund_needs_no_goods_and_never_exceeds_what_was_paid() {
    let r = facts(RmaKind::Refund, RmaState::PendingApproval);
    assert_eq!(moved(&r, RmaMove::Approve), RmaState::Approved);
    let r = facts(RmaKind::Refund, RmaState::Approved);
    assert_eq!(
        apply(
            &r,
            &RmaMove::Refund {
                amount_fen: 100_001
            }
        ),
        Err(RmaError::RefundAbovePaid { paid_fen: 100_000 })
    );
    assert_eq!(
        apply(&r, &RmaMove::Refund { amount_fen: 0 }),
        Err(RmaError::ZeroAmount)
    );
    assert_eq!(
        apply(&r, &RmaMove::Replace),
        Err(RmaError::NotNow {
            action: "replace",
            state: "approved"
        })
    );
}

#[test]
fn an_inspection_without_grounds_rejects_a_return_and_quotes_a_repair() {
    let r = facts(RmaKind::Exchange, RmaState::Received);
    let inspect = |result, quote_fen| RmaMove::Inspect { result, quote_fen };
    assert_eq!(
        moved(&r, inspect(Inspection::CustomerDamage, None)),
        RmaState::Rejected
    );
    let repair = facts(RmaKind::Repair, RmaState::Received);
    assert_eq!(
        moved(&repair, inspect(Inspection::FaultConfirmed, None)),
        RmaState::Approved
    );
    assert_eq!(
        apply(&repair, &inspect(Inspection::CustomerDamage, None)),
        Err(RmaError::Required("quote"))
    );
    let quoted = apply(&repair, &inspect(Inspection::CustomerDamage, Some(28_000))).unwrap();
    assert_eq!((quoted.state, quoted.paid_repair), (RmaState::Quoted, true));
    let q = facts(RmaKind::Repair, RmaState::Quoted);
    assert_eq!(moved(&q, RmaMove::AcceptQuote), RmaState::Approved);
    assert_eq!(moved(&q, RmaMove::DeclineQuote), RmaState::Closed);
    // Out of warranty the repair was paid from the start: quoted even when confirmed.
    let paid = RmaFacts {
        paid_repair: true,
        ..repair
    };
    assert_eq!(
        apply(&paid, &inspect(Inspection::FaultConfirmed, Some(1)))
            .unwrap()
            .state,
        RmaState::Quoted
    );
}

#[test]
fn only_what_was_not_carried_out_is_cancelled() {
    for state in RmaState::ALL {
        let r = facts(RmaKind::Return, *state);
        let ok = apply(&r, &RmaMove::Cancel).is_ok();
        assert_eq!(
            ok,
            !state.is_final() && !state.carried_out(),
            "{}",
            state.key()
        );
    }
}

#[test]
fn every_open_state_has_a_deadline_and_maps_to_a_complaint_step() {
    for state in RmaState::ALL {
        assert_eq!(deadline_minutes(*state).is_none(), state.is_final());
        let _ = complaint_status(*state);
    }
    assert_eq!(
        complaint_status(RmaState::Refunded),
        crate::complaint::RmaStatus::Done
    );
}
