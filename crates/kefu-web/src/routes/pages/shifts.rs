//! 排班表 — a week of rosters: one's own, or everyone's for a manager, who sets each
//! person's week (`?edit=ID` opens it) and the dated changes 调班.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use jiff::civil::Date;
use kefu_app::shift::{ChangeForm, RosterWeek};
use kefu_domain::calendar::DayKind;
use kefu_domain::dates;

use super::tickets::field;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

struct Head {
    date: String,
    weekday: String,
    /// 节假日 or 调休上班, when the date is one.
    mark: String,
}

struct Cell {
    text: String,
    /// `week`, `make_up`, `holiday`, `change` or `leave`: the cell's class.
    source: &'static str,
    note: String,
}

struct Line {
    user_id: i64,
    name: String,
    own_week: bool,
    cells: Vec<Cell>,
}

/// A change shown with a button to remove it.
struct Change {
    user_id: i64,
    name: String,
    date: String,
    text: String,
    note: String,
}

/// The week being edited: whose, and the seven days' texts.
struct Editing {
    user_id: i64,
    title: String,
    days: Vec<(String, String)>,
}

/// What the change form holds: as sent when it was refused, else empty.
#[derive(Default)]
struct Entered {
    user_id: i64,
    date: String,
    periods: String,
    note: String,
}

#[derive(Template)]
#[template(path = "shifts.html")]
struct ShiftPage {
    t: Tr,
    layout: Layout,
    week_of: String,
    previous: String,
    next: String,
    heads: Vec<Head>,
    lines: Vec<Line>,
    changes: Vec<Change>,
    manages: bool,
    editing: Option<Editing>,
    form: Entered,
    notice: Option<String>,
    error: Option<String>,
}

fn weekday_name(t: &Tr, i: usize) -> String {
    t.t(&format!("shift.weekday.{i}")).to_owned()
}

fn view(
    t: &Tr,
    week: RosterWeek,
    edit: Option<i64>,
    week_entered: Option<Vec<String>>,
) -> (Vec<Head>, Vec<Line>, Vec<Change>, Option<Editing>) {
    let heads = week
        .dates
        .iter()
        .zip(&week.kinds)
        .enumerate()
        .map(|(i, (d, k))| Head {
            date: d.strftime("%m-%d").to_string(),
            weekday: weekday_name(t, i),
            mark: match k {
                Some(DayKind::Holiday) => t.t("shift.holiday").to_owned(),
                Some(DayKind::Workday) => t.t("shift.make_up").to_owned(),
                None => String::new(),
            },
        })
        .collect();
    let mut changes = Vec::new();
    let mut editing = None;
    let lines = week
        .lines
        .into_iter()
        .map(|l| {
            if edit == Some(l.user_id) {
                let texts = week_entered.clone().unwrap_or_else(|| l.week.to_vec());
                editing = Some(Editing {
                    user_id: l.user_id,
                    title: t.f("shift.week_of", &[("name", &l.name)]),
                    days: texts
                        .into_iter()
                        .enumerate()
                        .map(|(i, text)| (weekday_name(t, i), text))
                        .collect(),
                });
            }
            let cells = l
                .days
                .into_iter()
                .map(|d| {
                    let text = match d.source {
                        "leave" => t.t("shift.leave").to_owned(),
                        "holiday" => t.t("shift.holiday").to_owned(),
                        _ if d.periods.is_empty() => t.t("shift.off").to_owned(),
                        _ => d.periods.replace(',', " "),
                    };
                    if d.source == "change" {
                        changes.push(Change {
                            user_id: l.user_id,
                            name: l.name.clone(),
                            date: d.date.to_string(),
                            text: text.clone(),
                            note: d.note.clone(),
                        });
                    }
                    Cell {
                        text,
                        source: d.source,
                        note: d.note,
                    }
                })
                .collect();
            Line {
                user_id: l.user_id,
                name: l.name,
                own_week: l.own_week,
                cells,
            }
        })
        .collect();
    (heads, lines, changes, editing)
}

/// What the page shows besides the roster.
#[derive(Default)]
struct Extra {
    edit: Option<i64>,
    week_entered: Option<Vec<String>>,
    form: Entered,
    notice: Option<String>,
    error: Option<String>,
}

