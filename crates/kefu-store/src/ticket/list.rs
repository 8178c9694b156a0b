//! 工单列表 — a queue page, its counts, and how the database reads them.
//!
//! Every queue tab in every order reads an index in that order and stops after a page: the
//! partial indexes of migration 0038 hold the working tickets (`active = 1`) per assignee,
//! group and status category in each order, and `ticket::list` shapes its query so both
//! engines see them. A queue over several groups or waiting categories is one index range
//! per group or category, merged (`UNION ALL`), never one range sorted. [`explain_list`]
//! shows the plan, and the tests hold every queue and order to it on both backends.

use jiff::Timestamp;
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use sqlx::{AnyConnection, Row};

use super::{SELECT_TICKET, Ticket, priority_rank, ticket_columns, ticket_from_row};
use crate::{Backend, Result, to_micros};

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

    /// How the indexes of this order are named (`tickets_q_overdue_created`…).
    fn index_suffix(self) -> &'static str {
        match self {
            SortKey::Updated => "updated",
            SortKey::Created => "created",
            SortKey::Priority => "priority",
            SortKey::Due => "due",
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

#[derive(Debug, Clone)]
enum Bind {
    I64(i64),
    Text(String),
}

/// A `WHERE` clause with numbered placeholders, identical on both backends. The arguments
/// are numbered once for a whole statement, so several arms of a `UNION ALL` share them.
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

    fn sql(&self) -> String {
        where_sql(&self.clauses)
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

fn where_sql(clauses: &[String]) -> String {
    if clauses.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", clauses.join(" AND "))
    }
}

fn filter_where(f: &TicketFilter) -> Where {
    let mut w = Where::new();
    w.clauses = filter_clauses(f, None, &mut w);
    w
}

fn filter_clauses(f: &TicketFilter, order: Option<SortKey>, w: &mut Where) -> Vec<String> {
    let mut cl = Vec::new();
    if f.active_only {
        cl.push("t.active = 1".into());
    }
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Nobody => cl.push("t.assignee_id IS NULL".into()),
        AssigneeFilter::User(id) => {
            let p = w.arg(Bind::I64(id));
            cl.push(format!("t.assignee_id = {p}"));
        }
    }
    if let Some(groups) = &f.groups {
        if groups.is_empty() {
            cl.push("1 = 0".into());
        } else {
            let ps: Vec<String> = groups.iter().map(|g| w.arg(Bind::I64(*g))).collect();
            cl.push(format!("t.group_id IN ({})", ps.join(", ")));
        }
    }
    if !f.categories.is_empty() {
        let ps: Vec<String> = f
            .categories
            .iter()
            .map(|c| w.arg(Bind::Text(c.key().into())))
            .collect();
        cl.push(format!("t.status_category IN ({})", ps.join(", ")));
        // Said outright, so the partial indexes of the working tickets serve the waiting
        // queues too.
        if !f.active_only && f.categories.iter().all(|k| k.is_active()) {
            cl.push("t.active = 1".into());
        }
    }
    if let Some(s) = &f.status {
        let p = w.arg(Bind::Text(s.clone()));
        cl.push(format!("t.status = {p}"));
    }
    if let Some(v) = f.ticket_type {
        let p = w.arg(Bind::Text(v.key().into()));
        cl.push(format!("t.ticket_type = {p}"));
    }
    if let Some(v) = f.priority {
        let p = w.arg(Bind::Text(v.key().into()));
        cl.push(format!("t.priority = {p}"));
    }
    if let Some(v) = f.channel {
        let p = w.arg(Bind::Text(v.key().into()));
        cl.push(format!("t.channel = {p}"));
    }
    if let Some(tag) = &f.tag {
        let p = w.arg(Bind::Text(tag.clone()));
        cl.push(format!(
            "EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = {p})"
        ));
    }
    if let Some(text) = &f.text {
        // LOWER on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
        let pattern = format!("%{}%", escape_like(&text.to_lowercase()));
        let p = w.arg(Bind::Text(pattern));
        cl.push(format!(
            "(LOWER(t.subject) LIKE {p} ESCAPE '\\' OR LOWER(t.number) LIKE {p} ESCAPE '\\' \
             OR LOWER(t.customer_name) LIKE {p} ESCAPE '\\')"
        ));
    }
    if let Some(from) = f.created_from {
        let p = w.arg(Bind::I64(to_micros(from)));
        cl.push(format!("t.created_at >= {p}"));
    }
    if let Some(r) = f.requester {
        let p = w.arg(Bind::I64(r));
        cl.push(format!("t.requester_id = {p}"));
    }
    if let Some(c) = f.customer_id {
        let p = w.arg(Bind::I64(c));
        cl.push(format!("t.customer_id = {p}"));
    }
    // A page in another order than the deadline's tests the deadline row by row (`+` keeps
    // the column from choosing the index): read in the index of its order, the page stops
    // after a screenful; read from the deadline's index, every overdue ticket would be
    // sorted first.
    let due = match order {
        Some(sort) if sort != SortKey::Due => "+t.sla_next_due_at",
        _ => "t.sla_next_due_at",
    };
    if let Some(before) = f.due_before {
        let p = w.arg(Bind::I64(to_micros(before)));
        cl.push(format!("t.active = 1 AND {due} < {p}"));
    }
    if let Some(from) = f.due_from {
        let p = w.arg(Bind::I64(to_micros(from)));
        cl.push(format!("t.active = 1 AND {due} >= {p}"));
    }
    if f.awaiting_reply {
        cl.push("t.awaiting_reply_since IS NOT NULL".into());
    }
    if let Some(tier) = &f.customer_tier {
        let p = w.arg(Bind::Text(tier.clone()));
        cl.push(format!("t.customer_tier = {p}"));
    }
    if let Some(before) = f.created_before {
        let p = w.arg(Bind::I64(to_micros(before)));
        cl.push(format!("t.created_at < {p}"));
    }
    cl
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Which part of the overdue tickets an arm of the overdue queue reads, in an order other
/// than the deadline's. The SLA sweep marks a ticket whose running deadline it escalated
/// (`sla_escalated_due_at = sla_next_due_at`); the marked ones, almost all of them, are read
/// from the partial indexes of migration 0039 in the page's order. The few the sweep has not
/// reached yet are read by their deadline (`tickets_escalation_pending`) and sorted. Before,
/// the page read every working ticket in its order and kept the overdue ones: the newest
/// tickets are not overdue yet, so a first page by creation passed tens of thousands of rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Overdue {
    Marked,
    Unmarked,
}

