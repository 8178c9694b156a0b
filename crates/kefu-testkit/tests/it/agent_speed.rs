//! 迅速地回复 — what makes an agent quicker: a reply script filled in as JSON for the page
//! to put at the cursor (and, without the page's script, the draft kept), a bulk action
//! that says what it did, ticket hits that show how the ticket stands, and suggestions in
//! the top bar's search box.

use std::time::{Duration, Instant};

use kefu_app::Actor;
use kefu_app::kb::ScriptForm;
use kefu_domain::Role;
use kefu_domain::kb::{MacroActions, ScriptStatus};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body, unescape_html};
use reqwest::Method;
use serde_json::{Value, json};

async fn script(app: &TestApp, title: &str) -> (i64, i64) {
    let s = app
        .app
        .scripts(&Actor::system(), ScriptStatus::Approved, None)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.script.title == title)
        .unwrap_or_else(|| panic!("no approved script {title}"));
    (s.script.id, s.script.use_count)
}

/// What the ticket page's script sends: the session's token in the header, JSON asked for.
async fn use_as_page(s: &Session, csrf: &str, path: &str) -> reqwest::Response {
    s.client
        .post(s.url(path))
        .header("x-csrf-token", csrf)
        .header("accept", "application/json")
        .send()
        .await
        .expect("POST")
}

async fn ticket(api: &ApiClient, body: Value) -> Value {
    let res = api.json(Method::POST, "/api/v1/tickets", &body).await;
    assert_eq!(res.status(), 201);
    json_body(res).await
}

