//! Intake and judgement cut short: an invalid complaint answered from a script and closed
//! apart, and bad intake refused with nothing stored.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use super::{cast, intake, post};

#[tokio::test]
async fn an_invalid_complaint_is_answered_from_a_script_and_closed_apart() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    // Converted from an existing inquiry ticket.
    let t = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": "说明书看不懂", "body": "你们的说明书写得太差了，我要投诉", "contact_name": "李女士", "contact_phone": "13900001111"}),
            )
            .await,
    )
    .await;
    let ticket_id = t["id"].as_i64().unwrap();
    let customer = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "李女士", "kind": "person"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut body = intake();
    body["ticket_id"] = json!(ticket_id);
    body["severity"] = json!("minor");
    body["customer_id"] = json!(customer);
    let (status, created) = post(&c.agent, "/api/v1/complaints", body.clone()).await;
    assert_eq!(status, 201);
    let id = created["id"].as_i64().unwrap();
    let (status, again) = post(&c.agent, "/api/v1/complaints", body).await;
    assert_eq!(status, 409, "one complaint per ticket");
    assert_eq!(again["error"]["code"], "already_complaint");
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    assert_eq!(t["ticket"]["type"], "complaint");

    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let scripts = json_body(c.specialist.get("/api/v1/scripts").await).await;
    let script = scripts.as_array().unwrap()[0]["id"].as_i64().unwrap();
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": false, "script_id": script}),
    )
    .await;
    assert_eq!(status, 422, "a reason is required");
    assert_eq!(body["error"]["code"], "complaint_required");
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": false, "reason": "属使用咨询，非产品或服务问题", "script_id": script}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "invalid");
    assert_eq!(d["complaint"]["valid"], false);
    let t = json_body(c.agent.get(&format!("/api/v1/tickets/{ticket_id}")).await).await;
    assert_eq!(t["ticket"]["status"], "resolved");
    assert!(
        t["messages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["visibility"] == "public" && m["author_kind"] == "staff"),
        "the script's reply went to the customer"
    );
    // Closed as invalid: listed apart from open complaints.
    let open = json_body(c.specialist.get("/api/v1/complaints").await).await;
    assert!(open.as_array().unwrap().iter().all(|x| x["id"] != id));
    let invalid = json_body(
        c.specialist
            .get("/api/v1/complaints?stage=invalid&open=false")
            .await,
    )
    .await;
    assert_eq!(invalid[0]["id"], id);
    // The customer's 360 timeline shows the complaint with its stage.
    let agent = app.login("ke.fu", TEST_PASSWORD).await;
    let page = agent
        .get(&format!("/customers/{customer}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("/complaints/{id}")), "{page}");
    assert!(page.contains("不成立结案"));
    app.stop().await;
}

#[tokio::test]
async fn bad_intake_is_refused_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    for (patch, status, code) in [
        (json!({"complainant": " "}), 422, "complaint_required"),
        (json!({"content": ""}), 422, "complaint_required"),
        (json!({"quantity": 0}), 422, "bad_quantity"),
        (json!({"severity": "huge"}), 422, "unknown_value"),
        (json!({"category": "x"}), 422, "unknown_value"),
        (json!({"delivery_date": "2026-13-01"}), 400, "invalid_field"),
        (json!({"customer_id": 424242}), 422, "unknown_customer"),
    ] {
        let mut body = intake();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (got, res) = post(&c.agent, "/api/v1/complaints", body).await;
        assert_eq!(got, status, "{patch} → {res}");
        assert_eq!(res["error"]["code"], code, "{patch}");
    }
    let list = json_body(c.specialist.get("/api/v1/complaints?open=false").await).await;
    assert_eq!(list, json!([]));
    let res = c.agent.get("/api/v1/tickets").await;
    let tickets = json_body(res).await;
    assert_eq!(
        tickets["tickets"].as_array().map_or(0, Vec::len),
        0,
        "{tickets}"
    );
    app.stop().await;
}
