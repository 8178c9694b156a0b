//! 服务时限与工作日历 — the admin pages for SLA policies and business calendars (the
//! working week, holidays and make-up days, holiday-list import).

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::calendar::{CalendarForm, CalendarView};
use kefu_app::ticket::{PolicyForm, TIERS};
use kefu_domain::ticket::{Priority, TicketType};

use super::render;
use super::tickets::{Choice, field, non_empty};
use super::versioned::{SettingStale, at_version, form_version, picked, stale_version};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

pub struct PolicyRow {
    pub id: i64,
    pub position: i64,
    pub name: String,
    pub scope: String,
    pub calendar: String,
    pub first_response: String,
    pub next_response: String,
    pub resolution: String,
    pub active: bool,
}

pub struct CalendarRow {
    pub id: i64,
    pub name: String,
    pub time_zone: String,
    pub week: String,
    pub days: usize,
    pub is_default: bool,
}

#[derive(Template)]
#[template(path = "admin_sla.html")]
struct SlaPage {
    t: Tr,
    layout: Layout,
    policies: Vec<PolicyRow>,
    calendars: Vec<CalendarRow>,
}

fn minutes(t: Tr, m: Option<i64>) -> String {
    match m {
        None => "—".into(),
        Some(m) if m % 60 == 0 => t.f("sla.hours", &[("n", &(m / 60).to_string())]),
        Some(m) => t.f("sla.minutes", &[("n", &m.to_string())]),
    }
}

fn week_text(t: Tr, c: &CalendarView) -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    c.week
        .iter()
        .zip(DAYS)
        .filter(|(p, _)| !p.is_empty())
        .map(|(p, d)| {
            let periods: Vec<String> = p.iter().map(ToString::to_string).collect();
            format!("{} {}", t.tk("weekday", d), periods.join(", "))
        })
        .collect::<Vec<_>>()
        .join("；")
}

pub async fn overview(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let calendars = state.app.calendars(&actor).await?;
    let policies = state
        .app
        .sla_policies(&actor)
        .await?
        .into_iter()
        .map(|p| {
            let mut scope: Vec<String> = Vec::new();
            if let Some(v) = &p.ticket_type {
                scope.push(t.tk("ticket_type", v));
            }
            if let Some(v) = &p.priority {
                scope.push(t.tk("priority", v));
            }
            if let Some(v) = &p.customer_tier {
                scope.push(t.tk("tier", v));
            }
            PolicyRow {
                id: p.id,
                position: p.position,
                name: p.name,
                scope: if scope.is_empty() {
                    t.t("sla.any_ticket").to_owned()
                } else {
                    scope.join(" · ")
                },
                calendar: calendars
                    .iter()
                    .find(|c| c.id == p.calendar_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                first_response: minutes(t, p.first_response_minutes),
                next_response: minutes(t, p.next_response_minutes),
                resolution: minutes(t, p.resolution_minutes),
                active: p.active,
            }
        })
        .collect();
    let calendars = calendars
        .iter()
        .map(|c| CalendarRow {
            id: c.id,
            name: c.name.clone(),
            time_zone: c.time_zone.clone(),
            week: week_text(t, c),
            days: c.days.len(),
            is_default: c.is_default,
        })
        .collect();
    super::ok(&SlaPage {
        t,
        layout: Layout::new(&identity, "/admin/sla"),
        policies,
        calendars,
    })
}

#[derive(Template)]
#[template(path = "admin_sla_policy.html")]
struct PolicyPage {
    t: Tr,
    layout: Layout,
    id: Option<i64>,
    values: Vec<(String, String)>,
    types: Vec<Choice>,
    priorities: Vec<Choice>,
    tiers: Vec<Choice>,
    calendars: Vec<Choice>,
    error: Option<String>,
    stale: Option<SettingStale>,
}

impl PolicyPage {
    fn v(&self, key: &str) -> &str {
        field(&self.values, key)
    }

    /// The policy's fields as the form shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        let label = |list: &[Choice]| picked(list).unwrap_or_default();
        let yes_no = |v: &str| {
            t.t(if v == "1" { "common.yes" } else { "common.no" })
                .to_owned()
        };
        vec![
            (t.t("sla.name").to_owned(), self.v("name").to_owned()),
            (
                t.t("sla.position").to_owned(),
                self.v("position").to_owned(),
            ),
            (t.t("ticket.type").to_owned(), label(&self.types)),
            (t.t("ticket.priority").to_owned(), label(&self.priorities)),
            (t.t("ticket.customer_tier").to_owned(), label(&self.tiers)),
            (t.t("sla.calendar").to_owned(), label(&self.calendars)),
            (
                t.t("sla.first_response").to_owned(),
                self.v("first_response").to_owned(),
            ),
            (
                t.t("sla.next_response").to_owned(),
                self.v("next_response").to_owned(),
            ),
            (
                t.t("sla.resolution").to_owned(),
                self.v("resolution").to_owned(),
            ),
            (t.t("sla.active").to_owned(), yes_no(self.v("active"))),
        ]
    }
}

