//! 搜索 — one search box over tickets, customers, contacts and reply scripts.
//!
//! The index is derived from the database: [`App::search_catch_up`] reads the change log
//! after the index's cursor and rewrites what changed (run every half second by the server,
//! so a save is searchable within a second, on every instance); [`App::reindex`] rebuilds
//! it all (an entry that commits after a later one is still read: see [`gaps`]). Results are
//! cut to what the reader may open, and phone digits are searched only
//! for those who may see phone numbers.

use std::collections::BTreeSet;

use kefu_domain::Permission;
use kefu_search::{Doc, Hit, Kind, SearchIndex, SearchQuery};
use kefu_store::{changelog, customer, kb, search as store, ticket};

use crate::{Actor, App, AppError, Result};

mod gaps;

pub(crate) use gaps::Gaps;

/// Change-log entries read per round.
const BATCH: i64 = 500;

/// Most customers the index hands the archive's list box for one text. A text found in more
/// is looked for by the list itself, newest first, which meets a common word quickly.
const LIST_MATCHES: usize = 500;

/// What the search box and the API ask.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    pub kind: Option<Kind>,
    pub status: Option<String>,
    pub doc_type: Option<String>,
    pub tier: Option<String>,
    pub assignee: Option<i64>,
    pub from: Option<jiff::Timestamp>,
    pub to: Option<jiff::Timestamp>,
    pub limit: usize,
}

/// One hit as the search page shows it: a ticket found comes with what tells it apart
/// from the others at a glance.
#[derive(Debug, Clone)]
pub struct HitView {
    pub hit: Hit,
    /// For a ticket: how it stands now (`None` for other kinds, or a ticket gone since).
    pub ticket: Option<TicketFacts>,
}

/// A ticket hit's status, customer and dates, read from the ticket as it is now (the index
/// may lag a moment). The customer is a name; contact values stay out of it.
#[derive(Debug, Clone)]
pub struct TicketFacts {
    pub status: String,
    pub status_zh: String,
    pub status_en: String,
    pub category: kefu_domain::ticket::StatusCategory,
    /// The customer's name, else the contact's.
    pub customer: Option<String>,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
}

impl TicketFacts {
    /// The status's name in the reader's language.
    pub fn status_name(&self, locale: kefu_domain::Locale) -> &str {
        match locale {
            kefu_domain::Locale::En => &self.status_en,
            _ => &self.status_zh,
        }
    }
}

fn err(e: kefu_search::SearchError) -> AppError {
    AppError::Internal(e.to_string())
}

impl App {
    fn index(&self) -> Result<&SearchIndex> {
        self.search.as_deref().ok_or(AppError::SearchUnavailable)
    }

    /// The hits the reader may open, best first.
    pub async fn search(&self, actor: &Actor, r: &SearchRequest) -> Result<Vec<Hit>> {
        actor.require(Permission::DashboardView)?;
        let index = self.index()?;
        let mut kinds = Vec::new();
        if actor.require(Permission::TicketWork).is_ok() {
            kinds.extend([Kind::Ticket, Kind::Script]);
        }
        if actor.require(Permission::CustomerView).is_ok() {
            kinds.extend([Kind::Customer, Kind::Contact]);
        }
        if let Some(k) = r.kind {
            kinds.retain(|x| *x == k);
        }
        let q = SearchQuery {
            text: r.text.clone(),
            kinds,
            phones: actor.require(Permission::CustomerReveal).is_ok(),
            status: r.status.clone(),
            doc_type: r.doc_type.clone(),
            tier: r.tier.clone(),
            assignee: r.assignee,
            from: r.from.map(kefu_store::to_micros),
            to: r.to.map(kefu_store::to_micros),
            limit: r.limit.clamp(1, 100),
            now: Some(kefu_store::to_micros(self.now())),
        };
        let may_review = actor.require(Permission::ScriptApprove).is_ok();
        let hits = index.search(&q).map_err(err)?;
        // Scripts not yet approved are for those who review them.
        Ok(hits
            .into_iter()
            .filter(|h| h.kind != Kind::Script || may_review || h.status == "approved")
            .collect())
    }

