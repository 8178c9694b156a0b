//! 投诉处理闭环 — complaints from intake to evaluation (seed 002 §四, 000 §(八)).
//!
//! A complaint is a ticket of type complaint with a record of its own. Every step goes
//! through [`App::step`], which asks the domain's state machine, logs who/when/what with the
//! comment, restarts the stage clock on the business calendar, and notes the change on the
//! ticket, all in the step's transaction. The steps themselves live in [`steps`]; the
//! deadline check in [`deadlines`].
//!
//! 版本 — every step is a move in a closed loop, so each takes the version its caller saw
//! (`expected`: a page form's hidden `version`, an API call's `If-Match`; `None` when the
//! caller did not say) and is refused as stale when the complaint moved on since — two
//! people acting on the same old page cannot both move it. Every step moves the version on
//! (saving the complaint, or [`store::bump_version`] for a step that only adds to its log).

mod approvals;
mod deadlines;
mod report;
mod settings;
mod steps;
mod tiles;

pub use approvals::WAITING_SHOWN;
pub(crate) use tiles::TILES;

/// The board shows at most this many complaints.
pub const BOARD_SHOWN: i64 = 1000;
pub use report::{Report, ReportQuery, ReportRow, SeriesPoint, StageDuration};
pub use settings::DeadlineSetting;
pub use steps::{Evaluation, Investigation, Judgement, NewPenalty, NewProposal};

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::complaint::{self as rules, Action, Category, ComplaintError, Severity, Stage};
use kefu_domain::complaint_cost::{self as cost_rules, Cost, ProposalAmount, RmaAmount};
use kefu_domain::customer as customer_rules;
use kefu_domain::dates;
use kefu_domain::ticket::{Channel, Priority, TicketType};
use kefu_store::complaint::{
    self as store, BoardFilter, Complaint, Evidence, FollowUp, Notice, Penalty, Proposal, Rma, Step,
};
use kefu_store::{AnyConnection, StoreError, changelog};

use crate::idempotency::{self, Created, IdempotencyKey, Resource};
use crate::ticket::{Intake, TicketChanges};
use crate::{Actor, ActorKind, App, AppError, Result};

/// What intake records (受理): who complained, when, how, what, about which goods.
#[derive(Debug, Clone)]
pub struct ComplaintForm {
    pub customer_id: Option<i64>,
    pub complainant: String,
    pub complainant_phone: Option<String>,
    pub channel: Channel,
    pub content: String,
    /// When the customer complained; now when not given.
    pub received_at: Option<Timestamp>,
    pub order_number: String,
    /// 料号
    pub part_number: String,
    pub quantity: Option<i64>,
    /// 交运日期
    pub delivery_date: Option<Date>,
    pub product: String,
    pub category: Category,
    pub severity: Severity,
}

/// Everything the complaint page shows.
#[derive(Debug, Clone)]
pub struct ComplaintDetail {
    pub complaint: Complaint,
    pub steps: Vec<Step>,
    pub notices: Vec<Notice>,
    pub proposals: Vec<Proposal>,
    pub rmas: Vec<Rma>,
    pub penalties: Vec<Penalty>,
    pub follow_ups: Vec<FollowUp>,
    /// The visit (回访任务) that makes the latest follow-up call, when the complaint has a
    /// customer.
    pub follow_up_visit_id: Option<i64>,
    /// 调查证据 — the files backing the investigation (attachments of the complaint's ticket).
    pub evidence: Vec<Evidence>,
    /// 短 — how many times it changed hands.
    pub hand_offs: usize,
    /// 快 — business minutes from intake to now (or to closing).
    pub elapsed_minutes: i64,
    /// 平 — what it cost: carried out and committed, by the one rule of
    /// [`kefu_domain::complaint_cost`] the statistics report sums too.
    pub cost: Cost,
}

/// The name a step records for the actor.
pub(crate) fn actor_name(actor: &Actor) -> String {
    match &actor.kind {
        ActorKind::User(u) => u.display_name.clone(),
        ActorKind::System => crate::SYSTEM_ACTOR_NAME.to_owned(),
        _ => actor.name().to_owned(),
    }
}

