//! 排班 — who works when. The customer service manager (whoever manages follow-ups or
//! users) sets each person's week and the dated changes 调班; everyone sees their own.
//!
//! Where rosters count:
//! - **Follow-up visits** are slotted on their agent's shift: the planner, a reschedule,
//!   and a changed roster (the agent's visits still ahead are slotted again). Someone
//!   without a roster works the business calendar's hours.
//! - **Automatic assignment** of tickets skips a signed-in member who has a roster and is
//!   off it now, or who is on leave today: a forgotten 下班 does not send them work
//!   overnight or on holiday. Someone without a roster takes work whenever signed in.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::Permission;
use kefu_domain::calendar::{BusinessCalendar, DayKind};
use kefu_domain::staff::shift::{
    DaySource, Roster, check_change, format_day, format_week, parse_day, parse_week, stored_week,
};
use kefu_store::shift::{self as store, RosterChange};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::absence::{away_days, manages_absences};
use crate::follow_up::{call_window, load_settings, local_date, rest_of};
use crate::notify::{kind, notify};
use crate::{Actor, App, AppError, Result};

/// Days a roster page shows: one week, Monday first.
pub const WEEK_DAYS: usize = 7;

/// What a person works on one date, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterDay {
    pub date: Date,
    /// `09:00-12:00,14:30-18:00`; empty: off.
    pub periods: String,
    /// `week`, `make_up` (调休上班), `holiday`, `change` (调班) or `leave` (休假).
    pub source: &'static str,
    /// The change's note.
    pub note: String,
}

/// One person's line in a roster week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterLine {
    pub user_id: i64,
    pub name: String,
    /// Whether they have a week of their own (else the business calendar's).
    pub own_week: bool,
    /// Their week, Monday first, as texts.
    pub week: [String; 7],
    pub days: Vec<RosterDay>,
}

/// 排班表 — a week of rosters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterWeek {
    /// The Monday it starts on.
    pub start: Date,
    pub dates: Vec<Date>,
    /// Each date's kind in the business calendar (holiday, make-up day).
    pub kinds: Vec<Option<DayKind>>,
    pub lines: Vec<RosterLine>,
    /// Whether the reader sets rosters.
    pub manages: bool,
}

/// A dated change to set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeForm {
    pub user_id: i64,
    pub date: Date,
    /// `09:00-12:00,14:30-18:00`; empty or `休`: off that day.
    pub periods: String,
    pub note: String,
}

fn source_key(s: DaySource) -> &'static str {
    match s {
        DaySource::Week => "week",
        DaySource::MakeUp => "make_up",
        DaySource::Holiday => "holiday",
        DaySource::Change => "change",
    }
}

/// The Monday of the week `date` is in.
pub fn monday_of(date: Date) -> Date {
    let back = i64::from(date.weekday().to_monday_zero_offset());
    date.checked_sub(jiff::Span::new().days(back))
        .unwrap_or(date)
}

/// Everyone's rosters over some days, with what the week page shows besides.
pub(crate) struct Rosters {
    /// The people with a week or a change in those days (everyone else works the business
    /// calendar's hours).
    pub(crate) by_user: HashMap<i64, Roster>,
    /// The people with a week of their own.
    pub(crate) own_weeks: HashSet<i64>,
    /// Each change's note by person and day.
    pub(crate) notes: HashMap<(i64, String), String>,
}

/// Everyone's rosters with the changes from `from` to `to`.
pub(crate) async fn load_rosters(
    conn: &mut AnyConnection,
    calendar: &BusinessCalendar,
    (from, to): (Date, Date),
) -> Result<Rosters> {
    let weeks: HashMap<i64, String> = store::weeks(conn).await?.into_iter().collect();
    let mut changes: HashMap<i64, Vec<(Date, Vec<kefu_domain::calendar::Period>)>> = HashMap::new();
    let mut notes = HashMap::new();
    for c in store::changes(conn, &from.to_string(), &to.to_string()).await? {
        if let (Ok(day), Ok(periods)) = (c.day.parse(), parse_day(&c.periods, &c.day)) {
            changes.entry(c.user_id).or_default().push((day, periods));
        }
        notes.insert((c.user_id, c.day), c.note);
    }
    let users: HashSet<i64> = weeks.keys().chain(changes.keys()).copied().collect();
    let by_user = users
        .into_iter()
        .map(|u| {
            let week = weeks
                .get(&u)
                .and_then(|w| stored_week(w))
                .unwrap_or_else(|| calendar.week().clone());
            (u, Roster::new(week, changes.remove(&u).unwrap_or_default()))
        })
        .collect();
    Ok(Rosters {
        by_user,
        own_weeks: weeks.into_keys().collect(),
        notes,
    })
}

