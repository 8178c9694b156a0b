//! 收消息 — a message is answered `success` as soon as it is stored, and its job makes the
//! ticket: one ticket and one message however often WeChat posts it (its retries, or the
//! same post twice at once); the follower's next messages thread onto their open ticket
//! (pictures and places as readable text), a resolved one gets a new ticket; a contact
//! whose WeChat field is the OpenID is linked, and their unsubscription is an opt-out in
//! the contact's history; an agent links a follower to a contact by the API.

use kefu_domain::Role;
use kefu_testkit::wechat_peer::{event_message, image_message, location_message, text_message};
use kefu_testkit::{TestApp, WechatPeer, json_body};
use reqwest::Method;
use serde_json::json;

use super::{
    OPENID, OTHER, account, api_for, count, customer_with, detail, post_at_once, post_xml,
    quiet_app, run_jobs, ticket_of,
};

async fn text_of(app: &TestApp, sql: &str, id: i64) -> String {
    let mut c = app.app.store.conn().await.unwrap();
    let v: Option<String> = sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&mut *c)
        .await
        .unwrap();
    v.unwrap_or_default()
}

#[tokio::test]
async fn a_text_message_is_answered_success_and_its_job_opens_a_ticket() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let content = "我买的空调不制冷了，师傅什么时候能上门？订单号 2026112301，地址在杭州西湖区";
    let xml = text_message(
        OPENID,
        app.now().as_second(),
        content,
        6_100_000_000_000_000_001,
    );

    let (status, body) = post_xml(&app, id, &xml).await;
    assert_eq!((status, body.as_str()), (200, "success"));
    // Stored raw and queued; the ticket is the job's work.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM wechat_inbound WHERE status = 'queued'"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);

    run_jobs(&app).await;
    let ticket = ticket_of(&app, OPENID).await.expect("a ticket");
    let d = detail(&app, ticket).await;
    assert_eq!(d.ticket.channel.key(), "wechat");
    assert!(
        d.ticket.subject.starts_with("我买的空调不制冷了"),
        "{}",
        d.ticket.subject
    );
    assert!(d.ticket.subject.chars().count() <= 31);
    assert_eq!(d.messages.len(), 1);
    assert_eq!(d.messages[0].body, content);
    assert_eq!(d.messages[0].author_kind, "customer");
    assert_eq!(d.messages[0].author_name, "微信用户 jWeS6o");
    // The message is marked as having come by WeChat: a reply goes back that way.
    assert_eq!(
        text_of(
            &app,
            "SELECT channel FROM ticket_messages WHERE id = $1",
            d.messages[0].id
        )
        .await,
        "wechat"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM wechat_inbound WHERE status = 'ticket_created'"
        )
        .await,
        1
    );
    // The job run again changes nothing.
    run_jobs(&app).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);
    app.stop().await;
}

#[tokio::test]
async fn the_same_message_twice_and_at_once_lands_once() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let xml = text_message(
        OPENID,
        app.now().as_second(),
        "洗衣机漏水",
        6_200_000_000_000_000_002,
    );
    // WeChat's retries, one after another, then the same post four times at once.
    for _ in 0..2 {
        assert_eq!(post_xml(&app, id, &xml).await, (200, "success".to_owned()));
    }
    let answers = post_at_once(&app, id, &xml, 4).await;
    for a in answers {
        assert_eq!(a, (200, "success".to_owned()));
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM wechat_inbound").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'wechat_inbound'"
        )
        .await,
        1
    );
    run_jobs(&app).await;
    // Posted again after it landed: still one.
    assert_eq!(post_xml(&app, id, &xml).await, (200, "success".to_owned()));
    run_jobs(&app).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ticket_messages").await, 1);

    // An event repeated is one event too.
    let sub = event_message(OTHER, app.now().as_second(), "subscribe", None);
    let answers = post_at_once(&app, id, &sub, 3).await;
    assert!(answers.iter().all(|a| a.0 == 200 && a.1 == "success"));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM wechat_inbound WHERE event = 'subscribe'"
        )
        .await,
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn the_next_messages_thread_and_read_as_text_until_the_ticket_is_resolved() {
    let peer = WechatPeer::start().await;
    let (app, clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let (_, admin) = api_for(&app, "wx.admin", &[Role::Admin]).await;
    let t0 = app.now().as_second();
    post_xml(
        &app,
        id,
        &text_message(OPENID, t0, "热水器打不着火", 6_300_000_000_000_000_001),
    )
    .await;
    run_jobs(&app).await;
    let ticket = ticket_of(&app, OPENID).await.unwrap();

    clock.advance(jiff::SignedDuration::from_mins(3));
    let t1 = app.now().as_second();
    let pic = "http://mmbiz.qpic.cn/mmbiz_jpg/Qx7cK2/0";
    post_xml(
        &app,
        id,
        &image_message(OPENID, t1, pic, 6_300_000_000_000_000_002),
    )
    .await;
    post_xml(
        &app,
        id,
        &location_message(
            OPENID,
            t1 + 1,
            "30.274085",
            "120.155070",
            "浙江省杭州市西湖区文三路",
            6_300_000_000_000_000_003,
        ),
    )
    .await;
    // Another follower's message is another ticket.
    post_xml(
        &app,
        id,
        &text_message(OTHER, t1, "请问营业时间", 6_300_000_000_000_000_004),
    )
    .await;
    run_jobs(&app).await;

    let d = detail(&app, ticket).await;
    let bodies: Vec<&str> = d.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(
        bodies,
        [
            "热水器打不着火",
            format!("[图片] {pic}").as_str(),
            "[位置] 浙江省杭州市西湖区文三路 (30.274085,120.155070)",
        ]
    );
    assert_ne!(ticket_of(&app, OTHER).await, Some(ticket));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 2);

    // Resolved: the next message opens a new ticket.
    let res = admin
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{ticket}"),
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    post_xml(
        &app,
        id,
        &text_message(OPENID, t1 + 60, "还有一个问题", 6_300_000_000_000_000_005),
    )
    .await;
    run_jobs(&app).await;
    let newer = ticket_of(&app, OPENID).await.unwrap();
    assert_ne!(newer, ticket);
    assert_eq!(detail(&app, ticket).await.messages.len(), 3);
    app.stop().await;
}

