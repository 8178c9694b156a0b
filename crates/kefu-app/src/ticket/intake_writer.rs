//! 合并写入 — new tickets that arrive together are written together: one transaction, a few
//! multi-row statements, instead of a transaction of seven round trips each.
//!
//! On SQLite writers take turns, and a turn per ticket caps intake at what one writer does
//! round trip by round trip; on PostgreSQL every commit waits for its log flush. Requests
//! that have passed every check and read queue here; whoever gets the write turn takes all
//! that are waiting and writes them in one go. With one request at a time the batch is that
//! one request, so nothing waits for a batch to fill. When a batch fails (an external id
//! that another delivery took in the meantime, a portal customer deactivated since the
//! check) its transaction is rolled back and each request is written on its own, so each
//! gets its own answer and nothing is half-written.
//!
//! A request with an `Idempotency-Key` takes the same path: its key is claimed in the
//! batch's transaction, with its ticket. A second request with the key in the same batch,
//! or one whose key another request holds by now, fails the batch like a taken external
//! id; written alone, it gets the ticket the key's holder created.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use jiff::civil::Date;
use kefu_domain::ticket::{self as rules, StatusCategory};
use kefu_domain::trigger::TriggerEvent;
use kefu_store::StoreError;
use kefu_store::bulk::{self, Batch};
use kefu_store::ticket::conversation::{self, Event, Message, NewMessage};
use kefu_store::ticket::setup::{self as store_setup, Field};
use kefu_store::ticket::{self as store, Ticket};
use serde_json::json;
use tokio::sync::oneshot;

use super::assign::auto_assignee;
use super::attachments::{Checked, store_uploads};
use super::landing::Landing;
use super::{IntakeOutcome, actor_display};
use crate::idempotency::{self, IdempotencyKey, Resource};
use crate::notify;
use crate::{Actor, ActorKind, App, AppError, Result};

/// Most tickets written in one transaction; more waiting go in the next.
const MAX_BATCH: usize = 64;

/// A request that passed every check, with everything read that its writing needs.
pub(super) struct Prepared {
    pub actor: Actor,
    /// The ticket as it will be stored, but for its id, number and automatic assignee.
    pub ticket: Ticket,
    pub date: Date,
    pub day: String,
    /// The customer's words, the first message.
    pub body: String,
    pub author: String,
    pub fields: Vec<(Field, Option<String>)>,
    /// The group whose rule picks the assignee, when none was chosen.
    pub auto_group: Option<i64>,
    /// The `Idempotency-Key` the ticket's transaction claims, and what it is remembered as.
    pub claim: Option<(IdempotencyKey, Resource)>,
    /// The delivery (a mail, a text) the ticket comes from, written with it (such a request
    /// is written alone).
    pub landing: Option<Landing>,
}

struct Job {
    prepared: Prepared,
    reply: oneshot::Sender<Result<IntakeOutcome>>,
}

/// Requests waiting to be written, and the turn to write them.
#[derive(Default)]
pub struct IntakeQueue {
    waiting: Mutex<Vec<Job>>,
    turn: Arc<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for IntakeQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IntakeQueue").finish_non_exhaustive()
    }
}

impl IntakeQueue {
    fn push(&self, job: Job) {
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(job);
    }

    fn take(&self) -> Vec<Job> {
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let at = waiting.len().min(MAX_BATCH);
        let rest = waiting.split_off(at);
        std::mem::replace(&mut *waiting, rest)
    }
}

impl App {
    /// Writes a prepared request together with whatever others are waiting; answers when
    /// its ticket is committed.
    pub(super) async fn write_queued(&self, prepared: Prepared) -> Result<IntakeOutcome> {
        let (reply, mut answer) = oneshot::channel();
        let queue = &self.intake_queue;
        queue.push(Job { prepared, reply });
        loop {
            let turn = tokio::select! {
                biased;
                out = &mut answer => return out.unwrap_or_else(|_| Err(stopped())),
                turn = queue.turn.clone().lock_owned() => turn,
            };
            let jobs = queue.take();
            if jobs.is_empty() {
                drop(turn);
                return answer.await.unwrap_or_else(|_| Err(stopped()));
            }
            // The batch is written by a task of its own, holding the turn: a request whose
            // client hangs up mid-write must not take the others' tickets down with it.
            let app = self.clone();
            let _ = tokio::spawn(async move {
                app.write_jobs(jobs).await;
                drop(turn);
            })
            .await;
        }
    }

    async fn write_jobs(&self, jobs: Vec<Job>) {
        let (prepared, replies): (Vec<Prepared>, Vec<_>) =
            jobs.into_iter().map(|j| (j.prepared, j.reply)).unzip();
        if prepared.len() > 1
            && let Ok(outcomes) = self.write_together(&prepared, &[]).await
        {
            for (reply, out) in replies.into_iter().zip(outcomes) {
                let _ = reply.send(Ok(out));
            }
            return;
        }
        for (p, reply) in prepared.iter().zip(replies) {
            let _ = reply.send(self.write_alone(p, &[]).await);
        }
    }