/// Everyone's rosters with the changes from `from` to `to`: the people with a week or a
/// change in those days (everyone else works the business calendar's hours).
pub(crate) async fn rosters(
    conn: &mut AnyConnection,
    calendar: &BusinessCalendar,
    span: (Date, Date),
) -> Result<HashMap<i64, Roster>> {
    Ok(load_rosters(conn, calendar, span).await?.by_user)
}

/// `user`'s roster over `from..until` (the business calendar's hours for nobody or someone
/// without one).
pub(crate) async fn roster_of(
    conn: &mut AnyConnection,
    calendar: &BusinessCalendar,
    user: Option<i64>,
    (from, until): (Timestamp, Timestamp),
) -> Result<Roster> {
    let Some(user) = user else {
        return Ok(Roster::department(calendar));
    };
    let span = (local_date(calendar, from), local_date(calendar, until));
    Ok(rosters(conn, calendar, span)
        .await?
        .remove(&user)
        .unwrap_or_else(|| Roster::department(calendar)))
}

/// The people who may not be given work at `now` although signed in: those with a roster
/// who are off it, and those on leave today.
pub(crate) async fn off_duty(
    conn: &mut AnyConnection,
    calendar: &BusinessCalendar,
    now: Timestamp,
) -> Result<HashSet<i64>> {
    let today = local_date(calendar, now);
    let mut off: HashSet<i64> = rosters(conn, calendar, (today, today))
        .await?
        .into_iter()
        .filter(|(_, r)| !r.on_shift(now, calendar))
        .map(|(u, _)| u)
        .collect();
    for (user, spans) in away_days(conn, today).await? {
        if kefu_domain::staff::absence::away_on(&spans, today) {
            off.insert(user);
        }
    }
    Ok(off)
}

/// Tells `user` that someone else changed their working time (nobody is told of their
/// own change); `params` get `by`, the name of who did it.
pub(crate) async fn tell(
    conn: &mut AnyConnection,
    actor: &Actor,
    user: i64,
    kind: &str,
    mut params: serde_json::Value,
    now: Timestamp,
) -> Result<()> {
    if actor.user_id() == Some(user) {
        return Ok(());
    }
    let by = match actor.user_id() {
        Some(id) => kefu_store::staff::user_by_id(conn, id).await?.display_name,
        None => actor.name().to_owned(),
    };
    params["by"] = by.into();
    notify(conn, &[user], kind, None, &params, now).await
}

