//! 收信 — the one path a mail takes, however it arrived: parsed (off the async threads),
//! recognised if it came before, threaded to the ticket it answers, and written with the
//! ticket in one transaction that also claims it (see [`super::landing`]).
//!
//! Where a mail goes, in order: a bounce (DSN) goes to the ticket of the mail that bounced,
//! as an event, and flags the address — never a new ticket. A mail whose In-Reply-To or
//! References names a Message-ID kefu knows goes to that ticket. A `[KF…]` number in the
//! subject sends it to that ticket when the sender is its contact or portal customer;
//! from anyone else it opens a new ticket that names the one referred to. Otherwise it
//! opens a new ticket through the intake every channel uses.

use std::sync::Arc;

use kefu_domain::channel::email::{
    is_auto_subject, strip_reply_prefixes, ticket_number_in_subject,
};
use kefu_domain::customer::mask_email;
use kefu_domain::ticket::{BODY_MAX, Channel, SUBJECT_MAX, StatusCategory};
use kefu_store::StoreError;
use kefu_store::mail::inbound::{self, InboundMail as StoredMail, NewInbound, status};
use kefu_store::mail::{self as store, EmailChannel};
use kefu_store::ticket as tickets;
use sha2::{Digest, Sha256};

use super::landing::MailLanding;
use super::{InboundMail, MailLimits, ParseError, Sender, parse};
use crate::ticket::{ClosedReply, Intake};
use crate::{Actor, App, AppError, Result};

/// How a mail reached kefu.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailSource {
    /// Posted, signed, to the mailbox's webhook.
    Webhook,
    /// `kefu mail import`.
    Cli,
    /// Fetched from the mailbox by IMAP.
    Imap,
}

impl MailSource {
    pub fn key(self) -> &'static str {
        match self {
            MailSource::Webhook => "webhook",
            MailSource::Cli => "cli",
            MailSource::Imap => "imap",
        }
    }

    fn from_key(key: &str) -> MailSource {
        match key {
            "cli" => MailSource::Cli,
            "imap" => MailSource::Imap,
            _ => MailSource::Webhook,
        }
    }
}

/// What became of a mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestStatus {
    TicketCreated,
    AddedToTicket,
    /// Received before (the same mailbox and Message-ID): nothing new was written.
    Duplicate,
    /// It could not be read; it waits in the mailbox's failed list. The sender should not
    /// send it again.
    Failed,
    /// A delivery status notification: recorded on the ticket of the mail that bounced.
    Bounce,
}

impl IngestStatus {
    pub fn key(self) -> &'static str {
        match self {
            IngestStatus::TicketCreated => "ticket_created",
            IngestStatus::AddedToTicket => "added_to_ticket",
            IngestStatus::Duplicate => "duplicate",
            IngestStatus::Failed => "failed",
            IngestStatus::Bounce => "bounce",
        }
    }
}

/// The answer to one mail: what became of it, its ticket and its stored mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestOutcome {
    pub status: IngestStatus,
    pub ticket_id: Option<i64>,
    pub mail_id: Option<i64>,
}

impl IngestOutcome {
    fn duplicate_of(row: &StoredMail) -> IngestOutcome {
        IngestOutcome {
            status: IngestStatus::Duplicate,
            ticket_id: row.ticket_id,
            mail_id: Some(row.id),
        }
    }
}

/// Room above the largest mail: a mail a little over the parser's limit is still read and
/// kept in the failed list, rather than refused with nothing to show for it.
const BODY_SLACK: usize = 1024 * 1024;

/// The largest body the webhook reads; a larger one is refused (413) and nothing is stored.
pub fn webhook_body_limit() -> usize {
    MailLimits::default().max_mail_bytes + BODY_SLACK
}

/// At most this many Message-IDs of a mail's References are looked up (the newest).
const THREAD_IDS: usize = 50;

/// The subject of a mail without one.
const NO_SUBJECT: &str = "（无主题）";
/// The message of a mail without text.
const NO_TEXT: &str = "（邮件没有正文）";
const ONLY_FILES: &str = "（邮件只有附件）";
const CUT_SHORT: &str = "\n\n……（邮件过长，以下未显示；原始邮件中有全文）";

/// Where a parsed mail goes.
enum Route {
    Existing(i64),
    /// A new ticket; the number of a ticket its subject named that the sender is not on.
    New(Option<String>),
}

