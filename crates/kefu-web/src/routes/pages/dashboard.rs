//! 工作台 — the home page: one section per role the reader holds, with the tiles the
//! business areas registered for it in kefu-app (`kefu_app::workbench`), each a count, counts
//! per line or a short list that opens the records behind it. A role with nothing in kefu
//! yet gets a sentence saying so and links to what the reader can do. The tiles refresh
//! when the change log moves (`/events/workbench`, read by `static/kefu.js`).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kefu_app::workbench::{Label, Section, Tile, TileBody};
use kefu_domain::{CurrentUser, Locale, Permission};

use super::ok;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct LineView {
    pub label: String,
    pub n: i64,
    pub shown: String,
    pub link: String,
    pub alert: bool,
    pub note: Option<String>,
}

pub struct ItemView {
    pub label: String,
    pub detail: Option<String>,
    pub at: Option<String>,
    pub link: Option<String>,
    pub alert: bool,
}

/// A single count: exact, as shown, and whether it asks for action.
pub struct CountView {
    pub n: i64,
    pub shown: String,
    pub alert: bool,
}

pub struct TileView {
    pub key: &'static str,
    pub title: String,
    pub link: Option<String>,
    pub hint: Option<String>,
    pub count: Option<CountView>,
    pub lines: Vec<LineView>,
    pub items: Vec<ItemView>,
    /// How many records a list tile stands for (`shown` is the sentence saying so).
    pub total: Option<CountView>,
    /// Nothing to list (a lines or list tile with none).
    pub empty: bool,
}

pub struct SectionView {
    pub role_key: &'static str,
    pub title: String,
    pub tiles: Vec<TileView>,
    /// For a role with nothing to show yet: what is not there, honestly.
    pub nothing: String,
    /// …and the pages the reader can work from meanwhile.
    pub can: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    layout: Layout,
    greeting: String,
    sections: Vec<SectionView>,
}

/// Pages a reader can work from, each with what it takes to open it.
const STARTING_POINTS: &[(&str, &str, Permission)] = &[
    ("/tickets", "nav.tickets", Permission::TicketWork),
    ("/customers", "nav.customers", Permission::CustomerView),
    ("/customers/today", "nav.today", Permission::CustomerView),
    (
        "/complaints",
        "nav.complaints",
        Permission::ComplaintRespond,
    ),
    ("/scripts", "nav.scripts", Permission::TicketWork),
    ("/search", "search.title", Permission::DashboardView),
];

/// Words of a tile in the reader's language.
pub(crate) fn label(t: Tr, l: &Label) -> String {
    match l {
        Label::Key(k) => t.t(k).to_owned(),
        Label::Format(k, args) => {
            // A value `@key` is itself translated (a tier, a stage), as in error messages.
            let args: Vec<(&str, &str)> = args
                .iter()
                .map(|(n, v)| (*n, v.strip_prefix('@').map_or(v.as_str(), |key| t.t(key))))
                .collect();
            t.f(k, &args)
        }
        Label::Keyed(prefix, key) => t.tk(prefix, key),
        Label::Named { zh, en } => match t.locale() {
            Locale::En => en.clone(),
            _ => zh.clone(),
        },
        Label::Text(s) => s.clone(),
    }
}

fn tile(t: Tr, tile: Tile) -> TileView {
    let mut view = TileView {
        key: tile.key,
        title: t.t(tile.title).to_owned(),
        link: tile.link,
        hint: tile.hint.as_ref().map(|h| label(t, h)),
        count: None,
        lines: Vec::new(),
        items: Vec::new(),
        total: None,
        empty: false,
    };
    match tile.body {
        TileBody::Count { count, alert } => {
            view.count = Some(CountView {
                n: count.n,
                shown: count.shown(),
                alert,
            });
        }
        TileBody::Lines(lines) => {
            view.empty = lines.is_empty();
            view.lines = lines
                .into_iter()
                .map(|l| LineView {
                    label: label(t, &l.label),
                    n: l.count.n,
                    shown: l.count.shown(),
                    link: l.link,
                    alert: l.alert,
                    note: l.note.as_ref().map(|n| label(t, n)),
                })
                .collect();
        }
        TileBody::Items { items, total } => {
            view.empty = items.is_empty();
            view.total = Some(CountView {
                n: total.n,
                shown: t.f("workbench.total", &[("n", total.shown().as_str())]),
                alert: false,
            });
            view.items = items
                .into_iter()
                .map(|i| ItemView {
                    label: label(t, &i.label),
                    detail: i.detail.as_ref().map(|d| label(t, d)),
                    at: i.at.map(local_time),
                    link: i.link,
                    alert: i.alert,
                })
                .collect();
        }
    }
    view
}

fn section(t: Tr, user: &CurrentUser, s: Section) -> SectionView {
    let key = s.role.key();
    SectionView {
        role_key: key,
        title: t.tk("role", key),
        tiles: s.tiles.into_iter().map(|x| tile(t, x)).collect(),
        nothing: t.tk("workbench.nothing", key),
        can: STARTING_POINTS
            .iter()
            .filter(|(_, _, p)| user.allows(*p))
            .map(|(href, name, _)| (*href, t.t(name).to_owned()))
            .collect(),
    }
}

/// `/`: the reader's workbench.
pub async fn show(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let user = identity.user()?;
    let t = identity.tr();
    let bench = state.app.workbench(&identity.actor()).await?;
    let sections = bench
        .sections
        .into_iter()
        .map(|s| section(t, user, s))
        .collect();
    let greeting = t.f("dashboard.greeting", &[("name", &user.display_name)]);
    ok(&DashboardPage {
        t,
        layout: Layout::new(&identity, "/"),
        greeting,
        sections,
    })
}
