//! Triggers as stored, their firing record, and the SQL interpreter of the condition
//! language: the conditions a database can test become a `WHERE` clause that narrows the
//! tickets a time trigger must look at; kefu-domain's interpreter decides on each.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::condition::{Condition, Field, Op};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerRow {
    pub id: i64,
    pub name: String,
    pub event: String,
    /// JSON array of conditions.
    pub conditions: String,
    /// JSON array of actions.
    pub actions: String,
    pub active: bool,
    pub position: i64,
    pub fire_count: i64,
    pub last_error: Option<String>,
    pub last_error_at: Option<Timestamp>,
    /// Moves on with every change an administrator makes (see [`crate::version`]); firing
    /// counts and errors are no such change. Not written by [`save`].
    pub version: i64,
}

const SELECT: &str = "SELECT id, name, event, conditions, actions, active, position, \
    fire_count, last_error, last_error_at, version FROM triggers";

fn from_row(r: &AnyRow) -> Result<TriggerRow> {
    Ok(TriggerRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        event: r.try_get("event")?,
        conditions: r.try_get("conditions")?,
        actions: r.try_get("actions")?,
        active: r.try_get::<i64, _>("active")? != 0,
        position: r.try_get("position")?,
        fire_count: r.try_get("fire_count")?,
        last_error: r.try_get("last_error")?,
        last_error_at: r
            .try_get::<Option<i64>, _>("last_error_at")?
            .map(from_micros),
        version: r.try_get("version")?,
    })
}

/// All triggers, in the order they run.
pub async fn all(conn: &mut AnyConnection) -> Result<Vec<TriggerRow>> {
    let rows = sqlx::query(&format!("{SELECT} ORDER BY position, id"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The active triggers of every event, in the order they run.
pub async fn all_active(conn: &mut AnyConnection) -> Result<Vec<TriggerRow>> {
    let rows = sqlx::query(&format!("{SELECT} WHERE active = 1 ORDER BY position, id"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_row).collect()
}

/// The active triggers of one event, in order.
pub async fn active_for(conn: &mut AnyConnection, event: &str) -> Result<Vec<TriggerRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE event = $1 AND active = 1 ORDER BY position, id"
    ))
    .bind(event)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<TriggerRow> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    from_row(&row)
}

/// Inserts (`id` = 0) or updates a trigger's definition.
pub async fn save(conn: &mut AnyConnection, t: &TriggerRow, now: Timestamp) -> Result<i64> {
    if t.id == 0 {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO triggers (name, event, conditions, actions, active, position, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&t.name)
        .bind(&t.event)
        .bind(&t.conditions)
        .bind(&t.actions)
        .bind(i64::from(t.active))
        .bind(t.position)
        .bind(to_micros(now))
        .fetch_one(conn)
        .await?;
        return Ok(id);
    }
    let done = sqlx::query(
        "UPDATE triggers SET name = $2, event = $3, conditions = $4, actions = $5, active = $6, \
         position = $7, last_error = NULL, last_error_at = NULL, updated_at = $8 WHERE id = $1",
    )
    .bind(t.id)
    .bind(&t.name)
    .bind(&t.event)
    .bind(&t.conditions)
    .bind(&t.actions)
    .bind(i64::from(t.active))
    .bind(t.position)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)?;
    Ok(t.id)
}

