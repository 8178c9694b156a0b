//! 应收账款 — a shipment of an order on credit is owed from the day it leaves, due by the
//! customer's terms; a short count credits what did not arrive; payments are recorded once
//! by their serial number and allocated oldest first or by hand, never beyond what is owed;
//! the ageing report buckets what is late; reminders go once per step, never inside the
//! contact's rest hours; the finance file imports all or nothing; the owner sees an overdue
//! customer in the today view and on the workbench. Refused with nothing changed: amounts of
//! zero, in floats or with a third decimal, a day after today, a reference used for another
//! amount, an allocation above what is owed or left.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use serde_json::{Value, json};

use crate::aftersales::product;
use crate::key_accounts::code;
use crate::mail_ingest::count;
use crate::order_shipments::upload_file;
use crate::orders::{post, stock};

/// Monday 2026-12-07 10:00 in Beijing; an agent, an after-sales keeper with a ¥2,999 TV in
/// stock (20), and 恒达电器 owned by the agent, grade A on `terms`, its contact preferring
/// texts and resting 09:30–10:30: (app, clock, agent id, agent, TV, 恒达).
async fn cast(
    agent: &str,
    keeper: &str,
    terms: &str,
) -> (TestApp, Arc<FixedClock>, i64, ApiClient, i64, i64) {
    cast_with("2026-12-07T02:00:00Z", agent, keeper, terms).await
}

/// [`cast`] from `start`, on 月结30天.
pub(crate) async fn cast_at(
    start: &str,
    agent: &str,
    keeper: &str,
) -> (TestApp, Arc<FixedClock>, i64, ApiClient, i64, i64) {
    cast_with(start, agent, keeper, "月结30天").await
}

