//! 邮件渠道 — the mailboxes kefu answers from, with their webhook secrets and SMTP servers;
//! the mail they received is in [`inbound`], the mail they send in [`outbound`].

pub mod imap;
pub mod inbound;
pub mod outbound;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// A mailbox's SMTP server, without its password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: String,
    /// Empty: the server takes mail without signing in.
    pub username: String,
    /// Whether a password is stored (it is never read back but to sign in).
    pub has_password: bool,
    /// The name mail goes out under; empty: the mailbox's name.
    pub from_name: String,
}

/// A mailbox's SMTP server as it is to be stored.
pub struct SmtpRow<'a> {
    pub host: &'a str,
    pub port: u16,
    pub security: &'a str,
    pub username: &'a str,
    pub from_name: &'a str,
}

/// What becomes of the stored SMTP password when the settings are saved.
pub enum PasswordChange<'a> {
    Keep,
    Set(&'a str),
    Clear,
}

/// One mailbox, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailChannel {
    pub id: i64,
    pub name: String,
    /// The address kefu answers from.
    pub address: String,
    pub active: bool,
    /// The group new tickets from this mailbox go to.
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub secret_rotated_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Moves on with every change an administrator makes (see [`crate::version`]).
    pub version: i64,
    /// Its SMTP server; `None`: it sends no mail.
    pub smtp: Option<SmtpSettings>,
}

/// A mailbox as it is to be stored.
pub struct ChannelRow<'a> {
    pub name: &'a str,
    pub address: &'a str,
    pub active: bool,
    pub group_id: Option<i64>,
}

const SELECT_CHANNEL: &str = "SELECT c.id, c.name, c.address, c.active, c.group_id, \
    g.name AS group_name, c.secret_rotated_at, c.created_at, c.updated_at, c.version, \
    c.smtp_host, c.smtp_port, c.smtp_security, c.smtp_username, c.smtp_from_name, \
    CASE WHEN c.smtp_password IS NULL OR c.smtp_password = '' THEN 0 ELSE 1 END \
    AS smtp_has_password \
    FROM email_channels c LEFT JOIN ticket_groups g ON g.id = c.group_id";

fn smtp_from_row(r: &AnyRow) -> Result<Option<SmtpSettings>> {
    let Some(host) = r.try_get::<Option<String>, _>("smtp_host")? else {
        return Ok(None);
    };
    let port: Option<i64> = r.try_get("smtp_port")?;
    Ok(Some(SmtpSettings {
        host,
        port: port.and_then(|p| u16::try_from(p).ok()).unwrap_or(25),
        security: r
            .try_get::<Option<String>, _>("smtp_security")?
            .unwrap_or_else(|| "starttls".to_owned()),
        username: r
            .try_get::<Option<String>, _>("smtp_username")?
            .unwrap_or_default(),
        has_password: r.try_get::<i64, _>("smtp_has_password")? != 0,
        from_name: r
            .try_get::<Option<String>, _>("smtp_from_name")?
            .unwrap_or_default(),
    }))
}

fn channel_from_row(r: &AnyRow) -> Result<EmailChannel> {
    Ok(EmailChannel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        address: r.try_get("address")?,
        active: r.try_get::<i64, _>("active")? != 0,
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        secret_rotated_at: from_micros(r.try_get("secret_rotated_at")?),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
        smtp: smtp_from_row(r)?,
    })
}

