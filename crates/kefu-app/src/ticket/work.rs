//! Working a ticket: reading it whole, replying, writing internal notes, changing its
//! fields (each change recorded as an event: who, when, old → new), and bulk actions.

use jiff::Timestamp;
use kefu_domain::Permission;
use kefu_domain::ticket::{self as rules, Priority, StatusCategory, TicketType};
use kefu_store::ticket::conversation::{self, Attachment, Event, Message, NewMessage};
use kefu_store::ticket::setup::{self as store_setup, Field, Status};
use kefu_store::ticket::{self as store, Ticket};
use kefu_store::{AnyConnection, StoreError, changelog};

use kefu_domain::customer::{ContactValue, is_mask_of};

use super::intake::{check_assignee, check_group, clean_contact_phone, clean_email, clean_opt};
use serde_json::json;

use super::assign::auto_assignee;
use super::attachments::{Upload, store_uploads};
use super::{actor_display, check_fields, check_tier, event};
use crate::notify;
use crate::{Actor, App, AppError, Result};

/// The condition-language key of a changed ticket field (see `kefu_domain::condition`).
fn condition_key(event_field: &str) -> Option<String> {
    if let Some(k) = event_field.strip_prefix("field:") {
        return Some(format!("custom:{k}"));
    }
    let key = match event_field {
        "status" | "priority" | "type" | "subject" | "assignee" | "group" | "customer_tier" => {
            event_field
        }
        "tags" => "tag",
        _ => return None,
    };
    Some(key.to_owned())
}

/// What happens when someone replies to a closed ticket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClosedReply {
    /// The ticket opens again and the reply is added (the default: nothing the customer
    /// writes is lost).
    #[default]
    Reopen,
    /// The reply is refused with a clear error; a new ticket must be opened.
    Refuse,
}

/// Who sees a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// 公开回复 — sent to the customer.
    Public,
    /// 内部备注 — staff only.
    Internal,
}

impl Visibility {
    pub fn key(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
        }
    }
}

/// A staff reply or note, optionally moving the ticket to a new status at the same time.
#[derive(Debug, Clone)]
pub struct Reply {
    pub body: String,
    pub visibility: Visibility,
    pub status: Option<String>,
}

/// Field changes; `None` leaves a field as it is. For the optional fields, `Some(None)`
/// clears them.
#[derive(Debug, Clone, Default)]
pub struct TicketChanges {
    pub status: Option<String>,
    pub priority: Option<Priority>,
    pub ticket_type: Option<TicketType>,
    pub subject: Option<String>,
    pub assignee_id: Option<Option<i64>>,
    pub group_id: Option<Option<i64>>,
    /// Replaces all tags (free text, split into tags).
    pub tags: Option<String>,
    /// Adds tags to those already there.
    pub add_tags: Option<String>,
    pub customer_name: Option<Option<String>>,
    pub contact_name: Option<Option<String>>,
    pub contact_email: Option<Option<String>>,
    pub contact_phone: Option<Option<String>>,
    pub customer_tier: Option<Option<String>>,
    /// The portal customer the ticket belongs to.
    pub requester_id: Option<Option<i64>>,
    /// Custom field values by key; an empty value clears the field.
    pub fields: Vec<(String, String)>,
}

/// Everything the ticket page shows.
#[derive(Debug, Clone)]
pub struct TicketDetail {
    pub ticket: Ticket,
    pub messages: Vec<Message>,
    pub events: Vec<Event>,
    pub attachments: Vec<Attachment>,
    /// Custom fields with the ticket's value, active fields and retired ones that hold one.
    pub fields: Vec<(Field, Option<String>)>,
    pub statuses: Vec<Status>,
    /// (message, the history it quoted) for the messages that quoted one (mail), shown
    /// folded.
    pub quoted: Vec<(i64, String)>,
}

