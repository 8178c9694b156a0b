//! 地址验证 as stored: the addresses portal accounts have proven, the codes and links that
//! prove them (hashes only), and the tickets a proven address brings.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// One code or link sent to an address.
#[derive(Clone)]
pub struct Verification {
    pub id: i64,
    /// `email` or `mobile`.
    pub kind: String,
    /// The address, normalised.
    pub address: String,
    /// The account it verifies for; None for a sign-in code.
    pub customer_id: Option<i64>,
    /// A code's hash (of the form's handle and the code); None for a link.
    pub code_hash: Option<String>,
    pub attempts: i64,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
    pub used_at: Option<Timestamp>,
}

impl std::fmt::Debug for Verification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verification")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .field("customer_id", &self.customer_id)
            .field("attempts", &self.attempts)
            .finish_non_exhaustive()
    }
}

/// A code or link about to be sent.
pub struct NewVerification<'a> {
    pub kind: &'a str,
    pub address: &'a str,
    pub customer_id: Option<i64>,
    /// What finds it again: the hash of the link's token, or of the code form's handle.
    pub lookup_hash: &'a str,
    pub code_hash: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub expires_at: Timestamp,
}

const SELECT: &str = "SELECT id, kind, address, customer_id, code_hash, attempts, created_at, \
    expires_at, used_at FROM portal_verifications";

fn from_row(r: &AnyRow) -> Result<Verification> {
    Ok(Verification {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        address: r.try_get("address")?,
        customer_id: r.try_get("customer_id")?,
        code_hash: r.try_get("code_hash")?,
        attempts: r.try_get("attempts")?,
        created_at: from_micros(r.try_get("created_at")?),
        expires_at: from_micros(r.try_get("expires_at")?),
        used_at: r.try_get::<Option<i64>, _>("used_at")?.map(from_micros),
    })
}

pub async fn insert(
    conn: &mut AnyConnection,
    v: &NewVerification<'_>,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO portal_verifications (kind, address, customer_id, lookup_hash, code_hash, \
         ip, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(v.kind)
    .bind(v.address)
    .bind(v.customer_id)
    .bind(v.lookup_hash)
    .bind(v.code_hash)
    .bind(v.ip)
    .bind(to_micros(now))
    .bind(to_micros(v.expires_at))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn by_lookup(
    conn: &mut AnyConnection,
    lookup_hash: &str,
) -> Result<Option<Verification>> {
    let row = sqlx::query(&format!("{SELECT} WHERE lookup_hash = $1"))
        .bind(lookup_hash)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// How many codes or links went to an address since `since`, and when the last went.
pub async fn sent_to_address(
    conn: &mut AnyConnection,
    kind: &str,
    address: &str,
    since: Timestamp,
) -> Result<(i64, Option<Timestamp>)> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n, MAX(created_at) AS latest FROM portal_verifications \
         WHERE kind = $1 AND address = $2 AND created_at >= $3",
    )
    .bind(kind)
    .bind(address)
    .bind(to_micros(since))
    .fetch_one(conn)
    .await?;
    let last: Option<i64> = row.try_get("latest")?;
    Ok((row.try_get("n")?, last.map(from_micros)))
}

/// How many codes and links a client address asked for since `since`.
pub async fn sent_for_ip(conn: &mut AnyConnection, ip: &str, since: Timestamp) -> Result<i64> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM portal_verifications WHERE ip = $1 AND created_at >= $2",
    )
    .bind(ip)
    .bind(to_micros(since))
    .fetch_one(conn)
    .await?;
    Ok(n)
}

/// Counts one entry of a code that is still open (unused, under `max` entries) and returns
/// the entries made; None when it was not open. The row stays locked until the caller's
/// transaction ends, so entries made at the same moment are counted one after another.
pub async fn count_entry(conn: &mut AnyConnection, id: i64, max: i64) -> Result<Option<i64>> {
    let n: Option<i64> = sqlx::query_scalar(
        "UPDATE portal_verifications SET attempts = attempts + 1 \
         WHERE id = $1 AND attempts < $2 AND used_at IS NULL RETURNING attempts",
    )
    .bind(id)
    .bind(max)
    .fetch_optional(conn)
    .await?;
    Ok(n)
}

