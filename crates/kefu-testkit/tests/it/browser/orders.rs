//! 订单 in the browser: an order partly out of stock is placed from the form (the customer
//! picked as one types) and gets a sales document and a production request; what stock
//! holds ships; production is marked done and the rest ships; the customer counts the
//! second shipment short, and an order-issue ticket 订单问题 opens, linked from the shipment.
//!
//! Screenshot: `order-short-delivery`.

use std::sync::Arc;

use fantoccini::Locator;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, TestOptions};
use serde_json::json;

use super::{fill_and_submit, sign_in, text_of, type_until_suggested, wait_state};
use crate::aftersales::product;
use crate::orders::{post, stock};

#[tokio::test]
async fn an_out_of_stock_order_is_produced_shipped_and_a_short_delivery_opens_a_ticket_in_chromium()
{
    if browser::missing() {
        return;
    }
    // Monday 2026-12-07 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("xiao.shou", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("xiao.shou.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let washer = product(&keeper, "洗衣机", "XQG-80", "滚筒洗衣机", 239_900).await;
    stock(&keeper, washer, 2).await;
    let (status, body) = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "恒达电器有限公司", "contacts": [{"name": "李经理",
            "mobile": "13800138000", "preferred_channel": "sms"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "xiao.shou").await;
    c.goto(&app.url("/orders/new")).await.unwrap();
    let picker = c
        .wait()
        .for_element(Locator::Css("[data-testid=order-customer-picker]"))
        .await
        .unwrap();
    type_until_suggested(
        c,
        &picker,
        "恒达电器",
        "//ul[@class='suggest']//button[contains(., '恒达电器有限公司')]",
        "the customer is suggested",
    )
    .await
    .click()
    .await
    .unwrap();
    c.execute(
        "document.querySelector('[name=promised_on]').value = '2026-12-20';",
        vec![],
    )
    .await
    .unwrap();
    fill_and_submit(
        c,
        "order-form",
        &[("lines", "XQG-80 5"), ("select:payment", "预付")],
        None,
    )
    .await;
    wait_state(c, "order-state", "open").await;
    let documents = text_of(c, "[data-testid=order-documents]").await;
    assert!(
        documents.contains("销售单据") && documents.contains("生产单据"),
        "{documents}"
    );

    // The two in stock leave first (the form offers what is ready).
    fill_and_submit(
        c,
        "order-ship",
        &[("carrier", "顺丰速运"), ("tracking_number", "SF3001")],
        None,
    )
    .await;
    wait_state(c, "order-state", "partly_shipped").await;
    assert!(
        text_of(c, "[data-testid=shipment-notice]")
            .await
            .contains("短信")
    );
    // Production done: the other three go.
    fill_and_submit(c, "order-produced", &[], None).await;
    fill_and_submit(
        c,
        "order-ship",
        &[("carrier", "顺丰速运"), ("tracking_number", "SF3002")],
        None,
    )
    .await;
    wait_state(c, "order-state", "shipped").await;

    // The customer counts two of the three from the second shipment.
    let forms = c
        .find_all(Locator::Css("[data-testid=shipment-count]"))
        .await
        .unwrap();
    assert_eq!(forms.len(), 2);
    let count = forms[1].find(Locator::Css("[name=r1]")).await.unwrap();
    count.clear().await.unwrap();
    count.send_keys("2").await.unwrap();
    forms[1]
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_state(c, "order-state", "partly_shipped").await;
    let ticket = c
        .wait()
        .for_element(Locator::Css("[data-testid=shipment-ticket]"))
        .await
        .expect("the short delivery's ticket is linked from the shipment");
    assert!(ticket.text().await.unwrap().starts_with("KF"));
    b.screenshot("order-short-delivery").await;
    ticket.click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath("//h1[contains(., '到货短少')]"))
        .await
        .expect("the ticket says what arrived short");
    app.stop().await;
}
