//! Customer portal accounts and their sessions; the addresses they have proven and the codes
//! and links that prove them are in [`verification`].

pub mod verification;

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// A customer's portal account.
#[derive(Clone)]
pub struct PortalCustomer {
    pub id: i64,
    /// None for an account opened by signing in with a mobile code.
    pub email: Option<String>,
    pub name: String,
    pub phone: Option<String>,
    /// None for an account that signs in by code only.
    pub password_hash: Option<String>,
    pub active: bool,
    pub created_at: Timestamp,
}

impl std::fmt::Debug for PortalCustomer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PortalCustomer")
            .field("id", &self.id)
            .field("email", &self.email)
            .field("password_hash", &"<redacted>")
            .finish_non_exhaustive()
    }
}

const SELECT: &str =
    "SELECT id, email, name, phone, password_hash, active, created_at FROM portal_customers";

fn from_row(r: &AnyRow) -> Result<PortalCustomer> {
    Ok(PortalCustomer {
        id: r.try_get("id")?,
        email: r.try_get("email")?,
        name: r.try_get("name")?,
        phone: r.try_get("phone")?,
        password_hash: r.try_get("password_hash")?,
        active: r.try_get::<i64, _>("active")? != 0,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    email: Option<&str>,
    name: &str,
    phone: Option<&str>,
    password_hash: Option<&str>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_customers (email, name, phone, password_hash, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(email)
    .bind(name)
    .bind(phone)
    .bind(password_hash)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn by_email(conn: &mut AnyConnection, email: &str) -> Result<PortalCustomer> {
    let row = sqlx::query(&format!("{SELECT} WHERE email = $1"))
        .bind(email)
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<PortalCustomer> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

pub async fn insert_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    customer_id: i64,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO portal_sessions (token_hash, customer_id, created_at, last_seen_at, \
         expires_at) VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(token_hash)
    .bind(customer_id)
    .bind(to_micros(now))
    .bind(to_micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// The session's customer and expiry, if the session exists.
pub async fn session(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<(i64, Timestamp, Timestamp)>> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "SELECT customer_id, last_seen_at, expires_at FROM portal_sessions WHERE token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|(c, seen, exp)| (c, from_micros(seen), from_micros(exp))))
}

pub async fn touch_session(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: Timestamp,
    expires_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE portal_sessions SET last_seen_at = $2, expires_at = $3 WHERE token_hash = $1",
    )
    .bind(token_hash)
    .bind(to_micros(now))
    .bind(to_micros(expires_at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_session(conn: &mut AnyConnection, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM portal_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn delete_expired_sessions(conn: &mut AnyConnection, now: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM portal_sessions WHERE expires_at <= $1")
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Links a ticket to a portal account (staff do this for a customer who called in).
pub async fn set_requester(
    conn: &mut AnyConnection,
    ticket_id: i64,
    customer_id: Option<i64>,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE tickets SET requester_id = $2, version = version + 1 WHERE id = $1")
            .bind(ticket_id)
            .bind(customer_id)
            .execute(conn)
            .await?;
    found(done)
}
