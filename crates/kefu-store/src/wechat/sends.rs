//! 客服消息 — the replies kefu sends to followers: one row per reply, queued with it, its
//! parts counted off as WeChat takes them, settled once.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// What became of a reply.
pub mod status {
    pub const QUEUED: &str = "queued";
    pub const SENT: &str = "sent";
    /// WeChat refused it for good (its errcode and errmsg are kept).
    pub const FAILED: &str = "failed";
    /// Not sent by WeChat: the 48-hour window had passed (45015).
    pub const NOT_SENT: &str = "not_sent";
}

/// A reply as it is queued.
pub struct NewSend<'a> {
    pub channel_id: i64,
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub author_user_id: Option<i64>,
    pub openid: &'a str,
    pub content: &'a str,
    pub parts: i64,
}

/// One reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WechatSend {
    pub id: i64,
    pub channel_id: i64,
    pub ticket_id: i64,
    pub ticket_message_id: i64,
    pub author_user_id: Option<i64>,
    pub openid: String,
    pub content: String,
    pub parts: i64,
    pub parts_sent: i64,
    pub status: String,
    pub attempts: i64,
    pub errcode: Option<i64>,
    pub errmsg: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

const SELECT_SEND: &str = "SELECT id, channel_id, ticket_id, ticket_message_id, \
    author_user_id, openid, content, parts, parts_sent, status, attempts, errcode, errmsg, \
    created_at, sent_at FROM wechat_sends";

fn send_from_row(r: &AnyRow) -> Result<WechatSend> {
    Ok(WechatSend {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_message_id: r.try_get("ticket_message_id")?,
        author_user_id: r.try_get("author_user_id")?,
        openid: r.try_get("openid")?,
        content: r.try_get("content")?,
        parts: r.try_get("parts")?,
        parts_sent: r.try_get("parts_sent")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        errcode: r.try_get("errcode")?,
        errmsg: r.try_get("errmsg")?,
        created_at: from_micros(r.try_get("created_at")?),
        sent_at: r.try_get::<Option<i64>, _>("sent_at")?.map(from_micros),
    })
}

/// Queues a reply; its id.
pub async fn queue(conn: &mut AnyConnection, s: &NewSend<'_>, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO wechat_sends (channel_id, ticket_id, ticket_message_id, author_user_id, \
         openid, content, parts, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8) RETURNING id",
    )
    .bind(s.channel_id)
    .bind(s.ticket_id)
    .bind(s.ticket_message_id)
    .bind(s.author_user_id)
    .bind(s.openid)
    .bind(s.content)
    .bind(s.parts)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Option<WechatSend>> {
    let row = sqlx::query(&format!("{SELECT_SEND} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(send_from_row).transpose()
}

/// A ticket's replies by WeChat, oldest first.
pub async fn of_ticket(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<WechatSend>> {
    let rows = sqlx::query(&format!("{SELECT_SEND} WHERE ticket_id = $1 ORDER BY id"))
        .bind(ticket_id)
        .fetch_all(conn)
        .await?;
    rows.iter().map(send_from_row).collect()
}

/// `parts_sent` of the reply's parts have gone.
pub async fn progress(
    conn: &mut AnyConnection,
    id: i64,
    parts_sent: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE wechat_sends SET parts_sent = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(parts_sent)
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(())
}

/// An attempt that will be tried again: WeChat's (or the network's) answer kept.
pub async fn attempt_failed(
    conn: &mut AnyConnection,
    id: i64,
    errcode: Option<i64>,
    errmsg: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE wechat_sends SET attempts = attempts + 1, errcode = $2, errmsg = $3, \
         updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(errcode)
    .bind(errmsg)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Settles a queued reply as `status` (with WeChat's last refusal, if any): false when it
/// was settled already.
pub async fn settle(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    errcode: Option<i64>,
    errmsg: Option<&str>,
    now: Timestamp,
) -> Result<bool> {
    let sent_at = (status == self::status::SENT).then(|| to_micros(now));
    let done = sqlx::query(
        "UPDATE wechat_sends SET status = $2, attempts = attempts + 1, \
         errcode = COALESCE($3, errcode), errmsg = COALESCE($4, errmsg), sent_at = $5, \
         updated_at = $6 WHERE id = $1 AND status = 'queued'",
    )
    .bind(id)
    .bind(status)
    .bind(errcode)
    .bind(errmsg)
    .bind(sent_at)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The author and text of ticket message `id`, when it is a public one.
pub async fn public_message(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<Option<(Option<i64>, String)>> {
    let row: Option<(Option<i64>, String)> = sqlx::query_as(
        "SELECT author_user_id, body FROM ticket_messages WHERE id = $1 \
         AND visibility = 'public'",
    )
    .bind(id)
    .fetch_optional(conn)
    .await?;
    Ok(row)
}
