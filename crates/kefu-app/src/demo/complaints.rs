//! One demo complaint through the closed loop (投诉处理闭环): every stage in order, none
//! skipped, each taking a share of its deadline on the business calendar (some overrunning
//! it), with the notice to the responsible department, the investigation, the approved
//! proposal and its RMA, the follow-up visit and the evaluation — cut where "now" falls.

use fastrand::Rng;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::complaint::{
    self as rules, Action, Category, FollowUpResult, NoticeStatus, ProposalStatus, RmaStatus,
    Severity, Stage,
};
use kefu_store::bulk::Batch;
use kefu_store::complaint::{Complaint, FollowUp, Notice, Proposal, Rma, Step};
use kefu_store::ticket::Ticket;
use kefu_store::ticket::conversation::Event;

use super::corpus::{self, Topic};
use super::customers::{CustomerRef, pick};
use super::staff::Person;
use super::{World, between};

/// Ids the load hands out itself (rows that others refer to).
pub(super) struct Ids {
    pub complaint: i64,
    pub proposal: i64,
}

/// What the ticket's story needs to know of its complaint.
pub(super) struct ComplaintOutcome {
    /// When validity was judged (the customer is told).
    pub judged_at: Option<Timestamp>,
    /// When the loop ended (closed after evaluation, or judged not valid).
    pub closed_at: Option<Timestamp>,
    /// The complaint's stage changes, for the ticket's history.
    pub events: Vec<Event>,
}

pub(super) fn severity(rng: &mut Rng) -> Severity {
    match rng.u8(0..100) {
        0..40 => Severity::Minor,
        40..75 => Severity::Major,
        75..93 => Severity::Serious,
        _ => Severity::Critical,
    }
}

/// The department a complaint of this category is sent to.
fn department_for(category: Category) -> &'static str {
    match category {
        Category::Quality => "quality",
        Category::Delivery => "warehouse",
        Category::Billing => "finance",
        // Installers and repair technicians belong to the service department.
        Category::Installation => "customer_service",
        Category::Service => "customer_service",
        Category::Other => "sales",
    }
}

struct Loop<'a> {
    c: Complaint,
    steps: Vec<Step>,
    events: Vec<Event>,
    world: &'a World,
    /// The stage this complaint is held in: it goes no further, and reaches it by now.
    hold: Option<Stage>,
    /// The latest moment of the complaint's story so far.
    last: Timestamp,
}

impl Loop<'_> {
    fn deadline(&self, stage: Stage, from: Timestamp) -> Option<Timestamp> {
        let minutes = self.world.complaint_minutes(stage, self.c.severity)?;
        Some(self.world.add_business_minutes(from, minutes))
    }

    /// When the running stage's work is done: mostly within its deadline.
    fn finish_time(&self, rng: &mut Rng) -> Timestamp {
        let from = self.c.stage_entered_at;
        let minutes = self
            .world
            .complaint_minutes(self.c.stage, self.c.severity)
            .unwrap_or(480) as f64;
        let share = if rng.u8(0..100) < 85 {
            0.1 + 0.85 * rng.f64()
        } else {
            1.1 + 1.5 * rng.f64()
        };
        self.world
            .add_business_minutes(from, (minutes * share).max(1.0) as i64)
    }

    /// When the next event of the story happens: `None` when it falls after now, where the
    /// story is cut. A held complaint that would not reach its stage by now moves faster
    /// instead, each event halfway between the last one and now.
    fn when(&mut self, at: Timestamp) -> Option<Timestamp> {
        let now = self.world.now;
        let at = match self.hold {
            Some(_) if at > now => self.last + now.duration_since(self.last) / 2,
            _ => at,
        };
        if at > now {
            return None;
        }
        self.last = self.last.max(at);
        Some(at)
    }

    /// Whether the complaint stands in the stage it is held in.
    fn held(&self) -> bool {
        self.hold == Some(self.c.stage)
    }

    fn note(&mut self, at: Timestamp, who: &Person, action: &str, comment: Option<String>) {
        self.steps.push(Step {
            id: 0,
            complaint_id: self.c.id,
            at,
            actor_user_id: Some(who.id),
            actor_name: who.name.clone(),
            action: action.to_owned(),
            from_stage: self.c.stage,
            to_stage: self.c.stage,
            comment,
            stage_minutes: None,
            received_at: self.c.received_at,
            rma_id: None,
        });
    }

    /// Moves the complaint on by `action` at `at`, as the use cases' step does.
    fn step(&mut self, at: Timestamp, who: &Person, action: Action, comment: Option<String>) {
        let Ok(to) = rules::transition(self.c.stage, action) else {
            return;
        };
        let minutes = self.world.business_minutes(self.c.stage_entered_at, at);
        self.steps.push(Step {
            id: 0,
            complaint_id: self.c.id,
            at,
            actor_user_id: Some(who.id),
            actor_name: who.name.clone(),
            action: action.key().to_owned(),
            from_stage: self.c.stage,
            to_stage: to,
            comment,
            stage_minutes: Some(minutes),
            received_at: self.c.received_at,
            rma_id: None,
        });
        self.events.push(Event {
            id: 0,
            ticket_id: self.c.ticket_id,
            at,
            actor_user_id: Some(who.id),
            actor_name: who.name.clone(),
            field: "complaint_stage".into(),
            old_value: Some(self.c.stage.key().to_owned()),
            new_value: Some(to.key().to_owned()),
        });
        self.c.stage = to;
        self.c.stage_entered_at = at;
        self.c.stage_due_at = self.deadline(to, at);
        self.c.updated_at = at;
        self.c.closed_at = (!to.is_open()).then_some(at);
    }
}

