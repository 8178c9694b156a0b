//! 对账 — a customer's statement of a month (002 §一6): made for every customer with a
//! balance or entries once the month is over (each customer and month once), sent to the
//! customer's contact with a signed link; the customer confirms it or disputes lines; each
//! disputed line gets its cause and resolution, proposed by whoever serves the customer and
//! approved by the manager (an adjustment posted when it has an amount, dated on the
//! month's last day and shown on the statement); a statement agreed or resolved is closed
//! and never changes, nor is anything dated into its month after.

use std::collections::{BTreeMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use kefu_domain::customer::ContactChannel;
use kefu_domain::order::shipment::{Notice, notice_route};
use kefu_domain::receivable::statement::{
    self as rules, LineAnswer, Period, StatementError, StatementState,
};
use kefu_domain::receivable::{
    self as ledger, DifferenceCause, PaymentKind, PaymentSource, ReceivableKind, StatementLine,
    StatementLineKind,
};
use kefu_domain::{Locale, Permission, Role, money};
use kefu_store::receivable::{self as receivable_store, PaymentRow, ReceivableRow};
use kefu_store::statement::{
    self as store, Entry, StatementFilter, StatementLineRow, StatementRow,
};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use super::{Allocate, allocate_in};
use crate::notify::{self, kind};
use crate::outbox::{self, Outgoing};
use crate::satisfaction::token::{self, Purpose};
use crate::workbench::local_date;
use crate::{Actor, App, AppError, Result};

/// How long a statement's link works.
pub const LINK_DAYS: i64 = 60;

/// Customers whose statements one transaction makes.
const GENERATE_BATCH: usize = 200;

/// The most statements a list shows.
pub const MAX_STATEMENTS: i64 = 500;

/// A statement with its lines.
#[derive(Debug, Clone)]
pub struct StatementDetail {
    pub statement: StatementRow,
    pub lines: Vec<StatementLineRow>,
}

/// What a generation did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generated {
    pub created: usize,
    /// Customers that had a statement of the month already.
    pub existing: usize,
}

/// A disputed line's resolution as proposed.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub cause: Option<DifferenceCause>,
    pub text: String,
    /// Owed more: +; credited: −; 0 when nothing is posted.
    pub adjustment_fen: i64,
}

fn statement_error(e: StatementError) -> AppError {
    AppError::Statement(e)
}

fn entry_effects<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Vec<StatementLine> {
    entries
        .into_iter()
        .map(|e| StatementLine {
            kind: e.kind,
            amount_fen: e.amount_fen,
        })
        .collect()
}

fn effects(lines: &[StatementLineRow]) -> Vec<StatementLine> {
    entry_effects(lines.iter().map(|l| &l.entry))
}

