//! 大客户 — the manager's visits to key accounts and their reports, the key accounts'
//! ratings of their agents, the changes of agent proposed, and the key accounts with where
//! each stands.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, StoreError, from_micros, to_micros};

/// A visit to arrange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit<'a> {
    pub customer_id: i64,
    pub manager_id: i64,
    pub arranged_by: Option<i64>,
    pub scheduled_at: Timestamp,
    pub mode: &'a str,
    pub purpose: &'a str,
}

pub async fn insert_visit(
    conn: &mut AnyConnection,
    v: &NewVisit<'_>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO manager_visits (customer_id, manager_id, arranged_by, scheduled_at, mode, \
         purpose, state, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'planned', $7, $7) RETURNING id",
    )
    .bind(v.customer_id)
    .bind(v.manager_id)
    .bind(v.arranged_by)
    .bind(to_micros(v.scheduled_at))
    .bind(v.mode)
    .bind(v.purpose)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// A manager visit with the names its pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's owner now: the agent the visit may hear about.
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub manager_id: i64,
    pub manager_name: String,
    pub arranged_by_name: Option<String>,
    pub scheduled_at: Timestamp,
    pub mode: String,
    pub purpose: String,
    pub state: String,
    pub summary: Option<String>,
    pub requests: Option<String>,
    pub actions: Option<String>,
    pub reported_at: Option<Timestamp>,
    pub cancel_reason: Option<String>,
}

const SELECT_VISIT: &str = "SELECT v.id, v.customer_id, c.name AS customer_name, c.owner_id, \
    o.display_name AS owner_name, v.manager_id, m.display_name AS manager_name, \
    a.display_name AS arranged_by_name, v.scheduled_at, v.mode, v.purpose, v.state, \
    v.summary, v.requests, v.actions, v.reported_at, v.cancel_reason \
    FROM manager_visits v JOIN customers c ON c.id = v.customer_id \
    JOIN users m ON m.id = v.manager_id LEFT JOIN users o ON o.id = c.owner_id \
    LEFT JOIN users a ON a.id = v.arranged_by";

fn visit_row(r: &AnyRow) -> Result<Visit> {
    Ok(Visit {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        owner_id: r.try_get("owner_id")?,
        owner_name: r.try_get("owner_name")?,
        manager_id: r.try_get("manager_id")?,
        manager_name: r.try_get("manager_name")?,
        arranged_by_name: r.try_get("arranged_by_name")?,
        scheduled_at: from_micros(r.try_get("scheduled_at")?),
        mode: r.try_get("mode")?,
        purpose: r.try_get("purpose")?,
        state: r.try_get("state")?,
        summary: r.try_get("summary")?,
        requests: r.try_get("requests")?,
        actions: r.try_get("actions")?,
        reported_at: opt_time(r, "reported_at")?,
        cancel_reason: r.try_get("cancel_reason")?,
    })
}

