//! 售后服务费用与质量反馈 — an RMA's cost is its parts at their cost the day issued (a later
//! change of the part's cost leaves it), the labour, freight and compensation entered on
//! it, and its refund; the report groups the month's RMAs by product, part, cause or month
//! and holds them against the budget, on the page, over the API and in an XLSX read back
//! cell by cell; the month's fault figures go to the production department, whose member is
//! told and reads them. Refused with nothing stored: a zero, negative or fractional cost, a
//! month 13, a span ending before it starts, an unknown grouping, figures sent to no
//! department; an agent reads no cost.

use std::sync::Arc;

use calamine::Reader;
use kefu_app::Actor;
use kefu_domain::aftersales::catalogue::Part;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{customer, product};
use crate::key_accounts::{code, send};
use crate::spreadsheet::{number, number_format, text, xlsx};

async fn post(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    send(api, Method::POST, path, &body).await
}

async fn rma(agent: &ApiClient, customer: i64, product: i64, kind: &str, amount_fen: i64) -> i64 {
    let (status, body) = post(
        agent,
        "/api/v1/aftersales/rmas",
        json!({"customer_id": customer, "kind": kind, "product_id": product, "quantity": 1,
            "fault": "quality", "description": "不加热", "delivered_on": "2026-12-03",
            "amount_fen": amount_fen, "paid_fen": 129_900}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn costs_are_held_against_the_budget_and_fault_figures_reach_the_departments() {
    // Monday 2026-12-07 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("fei.yong.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("fei.yong.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let maker_id = app
        .create_user_in("sheng.chan", &[Role::Department], Some("production"))
        .await;
    let maker = ApiClient::new(&app, &app.token_for(maker_id).await);
    let heater = product(&keeper, "热水器", "RSQ-60", "电热水器 60L", 129_900).await;
    let tube_part = |cost_fen| Part {
        part_number: "JRG-01".into(),
        name: "加热管".into(),
        cost_fen,
        unit: "根".into(),
        active: true,
        uses: Vec::new(),
    };
    let tube = app
        .app
        .create_part(&Actor::system(), tube_part(8_500))
        .await
        .unwrap();
    let zhang = customer(&agent, "张建华").await;
    let li = customer(&agent, "李梅").await;
    let first = rma(&agent, zhang, heater, "repair", 0).await;
    let second = rma(&agent, li, heater, "repair", 0).await;
    let refund = rma(&agent, li, heater, "refund", 30_000).await;
    let state = json_body(
        agent
            .get(&format!("/api/v1/aftersales/rmas/{refund}"))
            .await,
    )
    .await;
    if state["state"] == "pending_approval" {
        let (status, body) = post(
            &keeper,
            &format!("/api/v1/aftersales/rmas/{refund}/moves"),
            json!({"move": "approve"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = post(
        &keeper,
        &format!("/api/v1/aftersales/rmas/{refund}/moves"),
        json!({"move": "refund", "refund_fen": 30_000}),
    )
    .await;
    assert_eq!(status, 200, "{body}");

    // Two tubes to the first repair at ¥85; the cost rises to ¥90; one to the second.
    let (_, body) = post(
        &keeper,
        "/api/v1/aftersales/stock/locations",
        json!({"name": "中心仓"}),
    )
    .await;
    let warehouse = body["id"].as_i64().unwrap();
    let issue = |qty: i64, rma: i64, doc: &str| {
        json!({"kind": "issue", "part_id": tube, "quantity": qty, "location_id": warehouse,
            "document": doc, "rma_id": rma})
    };
    let path = "/api/v1/aftersales/stock/movements";
    let (status, body) = post(
        &keeper,
        path,
        json!({"kind": "receipt", "part_id": tube, "quantity": 5, "location_id": warehouse,
            "document": "RK-1"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(post(&keeper, path, issue(2, first, "LL-1")).await.0, 201);
    app.app
        .save_part(&Actor::system(), tube, 1, tube_part(9_000))
        .await
        .unwrap();
    assert_eq!(post(&keeper, path, issue(1, second, "LL-2")).await.0, 201);

    // Labour and freight on the first, compensation on the second.
    let costs = |id: i64| format!("/api/v1/aftersales/rmas/{id}/costs");
    for (id, kind, fen) in [
        (first, "labour", 12_000),
        (first, "freight", 3_050),
        (second, "compensation", 20_000),
    ] {
        let (status, body) = post(
            &keeper,
            &costs(id),
            json!({"kind": kind, "amount_fen": fen}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
    }
    for (body, status_code, want) in [
        (json!({"kind": "labour", "amount_fen": 0}), 422, "cost_zero"),
        (
            json!({"kind": "labour", "amount_fen": -1}),
            422,
            "negative_amount",
        ),
        (
            json!({"kind": "tip", "amount_fen": 100}),
            422,
            "unknown_value",
        ),
        (
            json!({"kind": "labour", "amount_fen": 12.5}),
            400,
            "invalid_field",
        ),
    ] {
        let (status, got) = post(&keeper, &costs(first), body).await;
        assert_eq!((status, code(&got)), (status_code, Some(want)), "{got}");
    }
    let (status, _) = post(
        &agent,
        &costs(first),
        json!({"kind": "labour", "amount_fen": 1}),
    )
    .await;
    assert_eq!(status, 403);
    let c = json_body(keeper.get(&costs(first)).await).await;
    assert_eq!(
        (
            c["costs"]["parts_fen"].as_i64(),
            c["costs"]["labour_fen"].as_i64(),
            c["costs"]["freight_fen"].as_i64(),
            c["costs"]["total_fen"].as_i64()
        ),
        (Some(17_000), Some(12_000), Some(3_050), Some(32_050)),
        "{c}"
    );
    assert_eq!(
        c["parts"][0]["unit_cost_fen"], 8_500,
        "the cost the day it was issued"
    );
    let c = json_body(keeper.get(&costs(second)).await).await;
    assert_eq!(c["costs"]["parts_fen"], 9_000);

    // The month's report against a ¥800 budget: 91,050 fen spent, 113 %.
    let (status, body) = send(
        &keeper,
        Method::PUT,
        "/api/v1/aftersales/budgets/2026-12",
        &json!({"amount_fen": 80_000}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = send(
        &keeper,
        Method::PUT,
        "/api/v1/aftersales/budgets/2026-13",
        &json!({"amount_fen": 80_000}),
    )
    .await;
    assert_eq!((status, code(&body)), (422, Some("cost_month")), "{body}");
    let report = json_body(
        keeper
            .get("/api/v1/aftersales/costs?from=2026-11&to=2026-12&by=product")
            .await,
    )
    .await;
    assert_eq!(report["cases"], 3, "{report}");
    assert_eq!(report["total"]["total_fen"], 91_050);
    assert_eq!(report["total"]["refund_fen"], 30_000);
    assert_eq!(report["budget_fen"], 80_000);
    assert_eq!(report["used_percent"], 113);
    assert_eq!(report["months"][0]["period"], "2026-11");
    assert_eq!(report["months"][0]["spent_fen"], 0);
    assert_eq!(report["months"][1]["spent_fen"], 91_050);
    assert_eq!(report["rows"].as_array().unwrap().len(), 1);
    assert_eq!(report["rows"][0]["key"], "RSQ-60");
    let by_part = json_body(
        keeper
            .get("/api/v1/aftersales/costs?from=2026-12&by=part")
            .await,
    )
    .await;
    assert_eq!(
        (
            by_part["rows"][0]["key"].as_str(),
            by_part["rows"][0]["quantity"].as_i64(),
            by_part["rows"][0]["cases"].as_i64(),
            by_part["rows"][0]["costs"]["parts_fen"].as_i64()
        ),
        (Some("JRG-01"), Some(3), Some(2), Some(26_000)),
        "{by_part}"
    );
    let by_customer = json_body(
        keeper
            .get("/api/v1/aftersales/costs?from=2026-12&by=customer")
            .await,
    )
    .await;
    let li_row = by_customer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "李梅")
        .unwrap()
        .clone();
    assert_eq!(li_row["costs"]["total_fen"], 9_000 + 20_000 + 30_000);
    for (query, want) in [
        ("from=2026-12&to=2026-11", "cost_span"),
        ("from=2026-13", "cost_month"),
        ("from=2024-01&to=2026-12", "cost_span"),
        ("by=colour", "unknown_value"),
    ] {
        let res = keeper
            .get(&format!("/api/v1/aftersales/costs?{query}"))
            .await;
        let status = res.status().as_u16();
        let body = json_body(res).await;
        assert_eq!((status, code(&body)), (422, Some(want)), "{query}: {body}");
    }
    assert_eq!(
        agent
            .get("/api/v1/aftersales/costs")
            .await
            .status()
            .as_u16(),
        403
    );

    // The page and the XLSX: the same figures, money as numbers formatted as yuan.
    let k = app.login("fei.yong.zy", TEST_PASSWORD).await;
    let html = k
        .get("/aftersales/costs?from=2026-12&to=2026-12&by=cause")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("质量问题") && html.contains(">910.50<"),
        "{html}"
    );
    let page = k
        .get(&format!("/aftersales/rmas/{first}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"rma-cost-total\">320.50"),
        "{page}"
    );
    let res = k
        .post_form(
            &format!("/aftersales/rmas/{first}/costs"),
            &[("kind", "freight"), ("amount", "12.345")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let bytes = k
        .get("/aftersales/costs/export?format=xlsx&from=2026-12&to=2026-12&by=product")
        .await
        .bytes()
        .await
        .unwrap();
    let mut book = xlsx(&bytes);
    let sheet = book.worksheet_range("售后费用").unwrap();
    assert_eq!(text(&sheet, (1, 0)), "RSQ-60 电热水器 60L");
    assert_eq!(number(&sheet, (1, 1)), 3.0);
    assert_eq!(number(&sheet, (1, 3)), 260.0, "parts in yuan");
    assert_eq!(number(&sheet, (1, 9)), 910.5, "the total in yuan");
    assert_eq!(
        number_format(&mut book, "售后费用", (1, 9)).as_deref(),
        Some("#,##0.00")
    );
    assert_eq!(text(&sheet, (2, 0)), "合计");

    // The fault figures of December go to production; its member is told and reads them.
    let path = "/api/v1/aftersales/faults/2026-12/feedback";
    let (status, body) = post(&keeper, path, json!({"department_ids": []})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("cost_no_department")),
        "{body}"
    );
    let production = app
        .app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "production")
        .unwrap()
        .id;
    let (status, body) = post(
        &keeper,
        path,
        json!({"department_ids": [production], "note": "加热管故障集中，请排查批次"}),
    )
    .await;
    assert_eq!((status, body["told"].as_i64()), (201, Some(1)), "{body}");
    assert_eq!(app.notified("fault_figures", Some(maker_id)).await, 1);
    let figures = json_body(maker.get("/api/v1/aftersales/faults?period=2026-12").await).await;
    assert_eq!(figures["products"][0]["rmas"], 3, "{figures}");
    assert_eq!(figures["products"][0]["quality_claims"], 3);
    assert_eq!(figures["parts"][0]["replaced"], 3);
    assert_eq!(figures["sent"][0]["note"], "加热管故障集中，请排查批次");
    assert_eq!(
        maker
            .get("/api/v1/aftersales/costs")
            .await
            .status()
            .as_u16(),
        403
    );
    let m = app.login("sheng.chan", TEST_PASSWORD).await;
    let html = m
        .get("/aftersales/faults?period=2026-12")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-testid=\"fault-product\"") && !html.contains("fault-send"));
    app.stop().await;
}
