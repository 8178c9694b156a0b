//! 服务优惠政策和激励策略 — the discounts and incentives the key-account specialist sets for
//! a key account (000 §(六)6), which the customer service manager approves.
//!
//! A policy is one of four kinds ([`PolicyKind`]): a price discount on orders (above an
//! order amount, when one is set), a rebate once purchases in the period reach an amount,
//! a free service, or priority service. It states its conditions in words and is valid
//! from one date to another, both included. It is in force only once approved and only
//! within those dates. Nobody approves a policy they proposed (the four-eyes rule); the
//! proposer may withdraw it while it waits, the manager may end an approved one early.
//!
//! Rates are basis points of the price: 500 is 5 % off, which Chinese calls 九五折
//! ([`zhe`]). A discount above [`MAX_RATE_BP`] (half the price) is taken as a typing
//! mistake and refused.

use jiff::civil::Date;

use super::{KeyAccountError, MAX_TEXT, text};
use crate::{dates, money};

/// The largest discount or rebate, in basis points: 50 %.
pub const MAX_RATE_BP: i64 = 5_000;
/// The longest a policy may run, in years, before it is set again.
pub const MAX_YEARS: i64 = 3;
/// The longest title, in characters.
pub const MAX_TITLE: usize = 200;

keyed! {
    /// What a policy gives.
    PolicyKind {
        /// 价格折扣 — a share off each order's price.
        Discount = "discount",
        /// 采购返利 — a share of the period's purchases back, once they reach an amount.
        Rebate = "rebate",
        /// 免费服务 — e.g. free on-site maintenance twice a year.
        FreeService = "free_service",
        /// 优先服务 — e.g. a dedicated line, repairs first.
        Priority = "priority",
    }
}

impl PolicyKind {
    /// Whether the kind is a share of money, with a rate.
    pub fn has_rate(self) -> bool {
        matches!(self, PolicyKind::Discount | PolicyKind::Rebate)
    }
}

keyed! {
    /// Where a policy stands.
    PolicyState {
        /// 待审批
        Pending = "pending",
        /// 已批准 — in force within its dates.
        Approved = "approved",
        /// 已驳回
        Rejected = "rejected",
        /// 已撤回 / 已终止 — withdrawn while waiting, or ended early.
        Withdrawn = "withdrawn",
    }
}

/// A policy as proposed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub kind: PolicyKind,
    pub title: String,
    /// 适用条件 — when it applies, in words.
    pub conditions: String,
    /// Basis points off (discount) or back (rebate).
    pub rate_bp: Option<i64>,
    /// Fen: the order amount a discount starts at, the purchases a rebate needs.
    pub threshold_fen: Option<i64>,
    pub valid_from: Date,
    pub valid_until: Date,
}

/// Checks a policy proposed on `today`: a title and conditions; a rate of 0.01 %–50 % for
/// a discount or rebate and none for the other kinds; a threshold for a rebate (optional
/// for a discount, none for the others) within the money ceiling; dates in the business
/// range, in order, not over already, at most [`MAX_YEARS`] apart.
pub fn check_policy(p: &Policy, today: Date) -> Result<Policy, KeyAccountError> {
    let title = text("title", &p.title, MAX_TITLE, true)?;
    let conditions = text("conditions", &p.conditions, MAX_TEXT, true)?;
    let rate_bp = match (p.kind.has_rate(), p.rate_bp) {
        (true, None) => return Err(KeyAccountError::RateRequired),
        (true, Some(r)) if !(1..=MAX_RATE_BP).contains(&r) => {
            return Err(KeyAccountError::BadRate {
                max_bp: MAX_RATE_BP,
            });
        }
        (false, Some(_)) => return Err(KeyAccountError::RateNotApplicable),
        (_, r) => r,
    };
    let threshold_fen = match (p.kind, p.threshold_fen) {
        (PolicyKind::Rebate, None | Some(0)) => return Err(KeyAccountError::ThresholdRequired),
        (PolicyKind::FreeService | PolicyKind::Priority, Some(_)) => {
            return Err(KeyAccountError::RateNotApplicable);
        }
        (_, t) => t.map(money::amount).transpose()?.filter(|t| *t > 0),
    };
    let valid_from = dates::check("valid_from", p.valid_from)?;
    let valid_until = dates::check("valid_until", p.valid_until)?;
    if valid_until < valid_from {
        return Err(dates::DateError::Reversed.into());
    }
    let longest = valid_from
        .checked_add(jiff::Span::new().years(MAX_YEARS))
        .unwrap_or(valid_from);
    if valid_until < today || valid_until > longest {
        return Err(KeyAccountError::PolicyDates { years: MAX_YEARS });
    }
    Ok(Policy {
        kind: p.kind,
        title,
        conditions,
        rate_bp,
        threshold_fen,
        valid_from,
        valid_until,
    })
}

