//! 质检校准 — a scored inspection scored again, blind, by a second inspector; the two
//! compared item by item on the inspection's page and summed up as the inspectors'
//! agreement; refused for the first inspector, the agent, twice, or before the first score.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::reports::beijing;
use super::resolved_ticket;
use crate::key_accounts::{code, send};

/// Full marks on every item that applies, but those in `given` (key, level).
fn scores(detail: &Value, given: &[(&str, u64)]) -> Vec<Value> {
    detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["applies"] == true)
        .map(|i| {
            let top = i["levels"].as_u64().unwrap() - 1;
            let level = given
                .iter()
                .find(|(k, _)| i["key"] == *k)
                .map_or(top, |(_, l)| *l);
            json!({"key": i["key"], "score": level})
        })
        .collect()
}

#[tokio::test]
async fn a_second_inspector_scores_blind_and_the_two_are_compared() {
    let clock = Arc::new(FixedClock::new(beijing("2026-12-02", "10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let qa = app
        .create_user("jz.zhijian.a", &[Role::QualitySpecialist])
        .await;
    let qb = app
        .create_user("jz.zhijian.b", &[Role::QualitySpecialist])
        .await;
    let agent_id = app.create_user("jz.kefu", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let api_a = ApiClient::new(&app, &app.token_for(qa).await);
    let api_b = ApiClient::new(&app, &app.token_for(qb).await);
    resolved_ticket(&agent, agent_id, "冰箱不制冷", "您好，已安排师傅上门。").await;
    clock.set(beijing("2026-12-02", "10:30"));
    let (status, _) = send(&api_a, Method::POST, "/api/v1/quality/samples", &json!({})).await;
    assert_eq!(status, 201);
    let all = json_body(api_a.get("/api/v1/quality/inspections?scope=all").await).await;
    let id = all[0]["id"].as_i64().unwrap();
    // Whoever the sample gave it to scores first; the other calibrates.
    let first_id = all[0]["inspector_id"].as_i64().unwrap();
    let (first, second, second_id, second_name) = if first_id == qa {
        (&api_a, &api_b, qb, "jz.zhijian.b")
    } else {
        (&api_b, &api_a, qa, "jz.zhijian.a")
    };
    let path = format!("/api/v1/quality/inspections/{id}");
    let ask = format!("{path}/calibrations");
    let (s, r) = send(
        first,
        Method::POST,
        &ask,
        &json!({"inspector_id": second_id}),
    )
    .await;
    assert_eq!((s, code(&r)), (409, Some("calibration_not_scored")));
    let detail = json_body(first.get(&path).await).await;
    let given = scores(&detail, &[("a4", 0)]);
    let (s, r) = send(
        first,
        Method::POST,
        &format!("{path}/score"),
        &json!({"scorecard_version_id": detail["scorecard_version_id"], "items": given}),
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["passed"], false, "{r}");

    for (body, status, want) in [
        (
            json!({"inspector_id": first_id}),
            422,
            "calibration_same_inspector",
        ),
        (
            json!({"inspector_id": agent_id}),
            422,
            "calibration_not_inspector",
        ),
    ] {
        let (s, r) = send(first, Method::POST, &ask, &body).await;
        assert_eq!((s, code(&r)), (status, Some(want)), "{body}");
    }
    let (s, r) = send(
        first,
        Method::POST,
        &ask,
        &json!({"inspector_id": second_id}),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let calibration = r["id"].as_i64().unwrap();
    let (s, r) = send(
        first,
        Method::POST,
        &ask,
        &json!({"inspector_id": second_id}),
    )
    .await;
    assert_eq!((s, code(&r)), (409, Some("calibration_asked")));
    assert_eq!(
        app.notified("quality_calibration", Some(second_id)).await,
        1
    );

    // Blind: the second inspector does not see the first score, on the API or the page.
    let blind = json_body(second.get(&path).await).await;
    assert_eq!(blind["score_tenths"], Value::Null, "{blind}");
    assert!(
        blind["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["scored"] == false),
        "{blind}"
    );
    let web = app.login(second_name, TEST_PASSWORD).await;
    let html = web
        .get(&format!("/quality/inspections/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"blind-hint\""), "{html}");
    assert!(html.contains(&format!(
        "action=\"/quality/calibrations/{calibration}/score\""
    )));
    assert!(
        !html.contains("data-testid=\"inspection-score\""),
        "no first score shown"
    );
    let listed = web.get("/quality/calibrations").await.text().await.unwrap();
    assert_eq!(listed.matches("data-testid=\"calibration-row\"").count(), 1);

    // The blind score: a4 passed, a1 a level lower. Once only, by them only.
    let score = format!("/api/v1/quality/calibrations/{calibration}/score");
    let top_a1 = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "a1")
        .unwrap()["levels"]
        .as_u64()
        .unwrap()
        - 1;
    let theirs = scores(&detail, &[("a1", top_a1 - 1)]);
    let (s, r) = send(first, Method::POST, &score, &json!({"items": theirs})).await;
    assert_eq!((s, code(&r)), (403, Some("calibration_not_yours")));
    let (s, _) = send(second, Method::POST, &score, &json!({"items": theirs})).await;
    assert_eq!(s, 204);
    let (s, r) = send(second, Method::POST, &score, &json!({"items": theirs})).await;
    assert_eq!((s, code(&r)), (409, Some("calibration_scored")));
    assert_eq!(app.notified("quality_calibrated", Some(first_id)).await, 1);

    // Compared: two items differ, the verdicts differ; the agent's result is the first.
    let o = json_body(first.get("/api/v1/quality/calibrations").await).await;
    let round = &o["rounds"][0];
    let compared = round["compared"].as_u64().unwrap();
    assert_eq!(round["agreed"].as_u64().unwrap(), compared - 2, "{round}");
    assert_eq!(round["same_verdict"], false);
    assert_eq!(
        round["total_diff_tenths"].as_i64().unwrap(),
        round["score_tenths"].as_i64().unwrap() - round["first_score_tenths"].as_i64().unwrap(),
        "{round}"
    );
    let differing: Vec<&str> = round["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["first"] != i["second"])
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(differing, ["a1", "a4"]);
    assert_eq!(o["overall"]["rounds"], 1);
    let permille = o["overall"]["item_permille"].as_i64().unwrap();
    assert_eq!(
        permille,
        ((compared - 2) * 1000 + compared / 2) as i64 / compared as i64
    );
    assert_eq!(o["overall"]["verdict_permille"], 0);
    assert_eq!(o["pairs"].as_array().unwrap().len(), 1);
    let mine = json_body(agent.get(&path).await).await;
    assert_eq!(mine["passed"], false, "the agent's result stands");
    let html = web
        .get(&format!("/quality/inspections/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("data-testid=\"calibration-item\" data-same=\"false\"")
            .count(),
        2
    );
    assert!(
        html.contains("data-testid=\"inspection-score\""),
        "the first score shows now"
    );
    let html = web.get("/quality/calibrations").await.text().await.unwrap();
    assert_eq!(html.matches("data-testid=\"calibration-row\"").count(), 0);
    assert_eq!(html.matches("data-testid=\"calibration-round\"").count(), 1);
    app.stop().await;
}
