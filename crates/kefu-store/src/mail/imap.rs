//! 收信设置 — a mailbox's IMAP server and where reading it left off. The password is read
//! only to sign in ([`password`]); the state columns are written only by the instance that
//! holds the mailbox's lease, so two instances never read one mailbox at once.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::PasswordChange;
use crate::{Result, from_micros, to_micros};

/// A mailbox's IMAP server and reading state, without the password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImapMailbox {
    pub channel_id: i64,
    pub host: String,
    pub port: u16,
    /// `tls`, `starttls` or `none`.
    pub security: String,
    pub username: String,
    pub folder: String,
    /// `seen`, `delete` or `move`.
    pub after_fetch: String,
    pub move_to: Option<String>,
    pub poll_secs: i64,
    pub ca_pem: Option<String>,
    pub uid_validity: Option<u32>,
    pub last_uid: u32,
    /// The last UID in the folder when kefu first read it: never deleted or moved by kefu.
    pub kept_through_uid: u32,
    /// Whether the server offered IDLE at the last connection.
    pub idle: bool,
    /// `ok` or `error`; `None`: never connected.
    pub status: Option<String>,
    pub error: Option<String>,
    pub failures: i64,
    pub next_at: Timestamp,
    pub checked_at: Option<Timestamp>,
    pub fetched_total: i64,
    pub updated_at: Timestamp,
}

/// The IMAP settings as they are to be stored.
pub struct ImapRow<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: &'a str,
    pub username: &'a str,
    pub folder: &'a str,
    pub after_fetch: &'a str,
    pub move_to: Option<&'a str>,
    pub poll_secs: i64,
    pub ca_pem: Option<&'a str>,
}

const SELECT: &str = "SELECT channel_id, host, port, security, username, folder, after_fetch, \
    move_to, poll_secs, ca_pem, uid_validity, last_uid, kept_through_uid, idle, status, error, failures, next_at, \
    checked_at, fetched_total, updated_at FROM imap_mailboxes";

