//! 售后单 (RMA) — a return 退货, exchange 换货, refund 退款 or repair 维修, from the request
//! to the close, one move at a time.
//!
//! ```text
//! request ─ policy check ─┬─ within the automatic limit ──────────────┐
//!                         └─ 待审批 pending_approval ─ approve ───────┤  reject → 已驳回
//!                                                                     ▼
//!        (return, exchange, repair) 待寄回 awaiting_goods ─ receive → 已收货 received
//!                        ─ inspect ─┬─ claim holds ──────────────► 待处理 approved
//!                                   ├─ a paid repair, quoted ─► 待确认报价 quoted
//!                                   │        accept → approved · decline → 已关闭
//!                                   └─ return/exchange without grounds → 已驳回
//!        (refund: nothing comes back) ───────────────────────────► 待处理 approved
//! approved ─ carry out → 已退款 refunded / 已换货 replaced / 已维修 repaired ─ close → 已关闭
//! any step before it is carried out ─ cancel → 已取消
//! ```
//!
//! Who approves follows the policy's decision ([`super::policy::Approver`]); a refund is never
//! above what the customer paid; each state has a deadline in business time
//! ([`deadline_minutes`]).

use super::policy::{Approver, Fault, RmaKind};

keyed! {
    /// 售后单状态
    RmaState {
        /// 待审批
        PendingApproval = "pending_approval",
        /// 待寄回 — approved; the goods are to come back.
        AwaitingGoods = "awaiting_goods",
        /// 已收货 — to inspect.
        Received = "received",
        /// 待确认报价 — a paid repair's quote, for the customer to accept.
        Quoted = "quoted",
        /// 待处理 — approved and (where goods came back) inspected: to carry out.
        Approved = "approved",
        /// 已退款
        Refunded = "refunded",
        /// 已换货
        Replaced = "replaced",
        /// 已维修
        Repaired = "repaired",
        /// 已关闭
        Closed = "closed",
        /// 已驳回
        Rejected = "rejected",
        /// 已取消
        Cancelled = "cancelled",
    }
}

keyed! {
    /// 检验结论 — what the inspection found.
    Inspection {
        /// 确认故障 — the fault claimed is there.
        FaultConfirmed = "fault_confirmed",
        /// 无故障
        NoFault = "no_fault",
        /// 人为损坏
        CustomerDamage = "customer_damage",
    }
}

keyed! {
    /// 售后单来源
    RmaSource {
        /// 工单
        Ticket = "ticket",
        /// 投诉处理方案
        Complaint = "complaint",
        /// 客户门户
        Portal = "portal",
        Api = "api",
        /// 客服登记
        Staff = "staff",
    }
}

/// A move asked of an RMA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RmaMove {
    Approve,
    Reject,
    Receive,
    /// 检验 — with the quote, in fen, when the repair turns out to be paid.
    Inspect {
        result: Inspection,
        quote_fen: Option<i64>,
    },
    AcceptQuote,
    DeclineQuote,
    /// 退款 — the amount paid back, in fen.
    Refund {
        amount_fen: i64,
    },
    /// 换货 — the replacement's serial number, when tracked.
    Replace,
    /// 维修完成
    Repair,
    Close,
    Cancel,
}

impl RmaMove {
    /// The move's key, as the log and the API name it.
    pub fn key(&self) -> &'static str {
        match self {
            RmaMove::Approve => "approve",
            RmaMove::Reject => "reject",
            RmaMove::Receive => "receive",
            RmaMove::Inspect { .. } => "inspect",
            RmaMove::AcceptQuote => "accept_quote",
            RmaMove::DeclineQuote => "decline_quote",
            RmaMove::Refund { .. } => "refund",
            RmaMove::Replace => "replace",
            RmaMove::Repair => "repair",
            RmaMove::Close => "close",
            RmaMove::Cancel => "cancel",
        }
    }
}

