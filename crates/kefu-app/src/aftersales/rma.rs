//! 售后单 (RMA) — registering a return, exchange, refund or repair (from a ticket, a
//! complaint's approved solution, or directly), deciding it by the policy in force on the
//! day it was asked, and moving it on one step at a time: approval by who the decision
//! names, the goods received and inspected, a paid repair's quote, the refund (never above
//! what was paid), the replacement or repair, the close. Every move is logged with its
//! note; each state has a deadline in business time. A complaint's RMA handled here moves
//! with it, and its complaint's log says so.

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::aftersales::catalogue::{self as catalogue_rules, CatalogueError};
use kefu_domain::aftersales::policy::{self as policy_rules, Approver, Claim, Fault, RmaKind};
use kefu_domain::aftersales::rma::{
    self as rules, Inspection, MAX_QUANTITY, RmaError, RmaFacts, RmaMove, RmaSource, RmaState,
};
use kefu_domain::dates;
use kefu_store::aftersales::catalogue as catalogue_store;
use kefu_store::aftersales::rma::{self as store, RmaFilter, RmaLine, RmaRow, RmaStep};
use kefu_store::{AnyConnection, StoreError};

use kefu_domain::Role;
use serde_json::json;

use super::policy::in_force;
use crate::notify::{self, kind};
use crate::ticket::Upload;
use crate::{Actor, App, AppError, Result};

/// The longest fault description or note.
pub const MAX_TEXT: usize = 2000;
/// The longest order number or serial number.
pub const MAX_CODE_TEXT: usize = 60;
/// The most RMAs a list page holds.
pub const MAX_LIST: i64 = 200;

/// 售后申请 — what a request names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RmaRequest {
    pub source: RmaSource,
    pub customer_id: i64,
    pub ticket_id: Option<i64>,
    /// A complaint's RMA (its approved solution) to carry out here.
    pub complaint_rma_id: Option<i64>,
    pub kind: RmaKind,
    pub product_id: i64,
    pub order_number: String,
    pub serial: String,
    pub quantity: u32,
    pub fault: Fault,
    pub description: String,
    pub delivered_on: Date,
    /// Today when `None`.
    pub requested_on: Option<Date>,
    /// What the RMA would cost: the refund asked, the goods' value, the repair.
    pub amount_fen: i64,
    /// What the customer paid for the goods (a refund's ceiling).
    pub paid_fen: i64,
}

/// A move with what it records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveInput {
    pub step: RmaMove,
    /// Why (required to reject or cancel), or what was done.
    pub note: String,
    /// The replacement's serial number (an exchange of a serial-tracked product).
    pub replacement_serial: String,
}

/// What a complaint's RMA tells a request carrying it out: the complaint's customer and
/// goods, the remedy's kind and the approved amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComplaintRmaPrefill {
    pub customer_id: Option<i64>,
    pub kind: Option<RmaKind>,
    pub amount_fen: i64,
    pub order_number: String,
    pub part_number: String,
    pub content: String,
    pub delivery_date: String,
}

/// 售后进度 — an RMA as the customer sees it in the portal: no notes, no staff names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortalRma {
    pub number: String,
    pub kind: RmaKind,
    pub state: RmaState,
    pub sku: String,
    pub product: String,
    pub quote_fen: Option<i64>,
    pub refund_fen: Option<i64>,
    /// How many photos of the fault it has.
    pub photos: i64,
    /// (move, state reached, when), oldest first.
    pub steps: Vec<(String, RmaState, Timestamp)>,
}

/// An RMA with its log.
#[derive(Debug, Clone)]
pub struct RmaDetail {
    pub rma: RmaLine,
    pub steps: Vec<RmaStep>,
    /// The policy version's number and category (`None`: company-wide).
    pub policy_number: i64,
    pub policy_category_id: Option<i64>,
    /// 第N条 and its wording.
    pub clause_number: usize,
    pub clause_text: String,
    /// The moves the reader may make now.
    pub moves: Vec<&'static str>,
    /// The photos of the fault, oldest first.
    pub photos: Vec<kefu_store::aftersales::rma_photo::RmaPhoto>,
}