    /// One request in a transaction of its own; a ticket another delivery of the same
    /// request (same `Idempotency-Key`, or same external id) created in the meantime is
    /// handed back instead.
    pub(super) async fn write_alone(
        &self,
        p: &Prepared,
        files: &[Checked<'_>],
    ) -> Result<IntakeOutcome> {
        let err = match self.write_together(std::slice::from_ref(p), files).await {
            Ok(mut out) => return Ok(out.remove(0)),
            Err(e) => e,
        };
        let conflict = matches!(err, AppError::Store(StoreError::Conflict(_)));
        // A mail's or text's claim (or its id as external id) taken by another delivery:
        // the channel's path finds that delivery's answer itself.
        if conflict && p.landing.is_some() {
            return Err(err);
        }
        if conflict
            && let Some((key, resource)) = &p.claim
            && let Some(id) = self.replay_of(key, *resource).await?
        {
            let mut conn = self.store.conn().await?;
            return Ok(IntakeOutcome::replay(store::by_id(&mut conn, id).await?));
        }
        match err {
            AppError::Store(StoreError::Conflict(_)) if p.ticket.external_id.is_some() => {
                let mut conn = self.store.conn().await?;
                let ext = p.ticket.external_id.as_deref().unwrap_or_default();
                match store::by_external_id(&mut conn, p.ticket.channel, ext).await? {
                    Some(ticket) => Ok(IntakeOutcome {
                        ticket,
                        created: false,
                        replayed: false,
                    }),
                    None => Err(AppError::Internal("ticket number collision".into())),
                }
            }
            e => Err(e),
        }
    }

    /// Writes the requests in one transaction; `files` go with the first message of the
    /// first (a request with files is written alone).
    async fn write_together(
        &self,
        items: &[Prepared],
        files: &[Checked<'_>],
    ) -> Result<Vec<IntakeOutcome>> {
        // The SLA policies and the creation triggers, read once for the batch (and before
        // the write lock): every ticket of it is measured and triggered by the same set-up.
        let (rules, owners) = {
            let mut conn = self.store.conn().await?;
            let rules = self.ticket_rules(&mut conn).await?;
            let owners = known_customers(&mut conn, items).await?;
            (rules, owners)
        };
        let (sla, triggers) = (&rules.sla, rules.triggers(TriggerEvent::Create));
        let block = self.store.backend().ticket_number_block();
        let mut seqs = Vec::with_capacity(items.len());
        if block > 1 {
            for p in items {
                seqs.push(self.numbers.take(&self.store, &p.day, block).await?);
            }
        }
        let mut tx = self.store.begin().await?;
        if block == 1 {
            seqs = numbers_in_turn(&mut tx, items).await?;
        }
        let ids = bulk::reserve_ids(&mut tx, "tickets", items.len()).await?;
        let mut batch = Batch::default();
        let mut tickets = Vec::with_capacity(items.len());
        let mut chosen = Vec::new();
        // Who is off duty is read once, and only when a ticket is to be assigned.
        let off = if items.iter().any(|p| p.auto_group.is_some()) {
            let calendar = self.business_calendar(&mut tx).await?;
            crate::shift::off_duty(&mut tx, &calendar, self.now()).await?
        } else {
            Default::default()
        };
        for (((p, id), seq), owner) in items.iter().zip(&ids).zip(&seqs).zip(owners) {
            let mut t = p.ticket.clone();
            t.id = *id;
            t.customer_id = t.customer_id.or(owner);
            t.number = rules::ticket_number(p.date, *seq);
            if let Some(group) = p.auto_group {
                t.assignee_id = auto_assignee(&mut tx, group, &chosen, &off).await?;
                chosen.extend(t.assignee_id);
            }
            let now = t.created_at;
            sla.refresh(&mut t, None, now);
            // The key first: a request whose key is taken fails before the rest is written.
            if let Some((key, resource)) = &p.claim {
                idempotency::claim(&mut tx, key, *resource, t.id, now).await?;
            }
            batch.ticket(&t);
            if files.is_empty() && p.landing.is_none() {
                batch.message(&first_message(p, t.id));
            }
            batch.event(&Event {
                id: 0,
                ticket_id: t.id,
                at: now,
                actor_user_id: p.actor.user_id(),
                actor_name: actor_display(&p.actor),
                field: "created".to_owned(),
                old_value: None,
                new_value: Some(t.channel.key().to_owned()),
            });
            batch.change("ticket", t.id, p.actor.user_id(), now);
            tickets.push(t);
        }
        batch.write(&mut tx).await?;

        let mut outcomes = Vec::with_capacity(items.len());
        for (p, mut ticket) in items.iter().zip(tickets) {
            let (id, now) = (ticket.id, ticket.created_at);
            if !files.is_empty() || p.landing.is_some() {
                let m = first_message(p, id);
                let message_id = conversation::insert_message(
                    &mut tx,
                    &NewMessage {
                        ticket_id: id,
                        visibility: &m.visibility,
                        author_kind: &m.author_kind,
                        author_user_id: None,
                        author_name: &m.author_name,
                        body: &m.body,
                        at: now,
                    },
                )
                .await?;
                store_uploads(&mut tx, id, Some(message_id), files, now).await?;
                if let Some(landing) = &p.landing {
                    landing.write(&mut tx, id, message_id, now).await?;
                }
            }
            for (field, value) in &p.fields {
                store_setup::set_field_value(&mut tx, id, field.id, value.as_deref()).await?;
            }
            if let Some(a) = ticket.assignee_id.filter(|a| Some(*a) != p.actor.user_id()) {
                let params = json!({"number": ticket.number, "subject": ticket.subject});
                notify::notify(
                    &mut tx,
                    &[a],
                    notify::kind::ASSIGNED,
                    Some(id),
                    &params,
                    now,
                )
                .await?;
            }
            if matches!(p.actor.kind, ActorKind::Anonymous) {
                let target = id.to_string();
                let target = Some(crate::audit::Target {
                    kind: "ticket",
                    id: &target,
                });
                crate::audit::write(
                    &mut tx,
                    self,
                    &p.actor,
                    crate::audit::action::WEB_FORM_SUBMITTED,
                    target,
                    None,
                )
                .await?;
            }
            if let Some(customer) = ticket.customer_id {
                kefu_store::customer::touch_contact(&mut tx, customer, now).await?;
            }
            if !triggers.is_empty() {
                let mut stored = store::by_id(&mut tx, id).await?;
                if self
                    .run_loaded_triggers(&mut tx, triggers, sla, &mut stored, &[], now)
                    .await?
                {
                    sla.refresh(&mut stored, Some(StatusCategory::New), now);
                    stored.version = store::save(&mut tx, &stored).await?;
                }
                ticket = stored;
            } else if p.auto_group.is_some() && ticket.assignee_id.is_some() {
                // The name of the member the group's rule chose.
                ticket = store::by_id(&mut tx, id).await?;
            }
            outcomes.push(IntakeOutcome {
                ticket,
                created: true,
                replayed: false,
            });
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(outcomes)
    }
}

/// The next numbers of each request's day, taken inside the write turn: on SQLite numbers
/// follow creation without gaps.
async fn numbers_in_turn(
    conn: &mut kefu_store::AnyConnection,
    items: &[Prepared],
) -> Result<Vec<i64>> {
    let mut per_day: BTreeMap<&str, i64> = BTreeMap::new();
    for p in items {
        *per_day.entry(&p.day).or_default() += 1;
    }
    let mut next = BTreeMap::new();
    for (day, n) in per_day {
        let last = store::next_seq_block(conn, day, n).await?;
        next.insert(day, last - n + 1);
    }
    Ok(items
        .iter()
        .map(|p| {
            let seq = next.get_mut(p.day.as_str()).expect("counted above");
            *seq += 1;
            *seq - 1
        })
        .collect())
}

/// The archive's customer each new ticket belongs to: the one customer whose contact has
/// the ticket's mobile number, if exactly one has.
async fn known_customers(
    conn: &mut kefu_store::AnyConnection,
    items: &[Prepared],
) -> Result<Vec<Option<i64>>> {
    let mobiles: Vec<Option<String>> = items
        .iter()
        .map(|p| {
            let phone = p.ticket.contact_phone.as_deref()?;
            kefu_domain::customer::clean_mobile(phone).ok()
        })
        .collect();
    let mut asked: Vec<String> = mobiles.iter().flatten().cloned().collect();
    asked.sort_unstable();
    asked.dedup();
    let found = kefu_store::customer::owners_by_mobile(conn, &asked).await?;
    Ok(mobiles
        .iter()
        .map(|m| {
            let m = m.as_deref()?;
            let mut owners = found.iter().filter(|(mobile, _)| mobile == m);
            match (owners.next(), owners.next()) {
                (Some((_, only)), None) => Some(*only),
                _ => None,
            }
        })
        .collect())
}

fn first_message(p: &Prepared, ticket_id: i64) -> Message {
    Message {
        id: 0,
        ticket_id,
        visibility: "public".to_owned(),
        author_kind: "customer".to_owned(),
        author_user_id: None,
        author_name: p.author.clone(),
        body: p.body.clone(),
        created_at: p.ticket.created_at,
    }
}

fn stopped() -> AppError {
    AppError::Internal("ticket intake stopped".into())
}