impl App {
    /// 生成对账单 — makes the statements of `period` (over by today), of one customer or of
    /// every customer with a balance or entries; each customer and month once.
    pub async fn generate_statements(
        &self,
        actor: &Actor,
        period: &str,
        customer_id: Option<i64>,
    ) -> Result<Generated> {
        actor.require(Permission::Receivables)?;
        let now = self.now();
        let period = Period::parse(period)
            .and_then(|p| p.check_over(local_date(now)))
            .map_err(statement_error)?;
        let key = period.key();
        let link_key = self.csat_key().await?.to_owned();
        let (existing, entries, openings) = {
            let mut conn = self.store.conn().await?;
            if let Some(c) = customer_id {
                kefu_store::customer::by_id(&mut conn, c).await?;
            }
            (
                store::customers_with(&mut conn, &key)
                    .await?
                    .into_iter()
                    .collect::<HashSet<i64>>(),
                store::entries_in(&mut conn, customer_id, period.start(), period.end()).await?,
                store::balances_before(&mut conn, customer_id, period.start()).await?,
            )
        };
        let mut by_customer: BTreeMap<i64, Vec<Entry>> = BTreeMap::new();
        for (c, opening) in &openings {
            if *opening != 0 {
                by_customer.entry(*c).or_default();
            }
        }
        for e in entries {
            by_customer.entry(e.customer_id).or_default().push(e);
        }
        let mut out = Generated::default();
        let todo: Vec<(i64, Vec<Entry>)> = by_customer
            .into_iter()
            .filter(|(c, _)| {
                let had = existing.contains(c);
                if had {
                    out.existing += 1;
                }
                !had
            })
            .collect();
        for batch in todo.chunks(GENERATE_BATCH) {
            let mut tx = self.store.begin().await?;
            for (customer, lines) in batch {
                let opening = openings.get(customer).copied().unwrap_or(0);
                let closing = ledger::closing(opening, &entry_effects(lines));
                let number = self.order_number(&mut tx, "ZD").await?;
                let row = StatementRow {
                    id: 0,
                    number: number.clone(),
                    customer_id: *customer,
                    customer_name: String::new(),
                    period: key.clone(),
                    state: StatementState::Sent,
                    opening_fen: opening,
                    closing_fen: closing,
                    created_at: now,
                    answered_at: None,
                    closed_by: None,
                    closed_at: None,
                    version: 1,
                };
                let Some(id) = store::insert(&mut tx, &row, actor.user_id()).await? else {
                    out.existing += 1;
                    continue;
                };
                for (i, e) in lines.iter().enumerate() {
                    store::insert_line(&mut tx, id, i as i64 + 1, e, LineAnswer::Open).await?;
                }
                self.send_statement(
                    &mut tx, &link_key, id, &number, *customer, &key, closing, now,
                )
                .await?;
                out.created += 1;
            }
            tx.commit().await.map_err(StoreError::from)?;
        }
        Ok(out)
    }

    /// Tells the customer's primary contact of a new statement, with its link (mail
    /// first: a statement is read at a desk).
    #[allow(clippy::too_many_arguments)]
    async fn send_statement(
        &self,
        tx: &mut AnyConnection,
        link_key: &str,
        id: i64,
        number: &str,
        customer_id: i64,
        period: &str,
        closing_fen: i64,
        now: Timestamp,
    ) -> Result<()> {
        let contacts = kefu_store::customer::contacts_of(&mut *tx, customer_id).await?;
        let Some(c) = contacts.first() else {
            return Ok(());
        };
        let opted: Vec<ContactChannel> = c.opt_outs.iter().filter_map(|o| o.parse().ok()).collect();
        let Some((channel, address)) = notice_route(
            Some(ContactChannel::Email),
            c.mobile.as_deref(),
            c.email.as_deref(),
            &opted,
        ) else {
            return Ok(());
        };
        let expires = now + SignedDuration::from_hours(24 * LINK_DAYS);
        outbox::enqueue(
            tx,
            &Outgoing {
                channel: if channel == Notice::Sms {
                    outbox::channel::SMS
                } else {
                    outbox::channel::EMAIL
                },
                kind: outbox::kind::STATEMENT_ISSUED,
                address,
                locale: Locale::ZhCn,
                params: json!({
                    "salutation": c.name,
                    "number": number,
                    "period": period,
                    "closing": money::yuan(closing_fen),
                    "link": self.statement_link(link_key, id, expires),
                }),
                expires_at: Some(expires),
                send_after: None,
            },
            now,
        )
        .await?;
        Ok(())
    }

    fn statement_link(&self, key: &str, id: i64, expires_at: Timestamp) -> String {
        format!(
            "{}/z/{}",
            self.settings.public_url.trim_end_matches('/'),
            token::make(key, Purpose::Statement, id, expires_at)
        )
    }

    /// A statement's link for whoever serves the customer to send again (it works
    /// [`LINK_DAYS`] from now).
    pub async fn statement_link_for(&self, actor: &Actor, id: i64) -> Result<String> {
        actor.require(Permission::Receivables)?;
        let key = self.csat_key().await?.to_owned();
        let mut conn = self.store.conn().await?;
        store::by_id(&mut conn, id).await?;
        let expires = self.now() + SignedDuration::from_hours(24 * LINK_DAYS);
        Ok(self.statement_link(&key, id, expires))
    }

