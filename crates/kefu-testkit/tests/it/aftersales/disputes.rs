//! 售后纠纷 — an agent registers a dispute over an RMA (both positions and the evidence);
//! the after-sales specialists are told; the specialist rules once, citing a clause of the
//! RMA's policy version; the agent is told; the ruling is found by its words as precedent.
//! Refused with nothing stored: a missing position, another customer's RMA, a ruling by an
//! agent, a second ruling, a stale version.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

async fn customer(api: &ApiClient, name: &str) -> i64 {
    json_body(
        api.json(Method::POST, "/api/v1/customers", &json!({"name": name}))
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

async fn list(api: &ApiClient, query: &str) -> Vec<Value> {
    json_body(
        api.get(&format!("/api/v1/aftersales/disputes?{query}"))
            .await,
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

#[tokio::test]
async fn a_dispute_is_ruled_once_citing_a_clause_and_found_as_precedent() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("jiu.fen.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("jiu.fen.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
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
            "sku": "RSQ-50", "name": "电热水器 50L", "category_id": category, "price_fen": 99_900,
            "warranty_months": 24
        }),
    )
    .await;
    let heater = body["id"].as_i64().unwrap();
    let zhang = customer(&agent, "张建华").await;
    let other = customer(&agent, "刘芳").await;
    let (status, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/rmas",
        &json!({
            "customer_id": zhang, "kind": "repair", "product_id": heater, "quantity": 1,
            "fault": "quality", "description": "进水口漏水", "delivered_on": "2026-10-01",
            "amount_fen": 0, "paid_fen": 99_900
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let rma = body["id"].as_i64().unwrap();
    let policy_id =
        json_body(agent.get(&format!("/api/v1/aftersales/rmas/{rma}")).await).await["policy_id"]
            .as_i64()
            .unwrap();

    let case = |customer: i64, evidence: &str| {
        json!({"customer_id": customer, "rma_id": rma, "subject": "热水器进水口开裂是否属人为损坏",
            "customer_position": "正常使用一个月即漏水，要求免费维修",
            "company_position": "检测发现进水口有外力撞击痕迹，属人为损坏",
            "evidence": evidence})
    };
    for (body, want) in [
        (case(zhang, " "), "dispute_required"),
        (
            case(other, "维修单 WX-2026-1204 及进水口照片"),
            "dispute_other_customer",
        ),
    ] {
        let (status, got) = send(&agent, Method::POST, "/api/v1/aftersales/disputes", &body).await;
        assert_eq!((status, code(&got)), (422, Some(want)), "{got}");
    }
    assert!(list(&agent, "").await.is_empty());
    let (status, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/disputes",
        &case(zhang, "维修单 WX-2026-1204 及进水口照片"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(app.notified("dispute_opened", Some(keeper_id)).await, 1);

    let ruling = json!({"ruling": "进水口外力撞裂属人为损坏，按有偿维修处理，免收上门费。",
        "policy_id": policy_id, "clause": "customer_damage"});
    let path = format!("/api/v1/aftersales/disputes/{id}/ruling");
    let (status, _) = send(&agent, Method::POST, &path, &ruling).await;
    assert_eq!(status, 403);
    let res = keeper
        .request(Method::POST, &path)
        .header("If-Match", "\"5\"")
        .json(&ruling)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 412);
    let mut bad = ruling.clone();
    bad["clause"] = json!("whatever");
    let (status, got) = send(&keeper, Method::POST, &path, &bad).await;
    assert_eq!((status, code(&got)), (422, Some("unknown_value")), "{got}");
    let (status, got) = send(&keeper, Method::POST, &path, &ruling).await;
    assert_eq!(status, 204, "{got}");
    let (status, got) = send(&keeper, Method::POST, &path, &ruling).await;
    assert_eq!(
        (status, code(&got)),
        (409, Some("dispute_already_ruled")),
        "{got}"
    );
    assert_eq!(app.notified("dispute_ruled", Some(agent_id)).await, 1);

    let d = json_body(
        agent
            .get(&format!("/api/v1/aftersales/disputes/{id}"))
            .await,
    )
    .await;
    assert_eq!(
        (
            d["status"].as_str(),
            d["ruling_clause"].as_str(),
            d["clause_number"].as_i64()
        ),
        (Some("ruled"), Some("customer_damage"), Some(6)),
        "{d}"
    );
    assert!(
        d["clause_text"].as_str().unwrap().contains("不予退换"),
        "{d}"
    );

    // Precedents: found by a word of the ruling or the evidence, not by others.
    let found: Vec<i64> = list(&keeper, "q=%E5%A4%96%E5%8A%9B")
        .await
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(found, vec![id]);
    assert!(list(&keeper, "q=WX-2026-1204").await.len() == 1);
    assert!(list(&keeper, "q=%E5%86%B0%E7%AE%B1").await.is_empty());
    assert!(list(&keeper, "status=open").await.is_empty());
    assert_eq!(list(&keeper, "status=ruled").await.len(), 1);

    // The pages.
    let s = app.login("jiu.fen.zy", TEST_PASSWORD).await;
    let html = s
        .get("/aftersales/disputes?q=%E4%BA%BA%E4%B8%BA")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("热水器进水口开裂是否属人为损坏"), "{html}");
    let html = s
        .get(&format!("/aftersales/disputes/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("依据第6条") && !html.contains("data-testid=\"ruling-form\""),
        "{html}"
    );
    let form = s
        .get(&format!("/aftersales/disputes/new?rma={rma}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("张建华"),
        "the RMA's customer is filled in: {form}"
    );
    app.stop().await;
}
