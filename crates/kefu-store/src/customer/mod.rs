//! The customer archive as stored: customers, contacts, history; the list and its search
//! box in `list.rs`.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

mod attention;
mod imports;
mod list;

pub use attention::{ATTENTION_REASONS, AttentionRow, needing_attention};
pub use imports::{ImportFilter, ImportSummary, count_imports, imports};
pub use list::{CustomerFilter, IndexMatches, count as count_matching, list};

/// A customer, sensitive fields in clear (the app masks them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    pub id: i64,
    pub kind: String,
    pub name: String,
    pub name_key: String,
    pub tier: String,
    pub customer_type: String,
    pub status: String,
    pub province: Option<String>,
    pub city: Option<String>,
    pub industry: Option<String>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub tags: Vec<String>,
    pub notes: Option<String>,
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub bank_account: Option<String>,
    pub last_contact_at: Option<Timestamp>,
    /// 信用等级 A–D, once investigated.
    pub credit_grade: Option<String>,
    /// 信用额度, in fen.
    pub credit_limit_fen: i64,
    /// 付款条件, e.g. "月结 30 天".
    pub payment_terms: Option<String>,
    pub credit_updated_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// 版本 — moves on with every write to the customer or its contacts; a write made
    /// against an older version is refused (see [`lock_at_version`]). Starts at 1.
    pub version: i64,
}

/// A customer's columns as [`from_row`] reads them, `c` the customer and `u` its owner.
macro_rules! columns {
    () => {
        "c.id, c.kind, c.name, c.name_key, c.tier, c.customer_type, c.status, c.province, \
         c.city, c.industry, c.owner_id, u.display_name AS owner_name, c.tags, c.notes, \
         c.id_number, c.address, c.bank_account, c.last_contact_at, c.credit_grade, \
         c.credit_limit_fen, c.payment_terms, c.credit_updated_at, c.created_at, c.updated_at, \
         c.version"
    };
}

/// The same columns, for queries that join more than the customer and its owner.
const COLUMNS: &str = columns!();

const SELECT: &str = concat!(
    "SELECT ",
    columns!(),
    " FROM customers c LEFT JOIN users u ON u.id = c.owner_id"
);

fn tags_of(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

fn tags_column(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(",{},", tags.join(","))
    }
}