fn text(field: &'static str, raw: &str, required: bool, max: usize) -> Result<String> {
    let t = raw.trim();
    if required && t.is_empty() {
        return Err(RmaError::Required(field).into());
    }
    if t.chars().count() > max {
        return Err(RmaError::TooLong { field, max }.into());
    }
    Ok(t.to_owned())
}

fn facts(r: &RmaRow) -> RmaFacts {
    RmaFacts {
        kind: r.kind,
        state: r.state,
        fault: r.fault,
        paid_repair: r.paid_repair,
        paid_fen: r.paid_fen,
    }
}

/// The permission a move needs of the RMA as it stands.
fn needed(r: &RmaRow, m: &RmaMove) -> Permission {
    match m {
        RmaMove::Approve | RmaMove::Reject => match r.approver {
            Approver::Manager => Permission::RmaApproveAbove,
            Approver::Specialist | Approver::Auto => Permission::RmaApprove,
        },
        _ => Permission::RmaWork,
    }
}

/// Every move, to offer those the RMA and the reader allow.
fn all_moves() -> Vec<RmaMove> {
    vec![
        RmaMove::Approve,
        RmaMove::Reject,
        RmaMove::Receive,
        RmaMove::Inspect {
            result: Inspection::FaultConfirmed,
            quote_fen: Some(1),
        },
        RmaMove::AcceptQuote,
        RmaMove::DeclineQuote,
        RmaMove::Refund { amount_fen: 1 },
        RmaMove::Replace,
        RmaMove::Repair,
        RmaMove::Close,
        RmaMove::Cancel,
    ]
}

impl App {
    /// The number of a new RMA: `SH<yyyymmdd>-<seq>` of the local day.
    async fn rma_number(&self, conn: &mut AnyConnection) -> Result<String> {
        let day = crate::workbench::local_date(self.now());
        let key = format!("{:04}{:02}{:02}", day.year(), day.month(), day.day());
        let seq = store::next_seq(conn, &key).await?;
        Ok(format!("SH{key}-{seq:03}"))
    }

    /// When an RMA entering `state` at `from` is due, on the default business calendar.
    async fn rma_due(
        &self,
        conn: &mut AnyConnection,
        state: RmaState,
        from: Timestamp,
    ) -> Result<Option<Timestamp>> {
        let Some(minutes) = rules::deadline_minutes(state) else {
            return Ok(None);
        };
        Ok(Some(match self.default_calendar(conn).await? {
            Some(cal) => cal.add_minutes(from, minutes)?,
            None => from + jiff::SignedDuration::from_mins(minutes),
        }))
    }

    /// Registers an RMA and decides it by the policy; its id and the state it starts in.
    pub async fn request_rma(&self, actor: &Actor, req: &RmaRequest) -> Result<(i64, RmaState)> {
        self.request_rma_with_photos(actor, req, &[]).await
    }

    /// [`request_rma`](Self::request_rma) with photos of the fault, stored with it (one
    /// refused photo refuses the request: nothing is stored).
    pub async fn request_rma_with_photos(
        &self,
        actor: &Actor,
        req: &RmaRequest,
        photos: &[Upload],
    ) -> Result<(i64, RmaState)> {
        actor.require(Permission::RmaRequest)?;
        self.register_rma(actor, req, photos).await
    }

