//! 改善措施 — improvement measures on anomalies (CAPA, 000 §(四)6): planned by the quality
//! specialist under the manager's instruction, carried out by their owner, verified by
//! someone else once the set days have passed — with how often the same item and cause came
//! back since — and reminded daily when overdue, the managers told once past a few days.
//! A measure found not effective opens its anomaly again.

use jiff::civil::Date;
use kefu_domain::quality::measure::{
    self as rules, ESCALATE_AFTER_DAYS, MeasureError, MeasureKind, MeasureStatus,
};
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::quality::measure::{self as store, MeasureRow, NewMeasure, Step};

use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// Plans a measure in the caller's transaction (by hand, or decided by `meeting`); its
/// owner is told unless they planned it.
pub(crate) async fn plan(
    conn: &mut kefu_store::AnyConnection,
    by: Option<i64>,
    anomaly_id: i64,
    form: &MeasureForm,
    meeting: Option<i64>,
    now: jiff::Timestamp,
) -> Result<i64> {
    rules::check_new(&form.body, form.due_on, super::beijing_today(now))?;
    let a = kefu_store::quality::anomaly::by_id(conn, anomaly_id).await?;
    let owner = kefu_store::staff::user_by_id(conn, form.owner_id).await?;
    if !owner.active {
        return Err(AppError::NotFound);
    }
    let due = form.due_on.to_string();
    let row = NewMeasure {
        anomaly_id,
        kind: form.kind.key(),
        body: form.body.trim(),
        owner_id: form.owner_id,
        due_on: &due,
        created_by: by,
        meeting_id: meeting,
    };
    let id = store::insert(conn, &row, now).await?;
    if by != Some(form.owner_id) {
        let params = serde_json::json!({
            "measure": id, "number": a.number, "text": form.body.trim(), "due": due,
        });
        notify::notify(
            conn,
            &[form.owner_id],
            kind::QUALITY_MEASURE,
            None,
            &params,
            now,
        )
        .await?;
    }
    Ok(id)
}

/// Most measures a list shows.
pub const MEASURE_LIMIT: i64 = 500;

/// A measure as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureForm {
    pub kind: MeasureKind,
    pub body: String,
    pub owner_id: i64,
    pub due_on: Date,
}

/// Whose measures a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeasureScope {
    /// The reader's own.
    Mine,
    /// Everyone's (quality).
    Everyone,
}

/// A measure as its page shows it, with what the reader may do.
#[derive(Debug, Clone)]
pub struct MeasureView {
    pub measure: MeasureRow,
    /// Days past its due date while pending.
    pub overdue_days: i32,
    /// The first day it may be verified, once done.
    pub verify_from: Option<Date>,
    /// Anomalies of the same item and cause since it was done (so far).
    pub recurrences: Option<i64>,
    pub may_progress: bool,
    pub may_verify: bool,
    pub may_instruct: bool,
}

fn status_of(m: &MeasureRow) -> Result<MeasureStatus> {
    m.status
        .parse()
        .map_err(|_| AppError::Store(StoreError::Corrupt(format!("status {}", m.status))))
}

fn done_on(m: &MeasureRow) -> Option<Date> {
    m.done_on.as_deref().and_then(|d| d.parse().ok())
}

