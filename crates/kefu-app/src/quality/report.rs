//! 质量异常分析日报表 — the daily quality anomaly report (000 §(四)3–4): made by a job once
//! per business day at [`REPORT_TIME`] for the previous business day (whichever instance
//! comes first: one revision per date and number), or by a specialist for a day the job
//! missed or again with a reason; stored as issued; mailed to the customer service managers
//! (an HTML summary with the XLSX attached, through the outbox) and announced in kefu.
//! Which days a report covers is the rule of [`kefu_domain::quality::report`].

use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::quality::report::{
    self as rules, Column, DESCRIPTION_CHARS, DailyReport, Headline, InspectionTally, LIST_LIMIT,
    ListedAnomaly, MEAN_DAYS, OVERDUE_LIMIT, OverdueMeasure, REPORT_TIME, Tally, Unit, Window,
};
use kefu_domain::{Locale, Permission, Role};
use kefu_store::quality::report::{self as store, Counted, Group, NewReport, RevisionRow};
use kefu_store::{AnyConnection, StoreError};

use crate::follow_up::{local_date, local_midnight};
use crate::notify::{self, kind};
use crate::outbox::{self, Outgoing};
use crate::{Actor, App, AppError, Result};

/// Most reports a list shows.
pub const REPORT_LIST_LIMIT: i64 = 400;

/// A report as stored, with its revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QualityReport {
    pub id: i64,
    pub date: Date,
    pub revision: i64,
    /// The first day after those covered: the day it was made for.
    pub covers_to: Date,
    pub reason: String,
    /// `None`: the job made it.
    pub made_by_name: Option<String>,
    pub made_at: Timestamp,
    pub body: DailyReport,
    /// Every revision of the date, the first first.
    pub revisions: Vec<RevisionRow>,
}

impl QualityReport {
    /// The last day covered.
    pub fn covers_last(&self) -> Date {
        self.covers_to.yesterday().unwrap_or(self.date)
    }
}

/// A report as a list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportSummary {
    pub date: Date,
    pub revision: i64,
    pub covers_to: Date,
    pub made_by_name: Option<String>,
    pub made_at: Timestamp,
    pub reason: String,
    pub today: Headline,
    pub late: i64,
    pub open: i64,
    pub overdue: i64,
}

fn corrupt(what: impl std::fmt::Display) -> AppError {
    AppError::Store(StoreError::Corrupt(format!("quality report: {what}")))
}

fn parse_date(text: &str) -> Result<Date> {
    text.parse().map_err(|_| corrupt(format!("date {text}")))
}

fn stored(row: store::ReportRow, revisions: Vec<RevisionRow>) -> Result<QualityReport> {
    let body: DailyReport = serde_json::from_str(&row.body).map_err(corrupt)?;
    Ok(QualityReport {
        id: row.id,
        date: parse_date(&row.report_date)?,
        revision: row.revision,
        covers_to: parse_date(&row.covers_to)?,
        reason: row.reason,
        made_by_name: row.made_by_name,
        made_at: row.made_at,
        body,
        revisions,
    })
}

/// `85.2` from tenths.
pub fn tenths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    format!("{sign}{}.{}", v.abs() / 10, v.abs() % 10)
}

/// `66.7%` from per mille.
pub fn percent(permille: i64) -> String {
    format!("{}%", tenths(permille))
}

/// `+25.0%`, `-3.3%`, `—` without an earlier figure.
pub fn change(permille: Option<i64>) -> String {
    match permille {
        Some(p) if p > 0 => format!("+{}", percent(p)),
        Some(p) => percent(p),
        None => "—".to_owned(),
    }
}

/// A figure as written: a count, `85.2`, `66.7%`; `—` for none. A count's daily mean
/// (`mean`) is in hundredths: `0.14`.
pub fn shown(unit: Unit, v: Option<i64>, mean: bool) -> String {
    match (unit, v) {
        (_, None) => "—".to_owned(),
        (Unit::Count, Some(v)) if mean => format!("{}.{:02}", v / 100, v % 100),
        (Unit::Count, Some(v)) => v.to_string(),
        (Unit::Tenths, Some(v)) => tenths(v),
        (Unit::Permille, Some(v)) => percent(v),
    }
}

