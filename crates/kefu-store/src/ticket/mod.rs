//! Tickets as stored: the ticket row, its queue listing with keyset pagination, and (in
//! the submodules) its conversation and the settings around it.

pub mod conversation;
mod list;
pub mod presence;
pub mod setup;

pub use list::{
    AssigneeFilter, Cursor, ListPlan, PlanKind, SortKey, TicketFilter, by_ids, count,
    count_by_status, count_created_before, explain_list, list,
};

use jiff::Timestamp;
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, StoreError, found, from_micros, to_micros};

/// A ticket with the names of its assignee and group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub ticket_type: TicketType,
    pub channel: Channel,
    pub status: String,
    pub category: StatusCategory,
    pub priority: Priority,
    pub subject: String,
    pub customer_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub assignee_id: Option<i64>,
    pub assignee_name: Option<String>,
    pub group_id: Option<i64>,
    pub group_name: Option<String>,
    pub tags: Vec<String>,
    pub external_id: Option<String>,
    pub created_by_user_id: Option<i64>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub first_response_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub message_count: i64,
    /// The portal customer the ticket belongs to.
    pub requester_id: Option<i64>,
    /// When the ticket entered its current status.
    pub status_changed_at: Timestamp,
    /// The customer of the archive the ticket is linked to.
    pub customer_id: Option<i64>,
    pub sla: TicketSla,
    /// 版本 — moves on with every write to the ticket; a write made against an older
    /// version is refused (see [`lock_at_version`]). Starts at 1.
    pub version: i64,
}

/// The SLA state kept on a ticket (see `kefu_domain::sla`): the policy, the deadlines, the
/// pause bookkeeping, what escalation has done, and attainment for reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TicketSla {
    /// `key_account`, `vip` or `normal`.
    pub customer_tier: Option<String>,
    pub policy_id: Option<i64>,
    pub first_response_due_at: Option<Timestamp>,
    pub next_response_due_at: Option<Timestamp>,
    pub resolution_due_at: Option<Timestamp>,
    pub next_due_at: Option<Timestamp>,
    /// `first_response`, `next_response` or `resolution`.
    pub next_target: Option<String>,
    pub awaiting_reply_since: Option<Timestamp>,
    pub paused_secs: i64,
    pub paused_since: Option<Timestamp>,
    pub warned_due_at: Option<Timestamp>,
    pub escalated_due_at: Option<Timestamp>,
    pub first_response_met: Option<bool>,
    pub resolution_met: Option<bool>,
    pub next_response_breaches: i64,
}

/// The columns of a ticket as `ticket_from_row` reads them. The names of the assignee and
/// group are scalar subqueries rather than joins: a queue page then reads `tickets` alone,
/// and PostgreSQL, which does not count on a hash join keeping its input's order, cannot
/// trade the index order of a queue for a join and a sort of everything it matched.
macro_rules! ticket_columns {
    () => {
        "t.id, t.number, t.ticket_type, t.channel, t.status, \
    t.status_category, t.priority, t.subject, t.customer_name, t.contact_name, \
    t.contact_email, t.contact_phone, t.assignee_id, \
    (SELECT u.display_name FROM users u WHERE u.id = t.assignee_id) AS assignee_name, \
    t.group_id, (SELECT g.name FROM ticket_groups g WHERE g.id = t.group_id) AS group_name, \
    t.tags, t.external_id, t.created_by_user_id, \
    t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, \
    t.message_count, t.customer_tier, t.sla_policy_id, t.first_response_due_at, \
    t.next_response_due_at, t.resolution_due_at, t.sla_next_due_at, t.sla_next_target, \
    t.awaiting_reply_since, t.sla_paused_secs, t.sla_paused_since, t.sla_warned_due_at, \
    t.sla_escalated_due_at, t.first_response_met, t.resolution_met, t.next_response_breaches, \
    t.requester_id, t.status_changed_at, t.customer_id, t.version"
    };
}
pub(crate) use ticket_columns;

const SELECT_TICKET: &str = concat!("SELECT ", ticket_columns!(), " FROM tickets t");

pub(crate) fn parse<T: std::str::FromStr>(row: &AnyRow, col: &str) -> Result<T> {
    let raw: String = row.try_get(col)?;
    raw.parse()
        .map_err(|_| StoreError::Corrupt(format!("tickets.{col} = {raw:?}")))
}

pub(crate) fn opt_time(row: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(from_micros))
}

/// Tags as stored in the ticket row: `,a,b,` (empty when there are none).
pub fn tags_column(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(",{},", tags.join(","))
    }
}

