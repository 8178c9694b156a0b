//! The pickers: customers (on a ticket, the new-ticket form and the complaint register form)
//! and reply scripts suggested as one types.

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::TestApp;
use kefu_testkit::browser::{self, Browser};

use super::{assert_no_sideways_scroll, fill_and_submit, sign_in, type_until_suggested};

#[tokio::test]
async fn pickers_suggest_customers_and_scripts_as_one_types_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("ti.shi", &[Role::Agent]).await;
    let api = kefu_testkit::ApiClient::new(&app, &app.token_for(agent).await);
    let customer = kefu_testkit::json_body(
        api.json(
            reqwest::Method::POST,
            "/api/v1/customers",
            &serde_json::json!({"name": "杭州明达贸易有限公司", "contacts": [{"name": "王经理", "mobile": "13812345678"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let ticket = kefu_testkit::json_body(
        api.json(
            reqwest::Method::POST,
            "/api/v1/tickets",
            &serde_json::json!({"subject": "询问发票", "body": "发票什么时候寄出？", "contact_name": "王经理"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "ti.shi").await;
    c.goto(&app.url(&format!("/tickets/{ticket}")))
        .await
        .unwrap();
    // The index follows the change log within a fraction of a second; type until it shows.
    let picker = c
        .wait()
        .for_element(Locator::Css("[data-testid=customer-picker]"))
        .await
        .unwrap();
    let suggestion = type_until_suggested(
        c,
        &picker,
        "明达",
        "//ul[@class='suggest']//button[contains(., '杭州明达贸易有限公司')]",
        "the customer is suggested",
    )
    .await;
    b.screenshot("search-customer-picker").await;
    suggestion.click().await.unwrap();
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//*[@data-testid='linked-customer']/a[@href='/customers/{customer}']"
        )))
        .await
        .expect("the ticket is linked to the chosen customer");

    let typeahead = c
        .find(Locator::Css("[data-testid=script-typeahead]"))
        .await
        .unwrap();
    let first = type_until_suggested(
        c,
        &typeahead,
        "您好",
        "//*[@data-testid='script-picker']//ul[@class='suggest']//button",
        "scripts are suggested",
    )
    .await;
    first.click().await.unwrap();
    let chosen = c
        .execute(
            "return document.querySelector('[data-testid=script-picker] select').value",
            vec![],
        )
        .await
        .unwrap();
    assert!(chosen.as_str().is_some_and(|v| !v.is_empty()), "{chosen:?}");

    // The search box in the top bar.
    let top = c
        .find(Locator::Css("[data-testid=topsearch]"))
        .await
        .unwrap();
    top.send_keys("13812345678\n").await.unwrap();
    // The search page reads the index, which follows the change log in the background:
    // on a busy machine the customer saved a moment ago may need a reload to show.
    let started = std::time::Instant::now();
    let hits = loop {
        let found = c
            .wait()
            .at_most(std::time::Duration::from_secs(3))
            .for_element(Locator::Css("[data-testid=hits-customer]"))
            .await;
        match found {
            Ok(h) => break h,
            Err(e) if started.elapsed() > std::time::Duration::from_secs(45) => {
                b.screenshot("search-results-missing").await;
                panic!(
                    "the customer is found by its mobile: {e} at {}",
                    c.current_url().await.unwrap()
                )
            }
            Err(_) => c.refresh().await.unwrap(),
        }
    };
    assert!(hits.text().await.unwrap().contains("杭州明达贸易有限公司"));
    assert_no_sideways_scroll(c, "search page at 1280 px").await;
    b.screenshot("search-results").await;
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_complaint_form_links_a_customer_picked_as_one_types_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let specialist = app
        .create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
    let api = kefu_testkit::ApiClient::new(&app, &app.token_for(specialist).await);
    let customer = kefu_testkit::json_body(
        api.json(
            reqwest::Method::POST,
            "/api/v1/customers",
            &serde_json::json!({"name": "宁波恒达机电有限公司", "contacts": [{"name": "周经理", "mobile": "13912345678"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "tou.su").await;
    // From the board's register button.
    c.goto(&app.url("/complaints")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=new-complaint]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let picker = c
        .wait()
        .for_element(Locator::Css("[data-testid=complaint-customer-picker]"))
        .await
        .unwrap();
    let suggestion = type_until_suggested(c, &picker, "恒达", "//form[@data-testid='complaint-form']//ul[@class='suggest']//button[contains(., '宁波恒达机电有限公司')]", "the customer is suggested").await;
    b.screenshot("complaint-customer-picker").await;
    suggestion.click().await.unwrap();
    let linked = c
        .execute(
            "return document.querySelector('form[data-testid=complaint-form] input[name=customer_id]').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(linked.as_str(), Some(customer.to_string().as_str()));
    fill_and_submit(
        c,
        "complaint-form",
        &[
            ("complainant", "周经理"),
            ("content", "发来的 12 台电机有 3 台无法启动"),
            ("select:category", "产品质量"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//a[@href='/customers/{customer}']"
        )))
        .await
        .expect("the complaint is linked to the chosen customer");
    assert_no_sideways_scroll(c, "complaint page at 1280 px").await;
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn the_new_ticket_form_links_a_customer_found_by_phone_digits_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("xin.dan", &[Role::Agent]).await;
    let api = kefu_testkit::ApiClient::new(&app, &app.token_for(agent).await);
    let customer = kefu_testkit::json_body(
        api.json(
            reqwest::Method::POST,
            "/api/v1/customers",
            &serde_json::json!({"name": "苏州恒通机电有限公司", "tier": "vip", "contacts": [{"name": "陈经理", "mobile": "13912340000"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "xin.dan").await;
    c.goto(&app.url("/tickets/new")).await.unwrap();
    let picker = c
        .wait()
        .for_element(Locator::Css("[data-testid=new-ticket-customer-picker]"))
        .await
        .unwrap();
    let suggestion = type_until_suggested(c, &picker, "13912340000", "//form[@data-testid='new-ticket-form']//ul[@class='suggest']//button[contains(., '苏州恒通机电有限公司')]", "the customer is suggested by its mobile").await;
    suggestion.click().await.unwrap();
    let linked = c
        .execute(
            "return document.querySelector('form[data-testid=new-ticket-form] input[name=customer]').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(linked.as_str(), Some(customer.to_string().as_str()));
    fill_and_submit(
        c,
        "new-ticket-form",
        &[
            ("subject", "电机异响"),
            ("body", "陈经理来电：新到的电机有异响。"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::XPath(&format!(
            "//*[@data-testid='customer-card']//a[@href='/customers/{customer}']"
        )))
        .await
        .expect("the new ticket is linked to the chosen customer and shows its card");
    assert_no_sideways_scroll(c, "ticket page with a customer card at 1280 px").await;
    b.screenshot("ticket-customer-card").await;
    b.close().await;
    app.stop().await;
}
