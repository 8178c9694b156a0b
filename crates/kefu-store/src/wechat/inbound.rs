//! 收到的消息与粉丝 — what an official account received (claimed once per account and key,
//! landed on a ticket by a job) and the followers it came from, with the contact each is
//! linked to and when they last wrote.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// What became of a received message or event.
pub mod status {
    /// Stored; its job has not landed it yet.
    pub const QUEUED: &str = "queued";
    pub const TICKET_CREATED: &str = "ticket_created";
    pub const ADDED_TO_TICKET: &str = "added_to_ticket";
    /// An event: recorded with the follower (and the contact), no ticket.
    pub const EVENT: &str = "event";
}

/// A message or event as it is claimed.
pub struct NewInbound<'a> {
    pub channel_id: i64,
    pub dedup_key: &'a str,
    pub openid: &'a str,
    pub msg_type: &'a str,
    pub event: Option<&'a str>,
    pub raw: &'a str,
    pub at: Timestamp,
}

/// Claims a message for its account, queued: its id, or `None` when the account received
/// it before (WeChat's retry, or the same post twice at once).
pub async fn claim(conn: &mut AnyConnection, m: &NewInbound<'_>) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO wechat_inbound (channel_id, dedup_key, openid, msg_type, event, raw, \
         status, received_at) VALUES ($1, $2, $3, $4, $5, $6, 'queued', $7) \
         ON CONFLICT (channel_id, dedup_key) DO NOTHING RETURNING id",
    )
    .bind(m.channel_id)
    .bind(m.dedup_key)
    .bind(m.openid)
    .bind(m.msg_type)
    .bind(m.event)
    .bind(m.raw)
    .bind(to_micros(m.at))
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// A stored message or event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inbound {
    pub id: i64,
    pub channel_id: i64,
    pub dedup_key: String,
    pub openid: String,
    pub msg_type: String,
    pub event: Option<String>,
    pub raw: String,
    pub status: String,
    pub ticket_id: Option<i64>,
    pub ticket_message_id: Option<i64>,
    pub received_at: Timestamp,
}

fn inbound_from_row(r: &AnyRow) -> Result<Inbound> {
    Ok(Inbound {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        dedup_key: r.try_get("dedup_key")?,
        openid: r.try_get("openid")?,
        msg_type: r.try_get("msg_type")?,
        event: r.try_get("event")?,
        raw: r.try_get("raw")?,
        status: r.try_get("status")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_message_id: r.try_get("ticket_message_id")?,
        received_at: from_micros(r.try_get("received_at")?),
    })
}

