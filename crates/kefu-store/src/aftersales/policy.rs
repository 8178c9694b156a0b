//! 售后服务政策 — the policy's versions per scope: a category's id, or 0 for the
//! company-wide policy. The body is the domain's policy as JSON.

use jiff::Timestamp;
use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, from_micros, to_micros};

/// The company-wide policy's scope.
pub const COMPANY_WIDE: i64 = 0;

/// A stored version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub id: i64,
    /// The category's id, or [`COMPANY_WIDE`].
    pub scope: i64,
    pub number: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub body: String,
    pub note: String,
    pub created_by: Option<String>,
    pub created_at: Timestamp,
}

const SELECT: &str = "SELECT v.id, v.scope, v.number, v.valid_from, v.valid_to, v.body, v.note, \
     u.display_name AS created_by, v.created_at FROM aftersales_policies v \
     LEFT JOIN users u ON u.id = v.created_by";

fn date_of(text: &str) -> Result<Date> {
    text.parse()
        .map_err(|_| StoreError::Corrupt(format!("a policy's date {text:?}")))
}

fn row(r: &AnyRow) -> Result<PolicyRow> {
    let to: Option<String> = r.try_get("valid_to")?;
    Ok(PolicyRow {
        id: r.try_get("id")?,
        scope: r.try_get("scope")?,
        number: r.try_get("number")?,
        valid_from: date_of(&r.try_get::<String, _>("valid_from")?)?,
        valid_to: to.as_deref().map(date_of).transpose()?,
        body: r.try_get("body")?,
        note: r.try_get("note")?,
        created_by: r.try_get("created_by")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

/// Every version of every scope, by scope and number.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<PolicyRow>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY v.scope, v.number"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(row).collect()
}

/// A scope's versions, by number.
pub async fn of_scope(conn: &mut AnyConnection, scope: i64) -> Result<Vec<PolicyRow>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE v.scope = $1 ORDER BY v.number"))
        .bind(scope)
        .fetch_all(conn)
        .await?;
    rows.iter().map(row).collect()
}

/// One version.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<PolicyRow> {
    let r = sqlx::query(&format!("{SELECT} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// The version of the category's own policy in force on `day`, else the company-wide one's.
pub async fn in_force(
    conn: &mut AnyConnection,
    category_id: Option<i64>,
    day: Date,
) -> Result<Option<PolicyRow>> {
    let r = sqlx::query(&format!(
        "{SELECT} WHERE v.scope IN ($1, 0) AND v.valid_from <= $2 \
         AND (v.valid_to IS NULL OR v.valid_to >= $2) ORDER BY v.scope DESC LIMIT 1"
    ))
    .bind(category_id.unwrap_or(COMPANY_WIDE))
    .bind(day.to_string())
    .fetch_optional(conn)
    .await?;
    r.as_ref().map(row).transpose()
}

/// A new version to add.
pub struct NewVersion<'a> {
    pub scope: i64,
    pub number: i64,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub body: &'a str,
    pub note: &'a str,
}

/// Adds a version, ending version `ends` of the same scope the day before it starts; a
/// number taken meanwhile is a [`StoreError::Conflict`].
pub async fn insert(
    conn: &mut AnyConnection,
    v: &NewVersion<'_>,
    ends: Option<i64>,
    by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    if let Some(number) = ends {
        let last = v
            .valid_from
            .yesterday()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        sqlx::query(
            "UPDATE aftersales_policies SET valid_to = $3 WHERE scope = $1 AND number = $2 \
             AND valid_to IS NULL",
        )
        .bind(v.scope)
        .bind(number)
        .bind(last.to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(sqlx::query_scalar(
        "INSERT INTO aftersales_policies (scope, category_id, number, valid_from, valid_to, \
         body, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         RETURNING id",
    )
    .bind(v.scope)
    .bind((v.scope != COMPANY_WIDE).then_some(v.scope))
    .bind(v.number)
    .bind(v.valid_from.to_string())
    .bind(v.valid_to.map(|d| d.to_string()))
    .bind(v.body)
    .bind(v.note)
    .bind(by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}