fn from_row(r: &AnyRow) -> Result<ImapMailbox> {
    let port: i64 = r.try_get("port")?;
    let validity: Option<i64> = r.try_get("uid_validity")?;
    let last_uid: i64 = r.try_get("last_uid")?;
    let kept: i64 = r.try_get("kept_through_uid")?;
    Ok(ImapMailbox {
        channel_id: r.try_get("channel_id")?,
        host: r.try_get("host")?,
        port: u16::try_from(port).unwrap_or(993),
        security: r.try_get("security")?,
        username: r.try_get("username")?,
        folder: r.try_get("folder")?,
        after_fetch: r.try_get("after_fetch")?,
        move_to: r.try_get("move_to")?,
        poll_secs: r.try_get("poll_secs")?,
        ca_pem: r.try_get("ca_pem")?,
        uid_validity: validity.and_then(|v| u32::try_from(v).ok()),
        last_uid: u32::try_from(last_uid).unwrap_or(0),
        kept_through_uid: u32::try_from(kept).unwrap_or(0),
        idle: r.try_get::<i64, _>("idle")? != 0,
        status: r.try_get("status")?,
        error: r.try_get("error")?,
        failures: r.try_get("failures")?,
        next_at: from_micros(r.try_get("next_at")?),
        checked_at: r.try_get::<Option<i64>, _>("checked_at")?.map(from_micros),
        fetched_total: r.try_get("fetched_total")?,
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// The mailbox's IMAP server; `None`: its mail is not fetched.
pub async fn mailbox(conn: &mut AnyConnection, channel_id: i64) -> Result<Option<ImapMailbox>> {
    let row = sqlx::query(&format!("{SELECT} WHERE channel_id = $1"))
        .bind(channel_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every mailbox's IMAP server, by channel.
pub async fn mailboxes(conn: &mut AnyConnection) -> Result<Vec<ImapMailbox>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY channel_id"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// Stores the IMAP server of mailbox `channel_id`. `restart`: the server, account or folder
/// changed, so the reading state starts again (a first pass, which deletes nothing) and
/// the next try is due now.
pub async fn save(
    conn: &mut AnyConnection,
    channel_id: i64,
    row: &ImapRow<'_>,
    password: PasswordChange<'_>,
    restart: bool,
    now: Timestamp,
) -> Result<()> {
    let now_us = to_micros(now);
    let new_password = match password {
        PasswordChange::Set(p) => p,
        PasswordChange::Keep | PasswordChange::Clear => "",
    };
    sqlx::query(
        "INSERT INTO imap_mailboxes (channel_id, host, port, security, username, password, \
         folder, after_fetch, move_to, poll_secs, ca_pem, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) \
         ON CONFLICT (channel_id) DO UPDATE SET host = $2, port = $3, security = $4, \
         username = $5, folder = $7, after_fetch = $8, move_to = $9, poll_secs = $10, \
         ca_pem = $11, updated_at = $12",
    )
    .bind(channel_id)
    .bind(row.host)
    .bind(i64::from(row.port))
    .bind(row.security)
    .bind(row.username)
    .bind(new_password)
    .bind(row.folder)
    .bind(row.after_fetch)
    .bind(row.move_to)
    .bind(row.poll_secs)
    .bind(row.ca_pem)
    .bind(now_us)
    .execute(&mut *conn)
    .await?;
    if let PasswordChange::Set(p) = password {
        sqlx::query("UPDATE imap_mailboxes SET password = $2 WHERE channel_id = $1")
            .bind(channel_id)
            .bind(p)
            .execute(&mut *conn)
            .await?;
    }
    // Any change is worth trying at once: a flagged mailbox whose password was just fixed
    // should not wait out its back-off.
    let restart_sql = if restart {
        "UPDATE imap_mailboxes SET uid_validity = NULL, last_uid = 0, kept_through_uid = 0, \
         status = NULL, \
         error = NULL, failures = 0, next_at = $2 WHERE channel_id = $1"
    } else {
        "UPDATE imap_mailboxes SET failures = 0, next_at = $2 WHERE channel_id = $1"
    };
    sqlx::query(restart_sql)
        .bind(channel_id)
        .bind(now_us)
        .execute(conn)
        .await?;
    Ok(())
}

/// Stops fetching mailbox `channel_id`'s mail (its settings and state go).
pub async fn remove(conn: &mut AnyConnection, channel_id: i64) -> Result<bool> {
    let done = sqlx::query("DELETE FROM imap_mailboxes WHERE channel_id = $1")
        .bind(channel_id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// The IMAP password, for signing in; nothing else reads it.
pub async fn password(conn: &mut AnyConnection, channel_id: i64) -> Result<Option<String>> {
    let password: Option<String> =
        sqlx::query_scalar("SELECT password FROM imap_mailboxes WHERE channel_id = $1")
            .bind(channel_id)
            .fetch_optional(conn)
            .await?;
    Ok(password.filter(|p| !p.is_empty()))
}

/// Switched-on mailboxes whose next read is due and that no instance holds: the ones a
/// runner may try to take.
pub async fn due(conn: &mut AnyConnection, now: Timestamp) -> Result<Vec<i64>> {
    let now_us = to_micros(now);
    let ids = sqlx::query_scalar(
        "SELECT m.channel_id FROM imap_mailboxes m \
         JOIN email_channels c ON c.id = m.channel_id \
         WHERE c.active = 1 AND m.next_at <= $1 \
           AND (m.lease_until IS NULL OR m.lease_until < $1) \
         ORDER BY m.next_at, m.channel_id",
    )
    .bind(now_us)
    .fetch_all(conn)
    .await?;
    Ok(ids)
}

/// Takes (or keeps) the lease of mailbox `channel_id` for `owner` until `until`: false when
/// another instance holds it, the mailbox is switched off or its fetching was removed.
pub async fn hold(
    conn: &mut AnyConnection,
    channel_id: i64,
    owner: &str,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE imap_mailboxes SET lease_owner = $2, lease_until = $4 \
         WHERE channel_id = $1 \
           AND (lease_owner = $2 OR lease_until IS NULL OR lease_until < $3) \
           AND EXISTS (SELECT 1 FROM email_channels c WHERE c.id = $1 AND c.active = 1)",
    )
    .bind(channel_id)
    .bind(owner)
    .bind(to_micros(now))
    .bind(to_micros(until))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Gives the lease back, so another instance may take the mailbox at once.
pub async fn release(conn: &mut AnyConnection, channel_id: i64, owner: &str) -> Result<()> {
    sqlx::query(
        "UPDATE imap_mailboxes SET lease_owner = NULL, lease_until = NULL \
         WHERE channel_id = $1 AND lease_owner = $2",
    )
    .bind(channel_id)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(())
}

/// Starts reading a folder from its first mail (first connection, or its UIDVALIDITY
/// changed): mail up to `kept_through` was there before and stays. Only while `owner` holds
/// the lease.
pub async fn start_folder(
    conn: &mut AnyConnection,
    channel_id: i64,
    owner: &str,
    uid_validity: u32,
    kept_through: u32,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE imap_mailboxes SET uid_validity = $3, last_uid = 0, kept_through_uid = $4 \
         WHERE channel_id = $1 AND lease_owner = $2",
    )
    .bind(channel_id)
    .bind(owner)
    .bind(i64::from(uid_validity))
    .bind(i64::from(kept_through))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records that the folder was read up to `last_uid` (of `uid_validity`), `fetched` mails
/// more, and renews the lease until `until`: only while `owner` holds it (false: it was
/// lost, stop reading).
#[allow(clippy::too_many_arguments)]
pub async fn advance(
    conn: &mut AnyConnection,
    channel_id: i64,
    owner: &str,
    uid_validity: u32,
    last_uid: u32,
    fetched: i64,
    now: Timestamp,
    until: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE imap_mailboxes SET uid_validity = $3, last_uid = $4, \
         fetched_total = fetched_total + $5, checked_at = $6, lease_until = $7 \
         WHERE channel_id = $1 AND lease_owner = $2",
    )
    .bind(channel_id)
    .bind(owner)
    .bind(i64::from(uid_validity))
    .bind(i64::from(last_uid))
    .bind(fetched)
    .bind(to_micros(now))
    .bind(to_micros(until))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A read went well: the mailbox is `ok`, the next is due at `next_at`.
pub async fn record_ok(
    conn: &mut AnyConnection,
    channel_id: i64,
    idle: bool,
    next_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE imap_mailboxes SET status = 'ok', error = NULL, failures = 0, idle = $2, \
         next_at = $3, checked_at = $4 WHERE channel_id = $1",
    )
    .bind(channel_id)
    .bind(i64::from(idle))
    .bind(to_micros(next_at))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A read failed: the mailbox is flagged with `error` and waits until `next_at`. The
/// answer is how many times in a row it has failed now.
pub async fn record_error(
    conn: &mut AnyConnection,
    channel_id: i64,
    error: &str,
    failures: i64,
    next_at: Timestamp,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE imap_mailboxes SET status = 'error', error = $2, failures = $3, next_at = $4, \
         checked_at = $5 WHERE channel_id = $1",
    )
    .bind(channel_id)
    .bind(error)
    .bind(failures)
    .bind(to_micros(next_at))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}