/// Why a move is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RmaError {
    /// The move does not apply to the RMA as it stands (its kind and state).
    #[error("{action} is not possible on an RMA that is {state}")]
    NotNow {
        action: &'static str,
        state: &'static str,
    },
    #[error("a refund is at most what was paid ({paid_fen} fen)")]
    RefundAbovePaid { paid_fen: i64 },
    #[error("an amount must be above zero")]
    ZeroAmount,
    #[error("this approval is for {0}")]
    NotYourApproval(&'static str),
    #[error("the product's serial number is required")]
    SerialRequired,
    #[error("a quantity is 1 to {max}", max = MAX_QUANTITY)]
    Quantity,
    #[error("{0} is required")]
    Required(&'static str),
    #[error("{field} is at most {max} characters")]
    TooLong { field: &'static str, max: usize },
    #[error("the customer of the ticket or complaint is another")]
    OtherCustomer,
    #[error("this complaint RMA is already handled by RMA {0}")]
    AlreadyTaken(String),
    #[error("this RMA is moved by its after-sales record {0}")]
    InAftersales(String),
    /// More units asked back than the order line shipped.
    #[error("at most {shipped} units (what the order line shipped)")]
    AboveShipped { shipped: i64 },
    /// Not a shipped order line of the customer's.
    #[error("choose an order line of yours that has been shipped")]
    UnknownLine,
    /// A portal request on a ticket not yet linked to a customer record.
    #[error("the ticket is not linked to a customer record yet")]
    NoCustomer,
}

/// The most units one RMA covers.
pub const MAX_QUANTITY: u32 = 10_000;

/// An RMA as the moves read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RmaFacts {
    pub kind: RmaKind,
    pub state: RmaState,
    /// The fault the customer claimed.
    pub fault: Fault,
    /// The policy found it a repair at the customer's cost.
    pub paid_repair: bool,
    /// What the customer paid for the goods, in fen (the refund's ceiling).
    pub paid_fen: i64,
}

/// What a move makes of an RMA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    pub state: RmaState,
    /// The repair turned out to be at the customer's cost (an inspection found no fault or
    /// damage by the customer).
    pub paid_repair: bool,
}

/// Where an approved RMA goes: to wait for the goods, or, for a refund, straight to be
/// carried out.
pub fn after_approval(kind: RmaKind) -> RmaState {
    match kind {
        RmaKind::Refund => RmaState::Approved,
        RmaKind::Return | RmaKind::Exchange | RmaKind::Repair => RmaState::AwaitingGoods,
    }
}

/// The state a new RMA starts in: approved at once when the policy needs no one.
pub fn first_state(kind: RmaKind, approver: Approver) -> RmaState {
    if approver == Approver::Auto {
        after_approval(kind)
    } else {
        RmaState::PendingApproval
    }
}

impl RmaState {
    /// Whether nothing more happens to it.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            RmaState::Closed | RmaState::Rejected | RmaState::Cancelled
        )
    }

    /// Whether the money or goods moved (refunded, replaced, repaired, or closed after).
    pub fn carried_out(self) -> bool {
        matches!(
            self,
            RmaState::Refunded | RmaState::Replaced | RmaState::Repaired
        )
    }

    /// Who acts next: the customer (sending the goods, accepting a quote) or the company.
    pub fn waits_on_customer(self) -> bool {
        matches!(self, RmaState::AwaitingGoods | RmaState::Quoted)
    }
}

