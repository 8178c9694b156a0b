//! 应收账款与对账 — what customers owe (002 §一6–7: 负责与客户对账工作…如有不符，迅速查明原因；
//! 在大客户或者经销商账期内，及时催收货款): when a shipment falls due by the agreed terms
//! (月结30天, 30天, 款到发货), how old what is owed is (not due, 1–30, 31–60, 61–90, over 90
//! days), payments allocated to the oldest first without ever paying a line beyond what it
//! owes, and a statement whose closing balance is its opening plus its lines.

pub mod payment_file;
pub mod statement;

use jiff::civil::Date;

use crate::money;

keyed! {
    /// 账龄 — how long past its due date an amount is.
    AgeBucket {
        /// 未到期
        NotDue = "not_due",
        /// 逾期 1–30 天
        Days1To30 = "1_30",
        /// 逾期 31–60 天
        Days31To60 = "31_60",
        /// 逾期 61–90 天
        Days61To90 = "61_90",
        /// 逾期 90 天以上
        Over90 = "over_90",
    }
}

/// When a shipment on `shipped_on` falls due under `terms` (the archive's free text):
/// `月结N天` (and 季结, read as monthly) — N days after the end of the shipment's month;
/// `N天`, `账期N天`, `net N` — N days after the shipment; anything asking for payment first
/// or on delivery, or no terms — the day itself.
pub fn due_date(shipped_on: Date, terms: Option<&str>) -> Date {
    let text: String = terms
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .to_lowercase();
    let days = first_number(&text).unwrap_or(0).clamp(0, 365);
    let monthly = text.contains("月结") || text.contains("季结");
    let start = if monthly {
        shipped_on.last_of_month()
    } else {
        shipped_on
    };
    if monthly || days > 0 {
        start
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(start)
    } else {
        shipped_on
    }
}

/// The first run of ASCII digits in `text`, as a number.
fn first_number(text: &str) -> Option<i64> {
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .take(6)
        .collect();
    digits.parse().ok()
}

/// How old an amount due on `due` is on `today`.
pub fn age(due: Date, today: Date) -> AgeBucket {
    let late = (today - due).get_days();
    match late {
        i32::MIN..=0 => AgeBucket::NotDue,
        1..=30 => AgeBucket::Days1To30,
        31..=60 => AgeBucket::Days31To60,
        61..=90 => AgeBucket::Days61To90,
        _ => AgeBucket::Over90,
    }
}

/// Days past due on `today` (0 when not yet due).
pub fn days_overdue(due: Date, today: Date) -> i64 {
    i64::from((today - due).get_days().max(0))
}

/// An amount still owed: what it is, when it fell due, how much of it is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Open {
    pub id: i64,
    pub due: Date,
    pub open_fen: i64,
}

/// A payment's allocation: (what it paid, how much), and what is left unallocated (on
/// account, 预收款).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allocation {
    pub applied: Vec<(i64, i64)>,
    pub unapplied_fen: i64,
}

/// 核销 — allocates a payment to the open amounts, the oldest due first (then the lowest
/// id); never more to one than it owes, never more in all than was paid.
pub fn allocate_oldest_first(payment_fen: i64, open: &[Open]) -> Allocation {
    let mut order: Vec<&Open> = open.iter().filter(|o| o.open_fen > 0).collect();
    order.sort_by_key(|o| (o.due, o.id));
    let mut left = payment_fen.max(0);
    let mut applied = Vec::new();
    for o in order {
        if left == 0 {
            break;
        }
        let pay = left.min(o.open_fen);
        applied.push((o.id, pay));
        left -= pay;
    }
    Allocation {
        applied,
        unapplied_fen: left,
    }
}

/// Why an allocation by hand is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocationError {
    #[error("{id} owes only {open} fen")]
    AboveOpen { id: i64, open: i64 },
    #[error("the payment holds only {left} fen more")]
    AbovePayment { left: i64 },
    #[error("{0} is not owed by this customer")]
    Unknown(i64),
    #[error("an allocation is more than zero")]
    Zero,
}

