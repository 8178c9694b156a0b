//! 发货与到货核实 — an order partly out of stock ships what stock met, its production request
//! is marked done and the rest ships; the customer is told by their contact's preferred
//! channel; tracking events are added once (a 已签收 marks the shipment delivered); the
//! customer's count short opens one order-issue ticket 订单问题 linked to the shipment, whose
//! placer is told, and what did not arrive ships again until the order closes. Refused with
//! nothing changed: shipping what production has not made, above what is left, a line the
//! order lacks, no carrier, a count above what left or with a line missing, a second count,
//! an event in the future.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use serde_json::{Value, json};

use crate::aftersales::product;
use crate::key_accounts::code;
use crate::mail_ingest::count;
use crate::orders::{post, stock};

fn ship(carrier: &str, tracking: &str, lines: &[(i64, i64)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(l, q)| json!({"line_no": l, "quantity": q}))
        .collect();
    json!({"carrier": carrier, "tracking_number": tracking, "lines": lines})
}

fn counted(lines: &[(i64, i64)]) -> Value {
    let lines: Vec<Value> = lines
        .iter()
        .map(|(l, r)| json!({"line_no": l, "received": r}))
        .collect();
    json!({ "lines": lines })
}

/// Monday 2026-12-07 10:00 in Beijing, an agent and an after-sales keeper:
/// (the app, the agent's id, the agent, the keeper).
async fn cast(agent: &str, keeper: &str) -> (TestApp, i64, ApiClient, ApiClient) {
    let (app, _) = TestApp::quiet_at("2026-12-07T02:00:00Z").await;
    let agent_id = app.create_user(agent, &[Role::Agent]).await;
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let keeper_id = app.create_user(keeper, &[Role::AftersalesSpecialist]).await;
    let keeper = ApiClient::new(&app, &app.token_for(keeper_id).await);
    (app, agent_id, agent, keeper)
}

async fn order_state(api: &ApiClient, id: i64) -> Value {
    json_body(api.get(&format!("/api/v1/orders/{id}")).await).await
}

