//! 在线客服 — live chat at the HTTP edge: the widget's script ([`widget`]), its WebSocket
//! ([`socket`], protocol in [`frames`]), the offline form it posts across origins, and the
//! agents' console stream ([`events`]).
//!
//! One poller per instance reads the chat lines written in the database (by any instance)
//! and fans them out to this instance's visitor sockets and agent consoles, as
//! [`crate::live`] does for the change log. A socket that misses something (a gap in its
//! chat's numbers, a lagging receiver) reads its chat again from the database, so the
//! fan-out only has to be quick, never complete.

pub mod cursor;
pub mod events;
pub mod frames;
pub mod socket;
pub mod widget;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kefu_app::channel::chat::{FEED_BATCH, FeedItem};
use tokio::sync::{Notify, broadcast, watch};

use crate::AppState;
use cursor::Cursor;

/// How often the chat lines are read while anyone listens. A line written on this
/// instance is read at once (see [`ChatHub::wake`]); one written on another within this.
const POLL: Duration = Duration::from_millis(250);

/// How long a line whose id was skipped is looked for (a transaction that took its id
/// earlier may commit after a later one, on PostgreSQL).
const GAP_WAIT: Duration = Duration::from_secs(10);

/// At most this many batches are read in one round.
const MAX_BATCHES: usize = 8;

/// One instance's fan-out of chat lines.
pub struct ChatHub {
    tx: broadcast::Sender<Arc<FeedItem>>,
    started: AtomicBool,
    wake: Notify,
    closing_tx: watch::Sender<bool>,
}

impl ChatHub {
    pub fn new() -> ChatHub {
        let (tx, _) = broadcast::channel(4096);
        let (closing_tx, _) = watch::channel(false);
        ChatHub {
            tx,
            started: AtomicBool::new(false),
            wake: Notify::new(),
            closing_tx,
        }
    }

    /// Ends every open socket and stream (the server is shutting down).
    pub fn close(&self) {
        self.closing_tx.send_replace(true);
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<Arc<FeedItem>> {
        self.tx.subscribe()
    }

    pub(crate) fn closing(&self) -> watch::Receiver<bool> {
        self.closing_tx.subscribe()
    }

    /// A line was written on this instance: read the feed now rather than at the next poll.
    pub(crate) fn wake(&self) {
        self.wake.notify_one();
    }

    /// Starts the poller the first time anyone listens.
    pub(crate) fn ensure_poller(self: &Arc<Self>, state: &AppState) {
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let hub = self.clone();
        let app = state.app.clone();
        let mut closing = self.closing_tx.subscribe();
        tokio::spawn(async move {
            let mut cursor = Cursor::new(app.chat_feed_head().await.unwrap_or(0));
            loop {
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = hub.wake.notified() => {}
                    _ = closing.changed() => break,
                }
                if hub.tx.receiver_count() == 0 {
                    // Nobody listens: skip ahead instead of replaying old lines later.
                    if let Ok(head) = app.chat_feed_head().await {
                        cursor.skip_to(head);
                    }
                    continue;
                }
                let now = Instant::now();
                cursor.expire(now, GAP_WAIT);
                let mut from = cursor.floor();
                for _ in 0..MAX_BATCHES {
                    let items = match app.chat_feed(from, FEED_BATCH).await {
                        Ok(items) => items,
                        Err(e) => {
                            tracing::warn!(error = %e, "live chat could not read its lines");
                            break;
                        }
                    };
                    let full = items.len() as i64 >= FEED_BATCH;
                    for item in items {
                        from = item.message.id;
                        if cursor.fresh(item.message.id, now) {
                            let _ = hub.tx.send(Arc::new(item));
                        }
                    }
                    if !full {
                        break;
                    }
                }
            }
        });
    }
}

impl Default for ChatHub {
    fn default() -> Self {
        ChatHub::new()
    }
}
