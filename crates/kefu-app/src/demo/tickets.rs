//! One demo ticket's life: opened on a channel, answered, waiting on the customer or on
//! another department, resolved and closed — or still open where "now" cuts its story.
//! Status and SLA bookkeeping follow the same rules as the work on a real ticket
//! ([`SlaContext::refresh`], the reply and status rules of the ticket use cases), so
//! attainment, overdue queues and reports read the demo as they read real work.

use fastrand::Rng;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::complaint::Stage;
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use kefu_store::bulk::Batch;
use kefu_store::ticket::conversation::{Event, Message};
use kefu_store::ticket::{Ticket, TicketSla};

use super::complaints::{self, ComplaintOutcome, Ids};
use super::corpus::{self, ReplyStage, Topic};
use super::customers::{CustomerRef, pick};
use super::staff::{Desk, Person};
use super::{World, between};
use crate::ticket::{SlaContext, move_to_key, record_breach};

/// Who says or does something on a ticket.
#[derive(Clone, Copy)]
enum Who<'a> {
    Customer,
    Staff(&'a Person),
    System,
}

/// A ticket being written, with what happened to it so far.
struct Story<'a> {
    t: Ticket,
    messages: Vec<Message>,
    events: Vec<Event>,
    sla: &'a SlaContext,
    /// Nothing happens after this: the story is cut at "now".
    until: Timestamp,
}

impl<'a> Story<'a> {
    fn happens(&self, at: Timestamp) -> bool {
        at <= self.until
    }

    fn actor(&self, who: Who<'_>) -> (Option<i64>, String) {
        match who {
            Who::Customer => (
                None,
                self.t.contact_name.clone().unwrap_or_else(|| "客户".into()),
            ),
            Who::Staff(p) => (Some(p.id), p.name.clone()),
            Who::System => (None, crate::SYSTEM_ACTOR_NAME.into()),
        }
    }

    fn event(
        &mut self,
        at: Timestamp,
        who: Who<'_>,
        field: &str,
        old: Option<String>,
        new: Option<String>,
    ) {
        let (actor_user_id, actor_name) = self.actor(who);
        self.events.push(Event {
            id: 0,
            ticket_id: self.t.id,
            at,
            actor_user_id,
            actor_name,
            field: field.to_owned(),
            old_value: old,
            new_value: new,
        });
    }

    /// Moves the ticket to a built-in status (whose key is its category's).
    fn status(&mut self, at: Timestamp, who: Who<'_>, to: StatusCategory) {
        if self.t.category == to {
            return;
        }
        let before = self.t.category;
        let old = self.t.status.clone();
        // The stories only take steps the rules allow; one that does not is left out.
        if move_to_key(&mut self.t, to.key(), to, at).is_err() {
            return;
        }
        self.t.updated_at = at;
        self.sla.refresh(&mut self.t, Some(before), at);
        self.event(at, who, "status", Some(old), Some(to.key().to_owned()));
    }

    fn say(&mut self, at: Timestamp, who: Who<'_>, public: bool, body: String) {
        let (author_user_id, author_name) = self.actor(who);
        let author_kind = match who {
            Who::Customer => "customer",
            Who::Staff(_) => "staff",
            Who::System => "system",
        };
        self.messages.push(Message {
            id: 0,
            ticket_id: self.t.id,
            visibility: if public { "public" } else { "internal" }.to_owned(),
            author_kind: author_kind.to_owned(),
            author_user_id,
            author_name,
            body,
            created_at: at,
        });
        self.t.message_count += 1;
        self.t.updated_at = at;
        match who {
            Who::Staff(_) if public => {
                self.t.first_response_at.get_or_insert(at);
                if self.t.sla.awaiting_reply_since.take().is_some()
                    && let Some(due) = self.t.sla.next_response_due_at
                    && at > due
                    && self.t.sla.escalated_due_at != Some(due)
                {
                    self.t.sla.next_response_breaches += 1;
                    self.t.sla.escalated_due_at = Some(due);
                }
                let before = self.t.category;
                if before == StatusCategory::New {
                    self.status(at, who, StatusCategory::Open);
                } else {
                    self.sla.refresh(&mut self.t, Some(before), at);
                }
            }
            Who::Customer => {
                self.t.sla.awaiting_reply_since.get_or_insert(at);
                if matches!(
                    self.t.category,
                    StatusCategory::PendingCustomer | StatusCategory::Resolved
                ) {
                    self.status(at, who, StatusCategory::Open);
                } else {
                    let before = self.t.category;
                    self.sla.refresh(&mut self.t, Some(before), at);
                }
            }
            _ => {}
        }
    }
}

