//! 发出的短信 — the texts kefu sends, from the moment they are queued to what the
//! operator's delivery report said, and the numbers no text may go to (退订).

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// Where a send is.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const SENT: &str = "sent";
    pub const DELIVERED: &str = "delivered";
    pub const FAILED: &str = "failed";
}

/// One text kefu sends. `recipient` is sensitive: the use cases mask it before it leaves
/// them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsSend {
    pub id: i64,
    pub channel_id: i64,
    pub reference: String,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub outbound_message_id: Option<i64>,
    pub author_user_id: Option<i64>,
    /// E.164.
    pub recipient: String,
    /// `reply`, or the outbox message's kind.
    pub template: String,
    pub segments: i64,
    /// `queued`, `sent`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub gateway_message_id: Option<String>,
    pub last_error: Option<String>,
    pub error_code: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub failed_at: Option<Timestamp>,
}

const SELECT: &str = "SELECT id, channel_id, reference, ticket_id, ticket_message_id, \
    outbound_message_id, author_user_id, recipient, template, segments, status, attempts, \
    gateway_message_id, last_error, error_code, created_at, updated_at, sent_at, \
    delivered_at, failed_at FROM sms_sends";

fn from_row(r: &AnyRow) -> Result<SmsSend> {
    let time = |col: &str| -> Result<Option<Timestamp>> {
        Ok(r.try_get::<Option<i64>, _>(col)?.map(from_micros))
    };
    Ok(SmsSend {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        reference: r.try_get("reference")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_message_id: r.try_get("ticket_message_id")?,
        outbound_message_id: r.try_get("outbound_message_id")?,
        author_user_id: r.try_get("author_user_id")?,
        recipient: r.try_get("recipient")?,
        template: r.try_get("template")?,
        segments: r.try_get("segments")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        gateway_message_id: r.try_get("gateway_message_id")?,
        last_error: r.try_get("last_error")?,
        error_code: r.try_get("error_code")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        sent_at: time("sent_at")?,
        delivered_at: time("delivered_at")?,
        failed_at: time("failed_at")?,
    })
}

/// A text to queue.
pub struct NewSend<'a> {
    pub channel_id: i64,
    pub reference: &'a str,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub outbound_message_id: Option<i64>,
    pub author_user_id: Option<i64>,
    pub recipient: &'a str,
    pub template: &'a str,
    pub segments: i64,
}

/// Queues a text in the caller's transaction; its id.
pub async fn queue(conn: &mut AnyConnection, s: &NewSend<'_>, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sms_sends (channel_id, reference, ticket_id, ticket_message_id, \
         outbound_message_id, author_user_id, recipient, template, segments, status, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10) RETURNING id",
    )
    .bind(s.channel_id)
    .bind(s.reference)
    .bind(s.ticket_id)
    .bind(s.ticket_message_id)
    .bind(s.outbound_message_id)
    .bind(s.author_user_id)
    .bind(s.recipient)
    .bind(s.template)
    .bind(s.segments)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The send of `s.reference`, queued now if there is none yet (an outbox message's first
/// attempt makes it; the later ones find it).
pub async fn queue_once(
    conn: &mut AnyConnection,
    s: &NewSend<'_>,
    now: Timestamp,
) -> Result<SmsSend> {
    sqlx::query(
        "INSERT INTO sms_sends (channel_id, reference, ticket_id, ticket_message_id, \
         outbound_message_id, author_user_id, recipient, template, segments, status, \
         created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', $10, $10) \
         ON CONFLICT (reference) DO NOTHING",
    )
    .bind(s.channel_id)
    .bind(s.reference)
    .bind(s.ticket_id)
    .bind(s.ticket_message_id)
    .bind(s.outbound_message_id)
    .bind(s.author_user_id)
    .bind(s.recipient)
    .bind(s.template)
    .bind(s.segments)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(&format!("{SELECT} WHERE reference = $1"))
        .bind(s.reference)
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<SmsSend>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The send of gateway `channel_id` that kefu calls `reference`.
pub async fn by_reference(
    conn: &mut AnyConnection,
    channel_id: i64,
    reference: &str,
) -> Result<Option<SmsSend>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE channel_id = $1 AND reference = $2"
    ))
    .bind(channel_id)
    .bind(reference)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The texts sent about a ticket, oldest first.