    /// Registers the RMA `req` names for whoever may ask it (staff with the permission, or
    /// a customer on their own ticket, checked by the caller).
    pub(crate) async fn register_rma(
        &self,
        actor: &Actor,
        req: &RmaRequest,
        photos: &[Upload],
    ) -> Result<(i64, RmaState)> {
        let photos = self.check_photos(photos, 0)?;
        let description = text("description", &req.description, true, MAX_TEXT)?;
        let order_number = text("order_number", &req.order_number, false, MAX_CODE_TEXT)?;
        let serial = text("serial", &req.serial, false, MAX_CODE_TEXT)?;
        if req.quantity == 0 || req.quantity > MAX_QUANTITY {
            return Err(RmaError::Quantity.into());
        }
        catalogue_rules::price("amount", req.amount_fen)?;
        catalogue_rules::price("paid", req.paid_fen)?;
        if matches!(req.kind, RmaKind::Return | RmaKind::Refund) && req.amount_fen > req.paid_fen {
            return Err(RmaError::RefundAbovePaid {
                paid_fen: req.paid_fen,
            }
            .into());
        }
        dates::check("delivered_on", req.delivered_on)?;
        let requested_on = match req.requested_on {
            Some(d) => dates::check("requested_on", d)?,
            None => crate::workbench::local_date(self.now()),
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        kefu_store::customer::by_id(&mut tx, req.customer_id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => AppError::UnknownArchiveCustomer,
                e => e.into(),
            })?;
        let product = match catalogue_store::product_by_id(&mut tx, req.product_id).await {
            Ok(p) => p,
            Err(StoreError::NotFound) => {
                return Err(CatalogueError::UnknownSku(req.product_id.to_string()).into());
            }
            Err(e) => return Err(e.into()),
        };
        if product.product.serial_tracked && serial.is_empty() {
            return Err(RmaError::SerialRequired.into());
        }
        if let Some(ticket_id) = req.ticket_id {
            let t = kefu_store::ticket::by_id(&mut tx, ticket_id).await?;
            if t.customer_id.is_some_and(|c| c != req.customer_id) {
                return Err(RmaError::OtherCustomer.into());
            }
        }
        let complaint = match req.complaint_rma_id {
            Some(crma) => Some(self.complaint_rma_to_take(&mut tx, crma, req).await?),
            None => None,
        };
        let version = in_force(&mut tx, product.product.category_id, requested_on, now).await?;
        let decision = policy_rules::check(
            &version.policy,
            &Claim {
                kind: req.kind,
                fault: req.fault,
                delivered_on: req.delivered_on,
                requested_on,
                failed_repairs: 0,
                product_warranty_months: product.product.warranty_months,
                amount_fen: req.amount_fen,
            },
        )?;
        let state = rules::first_state(req.kind, decision.approver);
        let mut row = RmaRow {
            id: 0,
            number: self.rma_number(&mut tx).await?,
            kind: req.kind,
            state,
            source: req.source,
            customer_id: req.customer_id,
            ticket_id: req.ticket_id,
            complaint_id: complaint.as_ref().map(|c| c.id),
            complaint_rma_id: req.complaint_rma_id,
            product_id: req.product_id,
            order_number,
            serial: serial.to_ascii_uppercase(),
            quantity: i64::from(req.quantity),
            fault: req.fault,
            description,
            delivered_on: req.delivered_on,
            requested_on,
            amount_fen: req.amount_fen,
            paid_fen: req.paid_fen,
            currency: "CNY".to_owned(),
            policy_id: version.id,
            clause: decision.clause,
            verdict: decision.verdict,
            approver: decision.approver,
            reason: decision.reason,
            paid_repair: decision.paid_repair,
            inspection: None,
            quote_fen: None,
            refund_fen: None,
            replacement_serial: None,
            approved_by: None,
            service_point_id: None,
            received_at: None,
            due_at: self.rma_due(&mut tx, state, now).await?,
            version: 1,
            created_by: actor.user_id(),
            created_at: now,
            updated_at: now,
            closed_at: None,
        };
        super::service_point::route_repair(&mut tx, &mut row).await?;
        row.id = store::insert(&mut tx, &row).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::from(RmaError::AlreadyTaken(String::new())),
            e => e.into(),
        })?;
        let step = |action: &str, from, to| RmaStep {
            action: action.to_owned(),
            from_state: from,
            to_state: to,
            note: String::new(),
            by: actor.user_id(),
            by_name: None,
            at: now,
        };
        store::add_step(
            &mut tx,
            row.id,
            &step("request", None, RmaState::PendingApproval),
        )
        .await?;
        if state != RmaState::PendingApproval {
            store::add_step(
                &mut tx,
                row.id,
                &step("auto_approve", Some(RmaState::PendingApproval), state),
            )
            .await?;
        }
        super::rma_photo::store_photos(&mut tx, actor, row.id, &photos, now).await?;
        if let Some(c) = complaint {
            self.follow_complaint_rma(&mut tx, actor, &c, &row, now)
                .await?;
        }
        if state == RmaState::PendingApproval {
            let role = match row.approver {
                Approver::Manager => Role::CsManager,
                Approver::Specialist | Approver::Auto => Role::AftersalesSpecialist,
            };
            let to = notify::with_role(&mut tx, role).await?;
            let customer = kefu_store::customer::by_id(&mut tx, row.customer_id)
                .await?
                .name;
            notify::notify(
                &mut tx,
                &to,
                kind::RMA_APPROVAL,
                row.ticket_id,
                &json!({
                    "rma": row.id,
                    "number": row.number,
                    "customer": customer,
                    "amount": kefu_domain::money::yuan(row.amount_fen),
                }),
                now,
            )
            .await?;
        }
        if req.source == RmaSource::Portal && state != RmaState::PendingApproval {
            let customer = kefu_store::customer::by_id(&mut tx, row.customer_id)
                .await?
                .name;
            super::rma_photo::tell_of_portal_request(
                &mut tx,
                row.id,
                &row.number,
                &customer,
                row.ticket_id,
                photos.len(),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok((row.id, state))
    }

    /// The complaint whose RMA `crma` a request carries out, once it is checked: the RMA
    /// exists, is not handled yet, is for the request's customer and kind.
    async fn complaint_rma_to_take(
        &self,
        conn: &mut AnyConnection,
        crma: i64,
        req: &RmaRequest,
    ) -> Result<kefu_store::complaint::Complaint> {
        let complaint_id = kefu_store::complaint::rma_complaint(conn, crma)
            .await?
            .ok_or(AppError::NotFound)?;
        if let Some((_, number)) = store::by_complaint_rma(conn, crma).await? {
            return Err(RmaError::AlreadyTaken(number).into());
        }
        let c = kefu_store::complaint::by_id(conn, complaint_id).await?;
        if c.customer_id.is_some_and(|id| id != req.customer_id) {
            return Err(RmaError::OtherCustomer.into());
        }
        let r = kefu_store::complaint::rmas(conn, complaint_id)
            .await?
            .into_iter()
            .find(|r| r.id == crma)
            .ok_or(AppError::NotFound)?;
        if r.status.is_final() || rules::kind_of_remedy(r.remedy) != Some(req.kind) {
            return Err(RmaError::NotNow {
                action: "request",
                state: r.status.key(),
            }
            .into());
        }
        Ok(c)
    }

    /// Moves the complaint's RMA to the step the after-sales state stands for, logging it on
    /// the complaint as the complaint's own moves are.
    async fn follow_complaint_rma(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &kefu_store::complaint::Complaint,
        r: &RmaRow,
        now: Timestamp,
    ) -> Result<()> {
        let Some(crma) = r.complaint_rma_id else {
            return Ok(());
        };
        let mut cr = kefu_store::complaint::rmas(conn, c.id)
            .await?
            .into_iter()
            .find(|x| x.id == crma)
            .ok_or(AppError::NotFound)?;
        let status = rules::complaint_status(r.state);
        if cr.status == status {
            return Ok(());
        }
        cr.status = status;
        cr.updated_at = now;
        cr.updated_by = actor.user_id();
        kefu_store::complaint::save_rma(conn, &cr).await?;
        self.note_rma_step(
            conn,
            actor,
            c,
            crma,
            &format!("rma_{}", status.key()),
            Some(r.number.clone()),
            now,
        )
        .await?;
        kefu_store::complaint::bump_version(conn, c.id).await?;
        Ok(())
    }

    /// Makes a move on RMA `id`, made from `expected` (its version) when given; the state it
    /// is in after.
    pub async fn move_rma(
        &self,
        actor: &Actor,
        id: i64,
        expected: Option<i64>,
        input: &MoveInput,
    ) -> Result<RmaState> {
        actor.require(Permission::RmaRequest)?;
        let needs_reason = matches!(
            input.step,
            RmaMove::Reject | RmaMove::Cancel | RmaMove::DeclineQuote
        );
        let note = text("note", &input.note, needs_reason, MAX_TEXT)?;
        let replacement = text(
            "replacement_serial",
            &input.replacement_serial,
            false,
            MAX_CODE_TEXT,
        )?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let mut r = store::by_id(&mut tx, id).await?.rma;
        if let Some(v) = expected
            && v != r.version
        {
            return Err(AppError::StaleVersion {
                current: r.version,
                changed: Vec::new(),
            });
        }
        actor.require(needed(&r, &input.step))?;
        let moved = rules::apply(&facts(&r), &input.step)?;
        let from = r.state;
        match &input.step {
            RmaMove::Approve => r.approved_by = actor.user_id(),
            RmaMove::Inspect { result, quote_fen } => {
                r.inspection = Some(*result);
                if moved.state == RmaState::Quoted {
                    r.quote_fen = *quote_fen;
                }
            }
            RmaMove::Refund { amount_fen } => r.refund_fen = Some(*amount_fen),
            RmaMove::Receive => r.received_at = Some(now),
            RmaMove::Replace => {
                r.replacement_serial =
                    Some(replacement.to_ascii_uppercase()).filter(|s| !s.is_empty());
            }
            _ => {}
        }
        r.state = moved.state;
        r.paid_repair = moved.paid_repair;
        r.updated_at = now;
        super::service_point::route_repair(&mut tx, &mut r).await?;
        r.due_at = self.rma_due(&mut tx, moved.state, now).await?;
        if moved.state.is_final() {
            r.closed_at = Some(now);
        }
        if !store::save_move(&mut tx, &r).await? {
            let current = store::by_id(&mut tx, id).await?.rma.version;
            return Err(AppError::StaleVersion {
                current,
                changed: Vec::new(),
            });
        }
        // 售后回访 — a closed RMA's customer is called back a few business days on.
        if moved.state == RmaState::Closed {
            self.plan_after_sales_visit(&mut tx, r.customer_id, r.id, now)
                .await?;
        }
        if let RmaMove::Refund { amount_fen } = input.step {
            crate::receivable::credit_refund(
                &mut tx,
                &r.number,
                r.customer_id,
                &r.order_number,
                amount_fen,
                actor.user_id(),
                now,
            )
            .await?;
        }
        store::add_step(
            &mut tx,
            id,
            &RmaStep {
                action: input.step.key().to_owned(),
                from_state: Some(from),
                to_state: moved.state,
                note: note.clone(),
                by: actor.user_id(),
                by_name: None,
                at: now,
            },
        )
        .await?;
        if let Some(cid) = r.complaint_id {
            let c = kefu_store::complaint::by_id(&mut tx, cid).await?;
            self.follow_complaint_rma(&mut tx, actor, &c, &r, now)
                .await?;
        }
        let decided = match input.step {
            RmaMove::Approve => Some(kind::RMA_APPROVED),
            RmaMove::Reject => Some(kind::RMA_REJECTED),
            _ => None,
        };
        if let (Some(what), Some(by)) = (decided, r.created_by)
            && actor.user_id() != Some(by)
        {
            notify::notify(
                &mut tx,
                &[by],
                what,
                r.ticket_id,
                &json!({"rma": r.id, "number": r.number, "reason": note}),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(moved.state)
    }

    /// One RMA with its log, the clause it was decided under and the moves open to the
    /// reader.
    pub async fn rma(&self, actor: &Actor, id: i64) -> Result<RmaDetail> {
        actor.require(Permission::RmaRequest)?;
        let mut conn = self.store.conn().await?;
        let line = store::by_id(&mut conn, id).await?;
        let steps = store::steps(&mut conn, id).await?;
        let photos = kefu_store::aftersales::rma_photo::photos(&mut conn, id).await?;
        let version = kefu_store::aftersales::policy::by_id(&mut conn, line.rma.policy_id).await?;
        let policy: policy_rules::Policy = serde_json::from_str(&version.body)
            .map_err(|e| AppError::Internal(format!("a stored policy does not read: {e}")))?;
        let f = facts(&line.rma);
        let moves = all_moves()
            .into_iter()
            .filter(|m| {
                actor.require(needed(&line.rma, m)).is_ok()
                    && match m {
                        // Offered when it applies to the state and kind at all.
                        RmaMove::Inspect { .. } => f.state == RmaState::Received,
                        _ => {
                            rules::apply(&f, m).is_ok()
                                || matches!(
                                    rules::apply(&f, m),
                                    Err(RmaError::RefundAbovePaid { .. })
                                )
                        }
                    }
            })
            .map(|m| m.key())
            .collect();
        Ok(RmaDetail {
            policy_number: version.number,
            policy_category_id: (version.scope != 0).then_some(version.scope),
            clause_number: policy_rules::clause_number(line.rma.clause),
            clause_text: policy.clause(line.rma.clause).to_owned(),
            rma: line,
            steps,
            moves,
            photos,
        })
    }

    /// RMAs newest first (at most [`MAX_LIST`] a page).
    pub async fn rmas(&self, actor: &Actor, filter: &RmaFilter) -> Result<Vec<RmaLine>> {
        actor.require(Permission::RmaRequest)?;
        let filter = RmaFilter {
            limit: filter.limit.clamp(1, MAX_LIST),
            ..filter.clone()
        };
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, &filter).await?)
    }

    /// What complaint RMA `crma` tells the request that carries it out.
    pub async fn complaint_rma_prefill(
        &self,
        actor: &Actor,
        crma: i64,
    ) -> Result<ComplaintRmaPrefill> {
        actor.require(Permission::RmaRequest)?;
        actor.require(Permission::ComplaintView)?;
        let mut conn = self.store.conn().await?;
        let complaint_id = kefu_store::complaint::rma_complaint(&mut conn, crma)
            .await?
            .ok_or(AppError::NotFound)?;
        let c = kefu_store::complaint::by_id(&mut conn, complaint_id).await?;
        let r = kefu_store::complaint::rmas(&mut conn, complaint_id)
            .await?
            .into_iter()
            .find(|r| r.id == crma)
            .ok_or(AppError::NotFound)?;
        Ok(ComplaintRmaPrefill {
            customer_id: c.customer_id,
            kind: rules::kind_of_remedy(r.remedy),
            amount_fen: r.amount_fen,
            order_number: c.order_number.unwrap_or_default(),
            part_number: c.part_number.unwrap_or_default(),
            content: c.content,
            delivery_date: c.delivery_date.unwrap_or_default(),
        })
    }

    /// The RMA handling a complaint's RMA: (id, number), if one does.
    pub async fn rma_of_complaint_rma(
        &self,
        actor: &Actor,
        complaint_rma_id: i64,
    ) -> Result<Option<(i64, String)>> {
        actor.require(Permission::ComplaintView)?;
        let mut conn = self.store.conn().await?;
        Ok(store::by_complaint_rma(&mut conn, complaint_rma_id).await?)
    }
}

