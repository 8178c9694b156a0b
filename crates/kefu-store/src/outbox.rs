//! 待发送消息 — the outbox: messages kefu has to send to someone outside (a verification link
//! by e-mail, a sign-in code by text message), kept until a channel delivers them.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// A message waiting for (or past) delivery.
#[derive(Clone)]
pub struct OutboundMessage {
    pub id: i64,
    /// `email` or `sms`: which channel delivers it.
    pub channel: String,
    /// What it says, as a template name the channel renders (`portal_sign_in_code`).
    pub kind: String,
    /// Where it goes: an e-mail address or an 11-digit mobile.
    pub address: String,
    /// The language to render it in (`zh-CN`, `en`).
    pub locale: String,
    /// The template's values as JSON; they may be secret (a code, a link), so they are
    /// emptied once delivered and never printed by `Debug`.
    pub params: String,
    pub created_at: Timestamp,
    /// Not worth sending after this (a code that ran out).
    pub expires_at: Option<Timestamp>,
    pub delivered_at: Option<Timestamp>,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The channel gave up on it (the server refused it for good); it left the queue.
    pub failed_at: Option<Timestamp>,
}

impl std::fmt::Debug for OutboundMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutboundMessage")
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("kind", &self.kind)
            .field("params", &"<redacted>")
            .field("delivered_at", &self.delivered_at)
            .finish_non_exhaustive()
    }
}

/// A message to queue.
pub struct NewMessage<'a> {
    pub channel: &'a str,
    pub kind: &'a str,
    pub address: &'a str,
    pub locale: &'a str,
    pub params: &'a str,
    pub expires_at: Option<Timestamp>,
}

const SELECT: &str = "SELECT id, channel, kind, address, locale, params, created_at, expires_at, \
    delivered_at, attempts, last_error, failed_at FROM outbound_messages";

fn from_row(r: &AnyRow) -> Result<OutboundMessage> {
    let time = |col: &str| -> Result<Option<Timestamp>> {
        Ok(r.try_get::<Option<i64>, _>(col)?.map(from_micros))
    };
    Ok(OutboundMessage {
        id: r.try_get("id")?,
        channel: r.try_get("channel")?,
        kind: r.try_get("kind")?,
        address: r.try_get("address")?,
        locale: r.try_get("locale")?,
        params: r.try_get("params")?,
        created_at: from_micros(r.try_get("created_at")?),
        expires_at: time("expires_at")?,
        delivered_at: time("delivered_at")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        failed_at: time("failed_at")?,
    })
}

pub async fn enqueue(conn: &mut AnyConnection, m: &NewMessage<'_>, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO outbound_messages (channel, kind, address, locale, params, created_at, \
         expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(m.channel)
    .bind(m.kind)
    .bind(m.address)
    .bind(m.locale)
    .bind(m.params)
    .bind(to_micros(now))
    .bind(m.expires_at.map(to_micros))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The undelivered messages of a channel still worth sending at `now`, oldest first.
pub async fn pending(
    conn: &mut AnyConnection,
    channel: &str,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<OutboundMessage>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE channel = $1 AND delivered_at IS NULL AND failed_at IS NULL \
         AND (expires_at IS NULL OR expires_at > $2) ORDER BY id LIMIT $3"
    ))
    .bind(channel)
    .bind(to_micros(now))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Message `id`, if it exists.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<OutboundMessage>> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The messages of a channel to one address, newest first, delivered or not.
pub async fn to_address(
    conn: &mut AnyConnection,
    channel: &str,
    address: &str,
    limit: i64,
) -> Result<Vec<OutboundMessage>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE channel = $1 AND address = $2 ORDER BY id DESC LIMIT $3"
    ))
    .bind(channel)
    .bind(address)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A channel delivered the message: it leaves the queue, and its values (a code, a link)
/// are not kept.
pub async fn mark_delivered(conn: &mut AnyConnection, id: i64, at: Timestamp) -> Result<()> {
    let done = sqlx::query(
        "UPDATE outbound_messages SET delivered_at = $2, params = '{}', \
         attempts = attempts + 1, last_error = NULL WHERE id = $1",
    )
    .bind(id)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    found(done)
}

/// A channel could not deliver the message this time; it stays queued with the reason.
pub async fn mark_failed(conn: &mut AnyConnection, id: i64, error: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE outbound_messages SET attempts = attempts + 1, last_error = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(error)
    .execute(conn)
    .await?;
    found(done)
}

/// The channel gave up on the message (its server refused it for good): it leaves the
/// queue with the reason, and its values (a code, a link) are not kept.
pub async fn mark_given_up(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    at: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE outbound_messages SET failed_at = $2, params = '{}', \
         attempts = attempts + 1, last_error = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(to_micros(at))
    .bind(error)
    .execute(conn)
    .await?;
    found(done)
}