fn from_row(r: &AnyRow) -> Result<Customer> {
    Ok(Customer {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        name: r.try_get("name")?,
        name_key: r.try_get("name_key")?,
        tier: r.try_get("tier")?,
        customer_type: r.try_get("customer_type")?,
        status: r.try_get("status")?,
        province: r.try_get("province")?,
        city: r.try_get("city")?,
        industry: r.try_get("industry")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        tags: tags_of(&r.try_get::<String, _>("tags")?),
        notes: r.try_get("notes")?,
        id_number: r.try_get("id_number")?,
        address: r.try_get("address")?,
        bank_account: r.try_get("bank_account")?,
        last_contact_at: r
            .try_get::<Option<i64>, _>("last_contact_at")?
            .map(from_micros),
        credit_grade: r.try_get("credit_grade")?,
        credit_limit_fen: r.try_get("credit_limit_fen")?,
        payment_terms: r.try_get("payment_terms")?,
        credit_updated_at: r
            .try_get::<Option<i64>, _>("credit_updated_at")?
            .map(from_micros),
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

/// Inserts (`id` = 0, at version 1) or updates every editable field, moving the version on;
/// returns the id. An update leaves the last contact alone: only [`touch_contact`] moves
/// it, forward, so a save made from an earlier read never puts it back.
pub async fn save(conn: &mut AnyConnection, c: &Customer) -> Result<i64> {
    if c.id == 0 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO customers (kind, name, name_key, tier, customer_type, status, province, \
             city, industry, owner_id, tags, notes, id_number, address, bank_account, \
             last_contact_at, created_at, updated_at, credit_grade, credit_limit_fen, \
             payment_terms, credit_updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22) RETURNING id",
        )
        .bind(&c.kind)
        .bind(&c.name)
        .bind(&c.name_key)
        .bind(&c.tier)
        .bind(&c.customer_type)
        .bind(&c.status)
        .bind(&c.province)
        .bind(&c.city)
        .bind(&c.industry)
        .bind(c.owner_id)
        .bind(tags_column(&c.tags))
        .bind(&c.notes)
        .bind(&c.id_number)
        .bind(&c.address)
        .bind(&c.bank_account)
        .bind(c.last_contact_at.map(to_micros))
        .bind(to_micros(c.created_at))
        .bind(to_micros(c.updated_at))
        .bind(&c.credit_grade)
        .bind(c.credit_limit_fen)
        .bind(&c.payment_terms)
        .bind(c.credit_updated_at.map(to_micros))
        .fetch_one(conn)
        .await?;
        return Ok(id);
    }
    let done = sqlx::query(
        "UPDATE customers SET kind = $2, name = $3, name_key = $4, tier = $5, \
         customer_type = $6, status = $7, province = $8, city = $9, industry = $10, \
         owner_id = $11, tags = $12, notes = $13, id_number = $14, address = $15, \
         bank_account = $16, updated_at = $17, credit_grade = $18, credit_limit_fen = $19, \
         payment_terms = $20, credit_updated_at = $21, version = version + 1 WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.kind)
    .bind(&c.name)
    .bind(&c.name_key)
    .bind(&c.tier)
    .bind(&c.customer_type)
    .bind(&c.status)
    .bind(&c.province)
    .bind(&c.city)
    .bind(&c.industry)
    .bind(c.owner_id)
    .bind(tags_column(&c.tags))
    .bind(&c.notes)
    .bind(&c.id_number)
    .bind(&c.address)
    .bind(&c.bank_account)
    .bind(to_micros(c.updated_at))
    .bind(&c.credit_grade)
    .bind(c.credit_limit_fen)
    .bind(&c.payment_terms)
    .bind(c.credit_updated_at.map(to_micros))
    .execute(conn)
    .await?;
    found(done)?;
    Ok(c.id)
}

/// Takes customer `id` for the rest of the caller's transaction if it is still at
/// `version`: false when it has moved on (or is gone). The check and the lock are one
/// statement; the write that follows moves the version on.
pub async fn lock_at_version(conn: &mut AnyConnection, id: i64, version: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE customers SET version = version WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Customer> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

/// Customers whose normalised name is `name_key` (duplicate detection).
pub async fn by_name_key(conn: &mut AnyConnection, name_key: &str) -> Result<Vec<Customer>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE c.name_key = $1 ORDER BY c.id"))
        .bind(name_key)
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// A contact, sensitive fields in clear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: i64,
    pub customer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub mobile: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat: Option<String>,
    pub preferred_channel: Option<String>,
    pub opt_outs: Vec<String>,
    pub rest_hours: String,
    pub is_primary: bool,
}

const SELECT_CONTACT: &str = "SELECT id, customer_id, name, title, mobile, phone, email, \
    wechat, preferred_channel, opt_outs, rest_hours, is_primary FROM customer_contacts";

fn contact_from_row(r: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        name: r.try_get("name")?,
        title: r.try_get("title")?,
        mobile: r.try_get("mobile")?,
        phone: r.try_get("phone")?,
        email: r.try_get("email")?,
        wechat: r.try_get("wechat")?,
        preferred_channel: r.try_get("preferred_channel")?,
        opt_outs: tags_of(&r.try_get::<String, _>("opt_outs")?),
        rest_hours: r.try_get("rest_hours")?,
        is_primary: r.try_get::<i64, _>("is_primary")? != 0,
    })
}