/// Parses off the async threads; a parser that panics counts as a mail that is not one.
async fn parse_apart(
    raw: Vec<u8>,
    limits: MailLimits,
) -> (std::result::Result<InboundMail, ParseError>, Vec<u8>) {
    if raw.len() > limits.max_mail_bytes {
        let e = ParseError::TooLarge {
            size: raw.len(),
            limit: limits.max_mail_bytes,
        };
        return (Err(e), raw);
    }
    let shared = Arc::new(raw);
    let bytes = shared.clone();
    let parsed = tokio::task::spawn_blocking(move || parse(&bytes, &limits))
        .await
        .unwrap_or_else(|_| Err(ParseError::Malformed("the parser stopped".to_owned())));
    let raw = Arc::try_unwrap(shared).unwrap_or_else(|shared| (*shared).clone());
    (parsed, raw)
}

/// The failed list's reason for a parse error.
pub(super) fn failure_key(e: &ParseError) -> &'static str {
    match e {
        ParseError::TooLarge { .. } => "too_large",
        ParseError::TooComplex => "too_complex",
        ParseError::Malformed(_) => "malformed",
    }
}

/// Text as a ticket stores it: line breaks as `\n`, no control characters but tabs and
/// line breaks (PostgreSQL refuses NUL in text; the others only hide content).
pub(super) fn clean_text(s: &str) -> String {
    s.replace("\r\n", "\n")
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// One line of text (a subject, a name): control characters become spaces.
pub(super) fn clean_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .trim()
        .to_owned()
}

pub(super) fn first_chars(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

/// The subject a new ticket takes: the mail's without 回复：/Re: prefixes; the start of the
/// text for a mail without one.
fn ticket_subject(mail: &InboundMail) -> String {
    let subject = clean_line(strip_reply_prefixes(&mail.subject));
    let subject = if subject.is_empty() {
        clean_line(
            mail.text
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or(""),
        )
    } else {
        subject
    };
    if subject.is_empty() {
        NO_SUBJECT.to_owned()
    } else {
        first_chars(&subject, SUBJECT_MAX)
    }
}

/// The customer's message: the mail's new text, its quoted history kept apart.
fn message_body(mail: &InboundMail) -> String {
    let text = clean_text(&mail.text);
    let text = text.trim();
    if text.is_empty() {
        return if mail.attachments.is_empty() {
            NO_TEXT
        } else {
            ONLY_FILES
        }
        .to_owned();
    }
    if text.chars().count() <= BODY_MAX {
        return text.to_owned();
    }
    let keep = BODY_MAX - CUT_SHORT.chars().count();
    format!("{}{CUT_SHORT}", first_chars(text, keep))
}

/// Who wrote, as the conversation names them: their name, else their address masked (an
/// address is contact information, shown masked like everywhere).
fn author_name(mail: &InboundMail) -> String {
    let name = mail
        .from
        .as_ref()
        .and_then(|a| a.name.as_deref())
        .map(clean_line)
        .filter(|n| !n.is_empty())
        .map(|n| first_chars(&n, 100));
    let address = mail.from.as_ref().map(|a| mask_email(&a.address));
    name.or(address).unwrap_or_else(|| "客户".to_owned())
}

/// Whether nothing may answer this mail automatically: an auto-reply, bulk or list mail, a
/// bounce, an empty Return-Path, a mail from MAILER-DAEMON or postmaster, or an 自动回复
/// subject.
fn no_auto_reply(mail: &InboundMail) -> bool {
    let daemon = mail.from.as_ref().is_some_and(|a| {
        let local = a.address.split('@').next().unwrap_or_default();
        local.eq_ignore_ascii_case("mailer-daemon") || local.eq_ignore_ascii_case("postmaster")
    });
    mail.sender != Sender::Human
        || mail.bounce.is_some()
        || mail.return_path_empty
        || daemon
        || is_auto_subject(&mail.subject)
}

/// The Message-IDs a mail answers, the most telling first: In-Reply-To, then References
/// from the newest.
pub(super) fn thread_ids(mail: &InboundMail) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    let candidates = mail
        .in_reply_to
        .iter()
        .chain(mail.references.iter().rev())
        .map(String::as_str)
        .filter(|id| !id.is_empty());
    for id in candidates {
        if !ids.contains(&id) {
            ids.push(id);
        }
        if ids.len() >= THREAD_IDS {
            break;
        }
    }
    ids
}

/// The ticket of the first of `ids` kefu knows.
pub(super) async fn known_ticket(
    conn: &mut kefu_store::AnyConnection,
    ids: &[&str],
) -> Result<Option<i64>> {
    let found = inbound::tickets_of_message_ids(conn, ids).await?;
    Ok(ids.iter().find_map(|id| {
        found
            .iter()
            .find(|(m, _)| m == id)
            .map(|(_, ticket)| *ticket)
    }))
}

