//! 满意度调查 — the survey settings and the surveys: one row per resolved ticket, surveyed
//! or skipped; the answer; the lead's follow-up of a low score.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, StoreError, from_micros, to_micros};

/// The settings as stored; lists as their keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatSettingsRow {
    pub active: bool,
    pub ticket_types: Vec<String>,
    pub channels: Vec<String>,
    pub quiet_days: i64,
    pub link_days: i64,
    pub change_days: i64,
    pub low_score: i64,
}

fn list_of(s: &str) -> Vec<String> {
    s.split(',')
        .filter(|x| !x.is_empty())
        .map(str::to_owned)
        .collect()
}

fn list_column(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!(",{},", v.join(","))
    }
}

pub async fn settings(conn: &mut AnyConnection) -> Result<Option<CsatSettingsRow>> {
    let row = sqlx::query(
        "SELECT active, ticket_types, channels, quiet_days, link_days, change_days, \
         low_score FROM csat_settings WHERE id = 1",
    )
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(CsatSettingsRow {
            active: r.try_get::<i64, _>("active")? != 0,
            ticket_types: list_of(&r.try_get::<String, _>("ticket_types")?),
            channels: list_of(&r.try_get::<String, _>("channels")?),
            quiet_days: r.try_get("quiet_days")?,
            link_days: r.try_get("link_days")?,
            change_days: r.try_get("change_days")?,
            low_score: r.try_get("low_score")?,
        })
    })
    .transpose()
}

pub async fn save_settings(
    conn: &mut AnyConnection,
    s: &CsatSettingsRow,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO csat_settings (id, active, ticket_types, channels, quiet_days, link_days, \
         change_days, low_score, updated_at) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (id) DO UPDATE SET active = excluded.active, \
         ticket_types = excluded.ticket_types, channels = excluded.channels, \
         quiet_days = excluded.quiet_days, link_days = excluded.link_days, \
         change_days = excluded.change_days, low_score = excluded.low_score, \
         updated_at = excluded.updated_at",
    )
    .bind(i64::from(s.active))
    .bind(list_column(&s.ticket_types))
    .bind(list_column(&s.channels))
    .bind(s.quiet_days)
    .bind(s.link_days)
    .bind(s.change_days)
    .bind(s.low_score)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A resolved ticket not yet decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsatCandidate {
    pub ticket_id: i64,
    pub ticket_type: String,
    pub channel: String,
    pub customer_id: Option<i64>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    pub requester_id: Option<i64>,
    /// The WeChat follower who wrote in (`<account id>:<openid>`), for a WeChat ticket.
    pub wechat_follower: Option<String>,
    pub agent_id: Option<i64>,
    pub group_id: Option<i64>,
}

/// Tickets resolved (or closed) at or after `since` without a survey row, oldest first,
/// at most `limit`. A reopened ticket has no `resolved_at`, so the time alone says the
/// ticket is resolved or closed — and lets the range be read by its index (a condition on
/// the status would have SQLite read the status index and sort).
pub async fn candidates(
    conn: &mut AnyConnection,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<CsatCandidate>> {
    let rows = sqlx::query(
        "SELECT t.id, t.ticket_type, t.channel, t.customer_id, t.contact_email, \
         t.contact_phone, t.requester_id, t.assignee_id, t.group_id, \
         (SELECT MIN(CAST(w.channel_id AS TEXT) || ':' || w.openid) FROM wechat_inbound w \
         WHERE w.ticket_id = t.id) AS wechat_follower FROM tickets t \
         WHERE t.resolved_at >= $1 \
         AND NOT EXISTS (SELECT 1 FROM csat_surveys s WHERE s.ticket_id = t.id) \
         ORDER BY t.resolved_at, t.id LIMIT $2",
    )
    .bind(to_micros(since))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(CsatCandidate {
                ticket_id: r.try_get("id")?,
                ticket_type: r.try_get("ticket_type")?,
                channel: r.try_get("channel")?,
                customer_id: r.try_get("customer_id")?,
                contact_email: r.try_get("contact_email")?,
                contact_phone: r.try_get("contact_phone")?,
                requester_id: r.try_get("requester_id")?,
                wechat_follower: r.try_get("wechat_follower")?,
                agent_id: r.try_get("assignee_id")?,
                group_id: r.try_get("group_id")?,
            })
        })
        .collect()
}

