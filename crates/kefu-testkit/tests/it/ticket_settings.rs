//! The admin pages around tickets — groups, statuses, custom fields, calendars, SLA
//! policies — and automatic assignment to the members on shift.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_app::Actor;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::json;

fn bj(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

async fn group_id(app: &TestApp, name: &str) -> i64 {
    app.app
        .ticket_groups(&Actor::system())
        .await
        .unwrap()
        .into_iter()
        .find(|g| g.name == name)
        .unwrap()
        .id
}

#[tokio::test]
async fn groups_assign_in_turn_or_by_load_to_members_on_shift() {
    let app = TestApp::spawn().await;
    app.create_user("gu.manager", &[Role::CsManager]).await;
    let a = app.create_user("a.agent", &[Role::Agent]).await;
    let b = app.create_user("b.agent", &[Role::Agent]).await;
    let s = app.login("gu.manager", TEST_PASSWORD).await;

    // A group with round-robin assignment, made on the admin page.
    let (a_s, b_s) = (a.to_string(), b.to_string());
    let res = s
        .post_form(
            "/admin/groups",
            &[
                ("name", "售后一组"),
                ("manager", ""),
                ("assignment", "round_robin"),
                ("members", &a_s),
                ("members", &b_s),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = s.get("/admin/ticket-settings").await.text().await.unwrap();
    assert!(page.contains("售后一组") && page.contains("轮流分配"));
    let group = group_id(&app, "售后一组").await;

    let api = ApiClient::new(&app, &app.token_for(a).await);
    let mut assignees = Vec::new();
    for i in 0..4 {
        let t = json_body(
            api.json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": format!("退货 {i}"), "body": "申请退货", "group_id": group}),
            )
            .await,
        )
        .await;
        assignees.push(t["assignee_id"].as_i64().unwrap());
    }
    assert_eq!(assignees, [a, b, a, b]);

    // B goes off shift on the queue page: everything goes to A.
    let b_session = app.login("b.agent", TEST_PASSWORD).await;
    assert!(
        b_session
            .get("/tickets")
            .await
            .text()
            .await
            .unwrap()
            .contains("在班")
    );
    let res = b_session
        .post_form("/tickets/shift", &[("on", "0"), ("return", "queue=mine")])
        .await;
    assert_eq!(res.status(), 303);
    assert!(
        b_session
            .get("/tickets")
            .await
            .text()
            .await
            .unwrap()
            .contains("不在班")
    );
    let b_actor = actor_of(&app, b).await;
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "退货 4", "body": "x", "group_id": group}),
        )
        .await,
    )
    .await;
    assert_eq!(t["assignee_id"], a);

    // Least open: B back on shift has 2 open tickets, A has 3 — B gets the next one.
    app.app.set_on_shift(&b_actor, true).await.unwrap();
    let res = s
        .post_form(
            &format!("/admin/groups/{group}"),
            &[
                ("name", "售后一组"),
                ("manager", ""),
                ("assignment", "least_open"),
                ("members", &a_s),
                ("members", &b_s),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "退货 5", "body": "x", "group_id": group}),
        )
        .await,
    )
    .await;
    assert_eq!(t["assignee_id"], b);

    // Bad input on the group form comes back explained.
    let res = s
        .post_form(
            "/admin/groups",
            &[("name", "售后一组"), ("assignment", "manual")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("该名称已被使用"));
    let res = s
        .post_form(
            "/admin/groups",
            &[("name", "二组"), ("assignment", "lottery")],
        )
        .await;
    assert_eq!(res.status(), 422);

    // Agents may not reach the settings.
    let agent = app.login("a.agent", TEST_PASSWORD).await;
    assert_eq!(agent.get("/admin/ticket-settings").await.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn statuses_and_custom_fields_are_managed_on_the_settings_page() {
    let app = TestApp::spawn().await;
    app.create_user("qi.admin", &[Role::Admin]).await;
    let s = app.login("qi.admin", TEST_PASSWORD).await;

    let res = s
        .post_form(
            "/admin/ticket-settings/statuses",
            &[
                ("key", "waiting_parts"),
                ("category", "pending_internal"),
                ("name_zh", "等待备件"),
                ("name_en", "Waiting for parts"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = s
        .post_form(
            "/admin/ticket-settings/statuses",
            &[
                ("key", "Bad Key"),
                ("category", "open"),
                ("name_zh", "坏"),
                ("name_en", "Bad"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("字段标识"), "the key rule is explained");
    assert!(
        body.contains("value=\"Bad Key\""),
        "what was typed comes back"
    );

    let res = s
        .post_form(
            "/admin/ticket-settings/fields",
            &[
                ("key", "region"),
                ("label", "区域"),
                ("kind", "choice"),
                ("options", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("至少需要一个选项"));
    let res = s
        .post_form(
            "/admin/ticket-settings/fields",
            &[
                ("key", "region"),
                ("label", "区域"),
                ("kind", "choice"),
                ("options", "华东\n华南\n华北"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The new status and field are usable on tickets at once.
    let agent = app.create_user("ba.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let t = json_body(
        api.json(Method::POST, "/api/v1/tickets", &json!({"subject": "空调压缩机故障", "body": "需要更换压缩机", "fields": {"region": "华南"}}))
            .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "waiting_parts"}),
        )
        .await;
    let t = json_body(res).await;
    assert_eq!(t["status"], "waiting_parts");
    assert_eq!(t["status_category"], "pending_internal");
    let pending = json_body(api.get("/api/v1/tickets?queue=pending").await).await;
    assert_eq!(
        pending["tickets"][0]["id"], id,
        "an own status works in the category's queue"
    );
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    assert!(page.contains("等待备件") && page.contains("华南"));

    // Retiring the field hides it from new tickets.
    let fid = app.app.ticket_fields(&Actor::system()).await.unwrap()[0].id;
    let res = s
        .post_form(
            &format!("/admin/ticket-settings/fields/{fid}/active"),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let form = s.get("/tickets/new").await.text().await.unwrap();
    assert!(!form.contains("cf_region"));
    app.stop().await;
}

#[tokio::test]
async fn calendars_and_policies_are_edited_and_drive_deadlines() {
    // Friday 6 March 2026, 17:00 in Beijing.
    let clock = Arc::new(FixedClock::new(bj("2026-03-06T17:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    app.create_user("fang.manager", &[Role::CsManager]).await;
    let s = app.login("fang.manager", TEST_PASSWORD).await;

    // The standard calendar ships with the holidays.
    let page = s.get("/admin/sla").await.text().await.unwrap();
    assert!(
        page.contains("标准工作日历") && page.contains("紧急工单") && page.contains("标准服务")
    );

    // A key-account desk that also works Saturday mornings.
    let week = [
        ("week_mon", "09:00-12:00, 14:30-18:00"),
        ("week_tue", "09:00-12:00, 14:30-18:00"),
        ("week_wed", "09:00-12:00, 14:30-18:00"),
        ("week_thu", "09:00-12:00, 14:30-18:00"),
        ("week_fri", "09:00-12:00, 14:30-18:00"),
        ("week_sat", "9-12"),
        ("week_sun", ""),
    ];
    let mut fields = vec![("name", "大客户日历"), ("time_zone", "Asia/Shanghai")];
    fields.extend_from_slice(&week);
    let res = s.post_form("/admin/calendars", &fields).await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("工作时段“9-12”"), "the bad period is named");
    fields[7] = ("week_sat", "09:00-12:00");
    let res = s.post_form("/admin/calendars", &fields).await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let cal_id: i64 = location
        .trim_start_matches("/admin/calendars/")
        .parse()
        .unwrap();

    // A holiday list with one bad line imports nothing and names the line.
    let res = s
        .post_form(
            &format!("{location}/holidays"),
            &[(
                "holidays",
                "2026-03-07,holiday,公司年会\n2026-13-01,holiday,坏日期",
            )],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("第 2 行"));
    let cals = app.app.calendars(&Actor::system()).await.unwrap();
    assert!(
        cals.iter()
            .find(|c| c.id == cal_id)
            .unwrap()
            .days
            .is_empty()
    );
    let res = s
        .post_form(
            &format!("{location}/holidays"),
            &[(
                "holidays",
                "日期,类型,名称\n2026-04-04..2026-04-06,休,清明节\n2026-03-14,holiday,公司年会",
            )],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("已导入 4 天"));

    // A policy for key accounts on that calendar, tried first.
    let cal = cal_id.to_string();
    let res = s
        .post_form(
            "/admin/sla/policies",
            &[
                ("name", "大客户"),
                ("position", "1"),
                ("customer_tier", "key_account"),
                ("calendar", &cal),
                ("first_response", "60"),
                ("next_response", ""),
                ("resolution", "600"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let res = s
        .post_form(
            "/admin/sla/policies",
            &[
                ("name", "坏策略"),
                ("calendar", &cal),
                ("first_response", "-5"),
                ("active", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("1–525600"));

    let agent = app.create_user("wei.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let key = json_body(
        api.json(Method::POST, "/api/v1/tickets", &json!({"subject": "年度框架协议续签", "body": "请安排", "customer_tier": "key_account"}))
            .await,
    )
    .await;
    // Friday 17:00 + 60: an hour later on Friday... which ends at 18:00 exactly.
    assert_eq!(
        key["sla"]["first_response_due_at"],
        bj("2026-03-06T18:00").to_string()
    );
    let key2 = json_body(
        api.json(Method::POST, "/api/v1/tickets", &json!({"subject": "补充报价", "body": "请安排", "customer_tier": "key_account", "priority": "high"}))
            .await,
    )
    .await;
    assert_eq!(key2["sla"]["policy_id"], key["sla"]["policy_id"]);
    // Resolution 600 minutes: 60 on Friday, 180 on Saturday morning, then Monday 360.
    assert_eq!(
        key["sla"]["resolution_due_at"],
        bj("2026-03-09T17:30").to_string()
    );
    let normal = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "发票", "body": "请寄", "customer_tier": "normal"}),
        )
        .await,
    )
    .await;
    // The standard calendar has no Saturday: 60 on Friday, 60 on Monday.
    assert_eq!(
        normal["sla"]["first_response_due_at"],
        bj("2026-03-09T10:00").to_string()
    );
    app.stop().await;
}

async fn actor_of(app: &TestApp, id: i64) -> Actor {
    let user = app.app.get_user(&Actor::system(), id).await.unwrap();
    Actor::user(
        kefu_domain::CurrentUser {
            id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            roles: user.roles.clone(),
            grants: Default::default(),
            locale: user.locale,
            must_change_password: false,
        },
        None,
    )
}
