//! 满意度调查 in a phone-sized browser: the customer opens the link from the message, with
//! no sign-in; the five scores are big enough to tap and the page does not scroll sideways;
//! one tap gives the score, a comment follows, and the page thanks them.
//!
//! Screenshot: `csat-phone` (the survey after the answer).

use std::sync::Arc;

use fantoccini::Locator;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_customer_rates_a_ticket_on_a_phone_in_chromium() {
    if browser::missing() {
        return;
    }
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent = app.create_user("csat.phone.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "发票开错了", "body": "抬头写错了，请重开",
                    "contact_name": "周女士", "contact_email": "zhou@example.com"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let ticket = json_body(res).await["id"].as_i64().unwrap();
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{ticket}"),
            &json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.app.send_csat_surveys().await.unwrap(), 1);
    // The link as the message carries it (by mail, and in the portal).
    let mut conn = app.app.store.conn().await.unwrap();
    let body: String = sqlx::query_scalar(
        "SELECT body FROM ticket_messages WHERE ticket_id = $1 AND body LIKE '%/s/%'",
    )
    .bind(ticket)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let start = body.find("/s/").unwrap();
    let path: String = body[start..]
        .split(char::is_whitespace)
        .next()
        .unwrap()
        .to_owned();

    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&format!("{}{path}", app.base)).await.unwrap();
    let buttons = c
        .wait()
        .for_element(Locator::Css("[data-testid=csat-scores]"))
        .await
        .unwrap()
        .find_all(Locator::Css("button"))
        .await
        .unwrap();
    assert_eq!(buttons.len(), 5);
    for button in &buttons {
        let (_, _, w, h) = button.rectangle().await.unwrap();
        assert!(h >= 44.0 && w >= 300.0, "a thumb's target: {w}×{h}");
    }
    let sideways = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sideways, json!(false), "no sideways scrolling on a phone");
    c.find(Locator::Css("[data-testid=csat-score-4]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=csat-thanks]"))
        .await
        .expect("one tap answers");
    c.find(Locator::Css("[data-testid=csat-comment] textarea"))
        .await
        .unwrap()
        .send_keys("处理很快，谢谢")
        .await
        .unwrap();
    c.find(Locator::Css("[data-testid=csat-comment] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // The page the comment came back on (the one before it holds the same elements, so
    // wait for the saved comment in the server's markup, not for an element).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !c
        .source()
        .await
        .unwrap()
        .contains(">处理很快，谢谢</textarea>")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the comment was saved"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let current = c
        .find(Locator::Css("[data-testid=csat-current]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        current.contains('4') && current.contains("满意"),
        "{current}"
    );
    b.screenshot("csat-phone").await;
    let surveys = app
        .app
        .ticket_csat(&kefu_app::Actor::system(), ticket)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(surveys.score, Some(4));
    assert_eq!(surveys.comment.as_deref(), Some("处理很快，谢谢"));
    b.close().await;
    app.stop().await;
}

/// 关系调查 on a phone: the invitation's link opens every question on one page; the 0–10
/// choices wrap without sideways scrolling, each a thumb's target; the answers go in one
/// submission and count in the round's results.
#[tokio::test]
async fn a_customer_answers_a_relationship_survey_on_a_phone_in_chromium() {
    if browser::missing() {
        return;
    }
    // Thursday 2026-12-03 10:00 in Beijing: the contact may be texted.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let manager = app.create_user("rel.phone.mgr", &[Role::CsManager]).await;
    let api = ApiClient::new(&app, &app.token_for(manager).await);
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "华东精密", "tier": "key_account",
                    "contacts": [{"name": "孙经理", "mobile": "13900001111"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = api
        .json(
            Method::POST,
            "/api/v1/relationship-surveys",
            &json!({"name": "大客户季度关系调查", "tier": "key_account", "every_months": 3,
                    "link_days": 14, "remind_after_days": 5, "active": true,
                    "questions": [
                        {"text": "您选择我们的主要原因是？", "kind": "choice",
                         "options": ["价格", "质量", "服务"], "required": true},
                        {"text": "还有什么建议？", "kind": "text"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let survey = json_body(res).await["id"].as_i64().unwrap();
    assert_eq!(
        app.app.send_relationship_surveys().await.unwrap().invited,
        1
    );
    // The link as the text carries it.
    let mut conn = app.app.store.conn().await.unwrap();
    let params: String = sqlx::query_scalar(
        "SELECT params FROM outbound_messages WHERE kind = 'relationship_invitation'",
    )
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let params: serde_json::Value = serde_json::from_str(&params).unwrap();
    let link = params["link"].as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}/r/", app.base)), "{link}");

    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&link).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=relationship-answers]"))
        .await
        .unwrap();
    let choices = c
        .find_all(Locator::Css(
            "[data-testid=relationship-q-recommend] .survey-choice",
        ))
        .await
        .unwrap();
    assert_eq!(choices.len(), 11);
    for choice in &choices {
        let (_, _, w, h) = choice.rectangle().await.unwrap();
        assert!(h >= 44.0 && w >= 40.0, "a thumb's target: {w}×{h}");
    }
    let sideways = c
        .execute(
            "return document.documentElement.scrollWidth > window.innerWidth;",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(sideways, json!(false), "no sideways scrolling on a phone");
    for (question, value) in [
        ("keep", "5"),
        ("repurchase", "4"),
        ("recommend", "9"),
        ("switch", "4"),
        ("q1", "2"),
    ] {
        c.find(Locator::Css(&format!(
            "[data-testid=relationship-q-{question}] input[value=\"{value}\"]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    }
    c.find(Locator::Css("[data-testid=relationship-q-q2] textarea"))
        .await
        .unwrap()
        .send_keys("希望售后响应再快一些")
        .await
        .unwrap();
    c.find(Locator::Css("[data-testid=relationship-submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=relationship-thanks]"))
        .await
        .expect("the answers are taken");
    b.screenshot("relationship-phone").await;
    b.close().await;
    let r = json_body(
        api.get(&format!("/api/v1/relationship-surveys/{survey}/results"))
            .await,
    )
    .await;
    assert_eq!(
        (r["answered"].as_i64(), r["promoters"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(r["nps_tenths"], 1000);
    assert_eq!(r["questions"][4]["counts"][2]["count"], 1, "服务");
    assert_eq!(r["comments"][0]["text"], "希望售后响应再快一些");
    app.stop().await;
}