#[tokio::test]
async fn an_order_ships_in_parts_is_counted_and_a_short_delivery_opens_one_ticket() {
    let (app, agent_id, agent, keeper) = cast("fa.huo.agent", "fa.huo.zy").await;
    let tv = product(&keeper, "电视", "TV-65", "65 寸电视", 499_900).await;
    let box_ = product(&keeper, "机顶盒", "BOX-4K", "4K 机顶盒", 29_900).await;
    stock(&keeper, tv, 3).await;
    stock(&keeper, box_, 10).await;
    let (status, body) = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "恒达电器", "contacts": [{"name": "李经理", "mobile": "13800138000",
            "email": "li@hengda.example", "preferred_channel": "sms",
            "rest_hours": "09:30-10:30"}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let hengda = body["id"].as_i64().unwrap();
    let (status, body) = post(
        &agent,
        "/api/v1/orders",
        json!({"customer_id": hengda, "payment": "prepayment", "promised_on": "2026-12-20",
            "lines": [{"product_id": tv, "quantity": 10}, {"product_id": box_, "quantity": 2}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let shipments = format!("/api/v1/orders/{id}/shipments");

    // Refused, nothing shipped: production not done yet (3 TVs ready), a line the order
    // lacks, no carrier, a tracking number with a space.
    for (body, want_status, want) in [
        (ship("顺丰", "SF1001", &[(1, 5)]), 409, "order_not_produced"),
        (ship("顺丰", "SF1001", &[(3, 1)]), 422, "order_unknown_line"),
        (ship(" ", "SF1001", &[(1, 3)]), 422, "order_carrier"),
        (ship("顺丰", "SF 1001", &[(1, 3)]), 422, "order_tracking"),
        (
            ship("顺丰", "SF1001", &[(1, 0)]),
            422,
            "order_nothing_shipped",
        ),
    ] {
        let (status, answer) = post(&agent, &shipments, body).await;
        assert_eq!(
            (status, code(&answer)),
            (want_status, Some(want)),
            "{answer}"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM shipments").await, 0);

    // What stock met leaves at 10:00; the contact is told by text, as they prefer, once
    // their rest (09:30–10:30) is over.
    let (status, body) = post(
        &agent,
        &shipments,
        ship("顺丰速运", "sf1001", &[(1, 3), (2, 2)]),
    )
    .await;
    assert_eq!(
        (status, body["notice"].as_str()),
        (201, Some("sms")),
        "{body}"
    );
    let first = body["id"].as_i64().unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbound_messages WHERE kind = 'shipment_notice' \
             AND channel = 'sms' AND address = '13800138000' AND params LIKE '%SF1001%'"
        )
        .await,
        1
    );
    let half_past: jiff::Timestamp = "2026-12-07T02:30:00Z".parse().unwrap();
    assert_eq!(
        count(
            &app,
            "SELECT MIN(run_at) FROM jobs WHERE kind = 'outbox_sms'"
        )
        .await,
        half_past.as_microsecond(),
        "the text waits for the end of the contact's rest"
    );
    let o = order_state(&agent, id).await;
    assert_eq!(o["state"], "partly_shipped", "{o}");

    // Production done (once); then the rest of the TVs, not one more.
    let production = format!("/api/v1/orders/{id}/production");
    let (status, _) = post(&agent, &production, json!({})).await;
    assert_eq!(status, 204);
    let (status, body) = post(&agent, &production, json!({})).await;
    assert_eq!((status, code(&body)), (409, Some("order_no_production")));
    let (status, body) = post(&agent, &shipments, ship("顺丰速运", "SF1002", &[(1, 8)])).await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("order_above_ordered")),
        "{body}"
    );
    let (status, body) = post(&agent, &shipments, ship("顺丰速运", "SF1002", &[(1, 7)])).await;
    assert_eq!(status, 201, "{body}");
    let second = body["id"].as_i64().unwrap();
    assert_eq!(order_state(&agent, id).await["state"], "shipped");

    // Tracking: not in the future; the same event twice is one; 已签收 marks it delivered.
    let events = format!("/api/v1/shipments/{second}/events");
    let (status, body) = post(
        &agent,
        &events,
        json!({"at": "2026-12-07T03:00:00Z", "status": "delivered"}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("order_event_in_future")),
        "{body}"
    );
    let picked = json!({"at": "2026-12-07T01:00:00Z", "status": "picked_up", "place": "佛山顺德"});
    let (status, body) = post(&agent, &events, picked.clone()).await;
    assert_eq!((status, body["added"].as_bool()), (201, Some(true)));
    let (status, body) = post(&agent, &events, picked).await;
    assert_eq!((status, body["added"].as_bool()), (200, Some(false)));
    let (status, _) = post(
        &agent,
        &events,
        json!({"at": "2026-12-07T01:50:00Z", "status": "delivered", "place": "广州天河"}),
    )
    .await;
    assert_eq!(status, 201);
    let s = json_body(agent.get(&format!("/api/v1/shipments/{second}")).await).await;
    assert_eq!(s["state"], "delivered", "{s}");
    assert_eq!(s["events"].as_array().unwrap().len(), 2, "{s}");

    // The first shipment arrived whole: no ticket. A count above what left, or with a line
    // missing, is refused.
    let count_first = format!("/api/v1/shipments/{first}/count");
    for (body, want) in [
        (counted(&[(1, 4), (2, 2)]), "order_above_shipped"),
        (counted(&[(1, 3)]), "order_uncounted"),
        (counted(&[(1, 3), (2, 2), (3, 1)]), "order_unknown_line"),
    ] {
        let (status, answer) = post(&agent, &count_first, body).await;
        assert_eq!((status, code(&answer)), (422, Some(want)), "{answer}");
    }
    let (status, body) = post(&agent, &count_first, counted(&[(1, 3), (2, 2)])).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["ticket_id"].is_null() && body["short"].as_array().unwrap().is_empty());

    // The second arrived two short: one order-issue ticket for the customer, linked, and
    // the agent who placed the order is told; a second count is refused.
    let count_second = format!("/api/v1/shipments/{second}/count");
    let (status, body) = post(&agent, &count_second, counted(&[(1, 5)])).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["short"],
        json!([{"line_no": 1, "sku": "TV-65", "shipped": 7, "received": 5}])
    );
    let ticket = body["ticket_id"].as_i64().unwrap();
    let t = json_body(agent.get(&format!("/api/v1/tickets/{ticket}")).await).await;
    assert_eq!(t["ticket"]["type"], "order_issue", "{t}");
    assert!(
        t["ticket"]["subject"]
            .as_str()
            .unwrap()
            .contains("到货短少"),
        "{t}"
    );
    assert!(
        t["messages"][0]["body"]
            .as_str()
            .unwrap()
            .contains("发出 7 件，收到 5 件")
    );
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM tickets WHERE id = {ticket} AND customer_id = {hengda}")
        )
        .await,
        1,
        "the ticket is the customer's in the archive"
    );
    assert_eq!(
        app.notified("order_short_delivery", Some(agent_id)).await,
        1
    );
    let (status, body) = post(&agent, &count_second, counted(&[(1, 7)])).await;
    assert_eq!((status, code(&body)), (409, Some("order_counted")));
    let s = json_body(agent.get(&format!("/api/v1/shipments/{second}")).await).await;
    assert_eq!(
        (s["state"].as_str(), s["issue_ticket_id"].as_i64()),
        (Some("checked"), Some(ticket))
    );

    // What did not arrive ships again; counted whole, the order closes.
    let o = order_state(&agent, id).await;
    assert_eq!(o["state"], "partly_shipped", "two TVs to ship again: {o}");
    assert_eq!(
        (
            o["lines"][0]["shipped"].as_i64(),
            o["lines"][0]["received"].as_i64()
        ),
        (Some(8), Some(8))
    );
    let (status, body) = post(&agent, &shipments, ship("顺丰速运", "SF1003", &[(1, 3)])).await;
    assert_eq!((status, code(&body)), (422, Some("order_above_ordered")));
    let (status, body) = post(&agent, &shipments, ship("顺丰速运", "SF1003", &[(1, 2)])).await;
    assert_eq!(status, 201, "{body}");
    let third = body["id"].as_i64().unwrap();
    let (status, body) = post(
        &agent,
        &format!("/api/v1/shipments/{third}/count"),
        counted(&[(1, 2)]),
    )
    .await;
    assert_eq!((status, body["ticket_id"].is_null()), (200, true), "{body}");
    let o = order_state(&agent, id).await;
    assert_eq!(o["state"], "closed", "{o}");
    let actions: Vec<&str> = o["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "place", "ship", "produced", "ship", "count", "count", "ship", "count"
        ]
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM tickets WHERE ticket_type = 'order_issue'"
        )
        .await,
        1
    );

    // The page shows the shipments, the ticket, and a refusal in Chinese from its forms.
    let web = app.login("fa.huo.agent", TEST_PASSWORD).await;
    let html = web
        .get(&format!("/orders/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-testid=\"shipment\"").count(), 3);
    assert!(
        html.contains(&format!("/tickets/{ticket}")),
        "the ticket is linked"
    );
    assert!(html.contains("已短信通知"));
    assert!(html.contains("佛山顺德"));
    app.stop().await;
}