fn ticket_from_row(row: &AnyRow) -> Result<Ticket> {
    let tags: String = row.try_get("tags")?;
    Ok(Ticket {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        ticket_type: parse(row, "ticket_type")?,
        channel: parse(row, "channel")?,
        status: row.try_get("status")?,
        category: parse(row, "status_category")?,
        priority: parse(row, "priority")?,
        subject: row.try_get("subject")?,
        customer_name: row.try_get("customer_name")?,
        contact_name: row.try_get("contact_name")?,
        contact_email: row.try_get("contact_email")?,
        contact_phone: row.try_get("contact_phone")?,
        assignee_id: row.try_get("assignee_id")?,
        assignee_name: row.try_get("assignee_name")?,
        group_id: row.try_get("group_id")?,
        group_name: row.try_get("group_name")?,
        tags: tags
            .split(',')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        external_id: row.try_get("external_id")?,
        created_by_user_id: row.try_get("created_by_user_id")?,
        created_at: from_micros(row.try_get("created_at")?),
        updated_at: from_micros(row.try_get("updated_at")?),
        first_response_at: opt_time(row, "first_response_at")?,
        resolved_at: opt_time(row, "resolved_at")?,
        closed_at: opt_time(row, "closed_at")?,
        message_count: row.try_get("message_count")?,
        requester_id: row.try_get("requester_id")?,
        customer_id: row.try_get("customer_id")?,
        status_changed_at: opt_time(row, "status_changed_at")?
            .unwrap_or(from_micros(row.try_get("created_at")?)),
        sla: TicketSla {
            customer_tier: row.try_get("customer_tier")?,
            policy_id: row.try_get("sla_policy_id")?,
            first_response_due_at: opt_time(row, "first_response_due_at")?,
            next_response_due_at: opt_time(row, "next_response_due_at")?,
            resolution_due_at: opt_time(row, "resolution_due_at")?,
            next_due_at: opt_time(row, "sla_next_due_at")?,
            next_target: row.try_get("sla_next_target")?,
            awaiting_reply_since: opt_time(row, "awaiting_reply_since")?,
            paused_secs: row.try_get("sla_paused_secs")?,
            paused_since: opt_time(row, "sla_paused_since")?,
            warned_due_at: opt_time(row, "sla_warned_due_at")?,
            escalated_due_at: opt_time(row, "sla_escalated_due_at")?,
            first_response_met: opt_flag(row, "first_response_met")?,
            resolution_met: opt_flag(row, "resolution_met")?,
            next_response_breaches: row.try_get("next_response_breaches")?,
        },
        version: row.try_get("version")?,
    })
}

pub(crate) fn opt_flag(row: &AnyRow, col: &str) -> Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(|v| v != 0))
}

