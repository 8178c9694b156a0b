//! 收信 — reading one mailbox. The instance that holds the mailbox's lease connects, reads
//! every mail above the last UID it stored, and lands each through the one intake path
//! (`ingest_for`): one transaction stores the raw mail and its ticket and commits; only
//! then is the UID recorded and the mail flagged `\Seen`, deleted or moved. A crash in
//! between reads the mail again next time, and its Message-ID keeps it from landing twice.
//!
//! Between reads the connection waits in IDLE when the server offers it (new mail wakes it
//! at once), else for the mailbox's polling interval; either way the lease is renewed and
//! the settings looked at again, so a changed setting reconnects and a switched-off mailbox
//! stops. A failure flags the mailbox with the server's words and backs off.

use std::time::Duration;

use async_imap::types::{Fetch, UnsolicitedResponse};
use futures_util::TryStreamExt;
use jiff::SignedDuration;
use kefu_domain::Role;
use kefu_domain::channel::imap::{
    AfterFetch, ImapSecurity, Resume, acts_after_fetch, backoff, resume, uid_set,
};
use kefu_store::mail::imap::{self as store, ImapMailbox};
use kefu_store::mail::{self as channels, EmailChannel};
use serde_json::json;
use tokio::sync::watch;

use super::client::{COMMAND_TIMEOUT, ImapSession, Server, connect};
use crate::channel::email::ingest::{IngestStatus, MailSource};
use crate::channel::email::parse::{MailLimits, ParseError};
use crate::notify::{kind, notify, with_role};
use crate::{App, AppError, Result};

/// How long one IDLE waits before kefu reads the folder anyway (servers drop an IDLE
/// after 30 minutes; a new one every few keeps firewalls from forgetting the connection).
const IDLE_WAIT: Duration = Duration::from_secs(5 * 60);

/// How long a lease lasts, and how often the reader renews it — while reading, IDLE-ing or
/// waiting alike. An instance that died (kill -9, power) leaves its mailbox to another
/// within [`LEASE`].
const LEASE: SignedDuration = SignedDuration::from_secs(30);
const RENEW: Duration = Duration::from_secs(10);

/// Most mails, and bytes, fetched in one command.
const BATCH_MAILS: usize = 50;
const BATCH_BYTES: u64 = 16 * 1024 * 1024;

/// Why reading stopped short: the mailbox's error, in words for its page.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReadError(String);

impl From<AppError> for ReadError {
    fn from(e: AppError) -> ReadError {
        ReadError(format!("kefu: {e}"))
    }
}

impl From<kefu_store::StoreError> for ReadError {
    fn from(e: kefu_store::StoreError) -> ReadError {
        ReadError(format!("kefu: {e}"))
    }
}

fn imap_error(what: &str, e: async_imap::error::Error) -> ReadError {
    ReadError(format!("{what}: {e}"))
}

/// Runs one IMAP command within [`COMMAND_TIMEOUT`].
async fn timed<T>(
    what: &str,
    f: impl Future<Output = async_imap::error::Result<T>>,
) -> std::result::Result<T, ReadError> {
    match tokio::time::timeout(COMMAND_TIMEOUT, f).await {
        Ok(r) => r.map_err(|e| imap_error(what, e)),
        Err(_) => Err(ReadError(format!(
            "{what}: no answer within {} s",
            COMMAND_TIMEOUT.as_secs()
        ))),
    }
}

/// Why a connection's reading ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// The wait ended: read the folder again.
    Woke,
    /// kefu is stopping.
    Shutdown,
    /// The lease went to another instance, or the mailbox was switched off or its fetching
    /// removed.
    Released,
    /// The settings changed: read again with the new ones.
    Changed,
}

/// What the server can do, as far as kefu cares.
#[derive(Debug, Clone, Copy)]
struct Abilities {
    idle: bool,
    uid_move: bool,
    uidplus: bool,
}

fn after_of(mailbox: &ImapMailbox) -> AfterFetch {
    AfterFetch::parse(&mailbox.after_fetch).unwrap_or(AfterFetch::MarkSeen)
}