/// Checks an allocation by hand: each amount more than zero, at most what its line owes
/// (each line once), and in all at most the payment's `left`.
pub fn check_allocation(
    left_fen: i64,
    open: &[Open],
    asked: &[(i64, i64)],
) -> Result<i64, AllocationError> {
    let mut total: i128 = 0;
    let mut seen = Vec::new();
    for (id, fen) in asked {
        if *fen <= 0 {
            return Err(AllocationError::Zero);
        }
        let o = open
            .iter()
            .find(|o| o.id == *id && !seen.contains(id))
            .ok_or(AllocationError::Unknown(*id))?;
        seen.push(*id);
        if *fen > o.open_fen {
            return Err(AllocationError::AboveOpen {
                id: *id,
                open: o.open_fen,
            });
        }
        total += i128::from(*fen);
    }
    if total > i128::from(left_fen) {
        return Err(AllocationError::AbovePayment { left: left_fen });
    }
    Ok(money::saturate(total))
}

keyed! {
    /// A statement line's kind.
    StatementLineKind {
        /// 发货 — goods shipped: owed.
        Shipment = "shipment",
        /// 收款 — a payment.
        Payment = "payment",
        /// 红字/退货冲减 — a credit note from an RMA's refund or return.
        CreditNote = "credit_note",
        /// 调整 — an approved resolution of a difference.
        Adjustment = "adjustment",
    }
}

/// A statement line: its kind and signed effect on the balance (owed: +, paid or
/// credited: −).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatementLine {
    pub kind: StatementLineKind,
    pub amount_fen: i64,
}

impl StatementLine {
    /// The line's effect on what the customer owes.
    pub fn effect(&self) -> i64 {
        match self.kind {
            StatementLineKind::Shipment | StatementLineKind::Adjustment => self.amount_fen,
            StatementLineKind::Payment | StatementLineKind::CreditNote => -self.amount_fen,
        }
    }
}

/// 期末余额 — a statement's closing balance: its opening plus every line's effect.
pub fn closing(opening_fen: i64, lines: &[StatementLine]) -> i64 {
    money::saturate(
        i128::from(opening_fen) + lines.iter().map(|l| i128::from(l.effect())).sum::<i128>(),
    )
}

keyed! {
    /// 差异原因 — why a line the customer disputes differs (002 §一6: 迅速查明原因).
    DifferenceCause {
        /// 价格
        Price = "price",
        /// 数量
        Quantity = "quantity",
        /// 漏记收款
        MissingPayment = "missing_payment",
        /// 重复
        Duplicate = "duplicate",
        /// 时间差
        Timing = "timing",
    }
}

keyed! {
    /// What an amount owed comes from.
    ReceivableKind {
        /// 发货 — goods shipped on credit.
        Shipment = "shipment",
        /// 调整 — an approved resolution of a statement difference in the company's favour.
        Adjustment = "adjustment",
    }
}

keyed! {
    /// What lowers what a customer owes.
    PaymentKind {
        /// 收款 — money received.
        Payment = "payment",
        /// 红字 — a credit note: goods that did not arrive, an RMA's refund.
        CreditNote = "credit_note",
        /// 调整 — an approved resolution of a statement difference in the customer's favour.
        Adjustment = "adjustment",
    }
}

keyed! {
    /// Where a payment or credit note was recorded from.
    PaymentSource {
        /// Entered on a page.
        Manual = "manual",
        /// A finance file imported (`kefu import payments`, the import page).
        Import = "import",
        /// Another system, over the API.
        Api = "api",
        /// A customer's count found a shipment short.
        ShortDelivery = "short_delivery",
        /// An RMA refunded.
        Rma = "rma",
        /// A statement difference resolved.
        Statement = "statement",
    }
}

keyed! {
    /// 催款提醒 — which reminder of an amount owed: a few days before it falls due, and
    /// after it (a day, two weeks, a month late); each sent once.
    ReminderKind {
        Before = "before",
        Overdue1 = "overdue_1",
        Overdue15 = "overdue_15",
        Overdue30 = "overdue_30",
    }
}

/// How many days before the due date the first reminder goes.
pub const REMIND_DAYS_BEFORE: i32 = 3;

/// The reminder an amount due on `due` calls for on `today`: the latest step reached
/// (a run missed for a few days sends the step it is at, not every one it passed).
pub fn reminder_for(due: Date, today: Date) -> Option<ReminderKind> {
    let late = (today - due).get_days();
    match late {
        l if l < -REMIND_DAYS_BEFORE => None,
        l if l <= 0 => Some(ReminderKind::Before),
        1..=14 => Some(ReminderKind::Overdue1),
        15..=29 => Some(ReminderKind::Overdue15),
        _ => Some(ReminderKind::Overdue30),
    }
}

/// Most characters in a payment's reference (a bank's serial number) and its note.
pub const MAX_REFERENCE: usize = 64;
pub const MAX_NOTE: usize = 500;

