//! SLA on tickets: choosing the policy, keeping the deadline columns current on every
//! change, recording attainment, and the periodic check that warns before a deadline and
//! escalates to the group's manager after it — once, however many instances run it.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::sla::{self, PolicyScope, SlaFacts, Target, Targets};
use kefu_domain::ticket::{Priority, StatusCategory, TicketType};
use kefu_domain::{Permission, Role};
use kefu_store::sla::{self as store, PolicyRow, SlaMark};
use kefu_store::ticket::setup as store_setup;
use kefu_store::ticket::{self as tickets, Ticket};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use super::event;
use crate::calendar::load_all;
use crate::notify::{self, kind};
use crate::versions::{self, Setting};
use crate::{Actor, App, AppError, Result};

/// Customer tiers a policy may be scoped to (客户等级: 大客户 / VIP / 普通).
pub const TIERS: [&str; 3] = ["key_account", "vip", "normal"];

/// The policies and calendars one use case needs, loaded once (three queries).
pub(crate) struct SlaContext {
    policies: Vec<(PolicyRow, PolicyScope, Targets)>,
    calendars: HashMap<i64, BusinessCalendar>,
    default_calendar: Option<i64>,
}

impl SlaContext {
    pub(crate) async fn load(conn: &mut AnyConnection) -> Result<SlaContext> {
        let (calendars, default_calendar) = load_all(conn).await?;
        let policies = store::policies(conn)
            .await?
            .into_iter()
            .filter(|p| p.active)
            .map(|p| {
                let scope = PolicyScope {
                    ticket_type: p.ticket_type.as_deref().and_then(|t| t.parse().ok()),
                    priority: p.priority.as_deref().and_then(|t| t.parse().ok()),
                    customer_tier: p.customer_tier.clone(),
                };
                let targets = Targets {
                    first_response: p.first_response_minutes,
                    next_response: p.next_response_minutes,
                    resolution: p.resolution_minutes,
                };
                (p, scope, targets)
            })
            .collect();
        Ok(SlaContext {
            policies,
            calendars,
            default_calendar,
        })
    }

    pub(crate) fn calendar_of(&self, policy_id: Option<i64>) -> Option<&BusinessCalendar> {
        let cal_id = policy_id
            .and_then(|id| self.policies.iter().find(|(p, _, _)| p.id == id))
            .map(|(p, _, _)| p.calendar_id)
            .or(self.default_calendar)?;
        self.calendars.get(&cal_id)
    }

    /// Brings the SLA columns of `t` up to date after a change; `before` is the category the
    /// ticket had before the change (None for a new ticket).
    pub(crate) fn refresh(&self, t: &mut Ticket, before: Option<StatusCategory>, now: Timestamp) {
        // Pause bookkeeping uses the calendar of the policy that applied while waiting.
        let was_waiting = before == Some(StatusCategory::PendingCustomer);
        let waiting = t.category == StatusCategory::PendingCustomer;
        if !was_waiting && waiting {
            t.sla.paused_since = Some(now);
        } else if was_waiting
            && !waiting
            && let Some(since) = t.sla.paused_since.take()
        {
            let spent = self
                .calendar_of(t.sla.policy_id)
                .map(|c| c.between(since, now))
                .unwrap_or(SignedDuration::ZERO);
            t.sla.paused_secs += spent.as_secs();
        }

        let chosen = sla::choose(
            &self.policies,
            |(_, scope, _)| scope,
            t.ticket_type,
            t.priority,
            t.sla.customer_tier.as_deref(),
        );
        t.sla.policy_id = chosen.map(|(p, _, _)| p.id);
        let (Some((_, _, targets)), Some(cal)) = (chosen, self.calendar_of(t.sla.policy_id)) else {
            t.sla.first_response_due_at = None;
            t.sla.next_response_due_at = None;
            t.sla.resolution_due_at = None;
            t.sla.next_due_at = None;
            t.sla.next_target = None;
            return;
        };
        let facts = SlaFacts {
            created_at: t.created_at,
            category: t.category,
            first_response_at: t.first_response_at,
            awaiting_reply_since: t.sla.awaiting_reply_since,
            paused: SignedDuration::from_secs(t.sla.paused_secs),
            paused_since: t.sla.paused_since,
        };
        let d = sla::deadlines(targets, &facts, cal);
        t.sla.first_response_due_at = d.first_response;
        t.sla.next_response_due_at = d.next_response;
        t.sla.resolution_due_at = d.resolution;
        t.sla.next_due_at = d.next.map(|(_, at)| at);
        t.sla.next_target = d.next.map(|(target, _)| target.key().to_owned());

        // Attainment: decided once; a breach is never undone.
        if let (Some(at), Some(due), None) = (
            t.first_response_at,
            d.first_response,
            t.sla.first_response_met,
        ) {
            t.sla.first_response_met = Some(at <= due);
        }
        let resolved_at = t.resolved_at.filter(|_| !t.category.is_active());
        match (resolved_at, d.resolution, t.sla.resolution_met) {
            (Some(at), Some(due), None) => t.sla.resolution_met = Some(at <= due),
            // Reopened after an on-time resolution: to be decided again.
            (None, _, Some(true)) => t.sla.resolution_met = None,
            _ => {}
        }
    }
}