/// Groups (uid, size) into fetch batches by count and bytes; a mail over the size limit is
/// a batch of its own (only its header is fetched).
fn batches(sizes: &[(u32, u32)], max_mail: usize) -> Vec<Vec<(u32, u32)>> {
    let mut out: Vec<Vec<(u32, u32)>> = Vec::new();
    let mut current: Vec<(u32, u32)> = Vec::new();
    let mut bytes = 0u64;
    for &(uid, size) in sizes {
        if size as usize > max_mail {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
                bytes = 0;
            }
            out.push(vec![(uid, size)]);
            continue;
        }
        if !current.is_empty()
            && (current.len() >= BATCH_MAILS || bytes + u64::from(size) > BATCH_BYTES)
        {
            out.push(std::mem::take(&mut current));
            bytes = 0;
        }
        bytes += u64::from(size);
        current.push((uid, size));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

impl App {
    /// Reads mailbox `channel_id` as instance `owner` for as long as it holds the lease and
    /// `shutdown` stays false. Returns at once when another instance holds the mailbox. A
    /// failure is recorded on the mailbox (flagged, backing off), not returned: only a
    /// failure of kefu's own database is.
    pub async fn run_mailbox(
        &self,
        channel_id: i64,
        owner: &str,
        mut shutdown: watch::Receiver<bool>,
    ) -> Result<()> {
        let now = self.now();
        let mailbox = {
            let mut conn = self.store.conn().await?;
            let Some(mailbox) = store::mailbox(&mut conn, channel_id).await? else {
                return Ok(());
            };
            if !store::hold(&mut conn, channel_id, owner, now, now + LEASE).await? {
                return Ok(());
            }
            mailbox
        };
        let outcome = self.read_mailbox(&mailbox, owner, &mut shutdown).await;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        match outcome {
            Ok(ended) => {
                tracing::debug!(channel = channel_id, ?ended, "mailbox reading ended");
            }
            Err(ReadError(error)) => {
                let failures = mailbox.failures.saturating_add(1);
                let wait = backoff(u32::try_from(failures).unwrap_or(u32::MAX));
                let next = now + SignedDuration::try_from(wait).unwrap_or(SignedDuration::ZERO);
                tracing::warn!(channel = channel_id, failures, %error, "mailbox could not be read");
                let mut tx = self.store.begin().await?;
                store::record_error(&mut tx, channel_id, &error, failures, next, now).await?;
                // The administrators hear of it when it starts failing, not at every retry.
                if failures == 1 {
                    let admins = with_role(&mut tx, Role::Admin).await?;
                    let name = channels::channel(&mut tx, channel_id).await?.name;
                    let params = json!({"mailbox": channel_id, "channel": name, "error": error});
                    notify(&mut tx, &admins, kind::MAILBOX_FAILING, None, &params, now).await?;
                }
                tx.commit().await.map_err(kefu_store::StoreError::from)?;
            }
        }
        store::release(&mut conn, channel_id, owner).await?;
        Ok(())
    }

    async fn read_mailbox(
        &self,
        mailbox: &ImapMailbox,
        owner: &str,
        shutdown: &mut watch::Receiver<bool>,
    ) -> std::result::Result<Ended, ReadError> {
        let id = mailbox.channel_id;
        let (channel, password) = {
            let mut conn = self.store.conn().await?;
            let channel = channels::channel(&mut conn, id).await?;
            let password = store::password(&mut conn, id).await?;
            (channel, password)
        };
        let Some(password) = password else {
            return Err(ReadError("no password is set".to_owned()));
        };
        let server = Server {
            host: &mailbox.host,
            port: mailbox.port,
            security: ImapSecurity::parse(&mailbox.security).unwrap_or(ImapSecurity::Tls),
            username: &mailbox.username,
            password: &password,
            ca_pem: mailbox.ca_pem.as_deref(),
        };
        let mut session = connect(&server).await.map_err(|e| ReadError(e.0))?;
        let caps = timed("CAPABILITY", session.capabilities()).await?;
        let abilities = Abilities {
            idle: caps.has_str("IDLE"),
            uid_move: caps.has_str("MOVE"),
            uidplus: caps.has_str("UIDPLUS"),
        };
        let ended = loop {
            if self
                .read_new(&mut session, mailbox, &channel, owner, abilities)
                .await?
                .is_none()
            {
                break Ended::Released;
            }
            let now = self.now();
            let next = now + SignedDuration::from_secs(mailbox.poll_secs);
            {
                let mut conn = self.store.conn().await?;
                store::record_ok(&mut conn, id, abilities.idle, next, now).await?;
            }
            // Mail that arrived during the read (the server said so in passing) is read
            // now rather than after the wait.
            if news(|| session.unsolicited_responses.try_recv().ok()) {
                continue;
            }
            let waited = if abilities.idle {
                let (back, ended) = self.idle_once(session, mailbox, owner, shutdown).await?;
                session = back;
                ended
            } else {
                let wait = Duration::from_secs(u64::try_from(mailbox.poll_secs).unwrap_or(60));
                self.wait_holding(tokio::time::sleep(wait), mailbox, owner, shutdown)
                    .await?
            };
            if waited != Ended::Woke {
                break waited;
            }
        };
        let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
        Ok(ended)
    }

    /// One read of the folder: every mail above the stored UID, landed in UID order. `None`
    /// when the lease was lost on the way (another instance goes on from the stored UID).
    async fn read_new(
        &self,
        session: &mut ImapSession,
        mailbox: &ImapMailbox,
        channel: &EmailChannel,
        owner: &str,
        abilities: Abilities,
    ) -> std::result::Result<Option<usize>, ReadError> {
        let id = mailbox.channel_id;
        let selected = timed("SELECT", session.select(&mailbox.folder)).await?;
        let Some(validity) = selected.uid_validity else {
            return Err(ReadError(
                "SELECT: the server gave no UIDVALIDITY".to_owned(),
            ));
        };
        let state = {
            let mut conn = self.store.conn().await?;
            match store::mailbox(&mut conn, id).await? {
                Some(s) => s,
                None => return Ok(None),
            }
        };
        let Resume {
            after_uid,
            first_pass,
        } = resume(state.uid_validity.map(|v| (v, state.last_uid)), validity);
        let kept_through = if first_pass {
            // Everything there now was there before kefu: it is read, never deleted.
            let kept = selected
                .uid_next
                .map(|n| n.saturating_sub(1))
                .unwrap_or(u32::MAX);
            let mut conn = self.store.conn().await?;
            if !store::start_folder(&mut conn, id, owner, validity, kept).await? {
                return Ok(None);
            }
            tracing::info!(
                channel = id,
                validity,
                kept,
                "reading the folder from its start"
            );
            kept
        } else {
            state.kept_through_uid
        };
        let query = format!("UID {}:*", after_uid.saturating_add(1));
        let mut uids: Vec<u32> = timed("UID SEARCH", session.uid_search(&query))
            .await?
            .into_iter()
            .filter(|u| *u > after_uid)
            .collect();
        uids.sort_unstable();
        let limit = MailLimits::default().max_mail_bytes;
        let after = after_of(mailbox);
        let mut landed = 0usize;
        for chunk in uids.chunks(500) {
            let sizes = fetch_sizes(session, chunk).await?;
            for batch in batches(&sizes, limit) {
                let mut act = Vec::new();
                let lease_kept = if let [(uid, size)] = batch[..]
                    && size as usize > limit
                {
                    // Too large to take: its header waits in the failed list, the mail
                    // itself stays on the server (kefu keeps no copy it could restore).
                    let header = fetch_header(session, uid).await?;
                    let e = ParseError::TooLarge {
                        size: size as usize,
                        limit,
                    };
                    self.record_failed(channel, &header, &e, MailSource::Imap, None)
                        .await?;
                    self.advance(id, owner, validity, uid, 1).await?
                } else {
                    let set = uid_set(&batch.iter().map(|(u, _)| *u).collect::<Vec<_>>());
                    let mut fetched = fetch_bodies(session, &set).await?;
                    fetched.sort_by_key(|f| f.uid);
                    let mut kept = true;
                    for f in &fetched {
                        let Some(uid) = f.uid else { continue };
                        if let Some(raw) = f.body() {
                            let outcome = self
                                .ingest_for(channel, raw.to_vec(), MailSource::Imap, None)
                                .await?;
                            if outcome.status != IngestStatus::Duplicate {
                                landed += 1;
                            }
                            if acts_after_fetch(after, uid, kept_through) {
                                act.push(uid);
                            }
                        }
                        if !self.advance(id, owner, validity, uid, 1).await? {
                            kept = false;
                            break;
                        }
                    }
                    // Mail gone between the search and the fetch (another client deleted
                    // it) is passed over.
                    if let Some(&(last, _)) = batch.last()
                        && kept
                    {
                        kept = self.advance(id, owner, validity, last, 0).await?;
                    }
                    kept
                };
                if !act.is_empty() {
                    after_fetch(session, &act, after, mailbox.move_to.as_deref(), abilities)
                        .await?;
                }
                if !lease_kept {
                    return Ok(None);
                }
            }
        }
        if landed > 0 {
            tracing::info!(channel = id, landed, "mail fetched by IMAP");
        }
        Ok(Some(landed))
    }

    /// Records the folder read up to `uid`; false when the lease is lost.
    async fn advance(
        &self,
        channel_id: i64,
        owner: &str,
        validity: u32,
        uid: u32,
        fetched: i64,
    ) -> std::result::Result<bool, ReadError> {
        let mut conn = self.store.conn().await?;
        let now = self.now();
        Ok(store::advance(
            &mut conn,
            channel_id,
            owner,
            validity,
            uid,
            fetched,
            now,
            now + LEASE,
        )
        .await?)
    }

    /// Renews the lease and looks at the settings: whether to go on waiting.
    async fn keep(
        &self,
        mailbox: &ImapMailbox,
        owner: &str,
    ) -> std::result::Result<Option<Ended>, ReadError> {
        let id = mailbox.channel_id;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        if !store::hold(&mut conn, id, owner, now, now + LEASE).await? {
            return Ok(Some(Ended::Released));
        }
        Ok(match store::mailbox(&mut conn, id).await? {
            None => Some(Ended::Released),
            Some(fresh) if fresh.updated_at != mailbox.updated_at => Some(Ended::Changed),
            Some(_) => None,
        })
    }

    /// Waits for `until` while holding the mailbox: renews the lease every [`RENEW`],
    /// stops early when kefu stops, the lease is lost or the settings change.
    async fn wait_holding<F: Future>(
        &self,
        until: F,
        mailbox: &ImapMailbox,
        owner: &str,
        shutdown: &mut watch::Receiver<bool>,
    ) -> std::result::Result<Ended, ReadError> {
        tokio::pin!(until);
        let mut renew = tokio::time::interval(RENEW);
        renew.tick().await;
        loop {
            tokio::select! {
                _ = &mut until => return Ok(Ended::Woke),
                _ = shutdown.changed() => return Ok(Ended::Shutdown),
                _ = renew.tick() => {
                    if let Some(ended) = self.keep(mailbox, owner).await? {
                        return Ok(ended);
                    }
                }
            }
        }
    }

    /// Waits in IDLE until the server reports a change or [`IDLE_WAIT`] passes (then the
    /// folder is read again), holding the mailbox meanwhile.
    async fn idle_once(
        &self,
        session: ImapSession,
        mailbox: &ImapMailbox,
        owner: &str,
        shutdown: &mut watch::Receiver<bool>,
    ) -> std::result::Result<(ImapSession, Ended), ReadError> {
        let said = session.unsolicited_responses.clone();
        let mut handle = session.idle();
        timed("IDLE", handle.init()).await?;
        // Mail that arrived between the last search and IDLE is announced while IDLE
        // starts, before the wait listens: it must not wait for the next one.
        let arrived = news(|| said.try_recv().ok());
        let ended = if arrived {
            Ended::Woke
        } else {
            let (wait, _interrupt) = handle.wait_with_timeout(IDLE_WAIT);
            let mut failed = None;
            let wait = async {
                if let Err(e) = wait.await {
                    failed = Some(imap_error("IDLE", e));
                }
            };
            let ended = self.wait_holding(wait, mailbox, owner, shutdown).await?;
            if let Some(e) = failed {
                return Err(e);
            }
            ended
        };
        let session = timed("DONE", handle.done()).await?;
        Ok((session, ended))
    }
}

/// Whether the server announced new mail (EXISTS, RECENT) in passing; drains what it
/// said.
fn news(mut said: impl FnMut() -> Option<UnsolicitedResponse>) -> bool {
    let mut new_mail = false;
    while let Some(r) = said() {
        new_mail |= matches!(
            r,
            UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)
        );
    }
    new_mail
}