/// Whether a policy is in force on `today`: approved, and `today` within its dates.
pub fn in_force(state: PolicyState, from: Date, until: Date, today: Date) -> bool {
    state == PolicyState::Approved && from <= today && today <= until
}

/// Checks that `decider` may approve or reject a policy `proposer` proposed, which is
/// `state` now: it waits, and they are not the same person.
pub fn check_decision(
    state: PolicyState,
    proposer: Option<i64>,
    decider: Option<i64>,
) -> Result<(), KeyAccountError> {
    if state != PolicyState::Pending {
        return Err(KeyAccountError::PolicyDecided(state));
    }
    if proposer.is_some() && proposer == decider {
        return Err(KeyAccountError::OwnPolicy);
    }
    Ok(())
}

/// Checks that someone may withdraw a policy that is `state` now: its proposer while it
/// waits; someone who approves policies while it waits or is approved (ending it early).
pub fn check_withdrawal(
    state: PolicyState,
    is_proposer: bool,
    approves: bool,
) -> Result<(), KeyAccountError> {
    match state {
        PolicyState::Pending if is_proposer || approves => Ok(()),
        PolicyState::Approved if approves => Ok(()),
        PolicyState::Pending | PolicyState::Approved => Err(KeyAccountError::NotYourPolicy),
        decided => Err(KeyAccountError::PolicyDecided(decided)),
    }
}

/// The price paid as 折 (tenths of the price, trailing zeros dropped): 500 bp off is
/// "9.5", 1000 "9", 1250 "8.75".
pub fn zhe(rate_bp: i64) -> String {
    let paid = (10_000 - rate_bp.clamp(0, 10_000)) as u64;
    let whole = paid / 1_000;
    let rest = format!("{:03}", paid % 1_000);
    let rest = rest.trim_end_matches('0');
    if rest.is_empty() {
        whole.to_string()
    } else {
        format!("{whole}.{rest}")
    }
}

