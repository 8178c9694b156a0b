//! 在线客服工作台 — the agent's chat console (`/chat`): 在线/离开, the waiting queue and the
//! agent's own chats on the left, the open chat on the right with its transcript, the reply
//! box (Enter sends; never while an input method composes), reply scripts put in at the
//! cursor, transfer, end, and the customer it is with (the card, the 360 page, the lookup
//! that links one). `static/kefu-chat-console.js` keeps it current from `/chat/events`
//! and sends without reloading; every action also works as a plain form.

pub mod actions;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kefu_app::channel::chat::{AgentState, ChatMessage, SessionDetail, SessionSummary};
use kefu_domain::Permission;
use kefu_domain::channel::chat::visitor_label;
use serde::Deserialize;

use super::render;
use super::tickets::Choice;
use super::tickets::card::CardView;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

/// A chat in one of the lists.
pub struct Row {
    pub id: i64,
    pub visitor: String,
    pub channel: String,
    pub status: String,
    pub status_key: String,
    /// The last line, cut short.
    pub preview: String,
    pub started: String,
    /// The chat open on the right.
    pub open: bool,
}

/// One line of the open chat.
pub struct LineView {
    pub seq: i64,
    /// `visitor`, `agent` or `system`.
    pub from: String,
    pub name: String,
    pub text: String,
    pub at: String,
}

/// The chat open on the right.
pub struct OpenChat {
    pub id: i64,
    pub visitor: String,
    pub status: String,
    pub status_key: String,
    pub channel: String,
    pub agent: String,
    pub started: String,
    /// The visitor's phone or e-mail, masked; empty when they gave none.
    pub contact: String,
    pub origin: String,
    pub page_url: String,
    pub lines: Vec<LineView>,
    pub last_seq: i64,
    pub mine: bool,
    pub can_accept: bool,
    pub ended: bool,
    pub ticket: Option<(i64, String)>,
    /// The card of the linked customer, when the reader may see the archive.
    pub customer: Option<CardView>,
    /// The linked customer's id and name (also for readers without the card).
    pub linked: Option<(i64, String)>,
    /// Whether the reader may look customers up and link one.
    pub can_link: bool,
    /// Agents on shift the chat may go to (the reader left out).
    pub agents: Vec<Choice>,
    pub groups: Vec<Choice>,
    /// Approved reply scripts by category.
    pub scripts: Vec<(String, Vec<(i64, String)>)>,
}

#[derive(Template)]
#[template(path = "chat_console.html")]
pub(crate) struct ConsolePage {
    t: Tr,
    layout: Layout,
    state: AgentState,
    /// 正在接待 2 / 上限 5.
    limit_text: String,
    queue: Vec<Row>,
    mine: Vec<Row>,
    open: Option<OpenChat>,
    error: Option<String>,
    /// What the reply box holds (kept after a refusal, or with a script put in).
    draft: String,
}

#[derive(Deserialize)]
pub struct ConsoleQuery {
    session: Option<i64>,
}

const PREVIEW_CHARS: usize = 40;

