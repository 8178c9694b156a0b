//! 收款导入 — the finance department's payment file, all or nothing: every refused cell
//! named by row, a dry run to check first. A row whose serial number the customer already
//! has, with the same amount and day, is the same payment (a file imported twice records
//! nothing twice); each new payment is allocated to the oldest amounts owed.

use std::collections::{HashMap, HashSet};

use kefu_domain::Permission;
use kefu_domain::customer::name_key;
use kefu_domain::receivable::payment_file::{
    self as rules, Payer, PaymentCellError, PaymentColumn, PaymentLine, PaymentProblem,
};
use kefu_domain::receivable::statement::StatementError;
use kefu_domain::receivable::{PaymentKind, PaymentSource};
use kefu_store::StoreError;
use kefu_store::receivable::{self as store, PaymentRow};

use super::{Allocate, allocate_in};
use crate::customer_import::read_table;
use crate::workbench::local_date;
use crate::{Actor, App, Result};

/// The most rows one file holds.
pub const MAX_PAYMENT_ROWS: usize = 5_000;

/// A payment the file records (or would): its row, customer and amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentImportRow {
    pub row: usize,
    pub customer_id: i64,
    pub customer: String,
    pub reference: String,
    pub amount_fen: i64,
    /// How much went to amounts owed, the oldest first.
    pub allocated_fen: i64,
}

/// What an import did, or would do (a dry run, or a file with problems: nothing written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentImport {
    /// Data rows read (blank ones not counted).
    pub rows: usize,
    /// Payments new to their customers.
    pub added: Vec<PaymentImportRow>,
    /// Rows recorded before (same customer, serial number, amount and day).
    pub known: usize,
    /// Each refused cell with its spreadsheet row.
    pub problems: Vec<(usize, PaymentCellError)>,
    pub written: bool,
}

impl App {
    /// Imports a payment file (`dry_run`: only says what would happen).
    pub async fn import_payments(
        &self,
        actor: &Actor,
        filename: &str,
        bytes: &[u8],
        dry_run: bool,
    ) -> Result<PaymentImport> {
        actor.require(Permission::Receivables)?;
        let table = read_table(filename, bytes)?;
        let columns = rules::payment_columns(&table.headers)?;
        let now = self.now();
        let today = local_date(now);
        let mut out = PaymentImport::default();
        let mut good: Vec<(usize, PaymentLine)> = Vec::new();
        for (i, cells) in table.rows.iter().enumerate() {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            out.rows += 1;
            if out.rows > MAX_PAYMENT_ROWS {
                return Err(crate::AppError::TooMany {
                    max: MAX_PAYMENT_ROWS,
                });
            }
            let row = table.header_row + 1 + i;
            match rules::payment_line(cells, &columns, today) {
                Ok(l) => good.push((row, l)),
                Err(errors) => out.problems.extend(errors.into_iter().map(|e| (row, e))),
            }
        }
        let mut tx = self.store.begin().await?;
        let mut names: HashMap<String, Vec<(i64, String)>> = HashMap::new();
        let mut seen: HashSet<(i64, String)> = HashSet::new();
        for (row, l) in good {
            let found = match &l.payer {
                Payer::Id(id) => kefu_store::customer::by_id(&mut tx, *id)
                    .await
                    .map(|c| vec![(c.id, c.name)])
                    .or_else(|e| match e {
                        StoreError::NotFound => Ok(Vec::new()),
                        e => Err(e),
                    })?,
                Payer::Name(name) => {
                    let key = name_key(name);
                    if !names.contains_key(&key) {
                        let list = kefu_store::customer::by_name_key(&mut tx, &key)
                            .await?
                            .into_iter()
                            .map(|c| (c.id, c.name))
                            .collect();
                        names.insert(key.clone(), list);
                    }
                    names[&key].clone()
                }
            };
            let (column, raw) = match &l.payer {
                Payer::Id(id) => (PaymentColumn::CustomerId, id.to_string()),
                Payer::Name(n) => (PaymentColumn::Customer, n.clone()),
            };
            let (customer_id, customer) = match found.as_slice() {
                [one] => one.clone(),
                [] => {
                    let e = PaymentCellError::new(column, PaymentProblem::UnknownCustomer, &raw);
                    out.problems.push((row, e));
                    continue;
                }
                _ => {
                    let e = PaymentCellError::new(column, PaymentProblem::AmbiguousCustomer, &raw);
                    out.problems.push((row, e));
                    continue;
                }
            };
            let reference_cell = |p| {
                (
                    row,
                    PaymentCellError::new(PaymentColumn::Reference, p, &l.reference),
                )
            };
            if !seen.insert((customer_id, l.reference.clone())) {
                out.problems.push(reference_cell(PaymentProblem::Twice));
                continue;
            }
            let payment = PaymentRow {
                id: 0,
                customer_id,
                kind: PaymentKind::Payment,
                reference: l.reference.clone(),
                amount_fen: l.amount_fen,
                unapplied_fen: l.amount_fen,
                received_on: l.received_on,
                source: PaymentSource::Import,
                note: l.note.clone(),
                created_by: actor.user_id(),
                created_at: now,
            };
            let Some(id) = store::insert_payment(&mut tx, &payment).await? else {
                let was = store::payment_by_reference(
                    &mut tx,
                    customer_id,
                    PaymentKind::Payment,
                    &l.reference,
                )
                .await?;
                match was {
                    Some(w) if w.amount_fen == l.amount_fen && w.received_on == l.received_on => {
                        out.known += 1;
                    }
                    _ => out
                        .problems
                        .push(reference_cell(PaymentProblem::ReferenceTaken)),
                }
                continue;
            };
            match super::statement::join_statement(&mut tx, &super::entry_of_payment(id, &payment))
                .await
            {
                Err(crate::AppError::Statement(StatementError::Closed)) => {
                    let e = PaymentCellError::new(
                        PaymentColumn::ReceivedOn,
                        PaymentProblem::MonthClosed,
                        &l.received_on.to_string(),
                    );
                    out.problems.push((row, e));
                    continue;
                }
                other => other?,
            }
            let allocated = allocate_in(
                &mut tx,
                id,
                customer_id,
                l.amount_fen,
                &Allocate::OldestFirst,
                actor.user_id(),
                now,
            )
            .await?;
            out.added.push(PaymentImportRow {
                row,
                customer_id,
                customer,
                reference: l.reference,
                amount_fen: l.amount_fen,
                allocated_fen: kefu_domain::money::total(allocated.iter().map(|(_, f)| *f)),
            });
        }
        out.problems.sort_by_key(|(row, _)| *row);
        if dry_run || !out.problems.is_empty() {
            tx.rollback().await.map_err(StoreError::from)?;
            return Ok(out);
        }
        tx.commit().await.map_err(StoreError::from)?;
        out.written = true;
        Ok(out)
    }
}
