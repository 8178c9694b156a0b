//! Tickets in the browser: an agent opening and answering one, and open pages updating live
//! and warning of a second answer.

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{TEST_PASSWORD, TestApp};

use super::{assert_no_sideways_scroll, sign_in};

#[tokio::test]
async fn an_agent_opens_and_answers_a_ticket_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("xu.kefu", &[Role::Agent]).await;
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "xu.kefu").await;

    // New ticket from the queue page.
    c.goto(&app.url("/tickets")).await.unwrap();
    c.find(Locator::Css("[data-testid=new-ticket]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let form = c
        .wait()
        .for_element(Locator::Css("form[action='/tickets']"))
        .await
        .unwrap();
    form.find(Locator::Css("select[name=type] option[value=after_sales]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    form.find(Locator::Css("input[name=subject]"))
        .await
        .unwrap()
        .send_keys("洗衣机脱水时噪音很大")
        .await
        .unwrap();
    form.find(Locator::Css("textarea[name=body]"))
        .await
        .unwrap()
        .send_keys("客户来电：洗衣机买了三个月，脱水时噪音很大，要求上门检修。")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=customer_name]"))
        .await
        .unwrap()
        .send_keys("赵女士")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=contact_phone]"))
        .await
        .unwrap()
        .send_keys("13912345678")
        .await
        .unwrap();
    form.find(Locator::Css("input[name=assign_me]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    b.screenshot("ticket-new-1280").await;
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    let number = c
        .wait()
        .for_element(Locator::Css("[data-testid=ticket-number]"))
        .await
        .unwrap();
    assert!(number.text().await.unwrap().starts_with("KF"));
    let status = c
        .find(Locator::Css("[data-testid=ticket-status]"))
        .await
        .unwrap();
    assert_eq!(status.text().await.unwrap(), "新建");
    let sla = c
        .find(Locator::Css("[data-testid=sla]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sla.contains("首次响应") && sla.contains("计时中"), "{sla}");

    // A public reply opens the ticket and meets the first response target.
    let reply = c.find(Locator::Css("form.reply")).await.unwrap();
    reply
        .find(Locator::Css("textarea[name=body]"))
        .await
        .unwrap()
        .send_keys("赵女士您好，已为您预约明天上午的上门检修。")
        .await
        .unwrap();
    reply
        .find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    // Wait for the page after the reply, not the one the click left.
    let opened = c
        .wait()
        .for_element(Locator::XPath(
            "//*[@data-testid='ticket-status' and normalize-space(.)='处理中']",
        ))
        .await;
    assert!(opened.is_ok(), "the reply opens the ticket");
    let timeline = c
        .find(Locator::Css("[data-testid=timeline]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        timeline.contains("已为您预约") && timeline.contains("新建 → 处理中"),
        "{timeline}"
    );
    let sla = c
        .find(Locator::Css("[data-testid=sla]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sla.contains("已达成"), "{sla}");
    assert_no_sideways_scroll(c, "ticket page at 1280 px").await;
    b.screenshot("ticket-1280").await;

    c.goto(&app.url("/tickets?queue=mine")).await.unwrap();
    let queue = c
        .wait()
        .for_element(Locator::Css("[data-testid=queue]"))
        .await
        .unwrap();
    assert!(queue.text().await.unwrap().contains("洗衣机脱水时噪音很大"));
    assert_no_sideways_scroll(c, "queue at 1280 px").await;
    b.screenshot("queue-1280").await;

    c.set_window_size(390, 844).await.unwrap();
    assert_no_sideways_scroll(c, "queue on a phone").await;
    b.screenshot("queue-phone").await;
    // The queue refreshes itself when tickets change, which can replace the row under the
    // pointer; click again on a fresh one if so.
    for attempt in 0..3 {
        let link = c
            .wait()
            .for_element(Locator::LinkText("洗衣机脱水时噪音很大"))
            .await
            .unwrap();
        match link.click().await {
            Ok(_) => break,
            Err(e) if attempt < 2 => eprintln!("retrying the click: {e}"),
            Err(e) => panic!("{e}"),
        }
    }
    c.wait()
        .for_element(Locator::Css("[data-testid=ticket-number]"))
        .await
        .unwrap();
    assert_no_sideways_scroll(c, "ticket page on a phone").await;
    b.screenshot("ticket-phone").await;
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn open_pages_update_live_and_warn_of_a_second_answer() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("live.xu", &[Role::Agent]).await;
    let other = app.create_user("live.wang", &[Role::Agent]).await;
    let api = kefu_testkit::ApiClient::new(&app, &app.token_for(other).await);
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "live.xu").await;

    // The unassigned queue fills in by itself when a ticket arrives.
    c.goto(&app.url("/tickets?queue=unassigned")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-live-queue]"))
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let t = kefu_testkit::json_body(
        api.json(
            reqwest::Method::POST,
            "/api/v1/tickets",
            &serde_json::json!({"subject": "电视机没有声音", "body": "开机后无声"}),
        )
        .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let row = c
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::LinkText("电视机没有声音"))
        .await;
    assert!(row.is_ok(), "the new ticket appears without a reload");

    // On the ticket page: another agent starts answering, then answers.
    c.goto(&app.url(&format!("/tickets/{id}"))).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-live-ticket]"))
        .await
        .unwrap();
    let s2 = app.login("live.wang", TEST_PASSWORD).await;
    let csrf = s2.csrf().await;
    s2.client
        .post(s2.url(&format!("/tickets/{id}/presence")))
        .header("x-csrf-token", csrf)
        .form(&[("replying", "1")])
        .send()
        .await
        .unwrap();
    c.find(Locator::Css("form.reply textarea"))
        .await
        .unwrap()
        .send_keys("您好")
        .await
        .unwrap();
    let warned = c
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@data-testid='live-others' and contains(., '正在回复')]",
        ))
        .await;
    assert!(warned.is_ok(), "the second answer is warned of");
    b.screenshot("ticket-collision").await;
    api.json(
        reqwest::Method::POST,
        &format!("/api/v1/tickets/{id}/messages"),
        &serde_json::json!({"body": "已为您安排检修"}),
    )
    .await;
    let changed = c
        .wait()
        .at_most(std::time::Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@data-testid='live-changed' and not(@hidden)]",
        ))
        .await;
    assert!(changed.is_ok(), "the page says the ticket changed");
    b.close().await;
    app.stop().await;
}