pub async fn contacts_of(conn: &mut AnyConnection, customer_id: i64) -> Result<Vec<Contact>> {
    let rows = sqlx::query(&format!(
        "{SELECT_CONTACT} WHERE customer_id = $1 ORDER BY is_primary DESC, id"
    ))
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(contact_from_row).collect()
}

/// Several customers at once (the search index's batches), in id order.
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Customer>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{SELECT} WHERE c.id IN ({}) ORDER BY c.id",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(from_row).collect()
}

/// The contacts of several customers in one query (a list page's primary contacts), in the
/// same order as [`contacts_of`] within each customer.
pub async fn contacts_of_many(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Contact>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{SELECT_CONTACT} WHERE customer_id IN ({}) ORDER BY customer_id, is_primary DESC, id",
        marks.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter().map(contact_from_row).collect()
}

/// The contacts with these ids, in id order (those gone are left out); read in chunks so
/// a long list stays within either backend's limit on bound values.
pub async fn contacts_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Contact>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "{SELECT_CONTACT} WHERE id IN ({}) ORDER BY id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for row in q.fetch_all(&mut *conn).await? {
            out.push(contact_from_row(&row)?);
        }
    }
    Ok(out)
}

pub async fn contact_by_id(conn: &mut AnyConnection, id: i64) -> Result<Contact> {
    let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    contact_from_row(&row)
}

/// Contacts with this mobile (duplicate detection), any customer.
pub async fn contacts_by_mobile(conn: &mut AnyConnection, mobile: &str) -> Result<Vec<Contact>> {
    let rows = sqlx::query(&format!("{SELECT_CONTACT} WHERE mobile = $1 ORDER BY id"))
        .bind(mobile)
        .fetch_all(conn)
        .await?;
    rows.iter().map(contact_from_row).collect()
}

/// (mobile, customer) for every contact with one of these mobiles: which customers new
/// tickets from these numbers belong to, in one query.
pub async fn owners_by_mobile(
    conn: &mut AnyConnection,
    mobiles: &[String],
) -> Result<Vec<(String, i64)>> {
    if mobiles.is_empty() {
        return Ok(Vec::new());
    }
    let ps: Vec<String> = (1..=mobiles.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT DISTINCT mobile, customer_id FROM customer_contacts WHERE mobile IN ({})",
        ps.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
    for m in mobiles {
        q = q.bind(m);
    }
    Ok(q.fetch_all(conn).await?)
}

/// The columns a contact is searched by: the mobile's digits reversed (its end through an
/// index) and the landline's digits.
pub(crate) fn search_columns(c: &Contact) -> (Option<String>, Option<String>) {
    let reversed = c.mobile.as_deref().map(|m| m.chars().rev().collect());
    let phone_digits = c
        .phone
        .as_deref()
        .map(|p| p.chars().filter(char::is_ascii_digit).collect());
    (reversed, phone_digits)
}

/// Inserts (`id` = 0) or updates a contact; returns the id. A contact is part of its
/// customer's record: the customer's version moves on.
pub async fn save_contact(conn: &mut AnyConnection, c: &Contact, now: Timestamp) -> Result<i64> {
    let (reversed, phone_digits) = search_columns(c);
    if c.id == 0 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO customer_contacts (customer_id, name, title, mobile, mobile_reversed, \
             phone, phone_digits, email, wechat, preferred_channel, opt_outs, rest_hours, \
             is_primary, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, \
             $10, $11, $12, $13, $14, $14) RETURNING id",
        )
        .bind(c.customer_id)
        .bind(&c.name)
        .bind(&c.title)
        .bind(&c.mobile)
        .bind(reversed)
        .bind(&c.phone)
        .bind(phone_digits)
        .bind(&c.email)
        .bind(&c.wechat)
        .bind(&c.preferred_channel)
        .bind(tags_column(&c.opt_outs))
        .bind(&c.rest_hours)
        .bind(i64::from(c.is_primary))
        .bind(to_micros(now))
        .fetch_one(&mut *conn)
        .await?;
        bump_version(conn, c.customer_id).await?;
        return Ok(id);
    }
    let done = sqlx::query(
        "UPDATE customer_contacts SET name = $2, title = $3, mobile = $4, mobile_reversed = $5, \
         phone = $6, phone_digits = $7, email = $8, wechat = $9, preferred_channel = $10, \
         opt_outs = $11, rest_hours = $12, is_primary = $13, updated_at = $14 WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.name)
    .bind(&c.title)
    .bind(&c.mobile)
    .bind(reversed)
    .bind(&c.phone)
    .bind(phone_digits)
    .bind(&c.email)
    .bind(&c.wechat)
    .bind(&c.preferred_channel)
    .bind(tags_column(&c.opt_outs))
    .bind(&c.rest_hours)
    .bind(i64::from(c.is_primary))
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    found(done)?;
    bump_version(conn, c.customer_id).await?;
    Ok(c.id)
}

