//! 满意度报表 — the surveys' figures over a time range, grouped: the ticket surveys (CSAT)
//! by month, agent, channel, ticket type, customer tier or region; the relationship
//! invitations (NPS) by round, tier, customer type or region; and the customers' own words,
//! searched.
//!
//! A ticket survey counts in the range it was sent in; a relationship invitation in the
//! range it was made in. Months are given as their starts (the caller knows the time zone),
//! so one portable `CASE` puts each row in its month on both backends.

use jiff::Timestamp;
use sqlx::{AnyConnection, Row};

use crate::{Result, from_micros, to_micros};

/// How the ticket surveys are grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CsatBy {
    /// By month: the starts of the months, in order; the last one ends the range.
    Month(Vec<Timestamp>),
    Agent,
    Channel,
    TicketType,
    Tier,
    Region,
}

/// The ticket surveys of one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsatGroup {
    /// The month's index, the agent's id, the channel, type or tier key, the province
    /// (empty: none).
    pub key: String,
    /// The agent's name (agents only).
    pub name: Option<String>,
    pub sent: i64,
    pub answered: i64,
    pub score_sum: i64,
    /// Answered 4 or 5.
    pub satisfied: i64,
    /// At or under the low mark.
    pub low: i64,
}

/// A `CASE` putting `column` in its bucket (`'0'`, `'1'`…) by the bucket starts bound
/// after `$first`; `starts` has one more entry than there are buckets.
fn bucket_case(column: &str, starts: usize, first: usize) -> String {
    let mut case = String::from("CASE");
    for i in 1..starts {
        case.push_str(&format!(
            " WHEN {column} < ${} THEN '{}'",
            first + 1 + i,
            i - 1
        ));
    }
    case.push_str(" END");
    case
}

/// Ticket surveys sent in `[from, to)`, grouped `by`; the groups in key order. (Sums of a
/// `BIGINT` are cast back: PostgreSQL makes them `NUMERIC`.)
pub async fn csat_groups(
    conn: &mut AnyConnection,
    by: &CsatBy,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<CsatGroup>> {
    let (key, name) = match by {
        CsatBy::Month(starts) => (bucket_case("s.sent_at", starts.len(), 2), "NULL"),
        CsatBy::Agent => (
            "CAST(COALESCE(s.agent_id, 0) AS TEXT)".to_owned(),
            "MAX(u.display_name)",
        ),
        CsatBy::Channel => ("s.channel".to_owned(), "NULL"),
        CsatBy::TicketType => ("s.ticket_type".to_owned(), "NULL"),
        CsatBy::Tier => ("COALESCE(c.tier, '')".to_owned(), "NULL"),
        CsatBy::Region => ("COALESCE(c.province, '')".to_owned(), "NULL"),
    };
    let sql = format!(
        "SELECT {key} AS k, {name} AS name, COUNT(*) AS sent, \
         COALESCE(SUM(CASE WHEN s.answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered, \
         CAST(COALESCE(SUM(s.score), 0) AS BIGINT) AS score_sum, \
         COALESCE(SUM(CASE WHEN s.score >= 4 THEN 1 ELSE 0 END), 0) AS satisfied, \
         COALESCE(SUM(CASE WHEN s.low = 1 THEN 1 ELSE 0 END), 0) AS low \
         FROM csat_surveys s LEFT JOIN customers c ON c.id = s.customer_id \
         LEFT JOIN users u ON u.id = s.agent_id \
         WHERE s.state = 'sent' AND s.sent_at >= $1 AND s.sent_at < $2 \
         GROUP BY 1 ORDER BY 1"
    );
    let mut q = sqlx::query(&sql).bind(to_micros(from)).bind(to_micros(to));
    if let CsatBy::Month(starts) = by {
        for s in starts {
            q = q.bind(to_micros(*s));
        }
    }
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(CsatGroup {
                key: r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                name: r.try_get("name")?,
                sent: r.try_get("sent")?,
                answered: r.try_get("answered")?,
                score_sum: r.try_get("score_sum")?,
                satisfied: r.try_get("satisfied")?,
                low: r.try_get("low")?,
            })
        })
        .collect()
}

/// How the relationship invitations are grouped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NpsBy {
    Round,
    Tier,
    CustomerType,
    Region,
}

/// The relationship invitations of one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NpsGroup {
    pub key: String,
    pub sent: i64,
    pub answered: i64,
    pub promoters: i64,
    pub passives: i64,
    pub detractors: i64,
}

