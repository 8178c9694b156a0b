//! 发货与到货核实 — an order's shipments (002 §一3): production marked done, goods shipped with
//! their carrier and tracking number (the customer told by text or mail), tracking events
//! entered or pushed, and the customer's count line by line; a short count opens an
//! order-issue ticket 订单问题 (linked, and who placed the order is told), and what did not
//! arrive is to ship again.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::customer::ContactChannel;
use kefu_domain::order::shipment::{
    self as rules, EventSource, MAX_PLACE, Notice, ShipmentState, TrackingStatus,
};
use kefu_domain::order::{self as order_rules, OrderError, OrderState, Payment};
use kefu_domain::receivable::line_amount;
use kefu_domain::ticket::{Channel, Priority, TicketType};
use kefu_domain::{Locale, Permission, money};
use kefu_store::StoreError;
use kefu_store::order::shipment::{self as store, EventRow, ShipmentLineRow, ShipmentRow};
use kefu_store::order::{self as order_store, OrderRow};
use serde_json::json;

use super::progress;
use crate::notify::{self, kind};
use crate::outbox::{self, Outgoing};
use crate::ticket::Intake;
use crate::{Actor, App, AppError, Result};

/// How far ahead of the server's clock a tracking event may be dated (a carrier's clock).
const CLOCK_SKEW: SignedDuration = SignedDuration::from_mins(10);

/// A shipment asked: carrier, tracking number, and how many of each line (by line number).
#[derive(Debug, Clone)]
pub struct ShipmentRequest {
    pub carrier: String,
    pub tracking_number: String,
    pub lines: Vec<(i64, i64)>,
}

/// A shipment with its lines and tracking events.
#[derive(Debug, Clone)]
pub struct ShipmentDetail {
    pub shipment: ShipmentRow,
    pub lines: Vec<ShipmentLineRow>,
    pub events: Vec<EventRow>,
}

/// A tracking event asked.
#[derive(Debug, Clone)]
pub struct TrackingEvent {
    pub at: Timestamp,
    pub status: TrackingStatus,
    pub place: String,
}

/// A line the customer counted short: its number, SKU, shipped and received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortLine {
    pub line_no: i64,
    pub sku: String,
    pub shipped: i64,
    pub received: i64,
}

/// What a count found: the lines short, and the order-issue ticket opened for them.
#[derive(Debug, Clone)]
pub struct CountOutcome {
    pub short: Vec<ShortLine>,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
}

