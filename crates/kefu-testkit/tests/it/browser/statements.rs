//! 对账 in the browser: once November is over the agent makes its statements; the customer
//! opens the statement's link, disputes the shipment's price with the reason; the agent
//! proposes the cause and a ¥300 credit; the manager approves it and closes the statement,
//! whose closing balance shows the credit.
//!
//! Screenshot: `statement-closed`.

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use serde_json::json;

use super::{fill_and_submit, sign_in, sign_out, text_of, wait_state};
use crate::orders::post;

#[tokio::test]
async fn a_disputed_statement_is_resolved_and_closed_in_chromium() {
    if browser::missing() {
        return;
    }
    let (app, clock, _, agent, tv, hengda) =
        crate::receivables::cast_at("2026-11-10T02:00:00Z", "dui.zhang.web", "dui.zhang.web.zy")
            .await;
    app.create_user("dui.zhang.web.jl", &[Role::CsManager])
        .await;
    crate::receivables::order_shipped(&agent, hengda, tv, "credit", 3, "SF6001").await;
    clock.set("2026-11-20T02:00:00Z".parse().unwrap());
    let (status, body) = post(
        &agent,
        &format!("/api/v1/customers/{hengda}/payments"),
        json!({"reference": "HX-9", "amount_fen": 300_000, "received_on": "2026-11-20"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    clock.set("2026-12-02T02:00:00Z".parse().unwrap());

    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "dui.zhang.web").await;
    c.goto(&app.url("/statements")).await.unwrap();
    // The form offers last month.
    fill_and_submit(c, "statement-generate", &[], None).await;
    let notice = c
        .wait()
        .for_element(Locator::Css("[data-testid=generated]"))
        .await
        .expect("the statements are made");
    assert!(notice.text().await.unwrap().contains("已生成 1 张"));
    c.find(Locator::Css("[data-testid=statement-row] a"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_state(c, "statement-state", "sent").await;
    let link = c
        .find(Locator::Css("[data-testid=statement-link]"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .expect("the customer's link");
    let statement_page = c.current_url().await.unwrap();

    // The customer disputes the shipment's price.
    let path = &link[link.find("/z/").unwrap()..];
    c.goto(&app.url(path)).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=portal-statement-form]"))
        .await
        .unwrap();
    c.find(Locator::Css("[data-testid=dispute-1]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill_and_submit(
        c,
        "portal-statement-form",
        &[("note_1", "单价应为 2,899 元")],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=statement-thanks]"))
        .await
        .expect("the answer reached kefu");

    // The agent proposes the cause and a credit of ¥300.
    c.goto(statement_page.as_str()).await.unwrap();
    wait_state(c, "statement-state", "disputed").await;
    fill_and_submit(
        c,
        "statement-resolve-form",
        &[
            ("select:cause", "价格"),
            ("adjustment", "-300"),
            ("resolution", "按合同价每台 2,899 元冲减"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css(
            "[data-testid=statement-line][data-answer=proposed]",
        ))
        .await
        .expect("the resolution waits for the manager");
    sign_out(c).await;

    // The manager approves it and closes the statement.
    sign_in(c, &app, "dui.zhang.web.jl").await;
    c.goto(statement_page.as_str()).await.unwrap();
    fill_and_submit(
        c,
        "statement-decide-form",
        &[],
        Some("button[value=approve]"),
    )
    .await;
    wait_state(c, "statement-state", "resolved").await;
    assert_eq!(
        text_of(c, "[data-testid=statement-closing]").await,
        "5,697.00"
    );
    fill_and_submit(c, "statement-close-form", &[], None).await;
    wait_state(c, "statement-state", "closed").await;
    b.screenshot("statement-closed").await;
    app.stop().await;
}
