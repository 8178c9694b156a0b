//! A real HTTP server playing WeChat for the WeChat tests, on a free loopback port:
//! `GET /cgi-bin/token` hands out access tokens for one AppID and AppSecret, `POST
//! /cgi-bin/message/custom/send` takes customer-service messages and records every call it
//! got (the access token and the JSON as sent). Its answers can be scripted: the next sends
//! or token calls answer an errcode (45015, 40001, -1…) or an HTTP status; every token it
//! issued can be made stale, so the next send answers 40001 as WeChat does.
//!
//! Also here: what WeChat itself sends to an account's server — its signature over Token,
//! timestamp and nonce (written here independently of kefu's), and the XML of its messages
//! and events in plaintext mode.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::{Value, json};
use sha1::{Digest, Sha1};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The AppID the peer knows.
pub const APP_ID: &str = "wx5f3c9e21a0b7d4c6";
/// The AppSecret the peer knows.
pub const APP_SECRET: &str = "9d1e0c7b5a3f4e2d8c6b4a2f0e9d7c5b";

/// What a scripted call answers instead of the usual.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scripted {
    /// `{"errcode": n, "errmsg": …}` with 200.
    Errcode(i64),
    /// A bare HTTP status (a 502 from WeChat's edge).
    Http(u16),
}

/// One call to the token endpoint, as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenCall {
    pub grant_type: String,
    pub appid: String,
    pub secret: String,
}

/// One call to the send endpoint, as received, and the errcode it was answered (-999 for
/// a scripted HTTP status).
#[derive(Debug, Clone, PartialEq)]
pub struct SendCall {
    pub access_token: String,
    /// The body parsed as JSON (`Null` when it was not JSON).
    pub body: Value,
    pub raw: String,
    pub errcode: i64,
}

#[derive(Default)]
struct PeerState {
    issued: u32,
    valid: Vec<String>,
    token_calls: Vec<TokenCall>,
    sends: Vec<SendCall>,
    token_script: VecDeque<Scripted>,
    send_script: VecDeque<Scripted>,
}

type Shared = Arc<Mutex<PeerState>>;

/// A running WeChat API; it stops on drop.
pub struct WechatPeer {
    /// `http://127.0.0.1:<port>`: the account's API address.
    pub base: String,
    state: Shared,
    handle: JoinHandle<()>,
}

fn errmsg(errcode: i64) -> &'static str {
    match errcode {
        0 => "ok",
        -1 => "system error",
        40001 => "invalid credential, access_token is invalid or not latest",
        40002 => "invalid grant_type",
        40013 => "invalid appid",
        40125 => "invalid appsecret",
        42001 => "access_token expired",
        45015 => "response out of time limit or subscription is canceled",
        _ => "scripted error",
    }
}

fn answer(errcode: i64) -> Response {
    axum::Json(json!({"errcode": errcode, "errmsg": errmsg(errcode)})).into_response()
}

fn scripted(s: Scripted) -> Response {
    match s {
        Scripted::Errcode(code) => answer(code),
        Scripted::Http(status) => StatusCode::from_u16(status)
            .unwrap_or(StatusCode::BAD_GATEWAY)
            .into_response(),
    }
}

async fn token(State(state): State<Shared>, Query(q): Query<HashMap<String, String>>) -> Response {
    let call = TokenCall {
        grant_type: q.get("grant_type").cloned().unwrap_or_default(),
        appid: q.get("appid").cloned().unwrap_or_default(),
        secret: q.get("secret").cloned().unwrap_or_default(),
    };
    let mut s = state.lock().expect("peer state");
    s.token_calls.push(call.clone());
    if let Some(x) = s.token_script.pop_front() {
        return scripted(x);
    }
    if call.grant_type != "client_credential" {
        return answer(40002);
    }
    if call.appid != APP_ID {
        return answer(40013);
    }
    if call.secret != APP_SECRET {
        return answer(40125);
    }
    s.issued += 1;
    let token = format!("ACCESS_TOKEN_{:04}_{}", s.issued, "x".repeat(100));
    s.valid.push(token.clone());
    axum::Json(json!({"access_token": token, "expires_in": 7200})).into_response()
}

