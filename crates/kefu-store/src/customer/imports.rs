//! 导入记录 — the list of finished imports (and dry runs), newest first, and its count: one
//! filter, one `WHERE`, so a count is the number of rows the list shows.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// Which imports to list; every field narrows.
#[derive(Debug, Clone, Default)]
pub struct ImportFilter {
    /// Only the imports this user ran.
    pub user_id: Option<i64>,
    /// Only imports with at least one row that failed.
    pub with_errors: bool,
    /// Only imports finished at or after this instant.
    pub since: Option<Timestamp>,
}

/// An import as listed: its counts, without the per-row problems.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportSummary {
    pub id: i64,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub filename: String,
    pub dry_run: bool,
    pub rows: i64,
    pub created: i64,
    pub merged: i64,
    pub skipped: i64,
    pub failed: i64,
    pub created_at: Timestamp,
}

/// The `WHERE` of `f` over the import `i` and its binds, numbered from `$1`.
fn clauses(f: &ImportFilter) -> (String, Vec<i64>) {
    let mut sql = Vec::new();
    let mut args = Vec::new();
    if let Some(u) = f.user_id {
        args.push(u);
        sql.push(format!("i.user_id = ${}", args.len()));
    }
    if f.with_errors {
        sql.push("i.failed > 0".to_owned());
    }
    if let Some(at) = f.since {
        args.push(to_micros(at));
        sql.push(format!("i.created_at >= ${}", args.len()));
    }
    let sql = if sql.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", sql.join(" AND "))
    };
    (sql, args)
}

/// The imports of `f`, newest first, at most `limit`.
pub async fn imports(
    conn: &mut AnyConnection,
    f: &ImportFilter,
    limit: i64,
) -> Result<Vec<ImportSummary>> {
    let (where_sql, args) = clauses(f);
    let sql = format!(
        "SELECT i.id, i.user_id, u.display_name AS user_name, i.filename, i.dry_run, i.rows, \
         i.created, i.merged, i.skipped, i.failed, i.created_at FROM customer_imports i \
         LEFT JOIN users u ON u.id = i.user_id{where_sql} ORDER BY i.id DESC LIMIT ${}",
        args.len() + 1
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(*a);
    }
    let rows = q.bind(limit).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(ImportSummary {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                user_name: r.try_get("user_name")?,
                filename: r.try_get("filename")?,
                dry_run: r.try_get::<i64, _>("dry_run")? != 0,
                rows: r.try_get("rows")?,
                created: r.try_get("created")?,
                merged: r.try_get("merged")?,
                skipped: r.try_get("skipped")?,
                failed: r.try_get("failed")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// How many imports [`imports`] would list for `f` without a limit, counting at most `cap`.
pub async fn count_imports(conn: &mut AnyConnection, f: &ImportFilter, cap: i64) -> Result<i64> {
    let (where_sql, args) = clauses(f);
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM customer_imports i{where_sql} LIMIT ${}) AS capped",
        args.len() + 1
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for a in &args {
        q = q.bind(*a);
    }
    Ok(q.bind(cap).fetch_one(conn).await?)
}
