//! 投诉统计 — the statistics report counting by dimension and stage, and its exports.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{cast, intake, post};

#[tokio::test]
async fn the_statistics_report_counts_by_dimension_and_stage_and_exports() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for (category, product, severity) in [
        ("quality", "深沟球轴承", "serious"),
        ("quality", "深沟球轴承", "major"),
        ("delivery", "空调外机", "minor"),
    ] {
        let mut body = intake();
        body["category"] = json!(category);
        body["product"] = json!(product);
        body["severity"] = json!(severity);
        let (_, created) = post(&c.agent, "/api/v1/complaints", body).await;
        ids.push(created["id"].as_i64().unwrap());
    }
    // One judged not valid, one valid with a notice answered and accepted.
    for id in &ids[..2] {
        post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/intake"),
            json!({}),
        )
        .await;
    }
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[0]),
        json!({"valid": false, "reason": "客户安装不当", "reply": "您好，经核实属安装问题，我们会安排技术指导。"}),
    )
    .await;
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (_, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[1]),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(d["complaint"]["stage"], "notice");

    let stats = json_body(c.manager.get("/api/v1/complaints/stats?by=category").await).await;
    assert_eq!(stats["totals"]["count"], 3, "{stats}");
    assert_eq!(stats["totals"]["invalid"], 1);
    assert_eq!(stats["totals"]["valid"], 1);
    assert_eq!(
        stats["totals"]["closed"], 1,
        "closed as invalid counts as closed"
    );
    assert_eq!(stats["rows"][0]["key"], "quality");
    assert_eq!(stats["rows"][0]["count"], 2);
    assert_eq!(stats["rows"][1]["key"], "delivery");
    let series_total: i64 = stats["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_i64().unwrap())
        .sum();
    assert_eq!(series_total, 3, "every complaint falls in one period");
    let stages: Vec<&str> = stats["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["intake", "validity"], "stages left, in order");
    assert_eq!(stats["stages"][0]["times"], 2);
    let by_validity = json_body(c.manager.get("/api/v1/complaints/stats?by=validity").await).await;
    let keys: Vec<&str> = by_validity["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"pending") && keys.contains(&"invalid") && keys.contains(&"valid"));
    let by_product = json_body(c.manager.get("/api/v1/complaints/stats?by=product").await).await;
    assert_eq!(by_product["rows"][0]["key"], "深沟球轴承");
    // A range before anything happened is empty; bad ranges and dimensions are refused.
    let empty = json_body(
        c.manager
            .get("/api/v1/complaints/stats?from=2020-01-01&to=2020-01-31")
            .await,
    )
    .await;
    assert_eq!(empty["totals"]["count"], 0);
    assert_eq!(empty["series"].as_array().unwrap().len(), 31);
    let res = c
        .manager
        .get("/api/v1/complaints/stats?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "report_reversed");
    let res = c.manager.get("/api/v1/complaints/stats?by=colour").await;
    assert_eq!(res.status(), 422);
    let res = c
        .manager
        .get("/api/v1/complaints/stats?from=yesterday")
        .await;
    assert_eq!(res.status(), 400);
    // Department staff do not see the statistics.
    let res = c.quality.get("/api/v1/complaints/stats").await;
    assert_eq!(res.status(), 403);

    // The page shows the chart and the table; the exports carry the same figures.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let page = s
        .get("/complaints/report?by=category")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"report-chart\""));
    assert!(page.contains("产品质量"));
    assert!(page.contains("交付与物流"));
    let res = s.get("/complaints/report.csv?by=category").await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("产品质量,2,1,1,1"), "{csv}");
    assert!(csv.contains("合计,3,1,1,1"), "{csv}");
    assert!(csv.contains("受理,2"), "{csv}");
    let res = s.get("/complaints/report.xlsx?by=category").await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    let res = s
        .get("/complaints/report?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    app.stop().await;
}
