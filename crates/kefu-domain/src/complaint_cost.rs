//! 投诉成本 — what a complaint cost: the one rule the complaint page, its API, the statistics
//! report and its exports share (seed 000 §(八)5 counts the cost of complaints; 002 §四 wants
//! it visible: "short, flat, fast").
//!
//! Two figures, shown side by side and never added together:
//!
//! - **已发生 carried out** — money paid or goods sent: every RMA refunded, exchanged,
//!   repaired or otherwise done (and closed after), every penalty recorded, and an approved
//!   solution carried out without an RMA (a compensation paid directly) once the customer
//!   accepted it.
//! - **已批准未执行 committed** — approved but not carried out yet: every RMA opened and not
//!   done, and an approved solution without an RMA while the complaint is being implemented.
//!
//! A proposal carried out through an RMA counts through its RMA only (the RMA holds the
//! approved amount), so nothing counts twice; an RMA counts by its own status even when the
//! customer later rejected the proposal it carries out. Proposals that were never approved
//! (waiting, set aside, sent back) count nothing. Amounts are read through
//! [`money::stored`] and summed in `i128`, so no sum overflows.
//!
//! The statistics report sums the same figures in SQL: `kefu_store` builds its lists of
//! status and stage keys by asking [`rma_share`] and [`unrecorded_share`] about every key
//! there is, so the SQL and this module cannot drift apart.

use crate::complaint::{ProposalStatus, RmaStatus, Stage};
use crate::money;

/// Which of a complaint's two cost figures an amount counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Share {
    /// 已发生 — paid or sent.
    CarriedOut,
    /// 已批准未执行 — approved, not carried out yet.
    Committed,
}

impl Share {
    pub const ALL: [Share; 2] = [Share::CarriedOut, Share::Committed];
}

/// A complaint's cost, in fen (see the module's rule). The statistics report sums
/// `carried_out_fen`; `committed_fen` is shown beside it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cost {
    /// 已发生
    pub carried_out_fen: i64,
    /// 已批准未执行
    pub committed_fen: i64,
}

impl Cost {
    /// The figure of `share`.
    pub fn of(self, share: Share) -> i64 {
        match share {
            Share::CarriedOut => self.carried_out_fen,
            Share::Committed => self.committed_fen,
        }
    }
}

/// Where an RMA's amount counts, by its status key.
///
/// The keys are matched as text, with a wildcard, on purpose: a status not named here is
/// one an RMA ends in without effect — 已取消 `cancelled`, which the after-sales work is
/// adding, is the one known — so nothing moved and nothing will, and it counts neither as
/// carried out nor as committed. A new status that does move goods or money must be named
/// here; the test `every_rma_status_counts_unless_final_without_effect` fails until it is.
pub fn rma_share(status: &str) -> Option<Share> {
    match status {
        // 已退款/换货/维修, then 已关闭.
        "done" | "closed" => Some(Share::CarriedOut),
        // 已申请, 已批准, 已收货检验: on its way.
        "requested" | "approved" | "received" => Some(Share::Committed),
        // Final without effect (已取消): see above.
        _ => None,
    }
}

/// Where an approved proposal with no RMA carrying it out counts (补偿 paid directly, a
/// 道歉 with a gift): committed while the complaint is being implemented, carried out once
/// the customer accepted it (the step that records the solution carried out) — the
/// complaint then stands past implementation, or went back after an unsatisfied follow-up
/// ([`ProposalStatus::Reopened`]). Proposals not approved, or rejected by the customer,
/// count nothing.
pub fn unrecorded_share(status: ProposalStatus, stage: Stage) -> Option<Share> {
    match status {
        ProposalStatus::Approved if stage == Stage::Implementation => Some(Share::Committed),
        ProposalStatus::Approved | ProposalStatus::Reopened => Some(Share::CarriedOut),
        ProposalStatus::Proposed
        | ProposalStatus::SetAside
        | ProposalStatus::SentBack
        | ProposalStatus::Rejected => None,
    }
}

/// An RMA as the cost rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RmaAmount {
    /// The proposal it carries out.
    pub proposal_id: i64,
    pub status: RmaStatus,
    pub amount_fen: i64,
}

/// A proposal as the cost rule reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProposalAmount {
    pub id: i64,
    pub status: ProposalStatus,
    pub cost_fen: i64,
}

