//! 回访任务 — visits and their attempts.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, StoreError, from_micros, to_micros};

/// A visit as planned, before it is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVisit {
    pub plan_key: Option<String>,
    pub rule_id: Option<i64>,
    pub reason: String,
    pub period: Option<String>,
    pub tier: Option<String>,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub group_id: Option<i64>,
    pub channel: String,
    pub due_at: Timestamp,
    pub window_end: Timestamp,
    pub slot_at: Option<Timestamp>,
    pub first_visit: bool,
}

/// A stored visit, with the names a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub id: i64,
    pub rule_id: Option<i64>,
    pub reason: String,
    pub period: Option<String>,
    pub tier: Option<String>,
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_id: Option<i64>,
    pub complaint_id: Option<i64>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub group_id: Option<i64>,
    pub channel: String,
    pub due_at: Timestamp,
    pub window_end: Timestamp,
    pub slot_at: Option<Timestamp>,
    pub callback_at: Option<Timestamp>,
    pub first_visit: bool,
    pub status: String,
    pub attempts: i64,
    pub done_at: Option<Timestamp>,
    pub satisfaction: Option<String>,
    pub unverified: bool,
    pub opened_ticket_id: Option<i64>,
    pub opened_complaint_id: Option<i64>,
    pub cancel_reason: Option<String>,
    /// When the agent's card (名片短信) was last sent to the contact.
    pub card_sent_at: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT_VISIT: &str = "SELECT v.id, v.rule_id, v.reason, v.period, v.tier, \
    v.customer_id, c.name AS customer_name, v.contact_id, v.complaint_id, v.agent_id, \
    u.display_name AS agent_name, v.group_id, v.channel, v.due_at, v.window_end, v.slot_at, \
    v.callback_at, v.first_visit, v.status, v.attempts, v.done_at, v.satisfaction, \
    v.unverified, v.opened_ticket_id, v.opened_complaint_id, v.cancel_reason, \
    v.card_sent_at, v.version, \
    v.created_at, v.updated_at \
    FROM follow_up_visits v JOIN customers c ON c.id = v.customer_id \
    LEFT JOIN users u ON u.id = v.agent_id";

