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
    if !browser::available() {
        assert!(
            !browser::required(),
            "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
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
    let current = c
        .wait()
        .for_element(Locator::Css("[data-testid=csat-current]"))
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