/// When an answer due at `due` comes: mostly in time, sometimes late.
fn answer_time(rng: &mut Rng, from: Timestamp, due: Option<Timestamp>, in_time: f64) -> Timestamp {
    let fallback = from + SignedDuration::from_mins(rng.i64(5..240));
    let Some(due) = due.filter(|d| *d > from) else {
        return fallback;
    };
    if rng.f64() < in_time {
        // Most answers come well before the deadline.
        let quick = from + due.duration_since(from) / 3;
        if rng.u8(0..10) < 7 {
            between(rng, from + SignedDuration::from_mins(2), quick)
        } else {
            between(rng, quick, due)
        }
    } else {
        between(
            rng,
            due + SignedDuration::from_mins(5),
            due + SignedDuration::from_hours(30),
        )
    }
}

/// What a request is: drawn for every ticket before the tickets are written, so the load
/// knows which will be complaints.
pub(super) fn ticket_type(rng: &mut Rng) -> TicketType {
    match rng.u8(0..100) {
        0..30 => TicketType::Inquiry,
        30..52 => TicketType::AfterSales,
        52..70 => TicketType::FaultReport,
        70..82 => TicketType::OrderIssue,
        82..92 => TicketType::Complaint,
        _ => TicketType::Suggestion,
    }
}

fn channel(rng: &mut Rng) -> Channel {
    match rng.u8(0..100) {
        0..30 => Channel::Phone,
        30..50 => Channel::Wechat,
        50..60 => Channel::WebForm,
        60..70 => Channel::Portal,
        70..82 => Channel::Email,
        82..92 => Channel::Chat,
        92..95 => Channel::Sms,
        95..98 => Channel::Api,
        _ => Channel::Staff,
    }
}

fn priority(rng: &mut Rng, t: TicketType, tier: &str) -> Priority {
    let roll = rng.u8(0..100) + if tier == "key_account" { 10 } else { 0 };
    match (t, roll) {
        (TicketType::Suggestion | TicketType::Inquiry, 0..70) => Priority::Low,
        (TicketType::Suggestion | TicketType::Inquiry, _) => Priority::Normal,
        (_, 0..15) => Priority::Low,
        (_, 15..70) => Priority::Normal,
        (_, 70..93) => Priority::High,
        _ => Priority::Urgent,
    }
}

fn desk_of(t: TicketType, tier: &str) -> Desk {
    match t {
        TicketType::Complaint => Desk::Complaints,
        _ if tier == "key_account" => Desk::KeyAccounts,
        TicketType::Inquiry | TicketType::Suggestion => Desk::PreSales,
        _ => Desk::AfterSales,
    }
}

/// What one ticket added, for the summary.
#[derive(Default)]
pub(super) struct Written {
    pub messages: usize,
    pub complaint: bool,
}

