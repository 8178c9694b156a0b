//! 触发器 — running automation on tickets, and the use cases to manage it.
//!
//! Triggers run inside the transaction of the change that set them off, in the admin's
//! order; each sees what the ones before it did. A trigger's changes are applied to the
//! ticket directly, never through the update use case, so they cannot set off triggers
//! again: loops are impossible by construction. A trigger whose action cannot be carried
//! out (a retired field, a deactivated user) changes nothing, and the reason is kept on the
//! trigger for the admin to see.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Permission;
use kefu_domain::condition::{self, Condition, Facts};
use kefu_domain::kb::{self as kb_rules, ScriptStatus, ScriptValues};
use kefu_domain::ticket::{self as rules, FieldDefinition, StatusCategory};
use kefu_domain::trigger::{self as trigger_rules, Action, Recipient, TriggerEvent};
use kefu_store::kb as scripts;
use kefu_store::ticket::conversation::{self, Event, NewMessage};
use kefu_store::ticket::setup as store_setup;
use kefu_store::ticket::{self as tickets, Ticket};
use kefu_store::trigger::{self as store, TriggerRow};
use kefu_store::{AnyConnection, StoreError, changelog};
use serde_json::json;

use super::SlaContext;
use super::intake::{check_assignee, check_group};
use super::work::{move_to, status_of};
use crate::notify::{self, kind};
use crate::versions::{self, Setting};
use crate::{Actor, App, AppError, Result};

/// A trigger as an admin writes it.
#[derive(Debug, Clone)]
pub struct TriggerForm {
    pub name: String,
    pub event: TriggerEvent,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
    pub active: bool,
    pub position: i64,
}

/// A stored trigger, read.
#[derive(Debug, Clone)]
pub struct TriggerView {
    pub row: TriggerRow,
    pub event: Option<TriggerEvent>,
    pub conditions: Vec<Condition>,
    pub actions: Vec<Action>,
}

fn read(row: TriggerRow) -> TriggerView {
    TriggerView {
        event: TriggerEvent::parse(&row.event),
        conditions: serde_json::from_str(&row.conditions).unwrap_or_default(),
        actions: serde_json::from_str(&row.actions).unwrap_or_default(),
        row,
    }
}

/// What a trigger's actions will write once all of them have succeeded.
enum Effect {
    Event {
        field: String,
        old: Option<String>,
        new: Option<String>,
    },
    Notify {
        users: Vec<i64>,
        kind: &'static str,
        text: String,
    },
    Reply {
        body: String,
    },
    FieldValue {
        field_id: i64,
        value: Option<String>,
    },
}

