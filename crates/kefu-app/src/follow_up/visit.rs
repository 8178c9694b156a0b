//! 回访任务 — an agent's visits: today's list in slot order, the visit page with its script,
//! the dial button that stays off while the contact rests, rescheduling, and recording each
//! attempt; a complete result finishes the visit, an unsatisfied one opens a ticket or a
//! complaint, and one without a call to prove it goes to the quality specialist.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Permission;
use kefu_domain::complaint::{Category, Severity};
use kefu_domain::customer::{self as rules, ContactChannel};
use kefu_domain::follow_up::script::{self, ScriptValues};
use kefu_domain::follow_up::visit::{
    Aspect, Attempt, Escalation, Reach, Reason, Satisfaction, VisitError, VisitStatus, escalation,
    needs_quality_check,
};
use kefu_domain::ticket::{Channel, TicketType};
use kefu_store::StoreError;
use kefu_store::customer::{self as customers, Contact};
use kefu_store::follow_up::{self as store, AttemptRow, Completion, Visit, VisitList};
use serde_json::json;

use super::after_complaint::flag_unverified;
use super::card::{CardValues, card_text};
use super::plan::{call_window, rest_of, slot_for};
use super::{FollowUpSettings, load_settings};
use crate::complaint::ComplaintForm;
use crate::ticket::Intake;
use crate::{Actor, App, AppError, Result};
use kefu_domain::staff::shift::Roster;

/// How long after an unanswered attempt the next one is planned.
const RETRY_AFTER: SignedDuration = SignedDuration::from_hours(2);
/// How long a call-back time the contact asked for keeps the dial button on.
const CALLBACK_GRACE: SignedDuration = SignedDuration::from_mins(30);
/// Visits on one list, at most.
pub const LIST_LIMIT: i64 = 500;

/// Whose visits a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitScope {
    /// Mine, and those waiting in my groups.
    Mine,
    /// Everyone's (the manager's view).
    Everyone,
}

/// Whether a call may be made now, and when it may be next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DialState {
    pub allowed: bool,
    /// The contact asked to be called at this time: the one exception to rest hours.
    pub callback: Option<Timestamp>,
    /// The next moment the calling rules allow, when not now.
    pub next: Option<Timestamp>,
}

/// A visit as its page shows it.
#[derive(Debug, Clone)]
pub struct VisitView {
    pub visit: Visit,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    /// The number the dial button calls, masked by the archive's rule.
    pub number_masked: Option<String>,
    pub rest_hours: String,
    pub opening: String,
    pub ending_satisfied: String,
    pub ending_other: String,
    /// The text message of the agent's number a first visit ends with.
    pub card_sms: Option<String>,
    /// What that message is sent with.
    pub card_params: serde_json::Value,
    pub dial: DialState,
    pub attempts: Vec<AttemptRow>,
    /// Whether the reader may work the visit (else they only read it: quality).
    pub may_work: bool,
}

/// One attempt as typed.
#[derive(Debug, Clone)]
pub struct AttemptForm {
    pub reach: Reach,
    pub channel: ContactChannel,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub call_id: Option<i64>,
    pub callback_at: Option<Timestamp>,
    pub satisfaction: Option<Satisfaction>,
    pub aspects: Vec<Aspect>,
    pub words: String,
    pub next_action: String,
}

/// What recording an attempt did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    pub attempt_id: i64,
    pub completed: bool,
    /// Completed without a call long enough to prove it: sent to quality.
    pub unverified: bool,
    pub ticket_id: Option<i64>,
    pub complaint_id: Option<i64>,
    /// The visit's version now.
    pub version: i64,
}

/// The number a call goes to: the mobile, else the landline.
fn number_of(c: &Contact) -> Option<&str> {
    c.mobile.as_deref().or(c.phone.as_deref())
}