/// A figure as a spreadsheet number and its decimals: a rate in percent.
pub fn number(unit: Unit, v: Option<i64>, mean: bool) -> Option<(f64, u8)> {
    let v = v? as f64;
    Some(match unit {
        Unit::Count if mean => (v / 100.0, 2),
        Unit::Count => (v, 0),
        Unit::Tenths | Unit::Permille => (v / 10.0, 1),
    })
}

fn tallies(groups: &[Group], column: Column, into: &mut [Vec<Tally>; 4]) {
    for g in groups {
        rules::add(&mut into[0], &g.service_item, column, g.count);
        rules::add(&mut into[1], &g.source, column, g.count);
        rules::add(&mut into[2], &g.agent, column, g.count);
        rules::add(&mut into[3], &g.department, column, g.count);
    }
}

fn listed(a: store::Listed, late: bool) -> ListedAnomaly {
    ListedAnomaly {
        id: a.id,
        number: a.number,
        occurred_on: a.occurred_on,
        service_item: a.service_item,
        source: a.source,
        agent: a.agent,
        department: a.department,
        severity: a.severity,
        status: a.status,
        cause: a.cause,
        description: a.description.chars().take(DESCRIPTION_CHARS).collect(),
        late,
    }
}

fn tally(t: (i64, i64, i64)) -> InspectionTally {
    InspectionTally {
        done: t.0,
        score_tenths: t.1,
        passed: t.2,
    }
}

/// The figures of `w`'s report, as they are at `now`.
async fn figures(
    conn: &mut AnyConnection,
    calendar: &kefu_domain::calendar::BusinessCalendar,
    w: Window,
    now: Timestamp,
) -> Result<DailyReport> {
    let (from, to) = (
        local_midnight(calendar, w.date),
        local_midnight(calendar, w.to),
    );
    let (day, next) = (w.date.to_string(), w.to.to_string());
    let inspections = tally(store::inspection_tally(conn, from, to).await?);
    let new = store::anomalies_on(conn, &day, &next).await?;

    let previous = match rules::previous_business_day(calendar, w.date) {
        Some(p) => {
            let t = store::inspection_tally(conn, local_midnight(calendar, p), from).await?;
            let n = store::anomalies_on(conn, &p.to_string(), &day).await?;
            Headline::of(tally(t), n)
        }
        None => Headline::default(),
    };
    let mean_from = w
        .date
        .checked_sub(jiff::Span::new().days(MEAN_DAYS))
        .unwrap_or(w.date);
    let mean = {
        let t = store::inspection_tally(conn, local_midnight(calendar, mean_from), from).await?;
        let n = store::anomalies_on(conn, &mean_from.to_string(), &day).await?;
        Headline::daily_mean(tally(t), n, MEAN_DAYS)
    };

    let mut by: [Vec<Tally>; 4] = Default::default();
    let new_groups = store::groups(
        conn,
        Counted::New {
            from: &day,
            to: &next,
        },
    )
    .await?;
    tallies(&new_groups, Column::New, &mut by);
    let open_groups = store::groups(conn, Counted::Open).await?;
    tallies(&open_groups, Column::Open, &mut by);
    let closed_groups = store::groups(conn, Counted::Closed { from, to }).await?;
    tallies(&closed_groups, Column::Closed, &mut by);
    for lines in &mut by {
        rules::rank(lines);
    }
    let [by_service_item, by_source, by_agent, by_department] = by;

    let limit = LIST_LIMIT as i64 + 1;
    let mut anomalies: Vec<ListedAnomaly> = store::listed_on(conn, &day, &next, limit)
        .await?
        .into_iter()
        .map(|a| listed(a, false))
        .collect();
    let late: Vec<ListedAnomaly> = match store::previous_made_at(conn, &day).await? {
        Some(since) => store::listed_late(conn, &day, since, limit)
            .await?
            .into_iter()
            .map(|a| listed(a, true))
            .collect(),
        None => Vec::new(),
    };
    let late_count = late.len() as i64;
    anomalies.extend(late);
    let truncated = anomalies.len() > LIST_LIMIT;
    anomalies.truncate(LIST_LIMIT);

    let today = local_date(calendar, now);
    let (overdue, overdue_total) =
        store::overdue_measures(conn, &today.to_string(), OVERDUE_LIMIT as i64).await?;
    let overdue_measures = overdue
        .into_iter()
        .map(|m| {
            let days = m
                .due_on
                .parse::<Date>()
                .ok()
                .and_then(|due| due.until(today).ok())
                .map_or(0, |span| i64::from(span.get_days()));
            OverdueMeasure {
                id: m.id,
                anomaly_number: m.anomaly_number,
                body: m.body.chars().take(DESCRIPTION_CHARS).collect(),
                owner: m.owner,
                due_on: m.due_on,
                days_overdue: days,
            }
        })
        .collect();

    Ok(DailyReport {
        date: day,
        covers_to: next,
        inspections,
        today: Headline::of(inspections, new),
        previous,
        mean,
        new,
        late: late_count,
        open: open_groups.iter().map(|g| g.count).sum(),
        closed: closed_groups.iter().map(|g| g.count).sum(),
        by_service_item,
        by_source,
        by_agent,
        by_department,
        causes: store::causes(conn, from, to).await?,
        overdue_measures,
        overdue_total,
        anomalies,
        truncated,
    })
}

