//! 通话 — calls and the events they were reported by. A call is claimed by (system, call
//! id) and each of its events by (call, kind) in one transaction, so an event delivered
//! twice, or twice at once, is written once; the claim of an existing call locks its row,
//! so two different events of one call are folded one after the other.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::{Result, found, from_micros, to_micros};

/// One call, with the names pages show beside it. `customer_number` is sensitive: the
/// use cases mask it before it leaves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub id: i64,
    /// The telephone system that reported it; `None` for a call logged by hand.
    pub channel_id: Option<i64>,
    pub channel_name: Option<String>,
    pub call_id: String,
    /// `inbound` or `outbound`.
    pub direction: String,
    pub customer_number: Option<String>,
    pub extension: Option<String>,
    pub agent_user_id: Option<i64>,
    pub agent_name: Option<String>,
    pub group_id: Option<i64>,
    /// `ringing`, `answered`, `missed` or `done`.
    pub status: String,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_secs: Option<i64>,
    pub recording_url: Option<String>,
    pub ticket_id: Option<i64>,
    pub ticket_number: Option<String>,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// `pending` or `done` for an inbound call nobody answered.
    pub callback: Option<String>,
    pub dismissed_at: Option<Timestamp>,
    /// `cti` or `manual`.
    pub source: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

const SELECT_CALL: &str = "SELECT p.id, p.channel_id, ch.name AS channel_name, p.call_id, \
    p.direction, p.customer_number, p.extension, p.agent_user_id, u.display_name AS agent_name, \
    p.group_id, p.status, p.started_at, p.answered_at, p.ended_at, p.duration_secs, \
    p.recording_url, p.ticket_id, t.number AS ticket_number, p.customer_id, \
    c.name AS customer_name, p.callback, p.dismissed_at, p.source, p.created_at, p.updated_at \
    FROM phone_calls p \
    LEFT JOIN phone_channels ch ON ch.id = p.channel_id \
    LEFT JOIN users u ON u.id = p.agent_user_id \
    LEFT JOIN tickets t ON t.id = p.ticket_id \
    LEFT JOIN customers c ON c.id = p.customer_id";

fn opt_time(r: &AnyRow, col: &str) -> Result<Option<Timestamp>> {
    Ok(r.try_get::<Option<i64>, _>(col)?.map(from_micros))
}

