//! An agent's public reply on a ticket the customer wrote by text goes back by text: the
//! exact JSON of the generic format, the API key as bearer token, the reference the same
//! across a 503 and its retry, one text in the end; delivery reports settle it (a second
//! never undoes the first) and show on the ticket page; a 400 and a failed report are
//! events on the ticket, notifications to the agent, rows on the administrator's list and
//! the workbench tile; a report for a send kefu never made stores nothing.

use jiff::SignedDuration;
use kefu_app::Actor;
use kefu_testkit::sms_peer::Answer;
use kefu_testkit::{SmsPeer, TEST_PASSWORD};
use serde_json::json;

use super::{
    API_KEY, MOBILE_E164, SIGN, admin, agent, count, events, gateway, page, post, quiet_app, reply,
    report, run_jobs, sends, text,
};

#[tokio::test]
async fn a_reply_goes_out_in_the_gateway_format_once_its_reference_surviving_a_retry() {
    let peer = SmsPeer::start().await;
    let (app, clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (_, api) = agent(&app, "sms.reply.agent").await;
    let (status, first) = post(
        &app,
        &peer,
        &g,
        &text(&app, "r-1", MOBILE_E164, "热水器不出热水"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let id = first["ticket_id"].as_i64().unwrap();
    let number = app
        .app
        .ticket_detail(&Actor::system(), id)
        .await
        .unwrap()
        .ticket
        .number;

    // The reply box counts the messages the reply will take.
    let s = app.login("sms.reply.agent", TEST_PASSWORD).await;
    let html = page(&s, &format!("/tickets/{id}")).await;
    assert!(
        html.contains("data-testid=\"sms-counter\""),
        "the counter is there"
    );
    assert!(html.contains("data-sms-sign=\"【恒信售后】\""));

    peer.script(&[Answer::Unavailable]);
    clock.advance(SignedDuration::from_mins(1));
    reply(&api, id, "您好，**师傅**明天上午上门检修。").await;
    let queued = sends(&app, id).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].status, "queued", "queued with the reply");
    assert_eq!(
        queued[0].segments, 1,
        "【恒信售后】 and 14 characters: one message"
    );
    assert!(
        peer.received().is_empty(),
        "sent by the job, not the request"
    );

    // The first attempt meets a 503: tried again later, the same reference.
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1);
    assert_eq!(peer.received()[0].status, 503);
    let waiting = sends(&app, id).await;
    assert_eq!(waiting[0].status, "queued");
    assert_eq!(waiting[0].attempts, 1);
    clock.advance(SignedDuration::from_secs(31));
    run_jobs(&app).await;
    let got = peer.wait_for(2).await;
    assert_eq!(got.len(), 2);
    let reference = queued[0].reference.clone();
    let expected = json!({
        "reference": reference,
        "to": MOBILE_E164,
        "sign_name": SIGN,
        "template": "reply",
        "params": {"ticket": number},
        "text": "您好，师傅明天上午上门检修。",
    });
    assert_eq!(got[0].body, expected, "the first attempt");
    assert_eq!(
        got[1].body, expected,
        "the retry: the same text and reference"
    );
    let bearer = format!("Bearer {API_KEY}");
    assert_eq!(got[1].authorization.as_deref(), Some(bearer.as_str()));

    // Sent once: more rounds send nothing more.
    clock.advance(SignedDuration::from_hours(2));
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 2);
    let sent = sends(&app, id).await;
    assert_eq!(sent[0].status, "sent");
    assert_eq!(sent[0].gateway_message_id.as_deref(), Some("gw-1"));
    let html = page(&s, &format!("/tickets/{id}")).await;
    assert!(html.contains("短信 1 条 · 已发出"), "the page says it went");

    // The operator delivered it; a later failed report changes nothing.
    let (status, r) = post(
        &app,
        &peer,
        &g,
        &report(&app, &reference, "delivered", None),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "recorded");
    assert_eq!(r["send_status"], "delivered");
    assert_eq!(r["ticket_id"], id);
    let (status, r) = post(
        &app,
        &peer,
        &g,
        &report(&app, &reference, "failed", Some("空号")),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "unchanged");
    assert_eq!(r["send_status"], "delivered");
    assert_eq!(sends(&app, id).await[0].status, "delivered");
    let html = page(&s, &format!("/tickets/{id}")).await;
    assert!(
        html.contains("短信 1 条 · 已送达"),
        "the page says it arrived"
    );
    assert!(events(&app, id, "sms_send_failed").await.is_empty());
    app.stop().await;
}

