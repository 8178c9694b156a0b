//! 售后纠纷 — disputes, their rulings, and the search for precedents.

use jiff::Timestamp;
use kefu_domain::aftersales::dispute::{DisputeCase, DisputeStatus, Ruling};
use kefu_domain::aftersales::policy::ClauseKey;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::contains;
use crate::ticket::parse;
use crate::{Result, StoreError, from_micros, to_micros};

/// A dispute as stored, with its customer's and ruler's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisputeRow {
    pub id: i64,
    pub customer_id: i64,
    pub customer: String,
    pub rma_id: Option<i64>,
    pub rma_number: Option<String>,
    pub case: DisputeCase,
    pub status: DisputeStatus,
    pub ruling: Option<Ruling>,
    pub ruled_by: Option<String>,
    pub ruled_at: Option<Timestamp>,
    pub version: i64,
    pub created_at: Timestamp,
}

const SELECT: &str = "SELECT d.*, c.name AS customer_name, r.number AS rma_number, \
     u.display_name AS ruled_by_name FROM aftersales_disputes d \
     JOIN customers c ON c.id = d.customer_id LEFT JOIN rmas r ON r.id = d.rma_id \
     LEFT JOIN users u ON u.id = d.ruled_by";

fn row(r: &AnyRow) -> Result<DisputeRow> {
    let ruling_text: Option<String> = r.try_get("ruling")?;
    let clause: Option<String> = r.try_get("clause")?;
    let policy_id: Option<i64> = r.try_get("policy_id")?;
    let ruling = match (ruling_text, clause, policy_id) {
        (Some(text), Some(clause), Some(policy_id)) => Some(Ruling {
            text,
            policy_id,
            clause: clause
                .parse::<ClauseKey>()
                .map_err(|_| StoreError::Corrupt(format!("a ruling's clause {clause:?}")))?,
        }),
        _ => None,
    };
    Ok(DisputeRow {
        id: r.try_get("id")?,
        customer_id: r.try_get("customer_id")?,
        customer: r.try_get("customer_name")?,
        rma_id: r.try_get("rma_id")?,
        rma_number: r.try_get("rma_number")?,
        case: DisputeCase {
            subject: r.try_get("subject")?,
            customer_position: r.try_get("customer_position")?,
            company_position: r.try_get("company_position")?,
            evidence: r.try_get("evidence")?,
        },
        status: parse(r, "status")?,
        ruling,
        ruled_by: r.try_get("ruled_by_name")?,
        ruled_at: r.try_get::<Option<i64>, _>("ruled_at")?.map(from_micros),
        version: r.try_get("version")?,
        created_at: from_micros(r.try_get("created_at")?),
    })
}

/// Registers a dispute; its id.
pub async fn insert(
    conn: &mut AnyConnection,
    customer_id: i64,
    rma_id: Option<i64>,
    case: &DisputeCase,
    by: Option<i64>,
    now: Timestamp,
) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "INSERT INTO aftersales_disputes (customer_id, rma_id, subject, customer_position, \
         company_position, evidence, status, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
    )
    .bind(customer_id)
    .bind(rma_id)
    .bind(&case.subject)
    .bind(&case.customer_position)
    .bind(&case.company_position)
    .bind(&case.evidence)
    .bind(by)
    .bind(to_micros(now))
    .fetch_one(conn)
    .await?)
}

/// Records the ruling when the dispute is still open at `version`; whether it was.
pub async fn rule(
    conn: &mut AnyConnection,
    id: i64,
    version: i64,
    ruling: &Ruling,
    by: Option<i64>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE aftersales_disputes SET status = 'ruled', ruling = $3, policy_id = $4, \
         clause = $5, ruled_by = $6, ruled_at = $7, version = version + 1 \
         WHERE id = $1 AND version = $2 AND status = 'open'",
    )
    .bind(id)
    .bind(version)
    .bind(&ruling.text)
    .bind(ruling.policy_id)
    .bind(ruling.clause.key())
    .bind(by)
    .bind(to_micros(now))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// One dispute.
pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<DisputeRow> {
    let r = sqlx::query(&format!("{SELECT} WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or(StoreError::NotFound)?;
    row(&r)
}

/// Disputes newest first: open or ruled (`None`: both), those whose texts or ruling hold
/// `text` (the precedents), a page before `before`.
pub async fn list(
    conn: &mut AnyConnection,
    status: Option<DisputeStatus>,
    text: Option<&str>,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<DisputeRow>> {
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE d.id < $1 AND ($2 = '' OR d.status = $2) AND ($3 = 0 \
         OR LOWER(d.subject) LIKE $4 ESCAPE '\\' OR LOWER(d.customer_position) LIKE $4 ESCAPE '\\' \
         OR LOWER(d.company_position) LIKE $4 ESCAPE '\\' OR LOWER(d.evidence) LIKE $4 ESCAPE '\\' \
         OR LOWER(COALESCE(d.ruling, '')) LIKE $4 ESCAPE '\\') ORDER BY d.id DESC LIMIT $5"
    ))
    .bind(before.unwrap_or(i64::MAX))
    .bind(status.map_or("", |s| s.key()))
    .bind(i64::from(text.is_some()))
    .bind(contains(text.unwrap_or("")))
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(row).collect()
}

/// Open disputes: what the after-sales specialist's tile counts.
pub async fn count_open(conn: &mut AnyConnection) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM aftersales_disputes WHERE status = 'open'")
            .fetch_one(conn)
            .await?,
    )
}

/// Who registered dispute `id`.
pub async fn registrant(conn: &mut AnyConnection, id: i64) -> Result<Option<i64>> {
    Ok(
        sqlx::query_scalar("SELECT created_by FROM aftersales_disputes WHERE id = $1")
            .bind(id)
            .fetch_one(conn)
            .await?,
    )
}
