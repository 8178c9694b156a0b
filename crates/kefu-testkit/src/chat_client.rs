//! A visitor's chat widget as a test drives it: a WebSocket client speaking the widget's
//! protocol (JSON text frames, see the README) to `/chat/ws/{channel}`, sending the
//! `Origin` of the page it pretends to be on.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// How long a test waits for a frame it expects.
pub const FRAME_WAIT: Duration = Duration::from_secs(10);

/// One widget's connection.
pub struct Widget {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// The token of the last welcome.
    pub token: Option<String>,
    /// The chat, once kefu named it (welcome or status).
    pub session: Option<i64>,
    /// The highest line number received.
    pub last_seq: i64,
    /// Every `msg` frame received, in order.
    pub lines: Vec<Value>,
    /// Every `status` frame received, in order.
    pub statuses: Vec<Value>,
}

impl Widget {
    /// Opens the socket of `channel` on the kefu at `base` from a page at `origin`; the
    /// HTTP status when kefu refuses the upgrade.
    pub async fn connect(base: &str, channel: i64, origin: &str) -> Result<Widget, u16> {
        let url = format!("{}/chat/ws/{channel}", base.replacen("http", "ws", 1));
        let mut req = url.into_client_request().expect("a WebSocket request");
        req.headers_mut().insert(
            "origin",
            HeaderValue::from_str(origin).expect("an origin header"),
        );
        match connect_async(req).await {
            Ok((ws, _)) => Ok(Widget {
                ws,
                token: None,
                session: None,
                last_seq: 0,
                lines: Vec::new(),
                statuses: Vec::new(),
            }),
            Err(WsError::Http(res)) => Err(res.status().as_u16()),
            Err(e) => panic!("cannot open the chat socket: {e}"),
        }
    }

    /// Sends one frame.
    pub async fn send(&mut self, frame: Value) {
        self.ws
            .send(Message::text(frame.to_string()))
            .await
            .expect("a frame sent");
    }

    /// Sends raw text (a frame kefu should refuse).
    pub async fn send_text(&mut self, text: &str) {
        self.ws
            .send(Message::text(text.to_owned()))
            .await
            .expect("a frame sent");
    }

    /// Says hello and reads the welcome.
    pub async fn hello(&mut self, token: Option<&str>, last_seq: i64) -> Value {
        self.send(json!({"t": "hello", "token": token, "last_seq": last_seq}))
            .await;
        self.last_seq = last_seq;
        self.until("welcome", |f| f["t"] == "welcome").await
    }

    /// Sends message `cseq`.
    pub async fn msg(&mut self, cseq: i64, text: &str) {
        self.send(json!({"t": "msg", "cseq": cseq, "text": text}))
            .await;
    }

    /// The next text frame as JSON (remembered as it is read); `None` when the socket
    /// closed or nothing came within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let frame = tokio::time::timeout(left, self.ws.next()).await.ok()??;
            match frame {
                Ok(Message::Text(text)) => {
                    let v: Value = serde_json::from_str(text.as_str()).expect("a JSON frame");
                    self.note(&v);
                    return Some(v);
                }
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => {}
            }
        }
    }

    fn note(&mut self, v: &Value) {
        match v["t"].as_str() {
            Some("welcome") => {
                self.token = v["token"].as_str().map(str::to_owned);
                self.session = v["session"].as_i64();
            }
            Some("status") => {
                self.session = v["session"].as_i64().or(self.session);
                self.statuses.push(v.clone());
            }
            Some("msg") => {
                let seq = v["seq"].as_i64().expect("a line's number");
                assert_eq!(
                    seq,
                    self.last_seq + 1,
                    "lines come in order, none missed: {v}"
                );
                self.last_seq = seq;
                self.lines.push(v.clone());
            }
            _ => {}
        }
    }

    /// Frames until one that `wanted` picks (`what` names it in the failure).
    pub async fn until(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + FRAME_WAIT;
        let mut seen = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(v) if wanted(&v) => return v,
                Some(v) => seen.push(v),
                None => panic!("no {what} within {FRAME_WAIT:?}; frames seen: {seen:?}"),
            }
        }
    }

    /// The `msg` frame with this text, waiting for it.
    pub async fn line(&mut self, text: &str) -> Value {
        if let Some(v) = self.lines.iter().find(|l| l["text"] == text) {
            return v.clone();
        }
        self.until(&format!("the line {text:?}"), |f| {
            f["t"] == "msg" && f["text"] == text
        })
        .await
    }

    /// Closes the socket as a page being left does.
    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