async fn send(
    State(state): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> Response {
    let access_token = q.get("access_token").cloned().unwrap_or_default();
    let parsed: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    let mut s = state.lock().expect("peer state");
    let next = s.send_script.pop_front();
    let errcode = match next {
        Some(Scripted::Http(_)) => -999,
        Some(Scripted::Errcode(code)) => code,
        None if !s.valid.contains(&access_token) => 40001,
        None => 0,
    };
    s.sends.push(SendCall {
        access_token,
        body: parsed,
        raw: body,
        errcode,
    });
    match next {
        Some(x) => scripted(x),
        None => answer(errcode),
    }
}

impl WechatPeer {
    pub async fn start() -> WechatPeer {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let state: Shared = Arc::default();
        let app = Router::new()
            .route("/cgi-bin/token", get(token))
            .route("/cgi-bin/message/custom/send", post(send))
            .with_state(state.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        WechatPeer {
            base,
            state,
            handle,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut PeerState) -> T) -> T {
        f(&mut self.state.lock().expect("peer state"))
    }

    /// Every call to the token endpoint, in order.
    pub fn token_calls(&self) -> Vec<TokenCall> {
        self.with(|s| s.token_calls.clone())
    }

    /// Every call to the send endpoint, in order, answered how it was.
    pub fn sends(&self) -> Vec<SendCall> {
        self.with(|s| s.sends.clone())
    }

    /// The messages WeChat took (errcode 0), in order.
    pub fn delivered(&self) -> Vec<SendCall> {
        self.with(|s| s.sends.iter().filter(|c| c.errcode == 0).cloned().collect())
    }

    /// The next sends answer these, in order, before the usual answers resume.
    pub fn script_sends(&self, answers: &[Scripted]) {
        self.with(|s| s.send_script.extend(answers.iter().copied()));
    }

    /// The next token calls answer these, in order.
    pub fn script_tokens(&self, answers: &[Scripted]) {
        self.with(|s| s.token_script.extend(answers.iter().copied()));
    }

    /// Every token issued so far stops working (another client fetched a new one, or it
    /// expired): a send carrying one is answered 40001.
    pub fn expire_tokens(&self) {
        self.with(|s| s.valid.clear());
    }
}

impl Drop for WechatPeer {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// WeChat's signature: the hex SHA-1 of Token, timestamp and nonce sorted and joined.
pub fn signature(token: &str, timestamp: &str, nonce: &str) -> String {
    let mut parts = [token, timestamp, nonce];
    parts.sort();
    let digest = Sha1::digest(parts.concat().as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The query string WeChat puts on a call to an account's server at `timestamp`.
pub fn signed_query(token: &str, timestamp: i64, nonce: &str) -> String {
    let ts = timestamp.to_string();
    format!(
        "signature={}&timestamp={ts}&nonce={nonce}",
        signature(token, &ts, nonce)
    )
}

/// `<xml>` with each field in CDATA, numbers plain — as WeChat writes it.
fn xml(fields: &[(&str, String)]) -> String {
    let mut s = String::from("<xml>");
    for (name, value) in fields {
        let plain = matches!(
            *name,
            "CreateTime" | "MsgId" | "Location_X" | "Location_Y" | "Scale"
        );
        if plain {
            s.push_str(&format!("<{name}>{value}</{name}>"));
        } else {
            s.push_str(&format!("<{name}><![CDATA[{value}]]></{name}>"));
        }
    }
    s.push_str("</xml>");
    s
}

/// The account's original id in the messages (`gh_…`).
pub const ACCOUNT: &str = "gh_3f1c9a7e2b5d";

fn head(from: &str, create_time: i64, msg_type: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ToUserName", ACCOUNT.to_owned()),
        ("FromUserName", from.to_owned()),
        ("CreateTime", create_time.to_string()),
        ("MsgType", msg_type.to_owned()),
    ]
}

/// A text message from `from`.
pub fn text_message(from: &str, create_time: i64, content: &str, msg_id: i64) -> String {
    let mut f = head(from, create_time, "text");
    f.push(("Content", content.to_owned()));
    f.push(("MsgId", msg_id.to_string()));
    xml(&f)
}

/// A picture from `from`.
pub fn image_message(from: &str, create_time: i64, pic_url: &str, msg_id: i64) -> String {
    let mut f = head(from, create_time, "image");
    f.push(("PicUrl", pic_url.to_owned()));
    f.push(("MediaId", format!("media_{msg_id}")));
    f.push(("MsgId", msg_id.to_string()));
    xml(&f)
}

/// A location from `from`.
pub fn location_message(
    from: &str,
    create_time: i64,
    lat: &str,
    lng: &str,
    label: &str,
    msg_id: i64,
) -> String {
    let mut f = head(from, create_time, "location");
    f.push(("Location_X", lat.to_owned()));
    f.push(("Location_Y", lng.to_owned()));
    f.push(("Scale", "15".to_owned()));
    f.push(("Label", label.to_owned()));
    f.push(("MsgId", msg_id.to_string()));
    xml(&f)
}

/// An event (`subscribe`, `unsubscribe`, `CLICK`…) from `from`.
pub fn event_message(from: &str, create_time: i64, event: &str, key: Option<&str>) -> String {
    let mut f = head(from, create_time, "event");
    f.push(("Event", event.to_owned()));
    if let Some(k) = key {
        f.push(("EventKey", k.to_owned()));
    }
    xml(&f)
}