pub async fn set_active(
    conn: &mut AnyConnection,
    id: i64,
    active: bool,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query("UPDATE triggers SET active = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(i64::from(active))
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    found(done)
}

pub async fn record_error(
    conn: &mut AnyConnection,
    id: i64,
    error: &str,
    now: Timestamp,
) -> Result<()> {
    sqlx::query("UPDATE triggers SET last_error = $2, last_error_at = $3 WHERE id = $1")
        .bind(id)
        .bind(error)
        .bind(to_micros(now))
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn count_fire(conn: &mut AnyConnection, id: i64) -> Result<()> {
    sqlx::query("UPDATE triggers SET fire_count = fire_count + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    Ok(())
}

/// The ticket's `updated_at` after this trigger last fired on it, if it did.
pub async fn last_firing(
    conn: &mut AnyConnection,
    trigger_id: i64,
    ticket_id: i64,
) -> Result<Option<Timestamp>> {
    let v: Option<i64> = sqlx::query_scalar(
        "SELECT seen_updated_at FROM trigger_firings WHERE trigger_id = $1 AND ticket_id = $2",
    )
    .bind(trigger_id)
    .bind(ticket_id)
    .fetch_optional(conn)
    .await?;
    Ok(v.map(from_micros))
}

pub async fn record_firing(
    conn: &mut AnyConnection,
    trigger_id: i64,
    ticket_id: i64,
    now: Timestamp,
    seen_updated_at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO trigger_firings (trigger_id, ticket_id, fired_at, seen_updated_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (trigger_id, ticket_id) \
         DO UPDATE SET fired_at = excluded.fired_at, seen_updated_at = excluded.seen_updated_at",
    )
    .bind(trigger_id)
    .bind(ticket_id)
    .bind(to_micros(now))
    .bind(to_micros(seen_updated_at))
    .execute(conn)
    .await?;
    Ok(())
}

/// Tickets that may meet a time trigger's conditions: the conditions SQL can test exactly
/// (type, priority, channel, status, category) and the time conditions as wall-clock lower
/// bounds (business time never exceeds wall time), so nothing that could match is missed.
/// Closed tickets are left out unless a condition asks for them.
pub async fn time_candidates(
    conn: &mut AnyConnection,
    conditions: &[Condition],
    now: Timestamp,
    limit: i64,
) -> Result<Vec<i64>> {
    let mut clauses: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut ints: Vec<i64> = Vec::new();
    // Text binds first ($1…), then integer binds, so numbering stays simple.
    let text_arg = |v: &str, texts: &mut Vec<String>| {
        texts.push(v.to_owned());
        format!("$T{}", texts.len())
    };
    let mut asks_closed = false;
    for c in conditions {
        let column = match c.field {
            Field::Type => Some("ticket_type"),
            Field::Priority => Some("priority"),
            Field::Channel => Some("channel"),
            Field::Status => Some("status"),
            Field::Category => Some("status_category"),
            _ => None,
        };
        if let (Some(col), Op::Is) = (column, c.op) {
            let p = text_arg(c.value.trim(), &mut texts);
            clauses.push(format!("{col} = {p}"));
            if col == "status_category" && c.value.trim() == "closed" {
                asks_closed = true;
            }
        }
        let hours = || c.value.trim().parse::<f64>().ok();
        let time_col = match c.field {
            Field::HoursSinceUpdate => Some("updated_at"),
            Field::HoursSinceCreated => Some("created_at"),
            Field::HoursInStatus | Field::BusinessHoursInStatus => Some("status_changed_at"),
            _ => None,
        };
        if let (Some(col), Some(h)) = (time_col, hours()) {
            let secs = (h * 3600.0) as i64;
            let bound = now
                .checked_sub(SignedDuration::from_secs(secs))
                .unwrap_or(Timestamp::MIN);
            ints.push(to_micros(bound));
            clauses.push(format!("{col} <= $I{}", ints.len()));
        }
    }
    if !asks_closed {
        clauses.push("status_category <> 'closed'".into());
    }
    let n_text = texts.len();
    let mut sql = format!(
        "SELECT id FROM tickets WHERE {} ORDER BY id LIMIT $L",
        clauses.join(" AND ")
    );
    for i in (1..=n_text).rev() {
        sql = sql.replace(&format!("$T{i}"), &format!("${i}"));
    }
    for i in (1..=ints.len()).rev() {
        sql = sql.replace(&format!("$I{i}"), &format!("${}", n_text + i));
    }
    sql = sql.replace("$L", &format!("${}", n_text + ints.len() + 1));
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for t in &texts {
        q = q.bind(t.as_str());
    }
    for i in &ints {
        q = q.bind(*i);
    }
    Ok(q.bind(limit).fetch_all(conn).await?)
}