fn any_and<T: Copy>(
    t: Tr,
    all: &[T],
    key: fn(T) -> &'static str,
    prefix: &str,
    selected: &str,
) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: t.t("common.any").to_owned(),
        selected: selected.is_empty(),
    })
    .chain(all.iter().map(|v| Choice {
        value: key(*v).into(),
        label: t.tk(prefix, key(*v)),
        selected: key(*v) == selected,
    }))
    .collect()
}

async fn policy_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    values: Option<Vec<(String, String)>>,
    error: Option<String>,
) -> Result<PolicyPage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let calendars = state.app.calendars(&actor).await?;
    let values = match (values, id) {
        (Some(v), _) => v,
        (None, Some(id)) => {
            let p = state
                .app
                .sla_policies(&actor)
                .await?
                .into_iter()
                .find(|p| p.id == id)
                .ok_or(WebError::NotFound)?;
            let opt = |v: Option<i64>| v.map(|m| m.to_string()).unwrap_or_default();
            vec![
                ("name".into(), p.name),
                ("position".into(), p.position.to_string()),
                ("ticket_type".into(), p.ticket_type.unwrap_or_default()),
                ("priority".into(), p.priority.unwrap_or_default()),
                ("customer_tier".into(), p.customer_tier.unwrap_or_default()),
                ("calendar".into(), p.calendar_id.to_string()),
                ("first_response".into(), opt(p.first_response_minutes)),
                ("next_response".into(), opt(p.next_response_minutes)),
                ("resolution".into(), opt(p.resolution_minutes)),
                ("active".into(), if p.active { "1" } else { "" }.into()),
                ("version".into(), p.version.to_string()),
            ]
        }
        (None, None) => vec![
            ("position".into(), "50".into()),
            ("active".into(), "1".into()),
        ],
    };
    let get = |k: &str| field(&values, k).to_owned();
    let tiers = std::iter::once(Choice {
        value: String::new(),
        label: t.t("common.any").to_owned(),
        selected: get("customer_tier").is_empty(),
    })
    .chain(TIERS.iter().map(|k| Choice {
        value: (*k).into(),
        label: t.tk("tier", k),
        selected: *k == get("customer_tier"),
    }))
    .collect();
    Ok(PolicyPage {
        t,
        layout: Layout::new(identity, "/admin/sla"),
        id,
        types: any_and(
            t,
            TicketType::ALL,
            TicketType::key,
            "ticket_type",
            &get("ticket_type"),
        ),
        priorities: any_and(
            t,
            Priority::ALL,
            Priority::key,
            "priority",
            &get("priority"),
        ),
        tiers,
        calendars: calendars
            .iter()
            .map(|c| Choice {
                value: c.id.to_string(),
                label: c.name.clone(),
                selected: c.id.to_string() == get("calendar"),
            })
            .collect(),
        values,
        error,
        stale: None,
    })
}

pub async fn new_policy(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    super::ok(&policy_page(&state, &identity, None, None, None).await?)
}

pub async fn edit_policy(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::ok(&policy_page(&state, &identity, Some(id), None, None).await?)
}

fn parse_minutes(
    pairs: &[(String, String)],
    key: &'static str,
) -> Result<Option<i64>, kefu_app::AppError> {
    match non_empty(field(pairs, key)) {
        None => Ok(None),
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|_| kefu_app::AppError::BadMinutes),
    }
}