/// Writes ticket `id` (numbered `number`, opened at `created_at`) into `batch`. A `hold`
/// stops an ordinary request's story in that state (the newest tickets are the backlog); a
/// complaint's `stage` keeps its complaint in that stage of the loop.
#[allow(clippy::too_many_arguments)]
pub(super) fn ticket(
    rng: &mut Rng,
    world: &World,
    ids: &mut Ids,
    id: i64,
    number: String,
    created_at: Timestamp,
    customer: &CustomerRef,
    ticket_type: TicketType,
    hold: Option<StatusCategory>,
    stage: Option<Stage>,
    batch: &mut Batch,
) -> Written {
    let topic = corpus::topic(rng);
    let channel = channel(rng);
    let contact = pick(rng, &customer.contacts);
    let order_number = format!(
        "PO-{}-{:05}",
        created_at.to_zoned(world.tz.clone()).year(),
        rng.u32(1..99_999)
    );
    let opening = corpus::opening(rng, ticket_type, channel, &topic, &order_number);
    let desk = desk_of(ticket_type, customer.tier);
    let (group_id, members) = world.cast.desk(desk);
    let picked = pick(rng, members);
    let by_staff = matches!(channel, Channel::Phone | Channel::Staff);
    // What came in by itself and nobody has looked at yet waits on its desk for someone
    // to take it: the 未分配 queue of the morning. (The pick is drawn anyway, so a seed
    // writes the same company whatever waits.)
    let waiting =
        hold == Some(StatusCategory::New) && !by_staff && ticket_type != TicketType::Complaint;
    let assignee = if waiting { None } else { picked };
    let severity = (ticket_type == TicketType::Complaint).then(|| complaints::severity(rng));
    let priority = match severity {
        Some(s) => crate::complaint::priority_of(s),
        None => priority(rng, ticket_type, customer.tier),
    };
    let mut t = Ticket {
        id,
        number,
        ticket_type,
        channel,
        status: StatusCategory::New.key().to_owned(),
        category: StatusCategory::New,
        priority,
        subject: opening.subject,
        customer_name: Some(customer.name.clone()),
        contact_name: contact.map(|c| c.name.clone()),
        contact_email: contact.and_then(|c| c.email.clone()),
        contact_phone: contact.map(|c| c.mobile.clone()),
        assignee_id: assignee.map(|a| a.id),
        assignee_name: None,
        group_id: Some(group_id).filter(|g| *g > 0),
        group_name: None,
        tags: opening.tags.iter().map(|s| (*s).to_owned()).collect(),
        external_id: (channel == Channel::Api).then(|| format!("crm-{id}")),
        created_by_user_id: if by_staff {
            assignee.map(|a| a.id)
        } else {
            None
        },
        created_at,
        updated_at: created_at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        message_count: 0,
        requester_id: None,
        status_changed_at: created_at,
        customer_id: Some(customer.id),
        sla: TicketSla {
            customer_tier: Some(customer.tier.to_owned()),
            ..TicketSla::default()
        },
        version: 1,
    };
    world.sla.refresh(&mut t, None, created_at);
    let mut story = Story {
        t,
        messages: Vec::new(),
        events: Vec::new(),
        sla: &world.sla,
        until: world.now,
    };
    let opener = match (by_staff, assignee) {
        (true, Some(a)) => Who::Staff(a),
        _ => Who::System,
    };
    story.event(
        created_at,
        opener,
        "created",
        None,
        Some(channel.key().to_owned()),
    );
    story.say(created_at, Who::Customer, true, opening.body);

    let complaint = severity.map(|s| {
        complaints::complaint(
            rng,
            world,
            ids,
            &story.t,
            customer,
            &topic,
            &order_number,
            s,
            stage,
            batch,
        )
    });
    let is_complaint = complaint.is_some();
    match (assignee, complaint) {
        (Some(agent), Some(mut outcome)) => {
            story.events.append(&mut outcome.events);
            complaint_story(rng, &mut story, agent, &topic, outcome);
        }
        (None, Some(mut outcome)) => story.events.append(&mut outcome.events),
        (Some(agent), None) => work_story(rng, &mut story, agent, &topic, hold),
        // Nobody on the desk: the ticket waits, unassigned.
        (None, None) => {}
    }
    let Story {
        mut t,
        mut messages,
        mut events,
        ..
    } = story;
    escalated_while_open(&mut t, &mut events, world.now);
    // The history reads in time order, as it would have been written.
    messages.sort_by_key(|m| m.created_at);
    events.sort_by_key(|e| e.at);
    batch.ticket(&t);
    for m in &messages {
        batch.message(m);
    }
    for e in &events {
        batch.event(e);
    }
    batch.change("ticket", id, None, t.updated_at);
    Written {
        messages: messages.len(),
        complaint: is_complaint,
    }
}

/// What the SLA job did to a ticket still open past its deadline: it escalated it when the
/// deadline passed (the target missed, the breach in the history), so a server started on
/// the demo does not escalate months of backlog at once.
fn escalated_while_open(t: &mut Ticket, events: &mut Vec<Event>, now: Timestamp) {
    let Some(due) = t
        .sla
        .next_due_at
        .filter(|d| *d < now && t.category.is_active())
    else {
        return;
    };
    let target = t.sla.next_target.clone().unwrap_or_default();
    record_breach(t, &target, due);
    t.sla.warned_due_at = Some(due);
    events.push(Event {
        id: 0,
        ticket_id: t.id,
        at: due,
        actor_user_id: None,
        actor_name: crate::SYSTEM_ACTOR_NAME.into(),
        field: "sla_breach".into(),
        old_value: None,
        new_value: Some(target),
    });
}

