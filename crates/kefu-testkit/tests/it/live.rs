//! Live updates: ticket changes stream to open pages as server-sent events, read from the
//! shared change log; presence tells an agent who else is answering the same ticket.

use std::time::Duration;

use futures_util::StreamExt;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn ticket_changes_stream_to_open_pages() {
    let app = TestApp::spawn().await;
    let a = app.create_user("live.a", &[Role::Agent]).await;
    let b = app.create_user("live.b", &[Role::Agent]).await;
    let s = app.login("live.a", TEST_PASSWORD).await;
    let res = s.get("/events/tickets").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = res.bytes_stream();

    // Give the poller a moment to start from the log's head, then change a ticket.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let api = ApiClient::new(&app, &app.token_for(b).await);
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "实时更新", "body": "测试"}),
        )
        .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let want = format!("data: {{\"ticket\":{id},\"by\":{b}}}");
    let mut seen = String::new();
    let got = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if seen.contains(&want) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(got, Ok(true), "event for the new ticket arrives: {seen}");
    assert!(seen.contains("event: ticket"));
    let _ = a;
    // Customers and other departments do not get the stream.
    app.create_user("live.dept", &[Role::Department]).await;
    let d = app.login("live.dept", TEST_PASSWORD).await;
    assert_eq!(d.get("/events/tickets").await.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn agents_see_who_else_is_answering_a_ticket() {
    let app = TestApp::spawn().await;
    let a = app.create_user("pres.a", &[Role::Agent]).await;
    app.create_user("pres.b", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(a).await);
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "同时回复", "body": "x"}),
        )
        .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let sa = app.login("pres.a", TEST_PASSWORD).await;
    let sb = app.login("pres.b", TEST_PASSWORD).await;
    let csrf_a = sa.csrf().await;
    let csrf_b = sb.csrf().await;
    let beat = |s: &kefu_testkit::Session, csrf: &str, replying: &str| {
        s.client
            .post(s.url(&format!("/tickets/{id}/presence")))
            .header("x-csrf-token", csrf)
            .form(&[("replying", replying)])
            .send()
    };
    let first = json_body(beat(&sa, &csrf_a, "1").await.unwrap()).await;
    assert_eq!(first, json!([]), "nobody else yet");
    let others = json_body(beat(&sb, &csrf_b, "0").await.unwrap()).await;
    assert_eq!(others, json!([{"name": "测试 pres.a", "replying": true}]));
    let others = json_body(beat(&sa, &csrf_a, "1").await.unwrap()).await;
    assert_eq!(others, json!([{"name": "测试 pres.b", "replying": false}]));
    // Without the CSRF header the heartbeat is refused like any form.
    let res = sb
        .client
        .post(sb.url(&format!("/tickets/{id}/presence")))
        .form(&[("replying", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
}
