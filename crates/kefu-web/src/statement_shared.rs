//! 对账单 — what the statement's page, its print page, its spreadsheet and the customer's
//! link page all show: the lines in the reader's language, amounts in yuan, and the sheet.

use kefu_app::export::{Cell, Export, Row, Sheet};
use kefu_app::receivable::StatementDetail;
use kefu_domain::money::yuan;
use kefu_domain::receivable::StatementLineKind;
use kefu_domain::receivable::statement::LineAnswer;

use crate::i18n::Tr;

/// A statement line as read: number, day, what it is, reference, owed (+) or paid (−),
/// the customer's answer and note, the cause and resolution.
pub struct LineView {
    pub line_no: i64,
    pub on_date: String,
    pub kind: String,
    pub reference: String,
    /// Signed effect on what the customer owes, in yuan.
    pub effect: String,
    pub answer: String,
    pub answer_key: &'static str,
    pub note: String,
    pub cause: String,
    pub resolution: String,
    pub adjustment: String,
}

/// The statement's heading figures and lines.
pub struct StatementView {
    pub id: i64,
    pub number: String,
    pub customer: String,
    pub customer_id: i64,
    pub period: String,
    pub state: String,
    pub state_key: &'static str,
    pub opening: String,
    pub closing: String,
    pub version: i64,
    pub lines: Vec<LineView>,
}

/// A line's signed effect on what is owed: shipments and debit adjustments +, payments,
/// credit notes and credit adjustments −.
pub fn effect(kind: StatementLineKind, amount_fen: i64) -> i64 {
    kefu_domain::receivable::StatementLine { kind, amount_fen }.effect()
}

pub fn view(t: Tr, d: &StatementDetail) -> StatementView {
    let s = &d.statement;
    StatementView {
        id: s.id,
        number: s.number.clone(),
        customer: s.customer_name.clone(),
        customer_id: s.customer_id,
        period: s.period.clone(),
        state: t.tk("statement.state", s.state.key()),
        state_key: s.state.key(),
        opening: yuan(s.opening_fen),
        closing: yuan(s.closing_fen),
        version: s.version,
        lines: d
            .lines
            .iter()
            .map(|l| {
                let fen = effect(l.entry.kind, l.entry.amount_fen);
                LineView {
                    line_no: l.line_no,
                    on_date: l.entry.on_date.to_string(),
                    kind: t.tk("statement.line_kind", l.entry.kind.key()),
                    reference: l.entry.reference.clone(),
                    effect: yuan(fen),
                    answer: t.tk("statement.answer", l.answer.key()),
                    answer_key: l.answer.key(),
                    note: l.customer_note.clone(),
                    cause: l
                        .cause
                        .map(|c| t.tk("statement.cause", c.key()))
                        .unwrap_or_default(),
                    resolution: l.resolution.clone(),
                    adjustment: match (l.answer, l.adjustment_fen) {
                        (LineAnswer::Proposed | LineAnswer::Resolved, Some(f)) => yuan(f),
                        _ => String::new(),
                    },
                }
            })
            .collect(),
    }
}

/// The statement as a spreadsheet: a heading block, then one row per line with typed
/// cells (dates as dates, money as money), then the closing balance.
pub fn sheet(t: Tr, d: &StatementDetail) -> Export {
    let s = &d.statement;
    let mut sheet = Sheet::new(t.t("statement.sheet"));
    sheet.push(Row::new(vec![
        Cell::text(t.t("statement.number")),
        Cell::text(s.number.as_str()),
    ]));
    sheet.push(Row::new(vec![
        Cell::text(t.t("statement.customer")),
        Cell::text(s.customer_name.as_str()),
    ]));
    sheet.push(Row::new(vec![
        Cell::text(t.t("statement.period")),
        Cell::text(s.period.as_str()),
    ]));
    sheet.push(Row::new(vec![
        Cell::text(t.t("statement.opening")),
        Cell::Money(s.opening_fen),
    ]));
    sheet.push(Row::blank());
    sheet.push(Row::heading([
        t.t("statement.line_no"),
        t.t("statement.on_date"),
        t.t("statement.kind"),
        t.t("statement.reference"),
        t.t("statement.effect"),
        t.t("statement.answer_heading"),
        t.t("statement.note"),
    ]));
    for l in &d.lines {
        sheet.push(Row::new(vec![
            Cell::Int(l.line_no),
            Cell::Date(l.entry.on_date),
            Cell::text(t.tk("statement.line_kind", l.entry.kind.key())),
            Cell::text(l.entry.reference.as_str()),
            Cell::Money(effect(l.entry.kind, l.entry.amount_fen)),
            Cell::text(t.tk("statement.answer", l.answer.key())),
            Cell::text(l.customer_note.as_str()),
        ]));
    }
    sheet.push(Row::blank());
    sheet.push(Row::new(vec![
        Cell::text(t.t("statement.closing")),
        Cell::Money(s.closing_fen),
    ]));
    Export::new(sheet, None)
}
