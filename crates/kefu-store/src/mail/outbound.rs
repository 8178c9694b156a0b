//! 发出的邮件 — every mail kefu sends about a ticket, from the moment it is queued (in the
//! transaction that wrote its message) until the server took it or refused it for good.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// Where a mail is on its way.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const SENT: &str = "sent";
    pub const FAILED: &str = "failed";
}

/// One mail about a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSend {
    pub id: i64,
    pub channel_id: i64,
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    /// Lower case.
    pub recipient: String,
    /// Without angle brackets; the same on every attempt.
    pub message_id: String,
    pub in_reply_to: Option<String>,
    /// The thread, oldest first.
    pub references: Vec<String>,
    pub subject: String,
    /// No person wrote it (a trigger's reply).
    pub automatic: bool,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: i64,
    /// The server's last answer (addresses masked).
    pub last_reply: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

/// A mail to queue.
pub struct NewSend<'a> {
    pub channel_id: i64,
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub recipient: &'a str,
    pub message_id: &'a str,
    pub in_reply_to: Option<&'a str>,
    pub references: &'a [String],
    pub subject: &'a str,
    pub automatic: bool,
}

const SELECT: &str = "SELECT id, channel_id, ticket_id, ticket_message_id, recipient, \
    message_id, in_reply_to, refs, subject, automatic, status, attempts, last_reply, \
    created_at, updated_at, sent_at FROM mail_sends";

fn from_row(r: &AnyRow) -> Result<MailSend> {
    let refs: String = r.try_get("refs")?;
    Ok(MailSend {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_message_id: r.try_get("ticket_message_id")?,
        recipient: r.try_get("recipient")?,
        message_id: r.try_get("message_id")?,
        in_reply_to: r.try_get("in_reply_to")?,
        references: refs.split_whitespace().map(str::to_owned).collect(),
        subject: r.try_get("subject")?,
        automatic: r.try_get::<i64, _>("automatic")? != 0,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_reply: r.try_get("last_reply")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(from_micros),
    })
}

/// Queues a mail; its id.
pub async fn queue(conn: &mut AnyConnection, m: &NewSend<'_>, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO mail_sends (channel_id, ticket_id, ticket_message_id, recipient, \
         message_id, in_reply_to, refs, subject, automatic, status, attempts, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', 0, $10, $10) \
         RETURNING id",
    )
    .bind(m.channel_id)
    .bind(m.ticket_id)
    .bind(m.ticket_message_id)
    .bind(m.recipient)
    .bind(m.message_id)
    .bind(m.in_reply_to)
    .bind(m.references.join(" "))
    .bind(m.subject)
    .bind(crate::flag(m.automatic))
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Mail `id`, if it still exists (its ticket may have been deleted).
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<MailSend>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The mails sent or queued about a ticket, oldest first.
pub async fn of_ticket(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<MailSend>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE ticket_id = $1 ORDER BY id"))
        .bind(ticket_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// An attempt that did not get the mail through but may be tried again: counted, with the
/// server's answer. False when the mail is no longer queued.
pub async fn attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    reply: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE mail_sends SET attempts = attempts + 1, last_reply = $2, updated_at = $3 \
         WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(reply)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The mail leaves the queue as `sent` or `failed`, with the server's answer; false when
/// it had left it already (another attempt settled it).
pub async fn settle(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    reply: &str,
    now: Timestamp,
) -> Result<bool> {
    let sent_at = (status == status::SENT).then(|| to_micros(now));
    let done = sqlx::query(
        "UPDATE mail_sends SET status = $2, attempts = attempts + 1, last_reply = $3, \
         updated_at = $4, sent_at = $5 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(status)
    .bind(reply)
    .bind(to_micros(now))
    .bind(sent_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// How many automatic mails went (or wait to go) to `recipient` since `since`: the hourly
/// cap counts them.
pub async fn automatic_since(
    conn: &mut AnyConnection,
    recipient: &str,
    since: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM mail_sends WHERE recipient = $1 AND automatic = 1 \
         AND created_at >= $2 AND status <> 'failed'",
    )
    .bind(recipient)
    .bind(to_micros(since))
    .fetch_one(conn)
    .await?)
}
