//! 满意度报表 — the surveys' figures over a time range, grouped: the ticket surveys (CSAT)
//! by month, agent, channel, ticket type, product, customer tier or region; the
//! relationship invitations (NPS) and their standard questions by round, tier, customer
//! type, region, product, channel or owner; and the customers' own words, searched.
//!
//! A ticket survey counts in the range it was sent in; a relationship invitation in the
//! range it was made in.
//!
//! Products: a ticket is about the product of its first RMA (none without one). A
//! relationship invitation is about every product its customer had bought (an order line
//! of an order not cancelled) or brought back (an RMA) before it was made, so one
//! invitation can count under several products; the caller takes the total elsewhere. Months are given as their starts (the caller knows the time zone),
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
    Product,
    Tier,
    Region,
}

/// The ticket surveys of one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CsatGroup {
    /// The month's index, the agent's or product's id (`0`: none), the channel, type or
    /// tier key, the province (empty: none).
    pub key: String,
    /// The agent's name; the product's SKU and name.
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
    let mut joins = "";
    let (key, name) = match by {
        CsatBy::Month(starts) => (bucket_case("s.sent_at", starts.len(), 2), "NULL"),
        CsatBy::Product => {
            joins = " LEFT JOIN rmas r ON r.id = \
                     (SELECT MIN(r1.id) FROM rmas r1 WHERE r1.ticket_id = s.ticket_id) \
                     LEFT JOIN products p ON p.id = r.product_id";
            (
                "CAST(COALESCE(r.product_id, 0) AS TEXT)".to_owned(),
                "MAX(p.sku || ' ' || p.name)",
            )
        }
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
         LEFT JOIN users u ON u.id = s.agent_id{joins} \
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
    Product,
    /// The channel the invitation went by (empty: not sent).
    Channel,
    /// The customer's owner: the id (`0`: none) and the name.
    Owner,
}

/// What groups the relationship invitations `by`: the key and name expressions, and the
/// join it needs. By product, only the invited customers' orders and RMAs are read (the
/// range is bound as `$1` and `$2` by every query that uses the join).
fn nps_grouping(by: NpsBy) -> (&'static str, &'static str, &'static str) {
    match by {
        NpsBy::Round => ("i.period", "NULL", ""),
        NpsBy::Tier => ("c.tier", "NULL", ""),
        NpsBy::CustomerType => ("c.customer_type", "NULL", ""),
        NpsBy::Region => ("COALESCE(c.province, '')", "NULL", ""),
        NpsBy::Channel => ("COALESCE(i.channel, '')", "NULL", ""),
        NpsBy::Owner => (
            "CAST(COALESCE(c.owner_id, 0) AS TEXT)",
            "MAX(u.display_name)",
            " LEFT JOIN users u ON u.id = c.owner_id",
        ),
        NpsBy::Product => (
            "CAST(COALESCE(bp.product_id, 0) AS TEXT)",
            "MAX(p.sku || ' ' || p.name)",
            " LEFT JOIN (SELECT customer_id, product_id, MIN(at) AS first_at FROM \
             (SELECT o.customer_id, l.product_id, o.created_at AS at FROM orders o \
             JOIN order_lines l ON l.order_id = o.id WHERE o.state <> 'cancelled' \
             AND o.customer_id IN (SELECT customer_id FROM relationship_invitations \
             WHERE created_at >= $1 AND created_at < $2) \
             UNION ALL SELECT customer_id, product_id, created_at AS at FROM rmas \
             WHERE customer_id IN (SELECT customer_id FROM relationship_invitations \
             WHERE created_at >= $1 AND created_at < $2)) bought \
             GROUP BY customer_id, product_id) bp \
             ON bp.customer_id = i.customer_id AND bp.first_at < i.created_at \
             LEFT JOIN products p ON p.id = bp.product_id",
        ),
    }
}

