//! SLA on the business calendar: deadlines in working time, the pause while waiting for the
//! customer, the warning before and the escalation after a deadline (once, even when two
//! checks race), attainment, the overdue queue and the notification bell.

use std::sync::Arc;

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_app::Actor;
use kefu_app::ticket::{NewGroup, PolicyForm, TriggerForm};
use kefu_domain::trigger::{Action, TriggerEvent};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::json;

/// Beijing wall time as an instant.
fn bj(s: &str) -> Timestamp {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(TimeZone::get("Asia/Shanghai").unwrap())
        .unwrap()
        .timestamp()
}

fn rfc(s: &str) -> String {
    bj(s).to_string()
}

#[tokio::test]
async fn deadlines_pause_warn_and_escalate_once() {
    // Monday 2 March 2026, 09:00 in Beijing: an ordinary working day.
    let clock = Arc::new(FixedClock::new(bj("2026-03-02T09:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let manager = app.create_user("ma.manager", &[Role::CsManager]).await;
    let agent = app.create_user("he.agent", &[Role::Agent]).await;
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "华东售后组".into(),
                manager_user_id: Some(manager),
                assignment: "manual".into(),
                members: vec![agent],
            },
        )
        .await
        .unwrap();
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let boss = ApiClient::new(&app, &app.token_for(manager).await);

    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "发票抬头开错了", "body": "请重开发票", "group_id": group,
                    "assignee_id": agent, "customer_tier": "vip"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let t = json_body(res).await;
    let id = t["id"].as_i64().unwrap();
    // The standard policy: 120 business minutes to answer, 1170 (three days) to solve.
    assert_eq!(t["sla"]["first_response_due_at"], rfc("2026-03-02T11:00"));
    assert_eq!(t["sla"]["resolution_due_at"], rfc("2026-03-04T18:00"));
    assert_eq!(t["sla"]["next_target"], "first_response");
    assert_eq!(t["customer_tier"], "vip");

    // 10:45: within half an hour of the deadline, the assignee is warned, once.
    clock.set(bj("2026-03-02T10:45"));
    assert_eq!(app.app.run_sla_check().await.unwrap(), (1, 0));
    assert_eq!(app.app.run_sla_check().await.unwrap(), (0, 0));
    let agent_actor = actor_of(&app, agent).await;
    let notes = app.app.notifications(&agent_actor).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, "sla_warning");

    // 11:01: past the deadline before any check has marked it: the overdue queue lists it
    // already, in every order (the marked and the unmarked are read apart).
    clock.set(bj("2026-03-02T11:01"));
    for sort in ["updated", "created", "priority", "due"] {
        let path = format!("/api/v1/tickets?queue=overdue&sort={sort}");
        let overdue = json_body(boss.get(&path).await).await;
        assert_eq!(overdue["tickets"][0]["id"], id, "{sort}");
        assert_eq!(overdue["tickets"].as_array().unwrap().len(), 1, "{sort}");
    }

    // 11:05: the deadline has passed. Two checks race; the manager hears once.
    clock.set(bj("2026-03-02T11:05"));
    let (a, b) = tokio::join!(app.app.run_sla_check(), app.app.run_sla_check());
    let escalations = a.unwrap().1 + b.unwrap().1;
    assert_eq!(escalations, 1);
    let boss_actor = actor_of(&app, manager).await;
    let notes = app.app.notifications(&boss_actor).await.unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0].kind, "sla_breach");
    assert_eq!(notes[0].ticket_id, Some(id));
    let overdue = json_body(boss.get("/api/v1/tickets?queue=overdue").await).await;
    assert_eq!(overdue["tickets"][0]["id"], id);
    assert_eq!(overdue["tickets"][0]["sla"]["first_response_met"], false);
    for sort in ["updated", "created", "priority", "due"] {
        let path = format!("/api/v1/tickets?queue=overdue&sort={sort}");
        let overdue = json_body(boss.get(&path).await).await;
        assert_eq!(
            overdue["tickets"].as_array().unwrap().len(),
            1,
            "{sort}, marked"
        );
    }

    // 11:10: answered late, and now waiting for the customer: the clock pauses.
    clock.set(bj("2026-03-02T11:10"));
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "请提供正确的抬头和税号", "status": "pending_customer"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["ticket"]["sla"]["paused"], true);
    assert!(d["ticket"]["sla"]["resolution_due_at"].is_null());
    assert!(d["ticket"]["sla"]["next_due_at"].is_null());
    assert_eq!(
        d["ticket"]["sla"]["first_response_met"], false,
        "a breach stays a breach"
    );
    let events: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(events.contains(&"sla_warning") && events.contains(&"sla_breach"));
    let overdue = json_body(boss.get("/api/v1/tickets?queue=overdue").await).await;
    assert_eq!(
        overdue["tickets"],
        json!([]),
        "a paused ticket is not overdue"
    );

    // Tuesday 09:00 the customer has answered; the 260 business minutes of waiting
    // (11:10–12:00 and 14:30–18:00 on Monday) move the resolution deadline.
    clock.set(bj("2026-03-03T09:00"));
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "open"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let t = json_body(res).await;
    assert_eq!(t["sla"]["paused"], false);
    assert_eq!(t["sla"]["resolution_due_at"], rfc("2026-03-05T15:50"));

    // Resolved on time: attainment is stored for reports.
    clock.advance(SignedDuration::from_hours(2));
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "resolved"}),
        )
        .await;
    let t = json_body(res).await;
    assert_eq!(t["sla"]["resolution_met"], true);
    assert!(t["sla"]["next_due_at"].is_null());

    // The bell shows the manager's unread notification on every page.
    let s = app.login("ma.manager", kefu_testkit::TEST_PASSWORD).await;
    let page = s.get("/").await.text().await.unwrap();
    assert!(
        page.contains("data-testid=\"unread\">1<"),
        "one unread notification"
    );
    let list = s.get("/notifications").await.text().await.unwrap();
    assert!(list.contains("超时") && list.contains("发票抬头开错了"));
    let res = s
        .post_form(&format!("/notifications/{}/open", notes[0].id), &[])
        .await;
    assert_eq!(res.headers()["location"], format!("/tickets/{id}").as_str());
    let page = s.get("/").await.text().await.unwrap();
    assert!(!page.contains("data-testid=\"unread\""), "read now");
    app.stop().await;
}

