//! A ticket's conversation: messages (public replies and internal notes), field-change
//! events and attachments (whose bytes are stored once per SHA-256, however many
//! attachments carry them).

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub id: i64,
    pub ticket_id: i64,
    /// `public` or `internal`.
    pub visibility: String,
    /// `staff`, `customer` or `system`.
    pub author_kind: String,
    pub author_user_id: Option<i64>,
    pub author_name: String,
    pub body: String,
    pub created_at: Timestamp,
}

/// A message to add.
pub struct NewMessage<'a> {
    pub ticket_id: i64,
    pub visibility: &'a str,
    pub author_kind: &'a str,
    pub author_user_id: Option<i64>,
    pub author_name: &'a str,
    pub body: &'a str,
    pub at: Timestamp,
}

/// Adds a message and counts it on the ticket, moving the ticket's version on.
pub async fn add_message(conn: &mut AnyConnection, m: &NewMessage<'_>) -> Result<i64> {
    let id = insert_message(conn, m).await?;
    sqlx::query(
        "UPDATE tickets SET message_count = message_count + 1, version = version + 1 \
         WHERE id = $1",
    )
    .bind(m.ticket_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// Inserts a message without counting it on the ticket (a new ticket is inserted with its
/// first message already counted).
pub async fn insert_message(conn: &mut AnyConnection, m: &NewMessage<'_>) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_messages (ticket_id, visibility, author_kind, author_user_id, \
         author_name, body, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(m.ticket_id)
    .bind(m.visibility)
    .bind(m.author_kind)
    .bind(m.author_user_id)
    .bind(m.author_name)
    .bind(m.body)
    .bind(to_micros(m.at))
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

/// The messages of a ticket, oldest first; `public_only` for what the customer may see.
pub async fn messages(
    conn: &mut AnyConnection,
    ticket_id: i64,
    public_only: bool,
) -> Result<Vec<Message>> {
    let sql = if public_only {
        "SELECT id, ticket_id, visibility, author_kind, author_user_id, author_name, body, \
         created_at FROM ticket_messages WHERE ticket_id = $1 AND visibility = 'public' \
         ORDER BY id"
    } else {
        "SELECT id, ticket_id, visibility, author_kind, author_user_id, author_name, body, \
         created_at FROM ticket_messages WHERE ticket_id = $1 ORDER BY id"
    };
    let rows = sqlx::query(sql).bind(ticket_id).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Message {
                id: r.try_get("id")?,
                ticket_id: r.try_get("ticket_id")?,
                visibility: r.try_get("visibility")?,
                author_kind: r.try_get("author_kind")?,
                author_user_id: r.try_get("author_user_id")?,
                author_name: r.try_get("author_name")?,
                body: r.try_get("body")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// One field change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub ticket_id: i64,
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// Records a change, with the ticket's version at that moment: a use case records its
/// changes before the write that moves the version on, so the change is named to whoever
/// still holds that version (see [`super::changed_since`]).
pub async fn add_event(conn: &mut AnyConnection, e: &Event) -> Result<()> {
    sqlx::query(
        "INSERT INTO ticket_events (ticket_id, at, actor_user_id, actor_name, field, \
         old_value, new_value, ticket_version) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         (SELECT version FROM tickets WHERE id = $1))",
    )
    .bind(e.ticket_id)
    .bind(to_micros(e.at))
    .bind(e.actor_user_id)
    .bind(&e.actor_name)
    .bind(&e.field)
    .bind(&e.old_value)
    .bind(&e.new_value)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn events(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<Event>> {
    let rows = sqlx::query(
        "SELECT id, ticket_id, at, actor_user_id, actor_name, field, old_value, new_value \
         FROM ticket_events WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                id: r.try_get("id")?,
                ticket_id: r.try_get("ticket_id")?,
                at: from_micros(r.try_get("at")?),
                actor_user_id: r.try_get("actor_user_id")?,
                actor_name: r.try_get("actor_name")?,
                field: r.try_get("field")?,
                old_value: r.try_get("old_value")?,
                new_value: r.try_get("new_value")?,
            })
        })
        .collect()
}

/// An attachment's description, without its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub id: i64,
    pub ticket_id: i64,
    pub message_id: Option<i64>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// The hex SHA-256 of the bytes, under which they are stored (once).
    pub sha256: String,
    pub created_at: Timestamp,
    /// 隔离 — kept but never served: a program or script that came by mail, whatever the
    /// mail called it, or a type kefu does not serve.
    pub quarantined: bool,
    /// A part of a mail's body (a `cid:` image) rather than a file attached to it.
    pub inline: bool,
}

/// Stores `data` under its hex SHA-256 `sha256`, unless bytes with that digest are stored
/// already (by a ticket attachment or an RMA's photo).
pub async fn store_blob(
    conn: &mut AnyConnection,
    sha256: &str,
    data: &[u8],
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO attachment_blobs (sha256, size, data, created_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (sha256) DO NOTHING",
    )
    .bind(sha256)
    .bind(data.len() as i64)
    .bind(data.to_vec())
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Stores an attachment: its bytes once under their SHA-256 (`a.sha256`, the hex digest of
/// `data`) — bytes already stored, for any ticket, are not stored again — and the attachment
/// naming them.
pub async fn add_attachment(conn: &mut AnyConnection, a: &Attachment, data: &[u8]) -> Result<i64> {
    store_blob(&mut *conn, &a.sha256, data, a.created_at).await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_attachments (ticket_id, message_id, filename, content_type, size, \
         sha256, created_at, quarantined, is_inline) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(a.ticket_id)
    .bind(a.message_id)
    .bind(&a.filename)
    .bind(&a.content_type)
    .bind(a.size)
    .bind(&a.sha256)
    .bind(to_micros(a.created_at))
    .bind(crate::flag(a.quarantined))
    .bind(crate::flag(a.inline))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn attachments(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<Attachment>> {
    let rows = sqlx::query(
        "SELECT id, ticket_id, message_id, filename, content_type, size, sha256, created_at, \
         quarantined, is_inline FROM ticket_attachments WHERE ticket_id = $1 ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Attachment {
                id: r.try_get("id")?,
                ticket_id: r.try_get("ticket_id")?,
                message_id: r.try_get("message_id")?,
                filename: r.try_get("filename")?,
                content_type: r.try_get("content_type")?,
                size: r.try_get("size")?,
                sha256: r.try_get("sha256")?,
                created_at: from_micros(r.try_get("created_at")?),
                quarantined: r.try_get::<i64, _>("quarantined")? != 0,
                inline: r.try_get::<i64, _>("is_inline")? != 0,
            })
        })
        .collect()
}

/// An attachment's bytes, checked to belong to `ticket_id`; a quarantined file is not
/// found (it is never served).
pub async fn attachment_data(
    conn: &mut AnyConnection,
    ticket_id: i64,
    id: i64,
) -> Result<(String, String, Vec<u8>)> {
    let row = sqlx::query(
        "SELECT a.filename, a.content_type, b.data FROM ticket_attachments a \
         JOIN attachment_blobs b ON b.sha256 = a.sha256 \
         WHERE a.id = $1 AND a.ticket_id = $2 AND a.quarantined = 0",
    )
    .bind(id)
    .bind(ticket_id)
    .fetch_one(conn)
    .await?;
    Ok((
        row.try_get("filename")?,
        row.try_get("content_type")?,
        row.try_get("data")?,
    ))
}

/// Deletes the attachments of ticket `ticket_id`, and the bytes no other attachment names,
/// in the caller's transaction (ticket deletion and the erasure of personal data go through
/// here, so no file outlives the last attachment naming it). A file that is a complaint's
/// evidence is refused ([`StoreError::Conflict`](crate::StoreError::Conflict)): evidence
/// goes only with its complaint. Returns how many attachments went.
pub async fn delete_attachments(conn: &mut AnyConnection, ticket_id: i64) -> Result<u64> {
    let digests: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT sha256 FROM ticket_attachments WHERE ticket_id = $1")
            .bind(ticket_id)
            .fetch_all(&mut *conn)
            .await?;
    let done = sqlx::query("DELETE FROM ticket_attachments WHERE ticket_id = $1")
        .bind(ticket_id)
        .execute(&mut *conn)
        .await?;
    drop_orphan_blobs(conn, &digests).await?;
    Ok(done.rows_affected())
}

/// Deletes the stored bytes among `digests` that no attachment (nor an RMA's photo) names
/// any more; run in the transaction that deleted attachments, after them. Returns how many
/// went.
///
/// Attachments name their bytes by a foreign key: should another transaction attach the same
/// file meanwhile, one of the two fails rather than leaving an attachment without its bytes.
pub async fn drop_orphan_blobs(conn: &mut AnyConnection, digests: &[String]) -> Result<u64> {
    let mut dropped = 0;
    for digest in digests {
        dropped += sqlx::query(
            "DELETE FROM attachment_blobs WHERE sha256 = $1 \
             AND NOT EXISTS (SELECT 1 FROM ticket_attachments WHERE sha256 = $1) \
             AND NOT EXISTS (SELECT 1 FROM rma_photos WHERE sha256 = $1)",
        )
        .bind(digest)
        .execute(&mut *conn)
        .await?
        .rows_affected();
    }
    Ok(dropped)
}

/// Keeps the history a message quoted (a mail's 原始邮件 or "On … wrote:"), shown folded.
pub async fn set_quoted_text(
    conn: &mut AnyConnection,
    message_id: i64,
    quoted: &str,
) -> Result<()> {
    sqlx::query("UPDATE ticket_messages SET quoted_text = $2 WHERE id = $1")
        .bind(message_id)
        .bind(quoted)
        .execute(conn)
        .await?;
    Ok(())
}

/// (message, quoted history) for the messages of a ticket that quoted one.
pub async fn quoted_texts(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as::<_, (i64, String)>(
        "SELECT id, quoted_text FROM ticket_messages \
         WHERE ticket_id = $1 AND quoted_text IS NOT NULL ORDER BY id",
    )
    .bind(ticket_id)
    .fetch_all(conn)
    .await?)
}

/// Records the channel a customer's message came by (`email`, `sms`, `wechat`, `chat`).
pub async fn set_message_channel(
    conn: &mut AnyConnection,
    message_id: i64,
    channel: &str,
) -> Result<()> {
    sqlx::query("UPDATE ticket_messages SET channel = $2 WHERE id = $1")
        .bind(message_id)
        .bind(channel)
        .execute(conn)
        .await?;
    Ok(())
}

/// The channel of the customer's latest message on the ticket that came by one; `None`:
/// every customer message was written on a form, the portal, or by staff.
pub async fn last_inbound_channel(
    conn: &mut AnyConnection,
    ticket_id: i64,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT channel FROM ticket_messages \
         WHERE ticket_id = $1 AND author_kind = 'customer' AND channel IS NOT NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?)
}