/// The cost of one complaint at `stage`, from its RMAs, its penalties (amounts in fen) and
/// its proposals.
pub fn cost(
    stage: Stage,
    rmas: &[RmaAmount],
    penalties: &[i64],
    proposals: &[ProposalAmount],
) -> Cost {
    let mut sums = [0i128; 2];
    let mut add = |share: Option<Share>, fen: i64| {
        if let Some(s) = share {
            sums[s as usize] += i128::from(money::stored(fen));
        }
    };
    for r in rmas {
        add(rma_share(r.status.key()), r.amount_fen);
    }
    for &p in penalties {
        add(Some(Share::CarriedOut), p);
    }
    for p in proposals
        .iter()
        .filter(|p| !rmas.iter().any(|r| r.proposal_id == p.id))
    {
        add(unrecorded_share(p.status, stage), p.cost_fen);
    }
    Cost {
        carried_out_fen: money::saturate(sums[Share::CarriedOut as usize]),
        committed_fen: money::saturate(sums[Share::Committed as usize]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const YUAN_18000: i64 = 1_800_000;

    fn rma(proposal_id: i64, status: RmaStatus, amount_fen: i64) -> RmaAmount {
        RmaAmount {
            proposal_id,
            status,
            amount_fen,
        }
    }

    fn proposal(id: i64, status: ProposalStatus, cost_fen: i64) -> ProposalAmount {
        ProposalAmount {
            id,
            status,
            cost_fen,
        }
    }

    #[test]
    fn an_approved_refund_is_committed_until_its_rma_is_done() {
        let p = [proposal(1, ProposalStatus::Approved, YUAN_18000)];
        for (status, carried, committed) in [
            (RmaStatus::Requested, 0, YUAN_18000),
            (RmaStatus::Approved, 0, YUAN_18000),
            (RmaStatus::Done, YUAN_18000, 0),
            (RmaStatus::Closed, YUAN_18000, 0),
        ] {
            let c = cost(
                Stage::Implementation,
                &[rma(1, status, YUAN_18000)],
                &[],
                &p,
            );
            assert_eq!(
                c,
                Cost {
                    carried_out_fen: carried,
                    committed_fen: committed
                },
                "{status}"
            );
        }
    }

    #[test]
    fn penalties_are_carried_out_and_added() {
        let c = cost(
            Stage::FollowUp,
            &[rma(1, RmaStatus::Closed, 100)],
            &[20, 30],
            &[proposal(1, ProposalStatus::Approved, 100)],
        );
        assert_eq!(c.carried_out_fen, 150);
        assert_eq!(c.committed_fen, 0);
    }

    #[test]
    fn a_compensation_without_rma_is_carried_out_once_accepted() {
        let p = [proposal(7, ProposalStatus::Approved, 50_000)];
        assert_eq!(
            cost(Stage::Implementation, &[], &[], &p).committed_fen,
            50_000
        );
        for stage in [Stage::FollowUp, Stage::Evaluation, Stage::Closed] {
            let c = cost(stage, &[], &[], &p);
            assert_eq!((c.carried_out_fen, c.committed_fen), (50_000, 0), "{stage}");
        }
        // Accepted, then the follow-up found the customer unsatisfied: it was still paid.
        let reopened = [proposal(7, ProposalStatus::Reopened, 50_000)];
        assert_eq!(
            cost(Stage::Solution, &[], &[], &reopened).carried_out_fen,
            50_000
        );
    }

    #[test]
    fn proposals_not_approved_count_nothing_and_nothing_counts_twice() {
        let proposals = [
            proposal(1, ProposalStatus::Proposed, 1),
            proposal(2, ProposalStatus::SetAside, 10),
            proposal(3, ProposalStatus::SentBack, 100),
            proposal(4, ProposalStatus::Rejected, 1_000),
            proposal(5, ProposalStatus::Approved, 10_000),
        ];
        // The customer rejected proposal 4 after its exchange was done: the RMA counts.
        let rmas = [
            rma(4, RmaStatus::Done, 1_000),
            rma(5, RmaStatus::Received, 10_000),
        ];
        let c = cost(Stage::Implementation, &rmas, &[], &proposals);
        assert_eq!(
            c,
            Cost {
                carried_out_fen: 1_000,
                committed_fen: 10_000
            }
        );
    }

    #[test]
    fn a_cancelled_rma_counts_neither_way() {
        assert_eq!(rma_share("cancelled"), None);
        assert_eq!(rma_share("no_such_status"), None);
    }

    /// Statuses an RMA can end in without anything moving. The after-sales work is adding
    /// `cancelled`; any other status must be carried out or committed.
    const WITHOUT_EFFECT: &[&str] = &["cancelled"];

    #[test]
    fn every_rma_status_counts_unless_final_without_effect() {
        for s in RmaStatus::ALL {
            let share = rma_share(s.key());
            if WITHOUT_EFFECT.contains(&s.key()) {
                assert_eq!(share, None, "{s}");
            } else {
                assert!(share.is_some(), "{s} must be carried out or committed");
            }
        }
        // Every key named by the rule is a status that exists.
        for key in ["done", "closed", "requested", "approved", "received"] {
            assert!(key.parse::<RmaStatus>().is_ok(), "{key}");
        }
    }

    #[test]
    fn amounts_are_bounded_and_sums_do_not_overflow() {
        let max = money::MAX_AMOUNT_FEN;
        let rmas = [
            rma(1, RmaStatus::Done, i64::MAX),
            rma(2, RmaStatus::Done, i64::MAX),
        ];
        let c = cost(Stage::Closed, &rmas, &[i64::MAX, -5], &[]);
        assert_eq!(c.carried_out_fen, 3 * max);
        assert_eq!(c.of(Share::Committed), 0);
    }
}