/// The move applied to an RMA, or why not.
pub fn apply(r: &RmaFacts, m: &RmaMove) -> Result<Moved, RmaError> {
    use RmaState as S;
    let not_now = || RmaError::NotNow {
        action: m.key(),
        state: r.state.key(),
    };
    let to = |state| {
        Ok(Moved {
            state,
            paid_repair: r.paid_repair,
        })
    };
    match (m, r.state) {
        (RmaMove::Approve, S::PendingApproval) => to(after_approval(r.kind)),
        (RmaMove::Reject, S::PendingApproval) => to(S::Rejected),
        (RmaMove::Receive, S::AwaitingGoods) => to(S::Received),
        (RmaMove::Inspect { result, quote_fen }, S::Received) => {
            let holds = match result {
                Inspection::FaultConfirmed => true,
                Inspection::NoFault => r.fault == Fault::NoFault,
                Inspection::CustomerDamage => r.fault == Fault::CustomerDamage,
            };
            match r.kind {
                RmaKind::Repair => {
                    // A paid repair is quoted to the customer first; a free one is done.
                    let paid = r.paid_repair || *result != Inspection::FaultConfirmed;
                    if paid {
                        match quote_fen {
                            None => return Err(RmaError::Required("quote")),
                            Some(q) if *q <= 0 => return Err(RmaError::ZeroAmount),
                            Some(_) => {}
                        }
                    }
                    Ok(Moved {
                        state: if paid { S::Quoted } else { S::Approved },
                        paid_repair: paid,
                    })
                }
                _ if holds => to(S::Approved),
                _ => to(S::Rejected),
            }
        }
        (RmaMove::AcceptQuote, S::Quoted) => to(S::Approved),
        (RmaMove::DeclineQuote, S::Quoted) => to(S::Closed),
        (RmaMove::Refund { amount_fen }, S::Approved)
            if matches!(r.kind, RmaKind::Return | RmaKind::Refund) =>
        {
            if *amount_fen <= 0 {
                return Err(RmaError::ZeroAmount);
            }
            if *amount_fen > r.paid_fen {
                return Err(RmaError::RefundAbovePaid {
                    paid_fen: r.paid_fen,
                });
            }
            to(S::Refunded)
        }
        (RmaMove::Replace, S::Approved) if r.kind == RmaKind::Exchange => to(S::Replaced),
        (RmaMove::Repair, S::Approved) if r.kind == RmaKind::Repair => to(S::Repaired),
        (RmaMove::Close, S::Refunded | S::Replaced | S::Repaired) => to(S::Closed),
        (
            RmaMove::Cancel,
            S::PendingApproval | S::AwaitingGoods | S::Received | S::Quoted | S::Approved,
        ) => to(S::Cancelled),
        _ => Err(not_now()),
    }
}

/// 处理时限 — minutes of business time a state may last before the RMA is late; `None`
/// where nothing is due (the final states, and carried-out ones waiting to be closed by the
/// follow-up).
pub fn deadline_minutes(state: RmaState) -> Option<i64> {
    const DAY: i64 = 8 * 60;
    match state {
        // 1 business day to decide, 2 to inspect, 1 to carry out once approved.
        RmaState::PendingApproval => Some(DAY),
        RmaState::Received => Some(2 * DAY),
        RmaState::Approved => Some(DAY),
        // The customer's turn: 10 business days to send the goods, 5 to answer a quote.
        RmaState::AwaitingGoods => Some(10 * DAY),
        RmaState::Quoted => Some(5 * DAY),
        RmaState::Refunded | RmaState::Replaced | RmaState::Repaired => Some(3 * DAY),
        RmaState::Closed | RmaState::Rejected | RmaState::Cancelled => None,
    }
}

/// The complaint RMA's step ([`crate::complaint::RmaStatus`]) an after-sales state stands
/// for, so a complaint carried out through after-sales reads on its own log as before.
pub fn complaint_status(state: RmaState) -> crate::complaint::RmaStatus {
    use crate::complaint::RmaStatus as C;
    match state {
        RmaState::PendingApproval => C::Requested,
        RmaState::AwaitingGoods | RmaState::Approved => C::Approved,
        RmaState::Received | RmaState::Quoted => C::Received,
        RmaState::Refunded | RmaState::Replaced | RmaState::Repaired => C::Done,
        RmaState::Closed => C::Closed,
        RmaState::Rejected | RmaState::Cancelled => C::Cancelled,
    }
}

/// The after-sales kind of a complaint's remedy carried out by an RMA (a plain replacement
/// sent, 补发, is an exchange with nothing to wait for but the goods).
pub fn kind_of_remedy(remedy: crate::complaint::Remedy) -> Option<RmaKind> {
    use crate::complaint::Remedy as R;
    match remedy {
        R::Return => Some(RmaKind::Return),
        R::Exchange | R::Replace => Some(RmaKind::Exchange),
        R::Refund => Some(RmaKind::Refund),
        R::Repair => Some(RmaKind::Repair),
        R::Compensate | R::Apologise => None,
    }
}

#[cfg(test)]
mod tests;