/// The From address of a mail that did not parse, when its header block shows one plainly:
/// the failed list names the sender where it can.
fn sender_hint(raw: &[u8]) -> Option<String> {
    let head = &raw[..raw.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let header_block = text.split("\r\n\r\n").next()?.split("\n\n").next()?;
    let line = header_block
        .lines()
        .find(|l| l.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("from:")))?;
    let value = line.get(5..)?;
    let address = match (value.rfind('<'), value.rfind('>')) {
        (Some(a), Some(b)) if a < b => &value[a + 1..b],
        _ => value.split_whitespace().find(|w| w.contains('@'))?,
    };
    let address = address.trim().to_lowercase();
    kefu_domain::staff::check_email(&address)
        .ok()
        .map(|()| address)
}

impl App {
    /// 收信 — one mail received by mailbox `channel_id`, as raw RFC 5322 bytes, from
    /// `source`. A switched-off mailbox refuses it. The answer says what became of it; a
    /// mail that could not be read is kept in the failed list and answered `Failed`, so the
    /// sender does not retry it forever and it holds up nothing.
    pub async fn ingest_mail(
        &self,
        channel_id: i64,
        raw: &[u8],
        source: MailSource,
    ) -> Result<IngestOutcome> {
        let channel = {
            let mut conn = self.store.conn().await?;
            store::channel(&mut conn, channel_id).await?
        };
        if !channel.active {
            return Err(AppError::ChannelInactive);
        }
        self.ingest_for(&channel, raw.to_vec(), source, None).await
    }

    /// The path itself; `retry` is the failed mail being tried again, whose row the mail
    /// lands in instead of claiming a new one.
    pub(super) async fn ingest_for(
        &self,
        channel: &EmailChannel,
        raw: Vec<u8>,
        source: MailSource,
        retry: Option<i64>,
    ) -> Result<IngestOutcome> {
        let (parsed, raw) = parse_apart(raw, MailLimits::default()).await;
        let mail = match parsed {
            Ok(mail) => mail,
            Err(e) => return self.record_failed(channel, &raw, &e, source, retry).await,
        };
        let mut retry = retry;
        if retry.is_none() {
            let mut conn = self.store.conn().await?;
            match inbound::find(&mut conn, channel.id, &mail.message_id).await? {
                // Failed before, readable now (a newer kefu): it lands in its row.
                Some(row) if row.status == status::FAILED => retry = Some(row.id),
                Some(row) => return Ok(IngestOutcome::duplicate_of(&row)),
                None => {}
            }
        }
        let landing = MailLanding {
            channel_id: channel.id,
            message_id: mail.message_id.clone(),
            retry,
            raw,
            sender: mail.from.as_ref().map(|a| a.address.clone()),
            reply_to: mail.reply_to.as_ref().map(|a| a.address.clone()),
            subject: clean_line(&mail.subject),
            source,
            no_auto_reply: no_auto_reply(&mail),
            status: status::TICKET_CREATED,
            quoted: mail
                .quoted
                .as_deref()
                .map(clean_text)
                .filter(|q| !q.trim().is_empty()),
            files: mail.attachments.clone(),
            reference: None,
            max_file_bytes: self.settings.attachment_max_bytes,
            max_total_bytes: MailLimits::default().max_mail_bytes,
        };
        if mail.sender == Sender::Bounce || mail.bounce.is_some() {
            return self.land_bounce(&mail, landing).await;
        }
        let route = self.route(&mail, landing.sender.as_deref()).await?;
        match route {
            Route::Existing(ticket_id) => {
                self.add_to_ticket(channel, ticket_id, &mail, landing).await
            }
            Route::New(reference) => self.open_ticket(channel, &mail, landing, reference).await,
        }
    }

    async fn route(&self, mail: &InboundMail, sender: Option<&str>) -> Result<Route> {
        let mut conn = self.store.conn().await?;
        if let Some(ticket) = known_ticket(&mut conn, &thread_ids(mail)).await? {
            return Ok(Route::Existing(ticket));
        }
        let Some(number) = ticket_number_in_subject(&mail.subject) else {
            return Ok(Route::New(None));
        };
        let ticket = match tickets::by_number(&mut conn, &number).await {
            Ok(t) => t,
            Err(StoreError::NotFound) => return Ok(Route::New(None)),
            Err(e) => return Err(e.into()),
        };
        let on_ticket = match sender {
            Some(s) => inbound::sender_on_ticket(&mut conn, ticket.id, s).await?,
            None => false,
        };
        Ok(if on_ticket {
            Route::Existing(ticket.id)
        } else {
            Route::New(Some(ticket.number))
        })
    }

