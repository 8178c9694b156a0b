//! Triggers: on create, on update and on time; conditions on ticket fields; actions that
//! assign, set, tag, notify, reply and escalate; no loops; a trigger that cannot run
//! changes nothing and says why.

use std::sync::Arc;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use kefu_app::Actor;
use kefu_app::ticket::{NewField, NewGroup};
use kefu_domain::ticket::FieldKind;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

fn bj(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

/// Saves a trigger through the admin form; `rows` are the form's fields.
async fn save_trigger(s: &Session, rows: &[(&str, &str)]) -> reqwest::Response {
    s.post_form("/admin/triggers", rows).await
}

async fn script_id(app: &TestApp, title: &str) -> i64 {
    app.app
        .scripts(
            &Actor::system(),
            kefu_domain::kb::ScriptStatus::Approved,
            None,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.script.title == title)
        .unwrap()
        .script
        .id
}

async fn ticket(api: &ApiClient, body: Value) -> Value {
    let res = api.json(Method::POST, "/api/v1/tickets", &body).await;
    assert_eq!(res.status(), 201);
    let id = json_body(res).await["id"].as_i64().unwrap();
    json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await
}

#[tokio::test]
async fn a_create_trigger_routes_tags_notifies_and_answers() {
    let app = TestApp::spawn().await;
    let manager = app
        .create_user("du.manager", &[Role::CsManager, Role::Admin])
        .await;
    let agent = app.create_user("fu.agent", &[Role::Agent]).await;
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "质量投诉组".into(),
                manager_user_id: Some(manager),
                assignment: "manual".into(),
                members: vec![agent],
            },
        )
        .await
        .unwrap();
    let greeting = script_id(&app, "首次问候").await;
    let s = app.login("du.manager", TEST_PASSWORD).await;
    let (g, sc) = (format!("group:{group}"), format!("script:{greeting}"));
    let res = save_trigger(
        &s,
        &[
            ("name", "质量投诉转质量组"),
            ("event", "create"),
            ("position", "10"),
            ("active", "1"),
            ("c0_field", "type"),
            ("c0_op", "is"),
            ("c0_value", "complaint"),
            ("c1_field", "subject"),
            ("c1_op", "contains"),
            ("c1_value", "质量"),
            ("a0_action", "set_priority"),
            ("a0_target", "priority:urgent"),
            ("a1_action", "add_tag"),
            ("a1_text", "质量问题"),
            ("a2_action", "set_group"),
            ("a2_target", &g),
            ("a3_action", "notify"),
            ("a3_target", "to:group_manager"),
            ("a3_text", "新的质量投诉，请尽快安排"),
            ("a4_action", "reply_with_script"),
            ("a4_target", &sc),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let list = s.get("/admin/triggers").await.text().await.unwrap();
    assert!(
        list.contains("质量投诉转质量组") && list.contains("标题 包含 质量"),
        "described in words"
    );

    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let d = ticket(&api, json!({"type": "complaint", "subject": "产品存在质量问题", "body": "外壳开裂", "contact_name": "孙先生"})).await;
    assert_eq!(d["ticket"]["priority"], "urgent");
    assert_eq!(d["ticket"]["tags"], json!(["质量问题"]));
    assert_eq!(d["ticket"]["group_id"], group);
    // Urgent now: the urgent SLA policy applies.
    assert_eq!(d["ticket"]["sla"]["policy_id"], 1);
    let reply = &d["messages"][1];
    assert_eq!(reply["author_kind"], "system");
    assert!(reply["body"].as_str().unwrap().starts_with("孙先生您好"));
    assert!(
        d["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["actor_name"] == "trigger:质量投诉转质量组" && e["field"] == "priority")
    );
    let boss = app.app.get_user(&Actor::system(), manager).await.unwrap();
    let boss = Actor::user(
        kefu_domain::CurrentUser {
            id: manager,
            username: boss.username,
            display_name: boss.display_name,
            roles: boss.roles,
            grants: Default::default(),
            locale: boss.locale,
            must_change_password: false,
        },
        None,
    );
    let notes = app.app.notifications(&boss).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.kind == "trigger" && n.params.contains("新的质量投诉"))
    );

    // A ticket that does not match is left alone.
    let d = ticket(
        &api,
        json!({"type": "inquiry", "subject": "产品存在质量问题", "body": "咨询"}),
    )
    .await;
    assert_eq!(d["ticket"]["priority"], "normal");
    assert_eq!(d["messages"].as_array().unwrap().len(), 1);

    // The staff page names the trigger as the actor.
    let page = s
        .get(&format!(
            "/tickets/{}",
            d["ticket"]["id"].as_i64().unwrap() - 1
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("触发器 · 质量投诉转质量组"));
    app.stop().await;
}

#[tokio::test]
async fn triggers_cannot_loop_and_update_triggers_see_changes() {
    let app = TestApp::spawn().await;
    app.create_user("ye.admin", &[Role::Admin]).await;
    let agent = app.create_user("ke.agent", &[Role::Agent]).await;
    let s = app.login("ye.admin", TEST_PASSWORD).await;
    // Two triggers that would undo each other forever if changes re-fired triggers.
    for (name, op, action) in [
        ("加标签", "absent", "add_tag"),
        ("去标签", "present", "remove_tag"),
    ] {
        let res = save_trigger(
            &s,
            &[
                ("name", name),
                ("event", "update"),
                ("active", "1"),
                ("c0_field", "tag"),
                ("c0_op", op),
                ("a0_action", action),
                ("a0_text", "跟进"),
            ],
        )
        .await;
        assert_eq!(res.status(), 303, "{name}");
    }
    // Raising the priority to urgent escalates to the manager.
    let res = save_trigger(
        &s,
        &[
            ("name", "紧急即升级"),
            ("event", "update"),
            ("active", "1"),
            ("c0_field", "priority"),
            ("c0_op", "changed"),
            ("c1_field", "priority"),
            ("c1_op", "is"),
            ("c1_value", "urgent"),
            ("a0_action", "notify"),
            ("a0_target", "to:assignee"),
            ("a0_text", "已转为紧急"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);

    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let d = ticket(
        &api,
        json!({"subject": "发货延迟", "body": "什么时候发货", "assignee_id": agent}),
    )
    .await;
    let id = d["ticket"]["id"].as_i64().unwrap();
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "urgent"}),
        )
        .await;
    assert_eq!(res.status(), 200, "the update finishes");
    let t = json_body(res).await;
    assert_eq!(
        t["tags"],
        json!([]),
        "added by one trigger, removed by the next, once"
    );
    let triggers = app.app.triggers(&Actor::system()).await.unwrap();
    let fired: Vec<(String, i64)> = triggers
        .iter()
        .map(|t| (t.row.name.clone(), t.row.fire_count))
        .collect();
    assert_eq!(
        fired,
        [
            ("加标签".to_owned(), 1),
            ("去标签".to_owned(), 1),
            ("紧急即升级".to_owned(), 1)
        ]
    );
    // A second change that does not touch the priority does not escalate again.
    api.json(
        Method::PATCH,
        &format!("/api/v1/tickets/{id}"),
        &json!({"subject": "发货延迟（加急）"}),
    )
    .await;
    let triggers = app.app.triggers(&Actor::system()).await.unwrap();
    assert_eq!(triggers[2].row.fire_count, 1);
    app.stop().await;
}

