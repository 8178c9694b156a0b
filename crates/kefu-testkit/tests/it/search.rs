//! The search box: fed from the change log within a second, Chinese queries, phone digits
//! only for those who may see phones, results cut to what the reader may open, bad queries
//! answered calmly, and forgiving of how people type (traditional characters, full-width
//! digits, phone numbers in groups or with +86, codes without their dash, pinyin with a
//! space), newer tickets first among equal matches.

use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// Searches until `want` of the kind shows up (or two seconds pass); returns the hits and
/// how long it took.
async fn wait_for(api: &ApiClient, q: &str, id: i64, kind: &str) -> (Value, Duration) {
    let t0 = Instant::now();
    loop {
        let path = format!("/api/v1/search?q={}", kefu_web::auth::urlencode(q));
        let hits = json_body(api.get(&path).await).await;
        let found = hits
            .as_array()
            .is_some_and(|a| a.iter().any(|h| h["id"] == id && h["kind"] == kind));
        if found || t0.elapsed() > Duration::from_secs(2) {
            return (hits, t0.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ids(hits: &Value, kind: &str) -> Vec<i64> {
    hits.as_array()
        .unwrap()
        .iter()
        .filter(|h| h["kind"] == kind)
        .map(|h| h["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn saved_tickets_and_customers_are_found_within_a_second() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("sou.suo", &[Role::Agent]).await;
    let quality = app
        .create_user("zhi.jian", &[Role::QualitySpecialist])
        .await;
    let department = app
        .create_user_in("cang.ku", &[Role::Department], Some("warehouse"))
        .await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let qa = ApiClient::new(&app, &app.token_for(quality).await);
    let dept = ApiClient::new(&app, &app.token_for(department).await);

    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "申请退货退款", "body": "收到的追觅X40 扫地机外壳破损，订单号 PO-2026-00817", "contact_name": "王先生"}),
        )
        .await,
    )
    .await;
    let ticket = t["id"].as_i64().unwrap();
    let (hits, lag) = wait_for(&api, "退货", ticket, "ticket").await;
    assert!(ids(&hits, "ticket").contains(&ticket), "{hits}");
    assert!(lag < Duration::from_secs(1), "searchable after {lag:?}");
    eprintln!("freshness: a new ticket was found after {lag:?}");
    for q in ["PO-2026-00817", "追觅", "X40", "退款"] {
        let (hits, _) = wait_for(&api, q, ticket, "ticket").await;
        assert!(ids(&hits, "ticket").contains(&ticket), "{q}: {hits}");
    }
    let snippet = hits[0]["snippet"].as_str().unwrap();
    assert!(snippet.contains("<b>"), "{snippet}");

    // A reply is searchable too.
    api.json(
        Method::POST,
        &format!("/api/v1/tickets/{ticket}/messages"),
        &json!({"body": "已安排顺丰上门取件"}),
    )
    .await;
    let (hits, _) = wait_for(&api, "顺丰", ticket, "ticket").await;
    assert!(ids(&hits, "ticket").contains(&ticket), "{hits}");

    let c = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "张三", "kind": "person", "contacts": [{"name": "张三", "mobile": "13812345678", "email": "zhang@example.cn"}]}),
        )
        .await,
    )
    .await;
    let customer = c["id"].as_i64().unwrap();
    for q in [
        "张三",
        "zhangsan",
        "zs",
        "5678",
        "12345678",
        "zhang@example.cn",
    ] {
        let (hits, _) = wait_for(&api, q, customer, "customer").await;
        assert!(ids(&hits, "customer").contains(&customer), "{q}: {hits}");
    }
    // The quality specialist may not see phone numbers, so may not search them either.
    let (hits, _) = wait_for(&qa, "zhangsan", customer, "customer").await;
    assert!(ids(&hits, "customer").contains(&customer));
    let hits = json_body(qa.get("/api/v1/search?q=5678").await).await;
    assert!(ids(&hits, "customer").is_empty(), "{hits}");
    // Department staff open neither tickets nor customers: no hits.
    let hits = json_body(dept.get("/api/v1/search?q=%E9%80%80%E8%B4%A7").await).await;
    assert_eq!(hits, json!([]));
    // Filters.
    let hits = json_body(
        api.get("/api/v1/search?q=%E5%BC%A0%E4%B8%89&kind=ticket")
            .await,
    )
    .await;
    assert!(ids(&hits, "customer").is_empty());
    let res = api.get("/api/v1/search?q=x&kind=order").await;
    assert_eq!(res.status(), 422);
    let res = api.get("/api/v1/search?q=x&from=yesterday").await;
    assert_eq!(res.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn bad_queries_get_calm_answers_and_the_page_groups_hits() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("ye.mian", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "产品存在质量问题", "body": "料号 GX-3341 的轴承开裂", "contact_name": "李女士"}),
        )
        .await,
    )
    .await;
    let ticket = t["id"].as_i64().unwrap();
    wait_for(&api, "质量问题", ticket, "ticket").await;
    // 10,000 characters of text (ASCII, so the URL stays valid).
    let long = "quality issue ".repeat(715);
    for q in [
        "",
        "   ",
        "！？。",
        "\"",
        ":",
        "(",
        "title:(退货 OR \"x\")",
        long.as_str(),
    ] {
        let path = format!("/api/v1/search?q={}", kefu_web::auth::urlencode(q));
        let res = api.get(&path).await;
        assert_eq!(res.status(), 200, "{q:.20}");
        let hits = json_body(res).await;
        assert!(hits.is_array());
    }
    let s = app.login("ye.mian", TEST_PASSWORD).await;
    let page = s
        .get(&format!(
            "/search?q={}",
            kefu_web::auth::urlencode("GX-3341")
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"hits-ticket\""), "{page}");
    assert!(page.contains(&format!("/tickets/{ticket}")));
    let page = s
        .get("/search?q=%E7%81%AB%E6%98%9F")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("没有找到匹配的结果"));
    // Approved reply scripts are found by the agents who use them.
    let hits = json_body(
        api.get("/api/v1/search?q=%E6%82%A8%E5%A5%BD&kind=script")
            .await,
    )
    .await;
    assert!(
        !hits.as_array().unwrap().is_empty(),
        "starter scripts: {hits}"
    );
    app.stop().await;
}