#[tokio::test]
async fn a_script_is_filled_in_as_json_for_the_page_and_the_draft_is_kept_without_it() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("kuai.agent", &[Role::Agent]).await;
    app.create_user("kuai.dept", &[Role::Department]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let t = ticket(
        &api,
        json!({"subject": "询问发票", "body": "发票什么时候寄出？", "contact_name": "钱女士"}),
    )
    .await;
    let tid = t["id"].as_i64().unwrap();
    let number = t["number"].as_str().unwrap().to_owned();
    let (greeting, used_before) = script(&app, "首次问候").await;
    let s = app.login("kuai.agent", TEST_PASSWORD).await;
    let csrf = s.csrf().await;

    // Placeholders filled for this customer, ticket and agent; the use is counted.
    let res = use_as_page(&s, &csrf, &format!("/tickets/{tid}/script/{greeting}")).await;
    assert_eq!(res.status(), 200);
    let body = json_body(res).await;
    assert_eq!(
        body["text"],
        format!(
            "钱女士您好，我是客服测试 kuai.agent，很高兴为您服务。您的问题已登记为工单 {number}，我们会尽快为您处理。"
        )
    );
    assert_eq!(body["ticket_changed"], json!(false));
    assert_eq!(script(&app, "首次问候").await.1, used_before + 1);

    // A script with actions applies them, and says the ticket changed.
    let form = ScriptForm {
        category: "通用".into(),
        title: "请客户补充照片".into(),
        body: "{客户名称}您好，请补充问题照片。".into(),
        actions: MacroActions {
            status: Some("pending_customer".into()),
            ..MacroActions::default()
        },
    };
    let photos = app
        .app
        .propose_script(&Actor::system(), &form)
        .await
        .unwrap();
    let res = use_as_page(&s, &csrf, &format!("/tickets/{tid}/script/{photos}")).await;
    let body = json_body(res).await;
    assert_eq!(body["text"], "钱女士您好，请补充问题照片。");
    assert_eq!(body["ticket_changed"], json!(true));
    let d = json_body(api.get(&format!("/api/v1/tickets/{tid}")).await).await;
    assert_eq!(d["ticket"]["status"], "pending_customer");

    // Unknown script or ticket: 404 in the JSON error shape.
    for path in [
        format!("/tickets/{tid}/script/999999"),
        format!("/tickets/999999/script/{greeting}"),
    ] {
        let res = use_as_page(&s, &csrf, &path).await;
        assert_eq!(res.status(), 404, "{path}");
        let body = json_body(res).await;
        assert_eq!(body["error"]["code"], "not_found", "{path}: {body}");
        assert!(body["error"]["message"].is_string(), "{body}");
    }
    // Without the session's token, or without the permission to work tickets: refused,
    // nothing counted.
    let res = s
        .client
        .post(s.url(&format!("/tickets/{tid}/script/{greeting}")))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(json_body(res).await["error"]["code"], "csrf_rejected");
    let dept = app.login("kuai.dept", TEST_PASSWORD).await;
    let dept_csrf = dept.csrf().await;
    let res = use_as_page(
        &dept,
        &dept_csrf,
        &format!("/tickets/{tid}/script/{greeting}"),
    )
    .await;
    assert_eq!(res.status(), 403);
    assert_eq!(json_body(res).await["error"]["code"], "forbidden");
    assert_eq!(script(&app, "首次问候").await.1, used_before + 1);

    // Without the page's script, the picker's button sends the reply form: the draft comes
    // back with the script's text after it.
    let res = s
        .post_form(
            &format!("/tickets/{tid}/script"),
            &[
                ("visibility", "public"),
                ("body", "钱女士，发票已开好。\r\n"),
                ("status", ""),
                ("script", greeting.to_string().as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = unescape_html(&res.text().await.unwrap());
    assert!(
        page.contains(&format!(
            ">钱女士，发票已开好。\n钱女士您好，我是客服测试 kuai.agent，很高兴为您服务。您的问题已登记为工单 {number}"
        )),
        "the draft is kept, the script after it"
    );
    // The picker belongs to the reply form, after its send button.
    let reply_at = page.find("id=\"reply-form\"").expect("the reply form");
    let use_at = page
        .find("data-testid=\"use-script\"")
        .expect("the use button");
    assert!(use_at > reply_at);
    assert!(page.contains("form=\"reply-form\" formaction=\"/tickets/"));
    app.stop().await;
}

/// The queue's bulk form as a browser sends it.
async fn bulk(s: &Session, ids: &[i64], action: &[(&str, &str)]) -> reqwest::Response {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let mut fields: Vec<(&str, &str)> = ids.iter().map(|id| ("ids", id.as_str())).collect();
    fields.extend_from_slice(action);
    fields.push(("return", "queue=all"));
    s.post_form("/tickets/bulk", &fields).await
}

/// Follows a bulk action's redirect and returns what the queue says about it.
async fn said(s: &Session, res: reqwest::Response) -> String {
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/tickets?queue=all&done="),
        "back to the same queue: {location}"
    );
    let page = s.get(&location).await.text().await.unwrap();
    assert!(
        page.contains("name=\"return\" value=\"queue=all\""),
        "the report is not part of the filter"
    );
    let marker = "role=\"status\" data-testid=\"bulk-done\">";
    let start = page.find(marker).expect("the queue says what was done") + marker.len();
    let end = page[start..].find("</p>").unwrap() + start;
    unescape_html(&page[start..end])
}

#[tokio::test]
async fn a_bulk_action_says_how_many_tickets_it_changed() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("pi.liang", &[Role::Agent]).await;
    let colleague = app.create_user("tong.shi", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let mut ids = Vec::new();
    for subject in ["退货申请一", "退货申请二", "退货申请三"] {
        ids.push(
            ticket(&api, json!({"subject": subject, "body": "要求退货"})).await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let s = app.login("pi.liang", TEST_PASSWORD).await;
    let to = colleague.to_string();
    let assign = [("action", "assign"), ("bulk_assignee", to.as_str())];

    let text = said(&s, bulk(&s, &ids[..2], &assign).await).await;
    assert_eq!(text, "已将 2 张工单分配给 测试 tong.shi。");
    let text = said(&s, bulk(&s, &ids, &assign).await).await;
    assert_eq!(
        text,
        "已将 1 张工单分配给 测试 tong.shi。另有 2 张本来就是这样，未作改动。"
    );
    let text = said(&s, bulk(&s, &ids, &assign).await).await;
    assert_eq!(text, "所选的 3 张工单本来就是这样，没有改动。");
    let text = said(&s, bulk(&s, &ids[..1], &[("action", "close")]).await).await;
    assert_eq!(text, "已关闭 1 张工单。");
    let text = said(
        &s,
        bulk(&s, &ids[1..], &[("action", "tag"), ("bulk_tag", "退货")]).await,
    )
    .await;
    assert_eq!(text, "已为 2 张工单添加标签“退货”。");

    // One ticket that cannot change (a closed one cannot be resolved) leaves the batch as
    // it was, and the page says so, naming the ticket.
    let closed = json_body(api.get(&format!("/api/v1/tickets/{}", ids[0])).await).await;
    let number = closed["ticket"]["number"].as_str().unwrap().to_owned();
    let res = bulk(&s, &[ids[1], ids[2], ids[0]], &[("action", "resolve")]).await;
    assert_eq!(res.status(), 422);
    let page = unescape_html(&res.text().await.unwrap());
    assert!(
        page.contains(&format!("所选的 3 张工单都没有改动：{number}")),
        "{page}"
    );
    for id in &ids[1..] {
        let t = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
        assert_ne!(t["ticket"]["status"], "resolved", "nothing was written");
    }
    let text = said(&s, bulk(&s, &ids[1..], &[("action", "resolve")]).await).await;
    assert_eq!(text, "已将 2 张工单标记为已解决。");
    app.stop().await;
}

/// Searches over the API until the hit of `kind` with `id` shows (or five seconds pass).
async fn indexed(api: &ApiClient, q: &str, id: i64, kind: &str) {
    let t0 = Instant::now();
    loop {
        let path = format!("/api/v1/search?q={}", kefu_web::auth::urlencode(q));
        let hits = json_body(api.get(&path).await).await;
        let found = hits
            .as_array()
            .is_some_and(|a| a.iter().any(|h| h["id"] == id && h["kind"] == kind));
        if found {
            return;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "{q} not found: {hits}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn ticket_hits_show_status_customer_and_dates() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("cha.zhao", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let t = ticket(
        &api,
        json!({
            "subject": "轴承开裂 GX-7781",
            "body": "料号 GX-7781 的轴承开裂",
            "customer_name": "苏州恒通机电有限公司",
            "contact_name": "陈经理",
            "contact_phone": "13912345678"
        }),
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    indexed(&api, "GX-7781", id, "ticket").await;
    let created: jiff::Timestamp = t["created_at"].as_str().unwrap().parse().unwrap();
    let shanghai = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
    let created = created
        .to_zoned(shanghai)
        .strftime("%Y-%m-%d %H:%M")
        .to_string();

    let s = app.login("cha.zhao", TEST_PASSWORD).await;
    let page = s.get("/search?q=GX-7781").await.text().await.unwrap();
    let page = unescape_html(&page);
    let start = page
        .find(&format!("href=\"/tickets/{id}\""))
        .expect("the ticket is found");
    let hit = &page[start..start + page[start..].find("</li>").unwrap()];
    assert!(
        hit.contains("data-testid=\"hit-status\">新建</span>"),
        "{hit}"
    );
    assert!(hit.contains("客户：苏州恒通机电有限公司"), "{hit}");
    assert!(hit.contains(&format!("创建于 {created}")), "{hit}");
    assert!(hit.contains("更新于 "), "{hit}");
    assert!(!page.contains("13912345678"), "contact values stay masked");
    app.stop().await;
}

#[tokio::test]
async fn the_top_search_box_suggests_tickets_and_customers_to_open() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("ding.lan", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let t = ticket(
        &api,
        json!({"subject": "冰箱冷藏室不制冷", "body": "买了两个月", "contact_name": "孙女士"}),
    )
    .await;
    let tid = t["id"].as_i64().unwrap();
    let number = t["number"].as_str().unwrap().to_owned();
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "宁波海曙家电城", "contacts": [{"name": "周经理", "mobile": "13712345678"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cid = json_body(res).await["id"].as_i64().unwrap();
    indexed(&api, &number, tid, "ticket").await;
    indexed(&api, "海曙家电城", cid, "customer").await;

    let s = app.login("ding.lan", TEST_PASSWORD).await;
    let suggest = |q: &str| {
        format!(
            "/search/suggest?kind=top&q={}",
            kefu_web::auth::urlencode(q)
        )
    };
    // By number and by subject: the ticket, with where to open it.
    for q in [number.as_str(), "冷藏室不制冷"] {
        let found = json_body(s.get(&suggest(q)).await).await;
        let hit = found
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["id"] == tid && h["kind"] == "ticket")
            .unwrap_or_else(|| panic!("{q}: {found}"));
        assert_eq!(hit["link"], format!("/tickets/{tid}"));
        assert_eq!(hit["kind_label"], "工单");
    }
    let found = json_body(s.get(&suggest("海曙家电城")).await).await;
    let hit = found
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["kind"] == "customer")
        .unwrap_or_else(|| panic!("{found}"));
    assert_eq!(hit["link"], format!("/customers/{cid}"));
    assert_eq!(hit["kind_label"], "客户");
    // Scripts are for the reply box, not the top bar; an empty box suggests nothing.
    let found = json_body(s.get(&suggest("您好")).await).await;
    assert!(
        found
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["kind"] == "ticket" || h["kind"] == "customer"),
        "{found}"
    );
    assert_eq!(json_body(s.get(&suggest("  ")).await).await, json!([]));
    // The box itself: still a search form, now with a list for the suggestions.
    let page = s.get("/tickets").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"topsearch\" data-suggest=\"top\""));
    assert!(
        page.contains("data-testid=\"shortcuts\""),
        "the shortcut list"
    );
    app.stop().await;
}