/// Relationship invitations made in `[from, to)` (of survey `survey` only, when given),
/// grouped `by`; the groups in key order.
pub async fn nps_groups(
    conn: &mut AnyConnection,
    by: NpsBy,
    survey: Option<i64>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<NpsGroup>> {
    let key = match by {
        NpsBy::Round => "i.period",
        NpsBy::Tier => "c.tier",
        NpsBy::CustomerType => "c.customer_type",
        NpsBy::Region => "COALESCE(c.province, '')",
    };
    let sql = format!(
        "SELECT {key} AS k, \
         COALESCE(SUM(CASE WHEN i.state = 'sent' THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN i.answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered, \
         COALESCE(SUM(CASE WHEN i.nps >= 9 THEN 1 ELSE 0 END), 0) AS promoters, \
         COALESCE(SUM(CASE WHEN i.nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END), 0) AS passives, \
         COALESCE(SUM(CASE WHEN i.nps <= 6 THEN 1 ELSE 0 END), 0) AS detractors \
         FROM relationship_invitations i JOIN customers c ON c.id = i.customer_id \
         WHERE i.created_at >= $1 AND i.created_at < $2 AND ($3 = 0 OR i.survey_id = $3) \
         GROUP BY 1 ORDER BY 1"
    );
    let rows = sqlx::query(&sql)
        .bind(to_micros(from))
        .bind(to_micros(to))
        .bind(survey.unwrap_or(0))
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(NpsGroup {
                key: r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                sent: r.try_get("sent")?,
                answered: r.try_get("answered")?,
                promoters: r.try_get("promoters")?,
                passives: r.try_get("passives")?,
                detractors: r.try_get("detractors")?,
            })
        })
        .collect()
}

/// The standard questions' answers per round: (round, question, answers, sum).
pub async fn question_trend(
    conn: &mut AnyConnection,
    survey: Option<i64>,
    from: Timestamp,
    to: Timestamp,
) -> Result<Vec<(String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT i.period, a.question, COUNT(*) AS n, CAST(SUM(a.number) AS BIGINT) AS total \
         FROM relationship_answers a JOIN relationship_invitations i ON i.id = a.invitation_id \
         WHERE i.created_at >= $1 AND i.created_at < $2 AND ($3 = 0 OR i.survey_id = $3) \
         AND a.question IN ('keep', 'repurchase', 'recommend', 'switch') \
         AND a.number IS NOT NULL \
         GROUP BY i.period, a.question ORDER BY i.period, a.question",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .bind(survey.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("period")?,
                r.try_get("question")?,
                r.try_get("n")?,
                r.try_get("total")?,
            ))
        })
        .collect()
}

/// A customer's words: a ticket survey's comment or a relationship survey's text answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// `csat` or `relationship`.
    pub source: String,
    /// The ticket (`csat`) or the survey (`relationship`).
    pub about_id: i64,
    /// The ticket's number, or the round.
    pub about: String,
    pub customer_id: Option<i64>,
    pub customer_name: Option<String>,
    /// The ticket survey's score, or the recommendation answer.
    pub score: Option<i64>,
    pub text: String,
    pub at: Timestamp,
}

/// The customers' words given in `[from, to)` that contain `words` (all of them when
/// empty; letters in any case), the newest first, at most `limit`.
pub async fn said(
    conn: &mut AnyConnection,
    words: &str,
    from: Timestamp,
    to: Timestamp,
    limit: i64,
) -> Result<Vec<Said>> {
    let escaped = words
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let pattern = format!("%{escaped}%");
    let rows = sqlx::query(
        "SELECT 'csat' AS source, s.ticket_id AS about_id, t.number AS about, \
         s.customer_id, c.name AS customer_name, s.score, s.comment AS text, \
         s.answered_at AS at FROM csat_surveys s JOIN tickets t ON t.id = s.ticket_id \
         LEFT JOIN customers c ON c.id = s.customer_id \
         WHERE s.comment IS NOT NULL AND s.comment <> '' \
         AND s.answered_at >= $1 AND s.answered_at < $2 \
         AND LOWER(s.comment) LIKE $3 ESCAPE '\\' \
         UNION ALL \
         SELECT 'relationship' AS source, i.survey_id AS about_id, i.period AS about, \
         i.customer_id, c.name AS customer_name, i.nps AS score, a.text AS text, \
         i.answered_at AS at FROM relationship_answers a \
         JOIN relationship_invitations i ON i.id = a.invitation_id \
         JOIN customers c ON c.id = i.customer_id \
         WHERE a.text IS NOT NULL AND i.answered_at >= $1 AND i.answered_at < $2 \
         AND LOWER(a.text) LIKE $3 ESCAPE '\\' \
         ORDER BY at DESC LIMIT $4",
    )
    .bind(to_micros(from))
    .bind(to_micros(to))
    .bind(pattern)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Said {
                source: r.try_get("source")?,
                about_id: r.try_get("about_id")?,
                about: r.try_get("about")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("customer_name")?,
                score: r.try_get("score")?,
                text: r.try_get("text")?,
                at: from_micros(r.try_get("at")?),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_month_case_names_each_bucket_by_its_index() {
        assert_eq!(
            bucket_case("s.sent_at", 3, 2),
            "CASE WHEN s.sent_at < $4 THEN '0' WHEN s.sent_at < $5 THEN '1' END"
        );
    }
}