async fn save_policy(
    state: AppState,
    identity: Identity,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    // An empty type or priority is "any"; an unknown key is refused with the keys allowed.
    let form = (|| -> Result<PolicyForm, WebError> {
        Ok(PolicyForm {
            name: field(&pairs, "name").to_owned(),
            position: field(&pairs, "position").trim().parse().unwrap_or(50),
            ticket_type: super::form_key(&pairs, "ticket_type")?,
            priority: super::form_key(&pairs, "priority")?,
            customer_tier: non_empty(field(&pairs, "customer_tier")).map(str::to_owned),
            calendar_id: field(&pairs, "calendar").parse().unwrap_or(0),
            first_response_minutes: parse_minutes(&pairs, "first_response")?,
            next_response_minutes: parse_minutes(&pairs, "next_response")?,
            resolution_minutes: parse_minutes(&pairs, "resolution")?,
            active: field(&pairs, "active") == "1",
        })
    })();
    let result = match form {
        Ok(f) => {
            let saved = state
                .app
                .save_sla_policy(&identity.actor(), id, &f, form_version(&pairs))
                .await;
            if let (Some(id), Some(current)) = (id, saved.as_ref().err().and_then(stale_version)) {
                let stored = policy_page(&state, &identity, Some(id), None, None).await?;
                let sent = at_version(&pairs, current);
                let mut page = policy_page(&state, &identity, Some(id), Some(sent), None).await?;
                page.stale = Some(SettingStale::new(
                    identity.tr(),
                    current,
                    page.shown(),
                    stored.shown(),
                ));
                return render(StatusCode::CONFLICT, &page);
            }
            saved.map_err(WebError::from)
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/admin/sla").into_response()),
        Err(e) => {
            let message = e.into_info().message(identity.tr());
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &policy_page(&state, &identity, id, Some(pairs), Some(message)).await?,
            )
        }
    }
}

pub async fn create_policy(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_policy(state, identity, None, pairs).await
}

pub async fn update_policy(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_policy(state, identity, Some(id), pairs).await
}

pub struct DayRow {
    pub date: String,
    pub kind: &'static str,
    pub kind_label: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "admin_calendar.html")]
struct CalendarPage {
    t: Tr,
    layout: Layout,
    id: Option<i64>,
    name: String,
    time_zone: String,
    /// (weekday label, input name, periods text)
    week: Vec<(String, String, String)>,
    days: Vec<DayRow>,
    holidays: String,
    /// The calendar's version the form was rendered with (0 for a new one).
    version: i64,
    error: Option<String>,
    notice: Option<String>,
    stale: Option<SettingStale>,
}

impl CalendarPage {
    /// The calendar's fields as the form shows them, labelled, for the stale-form notice.
    fn shown(&self) -> Vec<(String, String)> {
        let t = self.t;
        [
            (t.t("calendar.name").to_owned(), self.name.clone()),
            (t.t("calendar.time_zone").to_owned(), self.time_zone.clone()),
        ]
        .into_iter()
        .chain(self.week.iter().map(|(l, _, v)| (l.clone(), v.clone())))
        .collect()
    }
}

const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