    /// Statements, the latest month first.
    pub async fn statements(
        &self,
        actor: &Actor,
        filter: &StatementFilter,
    ) -> Result<Vec<StatementRow>> {
        actor.require(Permission::Receivables)?;
        let period = match &filter.period {
            Some(p) => Some(Period::parse(p).map_err(statement_error)?.key()),
            None => None,
        };
        let mut conn = self.store.conn().await?;
        let f = StatementFilter {
            period,
            limit: filter.limit.clamp(1, MAX_STATEMENTS),
            ..filter.clone()
        };
        Ok(store::list(&mut conn, &f).await?)
    }

    /// One statement with its lines.
    pub async fn statement(&self, actor: &Actor, id: i64) -> Result<StatementDetail> {
        actor.require(Permission::Receivables)?;
        let mut conn = self.store.conn().await?;
        detail(&mut conn, id).await
    }

    /// The statement a customer's link names, while the link works.
    pub async fn public_statement(&self, link: &str) -> Result<StatementDetail> {
        let id = self.statement_of_link(link).await?;
        let mut conn = self.store.conn().await?;
        detail(&mut conn, id).await
    }

    async fn statement_of_link(&self, link: &str) -> Result<i64> {
        let key = self.csat_key().await?;
        match token::read(key, Purpose::Statement, link) {
            Some((id, expires)) if expires > self.now() => Ok(id),
            _ => Err(statement_error(StatementError::BadLink)),
        }
    }

    /// 客户确认/提出异议 — the customer's answer through the statement's link: every line
    /// confirmed, or the lines named disputed with the reason.
    pub async fn answer_statement_by_link(
        &self,
        link: &str,
        disputes: &[(i64, String)],
    ) -> Result<StatementState> {
        let id = self.statement_of_link(link).await?;
        self.answer(id, None, disputes, None).await
    }

    /// The customer's answer as whoever serves them records it (by phone, say).
    pub async fn answer_statement(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
        disputes: &[(i64, String)],
    ) -> Result<StatementState> {
        actor.require(Permission::Receivables)?;
        self.answer(id, version, disputes, actor.user_id()).await
    }