/// Marks a code or link used; false when it was used already (single use, also when two
/// tries race).
pub async fn consume(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE portal_verifications SET used_at = $2 WHERE id = $1 AND used_at IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Forgets codes and links that ran out before `before`.
pub async fn delete_expired(conn: &mut AnyConnection, before: Timestamp) -> Result<u64> {
    let done = sqlx::query("DELETE FROM portal_verifications WHERE expires_at < $1")
        .bind(to_micros(before))
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

// ---- Proven addresses -------------------------------------------------------------------

/// The addresses an account has proven, as (kind, address).
pub async fn addresses_of(
    conn: &mut AnyConnection,
    customer_id: i64,
) -> Result<Vec<(String, String)>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT kind, address FROM portal_addresses WHERE customer_id = $1 \
         ORDER BY kind, address",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    Ok(rows)
}

/// The account that proved an address, if one has.
pub async fn address_owner(
    conn: &mut AnyConnection,
    kind: &str,
    address: &str,
) -> Result<Option<i64>> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT customer_id FROM portal_addresses WHERE kind = $1 AND address = $2",
    )
    .bind(kind)
    .bind(address)
    .fetch_optional(conn)
    .await?;
    Ok(id)
}

/// Records a proven address; another account's proof of it first is a conflict.
pub async fn add_address(
    conn: &mut AnyConnection,
    kind: &str,
    address: &str,
    customer_id: i64,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO portal_addresses (kind, address, customer_id, verified_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(kind)
    .bind(address)
    .bind(customer_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

// ---- What an account sees ---------------------------------------------------------------

/// The condition of the tickets an account sees: its own, and those of no account whose
/// contact e-mail (trimmed, lower case) or phone is one of its proven addresses. Written
/// with the addresses as values, so each part is one index lookup (`tickets_requester`,
/// `tickets_contact_email` on the expression, `tickets_contact_phone`); a ticket another
/// account filed stays that account's. Placeholders start at `$2` (`$1` is the account).
fn visible(emails: &[String], mobiles: &[String]) -> String {
    let mut n = 1;
    let mut list = |len: usize| {
        let ps: Vec<String> = (0..len)
            .map(|_| {
                n += 1;
                format!("${n}")
            })
            .collect();
        ps.join(", ")
    };
    let mut parts = vec!["t.requester_id = $1".to_owned()];
    if !emails.is_empty() {
        parts.push(format!(
            "(LOWER(TRIM(t.contact_email)) IN ({}) AND COALESCE(t.requester_id, 0) = 0)",
            list(emails.len())
        ));
    }
    if !mobiles.is_empty() {
        parts.push(format!(
            "(t.contact_phone IN ({}) AND COALESCE(t.requester_id, 0) = 0)",
            list(mobiles.len())
        ));
    }
    format!("({})", parts.join(" OR "))
}

/// The ids of the tickets an account sees, most recently updated first.
pub async fn visible_ticket_ids(
    conn: &mut AnyConnection,
    customer_id: i64,
    emails: &[String],
    mobiles: &[String],
    limit: i64,
) -> Result<Vec<i64>> {
    let limit_at = 2 + emails.len() + mobiles.len();
    let sql = format!(
        "SELECT t.id FROM tickets t WHERE {} ORDER BY t.updated_at DESC, t.id DESC LIMIT ${limit_at}",
        visible(emails, mobiles)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(customer_id);
    for a in emails.iter().chain(mobiles) {
        q = q.bind(a.as_str());
    }
    Ok(q.bind(limit).fetch_all(conn).await?)
}

/// Whether an account sees a ticket, by the same condition as the list.
pub async fn sees_ticket(
    conn: &mut AnyConnection,
    customer_id: i64,
    emails: &[String],
    mobiles: &[String],
    ticket_id: i64,
) -> Result<bool> {
    let id_at = 2 + emails.len() + mobiles.len();
    let sql = format!(
        "SELECT COUNT(*) FROM tickets t WHERE {} AND t.id = ${id_at}",
        visible(emails, mobiles)
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql).bind(customer_id);
    for a in emails.iter().chain(mobiles) {
        q = q.bind(a.as_str());
    }
    Ok(q.bind(ticket_id).fetch_one(conn).await? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_condition_numbers_its_placeholders_after_the_account() {
        let e = vec!["a@x.cn".to_owned()];
        let m = vec!["13800000000".to_owned(), "13900000000".to_owned()];
        let sql = visible(&e, &m);
        assert!(sql.contains("t.requester_id = $1"));
        assert!(sql.contains("LOWER(TRIM(t.contact_email)) IN ($2)"));
        assert!(sql.contains("t.contact_phone IN ($3, $4)"));
        assert_eq!(visible(&[], &[]), "(t.requester_id = $1)");
    }
}
