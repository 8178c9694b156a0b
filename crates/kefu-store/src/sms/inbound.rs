//! 上行短信 — the customers' texts: each claimed once per (gateway, message id) in the
//! transaction that writes what it made (a ticket message, an opt-out); the open ticket a
//! number's next text lands on; and the archive's contacts a number belongs to.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// What became of a text, as its row records it.
pub mod status {
    pub const TICKET_CREATED: &str = "ticket_created";
    pub const ADDED_TO_TICKET: &str = "added_to_ticket";
    pub const OPT_OUT: &str = "opt_out";
}

/// A text to claim.
pub struct NewInbound<'a> {
    pub channel_id: i64,
    pub message_id: &'a str,
    /// The customer's number, normalised.
    pub sender: &'a str,
    pub recipient: Option<&'a str>,
    pub status: &'a str,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub received_at: Timestamp,
    pub now: Timestamp,
}

/// A text as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredInbound {
    pub id: i64,
    pub channel_id: i64,
    pub sender: String,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub received_at: Timestamp,
}

const SELECT: &str = "SELECT id, channel_id, sender, status, ticket_id, ticket_message_id, \
    received_at FROM sms_inbound";

fn from_row(r: &AnyRow) -> Result<StoredInbound> {
    Ok(StoredInbound {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        sender: r.try_get("sender")?,
        status: r.try_get("status")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_message_id: r.try_get("ticket_message_id")?,
        received_at: from_micros(r.try_get("received_at")?),
    })
}

/// Claims text `n` in the caller's transaction: its row's id, or `None` when another
/// delivery of it holds the claim (that delivery's transaction decides; this one waits for
/// it on PostgreSQL, and is taken in turn on SQLite).
pub async fn claim(conn: &mut AnyConnection, n: &NewInbound<'_>) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO sms_inbound (channel_id, message_id, sender, recipient, status, ticket_id, \
         ticket_message_id, received_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (channel_id, message_id) DO NOTHING RETURNING id",
    )
    .bind(n.channel_id)
    .bind(n.message_id)
    .bind(n.sender)
    .bind(n.recipient)
    .bind(n.status)
    .bind(n.ticket_id)
    .bind(n.ticket_message_id)
    .bind(to_micros(n.received_at))
    .bind(to_micros(n.now))
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// Links claimed text `id` to the message it became.
pub async fn set_ticket_message(
    conn: &mut AnyConnection,
    id: i64,
    ticket_id: i64,
    message_id: i64,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE sms_inbound SET ticket_id = $2, ticket_message_id = $3 WHERE id = $1")
            .bind(id)
            .bind(ticket_id)
            .bind(message_id)
            .execute(conn)
            .await?;
    found(done)
}

/// Text `message_id` of gateway `channel_id`, if it came before.
pub async fn find(
    conn: &mut AnyConnection,
    channel_id: i64,
    message_id: &str,
) -> Result<Option<StoredInbound>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE channel_id = $1 AND message_id = $2"
    ))
    .bind(channel_id)
    .bind(message_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The latest text a customer sent on ticket `ticket_id`: where a reply goes back.
pub async fn last_of_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
) -> Result<Option<StoredInbound>> {
    let row = sqlx::query(&format!(
        "{SELECT} WHERE ticket_id = $1 ORDER BY id DESC LIMIT 1"
    ))
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The ticket a text from `sender` (normalised; `e164` the same number as texts go to it)
/// continues: the one with the latest text from or to the number since `since` that is
/// neither resolved nor closed.
pub async fn open_ticket_of(
    conn: &mut AnyConnection,
    sender: &str,
    e164: Option<&str>,
    since: Timestamp,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT seen.ticket_id FROM ( \
           SELECT ticket_id, created_at AS at FROM sms_inbound \
           WHERE sender = $1 AND ticket_id IS NOT NULL AND created_at >= $3 \
           UNION ALL \
           SELECT ticket_id, created_at AS at FROM sms_sends \
           WHERE recipient = $2 AND ticket_id IS NOT NULL AND created_at >= $3 \
         ) AS seen JOIN tickets t ON t.id = seen.ticket_id \
         WHERE t.status_category NOT IN ('resolved', 'closed') \
         ORDER BY seen.at DESC, seen.ticket_id DESC LIMIT 1",
    )
    .bind(sender)
    .bind(e164.unwrap_or_default())
    .bind(to_micros(since))
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// A contact of the archive with a number, and the channels it refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberContact {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub opt_outs: Vec<String>,
}

/// The archive's contacts whose mobile is `mobile` or whose phone's digits are one of
/// `phone_keys`: those of customers not lost (流失) first, then by customer and contact id.
pub async fn contacts_with_number(
    conn: &mut AnyConnection,
    mobile: Option<&str>,
    phone_keys: &[String],
) -> Result<Vec<NumberContact>> {
    let mut arms = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    if let Some(m) = mobile {
        texts.push(m);
        arms.push(format!("k.mobile = ${}", texts.len()));
    }
    if !phone_keys.is_empty() {
        let mut ps = Vec::new();
        for k in phone_keys {
            texts.push(k.as_str());
            ps.push(format!("${}", texts.len()));
        }
        arms.push(format!("k.phone_digits IN ({})", ps.join(", ")));
    }
    if arms.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT k.id, k.customer_id, k.name, k.opt_outs FROM customer_contacts k \
         JOIN customers c ON c.id = k.customer_id WHERE ({}) \
         ORDER BY CASE WHEN c.status = 'lost' THEN 1 ELSE 0 END, k.customer_id, k.id",
        arms.join(" OR ")
    );
    let mut q = sqlx::query(&sql);
    for t in texts {
        q = q.bind(t);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            let opt_outs: String = r.try_get("opt_outs")?;
            Ok(NumberContact {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                name: r.try_get("name")?,
                opt_outs: opt_outs
                    .split(',')
                    .filter(|o| !o.is_empty())
                    .map(str::to_owned)
                    .collect(),
            })
        })
        .collect()
}