/// Why a payment is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceivableError {
    #[error("a payment needs its reference (the bank's serial number), at most {max} characters")]
    Reference { max: usize },
    #[error("a payment is more than zero and at most the ceiling")]
    Amount,
    #[error("a payment is not dated after today")]
    FutureDate,
    #[error("the note is at most {max} characters")]
    Note { max: usize },
    #[error(transparent)]
    Allocation(#[from] AllocationError),
    #[error("this reference is recorded for this customer with another amount or date")]
    ReferenceTaken,
    #[error("what is owed or paid changed meanwhile; try again")]
    Moved,
}

/// A payment checked: its reference trimmed, its amount within bounds, its date not after
/// `today` (and within the documented date bounds).
pub fn check_payment(
    reference: &str,
    amount_fen: i64,
    received_on: Date,
    note: &str,
    today: Date,
) -> Result<String, ReceivableError> {
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().count() > MAX_REFERENCE {
        return Err(ReceivableError::Reference { max: MAX_REFERENCE });
    }
    if amount_fen <= 0 || money::amount(amount_fen).is_err() {
        return Err(ReceivableError::Amount);
    }
    if received_on > today || received_on < crate::dates::MIN_DATE {
        return Err(ReceivableError::FutureDate);
    }
    if note.trim().chars().count() > MAX_NOTE {
        return Err(ReceivableError::Note { max: MAX_NOTE });
    }
    Ok(reference.to_owned())
}

