//! 服务网点 — repairs are routed to the least loaded point with room near the customer that
//! repairs the category (the city's first, then the province's; none: the specialist sends
//! it by hand); a repair past its point's turnaround shows on the tile's list; the point is
//! inspected on its checklist and scored. Refused with nothing stored: a point with no
//! category or a zero capacity, a non-repair sent to a point, a point not repairing the
//! category, an inspection dated tomorrow.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::{code, send};

async fn rma(api: &ApiClient, id: i64) -> Value {
    json_body(api.get(&format!("/api/v1/aftersales/rmas/{id}")).await).await
}

#[tokio::test]
async fn repairs_go_to_the_nearest_point_with_room_and_points_are_inspected() {
    // Monday 2026-12-07 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("wang.dian.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("wang.dian.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "洗衣机"}),
    )
    .await;
    let washers = body["id"].as_i64().unwrap();
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/categories",
        &json!({"name": "冰箱"}),
    )
    .await;
    let fridges = body["id"].as_i64().unwrap();
    let (_, body) = send(
        &keeper,
        Method::POST,
        "/api/v1/catalogue/products",
        &json!({
            "sku": "XQG-80", "name": "滚筒洗衣机", "category_id": washers, "price_fen": 259_900,
            "warranty_months": 36
        }),
    )
    .await;
    let washer = body["id"].as_i64().unwrap();

    let point = |name: &str, province: &str, city: &str, categories: Vec<i64>, capacity: u32| {
        json!({"name": name, "province": province, "city": city, "category_ids": categories,
            "capacity": capacity, "turnaround_days": 3})
    };
    for (body, want) in [
        (
            point("空网点", "浙江", "杭州", vec![], 5),
            "point_no_category",
        ),
        (
            point("零容量", "浙江", "杭州", vec![washers], 0),
            "point_capacity",
        ),
        (
            point("未知类别", "浙江", "杭州", vec![99_999], 5),
            "catalogue_unknown_category",
        ),
    ] {
        let (status, got) = send(&keeper, Method::POST, "/api/v1/aftersales/points", &body).await;
        assert_eq!((status, code(&got)), (422, Some(want)), "{got}");
    }
    let (status, _) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/points",
        &point("越权", "浙江", "杭州", vec![washers], 5),
    )
    .await;
    assert_eq!(status, 403);
    let mut ids = Vec::new();
    for (name, city, categories, capacity) in [
        ("杭州西湖服务站", "杭州", vec![washers], 1),
        ("杭州滨江服务站", "杭州", vec![washers, fridges], 5),
        ("宁波海曙服务站", "宁波", vec![washers], 5),
        ("杭州冰箱专修", "杭州", vec![fridges], 5),
    ] {
        let (status, body) = send(
            &keeper,
            Method::POST,
            "/api/v1/aftersales/points",
            &point(name, "浙江", city, categories, capacity),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_i64().unwrap());
    }
    let (xihu, binjiang, ningbo) = (ids[0], ids[1], ids[2]);
    let points = json_body(agent.get("/api/v1/aftersales/points").await).await;
    assert_eq!(points.as_array().unwrap().len(), 4);
    assert_eq!(points[0]["province"], "浙江省", "{points}");

    let customer = |name: &'static str, province: &'static str, city: &'static str| {
        let agent = &agent;
        async move {
            json_body(
                agent
                    .json(
                        Method::POST,
                        "/api/v1/customers",
                        &json!({"name": name, "province": province, "city": city}),
                    )
                    .await,
            )
            .await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let hangzhou = customer("陈立", "浙江", "杭州").await;
    let wenzhou = customer("林海", "浙江", "温州").await;
    let suzhou = customer("周宁", "江苏", "苏州").await;
    let repair = |c: i64| {
        json!({"customer_id": c, "kind": "repair", "product_id": washer, "quantity": 1,
            "fault": "quality", "description": "脱水时异响", "delivered_on": "2026-06-01",
            "amount_fen": 20_000, "paid_fen": 259_900})
    };
    let request = |c: i64| {
        let agent = &agent;
        async move {
            let (status, body) =
                send(agent, Method::POST, "/api/v1/aftersales/rmas", &repair(c)).await;
            assert_eq!(
                (status, body["state"].as_str()),
                (201, Some("awaiting_goods")),
                "{body}"
            );
            body["id"].as_i64().unwrap()
        }
    };
    // Both Hangzhou points are empty: 西湖 (1 of 1 free) and 滨江 tie at 0; the lower id.
    let first = request(hangzhou).await;
    assert_eq!(
        rma(&agent, first).await["service_point_id"].as_i64(),
        Some(xihu)
    );
    // 西湖 is full now: 滨江.
    let second = request(hangzhou).await;
    assert_eq!(
        rma(&agent, second).await["service_point_id"].as_i64(),
        Some(binjiang)
    );
    // No point in 温州: the province's least loaded, 宁波.
    let third = request(wenzhou).await;
    assert_eq!(
        rma(&agent, third).await["service_point_id"].as_i64(),
        Some(ningbo)
    );
    // Nobody near 苏州: unrouted; the specialist sends it by hand, not to a fridge point.
    let fourth = request(suzhou).await;
    assert_eq!(rma(&agent, fourth).await["service_point_id"], Value::Null);
    let path = format!("/api/v1/aftersales/rmas/{fourth}/point");
    let (status, got) = send(
        &keeper,
        Method::POST,
        &path,
        &json!({"service_point_id": ids[3]}),
    )
    .await;
    assert_eq!(
        (status, code(&got)),
        (422, Some("point_no_category")),
        "{got}"
    );
    let (status, _) = send(
        &agent,
        Method::POST,
        &path,
        &json!({"service_point_id": ningbo}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, got) = send(
        &keeper,
        Method::POST,
        &path,
        &json!({"service_point_id": ningbo}),
    )
    .await;
    assert_eq!(status, 204, "{got}");
    let r = rma(&keeper, fourth).await;
    assert_eq!(r["service_point_id"].as_i64(), Some(ningbo));
    assert_eq!(
        r["steps"].as_array().unwrap().last().unwrap()["action"],
        "assign_point"
    );
    // A return is never sent to a point.
    let (_, body) = send(
        &agent,
        Method::POST,
        "/api/v1/aftersales/rmas",
        &json!({
        "customer_id": hangzhou, "kind": "return", "product_id": washer, "quantity": 1,
        "fault": "quality", "description": "噪音大", "delivered_on": "2026-12-05",
        "amount_fen": 100, "paid_fen": 259_900}),
    )
    .await;
    let ret = body["id"].as_i64().unwrap();
    let (status, got) = send(
        &keeper,
        Method::POST,
        &format!("/api/v1/aftersales/rmas/{ret}/point"),
        &json!({"service_point_id": ningbo}),
    )
    .await;
    assert_eq!(
        (status, code(&got)),
        (422, Some("point_not_a_repair")),
        "{got}"
    );

    // 西湖 receives the first on Monday; by Friday it is past its 3 days.
    let moves = format!("/api/v1/aftersales/rmas/{first}/moves");
    send(&keeper, Method::POST, &moves, &json!({"move": "receive"})).await;
    clock.advance(SignedDuration::from_hours(4 * 24));
    let late = json_body(keeper.get("/api/v1/aftersales/rmas?view=turnaround").await).await;
    let late: Vec<i64> = late
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(late, vec![first]);
    send(
        &keeper,
        Method::POST,
        &moves,
        &json!({"move": "inspect", "result": "fault_confirmed"}),
    )
    .await;
    send(
        &keeper,
        Method::POST,
        &moves,
        &json!({"move": "repair", "note": "更换轴承"}),
    )
    .await;
    assert!(
        json_body(keeper.get("/api/v1/aftersales/rmas?view=turnaround").await)
            .await
            .as_array()
            .unwrap()
            .is_empty()
    );
    let d = json_body(
        keeper
            .get(&format!("/api/v1/aftersales/points/{xihu}"))
            .await,
    )
    .await;
    assert_eq!(d["mean_turnaround_days"].as_f64(), Some(4.0), "{d}");
    assert_eq!(d["open_repairs"], 0);

    // The checklist inspection: scored by the share passed; not dated tomorrow.
    let items: Vec<Value> = (0..7)
        .map(|i| json!({"item": format!("检查项{i}"), "passed": i != 2}))
        .collect();
    let inspections = format!("/api/v1/aftersales/points/{xihu}/inspections");
    let (status, got) = send(
        &keeper,
        Method::POST,
        &inspections,
        &json!({"inspected_on": "2026-12-12", "items": items}),
    )
    .await;
    assert_eq!(status, 422, "{got}");
    let (status, got) = send(
        &keeper,
        Method::POST,
        &inspections,
        &json!({"inspected_on": "2026-12-11", "items": items, "actions": "配件台账一周内补齐"}),
    )
    .await;
    assert_eq!((status, got["score"].as_i64()), (201, Some(85)), "{got}");
    let d = json_body(
        keeper
            .get(&format!("/api/v1/aftersales/points/{xihu}"))
            .await,
    )
    .await;
    assert_eq!(d["inspections"][0]["score"], 85);

    // The pages.
    let s = app.login("wang.dian.zy", TEST_PASSWORD).await;
    let html = s.get("/aftersales/points").await.text().await.unwrap();
    assert!(
        html.contains("杭州西湖服务站") && html.contains("浙江省杭州市"),
        "{html}"
    );
    let html = s
        .get(&format!("/aftersales/points/{xihu}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"point-mean-turnaround\">4.0")
            && html.contains("配件台账一周内补齐"),
        "{html}"
    );
    let html = s
        .get(&format!("/aftersales/rmas/{second}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("data-testid=\"rma-point\"") && html.contains("杭州滨江服务站"),
        "{html}"
    );
    app.stop().await;
}
