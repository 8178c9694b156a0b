//! 微信公众号 — an official account in plaintext mode against a real HTTP peer playing
//! WeChat's API (`kefu_testkit::WechatPeer`), with messages posted to kefu as WeChat posts
//! them (signed over the Token, XML in CDATA): the server check answers `echostr` only to
//! WeChat's signature; a message is answered `success`, stored once however often and
//! however concurrently it comes, and landed by its job on a ticket (a new one, or the
//! follower's open one), the follower linked to the contact with their OpenID; replies go
//! back through the customer-service API with the access token cached and fetched again on
//! 40001, within the 48-hour window only (45015 and an old last message leave 未发送 and
//! tell the agent); XML with an external entity, an oversize or encrypted body are refused
//! with nothing stored; the AppSecret, the Token and access tokens appear in no answer.
//!
//! These servers run no job worker of their own: each test runs the worker's rounds itself
//! ([`run_jobs`]) on a clock it moves.

mod csat;
mod inbound;
mod refusals;
mod replies;
mod server;
mod settings;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use kefu_app::Actor;
use kefu_app::channel::wechat::WechatChannelForm;
use kefu_app::ticket::TicketDetail;
use kefu_domain::FixedClock;
use kefu_jobs::Worker;
use kefu_testkit::wechat_peer::{APP_ID, APP_SECRET, signed_query};
use kefu_testkit::{ApiClient, TestApp, WechatPeer, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// The Token of the account's server configuration.
pub const TOKEN: &str = "kefuToken2026";

/// A follower's OpenID, as WeChat writes them.
pub const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// Another follower.
pub const OTHER: &str = "oUpF8uN3kPq7rSt9uVwXyZaBcDeF";

/// A server whose clock and job rounds the test drives.
pub async fn quiet_app() -> (TestApp, Arc<FixedClock>) {
    TestApp::quiet_at("2026-11-23T02:00:00Z").await
}

/// One round of the job worker: every due job runs once.
pub async fn run_jobs(app: &TestApp) -> usize {
    Worker::new(app.app.clone(), "wechat-test-worker".to_owned())
        .tick()
        .await
        .expect("a worker round")
}

/// An official account whose API is the peer, with [`TOKEN`].
pub async fn account(app: &TestApp, peer: &WechatPeer) -> i64 {
    app.app
        .create_wechat_channel(
            &Actor::system(),
            &WechatChannelForm {
                name: "恒信售后服务号".to_owned(),
                app_id: APP_ID.to_owned(),
                app_secret: APP_SECRET.to_owned(),
                token: TOKEN.to_owned(),
                api_base: peer.base.clone(),
                group_id: None,
                active: true,
            },
        )
        .await
        .expect("an official account")
        .channel_id
}

/// The account's server address, as entered in 公众平台.
pub fn server_path(id: i64) -> String {
    format!("/api/v1/channels/wechat/{id}")
}

/// A nonce of WeChat's kind (a number), new each time.
pub fn nonce() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1_514_623);
    NEXT.fetch_add(7, Ordering::Relaxed).to_string()
}

/// Posts `xml` to account `id` with `query` (a signature, or anything else), as text/xml.
pub async fn post_with(app: &TestApp, id: i64, query: &str, xml: &str) -> (u16, String) {
    let res = app
        .client()
        .post(app.url(&format!("{}?{query}", server_path(id))))
        .header("content-type", "text/xml")
        .body(xml.to_owned())
        .send()
        .await
        .expect("POST");
    let status = res.status().as_u16();
    (status, res.text().await.expect("body"))
}

/// Posts `xml` to account `id` as WeChat does: signed over [`TOKEN`] now, the follower in
/// the query. The status and the body.
pub async fn post_xml(app: &TestApp, id: i64, xml: &str) -> (u16, String) {
    let q = signed_query(TOKEN, app.now().as_second(), &nonce());
    post_with(app, id, &format!("{q}&openid={OPENID}"), xml).await
}

/// Posts `xml` `n` times at once, each signed as WeChat signs: the answers.
pub async fn post_at_once(app: &TestApp, id: i64, xml: &str, n: usize) -> Vec<(u16, String)> {
    let mut handles = Vec::new();
    for _ in 0..n {
        let client = app.client();
        let q = signed_query(TOKEN, app.now().as_second(), &nonce());
        let url = app.url(&format!("{}?{q}&openid={OPENID}", server_path(id)));
        let body = xml.to_owned();
        handles.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .header("content-type", "text/xml")
                .body(body)
                .send()
                .await
                .expect("POST");
            let status = res.status().as_u16();
            (status, res.text().await.expect("body"))
        }));
    }
    let mut answers = Vec::new();
    for h in handles {
        answers.push(h.await.expect("the post ran"));
    }
    answers
}

/// A number of rows.
pub async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *c).await.unwrap()
}

/// The ticket follower `openid`'s latest message landed on.
pub async fn ticket_of(app: &TestApp, openid: &str) -> Option<i64> {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(
        "SELECT ticket_id FROM wechat_inbound WHERE openid = $1 AND ticket_id IS NOT NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(openid)
    .fetch_optional(&mut *c)
    .await
    .unwrap()
}

pub async fn detail(app: &TestApp, ticket: i64) -> TicketDetail {
    app.app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .expect("the ticket")
}

/// The ticket's events of `field`, their values.
pub async fn events(app: &TestApp, ticket: i64, field: &str) -> Vec<String> {
    detail(app, ticket)
        .await
        .events
        .into_iter()
        .filter(|e| e.field == field)
        .map(|e| e.new_value.unwrap_or_default())
        .collect()
}

/// A user with a role and an API client for them.
pub async fn api_for(
    app: &TestApp,
    username: &str,
    roles: &[kefu_domain::Role],
) -> (i64, ApiClient) {
    let id = app.create_user(username, roles).await;
    (id, ApiClient::new(app, &app.token_for(id).await))
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
    let text = res.text().await.unwrap();
    assert_eq!(status, 201, "{text}");
}

/// A customer of the archive with one contact whose WeChat field is `wechat` (and whose
/// opt-outs are `opt_outs`): (customer, contact).
pub async fn customer_with(
    api: &ApiClient,
    name: &str,
    contact: &str,
    wechat: Option<&str>,
    opt_outs: &[&str],
) -> (i64, i64) {
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({
                "name": name,
                "contacts": [{ "name": contact, "wechat": wechat, "opt_outs": opt_outs }],
            }),
        )
        .await;
    let status = res.status();
    let body: Value = json_body(res).await;
    assert!(status.is_success(), "{status} {body}");
    let customer = body["id"].as_i64().unwrap();
    let shown = json_body(api.get(&format!("/api/v1/customers/{customer}")).await).await;
    let contact_id = shown["contacts"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("the contact's id: {shown}"));
    (customer, contact_id)
}
