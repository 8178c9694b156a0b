//! Business calendars, SLA policies, and the indexed queries the escalation job runs.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Backend, Result, found, to_micros};

/// A calendar as stored: the week as JSON, the special days as rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    /// JSON: seven arrays of `{start, end}` minutes, Monday first.
    pub week: String,
    pub is_default: bool,
    /// Moves on with every change of the calendar or its days (see [`crate::version`]).
    pub version: i64,
}

/// A holiday or make-up working day: (date `YYYY-MM-DD`, `holiday`|`workday`, name).
pub type DayRow = (String, String, String);

pub async fn calendars(conn: &mut AnyConnection) -> Result<Vec<CalendarRow>> {
    let rows = sqlx::query(
        "SELECT id, name, time_zone, week, is_default, version FROM calendars \
         ORDER BY is_default DESC, name",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CalendarRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                time_zone: r.try_get("time_zone")?,
                week: r.try_get("week")?,
                is_default: r.try_get::<i64, _>("is_default")? != 0,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

pub async fn calendar_days(conn: &mut AnyConnection, calendar_id: i64) -> Result<Vec<DayRow>> {
    Ok(sqlx::query_as(
        "SELECT day, kind, name FROM calendar_days WHERE calendar_id = $1 ORDER BY day",
    )
    .bind(calendar_id)
    .fetch_all(conn)
    .await?)
}

/// All special days of all calendars, as (calendar id, day row), for loading every
/// calendar in two queries.
pub async fn all_calendar_days(conn: &mut AnyConnection) -> Result<Vec<(i64, DayRow)>> {
    let rows: Vec<(i64, String, String, String)> = sqlx::query_as(
        "SELECT calendar_id, day, kind, name FROM calendar_days ORDER BY calendar_id, day",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(c, d, k, n)| (c, (d, k, n)))
        .collect())
}

/// The calendars (id, name) without a single holiday from `from` up to, not including,
/// `until` (days as `YYYY-MM-DD`): those whose holiday list for that year is missing.
pub async fn calendars_without_holidays(
    conn: &mut AnyConnection,
    from: &str,
    until: &str,
) -> Result<Vec<(i64, String)>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.name FROM calendars c WHERE NOT EXISTS (SELECT 1 FROM calendar_days d \
         WHERE d.calendar_id = c.id AND d.kind = 'holiday' AND d.day >= $1 AND d.day < $2) \
         ORDER BY c.is_default DESC, c.name",
    )
    .bind(from)
    .bind(until)
    .fetch_all(conn)
    .await?)
}

pub async fn insert_calendar(
    conn: &mut AnyConnection,
    c: &CalendarRow,
    now: Timestamp,
) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO calendars (name, time_zone, week, is_default, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
    )
    .bind(&c.name)
    .bind(&c.time_zone)
    .bind(&c.week)
    .bind(i64::from(c.is_default))
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_calendar(
    conn: &mut AnyConnection,
    c: &CalendarRow,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE calendars SET name = $2, time_zone = $3, week = $4, updated_at = $5 WHERE id = $1",
    )
    .bind(c.id)
    .bind(&c.name)
    .bind(&c.time_zone)
    .bind(&c.week)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Adds or replaces special days of a calendar.
pub async fn upsert_days(
    conn: &mut AnyConnection,
    calendar_id: i64,
    days: &[DayRow],
) -> Result<()> {
    for (day, kind, name) in days {
        sqlx::query(
            "INSERT INTO calendar_days (calendar_id, day, kind, name) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (calendar_id, day) DO UPDATE SET kind = excluded.kind, \
             name = excluded.name",
        )
        .bind(calendar_id)
        .bind(day)
        .bind(kind)
        .bind(name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn delete_day(conn: &mut AnyConnection, calendar_id: i64, day: &str) -> Result<()> {
    sqlx::query("DELETE FROM calendar_days WHERE calendar_id = $1 AND day = $2")
        .bind(calendar_id)
        .bind(day)
        .execute(conn)
        .await?;
    Ok(())
}

/// An SLA policy as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRow {
    pub id: i64,
    pub name: String,
    pub position: i64,
    pub ticket_type: Option<String>,
    pub priority: Option<String>,
    pub customer_tier: Option<String>,
    pub calendar_id: i64,
    pub first_response_minutes: Option<i64>,
    pub next_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub active: bool,
    /// Moves on with every change (see [`crate::version`]); not written by the updates here.
    pub version: i64,
}

pub async fn policies(conn: &mut AnyConnection) -> Result<Vec<PolicyRow>> {
    let rows = sqlx::query(
        "SELECT id, name, position, ticket_type, priority, customer_tier, calendar_id, \
         first_response_minutes, next_response_minutes, resolution_minutes, active, version \
         FROM sla_policies ORDER BY position, id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PolicyRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                position: r.try_get("position")?,
                ticket_type: r.try_get("ticket_type")?,
                priority: r.try_get("priority")?,
                customer_tier: r.try_get("customer_tier")?,
                calendar_id: r.try_get("calendar_id")?,
                first_response_minutes: r.try_get("first_response_minutes")?,
                next_response_minutes: r.try_get("next_response_minutes")?,
                resolution_minutes: r.try_get("resolution_minutes")?,
                active: r.try_get::<i64, _>("active")? != 0,
                version: r.try_get("version")?,
            })
        })
        .collect()
}

