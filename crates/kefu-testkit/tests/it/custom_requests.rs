//! 定制 — a customer's custom request goes to the design department, whose members are
//! told; only a member of the design department answers (feasible, with cost and lead
//! time); the agent quotes, the manager sends the quote back with a reason, then approves a
//! new one; the customer accepts, which places the order — a catalogue product of the
//! request's own at the quoted price, all of it produced within the lead time, on the
//! customer's terms and credit-checked (over the limit: the manager decides); every step is
//! logged and told to whoever acts next.
//! Refused with nothing changed: an empty specification, a past date wanted, a feasible
//! answer without cost, a quote by a department member, a step out of turn, a stale
//! version, a decline without reason.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};
use crate::orders::post;

async fn moved(api: &ApiClient, id: i64, body: Value) -> (u16, Value) {
    post(api, &format!("/api/v1/custom-requests/{id}/moves"), body).await
}

#[tokio::test]
async fn a_custom_request_is_answered_by_design_quoted_approved_and_accepted() {
    // Monday 2026-12-07 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("ding.zhi.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let designer_id = app
        .create_user_in("she.ji", &[Role::Department], Some("design"))
        .await;
    let designer = ApiClient::new(&app, &app.token_for(designer_id).await);
    let maker_id = app
        .create_user_in("sheng.chan", &[Role::Department], Some("production"))
        .await;
    let maker = ApiClient::new(&app, &app.token_for(maker_id).await);
    let boss_id = app.create_user("ding.zhi.jl", &[Role::CsManager]).await;
    let boss = ApiClient::new(&app, &app.token_for(boss_id).await);
    let (status, body) = post(&agent, "/api/v1/customers", json!({"name": "华美酒店"})).await;
    assert_eq!(status, 201, "{body}");
    let hotel = body["id"].as_i64().unwrap();

    let request = |spec: &str, wanted: &str| {
        json!({"customer_id": hotel, "title": "客房定制空调面板", "spec": spec,
            "quantity": 120, "wanted_by": wanted})
    };
    for (body, want) in [
        (request("  ", "2027-01-15"), "custom_required"),
        (
            request("面板印酒店标志，颜色香槟金", "2026-12-01"),
            "custom_wanted_past",
        ),
    ] {
        let (status, answer) = post(&agent, "/api/v1/custom-requests", body).await;
        assert_eq!((status, code(&answer)), (422, Some(want)), "{answer}");
    }
    let (status, body) = post(
        &agent,
        "/api/v1/custom-requests",
        request("面板印酒店标志，颜色香槟金", "2027-01-15"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(app.notified("custom_to_design", Some(designer_id)).await, 1);
    assert_eq!(
        app.notified("custom_to_design", Some(maker_id)).await,
        0,
        "only the design department is told"
    );

    // Only the design department answers; a feasible answer says cost and lead time.
    let answer = json!({"move": "answer", "feasible": true, "answer": "可做，丝印工艺",
        "cost_fen": 18_000, "lead_days": 25});
    let (status, body) = moved(&maker, id, answer.clone()).await;
    assert_eq!(
        (status, code(&body)),
        (403, Some("not_your_department")),
        "{body}"
    );
    let (status, body) = moved(&agent, id, answer.clone()).await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = moved(
        &designer,
        id,
        json!({"move": "answer", "feasible": true, "answer": "可做", "lead_days": 25}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("custom_required")),
        "{body}"
    );
    let (status, body) = moved(&agent, id, json!({"move": "accept"})).await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("custom_not_now")),
        "{body}"
    );
    let (status, body) = moved(&designer, id, answer).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("answered")),
        "{body}"
    );
    assert_eq!(app.notified("custom_answered", Some(agent_id)).await, 1);

    // The agent quotes; a department member may not; the manager sends it back, then
    // approves the next one.
    let (status, _) = moved(&designer, id, json!({"move": "quote", "quote_fen": 26_000})).await;
    assert_eq!(status, 403);
    let (status, body) = moved(&agent, id, json!({"move": "quote", "quote_fen": 19_000})).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("quote_pending")),
        "{body}"
    );
    assert_eq!(
        app.notified("custom_quote_approval", Some(boss_id)).await,
        1
    );
    let (status, body) = moved(&boss, id, json!({"move": "reject_quote"})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("custom_required")),
        "{body}"
    );
    let (status, body) = moved(
        &boss,
        id,
        json!({"move": "reject_quote", "note": "毛利太低，至少 25%"}),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("answered")),
        "{body}"
    );
    assert_eq!(
        app.notified("custom_quote_decided", Some(agent_id)).await,
        1
    );
    let (status, _) = moved(&agent, id, json!({"move": "quote", "quote_fen": 24_000})).await;
    assert_eq!(status, 200);
    // A stale version is refused.
    let (status, body) = send(
        &boss,
        Method::POST,
        &format!("/api/v1/custom-requests/{id}/moves"),
        &json!({"move": "approve_quote"}),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("quoted")),
        "{body}"
    );
    let stale = boss
        .request(Method::POST, &format!("/api/v1/custom-requests/{id}/moves"))
        .header("If-Match", "\"1\"")
        .json(&json!({"move": "cancel", "note": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);

    // The customer: a decline needs its reason; they accept.
    let (status, body) = moved(&agent, id, json!({"move": "decline"})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("custom_required")),
        "{body}"
    );
    // The hotel buys on 月结30天 with grade A and a ¥10,000 limit: the ¥28,800 order it
    // accepts waits for the manager.
    crate::orders::graded(&app, hotel, 95, 1_000_000, "月结30天").await;
    let (status, body) = moved(&agent, id, json!({"move": "accept", "note": "客户已确认"})).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("accepted")),
        "{body}"
    );
    let d = json_body(agent.get(&format!("/api/v1/custom-requests/{id}")).await).await;
    let number = d["number"].as_str().unwrap().to_owned();
    let order_id = d["order_id"].as_i64().expect("the order placed");
    let o = json_body(agent.get(&format!("/api/v1/orders/{order_id}")).await).await;
    assert_eq!(o["number"], d["order_number"], "{o}");
    assert_eq!(
        (&o["payment"], &o["state"], &o["total_fen"]),
        (
            &json!("credit"),
            &json!("pending_approval"),
            &json!(2_880_000)
        ),
        "{o}"
    );
    let line = &o["lines"][0];
    assert_eq!(
        (
            &line["sku"],
            &line["quantity"],
            &line["unit_price_fen"],
            &line["to_produce"],
            &line["from_stock"]
        ),
        (
            &json!(number),
            &json!(120),
            &json!(24_000),
            &json!(120),
            &json!(0)
        ),
        "{o}"
    );
    let production = o["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["kind"] == "production")
        .expect("a production request");
    assert_eq!(
        production["promised_on"], "2027-01-01",
        "25 days' lead time"
    );
    assert_eq!(app.notified("order_approval", Some(boss_id)).await, 1);
    let product = json_body(
        boss.get(&format!("/api/v1/catalogue/products/{}", d["product_id"]))
            .await,
    )
    .await;
    assert_eq!(
        (&product["sku"], &product["active"], &product["price_fen"]),
        (&json!(number), &json!(false), &json!(24_000)),
        "made for this customer alone: {product}"
    );
    assert_eq!(
        (
            d["quote_fen"].as_i64(),
            d["cost_fen"].as_i64(),
            d["lead_days"].as_i64()
        ),
        (Some(24_000), Some(18_000), Some(25))
    );
    let actions: Vec<&str> = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "request",
            "answer",
            "quote",
            "reject_quote",
            "quote",
            "approve_quote",
            "accept"
        ]
    );

    let page = app
        .login("ding.zhi.agent", TEST_PASSWORD)
        .await
        .get(&format!("/custom-requests/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(
            "href=\"/orders/{order_id}\" data-testid=\"custom-order\""
        )),
        "{page}"
    );

    // The pages: the design member's list and the request's page; a refusal in Chinese.
    let web = app.login("she.ji", TEST_PASSWORD).await;
    let html = web.get("/custom-requests").await.text().await.unwrap();
    assert_eq!(html.matches("data-testid=\"custom-row\"").count(), 1);
    let (status, body) = post(
        &agent,
        "/api/v1/custom-requests",
        request("床头柜面板", "2027-02-01"),
    )
    .await;
    assert_eq!(status, 201);
    let second = body["id"].as_i64().unwrap();
    let res = web
        .post_form(
            &format!("/custom-requests/{second}/moves"),
            &[
                ("move", "answer"),
                ("feasible", "1"),
                ("answer", "可做"),
                ("cost", "12.5.0"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("单位成本") || html.contains("成本"), "{html}");
    let res = web
        .post_form(
            &format!("/custom-requests/{second}/moves"),
            &[
                ("move", "answer"),
                ("feasible", "0"),
                ("answer", "尺寸超出模具"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let html = web
        .get(&format!("/custom-requests/{second}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("无法定制") && html.contains("尺寸超出模具"),
        "{html}"
    );
    app.stop().await;
}