async fn fetch_sizes(
    session: &mut ImapSession,
    uids: &[u32],
) -> std::result::Result<Vec<(u32, u32)>, ReadError> {
    let set = uid_set(uids);
    let fetches: Vec<Fetch> = timed("UID FETCH", async {
        session
            .uid_fetch(&set, "(UID RFC822.SIZE)")
            .await?
            .try_collect()
            .await
    })
    .await?;
    let mut sizes: Vec<(u32, u32)> = fetches
        .iter()
        .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
        .collect();
    sizes.sort_unstable();
    sizes.dedup_by_key(|(uid, _)| *uid);
    Ok(sizes)
}

async fn fetch_bodies(
    session: &mut ImapSession,
    set: &str,
) -> std::result::Result<Vec<Fetch>, ReadError> {
    // PEEK: reading a mail does not flag it seen; kefu does that once it is stored.
    timed("UID FETCH", async {
        session
            .uid_fetch(set, "(UID BODY.PEEK[])")
            .await?
            .try_collect()
            .await
    })
    .await
}

async fn fetch_header(
    session: &mut ImapSession,
    uid: u32,
) -> std::result::Result<Vec<u8>, ReadError> {
    let fetches: Vec<Fetch> = timed("UID FETCH", async {
        session
            .uid_fetch(uid.to_string(), "(UID BODY.PEEK[HEADER])")
            .await?
            .try_collect()
            .await
    })
    .await?;
    Ok(fetches
        .iter()
        .find_map(|f| f.header().map(<[u8]>::to_vec))
        .unwrap_or_default())
}