fn may_set(actor: &Actor) -> Result<()> {
    if manages_absences(actor) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

impl App {
    /// The roster week starting on the Monday of `date` (today's week when `None`): every
    /// active staff member's for a manager, else the reader's own.
    pub async fn roster_week(&self, actor: &Actor, date: Option<Date>) -> Result<RosterWeek> {
        actor.require(Permission::AccountSelf)?;
        let manages = manages_absences(actor);
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let start = monday_of(date.unwrap_or_else(|| local_date(&calendar, self.now())));
        let dates: Vec<Date> = (0..WEEK_DAYS as i64)
            .filter_map(|d| start.checked_add(jiff::Span::new().days(d)).ok())
            .collect();
        let end = *dates.last().unwrap_or(&start);
        let Rosters {
            by_user: rosters,
            own_weeks: own,
            notes,
        } = load_rosters(&mut conn, &calendar, (start, end)).await?;
        let away = away_days(&mut conn, start).await?;
        let department = Roster::department(&calendar);
        let lines = kefu_store::staff::list_users(&mut conn)
            .await?
            .into_iter()
            .filter(|u| u.active && (manages || actor.user_id() == Some(u.id)))
            .map(|u| {
                let roster = rosters.get(&u.id).unwrap_or(&department);
                let days = dates
                    .iter()
                    .map(|&date| {
                        let (periods, source) = roster.day(date, &calendar);
                        let leave = away
                            .get(&u.id)
                            .is_some_and(|a| kefu_domain::staff::absence::away_on(a, date));
                        RosterDay {
                            date,
                            periods: if leave {
                                String::new()
                            } else {
                                format_day(periods)
                            },
                            source: if leave { "leave" } else { source_key(source) },
                            note: notes
                                .get(&(u.id, date.to_string()))
                                .cloned()
                                .unwrap_or_default(),
                        }
                    })
                    .collect();
                RosterLine {
                    user_id: u.id,
                    own_week: own.contains(&u.id),
                    week: roster.week().clone().map(|d| format_day(&d)),
                    name: u.display_name,
                    days,
                }
            })
            .collect();
        Ok(RosterWeek {
            start,
            kinds: dates.iter().map(|d| calendar.day_kind(*d)).collect(),
            dates,
            lines,
            manages,
        })
    }

    /// Sets a person's week (seven days' periods, Monday first; empty is a rest day) and
    /// slots their visits still ahead on it. Returns how many visits were slotted again.
    pub async fn set_roster(&self, actor: &Actor, user_id: i64, days: &[String]) -> Result<u64> {
        may_set(actor)?;
        let week = parse_week(days)?;
        self.write_week(actor, user_id, Some(&format_week(&week)))
            .await
    }

    /// Removes a person's week: they work the business calendar's hours again.
    pub async fn clear_roster(&self, actor: &Actor, user_id: i64) -> Result<u64> {
        may_set(actor)?;
        self.write_week(actor, user_id, None).await
    }

    /// Stores (or, with `None`, removes) a person's week, tells them, and slots their
    /// visits again on it.
    async fn write_week(&self, actor: &Actor, user_id: i64, week: Option<&str>) -> Result<u64> {
        let now = self.now();
        {
            let mut tx = self.store.begin().await?;
            kefu_store::staff::user_by_id(&mut tx, user_id).await?;
            match week {
                Some(w) => store::set_week(&mut tx, user_id, w, actor.user_id(), now).await?,
                None => store::clear_week(&mut tx, user_id).await?,
            }
            let calendar = self.business_calendar(&mut tx).await?;
            let monday = monday_of(local_date(&calendar, now)).to_string();
            let params = json!({ "roster_week": monday });
            tell(
                &mut tx,
                actor,
                user_id,
                kind::SHIFT_WEEK_CHANGED,
                params,
                now,
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
        }
        self.reslot_visits(user_id).await
    }

    /// 调班 — sets what a person works on one date (today onwards), replacing the week
    /// there; returns how many of their visits were slotted again.
    pub async fn set_roster_change(&self, actor: &Actor, form: &ChangeForm) -> Result<u64> {
        may_set(actor)?;
        let day = form.date.to_string();
        let periods = parse_day(&form.periods, &day)?;
        {
            let mut tx = self.store.begin().await?;
            kefu_store::staff::user_by_id(&mut tx, form.user_id).await?;
            let calendar = self.business_calendar(&mut tx).await?;
            let note = check_change(form.date, &form.note, local_date(&calendar, self.now()))?;
            let change = RosterChange {
                user_id: form.user_id,
                day,
                periods: format_day(&periods),
                note,
            };
            store::set_change(&mut tx, &change, actor.user_id(), self.now()).await?;
            let params = json!({
                "date": change.day,
                "roster_week": monday_of(form.date).to_string(),
            });
            tell(
                &mut tx,
                actor,
                form.user_id,
                kind::SHIFT_DAY_CHANGED,
                params,
                self.now(),
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
        }
        self.reslot_visits(form.user_id).await
    }

    /// Removes the change of a person's date: the week counts there again.
    pub async fn clear_roster_change(
        &self,
        actor: &Actor,
        user_id: i64,
        date: Date,
    ) -> Result<u64> {
        may_set(actor)?;
        {
            let mut tx = self.store.begin().await?;
            if !store::clear_change(&mut tx, user_id, &date.to_string()).await? {
                return Err(StoreError::NotFound.into());
            }
            let params = json!({
                "date": date.to_string(),
                "roster_week": monday_of(date).to_string(),
            });
            tell(
                &mut tx,
                actor,
                user_id,
                kind::SHIFT_DAY_CHANGED,
                params,
                self.now(),
            )
            .await?;
            tx.commit().await.map_err(StoreError::from)?;
        }
        self.reslot_visits(user_id).await
    }

    /// Slots again `agent_id`'s planned visits still ahead (not those with a call-back time
    /// the contact asked for) on their roster as it is now.
    async fn reslot_visits(&self, agent_id: i64) -> Result<u64> {
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let calendar = self.business_calendar(&mut tx).await?;
        let settings = load_settings(&mut tx).await?;
        let visits = kefu_store::follow_up::ahead_of_agent(&mut tx, agent_id, now).await?;
        let Some(last) = visits.iter().map(|v| v.window_end).max() else {
            return Ok(0);
        };
        let today = local_date(&calendar, now);
        let roster = rosters(&mut tx, &calendar, (today, local_date(&calendar, last)))
            .await?
            .remove(&agent_id)
            .unwrap_or_else(|| Roster::department(&calendar));
        let ids: Vec<i64> = visits.iter().filter_map(|v| v.contact_id).collect();
        let contacts: HashMap<i64, kefu_store::customer::Contact> =
            kefu_store::customer::contacts_by_ids(&mut tx, &ids)
                .await?
                .into_iter()
                .map(|c| (c.id, c))
                .collect();
        for v in &visits {
            let rest = rest_of(v.contact_id.and_then(|c| contacts.get(&c)));
            let slot = call_window(&calendar, &settings.calling_hours, &roster, &rest)
                .earliest(v.due_at.max(now), v.window_end)
                .map(|s| s.start);
            kefu_store::follow_up::set_slot(&mut tx, v.id, slot).await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        tracing::info!(
            agent = agent_id,
            visits = visits.len(),
            "visits slotted on the roster"
        );
        Ok(visits.len() as u64)
    }
}