/// Writes the SLA columns of a ticket.
async fn write_sla(conn: &mut AnyConnection, id: i64, s: &TicketSla) -> Result<()> {
    let t = |v: Option<Timestamp>| v.map(to_micros);
    sqlx::query(
        "UPDATE tickets SET customer_tier = $2, sla_policy_id = $3, first_response_due_at = $4, \
         next_response_due_at = $5, resolution_due_at = $6, sla_next_due_at = $7, \
         sla_next_target = $8, awaiting_reply_since = $9, sla_paused_secs = $10, \
         sla_paused_since = $11, sla_warned_due_at = $12, sla_escalated_due_at = $13, \
         first_response_met = $14, resolution_met = $15, next_response_breaches = $16 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(&s.customer_tier)
    .bind(s.policy_id)
    .bind(t(s.first_response_due_at))
    .bind(t(s.next_response_due_at))
    .bind(t(s.resolution_due_at))
    .bind(t(s.next_due_at))
    .bind(&s.next_target)
    .bind(t(s.awaiting_reply_since))
    .bind(s.paused_secs)
    .bind(t(s.paused_since))
    .bind(t(s.warned_due_at))
    .bind(t(s.escalated_due_at))
    .bind(s.first_response_met.map(i64::from))
    .bind(s.resolution_met.map(i64::from))
    .bind(s.next_response_breaches)
    .execute(conn)
    .await?;
    Ok(())
}

/// Reserves the next `n` sequence numbers of a local day (`20261122`) in one statement,
/// unique across every instance that shares the database; returns the last of them. Inside
/// the caller's transaction the counter row stays locked until it commits.
pub async fn next_seq_block(conn: &mut AnyConnection, day: &str, n: i64) -> Result<i64> {
    let last: i64 = sqlx::query_scalar(
        "INSERT INTO ticket_counters (day, last_seq) VALUES ($1, $2) \
         ON CONFLICT (day) DO UPDATE SET last_seq = ticket_counters.last_seq + $2 \
         RETURNING last_seq",
    )
    .bind(day)
    .bind(n)
    .fetch_one(conn)
    .await?;
    Ok(last)
}

/// Writes every field a person or rule may change, and moves the ticket's version on;
/// returns the new version.
pub async fn save(conn: &mut AnyConnection, t: &Ticket) -> Result<i64> {
    let version: Option<i64> = sqlx::query_scalar(
        "UPDATE tickets SET ticket_type = $2, status = $3, status_category = $4, active = $5, \
         priority = $6, priority_rank = $7, subject = $8, customer_name = $9, \
         contact_name = $10, contact_email = $11, contact_phone = $12, assignee_id = $13, \
         group_id = $14, tags = $15, updated_at = $16, first_response_at = $17, \
         resolved_at = $18, closed_at = $19, status_changed_at = $20, \
         version = version + 1 WHERE id = $1 RETURNING version",
    )
    .bind(t.id)
    .bind(t.ticket_type.key())
    .bind(&t.status)
    .bind(t.category.key())
    .bind(i64::from(t.category.is_active()))
    .bind(t.priority.key())
    .bind(priority_rank(t.priority))
    .bind(&t.subject)
    .bind(&t.customer_name)
    .bind(&t.contact_name)
    .bind(&t.contact_email)
    .bind(&t.contact_phone)
    .bind(t.assignee_id)
    .bind(t.group_id)
    .bind(tags_column(&t.tags))
    .bind(to_micros(t.updated_at))
    .bind(t.first_response_at.map(to_micros))
    .bind(t.resolved_at.map(to_micros))
    .bind(t.closed_at.map(to_micros))
    .bind(to_micros(t.status_changed_at))
    .fetch_optional(&mut *conn)
    .await?;
    let version = version.ok_or(StoreError::NotFound)?;
    write_tags(conn, t.id, &t.tags).await?;
    write_sla(conn, t.id, &t.sla).await?;
    Ok(version)
}

/// Takes ticket `id` for the rest of the caller's transaction if it is still at `version`:
/// false when it has moved on (or is gone). The check and the lock are one statement, so
/// no other writer — on this instance or another — can slip in between the check and the
/// write that follows; the write itself moves the version on.
pub async fn lock_at_version(conn: &mut AnyConnection, id: i64, version: i64) -> Result<bool> {
    let done = sqlx::query("UPDATE tickets SET version = version WHERE id = $1 AND version = $2")
        .bind(id)
        .bind(version)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Takes ticket `id` for the rest of the caller's transaction if it is still resolved:
/// false when it was reopened (or is gone) meanwhile. Like [`lock_at_version`], the check
/// and the lock are one statement, so a customer's reply cannot reopen it in between.
pub async fn lock_if_resolved(conn: &mut AnyConnection, id: i64) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE tickets SET version = version WHERE id = $1 AND resolved_at IS NOT NULL",
    )
    .bind(id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves ticket `id`'s version on without changing a field (its history or files changed).
pub async fn bump_version(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let done = sqlx::query("UPDATE tickets SET version = version + 1 WHERE id = $1")
        .bind(id)
        .execute(conn)
        .await?;
    found(done)
}

/// The fields of ticket `id` whose changes were recorded at or after `version`, as its
/// events name them (`priority`, `tags`, `field:<key>`…), each once, in order of name.
/// What moves the version without an event (a message, an SLA mark) names no field.
pub async fn changed_since(conn: &mut AnyConnection, id: i64, version: i64) -> Result<Vec<String>> {
    let fields: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT field FROM ticket_events \
         WHERE ticket_id = $1 AND ticket_version >= $2 ORDER BY field",
    )
    .bind(id)
    .bind(version)
    .fetch_all(conn)
    .await?;
    Ok(fields)
}

async fn write_tags(conn: &mut AnyConnection, id: i64, tags: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM ticket_tags WHERE ticket_id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    insert_tags(conn, id, tags).await
}

async fn insert_tags(conn: &mut AnyConnection, id: i64, tags: &[String]) -> Result<()> {
    for tag in tags {
        sqlx::query("INSERT INTO ticket_tags (ticket_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(tag)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) fn priority_rank(p: Priority) -> i64 {
    match p {
        Priority::Low => 0,
        Priority::Normal => 1,
        Priority::High => 2,
        Priority::Urgent => 3,
    }
}

/// Ticket `id`, taken for the rest of the caller's transaction before it is read: what the
/// caller then writes (a customer's message and the reopening it brings) cannot interleave
/// with another writer that checks the ticket's state first (the survey job).
pub async fn by_id_locked(conn: &mut AnyConnection, id: i64) -> Result<Ticket> {
    let done = sqlx::query("UPDATE tickets SET version = version WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    found(done)?;
    by_id(conn, id).await
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Ticket> {
    let row = sqlx::query(&format!("{SELECT_TICKET} WHERE t.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    ticket_from_row(&row)
}

pub async fn by_number(conn: &mut AnyConnection, number: &str) -> Result<Ticket> {
    let row = sqlx::query(&format!("{SELECT_TICKET} WHERE t.number = $1"))
        .bind(number)
        .fetch_one(conn)
        .await?;
    ticket_from_row(&row)
}

/// The ticket an earlier delivery with this external id created, if any.
pub async fn by_external_id(
    conn: &mut AnyConnection,
    channel: Channel,
    external_id: &str,
) -> Result<Option<Ticket>> {
    let row = sqlx::query(&format!(
        "{SELECT_TICKET} WHERE t.channel = $1 AND t.external_id = $2"
    ))
    .bind(channel.key())
    .bind(external_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(ticket_from_row).transpose()
}
