//! 工作台 — the workbench: what each role must do now, as tiles.
//!
//! Each business area registers its own tiles as [`TileSpec`]s (who sees the tile, how it
//! is filled) in a `TILES` list of its module, and [`REGISTRY`] names those lists; an area
//! that lands later adds its list there and the page does not change. The page asks
//! [`App::workbench`] for the reader's tiles, one section per role they hold, and renders
//! what comes back.
//!
//! A tile is a count, counts per line, or a short list, with the link that opens the records
//! behind it. Every count is taken with the filter of the page its link opens (a ticket
//! queue's [`crate::ticket::QueueQuery`], the complaint board's `BoardFilter`, the customer
//! list's `CustomerFilter`…), so the number on a tile is the number of rows its page lists.

mod approvals;

pub use approvals::{ApprovalKind, Awaiting, Inbox};

use std::future::Future;
use std::pin::Pin;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_domain::{CurrentUser, Permission, Role};

use crate::{Actor, ActorKind, App, AppError, Result};

/// A number on a tile: exact, or — `capped` — at least `n`, shown "999+" as the queues'
/// badges show theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    pub n: i64,
    pub capped: bool,
}

impl Count {
    pub fn exact(n: i64) -> Count {
        Count { n, capped: false }
    }

    /// A count taken with a cap (`LIMIT cap`): reaching the cap means at least that many.
    pub fn capped(n: i64, cap: i64) -> Count {
        Count {
            n,
            capped: n >= cap,
        }
    }

    /// The number as a page shows it: `12`, or `999+` for a count at its cap of 1000.
    pub fn shown(self) -> String {
        if self.capped {
            format!("{}+", self.n - 1)
        } else {
            self.n.to_string()
        }
    }
}

/// Words on a tile, put in the reader's language by the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Label {
    /// A translation key.
    Key(&'static str),
    /// A translation key with its `{name}` placeholders filled.
    Format(&'static str, Vec<(&'static str, String)>),
    /// A stored key shown through a translation table, `prefix.key` (a complaint stage, an
    /// audited action).
    Keyed(&'static str, String),
    /// A name the department gave in both languages (a ticket status).
    Named { zh: String, en: String },
    /// Words from the records: a person's or a customer's name, a file name.
    Text(String),
}

/// One line of a tile: a label, its count, and the link that opens those records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileLine {
    pub label: Label,
    pub count: Count,
    pub link: String,
    /// Asks for action now (overdue, waiting).
    pub alert: bool,
    /// Said after the count (how many of them are overdue).
    pub note: Option<Label>,
}

/// One record a list tile names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TileItem {
    pub label: Label,
    pub detail: Option<Label>,
    /// When it happened, shown in the reader's time zone.
    pub at: Option<Timestamp>,
    pub link: Option<String>,
    pub alert: bool,
}

/// What a tile shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TileBody {
    /// One number.
    Count { count: Count, alert: bool },
    /// A number per line, each line its own link.
    Lines(Vec<TileLine>),
    /// The first records by name, and how many there are in all.
    Items { items: Vec<TileItem>, total: Count },
}

/// What a tile's fill function returns: the tile's content, or nothing when it has nothing
/// to say to this reader now (a warning that does not apply).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    /// The page listing every record the tile counts.
    pub link: Option<String>,
    pub body: TileBody,
    /// How the figures are counted, when that helps to read them.
    pub hint: Option<Label>,
}

/// A tile as the page renders it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tile {
    /// Stable key (`tickets.my_open`…), for tests and the page's markup.
    pub key: &'static str,
    /// Translation key of the title.
    pub title: &'static str,
    pub link: Option<String>,
    pub body: TileBody,
    pub hint: Option<Label>,
}

/// Who is reading the workbench, and when.
#[derive(Debug, Clone)]
pub struct Reader {
    pub actor: Actor,
    pub user: CurrentUser,
    pub now: Timestamp,
}

impl Reader {
    pub fn id(&self) -> i64 {
        self.user.id
    }

    pub fn allows(&self, p: Permission) -> bool {
        self.user.allows(p)
    }
}

/// The future a fill function returns.
pub type TileFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<Filled>>> + Send + 'a>>;

/// A tile as an area registers it: who sees it and how it is filled.
pub struct TileSpec {
    /// Stable key, `area.name`.
    pub key: &'static str,
    /// Translation key of the title (`workbench.tile.…`).
    pub title: &'static str,
    /// The roles whose section shows the tile (the first of them the reader holds).
    pub roles: &'static [Role],
    /// What the reader must also be allowed, as on the page the tile opens.
    pub permission: Permission,
    /// Counts or lists what the tile shows, with the filter of the page it opens.
    pub fill: for<'a> fn(&'a App, &'a Reader) -> TileFuture<'a>,
}

