//! What must hold after every restart, read from the database in one snapshot (a read
//! transaction: the restarted server's jobs keep writing meanwhile).
//!
//! - Every acknowledged write is there and whole: a ticket with its subject and, as its
//!   first message, the customer's words; a reply present exactly once; a complaint at the
//!   acknowledged stage or later; a mail stored once as `ticket_created`, with its ticket
//!   (channel e-mail, the mail's Message-ID as external id).
//! - Every ticket, acknowledged or not, is whole: a first message by the customer, one
//!   `created` event, one `create` entry in the change log; an API ticket's
//!   `message_count` equals its messages and it has an `update` entry per staff reply
//!   (each written in the reply's transaction). The change log names no ticket or complaint
//!   that is not there (nothing of a rolled-back write), and every complaint has its
//!   `create` entry and its ticket.
//! - Nothing twice: one API ticket per subject (each carries its `Idempotency-Key`'s tag,
//!   so a create retried after a crash that made two would show), one e-mail ticket per
//!   Message-ID, one complaint per tag and one complaint ticket per subject.
//! - At the end, when every create in doubt has been sent again until acknowledged: every
//!   complaint ticket has its complaint (a crash between the ticket's transaction and the
//!   complaint's leaves the ticket alone only until the retry finishes it).

use std::collections::HashMap;

use kefu_store::Backend;
use kefu_testkit::TestApp;

use super::load::Ack;

struct TicketRow {
    subject: String,
    channel: String,
    ticket_type: String,
    external_id: Option<String>,
    message_count: i64,
}

struct ComplaintRow {
    ticket_id: i64,
    stage: String,
    content: String,
}

/// The rows the checks read, as one consistent snapshot.
pub struct Snapshot {
    tickets: HashMap<i64, TicketRow>,
    /// Each ticket's messages in order: (author kind, body).
    messages: HashMap<i64, Vec<(String, String)>>,
    /// `created` events per ticket.
    created_events: HashMap<i64, i64>,
    /// Change-log entries per ticket: (creates, updates).
    ticket_changes: HashMap<i64, (i64, i64)>,
    complaints: HashMap<i64, ComplaintRow>,
    /// `create` entries per complaint.
    complaint_creates: HashMap<i64, i64>,
    /// The mailbox's stored mails by Message-ID: (status, ticket).
    mails: HashMap<String, (String, Option<i64>)>,
}

impl Snapshot {
    pub fn tickets(&self) -> usize {
        self.tickets.len()
    }
}

pub async fn snapshot(app: &TestApp, mailbox: i64) -> Snapshot {
    let mut conn = app.app.store.conn().await.expect("a connection");
    let mut tx = sqlx::Connection::begin(&mut *conn)
        .await
        .expect("a read transaction");
    if app.backend() == Backend::Postgres {
        // One snapshot for every statement (SQLite's read transaction is one already).
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            .execute(&mut *tx)
            .await
            .expect("repeatable read");
    }
    let rows: Vec<(i64, String, String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, subject, channel, ticket_type, external_id, message_count FROM tickets",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("tickets");
    let tickets = rows
        .into_iter()
        .map(
            |(id, subject, channel, ticket_type, external_id, message_count)| {
                let t = TicketRow {
                    subject,
                    channel,
                    ticket_type,
                    external_id,
                    message_count,
                };
                (id, t)
            },
        )
        .collect();
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT ticket_id, author_kind, body FROM ticket_messages ORDER BY ticket_id, id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("messages");
    let mut messages: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for (ticket, author, body) in rows {
        messages.entry(ticket).or_default().push((author, body));
    }
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT ticket_id, COUNT(*) FROM ticket_events WHERE field = 'created' GROUP BY ticket_id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("events");
    let created_events: HashMap<i64, i64> = rows.into_iter().collect();
    let rows: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT entity_id, operation, COUNT(*) FROM change_log WHERE entity = 'ticket' \
         GROUP BY entity_id, operation",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("the ticket change log");
    let mut ticket_changes: HashMap<i64, (i64, i64)> = HashMap::new();
    for (id, op, n) in rows {
        let e = ticket_changes.entry(id).or_default();
        match op.as_str() {
            "create" => e.0 += n,
            "update" => e.1 += n,
            _ => {}
        }
    }
    let rows: Vec<(i64, i64, String, String)> =
        sqlx::query_as("SELECT id, ticket_id, stage, content FROM complaints")
            .fetch_all(&mut *tx)
            .await
            .expect("complaints");
    let complaints = rows
        .into_iter()
        .map(|(id, ticket_id, stage, content)| {
            let c = ComplaintRow {
                ticket_id,
                stage,
                content,
            };
            (id, c)
        })
        .collect();
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT entity_id, COUNT(*) FROM change_log \
         WHERE entity = 'complaint' AND operation = 'create' GROUP BY entity_id",
    )
    .fetch_all(&mut *tx)
    .await
    .expect("the complaint change log");
    let complaint_creates: HashMap<i64, i64> = rows.into_iter().collect();
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT message_id, status, ticket_id FROM inbound_mails WHERE channel_id = $1",
    )
    .bind(mailbox)
    .fetch_all(&mut *tx)
    .await
    .expect("inbound mails");
    let mails = rows
        .into_iter()
        .map(|(message_id, status, ticket)| (message_id, (status, ticket)))
        .collect();
    let _ = tx.rollback().await;
    Snapshot {
        tickets,
        messages,
        created_events,
        ticket_changes,
        complaints,
        complaint_creates,
        mails,
    }
}

