//! Every chat ends as a ticket: ended by the agent (twice: still one ticket), or by the
//! visitor; the whole transcript on it, the visitor's lines as the customer's (come by
//! chat), the agent's as public replies sent nowhere, kefu's own as internal notes; the
//! customer the agent linked is the ticket's.

use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{accepted, admin, agent_online, answer, channel, count, say, visitor};

async fn end(agent: &ApiClient, session: i64) -> serde_json::Value {
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/end"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200, "ended");
    json_body(res).await
}

/// (visibility, author_kind, body, channel) of each message of the ticket, in order.
async fn conversation(app: &TestApp, ticket: i64) -> Vec<(String, String, String, Option<String>)> {
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query_as(
        "SELECT visibility, author_kind, body, channel FROM ticket_messages WHERE ticket_id = $1 \
         ORDER BY id",
    )
    .bind(ticket)
    .fetch_all(&mut *conn)
    .await
    .unwrap()
}

#[tokio::test]
async fn an_ended_chat_becomes_one_ticket_with_its_whole_transcript() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.end").await;
    let id = channel(&api, "官网", json!({})).await;
    let (agent_id, agent) = agent_online(&app, "chat.end.agent").await;
    let customer = json_body(
        agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "杭州明达贸易有限公司",
                        "contacts": [{"name": "赵经理", "mobile": "13800001111"}]}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (mut w, _) = visitor(&app, id).await;
    let session = accepted(&mut w, &agent, "你好，发票开错了").await;
    say(&mut w, 2, "抬头应该是杭州明达贸易有限公司").await;
    answer(&agent, session, "好的，我帮您重开。").await;
    answer(&agent, session, "新发票三个工作日内寄出。").await;
    say(&mut w, 3, "谢谢").await;
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/customer"),
            &json!({"customer_id": customer}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_body(res).await["session"]["customer_id"], customer);

    let ended = end(&agent, session).await;
    assert_eq!(ended["session"]["status"], "ended");
    let ticket = ended["ticket_id"]
        .as_i64()
        .expect("the chat became a ticket");
    assert_eq!(ended["session"]["ticket_id"], ticket);
    // Ending it again, or the visitor ending it: the same ticket, no second one.
    assert_eq!(end(&agent, session).await["ticket_id"], ticket);
    w.send(json!({"t": "end"})).await;
    w.until("the end", |f| f["t"] == "status" && f["status"] == "ended")
        .await;
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM tickets WHERE channel = 'chat' AND $1 > 0",
            session
        )
        .await,
        1,
        "one ticket however often it ended"
    );
    let ended_lines = count(
        &app,
        "SELECT COUNT(*) FROM chat_messages WHERE session_id = $1 AND author = 'system' \
         AND body LIKE '%结束%'",
        session,
    )
    .await;
    assert_eq!(ended_lines, 1, "ended once");

    let t =
        json_body(agent.get(&format!("/api/v1/tickets/{ticket}")).await).await["ticket"].clone();
    assert_eq!(t["channel"], "chat");
    assert_eq!(t["external_id"], format!("chat-session-{session}"));
    assert_eq!(
        count(
            &app,
            "SELECT COALESCE(customer_id, 0) FROM tickets WHERE id = $1",
            ticket
        )
        .await,
        customer,
        "the linked customer's ticket"
    );
    assert_eq!(t["assignee_id"], agent_id, "the agent who answered");
    assert_eq!(t["status_category"], "open", "answered in the chat");
    assert!(t["first_response_at"].is_string());
    assert!(t["subject"].as_str().unwrap().contains("发票开错了"));
    let lines = conversation(&app, ticket).await;
    let said: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|(v, k, b, _)| (v.as_str(), k.as_str(), b.as_str()))
        .collect();
    let visitor_lines: Vec<&str> = said
        .iter()
        .filter(|(_, k, _)| *k == "customer")
        .map(|(_, _, b)| *b)
        .collect();
    assert_eq!(
        visitor_lines,
        ["你好，发票开错了", "抬头应该是杭州明达贸易有限公司", "谢谢"]
    );
    let answers: Vec<(&str, &str)> = said
        .iter()
        .filter(|(_, k, _)| *k == "staff")
        .map(|(v, _, b)| (*v, *b))
        .collect();
    assert_eq!(
        answers,
        [
            ("public", "好的，我帮您重开。"),
            ("public", "新发票三个工作日内寄出。")
        ]
    );
    assert!(
        said.iter()
            .filter(|(_, k, _)| *k == "system")
            .all(|(v, _, _)| *v == "internal"),
        "kefu's own lines are internal notes: {said:?}"
    );
    assert_eq!(
        said[0].2, "你好，发票开错了",
        "the visitor's first words first"
    );
    assert!(
        lines
            .iter()
            .filter(|(_, k, _, _)| k == "customer")
            .all(|(_, _, _, c)| c.as_deref() == Some("chat")),
        "the visitor's lines came by chat"
    );
    // The answers were written, not sent: no mail queued for them.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'mail_send' AND $1 > 0",
            ticket
        )
        .await,
        0
    );

    // The console links the ticket.
    let s = app.login("chat.end.agent", TEST_PASSWORD).await;
    let page = s
        .get(&format!("/chat?session={session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/tickets/{ticket}")),
        "the ticket's link"
    );
    w.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_chat_the_visitor_ends_becomes_a_ticket_too() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.bye").await;
    let id = channel(&api, "官网", json!({})).await;
    let (_, agent) = agent_online(&app, "chat.bye.agent").await;
    let (mut w, _) = visitor(&app, id).await;
    let session = accepted(&mut w, &agent, "快递到哪了？").await;
    answer(&agent, session, "已到转运中心。").await;
    w.send(json!({"t": "end"})).await;
    w.until("the end", |f| f["t"] == "status" && f["status"] == "ended")
        .await;
    let chat = json_body(agent.get(&format!("/api/v1/chat/sessions/{session}")).await).await;
    let ticket = chat["session"]["ticket_id"]
        .as_i64()
        .expect("the ended chat's ticket");
    let lines = conversation(&app, ticket).await;
    assert!(
        lines
            .iter()
            .any(|(_, k, b, _)| k == "staff" && b == "已到转运中心。")
    );
    // A message after the end is refused: the chat is over.
    w.msg(9, "还有一个问题").await;
    let e = w.until("the refusal", |f| f["t"] == "error").await;
    assert_eq!(e["code"], "ended");
    w.close().await;
    app.stop().await;
}
