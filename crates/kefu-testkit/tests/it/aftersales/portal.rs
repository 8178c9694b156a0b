//! 售后进度 in the portal: a customer's after-sales request filed in the portal becomes an
//! RMA registered from the ticket; the customer follows its moves on the ticket's page (no
//! staff notes), sees a paid repair's quote to answer, and nobody else sees any of it.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

use crate::key_accounts::send;

async fn register(app: &TestApp, email: &str, name: &str) -> Session {
    let s = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = s
        .post_form(
            "/portal/register",
            &[
                ("email", email),
                ("name", name),
                ("phone", "13800000000"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{email} registers");
    s
}

#[tokio::test]
async fn the_customer_follows_the_rma_of_their_request_in_the_portal() {
    let app = TestApp::spawn().await;
    let agent_id = app.create_user("men.hu.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("men.hu.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let a = register(&app, "zhao@example.com", "赵女士").await;
    let b = register(&app, "qian@example.com", "钱先生").await;

    let page = a.get("/portal/tickets/new").await.text().await.unwrap();
    let marker = "name=\"form_token\" value=\"";
    let start = page.find(marker).unwrap() + marker.len();
    let token = page[start..start + 32].to_owned();
    let res = a
        .post_form(
            "/portal/tickets",
            &[
                ("form_token", token.as_str()),
                ("type", "after_sales"),
                ("subject", "热水器不加热"),
                ("body", "去年买的热水器这两天不加热了。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let ticket: i64 = location
        .trim_start_matches("/portal/tickets/")
        .parse()
        .unwrap();

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
            "sku": "RSQ-60", "name": "电热水器 60L", "category_id": category, "price_fen": 129_900,
            "warranty_months": 12
        }),
    )
    .await;
    let heater = body["id"].as_i64().unwrap();
    let customer = json_body(
        agent
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "赵女士"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (status, body) = send(&agent, Method::POST, "/api/v1/aftersales/rmas", &json!({
        "customer_id": customer, "ticket_id": ticket, "kind": "repair", "product_id": heater,
        "quantity": 1, "fault": "quality", "description": "不加热", "delivered_on": "2025-06-01",
        "amount_fen": 0, "paid_fen": 129_900
    })).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("awaiting_goods")),
        "{body}"
    );
    let rma = body["id"].as_i64().unwrap();
    let moves = format!("/api/v1/aftersales/rmas/{rma}/moves");
    send(
        &keeper,
        Method::POST,
        &moves,
        &json!({"move": "receive", "note": "内部：包装破损，已拍照"}),
    )
    .await;
    let (_, body) = send(
        &keeper,
        Method::POST,
        &moves,
        &json!({"move": "inspect", "result": "fault_confirmed", "quote_fen": 18_000}),
    )
    .await;
    assert_eq!(body["state"], "quoted", "{body}");

    let view = a.get(&location).await.text().await.unwrap();
    assert!(
        view.contains("data-testid=\"portal-rma\" data-state=\"quoted\""),
        "{view}"
    );
    assert!(
        view.contains("售后进度 SH") && view.contains("维修报价 ¥180.00"),
        "{view}"
    );
    assert!(
        view.contains("确认收货") && view.contains("检验"),
        "the moves: {view}"
    );
    assert!(
        !view.contains("包装破损"),
        "staff notes never reach the customer"
    );
    assert_eq!(b.get(&location).await.status(), 404);
    app.stop().await;
}