    /// The customer writes on their ticket: a new message (the ticket reopens as a portal
    /// reply reopens it). A closed ticket that takes no replies gets a new ticket instead,
    /// which names it.
    async fn add_to_ticket(
        &self,
        channel: &EmailChannel,
        ticket_id: i64,
        mail: &InboundMail,
        mut landing: MailLanding,
    ) -> Result<IngestOutcome> {
        landing.status = status::ADDED_TO_TICKET;
        let author = author_name(mail);
        let body = message_body(mail);
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let t = tickets::by_id_locked(&mut tx, ticket_id).await?;
        if t.category == StatusCategory::Closed && self.settings.closed_reply == ClosedReply::Refuse
        {
            drop(tx);
            return self
                .open_ticket(channel, mail, landing, Some(t.number))
                .await;
        }
        // Claimed before the message is written: the update triggers the message runs read
        // the mail (an automatic answer to an auto-reply is held back).
        let row = match landing.claim_for_ticket(&mut tx, ticket_id, now).await {
            Ok(row) => row,
            Err(AppError::Store(StoreError::Conflict(_))) => {
                drop(tx);
                return self.after_conflict(&landing).await;
            }
            Err(e) => return Err(e),
        };
        let system = Actor::system();
        let message_id = self
            .add_customer_message(&mut tx, &system, t, &author, &body, now)
            .await?;
        landing
            .finish(&mut tx, row, ticket_id, message_id, now)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(IngestOutcome {
            status: IngestStatus::AddedToTicket,
            ticket_id: Some(ticket_id),
            mail_id: Some(row),
        })
    }

    /// A new ticket through the intake, the mail written in its transaction.
    async fn open_ticket(
        &self,
        channel: &EmailChannel,
        mail: &InboundMail,
        mut landing: MailLanding,
        reference: Option<String>,
    ) -> Result<IngestOutcome> {
        landing.status = status::TICKET_CREATED;
        landing.reference = reference;
        let subject = ticket_subject(mail);
        let body = message_body(mail);
        let mut intake = Intake::new(Channel::Email, &subject, &body);
        if let Some(from) = &mail.from {
            intake.contact_name = from
                .name
                .as_deref()
                .map(clean_line)
                .filter(|n| !n.is_empty())
                .map(|n| first_chars(&n, 100));
            let address = from.address.trim().to_lowercase();
            if kefu_domain::staff::check_email(&address).is_ok() {
                let mut conn = self.store.conn().await?;
                let owners = inbound::customers_by_email(&mut conn, &address).await?;
                if let [only] = owners.as_slice() {
                    intake.customer_id = Some(*only);
                }
                intake.contact_email = Some(address);
            }
        }
        // The Message-ID is the ticket's external id too, where it fits: the same mail
        // sent to two of kefu's mailboxes opens one ticket.
        intake.external_id = Some(landing.message_id.clone()).filter(|m| m.chars().count() <= 200);
        intake.group_id = channel.group_id;
        let probe = ConflictProbe {
            channel_id: landing.channel_id,
            message_id: landing.message_id.clone(),
            retry: landing.retry,
        };
        match self.intake_mail(&intake, landing).await {
            Ok(outcome) => {
                let row = {
                    let mut conn = self.store.conn().await?;
                    inbound::find(&mut conn, probe.channel_id, &probe.message_id).await?
                };
                if outcome.created {
                    return Ok(IngestOutcome {
                        status: IngestStatus::TicketCreated,
                        ticket_id: Some(outcome.ticket.id),
                        mail_id: row.map(|r| r.id),
                    });
                }
                // Another mailbox's delivery of the same mail opened it.
                self.close_retry(probe.retry, status::DUPLICATE).await?;
                Ok(IngestOutcome {
                    status: IngestStatus::Duplicate,
                    ticket_id: Some(outcome.ticket.id),
                    mail_id: row.map(|r| r.id).or(probe.retry),
                })
            }
            Err(AppError::Store(StoreError::Conflict(_))) => self.resolve_conflict(&probe).await,
            Err(e) => Err(e),
        }
    }