/// Who reads a measure: quality, or its owner.
fn may_read(actor: &Actor, m: &MeasureRow) -> Result<()> {
    if actor.require(Permission::QualityInspect).is_ok() || actor.user_id() == Some(m.owner_id) {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

impl App {
    /// Plans a measure on anomaly `anomaly_id`; its owner is told.
    pub async fn plan_quality_measure(
        &self,
        actor: &Actor,
        anomaly_id: i64,
        form: &MeasureForm,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let id = plan(&mut tx, actor.user_id(), anomaly_id, form, None, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// The measures of anomaly `id`.
    pub async fn quality_measures_of(&self, actor: &Actor, id: i64) -> Result<Vec<MeasureRow>> {
        actor.require(Permission::QualityInspect)?;
        let mut conn = self.store.conn().await?;
        Ok(store::of_anomaly(&mut conn, id).await?)
    }

    /// Measures in `scope`, pending ones only when asked, the soonest due first.
    pub async fn quality_measures(
        &self,
        actor: &Actor,
        scope: MeasureScope,
        pending: bool,
    ) -> Result<Vec<MeasureRow>> {
        let owner = match scope {
            MeasureScope::Everyone => {
                actor.require(Permission::QualityInspect)?;
                None
            }
            MeasureScope::Mine => Some(actor.user_id().ok_or(AppError::Forbidden)?),
        };
        let mut conn = self.store.conn().await?;
        Ok(store::list(&mut conn, owner, pending, MEASURE_LIMIT).await?)
    }

    /// One measure, for quality or its owner.
    pub async fn quality_measure(&self, actor: &Actor, id: i64) -> Result<MeasureView> {
        let now = self.now();
        let mut conn = self.store.conn().await?;
        let m = store::by_id(&mut conn, id).await?;
        may_read(actor, &m)?;
        let status = status_of(&m)?;
        let done = done_on(&m);
        let recurrences = match (m.recurrences, done) {
            (Some(n), _) => Some(n),
            (None, Some(d)) => {
                let a = kefu_store::quality::anomaly::by_id(&mut conn, m.anomaly_id).await?;
                let since = crate::follow_up::local_midnight(
                    &kefu_domain::calendar::BusinessCalendar::china_standard(),
                    d,
                );
                Some(
                    store::recurrences(
                        &mut conn,
                        a.service_item_id,
                        a.cause.as_deref(),
                        since,
                        a.id,
                    )
                    .await?,
                )
            }
            _ => None,
        };
        let me = actor.user_id().unwrap_or(0);
        let due: Option<Date> = m.due_on.parse().ok();
        Ok(MeasureView {
            overdue_days: match due {
                Some(d) if status.pending() => rules::days_overdue(d, super::beijing_today(now)),
                _ => 0,
            },
            verify_from: done.map(|d| rules::verify_from(d, rules::VERIFY_AFTER_DAYS)),
            recurrences,
            may_progress: status.pending() && me == m.owner_id,
            may_verify: actor.require(Permission::QualityInspect).is_ok()
                && rules::may_verify(status, m.owner_id, me, done, super::beijing_today(now))
                    .is_ok(),
            may_instruct: actor.require(Permission::QualityDecide).is_ok() && status.pending(),
            measure: m,
        })
    }

    /// The owner reports progress: in progress, or done (with what was done).
    pub async fn progress_quality_measure(
        &self,
        actor: &Actor,
        id: i64,
        to: MeasureStatus,
        note: &str,
        version: Option<i64>,
    ) -> Result<i64> {
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        rules::check_note(note)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let m = store::by_id(&mut tx, id).await?;
        may_read(actor, &m)?;
        super::expect_version(m.version, version)?;
        rules::progress(status_of(&m)?, to, m.owner_id, me)?;
        let day = super::beijing_today(now).to_string();
        let step = Step::Progress {
            status: to.key(),
            note: note.trim(),
            done_on: (to == MeasureStatus::Done).then_some(day.as_str()),
        };
        if !store::step(&mut tx, id, m.version, &step, now).await? {
            return Err(super::moved_on(m.version + 1));
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(m.version + 1)
    }

    /// 经理指示 — the manager's instruction on a measure; its owner is told.
    pub async fn instruct_quality_measure(
        &self,
        actor: &Actor,
        id: i64,
        text: &str,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityDecide)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        if text.trim().is_empty() {
            return Err(MeasureError::NoText.into());
        }
        rules::check_note(text)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let m = store::by_id(&mut tx, id).await?;
        super::expect_version(m.version, version)?;
        let step = Step::Instruction {
            text: text.trim(),
            by: me,
        };
        if !store::step(&mut tx, id, m.version, &step, now).await? {
            return Err(super::moved_on(m.version + 1));
        }
        if m.owner_id != me {
            let params = serde_json::json!({ "measure": id, "text": text.trim() });
            notify::notify(
                &mut tx,
                &[m.owner_id],
                kind::QUALITY_MEASURE_INSTRUCTED,
                None,
                &params,
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(m.version + 1)
    }

    /// Verifies a measure done: effective, or not (its anomaly opens again and the quality
    /// specialists and the owner are told). Keeps how often the problem came back.
    pub async fn verify_quality_measure(
        &self,
        actor: &Actor,
        id: i64,
        effective: bool,
        note: &str,
        version: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::QualityInspect)?;
        let me = actor.user_id().ok_or(AppError::Forbidden)?;
        rules::check_note(note)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let m = store::by_id(&mut tx, id).await?;
        super::expect_version(m.version, version)?;
        let done = done_on(&m);
        rules::may_verify(
            status_of(&m)?,
            m.owner_id,
            me,
            done,
            super::beijing_today(now),
        )?;
        let a = kefu_store::quality::anomaly::by_id(&mut tx, m.anomaly_id).await?;
        let since = crate::follow_up::local_midnight(
            &kefu_domain::calendar::BusinessCalendar::china_standard(),
            done.unwrap_or(super::beijing_today(now)),
        );
        let recurrences =
            store::recurrences(&mut tx, a.service_item_id, a.cause.as_deref(), since, a.id).await?;
        let status = if effective {
            MeasureStatus::Effective
        } else {
            MeasureStatus::NotEffective
        };
        let step = Step::Verdict {
            status: status.key(),
            note: note.trim(),
            by: me,
            recurrences,
        };
        if !store::step(&mut tx, id, m.version, &step, now).await? {
            return Err(super::moved_on(m.version + 1));
        }
        if !effective {
            kefu_store::quality::anomaly::reopen(&mut tx, a.id).await?;
            let mut to = notify::with_role(&mut tx, Role::QualitySpecialist).await?;
            to.push(m.owner_id);
            to.retain(|u| *u != me);
            let params = serde_json::json!({
                "anomaly": a.id, "number": a.number, "text": m.body,
            });
            notify::notify(
                &mut tx,
                &to,
                kind::QUALITY_MEASURE_NOT_EFFECTIVE,
                None,
                &params,
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(m.version + 1)
    }

    /// The job's round: reminds each overdue measure's owner once a day and, once it is
    /// [`ESCALATE_AFTER_DAYS`] late, tells the managers once. Returns the reminders sent.
    pub async fn remind_quality_measures(&self) -> Result<usize> {
        let now = self.now();
        let day = super::beijing_today(now);
        let key = day.to_string();
        let due = {
            let mut conn = self.store.conn().await?;
            store::overdue_to_remind(&mut conn, &key).await?
        };
        let mut sent = 0;
        for (id, owner, body, due_on, escalated) in due {
            let late = due_on
                .parse::<Date>()
                .map(|d| rules::days_overdue(d, day))
                .unwrap_or(0);
            let escalate = !escalated && late >= ESCALATE_AFTER_DAYS;
            let mut tx = self.store.begin().await?;
            if !store::mark_reminded(&mut tx, id, &key, escalate).await? {
                continue;
            }
            let params = serde_json::json!({
                "measure": id, "text": body, "due": due_on, "count": late,
            });
            notify::notify(
                &mut tx,
                &[owner],
                kind::QUALITY_MEASURE_OVERDUE,
                None,
                &params,
                now,
            )
            .await?;
            if escalate {
                let managers = notify::with_role(&mut tx, Role::CsManager).await?;
                notify::notify(
                    &mut tx,
                    &managers,
                    kind::QUALITY_MEASURE_ESCALATED,
                    None,
                    &params,
                    now,
                )
                .await?;
            }
            tx.commit().await.map_err(StoreError::from)?;
            sent += 1;
        }
        Ok(sent)
    }
}