pub async fn of_ticket(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<SmsSend>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE ticket_id = $1 ORDER BY id"))
        .bind(ticket_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// An attempt did not get the text to the gateway; it stays queued with the reason.
pub async fn attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE sms_sends SET attempts = attempts + 1, last_error = $2, updated_at = $3 \
         WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(error)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// The gateway took the text (`message_id`: its id for it). A delivery report that came
/// before this answer keeps its status; the gateway's id is kept either way.
pub async fn settle_sent(
    conn: &mut AnyConnection,
    id: i64,
    message_id: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE sms_sends SET status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END, \
         last_error = CASE WHEN status = 'queued' THEN NULL ELSE last_error END, \
         gateway_message_id = COALESCE(gateway_message_id, $2), \
         sent_at = COALESCE(sent_at, $3), attempts = attempts + 1, updated_at = $3 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(message_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// The text will not go (the gateway refused it for good, the attempts ran out, the
/// number opted out meanwhile): failed with `error`. False when it was no longer queued.
pub async fn give_up(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sms_sends SET status = 'failed', last_error = $2, failed_at = $3, \
         attempts = attempts + 1, updated_at = $3 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(error)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// 状态报告 — the operator delivered the text at `at`. False when the send had a final
/// status already (a second report changes nothing).
pub async fn report_delivered(
    conn: &mut AnyConnection,
    id: i64,
    message_id: Option<&str>,
    at: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sms_sends SET status = 'delivered', delivered_at = $2, \
         gateway_message_id = COALESCE(gateway_message_id, $3), updated_at = $4 \
         WHERE id = $1 AND status IN ('queued', 'sent')",
    )
    .bind(id)
    .bind(to_micros(at))
    .bind(message_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// 状态报告 — the operator gave up on the text at `at`, saying why. False when the send had
/// a final status already.
pub async fn report_failed(
    conn: &mut AnyConnection,
    id: i64,
    message_id: Option<&str>,
    error: &str,
    error_code: Option<&str>,
    at: Timestamp,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE sms_sends SET status = 'failed', failed_at = $2, last_error = $3, \
         error_code = $4, gateway_message_id = COALESCE(gateway_message_id, $5), \
         updated_at = $6 WHERE id = $1 AND status IN ('queued', 'sent')",
    )
    .bind(id)
    .bind(to_micros(at))
    .bind(error)
    .bind(error_code)
    .bind(message_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A failed send as the administrator's list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedSend {
    pub id: i64,
    pub channel_name: String,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    /// E.164; the use cases mask it.
    pub recipient: String,
    pub template: String,
    pub last_error: Option<String>,
    pub failed_at: Timestamp,
}

/// The sends that failed since `since`, the latest first.
pub async fn failed_since(
    conn: &mut AnyConnection,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<FailedSend>> {
    let rows = sqlx::query(
        "SELECT s.id, c.name AS channel_name, s.ticket_id, t.number AS ticket_number, \
         s.recipient, s.template, s.last_error, s.failed_at FROM sms_sends s \
         JOIN sms_channels c ON c.id = s.channel_id \
         LEFT JOIN tickets t ON t.id = s.ticket_id \
         WHERE s.status = 'failed' AND s.failed_at >= $1 \
         ORDER BY s.failed_at DESC, s.id DESC LIMIT $2",
    )
    .bind(to_micros(since))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FailedSend {
                id: r.try_get("id")?,
                channel_name: r.try_get("channel_name")?,
                ticket_id: r.try_get("ticket_id")?,
                ticket_number: r.try_get("ticket_number")?,
                recipient: r.try_get("recipient")?,
                template: r.try_get("template")?,
                last_error: r.try_get("last_error")?,
                failed_at: from_micros(r.try_get("failed_at")?),
            })
        })
        .collect()
}

/// How many sends failed since `since`, counting at most `cap`.
pub async fn count_failed_since(
    conn: &mut AnyConnection,
    since: Timestamp,
    cap: i64,
) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM sms_sends \
         WHERE status = 'failed' AND failed_at >= $1 LIMIT $2) AS capped",
    )
    .bind(to_micros(since))
    .bind(cap)
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// A message of a ticket as a reply by text carries it: its ticket, author, visibility and
/// words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyMessage {
    pub ticket_id: i64,
    pub author_user_id: Option<i64>,
    pub visibility: String,
    pub body: String,
}

pub async fn reply_message(conn: &mut AnyConnection, id: i64) -> Result<Option<ReplyMessage>> {
    let row = sqlx::query(
        "SELECT ticket_id, author_user_id, visibility, body FROM ticket_messages WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(ReplyMessage {
            ticket_id: r.try_get("ticket_id")?,
            author_user_id: r.try_get("author_user_id")?,
            visibility: r.try_get("visibility")?,
            body: r.try_get("body")?,
        })
    })
    .transpose()
}

/// 退订 — number `number` (normalised) takes no more texts. False when it was refused
/// already.
pub async fn add_opt_out(
    conn: &mut AnyConnection,
    number: &str,
    channel_id: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO sms_opt_outs (number, channel_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (number) DO NOTHING",
    )
    .bind(number)
    .bind(channel_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Whether no text may go to `number` (normalised; `mobile` and `phone_keys` as the
/// archive's contacts may hold it): it opted out without being anyone's, or a contact with
/// it refuses texts.
pub async fn opted_out(
    conn: &mut AnyConnection,
    number: &str,
    mobile: Option<&str>,
    phone_keys: &[String],
) -> Result<bool> {
    let listed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sms_opt_outs WHERE number = $1")
        .bind(number)
        .fetch_one(&mut *conn)
        .await?;
    if listed > 0 {
        return Ok(true);
    }
    let contacts = super::inbound::contacts_with_number(conn, mobile, phone_keys).await?;
    Ok(contacts
        .iter()
        .any(|c| c.opt_outs.iter().any(|o| o == "sms")))
}
