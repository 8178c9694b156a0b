//! 工作日历 — business calendars: editing the working week, importing holiday lists, and
//! loading calendars for SLA computation. A new installation gets the standard Chinese
//! calendar (seed 002's hours, the State Council's holidays) and two SLA policies, so
//! deadlines count from the first ticket.

use std::collections::HashMap;

use kefu_domain::calendar::{self, BusinessCalendar, DayKind, Period, SpecialDay};
use kefu_domain::{Permission, Role};
use kefu_store::sla::{self as store, CalendarRow, DayRow, PolicyRow};
use kefu_store::{AnyConnection, StoreError, changelog};

use crate::versions::{self, Setting};
use crate::workbench::{
    Count, Filled, Label, Reader, TileBody, TileFuture, TileItem, TileSpec, local_date,
};
use crate::{Actor, App, AppError, Result};

/// A calendar with its special days, for pages and the API.
#[derive(Debug, Clone)]
pub struct CalendarView {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub week: [Vec<Period>; 7],
    pub is_default: bool,
    /// Moves on with every change of the calendar or its days.
    pub version: i64,
    pub days: Vec<SpecialDay>,
}

/// An edit of a calendar's name, zone and week; each weekday as text like
/// `09:00-12:00, 14:30-18:00` (empty for a rest day).
#[derive(Debug, Clone)]
pub struct CalendarForm {
    pub name: String,
    pub time_zone: String,
    pub week: [String; 7],
}

fn parse_week(week: &[String; 7]) -> Result<[Vec<Period>; 7]> {
    let mut out: [Vec<Period>; 7] = Default::default();
    for (i, text) in week.iter().enumerate() {
        for part in text
            .split([',', '，', ';', ' '])
            .filter(|p| !p.trim().is_empty())
        {
            out[i].push(Period::parse(part.trim())?);
        }
    }
    Ok(out)
}

fn week_json(week: &[Vec<Period>; 7]) -> String {
    serde_json::to_string(week).unwrap_or_else(|_| "[[],[],[],[],[],[],[]]".into())
}

fn read_week(json: &str) -> Result<[Vec<Period>; 7]> {
    serde_json::from_str(json).map_err(|e| AppError::Store(StoreError::Corrupt(e.to_string())))
}

fn day_rows(days: &[SpecialDay]) -> Vec<DayRow> {
    days.iter()
        .map(|d| (d.date.to_string(), d.kind.key().to_owned(), d.name.clone()))
        .collect()
}

fn special_days(rows: &[DayRow]) -> Vec<SpecialDay> {
    rows.iter()
        .filter_map(|(day, kind, name)| {
            Some(SpecialDay {
                date: day.parse().ok()?,
                kind: DayKind::parse(kind)?,
                name: name.clone(),
            })
        })
        .collect()
}

/// Every calendar, ready to compute with, by id (two queries).
pub(crate) async fn load_all(
    conn: &mut AnyConnection,
) -> Result<(HashMap<i64, BusinessCalendar>, Option<i64>)> {
    let rows = store::calendars(conn).await?;
    let days = store::all_calendar_days(conn).await?;
    let default = rows
        .iter()
        .find(|r| r.is_default)
        .or(rows.first())
        .map(|r| r.id);
    let mut out = HashMap::new();
    for row in rows {
        let mine: Vec<DayRow> = days
            .iter()
            .filter(|(c, _)| *c == row.id)
            .map(|(_, d)| d.clone())
            .collect();
        let special = special_days(&mine).into_iter().map(|d| (d.date, d.kind));
        let cal = BusinessCalendar::new(&row.time_zone, read_week(&row.week)?, special)?;
        out.insert(row.id, cal);
    }
    Ok((out, default))
}

