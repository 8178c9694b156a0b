//! 满意度 — the ratings customers gave (the leads see everyone's, an agent those of their
//! own tickets), the low scores waiting for a lead's follow-up with the form that records
//! it, and the survey settings.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_app::satisfaction::SurveyScope;
use kefu_domain::Permission;
use kefu_domain::input::Keyed;
use kefu_domain::satisfaction::CsatRules;
use kefu_domain::ticket::{Channel, TicketType};

use super::tickets::field;
use super::{refusal, render};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

struct Line {
    id: i64,
    ticket_id: i64,
    number: String,
    customer: String,
    agent: String,
    channel: String,
    sent_at: String,
    score: Option<i64>,
    score_label: String,
    comment: String,
    answered_at: String,
    low: bool,
    waiting: bool,
    handled: String,
}

#[derive(Template)]
#[template(path = "satisfaction.html")]
struct ListPage {
    t: Tr,
    layout: Layout,
    lines: Vec<Line>,
    low_only: bool,
    mine: bool,
    /// Whether the reader follows low scores up (and sees everyone's).
    can_manage: bool,
    error: Option<String>,
}

fn lines(t: Tr, list: Vec<kefu_store::satisfaction::Survey>) -> Vec<Line> {
    list.into_iter()
        .map(|s| Line {
            id: s.id,
            ticket_id: s.ticket_id,
            number: s.ticket_number,
            customer: s.customer_name.unwrap_or_default(),
            agent: s.agent_name.unwrap_or_default(),
            channel: t.tk("channel", &s.channel),
            sent_at: local_time(s.sent_at),
            score: s.score,
            score_label: s
                .score
                .map(|n| t.tk("csat.score", &n.to_string()))
                .unwrap_or_default(),
            comment: s.comment.unwrap_or_default(),
            answered_at: s.answered_at.map(local_time).unwrap_or_default(),
            low: s.low,
            waiting: s.low && s.handled_at.is_none(),
            handled: match (s.handled_at, s.handling_note) {
                (Some(at), Some(note)) => format!(
                    "{} {} · {}",
                    local_time(at),
                    s.handled_by_name.unwrap_or_default(),
                    note
                ),
                _ => String::new(),
            },
        })
        .collect()
}

async fn list_page(
    state: &AppState,
    identity: &Identity,
    q: &[(String, String)],
    error: Option<String>,
) -> Result<ListPage, WebError> {
    let t = identity.tr();
    let can_manage = identity
        .user
        .as_ref()
        .is_some_and(|u| u.allows(Permission::SatisfactionManage));
    let mine = !can_manage || field(q, "mine") == "1";
    let low_only = field(q, "low") == "1";
    let scope = if mine {
        SurveyScope::Mine
    } else {
        SurveyScope::Everyone
    };
    let list = state
        .app
        .csat_surveys(&identity.actor(), scope, low_only, false)
        .await?;
    Ok(ListPage {
        t,
        layout: Layout::new(identity, "/satisfaction"),
        lines: lines(t, list),
        low_only,
        mine,
        can_manage,
        error,
    })
}

/// `/satisfaction?low=1&mine=1`
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let p = list_page(&state, &identity, &q, None).await?;
    render(StatusCode::OK, &p)
}

/// `POST /satisfaction/{id}/handle`: a lead records how a low score was followed up.
pub async fn handle(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    match state
        .app
        .handle_low_csat(&identity.actor(), id, field(&pairs, "note"))
        .await
    {
        Ok(()) => Ok(Redirect::to("/satisfaction?low=1").into_response()),
        Err(kefu_app::AppError::Forbidden) => Err(WebError::Forbidden),
        Err(kefu_app::AppError::NotFound) => Err(WebError::NotFound),
        Err(e) => {
            let (status, message) = refusal(e, t);
            let q = vec![("low".to_owned(), "1".to_owned())];
            let p = list_page(&state, &identity, &q, Some(message)).await?;
            render(status, &p)
        }
    }
}

#[derive(Template)]
#[template(path = "admin_satisfaction.html")]
struct SettingsPage {
    t: Tr,
    layout: Layout,
    active: bool,
    types: Vec<(String, String, bool)>,
    channels: Vec<(String, String, bool)>,
    quiet_days: String,
    link_days: String,
    change_days: String,
    low_score: String,
    version: i64,
    saved: bool,
    error: Option<String>,
}

fn settings_page(identity: &Identity, r: &CsatRules, version: i64) -> SettingsPage {
    let t = identity.tr();
    SettingsPage {
        t,
        layout: Layout::new(identity, "/admin/satisfaction"),
        active: r.active,
        types: TicketType::ALL
            .iter()
            .map(|x| {
                (
                    x.key().to_owned(),
                    t.tk("ticket_type", x.key()),
                    r.ticket_types.contains(x),
                )
            })
            .collect(),
        channels: <Channel as Keyed>::keys()
            .into_iter()
            .filter_map(|k| k.parse::<Channel>().ok())
            .map(|x| {
                (
                    x.key().to_owned(),
                    t.tk("channel", x.key()),
                    r.channels.contains(&x),
                )
            })
            .collect(),
        quiet_days: r.quiet_days.to_string(),
        link_days: r.link_days.to_string(),
        change_days: r.change_days.to_string(),
        low_score: r.low_score.to_string(),
        version,
        saved: false,
        error: None,
    }
}

/// `/admin/satisfaction`
pub async fn settings(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let (rules, version) = state.app.csat_settings(&identity.actor()).await?;
    let mut p = settings_page(&identity, &rules, version);
    p.saved = field(&q, "saved") == "1";
    render(StatusCode::OK, &p)
}

/// `POST /admin/satisfaction`
pub async fn save_settings(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    // Not a number: out of every range, so the rule's refusal names the field.
    let number = |k: &str| field(&pairs, k).trim().parse::<i64>().unwrap_or(-1);
    let keys = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let rules = CsatRules {
        active: field(&pairs, "active") == "1",
        ticket_types: keys("ticket_types")
            .iter()
            .map(|k| crate::input::parse_key::<TicketType>("ticket_types", k))
            .collect::<Result<_, _>>()?,
        channels: keys("channels")
            .iter()
            .map(|k| crate::input::parse_key::<Channel>("channels", k))
            .collect::<Result<_, _>>()?,
        quiet_days: number("quiet_days"),
        link_days: number("link_days"),
        change_days: number("change_days"),
        low_score: number("low_score"),
    };
    let version = field(&pairs, "version").parse().ok();
    match state
        .app
        .save_csat_settings(&identity.actor(), rules.clone(), version)
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/satisfaction?saved=1").into_response()),
        Err(e) => {
            let (status, message) = refusal(e, t);
            let (_, current) = state.app.csat_settings(&identity.actor()).await?;
            let mut p = settings_page(&identity, &rules, current);
            p.quiet_days = field(&pairs, "quiet_days").to_owned();
            p.link_days = field(&pairs, "link_days").to_owned();
            p.change_days = field(&pairs, "change_days").to_owned();
            p.low_score = field(&pairs, "low_score").to_owned();
            p.error = Some(message);
            render(status, &p)
        }
    }
}
