//! The audit log: sensitive actions (sign-ins, failed sign-ins, permission changes, token
//! use, reveals of confidential data) with actor, time, address and target. Rows are only
//! ever appended.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// One audited action, to be written.
#[derive(Debug, Clone, Default)]
pub struct NewAuditEntry<'a> {
    pub actor_user_id: Option<i64>,
    pub actor_name: Option<&'a str>,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<&'a str>,
    pub ip: Option<&'a str>,
    /// JSON text with whatever else explains the action.
    pub detail: Option<&'a str>,
}

/// One audited action, as read back.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub id: i64,
    pub at: Timestamp,
    pub actor_user_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub detail: Option<String>,
}

pub async fn append(conn: &mut AnyConnection, e: &NewAuditEntry<'_>, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_user_id, actor_name, action, target_type, target_id, \
         ip, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(to_micros(at))
    .bind(e.actor_user_id)
    .bind(e.actor_name)
    .bind(e.action)
    .bind(e.target_type)
    .bind(e.target_id)
    .bind(e.ip)
    .bind(e.detail)
    .execute(conn)
    .await?;
    Ok(())
}

/// Filter for reading the audit log, newest first, paged by id.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter<'a> {
    pub action: Option<&'a str>,
    pub actor_user_id: Option<i64>,
    /// Only entries with an id below this one (the next page).
    pub before_id: Option<i64>,
    /// Only entries at or after this instant (today's).
    pub since: Option<Timestamp>,
    pub limit: i64,
}

pub async fn list(conn: &mut AnyConnection, f: &AuditFilter<'_>) -> Result<Vec<AuditEntry>> {
    let rows = sqlx::query(
        "SELECT id, at, actor_user_id, actor_name, action, target_type, target_id, ip, detail \
         FROM audit_log \
         WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR actor_user_id = $2) \
           AND ($3 IS NULL OR id < $3) AND ($5 IS NULL OR at >= $5) \
         ORDER BY id DESC LIMIT $4",
    )
    .bind(f.action)
    .bind(f.actor_user_id)
    .bind(f.before_id)
    .bind(f.limit)
    .bind(f.since.map(to_micros))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AuditEntry {
                id: r.try_get("id")?,
                at: from_micros(r.try_get("at")?),
                actor_user_id: r.try_get("actor_user_id")?,
                actor_name: r.try_get("actor_name")?,
                action: r.try_get("action")?,
                target_type: r.try_get("target_type")?,
                target_id: r.try_get("target_id")?,
                ip: r.try_get("ip")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// How often `action` was recorded against `target_id` since `since` (login throttling per
/// account).
pub async fn count_for_target(
    conn: &mut AnyConnection,
    action: &str,
    target_id: &str,
    since: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target_id = $2 AND at >= $3",
    )
    .bind(action)
    .bind(target_id)
    .bind(to_micros(since))
    .fetch_one(conn)
    .await?)
}

/// How many entries of each of `actions` were written at or after `since`, as (action,
/// count) for the actions with any: what the audit page lists for each action from then.
pub async fn count_actions_since(
    conn: &mut AnyConnection,
    actions: &[&str],
    since: Timestamp,
) -> Result<Vec<(String, i64)>> {
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    let marks: Vec<String> = (0..actions.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT action, COUNT(*) FROM audit_log WHERE at >= $1 AND action IN ({}) \
         GROUP BY action",
        marks.join(", ")
    );
    let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(to_micros(since));
    for a in actions {
        q = q.bind(*a);
    }
    Ok(q.fetch_all(conn).await?)
}

/// How often `action` came from `ip` since `since` (login throttling per address).
pub async fn count_for_ip(
    conn: &mut AnyConnection,
    action: &str,
    ip: &str,
    since: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND ip = $2 AND at >= $3",
    )
    .bind(action)
    .bind(ip)
    .bind(to_micros(since))
    .fetch_one(conn)
    .await?)
}
