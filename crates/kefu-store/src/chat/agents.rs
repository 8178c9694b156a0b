//! 坐席状态 — whether each agent takes chats now (在线/离开), how many at once, and when kefu
//! last heard from them. An agent without a row has never switched to 在线: away, with the
//! default limit.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// An agent's availability for chats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatAgent {
    pub user_id: i64,
    pub name: String,
    pub online: bool,
    pub chat_limit: i64,
    pub last_seen_at: Timestamp,
    /// The chats they answer now.
    pub active_chats: i64,
}

const SELECT_AGENT: &str = "SELECT a.user_id, u.display_name, a.online, a.chat_limit, \
    a.last_seen_at, (SELECT COUNT(*) FROM chat_sessions s WHERE s.agent_user_id = a.user_id \
    AND s.status = 'active') AS active_chats FROM chat_agents a JOIN users u ON u.id = a.user_id";

fn agent_from_row(r: &AnyRow) -> Result<ChatAgent> {
    Ok(ChatAgent {
        user_id: r.try_get("user_id")?,
        name: r.try_get("display_name")?,
        online: r.try_get::<i64, _>("online")? != 0,
        chat_limit: r.try_get("chat_limit")?,
        last_seen_at: from_micros(r.try_get("last_seen_at")?),
        active_chats: r.try_get("active_chats")?,
    })
}

/// The agent's row, if they ever had one.
pub async fn agent(conn: &mut AnyConnection, user_id: i64) -> Result<Option<ChatAgent>> {
    let row = sqlx::query(&format!("{SELECT_AGENT} WHERE a.user_id = $1"))
        .bind(user_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(agent_from_row).transpose()
}

/// Every agent with a row, by name (for the administrator's limits).
pub async fn agents(conn: &mut AnyConnection) -> Result<Vec<ChatAgent>> {
    let rows = sqlx::query(&format!(
        "{SELECT_AGENT} ORDER BY u.display_name, a.user_id"
    ))
    .fetch_all(conn)
    .await?;
    rows.iter().map(agent_from_row).collect()
}

/// The agents online and heard from since `seen_since`, active accounts only, by name.
pub async fn online(conn: &mut AnyConnection, seen_since: Timestamp) -> Result<Vec<ChatAgent>> {
    let rows = sqlx::query(&format!(
        "{SELECT_AGENT} WHERE a.online = 1 AND u.active = 1 AND a.last_seen_at >= $1 \
         ORDER BY u.display_name, a.user_id"
    ))
    .bind(to_micros(seen_since))
    .fetch_all(conn)
    .await?;
    rows.iter().map(agent_from_row).collect()
}

/// How many agents are online and heard from since `seen_since` — of `group` when given,
/// else of any.
pub async fn count_online(
    conn: &mut AnyConnection,
    group: Option<i64>,
    seen_since: Timestamp,
) -> Result<i64> {
    let n: i64 = match group {
        Some(g) => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM chat_agents a JOIN users u ON u.id = a.user_id \
                 JOIN ticket_group_members m ON m.user_id = a.user_id AND m.group_id = $2 \
                 WHERE a.online = 1 AND u.active = 1 AND a.last_seen_at >= $1",
            )
            .bind(to_micros(seen_since))
            .bind(g)
            .fetch_one(conn)
            .await?
        }
        None => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM chat_agents a JOIN users u ON u.id = a.user_id \
                 WHERE a.online = 1 AND u.active = 1 AND a.last_seen_at >= $1",
            )
            .bind(to_micros(seen_since))
            .fetch_one(conn)
            .await?
        }
    };
    Ok(n)
}

/// Switches the agent to 在线 or 离开 (a row made with `default_limit` if they had none).
pub async fn set_online(
    conn: &mut AnyConnection,
    user_id: i64,
    online: bool,
    default_limit: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO chat_agents (user_id, online, chat_limit, last_seen_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_id) DO UPDATE SET \
         online = excluded.online, last_seen_at = excluded.last_seen_at, \
         updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(crate::flag(online))
    .bind(default_limit)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Sets how many chats the agent takes at once (a row made, away, if they had none).
pub async fn set_limit(
    conn: &mut AnyConnection,
    user_id: i64,
    limit: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO chat_agents (user_id, online, chat_limit, last_seen_at, updated_at) \
         VALUES ($1, 0, $2, $3, $3) ON CONFLICT (user_id) DO UPDATE SET \
         chat_limit = excluded.chat_limit, updated_at = excluded.updated_at",
    )
    .bind(user_id)
    .bind(limit)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Kefu heard from the agent now (nothing for an agent without a row).
pub async fn touch(conn: &mut AnyConnection, user_id: i64, now: Timestamp) -> Result<()> {
    sqlx::query("UPDATE chat_agents SET last_seen_at = $2 WHERE user_id = $1")
        .bind(user_id)
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the agent's row for this transaction, switching them to 在线 and marking them
/// heard from (an agent who accepts a chat is there): their chat limit. On PostgreSQL the
/// row lock makes two accepts of one agent take turns, so both cannot pass the limit.
pub async fn take(
    conn: &mut AnyConnection,
    user_id: i64,
    default_limit: i64,
    now: Timestamp,
) -> Result<i64> {
    let limit: i64 = sqlx::query_scalar(
        "INSERT INTO chat_agents (user_id, online, chat_limit, last_seen_at, updated_at) \
         VALUES ($1, 1, $2, $3, $3) ON CONFLICT (user_id) DO UPDATE SET online = 1, \
         last_seen_at = excluded.last_seen_at RETURNING chat_limit",
    )
    .bind(user_id)
    .bind(default_limit)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(limit)
}
