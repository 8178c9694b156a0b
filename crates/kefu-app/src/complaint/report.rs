//! 投诉统计报表 — the statistics report over a period: totals, a time series, a breakdown
//! by one dimension, the business time each stage took, and what it all cost — carried out
//! and committed, by the rule of [`kefu_domain::complaint_cost`] the complaint page uses.

use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use kefu_domain::Permission;
use kefu_domain::complaint_cost::Cost;
use kefu_domain::complaint_report::{self as rules, Dimension, Period};
use kefu_domain::{dates, money};
use kefu_store::AnyConnection;
use kefu_store::complaint::{self as store, StatRow};

use crate::{Actor, App, AppError, Result};

/// The report's question.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    /// First day, Beijing time.
    pub from: Date,
    /// Last day, included.
    pub to: Date,
    pub by: Dimension,
    pub period: Period,
}

/// Counts and money of a group of complaints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportRow {
    /// The dimension's value: a key (`quality`), a name, or empty when not recorded.
    pub key: String,
    pub count: i64,
    pub valid: i64,
    pub invalid: i64,
    pub closed: i64,
    /// 已发生 and 已批准未执行, summed over the group's complaints.
    pub cost: Cost,
    /// Average hours from complaint to closing, over the closed ones.
    pub avg_close_hours: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeriesPoint {
    pub period_start: Date,
    pub count: i64,
    pub invalid: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StageDuration {
    pub stage: String,
    pub times: i64,
    /// Average business minutes spent in the stage.
    pub avg_minutes: i64,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub query: ReportQuery,
    pub totals: ReportRow,
    pub penalties_fen: i64,
    pub series: Vec<SeriesPoint>,
    pub rows: Vec<ReportRow>,
    pub stages: Vec<StageDuration>,
}

fn row(key: String, r: &StatRow) -> ReportRow {
    ReportRow {
        key,
        count: r.count,
        valid: r.valid,
        invalid: r.invalid,
        closed: r.closed,
        cost: Cost {
            carried_out_fen: r.carried_out_fen,
            committed_fen: r.committed_fen,
        },
        avg_close_hours: (r.closed > 0)
            .then(|| r.close_micros as f64 / r.closed as f64 / 3_600_000_000.0),
    }
}

/// What the report reads from the database, all of it on one side: the replica or the
/// primary.
struct Figures {
    days: Vec<StatRow>,
    by: Vec<StatRow>,
    stages: Vec<(String, i64, i64)>,
    penalties_fen: i64,
}

async fn figures(
    conn: &mut AnyConnection,
    by: Dimension,
    start: Timestamp,
    end: Timestamp,
    offset: i64,
) -> kefu_store::Result<Figures> {
    let (days, by) = store::stats(conn, by.key(), start, end, offset, 100).await?;
    Ok(Figures {
        days,
        by,
        stages: store::stage_durations(conn, start, end).await?,
        penalties_fen: store::penalty_total(conn, start, end).await?,
    })
}

/// The report's clock: Beijing time, as the department reads dates.
fn beijing() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::fixed(jiff::tz::offset(8)))
}

impl App {
    pub async fn complaint_report(&self, actor: &Actor, q: &ReportQuery) -> Result<Report> {
        actor.require(Permission::ComplaintView)?;
        // Both ends within the business range first: the day after `to` must exist
        // (9999-12-31 has none), and a bound is named before the report's own limits.
        dates::check("from", q.from)?;
        dates::check("to", q.to)?;
        rules::check_range(q.from, q.to).map_err(AppError::Report)?;
        let tz = beijing();
        let internal = |e: jiff::Error| AppError::Internal(e.to_string());
        let start = q.from.to_zoned(tz.clone()).map_err(internal)?.timestamp();
        let end =
            q.to.tomorrow()
                .and_then(|d| d.to_zoned(tz.clone()))
                .map_err(internal)?
                .timestamp();
        // China has kept one offset since 1991, so a day number at +8 h is a Beijing day.
        let offset = tz.to_offset(start).seconds() as i64 * 1_000_000;
        // Statistics over past days may lag a moment behind: the replica serves them when
        // one is configured, sparing the primary the scans. One that is away, or fails the
        // report for a reason of its own (stopped mid-report, behind a migration), leaves
        // the primary to answer.
        let mut read = None;
        if let Some(mut conn) = self.store.replica_conn().await {
            match figures(&mut conn, q.by, start, end, offset).await {
                Err(e) if e.is_replica_miss() => tracing::warn!(
                    error = %e,
                    "the report could not be read on the replica: reading from the primary"
                ),
                other => read = Some(other?),
            }
        }
        let Figures {
            days,
            by,
            stages,
            penalties_fen,
        } = match read {
            Some(f) => f,
            None => {
                let mut conn = self.store.conn().await?;
                figures(&mut conn, q.by, start, end, offset).await?
            }
        };

        let epoch = jiff::civil::date(1970, 1, 1);
        // Summed in i128: nothing a group of rows holds can overflow the totals.
        let (mut carried_out, mut committed, mut close_micros) = (0i128, 0i128, 0i128);
        let mut totals = StatRow {
            key: None,
            count: 0,
            valid: 0,
            invalid: 0,
            closed: 0,
            carried_out_fen: 0,
            committed_fen: 0,
            close_micros: 0,
        };
        let mut series: Vec<SeriesPoint> = rules::periods(q.from, q.to, q.period)
            .into_iter()
            .map(|d| SeriesPoint {
                period_start: d,
                count: 0,
                invalid: 0,
            })
            .collect();
        for d in &days {
            totals.count += d.count;
            totals.valid += d.valid;
            totals.invalid += d.invalid;
            totals.closed += d.closed;
            carried_out += i128::from(d.carried_out_fen);
            committed += i128::from(d.committed_fen);
            close_micros += i128::from(d.close_micros);
            let Some(n) = d.key.as_deref().and_then(|k| k.parse::<i64>().ok()) else {
                continue;
            };
            let Ok(day) = epoch.checked_add(jiff::Span::new().days(n)) else {
                continue;
            };
            let bucket = rules::period_start(day, q.period);
            if let Some(p) = series.iter_mut().find(|p| p.period_start == bucket) {
                p.count += d.count;
                p.invalid += d.invalid;
            }
        }
        totals.carried_out_fen = money::saturate(carried_out);
        totals.committed_fen = money::saturate(committed);
        totals.close_micros = money::saturate(close_micros);
        let order: Vec<&str> = kefu_domain::complaint::Stage::ALL
            .iter()
            .map(|s| s.key())
            .collect();
        let mut stages: Vec<StageDuration> = stages
            .into_iter()
            .map(|(stage, times, total)| StageDuration {
                avg_minutes: if times > 0 { total / times } else { 0 },
                stage,
                times,
            })
            .collect();
        stages.sort_by_key(|s| order.iter().position(|k| *k == s.stage));
        Ok(Report {
            query: q.clone(),
            totals: row(String::new(), &totals),
            penalties_fen,
            series,
            rows: by
                .iter()
                .map(|r| row(r.key.clone().unwrap_or_default(), r))
                .collect(),
            stages,
        })
    }
}