/// An SLA policy as an admin edits it.
#[derive(Debug, Clone)]
pub struct PolicyForm {
    pub name: String,
    pub position: i64,
    pub ticket_type: Option<TicketType>,
    pub priority: Option<Priority>,
    pub customer_tier: Option<String>,
    pub calendar_id: i64,
    pub first_response_minutes: Option<i64>,
    pub next_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub active: bool,
}

fn check_minutes(v: Option<i64>) -> Result<Option<i64>> {
    match v {
        Some(m) if !(1..=525_600).contains(&m) => Err(AppError::BadMinutes),
        other => Ok(other),
    }
}

impl App {
    pub async fn sla_policies(&self, actor: &Actor) -> Result<Vec<PolicyRow>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(store::policies(&mut conn).await?)
    }

    /// Adds a policy (`id` = None) or changes one. Tickets already open keep their
    /// deadlines until they next change. A change is made against version `expected` of the
    /// policy (see [`crate::versions`]).
    pub async fn save_sla_policy(
        &self,
        actor: &Actor,
        id: Option<i64>,
        f: &PolicyForm,
        expected: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::TicketAdmin)?;
        let name = f.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::BadName);
        }
        if let Some(tier) = &f.customer_tier
            && !TIERS.contains(&tier.as_str())
        {
            return Err(AppError::UnknownTier(tier.clone()));
        }
        let row = PolicyRow {
            id: id.unwrap_or(0),
            name: name.to_owned(),
            position: f.position,
            ticket_type: f.ticket_type.map(|t| t.key().to_owned()),
            priority: f.priority.map(|p| p.key().to_owned()),
            customer_tier: f.customer_tier.clone(),
            calendar_id: f.calendar_id,
            first_response_minutes: check_minutes(f.first_response_minutes)?,
            next_response_minutes: check_minutes(f.next_response_minutes)?,
            resolution_minutes: check_minutes(f.resolution_minutes)?,
            active: f.active,
            version: 0,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = id {
            versions::expect_setting(&mut tx, Setting::SlaPolicy, id, expected).await?;
        }
        if !store::calendars(&mut tx)
            .await?
            .iter()
            .any(|c| c.id == f.calendar_id)
        {
            return Err(AppError::UnknownCalendar);
        }
        let conflict = |e: StoreError| match e {
            StoreError::Conflict(_) => AppError::NameTaken,
            e => e.into(),
        };
        let id = match id {
            Some(id) => {
                store::update_policy(&mut tx, &row, now)
                    .await
                    .map_err(conflict)?;
                id
            }
            None => store::insert_policy(&mut tx, &row, now)
                .await
                .map_err(conflict)?,
        };
        changelog::record(
            &mut tx,
            "sla_policy",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The periodic SLA check: warns before deadlines and escalates after them. Returns
    /// (warnings, escalations) sent by this call.
    pub async fn run_sla_check(&self) -> Result<(usize, usize)> {
        let now = self.now();
        let mut escalated = 0;
        let mut warned = 0;
        let due = {
            let mut conn = self.store.conn().await?;
            tickets_due(&mut conn, now, SlaMark::Escalated).await?
        };
        for id in due {
            if self.handle_deadline(id, now, SlaMark::Escalated).await? {
                escalated += 1;
            }
        }
        let soon = {
            let mut conn = self.store.conn().await?;
            tickets_due(&mut conn, now + self.settings.sla_warning, SlaMark::Warned).await?
        };
        for id in soon {
            if self.handle_deadline(id, now, SlaMark::Warned).await? {
                warned += 1;
            }
        }
        Ok((warned, escalated))
    }

    /// Warns about or escalates ticket `id`'s running deadline, if nobody has yet.
    async fn handle_deadline(&self, id: i64, now: Timestamp, mark: SlaMark) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let mut t = tickets::by_id(&mut tx, id).await?;
        let Some(due) = t.sla.next_due_at else {
            return Ok(false);
        };
        if !store::claim_mark(&mut tx, id, due, mark).await? {
            return Ok(false);
        }
        // A deadline already past needs no warning, only the escalation.
        if mark == SlaMark::Warned && due <= now {
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(false);
        }
        let target = t.sla.next_target.clone().unwrap_or_default();
        let params = json!({
            "number": t.number,
            "subject": t.subject,
            "target": target,
            "due": due.to_string(),
        });
        let system = Actor::system();
        let (kind, field, recipients) = match mark {
            SlaMark::Warned => (
                kind::SLA_WARNING,
                "sla_warning",
                self.people_on(&mut tx, &t).await?,
            ),
            SlaMark::Escalated => (
                kind::SLA_BREACH,
                "sla_breach",
                self.managers_of(&mut tx, &t).await?,
            ),
        };
        notify::notify(&mut tx, &recipients, kind, Some(id), &params, now).await?;
        event(&mut tx, id, &system, now, field, None, Some(target.clone())).await?;
        if mark == SlaMark::Escalated {
            record_breach(&mut t, &target, due);
            tickets::save(&mut tx, &t).await?;
            self.open_breach_anomaly(&mut tx, &t, &target, due, now)
                .await?;
        }
        changelog::record(
            &mut tx,
            "ticket",
            id,
            changelog::Operation::Update,
            None,
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(true)
    }

    /// 服务质量异常 — a breached deadline opens its anomaly (once per deadline).
    async fn open_breach_anomaly(
        &self,
        conn: &mut AnyConnection,
        t: &Ticket,
        target: &str,
        due: Timestamp,
        now: Timestamp,
    ) -> Result<()> {
        let zh = kefu_domain::Locale::ZhCn;
        let target_name = self.text(zh, &format!("sla.{target}"), &[]);
        let due_text = due
            .to_zoned(
                jiff::tz::TimeZone::get(super::NUMBER_TIME_ZONE).unwrap_or(jiff::tz::TimeZone::UTC),
            )
            .strftime("%Y-%m-%d %H:%M")
            .to_string();
        let opening = crate::quality::anomaly::Opening {
            source: kefu_domain::quality::anomaly::AnomalySource::SlaBreach,
            source_key: format!("{}:{target}:{}", t.id, due.as_microsecond()),
            service_item: kefu_domain::quality::anomaly::service_item_of_channel(t.channel.key()),
            channel: Some(t.channel.key()),
            agent_id: t.assignee_id,
            ticket_id: Some(t.id),
            severity: kefu_domain::quality::anomaly::AnomalySeverity::Major,
            description: self.text(
                zh,
                "quality.anomaly_from.sla_breach",
                &[
                    ("number", &t.number),
                    ("subject", &t.subject),
                    ("target", &target_name),
                    ("due", &due_text),
                ],
            ),
            evidence: String::new(),
            occurred_on: None,
            created_by: None,
        };
        crate::quality::anomaly::open(conn, &opening, now).await?;
        Ok(())
    }

    /// Who is warned: the assignee, else the members of the ticket's group.
    pub(crate) async fn people_on(&self, conn: &mut AnyConnection, t: &Ticket) -> Result<Vec<i64>> {
        if let Some(a) = t.assignee_id {
            return Ok(vec![a]);
        }
        match t.group_id {
            Some(g) => Ok(store_setup::group_members(conn, g).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Who receives an escalation: the manager of the ticket's group, else every active
    /// customer service manager.
    pub(crate) async fn managers_of(
        &self,
        conn: &mut AnyConnection,
        t: &Ticket,
    ) -> Result<Vec<i64>> {
        if let Some(g) = t.group_id {
            let groups = store_setup::groups(conn).await?;
            if let Some(m) = groups
                .iter()
                .find(|x| x.id == g)
                .and_then(|x| x.manager_user_id)
            {
                return Ok(vec![m]);
            }
        }
        let users = kefu_store::staff::list_users(conn).await?;
        Ok(users
            .into_iter()
            .filter(|u| u.active && u.roles.contains(Role::CsManager))
            .map(|u| u.id)
            .collect())
    }
}

/// What an escalation records on the ticket: the running target missed (a late next answer
/// counted) and the deadline marked as escalated.
pub(crate) fn record_breach(t: &mut Ticket, target: &str, due: Timestamp) {
    match target {
        k if k == Target::FirstResponse.key() => t.sla.first_response_met = Some(false),
        k if k == Target::Resolution.key() => t.sla.resolution_met = Some(false),
        _ => t.sla.next_response_breaches += 1,
    }
    t.sla.escalated_due_at = Some(due);
}

async fn tickets_due(
    conn: &mut AnyConnection,
    before: Timestamp,
    mark: SlaMark,
) -> Result<Vec<i64>> {
    Ok(store::due_unhandled(conn, before, mark, 500).await?)
}
