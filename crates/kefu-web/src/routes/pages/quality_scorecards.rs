//! 质检评分表 — the scorecards (list), and one scorecard with its items, its versions and
//! a form that saves the next version: one row per item (section, key, name, weight,
//! levels, critical, channels, guidance), five empty rows to add items, a row whose name is
//! emptied is dropped.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::quality::{ScorecardForm, ScorecardView};
use kefu_domain::quality::{Item, Scorecard, Section};

use super::tickets::field;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// Empty rows the form offers for new items.
const BLANK_ROWS: usize = 5;

struct ListLine {
    id: i64,
    name: String,
    active: bool,
    version: i64,
    items: usize,
    pass_mark: u8,
}

#[derive(Template)]
#[template(path = "quality_scorecards.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<ListLine>,
}

/// `/quality/scorecards`
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let lines = state
        .app
        .quality_scorecards(&identity.actor())
        .await?
        .into_iter()
        .map(|s| ListLine {
            id: s.id,
            active: s.active,
            version: s.version,
            items: s.card.items().count(),
            pass_mark: s.card.pass_mark,
            name: s.name,
        })
        .collect();
    render(
        StatusCode::OK,
        &ListPage {
            t: identity.tr(),
            layout: Layout::new(&identity, "/quality/scorecards"),
            lines,
        },
    )
}

/// One row of the item form, as shown or as typed.
#[derive(Default, Clone)]
struct Row {
    section: String,
    key: String,
    name: String,
    weight: String,
    levels: String,
    critical: bool,
    channels: String,
    guide: String,
}

struct VersionLine {
    number: i64,
    note: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "quality_scorecard.html")]
struct ShowPage {
    t: Tr,
    layout: Layout,
    id: i64,
    version: i64,
    name: String,
    active: bool,
    pass_mark: String,
    note: String,
    rows: Vec<Row>,
    total_weight: u32,
    versions: Vec<VersionLine>,
    notice: Option<String>,
    error: Option<String>,
}

fn rows_of(card: &Scorecard) -> Vec<Row> {
    let mut rows: Vec<Row> = card
        .sections
        .iter()
        .flat_map(|s| {
            s.items.iter().map(|i| Row {
                section: s.name.clone(),
                key: i.key.clone(),
                name: i.name.clone(),
                weight: i.weight.to_string(),
                levels: i.levels.to_string(),
                critical: i.critical,
                channels: i.channels.join(","),
                guide: i.guide.clone(),
            })
        })
        .collect();
    rows.extend(std::iter::repeat_n(Row::default(), BLANK_ROWS));
    rows
}

/// What the form sent: name, active, pass mark, note, the version it was made from, and
/// the rows (`rows` says how many).
struct Typed {
    name: String,
    active: bool,
    pass_mark: String,
    note: String,
    based_on: i64,
    rows: Vec<Row>,
}

fn typed(pairs: &[(String, String)]) -> Typed {
    let count: usize = field(pairs, "rows").parse().unwrap_or(0);
    let rows = (0..count.min(kefu_domain::quality::scorecard::MAX_ITEMS + BLANK_ROWS))
        .map(|n| {
            let f = |k: &str| field(pairs, &format!("{k}{n}")).to_owned();
            Row {
                section: f("section"),
                key: f("key"),
                name: f("name"),
                weight: f("weight"),
                levels: f("levels"),
                critical: !f("critical").is_empty(),
                channels: f("channels"),
                guide: f("guide"),
            }
        })
        .collect();
    Typed {
        name: field(pairs, "name").to_owned(),
        active: !field(pairs, "active").is_empty(),
        pass_mark: field(pairs, "pass_mark").to_owned(),
        note: field(pairs, "note").to_owned(),
        based_on: field(pairs, "based_on").parse().unwrap_or(0),
        rows,
    }
}

/// The scorecard the rows make: rows without a name are dropped; consecutive rows of the
/// same section name make one section. A number that does not read counts as 0, which
/// the scorecard's check refuses with the item named.
fn card_of(t: &Typed) -> Scorecard {
    let mut sections: Vec<Section> = Vec::new();
    for r in t.rows.iter().filter(|r| !r.name.trim().is_empty()) {
        let item = Item {
            key: r.key.trim().to_owned(),
            name: r.name.trim().to_owned(),
            weight: r.weight.trim().parse().unwrap_or(0),
            levels: r.levels.trim().parse().unwrap_or(0),
            critical: r.critical,
            channels: r
                .channels
                .split([',', '，', ' '])
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect(),
            guide: r.guide.trim().to_owned(),
        };
        match sections.last_mut() {
            Some(s) if s.name == r.section.trim() => s.items.push(item),
            _ => sections.push(Section {
                name: r.section.trim().to_owned(),
                items: vec![item],
            }),
        }
    }
    Scorecard {
        sections,
        pass_mark: t.pass_mark.trim().parse().unwrap_or(101),
    }
}

async fn show_page(
    state: &AppState,
    identity: &Identity,
    id: i64,
    typed: Option<Typed>,
    notice: Option<String>,
    error: Option<String>,
) -> Result<ShowPage, WebError> {
    let (card, versions): (ScorecardView, _) =
        state.app.quality_scorecard(&identity.actor(), id).await?;
    let total_weight = card.card.items().map(|i| u32::from(i.weight)).sum();
    let versions = versions
        .into_iter()
        .map(|v| VersionLine {
            number: v.number,
            note: v.note,
            by: v.by.unwrap_or_default(),
            at: local_time(v.at),
        })
        .collect();
    let (name, active, pass_mark, note, rows) = match typed {
        Some(t) => (t.name, t.active, t.pass_mark, t.note, t.rows),
        None => (
            card.name.clone(),
            card.active,
            card.card.pass_mark.to_string(),
            String::new(),
            rows_of(&card.card),
        ),
    };
    Ok(ShowPage {
        t: identity.tr(),
        layout: Layout::new(identity, "/quality/scorecards"),
        id,
        version: card.version,
        name,
        active,
        pass_mark,
        note,
        rows,
        total_weight,
        versions,
        notice,
        error,
    })
}

/// `/quality/scorecards/{id}`; `?saved=N` after saving version N.
pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let notice = match field(&q, "saved") {
        "" => None,
        n => Some(identity.tr().f("quality.scorecard.saved", &[("n", n)])),
    };
    render(
        StatusCode::OK,
        &show_page(&state, &identity, id, None, notice, None).await?,
    )
}

/// `POST /quality/scorecards/{id}`: saves the next version; a refusal shows the form again
/// with what was typed and why.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = typed(&pairs);
    let form = ScorecardForm {
        name: t.name.clone(),
        active: t.active,
        card: card_of(&t),
        note: t.note.clone(),
    };
    match state
        .app
        .save_quality_scorecard(&identity.actor(), id, t.based_on, &form)
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/quality/scorecards/{id}?saved={n}")).into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, identity.tr());
            render(
                status,
                &show_page(&state, &identity, id, Some(t), None, Some(message)).await?,
            )
        }
    }
}