impl App {
    /// Whether `actor` may work visit `v`: their own, one waiting in their groups, or any
    /// for whoever manages follow-ups.
    /// Whether `actor` may open `v`: whoever may work it, and the quality specialists,
    /// who read any visit (those flagged to them above all) and change none.
    async fn check_visit_read(&self, actor: &Actor, v: &Visit) -> Result<bool> {
        if actor.require(Permission::FollowUpWork).is_err() {
            actor.require(Permission::FollowUpView)?;
            return Ok(false);
        }
        self.check_visit_access(actor, v).await?;
        Ok(true)
    }

    async fn check_visit_access(&self, actor: &Actor, v: &Visit) -> Result<()> {
        actor.require(Permission::FollowUpWork)?;
        if actor.require(Permission::FollowUpManage).is_ok() {
            return Ok(());
        }
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        if v.agent_id == Some(me) {
            return Ok(());
        }
        if v.agent_id.is_none()
            && let Some(g) = v.group_id
        {
            let mut conn = self.store.conn().await?;
            if kefu_store::ticket::setup::group_ids_of(&mut conn, me)
                .await?
                .contains(&g)
            {
                return Ok(());
            }
        }
        Err(AppError::Forbidden)
    }

    /// 今日回访 — planned visits whose slot (or asked-for call-back) comes before `until`,
    /// and those with no slot in their window, in slot order.
    pub async fn follow_up_visits(
        &self,
        actor: &Actor,
        scope: VisitScope,
        until: Timestamp,
    ) -> Result<Vec<Visit>> {
        actor.require(Permission::FollowUpWork)?;
        let mut conn = self.store.conn().await?;
        let q = match scope {
            VisitScope::Everyone => {
                actor.require(Permission::FollowUpManage)?;
                VisitList {
                    agent_id: None,
                    group_ids: Vec::new(),
                    until,
                    limit: LIST_LIMIT,
                }
            }
            VisitScope::Mine => {
                let me = actor.user_id().ok_or(AppError::Forbidden)?;
                VisitList {
                    agent_id: Some(me),
                    group_ids: kefu_store::ticket::setup::group_ids_of(&mut conn, me).await?,
                    until,
                    limit: LIST_LIMIT,
                }
            }
        };
        Ok(store::planned(&mut conn, &q).await?)
    }

    /// One visit with its contact (numbers masked), script and attempts.
    pub async fn follow_up_visit(&self, actor: &Actor, id: i64) -> Result<VisitView> {
        let (v, contact, settings, calendar, attempts, agent, complaint_script, rule_blessing) = {
            let mut conn = self.store.conn().await?;
            let v = store::visit_by_id(&mut conn, id).await?;
            // A complaint's visit asks what its handler wrote for the call.
            let complaint_script = match v.complaint_id {
                Some(c) if v.reason == Reason::Complaint.key() => {
                    kefu_store::complaint::follow_ups(&mut conn, c)
                        .await?
                        .pop()
                        .map(|f| f.script)
                }
                _ => None,
            };
            // An occasion's rule may say its own 祝福语 (新年快乐…).
            let rule_blessing = match v.rule_id {
                Some(r) => store::rule_by_id(&mut conn, r).await?.blessing,
                None => None,
            };
            let contact = match v.contact_id {
                Some(c) => Some(customers::contact_by_id(&mut conn, c).await?),
                None => None,
            };
            // The agent who makes the visit (whoever takes it, when it waits in a group),
            // with the numbers the card gives.
            let agent = match v.agent_id.or(actor.user_id()) {
                Some(u) => Some((
                    kefu_store::staff::user_by_id(&mut conn, u).await?,
                    kefu_store::staff::work_contact(&mut conn, u).await?,
                )),
                None => None,
            };
            (
                v,
                contact,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
                store::attempts_of(&mut conn, id).await?,
                agent,
                complaint_script,
                rule_blessing,
            )
        };
        let may_work = self.check_visit_read(actor, &v).await?;
        let now = self.now();
        let salutation = contact.as_ref().map_or_else(
            || v.customer_name.clone(),
            |c| format!("{}{}", c.name, c.title.clone().unwrap_or_default()),
        );
        let (agent_name, work) = agent.map(|(u, w)| (u.display_name, w)).unwrap_or_default();
        // {客服电话}: the agent's desk phone, else the department's number.
        let agent_phone = work
            .phone
            .clone()
            .unwrap_or_else(|| settings.service_phone.clone());
        let card = CardValues {
            salutation: &salutation,
            company: &settings.company,
            agent: &agent_name,
            mobile: work.mobile.as_deref().unwrap_or(&agent_phone),
            phone: &agent_phone,
        };
        let card_params = card.params();
        let values = ScriptValues {
            salutation: &salutation,
            company: &settings.company,
            agent_name: &agent_name,
            agent_phone: &agent_phone,
            blessing: rule_blessing.as_deref().unwrap_or(&settings.blessing),
        };
        let opening = if v.first_visit {
            &settings.script_first
        } else {
            &settings.script_later
        };
        let dial = dial_state(&v, contact.as_ref(), &settings, &calendar, now);
        Ok(VisitView {
            contact_name: contact.as_ref().map(|c| c.name.clone()),
            contact_title: contact.as_ref().and_then(|c| c.title.clone()),
            number_masked: contact.as_ref().and_then(number_of).map(rules::mask_phone),
            rest_hours: contact
                .as_ref()
                .map(|c| c.rest_hours.clone())
                .unwrap_or_default(),
            opening: complaint_script.unwrap_or_else(|| script::render(opening, &values)),
            ending_satisfied: script::render(&settings.ending_satisfied, &values),
            ending_other: script::render(&settings.ending_other, &values),
            card_sms: v
                .first_visit
                .then(|| card_text(self, kefu_domain::Locale::ZhCn, &card_params))
                .flatten(),
            card_params,
            dial,
            attempts,
            may_work,
            visit: v,
        })
    }