impl App {
    /// 生产完成 — marks an order's production request done: what it made may ship.
    pub async fn complete_production(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::OrderTake)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let o = self.order_for_write(&mut tx, id, version).await?;
        if !matches!(o.state, OrderState::Open | OrderState::PartlyShipped) {
            return Err(OrderError::NotNow(o.state).into());
        }
        if !store::production_done(&mut tx, id, now).await? {
            return Err(OrderError::NoProduction.into());
        }
        let after = OrderRow {
            updated_at: now,
            ..o.clone()
        };
        self.save_order(&mut tx, actor, &o, &after, "produced", String::new())
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 发货 — ships what is ready of an order's lines: the shipment numbered `FH…`, the lines'
    /// shipped counts moved on, the order's state made again, and the customer's primary
    /// contact told by their preferred channel (text or mail). Its id and how the customer
    /// was told.
    pub async fn ship_order(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        req: &ShipmentRequest,
    ) -> Result<(i64, Notice)> {
        actor.require(Permission::OrderTake)?;
        let (carrier, tracking) = rules::check_waybill(&req.carrier, &req.tracking_number)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let o = self.order_for_write(&mut tx, id, version).await?;
        if !matches!(o.state, OrderState::Open | OrderState::PartlyShipped) {
            return Err(OrderError::NotNow(o.state).into());
        }
        let lines = order_store::lines(&mut tx, id).await?;
        let mut shipping = vec![0; lines.len()];
        for (line_no, quantity) in &req.lines {
            let Some(i) = lines.iter().position(|l| l.line_no == *line_no) else {
                return Err(OrderError::UnknownLine { line: *line_no }.into());
            };
            shipping[i] += quantity;
        }
        if shipping.iter().all(|q| *q == 0) {
            return Err(OrderError::NothingShipped.into());
        }
        let produced = store::produced(&mut tx, id).await?;
        let ready: Vec<i64> = lines
            .iter()
            .map(|l| rules::ready(l.quantity, l.from_stock, produced))
            .collect();
        let before = progress(&lines);
        rules::check_ready(&before, &ready, &shipping)?;

        let contacts = kefu_store::customer::contacts_of(&mut tx, o.customer_id).await?;
        let contact = contacts.first();
        let route = contact.and_then(|c| {
            let opted: Vec<ContactChannel> =
                c.opt_outs.iter().filter_map(|o| o.parse().ok()).collect();
            rules::notice_route(
                c.preferred_channel.as_deref().and_then(|p| p.parse().ok()),
                c.mobile.as_deref(),
                c.email.as_deref(),
                &opted,
            )
        });
        let notice = route.map_or(Notice::NoContact, |(n, _)| n);
        let number = self.order_number(&mut tx, "FH").await?;
        let shipment_id = store::insert(
            &mut tx,
            &ShipmentRow {
                id: 0,
                order_id: id,
                number: number.clone(),
                carrier: carrier.clone(),
                tracking_number: tracking.clone(),
                state: ShipmentState::InTransit,
                notice,
                shipped_at: now,
                delivered_at: None,
                checked_at: None,
                issue_ticket_id: None,
                issue_ticket_number: None,
                created_by: actor.user_id(),
                version: 1,
            },
        )
        .await?;
        let mut items = Vec::new();
        let mut after_lines = before.clone();
        let mut owed = Vec::new();
        for ((l, q), p) in lines.iter().zip(&shipping).zip(after_lines.iter_mut()) {
            if *q > 0 {
                store::insert_line(&mut tx, shipment_id, l.id, *q).await?;
                p.shipped += q;
                items.push(format!("{} ×{q}", l.product));
                owed.push(line_amount(*q, l.unit_price_fen));
            }
        }
        if o.payment == Payment::Credit {
            let customer = kefu_store::customer::by_id(&mut tx, o.customer_id).await?;
            crate::receivable::book_shipment(
                &mut tx,
                &o,
                shipment_id,
                &number,
                money::total(owed),
                customer.payment_terms.as_deref(),
                now,
            )
            .await?;
        }
        let after = OrderRow {
            state: order_rules::state_of(&after_lines),
            updated_at: now,
            ..o.clone()
        };
        let note = format!("{number} {carrier} {tracking}");
        self.save_order(&mut tx, actor, &o, &after, "ship", note)
            .await?;
        if let (Some((channel, address)), Some(c)) = (route, contact) {
            // A text waits for the contact's time: outside their rest hours, within the
            // calling hours (mail goes at once).
            let send_after = if channel == Notice::Sms {
                let settings = crate::follow_up::load_settings(&mut tx).await?;
                let calendar = self.business_calendar(&mut tx).await?;
                Some(crate::satisfaction::relationship::text_time(
                    &calendar,
                    &settings,
                    &c.rest_hours,
                    now,
                ))
            } else {
                None
            };
            outbox::enqueue(
                &mut tx,
                &Outgoing {
                    channel: if channel == Notice::Sms {
                        outbox::channel::SMS
                    } else {
                        outbox::channel::EMAIL
                    },
                    kind: outbox::kind::SHIPMENT_NOTICE,
                    address,
                    locale: Locale::ZhCn,
                    params: json!({
                        "salutation": c.name,
                        "order": o.number,
                        "carrier": carrier,
                        "tracking": tracking,
                        "items": items.join("、"),
                    }),
                    expires_at: None,
                    send_after,
                },
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok((shipment_id, notice))
    }

    /// An order's shipments with their lines and events (four reads, however many); not
    /// found when the order is not there.
    pub async fn order_shipments(&self, actor: &Actor, id: i64) -> Result<Vec<ShipmentDetail>> {
        actor.require(Permission::OrderTake)?;
        let mut conn = self.store.conn().await?;
        order_store::by_id(&mut conn, id).await?;
        let shipments = store::of_order(&mut conn, id).await?;
        details(&mut conn, shipments).await
    }

    /// The order a shipment belongs to (one row read).
    pub async fn shipment_order(&self, actor: &Actor, shipment_id: i64) -> Result<i64> {
        actor.require(Permission::OrderTake)?;
        let mut conn = self.store.conn().await?;
        Ok(store::by_id(&mut conn, shipment_id).await?.order_id)
    }

    /// One shipment with its lines and events.
    pub async fn shipment(&self, actor: &Actor, id: i64) -> Result<ShipmentDetail> {
        actor.require(Permission::OrderTake)?;
        let mut conn = self.store.conn().await?;
        let s = store::by_id(&mut conn, id).await?;
        Ok(details(&mut conn, vec![s]).await?.remove(0))
    }

    /// 物流跟踪 — adds a tracking event to a shipment; 已签收 marks it delivered. The same
    /// status at the same time again changes nothing (false).
    pub async fn add_tracking_event(
        &self,
        actor: &Actor,
        shipment_id: i64,
        e: &TrackingEvent,
        source: EventSource,
    ) -> Result<bool> {
        actor.require(Permission::OrderTake)?;
        let now = self.now();
        let place = e.place.trim();
        if place.chars().count() > MAX_PLACE {
            return Err(AppError::TooLong);
        }
        if e.at > now + CLOCK_SKEW {
            return Err(OrderError::EventInFuture.into());
        }
        kefu_domain::dates::check_instant("at", e.at)?;
        let mut tx = self.store.begin().await?;
        store::by_id(&mut tx, shipment_id).await?;
        let added = store::add_event(
            &mut tx,
            &EventRow {
                shipment_id,
                at: e.at,
                status: e.status,
                place: place.to_owned(),
                source,
            },
            actor.user_id(),
            now,
        )
        .await?;
        if added && e.status == TrackingStatus::Delivered {
            store::mark_delivered(&mut tx, shipment_id, e.at).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(added)
    }

    /// 到货核实 — the customer's count of a shipment, every line: refused above what left;
    /// a line short gives back what did not arrive (to ship again) and opens one order-issue
    /// ticket 订单问题 for the shipment, linked to it, whose placer is told. Counted once.
    pub async fn count_shipment(
        &self,
        actor: &Actor,
        shipment_id: i64,
        counted: &[(i64, i64)],
    ) -> Result<CountOutcome> {
        actor.require(Permission::OrderTake)?;
        let (s, o, lines) = {
            let mut conn = self.store.conn().await?;
            let s = store::by_id(&mut conn, shipment_id).await?;
            let o = order_store::by_id(&mut conn, s.order_id).await?;
            let lines = store::lines_of(&mut conn, &[shipment_id]).await?;
            (s, o, lines)
        };
        if s.checked_at.is_some() {
            return Err(OrderError::Counted.into());
        }
        let mut received = vec![None; lines.len()];
        for (line_no, n) in counted {
            let Some(i) = lines.iter().position(|l| l.line_no == *line_no) else {
                return Err(OrderError::UnknownLine { line: *line_no }.into());
            };
            received[i] = Some(*n);
        }
        if let Some(missing) = lines.iter().zip(&received).find(|(_, r)| r.is_none()) {
            return Err(OrderError::Uncounted {
                line: missing.0.line_no,
            }
            .into());
        }
        let received: Vec<i64> = received.into_iter().flatten().collect();
        let shipped: Vec<i64> = lines.iter().map(|l| l.quantity).collect();
        let short: Vec<ShortLine> = order_rules::check_received(&shipped, &received)
            .map_err(|e| renumber(e, &lines))?
            .into_iter()
            .map(|(i, shipped, received)| ShortLine {
                line_no: lines[i].line_no,
                sku: lines[i].sku.clone(),
                shipped,
                received,
            })
            .collect();
        // The ticket first, by a key of the shipment: a count retried, or two at once, find
        // the same ticket; the count below is taken once.
        // The order read above names it in the ticket; the one read again below, in the
        // transaction, is the row saved (another change may have come in between).
        let ticket = if short.is_empty() {
            None
        } else {
            Some(self.short_delivery_ticket(&s, &o, &lines, &short).await?)
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if !store::mark_checked(&mut tx, shipment_id, now).await? {
            return Err(OrderError::Counted.into());
        }
        let o = order_store::by_id(&mut tx, s.order_id).await?;
        for (l, r) in lines.iter().zip(&received) {
            store::set_received(&mut tx, shipment_id, l.order_line_id, l.quantity, *r).await?;
        }
        let order_lines = order_store::lines(&mut tx, o.id).await?;
        let short_fen = money::total(lines.iter().zip(&received).map(|(l, r)| {
            let price = order_lines
                .iter()
                .find(|x| x.id == l.order_line_id)
                .map_or(0, |x| x.unit_price_fen);
            line_amount(l.quantity - r, price)
        }));
        crate::receivable::credit_short_delivery(
            &mut tx,
            shipment_id,
            &s.number,
            short_fen,
            actor.user_id(),
            now,
        )
        .await?;
        let after = OrderRow {
            state: order_rules::state_of(&progress(&order_lines)),
            updated_at: now,
            ..o.clone()
        };
        let mut note = s.number.clone();
        for l in &short {
            note.push_str(&format!(" {} {}/{}", l.sku, l.received, l.shipped));
        }
        self.save_order(&mut tx, actor, &o, &after, "count", note)
            .await?;
        // 首单回访 — the customer's first order to arrive in full is followed by a visit.
        if after.state == OrderState::Closed
            && kefu_store::order::closed_count(&mut tx, o.customer_id).await? == 1
        {
            self.plan_first_order_visit(&mut tx, o.customer_id, now)
                .await?;
        }
        if let Some((ticket_id, ticket_number)) = &ticket {
            store::set_issue_ticket(&mut tx, shipment_id, *ticket_id).await?;
            if let Some(by) = o.created_by {
                notify::notify(
                    &mut tx,
                    &[by],
                    kind::ORDER_SHORT_DELIVERY,
                    Some(*ticket_id),
                    &json!({
                        "order": o.id,
                        "number": o.number,
                        "shipment": s.number,
                        "ticket": ticket_number,
                    }),
                    now,
                )
                .await?;
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(CountOutcome {
            short,
            ticket_id: ticket.as_ref().map(|t| t.0),
            ticket_number: ticket.map(|t| t.1),
        })
    }

    /// The order-issue ticket of a short count: about the order's customer, saying what was
    /// shipped and what arrived, keyed by the shipment so it is opened once.
    async fn short_delivery_ticket(
        &self,
        s: &ShipmentRow,
        o: &OrderRow,
        lines: &[ShipmentLineRow],
        short: &[ShortLine],
    ) -> Result<(i64, String)> {
        let t = |key: &str, args: &[(&str, &str)]| self.text(Locale::ZhCn, key, args);
        let mut body = t(
            "order.short.body",
            &[
                ("order", &o.number),
                ("shipment", &s.number),
                ("carrier", &s.carrier),
                ("tracking", &s.tracking_number),
            ],
        );
        for l in short {
            let product = lines
                .iter()
                .find(|x| x.line_no == l.line_no)
                .map_or("", |x| x.product.as_str());
            body.push('\n');
            body.push_str(&t(
                "order.short.line",
                &[
                    ("sku", &l.sku),
                    ("product", product),
                    ("shipped", &l.shipped.to_string()),
                    ("received", &l.received.to_string()),
                ],
            ));
        }
        let subject = t(
            "order.short.subject",
            &[("order", &o.number), ("shipment", &s.number)],
        );
        let mut req = Intake::new(Channel::Staff, &subject, &body);
        req.ticket_type = TicketType::OrderIssue;
        req.priority = Priority::High;
        req.customer_id = Some(o.customer_id);
        req.external_id = Some(format!("shipment-short-{}", s.id));
        // Opened by kefu on the counter's behalf (named in the order's log): whoever counts
        // need not be one who opens tickets.
        let out = self.intake(&Actor::system(), &req).await?;
        Ok((out.ticket.id, out.ticket.number))
    }
}

/// A count's refusal named by the order's line number rather than the shipment's row.
fn renumber(e: OrderError, lines: &[ShipmentLineRow]) -> OrderError {
    let no = |i: usize| {
        lines
            .get(i.wrapping_sub(1))
            .map_or(0, |l| l.line_no as usize)
    };
    match e {
        OrderError::AboveShipped { line, shipped } => OrderError::AboveShipped {
            line: no(line),
            shipped,
        },
        OrderError::Quantity { line } => OrderError::Quantity { line: no(line) },
        e => e,
    }
}

async fn details(
    conn: &mut kefu_store::AnyConnection,
    shipments: Vec<ShipmentRow>,
) -> Result<Vec<ShipmentDetail>> {
    let ids: Vec<i64> = shipments.iter().map(|s| s.id).collect();
    let mut lines = store::lines_of(&mut *conn, &ids).await?;
    let mut events = store::events_of(conn, &ids).await?;
    Ok(shipments
        .into_iter()
        .map(|s| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                lines.drain(..).partition(|l| l.shipment_id == s.id);
            lines = rest;
            let (my_events, rest): (Vec<_>, Vec<_>) =
                events.drain(..).partition(|e| e.shipment_id == s.id);
            events = rest;
            ShipmentDetail {
                shipment: s,
                lines: mine,
                events: my_events,
            }
        })
        .collect())
}

/// The words of a shipment notice (`order.notice.*`): the text message's, and the mail's
/// subject and text; `None` for another kind.
pub(crate) fn notice_words(
    app: &App,
    kind: &str,
    locale: Locale,
    params: &serde_json::Value,
) -> Option<(String, String, String)> {
    if kind != outbox::kind::SHIPMENT_NOTICE {
        return None;
    }
    let get = |k: &str| params[k].as_str().unwrap_or_default();
    let args = [
        ("salutation", get("salutation")),
        ("order", get("order")),
        ("carrier", get("carrier")),
        ("tracking", get("tracking")),
        ("items", get("items")),
    ];
    Some((
        app.text(locale, "order.notice.sms", &args),
        app.text(locale, "order.notice.mail_subject", &args),
        app.text(locale, "order.notice.mail_body", &args),
    ))
}