/// The archive list's box answers Chinese text from the index (a part of a company's or a
/// contact's name, or the notes, which the list's own scan never read), and still finds a
/// customer saved a moment ago, before the index has caught up.
#[tokio::test]
async fn the_customer_list_finds_chinese_names_through_the_index() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("lie.biao", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let new_customer = |name: &str, contact: &str, notes: &str| {
        json!({"name": name, "kind": "company", "notes": notes,
               "contacts": [{"name": contact, "mobile": "13900001111"}]})
    };
    let first = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &new_customer(
                "杭州明达贸易有限公司",
                "王建国",
                "冷链仓库客户，夏季报修集中",
            ),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (hits, _) = wait_for(&api, "明达", first, "customer").await;
    assert!(ids(&hits, "customer").contains(&first), "indexed: {hits}");
    let list = |q: &str| {
        let path = format!("/api/v1/customers?q={}", kefu_web::auth::urlencode(q));
        let api = &api;
        async move {
            let page = json_body(api.get(&path).await).await;
            page.as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect::<Vec<i64>>()
        }
    };
    assert_eq!(list("明达").await, [first], "part of the company name");
    assert_eq!(list("建国").await, [first], "part of a contact's name");
    assert_eq!(
        list("冷链").await,
        [first],
        "the notes, found only by the index"
    );
    assert_eq!(list("火星").await, Vec::<i64>::new());
    // Digits through the index for those who may see numbers: any part of the mobile,
    // the middle too, which the list's own search (start or end) does not find.
    assert_eq!(list("0000111").await, [first], "middle of the mobile");
    assert_eq!(
        list("139 0000 1111").await,
        [first],
        "spaced as people write it"
    );
    assert_eq!(
        list("１３９ ００００ １１１１").await,
        [first],
        "full-width, as Chinese input methods type it"
    );
    // The quality specialist may not see numbers: the list's own rule, start or end only.
    let quality = app
        .create_user("zhi.jian", &[Role::QualitySpecialist])
        .await;
    let qa = ApiClient::new(&app, &app.token_for(quality).await);
    let qa_list = |q: &str| {
        let path = format!("/api/v1/customers?q={}", kefu_web::auth::urlencode(q));
        let qa = &qa;
        async move {
            json_body(qa.get(&path).await)
                .await
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap())
                .collect::<Vec<i64>>()
        }
    };
    assert_eq!(qa_list("1111").await, [first], "the end of the mobile");
    assert_eq!(qa_list("0000111").await, Vec::<i64>::new());

    // Saved just now, not yet in the index: the list finds it all the same.
    let second = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &new_customer("宁波明达电器商行", "李明", ""),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(list("明达").await, [second, first], "newest first");
    app.stop().await;
}

