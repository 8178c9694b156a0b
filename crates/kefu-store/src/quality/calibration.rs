//! 质检校准 — the second, blind scores of inspections and their item scores.

use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::inspection::ItemScoreRow;
use crate::ticket::opt_time;
use crate::{Result, from_micros, to_micros};

/// A calibration with the names and the first score it is compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibrationRow {
    pub id: i64,
    pub inspection_id: i64,
    pub inspector_id: i64,
    pub inspector_name: String,
    pub asked_by: Option<i64>,
    pub asked_by_name: Option<String>,
    pub asked_at: Timestamp,
    /// `assigned` or `scored`.
    pub status: String,
    pub score_tenths: Option<i64>,
    pub passed: Option<bool>,
    pub comment: String,
    pub scored_at: Option<Timestamp>,
    /// The inspection's own (first) score and who gave it.
    pub first_inspector_id: Option<i64>,
    pub first_inspector_name: Option<String>,
    pub first_score_tenths: Option<i64>,
    pub first_passed: Option<bool>,
    pub agent_name: String,
    pub channel: String,
    pub sample_date: String,
}

const SELECT: &str = "SELECT c.id, c.inspection_id, c.inspector_id, u.display_name AS inspector_name, \
     c.asked_by, a.display_name AS asked_by_name, c.asked_at, c.status, c.score_tenths, c.passed, c.comment, \
     c.scored_at, i.inspector_id AS first_inspector_id, fi.display_name AS first_inspector_name, \
     i.score_tenths AS first_score_tenths, i.passed AS first_passed, \
     ag.display_name AS agent_name, i.channel, s.sample_date \
     FROM quality_calibrations c \
     JOIN quality_inspections i ON i.id = c.inspection_id \
     JOIN quality_samples s ON s.id = i.sample_id \
     JOIN users u ON u.id = c.inspector_id \
     JOIN users ag ON ag.id = i.agent_id \
     LEFT JOIN users a ON a.id = c.asked_by \
     LEFT JOIN users fi ON fi.id = i.inspector_id";

fn flag(r: &AnyRow, column: &str) -> Result<Option<bool>> {
    Ok(r.try_get::<Option<i64>, _>(column)?.map(|v| v != 0))
}

fn calibration(r: &AnyRow) -> Result<CalibrationRow> {
    Ok(CalibrationRow {
        id: r.try_get("id")?,
        inspection_id: r.try_get("inspection_id")?,
        inspector_id: r.try_get("inspector_id")?,
        inspector_name: r.try_get("inspector_name")?,
        asked_by: r.try_get("asked_by")?,
        asked_by_name: r.try_get("asked_by_name")?,
        asked_at: from_micros(r.try_get("asked_at")?),
        status: r.try_get("status")?,
        score_tenths: r.try_get("score_tenths")?,
        passed: flag(r, "passed")?,
        comment: r.try_get("comment")?,
        scored_at: opt_time(r, "scored_at")?,
        first_inspector_id: r.try_get("first_inspector_id")?,
        first_inspector_name: r.try_get("first_inspector_name")?,
        first_score_tenths: r.try_get("first_score_tenths")?,
        first_passed: flag(r, "first_passed")?,
        agent_name: r.try_get("agent_name")?,
        channel: r.try_get("channel")?,
        sample_date: r.try_get("sample_date")?,
    })
}

/// Asks `inspector` to calibrate inspection `inspection`; `None` when they were asked
/// already.
pub async fn insert(
    conn: &mut AnyConnection,
    inspection: i64,
    inspector: i64,
    asked_by: Option<i64>,
    now: Timestamp,
) -> Result<Option<i64>> {
    Ok(sqlx::query_scalar(
        "INSERT INTO quality_calibrations (inspection_id, inspector_id, asked_by, asked_at, status) \
         VALUES ($1, $2, $3, $4, 'assigned') \
         ON CONFLICT (inspection_id, inspector_id) DO NOTHING RETURNING id",
    )
    .bind(inspection)
    .bind(inspector)
    .bind(asked_by)
    .bind(to_micros(now))
    .fetch_optional(conn)
    .await?)
}

pub async fn by_id(conn: &mut AnyConnection, id: i64) -> Result<CalibrationRow> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_one(conn)
        .await?;
    calibration(&row)
}

/// The calibrations of an inspection, the first asked first.
pub async fn of_inspection(
    conn: &mut AnyConnection,
    inspection: i64,
) -> Result<Vec<CalibrationRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE c.inspection_id = $1 ORDER BY c.id"
    ))
    .bind(inspection)
    .fetch_all(conn)
    .await?;
    rows.iter().map(calibration).collect()
}