fn opt(field: &'static str, v: &str, max: usize) -> Result<Option<String>> {
    let v = rules::text(field, v, false, max)?;
    Ok((!v.is_empty()).then_some(v))
}

/// Takes complaint `id` at version `expected` for the rest of the step's transaction — the
/// check and the row lock are one statement, made before the step reads or writes anything,
/// so no other writer comes in between. `None` (internal callers, an API call without
/// `If-Match`) takes the complaint as it is. A complaint that moved on since is refused as
/// [`AppError::StaleVersion`] with its current version; nothing is written. Its log records
/// no versions, so the refusal names no fields: the page shows the current stage instead.
pub(crate) async fn expect_version(
    conn: &mut AnyConnection,
    id: i64,
    expected: Option<i64>,
) -> Result<()> {
    let Some(v) = expected else {
        return Ok(());
    };
    if store::lock_at_version(conn, id, v).await? {
        return Ok(());
    }
    let current = store::by_id(conn, id).await?.version;
    Err(AppError::StaleVersion {
        current,
        changed: Vec::new(),
    })
}

/// A complaint's severity decides its ticket's priority, so the queues agree.
pub(crate) fn priority_of(s: Severity) -> Priority {
    match s {
        Severity::Minor => Priority::Low,
        Severity::Major => Priority::Normal,
        Severity::Serious => Priority::High,
        Severity::Critical => Priority::Urgent,
    }
}

impl App {
    /// Opens a complaint: from ticket `ticket_id` (which becomes a complaint ticket), or
    /// directly (a complaint ticket is opened for it). Returns the complaint id.
    pub async fn open_complaint(
        &self,
        actor: &Actor,
        ticket_id: Option<i64>,
        form: &ComplaintForm,
    ) -> Result<i64> {
        Ok(self
            .open_complaint_with_key(actor, ticket_id, form, None)
            .await?
            .id)
    }

    /// [`open_complaint`](Self::open_complaint) for an API call with an `Idempotency-Key`:
    /// a retry gets the first request's complaint (`replayed`); the same key with another
    /// request is refused. The key names the complaint's ticket, claimed with the ticket
    /// when the complaint opens one: a retry whose first request opened the ticket but has
    /// not written the complaint (still on its way, or failed in between) carries on with
    /// that ticket, and of the two whichever writes the complaint first answers 201 and
    /// the other gives its answer again — one complaint per ticket.
    pub async fn open_complaint_with_key(
        &self,
        actor: &Actor,
        ticket_id: Option<i64>,
        form: &ComplaintForm,
        key: Option<&IdempotencyKey>,
    ) -> Result<Created> {
        actor.require(Permission::ComplaintOpen)?;
        let mut ticket_id = ticket_id;
        let mut key_claimed = false;
        if let Some(k) = key
            && let Some(t) = self.replay_of(k, Resource::Complaint).await?
        {
            if let Some(id) = self.complaint_id_of_ticket(t).await? {
                return Ok(Created { id, replayed: true });
            }
            ticket_id = Some(t);
            key_claimed = true;
        }
        let err = match self
            .write_complaint(actor, ticket_id, form, key, key_claimed)
            .await
        {
            Ok(id) => {
                return Ok(Created {
                    id,
                    replayed: false,
                });
            }
            Err(e) => e,
        };
        // Another request with the key wrote the complaint first: its answer.
        let collided = matches!(
            err,
            AppError::AlreadyComplaint { .. } | AppError::Store(StoreError::Conflict(_))
        );
        if let Some(k) = key.filter(|_| collided)
            && let Some(t) = self.replay_of(k, Resource::Complaint).await?
            && let Some(id) = self.complaint_id_of_ticket(t).await?
        {
            return Ok(Created { id, replayed: true });
        }
        Err(err)
    }

    async fn complaint_id_of_ticket(&self, ticket_id: i64) -> Result<Option<i64>> {
        let mut conn = self.store.conn().await?;
        Ok(store::by_ticket(&mut conn, ticket_id).await?.map(|c| c.id))
    }