fn call_from_row(r: &AnyRow) -> Result<Call> {
    Ok(Call {
        id: r.try_get("id")?,
        channel_id: r.try_get("channel_id")?,
        channel_name: r.try_get("channel_name")?,
        call_id: r.try_get("call_id")?,
        direction: r.try_get("direction")?,
        customer_number: r.try_get("customer_number")?,
        extension: r.try_get("extension")?,
        agent_user_id: r.try_get("agent_user_id")?,
        agent_name: r.try_get("agent_name")?,
        group_id: r.try_get("group_id")?,
        status: r.try_get("status")?,
        started_at: from_micros(r.try_get("started_at")?),
        answered_at: opt_time(r, "answered_at")?,
        ended_at: opt_time(r, "ended_at")?,
        duration_secs: r.try_get("duration_secs")?,
        recording_url: r.try_get("recording_url")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_number: r.try_get("ticket_number")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        callback: r.try_get("callback")?,
        dismissed_at: opt_time(r, "dismissed_at")?,
        source: r.try_get("source")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
    })
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Call> {
    let row = sqlx::query(&format!("{SELECT_CALL} WHERE p.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    call_from_row(&row)
}

/// The calls a ticket was logged from, oldest first.
pub async fn of_ticket(conn: &mut AnyConnection, ticket_id: i64) -> Result<Vec<Call>> {
    let rows = sqlx::query(&format!(
        "{SELECT_CALL} WHERE p.ticket_id = $1 ORDER BY p.started_at, p.id"
    ))
    .bind(ticket_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(call_from_row).collect()
}

/// A call as its first event (or the logging form) makes it.
pub struct NewCall<'a> {
    pub channel_id: Option<i64>,
    pub call_id: &'a str,
    pub direction: &'a str,
    pub customer_number: Option<&'a str>,
    /// The archive's customer, when exactly one has the number.
    pub customer_id: Option<i64>,
    pub extension: Option<&'a str>,
    pub agent_user_id: Option<i64>,
    pub group_id: Option<i64>,
    pub status: &'a str,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_secs: Option<i64>,
    pub source: &'a str,
    pub now: Timestamp,
}

/// Claims call `c` in the caller's transaction: its id, and whether this made it. A call
/// that exists is locked (its row is touched) until the transaction ends, so the events of
/// one call are folded one at a time; a delivery racing to make it waits for the other
/// and then finds it.
pub async fn claim(conn: &mut AnyConnection, c: &NewCall<'_>) -> Result<(i64, bool)> {
    let made: Option<i64> = sqlx::query_scalar(
        "INSERT INTO phone_calls (channel_id, call_id, direction, customer_number, extension, \
         agent_user_id, group_id, status, started_at, answered_at, ended_at, duration_secs, \
         source, created_at, updated_at, customer_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) \
         ON CONFLICT DO NOTHING RETURNING id",
    )
    .bind(c.channel_id)
    .bind(c.call_id)
    .bind(c.direction)
    .bind(c.customer_number)
    .bind(c.extension)
    .bind(c.agent_user_id)
    .bind(c.group_id)
    .bind(c.status)
    .bind(to_micros(c.started_at))
    .bind(c.answered_at.map(to_micros))
    .bind(c.ended_at.map(to_micros))
    .bind(c.duration_secs)
    .bind(c.source)
    .bind(to_micros(c.now))
    .bind(c.customer_id)
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(id) = made {
        return Ok((id, true));
    }
    let id: i64 = match c.channel_id {
        Some(channel) => {
            sqlx::query_scalar(
                "UPDATE phone_calls SET updated_at = $3 WHERE channel_id = $1 AND call_id = $2 \
                 RETURNING id",
            )
            .bind(channel)
            .bind(c.call_id)
            .bind(to_micros(c.now))
            .fetch_one(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_scalar(
                "UPDATE phone_calls SET updated_at = $2 WHERE channel_id IS NULL \
                 AND call_id = $1 RETURNING id",
            )
            .bind(c.call_id)
            .bind(to_micros(c.now))
            .fetch_one(&mut *conn)
            .await?
        }
    };
    Ok((id, false))
}

/// One event of a call as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// `ringing`, `answered` or `hangup`.
    pub event: String,
    pub at: Timestamp,
    pub extension: Option<String>,
    pub duration_secs: Option<i64>,
    pub recording_url: Option<String>,
}

/// Writes event `e` of call `call`: false when the call has an event of that kind already
/// (the same event delivered again), and nothing is written.
pub async fn add_event(
    conn: &mut AnyConnection,
    call: i64,
    e: &StoredEvent,
    now: Timestamp,
) -> Result<bool> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO phone_call_events (phone_call_id, event, at, extension, duration_secs, \
         recording_url, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (phone_call_id, event) DO NOTHING RETURNING id",
    )
    .bind(call)
    .bind(&e.event)
    .bind(to_micros(e.at))
    .bind(e.extension.as_deref())
    .bind(e.duration_secs)
    .bind(e.recording_url.as_deref())
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?;
    Ok(id.is_some())
}

/// Every event of call `call`.
pub async fn events_of(conn: &mut AnyConnection, call: i64) -> Result<Vec<StoredEvent>> {
    let rows = sqlx::query(
        "SELECT event, at, extension, duration_secs, recording_url FROM phone_call_events \
         WHERE phone_call_id = $1 ORDER BY at, id",
    )
    .bind(call)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StoredEvent {
                event: r.try_get("event")?,
                at: from_micros(r.try_get("at")?),
                extension: r.try_get("extension")?,
                duration_secs: r.try_get("duration_secs")?,
                recording_url: r.try_get("recording_url")?,
            })
        })
        .collect()
}

