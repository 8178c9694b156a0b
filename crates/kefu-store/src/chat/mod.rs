//! 在线客服 — the chat channels web sites embed, with the origins allowed to; the chats
//! themselves are in [`sessions`], their lines in [`messages`], the agents' availability in
//! [`agents`].

pub mod agents;
pub mod messages;
pub mod sessions;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// One chat channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatChannel {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// The exact origins whose pages may open the widget (`https://shop.example.com`).
    pub allowed_origins: Vec<String>,
    /// The group whose agents answer; none: any agent.
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    /// The longest message, in characters.
    pub max_message_chars: i64,
    /// What the widget says before anyone writes.
    pub greeting: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Moves on with every change an administrator makes (see [`crate::version`]).
    pub version: i64,
}

/// A chat channel as it is to be stored.
pub struct ChannelRow<'a> {
    pub name: &'a str,
    pub active: bool,
    pub allowed_origins: &'a [String],
    pub group_id: Option<i64>,
    pub max_message_chars: i64,
    pub greeting: Option<&'a str>,
}

const SELECT_CHANNEL: &str = "SELECT c.id, c.name, c.active, c.allowed_origins, c.group_id, \
    g.name AS group_name, c.max_message_chars, c.greeting, c.created_at, c.updated_at, \
    c.version FROM chat_channels c LEFT JOIN ticket_groups g ON g.id = c.group_id";

fn channel_from_row(r: &AnyRow) -> Result<ChatChannel> {
    let origins: String = r.try_get("allowed_origins")?;
    Ok(ChatChannel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? != 0,
        allowed_origins: origins
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        max_message_chars: r.try_get("max_message_chars")?,
        greeting: r.try_get("greeting")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

/// Every chat channel, by name.
pub async fn channels(conn: &mut AnyConnection) -> Result<Vec<ChatChannel>> {
    let rows = sqlx::query(&format!("{SELECT_CHANNEL} ORDER BY c.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(channel_from_row).collect()
}

pub async fn channel(conn: &mut AnyConnection, id: i64) -> Result<ChatChannel> {
    let row = sqlx::query(&format!("{SELECT_CHANNEL} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    channel_from_row(&row)
}

/// Whether any chat channel is switched on (the workbench's chat tiles show then).
pub async fn any_active(conn: &mut AnyConnection) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM chat_channels WHERE active = 1 LIMIT 1) AS one",
    )
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Adds a chat channel; a name in use is a `Conflict`.
pub async fn insert_channel(
    conn: &mut AnyConnection,
    c: &ChannelRow<'_>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_channels (name, active, allowed_origins, group_id, \
         max_message_chars, greeting, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(c.allowed_origins.join("\n"))
    .bind(c.group_id)
    .bind(c.max_message_chars)
    .bind(c.greeting)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Changes a channel's settings (its version is moved on by [`crate::version::advance`]).
pub async fn update_channel(
    conn: &mut AnyConnection,
    id: i64,
    c: &ChannelRow<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE chat_channels SET name = $2, active = $3, allowed_origins = $4, group_id = $5, \
         max_message_chars = $6, greeting = $7, updated_at = $8 WHERE id = $1",
    )
    .bind(id)
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(c.allowed_origins.join("\n"))
    .bind(c.group_id)
    .bind(c.max_message_chars)
    .bind(c.greeting)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Per channel: how many chats it had and when the last began.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelActivity {
    pub channel_id: i64,
    pub last_chat_at: Option<Timestamp>,
    pub chats: i64,
}

/// The activity of every channel that had a chat.
pub async fn activity(conn: &mut AnyConnection) -> Result<Vec<ChannelActivity>> {
    let rows = sqlx::query(
        "SELECT channel_id, MAX(started_at) AS last_at, COUNT(*) AS chats FROM chat_sessions \
         GROUP BY channel_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChannelActivity {
                channel_id: r.try_get("channel_id")?,
                last_chat_at: r.try_get::<Option<i64>, _>("last_at")?.map(from_micros),
                chats: r.try_get("chats")?,
            })
        })
        .collect()
}