/// The status `key` names; an unknown key is refused with the keys of every status.
pub(super) async fn status_of(conn: &mut AnyConnection, key: &str) -> Result<Status> {
    let mut statuses = store_setup::statuses(conn).await?;
    let found = statuses.iter().position(|s| s.key == key);
    match found {
        Some(i) => Ok(statuses.swap_remove(i)),
        None => Err(AppError::UnknownStatus {
            key: key.to_owned(),
            allowed: statuses.into_iter().map(|s| s.key).collect(),
        }),
    }
}

/// Moves `t` to `status`, checking the transition and stamping resolution and closure.
pub(super) fn move_to(t: &mut Ticket, status: &Status, now: jiff::Timestamp) -> Result<()> {
    move_to_key(t, &status.key, status.category, now)
}

/// Moves `t` to the status `key` of `category`: the transition checked, the resolved and
/// closed stamps set or cleared.
pub(crate) fn move_to_key(
    t: &mut Ticket,
    key: &str,
    category: StatusCategory,
    now: jiff::Timestamp,
) -> Result<()> {
    rules::check_transition(t.category, category)?;
    // Reopening clears the stamps; resolving or closing sets them below.
    if category.is_active() {
        t.resolved_at = None;
        t.closed_at = None;
    }
    match category {
        StatusCategory::Resolved => t.resolved_at = Some(now),
        StatusCategory::Closed => {
            t.closed_at = Some(now);
            t.resolved_at.get_or_insert(now);
        }
        _ => {}
    }
    if t.status != key {
        t.status_changed_at = now;
    }
    t.status = key.to_owned();
    t.category = category;
    Ok(())
}

