//! 售后服务政策 — the after-sales policy (000 §(七)1, 8) and the check that decides an RMA
//! by it.
//!
//! A policy is versioned and dated per product category, with one company-wide policy for
//! categories without their own. The shipped default follows the common 三包 pattern: for a
//! quality fault 质量问题, a return within 7 days of delivery, an exchange within 15, a free
//! repair within the warranty, and after two failed repairs an exchange or return within the
//! warranty; damage by the customer 人为损坏 is repaired at the customer's cost; approval is
//! automatic up to ¥500, the after-sales specialist's up to ¥5,000, the manager's above and
//! for anything outside the policy. Every figure and every clause's wording is editable.
//!
//! [`check`] is the one decision: eligible, needs approval, or outside the policy, with the
//! clause it rests on and the reason — which each RMA keeps with the version it was decided
//! under.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::money::{self, AmountError};

keyed! {
    /// 售后类型 — what the customer asks for.
    RmaKind {
        /// 退货
        Return = "return",
        /// 换货
        Exchange = "exchange",
        /// 退款 (money back without the goods coming back first)
        Refund = "refund",
        /// 维修
        Repair = "repair",
    }
}

keyed! {
    /// 故障性质 — what is wrong with the goods, as claimed (and later as inspected).
    Fault {
        /// 质量问题
        Quality = "quality",
        /// 人为损坏 — damaged by the customer.
        CustomerDamage = "customer_damage",
        /// 无质量问题 — nothing wrong: the customer changed their mind.
        NoFault = "no_fault",
    }
}

keyed! {
    /// 政策条款 — the clauses of a policy, in the order they are numbered.
    ClauseKey {
        /// 质量问题退货期
        ReturnWindow = "return_window",
        /// 质量问题换货期
        ExchangeWindow = "exchange_window",
        /// 保修期内免费维修
        RepairWarranty = "repair_warranty",
        /// 两次维修仍不能正常使用
        FailedRepairs = "failed_repairs",
        /// 保修期外或人为损坏的有偿维修
        PaidRepair = "paid_repair",
        /// 人为损坏不退不换
        CustomerDamage = "customer_damage",
        /// 无理由退货
        NoFaultReturn = "no_fault_return",
        /// 审批权限
        ApprovalLimits = "approval_limits",
    }
}

keyed! {
    /// 判定 — what the check found.
    Verdict {
        /// 符合政策 — within the policy and the automatic limit: approved as asked.
        Eligible = "eligible",
        /// 需审批 — within the policy, above the automatic limit.
        NeedsApproval = "needs_approval",
        /// 不符合政策 — only the manager may grant it, as an exception.
        Outside = "outside",
    }
}

keyed! {
    /// 审批人 — who approves an RMA.
    Approver {
        /// 自动批准
        Auto = "auto",
        /// 售后服务专员
        Specialist = "specialist",
        /// 客户服务经理
        Manager = "manager",
    }
}

keyed! {
    /// 判定理由 — why the check decided as it did.
    Reason {
        WithinReturnWindow = "within_return_window",
        PastReturnWindow = "past_return_window",
        WithinExchangeWindow = "within_exchange_window",
        PastExchangeWindow = "past_exchange_window",
        RepeatedFailedRepairs = "repeated_failed_repairs",
        InWarranty = "in_warranty",
        OutOfWarranty = "out_of_warranty",
        CustomerDamage = "customer_damage",
        CustomerDamageRefused = "customer_damage_refused",
        WithinNoFaultWindow = "within_no_fault_window",
        NoFaultNotTaken = "no_fault_not_taken",
        NoFaultRepair = "no_fault_repair",
    }
}

/// The longest window in days a policy may give.
pub const MAX_DAYS: u32 = 365;
/// The most failed repairs a policy may wait for before an exchange or return.
pub const MAX_FAILED_REPAIRS: u32 = 10;
/// The longest clause wording, in characters.
pub const MAX_CLAUSE: usize = 500;
/// The longest note on a version, in characters.
pub const MAX_NOTE: usize = 200;

/// 条款 — a clause's wording, as the customer is told it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clause {
    pub key: ClauseKey,
    pub text: String,
}

