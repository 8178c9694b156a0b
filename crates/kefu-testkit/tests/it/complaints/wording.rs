//! 措辞 — the complaint page, its log and the statistics page read as the department speaks:
//! a proposal set aside reads 已搁置 (not 已退回), an accepted one never 客户未接受; an RMA's
//! steps name their record (退款单 #12 已退款); money has thousands separators; a follow-up's
//! result is translated, not a stored key; what the system did reads 系统; the chart has no
//! English and shows its axis values.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{at_solution, cast, post, section};

#[tokio::test]
async fn the_complaint_pages_log_and_report_read_in_the_departments_words() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = at_solution(&app, &c).await;
    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let page_of = |path: String| {
        let s = &specialist;
        async move {
            let res = s.get(&path).await;
            assert_eq!(res.status(), 200, "{path}");
            res.text().await.unwrap()
        }
    };

    // Two proposals; approving the refund sets the compensation aside.
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "compensate", "description": "补偿 500 元", "cost_fen": 50_000}),
    )
    .await;
    assert_eq!(status, 201);
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "全额退款", "cost_fen": 1_800_000}),
    )
    .await;
    let refund = body["id"].as_i64().unwrap();
    let (status, _) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{refund}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 200);
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["proposals"][0]["status"], "set_aside", "{d}");
    let page = page_of(format!("/complaints/{id}")).await;
    let proposals = section(&page, "proposals", "table");
    assert!(
        proposals.contains("<span data-testid=\"proposal-status\">已搁置</span>"),
        "{proposals}"
    );
    assert!(
        proposals.contains("<span data-testid=\"proposal-status\">已批准</span>"),
        "{proposals}"
    );
    assert!(!proposals.contains("已退回"), "{proposals}");
    // Money with thousands separators, on every table of the page.
    assert!(proposals.contains("¥18,000.00"), "{proposals}");
    assert!(proposals.contains("¥500.00"), "{proposals}");
    assert!(!page.contains("18000.00"), "no ungrouped money on the page");

    // The refund is paid: its record is named in the table and in the log.
    let rma = d["rmas"][0]["id"].as_i64().unwrap();
    for _ in 0..2 {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaint-rmas/{rma}/advance"),
            json!({"note": ""}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let page = page_of(format!("/complaints/{id}")).await;
    let rmas = section(&page, "rmas", "table");
    assert!(rmas.contains(&format!("退款单 #{rma}")), "{rmas}");
    assert!(rmas.contains("¥18,000.00"), "{rmas}");
    assert!(
        rmas.contains("<td data-testid=\"rma-status\">已退款"),
        "{rmas}"
    );
    let log = section(&page, "complaint-log", "ol");
    assert!(log.contains(&format!("退款单 #{rma} 已批准")), "{log}");
    assert!(log.contains(&format!("退款单 #{rma} 已退款")), "{log}");
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let rma_steps: Vec<&serde_json::Value> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"].as_str().unwrap().starts_with("rma_"))
        .collect();
    assert_eq!(rma_steps.len(), 2, "{d}");
    assert!(rma_steps.iter().all(|s| s["rma_id"] == rma), "{d}");

    // Accepted, then the follow-up finds the customer unsatisfied: the result is translated
    // in the log, and the accepted proposal does not read as rejected by the customer.
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "unsatisfied", "comment": "退款到账太慢"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "solution");
    let page = page_of(format!("/complaints/{id}")).await;
    let log = section(&page, "complaint-log", "ol");
    assert!(log.contains("不满意：退款到账太慢"), "{log}");
    assert!(
        !log.contains("unsatisfied"),
        "no stored key in the log: {log}"
    );
    let proposals = section(&page, "proposals", "table");
    assert!(
        proposals.contains("<span data-testid=\"proposal-status\">已实施，回访不满意</span>"),
        "{proposals}"
    );
    assert!(!proposals.contains("客户未接受"), "{proposals}");

    // The stage runs over its deadline: the system escalates it, and the log says 系统.
    let mut conn = app.app.store.conn().await.unwrap();
    let mut complaint = kefu_store::complaint::by_id(&mut conn, id).await.unwrap();
    complaint.stage_due_at = Some(app.now() - jiff::SignedDuration::from_mins(1));
    kefu_store::complaint::save(&mut conn, &complaint)
        .await
        .unwrap();
    drop(conn);
    // This run, or the worker's periodic one, escalates it: the system either way.
    app.app.run_complaint_deadlines().await.unwrap();
    let page = page_of(format!("/complaints/{id}")).await;
    let log = section(&page, "complaint-log", "ol");
    assert!(
        log.contains(" · 系统 · <strong>阶段超时，已升级</strong>"),
        "{log}"
    );
    assert!(!log.contains("kefu"), "{log}");

    // The statistics chart: no English, and the values of its axis.
    let manager = app.login("jing.li", TEST_PASSWORD).await;
    let report = manager
        .get("/complaints/report")
        .await
        .text()
        .await
        .unwrap();
    assert!(!report.contains(">max "), "{report}");
    assert!(report.contains("纵轴：投诉数（件）"), "{report}");
    let axis = section(&report, "report-axis", "g");
    for value in [0, 1] {
        assert!(
            axis.contains(&format!(">{value}</text>")),
            "axis value {value}: {axis}"
        );
    }
    app.stop().await;
}
