//! `Idempotency-Key` on the API's creates: one request sent many times at once makes one
//! ticket (one 201, the others replays of it) on SQLite and PostgreSQL alike; a key belongs
//! to its token and to one request, is forgotten after 24 hours, and is 1–255 printable
//! ASCII characters. Complaints and customers honour it the same way.

use std::collections::HashSet;
use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use reqwest::header::HeaderValue;
use serde_json::{Value, json};

use crate::tickets::count_tickets;

/// Posts `body` to `path` with `Idempotency-Key: key`: the status, whether the answer says
/// it is a replay, and the body.
async fn post_keyed(
    api: &ApiClient,
    path: &str,
    key: HeaderValue,
    body: &Value,
) -> (u16, bool, Value) {
    let res = api
        .request(Method::POST, path)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .expect("request");
    let status = res.status().as_u16();
    let replayed = res
        .headers()
        .get("idempotent-replayed")
        .and_then(|v| v.to_str().ok())
        == Some("true");
    (status, replayed, json_body(res).await)
}

fn key(k: &str) -> HeaderValue {
    HeaderValue::from_str(k).expect("a header value")
}

fn same_client(api: &ApiClient) -> ApiClient {
    ApiClient {
        client: api.client.clone(),
        base: api.base.clone(),
        token: api.token.clone(),
    }
}

async fn agent_api(app: &TestApp, username: &str) -> ApiClient {
    let id = app.create_user(username, &[Role::Agent]).await;
    ApiClient::new(app, &app.token_for(id).await)
}