pub async fn insert_policy(conn: &mut AnyConnection, p: &PolicyRow, now: Timestamp) -> Result<i64> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO sla_policies (name, position, ticket_type, priority, customer_tier, \
         calendar_id, first_response_minutes, next_response_minutes, resolution_minutes, \
         active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id",
    )
    .bind(&p.name)
    .bind(p.position)
    .bind(&p.ticket_type)
    .bind(&p.priority)
    .bind(&p.customer_tier)
    .bind(p.calendar_id)
    .bind(p.first_response_minutes)
    .bind(p.next_response_minutes)
    .bind(p.resolution_minutes)
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?;
    Ok(id)
}

pub async fn update_policy(conn: &mut AnyConnection, p: &PolicyRow, now: Timestamp) -> Result<()> {
    let done = sqlx::query(
        "UPDATE sla_policies SET name = $2, position = $3, ticket_type = $4, priority = $5, \
         customer_tier = $6, calendar_id = $7, first_response_minutes = $8, \
         next_response_minutes = $9, resolution_minutes = $10, active = $11, updated_at = $12 \
         WHERE id = $1",
    )
    .bind(p.id)
    .bind(&p.name)
    .bind(p.position)
    .bind(&p.ticket_type)
    .bind(&p.priority)
    .bind(&p.customer_tier)
    .bind(p.calendar_id)
    .bind(p.first_response_minutes)
    .bind(p.next_response_minutes)
    .bind(p.resolution_minutes)
    .bind(i64::from(p.active))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Open tickets whose running deadline is before `before` and that have not yet been
/// handled for that deadline by `column` (`sla_warned_due_at` or `sla_escalated_due_at`).
pub async fn due_unhandled(
    conn: &mut AnyConnection,
    before: Timestamp,
    column: SlaMark,
    limit: i64,
) -> Result<Vec<i64>> {
    Ok(
        sqlx::query_scalar(&due_unhandled_sql(Backend::of(conn), column))
            .bind(to_micros(before))
            .bind(limit)
            .fetch_all(conn)
            .await?,
    )
}

fn due_unhandled_sql(backend: Backend, column: SlaMark) -> String {
    let col = column.column();
    // SQLite, which keeps no statistics, read `tickets_sla_next` instead and looked up the
    // mark of every overdue ticket (21,561 at a million tickets: 3.4 s on a cold start).
    let from = match backend {
        Backend::Sqlite => format!("tickets INDEXED BY {}", column.pending_index()),
        Backend::Postgres => "tickets".to_owned(),
    };
    format!(
        "SELECT id FROM {from} WHERE active = 1 AND sla_next_due_at < $1 \
         AND ({col} IS NULL OR {col} <> sla_next_due_at) ORDER BY sla_next_due_at LIMIT $2"
    )
}

/// SQLite's plan of [`due_unhandled`], step by step (`EXPLAIN QUERY PLAN`).
pub async fn explain_due_unhandled_sqlite(
    conn: &mut AnyConnection,
    column: SlaMark,
) -> Result<Vec<String>> {
    let sql = due_unhandled_sql(Backend::Sqlite, column);
    let rows = sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
        .bind(0i64)
        .bind(500i64)
        .fetch_all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|r| r.try_get::<String, _>("detail"))
        .collect::<std::result::Result<_, _>>()?)
}

/// What the escalation job records having done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlaMark {
    Warned,
    Escalated,
}

impl SlaMark {
    fn column(self) -> &'static str {
        match self {
            SlaMark::Warned => "sla_warned_due_at",
            SlaMark::Escalated => "sla_escalated_due_at",
        }
    }

    /// The partial index of the tickets this mark has not handled yet.
    fn pending_index(self) -> &'static str {
        match self {
            SlaMark::Warned => "tickets_warning_pending",
            SlaMark::Escalated => "tickets_escalation_pending",
        }
    }
}

/// Claims the handling of ticket `id`'s current deadline `due`: true for exactly one caller,
/// however many instances try at once. The mark is a write to the ticket: its version moves
/// on.
pub async fn claim_mark(
    conn: &mut AnyConnection,
    id: i64,
    due: Timestamp,
    mark: SlaMark,
) -> Result<bool> {
    let col = mark.column();
    let done = sqlx::query(&format!(
        "UPDATE tickets SET {col} = $2, version = version + 1 \
         WHERE id = $1 AND sla_next_due_at = $2 AND ({col} IS NULL OR {col} <> $2)"
    ))
    .bind(id)
    .bind(to_micros(due))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
