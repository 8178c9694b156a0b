//! 订单 — orders taken for customers (002 §一3: 根据经销商的要求，开具销售单据或者生产单据，并跟踪
//! 落实该批次货物的发货情况；跟踪了解客户是否收到货物，收到货物件数是否正确).
//!
//! ```text
//! order ─ credit check ─┬─ prepaid, or credit allowed ───────────────┐
//!                       ├─ over the limit (grade A/B) or grade C ─ 待审批 pending_approval
//!                       │        ─ the manager approves ─────────────┤   rejects → 已取消
//!                       └─ grade D, no grade, or pay-first terms: credit refused,
//!                          prepayment only (the reason shown)        ▼
//!     待发货 open: each line from stock (销售单据) and the rest by production (生产单据,
//!     with a promised date) ─ ship → 部分发货 partly_shipped → 已发货 shipped
//!     ─ the customer's count checked (核实发货清单与发货实物是否相符) → 已完成 closed
//! before anything ships: lines changed or the order cancelled; after: a cancel is a return.
//! ```
//!
//! Money is integer fen; a line's amount is its quantity times its unit price, computed in
//! `i128` and held under the ceiling of [`crate::money`].

use std::collections::HashMap;

use crate::credit::{CreditDecision, Grade, TermsKind, credit_decision};
use crate::money::{self, AmountError};

pub mod custom;
pub mod shipment;
#[cfg(test)]
mod tests;
pub mod tracking_file;

keyed! {
    /// 订单状态
    OrderState {
        /// 待审批 — credit over the limit or grade C: the manager decides.
        PendingApproval = "pending_approval",
        /// 待发货
        Open = "open",
        /// 部分发货
        PartlyShipped = "partly_shipped",
        /// 已发货
        Shipped = "shipped",
        /// 已完成 — every shipment received and checked.
        Closed = "closed",
        /// 已取消
        Cancelled = "cancelled",
    }
}

keyed! {
    /// 单据类型 — how a line is met.
    DocumentKind {
        /// 销售单据 — from stock.
        Sales = "sales",
        /// 生产单据 — by production, with a promised date.
        Production = "production",
    }
}

keyed! {
    /// 付款方式
    Payment {
        /// 赊销 — on the customer's credit (terms such as 月结30天).
        Credit = "credit",
        /// 预付 — paid before the goods leave.
        Prepayment = "prepayment",
    }
}

/// The most lines of one order.
pub const MAX_LINES: usize = 200;

/// The most of one product on a line.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Why an order, a change or a shipment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("an order has 1 to {max} lines", max = MAX_LINES)]
    Lines,
    /// A quantity that is not 1–[`MAX_QUANTITY`], on line `line` (from 1).
    #[error("line {line}: a quantity is 1 to {max}", max = MAX_QUANTITY)]
    Quantity { line: usize },
    #[error("line {line}: {source}")]
    Amount { line: usize, source: AmountError },
    /// The order's total is above the ceiling.
    #[error("the total: {0}")]
    Total(AmountError),
    #[error("product {0} is on two lines")]
    ProductTwice(i64),
    /// Credit refused: the grade or the terms ask for payment first.
    #[error("credit refused ({}): prepayment only", .0.key())]
    CreditRefused(CreditDecision),
    /// More shipped than is left to ship on line `line`.
    #[error("line {line}: only {left} left to ship")]
    AboveOrdered { line: usize, left: i64 },
    /// More counted as received than was shipped on line `line`.
    #[error("line {line}: only {shipped} were shipped")]
    AboveShipped { line: usize, shipped: i64 },
    /// A line changed below what already left.
    #[error("line {line}: {shipped} already shipped")]
    BelowShipped { line: usize, shipped: i64 },
    /// A cancel after goods left: it is a return (an RMA).
    #[error("goods have left: cancel by a return")]
    AlreadyShipped,
    /// A move not open in the order's state.
    #[error("not possible while the order is {}", .0.key())]
    NotNow(OrderState),
    /// Production is needed: the date promised to the customer is required.
    #[error("part of the order is to be produced: a promised date is required")]
    PromisedRequired,
    /// A promised date before today.
    #[error("a promised date is today or later")]
    PromisedPast,
    /// A rejection or a cancel says why.
    #[error("a reason is required")]
    ReasonRequired,
    /// The stock read was taken by another order meanwhile: place it again.
    #[error("the stock was taken by another order meanwhile")]
    StockTaken,
    /// More shipped on line `line` than is ready: production has not made the rest.
    #[error("line {line}: only {ready} ready to ship until production is done")]
    NotProduced { line: usize, ready: i64 },
    /// A shipment names its carrier (at most [`shipment::MAX_CARRIER`] characters).
    #[error("the carrier is required")]
    Carrier,
    /// A tracking number: letters, digits and hyphens, at most [`shipment::MAX_TRACKING`].
    #[error("the tracking number is letters, digits and hyphens")]
    Tracking,
    /// A shipment counted already: its count stands.
    #[error("this shipment was counted already")]
    Counted,
    /// A tracking event dated after now.
    #[error("a tracking event cannot be in the future")]
    EventInFuture,
    /// A shipment with nothing in it.
    #[error("a shipment ships at least one unit")]
    NothingShipped,
    /// A line number the order does not have.
    #[error("the order has no line {line}")]
    UnknownLine { line: i64 },
    /// A count names every line of the shipment.
    #[error("line {line} was not counted")]
    Uncounted { line: i64 },
    /// A pushed tracking event refused: its place in the batch (from 1), column and why.
    #[error("event {index}: {column} {}", .problem.key())]
    TrackingEvent {
        index: usize,
        column: &'static str,
        problem: tracking_file::TrackingProblem,
    },
    /// A push carries 1 to [`tracking_file::MAX_PUSH`] events.
    #[error("a push carries 1 to {max} events", max = tracking_file::MAX_PUSH)]
    TrackingBatch,
    /// No production request waits to be done.
    #[error("no production request waits to be done")]
    NoProduction,
}

