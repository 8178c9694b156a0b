//! 订单 — an order is priced at the customer's price, credit-checked (grade D: prepayment
//! only with the reason; over the limit: the manager approves, who is told), met from the
//! finished goods in stock (销售单据) and the rest by production (生产单据, with the date
//! promised); a line changed gives production back first; a cancel gives the stock back;
//! every step is logged. Refused with nothing stored: a zero quantity, a fractional price,
//! a product twice, no promised date when producing, a rejection without reason, a stale
//! version.

use kefu_app::Actor;
use kefu_app::credit::FactorScore;
use kefu_domain::Role;
use kefu_domain::credit::Factor;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::aftersales::{customer, product};
use crate::key_accounts::{code, send};

pub(crate) async fn post(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    send(api, Method::POST, path, &body).await
}

pub(crate) async fn stock(api: &ApiClient, product: i64, on_hand: i64) {
    let (status, body) = send(
        api,
        Method::PUT,
        &format!("/api/v1/catalogue/products/{product}/stock"),
        &json!({"on_hand": on_hand}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
}

/// Grades customer `id` by an investigation scoring every factor `score` (95: grade A, 10:
/// grade D) and sets its limit and terms.
pub(crate) async fn graded(app: &TestApp, id: i64, score: u32, limit_fen: i64, terms: &str) {
    let system = Actor::system();
    let scores: Vec<FactorScore> = Factor::ALL
        .iter()
        .map(|f| FactorScore {
            factor: *f,
            score,
            evidence: String::new(),
        })
        .collect();
    app.app
        .record_investigation(&system, id, jiff::civil::date(2026, 12, 1), &scores, "")
        .await
        .unwrap();
    app.app
        .set_credit_terms(&system, id, limit_fen, terms)
        .await
        .unwrap();
}

#[tokio::test]
async fn orders_are_credit_checked_split_between_stock_and_production_and_logged() {
    // Monday 2026-12-07 10:00 in Beijing.
    let (app, _) = TestApp::quiet_at("2026-12-07T02:00:00Z").await;
    let agent_id = app.create_user("ding.dan.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("ding.dan.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let boss_id = app.create_user("ding.dan.jl", &[Role::CsManager]).await;
    let boss = ApiClient::new(&app, &app.token_for(boss_id).await);
    let tv = product(&keeper, "电视", "TV-55", "55 寸电视", 299_900).await;
    stock(&keeper, tv, 4).await;
    let hengda = customer(&agent, "恒达电器").await;
    let dongfang = customer(&agent, "东方商贸").await;
    // 恒达: grade A, ¥20,000 on 月结30天. 东方: grade D.
    for (id, score, limit) in [(hengda, 95, 2_000_000), (dongfang, 10, 0)] {
        graded(&app, id, score, limit, "月结30天").await;
    }
    let order = |customer: i64, payment: &str, qty: i64, promised: Option<&str>| {
        let mut b = json!({"customer_id": customer, "payment": payment,
            "lines": [{"product_id": tv, "quantity": qty}]});
        if let Some(p) = promised {
            b["promised_on"] = json!(p);
        }
        b
    };

    // Grade D on credit: refused with the reason; nothing stored, the stock untouched.
    let (status, body) = post(&agent, "/api/v1/orders", order(dongfang, "credit", 1, None)).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("order_credit_refused")),
        "{body}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("预付"),
        "{body}"
    );
    // Prepaid, the same order goes through from stock.
    let (status, body) = post(
        &agent,
        "/api/v1/orders",
        order(dongfang, "prepayment", 1, None),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("open")),
        "{body}"
    );
    let prepaid = body["id"].as_i64().unwrap();

    // Ten TVs for 恒达: 3 left in stock, 7 to produce; ¥29,990 is over the limit.
    for (body, status_code, want) in [
        (
            order(hengda, "credit", 10, None),
            422,
            "order_promised_required",
        ),
        (
            order(hengda, "credit", 10, Some("2026-12-06")),
            422,
            "order_promised_past",
        ),
        (
            order(hengda, "credit", 0, Some("2026-12-20")),
            422,
            "order_quantity",
        ),
        (
            json!({"customer_id": hengda, "payment": "credit", "promised_on": "2026-12-20",
                "lines": [{"product_id": tv, "quantity": 1}, {"product_id": tv, "quantity": 2}]}),
            422,
            "order_product_twice",
        ),
        (
            json!({"customer_id": hengda, "payment": "credit",
                "lines": [{"product_id": tv, "quantity": 1, "unit_price_fen": 12.5}]}),
            400,
            "invalid_field",
        ),
    ] {
        let (status, got) = post(&agent, "/api/v1/orders", body).await;
        assert_eq!((status, code(&got)), (status_code, Some(want)), "{got}");
    }
    let (status, body) = post(
        &agent,
        "/api/v1/orders",
        order(hengda, "credit", 10, Some("2026-12-20")),
    )
    .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("pending_approval")),
        "{body}"
    );
    let big = body["id"].as_i64().unwrap();
    assert_eq!(app.notified("order_approval", Some(boss_id)).await, 1);
    let d = json_body(agent.get(&format!("/api/v1/orders/{big}")).await).await;
    assert_eq!(d["total_fen"], 2_999_000);
    assert_eq!(d["credit"], "needs_approval");
    assert_eq!(
        (
            d["lines"][0]["from_stock"].as_i64(),
            d["lines"][0]["to_produce"].as_i64()
        ),
        (Some(3), Some(7))
    );
    let kinds: Vec<&str> = d["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["sales", "production"]);
    assert_eq!(d["documents"][1]["promised_on"], "2026-12-20");

    // The agent may not approve; the manager rejects only with a reason, then approves.
    let decision = format!("/api/v1/orders/{big}/decision");
    let (status, _) = post(&agent, &decision, json!({"approve": true})).await;
    assert_eq!(status, 403);
    let (status, body) = post(&boss, &decision, json!({"approve": false})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("order_reason_required")),
        "{body}"
    );
    let (status, body) = post(&boss, &decision, json!({"approve": true})).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("open")),
        "{body}"
    );
    assert_eq!(app.notified("order_decided", Some(agent_id)).await, 1);
    let (status, body) = post(&boss, &decision, json!({"approve": true})).await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("order_not_now")),
        "{body}"
    );

    // Down to 5: production gives back first (3 from stock, 2 produced).
    let (status, body) = send(
        &agent,
        Method::PUT,
        &format!("/api/v1/orders/{big}/lines/1"),
        &json!({"quantity": 5, "reason": "客户减量"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let d = json_body(agent.get(&format!("/api/v1/orders/{big}")).await).await;
    assert_eq!(
        (
            d["lines"][0]["from_stock"].as_i64(),
            d["lines"][0]["to_produce"].as_i64()
        ),
        (Some(3), Some(2))
    );
    assert_eq!(d["total_fen"], 1_499_500);
    let change = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["action"] == "change")
        .unwrap()
        .clone();
    assert!(
        change["note"].as_str().unwrap().contains("10 → 5"),
        "{change}"
    );
    // A stale version is refused.
    let res = agent
        .request(Method::POST, &format!("/api/v1/orders/{big}/cancel"))
        .header("If-Match", "\"1\"")
        .json(&json!({"reason": "客户取消"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 412);
    // Cancelled: the three in stock come back; the prepaid order keeps its one.
    let (status, body) = post(
        &agent,
        &format!("/api/v1/orders/{big}/cancel"),
        json!({"reason": ""}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("order_reason_required")),
        "{body}"
    );
    let (status, _) = post(
        &agent,
        &format!("/api/v1/orders/{big}/cancel"),
        json!({"reason": "客户取消"}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = post(&agent, "/api/v1/orders", order(hengda, "credit", 3, None)).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (201, Some("open")),
        "three in stock again: {body}"
    );
    let d = json_body(agent.get(&format!("/api/v1/orders/{big}")).await).await;
    assert_eq!(d["state"], "cancelled");
    assert!(
        d["documents"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["state"] == "cancelled")
    );
    let list = json_body(agent.get("/api/v1/orders?state=open").await).await;
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    assert!(list.as_array().unwrap().iter().any(|o| o["id"] == prepaid));

    // The pages: the manager's list, a refusal in Chinese from the form.
    let s = app.login("ding.dan.agent", TEST_PASSWORD).await;
    let html = s.get("/orders").await.text().await.unwrap();
    assert_eq!(html.matches("data-testid=\"order-row\"").count(), 3);
    let res = s
        .post_form(
            "/orders",
            &[
                ("customer_id", &dongfang.to_string()),
                ("payment", "credit"),
                ("lines", "TV-55 1"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("只能预付") || html.contains("预付"), "{html}");
    let res = s
        .post_form(
            "/orders",
            &[
                ("customer_id", &dongfang.to_string()),
                ("payment", "prepayment"),
                ("lines", "TV-55 1 2,899.00"),
                ("promised_on", "2026-12-20"),
            ],
        )
        .await;
    let status = res.status().as_u16();
    let html = res.text().await.unwrap();
    let at = html.find("form-error").unwrap_or(0);
    assert_eq!(
        status,
        303,
        "placed from the page: {}",
        &html[at..(at + 300).min(html.len())]
    );
    app.stop().await;
}

/// A prepaid order of one unit of `product` for `customer`; its id.
async fn one_unit(agent: &ApiClient, customer: i64, product: i64) -> i64 {
    let (status, body) = post(
        agent,
        "/api/v1/orders",
        json!({"customer_id": customer, "payment": "prepayment",
            "lines": [{"product_id": product, "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

#[tokio::test]
async fn an_order_shows_the_policies_its_customer_had_on_the_day_it_was_placed() {
    // Monday 2026-12-07 10:00 in Beijing.
    let (app, clock) = TestApp::quiet_at("2026-12-07T02:00:00Z").await;
    let agent_id = app.create_user("you.hui.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let specialist_id = app
        .create_user("you.hui.dkh", &[Role::KeyAccountSpecialist])
        .await;
    let specialist = ApiClient::new(&app, &app.token_for(specialist_id).await);
    let boss_id = app.create_user("you.hui.jl", &[Role::CsManager]).await;
    let boss = ApiClient::new(&app, &app.token_for(boss_id).await);
    let keeper_id = app
        .create_user("you.hui.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let (status, body) = post(
        &boss,
        "/api/v1/customers",
        json!({"name": "华东精密", "tier": "key_account", "owner_id": agent_id}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let key = body["id"].as_i64().unwrap();
    let policies = format!("/api/v1/key-accounts/{key}/policies");
    let propose = |title: &str, from: &str, until: &str| {
        json!({"kind": "discount", "title": title, "conditions": "单笔订单满 1 万元",
            "rate_bp": 500, "threshold_fen": 1_000_000, "valid_from": from, "valid_until": until})
    };
    let mut ids = Vec::new();
    for (title, from, until) in [
        ("年末九五折", "2026-12-01", "2027-03-31"),
        ("明年夏季九五折", "2027-06-01", "2027-08-31"),
        ("待批的折扣", "2026-12-01", "2027-03-31"),
    ] {
        let (status, p) = post(&specialist, &policies, propose(title, from, until)).await;
        assert_eq!(status, 201, "{p}");
        ids.push(p["id"].as_i64().unwrap());
    }
    for id in &ids[..2] {
        let (status, p) = post(
            &boss,
            &format!("/api/v1/key-account-policies/{id}/approve"),
            json!({"note": "同意"}),
        )
        .await;
        assert_eq!(status, 200, "{p}");
    }
    let cnc = product(&keeper, "机床", "CNC-1", "数控车床", 1_280_000).await;
    stock(&keeper, cnc, 10).await;
    let titles = |detail: &Value| -> Vec<(String, bool)> {
        detail["policies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["title"].as_str().unwrap().to_owned(),
                    p["in_force"].as_bool().unwrap(),
                )
            })
            .collect()
    };

    // December's order: the year-end discount (approved, within its dates); not the
    // summer one, nor the one still waiting.
    let december = one_unit(&agent, key, cnc).await;
    let detail = json_body(agent.get(&format!("/api/v1/orders/{december}")).await).await;
    assert_eq!(
        titles(&detail),
        vec![("年末九五折".to_owned(), true)],
        "{detail}"
    );
    assert_eq!(detail["policies"][0]["rate_bp"], 500);
    let page = app
        .login("you.hui.agent", TEST_PASSWORD)
        .await
        .get(&format!("/orders/{december}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        page.matches("data-testid=\"order-policy\"").count(),
        1,
        "{page}"
    );
    assert!(
        page.contains("年末九五折")
            && page.contains("九五折")
            && page.contains("单笔订单满 1 万元")
    );

    // In July: December's order still shows what it had (no longer in force); July's
    // order has the summer discount.
    clock.set("2027-07-05T02:00:00Z".parse().unwrap());
    let detail = json_body(agent.get(&format!("/api/v1/orders/{december}")).await).await;
    assert_eq!(titles(&detail), vec![("年末九五折".to_owned(), false)]);
    let july = one_unit(&agent, key, cnc).await;
    let detail = json_body(agent.get(&format!("/api/v1/orders/{july}")).await).await;
    assert_eq!(titles(&detail), vec![("明年夏季九五折".to_owned(), true)]);
    app.stop().await;
}
