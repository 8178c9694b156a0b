//! The customer archive: customers and contacts, masking and audited reveals, the history of
//! changes, search by name, email and phone digits, tickets linked to customers, and the
//! last contact that follows every channel.

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::json;

async fn audit_entries(app: &TestApp, action: &str) -> Vec<kefu_store::audit::AuditEntry> {
    app.audit_entries(action).await
}

#[tokio::test]
async fn sensitive_fields_are_masked_everywhere_and_revealed_one_at_a_time_with_an_audit() {
    let app = TestApp::spawn().await;
    app.create_user("jin.agent", &[Role::Agent]).await;
    let quality = app
        .create_user("qa.person", &[Role::QualitySpecialist])
        .await;
    app.create_user("info.keeper", &[Role::InfoSpecialist])
        .await;
    let s = app.login("jin.agent", TEST_PASSWORD).await;

    let res = s
        .post_form(
            "/customers",
            &[
                ("kind", "company"),
                ("name", "杭州明达贸易有限公司"),
                ("tier", "key_account"),
                ("customer_type", "distributor"),
                ("status", "active"),
                ("province", "浙江"),
                ("city", "杭州"),
                ("industry", "家电批发"),
                ("tags", "华东, 重点"),
                ("id_number", "330106198001011234"),
                ("address", "浙江省杭州市西湖区文三路100号"),
                ("bank_account", "6222021234567890123"),
                ("c_name", "王经理"),
                ("c_title", "采购经理"),
                ("c_mobile", "+86 138 1234 5678"),
                ("c_phone", "0571-8888 6666"),
                ("c_email", "Wang@MingDa.cn"),
                ("c_preferred", "wechat"),
                ("c_rest_hours", "12:00-14:00，22:00-08:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location.trim_start_matches("/customers/").parse().unwrap();

    // Masked on the 360 page, in the list and in the API, for everyone.
    let page = s.get(&location).await.text().await.unwrap();
    assert!(page.contains("138****5678") && !page.contains("13812345678"));
    assert!(page.contains("3301**********1234") && page.contains("浙江省杭州市****"));
    assert!(!page.contains("6222021234567890123"));
    assert!(page.contains("12:00-14:00, 22:00-08:00"));
    let list = s.get("/customers").await.text().await.unwrap();
    assert!(list.contains("138****5678") && !list.contains("13812345678"));
    let agent_api = ApiClient::new(
        &app,
        &app.token_for(app.create_user("api.agent", &[Role::Agent]).await)
            .await,
    );
    let c = json_body(agent_api.get(&format!("/api/v1/customers/{id}")).await).await;
    assert_eq!(c["contacts"][0]["mobile"], "138****5678");
    assert_eq!(c["contacts"][0]["email"], "wang@mingda.cn");
    assert_eq!(c["bank_account"], "6222***********0123");
    assert!(!c.to_string().contains("13812345678"));

    // Revealing one field shows it, once, and writes who, which customer, which field.
    let contact_id = c["contacts"][0]["id"].as_i64().unwrap().to_string();
    let res = s
        .post_form(
            &format!("{location}/reveal"),
            &[("field", "mobile"), ("contact", contact_id.as_str())],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(page.contains("13812345678"));
    assert!(
        !page.contains("330106198001011234"),
        "only the field asked for"
    );
    let res = agent_api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{id}/reveal"),
            &json!({"field": "bank_account"}),
        )
        .await;
    assert_eq!(json_body(res).await["value"], "6222021234567890123");
    let entries = audit_entries(&app, "sensitive_revealed").await;
    assert_eq!(entries.len(), 2);
    let details: Vec<String> = entries
        .iter()
        .map(|e| e.detail.clone().unwrap_or_default())
        .collect();
    assert!(details.iter().any(|d| d.contains("\"field\":\"mobile\"")));
    assert!(
        details
            .iter()
            .any(|d| d.contains("\"field\":\"bank_account\""))
    );
    assert!(
        entries
            .iter()
            .all(|e| e.target_id.as_deref() == Some(id.to_string().as_str()))
    );

    // The quality specialist reads the archive but may not reveal.
    let q = app.login("qa.person", TEST_PASSWORD).await;
    let page = q.get(&location).await.text().await.unwrap();
    assert!(page.contains("138****5678") && !page.contains("data-testid=\"reveal-mobile\""));
    let res = q
        .post_form(
            &format!("{location}/reveal"),
            &[("field", "mobile"), ("contact", contact_id.as_str())],
        )
        .await;
    assert_eq!(res.status(), 403);
    let qa_api = ApiClient::new(&app, &app.token_for(quality).await);
    let res = qa_api
        .json(
            Method::POST,
            &format!("/api/v1/customers/{id}/reveal"),
            &json!({"field": "id_number"}),
        )
        .await;
    assert_eq!(res.status(), 403);

    // The information specialist sees who looked at what.
    let info = app.login("info.keeper", TEST_PASSWORD).await;
    let audit = info
        .get("/admin/audit?action=sensitive_revealed")
        .await
        .text()
        .await
        .unwrap();
    assert!(audit.contains("jin.agent") && audit.contains("查看敏感信息"));
    app.stop().await;
}

#[tokio::test]
async fn every_change_is_recorded_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("shi.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let res = api
        .json(Method::POST, "/api/v1/customers", &json!({"name": "苏州恒通机电", "contacts": [{"name": "陈经理", "mobile": "139 1234 0000"}]}))
        .await;
    assert_eq!(res.status(), 201);
    let id = json_body(res).await["id"].as_i64().unwrap();

    for (body, code) in [
        (
            json!({"name": "坏手机", "contacts": [{"name": "某人", "mobile": "12345"}]}),
            "bad_mobile",
        ),
        (
            json!({"name": "坏电话", "contacts": [{"name": "某人", "phone": "call me"}]}),
            "bad_phone",
        ),
        (
            json!({"name": "坏时段", "contacts": [{"name": "某人", "rest_hours": "午休"}]}),
            "bad_rest_hours",
        ),
        (json!({"name": "   "}), "customer_bad_name"),
        (
            json!({"name": "坏邮箱", "contacts": [{"name": "某人", "email": "nope"}]}),
            "invalid_email",
        ),
    ] {
        let res = api.json(Method::POST, "/api/v1/customers", &body).await;
        assert_eq!(res.status(), 422, "{body}");
        assert_eq!(json_body(res).await["error"]["code"], code, "{body}");
    }
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "x", "tier": "gold"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    let mut c = app.app.store.conn().await.unwrap();
    assert_eq!(
        kefu_store::customer::count(&mut c).await.unwrap(),
        1,
        "nothing refused was stored"
    );
    drop(c);

    let s = app.login("shi.agent", TEST_PASSWORD).await;
    let res = s
        .post_form(
            &format!("/customers/{id}"),
            &[
                ("kind", "company"),
                ("name", "苏州恒通机电有限公司"),
                ("tier", "vip"),
                ("customer_type", "end_customer"),
                ("status", "active"),
                ("address", "江苏省苏州市工业园区星湖街1号"),
                ("owner", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = s
        .get(&format!("/customers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("客户名称: 苏州恒通机电 → 苏州恒通机电有限公司"));
    assert!(page.contains("客户等级: 普通客户 → VIP"));
    assert!(
        page.contains("地址: — → 江苏省苏州市****"),
        "sensitive values stay masked in the history"
    );
    assert!(!page.contains("星湖街1号"));
    // An empty sensitive input keeps the stored value.
    s.post_form(
        &format!("/customers/{id}"),
        &[
            ("kind", "company"),
            ("name", "苏州恒通机电有限公司"),
            ("tier", "vip"),
            ("customer_type", "end_customer"),
            ("status", "active"),
            ("address", ""),
        ],
    )
    .await;
    let c = json_body(api.get(&format!("/api/v1/customers/{id}")).await).await;
    assert_eq!(c["address"], "江苏省苏州市****");

    // The contact is edited from the 360 page: preferred channel and opt-outs change, the
    // empty mobile input keeps the stored number, and the history shows the change.
    let contact = c["contacts"][0]["id"].as_i64().unwrap().to_string();
    let res = s
        .post_form(
            &format!("/customers/{id}/contacts"),
            &[
                ("contact", contact.as_str()),
                ("name", "陈经理"),
                ("title", "采购部经理"),
                ("mobile", ""),
                ("preferred", "wechat"),
                ("opt_out", "sms"),
                ("opt_out", "phone"),
                ("rest_hours", "12:00-14:00"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let c = json_body(api.get(&format!("/api/v1/customers/{id}")).await).await;
    let stored = &c["contacts"][0];
    assert_eq!(stored["mobile"], "139****0000", "the mobile was kept");
    assert_eq!(stored["title"], "采购部经理");
    assert_eq!(stored["preferred_channel"], "wechat");
    assert_eq!(stored["opt_outs"], json!(["sms", "phone"]));
    assert_eq!(stored["rest_hours"], "12:00-14:00");
    let page = s
        .get(&format!("/customers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("采购部经理"), "{page}");
    assert!(page.contains("<option value=\"wechat\" selected>"));

    // The list filters by owner and by credit grade.
    let me = agent.to_string();
    let mine = s
        .get(&format!("/customers?owner={me}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!mine.contains("苏州恒通机电有限公司"), "nobody owns it yet");
    let res = s
        .post_form(
            &format!("/customers/{id}"),
            &[
                ("kind", "company"),
                ("name", "苏州恒通机电有限公司"),
                ("tier", "vip"),
                ("customer_type", "end_customer"),
                ("status", "active"),
                ("owner", me.as_str()),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let mine = s
        .get(&format!("/customers?owner={me}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(mine.contains("苏州恒通机电有限公司"));
    let graded = s.get("/customers?grade=A").await.text().await.unwrap();
    assert!(
        !graded.contains("苏州恒通机电有限公司"),
        "not investigated, so no grade"
    );
    app.stop().await;
}

#[tokio::test]
async fn customers_are_found_by_name_email_and_phone_digits_and_linked_to_tickets() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("lu.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let mut ids = Vec::new();
    for (name, mobile, email) in [
        ("杭州明达贸易有限公司", "13812345678", "buy@mingda.cn"),
        ("成都天府家电城", "13987650000", "shop@tianfu.cn"),
        ("广州粤海酒店", "13600001111", "hotel@yuehai.cn"),
    ] {
        let res = api
            .json(Method::POST, "/api/v1/customers", &json!({"name": name, "contacts": [{"name": "联系人", "mobile": mobile, "email": email}]}))
            .await;
        ids.push(json_body(res).await["id"].as_i64().unwrap());
    }
    let names = |v: serde_json::Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let find = |q: &str| {
        let path = format!("/api/v1/customers?q={}", kefu_web::auth::urlencode(q));
        let api = &api;
        async move { api.get(&path).await }
    };
    assert_eq!(
        names(json_body(find("明达").await).await),
        ["杭州明达贸易有限公司"]
    );
    assert_eq!(
        names(json_body(find("杭州 明达（贸易）").await).await),
        ["杭州明达贸易有限公司"]
    );
    assert_eq!(
        names(json_body(find("5678").await).await),
        ["杭州明达贸易有限公司"],
        "last four digits"
    );
    assert_eq!(
        names(json_body(find("1398765").await).await),
        ["成都天府家电城"],
        "first digits"
    );
    assert_eq!(
        names(json_body(find("HOTEL@yuehai.cn").await).await),
        ["广州粤海酒店"]
    );
    assert_eq!(json_body(find("9999").await).await, json!([]));
    let vip = json_body(api.get("/api/v1/customers?tier=vip").await).await;
    assert_eq!(vip, json!([]));

    // A ticket from a known mobile links itself; its customer's timeline shows it.
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "订货咨询", "body": "想订 20 台", "contact_phone": "138-1234-5678"}),
        )
        .await,
    )
    .await;
    let tid = t["id"].as_i64().unwrap();
    let s = app.login("lu.agent", TEST_PASSWORD).await;
    let ticket_page = s
        .get(&format!("/tickets/{tid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(ticket_page.contains(&format!("/customers/{}\">杭州明达贸易有限公司", ids[0])));
    let page = s
        .get(&format!("/customers/{}", ids[0]))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("订货咨询"),
        "the ticket is on the customer's timeline"
    );

    // An unknown caller's ticket is linked by hand from the search list.
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "酒店客房电视", "body": "无信号", "customer_name": "粤海"}),
        )
        .await,
    )
    .await;
    let tid = t["id"].as_i64().unwrap();
    let list = s
        .get(&format!("/customers?q=粤海&link_ticket={tid}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(list.contains("关联到此工单"));
    let res = s
        .post_form(
            &format!("/tickets/{tid}/customer"),
            &[("customer", ids[2].to_string().as_str())],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = s
        .get(&format!("/customers/{}", ids[2]))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("酒店客房电视"));
    let res = s
        .post_form(
            &format!("/tickets/{tid}/customer"),
            &[("customer", "424242")],
        )
        .await;
    assert_eq!(res.status(), 422);
    app.stop().await;
}

/// The customer's last contact as the API gives it.
async fn last_contact(api: &ApiClient, id: i64) -> Option<Timestamp> {
    json_body(api.get(&format!("/api/v1/customers/{id}")).await).await["last_contact_at"]
        .as_str()
        .map(|s| s.parse().unwrap())
}

#[tokio::test]
async fn the_last_contact_follows_every_channel_and_never_moves_back() {
    // 09:00 in Beijing.
    let start: Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..TestOptions::default()
    })
    .await;
    let agent = app.create_user("qin.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let id = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "苏州恒达机电", "contacts": [{"name": "钱经理", "mobile": "13912345678"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(last_contact(&api, id).await, None);
    let hours = |h: i64| start + SignedDuration::from_hours(h);

    // A call logged as a ticket from the contact's mobile.
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "电机异响", "body": "新到的电机有异响", "contact_phone": "13912345678"}),
        )
        .await,
    )
    .await;
    let tid = t["id"].as_i64().unwrap();
    assert_eq!(last_contact(&api, id).await, Some(start));

    // An internal note is no contact; the agent's answer to the customer is.
    clock.set(hours(1));
    let note = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{tid}/messages"),
            &json!({"body": "先查这批电机的批次", "internal": true}),
        )
        .await;
    assert_eq!(note.status(), 201);
    assert_eq!(last_contact(&api, id).await, Some(start));
    clock.set(hours(2));
    let answer = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{tid}/messages"),
            &json!({"body": "已安排工程师明天上门检查", "internal": false}),
        )
        .await;
    assert_eq!(answer.status(), 201);
    assert_eq!(last_contact(&api, id).await, Some(hours(2)));
    let s = app.login("qin.agent", TEST_PASSWORD).await;
    let page = s
        .get(&format!("/customers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("最近联系</dt><dd>2026-03-02 11:00</dd>"),
        "the 360 page shows the answer's time"
    );

    // A complaint received at 09:30, registered at noon: that contact is older, and the
    // last contact does not move back.
    clock.set(hours(3));
    let complaint = |received_at: Option<Timestamp>| {
        let api = &api;
        async move {
            let res = api
                .json(
                    Method::POST,
                    "/api/v1/complaints",
                    &json!({"customer_id": id, "complainant": "钱经理",
                            "content": "上月那批电机返修两次仍有异响",
                            "received_at": received_at.map(|t| t.to_string()),
                            "category": "quality", "severity": "major"}),
                )
                .await;
            assert_eq!(res.status(), 201);
        }
    };
    complaint(Some(start + SignedDuration::from_mins(30))).await;
    assert_eq!(
        last_contact(&api, id).await,
        Some(hours(2)),
        "an older contact does not move it back"
    );
    complaint(None).await;
    assert_eq!(last_contact(&api, id).await, Some(hours(3)));

    // The customer answers from the portal on a ticket linked to them (by the mobile).
    let portal = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = portal
        .post_form(
            "/portal/register",
            &[
                ("email", "qian@hengda.cn"),
                ("name", "钱经理"),
                ("phone", "13912345678"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let requester: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT id FROM portal_customers WHERE email = 'qian@hengda.cn'")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "返修进度", "body": "来电询问返修进度",
                    "contact_phone": "13912345678", "requester_id": requester}),
        )
        .await,
    )
    .await;
    clock.set(hours(4));
    let res = portal
        .post_form(
            &format!("/portal/tickets/{}/reply", t["id"]),
            &[("body", "请问工程师几点到？")],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(last_contact(&api, id).await, Some(hours(4)));
    app.stop().await;
}