/// The rows of `sql` over the invitations made in `[from, to)` of `survey` (every survey
/// when `None`), bound as `$1`, `$2` and `$3`, then `texts` from `$4` on.
async fn invitation_rows(
    conn: &mut AnyConnection,
    sql: &str,
    survey: Option<i64>,
    from: Timestamp,
    to: Timestamp,
    texts: &[String],
) -> Result<Vec<sqlx::any::AnyRow>> {
    let mut q = sqlx::query(sql)
        .bind(to_micros(from))
        .bind(to_micros(to))
        .bind(survey.unwrap_or(0));
    for t in texts {
        q = q.bind(t.as_str());
    }
    Ok(q.fetch_all(conn).await?)
}

/// The relationship invitations of one group.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NpsGroup {
    /// The round, tier or customer-type key, the province (empty: none), the product's id
    /// (`0`: none bought).
    pub key: String,
    /// The product's SKU and name.
    pub name: Option<String>,
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
    let (key, name, join) = nps_grouping(by);
    let sql = format!(
        "SELECT {key} AS k, {name} AS name, \
         COALESCE(SUM(CASE WHEN i.state = 'sent' THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN i.answered_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS answered, \
         COALESCE(SUM(CASE WHEN i.nps >= 9 THEN 1 ELSE 0 END), 0) AS promoters, \
         COALESCE(SUM(CASE WHEN i.nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END), 0) AS passives, \
         COALESCE(SUM(CASE WHEN i.nps <= 6 THEN 1 ELSE 0 END), 0) AS detractors \
         FROM relationship_invitations i JOIN customers c ON c.id = i.customer_id{join} \
         WHERE i.created_at >= $1 AND i.created_at < $2 AND ($3 = 0 OR i.survey_id = $3) \
         GROUP BY 1 ORDER BY 1"
    );
    let rows = invitation_rows(conn, &sql, survey, from, to, &[]).await?;
    rows.iter()
        .map(|r| {
            Ok(NpsGroup {
                key: r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                name: r.try_get("name")?,
                sent: r.try_get("sent")?,
                answered: r.try_get("answered")?,
                promoters: r.try_get("promoters")?,
                passives: r.try_get("passives")?,
                detractors: r.try_get("detractors")?,
            })
        })
        .collect()
}

/// The standard questions' answers of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuestionGroup {
    /// As [`NpsGroup::key`].
    pub key: String,
    pub name: Option<String>,
    /// `keep`, `repurchase`, `recommend`, `switch`, or a survey's own (`q1`…).
    pub question: String,
    pub answers: i64,
    pub sum: i64,
}

/// The numeric answers to `questions` (keys) of the invitations made in `[from, to)`,
/// grouped `by` as the invitations are; in key and question order.
pub async fn question_groups(
    conn: &mut AnyConnection,
    by: NpsBy,
    survey: Option<i64>,
    (from, to): (Timestamp, Timestamp),
    questions: &[String],
) -> Result<Vec<QuestionGroup>> {
    if questions.is_empty() {
        return Ok(Vec::new());
    }
    let (key, name, join) = nps_grouping(by);
    let keys = (0..questions.len())
        .map(|i| format!("${}", i + 4))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {key} AS k, {name} AS name, a.question, COUNT(*) AS n, \
         CAST(SUM(a.number) AS BIGINT) AS total \
         FROM relationship_answers a JOIN relationship_invitations i ON i.id = a.invitation_id \
         JOIN customers c ON c.id = i.customer_id{join} \
         WHERE i.created_at >= $1 AND i.created_at < $2 AND ($3 = 0 OR i.survey_id = $3) \
         AND a.question IN ({keys}) AND a.number IS NOT NULL \
         GROUP BY 1, a.question ORDER BY 1, a.question"
    );
    let rows = invitation_rows(conn, &sql, survey, from, to, questions).await?;
    rows.iter()
        .map(|r| {
            Ok(QuestionGroup {
                key: r.try_get::<Option<String>, _>("k")?.unwrap_or_default(),
                name: r.try_get("name")?,
                question: r.try_get("question")?,
                answers: r.try_get("n")?,
                sum: r.try_get("total")?,
            })
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
