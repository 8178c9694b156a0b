//! Reply scripts as stored.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub body: String,
    /// JSON object of macro actions.
    pub actions: String,
    pub status: String,
    pub proposed_by: Option<i64>,
    pub proposed_by_name: Option<String>,
    pub reviewed_by: Option<i64>,
    pub review_note: Option<String>,
    pub use_count: i64,
    pub updated_at: Timestamp,
    /// Moves on with every edit and review (see [`crate::version`]); a use is no change.
    pub version: i64,
}

const SELECT: &str = "SELECT s.id, s.category, s.title, s.body, s.actions, s.status, \
    s.proposed_by, u.display_name AS proposed_by_name, s.reviewed_by, s.review_note, \
    s.use_count, s.updated_at, s.version FROM reply_scripts s LEFT JOIN users u ON u.id = s.proposed_by";

fn from_row(r: &AnyRow) -> Result<Script> {
    Ok(Script {
        id: r.try_get("id")?,
        category: r.try_get("category")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        actions: r.try_get("actions")?,
        status: r.try_get("status")?,
        proposed_by: r.try_get("proposed_by")?,
        proposed_by_name: r.try_get("proposed_by_name")?,
        reviewed_by: r.try_get("reviewed_by")?,
        review_note: r.try_get("review_note")?,
        use_count: r.try_get("use_count")?,
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

/// Scripts in `status`, optionally only those whose category, title or text contains
/// `text`; by category, then title.
pub async fn list(
    conn: &mut AnyConnection,
    status: &str,
    text: Option<&str>,
    limit: i64,
) -> Result<Vec<Script>> {
    let rows = match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => {
            let escaped = t
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            let pattern = format!("%{escaped}%");
            sqlx::query(&format!(
                "{SELECT} WHERE s.status = $1 AND (LOWER(s.title) LIKE $2 ESCAPE '\\' \
                 OR LOWER(s.body) LIKE $2 ESCAPE '\\' OR LOWER(s.category) LIKE $2 ESCAPE '\\') \
                 ORDER BY s.category, s.title LIMIT $3"
            ))
            .bind(status)
            .bind(pattern)
            .bind(limit)
            .fetch_all(conn)
            .await?
        }
        None => {
            sqlx::query(&format!(
                "{SELECT} WHERE s.status = $1 ORDER BY s.category, s.title LIMIT $2"
            ))
            .bind(status)
            .bind(limit)
            .fetch_all(conn)
            .await?
        }
    };
    rows.iter().map(from_row).collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Script> {
    let row = sqlx::query(&format!("{SELECT} WHERE s.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

pub struct NewScript<'a> {
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub actions: &'a str,
    pub status: &'a str,
    pub proposed_by: Option<i64>,
}

pub async fn insert(conn: &mut AnyConnection, s: &NewScript<'_>, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO reply_scripts (category, title, body, actions, status, proposed_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
    )
    .bind(s.category)
    .bind(s.title)
    .bind(s.body)
    .bind(s.actions)
    .bind(s.status)
    .bind(s.proposed_by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_text(
    conn: &mut AnyConnection,
    id: i64,
    category: &str,
    title: &str,
    body: &str,
    actions: &str,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE reply_scripts SET category = $2, title = $3, body = $4, actions = $5, \
         updated_at = $6 WHERE id = $1",
    )
    .bind(id)
    .bind(category)
    .bind(title)
    .bind(body)
    .bind(actions)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

pub async fn review(
    conn: &mut AnyConnection,
    id: i64,
    status: &str,
    reviewer: Option<i64>,
    note: Option<&str>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE reply_scripts SET status = $2, reviewed_by = $3, review_note = $4, \
         updated_at = $5 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(reviewer)
    .bind(note)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

pub async fn count_use(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE reply_scripts SET use_count = use_count + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count(conn: &mut AnyConnection) -> Result<i64> {
    Ok(sqlx::query_scalar("SELECT COUNT(*) FROM reply_scripts")
        .fetch_one(conn)
        .await?)
}

/// How many scripts are in `status`: the length of [`list`] for it without a text or a
/// limit, from the same index.
pub async fn count_in_status(conn: &mut AnyConnection, status: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM reply_scripts WHERE status = $1")
            .bind(status)
            .fetch_one(conn)
            .await?,
    )
}
