//! 回访 in the browser: an agent follows the workbench's tile to today's visits, opens the
//! visit, reads the script with the contact's number masked, records an unsatisfied result
//! about the product, and finds the complaint it opened.
//!
//! Screenshots: `follow-up-visit` (the visit page), `follow-up-complaint` (the complaint).

use std::sync::Arc;

use fantoccini::Locator;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::json;

use super::sign_in;

#[tokio::test]
async fn an_agent_works_todays_visit_and_an_unsatisfied_result_opens_a_complaint_in_chromium() {
    if browser::missing() {
        return;
    }
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent = app.create_user("visit.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "苏州恒达机电", "tier": "key_account", "owner_id": agent,
                    "contacts": [{"name": "钱", "title": "经理", "mobile": "13912345678"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let customer = json_body(res).await["id"].as_i64().unwrap();
    app.app.run_follow_up_plan().await.unwrap();

    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "visit.agent").await;
    c.wait()
        .for_element(Locator::Css(
            "[data-tile='follow_up.today'] a[href^='/follow-ups/']",
        ))
        .await
        .expect("today's visit is on the workbench")
        .click()
        .await
        .unwrap();
    let script = c
        .wait()
        .for_element(Locator::Css("[data-testid=script-opening]"))
        .await
        .unwrap();
    assert!(script.text().await.unwrap().contains("您好，是钱经理吗？"));
    let number = c
        .find(Locator::Css("[data-testid=visit-number]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(number, "139****5678");
    assert!(
        c.find(Locator::Css("[data-testid=visit-dial-button]"))
            .await
            .unwrap()
            .is_enabled()
            .await
            .unwrap(),
        "10:00 is inside the calling hours"
    );
    b.screenshot("follow-up-visit").await;

    let form = c
        .find(Locator::Css("[data-testid=visit-result]"))
        .await
        .unwrap();
    for testid in ["visit-satisfaction-unsatisfied", "visit-aspect-product"] {
        form.find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
    }
    for (testid, text) in [
        ("visit-words", "新换的轴承又坏了，很不满意"),
        ("visit-next-action", "转投诉，三天内回复客户"),
    ] {
        form.find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
            .unwrap()
            .send_keys(text)
            .await
            .unwrap();
    }
    form.find(Locator::Css("[data-testid=visit-record]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=visit-complaint]"))
        .await
        .expect("the unsatisfied result opened a complaint")
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=step-intake], [data-testid=complaint-stage]",
        ))
        .await
        .ok();
    let url = c.current_url().await.unwrap();
    assert!(url.path().starts_with("/complaints/"), "{url}");
    let body = c.source().await.unwrap();
    assert!(
        body.contains("新换的轴承又坏了"),
        "the customer's words are the complaint"
    );
    assert!(
        body.contains(&format!("/customers/{customer}")),
        "for that customer"
    );
    b.screenshot("follow-up-complaint").await;
    b.close().await;
    app.stop().await;
}