/// What a call's events made of it, written over what was stored.
pub struct CallState<'a> {
    pub status: &'a str,
    pub started_at: Timestamp,
    pub answered_at: Option<Timestamp>,
    pub ended_at: Option<Timestamp>,
    pub duration_secs: Option<i64>,
    pub extension: Option<&'a str>,
    pub agent_user_id: Option<i64>,
    pub recording_url: Option<&'a str>,
    /// The customer's number, kept when the call has one already.
    pub customer_number: Option<&'a str>,
    /// `pending` for a callback to make, `None` for none; a callback already `done` stays.
    pub callback: Option<&'a str>,
}

pub async fn set_state(
    conn: &mut AnyConnection,
    id: i64,
    s: &CallState<'_>,
    now: Timestamp,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE phone_calls SET status = $2, started_at = $3, answered_at = $4, ended_at = $5, \
         duration_secs = $6, extension = $7, agent_user_id = $8, recording_url = $9, \
         callback = CASE WHEN callback = 'done' THEN callback ELSE $10 END, updated_at = $11, \
         customer_number = COALESCE(customer_number, $12) WHERE id = $1",
    )
    .bind(id)
    .bind(s.status)
    .bind(to_micros(s.started_at))
    .bind(s.answered_at.map(to_micros))
    .bind(s.ended_at.map(to_micros))
    .bind(s.duration_secs)
    .bind(s.extension)
    .bind(s.agent_user_id)
    .bind(s.recording_url)
    .bind(s.callback)
    .bind(to_micros(now))
    .bind(s.customer_number)
    .execute(conn)
    .await?;
    found(done)
}