/// Moves customer `id`'s version on (one of its contacts changed).
async fn bump_version(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE customers SET version = version + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    found(done)
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_name: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

pub async fn add_history(conn: &mut AnyConnection, h: &Change) -> Result<()> {
    sqlx::query(
        "INSERT INTO customer_history (customer_id, contact_id, at, actor_user_id, actor_name, \
         field, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(h.customer_id)
    .bind(h.contact_id)
    .bind(to_micros(h.at))
    .bind(h.actor_user_id)
    .bind(&h.actor_name)
    .bind(&h.field)
    .bind(&h.old_value)
    .bind(&h.new_value)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn history(conn: &mut AnyConnection, customer_id: i64) -> Result<Vec<Change>> {
    let rows = sqlx::query(
        "SELECT id, customer_id, contact_id, at, actor_user_id, actor_name, field, old_value, \
         new_value FROM customer_history WHERE customer_id = $1 ORDER BY id DESC LIMIT 500",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Change {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                contact_id: r.try_get("contact_id")?,
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

/// Links a ticket to a customer (or unlinks it), moving the ticket's version on.
pub async fn link_ticket(
    conn: &mut AnyConnection,
    ticket_id: i64,
    customer_id: Option<i64>,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE tickets SET customer_id = $2, version = version + 1 WHERE id = $1")
            .bind(ticket_id)
            .bind(customer_id)
            .execute(conn)
            .await?;
    found(done)
}

/// The customer's tickets, newest first: (id, number, subject, status category, created).
pub async fn tickets_of(
    conn: &mut AnyConnection,
    customer_id: i64,
    limit: i64,
) -> Result<Vec<(i64, String, String, String, Timestamp)>> {
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "SELECT id, number, subject, status_category, created_at FROM tickets \
         WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2",
    )
    .bind(customer_id)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(a, b, c, d, e)| (a, b, c, d, from_micros(e)))
        .collect())
}

/// 最近联系 — marks contact with the customer at `at` (a ticket, a reply either way, a
/// complaint), moving its version on. The last contact only moves forward: a touch older
/// than the one stored (a complaint received last week, registered today) changes nothing.
/// The same SQL on both backends.
pub async fn touch_contact(
    conn: &mut AnyConnection,
    customer_id: i64,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE customers SET last_contact_at = $2, version = version + 1 \
         WHERE id = $1 AND (last_contact_at IS NULL OR last_contact_at < $2)",
    )
    .bind(customer_id)
    .bind(to_micros(at))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM customers")
        .fetch_one(conn)
        .await?)
}

/// A finished import (or dry run), as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRecord {
    pub id: i64,
    pub user_id: Option<i64>,
    pub filename: String,
    pub dry_run: bool,
    pub duplicates: String,
    pub encoding: String,
    pub rows: i64,
    pub created: i64,
    pub merged: i64,
    pub skipped: i64,
    pub failed: i64,
    /// JSON array of `[row, column, reason, value]`, or `[row, column, reason, value, other]`
    /// where the reason names another row or customer (duplicates, title rows).
    pub problems: String,
    pub created_at: Timestamp,
}

