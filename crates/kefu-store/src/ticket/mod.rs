//! Tickets as stored: the ticket row, its queue listing with keyset pagination, and (in
//! the submodules) its conversation and the settings around it.

pub mod conversation;
pub mod presence;
pub mod setup;

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

const SELECT_TICKET: &str = "SELECT t.id, t.number, t.ticket_type, t.channel, t.status, \
    t.status_category, t.priority, t.subject, t.customer_name, t.contact_name, \
    t.contact_email, t.contact_phone, t.assignee_id, u.display_name AS assignee_name, \
    t.group_id, g.name AS group_name, t.tags, t.external_id, t.created_by_user_id, \
    t.created_at, t.updated_at, t.first_response_at, t.resolved_at, t.closed_at, \
    t.message_count, t.customer_tier, t.sla_policy_id, t.first_response_due_at, \
    t.next_response_due_at, t.resolution_due_at, t.sla_next_due_at, t.sla_next_target, \
    t.awaiting_reply_since, t.sla_paused_secs, t.sla_paused_since, t.sla_warned_due_at, \
    t.sla_escalated_due_at, t.first_response_met, t.resolution_met, t.next_response_breaches, \
    t.requester_id, t.status_changed_at, t.customer_id, t.version \
    FROM tickets t \
    LEFT JOIN users u ON u.id = t.assignee_id \
    LEFT JOIN ticket_groups g ON g.id = t.group_id";

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

/// Whom a queue shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum AssigneeFilter {
    #[default]
    Anyone,
    Nobody,
    User(i64),
}

/// The order of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Updated,
    Created,
    Priority,
    /// The earliest running SLA deadline first.
    Due,
}

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::Updated => "t.updated_at",
            SortKey::Created => "t.created_at",
            SortKey::Priority => "t.priority_rank",
            SortKey::Due => "t.sla_next_due_at",
        }
    }

    /// The value of this key on a ticket, for the next page's cursor.
    pub fn value(self, t: &Ticket) -> i64 {
        match self {
            SortKey::Updated => to_micros(t.updated_at),
            SortKey::Created => to_micros(t.created_at),
            SortKey::Priority => priority_rank(t.priority),
            SortKey::Due => t.sla.next_due_at.map(to_micros).unwrap_or(i64::MAX),
        }
    }
}

/// A position in a sorted queue: the sort value and id of the last ticket shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub value: i64,
    pub id: i64,
}

/// What to list. Every filter narrows; the defaults list every ticket.
#[derive(Debug, Clone, Default)]
pub struct TicketFilter {
    pub active_only: bool,
    pub assignee: AssigneeFilter,
    /// Only tickets of these groups (an empty list matches nothing).
    pub groups: Option<Vec<i64>>,
    pub categories: Vec<StatusCategory>,
    pub status: Option<String>,
    pub ticket_type: Option<TicketType>,
    pub priority: Option<Priority>,
    pub channel: Option<Channel>,
    pub tag: Option<String>,
    /// Part of the subject, the number or the customer's name.
    pub text: Option<String>,
    /// Only the tickets of this portal customer.
    pub requester: Option<i64>,
    /// Only the tickets linked to this customer of the archive (its open ones are read
    /// from the `tickets_customer_active` index).
    pub customer_id: Option<i64>,
    pub created_from: Option<Timestamp>,
    pub created_before: Option<Timestamp>,
    /// Only tickets with a running deadline before this instant (overdue at `now`).
    pub due_before: Option<Timestamp>,
    /// Only tickets with a running deadline at or after this instant; with `due_before`, a
    /// window (due within the next two business hours, overdue since this morning).
    pub due_from: Option<Timestamp>,
    /// Only tickets whose customer wrote last and waits for an answer (客户已回复).
    pub awaiting_reply: bool,
    pub customer_tier: Option<String>,
}

enum Bind {
    I64(i64),
    Text(String),
}

