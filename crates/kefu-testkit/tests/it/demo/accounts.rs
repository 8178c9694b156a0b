//! The demo company's sales on account: orders, shipments counted (short ones with their
//! ticket), payments in every ageing bucket, and each month's statements.

use std::collections::BTreeSet;

use super::{DEMO_PASSWORD, loaded_at};
use kefu_testkit::json_body;

#[tokio::test]
async fn the_demo_company_sells_on_account_and_reconciles_each_month() {
    // Monday 2026-12-07 10:00 in Beijing.
    let (app, api) = loaded_at("2026-12-07T02:00:00Z", "3000", 7).await;

    // Orders in every state of their way, some made by production, shipped and counted.
    let mut orders = Vec::new();
    let mut before = String::new();
    loop {
        let page = json_body(api.get(&format!("/api/v1/orders?limit=200{before}")).await).await;
        let page = page.as_array().unwrap().clone();
        let Some(last) = page.last() else { break };
        before = format!("&before={}", last["id"]);
        orders.extend(page);
    }
    assert!(orders.len() >= 80, "{}", orders.len());
    let states: BTreeSet<&str> = orders
        .iter()
        .map(|o| o["state"].as_str().unwrap())
        .collect();
    for s in ["closed", "open", "cancelled"] {
        assert!(states.contains(s), "{s} in {states:?}");
    }
    assert!(
        orders.iter().any(|o| o["payment"] == "prepayment")
            && orders.iter().any(|o| o["payment"] == "credit")
    );
    // A short count opened its order-issue ticket, and what was missing went again.
    let mut shipments = 0;
    let mut shorts = 0;
    for o in orders.iter().filter(|o| o["state"] == "closed") {
        let list = json_body(
            api.get(&format!("/api/v1/orders/{}/shipments", o["id"]))
                .await,
        )
        .await;
        let list = list.as_array().unwrap();
        shipments += list.len();
        for s in list {
            if let Some(ticket) = s["issue_ticket_id"].as_i64() {
                shorts += 1;
                assert!(list.len() >= 2, "sent again: {list:?}");
                let t = json_body(api.get(&format!("/api/v1/tickets/{ticket}")).await).await;
                assert_eq!(t["ticket"]["type"], "order_issue", "{t}");
                assert!(
                    t["ticket"]["subject"].as_str().unwrap().contains("少"),
                    "{t}"
                );
            }
        }
    }
    assert!(
        shorts > 0 && shipments > shorts,
        "{shorts} short of {shipments}"
    );

    // What is owed, in every bucket of the ageing report.
    let ageing = json_body(api.get("/api/v1/receivables/ageing").await).await;
    for bucket in ["not_due", "1_30", "31_60", "61_90", "over_90"] {
        assert!(
            ageing["totals"][bucket].as_i64().unwrap() > 0,
            "{bucket}: {}",
            ageing["totals"]
        );
    }
    let lines = ageing["lines"].as_array().unwrap();
    let total: i64 = lines.iter().map(|l| l["total_fen"].as_i64().unwrap()).sum();
    assert!(ageing["pages"] != 1 || total == ageing["total_fen"].as_i64().unwrap());

    // Each ended month's statements: the older ones closed, a difference resolved by an
    // approved credit each month; November's being answered, its dispute with the manager.
    let statements = json_body(api.get("/api/v1/statements?limit=500").await).await;
    let statements = statements.as_array().unwrap();
    let periods: BTreeSet<&str> = statements
        .iter()
        .map(|s| s["period"].as_str().unwrap())
        .collect();
    assert_eq!(
        periods,
        BTreeSet::from(["2026-07", "2026-08", "2026-09", "2026-10", "2026-11"])
    );
    let of = |period: &str, state: &str| {
        statements
            .iter()
            .filter(|s| s["period"] == period && s["state"] == state)
            .count()
    };
    assert!(of("2026-10", "closed") > 0 && of("2026-10", "disputed") == 0);
    assert_eq!(of("2026-11", "closed"), 0);
    assert_eq!(of("2026-11", "disputed"), 1, "{statements:?}");
    let waiting = statements
        .iter()
        .find(|s| s["period"] == "2026-11" && s["state"] == "disputed")
        .unwrap();
    let detail = json_body(
        api.get(&format!("/api/v1/statements/{}", waiting["id"]))
            .await,
    )
    .await;
    assert!(
        detail["lines"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["answer"] == "proposed" && l["cause"] == "quantity"),
        "{detail}"
    );
    let mut adjusted = 0;
    for s in statements
        .iter()
        .filter(|s| s["period"] == "2026-10" && s["state"] == "closed")
    {
        let d = json_body(api.get(&format!("/api/v1/statements/{}", s["id"])).await).await;
        let lines = d["lines"].as_array().unwrap();
        if lines.iter().any(|l| l["kind"] == "adjustment") {
            adjusted += 1;
            assert!(lines.iter().any(|l| l["answer"] == "resolved"), "{d}");
        }
        let sum: i64 = lines
            .iter()
            .map(|l| l["effect_fen"].as_i64().unwrap())
            .sum();
        assert_eq!(
            s["closing_fen"].as_i64().unwrap(),
            s["opening_fen"].as_i64().unwrap() + sum,
            "{d}"
        );
    }
    assert_eq!(adjusted, 1, "October's difference was resolved by a credit");
    // Each customer's months chain: a month opens on the month before's closing.
    for s in statements.iter().filter(|s| s["period"] == "2026-11") {
        if let Some(oct) = statements
            .iter()
            .find(|o| o["period"] == "2026-10" && o["customer_id"] == s["customer_id"])
        {
            assert_eq!(s["opening_fen"], oct["closing_fen"], "{s} after {oct}");
        }
    }
    let closed = statements.iter().filter(|s| s["state"] == "closed").count();
    eprintln!(
        "demo accounts: {} orders, {shipments} shipments ({shorts} counted short), {} fen owed ({} fen over 90 days), \
         {} statements ({closed} closed)",
        orders.len(),
        ageing["total_fen"],
        ageing["totals"]["over_90"],
        statements.len()
    );
    // The manager's workbench shows the dispute waiting and the overdue customers.
    let home = app.login("manager", DEMO_PASSWORD).await;
    let page = home.get("/").await.text().await.unwrap();
    for tile in ["statements.disputed", "receivables.overdue"] {
        let body = page
            .split(&format!("data-tile=\"{tile}\""))
            .nth(1)
            .unwrap_or_else(|| panic!("{tile} on the manager's workbench"));
        let count = body.split("data-count=\"").nth(1).unwrap();
        let count: i64 = count[..count.find('"').unwrap()].parse().unwrap();
        assert!(count > 0, "{tile}: {count}");
    }
    app.stop().await;
}
