//! 收到的邮件 — every mail a mailbox received, claimed once per (mailbox, Message-ID) in the
//! transaction that lands it; the Message-IDs that thread replies to tickets; the addresses
//! whose mail came back; and the reads the landing needs (who a sender is).

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, found, from_micros, to_micros};

/// What became of a received mail, as stored.
pub mod status {
    pub const TICKET_CREATED: &str = "ticket_created";
    pub const ADDED_TO_TICKET: &str = "added_to_ticket";
    pub const BOUNCE: &str = "bounce";
    pub const FAILED: &str = "failed";
    /// A failed mail that, tried again, turned out to be one already received.
    pub const DUPLICATE: &str = "duplicate";
    pub const DISCARDED: &str = "discarded";
}

/// A received mail, without its raw bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboundMail {
    pub id: i64,
    pub channel_id: i64,
    pub message_id: String,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub sender: Option<String>,
    /// Where the sender asked answers to go (Reply-To, lower case), when the mail said.
    pub reply_to: Option<String>,
    pub subject: Option<String>,
    pub size: i64,
    /// `webhook`, `cli` or `imap`.
    pub source: String,
    pub reason: Option<String>,
    pub reason_detail: Option<String>,
    pub no_auto_reply: bool,
    pub received_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A mail to record.
pub struct NewInbound<'a> {
    pub channel_id: i64,
    pub message_id: &'a str,
    pub status: &'a str,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub sender: Option<&'a str>,
    pub reply_to: Option<&'a str>,
    pub subject: Option<&'a str>,
    pub raw: &'a [u8],
    pub source: &'a str,
    pub reason: Option<&'a str>,
    pub reason_detail: Option<&'a str>,
    pub no_auto_reply: bool,
    pub at: Timestamp,
}

const SELECT_MAIL: &str = "SELECT id, channel_id, message_id, status, ticket_id, \
    ticket_message_id, sender, reply_to, subject, size, source, reason, reason_detail, no_auto_reply, \
    received_at, updated_at FROM inbound_mails";

