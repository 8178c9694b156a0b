//! 定制 — a customer's request for a made-to-order product (002 §一8: 对于客户定制产品的要求，
//! 及时与设计部门协调，做好客户与设计部门的衔接工作).
//!
//! ```text
//! 待设计答复 with_design ─ the design department answers ─┬─ not feasible ─ 无法定制
//!                                                         └─ feasible (cost, lead time)
//!   已答复 answered ─ the agent quotes a unit price ─ 报价待审批 quote_pending
//!     ─ the manager approves ─ 已报价 quoted ─ the customer accepts ─ 客户确认 accepted
//!                                                └─ declines ─ 客户放弃 declined
//!     └─ rejects (with the reason) ─ back to answered, to quote again
//! any open request may be cancelled with the reason.
//! ```

use jiff::civil::Date;

use crate::money::{self, AmountError};

keyed! {
    /// 定制状态
    CustomState {
        /// 待设计答复
        WithDesign = "with_design",
        /// 已答复 — feasible: the agent quotes.
        Answered = "answered",
        /// 无法定制
        NotFeasible = "not_feasible",
        /// 报价待审批
        QuotePending = "quote_pending",
        /// 已报价 — the customer decides.
        Quoted = "quoted",
        /// 客户确认
        Accepted = "accepted",
        /// 客户放弃
        Declined = "declined",
        /// 已取消
        Cancelled = "cancelled",
    }
}

keyed! {
    /// A step of a custom request.
    CustomMove {
        /// 设计答复 — by the design department.
        Answer = "answer",
        /// 报价 — the agent's unit price to the customer.
        Quote = "quote",
        /// 批准报价 — the manager.
        ApproveQuote = "approve_quote",
        /// 驳回报价 — the manager, with the reason.
        RejectQuote = "reject_quote",
        /// 客户确认
        Accept = "accept",
        /// 客户放弃 — with the reason.
        Decline = "decline",
        /// 取消 — with the reason.
        Cancel = "cancel",
    }
}

/// Who makes a move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// Whoever serves the customer (takes orders).
    Agent,
    /// A member of the design department.
    Design,
    /// The manager (approves orders).
    Manager,
}

impl CustomMove {
    /// Who makes this move.
    pub fn mover(self) -> Mover {
        match self {
            CustomMove::Answer => Mover::Design,
            CustomMove::ApproveQuote | CustomMove::RejectQuote => Mover::Manager,
            _ => Mover::Agent,
        }
    }

    /// Whether the move says why (a rejection, a decline, a cancel).
    pub fn needs_reason(self) -> bool {
        matches!(
            self,
            CustomMove::RejectQuote | CustomMove::Decline | CustomMove::Cancel
        )
    }
}

/// The longest title, and the longest specification, answer or note.
pub const MAX_TITLE: usize = 200;
pub const MAX_TEXT: usize = 4_000;
/// The most units of one request, and the longest lead time in days.
pub const MAX_QUANTITY: i64 = 1_000_000;
pub const MAX_LEAD_DAYS: i64 = 720;

/// Why a custom request or a step on it is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomError {
    /// A field left empty (`title`, `spec`, `answer`, `cost`, `lead_days`, `quote`, `note`).
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{0} is too long")]
    TooLong(&'static str),
    #[error("a quantity is 1 to {max}", max = MAX_QUANTITY)]
    Quantity,
    #[error("a lead time is 1 to {max} days", max = MAX_LEAD_DAYS)]
    LeadDays,
    #[error("the date wanted is today or later")]
    WantedPast,
    #[error("{field}: {source}")]
    Amount {
        field: &'static str,
        source: AmountError,
    },
    /// The move is not open in the request's state.
    #[error("{} is not possible while the request is {}", .action.key(), .state.key())]
    NotNow {
        state: CustomState,
        action: CustomMove,
    },
}

/// A request's text field, trimmed: required, at most `max` characters.
pub fn text(field: &'static str, raw: &str, max: usize) -> Result<String, CustomError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(CustomError::Required(field));
    }
    if t.chars().count() > max {
        return Err(CustomError::TooLong(field));
    }
    Ok(t.to_owned())
}

/// Checks a new request: title, specification, quantity, and the date wanted (optional,
/// not before `today`).
pub fn check_request(
    title: &str,
    spec: &str,
    quantity: i64,
    wanted_by: Option<Date>,
    today: Date,
) -> Result<(String, String), CustomError> {
    let title = text("title", title, MAX_TITLE)?;
    let spec = text("spec", spec, MAX_TEXT)?;
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(CustomError::Quantity);
    }
    if wanted_by.is_some_and(|d| d < today) {
        return Err(CustomError::WantedPast);
    }
    Ok((title, spec))
}