/// The ticket's custom field values by key.
async fn field_values(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<(String, String)>> {
    let defs = store_setup::fields(conn).await?;
    Ok(store_setup::field_values(conn, ticket_id)
        .await?
        .into_iter()
        .filter_map(|(id, v)| defs.iter().find(|d| d.id == id).map(|d| (d.key.clone(), v)))
        .collect())
}

fn hours(d: SignedDuration) -> f64 {
    d.as_secs_f64() / 3600.0
}

fn facts(
    t: &Ticket,
    fields: Vec<(String, String)>,
    changed: &[String],
    now: Timestamp,
    sla: &SlaContext,
) -> Facts {
    let business_in_status = sla
        .calendar_of(t.sla.policy_id)
        .map(|c| hours(c.between(t.status_changed_at, now)))
        .unwrap_or(0.0);
    Facts {
        ticket_type: Some(t.ticket_type),
        priority: Some(t.priority),
        channel: t.channel.key().to_owned(),
        status: t.status.clone(),
        category: Some(t.category),
        tags: t.tags.clone(),
        assignee_id: t.assignee_id,
        group_id: t.group_id,
        customer_tier: t.sla.customer_tier.clone(),
        subject: t.subject.clone(),
        fields,
        changed: changed.to_vec(),
        hours_since_update: hours(now.duration_since(t.updated_at)),
        hours_since_created: hours(now.duration_since(t.created_at)),
        hours_in_status: hours(now.duration_since(t.status_changed_at)),
        business_hours_in_status: business_in_status,
    }
}

impl App {
    /// What follows every change to a ticket, inside its transaction: the active update
    /// triggers run on `t` (`changed`: the fields the change touched), then its SLA columns
    /// are brought up to date from `before`, its category before the change. The caller
    /// saves the ticket afterwards.
    pub(crate) async fn apply_update_rules(
        &self,
        conn: &mut AnyConnection,
        t: &mut Ticket,
        before: StatusCategory,
        changed: &[String],
        now: Timestamp,
    ) -> Result<()> {
        let rules = self.ticket_rules(conn).await?;
        let triggers = rules.triggers(TriggerEvent::Update);
        if !triggers.is_empty() {
            self.run_loaded_triggers(conn, triggers, &rules.sla, t, changed, now)
                .await?;
        }
        rules.sla.refresh(t, Some(before), now);
        Ok(())
    }

    /// Runs `triggers` on `t` with the SLA context already read (intake reads them before
    /// it takes the write lock); returns whether any fired.
    pub(crate) async fn run_loaded_triggers(
        &self,
        conn: &mut AnyConnection,
        triggers: &[store::TriggerRow],
        sla: &SlaContext,
        t: &mut Ticket,
        changed: &[String],
        now: Timestamp,
    ) -> Result<bool> {
        let mut fired = false;
        for row in triggers {
            let v = read(row.clone());
            let values = field_values(conn, t.id).await?;
            if !condition::all_hold(&v.conditions, &facts(t, values, changed, now, sla)) {
                continue;
            }
            if self.fire(conn, &v, t, now).await? {
                fired = true;
            }
        }
        Ok(fired)
    }

    /// Applies one trigger's actions to `t`, all or nothing.
    async fn fire(
        &self,
        conn: &mut AnyConnection,
        v: &TriggerView,
        t: &mut Ticket,
        now: Timestamp,
    ) -> Result<bool> {
        let mut draft = t.clone();
        let mut effects = Vec::new();
        for a in &v.actions {
            if let Err(e) = self
                .apply_action(conn, a, &mut draft, &mut effects, now)
                .await
            {
                let reason = match &e {
                    AppError::Store(_) | AppError::Internal(_) => return Err(e),
                    other => other.to_string(),
                };
                tracing::warn!(trigger = %v.row.name, ticket = t.id, %reason, "trigger could not run");
                store::record_error(conn, v.row.id, &reason, now).await?;
                return Ok(false);
            }
        }
        let actor_name = format!("trigger:{}", v.row.name);
        for e in effects {
            match e {
                Effect::Event { field, old, new } => {
                    conversation::add_event(
                        conn,
                        &Event {
                            id: 0,
                            ticket_id: t.id,
                            at: now,
                            actor_user_id: None,
                            actor_name: actor_name.clone(),
                            field,
                            old_value: old,
                            new_value: new,
                        },
                    )
                    .await?;
                }
                Effect::Notify { users, kind, text } => {
                    let params = json!({"number": t.number, "subject": t.subject, "text": text});
                    notify::notify(conn, &users, kind, Some(t.id), &params, now).await?;
                }
                Effect::Reply { body } => {
                    let message_id = conversation::add_message(
                        conn,
                        &NewMessage {
                            ticket_id: t.id,
                            visibility: "public",
                            author_kind: "system",
                            author_user_id: None,
                            author_name: &actor_name,
                            body: &body,
                            at: now,
                        },
                    )
                    .await?;
                    // No person wrote it: by mail it is an automatic reply (held back for
                    // an auto-reply's sender, capped per address and hour).
                    self.queue_reply_mail(conn, t, message_id, true, now)
                        .await?;
                }
                Effect::FieldValue { field_id, value } => {
                    store_setup::set_field_value(conn, t.id, field_id, value.as_deref()).await?;
                }
            }
        }
        draft.updated_at = now;
        *t = draft;
        store::count_fire(conn, v.row.id).await?;
        Ok(true)
    }

    async fn apply_action(
        &self,
        conn: &mut AnyConnection,
        a: &Action,
        t: &mut Ticket,
        effects: &mut Vec<Effect>,
        now: Timestamp,
    ) -> Result<()> {
        fn event(effects: &mut Vec<Effect>, field: &str, old: Option<String>, new: Option<String>) {
            if old != new {
                effects.push(Effect::Event {
                    field: field.to_owned(),
                    old,
                    new,
                });
            }
        }
        match a {
            Action::SetStatus { status } => {
                let s = status_of(conn, status).await?;
                if s.key != t.status {
                    let old = t.status.clone();
                    move_to(t, &s, now)?;
                    event(effects, "status", Some(old), Some(t.status.clone()));
                }
            }
            Action::SetPriority { priority } => {
                event(
                    effects,
                    "priority",
                    Some(t.priority.key().into()),
                    Some(priority.key().into()),
                );
                t.priority = *priority;
            }
            Action::SetType { ticket_type } => {
                event(
                    effects,
                    "type",
                    Some(t.ticket_type.key().into()),
                    Some(ticket_type.key().into()),
                );
                t.ticket_type = *ticket_type;
            }
            Action::Assign { user_id } => {
                let name = check_assignee(conn, *user_id).await?;
                if t.assignee_id != Some(*user_id) {
                    event(
                        effects,
                        "assignee",
                        t.assignee_name.clone(),
                        Some(name.clone()),
                    );
                    t.assignee_id = Some(*user_id);
                    t.assignee_name = Some(name);
                    effects.push(Effect::Notify {
                        users: vec![*user_id],
                        kind: kind::ASSIGNED,
                        text: String::new(),
                    });
                }
            }
            Action::SetGroup { group_id } => {
                let name = check_group(conn, *group_id).await?;
                event(effects, "group", t.group_name.clone(), Some(name.clone()));
                t.group_id = Some(*group_id);
                t.group_name = Some(name);
            }
            Action::AddTag { tag } | Action::RemoveTag { tag } => {
                let tag = rules::clean_tags(tag)?
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                let mut tags = t.tags.clone();
                if matches!(a, Action::AddTag { .. }) {
                    if !tags.contains(&tag) {
                        tags.push(tag);
                    }
                } else {
                    tags.retain(|x| *x != tag);
                }
                let show = |v: &[String]| Some(v.join(", ")).filter(|s| !s.is_empty());
                event(effects, "tags", show(&t.tags), show(&tags));
                t.tags = tags;
            }
            Action::SetField { key, value } => {
                let def = store_setup::fields(conn)
                    .await?
                    .into_iter()
                    .find(|f| &f.key == key && f.active)
                    .ok_or_else(|| AppError::UnknownField(key.clone()))?;
                let value = FieldDefinition {
                    key: def.key.clone(),
                    kind: def.kind,
                    options: def.options.clone(),
                }
                .normalise(value)?;
                effects.push(Effect::Event {
                    field: format!("field:{key}"),
                    old: None,
                    new: value.clone(),
                });
                effects.push(Effect::FieldValue {
                    field_id: def.id,
                    value,
                });
            }
            Action::Notify { to, text } => {
                let users = match to {
                    Recipient::Assignee => t.assignee_id.into_iter().collect(),
                    Recipient::Group => match t.group_id {
                        Some(g) => store_setup::group_members(conn, g).await?,
                        None => Vec::new(),
                    },
                    Recipient::GroupManager => self.managers_of(conn, t).await?,
                };
                effects.push(Effect::Notify {
                    users,
                    kind: kind::TRIGGER,
                    text: text.clone(),
                });
            }
            Action::ReplyWithScript { script_id } => {
                let s = scripts::by_id(conn, *script_id)
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => AppError::NotFound,
                        e => e.into(),
                    })?;
                if s.status != ScriptStatus::Approved.key() {
                    return Err(AppError::NotFound);
                }
                let values = ScriptValues {
                    customer_name: t
                        .contact_name
                        .clone()
                        .or(t.customer_name.clone())
                        .unwrap_or_default(),
                    ticket_number: t.number.clone(),
                    agent_name: t.assignee_name.clone().unwrap_or_default(),
                    due_date: String::new(),
                };
                effects.push(Effect::Reply {
                    body: kb_rules::render(&s.body, &values),
                });
            }
            Action::Escalate => {
                let raised = trigger_rules::raised(t.priority);
                event(
                    effects,
                    "priority",
                    Some(t.priority.key().into()),
                    Some(raised.key().into()),
                );
                t.priority = raised;
                let users = self.managers_of(conn, t).await?;
                effects.push(Effect::Notify {
                    users,
                    kind: kind::ESCALATED,
                    text: String::new(),
                });
                effects.push(Effect::Event {
                    field: "escalated".into(),
                    old: None,
                    new: Some(raised.key().into()),
                });
            }
        }
        Ok(())
    }

    /// The periodic run of time triggers: each fires once per ticket until the ticket is
    /// changed again by someone else. Returns how many firings happened.
    pub async fn run_time_triggers(&self) -> Result<usize> {
        let now = self.now();
        let list = {
            let mut conn = self.store.conn().await?;
            store::active_for(&mut conn, TriggerEvent::Time.key()).await?
        };
        let mut fired = 0;
        for row in list {
            let v = read(row);
            let candidates = {
                let mut conn = self.store.conn().await?;
                store::time_candidates(&mut conn, &v.conditions, now, 500).await?
            };
            for id in candidates {
                let mut tx = self.store.begin().await?;
                let mut t = tickets::by_id(&mut tx, id).await?;
                if let Some(seen) = store::last_firing(&mut tx, v.row.id, id).await?
                    && t.updated_at <= seen
                {
                    continue;
                }
                let rules = self.ticket_rules(&mut tx).await?;
                let sla = &rules.sla;
                let values = field_values(&mut tx, id).await?;
                if !condition::all_hold(&v.conditions, &facts(&t, values, &[], now, sla)) {
                    continue;
                }
                let before = t.category;
                if self.fire(&mut tx, &v, &mut t, now).await? {
                    sla.refresh(&mut t, Some(before), now);
                    tickets::save(&mut tx, &t).await?;
                    store::record_firing(&mut tx, v.row.id, id, now, t.updated_at).await?;
                    changelog::record(
                        &mut tx,
                        "ticket",
                        id,
                        changelog::Operation::Update,
                        None,
                        now,
                    )
                    .await?;
                    fired += 1;
                }
                tx.commit().await.map_err(StoreError::from)?;
            }
        }
        Ok(fired)
    }

    pub async fn triggers(&self, actor: &Actor) -> Result<Vec<TriggerView>> {
        actor.require(Permission::TicketAdmin)?;
        let mut conn = self.store.conn().await?;
        Ok(store::all(&mut conn).await?.into_iter().map(read).collect())
    }

    /// Adds a trigger (`id` = None) or changes one, made against version `expected` of it
    /// (see [`crate::versions`]); everything it names must exist now.
    pub async fn save_trigger(
        &self,
        actor: &Actor,
        id: Option<i64>,
        f: &TriggerForm,
        expected: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::TicketAdmin)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = id {
            versions::expect_setting(&mut tx, Setting::Trigger, id, expected).await?;
        }
        let fields: Vec<String> = store_setup::fields(&mut tx)
            .await?
            .into_iter()
            .filter(|f| f.active)
            .map(|f| f.key)
            .collect();
        trigger_rules::check(&f.name, f.event, &f.conditions, &f.actions, &fields)?;
        for a in &f.actions {
            match a {
                Action::SetStatus { status } => {
                    status_of(&mut tx, status).await?;
                }
                Action::Assign { user_id } => {
                    check_assignee(&mut tx, *user_id).await?;
                }
                Action::SetGroup { group_id } => {
                    check_group(&mut tx, *group_id).await?;
                }
                Action::ReplyWithScript { script_id } => {
                    let s = scripts::by_id(&mut tx, *script_id)
                        .await
                        .map_err(|_| AppError::NotFound)?;
                    if s.status != ScriptStatus::Approved.key() {
                        return Err(AppError::NotFound);
                    }
                }
                _ => {}
            }
        }
        let row = TriggerRow {
            id: id.unwrap_or(0),
            name: f.name.trim().to_owned(),
            event: f.event.key().to_owned(),
            conditions: serde_json::to_string(&f.conditions)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            actions: serde_json::to_string(&f.actions)
                .map_err(|e| AppError::Internal(e.to_string()))?,
            active: f.active,
            position: f.position,
            fire_count: 0,
            last_error: None,
            last_error_at: None,
            version: 0,
        };
        let id = store::save(&mut tx, &row, now).await.map_err(|e| match e {
            StoreError::Conflict(_) => AppError::NameTaken,
            e => e.into(),
        })?;
        changelog::record(
            &mut tx,
            "trigger",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    pub async fn set_trigger_active(&self, actor: &Actor, id: i64, active: bool) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::Trigger, id, None).await?;
        store::set_active(&mut tx, id, active, self.now()).await?;
        changelog::record(
            &mut tx,
            "trigger",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            self.now(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}
