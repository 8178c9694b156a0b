//! 通话 — the agent's calls: the lists (my calls, calls to log, callbacks to make), a
//! call's page with the form that logs it as a ticket, the form for a call logged by hand,
//! and the screen pop a ringing call shows (`pop`). Numbers are shown masked everywhere;
//! a reader who may reveal customers' numbers reveals a call's on its page, audited.

pub mod pop;
pub mod show;

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_app::channel::phone::{Call, CallList, calls_link};
use serde::Deserialize;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// One call as lists, the call page and the ticket page show it.
pub struct CallRow {
    pub id: i64,
    pub direction: String,
    pub direction_key: String,
    /// Masked (`138****5678`), or 未显示 when the caller withheld it.
    pub number: String,
    pub status: String,
    pub status_key: String,
    pub started: String,
    /// `3 分 12 秒`, or empty when the call was not answered (yet).
    pub duration: String,
    pub agent: String,
    pub customer: Option<(i64, String)>,
    pub ticket: Option<(i64, String)>,
    /// A link to the recording: http or https, as the webhook accepted it.
    pub recording: Option<String>,
    pub callback_pending: bool,
    pub callback_done: bool,
}

/// A talk time as people read it.
pub fn duration_text(t: Tr, secs: i64) -> String {
    let (m, s) = (secs / 60, secs % 60);
    if m == 0 {
        t.f("calls.duration_s", &[("s", &s.to_string())])
    } else {
        t.f(
            "calls.duration_ms",
            &[("m", &m.to_string()), ("s", &s.to_string())],
        )
    }
}

impl CallRow {
    pub fn new(t: Tr, c: &Call) -> CallRow {
        CallRow {
            id: c.id,
            direction: t.tk("calls.direction", &c.direction),
            direction_key: c.direction.clone(),
            number: c
                .customer_number
                .clone()
                .unwrap_or_else(|| t.t("calls.no_number").to_owned()),
            status: t.tk("calls.status", &c.status),
            status_key: c.status.clone(),
            started: local_time(c.started_at),
            duration: c
                .duration_secs
                .filter(|_| c.status == "done")
                .map(|d| duration_text(t, d))
                .unwrap_or_default(),
            agent: c.agent_name.clone().unwrap_or_else(|| "—".into()),
            customer: c.customer_id.zip(c.customer_name.clone()),
            ticket: c.ticket_id.zip(c.ticket_number.clone()),
            recording: c.recording_url.clone(),
            callback_pending: c.callback.as_deref() == Some("pending"),
            callback_done: c.callback.as_deref() == Some("done"),
        }
    }
}

/// The calls ticket `id` was logged from, for the ticket page.
pub async fn of_ticket(
    state: &AppState,
    actor: &kefu_app::Actor,
    t: Tr,
    id: i64,
) -> Result<Vec<CallRow>, WebError> {
    Ok(state
        .app
        .calls_of_ticket(actor, id)
        .await?
        .iter()
        .map(|c| CallRow::new(t, c))
        .collect())
}

/// The lists, as the page's tabs name them: (key, list).
const VIEWS: [(&str, CallList); 3] = [
    ("mine", CallList::Mine),
    ("unlogged", CallList::Unlogged),
    ("callbacks", CallList::Callbacks),
];

/// A tab of the lists.
pub struct Tab {
    pub label: String,
    pub link: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "calls.html")]
struct CallsPage {
    t: Tr,
    layout: Layout,
    tabs: Vec<Tab>,
    /// What the list shows, in a sentence.
    hint: String,
    rows: Vec<CallRow>,
}

#[derive(Deserialize)]
pub struct CallsQuery {
    view: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<CallsQuery>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let wanted = q.view.as_deref().unwrap_or("mine");
    let (view, list) = VIEWS
        .iter()
        .find(|(k, _)| *k == wanted)
        .copied()
        .ok_or_else(|| WebError::UnknownValue {
            field: "view".into(),
            value: wanted.to_owned(),
            allowed: VIEWS.iter().map(|(k, _)| *k).collect(),
        })?;
    let rows = state
        .app
        .calls(&identity.actor(), list)
        .await?
        .iter()
        .map(|c| CallRow::new(t, c))
        .collect();
    super::ok(&CallsPage {
        t,
        layout: Layout::new(&identity, "/tickets"),
        tabs: VIEWS
            .iter()
            .map(|(k, l)| Tab {
                label: t.tk("calls.view", k),
                link: calls_link(*l),
                active: *k == view,
            })
            .collect(),
        hint: t.tk("calls.view_hint", view),
        rows,
    })
}