/// The design department's answer: feasible ones say the unit cost and the lead time.
pub fn check_answer(
    feasible: bool,
    answer: &str,
    cost_fen: Option<i64>,
    lead_days: Option<i64>,
) -> Result<String, CustomError> {
    let answer = text("answer", answer, MAX_TEXT)?;
    if feasible {
        let cost = cost_fen.ok_or(CustomError::Required("cost"))?;
        money::amount(cost).map_err(|source| CustomError::Amount {
            field: "cost",
            source,
        })?;
        let days = lead_days.ok_or(CustomError::Required("lead_days"))?;
        if !(1..=MAX_LEAD_DAYS).contains(&days) {
            return Err(CustomError::LeadDays);
        }
    }
    Ok(answer)
}

/// A unit price quoted to the customer.
pub fn check_quote(quote_fen: Option<i64>) -> Result<i64, CustomError> {
    let q = quote_fen.ok_or(CustomError::Required("quote"))?;
    money::amount(q).map_err(|source| CustomError::Amount {
        field: "quote",
        source,
    })?;
    if q == 0 {
        return Err(CustomError::Required("quote"));
    }
    Ok(q)
}

/// Where `action` takes a request in `state` (`feasible`: the design's answer, for
/// [`CustomMove::Answer`]).
pub fn next(
    state: CustomState,
    action: CustomMove,
    feasible: bool,
) -> Result<CustomState, CustomError> {
    use CustomMove as M;
    use CustomState as S;
    let to = match (state, action) {
        (S::WithDesign, M::Answer) if feasible => S::Answered,
        (S::WithDesign, M::Answer) => S::NotFeasible,
        (S::Answered, M::Quote) => S::QuotePending,
        (S::QuotePending, M::ApproveQuote) => S::Quoted,
        (S::QuotePending, M::RejectQuote) => S::Answered,
        (S::Quoted, M::Accept) => S::Accepted,
        (S::Quoted, M::Decline) => S::Declined,
        (S::WithDesign | S::Answered | S::QuotePending | S::Quoted, M::Cancel) => S::Cancelled,
        _ => return Err(CustomError::NotNow { state, action }),
    };
    Ok(to)
}

/// Whether a request in `state` is finished.
pub fn is_final(state: CustomState) -> bool {
    matches!(
        state,
        CustomState::NotFeasible
            | CustomState::Accepted
            | CustomState::Declined
            | CustomState::Cancelled
    )
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_request_goes_to_design_is_quoted_approved_and_accepted() {
        let s = next(CustomState::WithDesign, CustomMove::Answer, true).unwrap();
        let s = next(s, CustomMove::Quote, false).unwrap();
        assert_eq!(
            next(s, CustomMove::RejectQuote, false),
            Ok(CustomState::Answered)
        );
        let s = next(s, CustomMove::ApproveQuote, false).unwrap();
        assert_eq!(
            next(s, CustomMove::Accept, false),
            Ok(CustomState::Accepted)
        );
        assert_eq!(
            next(CustomState::WithDesign, CustomMove::Answer, false),
            Ok(CustomState::NotFeasible)
        );
        assert_eq!(
            next(CustomState::Answered, CustomMove::Accept, false),
            Err(CustomError::NotNow {
                state: CustomState::Answered,
                action: CustomMove::Accept
            })
        );
    }

    #[test]
    fn a_feasible_answer_says_cost_and_lead_time() {
        assert_eq!(
            check_answer(true, "可以做", None, Some(20)),
            Err(CustomError::Required("cost"))
        );
        assert_eq!(
            check_answer(true, "可以做", Some(10_000), Some(0)),
            Err(CustomError::LeadDays)
        );
        assert_eq!(
            check_answer(false, " 做不了 ", None, None),
            Ok("做不了".to_owned())
        );
        assert_eq!(check_quote(Some(0)), Err(CustomError::Required("quote")));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Whatever moves are tried, a finished request takes none, and every move taken
        /// is one its mover may make from where the request stood.
        #[test]
        fn a_finished_request_moves_no_more(
            moves in prop::collection::vec((0usize..7, any::<bool>()), 1..30),
        ) {
            let mut s = CustomState::WithDesign;
            for (m, feasible) in moves {
                let action = CustomMove::ALL[m];
                match next(s, action, feasible) {
                    Ok(to) => {
                        prop_assert!(!is_final(s));
                        prop_assert_ne!(to, CustomState::WithDesign);
                        s = to;
                    }
                    Err(CustomError::NotNow { state, .. }) => prop_assert_eq!(state, s),
                    Err(e) => prop_assert!(false, "{e}"),
                }
            }
        }
    }
}