/// One index range of a queue page.
#[derive(Debug, Clone)]
struct Arm {
    filter: TicketFilter,
    overdue: Option<Overdue>,
}

/// Most arms a queue page is split into; past it the groups are one `IN` list, sorted (a
/// supervisor in forty groups waits for a sort rather than for forty index ranges).
const MAX_ARMS: usize = 16;

/// The parts of a queue page that each read one index range in order: one per group of a
/// "my groups" queue and one per category of the waiting queue, otherwise the whole filter.
fn arms(f: &TicketFilter, sort: SortKey) -> Vec<Arm> {
    let split: &[Option<Overdue>] =
        if sort == SortKey::Due || f.due_before.is_none() || f.due_from.is_some() {
            &[None]
        } else {
            &[Some(Overdue::Marked), Some(Overdue::Unmarked)]
        };
    filter_arms(f)
        .into_iter()
        .flat_map(|filter| {
            split.iter().map(move |&overdue| Arm {
                filter: filter.clone(),
                overdue,
            })
        })
        .collect()
}

fn filter_arms(f: &TicketFilter) -> Vec<TicketFilter> {
    if let Some(groups) = &f.groups {
        let mut groups = groups.clone();
        groups.sort_unstable();
        groups.dedup();
        if (2..=MAX_ARMS).contains(&groups.len()) {
            return groups
                .into_iter()
                .map(|g| TicketFilter {
                    groups: Some(vec![g]),
                    ..f.clone()
                })
                .collect();
        }
    }
    let mut categories = f.categories.clone();
    categories.sort_unstable_by_key(|c| c.key());
    categories.dedup();
    if (2..=MAX_ARMS).contains(&categories.len()) {
        return categories
            .into_iter()
            .map(|c| TicketFilter {
                categories: vec![c],
                ..f.clone()
            })
            .collect();
    }
    vec![f.clone()]
}

