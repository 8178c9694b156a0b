//! 订单与对账 — the demo's last five months of orders and the money that came of them,
//! through the use cases on a clock set to each step: graded customers ordering on their
//! terms (月结 on credit, the rest paid first), grade C orders decided by the manager, what
//! stock could not meet made by production and shipped once done, tracking to delivery,
//! the customers' counts (a few short, each with its order-issue ticket), payments by each
//! customer's habit (most before the due date, some late, some in part, a few stopped: every
//! ageing bucket filled), and each month's statements made on the 3rd — answered, closed on
//! the 12th, one disputed line a month resolved by an approved credit; the latest month
//! still being answered, its dispute waiting for the manager.

use std::collections::HashMap;
use std::sync::Arc;

use fastrand::Rng;
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::credit::TermsKind;
use kefu_domain::order::shipment::{EventSource, TrackingStatus};
use kefu_domain::order::{OrderState, Payment};
use kefu_domain::receivable::statement::{LineAnswer, StatementState};
use kefu_domain::receivable::{DifferenceCause, PaymentSource, StatementLineKind};
use kefu_domain::{FixedClock, Permission, Role};
use kefu_store::aftersales::catalogue::ProductFilter;
use kefu_store::bulk::OrderingCustomer;
use kefu_store::statement::StatementFilter;

use super::{DemoError, World};
use crate::order::{OrderLineRequest, OrderRequest, ShipmentRequest, TrackingEvent};
use crate::receivable::{Allocate, PaymentInput, Resolution};
use crate::ticket::{Reply, Visibility};
use crate::{Actor, App};

/// How far back the orders reach, in days.
const DAYS: i64 = 150;

/// Orders over those days: one a day in a small company, up to 400.
fn order_count(tickets: usize) -> usize {
    (tickets / 20).clamp(80, 400)
}

fn at(day: Date, hour: i8, minute: i8) -> Timestamp {
    super::quality::at(day, hour, minute)
}

fn plus_days(d: Date, n: i64) -> Date {
    d.checked_add(jiff::Span::new().days(n)).unwrap_or(d)
}

/// How a customer pays what it owes.
#[derive(Debug, Clone, Copy)]
enum Habit {
    /// A few days before it is due.
    OnTime,
    /// This many days after.
    Late(i64),
    /// Half of what is due, on time.
    InPart,
    /// Nothing after this day.
    Stopped(Date),
}

struct Buyer {
    customer: OrderingCustomer,
    payment: Payment,
    habit: Habit,
    /// The days of the month it pays on (its finance runs twice a month).
    pay_days: [i8; 2],
    placer: Actor,
}

/// An order's story: drawn first, its steps taken on their days.
struct Story {
    buyer: usize,
    placed: Date,
    lines: Vec<OrderLineRequest>,
    id: Option<i64>,
    /// The day it ships: a few days after it was placed, later when production makes part.
    ship_on: Date,
    shipment: Option<(i64, Vec<(i64, i64)>)>,
    delivered_on: Date,
    counted_on: Date,
    short: bool,
    /// The customer called it off the day after (before anything left).
    called_off: bool,
    produced: bool,
    /// The order-issue ticket a short count opened, until what was missing went again.
    issue: Option<i64>,
}

/// A statement's story: answered on a day (or never), one line disputed.
struct Answering {
    id: i64,
    answer_on: Option<Date>,
    dispute: bool,
    /// Made this month: its dispute waits for the manager.
    latest: bool,
}

