//! 在线客服 — live chat against the real server: the widget's socket (spoken by a WebSocket
//! client with the page's `Origin`), the console's actions over the API and the pages, the
//! offline form, the transcript that becomes a ticket, and two kefu instances on one
//! database.

mod console;
mod instances;
mod setup;
mod socket;
mod transcript;

use kefu_domain::Role;
use kefu_testkit::chat_client::Widget;
use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// The web site allowed to embed the test channels.
pub(crate) const SHOP: &str = "https://shop.example.com";

/// An administrator's API client.
pub(crate) async fn admin(app: &TestApp, name: &str) -> ApiClient {
    let id = app.create_user(name, &[Role::Admin]).await;
    ApiClient::new(app, &app.token_for(id).await)
}

/// A chat channel allowing [`SHOP`], with `extra` fields of the API's body: its id.
pub(crate) async fn channel(admin: &ApiClient, name: &str, extra: Value) -> i64 {
    let mut body = json!({"name": name, "allowed_origins": [SHOP]});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let res = admin
        .json(Method::POST, "/api/v1/chat/channels", &body)
        .await;
    assert_eq!(res.status(), 201, "the channel is made");
    json_body(res).await["id"].as_i64().unwrap()
}

/// An agent with their API client, switched to 在线 (on `app`).
pub(crate) async fn agent_online(app: &TestApp, name: &str) -> (i64, ApiClient) {
    let id = app.create_user(name, &[Role::Agent]).await;
    let api = ApiClient::new(app, &app.token_for(id).await);
    let res = api
        .json(Method::PUT, "/api/v1/chat/agent", &json!({"online": true}))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_body(res).await["online"], true);
    (id, api)
}

/// A visitor on the shop's page with the widget open: hello said, welcome read.
pub(crate) async fn visitor(app: &TestApp, channel: i64) -> (Widget, Value) {
    let mut w = Widget::connect(&app.base, channel, SHOP)
        .await
        .expect("the shop's page may open the widget");
    let welcome = w.hello(None, 0).await;
    (w, welcome)
}

/// Sends message `cseq` and waits for its acknowledgement: the line's number.
pub(crate) async fn say(w: &mut Widget, cseq: i64, text: &str) -> i64 {
    w.msg(cseq, text).await;
    let ack = w
        .until("the ack", |f| f["t"] == "ack" && f["cseq"] == cseq)
        .await;
    ack["seq"].as_i64().unwrap()
}

/// One number the database gives for `sql` with `id` bound as `$1`.
pub(crate) async fn count(app: &TestApp, sql: &str, id: i64) -> i64 {
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// A visitor's chat accepted by `agent`: the chat's id.
pub(crate) async fn accepted(w: &mut Widget, agent: &ApiClient, first: &str) -> i64 {
    say(w, 1, first).await;
    let session = w.session.expect("the first message opened a chat");
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200, "accepted");
    session
}

/// The agent's answer in their chat.
pub(crate) async fn answer(agent: &ApiClient, session: i64, text: &str) -> Value {
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/messages"),
            &json!({"text": text}),
        )
        .await;
    assert_eq!(res.status(), 201, "answered");
    json_body(res).await
}
