//! 排班 — rosters: the manager sets an agent's week and dated changes; follow-up visits are
//! slotted on the agent's shift (and slotted again when the roster changes), an owner not
//! rostered in a visit's window leaves it to the group, and tickets are not assigned to a
//! signed-in agent off their roster or on leave. Holidays and make-up days of the company
//! calendar apply. Bad rosters are refused with the reason, nothing stored.

use std::sync::Arc;

use jiff::Timestamp;
use kefu_app::Actor;
use kefu_app::ticket::NewGroup;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

/// The slots of the visits `api` sees this month (everyone's for the manager), as
/// (customer id, agent id, slot).
async fn slots(api: &ApiClient) -> Vec<(i64, Option<i64>, Option<String>)> {
    let mut list = json_body(
        api.get("/api/v1/follow-ups?scope=all&until=2026-12-31")
            .await,
    )
    .await;
    if list.get("error").is_some() {
        list = json_body(api.get("/api/v1/follow-ups?until=2026-12-31").await).await;
    }
    let mut v: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["customer_id"].as_i64().unwrap(),
                v["agent_id"].as_i64(),
                v["slot_at"].as_str().map(|s| {
                    let at: Timestamp = s.parse().unwrap();
                    at.to_string()
                }),
            )
        })
        .collect();
    v.sort();
    v
}

/// Beijing wall time as the UTC instant the API prints.
fn bj(s: &str) -> Option<String> {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    Some(dt.in_tz("Asia/Shanghai").unwrap().timestamp().to_string())
}