/// A rare character of a company's name — 𪚥 (U+2A6A5) and 𠀀 (U+20000), CJK Extension B,
/// four bytes in UTF-8 and a surrogate pair in UTF-16 — finds the customer and its complaint
/// like any other: on its own, two together, or with the common characters after them; in
/// the search box and in the customer list's box.
#[tokio::test]
async fn rare_characters_in_names_are_found() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("sheng.pi", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let name = "𪚥𠀀公司";
    let customer = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": name, "kind": "company"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let complaint = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"type": "complaint", "subject": "设备漏水", "body": "安装后第二天漏水，要求上门检修",
                    "customer_name": name, "contact_name": "赵女士"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for q in ["𪚥", "𠀀公司", "𪚥𠀀"] {
        let (hits, _) = wait_for(&api, q, customer, "customer").await;
        assert!(ids(&hits, "customer").contains(&customer), "{q}: {hits}");
        let (hits, _) = wait_for(&api, q, complaint, "ticket").await;
        assert!(ids(&hits, "ticket").contains(&complaint), "{q}: {hits}");
    }
    // The list's box: one character through the list's own search, two or more through the
    // index.
    for q in ["𪚥", "𠀀公司", "𪚥𠀀"] {
        let path = format!("/api/v1/customers?q={}", kefu_web::auth::urlencode(q));
        let page = json_body(api.get(&path).await).await;
        let found: Vec<i64> = page
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert_eq!(found, [customer], "{q}");
    }
    app.stop().await;
}

/// The id of what a POST created.
async fn created(api: &ApiClient, path: &str, body: &Value) -> i64 {
    let res = api.json(Method::POST, path, body).await;
    let created = json_body(res).await;
    created["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{path}: {created}"))
}

/// Staff type traditional characters (a customer from Hong Kong or Taiwan pasted them),
/// full-width digits and letters (Chinese input methods), a phone number in groups or with
/// +86, a part number without its dash, pinyin with a space: each still finds the ticket or
/// customer written the usual way.
#[tokio::test]
async fn search_forgives_how_people_type() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("kuan.rong", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let ticket = created(
        &api,
        "/api/v1/tickets",
        &json!({"subject": "产品存在质量问题", "body": "客户要求退货，料号 GX-3341 的轴承开裂",
                "contact_name": "张三", "contact_phone": "13812345678"}),
    )
    .await;
    let customer = created(
        &api,
        "/api/v1/customers",
        &json!({"name": "杭州明达贸易有限公司", "kind": "company",
                "contacts": [{"name": "李四", "phone": "0571-88881234"}]}),
    )
    .await;
    for q in [
        "退貨",
        "質量問題",
        "１３８１２３４５６７８",
        "138 1234 5678",
        "+86 138 1234 5678",
        "+8613812345678",
        "GX3341",
        "ＧＸ－３３４１",
        "zhang san",
    ] {
        let (hits, _) = wait_for(&api, q, ticket, "ticket").await;
        assert!(ids(&hits, "ticket").contains(&ticket), "{q}: {hits}");
    }
    // The words found are marked in the text as it was written.
    let (hits, _) = wait_for(&api, "退貨", ticket, "ticket").await;
    let hit = hits
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == ticket && h["kind"] == "ticket")
        .unwrap();
    assert!(
        hit["snippet"].as_str().unwrap().contains("<b>退货</b>"),
        "{hit}"
    );
    for q in ["(0571) 8888-1234", "0571 8888 1234", "+86 571 8888 1234"] {
        let (hits, _) = wait_for(&api, q, customer, "customer").await;
        assert!(ids(&hits, "customer").contains(&customer), "{q}: {hits}");
    }
    app.stop().await;
}

