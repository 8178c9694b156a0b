//! 配件与不良品 — the ledger refuses any movement that would leave a balance below zero, on
//! either backend, and two instances issuing the last part at once cannot both succeed; an
//! issue names its RMA; a plan is proposed, approved once, and parts below it show on the
//! workbench; defective goods are taken in as defective stock and their disposal moves them
//! only once approved. Refused with nothing changed: a zero or fractional quantity, a
//! missing document, a typed scrap, an adjustment without reason, a month 13, an unknown
//! part, a second decision, a rejection without reason.

use std::sync::Arc;

use kefu_app::Actor;
use kefu_domain::aftersales::catalogue::Part;
use kefu_domain::aftersales::stock::{Movement, MovementKind};
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{customer, product};
use crate::key_account_plans::tile_count;
use crate::key_accounts::{code, send};

#[tokio::test]
async fn the_stock_never_goes_below_zero_even_from_two_instances() {
    let app = TestApp::spawn().await;
    let peer = app.spawn_peer().await;
    let system = Actor::system();
    let part = app
        .app
        .create_part(
            &system,
            Part {
                part_number: "P-YSJ-01".into(),
                name: "压缩机".into(),
                cost_fen: 68_000,
                unit: "台".into(),
                active: true,
                uses: Vec::new(),
            },
        )
        .await
        .unwrap();
    let warehouse = {
        let mut conn = app.app.store.conn().await.unwrap();
        kefu_store::aftersales::stock::insert_location(&mut conn, "中心仓", None, app.now())
            .await
            .unwrap()
            .unwrap()
    };
    let point = {
        let mut conn = app.app.store.conn().await.unwrap();
        kefu_store::aftersales::stock::insert_location(
            &mut conn,
            "杭州西湖服务站库",
            None,
            app.now(),
        )
        .await
        .unwrap()
        .unwrap()
    };
    let mv = |kind, quantity, location, to| Movement {
        kind,
        quantity,
        location,
        to,
    };
    app.app
        .record_stock_movement(
            &system,
            part,
            mv(MovementKind::Receipt, 3, warehouse, None),
            "RK-001",
            None,
            "",
        )
        .await
        .unwrap();
    let err = app
        .app
        .record_stock_movement(
            &system,
            part,
            mv(MovementKind::Transfer, 4, warehouse, Some(point)),
            "DB-001",
            None,
            "",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("only 3 in stock"), "{err}");
    app.app
        .record_stock_movement(
            &system,
            part,
            mv(MovementKind::Transfer, 2, warehouse, Some(point)),
            "DB-002",
            None,
            "",
        )
        .await
        .unwrap();
    // One left in the warehouse: two instances send it on at once; one succeeds.
    let last = mv(MovementKind::Transfer, 1, warehouse, Some(point));
    let (a, b) = tokio::join!(
        app.app
            .record_stock_movement(&system, part, last, "DB-003", None, ""),
        peer.app
            .record_stock_movement(&system, part, last, "DB-004", None, ""),
    );
    assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{a:?} {b:?}");
    let mut conn = app.app.store.conn().await.unwrap();
    use kefu_domain::aftersales::stock::Condition;
    let left = kefu_store::aftersales::stock::balance(&mut conn, warehouse, part, Condition::Good)
        .await
        .unwrap();
    let there = kefu_store::aftersales::stock::balance(&mut conn, point, part, Condition::Good)
        .await
        .unwrap();
    assert_eq!((left, there), (0, 3));
    let log = kefu_store::aftersales::stock::movements(&mut conn, part, 0, 10)
        .await
        .unwrap();
    assert_eq!(log.len(), 3, "the refused movements left no line");
    drop(conn);
    peer.stop().await;
    app.stop().await;
}

async fn post(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    send(api, Method::POST, path, &body).await
}

fn moved(kind: &str, part: i64, quantity: i64, location: i64, document: &str) -> Value {
    json!({"kind": kind, "part_id": part, "quantity": quantity, "location_id": location,
        "document": document})
}

