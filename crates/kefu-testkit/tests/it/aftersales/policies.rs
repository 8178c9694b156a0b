//! 售后服务政策 — the shipped company-wide 三包 policy decides claims from the first day; the
//! after-sales specialist issues a category's own version from a later day, which replaces
//! the open one the day before; each claim is decided by the version in force on its day,
//! citing the clause. Overlapping versions, bad figures and an agent issuing one are refused
//! with nothing stored.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

async fn versions(api: &ApiClient) -> Vec<Value> {
    json_body(api.get("/api/v1/aftersales/policies").await)
        .await
        .as_array()
        .unwrap()
        .clone()
}

fn claim(
    product: i64,
    kind: &str,
    fault: &str,
    delivered: &str,
    requested: &str,
    amount: i64,
) -> Value {
    json!({"product_id": product, "kind": kind, "fault": fault, "delivered_on": delivered,
        "requested_on": requested, "amount_fen": amount})
}

#[tokio::test]
async fn claims_are_decided_by_the_version_in_force_citing_its_clause() {
    // Sunday 2026-12-06 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-06T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let keeper_id = app
        .create_user("zheng.ce", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let agent_id = app.create_user("pan.ding", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "小家电"}),
    )
    .await;
    let small = body["id"].as_i64().unwrap();
    let (status, body) = send(&keeper, Method::POST, "/api/v1/catalogue/products", &json!({
        "sku": "RSQ-60", "name": "电热水器", "category_id": small, "price_fen": 159_900, "warranty_months": 12
    })).await;
    assert_eq!(status, 201, "{body}");
    let heater = body["id"].as_i64().unwrap();

    // The shipped company-wide policy: version 1, the 三包 figures, eight clauses.
    let all = versions(&agent).await;
    assert_eq!(all.len(), 1, "{all:?}");
    assert_eq!(all[0]["category_id"], Value::Null);
    assert_eq!(
        (
            all[0]["policy"]["return_days"].as_i64(),
            all[0]["policy"]["exchange_days"].as_i64()
        ),
        (Some(7), Some(15))
    );
    assert_eq!(all[0]["policy"]["clauses"].as_array().unwrap().len(), 8);

    let check = |body: Value| {
        let agent = &agent;
        async move {
            send(
                agent,
                Method::POST,
                "/api/v1/aftersales/policy-check",
                &body,
            )
            .await
        }
    };
    // A quality return on day 5 under ¥500: eligible, no one approves, clause 1.
    let (status, d) = check(claim(
        heater,
        "return",
        "quality",
        "2026-12-01",
        "2026-12-06",
        40_000,
    ))
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(
        (
            d["verdict"].as_str(),
            d["approver"].as_str(),
            d["clause"].as_str(),
            d["clause_number"].as_i64()
        ),
        (
            Some("eligible"),
            Some("auto"),
            Some("return_window"),
            Some(1)
        ),
        "{d}"
    );
    assert!(d["clause_text"].as_str().unwrap().contains("7日内"));
    // Over ¥500 the specialist approves, over ¥5,000 the manager; day 8 is outside.
    let (_, d) = check(claim(
        heater,
        "return",
        "quality",
        "2026-12-01",
        "2026-12-06",
        159_900,
    ))
    .await;
    assert_eq!(
        (d["verdict"].as_str(), d["approver"].as_str()),
        (Some("needs_approval"), Some("specialist"))
    );
    let (_, d) = check(claim(
        heater,
        "exchange",
        "quality",
        "2026-11-28",
        "2026-12-06",
        600_000,
    ))
    .await;
    assert_eq!(d["approver"], "manager");
    let (_, d) = check(claim(
        heater,
        "return",
        "quality",
        "2026-11-28",
        "2026-12-06",
        100,
    ))
    .await;
    assert_eq!(
        (d["verdict"].as_str(), d["reason"].as_str()),
        (Some("outside"), Some("past_return_window"))
    );
    // Out of the 12-month warranty a repair is paid; customer damage is never returned.
    let (_, d) = check(claim(
        heater,
        "repair",
        "quality",
        "2025-11-01",
        "2026-12-06",
        30_000,
    ))
    .await;
    assert_eq!(
        (
            d["clause"].as_str(),
            d["paid_repair"].as_bool(),
            d["in_warranty"].as_bool()
        ),
        (Some("paid_repair"), Some(true), Some(false))
    );
    let (_, d) = check(claim(
        heater,
        "return",
        "customer_damage",
        "2026-12-05",
        "2026-12-06",
        100,
    ))
    .await;
    assert_eq!(
        (d["verdict"].as_str(), d["clause"].as_str()),
        (Some("outside"), Some("customer_damage"))
    );
    // Refused: a request before the delivery, a negative amount, an unknown kind, a float.
    for (body, want) in [
        (
            claim(heater, "return", "quality", "2026-12-06", "2026-12-01", 100),
            "claim_before_delivery",
        ),
        (
            claim(heater, "return", "quality", "2026-12-01", "2026-12-06", -1),
            "negative_amount",
        ),
        (
            claim(heater, "swap", "quality", "2026-12-01", "2026-12-06", 1),
            "unknown_value",
        ),
        (
            claim(999_999, "return", "quality", "2026-12-01", "2026-12-06", 1),
            "not_found",
        ),
    ] {
        let (_, got) = check(body.clone()).await;
        assert_eq!(code(&got), Some(want), "{body} → {got}");
    }
    let mut float = claim(heater, "return", "quality", "2026-12-01", "2026-12-06", 1);
    float["amount_fen"] = json!(12.5);
    let (status, _) = check(float).await;
    assert!(status == 400 || status == 422);

    // The specialist issues the small appliances' own policy from 2026-12-10: 30 days.
    let mut rules = all[0]["policy"].clone();
    rules["return_days"] = json!(30);
    for c in rules["clauses"].as_array_mut().unwrap() {
        c.as_object_mut().unwrap().remove("number");
    }
    let issue = |from: &str, to: Option<&str>, rules: &Value| json!({"category_id": small, "valid_from": from, "valid_to": to, "note": "小家电退货期延长到30天", "policy": rules});
    let (status, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2026-12-10", None, &rules),
    )
    .await;
    assert_eq!((status, code(&body)), (403, Some("forbidden")));
    let mut bad = rules.clone();
    bad["auto_approve_fen"] = json!(900_000);
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2026-12-10", None, &bad),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("policy_limits")),
        "{body}"
    );
    let mut blank = rules.clone();
    blank["clauses"][0]["text"] = json!(" ");
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2026-12-10", None, &blank),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("policy_clause_missing")),
        "{body}"
    );
    assert_eq!(versions(&keeper).await.len(), 1);
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2026-12-10", None, &rules),
    )
    .await;
    assert_eq!((status, body["number"].as_i64()), (201, Some(1)), "{body}");

    // Day 20 after delivery: outside before 12-10 (company-wide), eligible after (its own).
    let (_, d) = check(claim(
        heater,
        "return",
        "quality",
        "2026-11-15",
        "2026-12-05",
        100,
    ))
    .await;
    assert_eq!(
        (d["verdict"].as_str(), d["policy_category_id"].as_i64()),
        (Some("outside"), None),
        "{d}"
    );
    let (_, d) = check(claim(
        heater,
        "return",
        "quality",
        "2026-11-25",
        "2026-12-15",
        100,
    ))
    .await;
    assert_eq!(
        (
            d["verdict"].as_str(),
            d["policy_category_id"].as_i64(),
            d["policy_number"].as_i64()
        ),
        (Some("eligible"), Some(small), Some(1)),
        "{d}"
    );

    // A second version from 2027-01-01 ends the first on 2026-12-31; one overlapping them
    // both is refused, nothing stored.
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2027-01-01", None, &rules),
    )
    .await;
    assert_eq!((status, body["number"].as_i64()), (201, Some(2)), "{body}");
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2026-12-20", Some("2027-01-05"), &rules),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("policy_overlap")),
        "{body}"
    );
    let (status, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/aftersales/policies",
        &issue("2027-03-01", Some("2027-02-01"), &rules),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("catalogue_reversed")),
        "{body}"
    );
    let all = versions(&keeper).await;
    let own: Vec<(Option<&str>, Option<&str>)> = all
        .iter()
        .filter(|v| v["category_id"] == small)
        .map(|v| (v["valid_from"].as_str(), v["valid_to"].as_str()))
        .collect();
    assert_eq!(
        own,
        vec![
            (Some("2026-12-10"), Some("2026-12-31")),
            (Some("2027-01-01"), None)
        ]
    );

    // The pages: the agent reads the versions and checks a claim by SKU; the form to issue
    // one is the specialist's.
    let s = app.login("pan.ding", TEST_PASSWORD).await;
    let html = s.get("/aftersales/policies").await.text().await.unwrap();
    assert!(
        html.contains("全公司通用") && html.contains("小家电"),
        "{html}"
    );
    let html = s
        .get("/aftersales/policy-check?sku=rsq-60&kind=exchange&fault=quality&delivered_on=2026-11-28&requested_on=2026-12-06&amount=1,599")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-verdict=\"needs_approval\"") && html.contains("依据第2条"),
        "{html}"
    );
    let res = s
        .get("/aftersales/policy-check?sku=NOPE&delivered_on=2026-11-28&amount=1")
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("目录中没有编码为 NOPE 的产品")
    );
    assert_eq!(
        s.get("/aftersales/policies/new").await.status().as_u16(),
        403
    );
    let k = app.login("zheng.ce", TEST_PASSWORD).await;
    let html = k
        .get("/aftersales/policies/new")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"clause_return_window\""), "{html}");
    app.stop().await;
}
