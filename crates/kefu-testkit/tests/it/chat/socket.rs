//! The widget's socket: only the channel's web sites may open it; a message sent again (one
//! after another, or twice at once) is stored once; a widget that reconnects gets what it
//! missed, in order; a message over the channel's limit is refused and nothing is stored.

use std::time::Duration;

use kefu_testkit::TestApp;
use kefu_testkit::chat_client::Widget;
use serde_json::json;

use super::{SHOP, accepted, admin, agent_online, answer, channel, count, say, visitor};

const VISITOR_LINES: &str =
    "SELECT COUNT(*) FROM chat_messages WHERE session_id = $1 AND author = 'visitor'";

#[tokio::test]
async fn a_page_of_another_site_is_refused_before_the_upgrade() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.origin").await;
    let id = channel(&api, "官网", json!({})).await;

    let refused = Widget::connect(&app.base, id, "https://evil.example.com").await;
    assert_eq!(refused.err(), Some(403), "another site's page is refused");
    let look_alike = Widget::connect(&app.base, id, "https://shop.example.com.evil.cn").await;
    assert_eq!(look_alike.err(), Some(403));
    let plain = Widget::connect(&app.base, id, "http://shop.example.com").await;
    assert_eq!(plain.err(), Some(403), "the scheme counts");
    let entries = app.audit_entries("chat_origin_refused").await;
    assert_eq!(entries.len(), 3, "each refusal is audited");
    assert_eq!(
        entries[2].target_id.as_deref(),
        Some(id.to_string().as_str())
    );
    assert!(
        entries[2]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("evil.example.com")
    );
    assert_eq!(
        Widget::connect(&app.base, id + 1000, SHOP).await.err(),
        Some(404),
        "no such channel"
    );

    // The shop's own pages get a welcome; switched off, the channel refuses them too.
    let (w, welcome) = visitor(&app, id).await;
    assert_eq!(welcome["t"], "welcome");
    assert_eq!(welcome["status"], "offline", "nobody is on shift");
    assert_eq!(welcome["token"].as_str().unwrap().len(), 64);
    w.close().await;
    let res = api
        .json(
            reqwest::Method::PATCH,
            &format!("/api/v1/chat/channels/{id}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(Widget::connect(&app.base, id, SHOP).await.err(), Some(403));
    app.stop().await;
}

#[tokio::test]
async fn a_message_sent_twice_is_stored_once() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.twice").await;
    let id = channel(&api, "官网", json!({})).await;
    agent_online(&app, "chat.twice.agent").await;
    let (mut w, welcome) = visitor(&app, id).await;
    assert_eq!(welcome["status"], "waiting", "an agent is on shift");
    assert!(
        welcome["session"].is_null(),
        "no chat before the first message"
    );

    let seq = say(&mut w, 1, "你好，我的订单三天了还没发货").await;
    let session = w.session.expect("the first message opened the chat");
    // The same message again, as a widget that did not see the ack sends it.
    w.msg(1, "你好，我的订单三天了还没发货").await;
    let again = w
        .until("the second ack", |f| f["t"] == "ack" && f["cseq"] == 1)
        .await;
    assert_eq!(again["seq"].as_i64(), Some(seq));
    let token = w.token.clone().unwrap();
    w.close().await;

    // After a reconnect, once more; and message 2 from two sockets at the same moment.
    let mut a = Widget::connect(&app.base, id, SHOP).await.unwrap();
    let welcome = a.hello(Some(&token), 0).await;
    assert_eq!(welcome["session"].as_i64(), Some(session), "the same chat");
    assert_eq!(welcome["token"].as_str(), Some(token.as_str()));
    let mut b = Widget::connect(&app.base, id, SHOP).await.unwrap();
    b.hello(Some(&token), 0).await;
    a.msg(1, "你好，我的订单三天了还没发货").await;
    a.msg(2, "订单号 20261122001").await;
    b.msg(2, "订单号 20261122001").await;
    let first = a
        .until("a's ack of 2", |f| f["t"] == "ack" && f["cseq"] == 2)
        .await;
    let second = b
        .until("b's ack of 2", |f| f["t"] == "ack" && f["cseq"] == 2)
        .await;
    assert_eq!(first["seq"], second["seq"], "one line for message 2");
    assert_eq!(count(&app, VISITOR_LINES, session).await, 2);
    // Both sockets show each line once, in order (the widget asserts the order).
    a.line("订单号 20261122001").await;
    b.line("订单号 20261122001").await;
    let shown: Vec<i64> = a.lines.iter().map(|l| l["seq"].as_i64().unwrap()).collect();
    assert_eq!(shown, [1, 2]);
    assert_eq!(
        a.lines[0]["cseq"], 1,
        "the visitor's own lines carry their number"
    );
    a.close().await;
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn a_widget_that_reconnects_gets_the_answers_it_missed() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.again").await;
    let id = channel(&api, "官网", json!({})).await;
    let (_, agent) = agent_online(&app, "chat.again.agent").await;
    let (mut w, _) = visitor(&app, id).await;
    let session = accepted(&mut w, &agent, "请问怎么退货？").await;
    w.line("请问怎么退货？").await;
    let seen = w.last_seq;
    let token = w.token.clone().unwrap();
    // The visitor's train goes into a tunnel.
    w.close().await;
    answer(&agent, session, "您好，请提供订单号。").await;
    answer(&agent, session, "七天内可以无理由退货。").await;

    let mut w = Widget::connect(&app.base, id, SHOP).await.unwrap();
    let welcome = w.hello(Some(&token), seen).await;
    assert_eq!(welcome["status"], "active");
    assert_eq!(welcome["agent"], "测试 chat.again.agent");
    w.line("七天内可以无理由退货。").await;
    let missed: Vec<(i64, String, String)> = w
        .lines
        .iter()
        .map(|l| {
            (
                l["seq"].as_i64().unwrap(),
                l["from"].as_str().unwrap().to_owned(),
                l["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(missed.len(), 3, "{missed:?}");
    assert_eq!(missed[0].0, seen + 1, "from the first line not seen");
    assert_eq!(missed[0].1, "system", "the accept");
    assert!(missed[0].2.contains("测试 chat.again.agent"));
    assert_eq!(missed[1].2, "您好，请提供订单号。");
    assert_eq!(missed[2].2, "七天内可以无理由退货。");
    assert!(missed[1..].iter().all(|l| l.1 == "agent"));

    // Live, now: the next answer arrives without asking.
    answer(&agent, session, "已为您登记退货。").await;
    let live = w.line("已为您登记退货。").await;
    assert_eq!(live["name"], "测试 chat.again.agent");
    w.close().await;
    app.stop().await;
}

#[tokio::test]
async fn an_oversize_message_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.long").await;
    let id = channel(&api, "官网", json!({"max_message_chars": 50})).await;
    let (mut w, welcome) = visitor(&app, id).await;
    assert_eq!(welcome["max_chars"], 50);
    say(&mut w, 1, "你好").await;
    let session = w.session.unwrap();

    let long = "好".repeat(51);
    w.msg(2, &long).await;
    let error = w.until("the refusal", |f| f["t"] == "error").await;
    assert_eq!(error["code"], "too_long");
    assert_eq!(error["cseq"], 2);
    assert!(error["message"].as_str().unwrap().contains("50"), "{error}");
    w.msg(3, " \n ").await;
    let empty = w.until("the refusal", |f| f["t"] == "error").await;
    assert_eq!(empty["code"], "empty");
    w.send_text("{\"t\":\"shout\"}").await;
    let odd = w.until("the refusal", |f| f["t"] == "error").await;
    assert_eq!(odd["code"], "bad_frame");
    // Exactly at the limit is fine.
    say(&mut w, 4, &"好".repeat(50)).await;
    assert_eq!(count(&app, VISITOR_LINES, session).await, 2);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM chat_messages WHERE session_id = $1 AND cseq IN (2, 3)",
            session
        )
        .await,
        0,
        "nothing of the refused messages"
    );

    // A frame past what any message could be closes the socket; nothing is stored.
    w.msg(5, &"长".repeat(30_000)).await;
    let after = w.next_within(Duration::from_secs(5)).await;
    assert!(
        after.is_none() || after.as_ref().is_some_and(|f| f["t"] == "msg"),
        "the socket closes: {after:?}"
    );
    assert_eq!(count(&app, VISITOR_LINES, session).await, 2);
    app.stop().await;
}