    /// [`search`](Self::search) with the facts of each ticket found, read in one query.
    pub async fn search_view(&self, actor: &Actor, r: &SearchRequest) -> Result<Vec<HitView>> {
        let hits = self.search(actor, r).await?;
        let ids: Vec<i64> = hits
            .iter()
            .filter(|h| h.kind == Kind::Ticket)
            .map(|h| h.id)
            .collect();
        let (tickets, statuses) = if ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            let mut conn = self.store.conn().await?;
            let tickets = ticket::by_ids(&mut conn, &ids).await?;
            (tickets, ticket::setup::statuses(&mut conn).await?)
        };
        Ok(hits
            .into_iter()
            .map(|hit| {
                let facts = tickets
                    .iter()
                    .find(|t| hit.kind == Kind::Ticket && t.id == hit.id)
                    .map(|t| {
                        let status = statuses.iter().find(|s| s.key == t.status);
                        TicketFacts {
                            status: t.status.clone(),
                            status_zh: status
                                .map_or_else(|| t.status.clone(), |s| s.name_zh.clone()),
                            status_en: status
                                .map_or_else(|| t.status.clone(), |s| s.name_en.clone()),
                            category: t.category,
                            customer: t.customer_name.clone().or(t.contact_name.clone()),
                            created_at: t.created_at,
                            updated_at: t.updated_at,
                        }
                    });
                HitView { hit, ticket: facts }
            })
            .collect())
    }

    /// The archive list box's text answered by the index: Chinese text (part of a company's
    /// or a contact's name) and, for those who may see phone numbers, phone digits — both of
    /// which the list would otherwise look for in every name or number. Returns the
    /// customers found and those changed since the index's snapshot, which the list checks
    /// itself. `None` leaves it all to the list: no index, an index still being built or far
    /// behind, digits from a reader who may not see numbers (the list's own permission
    /// applies), an e-mail, Latin letters, or a text too common to collect.
    pub(crate) async fn customers_in_index(
        &self,
        actor: &Actor,
        text: Option<&str>,
    ) -> Result<Option<(Vec<i64>, Vec<i64>)>> {
        let (Some(index), Some(text)) = (self.search.as_deref(), text.map(str::trim)) else {
            return Ok(None);
        };
        let chinese = text.chars().count() >= 2 && text.chars().all(kefu_search::tokenize::is_han);
        let digits = kefu_domain::customer::phone_digits_query(text)
            .filter(|_| actor.require(Permission::CustomerReveal).is_ok());
        let phones = digits.is_some();
        if !chinese && !phones {
            return Ok(None);
        }
        // The digits as one part: "138 1234 5678" is one number, not three.
        let text = digits.unwrap_or_else(|| text.to_owned());
        let found = match index.customer_ids(&text, phones, LIST_MATCHES) {
            // Position 0: the index is new or being rebuilt, not yet a view of the archive.
            Ok(Some(found)) if found.cursor > 0 => found,
            Ok(_) => return Ok(None),
            Err(e) => {
                tracing::warn!(error = %e, "customer search through the index failed; scanning");
                return Ok(None);
            }
        };
        let mut conn = self.store.conn().await?;
        let since = changelog::since(&mut conn, found.cursor, BATCH).await?;
        if since.len() as i64 == BATCH {
            return Ok(None);
        }
        let changed = since
            .into_iter()
            .filter(|c| c.entity == "customer")
            .map(|c| c.entity_id)
            .collect();
        Ok(Some((found.ids, changed)))
    }

    /// Brings the index up to the change log; returns how many entries were read. Entries
    /// missing below the newest read are waited for (see [`gaps`]).
    pub async fn search_catch_up(&self) -> Result<usize> {
        let Some(index) = self.search.as_deref() else {
            return Ok(0);
        };
        let mut gaps = self.follow.lock().await;
        gaps.start_from(index.cursor());
        let mut read = 0;
        loop {
            let now = std::time::Instant::now();
            let (arrived, changes) = {
                let mut conn = self.store.conn().await?;
                (
                    changelog::by_ids(&mut conn, &gaps.missing()).await?,
                    changelog::since(&mut conn, gaps.seen(), BATCH).await?,
                )
            };
            let before = gaps.cursor();
            gaps.arrived(&arrived.iter().map(|c| c.id).collect::<Vec<_>>());
            gaps.read_new(&changes.iter().map(|c| c.id).collect::<Vec<_>>(), now);
            gaps.expire(now);
            if arrived.is_empty() && changes.is_empty() && gaps.cursor() == before {
                return Ok(read);
            }
            read += arrived.len() + changes.len();
            let mut tickets = BTreeSet::new();
            let mut customers = BTreeSet::new();
            let mut scripts = BTreeSet::new();
            for c in arrived.iter().chain(&changes) {
                match c.entity.as_str() {
                    "ticket" => tickets.insert(c.entity_id),
                    "customer" => customers.insert(c.entity_id),
                    "reply_script" => scripts.insert(c.entity_id),
                    _ => false,
                };
            }
            let docs = self
                .search_docs(
                    &tickets.into_iter().collect::<Vec<_>>(),
                    &customers.into_iter().collect::<Vec<_>>(),
                    &scripts.into_iter().collect::<Vec<_>>(),
                )
                .await?;
            index.apply(&docs, &[], gaps.cursor()).map_err(err)?;
            if changes.len() < BATCH as usize {
                return Ok(read);
            }
        }
    }

    /// Rebuilds the index from the database; `progress(done, total)` after each batch.
    pub async fn reindex(&self, progress: &(dyn Fn(u64, u64) + Sync)) -> Result<u64> {
        let index = self.search.clone().ok_or(AppError::SearchUnavailable)?;
        let (head, total) = {
            let mut conn = self.store.conn().await?;
            let head = changelog::latest_id(&mut conn).await?;
            let mut total = 0;
            for t in ["tickets", "customers", "reply_scripts"] {
                total += store::count(&mut conn, t).await? as u64;
            }
            (head, total)
        };
        index.begin_rebuild().map_err(err)?;
        let mut done = 0u64;
        for table in ["tickets", "customers", "reply_scripts"] {
            let mut after = 0;
            loop {
                let ids = {
                    let mut conn = self.store.conn().await?;
                    store::ids_after(&mut conn, table, after, 1000).await?
                };
                let Some(last) = ids.last().copied() else {
                    break;
                };
                after = last;
                let docs = match table {
                    "tickets" => self.search_docs(&ids, &[], &[]).await?,
                    "customers" => self.search_docs(&[], &ids, &[]).await?,
                    _ => self.search_docs(&[], &[], &ids).await?,
                };
                index.add_new(&docs).map_err(err)?;
                done += ids.len() as u64;
                // Committing every 50,000 documents shows progress to searches without
                // splitting the index into many small segments. The cursor stays before the
                // rebuild until it is done, so changes made meanwhile are read again after.
                if done % 50_000 < ids.len() as u64 {
                    index.commit(0).map_err(err)?;
                }
                progress(done, total);
            }
        }
        // Waiting for the rebuild's merges takes a while: off the async threads.
        tokio::task::spawn_blocking(move || index.finish_rebuild(head))
            .await
            .map_err(|e| AppError::Internal(e.to_string()))?
            .map_err(err)?;
        Ok(done)
    }

    /// The documents of these tickets, customers (with their contacts) and scripts.
    async fn search_docs(
        &self,
        tickets: &[i64],
        customers: &[i64],
        scripts: &[i64],
    ) -> Result<Vec<Doc>> {
        let mut conn = self.store.conn().await?;
        let mut docs = Vec::new();
        if !tickets.is_empty() {
            let texts = store::ticket_texts(&mut conn, tickets).await?;
            for t in ticket::by_ids(&mut conn, tickets).await? {
                let body = texts
                    .iter()
                    .find(|(id, _)| *id == t.id)
                    .map(|(_, b)| b.clone())
                    .unwrap_or_default();
                docs.push(Doc {
                    kind: Some(Kind::Ticket),
                    id: t.id,
                    title: t.subject.clone(),
                    subtitle: t.number.clone(),
                    body,
                    codes: vec![t.number.clone()],
                    names: t
                        .customer_name
                        .iter()
                        .chain(t.contact_name.iter())
                        .cloned()
                        .collect(),
                    phones: t.contact_phone.iter().cloned().collect(),
                    emails: t.contact_email.iter().cloned().collect(),
                    tags: t.tags.clone(),
                    status: t.category.key().to_owned(),
                    doc_type: t.ticket_type.key().to_owned(),
                    tier: t.sla.customer_tier.clone().unwrap_or_default(),
                    assignee: t.assignee_id,
                    at: kefu_store::to_micros(t.created_at),
                    link: format!("/tickets/{}", t.id),
                });
            }
        }
        if !customers.is_empty() {
            let contacts = customer::contacts_of_many(&mut conn, customers).await?;
            for c in customer::by_ids(&mut conn, customers).await? {
                let mine: Vec<&customer::Contact> =
                    contacts.iter().filter(|x| x.customer_id == c.id).collect();
                docs.push(Doc {
                    kind: Some(Kind::Customer),
                    id: c.id,
                    title: c.name.clone(),
                    subtitle: [c.province.clone(), c.city.clone()]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" "),
                    body: c.notes.clone().unwrap_or_default(),
                    names: std::iter::once(c.name.clone())
                        .chain(mine.iter().map(|x| x.name.clone()))
                        .collect(),
                    phones: mine
                        .iter()
                        .flat_map(|x| x.mobile.iter().chain(x.phone.iter()))
                        .cloned()
                        .collect(),
                    emails: mine.iter().filter_map(|x| x.email.clone()).collect(),
                    tags: c.tags.clone(),
                    status: c.status.clone(),
                    doc_type: c.customer_type.clone(),
                    tier: c.tier.clone(),
                    assignee: c.owner_id,
                    at: kefu_store::to_micros(c.created_at),
                    link: format!("/customers/{}", c.id),
                    ..Doc::default()
                });
                for x in mine {
                    docs.push(Doc {
                        kind: Some(Kind::Contact),
                        id: x.id,
                        title: x.name.clone(),
                        subtitle: c.name.clone(),
                        body: x.title.clone().unwrap_or_default(),
                        names: vec![x.name.clone()],
                        phones: x.mobile.iter().chain(x.phone.iter()).cloned().collect(),
                        emails: x.email.iter().cloned().collect(),
                        status: c.status.clone(),
                        tier: c.tier.clone(),
                        at: kefu_store::to_micros(c.created_at),
                        link: format!("/customers/{}", c.id),
                        ..Doc::default()
                    });
                }
            }
        }
        for id in scripts {
            let Ok(s) = kb::by_id(&mut conn, *id).await else {
                continue;
            };
            docs.push(Doc {
                kind: Some(Kind::Script),
                id: s.id,
                title: s.title.clone(),
                subtitle: s.category.clone(),
                body: s.body.clone(),
                status: s.status.clone(),
                at: kefu_store::to_micros(s.updated_at),
                link: format!("/scripts#script-{}", s.id),
                ..Doc::default()
            });
        }
        Ok(docs)
    }
}
