//! `GET /chat/ws/{channel}` — the widget's WebSocket. The page's `Origin` is checked before
//! the upgrade (a site the channel does not allow gets 403, audited; browsers do not apply
//! CORS to WebSockets, so this check is the only one). Then the widget says hello and the
//! socket carries its chat both ways: its messages in (each numbered by the widget, stored
//! once), every line of its chat out, in order, from whichever kefu instance wrote it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::http::header::ORIGIN;
use axum::response::Response;
use kefu_app::channel::chat::{ChatChannel, FeedItem, Hello, VisitorChat};
use kefu_app::{App, AppError};
use kefu_domain::channel::chat::ChatError;
use tokio::sync::{broadcast, watch};

use super::ChatHub;
use super::frames::{Incoming, Outgoing};
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;

/// The largest frame the socket reads; a larger one closes it. A message over the
/// channel's character limit but under this is answered `too_long`.
const MAX_FRAME: usize = 64 * 1024;

/// How long the widget has to say hello.
const HELLO_WAIT: Duration = Duration::from_secs(15);

/// How often kefu pings a quiet socket, so proxies keep it open.
const PING_EVERY: Duration = Duration::from_secs(30);

/// At most this many messages in [`BURST_WINDOW`] from one socket; more are refused.
const BURST: usize = 20;
const BURST_WINDOW: Duration = Duration::from_secs(10);

/// The `Origin` a request came with.
pub(crate) fn origin_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

