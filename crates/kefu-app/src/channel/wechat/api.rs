//! 接口调用 — the two calls kefu makes to WeChat: `GET /cgi-bin/token` for an access token
//! (AppID and AppSecret in the query, as WeChat asks) and `POST
//! /cgi-bin/message/custom/send` with one text. Both through the one provider client
//! ([`crate::channel::http::client`]). Errors never carry the URL: it holds the AppSecret or
//! the access token.

use serde_json::{Value, json};

use crate::channel::http::client;

/// A call that did not succeed: what WeChat, or the way to it, said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CallError {
    /// No answer: the connection failed or timed out, or a 5xx.
    Unreachable(String),
    /// WeChat answered with an errcode.
    Api { errcode: i64, errmsg: String },
    /// An answer that is not WeChat's JSON.
    BadAnswer(String),
}

impl CallError {
    pub(crate) fn errcode(&self) -> Option<i64> {
        match self {
            CallError::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }

    /// Whether trying again later can help: the network, a 5xx, WeChat busy (-1).
    pub(crate) fn retryable(&self) -> bool {
        match self {
            CallError::Unreachable(_) => true,
            CallError::Api { errcode, .. } => *errcode == -1,
            CallError::BadAnswer(_) => false,
        }
    }

    /// As a ticket event and the job page show it: `errcode 45015: …`.
    pub(crate) fn text(&self) -> String {
        let text = match self {
            CallError::Unreachable(why) => why.clone(),
            CallError::Api { errcode, errmsg } => format!("errcode {errcode}: {errmsg}"),
            CallError::BadAnswer(why) => why.clone(),
        };
        text.chars().take(500).collect()
    }
}

/// An access token and how many seconds WeChat says it lives.
pub(crate) struct AccessToken {
    pub(crate) token: String,
    pub(crate) expires_in: i64,
}

/// The error and its causes in words, without the URL.
fn network(e: reqwest::Error) -> CallError {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    CallError::Unreachable(text)
}

/// WeChat's JSON answer; a 5xx counts as no answer.
async fn answer(res: reqwest::Response) -> Result<Value, CallError> {
    let status = res.status();
    if status.is_server_error() {
        return Err(CallError::Unreachable(format!("HTTP {}", status.as_u16())));
    }
    let bytes = res.bytes().await.map_err(network)?;
    if !status.is_success() {
        return Err(CallError::BadAnswer(format!("HTTP {}", status.as_u16())));
    }
    serde_json::from_slice::<Value>(&bytes).map_err(|_| {
        let start: String = String::from_utf8_lossy(&bytes).chars().take(200).collect();
        CallError::BadAnswer(format!("not JSON: {start}"))
    })
}

/// The errcode and errmsg of an answer.
fn api_error(v: &Value) -> CallError {
    CallError::Api {
        errcode: v["errcode"].as_i64().unwrap_or(-2),
        errmsg: v["errmsg"].as_str().unwrap_or_default().to_owned(),
    }
}

/// `GET {api_base}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…`.
pub(crate) async fn fetch_token(
    api_base: &str,
    app_id: &str,
    secret: &str,
) -> Result<AccessToken, CallError> {
    let res = client()
        .get(format!("{api_base}/cgi-bin/token"))
        .query(&[
            ("grant_type", "client_credential"),
            ("appid", app_id),
            ("secret", secret),
        ])
        .send()
        .await
        .map_err(network)?;
    let v = answer(res).await?;
    match v["access_token"].as_str() {
        Some(token) if !token.is_empty() => Ok(AccessToken {
            token: token.to_owned(),
            expires_in: v["expires_in"].as_i64().unwrap_or(7200),
        }),
        _ => Err(api_error(&v)),
    }
}

/// `POST {api_base}/cgi-bin/message/custom/send?access_token=…` with one text for
/// `openid`.
pub(crate) async fn send_text(
    api_base: &str,
    access_token: &str,
    openid: &str,
    content: &str,
) -> Result<(), CallError> {
    let body = json!({
        "touser": openid,
        "msgtype": "text",
        "text": { "content": content },
    });
    let res = client()
        .post(format!("{api_base}/cgi-bin/message/custom/send"))
        .query(&[("access_token", access_token)])
        .json(&body)
        .send()
        .await
        .map_err(network)?;
    let v = answer(res).await?;
    match v["errcode"].as_i64() {
        Some(0) => Ok(()),
        Some(_) => Err(api_error(&v)),
        None => Err(CallError::BadAnswer("no errcode in the answer".to_owned())),
    }
}