impl App {
    /// The job's round: on a business day from [`REPORT_TIME`] on, makes the previous
    /// business day's report once, and mails it. `None` when there was nothing to do.
    pub async fn run_quality_report(&self) -> Result<Option<(Date, i64)>> {
        let now = self.now();
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let local = now.to_zoned(calendar.time_zone().clone());
        let Some(date) = rules::due(&calendar, local.date(), local.time()) else {
            return Ok(None);
        };
        if store::latest(&mut conn, &date.to_string()).await?.is_some() {
            return Ok(None);
        }
        let w = rules::window(&calendar, date, local.date())?;
        let body = figures(&mut conn, &calendar, w, now).await?;
        drop(conn);
        let made = self.store_report(w, 1, &body, "", None, now).await?;
        Ok(made.map(|id| (date, id)))
    }

    /// Makes the report of `date` now: the first one of a day the job missed, or a new
    /// revision with its reason.
    pub async fn make_quality_report(
        &self,
        actor: &Actor,
        date: Date,
        reason: &str,
    ) -> Result<QualityReport> {
        actor.require(Permission::QualityInspect)?;
        let now = self.now();
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let w = rules::window(&calendar, date, local_date(&calendar, now))?;
        let latest = store::latest(&mut conn, &date.to_string()).await?;
        let reason = rules::check_reason(date, latest.is_some(), reason)?;
        let revision = latest.as_ref().map_or(1, |r| r.revision + 1);
        let body = figures(&mut conn, &calendar, w, now).await?;
        drop(conn);
        self.store_report(w, revision, &body, &reason, actor.user_id(), now)
            .await?
            .ok_or_else(|| super::moved_on(revision))?;
        self.quality_report(actor, date, Some(revision)).await
    }

    /// Stores a revision with its anomalies, the managers' mail and everyone's notice, in
    /// one transaction; `None` when that revision was made meanwhile.
    async fn store_report(
        &self,
        w: Window,
        revision: i64,
        body: &DailyReport,
        reason: &str,
        by: Option<i64>,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let json = serde_json::to_string(body).map_err(corrupt)?;
        let items: Vec<(i64, bool)> = body.anomalies.iter().map(|a| (a.id, a.late)).collect();
        let date = w.date.to_string();
        let mut tx = self.store.begin().await?;
        let Some(id) = store::insert(
            &mut tx,
            &NewReport {
                report_date: &date,
                revision,
                covers_to: &w.to.to_string(),
                body: &json,
                reason,
                made_by: by,
                items: &items,
            },
            now,
        )
        .await?
        else {
            return Ok(None);
        };
        queue_mail(&mut tx, id, now).await?;
        let mut to = notify::with_role(&mut tx, Role::CsManager).await?;
        to.extend(notify::with_role(&mut tx, Role::QualitySpecialist).await?);
        to.retain(|u| Some(*u) != by);
        let params = serde_json::json!({
            "quality_report": date,
            "date": date,
            "revision": revision,
            "count": body.new,
        });
        notify::notify(&mut tx, &to, kind::QUALITY_REPORT, None, &params, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(Some(id))
    }

    /// Revision `revision` of `date`'s report (the latest when `None`).
    pub async fn quality_report(
        &self,
        actor: &Actor,
        date: Date,
        revision: Option<i64>,
    ) -> Result<QualityReport> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        let key = date.to_string();
        let row = match revision {
            Some(r) => store::revision(&mut conn, &key, r).await?,
            None => store::latest(&mut conn, &key).await?,
        }
        .ok_or(AppError::NotFound)?;
        let revisions = store::revisions(&mut conn, &key).await?;
        stored(row, revisions)
    }

