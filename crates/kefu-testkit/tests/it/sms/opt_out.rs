//! 退订: a text that is only T, TD, 退订… makes no ticket; the contacts with the number
//! refuse texts from then on (history, audit), a number nobody has goes on the refusal
//! list; a reply to the number is not sent — the ticket says 未发送：客户已退订 — also when
//! the opt-out arrives while the reply waits; the test button refuses the number.

use kefu_testkit::{SmsPeer, TEST_PASSWORD, json_body};
use reqwest::Method;
use serde_json::json;

use super::{
    MOBILE, MOBILE_E164, admin, agent, count, customer, events, gateway, messages, page, post,
    quiet_app, reply, run_jobs, sends, text,
};

#[tokio::test]
async fn an_opt_out_word_records_the_opt_out_and_a_later_reply_is_refused_with_its_event() {
    let peer = SmsPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (_, api) = agent(&app, "sms.opt.agent").await;
    let owner = customer(&api, "恒信物业", "王芳", MOBILE).await;

    let (status, first) = post(
        &app,
        &peer,
        &g,
        &text(&app, "o-1", MOBILE_E164, "空调不制冷"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let id = first["ticket_id"].as_i64().unwrap();

    let (status, out) = post(&app, &peer, &g, &text(&app, "o-2", MOBILE_E164, " 退订。")).await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["status"], "opted_out");
    assert!(out["ticket_id"].is_null(), "{out}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets").await,
        1,
        "no ticket"
    );
    assert_eq!(messages(&app, id).await.len(), 1, "nor a message");
    // The same opt-out delivered again changes nothing.
    let (_, again) = post(&app, &peer, &g, &text(&app, "o-2", MOBILE_E164, " 退订。")).await;
    assert_eq!(again["status"], "duplicate");

    // The contact refuses texts now: in the archive, its history and the audit log.
    let c = json_body(api.get(&format!("/api/v1/customers/{owner}")).await).await;
    let opt_outs = c["contacts"][0]["opt_outs"].clone();
    assert_eq!(opt_outs, json!(["sms"]), "{c}");
    let changes: Vec<(String, Option<String>)> = {
        let mut conn = app.app.store.conn().await.unwrap();
        sqlx::query_as("SELECT field, new_value FROM customer_history WHERE customer_id = $1")
            .bind(owner)
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    assert!(
        changes.contains(&("contact.opt_outs".to_owned(), Some("sms".to_owned()))),
        "{changes:?}"
    );
    let audited = app.audit_entries("sms_opted_out").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].target_type.as_deref(), Some("customer"));
    assert_eq!(
        audited[0].target_id.as_deref(),
        Some(owner.to_string().as_str())
    );
    assert!(
        !audited[0]
            .detail
            .clone()
            .unwrap_or_default()
            .contains(MOBILE)
    );

    // A reply: written, not sent, and the ticket says why.
    reply(&api, id, "您好，师傅明天上午上门。").await;
    assert!(sends(&app, id).await.is_empty(), "nothing queued");
    assert_eq!(events(&app, id, "sms_not_sent").await, ["opted_out"]);
    run_jobs(&app).await;
    assert!(peer.received().is_empty(), "nothing reached the gateway");
    let s = app.login("sms.opt.agent", TEST_PASSWORD).await;
    let html = page(&s, &format!("/tickets/{id}")).await;
    assert!(
        html.contains("未发送：客户已退订"),
        "the ticket page says so"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_opt_out_that_arrives_while_a_reply_waits_stops_it() {
    let peer = SmsPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (_, api) = agent(&app, "sms.wait.agent").await;
    let (_, first) = post(
        &app,
        &peer,
        &g,
        &text(&app, "w-1", MOBILE_E164, "冰箱不制冷"),
    )
    .await;
    let id = first["ticket_id"].as_i64().unwrap();
    reply(&api, id, "您好，请问冰箱型号是？").await;
    assert_eq!(sends(&app, id).await[0].status, "queued");

    let (_, out) = post(&app, &peer, &g, &text(&app, "w-2", MOBILE_E164, "T")).await;
    assert_eq!(out["status"], "opted_out");
    run_jobs(&app).await;
    assert!(peer.received().is_empty());
    assert_eq!(sends(&app, id).await[0].status, "failed");
    assert_eq!(events(&app, id, "sms_not_sent").await, ["opted_out"]);
    assert!(
        events(&app, id, "sms_send_failed").await.is_empty(),
        "not a failure of the gateway"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_number_nobody_has_goes_on_the_refusal_list_and_sentences_are_no_opt_outs() {
    let peer = SmsPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (admin_api, _) = admin(&app, "sms.opt.admin").await;

    let (status, out) = post(
        &app,
        &peer,
        &g,
        &text(&app, "n-1", "+8613900001111", "ｔｄ"),
    )
    .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(out["status"], "opted_out");
    let listed: Vec<String> = {
        let mut conn = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT number FROM sms_opt_outs")
            .fetch_all(&mut *conn)
            .await
            .unwrap()
    };
    assert_eq!(listed, ["13900001111"]);
    let audited = app.audit_entries("sms_opted_out").await;
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].target_type.as_deref(), Some("sms_channel"));
    let detail = audited[0].detail.clone().unwrap_or_default();
    assert!(
        detail.contains("139****1111") && !detail.contains("13900001111"),
        "{detail}"
    );

    // The test button refuses the number, and sends nothing.
    let res = admin_api
        .json(
            Method::POST,
            &format!("/api/v1/channels/sms/{}/test", g.id),
            &json!({"to": "139 0000 1111"}),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_body(res).await["error"]["code"], "sms_opted_out");
    assert!(peer.received().is_empty());

    // "我不想退订" is a text like any other.
    let (status, t) = post(
        &app,
        &peer,
        &g,
        &text(&app, "n-2", "+8613700002222", "我不想退订"),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["status"], "ticket_created");
    app.stop().await;
}