    /// The complaint written; `key` is claimed with the ticket it opens, or else with the
    /// complaint, unless `key_claimed` (an earlier request claimed it with the ticket).
    async fn write_complaint(
        &self,
        actor: &Actor,
        ticket_id: Option<i64>,
        form: &ComplaintForm,
        key: Option<&IdempotencyKey>,
        key_claimed: bool,
    ) -> Result<i64> {
        let mut to_claim = key.filter(|_| !key_claimed);
        let complainant = rules::text("complainant", &form.complainant, true, 100)?;
        let content = rules::text("content", &form.content, true, 10_000)?;
        let sent = form
            .complainant_phone
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let phone = match (ticket_id, sent) {
            // Opened from a ticket, the form shows the ticket's phone masked; sent back
            // unchanged, the ticket's own number is kept.
            (Some(t), Some(sent)) if sent.contains('*') => {
                let mut conn = self.store.conn().await?;
                let stored = kefu_store::ticket::by_id(&mut conn, t).await?.contact_phone;
                if customer_rules::is_mask_of(sent, stored.as_deref(), customer_rules::mask_phone) {
                    stored
                } else {
                    Some(customer_rules::clean_contact_phone(sent)?)
                }
            }
            (_, sent) => sent.map(customer_rules::clean_contact_phone).transpose()?,
        };
        let order_number = opt("order_number", &form.order_number, 64)?;
        let part_number = opt("part_number", &form.part_number, 64)?;
        let product = opt("product", &form.product, 200)?;
        if form.quantity.is_some_and(|q| q <= 0) {
            return Err(ComplaintError::BadQuantity.into());
        }
        if let Some(d) = form.delivery_date {
            dates::check("delivery_date", d)?;
        }
        let now = self.now();
        let received_at = form.received_at.unwrap_or(now).min(now);
        dates::check_instant("received_at", received_at)?;
        if let Some(c) = form.customer_id {
            let mut conn = self.store.conn().await?;
            kefu_store::customer::by_id(&mut conn, c)
                .await
                .map_err(|_| AppError::UnknownCustomer)?;
        }
        let ticket_id = match ticket_id {
            Some(t) => t,
            None => {
                let subject: String = content.chars().take(60).collect();
                let intake = Intake {
                    ticket_type: TicketType::Complaint,
                    priority: priority_of(form.severity),
                    contact_name: Some(complainant.clone()),
                    contact_phone: phone.clone(),
                    ..Intake::new(form.channel, &subject, &content)
                };
                // The key goes with the ticket: a retry finds the ticket (made by this
                // request or, racing, by the key's holder) and carries on with it.
                let claim = to_claim.take().map(|k| (k.clone(), Resource::Complaint));
                self.intake_claiming(actor, &intake, &[], claim)
                    .await?
                    .ticket
                    .id
            }
        };
        let mut tx = self.store.begin().await?;
        if let Some(existing) = store::by_ticket(&mut tx, ticket_id).await? {
            return Err(AppError::AlreadyComplaint { id: existing.id });
        }
        if let Some(k) = to_claim {
            idempotency::claim(&mut tx, k, Resource::Complaint, ticket_id, now).await?;
        }
        let ticket = kefu_store::ticket::by_id(&mut tx, ticket_id).await?;
        let customer_id = form.customer_id.or(ticket.customer_id);
        // The customer complained: contact when they did (最近联系 never moves back). The
        // customer is written before the ticket, as linking a ticket does.
        if let Some(customer) = customer_id {
            kefu_store::customer::touch_contact(&mut tx, customer, received_at).await?;
        }
        if ticket.ticket_type != TicketType::Complaint {
            let changes = TicketChanges {
                ticket_type: Some(TicketType::Complaint),
                priority: Some(priority_of(form.severity)),
                ..TicketChanges::default()
            };
            self.apply_changes(&mut tx, actor, ticket_id, &changes, None)
                .await?;
        }
        let due = self
            .stage_deadline(&mut tx, Stage::Intake, form.severity, now)
            .await?;
        let mut c = Complaint {
            id: 0,
            ticket_id,
            ticket_number: ticket.number.clone(),
            ticket_subject: ticket.subject.clone(),
            ticket_assignee_id: ticket.assignee_id,
            customer_id,
            customer_name: None,
            stage: Stage::Intake,
            severity: form.severity,
            category: form.category,
            complainant,
            complainant_phone: phone,
            channel: form.channel.key().to_owned(),
            content,
            received_at,
            order_number,
            part_number,
            quantity: form.quantity,
            delivery_date: form.delivery_date.map(|d| d.to_string()),
            product,
            valid: None,
            invalid_reason: None,
            department_id: None,
            department_name: None,
            promised_answer_at: None,
            cause: None,
            responsible_department_id: None,
            responsible_user_id: None,
            findings: None,
            approved_cost_fen: 0,
            summary: None,
            lessons: None,
            measure: None,
            measure_owner_id: None,
            measure_owner_name: None,
            measure_due: None,
            follow_up_agent_id: None,
            follow_up_agent_name: None,
            stage_entered_at: now,
            stage_due_at: due,
            stage_warned: false,
            stage_escalated: false,
            // An agent registers and a complaint specialist handles: the handler is set
            // when a specialist accepts it, unless the one registering handles complaints.
            handler_id: actor
                .user_id()
                .filter(|_| actor.require(Permission::ComplaintHandle).is_ok()),
            handler_name: None,
            opened_by: actor.user_id(),
            created_at: now,
            updated_at: now,
            closed_at: None,
            version: 1,
        };
        c.id = store::insert(&mut tx, &c).await?;
        store::add_step(
            &mut tx,
            &Step {
                id: 0,
                complaint_id: c.id,
                at: now,
                actor_user_id: actor.user_id(),
                actor_name: actor_name(actor),
                action: "open".into(),
                from_stage: Stage::Intake,
                to_stage: Stage::Intake,
                comment: None,
                stage_minutes: None,
                received_at: c.received_at,
                rma_id: None,
            },
        )
        .await?;
        crate::ticket::event(
            &mut tx,
            ticket_id,
            actor,
            now,
            "complaint_stage",
            None,
            Some(Stage::Intake.key().to_owned()),
        )
        .await?;
        changelog::record(
            &mut tx,
            "complaint",
            c.id,
            changelog::Operation::Create,
            actor.user_id(),
            now,
        )
        .await?;
        if c.handler_id.is_none() {
            let to = steps::handlers(&mut tx, &c).await?;
            crate::notify::notify(
                &mut tx,
                &to,
                crate::notify::kind::COMPLAINT_NEW,
                Some(ticket_id),
                &serde_json::json!({"number": c.ticket_number, "complaint": c.id,
                                    "stage": c.stage.key()}),
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(c.id)
    }

    /// The complaint with its log, notices, proposals, RMAs, penalties and follow-up.
    /// Staff of a department that was sent a notice see the complaint too.
    pub async fn complaint_detail(&self, actor: &Actor, id: i64) -> Result<ComplaintDetail> {
        actor.require(Permission::ComplaintRespond)?;
        let mut conn = self.store.conn().await?;
        let complaint = crate::confidential::mask_complaint(store::by_id(&mut conn, id).await?);
        let notices = store::notices(&mut conn, id).await?;
        if actor.require(Permission::ComplaintView).is_err() {
            let mine = self.department_of(&mut conn, actor).await?;
            if !notices.iter().any(|n| Some(n.department_id) == mine) {
                return Err(AppError::Forbidden);
            }
        }
        let steps = store::steps(&mut conn, id).await?;
        let proposals = store::proposals(&mut conn, id).await?;
        let rmas = store::rmas(&mut conn, id).await?;
        let penalties = store::penalties(&mut conn, id).await?;
        let follow_ups = store::follow_ups(&mut conn, id).await?;
        let follow_up_visit_id = kefu_store::follow_up::complaint_visit(&mut conn, id)
            .await?
            .map(|v| v.id);
        let evidence = store::evidence(&mut conn, id).await?;
        let actors: Vec<Option<i64>> = steps.iter().map(|s| s.actor_user_id).collect();
        let until = complaint.closed_at.unwrap_or(self.now());
        let elapsed_minutes = match self.default_calendar(&mut conn).await? {
            Some(cal) => cal.minutes_between(complaint.received_at, until),
            None => (until - complaint.received_at).get_minutes(),
        };
        let cost = cost_rules::cost(
            complaint.stage,
            &rmas
                .iter()
                .map(|r| RmaAmount {
                    proposal_id: r.proposal_id,
                    status: r.status,
                    amount_fen: r.amount_fen,
                })
                .collect::<Vec<_>>(),
            &penalties.iter().map(|p| p.amount_fen).collect::<Vec<_>>(),
            &proposals
                .iter()
                .map(|p| ProposalAmount {
                    id: p.id,
                    status: p.status,
                    cost_fen: p.cost_fen,
                })
                .collect::<Vec<_>>(),
        );
        Ok(ComplaintDetail {
            hand_offs: rules::hand_offs(&actors),
            elapsed_minutes,
            cost,
            complaint,
            steps,
            notices,
            proposals,
            rmas,
            penalties,
            follow_ups,
            follow_up_visit_id,
            evidence,
        })
    }

    /// The complaint opened from ticket `ticket_id`, if any.
    pub async fn complaint_of_ticket(
        &self,
        actor: &Actor,
        ticket_id: i64,
    ) -> Result<Option<Complaint>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::by_ticket(&mut conn, ticket_id)
            .await?
            .map(crate::confidential::mask_complaint))
    }