/// Loads the orders, payments and statements; the records written.
pub(super) async fn load(
    app: &App,
    rng: &mut Rng,
    world: &World,
    tickets: usize,
) -> Result<usize, DemoError> {
    let team = super::Team::read(app).await?;
    let (Some(manager), Some(clerk)) = (
        team.first(Role::CsManager),
        team.first(Role::KeyAccountSpecialist)
            .or_else(|| team.first(Role::Agent)),
    ) else {
        return Ok(0);
    };
    let today = crate::workbench::local_date(world.now);
    let start = plus_days(today, -DAYS);
    let clock = Arc::new(FixedClock::new(at(start, 8, 0)));
    let a = app.on_clock(clock.clone());
    let mut written = 0;

    let products = a
        .products(
            &manager,
            &ProductFilter {
                text: None,
                category_id: None,
                inactive: false,
                after: None,
                limit: 200,
            },
        )
        .await?;
    if products.is_empty() {
        return Ok(0);
    }
    // The big cabinet units are made to order: a few in stock, the rest produced.
    let made_to_order =
        |p: &kefu_store::aftersales::catalogue::ProductRow| p.product.price_fen >= 500_000;
    let restock = |p: &kefu_store::aftersales::catalogue::ProductRow| {
        if made_to_order(p) { 6 } else { 400 }
    };
    for p in &products {
        a.set_product_stock(&manager, p.id, restock(p)).await?;
    }

    let orders = order_count(tickets);
    let customers = {
        let mut conn = app.store.conn().await?;
        kefu_store::bulk::ordering_customers(&mut conn, (orders / 5).clamp(16, 300) as i64).await?
    };
    if customers.is_empty() {
        return Ok(written);
    }
    let mut buyers: Vec<Buyer> = customers
        .into_iter()
        .map(|customer| {
            let placer = customer
                .owner_id
                .and_then(|id| team.user(id))
                .filter(|a| a.require(Permission::OrderTake).is_ok())
                .unwrap_or_else(|| clerk.clone());
            let credit = TermsKind::read(Some(&customer.terms)) == TermsKind::OnCredit;
            let habit = match rng.u8(0..20) {
                0..=12 => Habit::OnTime,
                13..=15 => Habit::Late(rng.i64(20..50)),
                16..=17 => Habit::InPart,
                _ => Habit::Stopped(plus_days(start, rng.i64(10..40))),
            };
            Buyer {
                customer,
                payment: if credit {
                    Payment::Credit
                } else {
                    Payment::Prepayment
                },
                habit,
                pay_days: [rng.i8(1..14), rng.i8(15..28)],
                placer,
            }
        })
        .collect();
    // The first buyer on account pays on time; one on 月结30天 stopped paying in the first
    // month (its first orders are the oldest debts of the ageing report).
    if let Some(b) = buyers.iter_mut().find(|b| b.payment == Payment::Credit) {
        b.habit = Habit::OnTime;
    }
    let stopped = buyers
        .iter()
        .rposition(|b| b.payment == Payment::Credit && b.customer.terms.contains("30"))
        .or_else(|| buyers.iter().rposition(|b| b.payment == Payment::Credit));
    if let Some(k) = stopped {
        buyers[k].habit = Habit::Stopped(plus_days(start, 5));
    }

    // The stories, placed over the days, weekdays only.
    let mut stories = Vec::with_capacity(orders);
    for n in 0..orders {
        let mut placed = plus_days(start, (DAYS * n as i64) / orders as i64);
        while placed.weekday().to_monday_one_offset() > 5 {
            placed = plus_days(placed, 1);
        }
        let mut lines = Vec::new();
        for _ in 0..1 + rng.usize(..3) {
            let p = &products[rng.usize(..products.len())];
            if lines
                .iter()
                .any(|l: &OrderLineRequest| l.product_id == p.id)
            {
                continue;
            }
            lines.push(OrderLineRequest {
                product_id: p.id,
                quantity: if made_to_order(p) {
                    rng.i64(2..10)
                } else {
                    rng.i64(2..30)
                },
                unit_price_fen: None,
            });
        }
        let ship_on = plus_days(placed, rng.i64(1..4));
        let delivered_on = plus_days(ship_on, rng.i64(1..4));
        stories.push(Story {
            buyer: match stopped {
                Some(k) if n < 3 => k,
                _ => rng.usize(..buyers.len()),
            },
            placed,
            lines,
            id: None,
            ship_on,
            shipment: None,
            delivered_on,
            counted_on: plus_days(delivered_on, rng.i64(0..3)),
            short: rng.u8(0..15) == 0,
            called_off: rng.u8(0..40) == 0,
            produced: false,
            issue: None,
        });
    }

    let mut answering: Vec<Answering> = Vec::new();
    let mut payment_seq: HashMap<Date, u32> = HashMap::new();
    let mut day = start;
    while day <= today {
        let step = |hour: i8, minute: i8| {
            let t = at(day, hour, minute);
            clock.set(t);
            t <= world.now
        };

        // 09:00 on the 3rd: last month's statements.
        if day.day() == 3 && step(9, 0) {
            let last = plus_days(day, -5);
            let period = format!("{:04}-{:02}", last.year(), last.month());
            let made = a.generate_statements(&clerk, &period, None).await?;
            written += made.created;
            let rows = a
                .statements(
                    &clerk,
                    &StatementFilter {
                        period: Some(period),
                        states: Vec::new(),
                        customer_id: None,
                        owner_id: None,
                        limit: 500,
                    },
                )
                .await?;
            let latest = day.month() == today.month() && day.year() == today.year();
            // The first is disputed the next day; most of the others are agreed within the
            // week, some never answered.
            for (k, s) in rows.iter().enumerate() {
                let answer_on = if k == 0 {
                    Some(plus_days(day, 1))
                } else {
                    (rng.u8(0..10) < 9).then(|| plus_days(day, rng.i64(1..7)))
                };
                answering.push(Answering {
                    id: s.id,
                    answer_on,
                    dispute: k == 0,
                    latest,
                });
            }
        }

        // 09:30: the customers' answers, the differences, the month's close on the 12th.
        if step(9, 30) {
            for s in &answering {
                if s.answer_on == Some(day) {
                    let disputes = if s.dispute {
                        let d = a.statement(&clerk, s.id).await?;
                        d.lines
                            .iter()
                            .find(|l| l.entry.kind == StatementLineKind::Shipment)
                            .map(|l| {
                                vec![(l.line_no, "实收数量比发货单少一台，请核实。".to_owned())]
                            })
                            .unwrap_or_default()
                    } else {
                        Vec::new()
                    };
                    a.answer_statement(&clerk, s.id, None, &disputes).await?;
                    written += 1;
                }
                let Some(answered) = s.answer_on.filter(|_| s.dispute) else {
                    continue;
                };
                if plus_days(answered, 1) == day || plus_days(answered, 2) == day {
                    let d = a.statement(&clerk, s.id).await?;
                    let proposing = plus_days(answered, 1) == day;
                    let waiting = if proposing {
                        LineAnswer::Disputed
                    } else {
                        LineAnswer::Proposed
                    };
                    let Some(line) = d.lines.iter().find(|l| l.answer == waiting) else {
                        continue;
                    };
                    if proposing {
                        a.propose_resolution(
                            &clerk,
                            s.id,
                            line.line_no,
                            &Resolution {
                                cause: Some(DifferenceCause::Quantity),
                                text: "仓库复核确认少发一台，按单价开具贷项冲减。".to_owned(),
                                adjustment_fen: -(line.entry.amount_fen / 10).max(100) / 100 * 100,
                            },
                        )
                        .await?;
                    } else if !s.latest {
                        a.decide_resolution(&manager, s.id, line.line_no, true)
                            .await?;
                    }
                    written += 1;
                }
            }
            if day.day() == 12 {
                for s in answering.iter().filter(|s| !s.latest) {
                    let d = a.statement(&clerk, s.id).await?;
                    if matches!(
                        d.statement.state,
                        StatementState::Confirmed | StatementState::Resolved
                    ) {
                        a.close_statement(&clerk, s.id, None).await?;
                        written += 1;
                    }
                }
                answering.retain(|s| s.latest);
            }
        }

        // 10:00: the carriers deliver; 10:30: the finance files its receipts.
        if step(10, 0) {
            for s in stories.iter().filter(|s| s.delivered_on == day) {
                if let Some((id, _)) = &s.shipment {
                    a.add_tracking_event(
                        &clerk,
                        *id,
                        &TrackingEvent {
                            at: at(day, 9, 40),
                            status: TrackingStatus::Delivered,
                            place: "客户仓库".to_owned(),
                        },
                        EventSource::Manual,
                    )
                    .await?;
                    written += 1;
                }
            }
        }
        if step(10, 30) {
            for b in buyers.iter().filter(|b| b.payment == Payment::Credit) {
                if !b.pay_days.contains(&day.day()) {
                    continue;
                }
                let (cutoff, share) = match b.habit {
                    Habit::OnTime => (plus_days(day, 5), 1.0),
                    Habit::Late(lag) => (plus_days(day, -lag), 1.0),
                    Habit::InPart => (plus_days(day, 5), 0.5),
                    Habit::Stopped(from) if day >= from => continue,
                    Habit::Stopped(_) => (plus_days(day, 5), 1.0),
                };
                let account = a.customer_account(&clerk, b.customer.id).await?;
                let due: i64 = account
                    .receivables
                    .iter()
                    .filter(|r| r.due_on <= cutoff)
                    .map(|r| r.open_fen)
                    .sum();
                let amount = ((due as f64 * share) as i64 / 100 * 100)
                    .saturating_sub(account.balance.unapplied_fen);
                if amount <= 0 {
                    continue;
                }
                let seq = payment_seq.entry(day).or_default();
                *seq += 1;
                a.record_payment(
                    &clerk,
                    b.customer.id,
                    &PaymentInput {
                        reference: format!("HD{}{:04}", day.strftime("%Y%m%d"), seq),
                        amount_fen: amount,
                        received_on: day,
                        note: String::new(),
                        allocate: Allocate::OldestFirst,
                    },
                    PaymentSource::Manual,
                )
                .await?;
                written += 1;
            }
        }

        // 11:00: the day's orders; 14:00: the manager's decisions.
        if day.weekday().to_monday_one_offset() == 1 && step(8, 30) {
            for p in &products {
                let stock = a.product_stock(&manager, &[p.id]).await?;
                if stock.get(&p.id).copied().unwrap_or(0) < restock(p) / 2 {
                    a.set_product_stock(&manager, p.id, restock(p)).await?;
                }
            }
        }
        let mut pending = Vec::new();
        for (n, s) in stories.iter_mut().enumerate() {
            if s.placed != day || !step(11, (n % 50) as i8) {
                continue;
            }
            let b = &buyers[s.buyer];
            let placed = a
                .place_order(
                    &b.placer,
                    &OrderRequest {
                        customer_id: b.customer.id,
                        payment: b.payment,
                        lines: s.lines.clone(),
                        promised_on: Some(plus_days(day, 12)),
                        note: String::new(),
                    },
                )
                .await;
            // Over the limit on a grade the manager cannot lift: the customer pays first
            // next time; the story ends here.
            let Ok((id, state)) = placed else { continue };
            written += 1;
            s.id = Some(id);
            let detail = a.order(&manager, id).await?;
            if detail.lines.iter().any(|l| l.to_produce > 0) {
                s.ship_on = plus_days(day, rng.i64(7..12));
                s.delivered_on = plus_days(s.ship_on, rng.i64(1..4));
                s.counted_on = plus_days(s.delivered_on, rng.i64(0..3));
            }
            if state == OrderState::PendingApproval {
                pending.push(n);
            }
        }
        for n in pending {
            let (Some(id), true) = (stories[n].id, step(14, 0)) else {
                continue;
            };
            let approve = rng.u8(0..8) != 0;
            let reason = if approve {
                "老客户，回款记录良好，同意赊销。"
            } else {
                "已超信用额度，请客户先付清上月货款。"
            };
            if a.decide_order(&manager, id, None, approve, reason).await? != OrderState::Open {
                stories[n].id = None;
            }
        }

        // 14:30: orders called off the day after.
        for s in stories.iter_mut() {
            let Some(id) =
                s.id.filter(|_| s.called_off && plus_days(s.placed, 1) == day)
            else {
                continue;
            };
            if !step(14, 30) {
                break;
            }
            let b = &buyers[s.buyer];
            if a.order(&clerk, id).await?.order.state == OrderState::Open {
                a.cancel_order(&b.placer, id, None, "客户项目延期，取消本次订货。")
                    .await?;
                s.id = None;
                written += 1;
            }
        }

        // 15:00: what is ready leaves (again, for what a count found short); 16:00: the
        // carrier has it.
        for s in stories.iter_mut() {
            let Some(id) = s.id.filter(|_| s.ship_on == day) else {
                continue;
            };
            if !step(15, 0) {
                break;
            }
            let detail = a.order(&clerk, id).await?;
            if detail.order.state == OrderState::PendingApproval {
                continue;
            }
            if !s.produced && detail.lines.iter().any(|l| l.to_produce > 0) {
                a.complete_production(&clerk, id, None).await?;
                s.produced = true;
            }
            let lines: Vec<(i64, i64)> = detail
                .lines
                .iter()
                .map(|l| (l.line_no, l.quantity - l.shipped))
                .filter(|(_, q)| *q > 0)
                .collect();
            let (carrier, prefix) =
                [("顺丰速运", "SF"), ("德邦物流", "DPK"), ("京东物流", "JDX")][rng.usize(..3)];
            let tracking = format!("{prefix}{:012}", rng.u64(..1_000_000_000_000));
            let (shipment, _) = a
                .ship_order(
                    &clerk,
                    id,
                    None,
                    &ShipmentRequest {
                        carrier: carrier.to_owned(),
                        tracking_number: tracking.clone(),
                        lines: lines.clone(),
                    },
                )
                .await?;
            written += 1;
            if step(16, 0) {
                a.add_tracking_event(
                    &clerk,
                    shipment,
                    &TrackingEvent {
                        at: at(day, 15, 40),
                        status: TrackingStatus::PickedUp,
                        place: "杭州仓".to_owned(),
                    },
                    EventSource::Manual,
                )
                .await?;
            }
            s.shipment = Some((shipment, lines));
            if let Some(ticket) = s.issue.take()
                && step(16, 10)
            {
                a.reply(
                    &buyers[s.buyer].placer,
                    ticket,
                    &Reply {
                        body: format!(
                            "短少的货物已于今日补发，{carrier} 运单号 {tracking}，请注意查收。如仍有问题请随时联系我们。"
                        ),
                        visibility: Visibility::Public,
                        status: Some("resolved".to_owned()),
                    },
                )
                .await?;
            }
        }

        // 17:00: the customers' counts, a few short by one: what did not arrive is sent
        // again two days later (补发).
        if step(17, 0) {
            for s in stories.iter_mut().filter(|s| s.counted_on == day) {
                let Some((shipment, lines)) = &s.shipment else {
                    continue;
                };
                let counted: Vec<(i64, i64)> = lines
                    .iter()
                    .enumerate()
                    .map(|(k, (no, q))| (*no, if s.short && k == 0 { q - 1 } else { *q }))
                    .collect();
                let outcome = a.count_shipment(&clerk, *shipment, &counted).await?;
                written += 1;
                if let Some(ticket) = outcome.ticket_id
                    && step(17, 30)
                {
                    let placer = &buyers[s.buyer].placer;
                    a.reply(
                        placer,
                        ticket,
                        &Reply {
                            body: "您好，已收到您的到货核实结果，仓库正在核对出库记录，核实后当天安排补发。"
                                .to_owned(),
                            visibility: Visibility::Public,
                            status: None,
                        },
                    )
                    .await?;
                    s.issue = Some(ticket);
                }
                if s.short {
                    s.short = false;
                    s.ship_on = plus_days(day, 2);
                    s.delivered_on = plus_days(day, 3);
                    s.counted_on = plus_days(day, 4);
                }
            }
        }
        day = plus_days(day, 1);
    }
    clock.set(world.now);
    Ok(written)
}