    /// A mail that could not be read: kept raw in the failed list (once per content), or,
    /// tried again, left there with the new reason.
    pub(super) async fn record_failed(
        &self,
        channel: &EmailChannel,
        raw: &[u8],
        e: &ParseError,
        source: MailSource,
        retry: Option<i64>,
    ) -> Result<IngestOutcome> {
        let reason = failure_key(e);
        let detail = e.to_string();
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = retry {
            inbound::fail_again(&mut tx, id, reason, &detail, now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            return Ok(IngestOutcome {
                status: IngestStatus::Failed,
                ticket_id: None,
                mail_id: Some(id),
            });
        }
        let key = format!("sha256:{}", hex::encode(Sha256::digest(raw)));
        let sender = sender_hint(raw);
        let claimed = inbound::claim(
            &mut tx,
            &NewInbound {
                channel_id: channel.id,
                message_id: &key,
                status: status::FAILED,
                ticket_id: None,
                ticket_message_id: None,
                sender: sender.as_deref(),
                reply_to: None,
                subject: None,
                raw,
                source: source.key(),
                reason: Some(reason),
                reason_detail: Some(detail.as_str()),
                no_auto_reply: false,
                at: now,
            },
        )
        .await?;
        if let Some(id) = claimed {
            tx.commit().await.map_err(StoreError::from)?;
            tracing::warn!(
                channel = channel.id,
                mail = id,
                reason,
                "a mail could not be read"
            );
            return Ok(IngestOutcome {
                status: IngestStatus::Failed,
                ticket_id: None,
                mail_id: Some(id),
            });
        }
        drop(tx);
        let mut conn = self.store.conn().await?;
        match inbound::find(&mut conn, channel.id, &key).await? {
            Some(row) if row.status == status::FAILED => Ok(IngestOutcome {
                status: IngestStatus::Failed,
                ticket_id: None,
                mail_id: Some(row.id),
            }),
            Some(row) => Ok(IngestOutcome::duplicate_of(&row)),
            None => Err(AppError::Internal("a failed mail's claim vanished".into())),
        }
    }

    pub(super) async fn after_conflict(&self, landing: &MailLanding) -> Result<IngestOutcome> {
        self.resolve_conflict(&ConflictProbe {
            channel_id: landing.channel_id,
            message_id: landing.message_id.clone(),
            retry: landing.retry,
        })
        .await
    }

    /// Another delivery of the mail landed first: its answer, given again. A failed mail
    /// tried again that turned out to be one received meanwhile leaves the failed list.
    async fn resolve_conflict(&self, probe: &ConflictProbe) -> Result<IngestOutcome> {
        self.close_retry(probe.retry, status::DUPLICATE).await?;
        let mut conn = self.store.conn().await?;
        if let Some(row) = inbound::find(&mut conn, probe.channel_id, &probe.message_id).await? {
            return Ok(IngestOutcome::duplicate_of(&row));
        }
        let ticket = tickets::by_external_id(&mut conn, Channel::Email, &probe.message_id).await?;
        Ok(IngestOutcome {
            status: IngestStatus::Duplicate,
            ticket_id: ticket.map(|t| t.id),
            mail_id: probe.retry,
        })
    }

    /// Takes failed mail `retry` (if any) out of the failed list as `status`; one already
    /// out of it stays as it is.
    async fn close_retry(&self, retry: Option<i64>, status: &str) -> Result<()> {
        let Some(id) = retry else { return Ok(()) };
        let mut conn = self.store.conn().await?;
        match inbound::close_failed(&mut conn, id, status, self.now()).await {
            Ok(()) | Err(StoreError::NotFound) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// A stored mail received by a mailbox, tried again with the source it came from.
    pub(super) async fn retry_stored(
        &self,
        channel: &EmailChannel,
        row: &StoredMail,
        raw: Vec<u8>,
    ) -> Result<IngestOutcome> {
        self.ingest_for(
            channel,
            raw,
            MailSource::from_key(&row.source),
            Some(row.id),
        )
        .await
    }
}

/// What finds the delivery that won a race for a mail's claim.
struct ConflictProbe {
    channel_id: i64,
    message_id: String,
    retry: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_mails_sender_is_read_plainly_from_its_headers() {
        let raw = b"From: =?UTF-8?B?5byg5LiJ?= <Zhang.San@Example.com>\r\nSubject: x\r\n\r\nFrom: other@example.com\r\n";
        assert_eq!(sender_hint(raw).as_deref(), Some("zhang.san@example.com"));
        assert_eq!(sender_hint(b"Subject: x\r\n\r\nbody"), None);
        assert_eq!(
            sender_hint(b"from: li@example.cn\n\nbody").as_deref(),
            Some("li@example.cn")
        );
    }

    #[test]
    fn text_loses_control_characters_but_keeps_its_lines() {
        assert_eq!(clean_text("a\r\nb\0c\td"), "a\nbc\td");
        assert_eq!(clean_line(" 主题\t一\n"), "主题 一");
    }
}