    /// The board 投诉看板: open complaints (or one stage's), the closest deadline first.
    /// Staff outside customer service see those sent to their department.
    pub async fn complaints(&self, actor: &Actor, f: &BoardFilter) -> Result<Vec<Complaint>> {
        actor.require(Permission::ComplaintRespond)?;
        let mut conn = self.store.conn().await?;
        let Some(mut f) = self.board_scope(&mut conn, actor, f).await? else {
            return Ok(Vec::new());
        };
        f.limit = f.limit.clamp(1, BOARD_SHOWN);
        Ok(store::list(&mut conn, &f)
            .await?
            .into_iter()
            .map(crate::confidential::mask_complaint)
            .collect())
    }

    /// How many complaints [`App::complaints`] lists for `f` (at most [`BOARD_SHOWN`]): the
    /// count of a workbench tile that opens the board so filtered.
    pub async fn count_complaints(&self, actor: &Actor, f: &BoardFilter) -> Result<i64> {
        actor.require(Permission::ComplaintRespond)?;
        let mut conn = self.store.conn().await?;
        let Some(f) = self.board_scope(&mut conn, actor, f).await? else {
            return Ok(0);
        };
        Ok(store::board_count(&mut conn, &f, BOARD_SHOWN).await?)
    }

    /// The board filter as `actor` may read it: staff outside customer service see the
    /// complaints sent to their department (`None`: they belong to none, and see none).
    async fn board_scope(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        f: &BoardFilter,
    ) -> Result<Option<BoardFilter>> {
        let mut f = f.clone();
        if actor.require(Permission::ComplaintView).is_err() {
            match self.department_of(conn, actor).await? {
                Some(d) => f.department_id = Some(d),
                None => return Ok(None),
            }
        }
        Ok(Some(f))
    }