/// Checks the date promised for what production makes: required when anything is to be
/// produced, never before `today`.
pub fn check_promised(
    splits: &[Split],
    promised: Option<jiff::civil::Date>,
    today: jiff::civil::Date,
) -> Result<Option<jiff::civil::Date>, OrderError> {
    let producing = splits.iter().any(|s| s.to_produce > 0);
    match promised {
        Some(d) if d < today => Err(OrderError::PromisedPast),
        None if producing => Err(OrderError::PromisedRequired),
        p => Ok(p),
    }
}

/// A line's quantity changed before anything of it shipped: what the change leaves from
/// stock and to produce. Less: production gives back first, then stock (`returned` to
/// stock); more: stock `available` first, then production.
pub fn rebalance(line: Split, quantity: i64, available: i64) -> (Split, i64) {
    let mut s = line;
    let before = s.from_stock + s.to_produce;
    let returned = if quantity < before {
        let less = before - quantity;
        let from_production = less.min(s.to_produce);
        s.to_produce -= from_production;
        s.from_stock -= less - from_production;
        less - from_production
    } else {
        let more = quantity - before;
        let take = more.min(available.max(0));
        s.from_stock += take;
        s.to_produce += more - take;
        -take
    };
    (s, returned)
}

/// A line as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineInput {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price_fen: i64,
}

/// A line's amount: its quantity times its unit price, under the ceiling.
pub fn line_amount(quantity: i64, unit_price_fen: i64) -> Result<i64, AmountError> {
    money::amount(unit_price_fen)?;
    let product = i128::from(quantity) * i128::from(unit_price_fen);
    money::amount(money::saturate(product))
}

/// Checks an order's lines; its total in fen.
pub fn check_lines(lines: &[LineInput]) -> Result<i64, OrderError> {
    if lines.is_empty() || lines.len() > MAX_LINES {
        return Err(OrderError::Lines);
    }
    let mut seen = Vec::with_capacity(lines.len());
    let mut amounts = Vec::with_capacity(lines.len());
    for (n, l) in lines.iter().enumerate() {
        let line = n + 1;
        if !(1..=MAX_QUANTITY).contains(&l.quantity) {
            return Err(OrderError::Quantity { line });
        }
        if seen.contains(&l.product_id) {
            return Err(OrderError::ProductTwice(l.product_id));
        }
        seen.push(l.product_id);
        amounts.push(
            line_amount(l.quantity, l.unit_price_fen)
                .map_err(|source| OrderError::Amount { line, source })?,
        );
    }
    money::amount(money::total(amounts)).map_err(OrderError::Total)
}

/// How a line is met: what comes from stock (销售单据) and what production makes (生产单据).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    pub product_id: i64,
    pub from_stock: i64,
    pub to_produce: i64,
}

/// Splits each line between the stock `available` of its product and production: as much
/// as the stock holds from stock, the rest produced. A product's stock is taken once, in
/// line order.
pub fn split(lines: &[LineInput], available: &HashMap<i64, i64>) -> Vec<Split> {
    let mut left: HashMap<i64, i64> = available.clone();
    lines
        .iter()
        .map(|l| {
            let have = left.entry(l.product_id).or_insert(0);
            let from_stock = l.quantity.min((*have).max(0));
            *have -= from_stock;
            Split {
                product_id: l.product_id,
                from_stock,
                to_produce: l.quantity - from_stock,
            }
        })
        .collect()
}

