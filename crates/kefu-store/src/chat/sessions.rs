//! 会话 — the chats: who waits, who answers whom, what each ended as. A chat's state moves
//! only by conditional updates (`… WHERE status = 'waiting'`), so two agents accepting the
//! same chat at once, or two ends of one chat, change it once.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, found, from_micros, to_micros};

/// One chat, with the names of what it refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatSession {
    pub id: i64,
    pub channel_id: i64,
    pub channel_name: String,
    /// `waiting`, `active` or `ended`.
    pub status: String,
    pub agent_user_id: Option<i64>,
    pub agent_name: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub visitor_name: Option<String>,
    /// Sensitive: leaves the use cases masked.
    pub visitor_phone: Option<String>,
    /// Sensitive: leaves the use cases masked.
    pub visitor_email: Option<String>,
    pub origin: Option<String>,
    pub page_url: Option<String>,
    /// The last message number given out.
    pub last_seq: i64,
    pub started_at: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    /// `visitor`, `agent` or `idle`.
    pub ended_by: Option<String>,
    pub last_activity_at: Timestamp,
    pub version: i64,
}

/// A chat as its first message opens it.
pub struct NewSession<'a> {
    pub channel_id: i64,
    pub token_hash: &'a str,
    pub group_id: Option<i64>,
    pub visitor_name: Option<&'a str>,
    pub visitor_phone: Option<&'a str>,
    pub visitor_email: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub page_url: Option<&'a str>,
    pub now: Timestamp,
}

const SELECT_SESSION: &str = "SELECT s.id, s.channel_id, c.name AS channel_name, s.status, \
    s.agent_user_id, u.display_name AS agent_name, s.group_id, g.name AS group_name, \
    s.ticket_id, t.number AS ticket_number, s.customer_id, cu.name AS customer_name, \
    s.visitor_name, s.visitor_phone, s.visitor_email, s.origin, s.page_url, s.last_seq, \
    s.started_at, s.accepted_at, s.ended_at, s.ended_by, s.last_activity_at, s.version \
    FROM chat_sessions s JOIN chat_channels c ON c.id = s.channel_id \
    LEFT JOIN users u ON u.id = s.agent_user_id \
    LEFT JOIN ticket_groups g ON g.id = s.group_id \
    LEFT JOIN tickets t ON t.id = s.ticket_id \
    LEFT JOIN customers cu ON cu.id = s.customer_id";

fn session_from_row(r: &AnyRow) -> Result<ChatSession> {
    Ok(ChatSession {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        channel_name: r.try_get("channel_name")?,
        status: r.try_get("status")?,
        agent_user_id: r.try_get("agent_user_id")?,
        agent_name: r.try_get("agent_name")?,
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_number: r.try_get("ticket_number")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        visitor_name: r.try_get("visitor_name")?,
        visitor_phone: r.try_get("visitor_phone")?,
        visitor_email: r.try_get("visitor_email")?,
        origin: r.try_get("origin")?,
        page_url: r.try_get("page_url")?,
        last_seq: r.try_get("last_seq")?,
        started_at: from_micros(r.try_get("started_at")?),
        accepted_at: r.try_get::<Option<i64>, _>("accepted_at")?.map(from_micros),
        ended_at: r.try_get::<Option<i64>, _>("ended_at")?.map(from_micros),
        ended_by: r.try_get("ended_by")?,
        last_activity_at: from_micros(r.try_get("last_activity_at")?),
        version: r.try_get("version")?,
    })
}

