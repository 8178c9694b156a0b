//! 满意度报表 by product — three customers, two products. A ticket counts under the product
//! of its first RMA (a second RMA on another product does not move it; a ticket without
//! one is "no product"). A relationship invitation counts under every product its customer
//! had ordered or brought back before it was made (an order placed after does not count),
//! so one detractor counts under both products while the total counts each invitation
//! once. The standard questions are grouped the same way. The invitations group by the
//! channel they went by and by the customer's owner too. The page, the CSV and the XLSX
//! say the products by SKU and name.

use calamine::Reader;
use jiff::SignedDuration;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD};
use reqwest::Method;
use serde_json::{Value, json};

use super::quiet_app;
use super::satisfaction_report::{customer, rated, report};
use crate::key_accounts::send;
use crate::orders::{post, stock};

/// An RMA on `product` for `customer`, made from ticket `ticket`.
async fn rma_on(api: &ApiClient, customer: i64, ticket: i64, product: i64) {
    let (status, body) = post(
        api,
        "/api/v1/aftersales/rmas",
        json!({"customer_id": customer, "ticket_id": ticket, "kind": "repair",
            "product_id": product, "quantity": 1, "fault": "quality", "description": "不制冷",
            "delivered_on": "2026-11-02", "amount_fen": 0, "paid_fen": 0}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// A prepaid order of one `product` for `customer`.
async fn ordered(api: &ApiClient, customer: i64, product: i64) {
    let (status, body) = post(
        api,
        "/api/v1/orders",
        json!({"customer_id": customer, "payment": "prepayment",
            "lines": [{"product_id": product, "quantity": 1}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
}

/// (label, sent, answered) of each group of `table`, with `name` as the label (or
/// "none" for the group without a product).
fn groups(r: &Value, table: &str) -> Vec<(String, i64, i64)> {
    r[table]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap_or("none").to_owned(),
                g["sent"].as_i64().unwrap(),
                g["answered"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_report_rates_each_product_by_its_rmas_and_its_buyers() {
    // Monday 2026-11-16 10:00 in Beijing.
    let (app, clock) = quiet_app().await;
    clock.set("2026-11-16T02:00:00Z".parse().unwrap());
    let manager = app.create_user("bao.biao", &[Role::CsManager]).await;
    let api = ApiClient::new(&app, &app.token_for(manager).await);
    let agent_id = app.create_user("zhang.kf", &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app
        .create_user("shou.hou.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let aircon =
        crate::aftersales::product(&keeper, "空调", "KT-35", "壁挂空调 1.5 匹", 299_900).await;
    let heater =
        crate::aftersales::product(&keeper, "热水器", "RSQ-80", "电热水器 80L", 159_900).await;
    stock(&keeper, aircon, 10).await;
    stock(&keeper, heater, 10).await;
    let (a_mobile, b_mobile, c_mobile) = ("13800000021", "13800000022", "13800000023");
    // A is 张's to serve; B and C have no owner.
    let (status, body) = post(
        &api,
        "/api/v1/customers",
        json!({"name": "浙江大客户", "tier": "key_account", "province": "浙江",
                "owner_id": agent_id, "contacts": [{"name": "经理", "mobile": a_mobile}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let a = body["id"].as_i64().unwrap();
    let b = customer(&api, "江苏经销商", "normal", "江苏", b_mobile).await;
    let c = customer(&api, "安徽新客户", "normal", "安徽", c_mobile).await;

    // Tickets: A's about the air conditioner (5); B's about the heater, with an air
    // conditioner RMA made on it later (2, low); B's without an RMA (4).
    let me = (&agent, agent_id);
    let t1 = rated(&app, me, a_mobile, "a@example.com", 5, "").await;
    rma_on(&agent, a, t1, aircon).await;
    let t2 = rated(&app, me, b_mobile, "b1@example.com", 2, "还是不热").await;
    rma_on(&agent, b, t2, heater).await;
    rma_on(&agent, b, t2, aircon).await;
    rated(&app, me, b_mobile, "b2@example.com", 4, "").await;

    // Before the round: A ordered an air conditioner; B brought both products back.
    ordered(&agent, a, aircon).await;
    clock.advance(SignedDuration::from_hours(1));
    let (status, body) = send(
        &api,
        Method::POST,
        "/api/v1/relationship-surveys",
        &json!({"name": "年度关系调查", "every_months": 12, "link_days": 14,
                "remind_after_days": 0, "active": true,
                "questions": [{"text": "交货及时吗？", "kind": "scale"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let survey = body["id"].as_i64().unwrap();
    assert_eq!(
        app.app.send_relationship_surveys().await.unwrap().invited,
        3
    );
    // After the round: C orders a heater; it does not make C a heater buyer of the round.
    clock.advance(SignedDuration::from_hours(1));
    ordered(&agent, c, heater).await;
    let mut conn = app.app.store.conn().await.unwrap();
    let links: Vec<(String, String)> = sqlx::query_as(
        "SELECT address, params FROM outbound_messages \
         WHERE kind = 'relationship_invitation' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let link = |mobile: &str| {
        let (_, params) = links
            .iter()
            .find(|(to, _)| to.contains(mobile))
            .unwrap_or_else(|| panic!("no invitation to {mobile}: {links:?}"));
        let v: Value = serde_json::from_str(params).unwrap();
        let full = v["link"].as_str().unwrap().to_owned();
        full[full.find("/r/").unwrap() + 3..].to_owned()
    };
    // A promotes (10), B detracts (3), C is passive (7); A rates delivery 4, B 2, C not.
    for (mobile, keep, recommend, delivery) in [
        (a_mobile, "5", "10", Some("4")),
        (b_mobile, "1", "3", Some("2")),
        (c_mobile, "4", "7", None),
    ] {
        let mut answers = vec![
            ("keep", keep),
            ("repurchase", "3"),
            ("recommend", recommend),
            ("switch", "3"),
        ];
        answers.extend(delivery.map(|d| ("q1", d)));
        let given = answers
            .iter()
            .map(|(k, v)| kefu_domain::satisfaction::relationship::Given {
                key: (*k).to_owned(),
                value: (*v).to_owned(),
            })
            .collect::<Vec<_>>();
        app.app
            .answer_relationship(&link(mobile), &given)
            .await
            .unwrap();
    }

    // The tickets by product: the products by SKU, "no product" last.
    let (s, r) = report(
        &api,
        "from=2026-11&to=2026-11&csat_by=product&nps_by=product",
    )
    .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        groups(&r, "csat"),
        [
            ("KT-35 壁挂空调 1.5 匹".to_owned(), 1, 1),
            ("RSQ-80 电热水器 80L".to_owned(), 1, 1),
            ("none".to_owned(), 1, 1),
        ]
    );
    assert_eq!(r["csat"][0]["key"], aircon.to_string());
    assert_eq!(r["csat"][0]["average_tenths"], 50);
    assert_eq!(
        (&r["csat"][1]["average_tenths"], &r["csat"][1]["low"]),
        (&json!(20), &json!(1))
    );
    assert_eq!(r["csat"][2]["key"], "0");
    assert_eq!(r["csat_total"]["sent"], 3);

    // The round by product: B under both products, C under none; the total counts three.
    assert_eq!(
        groups(&r, "nps"),
        [
            ("KT-35 壁挂空调 1.5 匹".to_owned(), 2, 2),
            ("RSQ-80 电热水器 80L".to_owned(), 1, 1),
            ("none".to_owned(), 1, 1),
        ]
    );
    assert_eq!(r["nps"][0]["nps_tenths"], 0);
    assert_eq!(r["nps"][1]["nps_tenths"], -1000);
    assert_eq!(r["nps"][2]["passives"], 1);
    assert_eq!(
        (
            &r["nps_total"]["sent"],
            &r["nps_total"]["promoters"],
            &r["nps_total"]["detractors"],
            &r["nps_total"]["nps_tenths"]
        ),
        (&json!(3), &json!(1), &json!(1), &json!(0))
    );
    // The standard questions by product: 保持合作 (5 + 1) / 2 for the air conditioner.
    let trend: Vec<(Option<&str>, i64, i64)> = r["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str(),
                t["keep"].as_i64().unwrap(),
                t["recommend"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        trend,
        [
            (Some("KT-35 壁挂空调 1.5 匹"), 30, 65),
            (Some("RSQ-80 电热水器 80L"), 10, 30),
            (None, 40, 70),
        ]
    );

    // The survey's own 1–5 question, averaged per product when that survey is asked for.
    let (_, r) = report(
        &api,
        &format!("from=2026-11&to=2026-11&nps_by=product&survey={survey}"),
    )
    .await;
    assert_eq!(
        r["custom_questions"],
        json!([{"key": "q1", "text": "交货及时吗？"}])
    );
    let own: Vec<&Value> = r["trend"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| &t["custom"])
        .collect();
    assert_eq!(own, [&json!([30]), &json!([20]), &json!([null])]);
    let session = app.login("bao.biao", TEST_PASSWORD).await;
    let page = session
        .get(&format!(
            "/satisfaction/report?from=2026-11&to=2026-11&nps_by=product&survey={survey}"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("<th data-testid=\"report-trend-own\">交货及时吗？</th>"));
    let res = session
        .get(&format!(
            "/satisfaction/report.csv?table=trend&nps_by=product&survey={survey}&from=2026-11&to=2026-11"
        ))
        .await;
    let rows = crate::spreadsheet::utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(rows[0][5], "交货及时吗？");
    assert_eq!((rows[1][5].as_str(), rows[2][5].as_str()), ("3.0", "2.0"));

    // By the channel the invitations went by (all by text) and by the customers' owner.
    let (_, r) = report(&api, "from=2026-11&to=2026-11&nps_by=channel").await;
    assert_eq!(r["nps"][0]["key"], "sms");
    assert_eq!(r["nps"][0]["sent"], 3);
    let (_, r) = report(&api, "from=2026-11&to=2026-11&nps_by=owner").await;
    let owners: Vec<(&str, Option<&str>, i64, i64)> = r["nps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap(),
                g["name"].as_str(),
                g["sent"].as_i64().unwrap(),
                g["nps_tenths"].as_i64().unwrap(),
            )
        })
        .collect();
    let zhang = agent_id.to_string();
    assert_eq!(
        owners,
        [
            ("0", None, 2, -500),
            (zhang.as_str(), Some("测试 zhang.kf"), 1, 1000)
        ]
    );
    assert_eq!(r["trend"][1]["keep"], 50, "张's customer kept at 5");
    assert_eq!(r["custom_questions"], json!([]), "no survey asked for");
    assert_eq!(r["trend"][1]["custom"], json!([]));

    // The page, the CSV and the XLSX say the products.
    let page = session
        .get("/satisfaction/report?from=2026-11&to=2026-11&csat_by=product&nps_by=product")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-testid=\"report-csat-row\"").count(), 3);
    assert_eq!(page.matches("data-testid=\"report-trend-row\"").count(), 3);
    assert!(page.contains("<option value=\"product\" selected>产品</option>"));
    assert!(page.contains("<td>RSQ-80 电热水器 80L</td>"));
    assert!(page.contains("<td>未关联产品</td>"));
    let res = session
        .get("/satisfaction/report.csv?table=csat&csat_by=product&from=2026-11&to=2026-11")
        .await;
    assert_eq!(res.status(), 200);
    let rows = crate::spreadsheet::utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(rows[0][0], "产品");
    assert_eq!(rows[1][0], "KT-35 壁挂空调 1.5 匹");
    assert_eq!(rows[2][4], "2.0");
    assert_eq!(rows[3][0], "未关联产品");
    assert_eq!(rows[4][0], "合计");
    assert_eq!(rows[4][1], "3");
    let res = session
        .get("/satisfaction/report.xlsx?nps_by=product&from=2026-11&to=2026-11")
        .await;
    assert_eq!(res.status(), 200);
    let mut book = crate::spreadsheet::xlsx(&res.bytes().await.unwrap());
    let names = book.sheet_names().to_vec();
    let nps = book.worksheet_range(&names[1]).unwrap();
    assert_eq!(crate::spreadsheet::text(&nps, (0, 0)), "产品");
    assert_eq!(
        crate::spreadsheet::text(&nps, (1, 0)),
        "KT-35 壁挂空调 1.5 匹"
    );
    assert_eq!(crate::spreadsheet::number(&nps, (1, 1)), 2.0);
    assert_eq!(crate::spreadsheet::text(&nps, (4, 0)), "合计");
    assert_eq!(crate::spreadsheet::number(&nps, (4, 1)), 3.0);
    let trend = book.worksheet_range(&names[2]).unwrap();
    assert_eq!(crate::spreadsheet::text(&trend, (0, 0)), "产品");
    assert_eq!(
        crate::spreadsheet::text(&trend, (2, 0)),
        "RSQ-80 电热水器 80L"
    );
    assert_eq!(crate::spreadsheet::number(&trend, (2, 1)), 1.0);
}
