//! Input at the edges: amounts above the ceiling refused while the largest allowed still add
//! up, and dates outside the business range refused naming the bounds.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::{Value, json};

use super::{at_solution, cast, intake, page_yuan, post};

/// `kefu_domain::money::MAX_AMOUNT_FEN`: ¥1,000,000,000.
const MAX_FEN: i64 = 100_000_000_000;

#[tokio::test]
async fn amounts_above_the_ceiling_are_refused_and_the_largest_ones_still_add_up() {
    assert_eq!(MAX_FEN, kefu_domain::money::MAX_AMOUNT_FEN);
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let ids = [
        at_solution(&app, &c).await,
        at_solution(&app, &c).await,
        at_solution(&app, &c).await,
    ];

    // Above the ceiling: refused over the API (a cost, i64::MAX, a penalty) and on the page,
    // naming the ceiling; nothing is stored.
    for cost in [MAX_FEN + 1, i64::MAX] {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{}/proposals", ids[0]),
            json!({"remedy": "refund", "description": "全额退款", "cost_fen": cost}),
        )
        .await;
        assert_eq!(status, 422, "{cost}: {body}");
        assert_eq!(body["error"]["code"], "amount_too_large", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("1,000,000,000"),
            "{body}"
        );
    }
    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let res = specialist
        .post_form(
            &format!("/complaints/{}/proposals", ids[0]),
            &[
                ("remedy", "refund"),
                ("description", "全额退款"),
                ("cost", "1000000000.01"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(page.contains("1,000,000,000"), "{page}");
    let d = json_body(
        c.specialist
            .get(&format!("/api/v1/complaints/{}", ids[0]))
            .await,
    )
    .await;
    assert_eq!(d["proposals"], json!([]), "nothing stored");

    // At the ceiling: accepted and approved on three complaints, with a penalty each.
    for id in ids {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/proposals"),
            json!({"remedy": "refund", "description": "全额退款", "cost_fen": MAX_FEN}),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        let proposal = body["id"].as_i64().unwrap();
        let (status, _) = post(
            &c.manager,
            &format!("/api/v1/complaint-proposals/{proposal}/decision"),
            json!({"approve": true}),
        )
        .await;
        assert_eq!(status, 200);
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/penalties"),
            json!({"department_id": c.quality_dept, "amount_fen": MAX_FEN + 1, "reason": "质量事故处罚制度第 3 条"}),
        )
        .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["code"], "amount_too_large");
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/penalties"),
            json!({"department_id": c.quality_dept, "amount_fen": MAX_FEN, "reason": "质量事故处罚制度第 3 条"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        // The penalty is carried out; the refund is approved and its RMA not done yet.
        assert_eq!(body["cost_carried_out_fen"], MAX_FEN, "{body}");
        assert_eq!(body["cost_committed_fen"], MAX_FEN, "{body}");
        assert_eq!(body["cost_fen"], MAX_FEN);
    }

    // The statistics, the report page and its exports answer, with the sums exact.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let check = |expected: i64| {
        let (api, s) = (&c.manager, &s);
        async move {
            let res = api.get("/api/v1/complaints/stats?by=category").await;
            assert_eq!(res.status(), 200);
            let stats = json_body(res).await;
            assert_eq!(stats["totals"]["count"], 3, "{stats}");
            assert_eq!(stats["totals"]["cost_fen"], expected, "{stats}");
            assert_eq!(stats["totals"]["cost_carried_out_fen"], expected, "{stats}");
            assert_eq!(stats["totals"]["cost_committed_fen"], expected, "{stats}");
            assert_eq!(stats["rows"][0]["cost_fen"], expected, "{stats}");
            assert_eq!(stats["penalties_fen"], expected, "{stats}");
            // Pages group thousands; the CSV keeps plain numbers.
            let grouped = format!("¥{}", page_yuan(expected));
            let plain = format!("{}.00", expected / 100);
            let res = s.get("/complaints/report?by=category").await;
            assert_eq!(res.status(), 200);
            let page = res.text().await.unwrap();
            assert!(
                page.contains(&format!("data-testid=\"total-cost\">{grouped}<")),
                "{page}"
            );
            assert!(
                page.contains(&format!("data-testid=\"total-committed\">{grouped}<")),
                "{page}"
            );
            let res = s.get("/complaints/report.csv?by=category").await;
            assert_eq!(res.status(), 200);
            let csv = res.text().await.unwrap();
            assert!(
                csv.contains(&format!("合计,3,3,0,0,{plain},{plain},")),
                "{csv}"
            );
            let res = s.get("/complaints/report.xlsx?by=category").await;
            assert_eq!(res.status(), 200);
            assert!(res.bytes().await.unwrap().starts_with(b"PK"));
        }
    };
    check(3 * MAX_FEN).await;

    // Amounts stored before the ceiling existed (i64::MAX) count at the ceiling: the
    // report still answers on both backends, and so does the complaint.
    let mut conn = app.app.store.conn().await.unwrap();
    for sql in [
        "UPDATE complaints SET cost_fen = $1",
        "UPDATE complaint_penalties SET amount_fen = $1",
        "UPDATE complaint_rmas SET amount_fen = $1",
    ] {
        sqlx::query(sql)
            .bind(i64::MAX)
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    drop(conn);
    check(3 * MAX_FEN).await;
    let res = c
        .specialist
        .get(&format!("/api/v1/complaints/{}", ids[0]))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_body(res).await["cost_fen"], MAX_FEN);
    let res = specialist.get(&format!("/complaints/{}", ids[0])).await;
    assert_eq!(res.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn dates_outside_the_business_range_are_refused_naming_the_bounds() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let named = |body: &Value| {
        let message = body["error"]["message"].as_str().unwrap_or_default();
        assert_eq!(body["error"]["code"], "date_out_of_range", "{body}");
        assert!(
            message.contains("2000-01-01") && message.contains("2099-12-31"),
            "{body}"
        );
    };
    // The statistics: the far end of the calendar and the epoch are refused, not a 500.
    for query in [
        "to=9999-12-31",
        "from=1970-01-01",
        "from=9999-12-01&to=9999-12-31",
        "from=1999-12-31&to=2000-01-10",
        "from=2099-12-01&to=2100-01-01",
    ] {
        let res = c
            .manager
            .get(&format!("/api/v1/complaints/stats?{query}"))
            .await;
        assert_eq!(res.status(), 422, "{query}");
        named(&json_body(res).await);
    }
    // The bounds themselves are business dates.
    for query in [
        "from=2000-01-01&to=2000-01-31",
        "from=2099-12-01&to=2099-12-31",
        "to=2000-01-10",
    ] {
        let res = c
            .manager
            .get(&format!("/api/v1/complaints/stats?{query}"))
            .await;
        assert_eq!(res.status(), 200, "{query}");
    }
    // The report page and its exports say the same in the reader's language.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let res = s.get("/complaints/report?to=9999-12-31").await;
    assert_eq!(res.status(), 422);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("2000-01-01") && page.contains("2099-12-31"),
        "{page}"
    );
    for path in [
        "/complaints/report.xlsx?to=9999-12-31",
        "/complaints/report.csv?from=1970-01-01",
    ] {
        assert_eq!(s.get(path).await.status(), 422, "{path}");
    }
    // Dates in a complaint, and the search filters, follow the same rule.
    for patch in [
        json!({"delivery_date": "1970-01-01"}),
        json!({"delivery_date": "9999-12-31"}),
        json!({"received_at": "1970-01-01T00:00:00Z"}),
    ] {
        let mut body = intake();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, res) = post(&c.agent, "/api/v1/complaints", body).await;
        assert_eq!(status, 422, "{patch} → {res}");
        named(&res);
    }
    let list = json_body(c.specialist.get("/api/v1/complaints?open=false").await).await;
    assert_eq!(list, json!([]), "nothing stored");
    let res = c.agent.get("/api/v1/search?q=x&to=9999-12-31").await;
    assert_eq!(res.status(), 422);
    named(&json_body(res).await);
    let res = c
        .agent
        .get("/api/v1/search?q=x&from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "dates_reversed");
    app.stop().await;
}