/// The RMAs registered on ticket `ticket_id`, as the portal shows their progress (the
/// caller has checked the customer sees the ticket).
pub(crate) async fn portal_rmas_of_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
) -> Result<Vec<PortalRma>> {
    let lines = store::list(
        &mut *conn,
        &RmaFilter {
            ticket_id: Some(ticket_id),
            limit: 20,
            ..RmaFilter::default()
        },
    )
    .await?;
    let ids: Vec<i64> = lines.iter().map(|l| l.rma.id).collect();
    let mut all_steps = store::steps_of(&mut *conn, &ids).await?;
    let photo_counts = kefu_store::aftersales::rma_photo::counts(&mut *conn, &ids).await?;
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let steps = all_steps
            .extract_if(.., |(id, _)| *id == l.rma.id)
            .map(|(_, s)| (s.action, s.to_state, s.at))
            .collect();
        let photos = photo_counts
            .iter()
            .find(|(id, _)| *id == l.rma.id)
            .map_or(0, |(_, n)| *n);
        out.push(PortalRma {
            photos,
            number: l.rma.number,
            kind: l.rma.kind,
            state: l.rma.state,
            sku: l.sku,
            product: l.product,
            quote_fen: l.rma.quote_fen,
            refund_fen: l.rma.refund_fen,
            steps,
        });
    }
    Ok(out)
}