    /// The complaint a notice belongs to.
    pub async fn complaint_of_notice(&self, actor: &Actor, notice_id: i64) -> Result<i64> {
        actor.require(Permission::ComplaintRespond)?;
        let mut conn = self.store.conn().await?;
        store::notice_complaint(&mut conn, notice_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The complaint a proposal belongs to.
    pub async fn complaint_of_proposal(&self, actor: &Actor, proposal_id: i64) -> Result<i64> {
        actor.require(Permission::ComplaintRespond)?;
        let mut conn = self.store.conn().await?;
        store::proposal_complaint(&mut conn, proposal_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The complaint an RMA belongs to.
    pub async fn complaint_of_rma(&self, actor: &Actor, rma_id: i64) -> Result<i64> {
        actor.require(Permission::ComplaintRespond)?;
        let mut conn = self.store.conn().await?;
        store::rma_complaint(&mut conn, rma_id)
            .await?
            .ok_or(AppError::NotFound)
    }

    /// The signed-in user's department.
    pub(crate) async fn department_of(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
    ) -> Result<Option<i64>> {
        match actor.user_id() {
            Some(u) => Ok(kefu_store::staff::user_by_id(conn, u).await?.department_id),
            None => Ok(None),
        }
    }

    /// When a stage begun at `from` is due, on the default business calendar.
    pub(crate) async fn stage_deadline(
        &self,
        conn: &mut AnyConnection,
        stage: Stage,
        severity: Severity,
        from: Timestamp,
    ) -> Result<Option<Timestamp>> {
        let configured = store::deadlines(conn)
            .await?
            .into_iter()
            .find(|(s, st, _)| s == severity.key() && st == stage.key())
            .map(|(_, _, m)| m);
        let Some(minutes) = configured.or(rules::default_deadline_minutes(stage, severity)) else {
            return Ok(None);
        };
        Ok(Some(match self.default_calendar(conn).await? {
            Some(cal) => cal.add_minutes(from, minutes)?,
            None => from + jiff::SignedDuration::from_mins(minutes),
        }))
    }

    pub(crate) async fn default_calendar(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<Option<kefu_domain::calendar::BusinessCalendar>> {
        let (mut calendars, default) = crate::calendar::load_all(conn).await?;
        Ok(default.and_then(|d| calendars.remove(&d)))
    }

    /// Moves complaint `c` by `action` (refused when the state machine says no), logging the
    /// step with its comment and restarting the stage clock.
    pub(crate) async fn step(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &mut Complaint,
        action: Action,
        comment: Option<String>,
        now: Timestamp,
    ) -> Result<()> {
        let to = rules::transition(c.stage, action)?;
        let stage_minutes = match self.default_calendar(conn).await? {
            Some(cal) => cal.minutes_between(c.stage_entered_at, now),
            None => (now - c.stage_entered_at).get_minutes(),
        };
        store::add_step(
            conn,
            &Step {
                id: 0,
                complaint_id: c.id,
                at: now,
                actor_user_id: actor.user_id(),
                actor_name: actor_name(actor),
                action: action.key().to_owned(),
                from_stage: c.stage,
                to_stage: to,
                comment,
                stage_minutes: Some(stage_minutes),
                received_at: c.received_at,
                rma_id: None,
            },
        )
        .await?;
        crate::ticket::event(
            conn,
            c.ticket_id,
            actor,
            now,
            "complaint_stage",
            Some(c.stage.key().to_owned()),
            Some(to.key().to_owned()),
        )
        .await?;
        c.stage = to;
        c.stage_entered_at = now;
        c.stage_due_at = self.stage_deadline(conn, to, c.severity, now).await?;
        c.stage_warned = false;
        c.stage_escalated = false;
        if !to.is_open() {
            c.closed_at = Some(now);
        } else {
            c.closed_at = None;
        }
        Ok(())
    }

    /// Logs a step that does not change the stage (a notice sent, a proposal made…).
    pub(crate) async fn note_step(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Complaint,
        action: &str,
        comment: Option<String>,
        now: Timestamp,
    ) -> Result<()> {
        self.log_note(conn, actor, c, action, comment, None, now)
            .await
    }

    /// Logs a step on RMA `rma_id` (`rma_approved`…), naming it, so the log can say which
    /// record moved ("退款单 #12 已退款").
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn note_rma_step(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Complaint,
        rma_id: i64,
        action: &str,
        comment: Option<String>,
        now: Timestamp,
    ) -> Result<()> {
        self.log_note(conn, actor, c, action, comment, Some(rma_id), now)
            .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn log_note(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &Complaint,
        action: &str,
        comment: Option<String>,
        rma_id: Option<i64>,
        now: Timestamp,
    ) -> Result<()> {
        store::add_step(
            conn,
            &Step {
                id: 0,
                complaint_id: c.id,
                at: now,
                actor_user_id: actor.user_id(),
                actor_name: actor_name(actor),
                action: action.to_owned(),
                from_stage: c.stage,
                to_stage: c.stage,
                comment,
                stage_minutes: None,
                received_at: c.received_at,
                rma_id,
            },
        )
        .await?;
        Ok(())
    }

    /// Saves the complaint and records the change for derived views.
    pub(crate) async fn save_complaint(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        c: &mut Complaint,
        now: Timestamp,
    ) -> Result<()> {
        c.updated_at = now;
        store::save(conn, c).await?;
        changelog::record(
            conn,
            "complaint",
            c.id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        Ok(())
    }
}