    /// The dial button: the contact's number, when the calling rules allow a call now (or
    /// the contact asked to be called now). Revealing the number is audited like any
    /// reveal.
    pub async fn dial_follow_up(&self, actor: &Actor, id: i64) -> Result<String> {
        let view = self.follow_up_visit(actor, id).await?;
        if !view.dial.allowed {
            return Err(VisitError::OutsideCallingWindow {
                next: view.dial.next,
            }
            .into());
        }
        let mut tx = self.store.begin().await?;
        let contact = match view.visit.contact_id {
            Some(c) => customers::contact_by_id(&mut tx, c).await?,
            None => return Err(AppError::NotFound),
        };
        let number = number_of(&contact).ok_or(AppError::NotFound)?.to_owned();
        let detail = json!({
            "field": "mobile",
            "contact_id": contact.id,
            "customer": view.visit.customer_name,
            "visit": id,
        });
        crate::confidential::audit_reveal(
            &mut tx,
            self,
            actor,
            "customer",
            view.visit.customer_id,
            detail,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(number)
    }

    /// Moves a planned visit to `at`, made against `version`. A moment the calling rules
    /// do not allow (outside calling hours or business days, inside the contact's rest
    /// hours, outside the visit's window) is refused with the next allowed one.
    pub async fn reschedule_follow_up(
        &self,
        actor: &Actor,
        id: i64,
        at: Timestamp,
        version: Option<i64>,
    ) -> Result<i64> {
        let now = self.now();
        let (v, contact, settings, calendar) = {
            let mut conn = self.store.conn().await?;
            let v = store::visit_by_id(&mut conn, id).await?;
            let contact = match v.contact_id {
                Some(c) => Some(customers::contact_by_id(&mut conn, c).await?),
                None => None,
            };
            (
                v,
                contact,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
            )
        };
        self.check_visit_access(actor, &v).await?;
        if v.status != VisitStatus::Planned.key() {
            return Err(VisitError::Finished(v.status.parse().unwrap_or(VisitStatus::Done)).into());
        }
        let from = now.max(v.due_at);
        let rest = rest_of(contact.as_ref());
        let roster = {
            let mut conn = self.store.conn().await?;
            crate::shift::roster_of(&mut conn, &calendar, v.agent_id, (from, v.window_end)).await?
        };
        let window = call_window(&calendar, &settings.calling_hours, &roster, &rest);
        if at < from || at >= v.window_end || !window.allows(at) {
            // The next allowed moment at or after the one asked for, else the window's first.
            let next = window
                .earliest(at.max(from), v.window_end)
                .or_else(|| window.earliest(from, v.window_end))
                .map(|s| s.start);
            return Err(VisitError::OutsideCallingWindow { next }.into());
        }
        let mut tx = self.store.begin().await?;
        let version = match store::advance_visit(&mut tx, id, version, now).await? {
            Ok(v) => v,
            Err(current) => {
                return Err(AppError::StaleVersion {
                    current,
                    changed: Vec::new(),
                });
            }
        };
        store::set_schedule(&mut tx, id, Some(at), None).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(version)
    }

    /// Records one attempt at a visit, made against `version`. A reached contact with the
    /// whole result completes the visit; an unsatisfied result opens a ticket (or a
    /// complaint for product or service faults) linked to it; a phone visit completed
    /// without a call of at least the set seconds is flagged to the quality specialists.
    pub async fn record_follow_up_attempt(
        &self,
        actor: &Actor,
        id: i64,
        form: &AttemptForm,
        version: Option<i64>,
    ) -> Result<AttemptOutcome> {
        let now = self.now();
        let attempt = Attempt {
            reach: form.reach,
            channel: form.channel,
            started_at: form.started_at,
            ended_at: form.ended_at,
            call_id: form.call_id,
            callback_at: form.callback_at,
            satisfaction: form.satisfaction,
            aspects: form.aspects.clone(),
            words: form.words.trim().to_owned(),
            next_action: form.next_action.trim().to_owned(),
        };
        let (v, contact, settings, calendar, call) = {
            let mut conn = self.store.conn().await?;
            let v = store::visit_by_id(&mut conn, id).await?;
            let contact = match v.contact_id {
                Some(c) => Some(customers::contact_by_id(&mut conn, c).await?),
                None => None,
            };
            let call = match form.call_id {
                Some(c) => Some(
                    kefu_store::phone::calls::by_id(&mut conn, c)
                        .await
                        .map_err(|e| match e {
                            StoreError::NotFound => AppError::UnknownCall,
                            e => e.into(),
                        })?,
                ),
                None => None,
            };
            (
                v,
                contact,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
                call,
            )
        };
        let call_seconds = call.as_ref().map(|c| c.duration_secs.unwrap_or(0));
        self.check_visit_access(actor, &v).await?;
        if v.status != VisitStatus::Planned.key() {
            return Err(VisitError::Finished(v.status.parse().unwrap_or(VisitStatus::Done)).into());
        }
        attempt.check(now)?;
        if let Some(call) = &call {
            self.check_call_with_customer(call, v.customer_id).await?;
        }
        if let Some(expected) = version
            && expected != v.version
        {
            return Err(AppError::StaleVersion {
                current: v.version,
                changed: Vec::new(),
            });
        }
        let completes = attempt.completes();
        // What an unsatisfied result opens is opened first, in its own use case (a ticket
        // or a complaint with its own rules and notifications); the visit then records the
        // link in the same transaction as the result.
        let (mut ticket_id, mut complaint_id) = (None, None);
        // A complaint's own follow-up visit opens nothing: an unsatisfied result sends
        // that complaint back to its solution.
        let complaint_visit = v
            .complaint_id
            .filter(|_| v.reason == Reason::Complaint.key());
        if completes
            && complaint_visit.is_none()
            && let Some(satisfaction) = attempt.satisfaction
            && let Some(what) = escalation(satisfaction, &attempt.aspects)
        {
            let opened = self
                .open_for_unsatisfied(actor, &v, contact.as_ref(), &attempt, what)
                .await?;
            match what {
                Escalation::Ticket => ticket_id = Some(opened),
                Escalation::Complaint => complaint_id = Some(opened),
            }
        }
        let unverified = completes
            && needs_quality_check(attempt.channel, call_seconds, settings.min_call_seconds);
        let mut tx = self.store.begin().await?;
        let version = match store::advance_visit(&mut tx, id, version, now).await? {
            Ok(v) => v,
            Err(current) => {
                return Err(AppError::StaleVersion {
                    current,
                    changed: Vec::new(),
                });
            }
        };
        let row = AttemptRow {
            id: 0,
            visit_id: id,
            reach: attempt.reach.key().to_owned(),
            channel: attempt.channel.key().to_owned(),
            started_at: attempt.started_at,
            ended_at: attempt.ended_at,
            call_id: attempt.call_id,
            callback_at: attempt.callback_at,
            satisfaction: attempt.satisfaction.map(|s| s.key().to_owned()),
            aspects: attempt.aspects.iter().map(|a| a.key().to_owned()).collect(),
            words: attempt.words.clone(),
            next_action: attempt.next_action.clone(),
            by_user_id: actor.user_id(),
            by_name: None,
            created_at: now,
        };
        let attempt_id = store::insert_attempt(&mut tx, &row).await?;
        if completes {
            let done = Completion {
                attempt_id,
                done_at: attempt.ended_at,
                satisfaction: attempt
                    .satisfaction
                    .map(|s| s.key().to_owned())
                    .unwrap_or_default(),
                unverified,
            };
            store::complete(&mut tx, id, &done)
                .await
                .map_err(|e| match e {
                    StoreError::NotFound => AppError::from(VisitError::Finished(VisitStatus::Done)),
                    e => e.into(),
                })?;
            store::set_opened(&mut tx, id, ticket_id, complaint_id).await?;
            // 不满意 is a quality anomaly of the visit's service, once per visit.
            if attempt.satisfaction == Some(Satisfaction::Unsatisfied) {
                let opening = crate::quality::anomaly::Opening {
                    source: kefu_domain::quality::anomaly::AnomalySource::FollowUp,
                    source_key: id.to_string(),
                    service_item: "visit",
                    channel: Some(attempt.channel.key()),
                    agent_id: v.agent_id,
                    ticket_id,
                    severity: kefu_domain::quality::anomaly::AnomalySeverity::Major,
                    description: self.text(
                        kefu_domain::Locale::ZhCn,
                        "quality.anomaly_from.follow_up",
                        &[("customer", &v.customer_name)],
                    ),
                    evidence: attempt.words.clone(),
                    occurred_on: None,
                    created_by: actor.user_id(),
                };
                crate::quality::anomaly::open(&mut tx, &opening, now).await?;
            }
            if unverified {
                flag_unverified(
                    &mut tx,
                    id,
                    &v.customer_name,
                    settings.min_call_seconds,
                    now,
                )
                .await?;
            }
            // 投诉结案回访: the visit's result is the complaint's follow-up result.
            if let Some(complaint) = complaint_visit
                && let Some(result) = attempt.satisfaction
            {
                let mut comment = attempt.words.clone();
                if !attempt.next_action.is_empty() {
                    comment = format!("{comment}\n后续行动：{}", attempt.next_action);
                }
                self.settle_follow_up_from_visit(&mut tx, actor, complaint, result, &comment, now)
                    .await?;
            }
        } else {
            // The next try: when the contact asked, else a while after this one.
            let (slot, callback) = match attempt.reach {
                Reach::CallBack => (attempt.callback_at, attempt.callback_at),
                _ => (
                    slot_for(
                        &calendar,
                        &settings.calling_hours,
                        &crate::shift::roster_of(
                            &mut tx,
                            &calendar,
                            v.agent_id,
                            (now, v.window_end),
                        )
                        .await?,
                        contact.as_ref(),
                        now.max(v.due_at) + RETRY_AFTER,
                        v.window_end,
                    ),
                    None,
                ),
            };
            store::set_schedule(&mut tx, id, slot, callback).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        // Treat the contact as reached for the archive's "last contact".
        if completes {
            let mut conn = self.store.conn().await?;
            customers::touch_contact(&mut conn, v.customer_id, attempt.ended_at).await?;
        }
        Ok(AttemptOutcome {
            attempt_id,
            completed: completes,
            unverified,
            ticket_id,
            complaint_id,
            version,
        })
    }

    async fn open_for_unsatisfied(
        &self,
        actor: &Actor,
        v: &Visit,
        contact: Option<&Contact>,
        attempt: &Attempt,
        what: Escalation,
    ) -> Result<i64> {
        let aspects: Vec<&str> = attempt.aspects.iter().map(|a| a.key()).collect();
        let content = format!(
            "回访不满意（{}）：{}\n后续行动：{}",
            aspects.join("、"),
            attempt.words,
            attempt.next_action
        );
        let channel = match attempt.channel {
            ContactChannel::Phone => Channel::Phone,
            ContactChannel::Sms => Channel::Sms,
            ContactChannel::Email => Channel::Email,
            ContactChannel::Wechat => Channel::Wechat,
            ContactChannel::Visit => Channel::Staff,
        };
        match what {
            Escalation::Complaint => {
                let category = if attempt.aspects.contains(&Aspect::Product) {
                    Category::Quality
                } else {
                    Category::Service
                };
                let form = ComplaintForm {
                    customer_id: Some(v.customer_id),
                    complainant: contact
                        .map_or_else(|| v.customer_name.clone(), |c| c.name.clone()),
                    complainant_phone: contact.and_then(number_of).map(str::to_owned),
                    channel,
                    content,
                    received_at: Some(attempt.ended_at),
                    order_number: String::new(),
                    part_number: String::new(),
                    quantity: None,
                    delivery_date: None,
                    product: String::new(),
                    category,
                    severity: Severity::Minor,
                };
                self.open_complaint(actor, None, &form).await
            }
            Escalation::Ticket => {
                let mut intake = Intake::new(
                    channel,
                    &format!("回访不满意：{}", v.customer_name),
                    &content,
                );
                intake.ticket_type = TicketType::Suggestion;
                intake.customer_id = Some(v.customer_id);
                intake.contact_name = contact.map(|c| c.name.clone());
                intake.contact_phone = contact.and_then(number_of).map(str::to_owned);
                intake.assignee_id = v.agent_id;
                Ok(self.intake(actor, &intake).await?.ticket.id)
            }
        }
    }
}

/// Whether the dial button is on at `now`.
fn dial_state(
    v: &Visit,
    contact: Option<&Contact>,
    settings: &FollowUpSettings,
    calendar: &kefu_domain::calendar::BusinessCalendar,
    now: Timestamp,
) -> DialState {
    let planned = v.status == VisitStatus::Planned.key();
    let has_number = contact.and_then(number_of).is_some();
    let rest = rest_of(contact);
    // The dial follows the company's hours, whoever sits at the phone.
    let roster = Roster::department(calendar);
    let window = call_window(calendar, &settings.calling_hours, &roster, &rest);
    let asked = v
        .callback_at
        .filter(|at| *at <= now + CALLBACK_GRACE && now <= *at + CALLBACK_GRACE);
    let allowed = planned && has_number && (asked.is_some() || window.allows(now));
    let next = if allowed || !planned {
        None
    } else {
        window
            .earliest(now.max(v.due_at), v.window_end)
            .map(|s| s.start)
    };
    DialState {
        allowed,
        callback: v.callback_at,
        next,
    }
}

impl App {
    /// Refuses a call linked to a visit of `customer_id` unless its number is one of that
    /// customer's contacts' (compared as the screen pop compares them), so a call with
    /// someone else cannot prove the visit was made.
    async fn check_call_with_customer(
        &self,
        call: &kefu_store::phone::calls::Call,
        customer_id: i64,
    ) -> Result<()> {
        let Some(number) = call.customer_number.as_deref() else {
            return Err(VisitError::CallOfAnother.into());
        };
        let area = self.area_code_of(call).await?;
        if self
            .customers_with_number(number, area.as_deref())
            .await?
            .contains(&customer_id)
        {
            Ok(())
        } else {
            Err(VisitError::CallOfAnother.into())
        }
    }
}
