//! 对账单 — once November is over its statement is made (once per customer and month):
//! opening balance, the shipment owed and the payment, the closing balance, every line
//! traceable. The customer opens the link without signing in and disputes the price; a
//! payment entered late for November joins the statement; the agent proposes the cause and
//! a credit, the manager approves it (posted on November's last day, shown as a line, the
//! credit allocated); the statement is closed and from then on refuses every change and
//! every entry dated into November; December's opening is November's closing. Its
//! spreadsheet is read back cell by cell.

use calamine::Reader;
use jiff::civil::date;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use crate::key_accounts::code;
use crate::mail_ingest::count;
use crate::orders::post;
use crate::spreadsheet::{date_serial, excel_day, number, text, xlsx};

async fn detail(api: &ApiClient, id: i64) -> (Value, String) {
    let res = api.get(&format!("/api/v1/statements/{id}")).await;
    assert_eq!(res.status(), 200);
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    (json_body(res).await, etag)
}

async fn send_if(api: &ApiClient, path: &str, etag: &str, body: &Value) -> (u16, Value) {
    let res = api
        .request(Method::POST, path)
        .header("If-Match", etag)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, body_of(res).await)
}

/// A response's JSON, or null when it has none (204).
async fn body_of(res: reqwest::Response) -> Value {
    let text = res.text().await.unwrap();
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

/// Posts `body` to `path`: the status and the answer (null when none).
async fn post_any(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status().as_u16();
    (status, body_of(res).await)
}

/// The statement link in the message to the customer.
async fn link_of(app: &TestApp, number: &str) -> String {
    let mut c = app.app.store.conn().await.unwrap();
    let params: String = sqlx::query_scalar(
        "SELECT params FROM outbound_messages WHERE kind = 'statement_issued' AND params LIKE $1",
    )
    .bind(format!("%{number}%"))
    .fetch_one(&mut *c)
    .await
    .unwrap();
    let v: Value = serde_json::from_str(&params).unwrap();
    let link = v["link"].as_str().unwrap();
    let at = link.find("/z/").unwrap_or_else(|| panic!("no link in {v}"));
    link[at + 3..].to_owned()
}

#[tokio::test]
async fn a_disputed_statement_is_resolved_by_an_approved_credit_and_closed_for_good() {
    let (app, clock, agent_id, agent, tv, hengda) =
        crate::receivables::cast_at("2026-11-10T02:00:00Z", "dui.zhang.agent", "dui.zhang.zy")
            .await;
    let boss_id = app.create_user("dui.zhang.jl", &[Role::CsManager]).await;
    let boss = ApiClient::new(&app, &app.token_for(boss_id).await);
    let (_, _) = crate::receivables::order_shipped(&agent, hengda, tv, "credit", 3, "SF5001").await;
    clock.set("2026-11-20T02:00:00Z".parse().unwrap());
    let payments = format!("/api/v1/customers/{hengda}/payments");
    let (status, body) = post(
        &agent,
        &payments,
        json!({"reference": "HX-1", "amount_fen": 300_000, "received_on": "2026-11-20"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    // December 2nd: November is over, December is not; each customer and month once.
    clock.set("2026-12-02T02:00:00Z".parse().unwrap());
    for (period, want) in [
        ("2026-12", "statement_period_not_over"),
        ("2026-13", "statement_bad_period"),
    ] {
        let (status, body) = post(&agent, "/api/v1/statements", json!({"period": period})).await;
        assert_eq!((status, code(&body)), (422, Some(want)), "{body}");
    }
    let (status, body) = post(&agent, "/api/v1/statements", json!({"period": "2026-11"})).await;
    assert_eq!(
        (status, &body),
        (201, &json!({"created": 1, "existing": 0}))
    );
    let (_, body) = post(&agent, "/api/v1/statements", json!({"period": "2026-11"})).await;
    assert_eq!(body, json!({"created": 0, "existing": 1}));
    let list = json_body(agent.get("/api/v1/statements?period=2026-11").await).await;
    let id = list[0]["id"].as_i64().unwrap();
    let statement_number = list[0]["number"].as_str().unwrap().to_owned();
    let (s, _) = detail(&agent, id).await;
    assert_eq!(
        (&s["state"], &s["opening_fen"], &s["closing_fen"]),
        (&json!("sent"), &json!(0), &json!(599_700)),
        "{s}"
    );
    let lines = s["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        (
            &lines[0]["kind"],
            &lines[0]["effect_fen"],
            &lines[0]["on_date"]
        ),
        (&json!("shipment"), &json!(899_700), &json!("2026-11-10"))
    );
    assert!(lines[0]["receivable_id"].is_i64());
    assert_eq!(
        (
            &lines[1]["kind"],
            &lines[1]["effect_fen"],
            &lines[1]["reference"]
        ),
        (&json!("payment"), &json!(-300_000), &json!("HX-1"))
    );

    // Not yet: nothing to close, nothing disputed to resolve.
    let (_, etag) = detail(&agent, id).await;
    let (status, body) = send_if(
        &agent,
        &format!("/api/v1/statements/{id}/close"),
        &etag,
        &json!({}),
    )
    .await;
    assert_eq!((status, code(&body)), (409, Some("statement_not_now")));
    let resolution = format!("/api/v1/statements/{id}/lines/1/resolution");
    let credit =
        json!({"cause": "price", "resolution": "按合同价每台 2,899 元", "adjustment_fen": -30_000});
    let (status, body) = post(&agent, &resolution, credit.clone()).await;
    assert_eq!((status, code(&body)), (409, Some("statement_not_disputed")));

    // The customer opens the link with no sign-in; a forged one is refused.
    let link = link_of(&app, &statement_number).await;
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = visitor.get(&format!("/z/{link}")).await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&statement_number) && page.contains("8,997.00"),
        "{page}"
    );
    let res = visitor.get("/z/1-zzzz-0123456789abcdef0123").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("链接无效"));
    // A dispute needs its reason; then line 1 is disputed and the owner told.
    let res = visitor
        .post_form(&format!("/z/{link}"), &[("dispute", "1"), ("note_1", " ")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("请写明原因"));
    let res = visitor
        .post_form(
            &format!("/z/{link}"),
            &[("dispute", "1"), ("note_1", "单价应为 2,899 元")],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("statement-thanks"));
    let res = visitor.post_form(&format!("/z/{link}"), &[]).await;
    assert_eq!(res.status(), 409, "answered once");
    let (s, _) = detail(&agent, id).await;
    assert_eq!(s["state"], "disputed");
    assert_eq!(
        (
            &s["lines"][0]["answer"],
            &s["lines"][0]["customer_note"],
            &s["lines"][1]["answer"]
        ),
        (
            &json!("disputed"),
            &json!("单价应为 2,899 元"),
            &json!("confirmed")
        )
    );
    assert_eq!(app.notified("statement_disputed", Some(agent_id)).await, 1);

    // A payment entered today but received on November 28th joins November's statement.
    let (status, body) = post(
        &agent,
        &payments,
        json!({"reference": "HX-2", "amount_fen": 100_000, "received_on": "2026-11-28"}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (s, _) = detail(&agent, id).await;
    assert_eq!(
        (&s["closing_fen"], &s["lines"][2]["reference"]),
        (&json!(499_700), &json!("HX-2"))
    );

    // The agent proposes the cause and a ¥300 credit; the manager approves it.
    let (status, body) = post(
        &agent,
        &resolution,
        json!({"cause": "price", "resolution": " ", "adjustment_fen": -30_000}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("statement_resolution_required"))
    );
    let (status, body) = post_any(&agent, &resolution, credit).await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(app.notified("statement_resolution", Some(boss_id)).await, 1);
    let decision = format!("/api/v1/statements/{id}/lines/1/decision");
    let (status, _) = post(&agent, &decision, json!({"approve": true})).await;
    assert_eq!(status, 403, "the manager decides");
    let (status, body) = post(&boss, &decision, json!({"approve": true})).await;
    // The difference is resolved; the payment that joined late was never answered, so the
    // statement goes back to the customer for that line alone.
    assert_eq!((status, &body["state"]), (200, &json!("sent")), "{body}");
    let (s, etag) = detail(&agent, id).await;
    assert_eq!(
        (&s["lines"][0]["answer"], &s["lines"][2]["answer"]),
        (&json!("resolved"), &json!("open")),
        "{s}"
    );
    let answer = format!("/api/v1/statements/{id}/answer");
    let (status, body) = send_if(
        &agent,
        &answer,
        &etag,
        &json!({"disputes": [
            {"line_no": 1, "note": "再议"}
        ]}),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (422, Some("statement_unknown_line")),
        "an answered line is not answered again: {body}"
    );
    let (status, body) = send_if(&agent, &answer, &etag, &json!({"disputes": []})).await;
    assert_eq!(
        (status, &body["state"]),
        (200, &json!("resolved")),
        "the customer agrees with the payment by phone: {body}"
    );
    let (s, etag) = detail(&agent, id).await;
    assert_eq!(s["lines"][0]["answer"], "resolved", "{s}");
    let last = &s["lines"][3];
    assert_eq!(
        (&last["kind"], &last["effect_fen"], &last["on_date"]),
        (&json!("adjustment"), &json!(-30_000), &json!("2026-11-30")),
        "{s}"
    );
    assert_eq!(s["closing_fen"], 469_700);
    let account = json_body(
        agent
            .get(&format!("/api/v1/customers/{hengda}/account"))
            .await,
    )
    .await;
    assert_eq!(
        account["open_fen"], 469_700,
        "the credit is allocated: {account}"
    );

    // Closed: from a stale version refused, then for good.
    let close = format!("/api/v1/statements/{id}/close");
    let (status, _) = send_if(&agent, &close, "\"1\"", &json!({})).await;
    assert_eq!(status, 412);
    let (status, _) = send_if(&agent, &close, &etag, &json!({})).await;
    assert_eq!(status, 204);
    let (s, etag) = detail(&agent, id).await;
    assert_eq!(s["state"], "closed");
    let (status, body) = send_if(
        &agent,
        &format!("/api/v1/statements/{id}/answer"),
        &etag,
        &json!({"disputes": []}),
    )
    .await;
    assert_eq!((status, code(&body)), (409, Some("statement_closed")));
    let before = count(&app, "SELECT COUNT(*) FROM payments").await;
    let (status, body) = post(
        &agent,
        &payments,
        json!({"reference": "HX-3", "amount_fen": 1_000, "received_on": "2026-11-29"}),
    )
    .await;
    assert_eq!((status, code(&body)), (409, Some("statement_closed")));
    assert_eq!(count(&app, "SELECT COUNT(*) FROM payments").await, before);
    let (status, _) = post(
        &agent,
        &payments,
        json!({"reference": "HX-3", "amount_fen": 1_000, "received_on": "2026-12-01"}),
    )
    .await;
    assert_eq!(status, 201);

    // December's statement opens with November's closing balance.
    clock.set("2027-01-04T02:00:00Z".parse().unwrap());
    let (_, body) = post(&agent, "/api/v1/statements", json!({"period": "2026-12"})).await;
    assert_eq!(body["created"], 1, "{body}");
    let dec = json_body(agent.get("/api/v1/statements?period=2026-12").await).await;
    assert_eq!(
        (&dec[0]["opening_fen"], &dec[0]["closing_fen"]),
        (&json!(469_700), &json!(468_700))
    );

    // The spreadsheet of November's, typed cell by cell.
    let web = app
        .login("dui.zhang.agent", kefu_testkit::TEST_PASSWORD)
        .await;
    let res = web.get(&format!("/statements/{id}/xlsx")).await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut book = xlsx(&bytes);
    let sheet = book.worksheet_range("对账单").unwrap();
    assert_eq!(text(&sheet, (0, 1)), statement_number.as_str());
    assert_eq!(number(&sheet, (3, 1)), 0.0);
    assert_eq!(date_serial(&sheet, (6, 1)), excel_day(date(2026, 11, 10)));
    assert_eq!(number(&sheet, (6, 4)), 8_997.0);
    assert_eq!(number(&sheet, (7, 4)), -3_000.0);
    assert_eq!(text(&sheet, (6, 5)), "已处理");
    assert_eq!(text(&sheet, (11, 0)), "期末余额");
    assert_eq!(number(&sheet, (11, 1)), 4_697.0);
    let print = web
        .get(&format!("/statements/{id}/print"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        print.contains("statement-print-page") && print.contains("4,697.00"),
        "{print}"
    );
    app.stop().await;
}