#[tokio::test]
async fn a_time_trigger_closes_tickets_left_waiting_for_three_business_days_once() {
    // Monday 2 March 2026, 10:00.
    let clock = Arc::new(FixedClock::new(bj("2026-03-02T10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    app.create_user("lv.admin", &[Role::Admin]).await;
    let agent = app.create_user("mo.agent", &[Role::Agent]).await;
    let s = app.login("lv.admin", TEST_PASSWORD).await;
    let closing = script_id(&app, "结束语").await;
    let sc = format!("script:{closing}");
    // Three working days of 6.5 hours each.
    let res = save_trigger(
        &s,
        &[
            ("name", "三个工作日未回复自动关闭"),
            ("event", "time"),
            ("active", "1"),
            ("c0_field", "category"),
            ("c0_op", "is"),
            ("c0_value", "pending_customer"),
            ("c1_field", "business_hours_in_status"),
            ("c1_op", "at_least"),
            ("c1_value", "19.5"),
            ("a0_action", "reply_with_script"),
            ("a0_target", &sc),
            ("a1_action", "set_status"),
            ("a1_target", "status:closed"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let d = ticket(
        &api,
        json!({"subject": "发票寄送地址", "body": "请寄到公司", "contact_name": "吴会计"}),
    )
    .await;
    let id = d["ticket"]["id"].as_i64().unwrap();
    api.json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/messages"),
        &json!({"body": "请提供收件人电话", "status": "pending_customer"}),
    )
    .await;

    // Thursday 09:00 is only 2 business days and 6.5 hours… not yet (10:00 Mon → 09:00 Thu).
    clock.set(bj("2026-03-05T09:00"));
    assert_eq!(app.app.run_time_triggers().await.unwrap(), 0);
    // Thursday 10:00: three full working days.
    clock.set(bj("2026-03-05T10:00"));
    assert_eq!(app.app.run_time_triggers().await.unwrap(), 1);
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["ticket"]["status"], "closed");
    assert!(
        d["messages"].as_array().unwrap().last().unwrap()["body"]
            .as_str()
            .unwrap()
            .starts_with("吴会计您好，您的问题已处理完毕")
    );
    // Once only.
    clock.set(bj("2026-03-06T10:00"));
    assert_eq!(app.app.run_time_triggers().await.unwrap(), 0);
    app.stop().await;
}

#[tokio::test]
async fn triggers_naming_retired_fields_change_nothing_and_say_why() {
    let app = TestApp::spawn().await;
    app.create_user("ren.admin", &[Role::Admin]).await;
    let agent = app.create_user("xu.agent", &[Role::Agent]).await;
    let field = app
        .app
        .create_field(
            &Actor::system(),
            &NewField {
                key: "region".into(),
                label: "区域".into(),
                kind: FieldKind::Text,
                options: String::new(),
            },
        )
        .await
        .unwrap();
    let s = app.login("ren.admin", TEST_PASSWORD).await;
    let res = save_trigger(
        &s,
        &[
            ("name", "标记区域"),
            ("event", "create"),
            ("active", "1"),
            ("a0_action", "add_tag"),
            ("a0_text", "已标记"),
            ("a1_action", "set_field"),
            ("a1_target", "field:region"),
            ("a1_text", "华东"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    // Bad rows are named.
    let res = save_trigger(
        &s,
        &[
            ("name", "坏"),
            ("event", "create"),
            ("a0_action", "assign"),
            ("a0_target", "priority:high"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("第 1 个动作不完整"));
    let res = save_trigger(
        &s,
        &[
            ("name", "坏"),
            ("event", "create"),
            ("c0_field", "custom:colour"),
            ("c0_op", "is"),
            ("c0_value", "红"),
            ("a0_action", "escalate"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let res = save_trigger(
        &s,
        &[
            ("name", "坏"),
            ("event", "create"),
            ("c0_field", "hours_in_status"),
            ("c0_op", "at_least"),
            ("c0_value", "3"),
            ("a0_action", "escalate"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("时长条件只能用于定时触发器")
    );

    app.app
        .set_field_active(&Actor::system(), field, false)
        .await
        .unwrap();
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let d = ticket(&api, json!({"subject": "咨询", "body": "价格"})).await;
    assert_eq!(d["ticket"]["tags"], json!([]), "no half of the trigger ran");
    assert_eq!(d["fields"], json!({}));
    let list = s.get("/admin/triggers").await.text().await.unwrap();
    assert!(list.contains("最近一次未能执行") && list.contains("region"));
    app.stop().await;
}