impl App {
    /// The ticket with its conversation, history, attachments and custom fields.
    pub async fn ticket_detail(&self, actor: &Actor, id: i64) -> Result<TicketDetail> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        let ticket = crate::confidential::mask_ticket(store::by_id(&mut conn, id).await?);
        let messages = conversation::messages(&mut conn, id, false).await?;
        let mut events = conversation::events(&mut conn, id).await?;
        crate::confidential::mask_events(&mut events);
        let attachments = conversation::attachments(&mut conn, id).await?;
        let values = store_setup::field_values(&mut conn, id).await?;
        let fields = store_setup::fields(&mut conn)
            .await?
            .into_iter()
            .map(|f| {
                let v = values
                    .iter()
                    .find(|(fid, _)| *fid == f.id)
                    .map(|(_, v)| v.clone());
                (f, v)
            })
            .filter(|(f, v)| f.active || v.is_some())
            .collect();
        let statuses = store_setup::statuses(&mut conn).await?;
        let quoted = conversation::quoted_texts(&mut conn, id).await?;
        Ok(TicketDetail {
            ticket,
            messages,
            events,
            attachments,
            fields,
            statuses,
            quoted,
        })
    }

    /// Finds a ticket by its human number.
    pub async fn ticket_by_number(&self, actor: &Actor, number: &str) -> Result<Ticket> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        Ok(crate::confidential::mask_ticket(
            store::by_number(&mut conn, number.trim()).await?,
        ))
    }

    /// Adds a staff reply or internal note. A public reply is the ticket's first response
    /// when none came before, and opens a new ticket; a reply to a closed ticket reopens it
    /// or is refused, per [`ClosedReply`].
    pub async fn reply(&self, actor: &Actor, id: i64, reply: &Reply) -> Result<Message> {
        self.reply_with_files(actor, id, reply, &[]).await
    }

    /// [`reply`](Self::reply) with files attached to the message. Every file is checked
    /// before anything is written; one refused file refuses the reply.
    pub async fn reply_with_files(
        &self,
        actor: &Actor,
        id: i64,
        reply: &Reply,
        files: &[Upload],
    ) -> Result<Message> {
        actor.require(Permission::TicketWork)?;
        let body = rules::clean_body(&reply.body)?;
        let checked = self.check_uploads(files)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let message_id = self
            .reply_in(
                &mut tx,
                actor,
                id,
                &body,
                reply.visibility,
                reply.status.as_deref(),
                &checked,
                now,
            )
            .await?;
        let message = conversation::messages(&mut tx, id, false)
            .await?
            .into_iter()
            .find(|m| m.id == message_id)
            .ok_or(AppError::NotFound)?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(message)
    }

    /// Adds a checked reply or note to ticket `id` inside the caller's transaction: the
    /// status moves as a reply moves it, SLA and triggers run, files are stored. Other
    /// areas (complaints) answer the customer through here in their own transaction.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn reply_in(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        body: &str,
        visibility: Visibility,
        status: Option<&str>,
        checked: &[super::attachments::Checked<'_>],
        now: Timestamp,
    ) -> Result<i64> {
        let mut t = store::by_id(&mut *conn, id).await?;
        let before = t.clone();
        if t.category == StatusCategory::Closed {
            match self.settings.closed_reply {
                ClosedReply::Refuse => return Err(AppError::TicketClosed),
                ClosedReply::Reopen => {
                    let open = status_of(&mut *conn, StatusCategory::Open.key()).await?;
                    move_to(&mut t, &open, now)?;
                }
            }
        }
        let name = actor_display(actor);
        let message_id = conversation::add_message(
            &mut *conn,
            &NewMessage {
                ticket_id: id,
                visibility: visibility.key(),
                author_kind: "staff",
                author_user_id: actor.user_id(),
                author_name: &name,
                body,
                at: now,
            },
        )
        .await?;
        if visibility == Visibility::Public {
            t.first_response_at.get_or_insert(now);
            if t.sla.awaiting_reply_since.take().is_some() {
                // A late answer counts as a breach unless the check already counted it.
                if let Some(due) = t.sla.next_response_due_at
                    && now > due
                    && t.sla.escalated_due_at != Some(due)
                {
                    t.sla.next_response_breaches += 1;
                    t.sla.escalated_due_at = Some(due);
                }
            }
        }
        match status.filter(|s| !s.is_empty()) {
            Some(key) => {
                let status = status_of(&mut *conn, key).await?;
                if status.key != t.status {
                    move_to(&mut t, &status, now)?;
                }
            }
            None if t.category == StatusCategory::New && visibility == Visibility::Public => {
                let open = status_of(&mut *conn, StatusCategory::Open.key()).await?;
                move_to(&mut t, &open, now)?;
            }
            None => {}
        }
        if t.status != before.status {
            event(
                &mut *conn,
                id,
                actor,
                now,
                "status",
                Some(before.status.clone()),
                Some(t.status.clone()),
            )
            .await?;
        }
        t.updated_at = now;
        let changed: Vec<String> = (t.status != before.status)
            .then(|| "status".to_owned())
            .into_iter()
            .collect();
        self.apply_update_rules(&mut *conn, &mut t, before.category, &changed, now)
            .await?;
        store::save(&mut *conn, &t).await?;
        changelog::record(
            &mut *conn,
            "ticket",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        store_uploads(&mut *conn, id, Some(message_id), checked, now).await?;
        if visibility == Visibility::Public {
            // The answer goes back the way the customer wrote (queued with the reply).
            self.queue_reply(&mut *conn, &t, message_id, now).await?;
            // An answer to the customer is contact with them (最近联系). Written last: the
            // customer's row stays locked until the commit, and agents answering tickets of
            // one large customer at once wait on it (up to 230 ms on PostgreSQL in
            // `kefu-bench day` while it was written before the triggers and the SLA).
            if let Some(customer) = t.customer_id {
                kefu_store::customer::touch_contact(&mut *conn, customer, now).await?;
            }
        }
        Ok(message_id)
    }

    /// Changes a ticket's fields; every change becomes an event. Nothing is written unless
    /// every change is valid.
    ///
    /// `expected` is the version the caller's changes were made against (an API client's
    /// `If-Match`, the version a form was rendered with); `None` when the caller did not
    /// say. When the ticket has moved on from it, nothing is written and the answer is
    /// [`AppError::StaleVersion`] with the current version and the fields changed since.
    pub async fn update_ticket(
        &self,
        actor: &Actor,
        id: i64,
        changes: &TicketChanges,
        expected: Option<i64>,
    ) -> Result<Ticket> {
        actor.require(Permission::TicketWork)?;
        let mut tx = self.store.begin().await?;
        self.apply_changes(&mut tx, actor, id, changes, expected)
            .await?;
        let ticket = store::by_id(&mut tx, id).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(crate::confidential::mask_ticket(ticket))
    }

    /// Applies the same changes to several tickets, all or none: one invalid ticket (say,
    /// one already closed when closing) refuses the whole batch and names the ticket. Says
    /// how many it changed and how many already were as asked.
    pub async fn bulk_update(
        &self,
        actor: &Actor,
        ids: &[i64],
        changes: &TicketChanges,
    ) -> Result<BulkOutcome> {
        actor.require(Permission::TicketWork)?;
        if ids.is_empty() {
            return Err(AppError::NothingSelected);
        }
        if ids.len() > 500 {
            return Err(AppError::TooMany { max: 500 });
        }
        let mut tx = self.store.begin().await?;
        let mut outcome = BulkOutcome::default();
        for id in ids {
            match self.apply_changes(&mut tx, actor, *id, changes, None).await {
                Ok(true) => outcome.changed += 1,
                Ok(false) => outcome.unchanged += 1,
                Err(AppError::Ticket(e)) => {
                    let number = store::by_id(&mut tx, *id).await?.number;
                    return Err(AppError::InTicket {
                        number,
                        reason: Box::new(AppError::Ticket(e)),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(outcome)
    }

    /// Applies `c` to ticket `id` inside the caller's transaction. With an `expected`
    /// version, the ticket is first taken at that version — checked and locked in one
    /// statement, so no other writer can come between the check and this write — or the
    /// changes are refused as stale. `false` when the ticket already was as asked (nothing
    /// written).
    pub(crate) async fn apply_changes(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        id: i64,
        c: &TicketChanges,
        expected: Option<i64>,
    ) -> Result<bool> {
        if let Some(v) = expected
            && !store::lock_at_version(conn, id, v).await?
        {
            let current = store::by_id(conn, id).await?.version;
            let changed = store::changed_since(conn, id, v).await?;
            return Err(AppError::StaleVersion { current, changed });
        }
        let now = self.now();
        let mut t = store::by_id(conn, id).await?;
        let before = t.clone();
        let mut changes: Vec<(&str, Option<String>, Option<String>)> = Vec::new();

        if let Some(key) = c.status.as_deref().filter(|k| *k != t.status) {
            let status = status_of(conn, key).await?;
            move_to(&mut t, &status, now)?;
            changes.push((
                "status",
                Some(before.status.clone()),
                Some(t.status.clone()),
            ));
        }
        if let Some(p) = c.priority.filter(|p| *p != t.priority) {
            t.priority = p;
            changes.push((
                "priority",
                Some(before.priority.key().into()),
                Some(p.key().into()),
            ));
        }
        if let Some(ty) = c.ticket_type.filter(|ty| *ty != t.ticket_type) {
            t.ticket_type = ty;
            changes.push((
                "type",
                Some(before.ticket_type.key().into()),
                Some(ty.key().into()),
            ));
        }
        if let Some(s) = &c.subject {
            let s = rules::clean_subject(s)?;
            if s != t.subject {
                changes.push(("subject", Some(t.subject.clone()), Some(s.clone())));
                t.subject = s;
            }
        }
        if let Some(a) = c.assignee_id.filter(|a| *a != t.assignee_id) {
            let name = match a {
                Some(uid) => Some(check_assignee(conn, uid).await?),
                None => None,
            };
            t.assignee_id = a;
            changes.push(("assignee", before.assignee_name.clone(), name));
        }
        if let Some(g) = c.group_id.filter(|g| *g != t.group_id) {
            let name = match g {
                Some(gid) => Some(check_group(conn, gid).await?),
                None => None,
            };
            t.group_id = g;
            changes.push(("group", before.group_name.clone(), name));
            // Moved to a group that assigns automatically, with nobody named: it assigns.
            if let (Some(gid), None, None) = (g, t.assignee_id, c.assignee_id)
                && let Some(uid) = {
                    let calendar = self.business_calendar(conn).await?;
                    let off = crate::shift::off_duty(conn, &calendar, now).await?;
                    auto_assignee(conn, gid, &[], &off).await?
                }
            {
                let name = check_assignee(conn, uid).await?;
                t.assignee_id = Some(uid);
                changes.push(("assignee", None, Some(name)));
            }
        }
        let mut tags = t.tags.clone();
        if let Some(text) = &c.tags {
            tags = rules::clean_tags(text)?;
        }
        if let Some(text) = &c.add_tags {
            for tag in rules::clean_tags(text)? {
                if !tags.contains(&tag) {
                    tags.push(tag);
                }
            }
        }
        if tags != t.tags {
            changes.push((
                "tags",
                Some(t.tags.join(", ")).filter(|s| !s.is_empty()),
                Some(tags.join(", ")).filter(|s| !s.is_empty()),
            ));
            t.tags = tags;
        }
        let text_fields: [(&str, &Option<Option<String>>, usize); 4] = [
            ("customer", &c.customer_name, 200),
            ("contact_name", &c.contact_name, 100),
            ("contact_email", &c.contact_email, 254),
            ("contact_phone", &c.contact_phone, 40),
        ];
        for (name, change, max) in text_fields {
            let Some(v) = change else { continue };
            let slot = match name {
                "customer" => &mut t.customer_name,
                "contact_name" => &mut t.contact_name,
                "contact_email" => &mut t.contact_email,
                _ => &mut t.contact_phone,
            };
            // A form shows contact values masked; sent back unchanged, the stored one stays.
            let masker = match name {
                "contact_email" => Some(ContactValue::Email.masker()),
                "contact_phone" => Some(ContactValue::Phone.masker()),
                _ => None,
            };
            if let (Some(m), Some(sent)) = (masker, v.as_deref())
                && is_mask_of(sent, slot.as_deref(), m)
            {
                continue;
            }
            let v = match name {
                "contact_email" => clean_email(v.as_deref())?,
                "contact_phone" => clean_contact_phone(v.as_deref())?,
                _ => clean_opt(v.as_deref(), max)?,
            };
            if *slot != v {
                changes.push((name, slot.clone(), v.clone()));
                *slot = v;
            }
        }
        if let Some(tier) = &c.customer_tier {
            let tier = check_tier(tier.as_deref())?;
            if tier != t.sla.customer_tier {
                changes.push(("customer_tier", t.sla.customer_tier.clone(), tier.clone()));
                t.sla.customer_tier = tier;
            }
        }
        if let Some(r) = c.requester_id.filter(|r| *r != t.requester_id) {
            if let Some(id) = r {
                super::intake::check_requester(conn, id).await?;
            }
            changes.push((
                "requester",
                t.requester_id.map(|v| v.to_string()),
                r.map(|v| v.to_string()),
            ));
            kefu_store::portal::set_requester(conn, id, r).await?;
            t.requester_id = r;
        }
        let fields = check_fields(conn, &c.fields).await?;
        let old_values = store_setup::field_values(conn, id).await?;
        let mut field_changes = Vec::new();
        for (field, value) in &fields {
            let old = old_values
                .iter()
                .find(|(fid, _)| *fid == field.id)
                .map(|(_, v)| v.clone());
            if old != *value {
                store_setup::set_field_value(conn, id, field.id, value.as_deref()).await?;
                field_changes.push((format!("field:{}", field.key), old, value.clone()));
            }
        }

        if changes.is_empty() && field_changes.is_empty() {
            return Ok(false);
        }
        t.updated_at = now;
        let changed: Vec<String> = changes
            .iter()
            .filter_map(|(f, _, _)| condition_key(f))
            .chain(
                field_changes
                    .iter()
                    .filter_map(|(f, _, _)| condition_key(f)),
            )
            .collect();
        for (field, old, new) in changes {
            event(conn, id, actor, now, field, old, new).await?;
        }
        for (field, old, new) in field_changes {
            event(conn, id, actor, now, &field, old, new).await?;
        }
        self.apply_update_rules(conn, &mut t, before.category, &changed, now)
            .await?;
        store::save(conn, &t).await?;
        if let Some(a) = t
            .assignee_id
            .filter(|a| before.assignee_id != Some(*a) && Some(*a) != actor.user_id())
        {
            let params = json!({"number": t.number, "subject": t.subject});
            notify::notify(conn, &[a], notify::kind::ASSIGNED, Some(id), &params, now).await?;
        }
        changelog::record(
            conn,
            "ticket",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        Ok(true)
    }
}

/// What a bulk action did: the tickets it changed, and those already as asked (resolving
/// a resolved ticket, assigning one to whom it already had).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkOutcome {
    pub changed: usize,
    pub unchanged: usize,
}

/// How long a presence heartbeat counts.
const PRESENCE_TTL: jiff::SignedDuration = jiff::SignedDuration::from_secs(30);

/// Another agent on the same ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub user_id: i64,
    pub name: String,
    pub replying: bool,
}

impl App {
    /// Records that the signed-in agent has the ticket open (writing a reply or not) and
    /// returns the others who have it open, so the page can warn of a second answer.
    pub async fn ticket_presence(
        &self,
        actor: &Actor,
        id: i64,
        replying: bool,
    ) -> Result<Vec<Presence>> {
        actor.require(Permission::TicketWork)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        store::by_id(&mut conn, id).await?;
        kefu_store::ticket::presence::touch(&mut conn, id, me, replying, now).await?;
        Ok(
            kefu_store::ticket::presence::others(&mut conn, id, me, now - PRESENCE_TTL)
                .await?
                .into_iter()
                .map(|(user_id, name, replying)| Presence {
                    user_id,
                    name,
                    replying,
                })
                .collect(),
        )
    }

    /// Drops presence records that ran out (run with the session purge).
    pub async fn purge_presence(&self) -> Result<u64> {
        let mut conn = self.store.conn().await?;
        Ok(kefu_store::ticket::presence::purge(&mut conn, self.now() - PRESENCE_TTL).await?)
    }

    /// Ticket changes after change-log entry `after` (for live updates): the last entry
    /// read, and (ticket id, who changed it) for each change.
    pub async fn ticket_changes_since(&self, after: i64) -> Result<(i64, Vec<(i64, Option<i64>)>)> {
        let mut conn = self.store.conn().await?;
        let changes = kefu_store::changelog::since(&mut conn, after, 500).await?;
        let last = changes.last().map_or(after, |c| c.id);
        let mut out: Vec<(i64, Option<i64>)> = changes
            .into_iter()
            .filter(|c| c.entity == "ticket")
            .map(|c| (c.entity_id, c.actor_user_id))
            .collect();
        out.dedup();
        Ok((last, out))
    }

    /// Every change after change-log entry `after` (for live updates): the last entry read,
    /// and per change the ticket it is about (`None`: another record) and who made it.
    /// Changes to other records are told once per read: the pages that follow them (the
    /// workbench) only refresh.
    pub async fn live_changes_since(
        &self,
        after: i64,
    ) -> Result<(i64, Vec<(Option<i64>, Option<i64>)>)> {
        let mut conn = self.store.conn().await?;
        let changes = kefu_store::changelog::since(&mut conn, after, 500).await?;
        let last = changes.last().map_or(after, |c| c.id);
        let mut out: Vec<(Option<i64>, Option<i64>)> = Vec::new();
        let mut other = false;
        for c in changes {
            if c.entity == "ticket" {
                out.push((Some(c.entity_id), c.actor_user_id));
            } else if !other {
                other = true;
                out.push((None, c.actor_user_id));
            }
        }
        out.dedup();
        Ok((last, out))
    }

    /// Where live updates start: the newest change-log entry.
    pub async fn change_log_head(&self) -> Result<i64> {
        let mut conn = self.store.conn().await?;
        Ok(kefu_store::changelog::latest_id(&mut conn).await?)
    }
}
