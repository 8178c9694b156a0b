//! 售后回访与首单回访 — a closed RMA's customer and a customer whose first order arrived in
//! full are each visited by their owner three business days on (the default), once: the
//! first order's visit uses the first-visit script; a later order plans nothing. Once the
//! department sets five days, the next visit is due five business days on.

use reqwest::Method;

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TestApp};
use serde_json::json;

use crate::aftersales::product;
use crate::mail_ingest::count;
use crate::orders::{post, stock};

/// The instant of local midnight starting Thursday 2026-12-10 in Beijing, in microseconds.
fn thursday() -> i64 {
    "2026-12-09T16:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_microsecond()
}

/// Local midnight starting Monday 2026-12-14: five business days after Monday the 7th.
fn next_monday() -> i64 {
    "2026-12-13T16:00:00Z"
        .parse::<jiff::Timestamp>()
        .unwrap()
        .as_microsecond()
}

#[tokio::test]
async fn a_closed_rma_and_a_first_order_are_each_followed_by_one_visit() {
    // Monday 2026-12-07 10:00 in Beijing.
    let (app, _) = TestApp::quiet_at("2026-12-07T02:00:00Z").await;
    let owner_id = app.create_user("shou.hou.owner", &[Role::Agent]).await;
    let owner = ApiClient::new(&app, &app.token_for(owner_id).await);
    let keeper_id = app
        .create_user("shou.hou.zy", &[Role::AftersalesSpecialist])
        .await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    let (status, body) = post(
        &owner,
        "/api/v1/customers",
        json!({"name": "东方商贸", "owner_id": owner_id,
            "contacts": [{"name": "王经理", "mobile": "13900139000"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let customer = body["id"].as_i64().unwrap();
    let fan = product(&keeper, "风扇", "FAN-9", "台扇", 19_900).await;
    stock(&keeper, fan, 10).await;

    // A refund, carried out and closed.
    let (status, body) = post(
        &owner,
        "/api/v1/aftersales/rmas",
        json!({"customer_id": customer, "kind": "refund", "product_id": fan, "quantity": 1,
            "fault": "quality", "description": "不转", "delivered_on": "2026-12-01",
            "amount_fen": 19_900, "paid_fen": 19_900}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let rma = body["id"].as_i64().unwrap();
    let moves = format!("/api/v1/aftersales/rmas/{rma}/moves");
    let (status, body) = post(
        &keeper,
        &moves,
        json!({"move": "refund", "refund_fen": 19_900}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let visits =
        |reason: &str| format!("SELECT COUNT(*) FROM follow_up_visits WHERE reason = '{reason}'");
    assert_eq!(
        count(&app, &visits("after_sales")).await,
        0,
        "not before it closes"
    );
    let (status, body) = post(&keeper, &moves, json!({"move": "close"})).await;
    assert_eq!(
        (status, body["state"].as_str()),
        (200, Some("closed")),
        "{body}"
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM follow_up_visits WHERE reason = 'after_sales' \
                 AND plan_key = 'rma:{rma}' AND customer_id = {customer} \
                 AND agent_id = {owner_id} AND due_at = {} AND first_visit = 0",
                thursday()
            )
        )
        .await,
        1,
        "due three business days on, the owner's"
    );

    // The department gives after-sales and first-order visits five business days; a value
    // out of 1–30 is refused and changes nothing.
    let manager_id = app.create_user("hui.fang.jl", &[Role::CsManager]).await;
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let mut settings =
        kefu_testkit::json_body(manager.get("/api/v1/follow-up-settings").await).await;
    settings["after_sales_days"] = json!(0);
    let (status, e) = crate::key_accounts::send(
        &manager,
        Method::PUT,
        "/api/v1/follow-up-settings",
        &settings,
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("follow_up_out_of_range")),
        "{e}"
    );
    settings["after_sales_days"] = json!(5);
    let (status, saved) = crate::key_accounts::send(
        &manager,
        Method::PUT,
        "/api/v1/follow-up-settings",
        &settings,
    )
    .await;
    assert_eq!(
        (status, &saved["after_sales_days"]),
        (200, &json!(5)),
        "{saved}"
    );

    // Two orders arrive in full: the first is followed by a first-order visit, the second
    // by nothing more.
    for n in 0..2 {
        let (status, body) = post(
            &owner,
            "/api/v1/orders",
            json!({"customer_id": customer, "payment": "prepayment",
                "lines": [{"product_id": fan, "quantity": 2}]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let order = body["id"].as_i64().unwrap();
        let (status, body) = post(
            &owner,
            &format!("/api/v1/orders/{order}/shipments"),
            json!({"carrier": "顺丰", "tracking_number": format!("SF300{n}"),
                "lines": [{"line_no": 1, "quantity": 2}]}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let shipment = body["id"].as_i64().unwrap();
        assert_eq!(
            count(&app, &visits("first_order")).await,
            n,
            "not before it arrives"
        );
        let (status, body) = post(
            &owner,
            &format!("/api/v1/shipments/{shipment}/count"),
            json!({"lines": [{"line_no": 1, "received": 2}]}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(count(&app, &visits("first_order")).await, 1);
    }
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM follow_up_visits WHERE reason = 'first_order' \
                 AND plan_key = 'first_order:{customer}' AND agent_id = {owner_id} \
                 AND due_at = {} AND first_visit = 1",
                next_monday()
            )
        )
        .await,
        1,
        "with the first-visit script, five business days on"
    );
    app.stop().await;
}