impl App {
    /// Creates the standard calendar and SLA policies on an installation that has none.
    pub async fn ensure_ticket_defaults(&self) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.begin_seeding().await?;
        if !store::calendars(&mut tx).await?.is_empty() {
            return Ok(());
        }
        let standard = BusinessCalendar::china_standard();
        let row = CalendarRow {
            id: 0,
            name: "标准工作日历".into(),
            time_zone: calendar::DEFAULT_TIME_ZONE.into(),
            week: week_json(standard.week()),
            is_default: true,
            version: 1,
        };
        let id = match store::insert_calendar(&mut tx, &row, now).await {
            Ok(id) => id,
            // Another instance seeded it at the same moment.
            Err(StoreError::Conflict(_)) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let days = calendar::parse_holiday_list(calendar::CHINA_HOLIDAYS)?;
        store::upsert_days(&mut tx, id, &day_rows(&days)).await?;
        // Logged like an administrator's change, so set-up read before it is read again.
        changelog::record(
            &mut tx,
            "calendar",
            id,
            changelog::Operation::Create,
            None,
            now,
        )
        .await?;
        if store::policies(&mut tx).await?.is_empty() {
            let policy = |name: &str, position, priority: Option<&str>, fr, nr, res| PolicyRow {
                id: 0,
                name: name.into(),
                position,
                ticket_type: None,
                priority: priority.map(str::to_owned),
                customer_tier: None,
                calendar_id: id,
                first_response_minutes: Some(fr),
                next_response_minutes: Some(nr),
                resolution_minutes: Some(res),
                active: true,
                version: 1,
            };
            // Urgent: answer within half an hour, solve within a working day.
            store::insert_policy(
                &mut tx,
                &policy("紧急工单", 10, Some("urgent"), 30, 60, 390),
                now,
            )
            .await?;
            // Everything else: two working hours to answer, three working days to solve.
            store::insert_policy(&mut tx, &policy("标准服务", 100, None, 120, 240, 1170), now)
                .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    pub async fn calendars(&self, actor: &Actor) -> Result<Vec<CalendarView>> {
        actor.require(Permission::TicketWork)?;
        let mut conn = self.store.conn().await?;
        let rows = store::calendars(&mut conn).await?;
        let mut out = Vec::new();
        for row in rows {
            let days = store::calendar_days(&mut conn, row.id).await?;
            out.push(CalendarView {
                id: row.id,
                week: read_week(&row.week)?,
                name: row.name,
                time_zone: row.time_zone,
                is_default: row.is_default,
                version: row.version,
                days: special_days(&days),
            });
        }
        Ok(out)
    }

    /// Adds a calendar (`id` = None) or changes one, made against version `expected` of it
    /// (see [`crate::versions`]).
    pub async fn save_calendar(
        &self,
        actor: &Actor,
        id: Option<i64>,
        form: &CalendarForm,
        expected: Option<i64>,
    ) -> Result<i64> {
        actor.require(Permission::TicketAdmin)?;
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 60 {
            return Err(AppError::BadName);
        }
        let week = parse_week(&form.week)?;
        // Validates the zone and the periods before anything is written.
        BusinessCalendar::new(form.time_zone.trim(), week.clone(), [])?;
        let row = CalendarRow {
            id: id.unwrap_or(0),
            name: name.to_owned(),
            time_zone: form.time_zone.trim().to_owned(),
            week: week_json(&week),
            is_default: false,
            version: 0,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        if let Some(id) = id {
            versions::expect_setting(&mut tx, Setting::Calendar, id, expected).await?;
        }
        let id = match id {
            Some(id) => {
                store::update_calendar(&mut tx, &row, now)
                    .await
                    .map_err(AppError::name_taken)?;
                id
            }
            None => store::insert_calendar(&mut tx, &row, now)
                .await
                .map_err(AppError::name_taken)?,
        };
        changelog::record(
            &mut tx,
            "calendar",
            id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// Imports a holiday list (see [`calendar::parse_holiday_list`]) into a calendar; a bad
    /// line refuses the whole list and names the line. Returns the number of days.
    pub async fn import_holidays(
        &self,
        actor: &Actor,
        calendar_id: i64,
        text: &str,
    ) -> Result<usize> {
        actor.require(Permission::TicketAdmin)?;
        let days = calendar::parse_holiday_list(text)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        // Days are added to whatever the calendar holds: no stale list to refuse, but the
        // calendar's version moves on so an open edit form notices.
        versions::expect_setting(&mut tx, Setting::Calendar, calendar_id, None).await?;
        store::upsert_days(&mut tx, calendar_id, &day_rows(&days)).await?;
        changelog::record(
            &mut tx,
            "calendar",
            calendar_id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(days.len())
    }

    pub async fn delete_calendar_day(
        &self,
        actor: &Actor,
        calendar_id: i64,
        day: &str,
    ) -> Result<()> {
        actor.require(Permission::TicketAdmin)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        versions::expect_setting(&mut tx, Setting::Calendar, calendar_id, None).await?;
        store::delete_day(&mut tx, calendar_id, day).await?;
        changelog::record(
            &mut tx,
            "calendar",
            calendar_id,
            changelog::Operation::Update,
            actor.user_id(),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }
}

pub(crate) const TILES: &[TileSpec] = &[TileSpec {
    key: "calendar.holidays_missing",
    title: "workbench.tile.holidays_missing",
    roles: &[Role::Admin],
    permission: Permission::TicketAdmin,
    fill: holidays_missing,
}];

/// 节假日安排缺失 — the business calendars without a single holiday this year or, from
/// December (the State Council publishes the coming year's list each November), the
/// coming year: their deadlines would run through the holidays. Nothing to say otherwise.
fn holidays_missing<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let today = local_date(r.now);
        let mut years = vec![today.year()];
        if today.month() == 12 {
            years.push(today.year() + 1);
        }
        let mut items = Vec::new();
        let mut conn = app.store.conn().await?;
        for year in years {
            let from = format!("{year:04}-01-01");
            let until = format!("{:04}-01-01", year + 1);
            for (id, name) in store::calendars_without_holidays(&mut conn, &from, &until).await? {
                items.push(TileItem {
                    label: Label::Text(name),
                    detail: Some(Label::Format(
                        "workbench.holidays_missing_year",
                        vec![("year", year.to_string())],
                    )),
                    at: None,
                    link: Some(format!("/admin/calendars/{id}")),
                    alert: true,
                });
            }
        }
        if items.is_empty() {
            return Ok(None);
        }
        let total = Count::exact(items.len() as i64);
        Ok(Some(Filled {
            link: None,
            body: TileBody::Items { items, total },
            hint: Some(Label::Key("workbench.hint.holidays")),
        }))
    })
}