/// When a survey last went to `contact_key`.
pub async fn last_sent_to(
    conn: &mut AnyConnection,
    contact_key: &str,
) -> Result<Option<Timestamp>> {
    let at: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(sent_at) FROM csat_surveys WHERE contact_key = $1 AND state = 'sent'",
    )
    .bind(contact_key)
    .fetch_one(conn)
    .await?;
    Ok(at.map(from_micros))
}

/// A survey row to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSurvey<'a> {
    pub candidate: &'a CsatCandidate,
    pub contact_key: Option<&'a str>,
    /// `sent` or `skipped`.
    pub state: &'a str,
    pub skip_reason: Option<&'a str>,
    pub expires_at: Option<Timestamp>,
}

/// Writes the decision on a ticket; `None` when another run decided it first.
pub async fn insert(
    conn: &mut AnyConnection,
    s: &NewSurvey<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let c = s.candidate;
    Ok(sqlx::query_scalar(
        "INSERT INTO csat_surveys (ticket_id, customer_id, contact_key, agent_id, group_id, \
         channel, ticket_type, state, skip_reason, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (ticket_id) DO NOTHING RETURNING id",
    )
    .bind(c.ticket_id)
    .bind(c.customer_id)
    .bind(s.contact_key)
    .bind(c.agent_id)
    .bind(c.group_id)
    .bind(&c.channel)
    .bind(&c.ticket_type)
    .bind(s.state)
    .bind(s.skip_reason)
    .bind(to_micros(now))
    .bind(s.expires_at.map(to_micros))
    .fetch_optional(conn)
    .await?)
}

