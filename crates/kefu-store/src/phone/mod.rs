//! 电话渠道 — the telephone systems that report calls to kefu, with their webhook secrets
//! and which extension rings at which agent; the calls themselves are in [`calls`].

pub mod calls;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// One telephone system, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneChannel {
    pub id: i64,
    pub name: String,
    pub active: bool,
    /// The group a missed call's callback goes to when its extension is nobody's.
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    /// The exchange's area code (`0571`): a caller's local number gets it.
    pub area_code: Option<String>,
    pub secret_rotated_at: Timestamp,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Moves on with every change an administrator makes (see [`crate::version`]).
    pub version: i64,
}

/// A telephone system as it is to be stored.
pub struct ChannelRow<'a> {
    pub name: &'a str,
    pub active: bool,
    pub group_id: Option<i64>,
    pub area_code: Option<&'a str>,
}

const SELECT_CHANNEL: &str = "SELECT c.id, c.name, c.active, c.group_id, \
    g.name AS group_name, c.area_code, c.secret_rotated_at, c.created_at, c.updated_at, \
    c.version FROM phone_channels c LEFT JOIN ticket_groups g ON g.id = c.group_id";

fn channel_from_row(r: &AnyRow) -> Result<PhoneChannel> {
    Ok(PhoneChannel {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        active: r.try_get::<i64, _>("active")? != 0,
        group_id: r.try_get("group_id")?,
        group_name: r.try_get("group_name")?,
        area_code: r.try_get("area_code")?,
        secret_rotated_at: from_micros(r.try_get("secret_rotated_at")?),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

/// Every telephone system, by name.
pub async fn channels(conn: &mut AnyConnection) -> Result<Vec<PhoneChannel>> {
    let rows = sqlx::query(&format!("{SELECT_CHANNEL} ORDER BY c.name"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(channel_from_row).collect()
}

pub async fn channel(conn: &mut AnyConnection, id: i64) -> Result<PhoneChannel> {
    let row = sqlx::query(&format!("{SELECT_CHANNEL} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    channel_from_row(&row)
}

/// Whether any telephone system is switched on (the workbench's call tiles show then).
pub async fn any_active(conn: &mut AnyConnection) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM phone_channels WHERE active = 1 LIMIT 1) AS one",
    )
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The system's webhook secret, for checking a signature; nothing else reads it.
pub async fn webhook_secret(conn: &mut AnyConnection, id: i64) -> Result<String> {
    let secret: String =
        sqlx::query_scalar("SELECT webhook_secret FROM phone_channels WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?;
    Ok(secret)
}

/// Adds a telephone system with its first secret; a name in use is a `Conflict`.
pub async fn insert_channel(
    conn: &mut AnyConnection,
    c: &ChannelRow<'_>,
    secret: &str,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO phone_channels (name, active, webhook_secret, secret_rotated_at, \
         group_id, area_code, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $4, $4) RETURNING id",
    )
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(secret)
    .bind(to_micros(now))
    .bind(c.group_id)
    .bind(c.area_code)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// Changes a system's settings (its version is moved on by [`crate::version::advance`]).
pub async fn update_channel(
    conn: &mut AnyConnection,
    id: i64,
    c: &ChannelRow<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE phone_channels SET name = $2, active = $3, group_id = $4, area_code = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(c.name)
    .bind(crate::flag(c.active))
    .bind(c.group_id)
    .bind(c.area_code)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Per system: when its last call started and how many calls it reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChannelActivity {
    pub channel_id: i64,
    pub last_call_at: Option<Timestamp>,
    pub calls: i64,
}

/// The activity of every system that reported a call.
pub async fn activity(conn: &mut AnyConnection) -> Result<Vec<ChannelActivity>> {
    let rows = sqlx::query(
        "SELECT channel_id, MAX(started_at) AS last_at, COUNT(*) AS calls FROM phone_calls \
         WHERE channel_id IS NOT NULL GROUP BY channel_id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ChannelActivity {
                channel_id: r.try_get("channel_id")?,
                last_call_at: r.try_get::<Option<i64>, _>("last_at")?.map(from_micros),
                calls: r.try_get("calls")?,
            })
        })
        .collect()
}

/// 分机 — an extension of a system and the staff account it rings at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub extension: String,
    pub user_id: i64,
    pub user_name: String,
}

/// A system's extensions, in order.
pub async fn extensions(conn: &mut AnyConnection, channel_id: i64) -> Result<Vec<Extension>> {
    let rows = sqlx::query(
        "SELECT e.extension, e.user_id, u.display_name FROM phone_extensions e \
         JOIN users u ON u.id = e.user_id WHERE e.channel_id = $1 ORDER BY e.extension",
    )
    .bind(channel_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Extension {
                extension: r.try_get("extension")?,
                user_id: r.try_get("user_id")?,
                user_name: r.try_get("display_name")?,
            })
        })
        .collect()
}

/// Maps `extension` to `user_id` (another mapping of the extension is replaced).
pub async fn set_extension(
    conn: &mut AnyConnection,
    channel_id: i64,
    extension: &str,
    user_id: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO phone_extensions (channel_id, extension, user_id, created_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (channel_id, extension) DO UPDATE SET user_id = excluded.user_id",
    )
    .bind(channel_id)
    .bind(extension)
    .bind(user_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn remove_extension(
    conn: &mut AnyConnection,
    channel_id: i64,
    extension: &str,
) -> Result<()> {
    let done = sqlx::query("DELETE FROM phone_extensions WHERE channel_id = $1 AND extension = $2")
        .bind(channel_id)
        .bind(extension)
        .execute(conn)
        .await?;
    found(done)
}

/// The staff account extension `extension` of system `channel_id` rings at, if any (an
/// account switched off rings at nobody).
pub async fn agent_of(
    conn: &mut AnyConnection,
    channel_id: i64,
    extension: &str,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT e.user_id FROM phone_extensions e JOIN users u ON u.id = e.user_id \
         WHERE e.channel_id = $1 AND e.extension = $2 AND u.active = 1",
    )
    .bind(channel_id)
    .bind(extension)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}
