//! 收款导入 — payments from the finance department's file (CSV or XLSX): each row a
//! customer (by name or id), an amount in yuan, the day it arrived, the bank's serial
//! number and a note, in Chinese or English headers; every refused cell named by row and
//! column.

use jiff::civil::Date;

use super::{MAX_NOTE, MAX_REFERENCE};
use crate::aftersales::import::{ColumnError, map, text};
use crate::money;

keyed! {
    /// A column of a payment file.
    PaymentColumn {
        Customer = "customer",
        CustomerId = "customer_id",
        Amount = "amount",
        ReceivedOn = "received_on",
        Reference = "reference",
        Note = "note",
    }
}

const HEADERS: &[(PaymentColumn, &[&str])] = &[
    (
        PaymentColumn::Customer,
        &[
            "customer",
            "客户",
            "客户名称",
            "付款单位",
            "付款人",
            "付款方",
        ],
    ),
    (
        PaymentColumn::CustomerId,
        &["customer_id", "客户ID", "客户编号"],
    ),
    (
        PaymentColumn::Amount,
        &[
            "amount",
            "金额",
            "到账金额",
            "收款金额",
            "金额(元)",
            "金额（元）",
        ],
    ),
    (
        PaymentColumn::ReceivedOn,
        &[
            "received_on",
            "date",
            "到账日期",
            "收款日期",
            "日期",
            "交易日期",
        ],
    ),
    (
        PaymentColumn::Reference,
        &[
            "reference",
            "流水号",
            "银行流水号",
            "交易流水号",
            "参考号",
            "凭证号",
        ],
    ),
    (PaymentColumn::Note, &["note", "备注", "摘要", "用途"]),
];

/// Which column of a payment file each header is (`None`: not read). The customer is
/// named or numbered: one of the two columns is needed.
pub fn payment_columns(headers: &[String]) -> Result<Vec<Option<PaymentColumn>>, ColumnError> {
    use PaymentColumn as C;
    let columns = map(
        headers,
        HEADERS,
        C::key,
        &[C::Amount, C::ReceivedOn, C::Reference],
    )?;
    if !columns.contains(&Some(C::Customer)) && !columns.contains(&Some(C::CustomerId)) {
        return Err(ColumnError::Missing(C::Customer.key()));
    }
    Ok(columns)
}

keyed! {
    /// Why a payment cell is refused.
    PaymentProblem {
        Missing = "missing",
        /// 金额不对（大于零、最多两位小数）
        BadAmount = "bad_amount",
        /// 日期格式不对
        BadDate = "bad_date",
        /// 日期晚于今天
        Future = "future",
        TooLong = "too_long",
        /// 没有这个客户
        UnknownCustomer = "unknown_customer",
        /// 同名客户不止一个，请用客户编号
        AmbiguousCustomer = "ambiguous_customer",
        /// 这个流水号已登记为另一笔金额或日期
        ReferenceTaken = "reference_taken",
        /// 文件里同一客户的流水号出现两次
        Twice = "twice",
        /// 该月对账单已结账
        MonthClosed = "month_closed",
    }
}

/// A payment cell refused: the column's key, why, and the value as read (at most 50
/// characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentCellError {
    pub column: &'static str,
    pub problem: PaymentProblem,
    pub value: String,
}

impl PaymentCellError {
    pub fn new(column: PaymentColumn, problem: PaymentProblem, value: &str) -> PaymentCellError {
        PaymentCellError {
            column: column.key(),
            problem,
            value: value.chars().take(50).collect(),
        }
    }
}

/// Who paid, as the row says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payer {
    Id(i64),
    Name(String),
}

/// A payment row as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    pub payer: Payer,
    pub amount_fen: i64,
    pub received_on: Date,
    pub reference: String,
    pub note: String,
}

/// A day as finance files write it: `2026-12-01`, `2026/12/1`, `2026.12.1`,
/// `2026年12月1日`, `20261201`, or a day with a time after it.
pub fn day_of(raw: &str) -> Option<Date> {
    let raw = raw.trim();
    let day = raw.split([' ', 'T']).next().unwrap_or(raw);
    if day.len() == 8 && day.bytes().all(|b| b.is_ascii_digit()) {
        let (y, rest) = day.split_at(4);
        let (m, d) = rest.split_at(2);
        return Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
    }
    let parts: Vec<&str> = day
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok()
}