#[tokio::test]
async fn refusals_and_failed_reports_reach_the_ticket_the_agent_and_the_administrator() {
    let peer = SmsPeer::start().await;
    let (app, clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (agent_id, api) = agent(&app, "sms.fail.agent").await;
    let (_, admin_session) = admin(&app, "sms.fail.admin").await;
    let (_, first) = post(&app, &peer, &g, &text(&app, "f-1", MOBILE_E164, "门锁坏了")).await;
    let id = first["ticket_id"].as_i64().unwrap();

    // The gateway refuses the first reply for good.
    peer.script(&[Answer::Reject(400, "号码格式错误".to_owned())]);
    reply(&api, id, "您好，请问是哪一款门锁？").await;
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1);
    let s = sends(&app, id).await;
    assert_eq!(s[0].status, "failed");
    assert_eq!(
        events(&app, id, "sms_send_failed").await,
        ["HTTP 400: 号码格式错误"]
    );
    clock.advance(SignedDuration::from_hours(1));
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1, "a 4xx is not tried again");

    // The second goes, and the operator reports it failed.
    reply(&api, id, "或者请拍照发给我们。").await;
    run_jobs(&app).await;
    assert_eq!(peer.wait_for(2).await.len(), 2);
    let second = sends(&app, id).await[1].clone();
    assert_eq!(second.status, "sent");
    let (status, r) = post(
        &app,
        &peer,
        &g,
        &report(&app, &second.reference, "failed", Some("空号")),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["status"], "recorded");
    assert_eq!(r["send_status"], "failed");
    let (_, r) = post(
        &app,
        &peer,
        &g,
        &report(&app, &second.reference, "delivered", None),
    )
    .await;
    assert_eq!(r["status"], "unchanged", "a final status stays");
    assert_eq!(sends(&app, id).await[1].status, "failed");
    assert_eq!(
        events(&app, id, "sms_send_failed").await,
        ["HTTP 400: 号码格式错误", "MK:0001 空号"]
    );

    // The ticket page says so beside each reply.
    let agent_session = app.login("sms.fail.agent", TEST_PASSWORD).await;
    let html = page(&agent_session, &format!("/tickets/{id}")).await;
    assert!(
        html.contains("发送失败：HTTP 400: 号码格式错误"),
        "the first reply"
    );
    assert!(html.contains("发送失败：MK:0001 空号"), "the second");
    assert!(html.contains("短信发送失败：MK:0001 空号"), "and the event");

    // The agent who wrote them is told, the number masked.
    let told: Vec<String> = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar(
            "SELECT params FROM notifications WHERE user_id = $1 AND kind = 'sms_failed'",
        )
        .bind(agent_id)
        .fetch_all(&mut *c)
        .await
        .unwrap()
    };
    assert_eq!(told.len(), 2);
    assert!(
        told.iter()
            .all(|p| p.contains("138****5678") && !p.contains("13812345678"))
    );
    let bell = page(&agent_session, "/notifications").await;
    assert!(bell.contains("短信回复发送失败"), "{bell}");

    // The administrator's list and tile count both.
    let list = page(&admin_session, "/admin/channels/sms").await;
    assert_eq!(list.matches("data-testid=\"sms-failed-row\"").count(), 2);
    assert!(!list.contains("13812345678"));
    let home = page(&admin_session, "/").await;
    let at = home
        .find("data-tile=\"sms.failed\"")
        .expect("the tile shows");
    let tile = &home[at..at + home[at..].find("</article>").unwrap()];
    assert!(tile.contains("data-count=\"2\""), "{tile}");

    // A report for a send kefu never made: refused, nothing stored.
    let before = count(&app, "SELECT COUNT(*) FROM sms_sends").await;
    let (status, r) = post(
        &app,
        &peer,
        &g,
        &report(&app, "kf-nothing", "delivered", None),
    )
    .await;
    assert_eq!(status, 404, "{r}");
    assert_eq!(r["error"]["code"], "sms_unknown_send");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_sends").await, before);
    app.stop().await;
}
