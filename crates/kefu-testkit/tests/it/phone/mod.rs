//! 电话渠道 — call events posted, signed, by a harness speaking like a telephone system:
//! each (call, event) stored once however often and however concurrently it is sent, calls
//! made right whatever order their events come in, a ringing call popped to the agent whose
//! extension rings and to nobody else (the number masked everywhere), a missed call turned
//! into a callback with its notification, calls logged as tickets from their page or by
//! hand, and bad posts refused with nothing stored.

mod callbacks;
mod events;
mod logging;
mod pop;
mod refusals;

use kefu_app::Actor;
use kefu_app::channel::phone::PhoneChannelForm;
use kefu_testkit::{TestApp, json_body};
use serde_json::{Value, json};

/// A telephone channel and its webhook secret.
pub struct Line {
    pub id: i64,
    pub secret: String,
}

/// A switched-on telephone channel of exchange `area_code` ("" for none).
pub async fn line(app: &TestApp, area_code: &str) -> Line {
    let created = app
        .app
        .create_phone_channel(
            &Actor::system(),
            &PhoneChannelForm {
                name: format!("呼叫中心{area_code}"),
                group_id: None,
                area_code: area_code.to_owned(),
                active: true,
            },
        )
        .await
        .expect("a telephone channel");
    Line {
        id: created.channel_id,
        secret: created.secret,
    }
}

/// Extension `extension` of `line` rings at `user`.
pub async fn map(app: &TestApp, line: &Line, extension: &str, user: i64) {
    app.app
        .map_extension(&Actor::system(), line.id, extension, user, None)
        .await
        .expect("the extension is mapped");
}

pub fn events_path(channel: i64) -> String {
    format!("/api/v1/channels/phone/{channel}/events")
}

/// `sha256=` and the HMAC of `<ts>.` and the body under the secret, as the system signs.
pub fn sign(secret: &str, ts: i64, body: &[u8]) -> String {
    let mut message = format!("{ts}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "sha256={}",
        kefu_app::secret::hmac_sha256_hex(secret.as_bytes(), &message)
    )
}

/// An inbound event of call `call` from `from` at extension 8001, now.
pub fn event(app: &TestApp, call: &str, kind: &str, from: &str) -> Value {
    json!({
        "call_id": call,
        "event": kind,
        "direction": "inbound",
        "from": from,
        "to": "400-800-1234",
        "extension": "8001",
        "at": app.now().to_string(),
    })
}

/// Posts `body` signed with the line's secret, now: the status and the JSON answer.
pub async fn post_event(app: &TestApp, line: &Line, body: &Value) -> (u16, Value) {
    let raw = serde_json::to_vec(body).unwrap();
    let ts = app.now().as_second();
    post_raw(
        app,
        line.id,
        Some(ts.to_string()),
        Some(sign(&line.secret, ts, &raw)),
        raw,
    )
    .await
}

/// Posts `body` with the given signature headers (each may be missing).
pub async fn post_raw(
    app: &TestApp,
    channel: i64,
    timestamp: Option<String>,
    signature: Option<String>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = app
        .client()
        .post(app.url(&events_path(channel)))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = timestamp {
        req = req.header("x-kefu-timestamp", t);
    }
    if let Some(s) = signature {
        req = req.header("x-kefu-signature", s);
    }
    let res = req.send().await.expect("POST");
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

/// A column of call `id`, as text (NULL as "").
pub async fn call_field(app: &TestApp, id: i64, column: &str) -> String {
    let mut c = app.app.store.conn().await.unwrap();
    let v: Option<String> = sqlx::query_scalar(&format!(
        "SELECT CAST({column} AS TEXT) FROM phone_calls WHERE id = $1"
    ))
    .bind(id)
    .fetch_one(&mut *c)
    .await
    .unwrap();
    v.unwrap_or_default()
}
