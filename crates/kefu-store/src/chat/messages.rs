//! 会话消息 — the lines of each chat, numbered within it, and the feed every kefu instance
//! reads to push new lines to the sockets and consoles it serves.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// One line of a chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    pub id: i64,
    pub session_id: i64,
    /// Its number within the chat, from 1.
    pub seq: i64,
    /// `visitor`, `agent` or `system`.
    pub author: String,
    pub author_user_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    /// The widget's own number of a visitor's message.
    pub cseq: Option<i64>,
    pub created_at: Timestamp,
}

/// A line to add.
pub struct NewChatMessage<'a> {
    pub session_id: i64,
    pub seq: i64,
    pub author: &'a str,
    pub author_user_id: Option<i64>,
    pub author_name: &'a str,
    pub body: &'a str,
    pub cseq: Option<i64>,
    pub at: Timestamp,
}

const COLUMNS: &str = "m.id, m.session_id, m.seq, m.author, m.author_user_id, m.author_name, m.body, m.cseq, \
     m.created_at";

fn message_from_row(r: &AnyRow) -> Result<ChatMessage> {
    Ok(ChatMessage {
        id: r.try_get("id")?,
        session_id: r.try_get("session_id")?,
        seq: r.try_get("seq")?,
        author: r.try_get("author")?,
        author_user_id: r.try_get("author_user_id")?,
        author_name: r.try_get("author_name")?,
        body: r.try_get("body")?,
        cseq: r.try_get("cseq")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

/// Adds a line; its id. A (chat, cseq) or (chat, seq) taken is a `Conflict`.
pub async fn insert(conn: &mut AnyConnection, m: &NewChatMessage<'_>) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_messages (session_id, seq, author, author_user_id, author_name, body, \
         cseq, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(m.session_id)
    .bind(m.seq)
    .bind(m.author)
    .bind(m.author_user_id)
    .bind(m.author_name)
    .bind(m.body)
    .bind(m.cseq)
    .bind(to_micros(m.at))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// The visitor's message the widget numbered `cseq` in this chat, if it was stored.
pub async fn by_cseq(
    conn: &mut AnyConnection,
    session_id: i64,
    cseq: i64,
) -> Result<Option<ChatMessage>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM chat_messages m WHERE m.session_id = $1 AND m.cseq = $2"
    ))
    .bind(session_id)
    .bind(cseq)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(message_from_row).transpose()
}

/// The chat's lines numbered after `after_seq`, in order, at most `limit`.
pub async fn after(
    conn: &mut AnyConnection,
    session_id: i64,
    after_seq: i64,
    limit: i64,
) -> Result<Vec<ChatMessage>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM chat_messages m WHERE m.session_id = $1 AND m.seq > $2 \
         ORDER BY m.seq LIMIT $3"
    ))
    .bind(session_id)
    .bind(after_seq)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(message_from_row).collect()
}

/// The last line of each of `sessions`: (chat, line).
pub async fn latest_of(
    conn: &mut AnyConnection,
    sessions: &[i64],
) -> Result<Vec<(i64, ChatMessage)>> {
    if sessions.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=sessions.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id \
         AND s.last_seq = m.seq WHERE m.session_id IN ({})",
        ps.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for s in sessions {
        q = q.bind(*s);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| message_from_row(r).map(|m| (m.session_id, m)))
        .collect()
}

/// A line as the feed gives it: the line and its chat as the chat is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    pub message: ChatMessage,
    pub channel_id: i64,
    /// The chat's status now (`waiting`, `active`, `ended`).
    pub status: String,
    /// Who answers the chat now.
    pub agent_user_id: Option<i64>,
    pub agent_name: Option<String>,
}

/// Lines with an id above `after_id`, in id order, at most `limit`, each with its chat.
pub async fn feed(conn: &mut AnyConnection, after_id: i64, limit: i64) -> Result<Vec<FeedItem>> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS}, s.channel_id, s.status, s.agent_user_id, \
         u.display_name AS agent_name FROM chat_messages m \
         JOIN chat_sessions s ON s.id = m.session_id \
         LEFT JOIN users u ON u.id = s.agent_user_id \
         WHERE m.id > $1 ORDER BY m.id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(FeedItem {
                message: message_from_row(r)?,
                channel_id: r.try_get("channel_id")?,
                status: r.try_get("status")?,
                agent_user_id: r.try_get("agent_user_id")?,
                agent_name: r.try_get("agent_name")?,
            })
        })
        .collect()
}

/// The newest line's id (0 when there is none): where a new reader of the feed starts.
pub async fn head(conn: &mut AnyConnection) -> Result<i64> {
    let id: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM chat_messages")
        .fetch_one(conn)
        .await?;
    Ok(id.unwrap_or(0))
}