async fn cast_with(
    start: &str,
    agent: &str,
    keeper: &str,
    terms: &str,
) -> (TestApp, Arc<FixedClock>, i64, ApiClient, i64, i64) {
    let clock = Arc::new(FixedClock::new(start.parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let agent_id = app.create_user(agent, &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app.create_user(keeper, &[Role::AftersalesSpecialist]).await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let tv = product(&keeper, "电视", "TV-55", "55 寸电视", 299_900).await;
    stock(&keeper, tv, 20).await;
    let hengda = customer(&api, "恒达电器", agent_id).await;
    on_credit(&app, hengda, terms).await;
    (app, clock, agent_id, api, tv, hengda)
}

async fn customer(api: &ApiClient, name: &str, owner: i64) -> i64 {
    let (status, body) = post(
        api,
        "/api/v1/customers",
        json!({"name": name, "owner_id": owner, "contacts": [{"name": "李经理",
            "mobile": "13800138000", "preferred_channel": "sms",
            "rest_hours": "09:30-10:30"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().unwrap()
}

/// Grade A, a ¥100,000 limit, `terms`.
async fn on_credit(app: &TestApp, id: i64, terms: &str) {
    crate::orders::graded(app, id, 95, 10_000_000, terms).await;
}

/// Places an order of `quantity` TVs paid `payment` and ships all of it: the shipment's id
/// and number.
pub(crate) async fn order_shipped(
    api: &ApiClient,
    customer: i64,
    tv: i64,
    payment: &str,
    quantity: i64,
    tracking: &str,
) -> (i64, String) {
    let (status, body) = post(
        api,
        "/api/v1/orders",
        json!({"customer_id": customer, "payment": payment,
            "lines": [{"product_id": tv, "quantity": quantity}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let order = body["id"].as_i64().unwrap();
    let (status, body) = post(
        api,
        &format!("/api/v1/orders/{order}/shipments"),
        json!({"carrier": "顺丰速运", "tracking_number": tracking,
            "lines": [{"line_no": 1, "quantity": quantity}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let s = json_body(api.get(&format!("/api/v1/shipments/{id}")).await).await;
    (id, s["number"].as_str().unwrap().to_owned())
}

async fn account(api: &ApiClient, customer: i64) -> Value {
    let res = api
        .get(&format!("/api/v1/customers/{customer}/account"))
        .await;
    assert_eq!(res.status(), 200);
    json_body(res).await
}

fn pay(reference: &str, amount: Value, on: &str, allocate: &str) -> Value {
    json!({"reference": reference, "amount_fen": amount, "received_on": on,
        "allocate": allocate})
}

#[tokio::test]
async fn credit_shipments_are_owed_by_terms_paid_oldest_first_aged_and_reminded() {
    let (app, clock, _, agent, tv, hengda) = cast("ying.shou.agent", "ying.shou.zy", "7天").await;

    // Three TVs on credit leave on Monday: ¥8,997 owed, due seven days later. A prepaid
    // order owes nothing.
    let (first, first_number) = order_shipped(&agent, hengda, tv, "credit", 3, "SF2001").await;
    order_shipped(&agent, hengda, tv, "prepayment", 1, "SF2002").await;
    let a = account(&agent, hengda).await;
    let owed = a["receivables"].as_array().unwrap();
    assert_eq!(owed.len(), 1, "{a}");
    assert_eq!(owed[0]["amount_fen"], 899_700);
    assert_eq!(owed[0]["booked_on"], "2026-12-07");
    assert_eq!(owed[0]["due_on"], "2026-12-14");
    assert_eq!(owed[0]["shipment_id"], first);
    assert_eq!(owed[0]["reference"], first_number.as_str());
    let r1 = owed[0]["id"].as_i64().unwrap();

    // The customer counts two: the missing TV is credited against that shipment.
    let (status, body) = post(
        &agent,
        &format!("/api/v1/shipments/{first}/count"),
        json!({"lines": [{"line_no": 1, "received": 2}]}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let a = account(&agent, hengda).await;
    assert_eq!(a["open_fen"], 599_800, "{a}");
    let credit = &a["payments"][0];
    assert_eq!(
        (&credit["kind"], &credit["source"], &credit["amount_fen"]),
        (
            &json!("credit_note"),
            &json!("short_delivery"),
            &json!(299_900)
        )
    );
    assert_eq!(credit["allocations"][0]["receivable_id"], r1);

    // Tuesday two weeks later: two more TVs leave; the first amount is 8 days late.
    clock.set("2026-12-22T02:00:00Z".parse().unwrap());
    order_shipped(&agent, hengda, tv, "credit", 2, "SF2003").await;
    let a = account(&agent, hengda).await;
    assert_eq!(
        (&a["open_fen"], &a["overdue_fen"], &a["today"]),
        (&json!(1_199_600), &json!(599_800), &json!("2026-12-22")),
        "{a}"
    );
    let r2 = a["receivables"][0]["id"].as_i64().unwrap();
    assert_eq!(a["receivables"][0]["due_on"], "2026-12-29");
    let ageing = json_body(agent.get("/api/v1/receivables/ageing").await).await;
    assert_eq!(ageing["customers"], 1, "{ageing}");
    let line = &ageing["lines"][0];
    assert_eq!(line["customer_id"], hengda);
    assert_eq!(
        line["buckets"],
        json!({"not_due": 599_800, "1_30": 599_800, "31_60": 0, "61_90": 0, "over_90": 0})
    );
    assert_eq!(ageing["total_fen"], 1_199_600);

    // Reminders: at 10:00 the contact rests (09:30–10:30), no text; at 11:00 one text names
    // the late shipment; a second run sends nothing more.
    assert_eq!(app.app.send_payment_reminders().await.unwrap(), 0);
    let reminders = "SELECT COUNT(*) FROM outbound_messages WHERE kind LIKE 'payment_%'";
    assert_eq!(count(&app, reminders).await, 0);
    clock.advance(SignedDuration::from_hours(1));
    assert_eq!(app.app.send_payment_reminders().await.unwrap(), 1);
    let sql = format!(
        "SELECT COUNT(*) FROM outbound_messages WHERE kind = 'payment_overdue' AND channel = 'sms' \
         AND address = '13800138000' AND params LIKE '%{first_number}%'"
    );
    assert_eq!(count(&app, &sql).await, 1);
    assert_eq!(app.app.send_payment_reminders().await.unwrap(), 0);
    assert_eq!(count(&app, reminders).await, 1);

    // Refused, nothing stored.
    let payments = format!("/api/v1/customers/{hengda}/payments");
    for (body, want_status, want) in [
        (
            pay("HX-1", json!(0), "2026-12-21", "oldest_first"),
            422,
            "receivable_amount",
        ),
        (
            pay("HX-1", json!(100), "2026-12-23", "oldest_first"),
            422,
            "receivable_future_date",
        ),
        (
            pay("  ", json!(100), "2026-12-21", "oldest_first"),
            422,
            "receivable_reference",
        ),
        (
            json!({"reference": "HX-1", "amount_fen": 700_000, "received_on": "2026-12-21",
                "allocate": "by_hand", "allocations": [{"receivable_id": r1, "amount_fen": 600_000}]}),
            422,
            "receivable_above_open",
        ),
    ] {
        let (status, answer) = post(&agent, &payments, body).await;
        assert_eq!(
            (status, code(&answer)),
            (want_status, Some(want)),
            "{answer}"
        );
    }
    let (status, _) = post(
        &agent,
        &payments,
        pay("HX-1", json!(12.5), "2026-12-21", "oldest_first"),
    )
    .await;
    assert!((400..500).contains(&status), "a float is refused: {status}");
    let (status, _) = post(
        &agent,
        "/api/v1/customers/999999/payments",
        pay("HX-1", json!(100), "2026-12-21", "oldest_first"),
    )
    .await;
    assert_eq!(status, 404);
    let stored = "SELECT COUNT(*) FROM payments WHERE kind = 'payment'";
    assert_eq!(count(&app, stored).await, 0);

    // ¥7,000 goes to the oldest first; sent again it is the same payment; the same serial
    // number with another amount is refused.
    let (status, body) = post(
        &agent,
        &payments,
        pay("HX-1", json!(700_000), "2026-12-21", "oldest_first"),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["allocations"],
        json!([{"receivable_id": r1, "amount_fen": 599_800},
            {"receivable_id": r2, "amount_fen": 100_200}])
    );
    assert_eq!(body["unapplied_fen"], 0);
    let hx1 = body["id"].as_i64().unwrap();
    let (status, again) = post(
        &agent,
        &payments,
        pay("HX-1", json!(700_000), "2026-12-21", "oldest_first"),
    )
    .await;
    assert_eq!(
        (status, &again["id"], &again["created"]),
        (200, &json!(hx1), &json!(false))
    );
    let (status, body) = post(
        &agent,
        &payments,
        pay("HX-1", json!(700_100), "2026-12-21", "oldest_first"),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (409, Some("receivable_reference_taken"))
    );
    assert_eq!(count(&app, stored).await, 1);

    // ¥1,000 kept on account, then allocated by hand: not to what is paid, not beyond what
    // is left of the payment; the rest oldest first.
    let (status, body) = post(
        &agent,
        &payments,
        pay("HX-2", json!(100_000), "2026-12-22", "later"),
    )
    .await;
    assert_eq!((status, &body["unapplied_fen"]), (201, &json!(100_000)));
    let hx2 = body["id"].as_i64().unwrap();
    let allocations = format!("/api/v1/payments/{hx2}/allocations");
    let by_hand = |id: i64, fen: i64| json!({"allocate": "by_hand", "allocations": [{"receivable_id": id, "amount_fen": fen}]});
    let (status, body) = post(&agent, &allocations, by_hand(r1, 100)).await;
    assert_eq!((status, code(&body)), (422, Some("receivable_unknown")));
    let (status, body) = post(&agent, &allocations, by_hand(r2, 60_000)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post(&agent, &allocations, by_hand(r2, 50_000)).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("receivable_above_payment"))
    );
    let (status, body) = post(&agent, &allocations, json!({"allocate": "oldest_first"})).await;
    assert_eq!(
        (status, body),
        (200, json!([{"receivable_id": r2, "amount_fen": 40_000}]))
    );
    let p = json_body(agent.get(&format!("/api/v1/payments/{hx2}")).await).await;
    assert_eq!(p["unapplied_fen"], 0);
    assert_eq!(p["allocations"].as_array().unwrap().len(), 2);
    let a = account(&agent, hengda).await;
    assert_eq!(
        (&a["open_fen"], &a["overdue_fen"], &a["unapplied_fen"]),
        (&json!(399_600), &json!(0), &json!(0)),
        "{a}"
    );
    // What was paid never exceeds what was owed, line by line.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM receivables WHERE open_fen < 0 OR open_fen > amount_fen"
        )
        .await,
        0
    );
    let late = json_body(agent.get("/api/v1/receivables/ageing?overdue=true").await).await;
    assert_eq!(late["customers"], 0, "{late}");

    // A ¥300 refund on an RMA of the first order (on credit) credits the account, once.
    let keeper_id = app
        .create_user("ying.shou.sh", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let s = json_body(agent.get(&format!("/api/v1/shipments/{first}")).await).await;
    let o = json_body(
        agent
            .get(&format!("/api/v1/orders/{}", s["order_id"]))
            .await,
    )
    .await;
    let (status, body) = post(
        &agent,
        "/api/v1/aftersales/rmas",
        json!({"customer_id": hengda, "kind": "refund", "product_id": tv, "quantity": 1,
            "fault": "quality", "description": "屏幕有坏点", "delivered_on": "2026-12-09",
            "amount_fen": 30_000, "paid_fen": 299_900, "order_number": o["number"]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let rma = body["id"].as_i64().unwrap();
    let moves = format!("/api/v1/aftersales/rmas/{rma}/moves");
    let r = json_body(agent.get(&format!("/api/v1/aftersales/rmas/{rma}")).await).await;
    if r["state"] == "pending_approval" {
        let boss_id = app.create_user("ying.shou.jl", &[Role::CsManager]).await;
        let boss = ApiClient::new(&app, &app.token_for(boss_id).await);
        let (status, body) = post(&boss, &moves, json!({"move": "approve"})).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = post(
        &keeper,
        &moves,
        json!({"move": "refund", "refund_fen": 30_000}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let a = account(&agent, hengda).await;
    assert_eq!(a["open_fen"], 369_600, "{a}");
    let credit = &a["payments"][0];
    assert_eq!(
        (
            &credit["kind"],
            &credit["source"],
            &credit["amount_fen"],
            &credit["unapplied_fen"]
        ),
        (
            &json!("credit_note"),
            &json!("rma"),
            &json!(30_000),
            &json!(0)
        )
    );
    app.stop().await;
}

#[tokio::test]
async fn the_owner_sees_an_overdue_customer_records_a_payment_and_imports_the_finance_file() {
    let (app, clock, agent_id, agent, tv, hengda) =
        cast("cui.kuan.agent", "cui.kuan.zy", "7天").await;
    order_shipped(&agent, hengda, tv, "credit", 1, "YT3001").await;
    let dongfang = customer(&agent, "东方商贸", agent_id).await;
    for _ in 0..2 {
        customer(&agent, "同名商贸", agent_id).await;
    }
    on_credit(&app, dongfang, "月结30天").await;
    clock.set("2026-12-22T06:00:00Z".parse().unwrap());

    // The owner's today view and workbench show the customer overdue.
    let web = app.login("cui.kuan.agent", TEST_PASSWORD).await;
    let today = web.get("/customers/today").await.text().await.unwrap();
    assert!(
        today.contains("data-reason=\"overdue_receivable\"") && today.contains("有逾期应收账款"),
        "{today}"
    );
    let board = web.get("/").await.text().await.unwrap();
    let tile = board
        .split("data-tile=\"receivables.my_overdue\"")
        .nth(1)
        .expect("the overdue tile");
    assert!(tile.contains("data-count=\"1\""), "{tile}");
    let list = web
        .get("/receivables?overdue=1&mine=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        list.matches("data-testid=\"ageing-row\"").count(),
        1,
        "{list}"
    );

    // A payment on the account page: a third decimal is refused in Chinese, nothing kept;
    // then recorded and allocated.
    let page = format!("/customers/{hengda}/account");
    let form = format!("/customers/{hengda}/payments");
    let res = web
        .post_form(
            &form,
            &[
                ("reference", "ZH-1"),
                ("amount", "12.345"),
                ("received_on", "2026-12-22"),
                ("allocate", "oldest"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("收款金额"), "{html}");
    let res = web
        .post_form(
            &form,
            &[
                ("reference", "ZH-1"),
                ("amount", "1,000.00"),
                ("received_on", "2026-12-22"),
                ("allocate", "oldest"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let html = web.get(&page).await.text().await.unwrap();
    assert!(html.contains("ZH-1") && html.contains("1,999.00"), "{html}");

    // The finance file: refused whole while a row is wrong, every cell named.
    let bad = "付款单位,到账金额,到账日期,银行流水号,摘要\n\
               恒达电器,\"1,999.00\",2026/12/21,B-1,货款\n\
               同名商贸,100,2026-12-21,B-2,\n\
               无此客户,100,2026-12-21,B-3,\n\
               东方商贸,12.345,2026-12-21,B-4,\n\
               东方商贸,100,2026-12-30,B-5,\n";
    let (status, html) = upload_file(&web, "/receivables/import", "pay.csv", bad, false).await;
    assert_eq!(status, 422);
    assert_eq!(
        html.matches("data-testid=\"import-problem\"").count(),
        4,
        "{html}"
    );
    for word in [
        "同名客户不止一个",
        "没有这个客户",
        "金额不对",
        "日期晚于今天",
    ] {
        assert!(html.contains(word), "{word}: {html}");
    }
    let stored = "SELECT COUNT(*) FROM payments WHERE kind = 'payment'";
    assert_eq!(count(&app, stored).await, 1);

    let good = "付款单位,到账金额,到账日期,银行流水号,摘要\n\
                恒达电器,\"1,999.00\",2026/12/21,B-1,货款\n\
                东方商贸,500,2026年12月20日,B-4,预付\n";
    let (status, html) = upload_file(&web, "/receivables/import", "pay.csv", good, true).await;
    assert_eq!(status, 200);
    assert!(html.contains("检查通过"), "{html}");
    assert_eq!(count(&app, stored).await, 1);
    let (status, html) = upload_file(&web, "/receivables/import", "pay.csv", good, false).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("新增收款 2 笔"), "{html}");
    let (status, html) = upload_file(&web, "/receivables/import", "pay.csv", good, false).await;
    assert_eq!(status, 200);
    assert!(html.contains("新增收款 0 笔，已登记过 2 笔"), "{html}");
    assert_eq!(count(&app, stored).await, 3);

    // 恒达 is paid up; 东方 has ¥500 on account.
    let a = account(&agent, hengda).await;
    assert_eq!(
        (&a["open_fen"], &a["overdue_fen"]),
        (&json!(0), &json!(0)),
        "{a}"
    );
    let d = account(&agent, dongfang).await;
    assert_eq!(d["unapplied_fen"], 50_000, "{d}");
    let today = web.get("/customers/today").await.text().await.unwrap();
    assert!(!today.contains("overdue_receivable"), "{today}");
    app.stop().await;
}
