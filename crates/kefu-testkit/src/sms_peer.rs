//! A real SMS gateway for the SMS tests: an HTTP server (axum) on a free loopback port that
//! speaks kefu's generic gateway format. It records every text kefu posts to `/send` with
//! its `Authorization` header, answers each as scripted — 200 with `{"message_id":
//! "gw-<n>"}` (the default), a 4xx with `{"error_message": …}`, or 503 — and posts signed
//! events back to kefu's webhook as a gateway would: a customer's text, a delivery report.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// How the peer answers one send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// 200, `{"message_id": "gw-<n>"}`, n counting the texts it took from 1.
    Accept,
    /// This status (a 4xx), `{"error_message": <words>}`.
    Reject(u16, String),
    /// 503, `{"error_message": "service unavailable"}`.
    Unavailable,
}

/// One post kefu made to the peer.
#[derive(Debug, Clone)]
pub struct Received {
    /// The JSON body (`Value::Null` when it was none).
    pub body: Value,
    pub authorization: Option<String>,
    /// What the peer answered it.
    pub status: u16,
    /// The id it gave the text, when it took it.
    pub message_id: Option<String>,
}

#[derive(Default)]
struct Inner {
    received: Vec<Received>,
    script: VecDeque<Answer>,
    taken: u64,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(inner: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    inner.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running gateway; it stops on drop.
pub struct SmsPeer {
    pub port: u16,
    inner: Shared,
    handle: JoinHandle<()>,
}

async fn send(State(inner): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let json: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut g = lock(&inner);
    let answer = g.script.pop_front().unwrap_or(Answer::Accept);
    let (status, reply, message_id) = match answer {
        Answer::Accept => {
            g.taken += 1;
            let id = format!("gw-{}", g.taken);
            (200, json!({ "message_id": id }), Some(id))
        }
        Answer::Reject(code, words) => (code, json!({ "error_message": words }), None),
        Answer::Unavailable => (503, json!({ "error_message": "service unavailable" }), None),
    };
    g.received.push(Received {
        body: json,
        authorization,
        status,
        message_id,
    });
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(reply)).into_response()
}

impl SmsPeer {
    pub async fn start() -> SmsPeer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a loopback port for the SMS peer");
        let port = listener.local_addr().expect("its address").port();
        let inner: Shared = Arc::default();
        let app = Router::new()
            .route("/send", post(send))
            .with_state(inner.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        SmsPeer {
            port,
            inner,
            handle,
        }
    }

    /// Where kefu posts texts (http to this machine, which kefu allows).
    pub fn send_url(&self) -> String {
        format!("http://127.0.0.1:{}/send", self.port)
    }

    /// The answers to the next sends, in order; after them, `Accept`.
    pub fn script(&self, answers: &[Answer]) {
        lock(&self.inner).script.extend(answers.iter().cloned());
    }

    /// Every post so far, in order.
    pub fn received(&self) -> Vec<Received> {
        lock(&self.inner).received.clone()
    }

    /// The posts once there are at least `n` (or after ten seconds, what there is).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let got = self.received();
            if got.len() >= n || Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Posts `event` to kefu's webhook of SMS channel `channel` at `base`, signed with
    /// `secret` at `now_secs` (kefu's clock): the status and the JSON answer.
    pub async fn post_event(
        &self,
        base: &str,
        channel: i64,
        secret: &str,
        now_secs: i64,
        event: &Value,
    ) -> (u16, Value) {
        let body = serde_json::to_vec(event).expect("an event serialises");
        let signature = sign(secret, now_secs, &body);
        post_signed(
            base,
            channel,
            Some(now_secs.to_string()),
            Some(signature),
            body,
        )
        .await
    }
}

impl Drop for SmsPeer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// `sha256=` and the HMAC of `<ts>.` and the body under the secret, as a gateway signs.
pub fn sign(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut message = format!("{ts}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "sha256={}",
        kefu_app::secret::hmac_sha256_hex(secret.as_bytes(), &message)
    )
}

/// Posts `body` to the webhook with the given signature headers (each may be missing):
/// the status and the JSON answer.
pub async fn post_signed(
    base: &str,
    channel: i64,
    timestamp: Option<String>,
    signature: Option<String>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/v1/channels/sms/{channel}/events"))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = timestamp {
        req = req.header("x-kefu-timestamp", t);
    }
    if let Some(s) = signature {
        req = req.header("x-kefu-signature", s);
    }
    let res = req.send().await.expect("POST to the SMS webhook");
    let status = res.status().as_u16();
    let text = res.text().await.expect("an answer");
    let answer = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, answer)
}
