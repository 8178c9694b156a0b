//! Two kefu instances on one database, as a larger site runs them behind a load balancer:
//! the visitor's socket is on one, the agent works on the other, and the chat goes both
//! ways through the database.

use std::time::Duration;

use futures_util::StreamExt;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{admin, channel, say, visitor};

#[tokio::test]
async fn a_visitor_on_one_instance_and_an_agent_on_another_talk() {
    let a = TestApp::spawn().await;
    let b = a.spawn_peer().await;
    let api = admin(&a, "chat.two.admin").await;
    let id = channel(&api, "官网", json!({})).await;
    // The agent works on instance B only.
    let agent_id = a.create_user("chat.two.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&b, &a.token_for(agent_id).await);
    let res = agent
        .json(Method::PUT, "/api/v1/chat/agent", &json!({"online": true}))
        .await;
    assert_eq!(res.status(), 200);

    // The visitor's page talks to instance A, which knows the agent is on shift.
    let (mut w, welcome) = visitor(&a, id).await;
    assert_eq!(welcome["status"], "waiting");
    say(&mut w, 1, "你们周末上班吗？").await;
    let session = w.session.unwrap();

    // B sees the chat waiting, takes it and answers.
    let queue = json_body(agent.get("/api/v1/chat/sessions").await).await;
    assert!(queue.as_array().unwrap().iter().any(|c| c["id"] == session));
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let started = std::time::Instant::now();
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/messages"),
            &json!({"text": "周末也有客服在线。"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // A's poller reads it from the database and pushes it to the visitor.
    let line = w.line("周末也有客服在线。").await;
    assert_eq!(line["from"], "agent");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the answer crossed instances in {:?}",
        started.elapsed()
    );
    assert!(
        w.statuses
            .iter()
            .any(|f| f["status"] == "active" && f["agent"] == "测试 chat.two.agent"),
        "the visitor was told who answers: {:?}",
        w.statuses
    );

    // The other way: the agent's console stream on B hears the visitor writing on A.
    let s = b.login("chat.two.agent", TEST_PASSWORD).await;
    let res = s.get("/chat/events").await;
    assert_eq!(res.status(), 200);
    let mut stream = res.bytes_stream();
    // Let B's stream settle before the visitor writes.
    tokio::time::sleep(Duration::from_millis(500)).await;
    say(&mut w, 2, "好的，谢谢").await;
    let mut seen = String::new();
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            if seen.contains("好的，谢谢") {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(heard, Ok(true), "the console on B hears it: {seen}");
    assert!(seen.contains("event: msg"));

    // Ended on B, the ticket is made once; A's visitor is told.
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/end"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(json_body(res).await["ticket_id"].is_i64());
    w.until("the end", |f| f["t"] == "status" && f["status"] == "ended")
        .await;
    w.close().await;
    drop(stream);
    b.stop().await;
    a.stop().await;
}