/// Reads a payment row on `today`; every cell refused is named.
pub fn payment_line(
    cells: &[String],
    columns: &[Option<PaymentColumn>],
    today: Date,
) -> Result<PaymentLine, Vec<PaymentCellError>> {
    use PaymentColumn as C;
    use PaymentProblem as P;
    let t = |c| text(cells, columns, c);
    let mut errors = Vec::new();
    let mut refuse = |c: C, p: P, raw: &str| errors.push(PaymentCellError::new(c, p, raw));
    let id_raw = t(C::CustomerId);
    let name = t(C::Customer);
    let payer = if !id_raw.is_empty() {
        match id_raw.parse::<i64>() {
            Ok(id) if id > 0 => Payer::Id(id),
            _ => {
                refuse(C::CustomerId, P::UnknownCustomer, &id_raw);
                Payer::Id(0)
            }
        }
    } else if !name.is_empty() {
        Payer::Name(name)
    } else {
        refuse(C::Customer, P::Missing, "");
        Payer::Id(0)
    };
    let amount_raw = t(C::Amount);
    let amount_fen = match money::parse_yuan(&amount_raw) {
        _ if amount_raw.is_empty() => {
            refuse(C::Amount, P::Missing, "");
            0
        }
        Some(fen) if fen > 0 && money::amount(fen).is_ok() => fen,
        _ => {
            refuse(C::Amount, P::BadAmount, &amount_raw);
            0
        }
    };
    let day_raw = t(C::ReceivedOn);
    let received_on = match day_of(&day_raw) {
        None if day_raw.is_empty() => {
            refuse(C::ReceivedOn, P::Missing, "");
            today
        }
        Some(d) if d > today => {
            refuse(C::ReceivedOn, P::Future, &day_raw);
            today
        }
        Some(d) if d >= crate::dates::MIN_DATE => d,
        _ => {
            refuse(C::ReceivedOn, P::BadDate, &day_raw);
            today
        }
    };
    let reference = t(C::Reference);
    if reference.is_empty() {
        refuse(C::Reference, P::Missing, "");
    } else if reference.chars().count() > MAX_REFERENCE {
        refuse(C::Reference, P::TooLong, &reference);
    }
    let note = t(C::Note);
    if note.chars().count() > MAX_NOTE {
        refuse(C::Note, P::TooLong, &note);
    }
    if errors.is_empty() {
        Ok(PaymentLine {
            payer,
            amount_fen,
            received_on,
            reference,
            note,
        })
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::*;

    fn cells(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn chinese_headers_are_read_and_a_customer_column_is_needed() {
        let cols = payment_columns(&cells(&[
            "付款单位",
            "到账金额",
            "到账日期",
            "银行流水号",
            "摘要",
        ]))
        .expect("columns");
        assert_eq!(cols[0], Some(PaymentColumn::Customer));
        assert_eq!(
            payment_columns(&cells(&["金额", "日期", "流水号"])),
            Err(ColumnError::Missing("customer"))
        );
    }

    #[test]
    fn rows_are_read_and_every_bad_cell_named() {
        let cols = payment_columns(&cells(&["客户", "金额", "日期", "流水号"])).expect("columns");
        let today = date(2026, 12, 6);
        let line = payment_line(
            &cells(&["恒信商贸", "12,000.50", "2026/12/1", "B-1"]),
            &cols,
            today,
        )
        .expect("read");
        assert_eq!(line.amount_fen, 1_200_050);
        assert_eq!(line.received_on, date(2026, 12, 1));
        assert_eq!(line.payer, Payer::Name("恒信商贸".into()));
        let errors = payment_line(&cells(&["", "12.345", "2026-12-07", ""]), &cols, today)
            .expect_err("refused");
        let found: Vec<(&str, PaymentProblem)> =
            errors.iter().map(|e| (e.column, e.problem)).collect();
        assert_eq!(
            found,
            [
                ("customer", PaymentProblem::Missing),
                ("amount", PaymentProblem::BadAmount),
                ("received_on", PaymentProblem::Future),
                ("reference", PaymentProblem::Missing),
            ]
        );
        assert_eq!(day_of("2026年12月1日"), Some(date(2026, 12, 1)));
        assert_eq!(day_of("20261201"), Some(date(2026, 12, 1)));
        assert_eq!(day_of("2026-12-01 10:30:00"), Some(date(2026, 12, 1)));
        assert_eq!(day_of("12/01/2026"), None);
        assert_eq!(day_of("2026-02-30"), None);
    }
}
