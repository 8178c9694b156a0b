//! 短信渠道 — the SMS gateways, with their webhook secrets and API keys (read only to use
//! them); the customers' texts are in [`inbound`], kefu's texts and opt-outs in [`sends`].

pub mod inbound;
pub mod sends;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// One gateway, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsChannel {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// Where kefu posts a text.
    pub send_url: String,
    /// 短信签名, e.g. 【恒信售后】.
    pub sign_name: String,
    /// Whether an API key is stored (it is never read back but to send).
    pub has_api_key: bool,
    /// The group new tickets from texts go to.
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub secret_rotated_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Moves on with every change an administrator makes (see [`crate::version`]).
    pub version: i64,
}

/// A gateway as it is to be stored.
pub struct ChannelRow<'a> {
    pub name: &'a str,
    pub active: bool,
    pub send_url: &'a str,
    pub sign_name: &'a str,
    pub group_id: Option<i64>,
}

/// What a save does to the stored API key.
#[derive(Clone, Copy)]
pub enum ApiKeyChange<'a> {
    Keep,
    Set(&'a str),
    Clear,
}

const SELECT_CHANNEL: &str = "SELECT c.id, c.name, c.active, c.send_url, c.sign_name, \
    CASE WHEN c.api_key IS NULL OR c.api_key = '' THEN 0 ELSE 1 END AS has_api_key, \
    c.group_id, g.name AS group_name, c.secret_rotated_at, c.created_at, c.updated_at, \
    c.version FROM sms_channels c LEFT JOIN ticket_groups g ON g.id = c.group_id";

fn channel_from_row(r: &AnyRow) -> Result<SmsChannel> {
    Ok(SmsChannel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? != 0,
        send_url: r.try_get("send_url")?,
        sign_name: r.try_get("sign_name")?,
        has_api_key: r.try_get::<i64, _>("has_api_key")? != 0,
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        secret_rotated_at: from_micros(r.try_get("secret_rotated_at")?),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

/// Every gateway, by name.
pub async fn channels(conn: &mut AnyConnection) -> Result<Vec<SmsChannel>> {
    let rows = sqlx::query(&format!("{SELECT_CHANNEL} ORDER BY c.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(channel_from_row).collect()
}

pub async fn channel(conn: &mut AnyConnection, id: i64) -> Result<SmsChannel> {
    let row = sqlx::query(&format!("{SELECT_CHANNEL} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    channel_from_row(&row)
}

/// The gateway that sends what has no channel of its own (a reply on a ticket that never
/// received a text, the outbox's codes): the first switched-on one, by id.
pub async fn sending_channel(conn: &mut AnyConnection) -> Result<Option<SmsChannel>> {
    let row = sqlx::query(&format!(
        "{SELECT_CHANNEL} WHERE c.active = 1 ORDER BY c.id LIMIT 1"
    ))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(channel_from_row).transpose()
}

/// The gateway's webhook secret, for checking a signature; nothing else reads it.
pub async fn webhook_secret(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let secret: String =
        sqlx::query_scalar("SELECT webhook_secret FROM sms_channels WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(secret)
}

/// The gateway's API key, for sending; nothing else reads it.
pub async fn api_key(conn: &mut AnyConnection, id: i64) -> Result<Option<String>> {
    let key: Option<String> = sqlx::query_scalar("SELECT api_key FROM sms_channels WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(key.filter(|k| !k.is_empty()))
}

/// Adds a gateway with its first secret and its API key (if any); a name in use is a
/// `Conflict`.
pub async fn insert_channel(
    conn: &mut AnyConnection,
    c: &ChannelRow<'_>,
    api_key: Option<&str>,
    secret: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sms_channels (name, active, webhook_secret, secret_rotated_at, send_url, \
         api_key, sign_name, group_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $4, $4) RETURNING id",
    )
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(secret)
    .bind(to_micros(now))
    .bind(c.send_url)
    .bind(api_key)
    .bind(c.sign_name)
    .bind(c.group_id)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Changes a gateway's settings, and its API key as `key` says (its version is moved on
/// by [`crate::version::advance`]).
pub async fn update_channel(
    conn: &mut AnyConnection,
    id: i64,
    c: &ChannelRow<'_>,
    key: ApiKeyChange<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE sms_channels SET name = $2, active = $3, send_url = $4, sign_name = $5, \
         group_id = $6, updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(c.send_url)
    .bind(c.sign_name)
    .bind(c.group_id)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    found(done)?;
    let key: Option<Option<&str>> = match key {
        ApiKeyChange::Keep => None,
        ApiKeyChange::Set(k) => Some(Some(k)),
        ApiKeyChange::Clear => Some(None),
    };
    if let Some(k) = key {
        sqlx::query("UPDATE sms_channels SET api_key = $2 WHERE id = $1")
            .bind(id)
            .bind(k)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Whether any gateway is switched on (the workbench's SMS tile shows then).
pub async fn any_active(conn: &mut AnyConnection) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM sms_channels WHERE active = 1 LIMIT 1) AS one",
    )
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Per gateway: when its last text arrived, and its sends since a moment and how many of
/// them failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelActivity {
    pub channel_id: i64,
    pub last_received_at: Option<Timestamp>,
    pub sent: i64,
    pub failed: i64,
}

/// The activity of every gateway, its sends counted from `since`.
pub async fn activity(conn: &mut AnyConnection, since: Timestamp) -> Result<Vec<ChannelActivity>> {
    let rows = sqlx::query(
        "SELECT c.id AS channel_id, \
         (SELECT MAX(i.received_at) FROM sms_inbound i WHERE i.channel_id = c.id) AS last_at, \
         (SELECT COUNT(*) FROM sms_sends s WHERE s.channel_id = c.id AND s.created_at >= $1) \
         AS sent, \
         (SELECT COUNT(*) FROM sms_sends s WHERE s.channel_id = c.id AND s.status = 'failed' \
         AND s.failed_at >= $1) AS failed \
         FROM sms_channels c",
    )
    .bind(to_micros(since))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChannelActivity {
                channel_id: r.try_get("channel_id")?,
                last_received_at: r.try_get::<Option<i64>, _>("last_at")?.map(from_micros),
                sent: r.try_get("sent")?,
                failed: r.try_get("failed")?,
            })
        })
        .collect()
}
