//! 应收账款 — what customers owe and pay (002 §一7: 在大客户或者经销商账期内，及时催收货款).
//! A shipment of an order on credit is owed from the day it leaves, due by the customer's
//! terms (月结30天); a short count credits what did not arrive. Payments are entered,
//! imported or sent by another system, each once by its reference, and allocated oldest
//! first or by hand, never beyond what is owed. The ageing report, the customer's account,
//! the reminders before and after the due date, and the overdue tile.

mod ageing;
mod import;
mod reminders;
mod statement;

pub(crate) use ageing::TILES;
pub use ageing::{AGEING_PAGE, AgeingQuery, AgeingReport};
pub use import::{MAX_PAYMENT_ROWS, PaymentImport, PaymentImportRow};
pub(crate) use reminders::reminder_words;
pub(crate) use statement::TILES as STATEMENT_TILES;
pub use statement::{Generated, LINK_DAYS, MAX_STATEMENTS, Resolution, StatementDetail};

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::receivable::{
    self as rules, AllocationError, PaymentKind, PaymentSource, ReceivableError, ReceivableKind,
};
use kefu_store::receivable::{self as store, AllocationRow, Balance, PaymentRow, ReceivableRow};
use kefu_store::{AnyConnection, StoreError};

use crate::workbench::local_date;
use crate::{Actor, App, AppError, Result};

/// The most amounts owed and payments an account page lists of each.
pub const ACCOUNT_ROWS: i64 = 200;

/// How a payment is allocated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allocate {
    /// To what is owed, the oldest due first.
    OldestFirst,
    /// By hand: (receivable id, fen) each.
    ByHand(Vec<(i64, i64)>),
    /// Not yet: kept on account (预收).
    Later,
}

/// A payment asked.
#[derive(Debug, Clone)]
pub struct PaymentInput {
    /// The bank's serial number, or the finance system's: one payment per customer.
    pub reference: String,
    pub amount_fen: i64,
    pub received_on: Date,
    pub note: String,
    pub allocate: Allocate,
}

/// A payment recorded (or found already recorded, `created` false) and where it went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentOutcome {
    pub id: i64,
    pub created: bool,
    pub allocated: Vec<(i64, i64)>,
    pub unapplied_fen: i64,
}

/// A customer's account: the balance, what is owed, what was paid and where it went, the
/// reminders sent.
#[derive(Debug, Clone)]
pub struct Account {
    pub customer_id: i64,
    pub customer_name: String,
    pub payment_terms: Option<String>,
    pub today: Date,
    pub balance: Balance,
    pub receivables: Vec<ReceivableRow>,
    pub payments: Vec<PaymentRow>,
    pub allocations: Vec<AllocationRow>,
    pub reminders: Vec<(i64, rules::ReminderKind, String, Timestamp)>,
}

fn may_work(actor: &Actor) -> Result<()> {
    actor.require(Permission::Receivables)
}

/// Allocates `left` of payment `payment_id` as asked, among the customer's `open`
/// amounts; what went where. A guarded write that finds less than it read (another
/// allocation at the same moment) refuses the lot.
async fn allocate_in(
    conn: &mut AnyConnection,
    payment_id: i64,
    customer_id: i64,
    left: i64,
    how: &Allocate,
    by: Option<i64>,
    now: Timestamp,
) -> Result<Vec<(i64, i64)>> {
    let open = store::open_of(&mut *conn, customer_id).await?;
    let plan = match how {
        Allocate::Later => return Ok(Vec::new()),
        Allocate::OldestFirst => rules::allocate_oldest_first(left, &open).applied,
        Allocate::ByHand(asked) => {
            rules::check_allocation(left, &open, asked).map_err(ReceivableError::from)?;
            asked.clone()
        }
    };
    for (receivable_id, fen) in &plan {
        if !store::apply(&mut *conn, payment_id, *receivable_id, *fen, by, now).await? {
            return Err(ReceivableError::Moved.into());
        }
    }
    Ok(plan)
}