const SELECT_INBOUND: &str = "SELECT id, channel_id, dedup_key, openid, msg_type, event, raw, \
    status, ticket_id, ticket_message_id, received_at FROM wechat_inbound";

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<Inbound>> {
    let row = sqlx::query(&format!("{SELECT_INBOUND} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(inbound_from_row).transpose()
}

/// What the account received, newest first (for its page and the tests' eyes).
pub async fn of_channel(
    conn: &mut AnyConnection,
    channel_id: i64,
    limit: i64,
) -> Result<Vec<Inbound>> {
    let rows = sqlx::query(&format!(
        "{SELECT_INBOUND} WHERE channel_id = $1 ORDER BY id DESC LIMIT $2"
    ))
    .bind(channel_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(inbound_from_row).collect()
}

/// Settles queued message `id` as `status`, on its ticket and message: false when it was
/// not queued any more (another run of its job landed it).
pub async fn settle(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    ticket_id: Option<i64>,
    ticket_message_id: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE wechat_inbound SET status = $2, ticket_id = $3, ticket_message_id = $4, \
         processed_at = $5 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(status)
    .bind(ticket_id)
    .bind(ticket_message_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The follower's latest ticket from this account that is still being worked on (not
/// resolved or closed).
pub async fn open_ticket_of(
    conn: &mut AnyConnection,
    channel_id: i64,
    openid: &str,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT t.id FROM wechat_inbound i JOIN tickets t ON t.id = i.ticket_id \
         WHERE i.channel_id = $1 AND i.openid = $2 \
         AND t.status_category NOT IN ('resolved', 'closed') \
         ORDER BY i.id DESC LIMIT 1",
    )
    .bind(channel_id)
    .bind(openid)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// The account and follower of the latest message a ticket received by WeChat: where a
/// reply on it goes.
pub async fn last_of_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
) -> Result<Option<(i64, String)>> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT channel_id, openid FROM wechat_inbound WHERE ticket_id = $1 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}

/// The first message of a ticket (the one its intake wrote).
pub async fn first_message_of(conn: &mut AnyConnection, ticket_id: i64) -> Result<Option<i64>> {
    let id: Option<i64> =
        sqlx::query_scalar("SELECT MIN(id) FROM ticket_messages WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_one(conn)
            .await?;
    Ok(id)
}

/// 粉丝 — a follower of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Follower {
    pub id: i64,
    pub channel_id: i64,
    pub openid: String,
    pub contact_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub subscribed: bool,
    pub first_message_at: Timestamp,
    /// The last interaction that opens the 48-hour reply window.
    pub last_message_at: Option<Timestamp>,
    pub last_seen_at: Timestamp,
}

pub async fn follower(
    conn: &mut AnyConnection,
    channel_id: i64,
    openid: &str,
) -> Result<Option<Follower>> {
    let row = sqlx::query(
        "SELECT id, channel_id, openid, contact_id, customer_id, subscribed, \
         first_message_at, last_message_at, last_seen_at FROM wechat_users \
         WHERE channel_id = $1 AND openid = $2",
    )
    .bind(channel_id)
    .bind(openid)
    .fetch_optional(conn)
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(Follower {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        openid: r.try_get("openid")?,
        contact_id: r.try_get("contact_id")?,
        customer_id: r.try_get("customer_id")?,
        subscribed: r.try_get::<i64, _>("subscribed")? != 0,
        first_message_at: from_micros(r.try_get("first_message_at")?),
        last_message_at: r
            .try_get::<Option<i64>, _>("last_message_at")?
            .map(from_micros),
        last_seen_at: from_micros(r.try_get("last_seen_at")?),
    }))
}

/// Records that the follower was heard from at `at`: `opens_window` when it was an
/// interaction that opens the 48-hour window, `subscribed` when it says whether they
/// follow. Times only move forward.
pub async fn touch_follower(
    conn: &mut AnyConnection,
    channel_id: i64,
    openid: &str,
    at: Timestamp,
    opens_window: bool,
    subscribed: Option<bool>,
) -> Result<()> {
    let at = to_micros(at);
    sqlx::query(
        "INSERT INTO wechat_users (channel_id, openid, subscribed, first_message_at, \
         last_message_at, last_seen_at) VALUES ($1, $2, COALESCE($5, 1), $3, $4, $3) \
         ON CONFLICT (channel_id, openid) DO UPDATE SET \
         last_seen_at = CASE WHEN excluded.last_seen_at > wechat_users.last_seen_at \
             THEN excluded.last_seen_at ELSE wechat_users.last_seen_at END, \
         last_message_at = CASE WHEN excluded.last_message_at IS NOT NULL \
             AND (wechat_users.last_message_at IS NULL \
                 OR excluded.last_message_at > wechat_users.last_message_at) \
             THEN excluded.last_message_at ELSE wechat_users.last_message_at END, \
         subscribed = COALESCE($5, wechat_users.subscribed)",
    )
    .bind(channel_id)
    .bind(openid)
    .bind(at)
    .bind(opens_window.then_some(at))
    .bind(subscribed.map(crate::flag))
    .execute(conn)
    .await?;
    Ok(())
}

/// Links the follower to a contact of the archive and its customer.
pub async fn link_follower(
    conn: &mut AnyConnection,
    channel_id: i64,
    openid: &str,
    contact_id: i64,
    customer_id: i64,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE wechat_users SET contact_id = $3, customer_id = $4 \
         WHERE channel_id = $1 AND openid = $2",
    )
    .bind(channel_id)
    .bind(openid)
    .bind(contact_id)
    .bind(customer_id)
    .execute(conn)
    .await?;
    found(done)
}

/// The contacts whose WeChat field is `openid`: (contact, customer), by id.
pub async fn contacts_with_openid(
    conn: &mut AnyConnection,
    openid: &str,
) -> Result<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, customer_id FROM customer_contacts WHERE wechat = $1 ORDER BY id",
    )
    .bind(openid)
    .fetch_all(conn)
    .await?;
    Ok(rows)
}

/// Links the follower's tickets that have no customer yet to `customer_id`, moving their
/// versions on; the tickets linked.
pub async fn link_tickets_of(
    conn: &mut AnyConnection,
    channel_id: i64,
    openid: &str,
    customer_id: i64,
) -> Result<Vec<i64>> {
    let ids: Vec<i64> = sqlx::query_scalar(
        "UPDATE tickets SET customer_id = $3, version = version + 1 \
         WHERE customer_id IS NULL AND id IN (SELECT ticket_id FROM wechat_inbound \
         WHERE channel_id = $1 AND openid = $2 AND ticket_id IS NOT NULL) RETURNING id",
    )
    .bind(channel_id)
    .bind(openid)
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    Ok(ids)
}