/// Writes the complaint of complaint ticket `t` into `batch`; a `hold` keeps it in that
/// stage.
#[allow(clippy::too_many_arguments)]
pub(super) fn complaint(
    rng: &mut Rng,
    world: &World,
    ids: &mut Ids,
    t: &Ticket,
    customer: &CustomerRef,
    topic: &Topic,
    order_number: &str,
    severity: Severity,
    hold: Option<Stage>,
    batch: &mut Batch,
) -> ComplaintOutcome {
    let texts = corpus::complaint_texts(rng, topic);
    let fallback = Person {
        id: 0,
        name: "kefu".into(),
    };
    let handler = pick(rng, &world.cast.complaint_handlers)
        .unwrap_or(&fallback)
        .clone();
    let manager = pick(rng, &world.cast.managers).unwrap_or(&handler).clone();
    let dept_key = department_for(topic.category);
    let (dept_id, dept_people) = world
        .cast
        .departments
        .get(dept_key)
        .map(|(id, people)| (*id, people.as_slice()))
        .unwrap_or((0, &[]));
    let responder = pick(rng, dept_people).unwrap_or(&handler).clone();
    let opened = (t.created_at + SignedDuration::from_mins(rng.i64(2..40))).min(world.now);
    let id = ids.complaint;
    ids.complaint += 1;
    let delivered = t.created_at - SignedDuration::from_hours(rng.i64(5 * 24..60 * 24));
    let mut l = Loop {
        c: Complaint {
            id,
            ticket_id: t.id,
            ticket_number: t.number.clone(),
            ticket_subject: t.subject.clone(),
            ticket_assignee_id: None,
            customer_id: Some(customer.id),
            customer_name: None,
            stage: Stage::Intake,
            severity,
            category: topic.category,
            complainant: t
                .contact_name
                .clone()
                .unwrap_or_else(|| customer.name.clone()),
            complainant_phone: t.contact_phone.clone(),
            channel: t.channel.key().to_owned(),
            content: texts.content.clone(),
            received_at: t.created_at,
            order_number: Some(order_number.to_owned()),
            part_number: Some(topic.part.code.to_owned()),
            quantity: Some(rng.i64(1..6)),
            delivery_date: Some(delivered.to_zoned(world.tz.clone()).date().to_string()),
            product: Some(topic.product.name.to_owned()),
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
            stage_entered_at: opened,
            stage_due_at: None,
            stage_warned: false,
            stage_escalated: false,
            handler_id: Some(handler.id).filter(|h| *h > 0),
            handler_name: None,
            opened_by: Some(handler.id).filter(|h| *h > 0),
            created_at: opened,
            updated_at: opened,
            closed_at: None,
            version: 1,
        },
        steps: Vec::new(),
        events: Vec::new(),
        world,
        hold,
        last: opened,
    };
    l.c.stage_due_at = l.deadline(Stage::Intake, opened);
    l.note(opened, &handler, "open", None);
    l.events.push(Event {
        id: 0,
        ticket_id: t.id,
        at: opened,
        actor_user_id: Some(handler.id),
        actor_name: handler.name.clone(),
        field: "complaint_stage".into(),
        old_value: None,
        new_value: Some(Stage::Intake.key().to_owned()),
    });
    let mut outcome = ComplaintOutcome {
        judged_at: None,
        closed_at: None,
        events: Vec::new(),
    };
    let now = world.now;
    let mut notice: Option<Notice> = None;
    let mut proposal: Option<Proposal> = None;
    let mut rma: Option<Rma> = None;
    let mut follow_up: Option<FollowUp> = None;

    'walk: {
        // 受理 → 判断
        if l.held() {
            break 'walk;
        }
        let Some(at) = l.when(l.finish_time(rng)) else {
            break 'walk;
        };
        l.step(at, &handler, Action::CompleteIntake, None);

        // 判断: about one in eight is not valid (a complaint held further on is valid).
        if l.held() {
            break 'walk;
        }
        let Some(at) = l.when(l.finish_time(rng)) else {
            break 'walk;
        };
        outcome.judged_at = Some(at);
        if rng.u8(0..100) < 12 && l.hold.is_none() {
            l.step(
                at,
                &handler,
                Action::JudgeInvalid,
                Some(texts.invalid_reason.clone()),
            );
            l.c.valid = Some(false);
            l.c.invalid_reason = Some(texts.invalid_reason.clone());
            outcome.closed_at = Some(at);
            break 'walk;
        }
        l.step(at, &handler, Action::JudgeValid, None);
        l.c.valid = Some(true);
        l.c.department_id = Some(dept_id).filter(|d| *d > 0);
        l.c.promised_answer_at = Some(at + SignedDuration::from_hours(72));
        if dept_id > 0 {
            notice = Some(Notice {
                id: 0,
                complaint_id: id,
                department_id: dept_id,
                department_name: String::new(),
                status: NoticeStatus::Sent,
                due_at: l.c.stage_due_at.unwrap_or(at),
                sent_by: Some(handler.id),
                sent_at: at,
                acknowledged_by: None,
                acknowledged_at: None,
                answer: None,
                answered_by: None,
                answered_at: None,
                reviewed_by: None,
                reviewed_at: None,
                review_comment: None,
                escalated: false,
            });
            l.note(at, &handler, "notice_sent", None);
        }

        // 投诉处理通知: acknowledged, answered, the answer accepted.
        if l.held() {
            break 'walk;
        }
        let answered = l.finish_time(rng);
        let acknowledged = (at + SignedDuration::from_mins(rng.i64(10..180))).min(answered);
        let Some(acknowledged) = l.when(acknowledged) else {
            break 'walk;
        };
        if let Some(n) = notice.as_mut() {
            n.status = NoticeStatus::Acknowledged;
            n.acknowledged_by = Some(responder.id);
            n.acknowledged_at = Some(acknowledged);
            l.note(acknowledged, &responder, "notice_acknowledged", None);
        }
        let Some(answered) = l.when(answered) else {
            break 'walk;
        };
        if let Some(n) = notice.as_mut() {
            n.status = NoticeStatus::Answered;
            n.answer = Some(texts.notice_answer.clone());
            n.answered_by = Some(responder.id);
            n.answered_at = Some(answered);
            l.note(
                answered,
                &responder,
                "notice_answered",
                Some(texts.notice_answer.clone()),
            );
        }
        let accepted = answered + SignedDuration::from_mins(rng.i64(5..120));
        let Some(accepted) = l.when(accepted) else {
            break 'walk;
        };
        if let Some(n) = notice.as_mut() {
            n.status = NoticeStatus::Accepted;
            n.reviewed_by = Some(handler.id);
            n.reviewed_at = Some(accepted);
        }
        l.step(accepted, &handler, Action::AcceptNoticeAnswer, None);

        // 调查
        if l.held() {
            break 'walk;
        }
        let Some(at) = l.when(l.finish_time(rng)) else {
            break 'walk;
        };
        l.c.cause = Some(texts.cause.key().to_owned());
        l.c.responsible_department_id = Some(dept_id).filter(|d| *d > 0);
        l.c.responsible_user_id = Some(responder.id);
        l.c.findings = Some(texts.findings.clone());
        l.step(
            at,
            &handler,
            Action::RecordInvestigation,
            Some(texts.findings.clone()),
        );

        // 方案: proposed, then approved by the manager.
        if l.held() {
            break 'walk;
        }
        let approved = l.finish_time(rng);
        let proposed = between(rng, at, approved);
        let Some(proposed) = l.when(proposed) else {
            break 'walk;
        };
        let pid = ids.proposal;
        ids.proposal += 1;
        proposal = Some(Proposal {
            id: pid,
            complaint_id: id,
            remedy: texts.remedy,
            description: texts.proposal.clone(),
            cost_fen: texts.cost_fen,
            status: ProposalStatus::Proposed,
            proposed_by: Some(handler.id),
            proposed_by_name: None,
            proposed_at: proposed,
            decided_by: None,
            decided_at: None,
            decision_comment: None,
        });
        l.note(proposed, &handler, "proposed", Some(texts.proposal.clone()));
        let Some(approved) = l.when(approved) else {
            break 'walk;
        };
        if let Some(p) = proposal.as_mut() {
            p.status = ProposalStatus::Approved;
            p.decided_by = Some(manager.id);
            p.decided_at = Some(approved);
        }
        l.step(approved, &manager, Action::ApproveProposal, None);
        l.c.approved_cost_fen = texts.cost_fen;
        if let Some(remedy) = texts.remedy.rma() {
            rma = Some(Rma {
                id: 0,
                complaint_id: id,
                proposal_id: pid,
                remedy,
                status: RmaStatus::Requested,
                amount_fen: texts.cost_fen,
                note: None,
                created_at: approved,
                updated_at: approved,
                updated_by: Some(handler.id),
            });
        }

        // 实施: the RMA runs its steps, then the customer accepts.
        if l.held() {
            break 'walk;
        }
        let finished = l.finish_time(rng);
        let accepted = l.when(finished);
        if let Some(r) = rma.as_mut() {
            let mut at = approved;
            while let Some(next) = r.status.next(r.remedy).filter(|s| *s != RmaStatus::Closed) {
                at = between(rng, at, accepted.unwrap_or(finished));
                if at > now {
                    break;
                }
                r.status = next;
                r.updated_at = at;
            }
        }
        let Some(accepted) = accepted else {
            break 'walk;
        };
        l.note(accepted, &handler, "customer_told", None);
        l.step(accepted, &handler, Action::CustomerAccepts, None);
        follow_up = Some(FollowUp {
            id: 0,
            complaint_id: id,
            due_at: l.c.stage_due_at.unwrap_or(accepted),
            script: "您好，我是恒信电器客服中心，就您之前反映的问题做一次回访：问题是否已经解决？对处理结果是否满意？".into(),
            assignee_id: Some(handler.id),
            result: None,
            comment: None,
            done_by: None,
            done_at: None,
            created_at: accepted,
        });

        // 回访
        if l.held() {
            break 'walk;
        }
        let Some(at) = l.when(l.finish_time(rng)) else {
            break 'walk;
        };
        let mut note = texts.follow_up.clone();
        if let Some(f) = follow_up.as_mut() {
            let result = if rng.u8(0..10) < 8 {
                FollowUpResult::Satisfied
            } else {
                FollowUpResult::Neutral
            };
            f.result = Some(result);
            f.comment = Some(texts.follow_up.clone());
            f.done_by = Some(handler.id);
            f.done_at = Some(at);
            // The log reads as the use case writes it: the result, then the customer's words.
            note = rules::follow_up_note(result, &texts.follow_up);
        }
        l.step(at, &handler, Action::FollowUpSettled, Some(note));

        // 总结评价 → 结案
        if l.held() {
            break 'walk;
        }
        let Some(at) = l.when(l.finish_time(rng)) else {
            break 'walk;
        };
        l.c.summary = Some(texts.summary.clone());
        l.c.lessons = Some(texts.lessons.clone());
        l.c.measure = Some(texts.measure.clone());
        l.c.measure_owner_id = Some(responder.id);
        l.c.measure_due = Some(
            (at + SignedDuration::from_hours(30 * 24))
                .to_zoned(world.tz.clone())
                .date()
                .to_string(),
        );
        l.step(at, &manager, Action::Evaluate, None);
        outcome.closed_at = Some(at);
    }

    if let Some(r) = rma.as_mut()
        && l.c.stage.step() > Stage::Implementation.step()
        && r.status == RmaStatus::Done
    {
        // The goods or money have moved; the after-sales record closes with the loop.
        r.status = RmaStatus::Closed;
    }
    batch.complaint(&l.c);
    for s in &l.steps {
        batch.step(s);
    }
    if let Some(n) = &notice {
        batch.notice(n);
    }
    if let Some(p) = &proposal {
        batch.proposal(p);
    }
    if let Some(r) = &rma {
        batch.rma(r);
    }
    if let Some(f) = &follow_up {
        batch.follow_up(f);
    }
    batch.change("complaint", id, l.c.handler_id, l.c.updated_at);
    outcome.events = l.events;
    outcome
}
