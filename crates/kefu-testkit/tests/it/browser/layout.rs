//! The layout at the widths people use: the bar on one row and 设置 opening at 1366 px for
//! the role with every area, the complaint board's stages in one row with cards that say
//! what, whose and how long; the queue as cards with its filters folded on a phone; the
//! 360 page keeping a contact's name on one line and saying when a list is empty.

use fantoccini::Locator;
use jiff::SignedDuration;
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{assert_no_sideways_scroll, sign_in, text_of};
use crate::layout::{complaint_about, set_stage_due};

async fn run(c: &fantoccini::Client, script: &str) -> Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[tokio::test]
async fn at_1366_the_bar_and_the_complaint_board_keep_to_one_row_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user_in("quan.neng", &Role::ALL, Some("quality"))
        .await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let customer = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "宁波恒达机电有限公司", "contacts": [{"name": "周经理", "mobile": "13912345678"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let waiting = complaint_about(&api, "GX-3341 深沟球轴承外圈开裂", customer).await;
    let late = complaint_about(&api, "电机发货延误两周，客户要求赔偿", customer).await;
    let now = app.now();
    set_stage_due(
        &app,
        waiting,
        now + SignedDuration::from_mins(2 * 24 * 60 + 3 * 60 + 20),
    )
    .await;
    set_stage_due(&app, late, now - SignedDuration::from_mins(5 * 60 + 20)).await;

    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(1366, 768).await.unwrap();
    sign_in(c, &app, "quan.neng").await;
    let width = num(&run(c, "return window.innerWidth;").await);
    assert!(width >= 1300.0, "the window is 1366 px wide: {width}");

    // Every entry of the bar on one row: the same top for the links and 设置, and the same
    // middle for everything else on the bar (search, bell, who).
    let items = run(
        c,
        "return [...document.querySelectorAll('nav.mainnav > a:not(.bell), nav.mainnav > details.navmenu > summary')] \
           .map(e => { const r = e.getBoundingClientRect(); return [e.textContent.trim(), r.top]; });",
    )
    .await;
    let items = items.as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i[0].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        [
            "工作台",
            "工单",
            "投诉",
            "今日关注",
            "客户档案",
            "回访",
            "话术库",
            "售后",
            "质检",
            "待我审批",
            "设置"
        ]
    );
    let first = num(&items[0][1]);
    for i in items {
        assert!(
            (num(&i[1]) - first).abs() <= 1.0,
            "{} is on another row: {items:?}",
            i[0]
        );
    }
    let middles = run(
        c,
        "return [...document.querySelectorAll('nav.mainnav > *')] \
           .filter(e => { const r = e.getBoundingClientRect(); const p = getComputedStyle(e).position; \
                          return r.width > 0 && r.height > 0 && (p === 'static' || p === 'relative'); }) \
           .map(e => { const r = e.getBoundingClientRect(); return [e.tagName + '.' + e.className, r.top + r.height / 2]; });",
    )
    .await;
    let middles = middles.as_array().unwrap();
    let first = num(&middles[0][1]);
    for m in middles {
        assert!(
            (num(&m[1]) - first).abs() <= 6.0,
            "{} is on another row: {middles:?}",
            m[0]
        );
    }
    assert_no_sideways_scroll(c, "the workbench at 1366 px").await;
    b.screenshot("layout-bar-1366").await;

    // 设置 opens on the administration pages and the reader's own account.
    c.find(Locator::Css("[data-testid=navmenu-summary]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let links = c
        .find_all(Locator::Css("details.navmenu .navmenu-list a"))
        .await
        .unwrap();
    let mut shown = Vec::new();
    for l in &links {
        assert!(l.is_displayed().await.unwrap(), "the menu's links show");
        shown.push(l.text().await.unwrap());
    }
    assert_eq!(
        shown,
        [
            "工单设置",
            "服务时限",
            "投诉时限",
            "触发器",
            "渠道",
            "信用模型",
            "回访设置",
            "满意度调查",
            "质检评分表",
            "质检设置",
            "产品目录",
            "售后政策",
            "用户管理",
            "审计日志",
            "我的账户",
            "API 令牌"
        ]
    );
    assert_no_sideways_scroll(c, "the open 设置 menu at 1366 px").await;
    b.screenshot("layout-settings-1366").await;
    c.find(Locator::LinkText("服务时限"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("details.navmenu.active"))
        .await
        .expect("设置 is marked on its pages");
    assert_eq!(
        c.current_url().await.unwrap().path(),
        "/admin/sla",
        "the link opens its page"
    );
    assert_eq!(
        run(c, "return document.querySelector('details.navmenu').open;").await,
        Value::Bool(false),
        "the menu is closed on the page it opened"
    );
    b.screenshot("layout-settings-active-1366").await;

    // The board: the open stages in one row, scrolling inside the board, never the page.
    c.goto(&app.url("/complaints")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=complaint-board]"))
        .await
        .unwrap();
    let tops = run(
        c,
        "return [...document.querySelectorAll('[data-testid=complaint-board] .board-col')] \
           .map(e => e.getBoundingClientRect().top);",
    )
    .await;
    let tops = tops.as_array().unwrap();
    assert_eq!(tops.len(), 8, "one column per open stage");
    for t in tops {
        assert!(
            (num(t) - num(&tops[0])).abs() <= 1.0,
            "the stages share one row: {tops:?}"
        );
    }
    assert_no_sideways_scroll(c, "the complaint board at 1366 px").await;
    let card = format!("a[href='/complaints/{waiting}']");
    assert_eq!(
        text_of(c, &format!("{card} [data-testid=card-subject]")).await,
        "GX-3341 深沟球轴承外圈开裂"
    );
    assert_eq!(
        text_of(c, &format!("{card} [data-testid=card-customer]")).await,
        "宁波恒达机电有限公司"
    );
    assert_eq!(
        text_of(c, &format!("{card} [data-testid=card-time-left]")).await,
        "剩 2 天 3 小时"
    );
    let late_card = format!("a[href='/complaints/{late}']");
    // Past by 5 hours 20 minutes and however long the steps above took.
    let over = text_of(c, &format!("{late_card} [data-testid=card-time-left]")).await;
    assert!(over.starts_with("超期 5 小时 "), "{over}");
    let subject_width = num(&run(
        c,
        &format!(
            "return document.querySelector(\"{card} [data-testid=card-subject]\").getBoundingClientRect().width;"
        ),
    )
    .await);
    assert!(
        subject_width >= 120.0,
        "the card's subject has room: {subject_width}"
    );
    b.screenshot("layout-board-1366").await;
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_the_queue_is_cards_and_its_filters_fold_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    for (subject, customer) in [
        ("洗衣机脱水时噪音很大，要求上门检修并更换减震器", "赵女士"),
        ("空调外机漏水滴到楼下邻居阳台", "宁波恒达机电有限公司"),
    ] {
        let res = api
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": subject, "body": "客户来电。", "customer_name": customer}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "ke.fu").await;
    c.set_window_size(390, 844).await.unwrap();
    c.goto(&app.url("/tickets?queue=open")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=ticket-row]"))
        .await
        .unwrap();

    let filters = c
        .find(Locator::Css("[data-testid=queue-filters]"))
        .await
        .unwrap();
    assert!(
        !filters.is_displayed().await.unwrap(),
        "the filters are folded on a phone"
    );
    let fold = c
        .find(Locator::Css("[data-testid=filters-fold] > summary"))
        .await
        .unwrap();
    assert!(fold.is_displayed().await.unwrap());
    assert_eq!(fold.text().await.unwrap(), "筛选条件");

    let rows = run(
        c,
        "return [...document.querySelectorAll('[data-testid=ticket-row]')].map(row => { \
           const n = row.querySelector('.q-number').getBoundingClientRect(); \
           const s = row.querySelector('.q-subject').getBoundingClientRect(); \
           const st = row.querySelector('.q-status').getBoundingClientRect(); \
           return [row.querySelector('.q-subject').innerText, s.width, s.top, n.bottom, st.height]; });",
    )
    .await;
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert!(
            num(&r[1]) >= 150.0,
            "the subject has room, not squeezed: {r}"
        );
        assert!(
            num(&r[2]) >= num(&r[3]) - 1.0,
            "the subject is on a line of its own: {r}"
        );
        assert!(num(&r[4]) > 0.0, "the status shows: {r}");
    }
    let head = num(&run(
        c,
        "return document.querySelector('table.queue thead').getBoundingClientRect().height;",
    )
    .await);
    assert_eq!(head, 0.0, "no table header over the cards");
    assert_no_sideways_scroll(c, "the queue on a phone").await;
    b.screenshot("layout-queue-phone").await;

    fold.click().await.unwrap();
    assert!(filters.is_displayed().await.unwrap(), "筛选条件 unfolds");
    assert_no_sideways_scroll(c, "the queue's filters on a phone").await;
    b.screenshot("layout-queue-phone-filters").await;

    // A desktop shows the form and the table as they were.
    c.set_window_size(1366, 768).await.unwrap();
    c.goto(&app.url("/tickets?queue=open")).await.unwrap();
    let filters = c
        .wait()
        .for_element(Locator::Css("[data-testid=queue-filters]"))
        .await
        .unwrap();
    assert!(filters.is_displayed().await.unwrap());
    assert!(
        !c.find(Locator::Css("[data-testid=filters-fold] > summary"))
            .await
            .unwrap()
            .is_displayed()
            .await
            .unwrap()
    );
    let head = num(&run(
        c,
        "return document.querySelector('table.queue thead').getBoundingClientRect().height;",
    )
    .await);
    assert!(head > 0.0, "the table keeps its header on a desktop");
    b.screenshot("layout-queue-1366").await;
    b.close().await;
    app.stop().await;
}

/// The name cell's line of the contact with the long name and the 主要联系人 badge:
/// (client rectangles, height, line height).
async fn name_line(c: &fantoccini::Client) -> (f64, f64, f64) {
    let v = run(
        c,
        "const line = [...document.querySelectorAll('[data-testid=contact-name] .contact-name-line')] \
           .find(e => e.textContent.includes('欧阳慕容诸葛长孙司徒') && e.querySelector('.badge')); \
         const cs = getComputedStyle(line.closest('td')); \
         let lh = parseFloat(cs.lineHeight); \
         if (isNaN(lh)) { lh = parseFloat(cs.fontSize) * 1.6; } \
         return [line.getClientRects().length, line.getBoundingClientRect().height, lh];",
    )
    .await;
    (num(&v[0]), num(&v[1]), num(&v[2]))
}

#[tokio::test]
async fn the_360_page_keeps_a_contact_name_on_one_line_and_says_what_is_empty_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let customer = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "杭州新湖国际贸易有限公司", "contacts": [
                {"name": "欧阳慕容诸葛长孙司徒", "title": "采购部副经理", "mobile": "13912345678",
                 "email": "ouyang.purchasing@xinhu-international-trading.com",
                 "wechat": "xinhu_ouyang_2024", "preferred_channel": "wechat",
                 "rest_hours": "12:00-14:00, 22:00-08:00"},
                {"name": "李会计", "mobile": "13812345678"}
            ]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = Browser::start().await;
    let c = &b.client;
    c.set_window_size(1366, 768).await.unwrap();
    sign_in(c, &app, "ke.fu").await;
    c.goto(&app.url(&format!("/customers/{customer}")))
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=contacts]"))
        .await
        .unwrap();
    let (rects, height, line) = name_line(c).await;
    assert_eq!(rects, 1.0, "the name and its badge are on one line");
    assert!(
        height < 2.0 * line,
        "one line high: {height} for a line of {line}"
    );
    assert_eq!(
        text_of(c, "[data-testid=no-timeline]").await,
        "还没有往来记录。"
    );
    assert_eq!(
        text_of(c, "[data-testid=no-investigations]").await,
        "还没有信用调查记录。"
    );
    assert_no_sideways_scroll(c, "the 360 page at 1366 px").await;
    b.screenshot("layout-customer-1366").await;

    c.set_window_size(390, 844).await.unwrap();
    let (rects, height, line) = name_line(c).await;
    assert_eq!(rects, 1.0, "one line on a phone too");
    assert!(height < 2.0 * line, "{height} for a line of {line}");
    assert_no_sideways_scroll(c, "the 360 page on a phone").await;
    b.screenshot("layout-customer-phone").await;
    b.close().await;
    app.stop().await;
}
