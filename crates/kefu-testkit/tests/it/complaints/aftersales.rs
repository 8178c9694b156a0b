//! A complaint's approved refund carried out as an after-sales record (售后单): the
//! after-sales specialist opens it from the complaint's RMA, the manager approves it (above
//! the specialist's limit), it is refunded and closed, and the complaint's RMA follows each
//! step on the complaint's own log. It moves only there: the complaint's own advance is
//! refused, as is a second record for the same RMA.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{at_solution, cast, post};

#[tokio::test]
async fn a_complaints_refund_is_carried_out_as_an_rma_and_the_complaint_follows() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let keeper_id = app
        .create_user("shou.hou.ts", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let id = at_solution(&app, &c).await;
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "退还 30 个轴承货款 1,800 元", "cost_fen": 180_000}),
    )
    .await;
    let proposal = body["id"].as_i64().unwrap();
    let (status, d) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{proposal}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let crma = d["rmas"][0]["id"].as_i64().unwrap();
    assert_eq!(d["rmas"][0]["status"], "requested");

    let (_, body) = post(
        &keeper,
        "/api/v1/catalogue/categories",
        json!({"name": "轴承"}),
    )
    .await;
    let category = body["id"].as_i64().unwrap();
    let (_, body) = post(&keeper, "/api/v1/catalogue/products", json!({
        "sku": "GX-3341", "name": "深沟球轴承", "category_id": category, "price_fen": 6_000, "warranty_months": 12
    })).await;
    let bearing = body["id"].as_i64().unwrap();
    let customer = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "宁波精工机械"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let request = json!({"customer_id": customer, "complaint_rma_id": crma, "kind": "refund",
        "product_id": bearing, "order_number": "PO-2026-00817", "quantity": 30, "fault": "quality",
        "description": "外圈开裂", "delivered_on": "2026-11-10", "requested_on": "2026-11-14",
        "amount_fen": 180_000, "paid_fen": 180_000});
    let mut wrong_kind = request.clone();
    wrong_kind["kind"] = json!("repair");
    let (status, body) = post(&keeper, "/api/v1/aftersales/rmas", wrong_kind).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("rma_not_now")),
        "{body}"
    );
    let (status, body) = post(&keeper, "/api/v1/aftersales/rmas", request.clone()).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("pending_approval")),
        "{body}"
    );
    let rma = body["id"].as_i64().unwrap();
    let (status, body) = post(&keeper, "/api/v1/aftersales/rmas", request).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("rma_already_taken")),
        "{body}"
    );

    // ¥1,800: above the automatic ¥500, within the specialist's ¥5,000.
    let r = json_body(keeper.get(&format!("/api/v1/aftersales/rmas/{rma}")).await).await;
    assert_eq!(
        (
            r["approver"].as_str(),
            r["source"].as_str(),
            r["complaint_id"].as_i64()
        ),
        (Some("specialist"), Some("complaint"), Some(id))
    );

    // The complaint's own advance is refused: it moves through the after-sales record.
    let (status, body) = post(
        &keeper,
        &format!("/api/v1/complaint-rmas/{crma}/advance"),
        json!({}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("rma_in_aftersales")),
        "{body}"
    );

    let moves = format!("/api/v1/aftersales/rmas/{rma}/moves");
    let (_, body) = post(&keeper, &moves, json!({"move": "approve"})).await;
    assert_eq!(
        body["state"], "approved",
        "a refund waits for no goods: {body}"
    );
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["rmas"][0]["status"], "approved");
    post(
        &keeper,
        &moves,
        json!({"move": "refund", "refund_fen": 180_000}),
    )
    .await;
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["rmas"][0]["status"], "done", "{d}");
    post(&keeper, &moves, json!({"move": "close"})).await;
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["rmas"][0]["status"], "closed");
    let steps: Vec<&str> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["action"].as_str())
        .filter(|a| a.starts_with("rma_"))
        .collect();
    assert_eq!(steps, ["rma_approved", "rma_done", "rma_closed"], "{d}");
}
