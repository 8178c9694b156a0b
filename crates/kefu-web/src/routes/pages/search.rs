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
use crate::view::Layout;

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
        Ok(r) => match state.app.search(&identity.actor(), &r).await {
            Ok(hits) => {
                let groups = Kind::ALL
                    .iter()
                    .map(|k| Group {
                        kind: k.key().to_owned(),
                        label: t.tk("search.kind", k.key()),
                        hits: hits
                            .iter()
                            .filter(|h| h.kind == *k)
                            .map(|h| Row {
                                title: h.title.clone(),
                                subtitle: h.subtitle.clone(),
                                snippet: h.snippet.clone(),
                                link: h.link.clone(),
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
    /// `customer` or `script`.
    pub kind: Option<String>,
}

#[derive(serde::Serialize)]
pub struct Suggestion {
    pub id: i64,
    pub title: String,
    pub subtitle: String,
    pub link: String,
}

/// `GET /search/suggest`: what the pickers offer as the user types (JSON for the page's
/// script; the session's permissions apply).
pub async fn suggest(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<SuggestParams>,
) -> Result<axum::Json<Vec<Suggestion>>, WebError> {
    let kind = match p.kind.as_deref() {
        Some("script") => Kind::Script,
        _ => Kind::Customer,
    };
    let q = p.q.unwrap_or_default();
    if q.trim().is_empty() {
        return Ok(axum::Json(Vec::new()));
    }
    let r = kefu_app::search::SearchRequest {
        text: q,
        kind: Some(kind),
        // A script being reviewed is not offered for use.
        status: (kind == Kind::Script).then(|| "approved".to_owned()),
        limit: 8,
        ..Default::default()
    };
    let hits = state.app.search(&identity.actor(), &r).await?;
    Ok(axum::Json(
        hits.into_iter()
            .map(|h| Suggestion {
                id: h.id,
                title: h.title,
                subtitle: h.subtitle,
                link: h.link,
            })
            .collect(),
    ))
}
