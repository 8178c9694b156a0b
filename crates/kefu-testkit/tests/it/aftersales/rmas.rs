//! 售后单 — an agent registers returns and repairs; the policy decides each at once (the
//! automatic limit, the specialist's, the manager's and outside the policy); the goods come
//! back, are inspected and refunded, replaced or repaired (a paid repair's quote first),
//! every move logged with a business-time deadline. Refused with nothing changed: a missing
//! serial, a refund above what was paid, money as 12.5, a move not open now, an approval
//! that is another's, a stale version.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

async fn move_rma(api: &ApiClient, id: i64, body: Value) -> (u16, Value) {
    send(
        api,
        Method::POST,
        &format!("/api/v1/aftersales/rmas/{id}/moves"),
        &body,
    )
    .await
}

async fn rma(api: &ApiClient, id: i64) -> Value {
    json_body(api.get(&format!("/api/v1/aftersales/rmas/{id}")).await).await
}

async fn count(api: &ApiClient) -> usize {
    json_body(api.get("/api/v1/aftersales/rmas?view=all&limit=200").await)
        .await
        .as_array()
        .unwrap()
        .len()
}

#[tokio::test]
async fn returns_and_repairs_move_from_request_to_close_by_the_policy() {
    // Monday 2026-12-07 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("shou.hou.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("shou.hou.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let manager_id = app.create_user("shou.hou.jl", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "热水器"}),
    )
    .await;
    let category = body["id"].as_i64().unwrap();
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/products",
        &json!({
            "sku": "RSQ-80", "name": "电热水器 80L", "category_id": category, "price_fen": 159_900,
            "warranty_months": 12, "serial_tracked": true
        }),
    )
    .await;
    let heater = body["id"].as_i64().unwrap();
    let customer = json_body(
        agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "李秀英"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let request = |kind: &str, delivered: &str, amount: i64, paid: i64| {
        json!({"customer_id": customer, "kind": kind, "product_id": heater, "serial": "sn2026a001",
            "quantity": 1, "fault": "quality", "description": "加热后漏水", "delivered_on": delivered,
            "amount_fen": amount, "paid_fen": paid})
    };

    // Refused, nothing stored.
    let mut no_serial = request("return", "2026-12-03", 159_900, 159_900);
    no_serial["serial"] = json!("");
    let mut float = request("return", "2026-12-03", 159_900, 159_900);
    float["amount_fen"] = json!(12.5);
    let mut zero = request("return", "2026-12-03", 159_900, 159_900);
    zero["quantity"] = json!(0);
    let mut unknown = request("return", "2026-12-03", 159_900, 159_900);
    unknown["product_id"] = json!(987_654);
    for (body, want) in [
        (no_serial, Some("rma_serial_required")),
        (
            request("return", "2026-12-03", 200_000, 159_900),
            Some("rma_refund_above_paid"),
        ),
        (zero, Some("rma_quantity")),
        (unknown, Some("catalogue_unknown_sku")),
        (
            request("return", "2026-12-09", 100, 100),
            Some("claim_before_delivery"),
        ),
        (float, None),
    ] {
        let (status, got) = send(&agent, Method::POST, "/api/v1/aftersales/rmas", &body).await;
        assert!(status == 422 || status == 400, "{body} → {status} {got}");
        if want.is_some() {
            assert_eq!(code(&got), want, "{body} → {got}");
        }
    }
    assert_eq!(count(&agent).await, 0);

    // ¥1,599 on day 4: within the policy, above the automatic limit: the specialist's.
    let (status, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/rmas",
        &request("return", "2026-12-03", 159_900, 159_900),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("pending_approval")),
        "{body}"
    );
    let ret = body["id"].as_i64().unwrap();
    let r = rma(&agent, ret).await;
    assert!(
        r["number"].as_str().unwrap().starts_with("SH20261207-"),
        "{r}"
    );
    assert_eq!(
        (
            r["verdict"].as_str(),
            r["approver"].as_str(),
            r["clause"].as_str()
        ),
        (
            Some("needs_approval"),
            Some("specialist"),
            Some("return_window")
        )
    );
    assert_eq!(r["serial"], "SN2026A001");
    assert_eq!(r["clause_number"], 1);
    // Due a business day later, on the company calendar.
    assert!(
        r["due_at"].as_str().unwrap() > "2026-12-07T02:00:00Z",
        "{r}"
    );
    assert!(
        r["moves"].as_array().unwrap().is_empty(),
        "the agent may not approve: {r}"
    );

    let (status, body) = move_rma(&agent, ret, json!({"move": "approve"})).await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let res = keeper
        .request(
            Method::POST,
            &format!("/api/v1/aftersales/rmas/{ret}/moves"),
        )
        .header("If-Match", "\"9\"")
        .json(&json!({"move": "approve"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 412);
    let (status, body) = move_rma(&keeper, ret, json!({"move": "receive"})).await;
    assert_eq!((status, code(&body)), (409, Some("rma_not_now")), "{body}");
    let (status, body) =
        move_rma(&keeper, ret, json!({"move": "approve", "note": "符合三包"})).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("awaiting_goods")),
        "{body}"
    );

    // The goods come back, the fault is confirmed, the refund is at most what was paid.
    clock.advance(jiff::SignedDuration::from_hours(24));
    move_rma(&keeper, ret, json!({"move": "receive"})).await;
    let (_, body) = move_rma(
        &keeper,
        ret,
        json!({"move": "inspect", "result": "fault_confirmed"}),
    )
    .await;
    assert_eq!(body["state"], "approved", "{body}");
    let (status, body) = move_rma(
        &keeper,
        ret,
        json!({"move": "refund", "refund_fen": 159_901}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("rma_refund_above_paid")),
        "{body}"
    );
    let (status, body) =
        move_rma(&keeper, ret, json!({"move": "refund", "refund_fen": 12.5})).await;
    assert!(status == 400 || status == 422, "{body}");
    let (_, body) = move_rma(
        &keeper,
        ret,
        json!({"move": "refund", "refund_fen": 159_900, "note": "原路退回"}),
    )
    .await;
    assert_eq!(body["state"], "refunded");
    let (status, body) = move_rma(
        &keeper,
        ret,
        json!({"move": "cancel", "note": "客户不要了"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("rma_not_now")),
        "carried out: {body}"
    );
    move_rma(&keeper, ret, json!({"move": "close"})).await;
    let r = rma(&keeper, ret).await;
    assert_eq!(
        (
            r["state"].as_str(),
            r["refund_fen"].as_i64(),
            r["inspection"].as_str()
        ),
        (Some("closed"), Some(159_900), Some("fault_confirmed"))
    );
    assert!(r["closed_at"].is_string() && r["due_at"].is_null());
    let actions: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "request", "approve", "receive", "inspect", "refund", "close"
        ]
    );

    // Day 30: outside the policy, the manager's alone.
    let (_, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/rmas",
        &request("exchange", "2026-11-07", 20_000, 159_900),
    )
    .await;
    let late = body["id"].as_i64().unwrap();
    let r = rma(&keeper, late).await;
    assert_eq!(
        (
            r["verdict"].as_str(),
            r["approver"].as_str(),
            r["reason"].as_str()
        ),
        (
            Some("outside"),
            Some("manager"),
            Some("past_exchange_window")
        )
    );
    let (status, _) = move_rma(&keeper, late, json!({"move": "approve"})).await;
    assert_eq!(status, 403);
    let approval: Vec<i64> = json_body(manager.get("/api/v1/aftersales/rmas?view=approval").await)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(approval, vec![late]);
    let (status, body) = move_rma(&manager, late, json!({"move": "reject"})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("rma_required")),
        "a reason: {body}"
    );
    let (_, body) = move_rma(
        &manager,
        late,
        json!({"move": "reject", "note": "超过换货期，建议维修"}),
    )
    .await;
    assert_eq!(body["state"], "rejected");

    // Small and within 7 days: approved at once, nothing waits on anyone.
    let (_, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/rmas",
        &request("return", "2026-12-05", 30_000, 159_900),
    )
    .await;
    assert_eq!(body["state"], "awaiting_goods", "{body}");
    let r = rma(&agent, body["id"].as_i64().unwrap()).await;
    let actions: Vec<&str> = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["request", "auto_approve"]);

    // A repair out of warranty is paid: quoted after the inspection, repaired once accepted.
    let (_, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/rmas",
        &request("repair", "2025-06-01", 0, 159_900),
    )
    .await;
    let repair = body["id"].as_i64().unwrap();
    assert_eq!(body["state"], "awaiting_goods");
    assert_eq!(rma(&agent, repair).await["paid_repair"], true);
    move_rma(&keeper, repair, json!({"move": "receive"})).await;
    let (status, body) = move_rma(
        &keeper,
        repair,
        json!({"move": "inspect", "result": "fault_confirmed"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("rma_required")),
        "a quote: {body}"
    );
    let (_, body) = move_rma(
        &keeper,
        repair,
        json!({"move": "inspect", "result": "fault_confirmed", "quote_fen": 28_000}),
    )
    .await;
    assert_eq!(body["state"], "quoted");
    move_rma(
        &keeper,
        repair,
        json!({"move": "accept_quote", "note": "客户电话确认"}),
    )
    .await;
    let (_, body) = move_rma(
        &keeper,
        repair,
        json!({"move": "repair", "note": "更换加热管"}),
    )
    .await;
    assert_eq!(body["state"], "repaired");
    assert_eq!(rma(&keeper, repair).await["quote_fen"], 28_000);

    // The pages: the list, the RMA with its clause and the moves open to the specialist.
    let s = app.login("shou.hou.zy", TEST_PASSWORD).await;
    let html = s
        .get("/aftersales/rmas?view=all")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("李秀英") && html.contains("已关闭") && html.contains("已驳回"),
        "{html}"
    );
    let html = s
        .get(&format!("/aftersales/rmas/{repair}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"rma-move-close\"") && html.contains("依据第5条"),
        "{html}"
    );
    let form = s.get("/aftersales/rmas/new").await.text().await.unwrap();
    assert!(form.contains("data-testid=\"rma-form\""));
    let res = s
        .post_form(
            &format!("/aftersales/rmas/{repair}/moves"),
            &[("move", "refund"), ("refund", "1.00"), ("version", "99")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 412);
    app.stop().await;
}
