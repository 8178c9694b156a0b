//! 休假 — an agent on leave: the visits planned for the days away wait in the rule's group
//! for a colleague (planned so from the start, or handed over when the absence is
//! recorded); a rule with no group keeps the owner. Anyone records their own absences, the
//! manager anyone's; bad ones are refused with the reason and nothing stored.

use std::sync::Arc;

use kefu_app::Actor;
use kefu_app::ticket::NewGroup;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

/// The visits `api` sees to make, as (customer id, agent id).
async fn visits(api: &ApiClient) -> Vec<(i64, Option<i64>)> {
    let list = json_body(api.get("/api/v1/follow-ups").await).await;
    let mut v: Vec<(i64, Option<i64>)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["customer_id"].as_i64().unwrap(), v["agent_id"].as_i64()))
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn visits_of_an_agent_on_leave_wait_in_the_group_for_a_colleague() {
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-03T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let manager_id = app.create_user("jing.li.leave", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let away_id = app.create_user("xiu.jia", &[Role::Agent]).await;
    let away = ApiClient::new(&app, &app.token_for(away_id).await);
    let colleague_id = app.create_user("tong.shi", &[Role::Agent]).await;
    let colleague = ApiClient::new(&app, &app.token_for(colleague_id).await);
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "回访一组".into(),
                manager_user_id: Some(manager_id),
                assignment: "manual".into(),
                members: vec![away_id, colleague_id],
            },
        )
        .await
        .unwrap();
    let (s, r) = send(
        &manager,
        Method::POST,
        "/api/v1/follow-up-rules",
        &json!({"name": "普通客户每月回访", "tier": "normal", "every_months": 1,
                "group_id": group}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let customer = |name: &'static str, tier: &'static str, owner: i64| {
        let manager = &manager;
        async move {
            let (s, c) = send(
                manager,
                Method::POST,
                "/api/v1/customers",
                &json!({"name": name, "tier": tier, "owner_id": owner,
                        "contacts": [{"name": "王经理", "mobile": "13912340000"}]}),
            )
            .await;
            assert_eq!(s, 201, "{c}");
            c["id"].as_i64().unwrap()
        }
    };
    let grouped = customer("休假者的普通客户", "normal", away_id).await;
    let kept = customer("休假者的大客户", "key_account", away_id).await;
    let later = customer("同事的普通客户", "normal", colleague_id).await;

    // Bad absences: refused with the reason, nothing stored.
    let refused = [
        (
            json!({"starts_on": "2026-12-05", "ends_on": "2026-12-04"}),
            422,
            "absence_reversed",
        ),
        (
            json!({"starts_on": "2026-11-20", "ends_on": "2026-12-02"}),
            422,
            "absence_past",
        ),
        (
            json!({"starts_on": "2026-12-05", "ends_on": "2027-12-31"}),
            422,
            "absence_too_long",
        ),
        (
            json!({"starts_on": "2026-12-05", "ends_on": "2026-12-06", "reason": "假".repeat(201)}),
            422,
            "absence_reason_too_long",
        ),
        (
            json!({"starts_on": "2026-12-32", "ends_on": "2026-12-06"}),
            400,
            "invalid_field",
        ),
        (
            json!({"user_id": colleague_id, "starts_on": "2026-12-05", "ends_on": "2026-12-06"}),
            403,
            "forbidden",
        ),
    ];
    for (body, status, want) in refused {
        let (s, e) = send(&away, Method::POST, "/api/v1/absences", &body).await;
        assert_eq!((s, code(&e)), (status, Some(want)), "{body} {e}");
    }
    assert_eq!(
        json_body(away.get("/api/v1/absences").await).await,
        json!([])
    );

    // Away today and tomorrow, recorded by the agent before the month's visits are planned.
    let (s, r) = send(
        &away,
        Method::POST,
        "/api/v1/absences",
        &json!({"starts_on": "2026-12-03", "ends_on": "2026-12-04", "reason": "年假"}),
    )
    .await;
    assert_eq!((s, r["visits_handed_over"].clone()), (201, json!(0)), "{r}");
    let own = r["id"].as_i64().unwrap();
    let (s, e) = send(
        &away,
        Method::POST,
        "/api/v1/absences",
        &json!({"starts_on": "2026-12-04", "ends_on": "2026-12-08"}),
    )
    .await;
    assert_eq!((s, code(&e)), (409, Some("absence_overlaps")), "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2026-12-03"),
        "{e}"
    );

    app.app.run_follow_up_plan().await.unwrap();
    // The normal customer's visit waits in the group; the key account's rule has no group,
    // so its visit stays with the owner; the colleague's own is theirs.
    assert_eq!(
        visits(&colleague).await,
        vec![(grouped, None), (later, Some(colleague_id))]
    );
    assert_eq!(
        visits(&away).await,
        vec![(grouped, None), (kept, Some(away_id))]
    );

    // The manager records the colleague's sick leave today: their visit goes to the group.
    let (s, r) = send(
        &colleague,
        Method::DELETE,
        &format!("/api/v1/absences/{own}"),
        &Value::Null,
    )
    .await;
    assert_eq!(s, 403, "not theirs: {r}");
    let (s, r) = send(
        &manager,
        Method::POST,
        "/api/v1/absences",
        &json!({"user_id": colleague_id, "starts_on": "2026-12-03", "ends_on": "2026-12-03",
                "reason": "病假"}),
    )
    .await;
    assert_eq!((s, r["visits_handed_over"].clone()), (201, json!(1)), "{r}");
    assert_eq!(
        visits(&away).await,
        vec![(grouped, None), (kept, Some(away_id)), (later, None)]
    );

    // Each sees their own; the manager everyone's.
    let mine = json_body(away.get("/api/v1/absences").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1, "{mine}");
    assert_eq!(mine[0]["reason"], "年假");
    let all = json_body(manager.get("/api/v1/absences").await).await;
    assert_eq!(all.as_array().unwrap().len(), 2, "{all}");
    assert_eq!(
        away.get(&format!("/api/v1/absences?user_id={colleague_id}"))
            .await
            .status(),
        403
    );

    // The page: refusals in words with what was typed kept, then recorded.
    let session = app.login("xiu.jia", TEST_PASSWORD).await;
    let page = session.get("/absences").await.text().await.unwrap();
    assert_eq!(page.matches("data-testid=\"absence-row\"").count(), 1);
    assert!(
        !page.contains("name=\"user_id\"><option"),
        "no choice of whom"
    );
    let res = session
        .post_form(
            "/absences",
            &[
                ("starts_on", "2026-12-20"),
                ("ends_on", "2026-12-18"),
                ("reason", "调休"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("休假的结束日期早于开始日期"), "{html}");
    assert!(html.contains("value=\"调休\""), "kept");
    let res = session
        .post_form(
            "/absences",
            &[
                ("starts_on", "2026-12-18"),
                ("ends_on", "2026-12-20"),
                ("reason", "调休"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/absences?handed=0");
    let html = session.get(&to).await.text().await.unwrap();
    assert!(html.contains("已登记；0 次回访已交给小组"), "{html}");
    assert_eq!(html.matches("data-testid=\"absence-row\"").count(), 2);
    let (s, _) = send(
        &away,
        Method::DELETE,
        &format!("/api/v1/absences/{own}"),
        &Value::Null,
    )
    .await;
    assert_eq!(s, 204);
    assert_eq!(
        json_body(away.get("/api/v1/absences").await)
            .await
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let boss = app.login("jing.li.leave", TEST_PASSWORD).await;
    let page = boss.get("/absences").await.text().await.unwrap();
    assert!(page.contains("同事") || page.contains("tong.shi"), "{page}");
    assert!(
        page.contains("<select name=\"user_id\">"),
        "the manager chooses whom"
    );
}
