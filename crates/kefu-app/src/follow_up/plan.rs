//! 回访计划 — the job that plans visits from the rules: one visit per rule, customer and
//! period, however often it runs and on however many instances (the plan key is unique).
//!
//! A visit goes to the customer's owner while the owner's account is active, else it waits
//! in the rule's group for whoever takes it. It is made on the phone when the contact has a
//! number (002 §三1: 最好是电话), else on the contact's preferred channel. Its window is the
//! rest of the period (a periodic rule), the occasion's days (特色回访, planned up to
//! [`OCCASION_LEAD_DAYS`] ahead) or [`DORMANT_WINDOW_DAYS`] days (a dormant customer); its
//! slot is the earliest moment in that window the calling rules allow (company calling
//! hours on business days, on the agent's roster 排班, outside the contact's rest hours).
//! An owner away on the slot's day or without any rostered moment in the window leaves the
//! visit to the rule's group, slotted on the business calendar's hours.

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::Permission;
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::customer::{ContactChannel, RestHours};
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::follow_up::rule::{
    DORMANT_WINDOW_DAYS, OCCASION_LEAD_DAYS, RuleSpec, dormant_cutoff,
};
use kefu_domain::follow_up::visit::Reason;
use kefu_domain::follow_up::{CallWindow, CallingHours};
use kefu_domain::staff::absence::away_on;
use kefu_domain::staff::shift::Roster;
use kefu_store::StoreError;
use kefu_store::customer::{self as customers, Contact};
use kefu_store::follow_up::{self as store, CandidateFilter, NewVisit, PlanCandidate};

use super::{load_settings, local_midnight, rule_view};
use crate::{Actor, App, Result};

/// Customers planned per transaction.
const BATCH: i64 = 500;

/// What one rule planned (or, in a dry run, would plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePlan {
    pub rule_id: i64,
    pub name: String,
    pub period: String,
    /// Customers of the rule's tier without a visit of this rule in the period.
    pub customers: i64,
    /// Visits written (0 in a dry run; fewer than `customers` when another instance
    /// planned some at the same moment).
    pub created: i64,
    /// Of those, visits with no slot in their window (the contact rests all the calling
    /// hours that remain).
    pub without_slot: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlanReport {
    pub rules: Vec<RulePlan>,
    pub dry_run: bool,
}

/// The contact a visit is made to: the primary one, else the first.
pub(crate) fn visit_contact(contacts: &[Contact]) -> Option<&Contact> {
    contacts
        .iter()
        .find(|c| c.is_primary)
        .or_else(|| contacts.first())
}

/// The channel a visit is made on: the phone when the contact has a number and does not
/// refuse calls, else the contact's preferred channel, else e-mail when there is an
/// address.
pub(crate) fn visit_channel(contact: Option<&Contact>) -> ContactChannel {
    let Some(c) = contact else {
        return ContactChannel::Phone;
    };
    let refuses = |ch: ContactChannel| c.opt_outs.iter().any(|o| o == ch.key());
    if (c.mobile.is_some() || c.phone.is_some()) && !refuses(ContactChannel::Phone) {
        return ContactChannel::Phone;
    }
    if let Some(p) = c.preferred_channel.as_deref().and_then(|p| p.parse().ok())
        && !refuses(p)
    {
        return p;
    }
    if c.email.is_some() {
        return ContactChannel::Email;
    }
    ContactChannel::Phone
}

/// The contact's rest hours (none without a contact).
pub(crate) fn rest_of(contact: Option<&Contact>) -> RestHours {
    contact
        .and_then(|c| RestHours::parse(&c.rest_hours).ok())
        .unwrap_or_default()
}

/// The rules a call by an agent rostered `roster` to a contact resting `rest` keeps.
pub(crate) fn call_window<'a>(
    calendar: &'a BusinessCalendar,
    hours: &'a CallingHours,
    roster: &'a Roster,
    rest: &'a RestHours,
) -> CallWindow<'a> {
    CallWindow {
        business: calendar,
        calling_hours: hours,
        shift: roster,
        rest,
    }
}

