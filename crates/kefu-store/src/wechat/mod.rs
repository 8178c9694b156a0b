//! 微信公众号 — the official accounts kefu answers for, with their AppSecret, Token and
//! cached access token (each read by the one function that needs it, never with the
//! account); the followers and what they posted are in [`inbound`], the replies sent back
//! in [`sends`].

pub mod inbound;
pub mod sends;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// One official account, without its secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatChannel {
    pub id: i64,
    pub name: String,
    pub active: bool,
    pub app_id: String,
    /// WeChat's API, or a proxy standing in for it.
    pub api_base: String,
    /// The group new tickets go to.
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Moves on with every change an administrator makes (see [`crate::version`]).
    pub version: i64,
}

/// An account as it is to be stored. `None` secrets keep what is stored.
pub struct ChannelRow<'a> {
    pub name: &'a str,
    pub active: bool,
    pub app_id: &'a str,
    pub api_base: &'a str,
    pub group_id: Option<i64>,
    pub app_secret: Option<&'a str>,
    pub token: Option<&'a str>,
}

const SELECT_CHANNEL: &str = "SELECT c.id, c.name, c.active, c.app_id, c.api_base, \
    c.group_id, g.name AS group_name, c.created_at, c.updated_at, c.version \
    FROM wechat_channels c LEFT JOIN ticket_groups g ON g.id = c.group_id";

fn channel_from_row(r: &AnyRow) -> Result<WechatChannel> {
    Ok(WechatChannel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? != 0,
        app_id: r.try_get("app_id")?,
        api_base: r.try_get("api_base")?,
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

/// Every account, by name.
pub async fn channels(conn: &mut AnyConnection) -> Result<Vec<WechatChannel>> {
    let rows = sqlx::query(&format!("{SELECT_CHANNEL} ORDER BY c.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(channel_from_row).collect()
}

pub async fn channel(conn: &mut AnyConnection, id: i64) -> Result<WechatChannel> {
    let row = sqlx::query(&format!("{SELECT_CHANNEL} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    channel_from_row(&row)
}

/// The Token of 服务器配置, for checking WeChat's signature; nothing else reads it.
pub async fn token(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let token: String = sqlx::query_scalar("SELECT token FROM wechat_channels WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(token)
}

/// The AppSecret, for fetching an access token; nothing else reads it.
pub async fn app_secret(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let secret: String = sqlx::query_scalar("SELECT app_secret FROM wechat_channels WHERE id = $1")
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(secret)
}

/// The cached access token, while it is still to be used at `now`.
pub async fn cached_access_token(
    conn: &mut AnyConnection,
    id: i64,
    now: Timestamp,
) -> Result<Option<String>> {
    let token: Option<String> = sqlx::query_scalar(
        "SELECT access_token FROM wechat_channels \
         WHERE id = $1 AND access_token IS NOT NULL AND access_token_until > $2",
    )
    .bind(id)
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?;
    Ok(token)
}

/// Caches an access token until `until`; `None` forgets the cached one (WeChat said it is
/// no longer valid, or the AppID or AppSecret changed).
pub async fn set_access_token(
    conn: &mut AnyConnection,
    id: i64,
    token: Option<(&str, Timestamp)>,
) -> Result<()> {
    sqlx::query(
        "UPDATE wechat_channels SET access_token = $2, access_token_until = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(token.map(|(t, _)| t))
    .bind(token.map(|(_, until)| to_micros(until)))
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds an account; a name in use is a `Conflict`.
pub async fn insert_channel(
    conn: &mut AnyConnection,
    c: &ChannelRow<'_>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wechat_channels (name, active, app_id, app_secret, token, api_base, \
         group_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
         RETURNING id",
    )
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(c.app_id)
    .bind(c.app_secret.unwrap_or_default())
    .bind(c.token.unwrap_or_default())
    .bind(c.api_base)
    .bind(c.group_id)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Changes an account's settings (its version is moved on by [`crate::version::advance`]).
/// A new AppID, AppSecret or API address forgets the cached access token.
pub async fn update_channel(
    conn: &mut AnyConnection,
    id: i64,
    c: &ChannelRow<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE wechat_channels SET \
         access_token = CASE WHEN app_id = $4 AND api_base = $5 AND $6 IS NULL \
             THEN access_token ELSE NULL END, \
         access_token_until = CASE WHEN app_id = $4 AND api_base = $5 AND $6 IS NULL \
             THEN access_token_until ELSE NULL END, \
         name = $2, active = $3, app_id = $4, api_base = $5, \
         app_secret = COALESCE($6, app_secret), token = COALESCE($7, token), \
         group_id = $8, updated_at = $9 WHERE id = $1",
    )
    .bind(id)
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(c.app_id)
    .bind(c.api_base)
    .bind(c.app_secret)
    .bind(c.token)
    .bind(c.group_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Per account: when it last received something and how much.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelActivity {
    pub channel_id: i64,
    pub last_received_at: Option<Timestamp>,
    pub received: i64,
    pub followers: i64,
}

/// The activity of every account that received anything.
pub async fn activity(conn: &mut AnyConnection) -> Result<Vec<ChannelActivity>> {
    let rows = sqlx::query(
        "SELECT i.channel_id, MAX(i.received_at) AS last_at, COUNT(*) AS received, \
         (SELECT COUNT(*) FROM wechat_users u WHERE u.channel_id = i.channel_id) AS followers \
         FROM wechat_inbound i GROUP BY i.channel_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChannelActivity {
                channel_id: r.try_get("channel_id")?,
                last_received_at: r.try_get::<Option<i64>, _>("last_at")?.map(from_micros),
                received: r.try_get("received")?,
                followers: r.try_get("followers")?,
            })
        })
        .collect()
}
