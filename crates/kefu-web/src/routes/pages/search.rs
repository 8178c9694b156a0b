//! The search page behind the box in the top bar: hits grouped by kind, with filters.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_search::Kind;

use super::tickets::Choice;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::routes::api::search::{SearchParams, request};
use crate::view::{Layout, local_time};

pub struct Group {
    pub kind: String,
    pub label: String,
    pub hits: Vec<Row>,
}

pub struct Row {
    pub title: String,
    pub subtitle: String,
    /// Already HTML (escaped text with `<b>` marks).
    pub snippet: String,
    pub link: String,
    /// A ticket's status, customer and dates.
    pub ticket: Option<TicketLine>,
}

/// What a ticket hit shows under its title.
pub struct TicketLine {
    pub status: String,
    /// The status category, for the badge's colour.
    pub category: &'static str,
    /// "客户：…", or empty.
    pub customer: String,
    /// When it was opened and last changed, in words.
    pub dates: String,
}

fn ticket_line(t: Tr, f: &kefu_app::search::TicketFacts) -> TicketLine {
    TicketLine {
        status: f.status_name(t.locale()).to_owned(),
        category: f.category.key(),
        customer: f
            .customer
            .as_deref()
            .map(|c| t.f("search.hit.customer", &[("name", c)]))
            .unwrap_or_default(),
        dates: t.f(
            "search.hit.dates",
            &[
                ("created", local_time(f.created_at).as_str()),
                ("updated", local_time(f.updated_at).as_str()),
            ],
        ),
    }
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    t: Tr,
    layout: Layout,
    q: String,
    kinds: Vec<Choice>,
    from: String,
    to: String,
    groups: Vec<Group>,
    searched: bool,
    error: Option<String>,
}

pub async fn page(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<SearchParams>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let q = p.q.clone().unwrap_or_default();
    let kind = p.kind.clone().unwrap_or_default();
    let (from, to) = (
        p.from.clone().unwrap_or_default(),
        p.to.clone().unwrap_or_default(),
    );
    let searched = !q.trim().is_empty();
    let (groups, error) = match request(SearchParams {
        limit: Some(p.limit.unwrap_or(50)),
        ..p
    }) {
        Err(e) => {
            let info = e.into_info();
            let detail = info.detail.clone().unwrap_or_default();
            (Vec::new(), Some(format!("{} {detail}", info.message(t))))
        }
        Ok(r) if !searched => {
            let _ = r;
            (Vec::new(), None)
        }
        Ok(r) => match state.app.search_view(&identity.actor(), &r).await {
            Ok(hits) => {
                let groups = Kind::ALL
                    .iter()
                    .map(|k| Group {
                        kind: k.key().to_owned(),
                        label: t.tk("search.kind", k.key()),
                        hits: hits
                            .iter()
                            .filter(|v| v.hit.kind == *k)
                            .map(|v| Row {
                                title: v.hit.title.clone(),
                                subtitle: v.hit.subtitle.clone(),
                                snippet: v.hit.snippet.clone(),
                                link: v.hit.link.clone(),
                                ticket: v.ticket.as_ref().map(|f| ticket_line(t, f)),
                            })
                            .collect(),
                    })
                    .filter(|g| !g.hits.is_empty())
                    .collect();
                (groups, None)
            }
            Err(e) => {
                let (_, message) = super::refusal(e, t);
                (Vec::new(), Some(message))
            }
        },
    };
    let kinds = std::iter::once(Choice {
        value: String::new(),
        label: t.t("common.all").to_owned(),
        selected: kind.is_empty(),
    })
    .chain(Kind::ALL.iter().map(|k| Choice {
        value: k.key().to_owned(),
        label: t.tk("search.kind", k.key()),
        selected: kind == k.key(),
    }))
    .collect();
    super::ok(&SearchPage {
        layout: Layout::new(&identity, "/search"),
        t,
        q,
        kinds,
        from,
        to,
        groups,
        searched,
        error,
    })
}

#[derive(serde::Deserialize)]
pub struct SuggestParams {
    pub q: Option<String>,
    /// `customer`, `script`, or `top` (the box in the top bar: tickets and customers).
    pub kind: Option<String>,
}

#[derive(serde::Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub title: String,
    pub subtitle: String,
    pub link: String,
    /// `ticket`, `customer`, `script`; with its name, shown where kinds are mixed.
    pub kind: &'static str,
    pub kind_label: String,
}

/// Most suggestions a list shows.
const SUGGESTIONS: usize = 8;

/// `GET /search/suggest`: what the pickers offer as the user types (JSON for the page's
/// script; the session's permissions apply).
pub async fn suggest(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<SuggestParams>,
) -> Result<axum::Json<Vec<Suggestion>>, WebError> {
    let t = identity.tr();
    // The top bar's box finds what one opens from anywhere: a ticket by its number or
    // subject, a customer by name (contacts lead to their customer, who is found by them).
    let top = p.kind.as_deref() == Some("top");
    let kind = match p.kind.as_deref() {
        Some("top") => None,
        Some("script") => Some(Kind::Script),
        _ => Some(Kind::Customer),
    };
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Ok(axum::Json(Vec::new()));
    }
    let r = kefu_app::search::SearchRequest {
        text: q,
        kind,
        // A script being reviewed is not offered for use.
        status: (kind == Some(Kind::Script)).then(|| "approved".to_owned()),
        limit: if top { SUGGESTIONS * 2 } else { SUGGESTIONS },
        ..Default::default()
    };
    let hits = state.app.search(&identity.actor(), &r).await?;
    Ok(axum::Json(
        hits.into_iter()
            .filter(|h| !top || matches!(h.kind, Kind::Ticket | Kind::Customer))
            .take(SUGGESTIONS)
            .map(|h| Suggestion {
                id: h.id,
                kind: h.kind.key(),
                kind_label: t.tk("search.kind", h.kind.key()),
                title: h.title,
                subtitle: h.subtitle,
                link: h.link,
            })
            .collect(),
    ))
}