pub async fn visitor_socket(
    State(state): State<AppState>,
    identity: Identity,
    Path(id): Path<i64>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, WebError> {
    let origin = origin_of(&headers);
    let channel = state
        .app
        .chat_channel_for(&identity.actor(), id, origin.as_deref())
        .await?;
    let hub = state.chat.clone();
    hub.ensure_poller(&state);
    // Subscribed before the upgrade: nothing written from here on is missed.
    let events = hub.subscribe();
    let closing = hub.closing();
    let app = state.app.clone();
    let tr = identity.tr();
    Ok(ws
        .max_message_size(MAX_FRAME)
        .max_frame_size(MAX_FRAME)
        .on_upgrade(move |socket| async move {
            let conn = Conn {
                app,
                hub,
                socket,
                tr,
                chat: None,
                last_sent: 0,
                shown: None,
                recent: VecDeque::new(),
            };
            conn.run(channel, origin, events, closing).await;
        }))
}

/// One visitor's socket.
struct Conn {
    app: App,
    hub: Arc<ChatHub>,
    socket: WebSocket,
    tr: Tr,
    chat: Option<VisitorChat>,
    /// The highest line number sent.
    last_sent: i64,
    /// The chat's (status, agent) the widget was last told.
    shown: Option<(String, Option<String>)>,
    /// When the last messages came, for the burst limit.
    recent: VecDeque<Instant>,
}

/// Whether the socket is still worth keeping.
type Keep = bool;

impl Conn {
    async fn run(
        mut self,
        channel: ChatChannel,
        origin: Option<String>,
        mut events: broadcast::Receiver<Arc<FeedItem>>,
        mut closing: watch::Receiver<bool>,
    ) {
        let hello = match tokio::time::timeout(HELLO_WAIT, self.first_frame()).await {
            Ok(Some(Incoming::Hello {
                token,
                last_seq,
                name,
                contact,
                page,
            })) => (
                Hello {
                    token,
                    name,
                    contact,
                    page_url: page,
                },
                last_seq.unwrap_or(0).max(0),
            ),
            _ => {
                let _ = self.socket.send(Message::Close(None)).await;
                return;
            }
        };
        if !self
            .welcome(channel, origin.as_deref(), &hello.0, hello.1)
            .await
        {
            return;
        }
        let mut ping = tokio::time::interval(PING_EVERY);
        ping.tick().await;
        loop {
            let keep = tokio::select! {
                frame = self.socket.recv() => match frame {
                    Some(Ok(Message::Text(text))) => self.on_text(text.as_str()).await,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => false,
                    Some(Ok(_)) => true,
                },
                event = events.recv() => match event {
                    Ok(item) => self.on_line(&item).await,
                    Err(broadcast::error::RecvError::Lagged(_)) => self.catch_up().await,
                    Err(broadcast::error::RecvError::Closed) => false,
                },
                _ = ping.tick() => self.socket.send(Message::Ping(Bytes::new())).await.is_ok(),
                _ = closing.changed() => {
                    let _ = self.socket.send(Message::Close(None)).await;
                    false
                }
            };
            if !keep {
                break;
            }
        }
    }

    /// The first text frame, read as a frame (anything unreadable ends the wait as none).
    async fn first_frame(&mut self) -> Option<Incoming> {
        loop {
            match self.socket.recv().await? {
                Ok(Message::Text(text)) => return serde_json::from_str(text.as_str()).ok(),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    async fn send(&mut self, frame: &Outgoing<'_>) -> Keep {
        self.socket
            .send(Message::text(frame.to_json()))
            .await
            .is_ok()
    }

    async fn send_error(&mut self, code: &str, message: &str, cseq: Option<i64>) -> Keep {
        self.send(&Outgoing::Error {
            code,
            message,
            cseq,
        })
        .await
    }

    /// A refusal of the app as an error frame: its code (the chat's short ones where the
    /// protocol names them) and its translated message.
    async fn refused(&mut self, e: AppError, cseq: Option<i64>) -> Keep {
        let code = match &e {
            AppError::Chat(ChatError::MessageTooLong { .. }) => "too_long",
            AppError::Chat(ChatError::EmptyMessage) => "empty",
            AppError::Chat(ChatError::Ended) => "ended",
            AppError::Store(_) | AppError::Internal(_) => "unavailable",
            _ => "refused",
        };
        let info = WebError::from(e).into_info();
        let message = info.message(self.tr);
        self.send_error(code, &message, cseq).await
    }

    async fn welcome(
        &mut self,
        channel: ChatChannel,
        origin: Option<&str>,
        hello: &Hello,
        last_seq: i64,
    ) -> Keep {
        let (chat, welcome) = match self.app.chat_hello(channel, origin, hello).await {
            Ok(w) => w,
            Err(e) => {
                self.refused(e, None).await;
                return false;
            }
        };
        let frame = Outgoing::Welcome {
            token: &chat.token,
            session: welcome.session,
            status: welcome.status.key(),
            agent: welcome.agent_name.as_deref(),
            greeting: chat.channel.greeting.as_deref(),
            max_chars: chat.channel.max_message_chars,
        }
        .to_json();
        if self.socket.send(Message::text(frame)).await.is_err() {
            return false;
        }
        if welcome.session.is_some() {
            self.shown = Some((welcome.status.key().to_owned(), welcome.agent_name));
        }
        self.last_sent = last_seq;
        let resumed = welcome.session.is_some();
        self.chat = Some(chat);
        // A visitor coming back gets what they missed.
        if resumed {
            return self.catch_up().await;
        }
        true
    }

    async fn on_text(&mut self, text: &str) -> Keep {
        let frame: Incoming = match serde_json::from_str(text) {
            Ok(f) => f,
            Err(_) => {
                let message = self.tr.t("chat.widget.bad_frame").to_owned();
                return self.send_error("bad_frame", &message, None).await;
            }
        };
        match frame {
            // Said once; a second hello changes nothing.
            Incoming::Hello { .. } => true,
            Incoming::Msg { cseq, text } => self.on_msg(cseq, &text).await,
            Incoming::End {} => self.on_end().await,
            Incoming::Ping {} => self.send(&Outgoing::Pong {}).await,
        }
    }

    /// Whether another message now would be one too many.
    fn over_burst(&mut self) -> bool {
        let now = Instant::now();
        while self
            .recent
            .front()
            .is_some_and(|t| now.duration_since(*t) > BURST_WINDOW)
        {
            self.recent.pop_front();
        }
        if self.recent.len() >= BURST {
            return true;
        }
        self.recent.push_back(now);
        false
    }

    async fn on_msg(&mut self, cseq: i64, text: &str) -> Keep {
        if self.over_burst() {
            let message = self.tr.t("chat.widget.slow_down").to_owned();
            return self.send_error("rate_limited", &message, Some(cseq)).await;
        }
        let Some(chat) = self.chat.as_mut() else {
            return false;
        };
        let result = self.app.chat_visitor_message(chat, cseq, text).await;
        let session = chat.session_id;
        match result {
            Ok(ack) => {
                self.hub.wake();
                if ack.opened
                    && let Some(session) = session
                {
                    self.shown = Some(("waiting".to_owned(), None));
                    let status = Outgoing::Status {
                        session,
                        status: "waiting",
                        agent: None,
                    };
                    if !self.send(&status).await {
                        return false;
                    }
                }
                self.send(&Outgoing::Ack { cseq, seq: ack.seq }).await
            }
            Err(e) => self.refused(e, Some(cseq)).await,
        }
    }

    async fn on_end(&mut self) -> Keep {
        let Some(chat) = self.chat.as_ref() else {
            return false;
        };
        match self.app.chat_visitor_end(chat).await {
            Ok(_) => {
                self.hub.wake();
                self.catch_up().await
            }
            Err(e) => self.refused(e, None).await,
        }
    }

    /// A line read from the feed: sent if it is the next of this socket's chat; a gap is
    /// filled from the database.
    async fn on_line(&mut self, item: &FeedItem) -> Keep {
        let Some(session) = self.chat.as_ref().and_then(|c| c.session_id) else {
            return true;
        };
        let m = &item.message;
        if m.session_id != session || m.seq <= self.last_sent {
            return true;
        }
        if m.seq > self.last_sent + 1 {
            return self.catch_up().await;
        }
        if !self.send(&Outgoing::line(m)).await {
            return false;
        }
        self.last_sent = m.seq;
        self.tell_status(session, &item.status, item.agent_name.clone())
            .await
    }

    /// Sends every line of the chat after the last one sent, and its status if it changed.
    async fn catch_up(&mut self) -> Keep {
        let Some(session) = self.chat.as_ref().and_then(|c| c.session_id) else {
            return true;
        };
        loop {
            let lines = match self.app.chat_lines_after(session, self.last_sent).await {
                Ok(lines) => lines,
                Err(e) => return self.refused(e, None).await,
            };
            let done = (lines.len() as i64) < kefu_app::channel::chat::READ_BATCH;
            for m in &lines {
                if !self.send(&Outgoing::line(m)).await {
                    return false;
                }
                self.last_sent = m.seq;
            }
            if done || lines.is_empty() {
                break;
            }
        }
        match self.app.chat_session_now(session).await {
            Ok(s) => self.tell_status(session, &s.status, s.agent_name).await,
            Err(e) => self.refused(e, None).await,
        }
    }

    async fn tell_status(&mut self, session: i64, status: &str, agent: Option<String>) -> Keep {
        let now = (status.to_owned(), agent);
        if self.shown.as_ref() == Some(&now) {
            return true;
        }
        let frame = Outgoing::Status {
            session,
            status: &now.0,
            agent: now.1.as_deref(),
        }
        .to_json();
        self.shown = Some(now);
        self.socket.send(Message::text(frame)).await.is_ok()
    }
}
