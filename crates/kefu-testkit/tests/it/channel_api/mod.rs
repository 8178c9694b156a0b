//! 渠道设置 over the JSON API — the mailboxes and telephone systems an administrator sets on
//! the channel pages, the same through `/api/v1/channels/email` and `/api/v1/channels/phone`:
//! made with their webhook secret answered once, read with their version as `ETag`, changed
//! against it (a stale `If-Match` refused with 412), refused input answered 422 in the error
//! shape naming why, every password written and never answered; SMTP against a real SMTP
//! server, IMAP against a real dovecot, the failed list after unreadable mail posted to the
//! webhook, extensions mapped to agents and a rotated secret taken by the webhook. Only
//! administrators: an agent's token gets 403.

mod email;
mod imap;
mod mails;
mod phone;

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TestApp};
use reqwest::Method;
use serde_json::Value;

/// An administrator's API client.
pub async fn admin(app: &TestApp, name: &str) -> ApiClient {
    let id = app.create_user(name, &[Role::Admin]).await;
    ApiClient::new(app, &app.token_for(id).await)
}

/// An agent's API client, and their id.
pub async fn agent(app: &TestApp, name: &str) -> (i64, ApiClient) {
    let id = app.create_user(name, &[Role::Agent]).await;
    (id, ApiClient::new(app, &app.token_for(id).await))
}

/// What the server answered a call.
pub struct Answer {
    pub status: u16,
    /// The JSON body; `Null` when there is none.
    pub body: Value,
    /// The body as sent, for checking what it does not hold.
    pub text: String,
    pub etag: Option<String>,
}

impl Answer {
    /// The error code of a refusal.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }
}

/// `method path` with `If-Match` and a JSON body when given.
pub async fn send(
    api: &ApiClient,
    method: Method,
    path: &str,
    if_match: Option<&str>,
    body: Option<Value>,
) -> Answer {
    let mut req = api.request(method, path);
    if let Some(v) = if_match {
        req = req.header("if-match", v);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    let etag = res
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let text = res.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    Answer {
        status,
        body,
        text,
        etag,
    }
}

pub async fn get(api: &ApiClient, path: &str) -> Answer {
    send(api, Method::GET, path, None, None).await
}
