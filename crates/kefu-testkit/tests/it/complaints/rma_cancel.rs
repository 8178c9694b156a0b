//! An RMA whose remedy the customer rejected is cancelled with its reason, so the complaint
//! closes on a true record; one carried out cannot be cancelled.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{at_solution, cast, post};

#[tokio::test]
async fn a_rejected_refund_is_cancelled_with_its_reason_and_the_complaint_closes() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = at_solution(&app, &c).await;

    // An 18,000-yuan refund approved, then rejected by the customer: its RMA stays open.
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "全额退款 18,000 元", "cost_fen": 1_800_000}),
    )
    .await;
    let refund = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{refund}/decision"),
        json!({"approve": true}),
    )
    .await;
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": false, "comment": "客户不要退款，要换货"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let rma = d["rmas"][0]["id"].as_i64().unwrap();
    assert_eq!(d["rmas"][0]["status"], "requested");
    let cancel = format!("/api/v1/complaint-rmas/{rma}/cancel");

    // Who may not, and without a reason: refused, nothing changed.
    let (status, _) = post(&c.agent, &cancel, json!({"reason": "客户不要了"})).await;
    assert_eq!(status, 403);
    let (status, body) = post(&c.specialist, &cancel, json!({"reason": " "})).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        detail(&c.specialist, id).await["rmas"][0]["status"],
        "requested"
    );

    let (status, body) = post(
        &c.specialist,
        &cancel,
        json!({"reason": "客户拒绝退款方案"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "cancelled");
    let d = detail(&c.specialist, id).await;
    assert_eq!(d["rmas"][0]["status"], "cancelled");
    assert_eq!(d["rmas"][0]["note"], "客户拒绝退款方案");
    let (status, body) = post(&c.specialist, &cancel, json!({"reason": "再取消一次"})).await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "rma_not_cancellable");

    // The exchange the customer accepts is carried out; once done it cannot be cancelled.
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "exchange", "description": "30 件全部换新", "cost_fen": 186_000}),
    )
    .await;
    let exchange = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{exchange}/decision"),
        json!({"approve": true}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    let d = detail(&c.specialist, id).await;
    let second = d["rmas"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] != rma)
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    for step in ["approved", "received", "done"] {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaint-rmas/{second}/advance"),
            json!({"note": "已处理"}),
        )
        .await;
        assert_eq!((status, body["status"].as_str()), (200, Some(step)));
    }
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaint-rmas/{second}/cancel"),
        json!({"reason": "想撤销"}),
    )
    .await;
    assert_eq!(status, 409, "a done RMA stays done");
    assert_eq!(body["error"]["code"], "rma_not_cancellable");
    post(
        &c.specialist,
        &format!("/api/v1/complaint-rmas/{second}/advance"),
        json!({}),
    )
    .await;

    // The cancelled refund does not hold the complaint open.
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied", "comment": "换货已收到"}),
    )
    .await;
    let me = json_body(c.specialist.get("/api/v1/me").await).await["id"].clone();
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/evaluation"),
        json!({"summary": "换货解决", "lessons": "先确认客户要的方案", "measure": "方案先与客户确认",
               "measure_owner_id": me, "measure_due": "2099-12-31"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "closed");

    // The page says what happened, in words.
    let s = app.login("tou.su", TEST_PASSWORD).await;
    let html = s
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("已取消"), "the RMA's status");
    assert!(html.contains("客户拒绝退款方案"), "its reason");
    assert!(
        html.contains(&format!("退款单 #{rma} 已取消")),
        "the step in the log names its record"
    );
}

#[tokio::test]
async fn the_page_cancels_an_rma_not_yet_carried_out() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = at_solution(&app, &c).await;
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "退款", "cost_fen": 50_000}),
    )
    .await;
    let p = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{p}/decision"),
        json!({"approve": true}),
    )
    .await;
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let rma = d["rmas"][0]["id"].as_i64().unwrap();
    let version = d["complaint"]["version"].to_string();

    let s = app.login("tou.su", TEST_PASSWORD).await;
    let html = s
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("action=\"/complaint-rmas/{rma}/cancel\"")));
    let res = s
        .post_form(
            &format!("/complaint-rmas/{rma}/cancel"),
            &[
                ("version", version.as_str()),
                ("reason", "客户改主意，不退款了"),
            ],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["rmas"][0]["status"], "cancelled");
    let html = s
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&format!("action=\"/complaint-rmas/{rma}/cancel\"")));
}

async fn detail(api: &kefu_testkit::ApiClient, id: i64) -> serde_json::Value {
    json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await
}