/// One person's days in the roster week: (date, periods, source).
fn days_of(week: &Value, user: i64) -> Vec<(String, Vec<String>, String)> {
    let line = week["staff"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["user_id"] == user)
        .unwrap_or_else(|| panic!("{user} not in {week}"));
    line["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_owned(),
                d["periods"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| p.as_str().unwrap().to_owned())
                    .collect(),
                d["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn day(date: &str, periods: &[&str], source: &str) -> (String, Vec<String>, String) {
    (
        date.to_owned(),
        periods.iter().map(|p| (*p).to_owned()).collect(),
        source.to_owned(),
    )
}

#[tokio::test]
async fn visits_and_tickets_follow_the_agents_roster() {
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let manager_id = app.create_user("pai.ban.jingli", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let late_id = app.create_user("wan.ban", &[Role::Agent]).await;
    let late = ApiClient::new(&app, &app.token_for(late_id).await);
    let plain_id = app.create_user("chang.ban", &[Role::Agent]).await;
    let plain = ApiClient::new(&app, &app.token_for(plain_id).await);
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "排班一组".into(),
                manager_user_id: Some(manager_id),
                assignment: "round_robin".into(),
                members: vec![late_id, plain_id],
            },
        )
        .await
        .unwrap();

    // Bad rosters and changes: refused with the reason, nothing stored.
    let week_of = |days: &[&str]| json!({ "week": days });
    let late_week = [
        "",
        "13:00-21:00",
        "13:00-21:00",
        "13:00-21:00",
        "13:00-21:00",
        "13:00-21:00",
        "休",
    ];
    let path = format!("/api/v1/shifts/{late_id}");
    let refused = [
        (
            &manager,
            Method::PUT,
            path.clone(),
            week_of(&late_week[..6]),
            422,
            "shift_week_length",
        ),
        (
            &manager,
            Method::PUT,
            path.clone(),
            week_of(&["18:00-09:00", "", "", "", "", "", ""]),
            422,
            "shift_bad_period",
        ),
        (
            &manager,
            Method::PUT,
            path.clone(),
            week_of(&["", "", "09:00-13:00, 12:00-18:00", "", "", "", ""]),
            422,
            "shift_overlapping",
        ),
        (
            &late,
            Method::PUT,
            path.clone(),
            week_of(&late_week),
            403,
            "forbidden",
        ),
        (
            &manager,
            Method::PUT,
            "/api/v1/shifts/999999".to_owned(),
            week_of(&late_week),
            404,
            "not_found",
        ),
        (
            &manager,
            Method::PUT,
            format!("{path}/changes/2026-12-02"),
            json!({"periods": "09:00-12:00"}),
            422,
            "shift_past",
        ),
        (
            &manager,
            Method::PUT,
            format!("{path}/changes/2027-12-05"),
            json!({"periods": ""}),
            422,
            "shift_too_far",
        ),
        (
            &manager,
            Method::PUT,
            format!("{path}/changes/2026-12-04"),
            json!({"periods": "", "note": "长".repeat(201)}),
            422,
            "shift_note_too_long",
        ),
        (
            &manager,
            Method::PUT,
            format!("{path}/changes/2026-13-04"),
            json!({"periods": ""}),
            400,
            "invalid_field",
        ),
        (
            &manager,
            Method::DELETE,
            format!("{path}/changes/2026-12-04"),
            Value::Null,
            404,
            "not_found",
        ),
    ];
    for (api, method, path, body, status, want) in refused {
        let (s, e) = send(api, method, &path, &body).await;
        assert_eq!((s, code(&e)), (status, Some(want)), "{path} {body} {e}");
    }
    let week = json_body(manager.get("/api/v1/shifts?week=2026-12-03").await).await;
    assert_eq!(week["starts_on"], "2026-11-30");
    let company = ["09:00-12:00", "14:30-18:00"];
    assert_eq!(
        days_of(&week, late_id)[3],
        day("2026-12-03", &company, "week"),
        "nothing stored: the company's hours"
    );
    assert_eq!(
        week["staff"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["user_id"] == late_id)
            .unwrap()["own_week"],
        false
    );

    // The late shift: Tuesday to Saturday 13:00–21:00, Monday and Sunday off.
    let (s, r) = send(&manager, Method::PUT, &path, &week_of(&late_week)).await;
    assert_eq!((s, r["visits_reslotted"].clone()), (200, json!(0)), "{r}");
    let week = json_body(manager.get("/api/v1/shifts?week=2026-12-03").await).await;
    let late_days = days_of(&week, late_id);
    assert_eq!(late_days[0], day("2026-11-30", &[], "week"));
    assert_eq!(late_days[3], day("2026-12-03", &["13:00-21:00"], "week"));
    assert_eq!(late_days[5], day("2026-12-05", &["13:00-21:00"], "week"));
    assert_eq!(late_days[6], day("2026-12-06", &[], "week"));
    assert_eq!(days_of(&week, plain_id)[5], day("2026-12-05", &[], "week"));
    // Each agent sees only their own line.
    let own = json_body(plain.get("/api/v1/shifts").await).await;
    assert_eq!(own["staff"].as_array().unwrap().len(), 1, "{own}");
    assert_eq!(own["staff"][0]["user_id"], plain_id);

    // National Day is a holiday for everyone; Saturday 10 October, a make-up day, is worked
    // on the roster's ordinary day (Tuesday's hours).
    let october = json_body(manager.get("/api/v1/shifts?week=2026-10-01").await).await;
    assert_eq!(october["day_kinds"][3], "holiday", "{october}");
    assert_eq!(
        days_of(&october, late_id)[3],
        day("2026-10-01", &[], "holiday")
    );
    let make_up = json_body(manager.get("/api/v1/shifts?week=2026-10-10").await).await;
    assert_eq!(make_up["day_kinds"][5], "workday");
    assert_eq!(
        days_of(&make_up, late_id)[5],
        day("2026-10-10", &["13:00-21:00"], "make_up")
    );
    assert_eq!(
        days_of(&make_up, plain_id)[5],
        day("2026-10-10", &company, "make_up")
    );

    // Visits: each owner's customer, planned at 10:00 on Thursday. The late agent's visit
    // is slotted at 14:30, where the company's calling hours meet their shift; the other's
    // at once.
    let (s, r) = send(
        &manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        &json!({"name": "普通客户每月回访", "tier": "normal", "every_months": 1,
                "group_id": group}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let customer = |name: &'static str, owner: i64| {
        let manager = &manager;
        async move {
            let (s, c) = send(
                manager,
                Method::POST,
                "/api/v1/customers",
                &json!({"name": name, "tier": "normal", "owner_id": owner,
                        "contacts": [{"name": "赵经理", "mobile": "13912340000"}]}),
            )
            .await;
            assert_eq!(s, 201, "{c}");
            c["id"].as_i64().unwrap()
        }
    };
    let late_customer = customer("晚班客服的客户", late_id).await;
    let plain_customer = customer("常班客服的客户", plain_id).await;
    app.app.run_follow_up_plan().await.unwrap();
    assert_eq!(
        slots(&manager).await,
        vec![
            (late_customer, Some(late_id), bj("2026-12-03T14:30")),
            (plain_customer, Some(plain_id), bj("2026-12-03T10:00")),
        ]
    );

    // Off on Thursday (调班): the visit moves to Friday afternoon; removing the change
    // brings it back.
    let (s, r) = send(
        &manager,
        Method::PUT,
        &format!("{path}/changes/2026-12-03"),
        &json!({"periods": "休", "note": "换休"}),
    )
    .await;
    assert_eq!((s, r["visits_reslotted"].clone()), (200, json!(1)), "{r}");
    assert_eq!(
        slots(&late).await,
        vec![(late_customer, Some(late_id), bj("2026-12-04T14:30"))]
    );
    let week = json_body(manager.get("/api/v1/shifts").await).await;
    assert_eq!(days_of(&week, late_id)[3], day("2026-12-03", &[], "change"));
    // A morning on Friday instead: 09:00–12:00 meets the calling hours at once.
    let (s, _) = send(
        &manager,
        Method::PUT,
        &format!("{path}/changes/2026-12-04"),
        &json!({"periods": "08:00-11:00"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        slots(&late).await,
        vec![(late_customer, Some(late_id), bj("2026-12-04T09:00"))]
    );
    for date in ["2026-12-03", "2026-12-04"] {
        let (s, _) = send(
            &manager,
            Method::DELETE,
            &format!("{path}/changes/{date}"),
            &Value::Null,
        )
        .await;
        assert_eq!(s, 200);
    }
    assert_eq!(
        slots(&late).await,
        vec![(late_customer, Some(late_id), bj("2026-12-03T14:30"))]
    );

    // Tickets at 10:00: the late agent is signed in but off their roster, so the group's
    // turn goes to the other; at 14:00 both take turns.
    let ticket = |i: i32| {
        let plain = &plain;
        async move {
            let t = json_body(
                plain
                    .json(
                        Method::POST,
                        "/api/v1/tickets",
                        &json!({"subject": format!("咨询 {i}"), "body": "x", "group_id": group}),
                    )
                    .await,
            )
            .await;
            t["assignee_id"].as_i64()
        }
    };
    assert_eq!(ticket(1).await, Some(plain_id));
    assert_eq!(ticket(2).await, Some(plain_id));
    clock.set("2026-12-03T06:00:00Z".parse().unwrap());
    let mut turns = vec![ticket(3).await, ticket(4).await];
    turns.sort();
    assert_eq!(turns, vec![Some(late_id), Some(plain_id)]);
    // The other on sick leave today: everything to the late agent, and the roster week
    // shows the leave.
    let (s, r) = send(
        &manager,
        Method::POST,
        "/api/v1/absences",
        &json!({"user_id": plain_id, "starts_on": "2026-12-03", "ends_on": "2026-12-03",
                "reason": "病假"}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(app.notified("absence_recorded", Some(plain_id)).await, 1);
    assert_eq!(ticket(5).await, Some(late_id));
    assert_eq!(ticket(6).await, Some(late_id));
    let week = json_body(manager.get("/api/v1/shifts").await).await;
    assert_eq!(days_of(&week, plain_id)[3], day("2026-12-03", &[], "leave"));

    // A week with no working day: the owner is not rostered in the window, so a new
    // customer's visit waits in the group; their planned one has no slot left.
    let none = ["", "", "", "", "", "", ""];
    let (s, r) = send(&manager, Method::PUT, &path, &week_of(&none)).await;
    assert_eq!((s, r["visits_reslotted"].clone()), (200, json!(1)), "{r}");
    let newer = customer("晚班客服的新客户", late_id).await;
    app.app.run_follow_up_plan().await.unwrap();
    let all = slots(&manager).await;
    assert!(
        all.contains(&(late_customer, Some(late_id), None)),
        "{all:?}"
    );
    assert!(
        all.iter()
            .any(|(c, agent, slot)| *c == newer && agent.is_none() && slot.is_some()),
        "{all:?}"
    );
    // Back to the company's hours.
    let (s, r) = send(&manager, Method::DELETE, &path, &Value::Null).await;
    assert_eq!((s, r["visits_reslotted"].clone()), (200, json!(1)), "{r}");
    assert_eq!(
        slots(&late)
            .await
            .into_iter()
            .find(|v| v.0 == late_customer),
        Some((late_customer, Some(late_id), bj("2026-12-03T14:30")))
    );
}

#[tokio::test]
async fn the_roster_page_shows_the_week_and_the_manager_sets_it() {
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    app.create_user("pai.ban.page", &[Role::CsManager]).await;
    let agent = app.create_user("zao.ban", &[Role::Agent]).await;
    let boss = app.login("pai.ban.page", TEST_PASSWORD).await;

    let page = boss.get("/shifts").await.text().await.unwrap();
    assert!(page.contains("排班表"), "{page}");
    assert!(page.contains("data-week=\"2026-11-30\""), "{page}");
    assert!(page.contains(&format!("data-user=\"{agent}\"")));
    assert!(page.contains("按公司工作时间"));

    // The week form: a refusal in words with what was typed kept.
    let page = boss
        .get(&format!("/shifts?week=2026-12-03&edit={agent}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"week-form\""), "{page}");
    let a = agent.to_string();
    let mut fields = vec![
        ("week", "2026-11-30"),
        ("user_id", a.as_str()),
        ("d0", "08:00-16:00"),
        ("d1", "08:00-16:00"),
        ("d2", "八点到四点"),
        ("d3", "08:00-16:00"),
        ("d4", "08:00-16:00"),
        ("d5", ""),
        ("d6", ""),
    ];
    let res = boss.post_form("/shifts/week", &fields).await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("“八点到四点”不是时段"), "{html}");
    assert!(html.contains("value=\"八点到四点\""), "kept");
    fields[4] = ("d2", "08:00-16:00");
    let res = boss.post_form("/shifts/week", &fields).await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/shifts?week=2026-11-30&saved=0");
    let html = boss.get(&to).await.text().await.unwrap();
    assert!(html.contains("已保存；0 次回访"), "{html}");
    assert_eq!(html.matches("08:00-16:00").count(), 5, "{html}");

    // A change on Friday: overlapping periods refused in words, then a duty morning.
    let change = |periods: &'static str| {
        let a = a.clone();
        let boss = &boss;
        async move {
            boss.post_form(
                "/shifts/changes",
                &[
                    ("week", "2026-11-30"),
                    ("user_id", a.as_str()),
                    ("date", "2026-12-04"),
                    ("periods", periods),
                    ("note", "顶班"),
                ],
            )
            .await
        }
    };
    let res = change("08:00-12:00, 11:00-13:00").await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("2026-12-04 的时段有重叠"), "{html}");
    let res = change("07:00-11:00").await;
    assert_eq!(res.status(), 303);
    let html = boss
        .get("/shifts?week=2026-11-30")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-source=\"change\" title=\"顶班\">07:00-11:00"),
        "{html}"
    );
    assert_eq!(html.matches("data-testid=\"change-row\"").count(), 1);
    let res = boss
        .post_form(
            "/shifts/changes",
            &[
                ("week", "2026-11-30"),
                ("user_id", a.as_str()),
                ("date", "2026-12-04"),
                ("clear", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = boss.get("/shifts").await.text().await.unwrap();
    assert_eq!(html.matches("data-testid=\"change-row\"").count(), 0);

    // The agent was told of each change, and a notification opens the week it is about.
    assert_eq!(app.notified("shift_week_changed", Some(agent)).await, 1);
    assert_eq!(app.notified("shift_day_changed", Some(agent)).await, 2);
    let own = app.login("zao.ban", TEST_PASSWORD).await;
    let bell = own.get("/notifications").await.text().await.unwrap();
    assert!(
        bell.contains("测试 pai.ban.page 调整了你 2026-12-04 的排班（调班）"),
        "{bell}"
    );
    let marker = "action=\"/notifications/";
    let text = bell.find("调整了你的每周排班").unwrap();
    let at = bell[..text].rfind(marker).expect("its form") + marker.len();
    let id = &bell[at..at + bell[at..].find('/').unwrap()];
    let res = own
        .post_form(&format!("/notifications/{id}/open"), &[])
        .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        "/shifts?week=2026-11-30"
    );

    // The agent sees only their own week, without forms, and may not set it.
    let html = own.get("/shifts").await.text().await.unwrap();
    assert_eq!(
        html.matches("data-testid=\"roster-row\"").count(),
        1,
        "{html}"
    );
    assert!(!html.contains("change-form"));
    let res = own.post_form("/shifts/week", &fields).await;
    assert_eq!(res.status(), 403);
    // The account page links to it.
    let html = own.get("/account").await.text().await.unwrap();
    assert!(html.contains("href=\"/shifts\""));
}