/// 售后服务政策 — one version's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Days after delivery a quality fault may be returned (三包: 7).
    pub return_days: u32,
    /// Days after delivery a quality fault may be exchanged (三包: 15).
    pub exchange_days: u32,
    /// The warranty in months when it is the policy's rather than each product's.
    pub warranty_months: Option<u32>,
    /// Failed repairs after which a quality fault is exchanged or returned within the
    /// warranty (三包: 2).
    pub failed_repairs: u32,
    /// Days after delivery goods without fault may be returned (无理由退货); 0: never.
    pub no_fault_return_days: u32,
    /// Whether damage by the customer is repaired at their cost (else refused outright).
    pub paid_repair_for_damage: bool,
    /// Approved without anyone up to this amount, in fen.
    pub auto_approve_fen: i64,
    /// The after-sales specialist approves up to this amount; the manager above.
    pub specialist_limit_fen: i64,
    /// The clauses' wording, one per [`ClauseKey`], in its order.
    pub clauses: Vec<Clause>,
}

/// Why a policy or a version is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("a window is 0–{max} days", max = MAX_DAYS)]
    Days,
    #[error("failed repairs before an exchange are 1–{max}", max = MAX_FAILED_REPAIRS)]
    FailedRepairs,
    #[error("a warranty is 0–120 months")]
    Warranty,
    #[error("{0}")]
    Amount(#[from] AmountError),
    #[error("the automatic approval limit is above the specialist's")]
    Limits,
    #[error("clause {0} has no wording")]
    ClauseMissing(String),
    #[error("a clause is at most {max} characters", max = MAX_CLAUSE)]
    ClauseTooLong,
    #[error("a note is at most {max} characters", max = MAX_NOTE)]
    NoteTooLong,
    #[error("the version's end is before its start")]
    Reversed,
    /// The version whose days it would share, by its number.
    #[error("the dates overlap version {0}")]
    Overlap(i64),
    #[error("no policy is in force on that day")]
    NoneInForce,
}

/// The shipped wording of each clause (三包 pattern), numbered in [`ClauseKey::ALL`] order.
fn default_text(key: ClauseKey) -> &'static str {
    match key {
        ClauseKey::ReturnWindow => {
            "产品自交付之日起7日内出现性能故障（质量问题），客户可选择退货、换货或维修。"
        }
        ClauseKey::ExchangeWindow => {
            "产品自交付之日起15日内出现性能故障（质量问题），客户可选择换货或维修。"
        }
        ClauseKey::RepairWarranty => "保修期内出现质量问题，免费维修（免收配件费和人工费）。",
        ClauseKey::FailedRepairs => {
            "保修期内经两次维修仍不能正常使用的，凭维修记录免费换货或退货。"
        }
        ClauseKey::PaidRepair => {
            "超过保修期或因人为损坏的，提供有偿维修，维修前先行报价，经客户同意后维修。"
        }
        ClauseKey::CustomerDamage => {
            "因客户使用、维护、保管不当或自行拆修造成损坏的，不属于三包范围，不予退换。"
        }
        ClauseKey::NoFaultReturn => "非质量问题的退货，仅限政策规定的无理由退货期内且商品完好。",
        ClauseKey::ApprovalLimits => {
            "售后处理金额在自动审批额度内的直接办理；超过额度的由售后服务专员审批，超过专员权限或政策以外的由客户服务经理审批。本政策的最终解释权归客户服务部。"
        }
    }
}

/// The shipped policy: the 三包 pattern, ¥500 automatic, ¥5,000 for the specialist.
pub fn default_policy() -> Policy {
    Policy {
        return_days: 7,
        exchange_days: 15,
        warranty_months: None,
        failed_repairs: 2,
        no_fault_return_days: 0,
        paid_repair_for_damage: true,
        auto_approve_fen: 50_000,
        specialist_limit_fen: 500_000,
        clauses: ClauseKey::ALL
            .iter()
            .map(|&key| Clause {
                key,
                text: default_text(key).to_owned(),
            })
            .collect(),
    }
}

