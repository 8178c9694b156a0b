//! What the pages are made of, as the layout needs it: the 设置 menu holding exactly the
//! administration pages a role may open, the board's cards saying what a complaint is
//! about, whose it is and how long is left, the queue's rows named for a phone, and the
//! 360 page saying when a list is empty. How it looks in a browser is checked in
//! `browser::layout`.

use jiff::SignedDuration;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

/// The part of `page` from `start` up to the first `end` after it.
fn between<'a>(page: &'a str, start: &str, end: &str) -> &'a str {
    let from = page
        .find(start)
        .unwrap_or_else(|| panic!("no {start} on the page:\n{page}"));
    let to = page[from..]
        .find(end)
        .map_or(page.len(), |e| from + e + end.len());
    &page[from..to]
}

/// Every `href="…"` in `html`, in order.
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
        .collect()
}

/// The navigation of `page`: the links on the bar and those in the 设置 menu.
fn navigation(page: &str) -> (Vec<String>, Vec<String>) {
    let nav = between(page, "<nav class=\"mainnav\"", "</nav>");
    let menu = between(nav, "data-testid=\"navmenu\"", "</details>");
    let bar: Vec<String> = hrefs(&nav.replace(menu, ""))
        .into_iter()
        // The search, the bell and signing out are on every bar and in no menu.
        .filter(|h| h != "/notifications")
        .collect();
    (bar, hrefs(menu))
}

#[tokio::test]
async fn the_settings_menu_holds_exactly_the_admin_pages_each_role_may_open() {
    let app = TestApp::spawn().await;
    let ticket_admin = [
        "/admin/ticket-settings",
        "/admin/sla",
        "/admin/complaint-deadlines",
        "/admin/triggers",
        "/admin/channels",
    ];
    let own = ["/account", "/account/tokens"];
    for role in Role::ALL {
        let mut menu: Vec<&str> = Vec::new();
        if matches!(role, Role::Admin | Role::CsManager) {
            menu.extend(ticket_admin);
        }
        if matches!(role, Role::Admin | Role::CsManager | Role::InfoSpecialist) {
            menu.push("/admin/credit");
        }
        if matches!(
            role,
            Role::Admin | Role::CsManager | Role::CrmSpecialist | Role::KeyAccountSpecialist
        ) {
            menu.push("/admin/follow-ups");
        }
        if matches!(role, Role::Admin | Role::CsManager | Role::CrmSpecialist) {
            menu.push("/admin/satisfaction");
        }
        // 质检评分表: the quality specialists, the manager and the administrator.
        if matches!(
            role,
            Role::Admin | Role::CsManager | Role::QualitySpecialist
        ) {
            menu.push("/quality/scorecards");
            menu.push("/quality/settings");
        }
        // 产品目录 and 售后政策: the after-sales specialist, the manager and the administrator.
        if matches!(
            role,
            Role::Admin | Role::CsManager | Role::AftersalesSpecialist
        ) {
            menu.push("/catalogue");
            menu.push("/aftersales/policies");
        }
        if role == Role::Admin {
            menu.push("/admin/users");
        }
        if matches!(role, Role::Admin | Role::CsManager | Role::InfoSpecialist) {
            menu.push("/admin/audit");
        }
        menu.extend(own);
        // 待我审批: complaint proposals (admin, manager) and reply scripts (also quality).
        let approves = matches!(
            role,
            Role::Admin | Role::CsManager | Role::QualitySpecialist
        );

        let username = format!("nav.{}", role.key());
        app.create_user(&username, &[role]).await;
        let s = app.login(&username, TEST_PASSWORD).await;
        let page = s.get("/").await.text().await.unwrap();
        let (bar, got) = navigation(&page);
        assert_eq!(got, menu, "设置 of {}", role.key());
        assert!(
            bar.iter()
                .all(|h| !h.starts_with("/admin") && !h.starts_with("/account")),
            "{}: the administration is in the menu only: {bar:?}",
            role.key()
        );
        assert_eq!(
            bar.iter().any(|h| h == "/approvals"),
            approves,
            "{}: 待我审批 on the bar: {bar:?}",
            role.key()
        );
        assert!(
            page.contains("<details class=\"navmenu\" data-testid=\"navmenu\">"),
            "{}: the menu is not marked active on the workbench",
            role.key()
        );
    }

    // The menu is marked active on its pages, and only the page's own link with it.
    let admin = app.login("nav.admin", TEST_PASSWORD).await;
    let page = admin.get("/admin/sla").await.text().await.unwrap();
    assert!(page.contains("<details class=\"navmenu active\" data-testid=\"navmenu\">"));
    let nav = between(&page, "<nav class=\"mainnav\"", "</nav>");
    assert_eq!(nav.matches("aria-current=\"page\"").count(), 1, "{nav}");
    assert!(nav.contains("<a href=\"/admin/sla\" class=\"active\" aria-current=\"page\">"));
    let page = admin.get("/account/tokens").await.text().await.unwrap();
    let nav = between(&page, "<nav class=\"mainnav\"", "</nav>");
    assert_eq!(nav.matches("aria-current=\"page\"").count(), 1, "{nav}");
    assert!(nav.contains("<a href=\"/account/tokens\" class=\"active\""));
    // A bar page is not the menu's: 今日关注 alone is marked, not 客户档案 too.
    let page = admin.get("/customers/today").await.text().await.unwrap();
    let nav = between(&page, "<nav class=\"mainnav\"", "</nav>");
    assert_eq!(nav.matches("aria-current=\"page\"").count(), 1, "{nav}");
    assert!(nav.contains("<a href=\"/customers/today\" class=\"active\""));
    assert!(nav.contains("<details class=\"navmenu\" data-testid=\"navmenu\">"));
    app.stop().await;
}