fn preview(m: Option<&ChatMessage>) -> String {
    let Some(m) = m else {
        return String::new();
    };
    let flat: String = m.body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > PREVIEW_CHARS {
        let cut: String = flat.chars().take(PREVIEW_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

fn row(t: Tr, s: &SessionSummary, open: Option<i64>) -> Row {
    let c = &s.session;
    Row {
        id: c.id,
        visitor: visitor_label(c.id, c.visitor_name.as_deref()),
        channel: c.channel_name.clone(),
        status: t.tk("chat.status", &c.status),
        status_key: c.status.clone(),
        preview: preview(s.last.as_ref()),
        started: local_time(c.started_at),
        open: open == Some(c.id),
    }
}

fn line(m: &ChatMessage) -> LineView {
    LineView {
        seq: m.seq,
        from: m.author.clone(),
        name: m.author_name.clone(),
        text: m.body.clone(),
        at: local_time(m.created_at),
    }
}

async fn open_chat(
    state: &AppState,
    identity: &Identity,
    d: SessionDetail,
) -> Result<OpenChat, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let s = d.session;
    let me = identity.user()?.id;
    let ended = s.status == "ended";
    let customer = match s.customer_id {
        Some(id) => super::tickets::card::load(state, &actor, t, id).await,
        None => None,
    };
    let (agents, groups, scripts) = if d.mine {
        let agents: Vec<Choice> = state
            .app
            .chat_online_agents(&actor)
            .await?
            .into_iter()
            .filter(|a| a.user_id != me && a.active_chats < a.chat_limit)
            .map(|a| Choice {
                value: a.user_id.to_string(),
                label: a.name,
                selected: false,
            })
            .collect();
        let groups: Vec<Choice> = state
            .app
            .ticket_groups(&actor)
            .await?
            .into_iter()
            .map(|g| Choice {
                value: g.id.to_string(),
                label: g.name,
                selected: false,
            })
            .collect();
        let mut scripts: Vec<(String, Vec<(i64, String)>)> = Vec::new();
        for v in state
            .app
            .scripts(&actor, kefu_domain::kb::ScriptStatus::Approved, None)
            .await?
        {
            let entry = (v.script.id, v.script.title);
            match scripts.iter_mut().find(|(c, _)| *c == v.script.category) {
                Some((_, list)) => list.push(entry),
                None => scripts.push((v.script.category, vec![entry])),
            }
        }
        (agents, groups, scripts)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    Ok(OpenChat {
        id: s.id,
        visitor: visitor_label(s.id, s.visitor_name.as_deref()),
        status: t.tk("chat.status", &s.status),
        status_key: s.status.clone(),
        channel: s.channel_name.clone(),
        agent: s.agent_name.clone().unwrap_or_else(|| "—".into()),
        started: local_time(s.started_at),
        contact: s
            .visitor_phone
            .clone()
            .or(s.visitor_email.clone())
            .unwrap_or_default(),
        origin: s.origin.clone().unwrap_or_default(),
        page_url: s.page_url.clone().unwrap_or_default(),
        last_seq: d.messages.last().map_or(0, |m| m.seq),
        lines: d.messages.iter().map(line).collect(),
        mine: d.mine,
        can_accept: d.can_accept,
        ended,
        ticket: s.ticket_id.zip(s.ticket_number.clone()),
        customer,
        linked: s.customer_id.zip(s.customer_name.clone()),
        can_link: actor.require(Permission::CustomerView).is_ok() && !ended,
        agents,
        groups,
        scripts,
    })
}

/// The console with chat `session` open (if given), a refusal above it, and the reply box
/// holding `draft`.
pub(crate) async fn console_page(
    state: &AppState,
    identity: &Identity,
    session: Option<i64>,
    error: Option<String>,
    draft: String,
) -> Result<ConsolePage, WebError> {
    let t = identity.tr();
    let actor = identity.actor();
    let chat_state = state.app.chat_agent_state(&actor).await?;
    let queue = state
        .app
        .chat_queue(&actor)
        .await?
        .iter()
        .map(|s| row(t, s, session))
        .collect();
    let mine = state
        .app
        .my_chats(&actor)
        .await?
        .iter()
        .map(|s| row(t, s, session))
        .collect();
    let open = match session {
        Some(id) => {
            let d = state.app.chat_session(&actor, id).await?;
            Some(open_chat(state, identity, d).await?)
        }
        None => None,
    };
    let limit_text = t.f(
        "chat.console.limit",
        &[
            ("active", chat_state.active_chats.to_string().as_str()),
            ("limit", chat_state.chat_limit.to_string().as_str()),
        ],
    );
    Ok(ConsolePage {
        t,
        layout: Layout::new(identity, "/chat"),
        state: chat_state,
        limit_text,
        queue,
        mine,
        open,
        error,
        draft,
    })
}

/// `GET /chat`: the console, `?session=ID` opening one chat.
pub async fn console(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<ConsoleQuery>,
) -> Result<Response, WebError> {
    super::ok(&console_page(&state, &identity, q.session, None, String::new()).await?)
}

/// The console again after a refused action, with its message and the reply box's text.
pub(crate) async fn refused(
    state: &AppState,
    identity: &Identity,
    session: Option<i64>,
    e: WebError,
    draft: String,
) -> Result<Response, WebError> {
    let (status, message): (StatusCode, String) = super::input_refusal(e, identity.tr());
    render(
        status,
        &console_page(state, identity, session, Some(message), draft).await?,
    )
}
