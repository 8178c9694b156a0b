//! 售后 in the browser: a complaint's approved return is handed to after-sales from the
//! complaint's page; the after-sales specialist completes the request (the customer picked
//! as one types), approves it, receives the goods, confirms the fault, refunds what was paid
//! and closes it; the complaint's page then says the after-sales record carried it out and
//! closed it.
//!
//! Screenshots: `rma-request`, `rma-refunded`.

use std::sync::Arc;

use fantoccini::Locator;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::json;

use super::{fill_and_submit, sign_in, text_of, type_until_suggested, wait_state};
use crate::complaints::{at_solution, cast, post};

/// Makes move `m` from the RMA's page, with `fields` filled.
async fn make(c: &fantoccini::Client, m: &str, fields: &[(&str, &str)]) {
    fill_and_submit(c, &format!("rma-move-{m}"), fields, None).await;
}

#[tokio::test]
async fn a_complaints_return_is_received_inspected_and_refunded_in_chromium() {
    if browser::missing() {
        return;
    }
    // Monday 2026-11-16 10:00 in Beijing: six days after the delivery.
    let clock = Arc::new(FixedClock::new("2026-11-16T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..TestOptions::default()
    })
    .await;
    let cast = cast(&app).await;
    let keeper_id = app
        .create_user("sh.zhuanyuan", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let (_, body) = post(
        &keeper,
        "/api/v1/catalogue/categories",
        json!({"name": "轴承"}),
    )
    .await;
    let category = body["id"].as_i64().unwrap();
    post(
        &keeper,
        "/api/v1/catalogue/products",
        json!({"sku": "GX-3341", "name": "深沟球轴承", "category_id": category,
            "price_fen": 6_000, "warranty_months": 12}),
    )
    .await;
    json_body(
        cast.agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "宁波精工机械有限公司"}),
            )
            .await,
    )
    .await;
    let id = at_solution(&app, &cast).await;
    let (_, body) = post(
        &cast.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "return", "description": "30 个开裂轴承退货退款 1,800 元", "cost_fen": 180_000}),
    )
    .await;
    let proposal = body["id"].as_i64().unwrap();
    let (status, body) = post(
        &cast.manager,
        &format!("/api/v1/complaint-proposals/{proposal}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "sh.zhuanyuan").await;
    c.goto(&app.url(&format!("/complaints/{id}")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=rma-to-aftersales]"))
        .await
        .expect("the complaint's return can be handed to after-sales")
        .click()
        .await
        .unwrap();

    // The form comes filled from the complaint: the kind, amount, order, part and delivery.
    let form = c
        .wait()
        .for_element(Locator::Css("[data-testid=rma-form]"))
        .await
        .unwrap();
    let value = |name: &'static str| {
        let form = form.clone();
        async move {
            form.find(Locator::Css(&format!("[name={name}]")))
                .await
                .unwrap()
                .prop("value")
                .await
                .unwrap()
                .unwrap_or_default()
        }
    };
    assert_eq!(value("kind").await, "return");
    assert_eq!(value("amount").await, "1800.00");
    assert_eq!(value("sku").await, "GX-3341");
    assert_eq!(value("delivered_on").await, "2026-11-10");
    let picker = form
        .find(Locator::Css("[data-testid=rma-customer-picker]"))
        .await
        .unwrap();
    type_until_suggested(
        c,
        &picker,
        "宁波精工",
        "//ul[@class='suggest']//button[contains(., '宁波精工机械有限公司')]",
        "the customer is suggested",
    )
    .await
    .click()
    .await
    .unwrap();
    b.screenshot("rma-request").await;
    fill_and_submit(
        c,
        "rma-form",
        &[("quantity", "30"), ("paid", "1,800")],
        None,
    )
    .await;

    // ¥1,800 is above the automatic limit: the specialist approves it.
    wait_state(c, "rma-state", "pending_approval").await;
    assert!(
        text_of(c, "[data-testid=rma-clause]")
            .await
            .contains("依据第1条"),
        "the return window's clause is cited"
    );
    make(c, "approve", &[("note", "质量问题，符合三包")]).await;
    wait_state(c, "rma-state", "awaiting_goods").await;
    make(c, "receive", &[("note", "30 个轴承已到仓")]).await;
    wait_state(c, "rma-state", "received").await;
    make(c, "inspect", &[("select:result", "确认故障")]).await;
    wait_state(c, "rma-state", "approved").await;
    // A refund above what was paid is refused on the page, nothing changed.
    make(c, "refund", &[("refund", "1800.01")]).await;
    let error = text_of(c, "[data-testid=form-error]").await;
    assert!(error.contains("1,800.00"), "{error}");
    wait_state(c, "rma-state", "approved").await;
    make(c, "refund", &[("refund", "1800.00"), ("note", "原路退回")]).await;
    wait_state(c, "rma-state", "refunded").await;
    b.screenshot("rma-refunded").await;
    make(c, "close", &[]).await;
    wait_state(c, "rma-state", "closed").await;

    // The complaint's page: carried out by the after-sales record, closed.
    c.goto(&app.url(&format!("/complaints/{id}")))
        .await
        .unwrap();
    let link = text_of(c, "[data-testid=rma-aftersales]").await;
    assert!(link.starts_with("由售后单 SH20261116-"), "{link}");
    assert_eq!(text_of(c, "[data-testid=rma-status]").await, "已关闭");
    let d = json_body(
        cast.specialist
            .get(&format!("/api/v1/complaints/{id}"))
            .await,
    )
    .await;
    assert_eq!(d["rmas"][0]["status"], "closed");
}
