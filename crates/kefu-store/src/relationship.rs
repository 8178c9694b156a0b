//! 关系调查 — relationship surveys: the questionnaire and its plan, one invitation per
//! customer of the segment and round (sent, or skipped with the reason), the answers, and
//! the tallies the results are read from.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::ticket::opt_time;
use crate::{Result, StoreError, from_micros, to_micros};

/// A survey as stored; the questions as their JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyRow {
    pub id: i64,
    pub name: String,
    pub questions: String,
    pub tier: Option<String>,
    pub customer_type: Option<String>,
    pub every_months: i64,
    pub link_days: i64,
    pub remind_after_days: i64,
    pub active: bool,
    pub first_sent_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub version: i64,
}

/// What a survey's form writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SurveyFields<'a> {
    pub name: &'a str,
    pub questions: &'a str,
    pub tier: Option<&'a str>,
    pub customer_type: Option<&'a str>,
    pub every_months: i64,
    pub link_days: i64,
    pub remind_after_days: i64,
    pub active: bool,
}

const SELECT_SURVEY: &str = "SELECT id, name, questions, tier, customer_type, every_months, \
    link_days, remind_after_days, active, first_sent_at, created_at, updated_at, version \
    FROM relationship_surveys";

fn survey_row(r: &AnyRow) -> Result<SurveyRow> {
    Ok(SurveyRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        questions: r.try_get("questions")?,
        tier: r.try_get("tier")?,
        customer_type: r.try_get("customer_type")?,
        every_months: r.try_get("every_months")?,
        link_days: r.try_get("link_days")?,
        remind_after_days: r.try_get("remind_after_days")?,
        active: r.try_get::<i64, _>("active")? != 0,
        first_sent_at: opt_time(r, "first_sent_at")?,
        created_at: from_micros(r.try_get("created_at")?),
        updated_at: from_micros(r.try_get("updated_at")?),
        version: r.try_get("version")?,
    })
}

