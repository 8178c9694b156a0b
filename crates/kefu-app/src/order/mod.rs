//! 订单 — orders taken for customers (002 §一3): placed on credit or prepaid after the credit
//! check of the customer's grade, limit, what they owe and their terms (grade D and pay-first
//! terms: prepayment only, the reason shown; over the limit or grade C: the manager
//! approves, who is told); each line met from the finished goods in stock (销售单据) and the
//! rest by production (生产单据, with the date promised); lines changed and orders cancelled
//! before goods leave, every step logged.

mod custom;
mod shipment;
mod tracking;

pub(crate) use custom::TILES as CUSTOM_TILES;
pub use custom::{CustomDetail, CustomInput, CustomRequest, DESIGN};
pub(crate) use shipment::notice_words;
pub use shipment::{CountOutcome, ShipmentDetail, ShipmentRequest, ShortLine, TrackingEvent};
pub use tracking::{MAX_PUSH, PushedEvent, TrackingImport, TrackingPush};

use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::Role;
use kefu_domain::credit::{Grade, TermsKind};
use kefu_domain::order::{
    self as rules, CreditCheck, DocumentKind, LineInput, LineProgress, OrderError, OrderState,
    Payment, Split,
};
use kefu_store::order::{self as store, DocumentRow, LineRow, OrderFilter, OrderRow, StepRow};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::notify::{self, kind};
use crate::workbench::local_date;
use crate::{Actor, App, AppError, Result};

/// The most orders one list shows.
pub const MAX_LIST: i64 = 200;

/// The longest note on an order or a step.
pub const MAX_NOTE: usize = 2_000;

/// A line asked: the product, how many, and the unit price (the customer's price that day
/// when left out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderLineRequest {
    pub product_id: i64,
    pub quantity: i64,
    pub unit_price_fen: Option<i64>,
}

/// An order asked.
#[derive(Debug, Clone)]
pub struct OrderRequest {
    pub customer_id: i64,
    pub payment: Payment,
    pub lines: Vec<OrderLineRequest>,
    /// The date promised for what production makes; required when anything is produced.
    pub promised_on: Option<Date>,
    pub note: String,
}

/// An order with its lines, documents and history.
#[derive(Debug, Clone)]
pub struct OrderDetail {
    pub order: OrderRow,
    pub lines: Vec<LineRow>,
    pub documents: Vec<DocumentRow>,
    pub steps: Vec<StepRow>,
    /// 服务优惠政策和激励策略 — the customer's approved policies in force on the day the
    /// order was placed (what it may claim), each with whether it still is today.
    pub policies: Vec<(kefu_store::key_account_plan::Policy, bool)>,
}

fn note(raw: &str) -> Result<String> {
    let n = raw.trim();
    if n.chars().count() > MAX_NOTE {
        return Err(AppError::TooLong);
    }
    Ok(n.to_owned())
}

fn progress(lines: &[LineRow]) -> Vec<LineProgress> {
    lines
        .iter()
        .map(|l| LineProgress {
            ordered: l.quantity,
            shipped: l.shipped,
            received: l.received,
        })
        .collect()
}

impl App {
    pub(crate) async fn order_number(
        &self,
        conn: &mut AnyConnection,
        prefix: &str,
    ) -> Result<String> {
        let day = local_date(self.now());
        let key = format!("{:04}{:02}{:02}", day.year(), day.month(), day.day());
        let seq = store::next_seq(conn, &key).await?;
        Ok(format!("{prefix}{key}-{seq:03}"))
    }

    /// 下单 — places an order: checked, priced, credit-checked, met from stock and by
    /// production; its id and state (pending approval when the manager must decide).
    pub async fn place_order(
        &self,
        actor: &Actor,
        req: &OrderRequest,
    ) -> Result<(i64, OrderState)> {
        actor.require(Permission::OrderTake)?;
        let note = note(&req.note)?;
        let now = self.now();
        let today = local_date(now);
        // Prices first (read-only, one read for all lines): the customer's price that day
        // where none was typed.
        let unpriced: Vec<i64> = req
            .lines
            .iter()
            .filter(|l| l.unit_price_fen.is_none())
            .map(|l| l.product_id)
            .collect();
        if !unpriced.is_empty() {
            actor.require(Permission::CatalogueView)?;
            actor.require(Permission::CustomerView)?;
        }
        let ids: Vec<i64> = req.lines.iter().map(|l| l.product_id).collect();
        let prices = {
            let mut conn = self.store.conn().await?;
            let customer_type = kefu_store::customer::by_id(&mut conn, req.customer_id)
                .await?
                .customer_type;
            self.prices_on(
                &mut conn,
                customer_type.parse().ok(),
                &ids,
                &unpriced,
                today,
            )
            .await?
        };
        let inputs: Vec<LineInput> = req
            .lines
            .iter()
            .map(|l| LineInput {
                product_id: l.product_id,
                quantity: l.quantity,
                unit_price_fen: l.unit_price_fen.unwrap_or_else(|| prices[&l.product_id]),
            })
            .collect();
        let total = rules::check_lines(&inputs)?;
        let mut tx = self.store.begin().await?;
        let placed = self
            .place_in(&mut tx, actor, req, &inputs, total, note)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(placed)
    }