/// Flags, deletes or moves the mails kefu stored.
async fn after_fetch(
    session: &mut ImapSession,
    uids: &[u32],
    after: AfterFetch,
    move_to: Option<&str>,
    abilities: Abilities,
) -> std::result::Result<(), ReadError> {
    let set = uid_set(uids);
    match (after, move_to) {
        (AfterFetch::Move, Some(folder)) if abilities.uid_move => {
            timed("UID MOVE", session.uid_mv(&set, folder)).await?;
        }
        (AfterFetch::Move, Some(folder)) => {
            timed("UID COPY", session.uid_copy(&set, folder)).await?;
            delete(session, &set, abilities).await?;
        }
        (AfterFetch::Delete, _) => delete(session, &set, abilities).await?,
        _ => {
            store_flags(session, &set, "+FLAGS.SILENT (\\Seen)").await?;
        }
    }
    Ok(())
}

async fn store_flags(
    session: &mut ImapSession,
    set: &str,
    flags: &str,
) -> std::result::Result<(), ReadError> {
    let _: Vec<Fetch> = timed("UID STORE", async {
        session.uid_store(set, flags).await?.try_collect().await
    })
    .await?;
    Ok(())
}

async fn delete(
    session: &mut ImapSession,
    set: &str,
    abilities: Abilities,
) -> std::result::Result<(), ReadError> {
    store_flags(session, set, "+FLAGS.SILENT (\\Deleted)").await?;
    if abilities.uidplus {
        // Only these mails: another client's \Deleted mail is its own business.
        let _: Vec<u32> = timed("UID EXPUNGE", async {
            session.uid_expunge(set).await?.try_collect().await
        })
        .await?;
    } else {
        let _: Vec<u32> = timed("EXPUNGE", async {
            session.expunge().await?.try_collect().await
        })
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_split_by_count_bytes_and_oversize() {
        let sizes: Vec<(u32, u32)> = (1..=120).map(|u| (u, 1000)).collect();
        let b = batches(&sizes, 25 * 1024 * 1024);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [50, 50, 20]);
        let big = 10 * 1024 * 1024;
        let sizes = [
            (1, 100),
            (2, big),
            (3, big),
            (4, 30 * 1024 * 1024),
            (5, 100),
        ];
        let b = batches(&sizes, 25 * 1024 * 1024);
        assert_eq!(
            b,
            vec![
                vec![(1, 100), (2, big)],
                vec![(3, big)],
                vec![(4, 30 * 1024 * 1024)],
                vec![(5, 100)],
            ]
        );
    }
}