pub async fn visit(conn: &mut AnyConnection, id: i64) -> Result<Visit> {
    let row = sqlx::query(&format!("{SELECT_VISIT} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    visit_row(&row)
}

/// Visits scheduled in `[from, to)` (of one manager, when given), by time.
pub async fn visits_between(
    conn: &mut AnyConnection,
    from: Timestamp,
    to: Timestamp,
    manager: Option<i64>,
) -> Result<Vec<Visit>> {
    let rows = sqlx::query(&format!(
        "{SELECT_VISIT} WHERE v.scheduled_at >= $1 AND v.scheduled_at < $2 \
         AND ($3 = 0 OR v.manager_id = $3) ORDER BY v.scheduled_at, v.id"
    ))
    .bind(to_micros(from))
    .bind(to_micros(to))
    .bind(manager.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    rows.iter().map(visit_row).collect()
}

/// A customer's visits, the latest first.
pub async fn visits_of(conn: &mut AnyConnection, customer: i64) -> Result<Vec<Visit>> {
    let rows = sqlx::query(&format!(
        "{SELECT_VISIT} WHERE v.customer_id = $1 ORDER BY v.scheduled_at DESC, v.id DESC"
    ))
    .bind(customer)
    .fetch_all(conn)
    .await?;
    rows.iter().map(visit_row).collect()
}

/// Writes a planned visit's report; `false` when it is not planned any more.
pub async fn report_visit(
    conn: &mut AnyConnection,
    id: i64,
    summary: &str,
    requests: &str,
    actions: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE manager_visits SET state = 'done', summary = $2, requests = $3, actions = $4, \
         reported_at = $5, updated_at = $5 WHERE id = $1 AND state = 'planned'",
    )
    .bind(id)
    .bind(summary)
    .bind(requests)
    .bind(actions)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Cancels a planned visit; `false` when it is not planned any more.
pub async fn cancel_visit(
    conn: &mut AnyConnection,
    id: i64,
    reason: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE manager_visits SET state = 'cancelled', cancel_reason = $2, updated_at = $3 \
         WHERE id = $1 AND state = 'planned'",
    )
    .bind(id)
    .bind(reason)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A rating to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRating<'a> {
    pub customer_id: i64,
    pub agent_id: i64,
    pub score: i64,
    pub comment: &'a str,
    pub visit_id: Option<i64>,
    pub rated_by: Option<i64>,
}

pub async fn insert_rating(
    conn: &mut AnyConnection,
    r: &NewRating<'_>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO agent_ratings (customer_id, agent_id, score, comment, visit_id, rated_by, \
         rated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(r.customer_id)
    .bind(r.agent_id)
    .bind(r.score)
    .bind(r.comment)
    .bind(r.visit_id)
    .bind(r.rated_by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// A rating with the names its pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub id: i64,
    pub customer_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    pub score: i64,
    pub comment: String,
    pub visit_id: Option<i64>,
    pub rated_by_name: Option<String>,
    pub rated_at: Timestamp,
}

/// A customer's ratings of its agents, the latest first.
pub async fn ratings_of(conn: &mut AnyConnection, customer: i64) -> Result<Vec<Rating>> {
    let rows = sqlx::query(
        "SELECT r.id, r.customer_id, r.agent_id, u.display_name AS agent_name, r.score, \
         r.comment, r.visit_id, b.display_name AS rated_by_name, r.rated_at \
         FROM agent_ratings r JOIN users u ON u.id = r.agent_id \
         LEFT JOIN users b ON b.id = r.rated_by WHERE r.customer_id = $1 \
         ORDER BY r.rated_at DESC, r.id DESC",
    )
    .bind(customer)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Rating {
                id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                agent_id: r.try_get("agent_id")?,
                agent_name: r.try_get("agent_name")?,
                score: r.try_get("score")?,
                comment: r.try_get("comment")?,
                visit_id: r.try_get("visit_id")?,
                rated_by_name: r.try_get("rated_by_name")?,
                rated_at: from_micros(r.try_get("rated_at")?),
            })
        })
        .collect()
}

/// Proposes a change of agent from rating `rating`; `None` when the customer has a proposal
/// waiting already (one at a time).
pub async fn propose_change(
    conn: &mut AnyConnection,
    customer: i64,
    rating: i64,
    from_agent: i64,
    now: Timestamp,
) -> Result<Option<i64>> {
    let waiting: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM agent_changes WHERE customer_id = $1 AND state = 'proposed'",
    )
    .bind(customer)
    .fetch_one(&mut *conn)
    .await?;
    if waiting > 0 {
        return Ok(None);
    }
    Ok(Some(
        sqlx::query_scalar(
            "INSERT INTO agent_changes (customer_id, rating_id, from_agent_id, state, \
             created_at) VALUES ($1, $2, $3, 'proposed', $4) RETURNING id",
        )
        .bind(customer)
        .bind(rating)
        .bind(from_agent)
        .bind(to_micros(now))
        .fetch_one(conn)
        .await?,
    ))
}

/// A proposed (or decided) change of agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub from_agent_id: i64,
    pub from_agent_name: String,
    pub score: i64,
    pub comment: String,
    pub state: String,
    pub to_agent_name: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<Timestamp>,
    pub note: Option<String>,
    pub created_at: Timestamp,
}