/// An ordinary request: answered, perhaps a question back, solved, closed three days later.
fn work_story(
    rng: &mut Rng,
    s: &mut Story<'_>,
    agent: &Person,
    topic: &Topic,
    hold: Option<StatusCategory>,
) {
    let kind = s.t.ticket_type;
    let start = s.t.created_at;
    if hold == Some(StatusCategory::New) {
        return;
    }
    let first = answer_time(rng, start, s.t.sla.first_response_due_at, 0.88);
    if !s.happens(first) {
        return;
    }
    let me = Who::Staff(agent);
    s.say(
        first,
        me,
        true,
        corpus::agent_reply(rng, kind, topic, &agent.name, ReplyStage::First),
    );
    let mut at = first;
    if rng.u8(0..10) < 3 {
        at = between(rng, at, at + SignedDuration::from_mins(90));
        if !s.happens(at) {
            return;
        }
        s.say(at, me, false, corpus::internal_note(rng, topic));
    }
    // 1 % are stuck: nobody ever gets to them (the overdue queue has something to show).
    if rng.u8(0..100) == 0 || hold == Some(StatusCategory::Open) {
        return;
    }
    let ask_back = rng.u8(0..10) < 3;
    if ask_back || hold == Some(StatusCategory::PendingCustomer) {
        // A question back to the customer; the clock pauses until they answer.
        at = between(rng, at, at + SignedDuration::from_hours(4));
        if !s.happens(at) {
            return;
        }
        s.say(
            at,
            me,
            true,
            corpus::agent_reply(rng, kind, topic, &agent.name, ReplyStage::Progress),
        );
        s.status(at, me, StatusCategory::PendingCustomer);
        if hold.is_some() {
            return;
        }
        at = between(
            rng,
            at + SignedDuration::from_mins(20),
            at + SignedDuration::from_hours(40),
        );
        if !s.happens(at) {
            return;
        }
        s.say(
            at,
            Who::Customer,
            true,
            corpus::customer_reply(rng, topic, false),
        );
        let due = s.t.sla.next_response_due_at;
        at = answer_time(rng, at, due, 0.85);
        if !s.happens(at) {
            return;
        }
        s.say(
            at,
            me,
            true,
            corpus::agent_reply(rng, kind, topic, &agent.name, ReplyStage::Progress),
        );
    }
    let handed_on = matches!(
        kind,
        TicketType::AfterSales | TicketType::FaultReport | TicketType::OrderIssue
    ) && rng.u8(0..10) < 2;
    if handed_on || hold == Some(StatusCategory::PendingInternal) {
        // Waiting on the warehouse, the factory or finance.
        at = between(rng, at, at + SignedDuration::from_hours(2));
        if !s.happens(at) {
            return;
        }
        s.status(at, me, StatusCategory::PendingInternal);
        s.say(at, me, false, corpus::internal_note(rng, topic));
        if hold.is_some() {
            return;
        }
    }
    let resolved = answer_time(rng, at, s.t.sla.resolution_due_at, 0.82).max(at);
    if !s.happens(resolved) {
        return;
    }
    s.say(
        resolved,
        me,
        true,
        corpus::agent_reply(rng, kind, topic, &agent.name, ReplyStage::Solution),
    );
    s.status(resolved, me, StatusCategory::Resolved);
    close_later(rng, s, resolved, topic);
}

/// Thanks from some customers, then the ticket closes by itself after three days.
fn close_later(rng: &mut Rng, s: &mut Story<'_>, resolved: Timestamp, topic: &Topic) {
    if rng.u8(0..10) < 3 {
        let at = between(rng, resolved, resolved + SignedDuration::from_hours(20));
        if s.happens(at) {
            s.messages.push(Message {
                id: 0,
                ticket_id: s.t.id,
                visibility: "public".into(),
                author_kind: "customer".into(),
                author_user_id: None,
                author_name: s.t.contact_name.clone().unwrap_or_else(|| "客户".into()),
                body: corpus::customer_reply(rng, topic, true),
                created_at: at,
            });
            s.t.message_count += 1;
            s.t.updated_at = at;
        }
    }
    let closed = resolved + SignedDuration::from_hours(72);
    if s.happens(closed) {
        s.status(closed, Who::System, StatusCategory::Closed);
    }
}

/// A complaint ticket follows its complaint: answered at once, waiting on the loop, solved
/// when the complaint closes (or is judged not valid).
fn complaint_story(
    rng: &mut Rng,
    s: &mut Story<'_>,
    agent: &Person,
    topic: &Topic,
    outcome: ComplaintOutcome,
) {
    let me = Who::Staff(agent);
    let first = answer_time(rng, s.t.created_at, s.t.sla.first_response_due_at, 0.9);
    if !s.happens(first) {
        return;
    }
    s.say(
        first,
        me,
        true,
        corpus::agent_reply(
            rng,
            TicketType::Complaint,
            topic,
            &agent.name,
            ReplyStage::First,
        ),
    );
    if let Some(judged) = outcome.judged_at.filter(|at| s.happens(*at) && *at > first) {
        s.say(
            judged,
            me,
            true,
            corpus::agent_reply(
                rng,
                TicketType::Complaint,
                topic,
                &agent.name,
                ReplyStage::Progress,
            ),
        );
        if outcome.closed_at.is_none() {
            s.status(judged, me, StatusCategory::PendingInternal);
        }
    }
    if let Some(closed) = outcome.closed_at.filter(|at| s.happens(*at) && *at > first) {
        s.say(
            closed,
            me,
            true,
            corpus::agent_reply(
                rng,
                TicketType::Complaint,
                topic,
                &agent.name,
                ReplyStage::Solution,
            ),
        );
        s.status(closed, me, StatusCategory::Resolved);
        close_later(rng, s, closed, topic);
    }
}