/// Builds a `WHERE` clause with numbered placeholders, identical on both backends.
struct Where {
    clauses: Vec<String>,
    binds: Vec<Bind>,
}

impl Where {
    fn new() -> Where {
        Where {
            clauses: Vec::new(),
            binds: Vec::new(),
        }
    }

    fn arg(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("${}", self.binds.len())
    }

    fn push(&mut self, clause: String) {
        self.clauses.push(clause);
    }

    fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    fn apply<'q>(
        &'q self,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
        for b in &self.binds {
            q = match b {
                Bind::I64(v) => q.bind(*v),
                Bind::Text(v) => q.bind(v.as_str()),
            };
        }
        q
    }
}

fn filter_where(f: &TicketFilter) -> Where {
    let mut w = Where::new();
    if f.active_only {
        w.push("t.active = 1".into());
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Nobody => w.push("t.assignee_id IS NULL".into()),
        AssigneeFilter::User(id) => {
            let p = w.arg(Bind::I64(id));
            w.push(format!("t.assignee_id = {p}"));
        }
    }
    if let Some(groups) = &f.groups {
        if groups.is_empty() {
            w.push("1 = 0".into());
        } else {
            let ps: Vec<String> = groups.iter().map(|g| w.arg(Bind::I64(*g))).collect();
            w.push(format!("t.group_id IN ({})", ps.join(", ")));
        }
    }
    if !f.categories.is_empty() {
        let ps: Vec<String> = f
            .categories
            .iter()
            .map(|c| w.arg(Bind::Text(c.key().into())))
            .collect();
        w.push(format!("t.status_category IN ({})", ps.join(", ")));
    }
    if let Some(s) = &f.status {
        let p = w.arg(Bind::Text(s.clone()));
        w.push(format!("t.status = {p}"));
    }
    if let Some(v) = f.ticket_type {
        let p = w.arg(Bind::Text(v.key().into()));
        w.push(format!("t.ticket_type = {p}"));
    }
    if let Some(v) = f.priority {
        let p = w.arg(Bind::Text(v.key().into()));
        w.push(format!("t.priority = {p}"));
    }
    if let Some(v) = f.channel {
        let p = w.arg(Bind::Text(v.key().into()));
        w.push(format!("t.channel = {p}"));
    }
    if let Some(tag) = &f.tag {
        let p = w.arg(Bind::Text(tag.clone()));
        w.push(format!(
            "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = {p})"
        ));
    }
    if let Some(text) = &f.text {
        // LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        let p = w.arg(Bind::Text(pattern));
        w.push(format!(
            "(LOWER(t.subject) LIKE {p} ESCAPE '\\' OR LOWER(t.number) LIKE {p} ESCAPE '\\' \
             OR LOWER(t.customer_name) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(from) = f.created_from {
        let p = w.arg(Bind::I64(to_micros(from)));
        w.push(format!("t.created_at >= {p}"));
    }
    if let Some(r) = f.requester {
        let p = w.arg(Bind::I64(r));
        w.push(format!("t.requester_id = {p}"));
    }
    if let Some(c) = f.customer_id {
        let p = w.arg(Bind::I64(c));
        w.push(format!("t.customer_id = {p}"));
    }
    if let Some(due) = f.due_before {
        let p = w.arg(Bind::I64(to_micros(due)));
        w.push(format!("t.active = 1 AND t.sla_next_due_at < {p}"));
    }
    if let Some(from) = f.due_from {
        let p = w.arg(Bind::I64(to_micros(from)));
        w.push(format!("t.active = 1 AND t.sla_next_due_at >= {p}"));
    }
    if f.awaiting_reply {
        w.push("t.awaiting_reply_since IS NOT NULL".into());
    }
    if let Some(tier) = &f.customer_tier {
        let p = w.arg(Bind::Text(tier.clone()));
        w.push(format!("t.customer_tier = {p}"));
    }
    if let Some(before) = f.created_before {
        let p = w.arg(Bind::I64(to_micros(before)));
        w.push(format!("t.created_at < {p}"));
    }
    w
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One page of a queue, newest (or highest) first unless `ascending`. Keyset pagination:
/// the page after `after` starts strictly past it, so deep pages cost what the first does.
pub async fn list(
    conn: &mut AnyConnection,
    f: &TicketFilter,
    sort: SortKey,
    ascending: bool,
    after: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Ticket>> {
    let mut w = filter_where(f);
    // Only tickets with a running deadline have a place in this order. The overdue filter
    // says so already; saying it twice makes PostgreSQL multiply the selectivities of what
    // are the same rows, expect a few dozen overdue tickets instead of thousands, and sort
    // them all (80–150 ms at a million tickets) instead of reading its index in order.
    if sort == SortKey::Due && f.due_before.is_none() && f.due_from.is_none() {
        w.push("t.sla_next_due_at IS NOT NULL".into());
    }
    let col = sort.column();
    let (cmp, dir) = if ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    if let Some(c) = after {
        let v = w.arg(Bind::I64(c.value));
        let id = w.arg(Bind::I64(c.id));
        w.push(format!(
            "({col} {cmp} {v} OR ({col} = {v} AND t.id {cmp} {id}))"
        ));
    }
    let lim = w.arg(Bind::I64(limit));
    let sql = format!(
        "{SELECT_TICKET}{} ORDER BY {col} {dir}, t.id {dir} LIMIT {lim}",
        w.sql()
    );
    let rows = w.apply(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter().map(ticket_from_row).collect()
}

/// How many tickets match, counting at most `cap` (a queue badge shows "999+").
pub async fn count(conn: &mut AnyConnection, f: &TicketFilter, cap: i64) -> Result<i64> {
    let mut w = filter_where(f);
    let lim = w.arg(Bind::I64(cap));
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM tickets t{} LIMIT {lim}) AS capped",
        w.sql()
    );
    let n: i64 = w
        .apply(sqlx::query(&sql))
        .fetch_one(conn)
        .await?
        .try_get(0)?;
    Ok(n)
}

/// How many tickets match, per status key (statuses with none are left out): the number
/// of rows each status filter of the same queue lists.
pub async fn count_by_status(
    conn: &mut AnyConnection,
    f: &TicketFilter,
) -> Result<Vec<(String, i64)>> {
    let w = filter_where(f);
    let sql = format!(
        "SELECT t.status AS status, COUNT(*) AS n FROM tickets t{} GROUP BY t.status",
        w.sql()
    );
    let rows = w.apply(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("status")?, r.try_get("n")?)))
        .collect()
}

/// How many tickets match that were created before each instant of `before`, in one query
/// (the backlog by age).
pub async fn count_created_before(
    conn: &mut AnyConnection,
    f: &TicketFilter,
    before: &[Timestamp],
) -> Result<Vec<i64>> {
    if before.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = filter_where(f);
    let sums: Vec<String> = before
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let p = w.arg(Bind::I64(to_micros(*b)));
            format!("COALESCE(SUM(CASE WHEN t.created_at < {p} THEN 1 ELSE 0 END), 0) AS n{i}")
        })
        .collect();
    let sql = format!("SELECT {} FROM tickets t{}", sums.join(", "), w.sql());
    let row = w.apply(sqlx::query(&sql)).fetch_one(conn).await?;
    (0..before.len())
        .map(|i| Ok(row.try_get::<i64, _>(format!("n{i}").as_str())?))
        .collect()
}

/// Tickets by id, in one query (for bulk actions).
pub async fn by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Ticket>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut w = Where::new();
    let ps: Vec<String> = ids.iter().map(|i| w.arg(Bind::I64(*i))).collect();
    let sql = format!(
        "{SELECT_TICKET} WHERE t.id IN ({}) ORDER BY t.id",
        ps.join(", ")
    );
    let rows = w.apply(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter().map(ticket_from_row).collect()
}