const SELECT_CHANGE: &str = "SELECT g.id, g.customer_id, c.name AS customer_name, \
    g.from_agent_id, f.display_name AS from_agent_name, r.score, r.comment, g.state, \
    t.display_name AS to_agent_name, d.display_name AS decided_by_name, g.decided_at, g.note, \
    g.created_at FROM agent_changes g JOIN customers c ON c.id = g.customer_id \
    JOIN agent_ratings r ON r.id = g.rating_id JOIN users f ON f.id = g.from_agent_id \
    LEFT JOIN users t ON t.id = g.to_agent_id LEFT JOIN users d ON d.id = g.decided_by";

fn change_row(r: &AnyRow) -> Result<Change> {
    Ok(Change {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        from_agent_id: r.try_get("from_agent_id")?,
        from_agent_name: r.try_get("from_agent_name")?,
        score: r.try_get("score")?,
        comment: r.try_get("comment")?,
        state: r.try_get("state")?,
        to_agent_name: r.try_get("to_agent_name")?,
        decided_by_name: r.try_get("decided_by_name")?,
        decided_at: opt_time(r, "decided_at")?,
        note: r.try_get("note")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

pub async fn change(conn: &mut AnyConnection, id: i64) -> Result<Change> {
    let row = sqlx::query(&format!("{SELECT_CHANGE} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    change_row(&row)
}

/// Changes proposed and waiting (`waiting`), or every one, the newest first, at most
/// `limit`.
pub async fn changes(conn: &mut AnyConnection, waiting: bool, limit: i64) -> Result<Vec<Change>> {
    let rows = sqlx::query(&format!(
        "{SELECT_CHANGE} WHERE ($1 = 0 OR g.state = 'proposed') \
         ORDER BY g.created_at DESC, g.id DESC LIMIT $2"
    ))
    .bind(i64::from(waiting))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(change_row).collect()
}

/// Decides a waiting change (`applied` naming the new agent, or `dismissed`); `false` when
/// it was decided already.
pub async fn decide_change(
    conn: &mut AnyConnection,
    id: i64,
    state: &str,
    to_agent: Option<i64>,
    by: Option<i64>,
    note: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE agent_changes SET state = $2, to_agent_id = $3, decided_by = $4, note = $5, \
         decided_at = $6 WHERE id = $1 AND state = 'proposed'",
    )
    .bind(id)
    .bind(state)
    .bind(to_agent)
    .bind(by)
    .bind(note)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Moves the customer's follow-up visits still to be made from agent `from` to `to`; the
/// number moved.
pub async fn move_open_follow_ups(
    conn: &mut AnyConnection,
    customer: i64,
    from: i64,
    to: i64,
) -> Result<u64> {
    let moved = sqlx::query(
        "UPDATE follow_up_visits SET agent_id = $3 WHERE customer_id = $1 AND agent_id = $2 \
         AND status = 'planned'",
    )
    .bind(customer)
    .bind(from)
    .bind(to)
    .execute(conn)
    .await?;
    Ok(moved.rows_affected())
}

/// A key account and where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAccount {
    pub customer_id: i64,
    pub name: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    /// When its last visit was done.
    pub last_visit_at: Option<Timestamp>,
    /// Its next planned visit.
    pub next_visit_at: Option<Timestamp>,
    pub last_score: Option<i64>,
    /// When it last rated its agent.
    pub last_rated_at: Option<Timestamp>,
    pub change_waiting: bool,
    /// Its service plan's stage and next review (`YYYY-MM-DD`), when it has a plan.
    pub stage: Option<String>,
    pub next_review_on: Option<String>,
}

/// Which key accounts a list holds: each set condition narrows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyAccountFilter {
    /// Due a manager visit: none planned, and the last one done before this moment (or
    /// never).
    pub visit_done_before: Option<Timestamp>,
    /// Its service plan's review falls on or before this day (`YYYY-MM-DD`).
    pub review_by: Option<String>,
    /// Its opinion of its agent not heard since this moment.
    pub rated_before: Option<Timestamp>,
}

/// The key accounts that are customers now (active or dormant), each with where it stands;
/// the filter's conditions apply to these columns.
const KEY_ACCOUNTS: &str = "SELECT c.id, c.name, c.owner_id, u.display_name AS owner_name, \
     (SELECT MAX(v.reported_at) FROM manager_visits v \
       WHERE v.customer_id = c.id AND v.state = 'done') AS last_visit_at, \
     (SELECT MIN(v.scheduled_at) FROM manager_visits v \
       WHERE v.customer_id = c.id AND v.state = 'planned') AS next_visit_at, \
     (SELECT r.score FROM agent_ratings r WHERE r.customer_id = c.id \
       ORDER BY r.rated_at DESC, r.id DESC LIMIT 1) AS last_score, \
     (SELECT MAX(r.rated_at) FROM agent_ratings r WHERE r.customer_id = c.id) \
       AS last_rated_at, \
     (SELECT COUNT(*) FROM agent_changes g WHERE g.customer_id = c.id \
       AND g.state = 'proposed') AS waiting, p.stage, p.next_review_on \
     FROM customers c LEFT JOIN users u ON u.id = c.owner_id \
     LEFT JOIN service_plans p ON p.customer_id = c.id \
     WHERE c.tier = 'key_account' AND c.status IN ('active', 'dormant')";

/// The filter's conditions on [`KEY_ACCOUNTS`] as `k`, bound as $1–$6 by [`bind_filter`]:
/// a flag and a value each, so one statement serves every combination.
const FILTERED: &str = "($1 = 0 OR (k.next_visit_at IS NULL \
       AND (k.last_visit_at IS NULL OR k.last_visit_at < $2))) \
     AND ($3 = 0 OR k.next_review_on <= $4) \
     AND ($5 = 0 OR k.last_rated_at IS NULL OR k.last_rated_at < $6)";

fn bind_filter<'q>(
    q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    f: &'q KeyAccountFilter,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    q.bind(i64::from(f.visit_done_before.is_some()))
        .bind(f.visit_done_before.map_or(0, to_micros))
        .bind(i64::from(f.review_by.is_some()))
        .bind(f.review_by.as_deref().unwrap_or(""))
        .bind(i64::from(f.rated_before.is_some()))
        .bind(f.rated_before.map_or(0, to_micros))
}

/// How many key accounts the filter holds.
pub async fn count_key_accounts(conn: &mut AnyConnection, f: &KeyAccountFilter) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) AS n FROM ({KEY_ACCOUNTS}) k WHERE {FILTERED}");
    let row = bind_filter(sqlx::query(&sql), f).fetch_one(conn).await?;
    Ok(row.try_get("n")?)
}