    async fn answer(
        &self,
        id: i64,
        version: Option<i64>,
        disputes: &[(i64, String)],
        by: Option<i64>,
    ) -> Result<StatementState> {
        rules::check_answer(disputes).map_err(statement_error)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (s, mut lines) = for_write(&mut tx, id, version).await?;
        if s.state != StatementState::Sent {
            return Err(statement_error(StatementError::NotNow(s.state)));
        }
        // Only lines not answered yet: a statement back with the customer for a payment
        // that joined it late keeps what was agreed and resolved before.
        for (line_no, _) in disputes {
            if !lines
                .iter()
                .any(|l| l.line_no == *line_no && l.answer == LineAnswer::Open)
            {
                return Err(statement_error(StatementError::UnknownLine(*line_no)));
            }
        }
        for l in lines.iter_mut().filter(|l| l.answer == LineAnswer::Open) {
            match disputes.iter().find(|(n, _)| *n == l.line_no) {
                Some((_, note)) => {
                    l.answer = LineAnswer::Disputed;
                    l.customer_note = note.trim().to_owned();
                }
                None => l.answer = LineAnswer::Confirmed,
            }
            store::save_line(&mut tx, l).await?;
        }
        let state = if lines.is_empty() {
            StatementState::Confirmed
        } else {
            rules::state_of(&lines.iter().map(|l| l.answer).collect::<Vec<_>>())
        };
        let after = StatementRow {
            state,
            answered_at: Some(now),
            ..s.clone()
        };
        save(&mut tx, &after, s.version).await?;
        if state == StatementState::Disputed {
            let owner = kefu_store::customer::by_id(&mut tx, s.customer_id)
                .await?
                .owner_id;
            let to: Vec<i64> = owner.into_iter().chain(by).collect();
            notify::notify(
                &mut tx,
                &to,
                kind::STATEMENT_DISPUTED,
                None,
                &json!({
                    "statement": s.id,
                    "number": s.number,
                    "customer": s.customer_name,
                    "lines": disputes.len(),
                }),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(state)
    }

    /// 差异处理 — proposes a disputed line's cause and resolution (an adjustment with an
    /// amount, or none); the managers are told.
    pub async fn propose_resolution(
        &self,
        actor: &Actor,
        id: i64,
        line_no: i64,
        r: &Resolution,
    ) -> Result<()> {
        actor.require(Permission::Receivables)?;
        let cause =
            rules::check_resolution(r.cause, &r.text, r.adjustment_fen).map_err(statement_error)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (s, lines) = for_write(&mut tx, id, None).await?;
        let mut line = line_of(lines, line_no)?;
        if s.state != StatementState::Disputed || line.answer != LineAnswer::Disputed {
            return Err(statement_error(StatementError::NotDisputed(line_no)));
        }
        line.answer = LineAnswer::Proposed;
        line.cause = Some(cause);
        line.resolution = r.text.trim().to_owned();
        line.adjustment_fen = Some(r.adjustment_fen);
        line.proposed_by = actor.user_id();
        store::save_line(&mut tx, &line).await?;
        save(&mut tx, &s, s.version).await?;
        let managers = notify::with_role(&mut tx, Role::CsManager).await?;
        notify::notify(
            &mut tx,
            &managers,
            kind::STATEMENT_RESOLUTION,
            None,
            &json!({
                "statement": s.id,
                "number": s.number,
                "customer": s.customer_name,
                "line": line_no,
                "amount": money::yuan(r.adjustment_fen),
            }),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The manager approves a proposed resolution (posting its adjustment, dated on the
    /// month's last day, and showing it on the statement) or sends it back.
    pub async fn decide_resolution(
        &self,
        actor: &Actor,
        id: i64,
        line_no: i64,
        approve: bool,
    ) -> Result<StatementState> {
        actor.require(Permission::OrderApprove)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (s, mut lines) = for_write(&mut tx, id, None).await?;
        let Some(i) = lines.iter().position(|l| l.line_no == line_no) else {
            return Err(statement_error(StatementError::UnknownLine(line_no)));
        };
        if lines[i].answer != LineAnswer::Proposed {
            return Err(statement_error(StatementError::NotProposed(line_no)));
        }
        let mut after = s.clone();
        if approve {
            let line = &mut lines[i];
            line.answer = LineAnswer::Resolved;
            line.approved_by = actor.user_id();
            line.resolved_at = Some(now);
            store::save_line(&mut tx, line).await?;
            let fen = line.adjustment_fen.unwrap_or(0);
            if fen != 0 {
                let entry = post_adjustment(&mut tx, &s, line_no, fen, actor, now).await?;
                let next = lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1;
                store::insert_line(&mut tx, s.id, next, &entry, LineAnswer::Confirmed).await?;
                lines = store::lines_of(&mut tx, s.id).await?;
            }
            after.closing_fen = ledger::closing(s.opening_fen, &effects(&lines));
            after.state = rules::state_of(&lines.iter().map(|l| l.answer).collect::<Vec<_>>());
        } else {
            let line = &mut lines[i];
            line.answer = LineAnswer::Disputed;
            line.approved_by = None;
            store::save_line(&mut tx, line).await?;
        }
        save(&mut tx, &after, s.version).await?;
        if let Some(by) = lines[i].proposed_by {
            notify::notify(
                &mut tx,
                &[by],
                kind::STATEMENT_RESOLUTION_DECIDED,
                None,
                &json!({
                    "statement": s.id,
                    "number": s.number,
                    "line": line_no,
                    "approved": approve,
                }),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(after.state)
    }

    /// 结账 — closes a statement every line of which is agreed or resolved: from now on it
    /// never changes, and nothing is dated into its month.
    pub async fn close_statement(
        &self,
        actor: &Actor,
        id: i64,
        version: Option<i64>,
    ) -> Result<()> {
        actor.require(Permission::Receivables)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let (s, _) = for_write(&mut tx, id, version).await?;
        if !rules::may_close(s.state) {
            return Err(statement_error(StatementError::NotNow(s.state)));
        }
        let after = StatementRow {
            state: StatementState::Closed,
            closed_by: actor.user_id(),
            closed_at: Some(now),
            ..s.clone()
        };
        save(&mut tx, &after, s.version).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}

async fn detail(conn: &mut AnyConnection, id: i64) -> Result<StatementDetail> {
    let statement = store::by_id(&mut *conn, id).await?;
    let lines = store::lines_of(conn, id).await?;
    Ok(StatementDetail { statement, lines })
}

/// The statement and its lines to change: never a closed one, and from the version read
/// when one is given.
async fn for_write(
    conn: &mut AnyConnection,
    id: i64,
    version: Option<i64>,
) -> Result<(StatementRow, Vec<StatementLineRow>)> {
    let s = store::by_id(&mut *conn, id).await?;
    if s.state == StatementState::Closed {
        return Err(statement_error(StatementError::Closed));
    }
    if let Some(v) = version
        && v != s.version
    {
        return Err(AppError::StaleVersion {
            current: s.version,
            changed: Vec::new(),
        });
    }
    let lines = store::lines_of(conn, id).await?;
    Ok((s, lines))
}

async fn save(conn: &mut AnyConnection, s: &StatementRow, expected: i64) -> Result<()> {
    if store::save(conn, s, expected).await? {
        Ok(())
    } else {
        let now = store::by_id(conn, s.id).await?;
        Err(AppError::StaleVersion {
            current: now.version,
            changed: Vec::new(),
        })
    }
}

fn line_of(lines: Vec<StatementLineRow>, line_no: i64) -> Result<StatementLineRow> {
    lines
        .into_iter()
        .find(|l| l.line_no == line_no)
        .ok_or(statement_error(StatementError::UnknownLine(line_no)))
}

/// Posts an approved adjustment of `fen` (owed: +, credited: −) on the statement's last
/// day: an amount owed, due today, or a credit allocated to the oldest amounts owed. The
/// ledger entry it is.
async fn post_adjustment(
    tx: &mut AnyConnection,
    s: &StatementRow,
    line_no: i64,
    fen: i64,
    actor: &Actor,
    now: Timestamp,
) -> Result<Entry> {
    let period = Period::parse(&s.period).map_err(statement_error)?;
    let on = period.end();
    let reference = format!("{}-{line_no}", s.number);
    if fen > 0 {
        let id = receivable_store::insert_receivable(
            &mut *tx,
            &ReceivableRow {
                id: 0,
                customer_id: s.customer_id,
                kind: ReceivableKind::Adjustment,
                order_id: None,
                order_number: None,
                shipment_id: None,
                reference: reference.clone(),
                amount_fen: fen,
                open_fen: fen,
                booked_on: on,
                due_on: local_date(now),
                created_at: now,
            },
        )
        .await?;
        Ok(Entry {
            customer_id: s.customer_id,
            kind: StatementLineKind::Adjustment,
            receivable_id: Some(id),
            payment_id: None,
            on_date: on,
            reference,
            amount_fen: fen,
        })
    } else {
        let credit = -fen;
        let id = receivable_store::insert_payment(
            &mut *tx,
            &PaymentRow {
                id: 0,
                customer_id: s.customer_id,
                kind: PaymentKind::Adjustment,
                reference: reference.clone(),
                amount_fen: credit,
                unapplied_fen: credit,
                received_on: on,
                source: PaymentSource::Statement,
                note: String::new(),
                created_by: actor.user_id(),
                created_at: now,
            },
        )
        .await?
        .ok_or(AppError::NotFound)?;
        allocate_in(
            tx,
            id,
            s.customer_id,
            credit,
            &Allocate::OldestFirst,
            actor.user_id(),
            now,
        )
        .await?;
        Ok(Entry {
            customer_id: s.customer_id,
            kind: StatementLineKind::Adjustment,
            receivable_id: None,
            payment_id: Some(id),
            on_date: on,
            reference,
            amount_fen: fen,
        })
    }
}

/// An entry dated `on` joins the customer's statement of that month when there is one: a
/// closed one refuses it (nothing is dated into a closed month); a confirmed one goes back
/// to the customer.
pub(crate) async fn join_statement(tx: &mut AnyConnection, entry: &Entry) -> Result<()> {
    let key = Period::of(entry.on_date).key();
    let Some(s) = store::of_period(&mut *tx, entry.customer_id, &key).await? else {
        return Ok(());
    };
    if s.state == StatementState::Closed {
        return Err(statement_error(StatementError::Closed));
    }
    let lines = store::lines_of(&mut *tx, s.id).await?;
    let next = lines.iter().map(|l| l.line_no).max().unwrap_or(0) + 1;
    store::insert_line(&mut *tx, s.id, next, entry, LineAnswer::Open).await?;
    let answers: Vec<LineAnswer> = lines
        .iter()
        .map(|l| l.answer)
        .chain([LineAnswer::Open])
        .collect();
    let joined = StatementLine {
        kind: entry.kind,
        amount_fen: entry.amount_fen,
    };
    let after = StatementRow {
        state: rules::state_of(&answers),
        closing_fen: ledger::closing(s.closing_fen, &[joined]),
        ..s.clone()
    };
    save(tx, &after, s.version).await
}

pub(crate) const TILES: &[crate::workbench::TileSpec] = &[
    crate::workbench::TileSpec {
        key: "statements.my_disputed",
        title: "workbench.tile.my_disputed_statements",
        roles: &[Role::Agent, Role::KeyAccountSpecialist],
        permission: Permission::Receivables,
        fill: my_disputed,
    },
    crate::workbench::TileSpec {
        key: "statements.disputed",
        title: "workbench.tile.disputed_statements",
        roles: &[Role::CsManager],
        permission: Permission::Receivables,
        fill: all_disputed,
    },
];

/// The most statements a tile counts.
const TILE_CAP: i64 = 999;

fn disputed_tile<'a>(
    app: &'a App,
    r: &'a crate::workbench::Reader,
    mine: bool,
) -> crate::workbench::TileFuture<'a> {
    Box::pin(async move {
        let mut conn = app.store.conn().await?;
        let n = store::count(
            &mut conn,
            &StatementFilter {
                states: vec![StatementState::Disputed],
                owner_id: mine.then(|| r.id()),
                limit: TILE_CAP,
                ..StatementFilter::default()
            },
        )
        .await?;
        let n = crate::workbench::Count::capped(n, TILE_CAP);
        let link = if mine {
            "/statements?state=disputed&mine=1"
        } else {
            "/statements?state=disputed"
        };
        Ok(Some(crate::workbench::Filled {
            link: Some(link.to_owned()),
            body: crate::workbench::TileBody::Count {
                count: n,
                alert: n.n > 0,
            },
            hint: None,
        }))
    })
}

/// 我的客户对账异议 — statements of my customers with lines disputed.
fn my_disputed<'a>(
    app: &'a App,
    r: &'a crate::workbench::Reader,
) -> crate::workbench::TileFuture<'a> {
    disputed_tile(app, r, true)
}

/// 对账异议 — statements with lines disputed, resolutions waiting.
fn all_disputed<'a>(
    app: &'a App,
    r: &'a crate::workbench::Reader,
) -> crate::workbench::TileFuture<'a> {
    disputed_tile(app, r, false)
}