async fn calendar_page(
    state: &AppState,
    identity: &Identity,
    id: Option<i64>,
    submitted: Option<&[(String, String)]>,
    error: Option<String>,
    notice: Option<String>,
) -> Result<CalendarPage, WebError> {
    let t = identity.tr();
    let cal = match id {
        Some(id) => Some(
            state
                .app
                .calendars(&identity.actor())
                .await?
                .into_iter()
                .find(|c| c.id == id)
                .ok_or(WebError::NotFound)?,
        ),
        None => None,
    };
    let stored_week = |i: usize| -> String {
        cal.as_ref()
            .map(|c| {
                c.week[i]
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| {
                if i < 5 {
                    "09:00-12:00, 14:30-18:00".into()
                } else {
                    String::new()
                }
            })
    };
    let week = WEEKDAYS
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let key = format!("week_{d}");
            let value = match submitted {
                Some(p) => field(p, &key).to_owned(),
                None => stored_week(i),
            };
            (t.tk("weekday", d), key, value)
        })
        .collect();
    let pick = |k: &str, stored: String| match submitted {
        Some(p) => field(p, k).to_owned(),
        None => stored,
    };
    Ok(CalendarPage {
        t,
        layout: Layout::new(identity, "/admin/sla"),
        id,
        name: pick(
            "name",
            cal.as_ref().map(|c| c.name.clone()).unwrap_or_default(),
        ),
        time_zone: pick(
            "time_zone",
            cal.as_ref()
                .map(|c| c.time_zone.clone())
                .unwrap_or_else(|| kefu_domain::calendar::DEFAULT_TIME_ZONE.into()),
        ),
        week,
        days: cal
            .as_ref()
            .map(|c| {
                c.days
                    .iter()
                    .map(|d| DayRow {
                        date: d.date.to_string(),
                        kind: d.kind.key(),
                        kind_label: t.tk("day_kind", d.kind.key()),
                        name: d.name.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        holidays: submitted
            .map(|p| field(p, "holidays").to_owned())
            .unwrap_or_default(),
        version: submitted
            .and_then(form_version)
            .or(cal.as_ref().map(|c| c.version))
            .unwrap_or(0),
        error,
        notice,
        stale: None,
    })
}

pub async fn new_calendar(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Response, WebError> {
    super::ok(&calendar_page(&state, &identity, None, None, None, None).await?)
}

pub async fn edit_calendar(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    super::ok(&calendar_page(&state, &identity, Some(id), None, None, None).await?)
}

async fn save_calendar(
    state: AppState,
    identity: Identity,
    id: Option<i64>,
    pairs: Vec<(String, String)>,
) -> Result<Response, WebError> {
    let form = CalendarForm {
        name: field(&pairs, "name").to_owned(),
        time_zone: field(&pairs, "time_zone").to_owned(),
        week: WEEKDAYS.map(|d| field(&pairs, &format!("week_{d}")).to_owned()),
    };
    let saved = state
        .app
        .save_calendar(&identity.actor(), id, &form, form_version(&pairs))
        .await;
    match saved {
        Ok(id) => Ok(Redirect::to(&format!("/admin/calendars/{id}")).into_response()),
        Err(e) if id.is_some() && stale_version(&e).is_some() => {
            let current = stale_version(&e).unwrap_or_default();
            let stored = calendar_page(&state, &identity, id, None, None, None).await?;
            let sent = at_version(&pairs, current);
            let mut page = calendar_page(&state, &identity, id, Some(&sent), None, None).await?;
            page.stale = Some(SettingStale::new(
                identity.tr(),
                current,
                page.shown(),
                stored.shown(),
            ));
            render(StatusCode::CONFLICT, &page)
        }
        Err(e) => {
            let message = WebError::from(e).into_info().message(identity.tr());
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &calendar_page(&state, &identity, id, Some(&pairs), Some(message), None).await?,
            )
        }
    }
}

pub async fn create_calendar(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_calendar(state, identity, None, pairs).await
}

pub async fn update_calendar(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    save_calendar(state, identity, Some(id), pairs).await
}

/// Imports a pasted holiday list; a bad line refuses the whole list and says which.
pub async fn import_holidays(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    match state
        .app
        .import_holidays(&identity.actor(), id, field(&pairs, "holidays"))
        .await
    {
        Ok(n) => {
            let notice = t.f("calendar.imported", &[("n", &n.to_string())]);
            super::ok(&calendar_page(&state, &identity, Some(id), None, None, Some(notice)).await?)
        }
        Err(e) => {
            let info = WebError::from(e).into_info();
            let mut message = info.message(t);
            if let Some(d) = info.detail {
                message = format!("{message}（{d}）");
            }
            let page =
                calendar_page(&state, &identity, Some(id), None, Some(message), None).await?;
            let page = CalendarPage {
                holidays: field(&pairs, "holidays").to_owned(),
                ..page
            };
            render(StatusCode::UNPROCESSABLE_ENTITY, &page)
        }
    }
}

pub async fn delete_day(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    state
        .app
        .delete_calendar_day(&identity.actor(), id, field(&pairs, "day"))
        .await?;
    Ok(Redirect::to(&format!("/admin/calendars/{id}")).into_response())
}
