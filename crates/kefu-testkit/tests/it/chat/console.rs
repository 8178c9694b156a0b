//! The agents' side: the offline form when nobody is on shift (a ticket, through the same
//! intake as mail), the chat limit (an accept past it refused, in the agent's language),
//! transfers to an agent and to a group, and the console page with its workbench tiles.

use kefu_app::Actor;
use kefu_app::ticket::NewGroup;
use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{SHOP, accepted, admin, agent_online, channel, count, say, visitor};

/// Posts the offline form from a page at `origin`.
async fn leave_message(
    app: &TestApp,
    channel: i64,
    origin: &str,
    body: serde_json::Value,
) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/chat/offline/{channel}")))
        .header("origin", origin)
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn nobody_on_shift_gets_the_form_and_its_message_becomes_a_ticket() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.off").await;
    let id = channel(&api, "官网", json!({})).await;
    let (w, welcome) = visitor(&app, id).await;
    assert_eq!(welcome["status"], "offline");
    w.close().await;

    // The browser asks first (the form posts JSON across origins).
    let pre = app
        .client()
        .request(Method::OPTIONS, app.url(&format!("/chat/offline/{id}")))
        .header("origin", SHOP)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert_eq!(pre.status(), 204);
    assert_eq!(pre.headers()["access-control-allow-origin"], SHOP);
    assert!(
        pre.headers()["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );
    let evil = app
        .client()
        .request(Method::OPTIONS, app.url(&format!("/chat/offline/{id}")))
        .header("origin", "https://evil.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), 403);
    assert!(evil.headers().get("access-control-allow-origin").is_none());

    let form = json!({
        "name": "王女士",
        "contact": "139 1234 5678",
        "text": "洗衣机脱水时噪音很大，想预约上门检查。",
        "form_id": "w-test-1",
    });
    let res = leave_message(&app, id, "https://evil.example.com", form.clone()).await;
    assert_eq!(res.status(), 403, "another site's page may not post it");
    let res = leave_message(&app, id, SHOP, form.clone()).await;
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
    let receipt = json_body(res).await;
    assert_eq!(receipt["status"], "received");
    let number = receipt["ticket"].as_str().unwrap().to_owned();
    assert!(receipt["message"].as_str().unwrap().contains(&number));
    // Sent again (the visitor pressed twice): the same ticket.
    let again = leave_message(&app, id, SHOP, form).await;
    assert_eq!(again.status(), 200);
    assert_eq!(json_body(again).await["ticket"], number.as_str());

    let (ticket, channel_key, phone, name): (i64, String, Option<String>, Option<String>) = {
        let mut conn = app.app.store.conn().await.unwrap();
        sqlx::query_as(
            "SELECT id, channel, contact_phone, contact_name FROM tickets WHERE number = $1",
        )
        .bind(&number)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
    };
    assert_eq!(channel_key, "chat");
    assert_eq!(phone.as_deref(), Some("13912345678"));
    assert_eq!(name.as_deref(), Some("王女士"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = $1 AND author_kind = 'customer' \
             AND channel = 'chat' AND body LIKE '洗衣机脱水时噪音很大%'",
            ticket
        )
        .await,
        1,
        "the message, marked as come by chat"
    );
    assert_eq!(app.audit_entries("chat_offline_submitted").await.len(), 1);

    // What cannot be a contact is refused in the visitor's language, readable by the page.
    let res = app
        .client()
        .post(app.url(&format!("/chat/offline/{id}")))
        .header("origin", SHOP)
        .header("accept", "application/json")
        .header("accept-language", "zh-CN")
        .json(&json!({"name": "李", "contact": "随便", "text": "你好"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(res.headers()["access-control-allow-origin"], SHOP);
    let e = json_body(res).await;
    assert_eq!(e["error"]["code"], "chat_bad_visitor_field");
    assert!(e["error"]["message"].as_str().unwrap().contains("联系方式"));
    app.stop().await;
}

#[tokio::test]
async fn an_accept_past_the_agents_limit_is_refused() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.limit").await;
    let id = channel(&api, "官网", json!({})).await;
    let (me, agent) = agent_online(&app, "chat.limit.agent").await;
    let (_, other) = agent_online(&app, "chat.limit.other").await;
    let res = api
        .json(
            Method::PUT,
            &format!("/api/v1/chat/agents/{me}/limit"),
            &json!({"chat_limit": 1}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = api
        .json(
            Method::PUT,
            &format!("/api/v1/chat/agents/{me}/limit"),
            &json!({"chat_limit": 0}),
        )
        .await;
    assert_eq!(json_body(res).await["error"]["code"], "chat_bad_limit");

    let (mut first, _) = visitor(&app, id).await;
    let one = accepted(&mut first, &agent, "第一位访客").await;
    let (mut second, _) = visitor(&app, id).await;
    say(&mut second, 1, "第二位访客").await;
    let two = second.session.unwrap();

    let queue = json_body(agent.get("/api/v1/chat/sessions?view=waiting").await).await;
    assert_eq!(queue.as_array().unwrap().len(), 1, "{queue}");
    assert_eq!(queue[0]["id"], two);
    assert_eq!(queue[0]["last"]["text"], "第二位访客");
    let res = agent
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{two}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 409);
    let e = json_body(res).await;
    assert_eq!(e["error"]["code"], "chat_limit_reached");
    // Nor may another agent take a chat already taken.
    let res = other
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{one}/accept"),
            &json!({}),
        )
        .await;
    assert_eq!(json_body(res).await["error"]["code"], "chat_not_waiting");

    // On the console, the refusal reads in the agent's language.
    let s = app.login("chat.limit.agent", TEST_PASSWORD).await;
    let res = s
        .post_form(&format!("/chat/sessions/{two}/accept"), &[])
        .await;
    assert_eq!(res.status(), 409);
    let html = res.text().await.unwrap();
    assert!(html.contains("已同时接待 1 个会话"), "{html}");
    let mine = json_body(agent.get("/api/v1/chat/sessions?view=mine").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let bad = agent.get("/api/v1/chat/sessions?view=all").await;
    assert_eq!(bad.status(), 422);
    first.close().await;
    second.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_chat_is_transferred_to_an_agent_and_to_a_group() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.move").await;
    let id = channel(&api, "官网", json!({})).await;
    let (_, a) = agent_online(&app, "chat.move.a").await;
    let (b_id, b) = agent_online(&app, "chat.move.b").await;
    let away = app.create_user("chat.move.away", &[Role::Agent]).await;
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "售后组".to_owned(),
                manager_user_id: None,
                assignment: "manual".to_owned(),
                members: vec![b_id],
            },
        )
        .await
        .unwrap();
    let (mut w, _) = visitor(&app, id).await;
    let session = accepted(&mut w, &a, "空调不制冷").await;

    let to = |body: serde_json::Value| {
        let a = &a;
        async move {
            a.json(
                Method::POST,
                &format!("/api/v1/chat/sessions/{session}/transfer"),
                &body,
            )
            .await
        }
    };
    let res = to(json!({"agent_id": away})).await;
    assert_eq!(res.status(), 409, "an agent not on shift takes no chat");
    assert_eq!(
        json_body(res).await["error"]["code"],
        "chat_agent_unavailable"
    );
    let res = to(json!({"agent_id": b_id, "group_id": group})).await;
    assert_eq!(res.status(), 422);
    let res = to(json!({"agent_id": b_id})).await;
    assert_eq!(res.status(), 200);
    let chat = json_body(res).await;
    assert_eq!(chat["session"]["agent_id"], b_id);
    assert_eq!(chat["session"]["status"], "active");
    // The transcript and the visitor say so; the new agent is told.
    let line = w
        .until("the transfer's line", |f| {
            f["t"] == "msg"
                && f["from"] == "system"
                && f["text"].as_str().unwrap_or_default().contains("转接给")
        })
        .await;
    assert!(line["text"].as_str().unwrap().contains("测试 chat.move.b"));
    w.until("the new agent", |f| {
        f["t"] == "status" && f["agent"] == "测试 chat.move.b"
    })
    .await;
    assert_eq!(app.notified("chat_transferred", Some(b_id)).await, 1);
    // It is not the first agent's any more.
    let res = a
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/messages"),
            &json!({"text": "还在吗"}),
        )
        .await;
    assert_eq!(json_body(res).await["error"]["code"], "chat_not_yours");

    // B hands it on to the group: it waits again, in that group's queue.
    let res = b
        .json(
            Method::POST,
            &format!("/api/v1/chat/sessions/{session}/transfer"),
            &json!({"group_id": group}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let chat = json_body(res).await;
    assert_eq!(chat["session"]["status"], "waiting");
    assert_eq!(chat["session"]["group_id"], group);
    assert!(chat["session"]["agent_id"].is_null());
    let last = chat["messages"].as_array().unwrap().last().unwrap().clone();
    assert!(last["text"].as_str().unwrap().contains("售后组"), "{last}");
    let b_queue = json_body(b.get("/api/v1/chat/sessions").await).await;
    assert!(
        b_queue
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == session)
    );
    let a_queue = json_body(a.get("/api/v1/chat/sessions").await).await;
    assert!(
        !a_queue
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == session),
        "not in the queue of who is not in the group"
    );
    w.until("waiting again", |f| {
        f["t"] == "status" && f["status"] == "waiting"
    })
    .await;
    w.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_console_shows_the_queue_and_the_workbench_counts_it() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.page").await;
    let id = channel(&api, "官网", json!({})).await;
    let (_, _) = agent_online(&app, "chat.page.agent").await;
    let (mut w, _) = visitor(&app, id).await;
    say(&mut w, 1, "能开发票吗？").await;
    let session = w.session.unwrap();
    let s = app.login("chat.page.agent", TEST_PASSWORD).await;
    let home = s.get("/").await.text().await.unwrap();
    assert!(
        home.contains("data-tile=\"chat.waiting\""),
        "the workbench tile"
    );
    let console = s.get("/chat").await;
    assert_eq!(console.status(), 200);
    let html = console.text().await.unwrap();
    assert!(html.contains(&format!("/chat/sessions/{session}/accept")));
    assert!(html.contains("能开发票吗？"), "the last line as preview");
    assert!(html.contains("/static/kefu-chat-console.js"));
    // Accepting from the console opens the chat with its reply box.
    let res = s
        .post_form(&format!("/chat/sessions/{session}/accept"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let open = s
        .get(&format!("/chat?session={session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(open.contains("data-testid=\"chat-reply\""));
    assert!(open.contains("data-testid=\"chat-transfer\""));
    // A form sent without the script comes back to the console.
    let res = s
        .post_form(
            &format!("/chat/sessions/{session}/messages"),
            &[("body", "可以的，请提供抬头。")],
        )
        .await;
    assert_eq!(res.status(), 303);
    w.line("可以的，请提供抬头。").await;
    let events = s.get("/chat/events").await;
    assert_eq!(events.status(), 200);
    assert_eq!(events.headers()["content-type"], "text/event-stream");
    // Departments work no chats.
    app.create_user("chat.page.dept", &[Role::Department]).await;
    let d = app.login("chat.page.dept", TEST_PASSWORD).await;
    assert_eq!(d.get("/chat").await.status(), 403);
    w.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_visitors_contact_is_shown_masked() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.mask").await;
    let id = channel(&api, "官网", json!({})).await;
    let (_, agent) = agent_online(&app, "chat.mask.agent").await;
    // The shop's page passes what it knows of its signed-in customer on the tag.
    let mut w = kefu_testkit::chat_client::Widget::connect(&app.base, id, SHOP)
        .await
        .unwrap();
    w.send(json!({"t": "hello", "token": null, "last_seq": 0,
                  "name": "王女士", "contact": "13912345678"}))
        .await;
    w.until("the welcome", |f| f["t"] == "welcome").await;
    let session = accepted(&mut w, &agent, "我的快递丢了").await;
    let chat = json_body(agent.get(&format!("/api/v1/chat/sessions/{session}")).await).await;
    assert_eq!(chat["session"]["visitor"], "王女士");
    assert_eq!(chat["session"]["visitor_phone"], "139****5678");
    let s = app.login("chat.mask.agent", TEST_PASSWORD).await;
    let page = s
        .get(&format!("/chat?session={session}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("139****5678"), "masked on the console");
    assert!(!page.contains("13912345678"), "never in clear");
    let list = agent
        .get("/api/v1/chat/sessions?view=mine")
        .await
        .text()
        .await
        .unwrap();
    assert!(!list.contains("13912345678"));
    w.close().await;
    app.stop().await;
}
