//! 大客户 (000 §(六)1, 3) — the key-account specialist arranges the manager's visit to a
//! key account (not to another customer, not for someone who is not a manager, not in the
//! past), the manager hears of it and finds it on the calendar; the report takes the
//! customer's rating of its agent, and a low one proposes a change of agent the manager
//! applies in one step: the owner changes, the open follow-up visit moves, the new agent is
//! told. A rating heard by phone does the same; a change can be dismissed; a visit can be
//! cancelled with a reason. Only the manager decides.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// The status and JSON body of an API call.
pub(crate) async fn send(
    api: &ApiClient,
    method: Method,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let res = api.json(method, path, body).await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// An API error's code.
pub(crate) fn code(v: &Value) -> Option<&str> {
    v["error"]["code"].as_str()
}

#[tokio::test]
async fn a_manager_visit_is_arranged_reported_and_a_low_rating_changes_the_agent() {
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let specialist = app
        .create_user("da.kehu", &[Role::KeyAccountSpecialist])
        .await;
    let specialist = ApiClient::new(&app, &app.token_for(specialist).await);
    let manager_id = app.create_user("jing.li.ka", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let old_agent = app.create_user("lao.kefu", &[Role::Agent]).await;
    let new_agent = app.create_user("xin.kefu", &[Role::Agent]).await;
    let agent_api = ApiClient::new(&app, &app.token_for(old_agent).await);
    let (s, c) = send(
        &manager,
        Method::POST,
        "/api/v1/customers",
        &json!({"name": "华东精密", "tier": "key_account", "owner_id": old_agent,
                "contacts": [{"name": "孙经理", "mobile": "13900002222"}]}),
    )
    .await;
    assert_eq!(s, 201, "{c}");
    let key = c["id"].as_i64().unwrap();
    let (_, c) = send(
        &manager,
        Method::POST,
        "/api/v1/customers",
        &json!({"name": "零售小店", "tier": "normal"}),
    )
    .await;
    let small = c["id"].as_i64().unwrap();
    // The key account's follow-up visit of the month, the old agent's.
    app.app.run_follow_up_plan().await.unwrap();
    let visits = json_body(agent_api.get("/api/v1/follow-ups").await).await;
    assert_eq!(visits.as_array().unwrap().len(), 1, "{visits}");
    let follow_up = visits[0]["id"].as_i64().unwrap();

    let list = json_body(specialist.get("/api/v1/key-accounts").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["due"], true, "never visited");
    assert_eq!(list[0]["rating_due"], true, "its opinion never asked");

    // Arranging: only key accounts, only managers, only ahead.
    let arrange = |customer: i64, manager: i64, at: &str| {
        json!({"customer_id": customer, "manager_id": manager, "scheduled_at": at,
               "mode": "on_site", "purpose": "季度拜访，了解明年采购计划"})
    };
    let (s, e) = send(
        &specialist,
        Method::POST,
        "/api/v1/manager-visits",
        &arrange(small, manager_id, "2026-12-10T06:30:00Z"),
    )
    .await;
    assert_eq!((s, code(&e)), (422, Some("not_key_account")));
    let (s, e) = send(
        &specialist,
        Method::POST,
        "/api/v1/manager-visits",
        &arrange(key, old_agent, "2026-12-10T06:30:00Z"),
    )
    .await;
    assert_eq!((s, code(&e)), (422, Some("not_a_manager")));
    let (s, e) = send(
        &specialist,
        Method::POST,
        "/api/v1/manager-visits",
        &arrange(key, manager_id, "2026-12-01T06:30:00Z"),
    )
    .await;
    assert_eq!((s, code(&e)), (422, Some("manager_visit_time")));
    let (s, v) = send(
        &specialist,
        Method::POST,
        "/api/v1/manager-visits",
        &arrange(key, manager_id, "2026-12-10T06:30:00Z"),
    )
    .await;
    assert_eq!(s, 201, "{v}");
    let visit = v["id"].as_i64().unwrap();
    assert_eq!(v["state"], "planned");
    assert_eq!(
        app.notified("manager_visit_arranged", Some(manager_id))
            .await,
        1
    );
    let list = json_body(specialist.get("/api/v1/key-accounts").await).await;
    assert_eq!(list[0]["due"], false, "a visit is planned");

    // The calendar of December shows it on the 10th, 14:30 Beijing time.
    let session = app.login("jing.li.ka", TEST_PASSWORD).await;
    let cal = session
        .get("/key-accounts/visits?month=2026-12")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(cal.matches("data-testid=\"calendar-visit\"").count(), 1);
    assert!(cal.contains("14:30 华东精密"), "{cal}");
    let bell = session.get("/notifications").await.text().await.unwrap();
    assert!(bell.contains("已为您安排拜访大客户 华东精密"), "{bell}");

    // The report: the summary is required (the page keeps what was typed); the customer
    // rates its agent 2, which proposes a change.
    let res = session
        .post_form(
            &format!("/key-accounts/visits/{visit}/report"),
            &[
                ("summary", " "),
                ("requests", "希望明年提前备货"),
                ("score", "2"),
                ("comment", "回复太慢"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("请填写拜访纪要"), "{html}");
    assert!(html.contains("希望明年提前备货"), "kept");
    let (s, _) = send(
        &manager,
        Method::POST,
        &format!("/api/v1/manager-visits/{visit}/report"),
        &json!({"summary": "客户对产品质量满意，对服务响应速度不满", "requests": "希望明年提前备货",
                "actions": "下周安排专人对接", "score": 2, "comment": "回复太慢"}),
    )
    .await;
    assert_eq!(s, 204);
    let (s, e) = send(
        &manager,
        Method::POST,
        &format!("/api/v1/manager-visits/{visit}/report"),
        &json!({"summary": "再写一次"}),
    )
    .await;
    assert_eq!((s, code(&e)), (409, Some("manager_visit_closed")));
    let changes = json_body(manager.get("/api/v1/agent-changes?waiting=true").await).await;
    assert_eq!(changes.as_array().unwrap().len(), 1, "{changes}");
    let change = changes[0]["id"].as_i64().unwrap();
    assert_eq!(changes[0]["score"], 2);
    assert_eq!(changes[0]["from_agent_id"], old_agent);
    assert_eq!(
        app.notified("agent_change_proposed", Some(manager_id))
            .await,
        1
    );

    // Only the manager decides; the new agent is someone else.
    let (s, _) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/agent-changes/{change}/apply"),
        &json!({"to_agent_id": new_agent}),
    )
    .await;
    assert_eq!(s, 403);
    assert_eq!(agent_api.get("/api/v1/key-accounts").await.status(), 403);
    let (s, e) = send(
        &manager,
        Method::POST,
        &format!("/api/v1/agent-changes/{change}/apply"),
        &json!({"to_agent_id": old_agent}),
    )
    .await;
    assert_eq!((s, code(&e)), (422, Some("bad_new_agent")));
    // One step: the owner, the open follow-up visit, the new agent told.
    let (s, _) = send(
        &manager,
        Method::POST,
        &format!("/api/v1/agent-changes/{change}/apply"),
        &json!({"to_agent_id": new_agent, "note": "换一位响应快的同事"}),
    )
    .await;
    assert_eq!(s, 204);
    let c = json_body(manager.get(&format!("/api/v1/customers/{key}")).await).await;
    assert_eq!(c["owner_id"], new_agent);
    let v = json_body(
        manager
            .get(&format!("/api/v1/follow-ups/{follow_up}"))
            .await,
    )
    .await;
    assert_eq!(v["agent_id"], new_agent, "{v}");
    assert_eq!(
        app.notified("key_account_assigned", Some(new_agent)).await,
        1
    );
    let (s, e) = send(
        &manager,
        Method::POST,
        &format!("/api/v1/agent-changes/{change}/apply"),
        &json!({"to_agent_id": new_agent}),
    )
    .await;
    assert_eq!((s, code(&e)), (409, Some("agent_change_decided")));
    let page = session
        .get("/key-accounts/changes")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("已更换 → 测试 xin.kefu"), "{page}");

    // A rating heard by phone: a good one proposes nothing, a low one does; dismissed.
    let (s, r) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/key-accounts/{key}/ratings"),
        &json!({"score": 5, "comment": "新的客服很负责"}),
    )
    .await;
    assert_eq!((s, r["agent_change_id"].clone()), (201, Value::Null));
    let (s, r) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/key-accounts/{key}/ratings"),
        &json!({"score": 6}),
    )
    .await;
    assert_eq!((s, code(&r)), (422, Some("agent_rating_score")));
    let (s, r) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/key-accounts/{key}/ratings"),
        &json!({"score": 1, "comment": "电话总是打不通"}),
    )
    .await;
    assert_eq!(s, 201);
    let second = r["agent_change_id"].as_i64().expect("a change proposed");
    let (s, _) = send(
        &manager,
        Method::POST,
        &format!("/api/v1/agent-changes/{second}/dismiss"),
        &json!({"note": "已当面沟通"}),
    )
    .await;
    assert_eq!(s, 204);
    let c = json_body(manager.get(&format!("/api/v1/customers/{key}")).await).await;
    assert_eq!(c["owner_id"], new_agent, "dismissed: the agent stays");
    let list = json_body(specialist.get("/api/v1/key-accounts").await).await;
    assert_eq!(list[0]["rating_due"], false, "asked this quarter");

    // A visit arranged on the page, then cancelled with a reason.
    let ks = app.login("da.kehu", TEST_PASSWORD).await;
    let res = ks
        .post_form(
            "/key-accounts/visits",
            &[
                ("customer_id", &key.to_string()),
                ("manager_id", &manager_id.to_string()),
                ("scheduled_at", "2027-01-12T10:00"),
                ("mode", "video"),
                ("purpose", "年度合作回顾"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let second_visit: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
    let v = json_body(
        manager
            .get(&format!("/api/v1/manager-visits/{second_visit}"))
            .await,
    )
    .await;
    assert_eq!(
        v["scheduled_at"], "2027-01-12T02:00:00Z",
        "10:00 Beijing time"
    );
    assert_eq!(v["mode"], "video");
    let (s, e) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/manager-visits/{second_visit}/cancel"),
        &json!({"reason": " "}),
    )
    .await;
    assert_eq!((s, code(&e)), (422, Some("key_account_required")));
    let (s, _) = send(
        &specialist,
        Method::POST,
        &format!("/api/v1/manager-visits/{second_visit}/cancel"),
        &json!({"reason": "客户年底盘点，改期"}),
    )
    .await;
    assert_eq!(s, 204);
    let v = json_body(
        manager
            .get(&format!("/api/v1/manager-visits/{second_visit}"))
            .await,
    )
    .await;
    assert_eq!(v["state"], "cancelled");

    // The specialist's workbench: nothing due (visited this month).
    let home = ks.get("/").await.text().await.unwrap();
    let at = home
        .find("data-tile=\"key_account.due\"")
        .expect("the tile shows");
    let tile = &home[at..at + home[at..].find("</article>").unwrap()];
    assert!(tile.contains("data-count=\"0\""), "{tile}");
}