#[tokio::test]
async fn a_contact_with_the_openid_is_linked_and_an_unsubscription_is_an_opt_out() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let (_, admin) = api_for(&app, "wx.admin", &[Role::Admin]).await;
    let (customer, contact) =
        customer_with(&admin, "杭州明达贸易有限公司", "李娜", Some(OPENID), &[]).await;

    let now = app.now().as_second();
    post_xml(&app, id, &event_message(OPENID, now, "subscribe", None)).await;
    post_xml(
        &app,
        id,
        &text_message(OPENID, now + 1, "发票还没收到", 6_400_000_000_000_000_001),
    )
    .await;
    run_jobs(&app).await;

    let ticket = ticket_of(&app, OPENID).await.unwrap();
    let d = detail(&app, ticket).await;
    assert_eq!(d.ticket.customer_id, Some(customer));
    assert_eq!(d.messages[0].author_name, "李娜");
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM wechat_users WHERE contact_id = {contact} AND customer_id = {customer}")
        )
        .await,
        1
    );

    post_xml(
        &app,
        id,
        &event_message(OPENID, now + 2, "CLICK", Some("V1001_SERVICE")),
    )
    .await;
    post_xml(
        &app,
        id,
        &event_message(OPENID, now + 3, "unsubscribe", None),
    )
    .await;
    run_jobs(&app).await;
    // No ticket from the events; the contact now refuses WeChat, and their history says why.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);
    let shown = json_body(admin.get(&format!("/api/v1/customers/{customer}")).await).await;
    assert_eq!(
        shown["contacts"][0]["opt_outs"],
        json!(["wechat"]),
        "{shown}"
    );
    let mut c = app.app.store.conn().await.unwrap();
    let fields: Vec<String> =
        sqlx::query_scalar("SELECT field FROM customer_history WHERE customer_id = $1 ORDER BY id")
            .bind(customer)
            .fetch_all(&mut *c)
            .await
            .unwrap();
    for f in [
        "wechat.linked",
        "wechat.subscribe",
        "wechat.unsubscribe",
        "contact.opt_outs",
    ] {
        assert!(fields.iter().any(|x| x == f), "{f} in {fields:?}");
    }
    drop(c);

    // The 360 page words them.
    let s = app.login("wx.admin", kefu_testkit::TEST_PASSWORD).await;
    let page = s
        .get(&format!("/customers/{customer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("取消关注微信公众号"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn an_agent_links_a_follower_to_a_contact() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let (_, agent) = api_for(&app, "wx.agent", &[Role::Agent]).await;
    let (_, admin) = api_for(&app, "wx.admin", &[Role::Admin]).await;
    post_xml(
        &app,
        id,
        &text_message(
            OPENID,
            app.now().as_second(),
            "电视没有声音",
            6_500_000_000_000_000_001,
        ),
    )
    .await;
    run_jobs(&app).await;
    let ticket = ticket_of(&app, OPENID).await.unwrap();
    assert_eq!(detail(&app, ticket).await.ticket.customer_id, None);
    let (customer, contact) = customer_with(&admin, "王建国", "王建国", None, &[]).await;

    let path = format!("/api/v1/wechat/accounts/{id}/followers/{OPENID}");
    // Not a contact: refused.
    let res = agent
        .json(Method::PUT, &path, &json!({"contact_id": contact + 1000}))
        .await;
    assert_eq!(res.status(), 422);
    let res = agent
        .json(Method::PUT, &path, &json!({"contact_id": contact}))
        .await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());

    assert_eq!(
        detail(&app, ticket).await.ticket.customer_id,
        Some(customer)
    );
    let entries = app.audit_entries("wechat_follower_linked").await;
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0]
            .detail
            .clone()
            .unwrap_or_default()
            .contains(OPENID)
    );
    // The follower's next message carries the contact's name.
    post_xml(
        &app,
        id,
        &text_message(
            OPENID,
            app.now().as_second() + 1,
            "还是没有声音",
            6_500_000_000_000_000_002,
        ),
    )
    .await;
    run_jobs(&app).await;
    let d = detail(&app, ticket).await;
    assert_eq!(d.messages.last().unwrap().author_name, "王建国");

    // A follower nobody heard from cannot be linked.
    let res = agent
        .json(
            Method::PUT,
            &format!("/api/v1/wechat/accounts/{id}/followers/{OTHER}"),
            &json!({"contact_id": contact}),
        )
        .await;
    assert_eq!(res.status(), 404);
    app.stop().await;
}
