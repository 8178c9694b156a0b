//! 回复 — an agent's public reply on a WeChat ticket goes back through the customer-service
//! message API as WeChat documents it (the exact JSON, the access token fetched once and
//! cached, fetched again once on 40001), split into texts of at most 2048 bytes; WeChat
//! busy or a 502 is tried again, another errcode fails with its words on the ticket; 45015,
//! a last message 48 hours old and an opted-out contact leave 未发送 on the ticket (the
//! first two telling the agent), and the ticket page counts the window down.

use jiff::SignedDuration;
use kefu_domain::Role;
use kefu_store::wechat::sends::WechatSend;
use kefu_testkit::wechat_peer::{APP_ID, APP_SECRET, Scripted, TokenCall, text_message};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, WechatPeer};
use serde_json::json;

use super::{
    OPENID, account, api_for, count, customer_with, events, post_xml, quiet_app, reply, run_jobs,
    ticket_of,
};

/// An account, a follower's message landed on its ticket, and an agent to answer it.
struct Setup {
    ticket: i64,
    agent_id: i64,
    agent: ApiClient,
}

async fn setup(app: &TestApp, peer: &WechatPeer) -> Setup {
    let id = account(app, peer).await;
    let (agent_id, agent) = api_for(app, "wx.agent", &[Role::Agent]).await;
    let xml = text_message(
        OPENID,
        app.now().as_second(),
        "空调遥控器失灵，换了电池也不行",
        6_800_000_000_000_000_001,
    );
    assert_eq!(post_xml(app, id, &xml).await.0, 200);
    run_jobs(app).await;
    let ticket = ticket_of(app, OPENID).await.expect("a ticket");
    Setup {
        ticket,
        agent_id,
        agent,
    }
}

async fn sends(app: &TestApp, ticket: i64) -> Vec<WechatSend> {
    let mut c = app.app.store.conn().await.unwrap();
    kefu_store::wechat::sends::of_ticket(&mut c, ticket)
        .await
        .unwrap()
}

async fn told(app: &TestApp, user: i64) -> i64 {
    app.notified("wechat_not_sent", Some(user)).await
}

/// The ticket page as the agent sees it now (signed in afresh: the clock may have moved past
/// a session's life).
async fn page(app: &TestApp, ticket: i64) -> String {
    let s = app.login("wx.agent", TEST_PASSWORD).await;
    let res = s.get(&format!("/tickets/{ticket}")).await;
    assert_eq!(res.status(), 200);
    res.text().await.unwrap()
}

#[tokio::test]
async fn a_reply_goes_back_as_wechat_documents_with_the_token_fetched_once() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let s = setup(&app, &peer).await;

    reply(&s.agent, s.ticket, "您好，师傅明天上午上门检修。").await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM jobs WHERE kind = 'wechat_send'").await,
        1
    );
    run_jobs(&app).await;
    let delivered = peer.delivered();
    assert_eq!(delivered.len(), 1);
    assert_eq!(
        delivered[0].body,
        json!({"touser": OPENID, "msgtype": "text", "text": {"content": "您好，师傅明天上午上门检修。"}})
    );
    assert_eq!(
        peer.token_calls(),
        vec![TokenCall {
            grant_type: "client_credential".to_owned(),
            appid: APP_ID.to_owned(),
            secret: APP_SECRET.to_owned(),
        }]
    );

    // The next reply uses the cached token.
    reply(&s.agent, s.ticket, "请保持电话畅通。").await;
    run_jobs(&app).await;
    let delivered = peer.delivered();
    assert_eq!(delivered.len(), 2);
    assert_eq!(delivered[1].body["text"]["content"], "请保持电话畅通。");
    assert_eq!(delivered[1].access_token, delivered[0].access_token);
    assert_eq!(peer.token_calls().len(), 1);
    assert_eq!(events(&app, s.ticket, "wechat_sent").await, ["1", "1"]);
    assert!(
        sends(&app, s.ticket)
            .await
            .iter()
            .all(|x| x.status == "sent")
    );

    // The page says so; the access token is on no page.
    let html = page(&app, s.ticket).await;
    assert!(html.contains("已通过微信发送"), "{html}");
    assert!(!html.contains(&delivered[0].access_token));
    app.stop().await;
}

#[tokio::test]
async fn an_expired_token_is_fetched_again_once_and_the_reply_goes_once() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let s = setup(&app, &peer).await;
    reply(&s.agent, s.ticket, "第一条回复").await;
    run_jobs(&app).await;

    // WeChat forgets the token kefu cached (another client fetched one, or it expired).
    peer.expire_tokens();
    reply(&s.agent, s.ticket, "第二条回复").await;
    run_jobs(&app).await;
    let all = peer.sends();
    let codes: Vec<i64> = all.iter().map(|c| c.errcode).collect();
    assert_eq!(codes, [0, 40001, 0]);
    assert_eq!(all[2].body["text"]["content"], "第二条回复");
    assert_ne!(all[2].access_token, all[1].access_token);
    assert_eq!(peer.token_calls().len(), 2);
    assert_eq!(peer.delivered().len(), 2);
    assert!(
        events(&app, s.ticket, "wechat_send_failed")
            .await
            .is_empty()
    );

    // Refused twice in a row: no third token, the reply fails with WeChat's words.
    peer.script_sends(&[Scripted::Errcode(40001), Scripted::Errcode(40001)]);
    reply(&s.agent, s.ticket, "第三条回复").await;
    run_jobs(&app).await;
    assert_eq!(peer.token_calls().len(), 3);
    let failed = events(&app, s.ticket, "wechat_send_failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0].starts_with("errcode 40001"), "{failed:?}");
    app.stop().await;
}