/// What the credit check says of an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditCheck {
    /// Paid before the goods leave: no credit asked.
    Prepaid,
    /// On credit, within what the grade and limit allow.
    Allowed,
    /// On credit, but the manager decides (over the limit, or grade C); the reason.
    NeedsManager(CreditDecision),
}

/// 信用检查 — an order on credit by the customer's grade, limit, what they owe and their
/// terms ([`credit_decision`]); refused when the grade or terms ask for payment first.
pub fn check_credit(
    payment: Payment,
    grade: Option<Grade>,
    limit_fen: i64,
    outstanding_fen: i64,
    amount_fen: i64,
    terms: TermsKind,
) -> Result<CreditCheck, OrderError> {
    if payment == Payment::Prepayment {
        return Ok(CreditCheck::Prepaid);
    }
    match credit_decision(grade, limit_fen, outstanding_fen, amount_fen, terms) {
        CreditDecision::Allowed => Ok(CreditCheck::Allowed),
        d @ CreditDecision::NeedsApproval => Ok(CreditCheck::NeedsManager(d)),
        d => Err(OrderError::CreditRefused(d)),
    }
}

/// A line's progress: ordered, shipped so far, received and checked so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LineProgress {
    pub ordered: i64,
    pub shipped: i64,
    pub received: i64,
}

/// Checks a shipment's quantities against what is left to ship on each line (`shipping`
/// holds, per line index, how many leave now; 0 for a line not in it).
pub fn check_shipment(lines: &[LineProgress], shipping: &[i64]) -> Result<(), OrderError> {
    if shipping.len() != lines.len() || shipping.iter().all(|q| *q == 0) {
        return Err(OrderError::Lines);
    }
    for (n, (l, q)) in lines.iter().zip(shipping).enumerate() {
        let left = l.ordered - l.shipped;
        if *q < 0 {
            return Err(OrderError::Quantity { line: n + 1 });
        }
        if *q > left {
            return Err(OrderError::AboveOrdered { line: n + 1, left });
        }
    }
    Ok(())
}

/// 核实 — a shipment's count as received, line by line: refused above what was shipped;
/// otherwise the lines received short, with (line index, shipped, received). Any line short
/// is an order issue 订单问题 to open.
pub fn check_received(
    shipped: &[i64],
    received: &[i64],
) -> Result<Vec<(usize, i64, i64)>, OrderError> {
    if shipped.len() != received.len() {
        return Err(OrderError::Lines);
    }
    let mut short = Vec::new();
    for (n, (s, r)) in shipped.iter().zip(received).enumerate() {
        if *r < 0 {
            return Err(OrderError::Quantity { line: n + 1 });
        }
        if r > s {
            return Err(OrderError::AboveShipped {
                line: n + 1,
                shipped: *s,
            });
        }
        if r < s {
            short.push((n, *s, *r));
        }
    }
    Ok(short)
}

/// The order's state after a shipment or a count: nothing shipped → open, some → partly
/// shipped, all → shipped, all shipped and received in full → closed.
pub fn state_of(lines: &[LineProgress]) -> OrderState {
    let all_shipped = lines.iter().all(|l| l.shipped >= l.ordered);
    let any_shipped = lines.iter().any(|l| l.shipped > 0);
    let all_received = lines.iter().all(|l| l.received >= l.ordered);
    match (any_shipped, all_shipped) {
        (_, true) if all_received => OrderState::Closed,
        (_, true) => OrderState::Shipped,
        (true, false) => OrderState::PartlyShipped,
        (false, false) => OrderState::Open,
    }
}

/// A line's quantity changed: never below what already left.
pub fn check_change(line: usize, progress: LineProgress, quantity: i64) -> Result<(), OrderError> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(OrderError::Quantity { line });
    }
    if quantity < progress.shipped {
        return Err(OrderError::BelowShipped {
            line,
            shipped: progress.shipped,
        });
    }
    Ok(())
}

/// Whether an order's lines may be changed now: while it waits or is open, before goods
/// left.
pub fn check_changeable(state: OrderState) -> Result<(), OrderError> {
    match state {
        OrderState::PendingApproval | OrderState::Open => Ok(()),
        s => Err(OrderError::NotNow(s)),
    }
}

/// Whether an order may be cancelled now: before anything left, and while not ended; after
/// goods left, the customer returns them (an RMA).
pub fn check_cancel(state: OrderState, lines: &[LineProgress]) -> Result<(), OrderError> {
    match state {
        OrderState::Closed | OrderState::Cancelled => Err(OrderError::NotNow(state)),
        _ if lines.iter().any(|l| l.shipped > 0) => Err(OrderError::AlreadyShipped),
        _ => Ok(()),
    }
}