async fn stock_of(api: &ApiClient, location: i64) -> Vec<Value> {
    let body = json_body(
        api.get(&format!("/api/v1/aftersales/stock?location_id={location}"))
            .await,
    )
    .await;
    body["lines"].as_array().unwrap().clone()
}

/// (good, defective) of the only part at `location`.
async fn held(api: &ApiClient, location: i64) -> (i64, i64) {
    let lines = stock_of(api, location).await;
    assert_eq!(lines.len(), 1, "{lines:?}");
    (
        lines[0]["good"].as_i64().unwrap(),
        lines[0]["defective"].as_i64().unwrap(),
    )
}

#[tokio::test]
async fn parts_move_by_the_ledger_plans_and_defective_goods_wait_for_approval() {
    // Monday 2026-12-07 10:00 in Beijing: the plan's month is 2026-12.
    let clock = Arc::new(FixedClock::new("2026-12-07T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user("pei.jian.agent", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("pei.jian.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let boss_id = app.create_user("pei.jian.jl", &[Role::CsManager]).await;
    let boss = ApiClient::new(&app, &app.token_for(boss_id).await);
    let heater = product(&keeper, "热水器", "RSQ-60", "电热水器 60L", 129_900).await;
    let (status, body) = post(
        &keeper,
        "/api/v1/catalogue/parts",
        json!({"part_number": "JRG-01", "name": "加热管", "cost_fen": 8_500, "unit": "根",
            "used_in": [{"product_id": heater, "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let tube = body["id"].as_i64().unwrap();
    let zhang = customer(&agent, "张建华").await;
    let (status, body) = post(
        &agent,
        "/api/v1/aftersales/rmas",
        json!({"customer_id": zhang, "kind": "repair", "product_id": heater, "quantity": 1,
            "fault": "quality", "description": "不加热", "delivered_on": "2026-10-01",
            "amount_fen": 0, "paid_fen": 129_900}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let rma = body["id"].as_i64().unwrap();

    // The stock is the after-sales staff's: an agent may not read it.
    let res = agent.get("/api/v1/aftersales/stock").await;
    assert_eq!(res.status().as_u16(), 403);

    let loc = |name: &str| json!({"name": name});
    let (status, body) = post(&keeper, "/api/v1/aftersales/stock/locations", loc("中心仓")).await;
    assert_eq!(status, 201, "{body}");
    let warehouse = body["id"].as_i64().unwrap();
    let (status, body) = post(
        &keeper,
        "/api/v1/aftersales/stock/locations",
        loc("杭州站库"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let point = body["id"].as_i64().unwrap();
    let (status, body) = post(&keeper, "/api/v1/aftersales/stock/locations", loc("中心仓")).await;
    assert_eq!((status, code(&body)), (409, Some("name_taken")), "{body}");

    // Receipts, an issue to the RMA, a transfer; every refusal leaves the stock as it was.
    let path = "/api/v1/aftersales/stock/movements";
    let (status, body) = post(&boss, path, moved("receipt", tube, 5, warehouse, "RK-001")).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = post(&boss, path, moved("issue", tube, 1, warehouse, "LL-001")).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("stock_issue_without_rma")),
        "{body}"
    );
    let mut issue = moved("issue", tube, 1, warehouse, "LL-001");
    issue["rma_id"] = json!(rma);
    let (status, body) = post(&boss, path, issue).await;
    assert_eq!(status, 201, "{body}");
    let mut transfer = moved("transfer", tube, 10, warehouse, "DB-001");
    transfer["to_location_id"] = json!(point);
    let (status, body) = post(&boss, path, transfer.clone()).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("stock_below_zero")),
        "{body}"
    );
    transfer["quantity"] = json!(2);
    let (status, body) = post(&boss, path, transfer).await;
    assert_eq!(status, 201, "{body}");
    for (body, want) in [
        (
            moved("receipt", tube, 0, warehouse, "RK-002"),
            "stock_quantity",
        ),
        (moved("receipt", tube, 2, warehouse, " "), "stock_required"),
        (
            moved("scrap", tube, 1, warehouse, "BF-001"),
            "stock_through_defective",
        ),
        (
            moved("adjustment", tube, -1, warehouse, "PD-001"),
            "stock_required",
        ),
    ] {
        let (status, got) = post(&keeper, path, body).await;
        assert_eq!((status, code(&got)), (422, Some(want)), "{got}");
    }
    let (status, body) = post(
        &boss,
        path,
        json!({"kind": "receipt", "part_id": tube,
        "quantity": 1.5, "location_id": warehouse, "document": "RK-003"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (400, Some("invalid_field")),
        "a fractional quantity: {body}"
    );
    let mut missing = moved("receipt", tube, 1, 424_242, "RK-004");
    let (status, _) = post(&boss, path, missing.clone()).await;
    assert_eq!(status, 404, "an unknown location");
    missing["location_id"] = json!(warehouse);
    missing["part_id"] = json!(424_242);
    let (status, _) = post(&boss, path, missing).await;
    assert_eq!(status, 404, "an unknown part");
    // A count finds one fewer than the book: the specialist adjusts, with the reason.
    let mut count = moved("adjustment", tube, -1, warehouse, "PD-001");
    count["reason"] = json!("盘点短少一根");
    let (status, body) = post(&keeper, path, count.clone()).await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = post(&agent, path, count).await;
    assert_eq!(status, 403);
    assert_eq!(held(&boss, warehouse).await, (1, 0));
    assert_eq!(held(&boss, point).await, (2, 0));
    let ledger = json_body(
        boss.get(&format!(
            "/api/v1/aftersales/stock/movements?part_id={tube}"
        ))
        .await,
    )
    .await;
    let kinds: Vec<&str> = ledger
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["adjustment", "transfer", "issue", "receipt"]);
    assert_eq!(ledger[2]["rma_id"], rma);
    assert_eq!(ledger[0]["by"], "测试 pei.jian.zy");

    // The point's plan for December: proposed by the manager, approved by the specialist.
    let plan = format!("/api/v1/aftersales/stock/plans/{point}/2026-12");
    let lines = |code: &str, n: i64| json!({"lines": [{"part_number": code, "quantity": n}]});
    for (path, body, want) in [
        (
            format!("/api/v1/aftersales/stock/plans/{point}/2026-13"),
            lines("JRG-01", 4),
            "stock_period",
        ),
        (plan.clone(), lines("JRG-99", 4), "stock_unknown_part"),
        (plan.clone(), json!({"lines": []}), "stock_plan_line"),
    ] {
        let (status, got) = send(&boss, Method::PUT, &path, &body).await;
        assert_eq!((status, code(&got)), (422, Some(want)), "{got}");
    }
    let (status, body) = send(&boss, Method::PUT, &plan, &lines("jrg-01", 4)).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(
        app.notified("stock_plan_proposed", Some(keeper_id)).await,
        1
    );
    let decision = format!("{plan}/decision");
    let (status, body) = post(&boss, &decision, json!({"approve": true})).await;
    assert_eq!(
        (status, code(&body)),
        (403, Some("stock_own_proposal")),
        "approval takes a second person: {body}"
    );
    let k = app.login("pei.jian.zy", TEST_PASSWORD).await;
    assert_eq!(tile_count(&k, "aftersales.plans_to_approve").await, 1);
    assert_eq!(tile_count(&k, "aftersales.below_plan").await, 0);
    let (status, body) = post(&keeper, &decision, json!({"approve": true})).await;
    assert_eq!((status, body["lines"].as_i64()), (200, Some(1)), "{body}");
    let (status, body) = post(&keeper, &decision, json!({"approve": true})).await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("stock_decided")),
        "{body}"
    );
    // Two at the point against four planned: below plan, on the tile and its list.
    let below = json_body(boss.get("/api/v1/aftersales/stock?below_plan=true").await).await;
    assert_eq!(below["period"], "2026-12");
    assert_eq!(below["lines"].as_array().unwrap().len(), 1, "{below}");
    assert_eq!(below["lines"][0]["short_of_plan"], 2);
    assert_eq!(tile_count(&k, "aftersales.below_plan").await, 1);
    assert_eq!(tile_count(&k, "aftersales.plans_to_approve").await, 0);
    let html = k
        .get("/aftersales/stock?below=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-testid=\"stock-row\"").count(), 1);

    // The faulty tube taken out in the repair: defective at once, its scrap waits.
    let defective = json!({"rma_id": rma, "part_id": tube, "location_id": point, "quantity": 1,
        "disposal": "scrap", "note": "加热管烧断"});
    let (status, body) = post(&boss, "/api/v1/aftersales/defective", defective).await;
    assert_eq!(status, 201, "{body}");
    let bad = body["id"].as_i64().unwrap();
    assert_eq!(held(&boss, point).await, (2, 1));
    assert_eq!(app.notified("defective_proposed", Some(keeper_id)).await, 1);
    assert_eq!(tile_count(&k, "aftersales.defective_to_decide").await, 1);
    let item = json_body(
        boss.get(&format!("/api/v1/aftersales/defective/{bad}"))
            .await,
    )
    .await;
    assert_eq!(
        (
            item["status"].as_str(),
            item["disposal"].as_str(),
            item["rma_number"].is_string()
        ),
        (Some("pending"), Some("scrap"), true),
        "{item}"
    );
    let decide = format!("/api/v1/aftersales/defective/{bad}/decision");
    let (status, body) = post(&keeper, &decide, json!({"approve": false})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("stock_required")),
        "a rejection's reason"
    );
    let (status, _) = post(
        &keeper,
        &decide,
        json!({"approve": false, "note": "可修复"}),
    )
    .await;
    assert_eq!(status, 204);
    let (status, body) = post(&keeper, &decide, json!({"approve": true})).await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("stock_decided")),
        "{body}"
    );
    assert_eq!(
        held(&boss, point).await,
        (2, 1),
        "a rejection moves nothing"
    );
    let again = format!("/api/v1/aftersales/defective/{bad}/disposal");
    let (status, body) = post(&boss, &again, json!({"disposal": "burn"})).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("unknown_value")),
        "{body}"
    );
    let (status, _) = post(&boss, &again, json!({"disposal": "repair_restock"})).await;
    assert_eq!(status, 204);
    let (status, _) = post(
        &keeper,
        &decide,
        json!({"approve": true, "note": "修复后入库"}),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        held(&boss, point).await,
        (3, 0),
        "repaired and back as good"
    );
    let ledger = json_body(
        boss.get(&format!(
            "/api/v1/aftersales/stock/movements?location_id={point}"
        ))
        .await,
    )
    .await;
    assert_eq!(ledger[0]["kind"], "restock");
    assert_eq!(ledger[0]["document"], format!("BL{bad}"));
    assert_eq!(ledger[1]["kind"], "faulty_back");
    let listed = json_body(
        boss.get(&format!("/api/v1/aftersales/defective?rma_id={rma}"))
            .await,
    )
    .await;
    assert_eq!(listed[0]["status"], "approved");
    assert_eq!(tile_count(&k, "aftersales.defective_to_decide").await, 0);

    // The pages: a refusal reads in Chinese and records nothing; the RMA offers its parts.
    let csrf_page = k
        .get(&format!("/aftersales/rmas/{rma}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(csrf_page.contains("data-testid=\"rma-issue-parts\""));
    let res = k
        .post_form(
            "/aftersales/stock/movements",
            &[
                ("kind", "issue"),
                ("part", "jrg-01"),
                ("quantity", "9"),
                ("location", &point.to_string()),
                ("document", "LL-002"),
                ("rma", &item["rma_number"].as_str().unwrap().to_lowercase()),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("库存只有 3，不能出库 9。"), "{html}");
    assert_eq!(held(&boss, point).await, (3, 0));
    let res = k
        .post_form(
            &format!("/aftersales/stock/plans/{point}/2026-12"),
            &[("lines", "JRG-01 4\nJRG-01 5")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("计划第 2 行：该配件重复")
    );
    let res = k
        .post_form(
            "/aftersales/defective",
            &[
                ("part", "JRG-01"),
                ("quantity", "1"),
                ("location", &point.to_string()),
                ("disposal", "scrap"),
                ("document", "JX-001"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303, "registered from the page");
    app.stop().await;
}
