//! 短信渠道 — against a real HTTP gateway in the harness (`kefu_testkit::SmsPeer`) that
//! records what kefu posts, answers as scripted and posts signed events back: a customer's
//! text lands once (also sent twice at once) on a new ticket or their open one; T and 退订
//! record opt-outs and nothing more is sent to the number; a reply goes out in the generic
//! format with a reference that survives a retry; delivery reports show on the ticket page;
//! the portal's sign-in code reaches the gateway; bad posts and settings are refused.
//!
//! These servers run no job worker of their own: each test runs the worker's rounds itself
//! ([`run_jobs`]) on a clock it moves, so a retry's back-off is a step of the test.

mod csat;
mod follow_up_card;
mod inbound;
mod opt_out;
mod outbox;
mod relationship;
mod replies;
mod satisfaction_by_product;
mod satisfaction_report;
mod settings;

use std::sync::Arc;

use kefu_app::Actor;
use kefu_app::channel::sms::SmsChannelForm;
use kefu_domain::{FixedClock, Role};
use kefu_jobs::Worker;
use kefu_store::sms::sends::SmsSend;
use kefu_testkit::{ApiClient, SmsPeer, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// The signature the test gateway's texts carry.
pub const SIGN: &str = "【恒信售后】";

/// The API key the test gateway is given.
pub const API_KEY: &str = "sk-test-5d1f0a9c7e";

/// A customer's mobile, as gateways write it and as kefu keeps it.
pub const MOBILE_E164: &str = "+8613812345678";
pub const MOBILE: &str = "13812345678";

/// A server whose clock and job rounds the test drives.
pub async fn quiet_app() -> (TestApp, Arc<FixedClock>) {
    TestApp::quiet_at("2026-11-23T02:00:00Z").await
}

/// One round of the job worker: every due job runs once.
pub async fn run_jobs(app: &TestApp) -> usize {
    Worker::new(app.app.clone(), "sms-test-worker".to_owned())
        .tick()
        .await
        .expect("a worker round")
}

/// An SMS channel pointing at the peer, and its webhook secret.
pub struct Gateway {
    pub id: i64,
    pub secret: String,
}

pub async fn gateway(app: &TestApp, peer: &SmsPeer) -> Gateway {
    let created = app
        .app
        .create_sms_channel(
            &Actor::system(),
            &SmsChannelForm {
                name: "短信网关".to_owned(),
                send_url: peer.send_url(),
                sign_name: SIGN.to_owned(),
                group_id: None,
                active: true,
                api_key: Some(API_KEY.to_owned()),
            },
        )
        .await
        .expect("an SMS channel");
    Gateway {
        id: created.channel_id,
        secret: created.secret,
    }
}

/// A customer's text, now.
pub fn text(app: &TestApp, message_id: &str, from: &str, body: &str) -> Value {
    json!({
        "type": "inbound",
        "message_id": message_id,
        "from": from,
        "to": "1069012345",
        "text": body,
        "received_at": app.now().as_second(),
    })
}

/// A delivery report of the send kefu called `reference`, now.
pub fn report(app: &TestApp, reference: &str, status: &str, error: Option<&str>) -> Value {
    let mut r = json!({
        "type": "delivery",
        "message_id": "gw-dlr",
        "reference": reference,
        "status": status,
        "at": app.now().as_second(),
    });
    if let Some(e) = error {
        r["error_code"] = json!("MK:0001");
        r["error_message"] = json!(e);
    }
    r
}

/// Posts `event` as the gateway, signed now: the status and the answer.
pub async fn post(app: &TestApp, peer: &SmsPeer, g: &Gateway, event: &Value) -> (u16, Value) {
    peer.post_event(&app.base, g.id, &g.secret, app.now().as_second(), event)
        .await
}

/// An agent's API client, and their id.
pub async fn agent(app: &TestApp, name: &str) -> (i64, ApiClient) {
    let id = app.create_user(name, &[Role::Agent]).await;
    let api = ApiClient::new(app, &app.token_for(id).await);
    (id, api)
}

/// An administrator's API client (channel settings), and a signed-in session.
pub async fn admin(app: &TestApp, name: &str) -> (ApiClient, kefu_testkit::Session) {
    let id = app.create_user(name, &[Role::Admin]).await;
    let api = ApiClient::new(app, &app.token_for(id).await);
    (api, app.login(name, TEST_PASSWORD).await)
}

/// A public reply by the agent through the API.
pub async fn reply(api: &ApiClient, ticket: i64, body: &str) {
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/messages"),
            &json!({ "body": body }),
        )
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 201, "{body}");
}

/// The texts kefu sent or queued about a ticket.
pub async fn sends(app: &TestApp, ticket: i64) -> Vec<SmsSend> {
    let mut c = app.app.store.conn().await.unwrap();
    kefu_store::sms::sends::of_ticket(&mut c, ticket)
        .await
        .unwrap()
}

/// The ticket's events of `field`, their values.
pub async fn events(app: &TestApp, ticket: i64, field: &str) -> Vec<String> {
    app.app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|e| e.field == field)
        .map(|e| e.new_value.unwrap_or_default())
        .collect()
}

/// The ticket's messages: (author kind, body).
pub async fn messages(app: &TestApp, ticket: i64) -> Vec<(String, String)> {
    app.app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap()
        .messages
        .into_iter()
        .map(|m| (m.author_kind, m.body))
        .collect()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

/// A customer of the archive with one contact, `name`, whose mobile is `mobile`: its id.
pub async fn customer(api: &ApiClient, company: &str, name: &str, mobile: &str) -> i64 {
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({
                "name": company,
                "contacts": [{"name": name, "mobile": mobile}],
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_body(res).await["id"].as_i64().unwrap()
}

/// The ticket page as an agent's browser gets it.
pub async fn page(s: &kefu_testkit::Session, path: &str) -> String {
    let res = s.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}