/// Every area's tiles, in the order a section shows them.
const REGISTRY: &[&[TileSpec]] = &[
    approvals::TILES,
    crate::ticket::TILES,
    crate::channel::email::TILES,
    crate::channel::phone::TILES,
    crate::channel::sms::TILES,
    crate::channel::chat::TILES,
    crate::customer::TILES,
    crate::notify::TILES,
    crate::quality::TILES,
    crate::complaint::TILES,
    crate::aftersales::TILES,
    crate::order::TILES,
    crate::order::CUSTOM_TILES,
    crate::receivable::TILES,
    crate::receivable::STATEMENT_TILES,
    crate::follow_up::TILES,
    crate::satisfaction::TILES,
    crate::satisfaction::relationship::TILES,
    crate::key_account::TILES,
    crate::audit::TILES,
    crate::customer_import::TILES,
    crate::jobs::TILES,
    crate::calendar::TILES,
    crate::accounts::TILES,
];

/// Every registered tile.
pub fn registry() -> impl Iterator<Item = &'static TileSpec> {
    REGISTRY.iter().flat_map(|area| area.iter())
}

/// One role's part of the workbench; no tiles means the role has nothing in kefu yet to
/// count or list (the page says so, and links to what the reader can do).
#[derive(Debug, Clone)]
pub struct Section {
    pub role: Role,
    pub tiles: Vec<Tile>,
}

#[derive(Debug, Clone)]
pub struct Workbench {
    pub sections: Vec<Section>,
}

/// The zone "today" is counted in: the department's, as pages show times.
const LOCAL_ZONE: &str = kefu_domain::calendar::DEFAULT_TIME_ZONE;

/// Local midnight before `at` (today's start, for "today" on tiles and the pages they open).
pub fn start_of_day(at: Timestamp) -> Timestamp {
    let tz = TimeZone::get(LOCAL_ZONE).unwrap_or(TimeZone::UTC);
    let zoned = at.to_zoned(tz);
    zoned.start_of_day().map(|z| z.timestamp()).unwrap_or(at)
}

/// The local calendar date of `at`.
pub fn local_date(at: Timestamp) -> jiff::civil::Date {
    let tz = TimeZone::get(LOCAL_ZONE).unwrap_or(TimeZone::UTC);
    at.to_zoned(tz).date()
}

impl App {
    /// 工作台 — the reader's tiles, one section per role they hold, each tile in the section
    /// of the first of its roles the reader holds (so a tile shows once).
    pub async fn workbench(&self, actor: &Actor) -> Result<Workbench> {
        actor.require(Permission::DashboardView)?;
        let ActorKind::User(user) = &actor.kind else {
            return Err(AppError::Forbidden);
        };
        let reader = Reader {
            actor: actor.clone(),
            user: user.clone(),
            now: self.now(),
        };
        let mut sections: Vec<Section> = user
            .roles
            .iter()
            .map(|role| Section {
                role,
                tiles: Vec::new(),
            })
            .collect();
        for spec in registry() {
            if !user.allows(spec.permission) {
                continue;
            }
            let Some(at) = sections.iter().position(|s| spec.roles.contains(&s.role)) else {
                continue;
            };
            if let Some(filled) = (spec.fill)(self, &reader).await? {
                sections[at].tiles.push(Tile {
                    key: spec.key,
                    title: spec.title,
                    link: filled.link,
                    body: filled.body,
                    hint: filled.hint,
                });
            }
        }
        Ok(Workbench { sections })
    }

    /// Today's start (local midnight), as the workbench counts "today": the audit page
    /// asked for today's entries starts there too.
    pub fn today_began(&self) -> Timestamp {
        start_of_day(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_capped_count_reads_like_a_badge() {
        assert_eq!(Count::capped(1000, 1000).shown(), "999+");
        assert_eq!(Count::capped(12, 1000).shown(), "12");
        assert_eq!(Count::exact(0).shown(), "0");
    }

    #[test]
    fn every_tile_key_is_unique_and_every_tile_has_roles() {
        let mut keys: Vec<&str> = registry().map(|s| s.key).collect();
        let n = keys.len();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), n, "tile keys repeat");
        assert!(registry().all(|s| !s.roles.is_empty()));
    }

    #[test]
    fn today_starts_at_midnight_in_beijing() {
        let at: Timestamp = "2026-03-02T01:30:00Z".parse().unwrap();
        let start: Timestamp = "2026-03-01T16:00:00Z".parse().unwrap();
        assert_eq!(start_of_day(at), start);
    }
}