/// Basis points as a percentage for people: 500 is "5", 125 "1.25".
pub fn percent(rate_bp: i64) -> String {
    let whole = rate_bp / 100;
    let rest = rate_bp.rem_euclid(100);
    if rest == 0 {
        whole.to_string()
    } else if rest % 10 == 0 {
        format!("{whole}.{}", rest / 10)
    } else {
        format!("{whole}.{rest:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn discount() -> Policy {
        Policy {
            kind: PolicyKind::Discount,
            title: " 年度采购九五折 ".into(),
            conditions: "单笔订单满 5 万元".into(),
            rate_bp: Some(500),
            threshold_fen: Some(5_000_000),
            valid_from: date(2027, 1, 1),
            valid_until: date(2027, 12, 31),
        }
    }

    #[test]
    fn a_policy_is_checked_by_its_kind() {
        let today = date(2026, 12, 5);
        assert_eq!(
            check_policy(&discount(), today).unwrap().title,
            "年度采购九五折"
        );
        let with = |f: fn(&mut Policy)| {
            let mut p = discount();
            f(&mut p);
            check_policy(&p, today)
        };
        assert_eq!(
            with(|p| p.rate_bp = None),
            Err(KeyAccountError::RateRequired)
        );
        for bad in [0, -5, MAX_RATE_BP + 1] {
            let mut p = discount();
            p.rate_bp = Some(bad);
            assert_eq!(
                check_policy(&p, today),
                Err(KeyAccountError::BadRate {
                    max_bp: MAX_RATE_BP
                }),
                "{bad}"
            );
        }
        assert_eq!(
            with(|p| {
                p.kind = PolicyKind::FreeService;
                p.threshold_fen = None;
            }),
            Err(KeyAccountError::RateNotApplicable)
        );
        let free = with(|p| {
            p.kind = PolicyKind::FreeService;
            p.rate_bp = None;
            p.threshold_fen = None;
        })
        .unwrap();
        assert_eq!((free.rate_bp, free.threshold_fen), (None, None));
        assert_eq!(
            with(|p| {
                p.kind = PolicyKind::Rebate;
                p.threshold_fen = None;
            }),
            Err(KeyAccountError::ThresholdRequired)
        );
        assert!(matches!(
            with(|p| p.threshold_fen = Some(i64::MAX)),
            Err(KeyAccountError::Amount(_))
        ));
        assert_eq!(
            with(|p| p.valid_until = date(2026, 12, 31)),
            Err(KeyAccountError::Date(dates::DateError::Reversed))
        );
        assert_eq!(
            with(|p| {
                p.valid_from = date(2026, 1, 1);
                p.valid_until = date(2026, 12, 4);
            }),
            Err(KeyAccountError::PolicyDates { years: MAX_YEARS })
        );
        assert_eq!(
            with(|p| p.valid_until = date(2030, 1, 2)),
            Err(KeyAccountError::PolicyDates { years: MAX_YEARS })
        );
        assert_eq!(
            with(|p| p.conditions = "  ".into()),
            Err(KeyAccountError::Required {
                field: "conditions"
            })
        );
    }

    #[test]
    fn in_force_means_approved_and_within_the_dates_both_included() {
        let (from, until) = (date(2027, 1, 1), date(2027, 12, 31));
        assert!(in_force(PolicyState::Approved, from, until, from));
        assert!(in_force(PolicyState::Approved, from, until, until));
        assert!(!in_force(
            PolicyState::Approved,
            from,
            until,
            date(2028, 1, 1)
        ));
        assert!(!in_force(PolicyState::Pending, from, until, from));
        assert!(!in_force(PolicyState::Withdrawn, from, until, from));
    }

    #[test]
    fn nobody_approves_their_own_policy_or_one_decided() {
        assert_eq!(
            check_decision(PolicyState::Pending, Some(3), Some(3)),
            Err(KeyAccountError::OwnPolicy)
        );
        assert_eq!(
            check_decision(PolicyState::Pending, Some(3), Some(4)),
            Ok(())
        );
        assert_eq!(
            check_decision(PolicyState::Approved, Some(3), Some(4)),
            Err(KeyAccountError::PolicyDecided(PolicyState::Approved))
        );
    }

    #[test]
    fn the_proposer_withdraws_while_it_waits_the_manager_ends_it_later() {
        use PolicyState::*;
        assert_eq!(check_withdrawal(Pending, true, false), Ok(()));
        assert_eq!(check_withdrawal(Pending, false, true), Ok(()));
        assert_eq!(
            check_withdrawal(Pending, false, false),
            Err(KeyAccountError::NotYourPolicy)
        );
        assert_eq!(
            check_withdrawal(Approved, true, false),
            Err(KeyAccountError::NotYourPolicy)
        );
        assert_eq!(check_withdrawal(Approved, false, true), Ok(()));
        assert_eq!(
            check_withdrawal(Rejected, true, true),
            Err(KeyAccountError::PolicyDecided(Rejected))
        );
    }

    #[test]
    fn rates_read_as_zhe_and_percent() {
        assert_eq!(zhe(500), "9.5");
        assert_eq!(zhe(1_000), "9");
        assert_eq!(zhe(1_250), "8.75");
        assert_eq!(zhe(1), "9.999");
        assert_eq!(percent(500), "5");
        assert_eq!(percent(125), "1.25");
        assert_eq!(percent(50), "0.5");
    }
}