async fn count(app: &TestApp, table: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

/// Sends `body` to `path` `n` times at once with one key; checks that exactly one call
/// created (201 without the replay header), the others got its answer again (201 with
/// `Idempotent-Replayed: true`) with the same id, and returns that id.
async fn all_at_once(api: &ApiClient, path: &'static str, n: usize, body: Value) -> i64 {
    let mut handles = Vec::new();
    for _ in 0..n {
        let api = same_client(api);
        let body = body.clone();
        handles.push(tokio::spawn(async move {
            post_keyed(&api, path, key("retry-storm-7f3a"), &body).await
        }));
    }
    let (mut created, mut replayed) = (0, 0);
    let mut ids = HashSet::new();
    for h in handles {
        let (status, replay, out) = h.await.unwrap();
        assert_eq!(status, 201, "{path}: {out}");
        if replay {
            replayed += 1;
        } else {
            created += 1;
        }
        ids.insert(out["id"].as_i64().expect("an id"));
    }
    assert_eq!(
        (created, replayed),
        (1, n - 1),
        "{path}: one creates, the rest replay"
    );
    assert_eq!(
        ids.len(),
        1,
        "{path}: one resource for one key, got {ids:?}"
    );
    ids.into_iter().next().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_creates_at_once_with_one_key_make_one_ticket() {
    let app = TestApp::spawn().await;
    let api = agent_api(&app, "chong.shi").await;
    let body =
        json!({"channel": "api", "subject": "订单 PO-4711 未到货", "body": "网关超时后重试"});
    let id = all_at_once(&api, "/api/v1/tickets", 20, body.clone()).await;
    assert_eq!(count_tickets(&app).await, 1);

    // Sent again later: the same ticket, 201 as the first answer was.
    let (status, replayed, t) =
        post_keyed(&api, "/api/v1/tickets", key("retry-storm-7f3a"), &body).await;
    assert_eq!((status, replayed), (201, true), "{t}");
    assert_eq!(t["id"], id);
    assert_eq!(t["subject"], "订单 PO-4711 未到货");
    assert_eq!(count_tickets(&app).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_key_belongs_to_its_token_and_to_one_request() {
    let app = TestApp::spawn().await;
    let a = app.create_user("a.keys", &[Role::Agent]).await;
    let b = app.create_user("b.keys", &[Role::Agent]).await;
    let api_a = ApiClient::new(&app, &app.token_for(a).await);
    // Another token of the same person, and another person's token.
    let api_a2 = ApiClient::new(&app, &app.token_for(a).await);
    let api_b = ApiClient::new(&app, &app.token_for(b).await);
    let path = "/api/v1/tickets";
    let body = json!({"subject": "发票抬头有误", "body": "请重开发票"});

    // A refused request leaves no key behind: fixed, it is sent again with the same key.
    let bad = json!({"subject": "", "body": "请重开发票"});
    let (status, _, e) = post_keyed(&api_a, path, key("inv-1"), &bad).await;
    assert_eq!(status, 422, "{e}");
    let (status, replayed, first) = post_keyed(&api_a, path, key("inv-1"), &body).await;
    assert_eq!((status, replayed), (201, false), "{first}");

    for other in [&api_a2, &api_b] {
        let (status, replayed, t) = post_keyed(other, path, key("inv-1"), &body).await;
        assert_eq!(
            (status, replayed),
            (201, false),
            "another token, its own ticket: {t}"
        );
        assert_ne!(t["id"], first["id"]);
    }

    // The same key with another body, or on another path: refused, nothing made.
    let other_body = json!({"subject": "另一件事", "body": "请重开发票"});
    let (status, _, e) = post_keyed(&api_a, path, key("inv-1"), &other_body).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["code"], "idempotency_key_reused");
    let customer = json!({"name": "苏州恒通机电"});
    let (status, _, e) = post_keyed(&api_a, "/api/v1/customers", key("inv-1"), &customer).await;
    assert_eq!(status, 422, "{e}");
    assert_eq!(e["error"]["code"], "idempotency_key_reused");
    assert_eq!(count_tickets(&app).await, 3);
    assert_eq!(count(&app, "customers").await, 0);

    // The first request is still answered as before.
    let (status, replayed, again) = post_keyed(&api_a, path, key("inv-1"), &body).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(again["id"], first["id"]);
    app.stop().await;
}

#[tokio::test]
async fn a_key_is_forgotten_after_24_hours() {
    let clock = Arc::new(FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap()));
    // No worker: the test runs the purge itself.
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..Default::default()
    })
    .await;
    let api = agent_api(&app, "ri.jie").await;
    let path = "/api/v1/tickets";
    let body = json!({"subject": "每日对账", "body": "对账单差额"});
    let (_, _, first) = post_keyed(&api, path, key("daily-sync"), &body).await;
    let (status, _, _) = post_keyed(&api, path, key("once-only"), &body).await;
    assert_eq!(status, 201);

    clock.advance(SignedDuration::from_hours(23));
    let (status, replayed, again) = post_keyed(&api, path, key("daily-sync"), &body).await;
    assert_eq!((status, replayed), (201, true), "remembered for 24 hours");
    assert_eq!(again["id"], first["id"]);

    clock.advance(SignedDuration::from_hours(2));
    let (status, replayed, fresh) = post_keyed(&api, path, key("daily-sync"), &body).await;
    assert_eq!(
        (status, replayed),
        (201, false),
        "forgotten after 24 hours: {fresh}"
    );
    assert_ne!(fresh["id"], first["id"]);
    let (status, replayed, again) = post_keyed(&api, path, key("daily-sync"), &body).await;
    assert_eq!((status, replayed), (201, true), "remembered afresh");
    assert_eq!(again["id"], fresh["id"]);
    assert_eq!(count_tickets(&app).await, 3);

    // The purge forgets the key nobody used again, and keeps the renewed one.
    assert_eq!(app.app.purge_idempotency_keys().await.unwrap(), 1);
    assert_eq!(count(&app, "idempotency_keys").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_key_must_be_1_to_255_printable_ascii_characters() {
    let app = TestApp::spawn().await;
    let api = agent_api(&app, "jian.cha").await;
    let path = "/api/v1/tickets";
    let body = json!({"subject": "键的格式", "body": "检查"});
    let refused = [
        key(""),
        key(&"k".repeat(256)),
        key("tab\there"),
        HeaderValue::from_bytes("订单-4711".as_bytes()).unwrap(),
    ];
    for k in refused {
        let shown = format!("{k:?}");
        let (status, _, e) = post_keyed(&api, path, k, &body).await;
        assert_eq!(status, 400, "{shown}: {e}");
        assert_eq!(e["error"]["code"], "invalid_idempotency_key", "{shown}");
    }
    assert_eq!(count_tickets(&app).await, 0, "nothing made");
    let (status, _, t) = post_keyed(&api, path, key(&"k".repeat(255)), &body).await;
    assert_eq!(status, 201, "{t}");
    let (status, replayed, _) = post_keyed(&api, path, key(&"k".repeat(255)), &body).await;
    assert_eq!((status, replayed), (201, true));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn complaints_and_customers_sent_at_once_with_one_key_are_made_once() {
    let app = TestApp::spawn().await;
    let api = agent_api(&app, "tou.su.ke").await;
    let complaint = json!({
        "complainant": "王经理",
        "complainant_phone": "13812345678",
        "channel": "phone",
        "content": "200 个 GX-3341 轴承有 30 个外圈开裂。",
        "category": "quality",
        "severity": "serious"
    });
    let id = all_at_once(&api, "/api/v1/complaints", 10, complaint).await;
    assert_eq!(count(&app, "complaints").await, 1);
    assert_eq!(
        count_tickets(&app).await,
        1,
        "one complaint ticket, not one per try"
    );
    let d = json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["complaint"]["id"], id);

    // The same key on another path is another request: refused.
    let customer = json!({"name": "苏州恒通机电", "contacts": [{"name": "陈经理", "mobile": "139 1234 0000"}]});
    let (status, _, e) = post_keyed(
        &api,
        "/api/v1/customers",
        key("retry-storm-7f3a"),
        &customer,
    )
    .await;
    assert_eq!(status, 422, "{e}");

    let other = agent_api(&app, "ke.hu").await;
    all_at_once(&other, "/api/v1/customers", 10, customer).await;
    assert_eq!(count(&app, "customers").await, 1);
    app.stop().await;
}