pub async fn insert_import(conn: &mut AnyConnection, r: &ImportRecord) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO customer_imports (user_id, filename, dry_run, duplicates, encoding, rows, \
         created, merged, skipped, failed, problems, created_at) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(r.user_id)
    .bind(&r.filename)
    .bind(i64::from(r.dry_run))
    .bind(&r.duplicates)
    .bind(&r.encoding)
    .bind(r.rows)
    .bind(r.created)
    .bind(r.merged)
    .bind(r.skipped)
    .bind(r.failed)
    .bind(&r.problems)
    .bind(to_micros(r.created_at))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn import_by_id(conn: &mut AnyConnection, id: i64) -> Result<ImportRecord> {
    let r = sqlx::query(
        "SELECT id, user_id, filename, dry_run, duplicates, encoding, rows, created, merged, \
         skipped, failed, problems, created_at FROM customer_imports WHERE id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await?;
    Ok(ImportRecord {
        id: r.try_get("id")?,
        user_id: r.try_get("user_id")?,
        filename: r.try_get("filename")?,
        dry_run: r.try_get::<i64, _>("dry_run")? != 0,
        duplicates: r.try_get("duplicates")?,
        encoding: r.try_get("encoding")?,
        rows: r.try_get("rows")?,
        created: r.try_get("created")?,
        merged: r.try_get("merged")?,
        skipped: r.try_get("skipped")?,
        failed: r.try_get("failed")?,
        problems: r.try_get("problems")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

/// The credit scoring model as stored (JSON), if an admin has set one.
pub async fn credit_model(conn: &mut AnyConnection) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT model FROM credit_model WHERE id = 1")
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn save_credit_model(
    conn: &mut AnyConnection,
    model: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO credit_model (id, model, updated_by, updated_at) VALUES (1, $1, $2, $3) \
         ON CONFLICT (id) DO UPDATE SET model = excluded.model, \
         updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(model)
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// 信用调查记录
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Investigation {
    pub id: i64,
    pub customer_id: i64,
    pub investigator_id: Option<i64>,
    pub investigator_name: String,
    /// `YYYY-MM-DD`.
    pub investigated_on: String,
    /// JSON array of `{factor, score, evidence}`.
    pub factors: String,
    pub score: i64,
    pub grade: String,
    pub notes: Option<String>,
    pub created_at: Timestamp,
}

pub async fn insert_investigation(conn: &mut AnyConnection, i: &Investigation) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO credit_investigations (customer_id, investigator_id, investigator_name, \
         investigated_on, factors, score, grade, notes, created_at) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9) RETURNING id",
    )
    .bind(i.customer_id)
    .bind(i.investigator_id)
    .bind(&i.investigator_name)
    .bind(&i.investigated_on)
    .bind(&i.factors)
    .bind(i.score)
    .bind(&i.grade)
    .bind(&i.notes)
    .bind(to_micros(i.created_at))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A customer's investigations, newest first: the grade history.
pub async fn investigations(
    conn: &mut AnyConnection,
    customer_id: i64,
) -> Result<Vec<Investigation>> {
    let rows = sqlx::query(
        "SELECT id, customer_id, investigator_id, investigator_name, investigated_on, factors, \
         score, grade, notes, created_at FROM credit_investigations WHERE customer_id = $1 \
         ORDER BY id DESC",
    )
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Investigation {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                investigator_id: r.try_get("investigator_id")?,
                investigator_name: r.try_get("investigator_name")?,
                investigated_on: r.try_get("investigated_on")?,
                factors: r.try_get("factors")?,
                score: r.try_get("score")?,
                grade: r.try_get("grade")?,
                notes: r.try_get("notes")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}
