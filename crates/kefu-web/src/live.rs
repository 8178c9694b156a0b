//! Live updates: one poller per instance reads the shared change log and fans changes out
//! to every open page through server-sent events — ticket changes to the queues and ticket
//! pages, every change (as a bare nudge) to the workbench, which fetches its tiles again,
//! and a ringing call's screen pop to the pages of the agent whose extension rings.
//! Reading the log (not an in-process channel) is what makes a change saved on one
//! instance reach pages served by another.

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::{broadcast, watch};

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;

/// How often the change log is read while someone listens.
const POLL: Duration = Duration::from_millis(500);

/// One change read from the log: the ticket it is about (`None`: another record) and who
/// made it (0: nobody signed in).
type Change = (Option<i64>, i64);

/// A screen pop read from the log: the call, and the agent whose pages show it.
type Pop = (i64, i64);

pub struct LiveHub {
    tx: broadcast::Sender<Change>,
    pops: broadcast::Sender<Pop>,
    started: AtomicBool,
    closing_tx: watch::Sender<bool>,
}

impl LiveHub {
    pub fn new() -> LiveHub {
        let (tx, _) = broadcast::channel(1024);
        let (pops, _) = broadcast::channel(256);
        let (closing_tx, _) = watch::channel(false);
        LiveHub {
            tx,
            pops,
            started: AtomicBool::new(false),
            closing_tx,
        }
    }

    /// Ends every open stream (called when the server shuts down, so it can finish).
    pub fn close(&self) {
        self.closing_tx.send_replace(true);
    }

    fn ensure_poller(self: &Arc<Self>, state: &AppState) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let hub = self.clone();
        let app = state.app.clone();
        let mut closing = self.closing_tx.subscribe();
        tokio::spawn(async move {
            let mut last = app.change_log_head().await.unwrap_or(0);
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = closing.changed() => break,
                }
                if hub.tx.receiver_count() == 0 && hub.pops.receiver_count() == 0 {
                    // Nobody listens: skip ahead instead of replaying old changes later.
                    if let Ok(head) = app.change_log_head().await {
                        last = head;
                    }
                    continue;
                }
                match app.live_changes_since(last).await {
                    Ok((next, changes)) => {
                        if hub.pops.receiver_count() > 0 {
                            match app.phone_pops_between(last, next).await {
                                Ok(pops) => {
                                    for pop in pops {
                                        let _ = hub.pops.send(pop);
                                    }
                                }
                                Err(e) => tracing::warn!(
                                    error = %e,
                                    "live updates could not read the screen pops"
                                ),
                            }
                        }
                        last = next;
                        for (ticket, by) in changes {
                            let _ = hub.tx.send((ticket, by.unwrap_or(0)));
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "live updates could not read the change log")
                    }
                }
            }
        });
    }
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub::new()
    }
}

/// `GET /events/tickets`: an event `ticket` with the ticket id whenever a ticket changes.
pub async fn ticket_events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let hub = state.live.clone();
    hub.ensure_poller(&state);
    let rx = hub.tx.subscribe();
    let closing = hub.closing_tx.subscribe();
    let stream = futures_util::stream::unfold((rx, closing), |(mut rx, mut closing)| async move {
        if *closing.borrow() {
            return None;
        }
        let data = loop {
            tokio::select! {
                msg = rx.recv() => match msg {
                    Ok((Some(id), by)) => break format!("{{\"ticket\":{id},\"by\":{by}}}"),
                    // Another record changed: not for these pages.
                    Ok((None, _)) => continue,
                    // Missed some: tell the page to refresh whatever it shows.
                    Err(broadcast::error::RecvError::Lagged(_)) => break "{\"ticket\":0,\"by\":0}".to_owned(),
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                _ = closing.changed() => return None,
            }
        };
        let event = Event::default().event("ticket").data(data);
        Some((Ok(event), (rx, closing)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// `GET /events/workbench`: an event `change` whenever anything changed, saying nothing of
/// what (every role may listen; the tiles it fetches again are the reader's own). Changes
/// arriving together are told once.
pub async fn workbench_events(
    State(state): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let hub = state.live.clone();
    hub.ensure_poller(&state);
    let rx = hub.tx.subscribe();
    let closing = hub.closing_tx.subscribe();
    let stream = futures_util::stream::unfold((rx, closing), |(mut rx, mut closing)| async move {
        if *closing.borrow() {
            return None;
        }
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => return None,
            },
            _ = closing.changed() => return None,
        }
        // What else is already waiting belongs to the same nudge.
        while let Ok(_) | Err(broadcast::error::TryRecvError::Lagged(_)) = rx.try_recv() {}
        let event = Event::default().event("change").data("{}");
        Some((Ok(event), (rx, closing)))
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// `GET /events/phone`: an event `call` with the call's id — nothing else, the number least
/// of all — when a call starts ringing at the reader's extension. The page fetches the pop
/// itself (`/calls/{id}/pop`), so what it shows is checked like any page.
pub async fn phone_events(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, WebError> {
    let me = identity
        .user
        .as_ref()
        .map(|u| u.id)
        .ok_or(WebError::Unauthorized)?;
    let hub = state.live.clone();
    hub.ensure_poller(&state);
    let rx = hub.pops.subscribe();
    let closing = hub.closing_tx.subscribe();
    let stream =
        futures_util::stream::unfold((rx, closing), move |(mut rx, mut closing)| async move {
            if *closing.borrow() {
                return None;
            }
            let call = loop {
                tokio::select! {
                    msg = rx.recv() => match msg {
                        Ok((call, agent)) if agent == me => break call,
                        // Another agent's call, or pops missed while lagging (a ring long gone
                        // is no pop).
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => continue,
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                    _ = closing.changed() => return None,
                }
            };
            let event = Event::default()
                .event("call")
                .data(format!("{{\"call\":{call}}}"));
            Some((Ok(event), (rx, closing)))
        });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