async fn page(
    state: &AppState,
    identity: &Identity,
    week_of: Option<Date>,
    extra: Extra,
) -> Result<ShiftPage, WebError> {
    let t = identity.tr();
    let week = state.app.roster_week(&identity.actor(), week_of).await?;
    let start = week.start;
    let manages = week.manages;
    let (heads, lines, changes, editing) = view(&t, week, extra.edit, extra.week_entered);
    let shift = |days: i64| {
        start
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(start)
            .to_string()
    };
    Ok(ShiftPage {
        layout: Layout::new(identity, "/shifts"),
        week_of: start.to_string(),
        previous: shift(-7),
        next: shift(7),
        heads,
        lines,
        changes,
        manages,
        editing,
        form: extra.form,
        notice: extra.notice,
        error: extra.error,
        t,
    })
}

fn week_param(q: &[(String, String)]) -> Option<Date> {
    dates::parse("week", field(q, "week")).ok()
}

/// `/shifts?week=YYYY-MM-DD&edit=USER_ID`; `?saved=N` after a change that slotted N
/// visits again.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let notice = match field(&q, "saved") {
        "" => None,
        n => Some(t.f("shift.saved", &[("n", n)])),
    };
    let extra = Extra {
        edit: field(&q, "edit").parse().ok(),
        notice,
        ..Extra::default()
    };
    render(
        StatusCode::OK,
        &page(&state, &identity, week_param(&q), extra).await?,
    )
}

fn saved(week: &str, n: u64) -> Response {
    Redirect::to(&format!("/shifts?week={week}&saved={n}")).into_response()
}

/// Shows a refusal on the page, with what was typed.
async fn refused(
    state: &AppState,
    identity: &Identity,
    week: Option<Date>,
    e: kefu_app::AppError,
    extra: Extra,
) -> Result<Response, WebError> {
    match e {
        kefu_app::AppError::Forbidden => Err(WebError::Forbidden),
        kefu_app::AppError::NotFound => Err(WebError::NotFound),
        e => {
            let (status, message) = refusal(e, identity.tr());
            let extra = Extra {
                error: Some(message),
                ..extra
            };
            render(status, &page(state, identity, week, extra).await?)
        }
    }
}

/// `POST /shifts/week`: sets a person's week (`d0`…`d6`), or removes it (`clear`).
pub async fn save_week(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let week_of = field(&pairs, "week").to_owned();
    let user_id: i64 = field(&pairs, "user_id").trim().parse().unwrap_or(0);
    let days: Vec<String> = (0..7)
        .map(|i| field(&pairs, &format!("d{i}")).to_owned())
        .collect();
    let actor = identity.actor();
    let result = if field(&pairs, "clear").is_empty() {
        state.app.set_roster(&actor, user_id, &days).await
    } else {
        state.app.clear_roster(&actor, user_id).await
    };
    match result {
        Ok(n) => Ok(saved(&week_of, n)),
        Err(e) => {
            let extra = Extra {
                edit: Some(user_id),
                week_entered: Some(days),
                ..Extra::default()
            };
            refused(&state, &identity, week_param(&pairs), e, extra).await
        }
    }
}

/// `POST /shifts/changes`: sets a date's change; `clear` removes it.
pub async fn save_change(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let week_of = field(&pairs, "week").to_owned();
    let entered = Entered {
        user_id: field(&pairs, "user_id").trim().parse().unwrap_or(0),
        date: field(&pairs, "date").to_owned(),
        periods: field(&pairs, "periods").to_owned(),
        note: field(&pairs, "note").to_owned(),
    };
    let actor = identity.actor();
    let result = async {
        let date = dates::parse("date", &entered.date)?;
        if field(&pairs, "clear").is_empty() {
            let form = ChangeForm {
                user_id: entered.user_id,
                date,
                periods: entered.periods.clone(),
                note: entered.note.clone(),
            };
            state.app.set_roster_change(&actor, &form).await
        } else {
            state
                .app
                .clear_roster_change(&actor, entered.user_id, date)
                .await
        }
    }
    .await;
    match result {
        Ok(n) => Ok(saved(&week_of, n)),
        Err(e) => {
            let extra = Extra {
                form: entered,
                ..Extra::default()
            };
            refused(&state, &identity, week_param(&pairs), e, extra).await
        }
    }
}
