//! `GET /chat/events` — the agent console's stream: an event `msg` with each line of the
//! reader's own chats (the line itself, for the transcript on screen), and an event
//! `queue` when the queues changed (a chat opened, accepted, transferred or ended:
//! kefu's own lines say so), after which the console reads its lists again (everything,
//! with `{"all":true}`, when lines were missed). While the stream is open the agent counts
//! as there (在线 needs it; a closed browser does not leave visitors waiting for nobody).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use kefu_app::App;
use kefu_app::channel::chat::FeedItem;
use kefu_domain::channel::chat::{ChatAuthor, ChatStatus};
use serde::Serialize;
use tokio::sync::{broadcast, watch};

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// How often an open console tells kefu its agent is still there.
const HEARTBEAT: Duration = Duration::from_secs(60);

/// A line as the console reads it.
#[derive(Serialize)]
struct Line<'a> {
    session: i64,
    seq: i64,
    from: &'a str,
    name: &'a str,
    text: &'a str,
    /// Unix seconds.
    at: i64,
    /// The chat's status now.
    status: &'a str,
}

struct Listener {
    rx: broadcast::Receiver<Arc<FeedItem>>,
    closing: watch::Receiver<bool>,
    beat: tokio::time::Interval,
    app: App,
    me: i64,
}

/// Whether a line changes what the queues show: kefu's own lines mark every change of a
/// chat's state, and a waiting chat's lines move it in the queue.
fn moves_queues(item: &FeedItem) -> bool {
    item.message.author == ChatAuthor::System.key() || item.status == ChatStatus::Waiting.key()
}

pub async fn agent_events(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, WebError> {
    let me = identity.user()?.id;
    let hub = state.chat.clone();
    hub.ensure_poller(&state);
    let listener = Listener {
        rx: hub.subscribe(),
        closing: hub.closing(),
        beat: tokio::time::interval(HEARTBEAT),
        app: state.app.clone(),
        me,
    };
    let stream = futures_util::stream::unfold(listener, |mut l| async move {
        loop {
            if *l.closing.borrow() {
                return None;
            }
            tokio::select! {
                msg = l.rx.recv() => match msg {
                    Ok(item) => {
                        if item.agent_user_id == Some(l.me) {
                            let m = &item.message;
                            let line = Line {
                                session: m.session_id,
                                seq: m.seq,
                                from: &m.author,
                                name: &m.author_name,
                                text: &m.body,
                                at: m.created_at.as_second(),
                                status: &item.status,
                            };
                            let data = serde_json::to_string(&line).unwrap_or_default();
                            return Some((Ok(Event::default().event("msg").data(data)), l));
                        }
                        // Not drained like the workbench's nudges: a line of the reader's
                        // own chat may be next. The console reads its lists once per burst.
                        if moves_queues(&item) {
                            return Some((Ok(Event::default().event("queue").data("{}")), l));
                        }
                    }
                    // Lines were missed: the console reads everything again.
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        let event = Event::default().event("queue").data("{\"all\":true}");
                        return Some((Ok(event), l));
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = l.beat.tick() => {
                    if let Err(e) = l.app.touch_chat_agent(l.me).await {
                        tracing::warn!(error = %e, "could not note an agent's console");
                    }
                }
                _ = l.closing.changed() => return None,
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
