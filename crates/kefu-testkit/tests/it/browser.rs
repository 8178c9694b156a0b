//! A person signs in with a real browser and sees their dashboard, at desktop and phone
//! widths. Screenshots are kept under `<target>/screenshots/`.

use fantoccini::Locator;
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{TEST_PASSWORD, TestApp};

#[tokio::test]
async fn sign_in_and_see_the_dashboard_in_chromium() {
    if !browser::available() {
        assert!(
            !browser::required(),
            "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
        eprintln!(
            "skipped: chromium and chromedriver are not installed (scripts/test.sh installs them)"
        );
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("wang.jingli", &[Role::CsManager, Role::Admin])
        .await;
    let b = Browser::start().await;
    let c = &b.client;

    c.goto(&app.url("/")).await.unwrap();
    assert!(
        c.current_url().await.unwrap().path().starts_with("/login"),
        "anonymous visitors are sent to sign in"
    );
    b.screenshot("login").await;

    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("wang.jingli")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys("wrong password")
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let error = c
        .wait()
        .for_element(Locator::Css("[data-testid=login-error]"))
        .await
        .unwrap();
    assert_eq!(error.text().await.unwrap(), "用户名或密码错误。");

    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(TEST_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let title = c
        .wait()
        .for_element(Locator::Css("[data-testid=dashboard-title]"))
        .await
        .unwrap();
    assert_eq!(title.text().await.unwrap(), "工作台");
    let who = c
        .find(Locator::Css("[data-testid=who]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, "测试 wang.jingli");
    let panels = c.find_all(Locator::Css(".panel h2")).await.unwrap();
    assert_eq!(panels.len(), 2, "one panel per role");
    let nav = c
        .find(Locator::Css("nav.mainnav"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        nav.contains("用户管理") && nav.contains("审计日志"),
        "{nav}"
    );
    assert_no_sideways_scroll(c, "dashboard at 1280 px").await;
    let desktop = b.screenshot("dashboard-1280").await;

    // On a phone the navigation folds behind the menu button.
    c.set_window_size(390, 844).await.unwrap();
    let menu = c.find(Locator::Css(".nav-toggle-label")).await.unwrap();
    assert!(
        menu.is_displayed().await.unwrap(),
        "the menu button shows on a phone"
    );
    let users_link = c
        .find(Locator::Css("nav.mainnav a[href='/admin/users']"))
        .await
        .unwrap();
    assert!(
        !users_link.is_displayed().await.unwrap(),
        "the menu is folded"
    );
    assert_no_sideways_scroll(c, "dashboard on a phone").await;
    b.screenshot("dashboard-phone").await;
    menu.click().await.unwrap();
    assert!(users_link.is_displayed().await.unwrap(), "the menu opens");
    b.screenshot("dashboard-phone-menu").await;

    eprintln!("screenshots: {}", desktop.parent().unwrap().display());
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn an_agent_opens_and_answers_a_ticket_in_chromium() {
    if !browser::available() {
        assert!(
            !browser::required(),
            "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
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
    if !browser::available() {
        assert!(
            !browser::required(),
            "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
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

/// Signs in through the login form and waits for the dashboard.
async fn sign_in(c: &fantoccini::Client, app: &TestApp, username: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(TEST_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=dashboard-title]"))
        .await
        .unwrap();
}

/// The page fits the window's width: nothing makes it scroll sideways.
async fn assert_no_sideways_scroll(c: &fantoccini::Client, what: &str) {
    let widths = c
        .execute(
            "const d = document.documentElement; \
             const wide = [...document.querySelectorAll('body *')] \
               .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1) \
               .map(e => e.tagName + '.' + e.className); \
             return [d.scrollWidth, d.clientWidth, wide.slice(0, 5).join(' ')];",
            vec![],
        )
        .await
        .unwrap();
    let scroll = widths[0].as_i64().unwrap();
    let client = widths[1].as_i64().unwrap();
    assert!(
        scroll <= client,
        "{what} scrolls sideways ({scroll} > {client}): {}",
        widths[2]
    );
}

/// Fills the form marked `testid` (inputs and textareas by name; `select:NAME` picks the
/// option whose text contains the value) and submits it with its first submit button, or
/// the one matching `button`.
async fn fill_and_submit(
    c: &fantoccini::Client,
    testid: &str,
    fields: &[(&str, &str)],
    button: Option<&str>,
) {
    let form = c
        .wait()
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .unwrap_or_else(|e| panic!("form {testid}: {e}"));
    for (name, value) in fields {
        if let Some(select) = name.strip_prefix("select:") {
            form.find(Locator::XPath(&format!(
                ".//select[@name='{select}']/option[contains(normalize-space(.), '{value}')]"
            )))
            .await
            .unwrap_or_else(|e| panic!("{testid} select {select}={value}: {e}"))
            .click()
            .await
            .unwrap();
        } else {
            let el = form
                .find(Locator::Css(&format!("[name={name}]")))
                .await
                .unwrap_or_else(|e| panic!("{testid} field {name}: {e}"));
            el.clear().await.unwrap();
            el.send_keys(value).await.unwrap();
        }
    }
    let submit = match button {
        Some(css) => form.find(Locator::Css(css)).await.unwrap(),
        None => form
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap(),
    };
    submit.click().await.unwrap();
}

/// Waits until the complaint page shows `stage`.
async fn wait_stage(c: &fantoccini::Client, stage: &str) {
    let found = c
        .wait()
        .for_element(Locator::XPath(&format!(
            "//*[@data-testid='complaint-stage' and normalize-space(.)='{stage}']"
        )))
        .await;
    if found.is_err() {
        let body = c
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        panic!("the complaint did not reach {stage}:\n{body}");
    }
}

async fn sign_out(c: &fantoccini::Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("username")).await.unwrap();
}

#[tokio::test]
async fn a_complaint_is_walked_through_every_stage_in_chromium() {
    if !browser::available() {
        assert!(
            !browser::required(),
            "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
    app.create_user("jing.li", &[Role::CsManager]).await;
    app.create_user_in("pin.zhi", &[Role::Department], Some("quality"))
        .await;
    let b = Browser::start().await;
    let c = &b.client;

    // 受理 — the complaint specialist registers it from the board.
    sign_in(c, &app, "tou.su").await;
    c.goto(&app.url("/complaints")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=new-complaint]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill_and_submit(
        c,
        "complaint-form",
        &[
            ("complainant", "王经理"),
            ("complainant_phone", "13812345678"),
            (
                "content",
                "上周收到的 200 个 GX-3341 轴承有 30 个外圈开裂，要求尽快处理。",
            ),
            ("order_number", "PO-2026-00817"),
            ("part_number", "GX-3341"),
            ("product", "深沟球轴承"),
            ("quantity", "30"),
            ("select:category", "产品质量"),
            ("select:severity", "严重"),
        ],
        None,
    )
    .await;
    wait_stage(c, "受理").await;
    let url = c.current_url().await.unwrap().to_string();
    assert_no_sideways_scroll(c, "complaint page at 1280 px").await;
    b.screenshot("complaint-1-intake").await;
    fill_and_submit(c, "step-intake", &[("comment", "信息齐全")], None).await;
    wait_stage(c, "判断").await;

    // 判断 — valid; the handling notice goes to the quality department.
    fill_and_submit(c, "step-valid", &[("select:department", "品质部")], None).await;
    wait_stage(c, "处理通知").await;
    b.screenshot("complaint-2-notice").await;
    sign_out(c).await;

    // The quality department answers the notice inside kefu.
    sign_in(c, &app, "pin.zhi").await;
    c.goto(&url).await.unwrap();
    fill_and_submit(
        c,
        "notice-answer-form",
        &[(
            "answer",
            "已抽检同批次 50 件，确认 11 月 3 日热处理炉温异常。",
        )],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=notice-answer]"))
        .await
        .unwrap();
    b.screenshot("complaint-3-department-answer").await;
    sign_out(c).await;

    // The specialist accepts the answer, records the investigation and proposes.
    sign_in(c, &app, "tou.su").await;
    c.goto(&url).await.unwrap();
    fill_and_submit(
        c,
        "notice-review-form",
        &[("comment", "答复完整")],
        Some("button[name=accept][value='1']"),
    )
    .await;
    wait_stage(c, "调查").await;
    fill_and_submit(
        c,
        "step-investigation",
        &[
            ("select:cause", "生产"),
            ("select:responsible_department", "品质部"),
            ("findings", "热处理炉温控失效导致外圈脆裂"),
        ],
        None,
    )
    .await;
    wait_stage(c, "方案").await;
    fill_and_submit(
        c,
        "step-propose",
        &[
            ("select:remedy", "换货"),
            ("cost", "1860"),
            ("description", "30 件全部换新，运费由我方承担"),
        ],
        None,
    )
    .await;
    c.wait()
        .for_element(Locator::Css("[data-testid=proposals]"))
        .await
        .unwrap();
    sign_out(c).await;

    // 方案审批 — the manager approves, then carries the loop to its end.
    sign_in(c, &app, "jing.li").await;
    c.goto(&url).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=approve]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_stage(c, "实施").await;
    b.screenshot("complaint-4-implementation").await;
    for status in ["已批准", "已收货检验", "已办结", "已关闭"] {
        c.wait()
            .for_element(Locator::Css("[data-testid=rma-advance]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::XPath(&format!(
                "//*[@data-testid='rma-status' and contains(., '{status}')]"
            )))
            .await
            .unwrap_or_else(|e| panic!("RMA to {status}: {e}"));
    }
    fill_and_submit(c, "step-decision", &[("comment", "客户电话确认接受")], None).await;
    wait_stage(c, "回访").await;
    fill_and_submit(
        c,
        "step-follow-up",
        &[("comment", "已收到新货，很满意")],
        None,
    )
    .await;
    wait_stage(c, "总结评价").await;
    fill_and_submit(
        c,
        "step-evaluation",
        &[
            ("summary", "热处理异常导致批量开裂，已换货"),
            ("lessons", "炉温需双人复核"),
        ],
        None,
    )
    .await;
    wait_stage(c, "已结案").await;
    let progress = c
        .find(Locator::Css("[data-testid=complaint-progress]"))
        .await
        .unwrap();
    let todo = progress
        .find_all(Locator::Css("li.todo, li.current"))
        .await
        .unwrap();
    assert!(todo.is_empty(), "every stage done");
    let log = c
        .find(Locator::Css("[data-testid=complaint-log]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for step in [
        "确认受理",
        "判定成立",
        "部门答复",
        "批准方案",
        "客户接受方案",
        "总结评价并结案",
    ] {
        assert!(log.contains(step), "{step} missing from the log:\n{log}");
    }
    b.screenshot("complaint-5-closed").await;

    c.goto(&format!("{url}/report")).await.unwrap();
    let report = c
        .wait()
        .for_element(Locator::Css("[data-testid=investigation-report]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(report.contains("热处理炉温控失效"), "{report}");
    b.screenshot("complaint-6-investigation-report").await;
    c.goto(&app.url("/complaints/report")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=report-chart]"))
        .await
        .unwrap();
    let total = c
        .find(Locator::Css("[data-testid=total-count]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(total, "1");
    assert_no_sideways_scroll(c, "statistics at 1280 px").await;
    b.screenshot("complaint-7-statistics").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&url).await.unwrap();
    wait_stage(c, "已结案").await;
    assert_no_sideways_scroll(c, "complaint page on a phone").await;
    b.screenshot("complaint-phone").await;
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn pickers_suggest_customers_and_scripts_as_one_types_in_chromium() {
    if !browser::available() {
        assert!(
            !browser::required(),
            "KEFU_REQUIRE_BROWSER=1 but chromium/chromedriver are missing"
        );
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
    picker.send_keys("明达").await.unwrap();
    let suggestion = c
        .wait()
        .for_element(Locator::XPath(
            "//ul[@class='suggest']//button[contains(., '杭州明达贸易有限公司')]",
        ))
        .await
        .expect("the customer is suggested");
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
    typeahead.send_keys("您好").await.unwrap();
    let first = c
        .wait()
        .for_element(Locator::XPath(
            "//form[@data-testid='script-picker']//ul[@class='suggest']//button",
        ))
        .await
        .expect("scripts are suggested");
    first.click().await.unwrap();
    let chosen = c
        .execute(
            "return document.querySelector('form[data-testid=script-picker] select').value",
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
    let hits = c
        .wait()
        .for_element(Locator::Css("[data-testid=hits-customer]"))
        .await
        .expect("the customer is found by its mobile");
    assert!(hits.text().await.unwrap().contains("杭州明达贸易有限公司"));
    assert_no_sideways_scroll(c, "search page at 1280 px").await;
    b.screenshot("search-results").await;
    b.close().await;
    app.stop().await;
}