    /// Places an order of priced, checked lines inside `tx`: credit-checked, met from
    /// stock and by production, numbered, its documents issued, the manager told when it
    /// waits for approval.
    pub(crate) async fn place_in(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        req: &OrderRequest,
        inputs: &[LineInput],
        total: i64,
        note: String,
    ) -> Result<(i64, OrderState)> {
        let now = self.now();
        let today = local_date(now);
        let customer = kefu_store::customer::by_id(&mut *tx, req.customer_id).await?;
        let outstanding = kefu_store::receivable::credit_exposure(&mut *tx, customer.id).await?;
        let credit = rules::check_credit(
            req.payment,
            customer.credit_grade.as_deref().and_then(Grade::parse),
            customer.credit_limit_fen,
            outstanding,
            total,
            TermsKind::read(customer.payment_terms.as_deref()),
        )?;
        let products: Vec<i64> = inputs.iter().map(|l| l.product_id).collect();
        let available = store::stock_of(&mut *tx, &products).await?;
        let splits = rules::split(inputs, &available);
        let promised = rules::check_promised(&splits, req.promised_on, today)?;
        for s in &splits {
            if s.from_stock > 0
                && !store::take_stock(&mut *tx, s.product_id, s.from_stock, now).await?
            {
                // Taken by another order since it was read: that order has it.
                return Err(OrderError::StockTaken.into());
            }
        }
        let (state, credit_key) = match credit {
            CreditCheck::Prepaid => (OrderState::Open, "prepaid"),
            CreditCheck::Allowed => (OrderState::Open, "allowed"),
            CreditCheck::NeedsManager(_) => (OrderState::PendingApproval, "needs_approval"),
        };
        let number = self.order_number(&mut *tx, "DD").await?;
        let id = store::insert(
            &mut *tx,
            &OrderRow {
                id: 0,
                number: number.clone(),
                customer_id: customer.id,
                customer: customer.name.clone(),
                state,
                payment: req.payment,
                credit: credit_key.to_owned(),
                total_fen: total,
                currency: "CNY".to_owned(),
                note: note.clone(),
                promised_on: promised,
                approved_by: None,
                version: 1,
                created_by: actor.user_id(),
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        for (n, (l, s)) in inputs.iter().zip(&splits).enumerate() {
            store::insert_line(
                &mut *tx,
                id,
                &LineRow {
                    id: 0,
                    line_no: n as i64 + 1,
                    product_id: l.product_id,
                    sku: String::new(),
                    product: String::new(),
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price_fen,
                    from_stock: s.from_stock,
                    to_produce: s.to_produce,
                    shipped: 0,
                    received: 0,
                },
            )
            .await?;
        }
        self.issue_documents(&mut *tx, id, &splits, promised)
            .await?;
        store::add_step(
            &mut *tx,
            id,
            &StepRow {
                action: "place".to_owned(),
                from_state: None,
                to_state: state,
                note,
                by: actor.user_id(),
                by_name: None,
                at: now,
            },
        )
        .await?;
        if state == OrderState::PendingApproval {
            let to = notify::with_role(&mut *tx, Role::CsManager).await?;
            notify::notify(
                &mut *tx,
                &to,
                kind::ORDER_APPROVAL,
                None,
                &json!({
                    "order": id,
                    "number": number,
                    "customer": customer.name,
                    "amount": kefu_domain::money::yuan(total),
                }),
                now,
            )
            .await?;
        }
        Ok((id, state))
    }

    /// Issues the sales document for what stock meets and the production request for the
    /// rest.
    async fn issue_documents(
        &self,
        tx: &mut AnyConnection,
        order_id: i64,
        splits: &[Split],
        promised: Option<Date>,
    ) -> Result<()> {
        let now = self.now();
        for (kind, prefix, any) in [
            (
                DocumentKind::Sales,
                "XS",
                splits.iter().any(|s| s.from_stock > 0),
            ),
            (
                DocumentKind::Production,
                "SC",
                splits.iter().any(|s| s.to_produce > 0),
            ),
        ] {
            if !any {
                continue;
            }
            let number = self.order_number(tx, prefix).await?;
            store::insert_document(
                tx,
                order_id,
                &DocumentRow {
                    id: 0,
                    kind,
                    number,
                    promised_on: (kind == DocumentKind::Production)
                        .then_some(promised)
                        .flatten(),
                    state: "issued".to_owned(),
                    created_at: now,
                },
            )
            .await?;
        }
        Ok(())
    }

    /// One order with its lines, documents and steps.
    pub async fn order(&self, actor: &Actor, id: i64) -> Result<OrderDetail> {
        actor.require(Permission::OrderTake)?;
        let mut conn = self.store.conn().await?;
        let order = store::by_id(&mut conn, id).await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let placed_on = crate::follow_up::local_date(&calendar, order.created_at);
        let today = crate::follow_up::local_date(&calendar, self.now()).to_string();
        let policies = kefu_store::key_account_plan::policies_in_force(
            &mut conn,
            order.customer_id,
            &placed_on.to_string(),
        )
        .await?
        .into_iter()
        .map(|p| {
            // Approved stays approved unless withdrawn, which the query leaves out.
            let still = p.valid_until >= today;
            (p, still)
        })
        .collect();
        Ok(OrderDetail {
            lines: store::lines(&mut conn, id).await?,
            documents: store::documents(&mut conn, id).await?,
            steps: store::steps(&mut conn, id).await?,
            order,
            policies,
        })
    }

    /// Orders newest first.
    pub async fn orders(&self, actor: &Actor, filter: &OrderFilter) -> Result<Vec<OrderRow>> {
        actor.require(Permission::OrderTake)?;
        let filter = OrderFilter {
            limit: filter.limit.clamp(1, MAX_LIST),
            ..filter.clone()
        };
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, &filter).await?)
    }