impl Policy {
    /// Checks the figures and that every clause has wording; returns the policy with the
    /// clauses in their order and trimmed.
    pub fn checked(mut self) -> Result<Policy, PolicyError> {
        if [
            self.return_days,
            self.exchange_days,
            self.no_fault_return_days,
        ]
        .iter()
        .any(|&d| d > MAX_DAYS)
        {
            return Err(PolicyError::Days);
        }
        if self.failed_repairs == 0 || self.failed_repairs > MAX_FAILED_REPAIRS {
            return Err(PolicyError::FailedRepairs);
        }
        if self.warranty_months.is_some_and(|m| m > 120) {
            return Err(PolicyError::Warranty);
        }
        money::amount(self.auto_approve_fen)?;
        money::amount(self.specialist_limit_fen)?;
        if self.auto_approve_fen > self.specialist_limit_fen {
            return Err(PolicyError::Limits);
        }
        let mut clauses = Vec::with_capacity(ClauseKey::ALL.len());
        for &key in ClauseKey::ALL {
            let text = self
                .clauses
                .iter()
                .find(|c| c.key == key)
                .map(|c| c.text.trim().to_owned())
                .unwrap_or_default();
            if text.is_empty() {
                return Err(PolicyError::ClauseMissing(key.key().to_owned()));
            }
            if text.chars().count() > MAX_CLAUSE {
                return Err(PolicyError::ClauseTooLong);
            }
            clauses.push(Clause { key, text });
        }
        self.clauses = clauses;
        Ok(self)
    }

    /// A clause's wording.
    pub fn clause(&self, key: ClauseKey) -> &str {
        self.clauses
            .iter()
            .find(|c| c.key == key)
            .map_or("", |c| c.text.as_str())
    }
}

/// A clause's number as printed: 第1条 … in [`ClauseKey::ALL`] order.
pub fn clause_number(key: ClauseKey) -> usize {
    ClauseKey::ALL.iter().position(|&k| k == key).unwrap_or(0) + 1
}

/// 售后申请 — what the check needs to know of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub kind: RmaKind,
    pub fault: Fault,
    /// 交付日期 — when the goods reached the customer.
    pub delivered_on: Date,
    /// When the customer asked.
    pub requested_on: Date,
    /// Repairs of this unit (or order line) that did not fix the fault.
    pub failed_repairs: u32,
    /// The product's warranty in months (the policy's, when it sets one, wins).
    pub product_warranty_months: u32,
    /// What it would cost: the refund, the goods' value, the repair.
    pub amount_fen: i64,
}

/// Why a claim cannot be checked at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClaimError {
    #[error("the request is dated before the delivery")]
    BeforeDelivery,
    #[error("{0}")]
    Amount(#[from] AmountError),
}

/// 判定结果 — what [`check`] decided, and on what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub verdict: Verdict,
    /// Who must approve (nobody: [`Approver::Auto`]).
    pub approver: Approver,
    /// The clause the decision rests on.
    pub clause: ClauseKey,
    pub reason: Reason,
    /// A repair at the customer's cost (a quote to accept first).
    pub paid_repair: bool,
    /// Days from delivery to the request.
    pub days: i64,
    /// Whether the warranty still ran on the request's day.
    pub in_warranty: bool,
}

/// The last day of a warranty of `months` from `delivered_on` (a warranty of 0 months has
/// none: `None`).
pub fn warranty_end(delivered_on: Date, months: u32) -> Option<Date> {
    if months == 0 {
        return None;
    }
    delivered_on
        .checked_add(jiff::Span::new().months(i64::from(months)))
        .ok()
        .and_then(|d| d.yesterday().ok())
}