pub async fn insert_survey(
    conn: &mut AnyConnection,
    f: &SurveyFields<'_>,
    by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO relationship_surveys (name, questions, tier, customer_type, every_months, \
         link_days, remind_after_days, active, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
    )
    .bind(f.name)
    .bind(f.questions)
    .bind(f.tier)
    .bind(f.customer_type)
    .bind(f.every_months)
    .bind(f.link_days)
    .bind(f.remind_after_days)
    .bind(i64::from(f.active))
    .bind(by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// Writes a survey's fields (its version was moved on by the caller).
pub async fn update_survey(
    conn: &mut AnyConnection,
    id: i64,
    f: &SurveyFields<'_>,
    now: Timestamp,
) -> Result<()> {
    sqlx::query(
        "UPDATE relationship_surveys SET name = $2, questions = $3, tier = $4, \
         customer_type = $5, every_months = $6, link_days = $7, remind_after_days = $8, \
         active = $9, updated_at = $10 WHERE id = $1",
    )
    .bind(id)
    .bind(f.name)
    .bind(f.questions)
    .bind(f.tier)
    .bind(f.customer_type)
    .bind(f.every_months)
    .bind(f.link_days)
    .bind(f.remind_after_days)
    .bind(i64::from(f.active))
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn survey(conn: &mut AnyConnection, id: i64) -> Result<SurveyRow> {
    let row = sqlx::query(&format!("{SELECT_SURVEY} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    survey_row(&row)
}

/// Every survey, the newest first.
pub async fn surveys(conn: &mut AnyConnection) -> Result<Vec<SurveyRow>> {
    let rows = sqlx::query(&format!("{SELECT_SURVEY} ORDER BY id DESC"))
        .fetch_all(conn)
        .await?;
    rows.iter().map(survey_row).collect()
}

/// Notes the first invitation: the questions are fixed from then on.
pub async fn mark_first_sent(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<()> {
    sqlx::query(
        "UPDATE relationship_surveys SET first_sent_at = $2 \
         WHERE id = $1 AND first_sent_at IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(())
}

/// A customer of a survey's segment not yet invited in a round, with the contact it goes
/// to (the primary one, else the first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitee {
    pub customer_id: i64,
    pub customer_name: String,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub preferred_channel: Option<String>,
    /// As stored: `,sms,phone,`.
    pub opt_outs: String,
    pub rest_hours: String,
}

/// Customers of the segment (`tier` and `customer_type`, each for all when `None`) that
/// are customers now (active or dormant: not prospects, not lost) and have no invitation
/// of `survey_id` in `period`, by id, at most `limit`.
pub async fn invitees(
    conn: &mut AnyConnection,
    survey_id: i64,
    period: &str,
    tier: Option<&str>,
    customer_type: Option<&str>,
    limit: i64,
) -> Result<Vec<Invitee>> {
    let rows = sqlx::query(
        "SELECT c.id, c.name, ct.id AS contact_id, ct.name AS contact_name, ct.mobile, \
         ct.email, ct.preferred_channel, ct.opt_outs, ct.rest_hours FROM customers c \
         LEFT JOIN customer_contacts ct ON ct.id = (SELECT x.id FROM customer_contacts x \
           WHERE x.customer_id = c.id ORDER BY x.is_primary DESC, x.id LIMIT 1) \
         WHERE ($1 = '' OR c.tier = $1) AND ($2 = '' OR c.customer_type = $2) \
         AND c.status IN ('active', 'dormant') \
         AND NOT EXISTS (SELECT 1 FROM relationship_invitations i \
           WHERE i.survey_id = $3 AND i.period = $4 AND i.customer_id = c.id) \
         ORDER BY c.id LIMIT $5",
    )
    .bind(tier.unwrap_or_default())
    .bind(customer_type.unwrap_or_default())
    .bind(survey_id)
    .bind(period)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Invitee {
                customer_id: r.try_get("id")?,
                customer_name: r.try_get("name")?,
                contact_id: r.try_get("contact_id")?,
                contact_name: r.try_get("contact_name")?,
                mobile: r.try_get("mobile")?,
                email: r.try_get("email")?,
                preferred_channel: r.try_get("preferred_channel")?,
                opt_outs: r
                    .try_get::<Option<String>, _>("opt_outs")?
                    .unwrap_or_default(),
                rest_hours: r
                    .try_get::<Option<String>, _>("rest_hours")?
                    .unwrap_or_default(),
            })
        })
        .collect()
}

/// An invitation to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewInvitation<'a> {
    pub survey_id: i64,
    pub period: &'a str,
    pub customer_id: i64,
    pub contact_id: Option<i64>,
    /// `sent` or `skipped`.
    pub state: &'a str,
    pub skip_reason: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub expires_at: Option<Timestamp>,
}

/// Writes an invitation; `None` when another run wrote this customer's for the round.
pub async fn insert_invitation(
    conn: &mut AnyConnection,
    i: &NewInvitation<'_>,
    now: Timestamp,
) -> Result<Option<i64>> {
    let sent = (i.state == "sent").then_some(to_micros(now));
    Ok(sqlx::query_scalar(
        "INSERT INTO relationship_invitations (survey_id, period, customer_id, contact_id, \
         state, skip_reason, channel, created_at, sent_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (survey_id, period, customer_id) DO NOTHING RETURNING id",
    )
    .bind(i.survey_id)
    .bind(i.period)
    .bind(i.customer_id)
    .bind(i.contact_id)
    .bind(i.state)
    .bind(i.skip_reason)
    .bind(i.channel)
    .bind(to_micros(now))
    .bind(sent)
    .bind(i.expires_at.map(to_micros))
    .fetch_optional(conn)
    .await?)
}

/// An invitation with what its pages show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub survey_id: i64,
    pub survey_name: String,
    pub period: String,
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's owner (its account manager).
    pub owner_id: Option<i64>,
    pub contact_id: Option<i64>,
    pub contact_name: Option<String>,
    pub mobile: Option<String>,
    pub email: Option<String>,
    pub rest_hours: String,
    pub state: String,
    pub skip_reason: Option<String>,
    pub channel: Option<String>,
    pub sent_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    pub reminded_at: Option<Timestamp>,
    pub answered_at: Option<Timestamp>,
    pub nps: Option<i64>,
}

const SELECT_INVITATION: &str = "SELECT i.id, i.survey_id, s.name AS survey_name, i.period, \
    i.customer_id, c.name AS customer_name, c.owner_id, i.contact_id, ct.name AS contact_name, ct.mobile, \
    ct.email, ct.rest_hours, i.state, i.skip_reason, i.channel, i.sent_at, i.expires_at, \
    i.reminded_at, i.answered_at, i.nps FROM relationship_invitations i \
    JOIN relationship_surveys s ON s.id = i.survey_id \
    JOIN customers c ON c.id = i.customer_id \
    LEFT JOIN customer_contacts ct ON ct.id = i.contact_id";

fn invitation_row(r: &AnyRow) -> Result<Invitation> {
    Ok(Invitation {
        id: r.try_get("id")?,
        survey_id: r.try_get("survey_id")?,
        survey_name: r.try_get("survey_name")?,
        period: r.try_get("period")?,
        customer_id: r.try_get("customer_id")?,
        customer_name: r.try_get("customer_name")?,
        owner_id: r.try_get("owner_id")?,
        contact_id: r.try_get("contact_id")?,
        contact_name: r.try_get("contact_name")?,
        mobile: r.try_get("mobile")?,
        email: r.try_get("email")?,
        rest_hours: r
            .try_get::<Option<String>, _>("rest_hours")?
            .unwrap_or_default(),
        state: r.try_get("state")?,
        skip_reason: r.try_get("skip_reason")?,
        channel: r.try_get("channel")?,
        sent_at: opt_time(r, "sent_at")?,
        expires_at: opt_time(r, "expires_at")?,
        reminded_at: opt_time(r, "reminded_at")?,
        answered_at: opt_time(r, "answered_at")?,
        nps: r.try_get("nps")?,
    })
}

pub async fn invitation(conn: &mut AnyConnection, id: i64) -> Result<Invitation> {
    let row = sqlx::query(&format!("{SELECT_INVITATION} WHERE i.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    invitation_row(&row)
}

/// A round's invitations: the answered last, each by customer, at most `limit`.
pub async fn invitations(
    conn: &mut AnyConnection,
    survey_id: i64,
    period: &str,
    limit: i64,
) -> Result<Vec<Invitation>> {
    let rows = sqlx::query(&format!(
        "{SELECT_INVITATION} WHERE i.survey_id = $1 AND i.period = $2 \
         ORDER BY CASE WHEN i.answered_at IS NULL THEN 0 ELSE 1 END, i.customer_id LIMIT $3"
    ))
    .bind(survey_id)
    .bind(period)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(invitation_row).collect()
}

/// Invitations of `survey_id` sent at or before `sent_before`, unanswered, not reminded,
/// whose link still works at `now`; at most `limit`.
pub async fn due_reminders(
    conn: &mut AnyConnection,
    survey_id: i64,
    sent_before: Timestamp,
    now: Timestamp,
    limit: i64,
) -> Result<Vec<Invitation>> {
    let rows = sqlx::query(&format!(
        "{SELECT_INVITATION} WHERE i.survey_id = $1 AND i.state = 'sent' \
         AND i.answered_at IS NULL AND i.reminded_at IS NULL AND i.sent_at <= $2 \
         AND i.expires_at > $3 ORDER BY i.id LIMIT $4"
    ))
    .bind(survey_id)
    .bind(to_micros(sent_before))
    .bind(to_micros(now))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(invitation_row).collect()
}

/// Notes the reminder; `false` when it was reminded or answered meanwhile.
pub async fn set_reminded(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE relationship_invitations SET reminded_at = $2 \
         WHERE id = $1 AND reminded_at IS NULL AND answered_at IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One answer as stored: a number (scale, score, option index) or a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerRow {
    pub question: String,
    pub number: Option<i64>,
    pub text: Option<String>,
}

/// Writes the answers to invitation `id`; `false` (nothing written) when it was answered
/// already.
pub async fn answer(
    conn: &mut AnyConnection,
    id: i64,
    answers: &[AnswerRow],
    nps: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let first = sqlx::query(
        "UPDATE relationship_invitations SET answered_at = $2, nps = $3 \
         WHERE id = $1 AND state = 'sent' AND answered_at IS NULL",
    )
    .bind(id)
    .bind(to_micros(now))
    .bind(nps)
    .execute(&mut *conn)
    .await?;
    if first.rows_affected() != 1 {
        return Ok(false);
    }
    for a in answers {
        sqlx::query(
            "INSERT INTO relationship_answers (invitation_id, question, number, text) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&a.question)
        .bind(a.number)
        .bind(a.text.as_deref())
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

pub async fn answers(conn: &mut AnyConnection, invitation_id: i64) -> Result<Vec<AnswerRow>> {
    let rows = sqlx::query(
        "SELECT question, number, text FROM relationship_answers WHERE invitation_id = $1",
    )
    .bind(invitation_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(AnswerRow {
                question: r.try_get("question")?,
                number: r.try_get("number")?,
                text: r.try_get("text")?,
            })
        })
        .collect()
}

/// How a round went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundTally {
    pub sent: i64,
    pub skipped: i64,
    pub reminded: i64,
    pub answered: i64,
}

pub async fn round_tally(
    conn: &mut AnyConnection,
    survey_id: i64,
    period: &str,
) -> Result<RoundTally> {
    let r = sqlx::query(
        "SELECT COALESCE(SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN state = 'skipped' THEN 1 ELSE 0 END), 0) AS skipped, \
         COALESCE(SUM(CASE WHEN reminded_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS reminded, \
         COALESCE(SUM(CASE WHEN answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered \
         FROM relationship_invitations WHERE survey_id = $1 AND period = $2",
    )
    .bind(survey_id)
    .bind(period)
    .fetch_one(conn)
    .await?;
    Ok(RoundTally {
        sent: r.try_get("sent")?,
        skipped: r.try_get("skipped")?,
        reminded: r.try_get("reminded")?,
        answered: r.try_get("answered")?,
    })
}

/// How often each number was answered to each question in a round: (question, number,
/// answers).
pub async fn number_counts(
    conn: &mut AnyConnection,
    survey_id: i64,
    period: &str,
) -> Result<Vec<(String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT a.question, a.number, COUNT(*) AS n FROM relationship_answers a \
         JOIN relationship_invitations i ON i.id = a.invitation_id \
         WHERE i.survey_id = $1 AND i.period = $2 AND a.number IS NOT NULL \
         GROUP BY a.question, a.number ORDER BY a.question, a.number",
    )
    .bind(survey_id)
    .bind(period)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("question")?,
                r.try_get("number")?,
                r.try_get("n")?,
            ))
        })
        .collect()
}