/// Every mailbox, by name.
pub async fn channels(conn: &mut AnyConnection) -> Result<Vec<EmailChannel>> {
    let rows = sqlx::query(&format!("{SELECT_CHANNEL} ORDER BY c.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(channel_from_row).collect()
}

pub async fn channel(conn: &mut AnyConnection, id: i64) -> Result<EmailChannel> {
    let row = sqlx::query(&format!("{SELECT_CHANNEL} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    channel_from_row(&row)
}

/// The mailbox's webhook secret, for checking a signature; nothing else reads it.
pub async fn webhook_secret(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let secret: String =
        sqlx::query_scalar("SELECT webhook_secret FROM email_channels WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(secret)
}

/// Adds a mailbox with its first secret; a name in use is a `Conflict`.
pub async fn insert_channel(
    conn: &mut AnyConnection,
    c: &ChannelRow<'_>,
    secret: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO email_channels (name, address, active, webhook_secret, \
         secret_rotated_at, group_id, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $5, $5) RETURNING id",
    )
    .bind(c.name)
    .bind(c.address)
    .bind(crate::flag(c.active))
    .bind(secret)
    .bind(to_micros(now))
    .bind(c.group_id)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Changes a mailbox's settings (its version is moved on by [`crate::version::advance`]).
pub async fn update_channel(
    conn: &mut AnyConnection,
    id: i64,
    c: &ChannelRow<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE email_channels SET name = $2, address = $3, active = $4, group_id = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(c.name)
    .bind(c.address)
    .bind(crate::flag(c.active))
    .bind(c.group_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Stores the mailbox's SMTP server (`None`: it sends no mail; the password goes too).
pub async fn set_smtp(
    conn: &mut AnyConnection,
    id: i64,
    smtp: Option<&SmtpRow<'_>>,
    password: PasswordChange<'_>,
    now: Timestamp,
) -> Result<()> {
    let Some(s) = smtp else {
        let done = sqlx::query(
            "UPDATE email_channels SET smtp_host = NULL, smtp_port = NULL, \
             smtp_security = NULL, smtp_username = NULL, smtp_password = NULL, \
             smtp_from_name = NULL, updated_at = $2 WHERE id = $1",
        )
        .bind(id)
        .bind(to_micros(now))
        .execute(conn)
        .await?;
        return found(done);
    };
    let done = sqlx::query(
        "UPDATE email_channels SET smtp_host = $2, smtp_port = $3, smtp_security = $4, \
         smtp_username = $5, smtp_from_name = $6, updated_at = $7 WHERE id = $1",
    )
    .bind(id)
    .bind(s.host)
    .bind(i64::from(s.port))
    .bind(s.security)
    .bind(s.username)
    .bind(s.from_name)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    found(done)?;
    let password: Option<Option<&str>> = match password {
        PasswordChange::Keep => None,
        PasswordChange::Set(p) => Some(Some(p)),
        PasswordChange::Clear => Some(None),
    };
    if let Some(p) = password {
        sqlx::query("UPDATE email_channels SET smtp_password = $2 WHERE id = $1")
            .bind(id)
            .bind(p)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The mailbox's SMTP password, for signing in to its server; nothing else reads it.
pub async fn smtp_password(conn: &mut AnyConnection, id: i64) -> Result<Option<String>> {
    let password: Option<String> =
        sqlx::query_scalar("SELECT smtp_password FROM email_channels WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(password.filter(|p| !p.is_empty()))
}

/// The mailbox that sends what is not about a ticket (the portal's verification links):
/// the first switched-on one, by id, with an SMTP server.
pub async fn sending_channel(conn: &mut AnyConnection) -> Result<Option<EmailChannel>> {
    let row = sqlx::query(&format!(
        "{SELECT_CHANNEL} WHERE c.active = 1 AND c.smtp_host IS NOT NULL ORDER BY c.id LIMIT 1"
    ))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(channel_from_row).transpose()
}

/// Per mailbox: when its last mail arrived and how many wait in its failed list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelActivity {
    pub channel_id: i64,
    pub last_received_at: Option<Timestamp>,
    pub failed: i64,
}

/// The activity of every mailbox that received something.
pub async fn activity(conn: &mut AnyConnection) -> Result<Vec<ChannelActivity>> {
    let rows = sqlx::query(
        "SELECT channel_id, MAX(received_at) AS last_at, \
         COUNT(CASE WHEN status = 'failed' THEN 1 END) AS failed \
         FROM inbound_mails GROUP BY channel_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChannelActivity {
                channel_id: r.try_get("channel_id")?,
                last_received_at: r.try_get::<Option<i64>, _>("last_at")?.map(from_micros),
                failed: r.try_get("failed")?,
            })
        })
        .collect()
}