fn mail_from_row(r: &AnyRow) -> Result<InboundMail> {
    Ok(InboundMail {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        message_id: r.try_get("message_id")?,
        status: r.try_get("status")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_message_id: r.try_get("ticket_message_id")?,
        sender: r.try_get("sender")?,
        reply_to: r.try_get("reply_to")?,
        subject: r.try_get("subject")?,
        size: r.try_get("size")?,
        source: r.try_get("source")?,
        reason: r.try_get("reason")?,
        reason_detail: r.try_get("reason_detail")?,
        no_auto_reply: r.try_get::<i64, _>("no_auto_reply")? != 0,
        received_at: from_micros(r.try_get("received_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Claims (mailbox, Message-ID) for this mail: its id, or `None` when another delivery
/// holds it. On PostgreSQL a claim another open transaction holds waits for it to end.
pub async fn claim(conn: &mut AnyConnection, m: &NewInbound<'_>) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO inbound_mails (channel_id, message_id, status, ticket_id, \
         ticket_message_id, sender, subject, size, raw, source, reason, reason_detail, \
         no_auto_reply, received_at, updated_at, reply_to) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
         ON CONFLICT (channel_id, message_id) DO NOTHING RETURNING id",
    )
    .bind(m.channel_id)
    .bind(m.message_id)
    .bind(m.status)
    .bind(m.ticket_id)
    .bind(m.ticket_message_id)
    .bind(m.sender)
    .bind(m.subject)
    .bind(m.raw.len() as i64)
    .bind(m.raw.to_vec())
    .bind(m.source)
    .bind(m.reason)
    .bind(m.reason_detail)
    .bind(crate::flag(m.no_auto_reply))
    .bind(to_micros(m.at))
    .bind(m.reply_to)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// Lands failed mail `id` as `m` says (its raw bytes stay as stored): false when it is no
/// longer failed (tried again meanwhile). A Message-ID another row of the mailbox holds is
/// a `Conflict`.
pub async fn settle_failed(conn: &mut AnyConnection, id: i64, m: &NewInbound<'_>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE inbound_mails SET message_id = $2, status = $3, ticket_id = $4, \
         ticket_message_id = $5, sender = $6, subject = $7, reason = NULL, \
         reason_detail = NULL, no_auto_reply = $8, updated_at = $9, reply_to = $10 \
         WHERE id = $1 AND status = 'failed'",
    )
    .bind(id)
    .bind(m.message_id)
    .bind(m.status)
    .bind(m.ticket_id)
    .bind(m.ticket_message_id)
    .bind(m.sender)
    .bind(m.subject)
    .bind(crate::flag(m.no_auto_reply))
    .bind(to_micros(m.at))
    .bind(m.reply_to)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Links stored mail `id` to the message it became (claimed before the message was
/// written, so the message's triggers could read the mail).
pub async fn set_ticket_message(
    conn: &mut AnyConnection,
    id: i64,
    ticket_message_id: i64,
) -> Result<()> {
    let done = sqlx::query("UPDATE inbound_mails SET ticket_message_id = $2 WHERE id = $1")
        .bind(id)
        .bind(ticket_message_id)
        .execute(conn)
        .await?;
    found(done)
}

/// The last mail the ticket received from its customer (a new ticket's or a reply on it;
/// not a bounce), if any: answers go back the way it came.
pub async fn last_of_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
) -> Result<Option<InboundMail>> {
    let row = sqlx::query(&format!(
        "{SELECT_MAIL} WHERE ticket_id = $1 AND status IN ('ticket_created', 'added_to_ticket') \
         ORDER BY id DESC LIMIT 1"
    ))
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(mail_from_row).transpose()
}

/// The newest `limit` Message-IDs kefu knows for the ticket (received and sent), oldest
/// first: the thread a reply's References names.
pub async fn thread_of_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
    limit: i64,
) -> Result<Vec<String>> {
    let mut ids: Vec<String> = sqlx::query_scalar(
        "SELECT message_id FROM mail_message_ids WHERE ticket_id = $1 \
         ORDER BY created_at DESC, message_id DESC LIMIT $2",
    )
    .bind(ticket_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    ids.reverse();
    Ok(ids)
}

/// The mail of the mailbox with this Message-ID, if it was received.
pub async fn find(
    conn: &mut AnyConnection,
    channel_id: i64,
    message_id: &str,
) -> Result<Option<InboundMail>> {
    let row = sqlx::query(&format!(
        "{SELECT_MAIL} WHERE channel_id = $1 AND message_id = $2"
    ))
    .bind(channel_id)
    .bind(message_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(mail_from_row).transpose()
}

/// Mail `id` of the mailbox.
pub async fn by_id(conn: &mut AnyConnection, channel_id: i64, id: i64) -> Result<InboundMail> {
    let row = sqlx::query(&format!("{SELECT_MAIL} WHERE id = $1 AND channel_id = $2"))
        .bind(id)
        .bind(channel_id)
        .fetch_one(conn)
        .await?;
    mail_from_row(&row)
}

/// The raw bytes of mail `id` of the mailbox, as received.
pub async fn raw(conn: &mut AnyConnection, channel_id: i64, id: i64) -> Result<Vec<u8>> {
    let raw: Vec<u8> =
        sqlx::query_scalar("SELECT raw FROM inbound_mails WHERE id = $1 AND channel_id = $2")
            .bind(id)
            .bind(channel_id)
            .fetch_one(conn)
            .await?;
    Ok(raw)
}

/// The mailbox's mail that could not be landed, newest first.
pub async fn failed(
    conn: &mut AnyConnection,
    channel_id: i64,
    limit: i64,
) -> Result<Vec<InboundMail>> {
    let rows = sqlx::query(&format!(
        "{SELECT_MAIL} WHERE channel_id = $1 AND status = 'failed' ORDER BY id DESC LIMIT $2"
    ))
    .bind(channel_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(mail_from_row).collect()
}

/// Failed mail `id` failed again (the reason may have changed).
pub async fn fail_again(
    conn: &mut AnyConnection,
    id: i64,
    reason: &str,
    detail: &str,
    at: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE inbound_mails SET reason = $2, reason_detail = $3, updated_at = $4 \
         WHERE id = $1 AND status = 'failed'",
    )
    .bind(id)
    .bind(reason)
    .bind(detail)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    found(done)
}

/// Moves failed mail `id` out of the failed list (`discarded`, or `duplicate`); not found
/// when it is not failed.
pub async fn close_failed(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    at: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE inbound_mails SET status = $2, updated_at = $3 \
         WHERE id = $1 AND status = 'failed'",
    )
    .bind(id)
    .bind(status)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    found(done)
}

/// Remembers that `message_id` belongs to ticket `ticket_id` (`in` for a mail received,
/// `out` for one sent); a Message-ID already known keeps its ticket.
pub async fn remember_message_id(
    conn: &mut AnyConnection,
    channel_id: i64,
    message_id: &str,
    ticket_id: i64,
    direction: &str,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_message_ids (channel_id, message_id, ticket_id, direction, \
         created_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (channel_id, message_id) DO NOTHING",
    )
    .bind(channel_id)
    .bind(message_id)
    .bind(ticket_id)
    .bind(direction)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// (Message-ID, ticket) for each of `message_ids` kefu knows, on any mailbox.
pub async fn tickets_of_message_ids(
    conn: &mut AnyConnection,
    message_ids: &[&str],
) -> Result<Vec<(String, i64)>> {
    if message_ids.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=message_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT message_id, ticket_id FROM mail_message_ids WHERE message_id IN ({}) \
         ORDER BY created_at DESC",
        ps.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
    for m in message_ids {
        q = q.bind(*m);
    }
    Ok(q.fetch_all(conn).await?)
}

/// Whether `address` (trimmed, lower case) is the ticket's contact e-mail or its portal
/// customer's.
pub async fn sender_on_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
    address: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM tickets t LEFT JOIN portal_customers p ON p.id = t.requester_id \
         WHERE t.id = $1 AND (LOWER(TRIM(t.contact_email)) = $2 OR LOWER(TRIM(p.email)) = $2)",
    )
    .bind(ticket_id)
    .bind(address)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The archive's customers with a contact of this e-mail (trimmed, lower case), at most
/// two: a sender is linked only when exactly one has it.
pub async fn customers_by_email(conn: &mut AnyConnection, address: &str) -> Result<Vec<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT DISTINCT customer_id FROM customer_contacts \
         WHERE LOWER(TRIM(email)) = $1 ORDER BY customer_id LIMIT 2",
    )
    .bind(address)
    .fetch_all(conn)
    .await?;
    Ok(ids)
}

/// A bounced address, as the SMTP channel will read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounced {
    pub address: String,
    pub ticket_id: Option<i64>,
    pub status: Option<String>,
    pub diagnostic: Option<String>,
    pub bounces: i64,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// Flags `address` (trimmed, lower case): mail to it came back.
pub async fn flag_bounce(
    conn: &mut AnyConnection,
    address: &str,
    ticket_id: Option<i64>,
    status: Option<&str>,
    diagnostic: Option<&str>,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO mail_bounces (address, ticket_id, status, diagnostic, bounces, first_at, \
         last_at) VALUES ($1, $2, $3, $4, 1, $5, $5) \
         ON CONFLICT (address) DO UPDATE SET ticket_id = COALESCE(EXCLUDED.ticket_id, \
         mail_bounces.ticket_id), status = EXCLUDED.status, diagnostic = EXCLUDED.diagnostic, \
         bounces = mail_bounces.bounces + 1, last_at = EXCLUDED.last_at",
    )
    .bind(address)
    .bind(ticket_id)
    .bind(status)
    .bind(diagnostic)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The bounce record of `address` (trimmed, lower case), if mail to it came back.
pub async fn bounced(conn: &mut AnyConnection, address: &str) -> Result<Option<Bounced>> {
    let row = sqlx::query(
        "SELECT address, ticket_id, status, diagnostic, bounces, first_at, last_at \
         FROM mail_bounces WHERE address = $1",
    )
    .bind(address)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok::<_, StoreError>(Bounced {
            address: r.try_get("address")?,
            ticket_id: r.try_get("ticket_id")?,
            status: r.try_get("status")?,
            diagnostic: r.try_get("diagnostic")?,
            bounces: r.try_get("bounces")?,
            first_at: from_micros(r.try_get("first_at")?),
            last_at: from_micros(r.try_get("last_at")?),
        })
    })
    .transpose()
}

/// How many mails channel `channel_id` has received (each once, whatever became of it).
pub async fn count_for_channel(conn: &mut AnyConnection, channel_id: i64) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM inbound_mails WHERE channel_id = $1")
            .bind(channel_id)
            .fetch_one(conn)
            .await?,
    )
}