/// The statement of one queue page and its arguments.
fn list_sql(
    backend: Backend,
    f: &TicketFilter,
    sort: SortKey,
    ascending: bool,
    after: Option<Cursor>,
    limit: i64,
) -> (String, Where) {
    let col = sort.column();
    let (cmp, dir) = if ascending {
        (">", "ASC")
    } else {
        ("<", "DESC")
    };
    let mut w = Where::new();
    let cursor = after.map(|c| (w.arg(Bind::I64(c.value)), w.arg(Bind::I64(c.id))));
    // Each arm's WHERE clause and the expression it is ordered by: the unmarked overdue
    // tickets by `key + 0`, so that no index of the order is taken for them and they are
    // found by their deadline instead.
    let arms: Vec<(String, String, String)> = arms(f, sort)
        .iter()
        .map(|arm| {
            // SQLite, without statistics, would read the unmarked from `tickets_sla_next`
            // (the same leading columns) and test the mark on every overdue ticket, and the
            // marked by creation from all working tickets by creation: it is told.
            let (order, key, mark, index) = match arm.overdue {
                None => (Some(sort), col.to_owned(), None, None),
                Some(Overdue::Marked) => (
                    Some(sort),
                    col.to_owned(),
                    Some("t.sla_escalated_due_at = t.sla_next_due_at"),
                    Some(format!("tickets_q_overdue_{}", sort.index_suffix())),
                ),
                Some(Overdue::Unmarked) => (
                    None,
                    format!("{col} + 0"),
                    Some(
                        "(t.sla_escalated_due_at IS NULL \
                         OR t.sla_escalated_due_at <> t.sla_next_due_at)",
                    ),
                    Some("tickets_escalation_pending".to_owned()),
                ),
            };
            let from = match index {
                Some(index) if backend == Backend::Sqlite => {
                    format!("tickets t INDEXED BY {index}")
                }
                _ => "tickets t".to_owned(),
            };
            let mut clauses = filter_clauses(&arm.filter, order, &mut w);
            clauses.extend(mark.map(str::to_owned));
            // Only tickets with a running deadline have a place in this order. The overdue
            // filter says so already; saying it twice makes PostgreSQL multiply the
            // selectivities of what are the same rows and expect a few dozen tickets.
            if sort == SortKey::Due
                && arm.filter.due_before.is_none()
                && arm.filter.due_from.is_none()
            {
                clauses.push("t.sla_next_due_at IS NOT NULL".into());
            }
            // A row value: both engines read it as one range of the (…, key, id) index.
            if let Some((v, id)) = &cursor {
                clauses.push(format!("({key}, t.id) {cmp} ({v}, {id})"));
            }
            (where_sql(&clauses), key, from)
        })
        .collect();
    // The page size is written into the statement: PostgreSQL's generic plan for a
    // `LIMIT $n` expects a tenth of the table and joins it by hash.
    let select = concat!("SELECT ", ticket_columns!());
    let sql = match backend {
        Backend::Sqlite => match arms.as_slice() {
            [(only, key, from)] => {
                format!("{select} FROM {from}{only} ORDER BY {key} {dir}, t.id {dir} LIMIT {limit}")
            }
            // SQLite merges the arms of a compound select in order when each can be read
            // in it (an arm may have no `ORDER BY` of its own).
            _ => {
                let parts: Vec<String> = arms
                    .iter()
                    .map(|(wh, key, from)| format!("{select}, {key} AS sort_key FROM {from}{wh}"))
                    .collect();
                format!(
                    "{} ORDER BY sort_key {dir}, id {dir} LIMIT {limit}",
                    parts.join(" UNION ALL ")
                )
            }
        },
        // PostgreSQL finds the page's ids and keys in the index alone (an index-only scan
        // no sort can undercut, whatever it expects the queue to hold), merges the arms
        // (Merge Append) and only then reads the page's rows.
        Backend::Postgres => {
            let parts: Vec<String> = arms
                .iter()
                .map(|(wh, key, from)| {
                    format!(
                        "(SELECT t.id, {key} AS sort_key FROM {from}{wh} \
                         ORDER BY {key} {dir}, t.id {dir} LIMIT {limit})"
                    )
                })
                .collect();
            let page = match parts.as_slice() {
                [only] => only.clone(),
                _ => format!(
                    "{} ORDER BY sort_key {dir}, id {dir} LIMIT {limit}",
                    parts.join(" UNION ALL ")
                ),
            };
            format!(
                "{select} FROM ({page}) AS page JOIN tickets t ON t.id = page.id \
                 ORDER BY page.sort_key {dir}, page.id {dir}"
            )
        }
    };
    (sql, w)
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
    let (sql, w) = list_sql(Backend::of(conn), f, sort, ascending, after, limit);
    let rows = w.apply(sqlx::query(&sql)).fetch_all(conn).await?;
    rows.iter().map(ticket_from_row).collect()
}

/// Which plan PostgreSQL is asked for (SQLite has one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// Planned for the page's own values, as a statement's first five runs are.
    Custom,
    /// The plan a prepared statement may settle on after that, for any values.
    Generic,
}