/// The earliest moment in `[due, until)` an agent rostered `roster` may call `contact`.
pub(crate) fn slot_for(
    calendar: &BusinessCalendar,
    hours: &CallingHours,
    roster: &Roster,
    contact: Option<&Contact>,
    due: Timestamp,
    until: Timestamp,
) -> Option<Timestamp> {
    let rest = rest_of(contact);
    call_window(calendar, hours, roster, &rest)
        .earliest(due, until)
        .map(|s| s.start)
}

/// What one rule plans now: which customers, for which period, due when.
struct Target {
    filter: CandidateFilter,
    /// The period stored with each visit (a periodic rule's, an occasion's first day).
    period: Option<String>,
    /// What the report calls the period.
    label: String,
    reason: Reason,
    due: Timestamp,
    end: Timestamp,
}

impl Target {
    /// One visit per rule, customer and period; for a dormant customer, per spell without
    /// contact (the spell's start names it).
    fn plan_key(&self, rule_id: i64, c: &PlanCandidate) -> String {
        match &self.filter {
            CandidateFilter::Period(p) => format!("r{rule_id}:c{}:{p}", c.customer_id),
            CandidateFilter::DormantSince(_) => format!(
                "r{rule_id}:c{}:s{}",
                c.customer_id,
                c.last_contact_at.map_or(0, |t| t.as_microsecond())
            ),
        }
    }
}

/// What `rule` plans on `today`; `None` when it plans nothing (a period asked for that
/// is not the rule's kind or length, an occasion over or still far off).
fn target_of(
    rule: &super::RuleView,
    asked: Option<PlanPeriod>,
    today: Date,
    now: Timestamp,
    calendar: &BusinessCalendar,
) -> Result<Option<Target>> {
    Ok(match rule.spec {
        RuleSpec::TierPeriodic { months, .. } => {
            let p = match asked {
                // A period asked for is planned by the rules of its length.
                Some(p) if p.months() != months => return Ok(None),
                Some(p) => p,
                None => PlanPeriod::containing(today, i64::from(months))?,
            };
            let start = local_midnight(calendar, p.start());
            Some(Target {
                filter: CandidateFilter::Period(p.key()),
                period: Some(p.key()),
                label: p.key(),
                reason: Reason::Periodic,
                due: start.max(now),
                end: local_midnight(calendar, p.end()),
            })
        }
        // Occasions and dormant customers are planned for today, not for a period.
        _ if asked.is_some() => None,
        RuleSpec::Occasion { occasion, .. } => {
            let Some((from, to)) = occasion.next_from(today) else {
                return Ok(None);
            };
            if today.until(from).map_or(0, |s| i64::from(s.get_days())) > OCCASION_LEAD_DAYS {
                return Ok(None);
            }
            let key = from.to_string();
            Some(Target {
                filter: CandidateFilter::Period(key.clone()),
                period: Some(key.clone()),
                label: key,
                reason: Reason::Occasion,
                due: local_midnight(calendar, from).max(now),
                end: local_midnight(calendar, to.tomorrow().unwrap_or(to)),
            })
        }
        RuleSpec::Dormant { days, .. } => {
            let cutoff = dormant_cutoff(days, now);
            Some(Target {
                filter: CandidateFilter::DormantSince(cutoff),
                period: None,
                label: cutoff
                    .to_zoned(calendar.time_zone().clone())
                    .date()
                    .to_string(),
                reason: Reason::Dormant,
                due: now,
                end: now + SignedDuration::from_hours(DORMANT_WINDOW_DAYS * 24),
            })
        }
    })
}