/// Links the call to the ticket logged from it (and the customer it is about): false when
/// another ticket was linked first.
pub async fn link_ticket(
    conn: &mut AnyConnection,
    id: i64,
    ticket_id: i64,
    customer_id: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE phone_calls SET ticket_id = $2, customer_id = COALESCE($3, customer_id), \
         updated_at = $4 WHERE id = $1 AND ticket_id IS NULL",
    )
    .bind(id)
    .bind(ticket_id)
    .bind(customer_id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The archive's customer the call is about.
pub async fn set_customer(
    conn: &mut AnyConnection,
    id: i64,
    customer_id: i64,
    now: Timestamp,
) -> Result<()> {
    let done =
        sqlx::query("UPDATE phone_calls SET customer_id = $2, updated_at = $3 WHERE id = $1")
            .bind(id)
            .bind(customer_id)
            .bind(to_micros(now))
            .execute(conn)
            .await?;
    found(done)
}

/// Marks the call's pending callback made, by `by`: false when it had none pending.
pub async fn close_callback(
    conn: &mut AnyConnection,
    id: i64,
    by: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE phone_calls SET callback = 'done', callback_closed_at = $2, \
         callback_closed_by = $3, updated_at = $2 WHERE id = $1 AND callback = 'pending'",
    )
    .bind(id)
    .bind(to_micros(now))
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Marks made every pending callback to `number` that system `channel_id` reported (an
/// answered call back to the customer did it): how many.
pub async fn close_callbacks_to(
    conn: &mut AnyConnection,
    channel_id: i64,
    number: &str,
    by: Option<i64>,
    now: Timestamp,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE phone_calls SET callback = 'done', callback_closed_at = $3, \
         callback_closed_by = $4, updated_at = $3 \
         WHERE channel_id = $1 AND customer_number = $2 AND callback = 'pending'",
    )
    .bind(channel_id)
    .bind(number)
    .bind(to_micros(now))
    .bind(by)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// The agent said the call needs no record (a wrong number, a call about nothing).
pub async fn dismiss(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<()> {
    let done = sqlx::query(
        "UPDATE phone_calls SET dismissed_at = $2, updated_at = $2 \
         WHERE id = $1 AND ticket_id IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    found(done)
}

/// Which calls a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallList {
    /// The reader's calls, newest first.
    Mine,
    /// 未登记的通话 — the reader's answered calls that ended without a ticket (and that
    /// they did not set aside as needing none).
    Unlogged,
    /// 待回拨 — inbound calls nobody answered, not yet called back: those that rang at the
    /// reader's extension, and those of the reader's groups that rang at nobody's.
    Callbacks,
}

/// A list of calls for one reader.
#[derive(Debug, Clone)]
pub struct CallFilter {
    pub list: CallList,
    pub user_id: i64,
    /// The reader's groups (for callbacks that rang at nobody's extension).
    pub group_ids: Vec<i64>,
}

/// The WHERE clause of `f` and its integer arguments, in placeholder order.
fn filter_where(f: &CallFilter) -> (String, Vec<i64>) {
    let mut args = vec![f.user_id];
    let clause = match f.list {
        CallList::Mine => "p.agent_user_id = $1".to_owned(),
        CallList::Unlogged => "p.agent_user_id = $1 AND p.status = 'done' \
             AND p.ticket_id IS NULL AND p.dismissed_at IS NULL"
            .to_owned(),
        CallList::Callbacks => {
            if f.group_ids.is_empty() {
                "p.callback = 'pending' AND p.agent_user_id = $1".to_owned()
            } else {
                let mut ps = Vec::new();
                for g in &f.group_ids {
                    args.push(*g);
                    ps.push(format!("${}", args.len()));
                }
                format!(
                    "p.callback = 'pending' AND (p.agent_user_id = $1 OR \
                     (p.agent_user_id IS NULL AND p.group_id IN ({})))",
                    ps.join(", ")
                )
            }
        }
    };
    (clause, args)
}

/// The first `limit` calls of the list, newest first.
pub async fn list(conn: &mut AnyConnection, f: &CallFilter, limit: i64) -> Result<Vec<Call>> {
    let (clause, args) = filter_where(f);
    let sql = format!(
        "{SELECT_CALL} WHERE {clause} ORDER BY p.started_at DESC, p.id DESC LIMIT ${}",
        args.len() + 1
    );
    let mut q = sqlx::query(&sql);
    for a in &args {
        q = q.bind(*a);
    }
    let rows = q.bind(limit).fetch_all(conn).await?;
    rows.iter().map(call_from_row).collect()
}

/// How many calls the list holds, counting at most `cap`.
pub async fn count(conn: &mut AnyConnection, f: &CallFilter, cap: i64) -> Result<i64> {
    let (clause, args) = filter_where(f);
    let sql = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM phone_calls p WHERE {clause} LIMIT ${}) AS capped",
        args.len() + 1
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for a in &args {
        q = q.bind(*a);
    }
    Ok(q.bind(cap).fetch_one(conn).await?)
}

/// The screen pops written to the change log after entry `after` up to entry `upto`:
/// (call, the agent it is for), in order.
pub async fn pops_between(
    conn: &mut AnyConnection,
    after: i64,
    upto: i64,
) -> Result<Vec<(i64, i64)>> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT p.id, p.agent_user_id FROM change_log l \
         JOIN phone_calls p ON p.id = l.entity_id \
         WHERE l.id > $1 AND l.id <= $2 AND l.entity = 'phone_pop' \
         AND p.agent_user_id IS NOT NULL ORDER BY l.id",
    )
    .bind(after)
    .bind(upto)
    .fetch_all(conn)
    .await?;
    Ok(rows)
}

/// The archive's customers with a contact whose mobile is `mobile` or whose phone's digits
/// are one of `phone_keys`, by id.
pub async fn customers_by_number(
    conn: &mut AnyConnection,
    mobile: Option<&str>,
    phone_keys: &[String],
) -> Result<Vec<i64>> {
    let mut arms = Vec::new();
    let mut texts: Vec<&str> = Vec::new();
    if let Some(m) = mobile {
        texts.push(m);
        arms.push(format!(
            "SELECT customer_id FROM customer_contacts WHERE mobile = ${}",
            texts.len()
        ));
    }
    if !phone_keys.is_empty() {
        let mut ps = Vec::new();
        for k in phone_keys {
            texts.push(k.as_str());
            ps.push(format!("${}", texts.len()));
        }
        arms.push(format!(
            "SELECT customer_id FROM customer_contacts WHERE phone_digits IN ({})",
            ps.join(", ")
        ));
    }
    if arms.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT customer_id FROM ({}) AS found ORDER BY customer_id",
        arms.join(" UNION ALL ")
    );
    let mut q = sqlx::query_scalar::<_, i64>(&sql);
    for t in texts {
        q = q.bind(t);
    }
    Ok(q.fetch_all(conn).await?)
}