#[tokio::test]
async fn urgent_tickets_get_the_urgent_policy_and_changes_recompute() {
    let clock = Arc::new(FixedClock::new(bj("2026-09-30T17:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent = app.create_user("lin.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "生产线停机", "body": "设备报警 E42"}),
        )
        .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    // 30 Sep 2026 is a Wednesday; National Day runs 1–7 Oct; Sat 10 Oct is worked.
    // Standard: 120 minutes = 60 today, then 60 on Thursday 8 Oct.
    assert_eq!(t["sla"]["first_response_due_at"], rfc("2026-10-08T10:00"));
    let t = json_body(
        api.json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "urgent"}),
        )
        .await,
    )
    .await;
    // Urgent: 30 minutes, still inside today's working time.
    assert_eq!(t["sla"]["first_response_due_at"], rfc("2026-09-30T17:30"));
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"customer_tier": "gold"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "unknown_tier");
    app.stop().await;
}

/// Each instance keeps the SLA policies, calendars and triggers between writes; a change
/// made on another instance applies to the very next ticket it writes, new or changed.
#[tokio::test]
async fn set_up_changed_on_one_instance_measures_the_next_write_on_another() {
    // Monday 2 March 2026, 09:00 in Beijing: an ordinary working day.
    let clock = Arc::new(FixedClock::new(bj("2026-03-02T09:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let peer = app.spawn_peer().await;
    let agent = app.create_user("qin.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&peer, &app.token_for(agent).await);
    let create = |subject: &'static str| {
        let api = &api;
        async move {
            let res = api
                .json(
                    Method::POST,
                    "/api/v1/tickets",
                    &json!({"subject": subject, "body": "空调不制冷"}),
                )
                .await;
            assert_eq!(res.status(), 201);
            json_body(res).await
        }
    };
    let system = Actor::system();

    // The peer has read the standard policy: 120 business minutes to answer.
    let first = create("第一张").await;
    assert_eq!(
        first["sla"]["first_response_due_at"],
        rfc("2026-03-02T11:00")
    );

    // Another instance shortens it to 60 minutes: the peer's next new ticket and its next
    // change to an older one are measured by it.
    let standard = app
        .app
        .sla_policies(&system)
        .await
        .unwrap()
        .into_iter()
        .find(|p| p.name == "标准服务")
        .unwrap();
    let form = PolicyForm {
        name: standard.name.clone(),
        position: standard.position,
        ticket_type: None,
        priority: None,
        customer_tier: None,
        calendar_id: standard.calendar_id,
        first_response_minutes: Some(60),
        next_response_minutes: standard.next_response_minutes,
        resolution_minutes: standard.resolution_minutes,
        active: true,
    };
    app.app
        .save_sla_policy(&system, Some(standard.id), &form, None)
        .await
        .unwrap();
    let second = create("第二张").await;
    assert_eq!(
        second["sla"]["first_response_due_at"],
        rfc("2026-03-02T10:00")
    );
    let id = first["id"].as_i64().unwrap();
    let changed = json_body(
        api.json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"priority": "high"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        changed["sla"]["first_response_due_at"],
        rfc("2026-03-02T10:00")
    );

    // Today becomes a holiday: the hour starts counting tomorrow.
    app.app
        .import_holidays(&system, standard.calendar_id, "2026-03-02,holiday,停电检修")
        .await
        .unwrap();
    let third = create("第三张").await;
    assert_eq!(
        third["sla"]["first_response_due_at"],
        rfc("2026-03-03T10:00")
    );

    // A creation trigger added, then switched off, on the other instance.
    let trigger = app
        .app
        .save_trigger(
            &system,
            None,
            &TriggerForm {
                name: "新单打标".into(),
                event: TriggerEvent::Create,
                conditions: Vec::new(),
                actions: vec![Action::AddTag {
                    tag: "规则已更新".into(),
                }],
                active: true,
                position: 10,
            },
            None,
        )
        .await
        .unwrap();
    let tagged = create("第四张").await;
    assert_eq!(tagged["tags"], json!(["规则已更新"]));
    app.app
        .set_trigger_active(&system, trigger, false)
        .await
        .unwrap();
    let untagged = create("第五张").await;
    assert_eq!(untagged["tags"], json!([]));

    peer.stop().await;
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