impl App {
    /// Plans the visits of every active rule for `period` (a key such as `2026-12`; each
    /// rule's current period when `None`). A dry run counts and writes nothing.
    pub async fn plan_follow_ups(
        &self,
        actor: &Actor,
        period: Option<&str>,
        dry_run: bool,
    ) -> Result<PlanReport> {
        actor.require(Permission::FollowUpManage)?;
        let asked = period.map(PlanPeriod::parse).transpose()?;
        let now = self.now();
        let (rules, settings, calendar) = {
            let mut conn = self.store.conn().await?;
            let rules = store::rules(&mut conn).await?;
            (
                rules,
                load_settings(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
            )
        };
        let mut report = PlanReport {
            rules: Vec::new(),
            dry_run,
        };
        let today = super::local_date(&calendar, now);
        let department = Roster::department(&calendar);
        let away = {
            let mut conn = self.store.conn().await?;
            crate::absence::away_days(&mut conn, today).await?
        };
        for row in rules.into_iter().filter(|r| r.active) {
            let rule = rule_view(row)?;
            let Some(target) = target_of(&rule, asked, today, now, &calendar)? else {
                continue;
            };
            let mut plan = RulePlan {
                rule_id: rule.id,
                name: rule.name.clone(),
                period: target.label.clone(),
                customers: 0,
                created: 0,
                without_slot: 0,
            };
            // A period over is not planned any more: its visits could not be made.
            if target.end <= now {
                report.rules.push(plan);
                continue;
            }
            let tier = rule.spec.tier().map(|t| t.key());
            let rosters = {
                let mut conn = self.store.conn().await?;
                let last = super::local_date(&calendar, target.end);
                crate::shift::rosters(&mut conn, &calendar, (today, last)).await?
            };
            let mut after = 0;
            loop {
                let mut conn = self.store.conn().await?;
                let batch =
                    store::plan_candidates(&mut conn, tier, rule.id, &target.filter, after, BATCH)
                        .await?;
                let Some(last) = batch.last() else { break };
                after = last.customer_id;
                plan.customers += batch.len() as i64;
                if dry_run {
                    continue;
                }
                let ids: Vec<i64> = batch.iter().map(|c| c.customer_id).collect();
                let contacts = customers::contacts_of_many(&mut conn, &ids).await?;
                drop(conn);
                let mut tx = self.store.begin().await?;
                for c in &batch {
                    let mine: Vec<Contact> = contacts
                        .iter()
                        .filter(|x| x.customer_id == c.customer_id)
                        .cloned()
                        .collect();
                    let contact = visit_contact(&mine);
                    let slot_on = |roster: &Roster| {
                        let hours = &settings.calling_hours;
                        slot_for(&calendar, hours, roster, contact, target.due, target.end)
                    };
                    let group_slot = slot_on(&department);
                    let own_slot = match c.owner_id.and_then(|o| rosters.get(&o)) {
                        Some(roster) => slot_on(roster),
                        None => group_slot,
                    };
                    // An owner away on the visit's day, or not rostered at any moment of its
                    // window, leaves it to the rule's group when there is one to make it.
                    let day = super::local_date(&calendar, own_slot.unwrap_or(target.due));
                    let agent_id = c.owner_id.filter(|owner| {
                        rule.group_id.is_none()
                            || (own_slot.is_some()
                                && !away.get(owner).is_some_and(|a| away_on(a, day)))
                    });
                    let slot = if agent_id.is_some() {
                        own_slot
                    } else {
                        group_slot
                    };
                    let visit = NewVisit {
                        plan_key: Some(target.plan_key(rule.id, c)),
                        rule_id: Some(rule.id),
                        reason: target.reason.key().to_owned(),
                        period: target.period.clone(),
                        tier: tier.map(str::to_owned),
                        customer_id: c.customer_id,
                        contact_id: contact.map(|x| x.id),
                        complaint_id: None,
                        agent_id,
                        group_id: if agent_id.is_some() {
                            None
                        } else {
                            rule.group_id
                        },
                        channel: visit_channel(contact).key().to_owned(),
                        due_at: target.due,
                        window_end: target.end,
                        slot_at: slot,
                        first_visit: !c.visited_before,
                    };
                    if store::insert_visit(&mut tx, &visit, now).await?.is_some() {
                        plan.created += 1;
                        if slot.is_none() {
                            plan.without_slot += 1;
                        }
                    }
                }
                tx.commit().await.map_err(StoreError::from)?;
            }
            report.rules.push(plan);
        }
        Ok(report)
    }

    /// The periodic job: plans each active rule's current period.
    pub async fn run_follow_up_plan(&self) -> Result<PlanReport> {
        self.plan_follow_ups(&Actor::system(), None, false).await
    }
}