/// Decides a claim by a policy.
pub fn check(policy: &Policy, claim: &Claim) -> Result<Decision, ClaimError> {
    money::amount(claim.amount_fen)?;
    if claim.requested_on < claim.delivered_on {
        return Err(ClaimError::BeforeDelivery);
    }
    let days = i64::from((claim.requested_on - claim.delivered_on).get_days().max(0));
    let months = policy
        .warranty_months
        .unwrap_or(claim.product_warranty_months);
    let in_warranty =
        warranty_end(claim.delivered_on, months).is_some_and(|end| claim.requested_on <= end);
    let within = |limit: u32| days <= i64::from(limit);
    let repeated = in_warranty && claim.failed_repairs >= policy.failed_repairs;
    use ClauseKey as C;
    use Reason as R;
    // (in policy, clause, reason, paid repair)
    let (inside, clause, reason, paid_repair) = match (claim.fault, claim.kind) {
        (Fault::Quality, RmaKind::Return | RmaKind::Refund) => {
            if within(policy.return_days) {
                (true, C::ReturnWindow, R::WithinReturnWindow, false)
            } else if repeated {
                (true, C::FailedRepairs, R::RepeatedFailedRepairs, false)
            } else {
                (false, C::ReturnWindow, R::PastReturnWindow, false)
            }
        }
        (Fault::Quality, RmaKind::Exchange) => {
            if within(policy.exchange_days) {
                (true, C::ExchangeWindow, R::WithinExchangeWindow, false)
            } else if repeated {
                (true, C::FailedRepairs, R::RepeatedFailedRepairs, false)
            } else {
                (false, C::ExchangeWindow, R::PastExchangeWindow, false)
            }
        }
        (Fault::Quality, RmaKind::Repair) if in_warranty => {
            (true, C::RepairWarranty, R::InWarranty, false)
        }
        (Fault::Quality, RmaKind::Repair) => (true, C::PaidRepair, R::OutOfWarranty, true),
        (Fault::CustomerDamage, RmaKind::Repair) if policy.paid_repair_for_damage => {
            (true, C::PaidRepair, R::CustomerDamage, true)
        }
        (Fault::CustomerDamage, RmaKind::Repair) => {
            (false, C::CustomerDamage, R::CustomerDamageRefused, false)
        }
        (Fault::CustomerDamage, _) => (false, C::CustomerDamage, R::CustomerDamageRefused, false),
        (Fault::NoFault, RmaKind::Return | RmaKind::Refund)
            if policy.no_fault_return_days > 0 && within(policy.no_fault_return_days) =>
        {
            (true, C::NoFaultReturn, R::WithinNoFaultWindow, false)
        }
        (Fault::NoFault, RmaKind::Repair) => (false, C::NoFaultReturn, R::NoFaultRepair, false),
        (Fault::NoFault, _) => (false, C::NoFaultReturn, R::NoFaultNotTaken, false),
    };
    // A paid repair costs the company nothing to approve: the customer accepts a quote.
    let (verdict, approver) = if !inside {
        (Verdict::Outside, Approver::Manager)
    } else if paid_repair || claim.amount_fen <= policy.auto_approve_fen {
        (Verdict::Eligible, Approver::Auto)
    } else if claim.amount_fen <= policy.specialist_limit_fen {
        (Verdict::NeedsApproval, Approver::Specialist)
    } else {
        (Verdict::NeedsApproval, Approver::Manager)
    };
    Ok(Decision {
        verdict,
        approver,
        clause,
        reason,
        paid_repair,
        days,
        in_warranty,
    })
}

/// A stored version's dates, as [`place`] reads them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// The version's number within its category.
    pub number: i64,
    pub from: Date,
    pub to: Option<Date>,
}

/// Where a new version from `from` to `to` goes among a category's versions: the open-ended
/// version it ends (the day before `from`), if any, or the version it would overlap.
///
/// A new version may start after the latest open-ended one, which then ends the day before;
/// any other shared day is refused, so every day has at most one version in force.
pub fn place(existing: &[Span], from: Date, to: Option<Date>) -> Result<Option<i64>, PolicyError> {
    if to.is_some_and(|t| t < from) {
        return Err(PolicyError::Reversed);
    }
    let mut ends = None;
    for v in existing {
        let shares = v.to.is_none_or(|vt| from <= vt) && to.is_none_or(|t| v.from <= t);
        if !shares {
            continue;
        }
        if v.to.is_none() && v.from < from {
            ends = Some(v.number);
        } else {
            return Err(PolicyError::Overlap(v.number));
        }
    }
    Ok(ends)
}

#[cfg(test)]
mod tests;