    /// The reports, the newest date first, each at its latest revision.
    pub async fn quality_reports(&self, actor: &Actor) -> Result<Vec<ReportSummary>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        store::list(&mut conn, REPORT_LIST_LIMIT)
            .await?
            .into_iter()
            .map(|row| {
                let r = stored(row, Vec::new())?;
                Ok(ReportSummary {
                    date: r.date,
                    revision: r.revision,
                    covers_to: r.covers_to,
                    made_by_name: r.made_by_name,
                    made_at: r.made_at,
                    reason: r.reason,
                    today: r.body.today,
                    late: r.body.late,
                    open: r.body.open,
                    overdue: r.body.overdue_total,
                })
            })
            .collect()
    }

    /// Mails the latest revision of `date`'s report to the managers again; how many mails
    /// were queued.
    pub async fn resend_quality_report(&self, actor: &Actor, date: Date) -> Result<usize> {
        actor.require(Permission::QualityInspect)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let row = store::latest(&mut tx, &date.to_string())
            .await?
            .ok_or(AppError::NotFound)?;
        let sent = queue_mail(&mut tx, row.id, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(sent)
    }

    /// The time of day the job makes the report, local time (`08:30`).
    pub fn quality_report_time(&self) -> String {
        REPORT_TIME.strftime("%H:%M").to_string()
    }
}

/// Queues report `id`'s mail to each active customer service manager with an address;
/// how many.
async fn queue_mail(conn: &mut AnyConnection, id: i64, now: Timestamp) -> Result<usize> {
    let managers: Vec<(String, Locale)> = kefu_store::staff::list_users(conn)
        .await?
        .into_iter()
        .filter(|u| u.active && u.roles.contains(Role::CsManager))
        .filter_map(|u| {
            u.email
                .filter(|e| !e.trim().is_empty())
                .map(|e| (e, u.locale))
        })
        .collect();
    for (address, locale) in &managers {
        outbox::enqueue(
            conn,
            &Outgoing {
                channel: outbox::channel::EMAIL,
                kind: outbox::kind::QUALITY_DAILY_REPORT,
                address,
                locale: *locale,
                params: serde_json::json!({ "report": id }),
                // A report is news for a day or two.
                expires_at: Some(now + SignedDuration::from_hours(48)),
                send_after: None,
            },
            now,
        )
        .await?;
    }
    Ok(managers.len())
}

mod render;

impl App {
    /// The report as an XLSX in `locale`: its file name and bytes.
    pub fn quality_report_xlsx(
        &self,
        locale: Locale,
        r: &QualityReport,
    ) -> Result<(String, Vec<u8>)> {
        let bytes = render::report_export(self, locale, r).xlsx()?;
        Ok((render::file_name(self, locale, r), bytes))
    }

    /// The mail of outbox message `params` (`{"report": id}`): `None` when the report is
    /// gone.
    pub(crate) async fn quality_report_mail(
        &self,
        params: &serde_json::Value,
        locale: Locale,
    ) -> Result<Option<render::ReportMail>> {
        let Some(id) = params["report"].as_i64() else {
            return Ok(None);
        };
        let mut conn = self.store.conn().await?;
        let Some(row) = store::by_id(&mut conn, id).await? else {
            return Ok(None);
        };
        let revisions = store::revisions(&mut conn, &row.report_date).await?;
        drop(conn);
        let r = stored(row, revisions)?;
        Ok(Some(render::report_mail(self, locale, &r)?))
    }
}
