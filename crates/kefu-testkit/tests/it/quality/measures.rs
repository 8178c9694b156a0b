//! 改善措施 — a measure planned on an investigated anomaly under the manager's instruction,
//! carried out by its owner (reminded daily when late, the managers told once), verified
//! by someone else only days after it was done, with the recurrences of the same item and
//! cause as evidence; not effective opens the anomaly again.

use std::sync::Arc;

use jiff::Timestamp;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

fn beijing(day: &str, time: &str) -> Timestamp {
    format!("{day}T{time}+08:00[Asia/Shanghai]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

/// An anomaly of the 回访 item recorded and investigated with cause `process`; its id.
async fn investigated(api: &ApiClient, what: &str) -> i64 {
    let items = json_body(api.get("/api/v1/quality/service-items").await).await;
    let visit = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "visit")
        .unwrap()["id"]
        .clone();
    let (status, r) = send(
        api,
        Method::POST,
        "/api/v1/quality/anomalies",
        &json!({"service_item_id": visit, "severity": "major", "description": what}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    let (status, r) = send(
        api,
        Method::POST,
        &format!("/api/v1/quality/anomalies/{id}/investigation"),
        &json!({"cause": "process", "findings": "回访模板没有要求记录客户原话。"}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    id
}

#[tokio::test]
async fn a_measure_is_carried_out_reminded_and_verified_by_someone_else() {
    let clock = Arc::new(FixedClock::new(beijing("2026-12-02", "10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user("cs.zhijian.a", &[Role::QualitySpecialist])
        .await;
    let q2 = app
        .create_user("cs.zhijian.b", &[Role::QualitySpecialist])
        .await;
    let owner_id = app.create_user("cs.kefu", &[Role::Agent]).await;
    let other_id = app.create_user("cs.kefu.b", &[Role::Agent]).await;
    let manager_id = app.create_user("cs.jingli", &[Role::CsManager]).await;
    let quality = ApiClient::new(&app, &app.token_for(q1).await);
    let owner = ApiClient::new(&app, &app.token_for(owner_id).await);
    let other = ApiClient::new(&app, &app.token_for(other_id).await);
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);

    let anomaly = investigated(&quality, "回访记录缺少客户原话。").await;
    let plan = format!("/api/v1/quality/anomalies/{anomaly}/measures");
    for (body, status, want) in [
        (
            json!({"kind": "corrective", "body": " ", "owner_id": owner_id, "due_on": "2026-12-04"}),
            422,
            "measure_no_text",
        ),
        (
            json!({"kind": "corrective", "body": "培训", "owner_id": owner_id, "due_on": "2026-12-01"}),
            422,
            "measure_due_in_past",
        ),
        (
            json!({"kind": "sometimes", "body": "培训", "owner_id": owner_id, "due_on": "2026-12-04"}),
            422,
            "unknown_value",
        ),
        (
            json!({"kind": "corrective", "body": "培训", "owner_id": 999_999, "due_on": "2026-12-04"}),
            404,
            "not_found",
        ),
    ] {
        let (s, r) = send(&quality, Method::POST, &plan, &body).await;
        assert_eq!((s, code(&r)), (status, Some(want)), "{body}");
    }
    let (status, r) = send(
        &quality,
        Method::POST,
        &plan,
        &json!({"kind": "corrective", "body": "修改回访模板，客户原话设为必填。",
                "owner_id": owner_id, "due_on": "2026-12-04"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    let one = format!("/api/v1/quality/measures/{id}");
    assert_eq!(app.notified("quality_measure", Some(owner_id)).await, 1);
    assert_eq!(other.get(&one).await.status(), 404, "not the other agent's");
    let mine = json_body(owner.get("/api/v1/quality/measures?pending=true").await).await;
    assert_eq!(mine.as_array().unwrap().len(), 1);

    // 在客户服务经理的指示下: the manager's instruction, told to the owner.
    let (status, r) = send(
        &quality,
        Method::POST,
        &format!("{one}/instruction"),
        &json!({"text": "本周内完成"}),
    )
    .await;
    assert_eq!(status, 403, "{r}");
    let (status, r) = send(
        &manager,
        Method::POST,
        &format!("{one}/instruction"),
        &json!({"text": "本周内完成，并培训全组。"}),
    )
    .await;
    assert_eq!(
        (status, r["instruction"].clone()),
        (200, json!("本周内完成，并培训全组。"))
    );
    assert_eq!(
        app.notified("quality_measure_instructed", Some(owner_id))
            .await,
        1
    );

    // Only the owner reports progress.
    let (status, r) = send(
        &quality,
        Method::POST,
        &format!("{one}/progress"),
        &json!({"status": "in_progress"}),
    )
    .await;
    assert_eq!((status, code(&r)), (403, Some("measure_not_owner")));
    let (status, r) = send(
        &owner,
        Method::POST,
        &format!("{one}/progress"),
        &json!({"status": "in_progress", "note": "模板已改一半"}),
    )
    .await;
    assert_eq!((status, r["status"].clone()), (200, json!("in_progress")));

    // Late: the owner is reminded once a day; three days late the managers hear, once.
    clock.set(beijing("2026-12-05", "09:00"));
    assert_eq!(app.app.remind_quality_measures().await.unwrap(), 1);
    assert_eq!(
        app.app.remind_quality_measures().await.unwrap(),
        0,
        "once a day"
    );
    assert_eq!(app.notified("quality_measure_escalated", None).await, 0);
    clock.set(beijing("2026-12-07", "09:00"));
    assert_eq!(app.app.remind_quality_measures().await.unwrap(), 1);
    assert_eq!(
        app.notified("quality_measure_escalated", Some(manager_id))
            .await,
        1
    );
    clock.set(beijing("2026-12-08", "09:00"));
    assert_eq!(app.app.remind_quality_measures().await.unwrap(), 1);
    assert_eq!(
        app.notified("quality_measure_overdue", Some(owner_id))
            .await,
        3
    );
    assert_eq!(
        app.notified("quality_measure_escalated", Some(manager_id))
            .await,
        1,
        "once"
    );
    let v = json_body(owner.get(&one).await).await;
    assert_eq!(v["overdue_days"], 4);

    // Done; verified by someone else, and not before a week has passed.
    let (status, r) = send(
        &owner,
        Method::POST,
        &format!("{one}/progress"),
        &json!({"status": "done", "note": "模板已上线"}),
    )
    .await;
    assert_eq!((status, r["done_on"].clone()), (200, json!("2026-12-08")));
    assert_eq!(r["verify_from"], "2026-12-15");
    let (status, r) = send(
        &owner,
        Method::POST,
        &format!("{one}/progress"),
        &json!({"status": "in_progress"}),
    )
    .await;
    assert_eq!((status, code(&r)), (409, Some("measure_bad_move")));
    let (status, r) = send(
        &quality,
        Method::POST,
        &format!("{one}/verification"),
        &json!({"effective": true}),
    )
    .await;
    assert_eq!((status, code(&r)), (409, Some("measure_too_early")));

    // The same item and cause comes back after it was done.
    clock.set(beijing("2026-12-10", "11:00"));
    investigated(&quality, "又一次回访未记录客户原话。").await;
    clock.set(beijing("2026-12-15", "10:00"));
    let res = quality.get(&one).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(json_body(res).await["recurrences"], 1);
    let res = owner
        .request(Method::POST, &format!("{one}/verification"))
        .json(&json!({"effective": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "the owner does not verify");
    let res = quality
        .request(Method::POST, &format!("{one}/verification"))
        .header("If-Match", &etag)
        .json(&json!({"effective": false, "note": "同类问题仍然发生。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let r: Value = res.json().await.unwrap();
    assert_eq!(
        (r["status"].clone(), r["recurrences"].clone()),
        (json!("not_effective"), json!(1))
    );
    let a = json_body(
        quality
            .get(&format!("/api/v1/quality/anomalies/{anomaly}"))
            .await,
    )
    .await;
    assert_eq!(
        a["status"], "open",
        "not effective: the anomaly is open again"
    );
    assert_eq!(
        app.notified("quality_measure_not_effective", Some(q2))
            .await,
        1
    );
    assert_eq!(
        app.notified("quality_measure_not_effective", Some(owner_id))
            .await,
        1
    );

    // The pages: the anomaly lists it; the owner's page has no verification form.
    let s = app.login("cs.zhijian.a", TEST_PASSWORD).await;
    let page = s
        .get(&format!("/quality/anomalies/{anomaly}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/quality/measures/{id}")), "{page}");
    assert!(page.contains("data-status=\"not_effective\""));
    let o = app.login("cs.kefu", TEST_PASSWORD).await;
    let page = o
        .get(&format!("/quality/measures/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("修改回访模板") && !page.contains("data-testid=\"verify-form\""));
    app.stop().await;
}