impl App {
    /// 收款登记 — records a customer's payment and allocates it as asked. The same
    /// reference again with the same amount and date is the same payment (nothing
    /// changes); with another amount or date it is refused.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        customer_id: i64,
        p: &PaymentInput,
        source: PaymentSource,
    ) -> Result<PaymentOutcome> {
        may_work(actor)?;
        let now = self.now();
        let reference = rules::check_payment(
            &p.reference,
            p.amount_fen,
            p.received_on,
            &p.note,
            local_date(now),
        )?;
        let mut tx = self.store.begin().await?;
        kefu_store::customer::by_id(&mut tx, customer_id).await?;
        let row = PaymentRow {
            id: 0,
            customer_id,
            kind: PaymentKind::Payment,
            reference: reference.clone(),
            amount_fen: p.amount_fen,
            unapplied_fen: p.amount_fen,
            received_on: p.received_on,
            source,
            note: p.note.trim().to_owned(),
            created_by: actor.user_id(),
            created_at: now,
        };
        let Some(id) = store::insert_payment(&mut tx, &row).await? else {
            let was = store::payment_by_reference(&mut tx, customer_id, row.kind, &reference)
                .await?
                .ok_or(AppError::NotFound)?;
            if was.amount_fen != p.amount_fen || was.received_on != p.received_on {
                return Err(ReceivableError::ReferenceTaken.into());
            }
            return Ok(PaymentOutcome {
                id: was.id,
                created: false,
                allocated: Vec::new(),
                unapplied_fen: was.unapplied_fen,
            });
        };
        statement::join_statement(&mut tx, &entry_of_payment(id, &row)).await?;
        let allocated = allocate_in(
            &mut tx,
            id,
            customer_id,
            p.amount_fen,
            &p.allocate,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        let spent = kefu_domain::money::total(allocated.iter().map(|(_, f)| *f));
        Ok(PaymentOutcome {
            id,
            created: true,
            unapplied_fen: p.amount_fen - spent,
            allocated,
        })
    }

    /// 核销 — allocates what is left of a payment (or credit): the oldest first, or by
    /// hand. What went where.
    pub async fn allocate_payment(
        &self,
        actor: &Actor,
        payment_id: i64,
        how: &Allocate,
    ) -> Result<Vec<(i64, i64)>> {
        may_work(actor)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let p = store::payment_by_id(&mut tx, payment_id).await?;
        if p.unapplied_fen == 0 {
            return Err(ReceivableError::from(AllocationError::AbovePayment { left: 0 }).into());
        }
        let done = allocate_in(
            &mut tx,
            p.id,
            p.customer_id,
            p.unapplied_fen,
            how,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(done)
    }

    /// 客户往来账 — a customer's account (balance, amounts owed, payments and their
    /// allocations, reminders), the latest [`ACCOUNT_ROWS`] of each.
    pub async fn customer_account(&self, actor: &Actor, customer_id: i64) -> Result<Account> {
        may_work(actor)?;
        let today = local_date(self.now());
        let mut conn = self.store.conn().await?;
        let customer = kefu_store::customer::by_id(&mut conn, customer_id).await?;
        let balance = store::balance(&mut conn, customer_id, today).await?;
        let receivables = store::receivables_of(&mut conn, customer_id, ACCOUNT_ROWS).await?;
        let payments = store::payments_of(&mut conn, customer_id, ACCOUNT_ROWS).await?;
        let ids: Vec<i64> = payments.iter().map(|p| p.id).collect();
        let allocations = store::allocations_of(&mut conn, &ids).await?;
        let reminders = store::reminders_of(&mut conn, customer_id).await?;
        Ok(Account {
            customer_id,
            customer_name: customer.name,
            payment_terms: customer.payment_terms,
            today,
            balance,
            receivables,
            payments,
            allocations,
            reminders,
        })
    }

    /// One payment and its allocations, for whoever works receivables.
    pub async fn payment(
        &self,
        actor: &Actor,
        payment_id: i64,
    ) -> Result<(PaymentRow, Vec<AllocationRow>)> {
        may_work(actor)?;
        let mut conn = self.store.conn().await?;
        let p = store::payment_by_id(&mut conn, payment_id).await?;
        let a = store::allocations_of(&mut conn, &[p.id]).await?;
        Ok((p, a))
    }
}

/// 挂账 — books what a shipment of an order on credit owes, due by the customer's terms
/// counted from `today`. Its id.
pub(crate) async fn book_shipment(
    conn: &mut AnyConnection,
    order: &kefu_store::order::OrderRow,
    shipment_id: i64,
    reference: &str,
    amount_fen: i64,
    terms: Option<&str>,
    now: Timestamp,
) -> Result<i64> {
    let today = local_date(now);
    Ok(store::insert_receivable(
        conn,
        &ReceivableRow {
            id: 0,
            customer_id: order.customer_id,
            kind: ReceivableKind::Shipment,
            order_id: Some(order.id),
            order_number: None,
            shipment_id: Some(shipment_id),
            reference: reference.to_owned(),
            amount_fen,
            open_fen: amount_fen,
            booked_on: today,
            due_on: rules::due_date(today, terms),
            created_at: now,
        },
    )
    .await?)
}

/// 红字冲减 — credits a customer with `amount_fen` for shipment `shipment_id`'s goods that did
/// not arrive (once per shipment), taken off that shipment's amount owed first, the rest
/// off the oldest. Nothing when the order was not on credit.
pub(crate) async fn credit_short_delivery(
    conn: &mut AnyConnection,
    shipment_id: i64,
    shipment_number: &str,
    amount_fen: i64,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    let Some(owed) = store::of_shipment(&mut *conn, shipment_id).await? else {
        return Ok(());
    };
    if amount_fen <= 0 {
        return Ok(());
    }
    let Some(id) = store::insert_payment(
        &mut *conn,
        &PaymentRow {
            id: 0,
            customer_id: owed.customer_id,
            kind: PaymentKind::CreditNote,
            reference: format!("{shipment_number}-短少"),
            amount_fen,
            unapplied_fen: amount_fen,
            received_on: local_date(now),
            source: PaymentSource::ShortDelivery,
            note: String::new(),
            created_by: by,
            created_at: now,
        },
    )
    .await?
    else {
        return Ok(());
    };
    let first = amount_fen.min(owed.open_fen);
    if first > 0 && !store::apply(&mut *conn, id, owed.id, first, by, now).await? {
        return Err(ReceivableError::Moved.into());
    }
    if amount_fen > first {
        allocate_in(
            conn,
            id,
            owed.customer_id,
            amount_fen - first,
            &Allocate::OldestFirst,
            by,
            now,
        )
        .await?;
    }
    Ok(())
}

/// A payment as a statement line shows it.
pub(crate) fn entry_of_payment(id: i64, p: &PaymentRow) -> kefu_store::statement::Entry {
    kefu_store::statement::Entry {
        customer_id: p.customer_id,
        kind: match p.kind {
            PaymentKind::Payment => rules::StatementLineKind::Payment,
            PaymentKind::CreditNote => rules::StatementLineKind::CreditNote,
            PaymentKind::Adjustment => rules::StatementLineKind::Adjustment,
        },
        receivable_id: None,
        payment_id: Some(id),
        on_date: p.received_on,
        reference: p.reference.clone(),
        amount_fen: if p.kind == PaymentKind::Adjustment {
            -p.amount_fen
        } else {
            p.amount_fen
        },
    }
}

/// 售后退款冲减 — an RMA's refund of goods bought on credit (its order named by number, of
/// that customer, on credit) is a credit note on the customer's account, once per RMA,
/// allocated to the oldest amounts owed. Nothing for goods paid for in advance: that refund
/// is money paid back.
pub(crate) async fn credit_refund(
    conn: &mut AnyConnection,
    rma_number: &str,
    customer_id: i64,
    order_number: &str,
    amount_fen: i64,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    if amount_fen <= 0 || !store::on_credit(&mut *conn, customer_id, order_number.trim()).await? {
        return Ok(());
    }
    let row = PaymentRow {
        id: 0,
        customer_id,
        kind: PaymentKind::CreditNote,
        reference: rma_number.to_owned(),
        amount_fen,
        unapplied_fen: amount_fen,
        received_on: local_date(now),
        source: PaymentSource::Rma,
        note: order_number.trim().to_owned(),
        created_by: by,
        created_at: now,
    };
    let Some(id) = store::insert_payment(&mut *conn, &row).await? else {
        return Ok(());
    };
    statement::join_statement(&mut *conn, &entry_of_payment(id, &row)).await?;
    allocate_in(
        conn,
        id,
        customer_id,
        amount_fen,
        &Allocate::OldestFirst,
        by,
        now,
    )
    .await?;
    Ok(())
}