/// How the database would read a queue page.
#[derive(Debug, Clone)]
pub struct ListPlan {
    /// The plan as the database prints it.
    pub text: String,
    /// Whether rows are sorted after they are read (a temporary B-tree, a Sort node)
    /// instead of coming out of an index in order.
    pub sorts: bool,
    /// Whether `tickets` is read row by row outside any index.
    pub scans_table: bool,
    /// The indexes of `tickets` the plan reads.
    pub indexes: Vec<String>,
}

/// The plan of [`list`] for these arguments, without running it.
pub async fn explain_list(
    conn: &mut AnyConnection,
    f: &TicketFilter,
    sort: SortKey,
    ascending: bool,
    after: Option<Cursor>,
    limit: i64,
    kind: PlanKind,
) -> Result<ListPlan> {
    let backend = Backend::of(conn);
    let (sql, w) = list_sql(backend, f, sort, ascending, after, limit);
    match backend {
        Backend::Sqlite => {
            let rows = w
                .apply(sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}")))
                .fetch_all(&mut *conn)
                .await?;
            let steps: Vec<String> = rows
                .iter()
                .map(|r| r.try_get::<String, _>("detail"))
                .collect::<std::result::Result<_, _>>()?;
            let mut indexes: Vec<String> = steps
                .iter()
                .filter(|s| s.starts_with("SEARCH t ") || s.starts_with("SCAN t "))
                .filter_map(|s| word_after(s, "INDEX"))
                .collect();
            indexes.sort();
            indexes.dedup();
            Ok(ListPlan {
                sorts: steps.iter().any(|s| s.contains("TEMP B-TREE")),
                scans_table: steps.iter().any(|s| s == "SCAN t"),
                indexes,
                text: steps.join("\n"),
            })
        }
        Backend::Postgres => {
            // EXPLAIN EXECUTE of a prepared statement is the only way to see the generic
            // plan on PostgreSQL 15; its arguments are then literals.
            let args: Vec<String> = w
                .binds
                .iter()
                .map(|b| match b {
                    Bind::I64(v) => v.to_string(),
                    Bind::Text(v) => format!("'{}'", v.replace('\'', "''")),
                })
                .collect();
            let mode = match kind {
                PlanKind::Custom => "force_custom_plan",
                PlanKind::Generic => "force_generic_plan",
            };
            let prepared = sqlx::raw_sql(&format!(
                "SET plan_cache_mode = {mode}; PREPARE kefu_explain_list AS {sql}"
            ))
            .execute(&mut *conn)
            .await;
            let plan = match prepared {
                Ok(_) => {
                    let args = if args.is_empty() {
                        String::new()
                    } else {
                        format!("({})", args.join(", "))
                    };
                    let plan = sqlx::raw_sql(&format!(
                        "EXPLAIN (COSTS OFF) EXECUTE kefu_explain_list{args}"
                    ))
                    .fetch_all(&mut *conn)
                    .await;
                    sqlx::raw_sql("DEALLOCATE kefu_explain_list")
                        .execute(&mut *conn)
                        .await?;
                    plan
                }
                Err(e) => Err(e),
            };
            // The connection goes back to the pool as it came, whatever happened above.
            sqlx::raw_sql("RESET plan_cache_mode")
                .execute(&mut *conn)
                .await?;
            let lines: Vec<String> = plan?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<std::result::Result<_, _>>()?;
            // Node lines name the node ("->  Index Scan using … on tickets t"); the lines of
            // its properties are "Key: value".
            let nodes: Vec<&str> = lines
                .iter()
                .map(|l| l.trim_start().trim_start_matches("->").trim())
                .filter(|l| !l.contains(": "))
                .collect();
            let mut indexes: Vec<String> = nodes
                .iter()
                .filter(|n| n.contains(" on tickets "))
                .filter_map(|n| word_after(n, "using"))
                .collect();
            indexes.sort();
            indexes.dedup();
            Ok(ListPlan {
                sorts: nodes
                    .iter()
                    .any(|n| *n == "Sort" || *n == "Incremental Sort"),
                scans_table: nodes.iter().any(|n| n.starts_with("Seq Scan on tickets ")),
                indexes,
                text: lines.join("\n"),
            })
        }
    }
}

fn word_after(s: &str, word: &str) -> Option<String> {
    let mut words = s.split_whitespace();
    words.find(|w| *w == word)?;
    words.next().map(str::to_owned)
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