/// A complaint opened from a ticket about `subject`, for the customer `customer`; its id.
pub(crate) async fn complaint_about(api: &ApiClient, subject: &str, customer: i64) -> i64 {
    let ticket = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": subject, "body": "客户来电投诉，详见投诉单。"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let res = api
        .json(
            Method::POST,
            "/api/v1/complaints",
            &json!({
                "ticket_id": ticket,
                "customer_id": customer,
                "complainant": "周经理",
                "content": "上周收到的 200 个轴承有 30 个外圈开裂，要求尽快处理。",
                "category": "quality",
                "severity": "serious"
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_body(res).await["id"].as_i64().unwrap()
}

/// Moves complaint `id`'s stage deadline to `at`, as time passing would.
pub(crate) async fn set_stage_due(app: &TestApp, id: i64, at: jiff::Timestamp) {
    let mut conn = app.app.store.conn().await.unwrap();
    let mut complaint = kefu_store::complaint::by_id(&mut conn, id).await.unwrap();
    complaint.stage_due_at = Some(at);
    kefu_store::complaint::save(&mut conn, &complaint)
        .await
        .unwrap();
}

/// The card of complaint `id` on `board`.
fn card(board: &str, id: i64) -> &str {
    let link = format!("href=\"/complaints/{id}\" data-testid=\"complaint-card\"");
    between(board, &link, "</a>")
}

#[tokio::test]
async fn board_cards_show_subject_customer_and_the_time_left_to_the_stage_deadline() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    app.create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
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
    let waiting = complaint_about(&api, "GX-3341 轴承外圈开裂", customer).await;
    let late = complaint_about(&api, "电机发货延误两周", customer).await;
    let now = app.now();
    // Minutes to spare either way, so the page reads the same words however long the
    // requests take.
    set_stage_due(
        &app,
        waiting,
        now + SignedDuration::from_mins(2 * 24 * 60 + 3 * 60 + 20),
    )
    .await;
    set_stage_due(
        &app,
        late,
        now - SignedDuration::from_secs((5 * 60 + 20) * 60 + 30),
    )
    .await;

    let s = app.login("tou.su", TEST_PASSWORD).await;
    let board = s.get("/complaints").await.text().await.unwrap();
    let c = card(&board, waiting);
    assert!(
        c.contains("GX-3341 轴承外圈开裂"),
        "the ticket's subject: {c}"
    );
    assert!(c.contains("宁波恒达机电有限公司"), "the customer: {c}");
    assert!(
        c.contains("data-testid=\"card-time-left\"") && c.contains(">剩 2 天 3 小时<"),
        "{c}"
    );
    assert!(
        c.contains("class=\"board-card-left small\""),
        "not marked late: {c}"
    );
    let c = card(&board, late);
    assert!(c.contains("电机发货延误两周"), "{c}");
    assert!(c.contains(">超期 5 小时 20 分钟<"), "{c}");
    assert!(
        c.contains("class=\"board-card-left small danger\""),
        "marked late: {c}"
    );

    // The time left reads the deadline the 超期 filter reads: the late one only is there.
    let overdue = s.get("/complaints?overdue=1").await.text().await.unwrap();
    assert!(card(&overdue, late).contains("超期 5 小时"));
    assert!(!overdue.contains(&format!("href=\"/complaints/{waiting}\"")));
    app.stop().await;
}

#[tokio::test]
async fn queue_rows_name_their_cells_and_the_filters_fold_on_a_phone() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "洗衣机脱水时噪音很大，要求上门检修", "body": "买了三个月。", "customer_name": "赵女士"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let s = app.login("ke.fu", TEST_PASSWORD).await;
    let page = s.get("/tickets?queue=open").await.text().await.unwrap();
    // Rendered folded: a phone shows 筛选条件 closed, a desktop the form regardless.
    assert!(page.contains(
        "<details class=\"filters-fold\" data-testid=\"filters-fold\"><summary>筛选条件</summary></details>\n<form method=\"get\" action=\"/tickets\" class=\"filters card\""
    ));
    let row = between(&page, "data-testid=\"ticket-row\"", "</tr>");
    assert!(row.contains("洗衣机脱水时噪音很大，要求上门检修"));
    for label in ["客户", "处理人", "到期", "更新时间"] {
        assert!(
            row.contains(&format!("data-label=\"{label}\"")),
            "{label}: {row}"
        );
    }
    assert!(row.contains("data-label=\"客户\">赵女士</td>"), "{row}");
    app.stop().await;
}

#[tokio::test]
async fn the_360_page_says_when_a_list_is_empty() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let customer = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "杭州新湖贸易有限公司", "contacts": [{"name": "欧阳慕容诸葛长孙司徒", "title": "采购部副经理", "mobile": "13912345678"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    // A customer loaded without a history of changes (as the demo and older data are).
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query("DELETE FROM customer_history WHERE customer_id = $1")
        .bind(customer)
        .execute(&mut *conn)
        .await
        .unwrap();
    drop(conn);
    let s = app.login("ke.fu", TEST_PASSWORD).await;
    let page = s
        .get(&format!("/customers/{customer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"no-timeline\">还没有往来记录。"));
    assert!(page.contains("data-testid=\"no-history\">还没有变更记录。"));
    assert!(page.contains("data-testid=\"no-investigations\">还没有信用调查记录。"));
    // The name and its badge are kept together on one line.
    assert!(page.contains(
        "<span class=\"contact-name-line\">欧阳慕容诸葛长孙司徒 <span class=\"badge\">主要联系人</span></span>"
    ));
    app.stop().await;
}