    /// Reads an order for a write made from `version` (the current one when `None`).
    async fn order_for_write(
        &self,
        tx: &mut AnyConnection,
        id: i64,
        version: Option<i64>,
    ) -> Result<OrderRow> {
        let o = store::by_id(tx, id).await?;
        if version.is_some_and(|v| v != o.version) {
            return Err(AppError::StaleVersion {
                current: o.version,
                changed: Vec::new(),
            });
        }
        Ok(o)
    }

    async fn save_order(
        &self,
        tx: &mut AnyConnection,
        actor: &Actor,
        before: &OrderRow,
        after: &OrderRow,
        action: &str,
        note: String,
    ) -> Result<()> {
        if !store::save(tx, after).await? {
            return Err(AppError::StaleVersion {
                current: before.version + 1,
                changed: Vec::new(),
            });
        }
        store::add_step(
            tx,
            before.id,
            &StepRow {
                action: action.to_owned(),
                from_state: Some(before.state),
                to_state: after.state,
                note,
                by: actor.user_id(),
                by_name: None,
                at: self.now(),
            },
        )
        .await?;
        Ok(())
    }

    /// 审批 — the manager approves an order waiting for credit approval (it opens) or
    /// rejects it (cancelled, its stock given back); who placed it is told.
    pub async fn decide_order(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        approve: bool,
        reason: &str,
    ) -> Result<OrderState> {
        actor.require(Permission::OrderApprove)?;
        let reason = note(reason)?;
        if !approve && reason.is_empty() {
            return Err(OrderError::ReasonRequired.into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let o = self.order_for_write(&mut tx, id, version).await?;
        if o.state != OrderState::PendingApproval {
            return Err(OrderError::NotNow(o.state).into());
        }
        let state = if approve {
            OrderState::Open
        } else {
            self.release_stock(&mut tx, id).await?;
            store::cancel_documents(&mut tx, id).await?;
            OrderState::Cancelled
        };
        let after = OrderRow {
            state,
            approved_by: approve.then_some(actor.user_id()).flatten(),
            updated_at: now,
            ..o.clone()
        };
        let action = if approve { "approve" } else { "reject" };
        self.save_order(&mut tx, actor, &o, &after, action, reason.clone())
            .await?;
        if let Some(by) = o.created_by {
            notify::notify(
                &mut tx,
                &[by],
                kind::ORDER_DECIDED,
                None,
                &json!({"order": id, "number": o.number, "decision": action, "text": reason}),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(state)
    }

    /// Gives an order's stock back (a rejection or a cancel before goods left).
    async fn release_stock(&self, tx: &mut AnyConnection, id: i64) -> Result<()> {
        let now = self.now();
        for l in store::lines(tx, id).await? {
            if l.from_stock > 0 {
                store::take_stock(tx, l.product_id, -l.from_stock, now).await?;
            }
        }
        Ok(())
    }

    /// 修改 — changes a line's quantity before goods leave: production gives back first,
    /// then stock; more is taken from stock first, then produced. The total is made again;
    /// the change is logged with the quantities. The order's new version.
    pub async fn change_order_line(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        line_no: i64,
        quantity: i64,
        reason: &str,
    ) -> Result<i64> {
        actor.require(Permission::OrderTake)?;
        let reason = note(reason)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let o = self.order_for_write(&mut tx, id, version).await?;
        rules::check_changeable(o.state)?;
        let lines = store::lines(&mut tx, id).await?;
        let Some(line) = lines.iter().find(|l| l.line_no == line_no) else {
            return Err(AppError::NotFound);
        };
        let n = usize::try_from(line_no).unwrap_or(0);
        rules::check_change(n, progress(std::slice::from_ref(line))[0], quantity)?;
        let available = store::stock_of(&mut tx, &[line.product_id]).await?;
        let (after, back) = rules::rebalance(
            Split {
                product_id: line.product_id,
                from_stock: line.from_stock,
                to_produce: line.to_produce,
            },
            quantity,
            available.get(&line.product_id).copied().unwrap_or(0),
        );
        if back != 0 && !store::take_stock(&mut tx, line.product_id, -back, now).await? {
            return Err(OrderError::StockTaken.into());
        }
        let changed = LineRow {
            quantity,
            from_stock: after.from_stock,
            to_produce: after.to_produce,
            ..line.clone()
        };
        store::update_line(&mut tx, &changed).await?;
        let inputs: Vec<LineInput> = lines
            .iter()
            .map(|l| LineInput {
                product_id: l.product_id,
                quantity: if l.line_no == line_no {
                    quantity
                } else {
                    l.quantity
                },
                unit_price_fen: l.unit_price_fen,
            })
            .collect();
        let total = rules::check_lines(&inputs)?;
        let after_order = OrderRow {
            total_fen: total,
            updated_at: now,
            ..o.clone()
        };
        let what = format!("{} {} → {}", line.sku, line.quantity, quantity);
        let step_note = if reason.is_empty() {
            what
        } else {
            format!("{what}：{reason}")
        };
        self.save_order(&mut tx, actor, &o, &after_order, "change", step_note)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(o.version + 1)
    }

    /// 取消 — cancels an order before goods leave, with the reason: its stock given back,
    /// its documents cancelled. After goods left, the customer returns them (an RMA).
    pub async fn cancel_order(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        reason: &str,
    ) -> Result<()> {
        actor.require(Permission::OrderTake)?;
        let reason = note(reason)?;
        if reason.is_empty() {
            return Err(OrderError::ReasonRequired.into());
        }
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let o = self.order_for_write(&mut tx, id, version).await?;
        let lines = store::lines(&mut tx, id).await?;
        rules::check_cancel(o.state, &progress(&lines))?;
        self.release_stock(&mut tx, id).await?;
        store::cancel_documents(&mut tx, id).await?;
        let after = OrderRow {
            state: OrderState::Cancelled,
            updated_at: now,
            ..o.clone()
        };
        self.save_order(&mut tx, actor, &o, &after, "cancel", reason)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 成品库存 — sets the finished goods of a product in stock (the warehouse's count).
    pub async fn set_product_stock(
        &self,
        actor: &Actor,
        product_id: i64,
        on_hand: i64,
    ) -> Result<()> {
        actor.require(Permission::CatalogueManage)?;
        if !(0..=rules::MAX_QUANTITY * 100).contains(&on_hand) {
            return Err(OrderError::Quantity { line: 0 }.into());
        }
        let mut tx = self.store.begin().await?;
        kefu_store::aftersales::catalogue::product_by_id(&mut tx, product_id).await?;
        store::set_stock(&mut tx, product_id, on_hand, self.now()).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The finished goods of the products asked.
    pub async fn product_stock(
        &self,
        actor: &Actor,
        products: &[i64],
    ) -> Result<std::collections::HashMap<i64, i64>> {
        actor.require(Permission::OrderTake)?;
        let mut conn = self.store.conn().await?;
        Ok(store::stock_of(&mut conn, products).await?)
    }
}

/// The orders tile: those waiting for the manager's approval.
pub(crate) const TILES: &[crate::workbench::TileSpec] = &[crate::workbench::TileSpec {
    key: "orders.to_approve",
    title: "workbench.tile.orders_to_approve",
    roles: &[Role::CsManager],
    permission: Permission::OrderApprove,
    fill: to_approve,
}];

/// 待审批的订单
fn to_approve<'a>(
    app: &'a App,
    _r: &'a crate::workbench::Reader,
) -> crate::workbench::TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = store::count(
            &mut conn,
            &OrderFilter {
                states: vec![OrderState::PendingApproval],
                limit: 1,
                ..OrderFilter::default()
            },
        )
        .await?;
        Ok(Some(crate::workbench::Filled {
            link: Some("/orders?state=pending_approval".to_owned()),
            body: crate::workbench::TileBody::Count {
                count: crate::workbench::Count::exact(n),
                alert: n > 0,
            },
            hint: None,
        }))
    })
}