/// A complaint stage's place on the path (0 for one off it).
fn rank(stage: &str) -> usize {
    const PATH: [&str; 9] = [
        "intake",
        "validity",
        "notice",
        "investigation",
        "solution",
        "implementation",
        "follow_up",
        "evaluation",
        "closed",
    ];
    PATH.iter().position(|s| *s == stage).map_or(0, |p| p + 1)
}

/// The values that occur more than once.
fn repeated<'a>(values: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for v in values {
        *seen.entry(v).or_default() += 1;
    }
    let mut twice: Vec<&str> = seen
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(v, _)| v)
        .collect();
    twice.sort_unstable();
    twice
}

/// Everything that is wrong, given the acknowledged writes; `finished` when no write is in
/// doubt any more (every create retried until acknowledged).
pub fn problems(s: &Snapshot, acks: &[Ack], finished: bool) -> Vec<String> {
    let mut out = Vec::new();
    let none = Vec::new();

    // Every ticket whole, its change-log entries with it.
    for (id, t) in &s.tickets {
        let messages = s.messages.get(id).unwrap_or(&none);
        match messages.first() {
            Some((author, _)) if author == "customer" => {}
            Some((author, _)) => {
                out.push(format!("ticket {id}: its first message is by {author}"));
            }
            None => out.push(format!("ticket {id} ({}): no first message", t.subject)),
        }
        let created = s.created_events.get(id).copied().unwrap_or(0);
        if created != 1 {
            out.push(format!("ticket {id}: {created} `created` events"));
        }
        let (creates, updates) = s.ticket_changes.get(id).copied().unwrap_or((0, 0));
        if creates != 1 {
            out.push(format!(
                "ticket {id}: {creates} `create` entries in the change log"
            ));
        }
        if t.channel == "api" {
            if t.message_count != messages.len() as i64 {
                out.push(format!(
                    "ticket {id}: message_count {} but {} messages",
                    t.message_count,
                    messages.len()
                ));
            }
            let replies = messages.iter().filter(|(a, _)| a == "staff").count() as i64;
            if updates < replies {
                out.push(format!(
                    "ticket {id}: {replies} replies but {updates} `update` entries in the change log"
                ));
            }
        }
    }
    for id in s.ticket_changes.keys() {
        if !s.tickets.contains_key(id) {
            out.push(format!(
                "the change log names ticket {id}, which does not exist"
            ));
        }
    }
    for (id, c) in &s.complaints {
        let creates = s.complaint_creates.get(id).copied().unwrap_or(0);
        if creates != 1 {
            out.push(format!(
                "complaint {id}: {creates} `create` entries in the change log"
            ));
        }
        if !s.tickets.contains_key(&c.ticket_id) {
            out.push(format!(
                "complaint {id}: its ticket {} is missing",
                c.ticket_id
            ));
        }
    }
    for id in s.complaint_creates.keys() {
        if !s.complaints.contains_key(id) {
            out.push(format!(
                "the change log names complaint {id}, which does not exist"
            ));
        }
    }

    // Nothing twice.
    let of_channel = |channel: &'static str| {
        s.tickets
            .values()
            .filter(move |t| t.channel == channel && t.ticket_type != "complaint")
    };
    for subject in repeated(of_channel("api").map(|t| t.subject.as_str())) {
        out.push(format!("two API tickets {subject:?}"));
    }
    let mail_ids = of_channel("email").filter_map(|t| t.external_id.as_deref());
    for id in repeated(mail_ids) {
        out.push(format!("two tickets of mail <{id}>"));
    }
    for content in repeated(s.complaints.values().map(|c| c.content.as_str())) {
        out.push(format!("two complaints {content:?}"));
    }
    let complaint_tickets = s
        .tickets
        .values()
        .filter(|t| t.ticket_type == "complaint")
        .map(|t| t.subject.as_str());
    for subject in repeated(complaint_tickets) {
        out.push(format!("two complaint tickets {subject:?}"));
    }
    if finished {
        let with_complaint: std::collections::HashSet<i64> =
            s.complaints.values().map(|c| c.ticket_id).collect();
        for (id, t) in &s.tickets {
            if t.ticket_type == "complaint" && !with_complaint.contains(id) {
                out.push(format!(
                    "complaint ticket {id} ({}) has no complaint",
                    t.subject
                ));
            }
        }
    }

    // Every acknowledged write there and whole.
    for ack in acks {
        match ack {
            Ack::Ticket {
                id,
                tag,
                subject,
                body,
            } => match s.tickets.get(id) {
                None => out.push(format!("acknowledged ticket {id} ({tag}) is missing")),
                Some(t) => {
                    if t.subject != *subject {
                        out.push(format!("ticket {id} ({tag}): subject {:?}", t.subject));
                    }
                    let first = s.messages.get(id).and_then(|m| m.first());
                    if first.is_none_or(|(_, b)| b != body) {
                        out.push(format!(
                            "ticket {id} ({tag}): its first message is not its body"
                        ));
                    }
                }
            },
            Ack::Reply { ticket, body } => {
                let n = s.messages.get(ticket).map_or(0, |m| {
                    m.iter().filter(|(a, b)| a == "staff" && b == body).count()
                });
                if n != 1 {
                    out.push(format!(
                        "acknowledged reply {body:?} on ticket {ticket}: present {n} times"
                    ));
                }
            }
            Ack::Complaint { id, stage } => match s.complaints.get(id) {
                None => out.push(format!("acknowledged complaint {id} is missing")),
                Some(c) if rank(&c.stage) < rank(stage) => out.push(format!(
                    "complaint {id} at {} though {stage} was acknowledged",
                    c.stage
                )),
                Some(_) => {}
            },
            Ack::Mail { message_id, ticket } => {
                match s.mails.get(message_id) {
                    Some((status, Some(t))) if status == "ticket_created" && t == ticket => {}
                    other => out.push(format!(
                        "acknowledged mail <{message_id}> (ticket {ticket}) stored as {other:?}"
                    )),
                }
                match s.tickets.get(ticket) {
                    Some(t)
                        if t.channel == "email"
                            && t.external_id.as_deref() == Some(message_id.as_str()) => {}
                    Some(t) => out.push(format!(
                        "ticket {ticket} of mail <{message_id}>: channel {}, external id {:?}",
                        t.channel, t.external_id
                    )),
                    None => out.push(format!(
                        "ticket {ticket} of acknowledged mail <{message_id}> is missing"
                    )),
                }
            }
        }
    }
    out
}