/// Among tickets that match alike, the newer comes first: an agent searching 退货 means this
/// week's return more often than one from weeks ago.
#[tokio::test]
async fn equal_matches_put_the_newer_ticket_first() {
    let clock = Arc::new(FixedClock::new("2026-11-02T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    let agent = app.create_user("xin.jiu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let same =
        json!({"subject": "申请退货", "body": "外壳破损，要求退货", "contact_name": "周先生"});
    let older = created(&api, "/api/v1/tickets", &same).await;
    clock.advance(SignedDuration::from_hours(24 * 10));
    let newer = created(&api, "/api/v1/tickets", &same).await;
    wait_for(&api, "退货", older, "ticket").await;
    let (hits, _) = wait_for(&api, "退货", newer, "ticket").await;
    assert_eq!(ids(&hits, "ticket"), [newer, older], "{hits}");
    app.stop().await;
}

/// A whole message pasted into the box makes a query string too long to read: the API
/// answers with its JSON error shape, a person with the translated page, never a bare 414.
#[tokio::test]
async fn a_too_long_query_is_refused_in_the_error_shape() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("chang.cha", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    // 3,000 characters, 27 KB once percent-encoded: over kefu's 16 KiB, under hyper's 64.
    let pasted = kefu_web::auth::urlencode(&"收到的扫地机外壳破损".repeat(300));
    let res = api.get(&format!("/api/v1/search?q={pasted}")).await;
    assert_eq!(res.status(), 414);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body = json_body(res).await;
    assert_eq!(body["error"]["code"], "query_too_long", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("16")),
        "{body}"
    );
    let s = app.login("chang.cha", TEST_PASSWORD).await;
    let res = s.get(&format!("/search?q={pasted}")).await;
    assert_eq!(res.status(), 414);
    let page = res.text().await.unwrap();
    assert!(page.contains("查询内容过长"), "{page:.400}");
    app.stop().await;
}

/// Every parameter of the search is an optional query parameter in the OpenAPI document,
/// and the refusal of a too-long query string is documented.
#[tokio::test]
async fn search_parameters_are_documented_as_optional_query_parameters() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    let doc = json_body(res).await;
    let search = &doc["paths"]["/api/v1/search"]["get"];
    let params = search["parameters"].as_array().expect("parameters");
    let names: Vec<&str> = params.iter().filter_map(|p| p["name"].as_str()).collect();
    for name in [
        "q", "kind", "status", "type", "tier", "assignee", "from", "to", "limit",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    for p in params {
        assert_eq!(p["in"], "query", "{p}");
        assert_ne!(p["required"], true, "{p}");
    }
    assert!(search["responses"]["414"].is_object(), "{search}");
    app.stop().await;
}

/// In a department with months of tickets about refunds and deliveries, today's ticket
/// about one is on the first page of results for it: the newer ranks before the many older
/// equal matches, and reply scripts do not crowd it off.
#[tokio::test]
async fn todays_ticket_is_on_the_first_page_among_the_demo_companys() {
    let at: jiff::Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
    // No job worker while the demo loads (as `kefu serve --demo` loads it).
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(Arc::new(FixedClock::new(at))),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let plan = kefu_app::demo::DemoPlan::for_scale("1500", 7).unwrap();
    app.app.load_demo(&plan, &|_, _, _| {}).await.unwrap();
    let agent = app.create_user("jin.tian", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    for (word, body) in [
        ("退款", "上周买的电饭煲不想要了，申请退款，请尽快处理。"),
        ("发货", "订单付款三天了还没发货，请帮忙催一下。"),
    ] {
        // The index catches up with the loaded company in the background.
        let t0 = Instant::now();
        let older = loop {
            let path = format!("/api/v1/search?q={}", kefu_web::auth::urlencode(word));
            let hits = json_body(api.get(&path).await).await;
            if ids(&hits, "ticket").len() >= 10 || t0.elapsed() > Duration::from_secs(30) {
                break hits;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(
            ids(&older, "ticket").len() >= 10,
            "the demo holds many older tickets about {word}: {older}"
        );
        let id = created(
            &api,
            "/api/v1/tickets",
            &json!({"subject": format!("今天的{word}问题"), "body": body, "contact_name": "林女士"}),
        )
        .await;
        // The index may still be digesting the loaded company on a busy machine: give it
        // time to take the new ticket in; the first page must then hold it.
        let t0 = Instant::now();
        let hits = loop {
            let path = format!("/api/v1/search?q={}", kefu_web::auth::urlencode(word));
            let hits = json_body(api.get(&path).await).await;
            if ids(&hits, "ticket").contains(&id) || t0.elapsed() > Duration::from_secs(30) {
                break hits;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        assert!(
            ids(&hits, "ticket").contains(&id),
            "today's ticket about {word} is on the first page: {hits}"
        );
    }
    app.stop().await;
}

/// On PostgreSQL a change-log entry takes its id when written and shows when its
/// transaction commits: a change committed after a later one (a slow transaction) is still
/// indexed, not skipped because the follower had read past its id.
#[tokio::test]
async fn a_change_that_commits_after_a_later_one_is_still_indexed() {
    let app = TestApp::spawn().await;
    if app.backend() != kefu_store::Backend::Postgres {
        // One writer at a time on SQLite: entries commit in the order of their ids.
        return;
    }
    let agent = app.create_user("man.shi.wu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let new_ticket =
        |subject: &str| json!({"subject": subject, "body": "客户来电", "contact_name": "赵先生"});
    let slow = json_body(
        api.json(Method::POST, "/api/v1/tickets", &new_ticket("空调噪音"))
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (hits, _) = wait_for(&api, "空调噪音", slow, "ticket").await;
    assert!(ids(&hits, "ticket").contains(&slow), "{hits}");

    // A slow transaction changes the ticket and logs it (taking the next id), then waits.
    let mut tx = app.app.store.begin().await.unwrap();
    sqlx::query("UPDATE tickets SET subject = '压缩机异响' WHERE id = $1")
        .bind(slow)
        .execute(&mut *tx)
        .await
        .unwrap();
    kefu_store::changelog::record(
        &mut tx,
        "ticket",
        slow,
        kefu_store::changelog::Operation::Update,
        None,
        app.now(),
    )
    .await
    .unwrap();
    // Meanwhile a later change commits and is indexed.
    let quick = json_body(
        api.json(Method::POST, "/api/v1/tickets", &new_ticket("滤网更换"))
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (hits, _) = wait_for(&api, "滤网更换", quick, "ticket").await;
    assert!(ids(&hits, "ticket").contains(&quick), "{hits}");
    tx.commit().await.unwrap();
    let (hits, lag) = wait_for(&api, "压缩机异响", slow, "ticket").await;
    assert!(
        ids(&hits, "ticket").contains(&slow),
        "the late change is indexed: {hits}"
    );
    eprintln!("a change committed late was indexed {lag:?} after its commit");
    app.stop().await;
}
