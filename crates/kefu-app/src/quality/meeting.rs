//! 质量异常讨论会 — the meeting summary of a period (anomalies by service item as a Pareto,
//! their causes, the measures and their state; printed as the agenda) and the meeting's
//! record: who came, what was decided, and the measures it decided, planned in the same
//! transaction and tracked from then on like any other (reminded, verified).

use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::quality::meeting::{self as rules, MeetingError, ParetoLine};
use kefu_store::StoreError;
use kefu_store::quality::measure::{self as measure_store, MeasureRow};
use kefu_store::quality::meeting::{self as store, MeetingRow, NewMeeting};
use kefu_store::quality::report::{self as report_store, Listed};

use super::MeasureForm;
use crate::{Actor, App, AppError, Result};

/// Most measures and anomalies a summary lists, and meetings a list shows.
pub const MEETING_LIMIT: i64 = 500;

/// What a period's meeting discusses.
#[derive(Debug, Clone)]
pub struct MeetingSummary {
    pub from: Date,
    pub to: Date,
    pub total: i64,
    /// Service items, most anomalies first, the vital few marked.
    pub pareto: Vec<ParetoLine>,
    /// (service item, cause key or empty for not investigated, count), most first.
    pub causes: Vec<(String, String, i64)>,
    /// Measures on the period's anomalies by status key, in the statuses' order.
    pub measure_states: Vec<(String, i64)>,
    pub measures: Vec<MeasureRow>,
    /// The period's anomalies (a new measure is planned on one of them).
    pub anomalies: Vec<Listed>,
}

/// A meeting's record as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeetingForm {
    pub title: String,
    pub from: Date,
    pub to: Date,
    pub held_on: Date,
    pub decisions: String,
    pub attendees: Vec<i64>,
    /// New measures, each on one of the period's anomalies.
    pub measures: Vec<(i64, MeasureForm)>,
}

/// A meeting as its page shows it: the record, the measures it decided (as they stand
/// now) and its period's summary.
#[derive(Debug, Clone)]
pub struct MeetingView {
    pub meeting: MeetingRow,
    pub decided: Vec<MeasureRow>,
    pub summary: MeetingSummary,
}

fn next_day(d: Date) -> String {
    d.tomorrow().unwrap_or(d).to_string()
}

impl App {
    /// The summary of `[from, to]` (both days included).
    pub async fn quality_meeting_summary(
        &self,
        actor: &Actor,
        from: Date,
        to: Date,
    ) -> Result<MeetingSummary> {
        actor.require(Permission::QualityInspect)?;
        kefu_domain::dates::check_range(from, to)?;
        rules::check_period(from, to)?;
        let (start, end) = (from.to_string(), next_day(to));
        let mut conn = self.store.conn().await?;
        let items = store::by_service_item(&mut conn, &start, &end).await?;
        let total = items.iter().map(|(_, n)| n).sum();
        let causes = store::causes(&mut conn, &start, &end).await?;
        let measures = measure_store::of_period(&mut conn, &start, &end, MEETING_LIMIT).await?;
        let measure_states =
            <kefu_domain::quality::measure::MeasureStatus as kefu_domain::input::Keyed>::keys()
                .into_iter()
                .map(|k| {
                    let n = measures.iter().filter(|m| m.status == k).count() as i64;
                    (k.to_owned(), n)
                })
                .collect();
        let anomalies = report_store::listed_on(&mut conn, &start, &end, MEETING_LIMIT).await?;
        Ok(MeetingSummary {
            from,
            to,
            total,
            pareto: rules::pareto(&items),
            causes,
            measure_states,
            measures,
            anomalies,
        })
    }

    /// Records a meeting with its attendees and the measures it decided, in one
    /// transaction: a refused measure leaves nothing written.
    pub async fn record_quality_meeting(&self, actor: &Actor, form: &MeetingForm) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        kefu_domain::dates::check_range(form.from, form.to)?;
        rules::check_period(form.from, form.to)?;
        let now = self.now();
        let today = super::beijing_today(now);
        let mut attendees = form.attendees.clone();
        attendees.sort_unstable();
        attendees.dedup();
        rules::check_record(
            form.title.trim(),
            &form.decisions,
            attendees.len(),
            form.measures.len(),
            form.held_on,
            today,
        )?;
        let (start, end) = (form.from.to_string(), next_day(form.to));
        let mut tx = self.store.begin().await?;
        for user in &attendees {
            kefu_store::staff::user_by_id(&mut tx, *user).await?;
        }
        let id = store::insert(
            &mut tx,
            &NewMeeting {
                title: form.title.trim(),
                period_from: &start,
                period_to: &form.to.to_string(),
                held_on: &form.held_on.to_string(),
                decisions: form.decisions.trim(),
                attendees: &attendees,
                created_by: actor.user_id(),
            },
            now,
        )
        .await?;
        for (anomaly, m) in &form.measures {
            let a = kefu_store::quality::anomaly::by_id(&mut tx, *anomaly).await?;
            if a.occurred_on < start || a.occurred_on >= end {
                return Err(MeetingError::AnomalyOutsidePeriod(a.number).into());
            }
            super::measure::plan(&mut tx, actor.user_id(), *anomaly, m, Some(id), now).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The meetings, the latest held first.
    pub async fn quality_meetings(&self, actor: &Actor) -> Result<Vec<MeetingRow>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, MEETING_LIMIT).await?)
    }

    /// One meeting, its measures as they stand and its period's summary.
    pub async fn quality_meeting(&self, actor: &Actor, id: i64) -> Result<MeetingView> {
        actor.require(Permission::QualityInspect)?;
        let (meeting, decided) = {
            let mut conn = self.store.conn().await?;
            let meeting = store::by_id(&mut conn, id).await?;
            let decided = measure_store::of_meeting(&mut conn, id).await?;
            (meeting, decided)
        };
        let parse = |d: &str| {
            d.parse::<Date>()
                .map_err(|_| AppError::Store(StoreError::Corrupt(format!("meeting date {d}"))))
        };
        let summary = self
            .quality_meeting_summary(
                actor,
                parse(&meeting.period_from)?,
                parse(&meeting.period_to)?,
            )
            .await?;
        Ok(MeetingView {
            meeting,
            decided,
            summary,
        })
    }
}