/// What `quantity` at `unit_price_fen` comes to, to the fen (saturated, never wraps).
pub fn line_amount(quantity: i64, unit_price_fen: i64) -> i64 {
    money::saturate(i128::from(quantity) * i128::from(unit_price_fen))
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn terms_give_the_due_date() {
        let d = date(2026, 11, 12);
        assert_eq!(due_date(d, Some("月结30天")), date(2026, 12, 30));
        assert_eq!(due_date(d, Some("月结")), date(2026, 11, 30));
        assert_eq!(due_date(d, Some("30天")), date(2026, 12, 12));
        assert_eq!(due_date(d, Some("net 45")), date(2026, 12, 27));
        assert_eq!(due_date(d, Some("款到发货")), d);
        assert_eq!(due_date(d, None), d);
        assert_eq!(due_date(d, Some("月结 ６０ 天")), date(2027, 1, 29));
    }

    #[test]
    fn reminders_step_from_before_due_to_a_month_late() {
        let due = date(2026, 12, 10);
        assert_eq!(reminder_for(due, date(2026, 12, 6)), None);
        assert_eq!(
            reminder_for(due, date(2026, 12, 7)),
            Some(ReminderKind::Before)
        );
        assert_eq!(reminder_for(due, due), Some(ReminderKind::Before));
        assert_eq!(
            reminder_for(due, date(2026, 12, 11)),
            Some(ReminderKind::Overdue1)
        );
        assert_eq!(
            reminder_for(due, date(2026, 12, 25)),
            Some(ReminderKind::Overdue15)
        );
        assert_eq!(
            reminder_for(due, date(2027, 1, 9)),
            Some(ReminderKind::Overdue30)
        );
        assert_eq!(
            reminder_for(due, date(2028, 1, 9)),
            Some(ReminderKind::Overdue30)
        );
    }

    #[test]
    fn a_payment_is_checked_before_it_is_stored() {
        let today = date(2026, 12, 6);
        assert_eq!(
            check_payment(" HX-001 ", 100, today, "", today),
            Ok("HX-001".to_owned())
        );
        assert_eq!(
            check_payment("  ", 100, today, "", today),
            Err(ReceivableError::Reference { max: MAX_REFERENCE })
        );
        assert_eq!(
            check_payment("a", 0, today, "", today),
            Err(ReceivableError::Amount)
        );
        assert_eq!(
            check_payment("a", money::MAX_AMOUNT_FEN + 1, today, "", today),
            Err(ReceivableError::Amount)
        );
        assert_eq!(
            check_payment("a", 1, date(2026, 12, 7), "", today),
            Err(ReceivableError::FutureDate)
        );
        assert_eq!(line_amount(3, 1_999), 5_997);
        assert_eq!(line_amount(i64::MAX, 2), i64::MAX);
    }

    #[test]
    fn ageing_counts_days_past_due() {
        let due = date(2026, 10, 1);
        assert_eq!(age(due, date(2026, 10, 1)), AgeBucket::NotDue);
        assert_eq!(age(due, date(2026, 10, 2)), AgeBucket::Days1To30);
        assert_eq!(age(due, date(2026, 10, 31)), AgeBucket::Days1To30);
        assert_eq!(age(due, date(2026, 11, 1)), AgeBucket::Days31To60);
        assert_eq!(age(due, date(2026, 12, 30)), AgeBucket::Days61To90);
        assert_eq!(age(due, date(2026, 12, 31)), AgeBucket::Over90);
        assert_eq!(days_overdue(due, date(2026, 9, 1)), 0);
    }

    #[test]
    fn a_payment_goes_to_the_oldest_first() {
        let open = [
            Open {
                id: 2,
                due: date(2026, 11, 30),
                open_fen: 5_000,
            },
            Open {
                id: 1,
                due: date(2026, 10, 31),
                open_fen: 3_000,
            },
            Open {
                id: 3,
                due: date(2026, 12, 31),
                open_fen: 4_000,
            },
        ];
        let a = allocate_oldest_first(6_000, &open);
        assert_eq!(a.applied, vec![(1, 3_000), (2, 3_000)]);
        assert_eq!(a.unapplied_fen, 0);
        let a = allocate_oldest_first(20_000, &open);
        assert_eq!(a.unapplied_fen, 8_000);
        assert_eq!(
            check_allocation(5_000, &open, &[(3, 4_500)]),
            Err(AllocationError::AboveOpen { id: 3, open: 4_000 })
        );
        assert_eq!(
            check_allocation(5_000, &open, &[(3, 4_000), (2, 2_000)]),
            Err(AllocationError::AbovePayment { left: 5_000 })
        );
        assert_eq!(
            check_allocation(5_000, &open, &[(3, 4_000), (3, 1)]),
            Err(AllocationError::Unknown(3))
        );
        assert_eq!(check_allocation(5_000, &open, &[(2, 5_000)]), Ok(5_000));
    }

    fn opens() -> impl Strategy<Value = Vec<Open>> {
        proptest::collection::vec((0i32..400, 0i64..1_000_000), 0..30).prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(i, (d, fen))| Open {
                    id: i as i64,
                    due: date(2026, 1, 1) + jiff::Span::new().days(i64::from(d)),
                    open_fen: fen,
                })
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// An allocation never pays a line beyond what it owes, never more than the
        /// payment, and leaves nothing unallocated while something is owed.
        #[test]
        fn allocation_never_over_pays(payment in 0i64..20_000_000, open in opens()) {
            let a = allocate_oldest_first(payment, &open);
            let mut total: i64 = 0;
            for (id, fen) in &a.applied {
                let o = open.iter().find(|o| o.id == *id).unwrap();
                prop_assert!(*fen > 0 && *fen <= o.open_fen);
                total += fen;
            }
            prop_assert_eq!(total + a.unapplied_fen, payment);
            let owed: i64 = open.iter().map(|o| o.open_fen).sum();
            prop_assert_eq!(a.unapplied_fen, (payment - owed).max(0));
            // Oldest first: a line is paid only when every older one is paid in full.
            for (id, _) in &a.applied {
                let o = open.iter().find(|x| x.id == *id).unwrap();
                for older in open.iter().filter(|x| x.open_fen > 0 && (x.due, x.id) < (o.due, o.id)) {
                    let paid = a.applied.iter().find(|(i, _)| *i == older.id).map_or(0, |(_, f)| *f);
                    prop_assert_eq!(paid, older.open_fen);
                }
            }
        }

        /// Closing = opening + the lines' effects, to the fen, in any order.
        #[test]
        fn closing_is_opening_plus_the_lines(
            opening in -10_000_000i64..10_000_000,
            lines in proptest::collection::vec((0usize..4, 0i64..money::MAX_AMOUNT_FEN), 0..50),
        ) {
            let lines: Vec<StatementLine> = lines
                .into_iter()
                .map(|(k, fen)| StatementLine { kind: StatementLineKind::ALL[k], amount_fen: fen })
                .collect();
            let want = i128::from(opening) + lines.iter().map(|l| i128::from(l.effect())).sum::<i128>();
            prop_assert_eq!(i128::from(closing(opening, &lines)), want);
            let mut reversed = lines.clone();
            reversed.reverse();
            prop_assert_eq!(closing(opening, &reversed), closing(opening, &lines));
        }
    }
}