/// A text answer of a round, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextAnswer {
    pub invitation_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    pub question: String,
    pub text: String,
    pub answered_at: Timestamp,
}

/// The text answers of a round, the newest first, at most `limit`.
pub async fn text_answers(
    conn: &mut AnyConnection,
    survey_id: i64,
    period: &str,
    limit: i64,
) -> Result<Vec<TextAnswer>> {
    let rows = sqlx::query(
        "SELECT i.id, i.customer_id, c.name, a.question, a.text, i.answered_at \
         FROM relationship_answers a JOIN relationship_invitations i ON i.id = a.invitation_id \
         JOIN customers c ON c.id = i.customer_id \
         WHERE i.survey_id = $1 AND i.period = $2 AND a.text IS NOT NULL \
         ORDER BY i.answered_at DESC, i.id DESC LIMIT $3",
    )
    .bind(survey_id)
    .bind(period)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TextAnswer {
                invitation_id: r.try_get("id")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("name")?,
                question: r.try_get("question")?,
                text: r.try_get("text")?,
                answered_at: from_micros(r.try_get("answered_at")?),
            })
        })
        .collect()
}

/// The rounds of a survey that have invitations, the latest first.
pub async fn periods(conn: &mut AnyConnection, survey_id: i64) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT period FROM relationship_invitations WHERE survey_id = $1 \
         ORDER BY period DESC",
    )
    .bind(survey_id)
    .fetch_all(conn)
    .await?)
}