/// The key accounts the filter holds, by name (then id), after the account `after` in that
/// order, at most `limit`.
pub async fn key_accounts(
    conn: &mut AnyConnection,
    f: &KeyAccountFilter,
    after: Option<i64>,
    limit: i64,
) -> Result<Vec<KeyAccount>> {
    // The cursor is an id; its name is read here, so a renamed account moves the page
    // boundary with it rather than breaking it.
    let sql = format!(
        "SELECT k.* FROM ({KEY_ACCOUNTS}) k WHERE {FILTERED} \
         AND ($7 = 0 OR k.name > (SELECT name FROM customers WHERE id = $8) \
           OR (k.name = (SELECT name FROM customers WHERE id = $8) AND k.id > $8)) \
         ORDER BY k.name, k.id LIMIT $9"
    );
    let rows = bind_filter(sqlx::query(&sql), f)
        .bind(i64::from(after.is_some()))
        .bind(after.unwrap_or(0))
        .bind(limit)
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(KeyAccount {
                customer_id: r.try_get("id")?,
                name: r.try_get("name")?,
                owner_id: r.try_get("owner_id")?,
                owner_name: r.try_get("owner_name")?,
                last_visit_at: opt_time(r, "last_visit_at")?,
                next_visit_at: opt_time(r, "next_visit_at")?,
                last_score: r.try_get("last_score")?,
                last_rated_at: opt_time(r, "last_rated_at")?,
                change_waiting: r.try_get::<i64, _>("waiting")? > 0,
                stage: r.try_get("stage")?,
                next_review_on: r.try_get("next_review_on")?,
            })
        })
        .collect()
}

/// Every key account that is a customer now, (id, name) by name: what a visit may be
/// arranged for.
pub async fn key_account_names(conn: &mut AnyConnection) -> Result<Vec<(i64, String)>> {
    let rows = sqlx::query(
        "SELECT id, name FROM customers WHERE tier = 'key_account' \
         AND status IN ('active', 'dormant') ORDER BY name, id",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect()
}