#[tokio::test]
async fn a_customer_without_a_reachable_contact_is_not_told_and_the_page_explains_refusals() {
    let (app, _, agent, keeper) = cast("fa.huo.two", "fa.huo.zy2").await;
    let kettle = product(&keeper, "小家电", "KT-1", "电水壶", 9_900).await;
    stock(&keeper, kettle, 5).await;
    // The only contact opted out of texts and has no mail.
    let (status, body) = post(
        &agent,
        "/api/v1/customers",
        json!({"name": "东方商贸", "contacts": [{"name": "王芳", "mobile": "13900139000",
            "opt_outs": ["sms"]}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = post(
        &agent,
        "/api/v1/orders",
        json!({"customer_id": body["id"], "payment": "prepayment",
            "lines": [{"product_id": kettle, "quantity": 5}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();

    let web = app.login("fa.huo.two", TEST_PASSWORD).await;
    let res = web
        .post_form(
            &format!("/orders/{id}/shipments"),
            &[
                ("carrier", "德邦"),
                ("tracking_number", "DB-77"),
                ("q1", "6"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("只剩 5 件未发货"), "{html}");
    let res = web
        .post_form(
            &format!("/orders/{id}/shipments"),
            &[
                ("carrier", "德邦"),
                ("tracking_number", "DB-77"),
                ("q1", "5"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let s = json_body(agent.get(&format!("/api/v1/orders/{id}/shipments")).await).await;
    assert_eq!(s[0]["notice"], "no_contact", "{s}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbound_messages").await,
        0,
        "nobody to tell"
    );
    let shipment = s[0]["id"].as_i64().unwrap();
    // An event typed in the form, then the count from the page.
    let res = web
        .post_form(
            &format!("/orders/{id}/shipments/{shipment}/events"),
            &[
                ("at", "2026-12-07T09:30"),
                ("status", "in_transit"),
                ("place", "武汉转运中心"),
            ],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let res = web
        .post_form(
            &format!("/orders/{id}/shipments/{shipment}/count"),
            &[("r1", "6")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 422);
    assert!(res.text().await.unwrap().contains("只发出了 5 件"));
    let res = web
        .post_form(
            &format!("/orders/{id}/shipments/{shipment}/count"),
            &[("r1", "5")],
        )
        .await;
    assert_eq!(res.status().as_u16(), 303);
    let o = json_body(agent.get(&format!("/api/v1/orders/{id}")).await).await;
    assert_eq!(o["state"], "closed", "{o}");
    let html = web
        .get(&format!("/orders/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("武汉转运中心") && html.contains("未通知"),
        "{html}"
    );
    app.stop().await;
}

async fn upload(web: &kefu_testkit::Session, csv: &str, dry_run: bool) -> (u16, String) {
    upload_file(web, "/orders/tracking", "track.csv", csv, dry_run).await
}

/// Posts `text` as file `name` to the import form at `path` (`dry_run`: checked only): the
/// status and the page.
pub(crate) async fn upload_file(
    web: &kefu_testkit::Session,
    path: &str,
    name: &str,
    text: &str,
    dry_run: bool,
) -> (u16, String) {
    use reqwest::multipart::{Form, Part};
    let mut form = Form::new().text("_csrf", web.csrf().await).part(
        "file",
        Part::bytes(text.as_bytes().to_vec()).file_name(name.to_owned()),
    );
    if dry_run {
        form = form.text("dry_run", "1");
    }
    let res = web
        .client
        .post(web.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn tracking_is_pushed_and_imported_once_per_event_and_bad_rows_refuse_the_whole_lot() {
    let (app, _, agent, keeper) = cast("wu.liu.agent", "wu.liu.zy").await;
    let fan = product(&keeper, "风扇", "FAN-1", "落地扇", 19_900).await;
    stock(&keeper, fan, 20).await;
    let (status, body) = post(&agent, "/api/v1/customers", json!({"name": "南方百货"})).await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = post(
        &agent,
        "/api/v1/orders",
        json!({"customer_id": body["id"], "payment": "prepayment",
            "lines": [{"product_id": fan, "quantity": 20}]}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let order = body["id"].as_i64().unwrap();
    let shipments = format!("/api/v1/orders/{order}/shipments");
    let (status, body) = post(&agent, &shipments, ship("中通快递", "ZT-2001", &[(1, 10)])).await;
    assert_eq!(status, 201, "{body}");
    let first = body["id"].as_i64().unwrap();
    let (status, body) = post(&agent, &shipments, ship("中通快递", "ZT-2002", &[(1, 10)])).await;
    assert_eq!(status, 201, "{body}");
    let second = body["id"].as_i64().unwrap();
    let events = "SELECT COUNT(*) FROM shipment_events";

    // A push: known numbers land, the unknown one is answered; the same push again adds
    // nothing; one unreadable event refuses the whole push.
    let push = json!({"events": [
        {"tracking_number": "zt-2001", "at": "2026-12-07 08:10", "status": "已揽收", "place": "义乌"},
        {"tracking_number": "ZT-2001", "at": "2026-12-07T01:40:00Z", "status": "delivered"},
        {"tracking_number": "YT-404", "at": "2026-12-07 08:00", "status": "运输中"}
    ]});
    let (status, body) = post(&agent, "/api/v1/tracking/events", push.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (
            body["added"].as_i64(),
            body["known"].as_i64(),
            body["unknown"].clone()
        ),
        (Some(2), Some(0), json!(["YT-404"]))
    );
    let (status, body) = post(&agent, "/api/v1/tracking/events", push).await;
    assert_eq!(
        (status, body["added"].as_i64(), body["known"].as_i64()),
        (200, Some(0), Some(2))
    );
    let s = json_body(agent.get(&format!("/api/v1/shipments/{first}")).await).await;
    assert_eq!(s["state"], "delivered", "{s}");
    assert_eq!(s["events"][0]["source"], "webhook", "{s}");
    for (body, want) in [
        (
            json!({"events": [
                {"tracking_number": "ZT-2002", "at": "2026-12-07 08:00", "status": "运输中"},
                {"tracking_number": "ZT-2002", "at": "昨天", "status": "运输中"}
            ]}),
            "order_tracking_event",
        ),
        (json!({"events": []}), "order_tracking_batch"),
    ] {
        let (status, answer) = post(&agent, "/api/v1/tracking/events", body).await;
        assert_eq!((status, code(&answer)), (422, Some(want)), "{answer}");
    }
    assert_eq!(
        count(&app, events).await,
        2,
        "nothing of a refused push is kept"
    );

    // A carrier's file from the page: checked first, a bad row refuses all, then imported.
    let web = app.login("wu.liu.agent", TEST_PASSWORD).await;
    let good = "快递单号,扫描时间,物流状态,所在城市\n\
                ZT-2002,2026-12-07 08:30,已揽收,义乌\n\
                ZT-2002,2026/12/07 09:45,派送中,杭州\n\
                ZT-2001,2026-12-07 08:10,已揽收,义乌\n";
    let (status, html) = upload(&web, good, true).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("将新增 2 条，已有 1 条"), "{html}");
    assert_eq!(count(&app, events).await, 2, "a check writes nothing");
    let bad =
        format!("{good}ZT-2002,2026-12-07 11:30,已签收,杭州\nYT-404,2026-12-07 08:00,运输中,\n");
    let (status, html) = upload(&web, &bad, false).await;
    assert_eq!(status, 422, "{html}");
    assert!(
        html.contains("时间晚于现在") && html.contains("没有这个运单号的发货单"),
        "{html}"
    );
    assert_eq!(
        count(&app, events).await,
        2,
        "a refused file writes nothing"
    );
    let (status, html) = upload(&web, good, false).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("新增物流信息 2 条"), "{html}");
    let s = json_body(agent.get(&format!("/api/v1/shipments/{second}")).await).await;
    let sources: Vec<&str> = s["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["import", "import"], "{s}");
    assert_eq!(s["state"], "in_transit");
    app.stop().await;
}
