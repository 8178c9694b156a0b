//! 客服名片短信 — the agent sets their desk phone and work mobile on their account; the
//! first visit's script and card carry them; one click texts the card to the contact's
//! mobile through the real gateway, once a channel is on, outside the contact's rest hours
//! and never to a contact who opted out.

use jiff::SignedDuration;
use kefu_testkit::{ApiClient, SmsPeer, TEST_PASSWORD, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{MOBILE, MOBILE_E164, agent, gateway, quiet_app, run_jobs};

async fn post(api: &ApiClient, path: &str) -> (u16, Value) {
    let res = api.json(Method::POST, path, &json!({})).await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

#[tokio::test]
async fn the_first_visit_texts_the_agents_card_in_one_click() {
    let peer = SmsPeer::start().await;
    let (app, clock) = quiet_app().await;
    let (agent_id, api) = agent(&app, "ming.pian").await;
    let manager = app
        .create_user("jing.li.card", &[kefu_domain::Role::CsManager])
        .await;
    let manager = ApiClient::new(&app, &app.token_for(manager).await);
    let res = manager
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "名片大客户", "tier": "key_account", "owner_id": agent_id,
                    "contacts": [{"name": "赵", "title": "总", "mobile": MOBILE, "rest_hours": "12:00-14:00"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    app.app.run_follow_up_plan().await.unwrap();
    let list = json_body(api.get("/api/v1/follow-ups").await).await;
    let visit = list[0]["id"].as_i64().expect("a visit planned");

    // The agent's card numbers, set on their account page: a bad mobile is refused in
    // their language, what they typed kept.
    let session = app.login("ming.pian", TEST_PASSWORD).await;
    let res = session
        .post_form(
            "/account/contact",
            &[
                ("work_phone", "0571-8888 6666 转 801"),
                ("work_mobile", "12345"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("“12345”不是有效的大陆手机号"), "{html}");
    assert!(html.contains("value=\"0571-8888 6666 转 801\""));
    let res = session
        .post_form(
            "/account/contact",
            &[
                ("work_phone", "0571-8888 6666 转 801"),
                ("work_mobile", "139-0000-8888"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    let v = json_body(api.get(&format!("/api/v1/follow-ups/{visit}")).await).await;
    assert_eq!(v["first_visit"], true);
    assert!(
        v["opening"]
            .as_str()
            .unwrap()
            .contains("0571-8888 6666 转 801"),
        "{{客服电话}} is the agent's desk phone: {v}"
    );
    let card = v["card_sms"].as_str().unwrap();
    assert!(
        card.contains("13900008888")
            && card.contains("0571-8888 6666 转 801")
            && card.contains("赵总"),
        "{card}"
    );

    // No SMS channel yet: refused, nothing queued.
    let path = format!("/api/v1/follow-ups/{visit}/card");
    let (status, e) = post(&api, &path).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("no_sms_channel"))
    );
    gateway(&app, &peer).await;
    // The contact's lunch rest: refused, with the next moment allowed.
    clock.set("2026-11-23T04:30:00Z".parse().unwrap());
    let (status, e) = post(&api, &path).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("outside_calling_window")),
        "{e}"
    );
    assert_eq!(
        e["error"]["detail"], "2026-11-23T06:30:00Z",
        "14:30, after the rest and lunch hours"
    );
    clock.set("2026-11-23T02:10:00Z".parse().unwrap());
    let (status, sent) = post(&api, &path).await;
    assert_eq!(status, 202, "{sent}");
    clock.advance(SignedDuration::from_secs(1));
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let body = &got[0].body;
    assert_eq!(body["to"], MOBILE_E164);
    assert_eq!(body["template"], "follow_up_agent_card");
    assert_eq!(body["params"]["mobile"], "13900008888");
    assert_eq!(
        body["text"]
            .as_str()
            .unwrap()
            .trim_start_matches(super::SIGN),
        card
    );
    let page = session
        .get(&format!("/follow-ups/{visit}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"visit-card-sent\">已发送于"),
        "{page}"
    );

    // A contact who opted out of texts gets none.
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query("UPDATE customer_contacts SET opt_outs = ',sms,' WHERE mobile = $1")
        .bind(MOBILE)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let (status, e) = post(&api, &path).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("visit_sms_opted_out"))
    );
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1, "nothing more went");
    app.stop().await;
}