#[tokio::test]
async fn errcode_45015_leaves_an_event_and_tells_the_agent() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let s = setup(&app, &peer).await;
    peer.script_sends(&[Scripted::Errcode(45015)]);
    reply(&s.agent, s.ticket, "您的退款已经办理。").await;
    run_jobs(&app).await;

    assert!(peer.delivered().is_empty());
    assert_eq!(peer.sends().len(), 1);
    assert_eq!(events(&app, s.ticket, "wechat_not_sent").await, ["window"]);
    assert_eq!(sends(&app, s.ticket).await[0].status, "not_sent");
    assert_eq!(sends(&app, s.ticket).await[0].errcode, Some(45015));
    assert_eq!(told(&app, s.agent_id).await, 1);
    let html = page(&app, s.ticket).await;
    assert!(
        html.contains("未发送：超出微信 48 小时回复窗口，请改用其他渠道"),
        "{html}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_busy_wechat_is_tried_again_and_another_errcode_is_final() {
    let peer = WechatPeer::start().await;
    let (app, clock) = quiet_app().await;
    let s = setup(&app, &peer).await;
    peer.script_sends(&[Scripted::Errcode(-1), Scripted::Http(502)]);
    reply(&s.agent, s.ticket, "稍等，正在为您查询。").await;
    run_jobs(&app).await;
    assert!(peer.delivered().is_empty());
    assert_eq!(sends(&app, s.ticket).await[0].status, "queued");
    clock.advance(SignedDuration::from_secs(31));
    run_jobs(&app).await;
    assert!(peer.delivered().is_empty());
    clock.advance(SignedDuration::from_mins(3));
    run_jobs(&app).await;
    assert_eq!(peer.delivered().len(), 1);
    assert_eq!(sends(&app, s.ticket).await[0].status, "sent");

    peer.script_sends(&[Scripted::Errcode(48001)]);
    reply(&s.agent, s.ticket, "这条会被拒绝。").await;
    run_jobs(&app).await;
    let failed = events(&app, s.ticket, "wechat_send_failed").await;
    assert_eq!(failed.len(), 1);
    assert!(failed[0].starts_with("errcode 48001"), "{failed:?}");
    assert_eq!(sends(&app, s.ticket).await[1].status, "failed");
    app.stop().await;
}

#[tokio::test]
async fn the_window_counts_down_and_an_old_message_gets_no_wechat_reply() {
    let peer = WechatPeer::start().await;
    let (app, clock) = quiet_app().await;
    let s = setup(&app, &peer).await;
    assert!(
        page(&app, s.ticket)
            .await
            .contains("微信回复窗口还剩 48 小时")
    );
    clock.advance(SignedDuration::from_hours(17));
    assert!(
        page(&app, s.ticket)
            .await
            .contains("微信回复窗口还剩 31 小时")
    );
    clock.advance(SignedDuration::from_hours(32));
    let html = page(&app, s.ticket).await;
    assert!(html.contains("已超出 48 小时窗口"), "{html}");

    // The agent's reply stands; WeChat is not asked.
    reply(&s.agent, s.ticket, "抱歉回复晚了。").await;
    run_jobs(&app).await;
    assert!(peer.sends().is_empty());
    assert!(peer.token_calls().is_empty());
    assert!(sends(&app, s.ticket).await.is_empty());
    assert_eq!(events(&app, s.ticket, "wechat_not_sent").await, ["window"]);
    assert_eq!(told(&app, s.agent_id).await, 1);
    let html = page(&app, s.ticket).await;
    assert!(html.contains("抱歉回复晚了。"));
    assert!(html.contains("未发送：超出微信 48 小时回复窗口，请改用其他渠道"));
    app.stop().await;
}

#[tokio::test]
async fn a_long_reply_goes_as_several_texts_of_at_most_2048_bytes() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let s = setup(&app, &peer).await;
    let long = "感谢您的耐心等待，".repeat(120);
    assert_eq!(long.len(), 3240);
    reply(&s.agent, s.ticket, &long).await;
    run_jobs(&app).await;
    let parts: Vec<String> = peer
        .delivered()
        .iter()
        .map(|c| c.body["text"]["content"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].len(), 2046);
    assert!(parts.iter().all(|p| p.len() <= 2048));
    assert_eq!(parts.concat(), long);
    assert_eq!(events(&app, s.ticket, "wechat_sent").await, ["2"]);
    app.stop().await;
}

#[tokio::test]
async fn an_opted_out_contact_gets_no_wechat_reply() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let (_, admin) = api_for(&app, "wx.admin", &[Role::Admin]).await;
    customer_with(&admin, "赵敏", "赵敏", Some(OPENID), &["wechat"]).await;
    let s = setup(&app, &peer).await;
    let html = page(&app, s.ticket).await;
    assert!(html.contains("客户已退订微信消息"), "{html}");
    reply(&s.agent, s.ticket, "您好").await;
    run_jobs(&app).await;
    assert!(peer.sends().is_empty());
    assert_eq!(
        events(&app, s.ticket, "wechat_not_sent").await,
        ["opted_out"]
    );
    assert_eq!(told(&app, s.agent_id).await, 0);
    app.stop().await;
}