/// Calibrations, the newest first: `inspector`'s only when given, at most `limit`.
pub async fn list(
    conn: &mut AnyConnection,
    inspector: Option<i64>,
    limit: i64,
) -> Result<Vec<CalibrationRow>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE ($1 IS NULL OR c.inspector_id = $1) ORDER BY c.id DESC LIMIT $2"
    ))
    .bind(inspector)
    .bind(limit)
    .fetch_all(conn)
    .await?;
    rows.iter().map(calibration).collect()
}

/// How many calibrations wait for `inspector`'s score.
pub async fn pending_count(conn: &mut AnyConnection, inspector: i64) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM quality_calibrations WHERE inspector_id = $1 AND status = 'assigned'",
    )
    .bind(inspector)
    .fetch_one(conn)
    .await?)
}

/// The item scores of calibration `id`.
pub async fn item_scores(conn: &mut AnyConnection, id: i64) -> Result<Vec<ItemScoreRow>> {
    let rows = sqlx::query(
        "SELECT item_key, score, comment FROM quality_calibration_scores \
         WHERE calibration_id = $1 ORDER BY item_key",
    )
    .bind(id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ItemScoreRow {
                item_key: r.try_get("item_key")?,
                score: r.try_get("score")?,
                comment: r.try_get("comment")?,
                evidence: String::new(),
            })
        })
        .collect()
}

/// Item scores of many records at once: (record id, item key, score), from `table`'s
/// `column`, in chunks of 500 ids.
async fn scores_of(
    conn: &mut AnyConnection,
    table: &str,
    column: &str,
    ids: &[i64],
) -> Result<Vec<(i64, String, Option<i64>)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let marks: Vec<String> = (1..=chunk.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT {column} AS owner, item_key, score FROM {table} WHERE {column} IN ({}) \
             ORDER BY {column}, item_key",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        for r in q.fetch_all(&mut *conn).await? {
            out.push((
                r.try_get("owner")?,
                r.try_get("item_key")?,
                r.try_get("score")?,
            ));
        }
    }
    Ok(out)
}

/// Item keys and scores (`None`: not applicable).
pub type Scores = Vec<(String, Option<i64>)>;

/// Every calibration scored since `since` with its item scores and its inspection's: the
/// newest first, at most `limit`.
pub async fn scored_pairs(
    conn: &mut AnyConnection,
    since: Timestamp,
    limit: i64,
) -> Result<Vec<(CalibrationRow, Scores, Scores)>> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE c.status = 'scored' AND c.scored_at >= $1 ORDER BY c.id DESC LIMIT $2"
    ))
    .bind(to_micros(since))
    .bind(limit)
    .fetch_all(&mut *conn)
    .await?;
    let list = rows.iter().map(calibration).collect::<Result<Vec<_>>>()?;
    let ids: Vec<i64> = list.iter().map(|c| c.id).collect();
    let inspections: Vec<i64> = list.iter().map(|c| c.inspection_id).collect();
    let seconds = scores_of(conn, "quality_calibration_scores", "calibration_id", &ids).await?;
    let firsts = scores_of(conn, "quality_item_scores", "inspection_id", &inspections).await?;
    let pick = |all: &[(i64, String, Option<i64>)], owner: i64| -> Scores {
        all.iter()
            .filter(|(o, _, _)| *o == owner)
            .map(|(_, k, v)| (k.clone(), *v))
            .collect()
    };
    Ok(list
        .into_iter()
        .map(|c| {
            let second = pick(&seconds, c.id);
            let first = pick(&firsts, c.inspection_id);
            (c, second, first)
        })
        .collect())
}

/// A calibration's score to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalibrationScore<'a> {
    pub tenths: i64,
    pub passed: bool,
    pub comment: &'a str,
    pub items: &'a [ItemScoreRow],
}

/// Writes calibration `id`'s score while it waits for one; false when it was scored
/// meanwhile.
pub async fn write_score(
    conn: &mut AnyConnection,
    id: i64,
    s: &CalibrationScore<'_>,
    now: Timestamp,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE quality_calibrations SET status = 'scored', score_tenths = $2, passed = $3, \
         comment = $4, scored_at = $5 WHERE id = $1 AND status = 'assigned'",
    )
    .bind(id)
    .bind(s.tenths)
    .bind(i64::from(s.passed))
    .bind(s.comment)
    .bind(to_micros(now))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    for i in s.items {
        sqlx::query(
            "INSERT INTO quality_calibration_scores (calibration_id, item_key, score, comment) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&i.item_key)
        .bind(i.score)
        .bind(&i.comment)
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}