fn visit_from(r: &AnyRow) -> Result<Visit> {
    Ok(Visit {
        id: r.try_get("id")?,
        rule_id: r.try_get("rule_id")?,
        reason: r.try_get("reason")?,
        period: r.try_get("period")?,
        tier: r.try_get("tier")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        contact_id: r.try_get("contact_id")?,
        complaint_id: r.try_get("complaint_id")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        group_id: r.try_get("group_id")?,
        channel: r.try_get("channel")?,
        due_at: from_micros(r.try_get("due_at")?),
        window_end: from_micros(r.try_get("window_end")?),
        slot_at: opt_time(r, "slot_at")?,
        callback_at: opt_time(r, "callback_at")?,
        first_visit: r.try_get::<i64, _>("first_visit")? != 0,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        done_at: opt_time(r, "done_at")?,
        satisfaction: r.try_get("satisfaction")?,
        unverified: r.try_get::<i64, _>("unverified")? != 0,
        opened_ticket_id: r.try_get("opened_ticket_id")?,
        opened_complaint_id: r.try_get("opened_complaint_id")?,
        cancel_reason: r.try_get("cancel_reason")?,
        card_sent_at: opt_time(r, "card_sent_at")?,
        version: r.try_get("version")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

/// Hands `agent_id`'s planned visits that are to be made in `[from, until)` (at the call
/// back asked for, else their slot, else the start of their window) and whose rule has a
/// group to that group, for a colleague to make; returns how many.
pub async fn hand_to_rule_groups(
    conn: &mut AnyConnection,
    agent_id: i64,
    (from, until): (Timestamp, Timestamp),
    now: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE follow_up_visits SET agent_id = NULL, updated_at = $4, \
         group_id = (SELECT r.group_id FROM follow_up_rules r \
           WHERE r.id = follow_up_visits.rule_id) \
         WHERE agent_id = $1 AND status = 'planned' \
         AND COALESCE(callback_at, slot_at, due_at) >= $2 \
         AND COALESCE(callback_at, slot_at, due_at) < $3 \
         AND EXISTS (SELECT 1 FROM follow_up_rules r WHERE r.id = follow_up_visits.rule_id \
           AND r.group_id IS NOT NULL)",
    )
    .bind(agent_id)
    .bind(to_micros(from))
    .bind(to_micros(until))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Stores a planned visit; `None` when its plan key is taken (planned before, perhaps by
/// another instance at the same moment).
pub async fn insert_visit(
    conn: &mut AnyConnection,
    v: &NewVisit,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO follow_up_visits (plan_key, rule_id, reason, period, tier, customer_id, \
         contact_id, complaint_id, agent_id, group_id, channel, due_at, window_end, slot_at, \
         first_visit, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
         $9, $10, $11, $12, $13, $14, $15, 'planned', $16, $16) \
         ON CONFLICT (plan_key) DO NOTHING RETURNING id",
    )
    .bind(&v.plan_key)
    .bind(v.rule_id)
    .bind(&v.reason)
    .bind(&v.period)
    .bind(&v.tier)
    .bind(v.customer_id)
    .bind(v.contact_id)
    .bind(v.complaint_id)
    .bind(v.agent_id)
    .bind(v.group_id)
    .bind(&v.channel)
    .bind(to_micros(v.due_at))
    .bind(to_micros(v.window_end))
    .bind(v.slot_at.map(to_micros))
    .bind(i64::from(v.first_visit))
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?)
}

pub async fn visit_by_id(conn: &mut AnyConnection, id: i64) -> Result<Visit> {
    let row = sqlx::query(&format!("{SELECT_VISIT} WHERE v.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    visit_from(&row)
}

/// The latest visit made for complaint `complaint_id`'s follow-up (投诉结案回访), if any.
pub async fn complaint_visit(conn: &mut AnyConnection, complaint_id: i64) -> Result<Option<Visit>> {
    let row = sqlx::query(&format!(
        "{SELECT_VISIT} WHERE v.complaint_id = $1 AND v.reason = 'complaint' \
         ORDER BY v.id DESC LIMIT 1"
    ))
    .bind(complaint_id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(visit_from).transpose()
}

/// Moves the visit's version on if it is still `expected` (any version when `None`);
/// `Err(current)` when it is not.
pub async fn advance_visit(
    conn: &mut AnyConnection,
    id: i64,
    expected: Option<i64>,
    now: Timestamp,
) -> Result<std::result::Result<i64, i64>> {
    let moved: Option<i64> = sqlx::query_scalar(
        "UPDATE follow_up_visits SET version = version + 1, updated_at = $3 \
         WHERE id = $1 AND ($2 IS NULL OR version = $2) RETURNING version",
    )
    .bind(id)
    .bind(expected)
    .bind(to_micros(now))
    .fetch_optional(&mut *conn)
    .await?;
    match moved {
        Some(v) => Ok(Ok(v)),
        None => {
            let current: Option<i64> =
                sqlx::query_scalar("SELECT version FROM follow_up_visits WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&mut *conn)
                    .await?;
            current.map(Err).ok_or(StoreError::NotFound)
        }
    }
}

/// Sets when the visit may be made: the slot the calling rules allow, and a time the
/// contact asked to be called back at.
pub async fn set_schedule(
    conn: &mut AnyConnection,
    id: i64,
    slot_at: Option<Timestamp>,
    callback_at: Option<Timestamp>,
) -> Result<()> {
    sqlx::query("UPDATE follow_up_visits SET slot_at = $2, callback_at = $3 WHERE id = $1")
        .bind(id)
        .bind(slot_at.map(to_micros))
        .bind(callback_at.map(to_micros))
        .execute(conn)
        .await?;
    Ok(())
}

/// A planned visit whose slot is still ahead, as re-slotting it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AheadVisit {
    pub id: i64,
    pub contact_id: Option<i64>,
    pub due_at: Timestamp,
    pub window_end: Timestamp,
}

/// `agent_id`'s planned visits without a call-back time asked for whose window is still
/// open and whose slot is at or after `now` (or not found), by id.
pub async fn ahead_of_agent(
    conn: &mut AnyConnection,
    agent_id: i64,
    now: Timestamp,
) -> Result<Vec<AheadVisit>> {
    let rows = sqlx::query(
        "SELECT id, contact_id, due_at, window_end FROM follow_up_visits \
         WHERE agent_id = $1 AND status = 'planned' AND callback_at IS NULL \
         AND window_end > $2 AND (slot_at IS NULL OR slot_at >= $2) ORDER BY id",
    )
    .bind(agent_id)
    .bind(to_micros(now))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AheadVisit {
                id: r.try_get("id")?,
                contact_id: r.try_get("contact_id")?,
                due_at: from_micros(r.try_get("due_at")?),
                window_end: from_micros(r.try_get("window_end")?),
            })
        })
        .collect()
}

/// Sets a planned visit's slot (keeping any call-back time).
pub async fn set_slot(conn: &mut AnyConnection, id: i64, slot_at: Option<Timestamp>) -> Result<()> {
    sqlx::query("UPDATE follow_up_visits SET slot_at = $2 WHERE id = $1 AND status = 'planned'")
        .bind(id)
        .bind(slot_at.map(to_micros))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records that the agent's card went to the visit's contact at `at`.
pub async fn set_card_sent(conn: &mut AnyConnection, id: i64, at: Timestamp) -> Result<()> {
    sqlx::query("UPDATE follow_up_visits SET card_sent_at = $2 WHERE id = $1")
        .bind(id)
        .bind(to_micros(at))
        .execute(conn)
        .await?;
    Ok(())
}

/// One attempt as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRow {
    pub id: i64,
    pub visit_id: i64,
    pub reach: String,
    pub channel: String,
    pub started_at: Timestamp,
    pub ended_at: Timestamp,
    pub call_id: Option<i64>,
    pub callback_at: Option<Timestamp>,
    pub satisfaction: Option<String>,
    pub aspects: Vec<String>,
    pub words: String,
    pub next_action: String,
    pub by_user_id: Option<i64>,
    pub by_name: Option<String>,
    pub created_at: Timestamp,
}

pub async fn insert_attempt(conn: &mut AnyConnection, a: &AttemptRow) -> Result<i64> {
    let aspects = if a.aspects.is_empty() {
        String::new()
    } else {
        format!(",{},", a.aspects.join(","))
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO follow_up_attempts (visit_id, reach, channel, started_at, ended_at, \
         call_id, callback_at, satisfaction, aspects, words, next_action, by_user_id, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         RETURNING id",
    )
    .bind(a.visit_id)
    .bind(&a.reach)
    .bind(&a.channel)
    .bind(to_micros(a.started_at))
    .bind(to_micros(a.ended_at))
    .bind(a.call_id)
    .bind(a.callback_at.map(to_micros))
    .bind(&a.satisfaction)
    .bind(aspects)
    .bind(&a.words)
    .bind(&a.next_action)
    .bind(a.by_user_id)
    .bind(to_micros(a.created_at))
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE follow_up_visits SET attempts = attempts + 1 WHERE id = $1")
        .bind(a.visit_id)
        .execute(conn)
        .await?;
    Ok(id)
}

pub async fn attempts_of(conn: &mut AnyConnection, visit_id: i64) -> Result<Vec<AttemptRow>> {
    let rows = sqlx::query(
        "SELECT a.id, a.visit_id, a.reach, a.channel, a.started_at, a.ended_at, a.call_id, \
         a.callback_at, a.satisfaction, a.aspects, a.words, a.next_action, a.by_user_id, \
         u.display_name AS by_name, a.created_at FROM follow_up_attempts a \
         LEFT JOIN users u ON u.id = a.by_user_id WHERE a.visit_id = $1 ORDER BY a.id",
    )
    .bind(visit_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let aspects: String = r.try_get("aspects")?;
            Ok(AttemptRow {
                id: r.try_get("id")?,
                visit_id: r.try_get("visit_id")?,
                reach: r.try_get("reach")?,
                channel: r.try_get("channel")?,
                started_at: from_micros(r.try_get("started_at")?),
                ended_at: from_micros(r.try_get("ended_at")?),
                call_id: r.try_get("call_id")?,
                callback_at: opt_time(r, "callback_at")?,
                satisfaction: r.try_get("satisfaction")?,
                aspects: aspects
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                words: r.try_get("words")?,
                next_action: r.try_get("next_action")?,
                by_user_id: r.try_get("by_user_id")?,
                by_name: r.try_get("by_name")?,
                created_at: from_micros(r.try_get("created_at")?),
            })
        })
        .collect()
}

/// What completing a visit writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub attempt_id: i64,
    pub done_at: Timestamp,
    pub satisfaction: String,
    pub unverified: bool,
}

/// Marks a planned visit done; `NotFound` when it is not planned any more.
pub async fn complete(conn: &mut AnyConnection, id: i64, c: &Completion) -> Result<()> {
    let done = sqlx::query(
        "UPDATE follow_up_visits SET status = 'done', done_attempt_id = $2, done_at = $3, \
         satisfaction = $4, unverified = $5, callback_at = NULL WHERE id = $1 \
         AND status = 'planned'",
    )
    .bind(id)
    .bind(c.attempt_id)
    .bind(to_micros(c.done_at))
    .bind(&c.satisfaction)
    .bind(i64::from(c.unverified))
    .execute(conn)
    .await?;
    crate::found(done)
}

/// Records what an unsatisfied result opened.
pub async fn set_opened(
    conn: &mut AnyConnection,
    id: i64,
    ticket_id: Option<i64>,
    complaint_id: Option<i64>,
) -> Result<()> {
    sqlx::query(
        "UPDATE follow_up_visits SET opened_ticket_id = $2, opened_complaint_id = $3 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(ticket_id)
    .bind(complaint_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whose visits a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitList {
    /// The agent's own visits and those waiting in `group_ids` with no agent; `None`:
    /// everyone's.
    pub agent_id: Option<i64>,
    pub group_ids: Vec<i64>,
    /// Planned visits whose slot (or call-back) is before this, and those with no slot.
    pub until: Timestamp,
    pub limit: i64,
}

/// Planned visits to make by `until`, in slot order (a call-back time where one was asked
/// for); visits with no slot in their window come last.
pub async fn planned(conn: &mut AnyConnection, q: &VisitList) -> Result<Vec<Visit>> {
    let whose = match q.agent_id {
        // Names $3 too: every bound value must appear in the statement.
        None => "$3 = $3".to_owned(),
        Some(_) if q.group_ids.is_empty() => "v.agent_id = $3".to_owned(),
        Some(_) => format!(
            "(v.agent_id = $3 OR (v.agent_id IS NULL AND v.group_id IN ({})))",
            q.group_ids
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    };
    let rows = sqlx::query(&format!(
        "{SELECT_VISIT} WHERE v.status = 'planned' AND {whose} \
         AND (COALESCE(v.callback_at, v.slot_at) < $1 OR v.slot_at IS NULL) \
         ORDER BY CASE WHEN COALESCE(v.callback_at, v.slot_at) IS NULL THEN 1 ELSE 0 END, \
         COALESCE(v.callback_at, v.slot_at), v.id LIMIT $2"
    ))
    .bind(to_micros(q.until))
    .bind(q.limit)
    .bind(q.agent_id.unwrap_or_default())
    .fetch_all(conn)
    .await?;
    rows.iter().map(visit_from).collect()
}

/// A customer a rule still has to plan for: its id, owner (when active), whether it has
/// had a completed visit, and when it was last in touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanCandidate {
    pub customer_id: i64,
    pub owner_id: Option<i64>,
    pub visited_before: bool,
    pub last_contact_at: Option<Timestamp>,
}

/// Which customers of a rule's tier still need a visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CandidateFilter {
    /// Those without a visit of the rule in this period (or occasion).
    Period(String),
    /// 沉睡客户 — those last in touch (or, never in touch, added) at or before this, without
    /// a visit of the rule still planned.
    DormantSince(Timestamp),
}

/// Customers (of `tier`, every tier when `None`; never lost ones) after `after_id` that
/// rule `rule_id` still has to plan for, in id order, at most `limit`.
pub async fn plan_candidates(
    conn: &mut AnyConnection,
    tier: Option<&str>,
    rule_id: i64,
    filter: &CandidateFilter,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PlanCandidate>> {
    let condition = match filter {
        CandidateFilter::Period(_) => {
            "NOT EXISTS (SELECT 1 FROM follow_up_visits v WHERE v.customer_id = c.id \
             AND v.rule_id = $3 AND v.period = $4)"
        }
        CandidateFilter::DormantSince(_) => {
            "COALESCE(c.last_contact_at, c.created_at) <= $4 \
             AND NOT EXISTS (SELECT 1 FROM follow_up_visits v WHERE v.customer_id = c.id \
             AND v.rule_id = $3 AND v.status = 'planned')"
        }
    };
    let sql = format!(
        "SELECT c.id, CASE WHEN u.active = 1 THEN c.owner_id END AS owner_id, \
         CASE WHEN EXISTS (SELECT 1 FROM follow_up_visits d WHERE d.customer_id = c.id \
                 AND d.status = 'done') THEN 1 ELSE 0 END AS visited, c.last_contact_at \
         FROM customers c LEFT JOIN users u ON u.id = c.owner_id \
         WHERE ($1 IS NULL OR c.tier = $1) AND c.status <> 'lost' AND c.id > $2 \
         AND {condition} ORDER BY c.id LIMIT $5"
    );
    let q = sqlx::query(&sql).bind(tier).bind(after_id).bind(rule_id);
    let q = match filter {
        CandidateFilter::Period(p) => q.bind(p.clone()),
        CandidateFilter::DormantSince(at) => q.bind(to_micros(*at)),
    };
    let rows = q.bind(limit).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(PlanCandidate {
                customer_id: r.try_get("id")?,
                owner_id: r.try_get("owner_id")?,
                visited_before: crate::ticket::opt_flag(r, "visited")?.unwrap_or(false),
                last_contact_at: opt_time(r, "last_contact_at")?,
            })
        })
        .collect()
}