/// Opens a chat, waiting; its id. A token already in use is a `Conflict`.
pub async fn insert(conn: &mut AnyConnection, s: &NewSession<'_>) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO chat_sessions (channel_id, visitor_token_hash, status, group_id, \
         visitor_name, visitor_phone, visitor_email, origin, page_url, last_seq, started_at, \
         last_activity_at) VALUES ($1, $2, 'waiting', $3, $4, $5, $6, $7, $8, 0, $9, $9) \
         RETURNING id",
    )
    .bind(s.channel_id)
    .bind(s.token_hash)
    .bind(s.group_id)
    .bind(s.visitor_name)
    .bind(s.visitor_phone)
    .bind(s.visitor_email)
    .bind(s.origin)
    .bind(s.page_url)
    .bind(to_micros(s.now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn session(conn: &mut AnyConnection, id: i64) -> Result<ChatSession> {
    let row = sqlx::query(&format!("{SELECT_SESSION} WHERE s.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    session_from_row(&row)
}

/// The chat whose visitor holds the token hashed as `token_hash`.
pub async fn by_token(conn: &mut AnyConnection, token_hash: &str) -> Result<Option<ChatSession>> {
    let row = sqlx::query(&format!("{SELECT_SESSION} WHERE s.visitor_token_hash = $1"))
        .bind(token_hash)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(session_from_row).transpose()
}

/// Takes the chat's row for a write in this transaction (on PostgreSQL the row lock makes
/// writers of one chat take turns, so its message numbers follow the order of writing):
/// its status now.
pub async fn lock(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE chat_sessions SET version = version + 1 WHERE id = $1 RETURNING status",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    status.ok_or(StoreError::NotFound)
}

/// The next message number of the chat, which is written in now.
pub async fn next_seq(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<i64> {
    let seq: Option<i64> = sqlx::query_scalar(
        "UPDATE chat_sessions SET last_seq = last_seq + 1, last_activity_at = $2 WHERE id = $1 \
         RETURNING last_seq",
    )
    .bind(id)
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?;
    seq.ok_or(StoreError::NotFound)
}

/// A waiting chat taken by `agent`: false when it was not waiting any more.
pub async fn accept(conn: &mut AnyConnection, id: i64, agent: i64, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE chat_sessions SET status = 'active', agent_user_id = $2, accepted_at = $3 \
         WHERE id = $1 AND status = 'waiting'",
    )
    .bind(id)
    .bind(agent)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// An active chat handed to another agent: false when it was not active any more.
pub async fn hand_to(conn: &mut AnyConnection, id: i64, agent: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE chat_sessions SET agent_user_id = $2 WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .bind(agent)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// An active chat back in the queue of `group`: false when it was not active any more.
pub async fn requeue(conn: &mut AnyConnection, id: i64, group: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE chat_sessions SET status = 'waiting', agent_user_id = NULL, accepted_at = NULL, \
         group_id = $2 WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .bind(group)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends the chat: false when it had ended before.
pub async fn end(conn: &mut AnyConnection, id: i64, by: &str, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE chat_sessions SET status = 'ended', ended_at = $2, ended_by = $3 \
         WHERE id = $1 AND status <> 'ended'",
    )
    .bind(id)
    .bind(to_micros(now))
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records the ticket the chat became: false when it had one already (nothing changes).
pub async fn link_ticket(conn: &mut AnyConnection, id: i64, ticket_id: i64) -> Result<bool> {
    let done =
        sqlx::query("UPDATE chat_sessions SET ticket_id = $2 WHERE id = $1 AND ticket_id IS NULL")
            .bind(id)
            .bind(ticket_id)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// The archive's customer the chat is with.
pub async fn set_customer(conn: &mut AnyConnection, id: i64, customer_id: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE chat_sessions SET customer_id = $2, version = version + 1 WHERE id = $1",
    )
    .bind(id)
    .bind(customer_id)
    .execute(conn)
    .await?;
    found(done)
}

/// ` AND (s.group_id IS NULL OR s.group_id IN ($first, …))` for `groups`, with the
/// placeholders numbered from `first`.
fn group_clause(groups: &[i64], first: usize) -> String {
    if groups.is_empty() {
        return " AND s.group_id IS NULL".to_owned();
    }
    let ps: Vec<String> = (0..groups.len())
        .map(|i| format!("${}", first + i))
        .collect();
    format!(
        " AND (s.group_id IS NULL OR s.group_id IN ({}))",
        ps.join(", ")
    )
}

/// The waiting chats of no group or of one of `groups`, the longest waiting first.
pub async fn waiting(
    conn: &mut AnyConnection,
    groups: &[i64],
    limit: i64,
) -> Result<Vec<ChatSession>> {
    let sql = format!(
        "{SELECT_SESSION} WHERE s.status = 'waiting'{} ORDER BY s.started_at, s.id LIMIT $1",
        group_clause(groups, 2)
    );
    let mut q = sqlx::query(&sql).bind(limit);
    for g in groups {
        q = q.bind(*g);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(session_from_row).collect()
}

/// How many chats of no group or of one of `groups` wait, counted up to `cap`.
pub async fn count_waiting(conn: &mut AnyConnection, groups: &[i64], cap: i64) -> Result<i64> {
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM chat_sessions s WHERE s.status = 'waiting'{} \
         LIMIT $1) AS capped",
        group_clause(groups, 2)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(cap);
    for g in groups {
        q = q.bind(*g);
    }
    Ok(q.fetch_one(conn).await?)
}

/// The chats `agent` answers now, the oldest first.
pub async fn active_of(conn: &mut AnyConnection, agent: i64) -> Result<Vec<ChatSession>> {
    let rows = sqlx::query(&format!(
        "{SELECT_SESSION} WHERE s.agent_user_id = $1 AND s.status = 'active' \
         ORDER BY s.accepted_at, s.id"
    ))
    .bind(agent)
    .fetch_all(conn)
    .await?;
    rows.iter().map(session_from_row).collect()
}

/// How many chats `agent` answers now.
pub async fn count_active_of(conn: &mut AnyConnection, agent: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM chat_sessions WHERE agent_user_id = $1 AND status = 'active'",
    )
    .bind(agent)
    .fetch_one(conn)
    .await?)
}

/// Chats not ended in which nobody wrote since `before`, the stalest first.
pub async fn idle(conn: &mut AnyConnection, before: Timestamp, limit: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM chat_sessions WHERE status IN ('waiting', 'active') \
         AND last_activity_at < $1 ORDER BY last_activity_at LIMIT $2",
    )
    .bind(to_micros(before))
    .bind(limit)
    .fetch_all(conn)
    .await?)
}

/// Ended chats with a visitor's message that have not become a ticket yet (one whose
/// ticket could not be written when it ended).
pub async fn ended_without_ticket(conn: &mut AnyConnection, limit: i64) -> Result<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT s.id FROM chat_sessions s WHERE s.status = 'ended' AND s.ticket_id IS NULL \
         AND EXISTS (SELECT 1 FROM chat_messages m WHERE m.session_id = s.id \
         AND m.author = 'visitor') ORDER BY s.id LIMIT $1",
    )
    .bind(limit)
    .fetch_all(conn)
    .await?)
}
