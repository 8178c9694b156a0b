//! `GET /api/v1/search`: the one search box over tickets, customers, contacts and reply
//! scripts, as JSON.

use axum::Json;
use axum::extract::{Query, State};
use kefu_app::search::SearchRequest;
use kefu_domain::dates::{self, DateError};
use kefu_search::Kind;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::doc;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words, numbers or codes to find (Chinese, simplified or traditional; pinyin;
    /// 4+ phone digits, spaced or with +86…); the first 200 characters are looked for.
    pub q: Option<String>,
    /// `ticket`, `customer`, `contact` or `script`; all the caller may open when absent.
    #[param(value_type = Option<doc::SearchKindKey>)]
    pub kind: Option<String>,
    /// Status (ticket status category, customer status, script status).
    pub status: Option<String>,
    /// Ticket type or customer type.
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub doc_type: Option<String>,
    pub tier: Option<String>,
    pub assignee: Option<i64>,
    /// From this instant or day on: RFC 3339 or `YYYY-MM-DD` (Beijing time).
    #[param(value_type = Option<doc::InstantInput>)]
    pub from: Option<String>,
    /// Up to this instant or day: RFC 3339 or `YYYY-MM-DD` (Beijing time); not before `from`
    /// (`dates_reversed`).
    #[param(value_type = Option<doc::InstantInput>)]
    pub to: Option<String>,
    /// Most hits, default 20; values outside 1–100 are brought within it.
    pub limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchHit {
    /// `ticket`, `customer`, `contact`, `script`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub subtitle: String,
    /// HTML with `<b>` around the words found.
    pub snippet: String,
    pub link: String,
    pub score: f32,
}

/// Parses an instant given as RFC 3339 or a Beijing date; either way its date must lie in
/// the business range of [`kefu_domain::dates`].
pub fn instant(name: &str, v: Option<&str>) -> Result<Option<jiff::Timestamp>, WebError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Ok(Some(dates::check_instant(name, t)?));
    }
    let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap_or(jiff::tz::TimeZone::UTC);
    let day = dates::parse(name, v)?;
    day.to_zoned(tz)
        .map(|z| Some(z.timestamp()))
        .map_err(|_| WebError::bad_request("invalid_field", format!("{name}: {v:?}")))
}

/// The request as the app takes it, from the query string.
pub fn request(p: SearchParams) -> Result<SearchRequest, WebError> {
    let kind = match p.kind.as_deref().filter(|k| !k.is_empty()) {
        None => None,
        Some(k) => Some(
            Kind::parse(k)
                .ok_or_else(|| crate::input::unknown_value("kind", k, Kind::ALL.map(Kind::key)))?,
        ),
    };
    let from = instant("from", p.from.as_deref())?;
    let to = instant("to", p.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to)
        && t < f
    {
        return Err(DateError::Reversed.into());
    }
    Ok(SearchRequest {
        text: p.q.unwrap_or_default(),
        kind,
        status: p.status.filter(|s| !s.is_empty()),
        doc_type: p.doc_type.filter(|s| !s.is_empty()),
        tier: p.tier.filter(|s| !s.is_empty()),
        assignee: p.assignee,
        from,
        to,
        limit: p.limit.unwrap_or(20),
    })
}

/// Finds tickets, customers, contacts and reply scripts the caller may open, best first.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses(
        (status = 200, description = "The hits", body = Vec<SearchHit>),
        (status = 422, description = "An unknown `kind`, a day outside the business range, \
            `to` before `from`", body = super::ErrorBody),
        (status = 503, description = "Search is off on this instance (`search_unavailable`), \
            or the database cannot be reached right now (`database_unavailable`, with \
            `Retry-After`)", body = super::ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    identity: Identity,
    Query(p): Query<SearchParams>,
) -> Result<Json<Vec<SearchHit>>, WebError> {
    let r = request(p)?;
    let hits = state.app.search(&identity.actor(), &r).await?;
    Ok(Json(
        hits.into_iter()
            .map(|h| SearchHit {
                kind: h.kind.key().to_owned(),
                id: h.id,
                title: h.title,
                subtitle: h.subtitle,
                snippet: h.snippet,
                link: h.link,
                score: h.score,
            })
            .collect(),
    ))
}