pub async fn set_message(conn: &mut AnyConnection, id: i64, message_id: i64) -> Result<()> {
    sqlx::query("UPDATE csat_surveys SET message_id = $2 WHERE id = $1")
        .bind(id)
        .bind(message_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// A survey with what its pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub id: i64,
    pub ticket_id: i64,
    pub ticket_number: String,
    pub ticket_subject: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub channel: String,
    pub ticket_type: String,
    pub state: String,
    pub skip_reason: Option<String>,
    pub sent_at: Timestamp,
    pub expires_at: Option<Timestamp>,
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub answered_at: Option<Timestamp>,
    pub changed_at: Option<Timestamp>,
    pub low: bool,
    pub handled_at: Option<Timestamp>,
    pub handled_by_name: Option<String>,
    pub handling_note: Option<String>,
}

const SELECT_SURVEY: &str = "SELECT s.id, s.ticket_id, t.number AS ticket_number, \
    t.subject AS ticket_subject, s.customer_id, c.name AS customer_name, s.agent_id, \
    u.display_name AS agent_name, s.channel, s.ticket_type, s.state, s.skip_reason, \
    s.sent_at, s.expires_at, s.score, s.comment, s.answered_at, s.changed_at, s.low, \
    s.handled_at, h.display_name AS handled_by_name, s.handling_note \
    FROM csat_surveys s JOIN tickets t ON t.id = s.ticket_id \
    LEFT JOIN customers c ON c.id = s.customer_id \
    LEFT JOIN users u ON u.id = s.agent_id LEFT JOIN users h ON h.id = s.handled_by";

fn survey_from(r: &AnyRow) -> Result<Survey> {
    Ok(Survey {
        id: r.try_get("id")?,
        ticket_id: r.try_get("ticket_id")?,
        ticket_number: r.try_get("ticket_number")?,
        ticket_subject: r.try_get("ticket_subject")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        agent_id: r.try_get("agent_id")?,
        agent_name: r.try_get("agent_name")?,
        channel: r.try_get("channel")?,
        ticket_type: r.try_get("ticket_type")?,
        state: r.try_get("state")?,
        skip_reason: r.try_get("skip_reason")?,
        sent_at: from_micros(r.try_get("sent_at")?),
        expires_at: opt_time(r, "expires_at")?,
        score: r.try_get("score")?,
        comment: r.try_get("comment")?,
        answered_at: opt_time(r, "answered_at")?,
        changed_at: opt_time(r, "changed_at")?,
        low: r.try_get::<i64, _>("low")? != 0,
        handled_at: opt_time(r, "handled_at")?,
        handled_by_name: r.try_get("handled_by_name")?,
        handling_note: r.try_get("handling_note")?,
    })
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<Survey> {
    let row = sqlx::query(&format!("{SELECT_SURVEY} WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    survey_from(&row)
}

pub async fn by_ticket(conn: &mut AnyConnection, ticket_id: i64) -> Result<Option<Survey>> {
    let row = sqlx::query(&format!("{SELECT_SURVEY} WHERE s.ticket_id = $1"))
        .bind(ticket_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(survey_from).transpose()
}

/// Writes an answer (the first, or a change): the score, the comment, whether it is low.
/// A first answer stamps `answered_at`; a change `changed_at`. A low score waits for the
/// lead's follow-up again unless it already had one.
pub async fn answer(
    conn: &mut AnyConnection,
    id: i64,
    score: i64,
    comment: &str,
    low: bool,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE csat_surveys SET score = $2, comment = $3, low = $4, \
         changed_at = CASE WHEN answered_at IS NULL THEN NULL ELSE $5 END, \
         answered_at = COALESCE(answered_at, $5) WHERE id = $1 AND state = 'sent'",
    )
    .bind(id)
    .bind(score)
    .bind(comment)
    .bind(i64::from(low))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the lead's follow-up of a low score; `false` when it had one already.
pub async fn handle(
    conn: &mut AnyConnection,
    id: i64,
    by: Option<i64>,
    note: &str,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE csat_surveys SET handled_at = $2, handled_by = $3, handling_note = $4 \
         WHERE id = $1 AND low = 1 AND handled_at IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .bind(by)
    .bind(note)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Which surveys a list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SurveyFilter {
    /// Only low scores still waiting for the lead.
    pub low_unhandled: bool,
    /// Only answered ones.
    pub answered: bool,
    pub agent_id: Option<i64>,
    pub limit: i64,
}

/// Surveys, the latest answer (else the latest sent) first.
pub async fn list(conn: &mut AnyConnection, f: &SurveyFilter) -> Result<Vec<Survey>> {
    let mut conds = vec!["s.state = 'sent'".to_owned()];
    if f.low_unhandled {
        conds.push("s.low = 1 AND s.handled_at IS NULL".to_owned());
    }
    if f.answered {
        conds.push("s.answered_at IS NOT NULL".to_owned());
    }
    if f.agent_id.is_some() {
        conds.push("s.agent_id = $2".to_owned());
    } else {
        conds.push("$2 = $2".to_owned());
    }
    let rows = sqlx::query(&format!(
        "{SELECT_SURVEY} WHERE {} ORDER BY COALESCE(s.answered_at, s.sent_at) DESC, s.id DESC \
         LIMIT $1",
        conds.join(" AND ")
    ))
    .bind(f.limit)
    .bind(f.agent_id.unwrap_or_default())
    .fetch_all(conn)
    .await?;
    rows.iter().map(survey_from).collect()
}

/// Low scores waiting for the lead: every one, or `agent_id`'s.
pub async fn low_unhandled_count(conn: &mut AnyConnection, agent_id: Option<i64>) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM csat_surveys WHERE low = 1 AND handled_at IS NULL \
         AND ($1 IS NULL OR agent_id = $1)",
    )
    .bind(agent_id)
    .fetch_one(conn)
    .await?)
}
