//! 投诉成本 — one figure everywhere. A complaint taken to an approved ¥18,000 refund that is
//! not paid yet shows ¥18,000 approved and not carried out (已批准未执行) and nothing carried
//! out (已发生) — on its page, in its API detail, on the statistics page, in the statistics
//! API and in both exports; once the refund is done, the same ¥18,000 is carried out
//! everywhere and nothing is left committed.

use kefu_testkit::{Session, TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{Cast, at_solution, cast, page_yuan, plain_yuan, post, section};
use crate::spreadsheet::{number, text, utf8_csv, xlsx};

/// ¥18,000 in fen.
const REFUND: i64 = 1_800_000;

/// Every place that shows complaint `id`'s cost (the only complaint there is) says
/// `carried_out` and `committed`, in fen.
async fn shown_everywhere(c: &Cast, s: &Session, id: i64, carried_out: i64, committed: i64) {
    use calamine::Reader;

    // The API detail.
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["cost_carried_out_fen"], carried_out, "{d}");
    assert_eq!(d["cost_committed_fen"], committed, "{d}");
    assert_eq!(
        d["cost_fen"], carried_out,
        "cost_fen is the carried-out figure"
    );

    // The complaint page, both figures with their labels.
    let page = s
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let facts = section(&page, "short-flat-fast", "dl");
    assert!(
        facts.contains(&format!(
            "已发生成本（平）</dt><dd data-testid=\"cost-carried-out\">¥{}</dd>",
            page_yuan(carried_out)
        )),
        "{facts}"
    );
    assert!(
        facts.contains(&format!(
            "已批准未执行成本</dt><dd data-testid=\"cost-committed\">¥{}</dd>",
            page_yuan(committed)
        )),
        "{facts}"
    );

    // The statistics API: the totals and the one category.
    let stats = json_body(c.manager.get("/api/v1/complaints/stats?by=category").await).await;
    for figures in [&stats["totals"], &stats["rows"][0]] {
        assert_eq!(figures["cost_carried_out_fen"], carried_out, "{stats}");
        assert_eq!(figures["cost_committed_fen"], committed, "{stats}");
        assert_eq!(figures["cost_fen"], carried_out, "{stats}");
    }

    // The statistics page: the tiles and the breakdown.
    let report = s
        .get("/complaints/report?by=category")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        report.contains(&format!(
            "data-testid=\"total-cost\">¥{}</div>",
            page_yuan(carried_out)
        )),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "data-testid=\"total-committed\">¥{}</span>",
            page_yuan(committed)
        )),
        "{report}"
    );
    let table = section(&report, "report-table", "table");
    assert!(
        table.contains(&format!(
            "<td>{}</td><td>{}</td>",
            page_yuan(carried_out),
            page_yuan(committed)
        )),
        "{table}"
    );

    // The CSV: carried out, then committed, on the category's row and the total.
    let res = s.get("/complaints/report.csv?by=category").await;
    assert_eq!(res.status(), 200);
    let csv = utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(csv[0][5], "已发生成本（元）");
    assert_eq!(csv[0][6], "已批准未执行（元）");
    for label in ["产品质量", "合计"] {
        let row = csv
            .iter()
            .find(|r| r[0] == label)
            .unwrap_or_else(|| panic!("no {label} row: {csv:?}"));
        assert_eq!(row[5], plain_yuan(carried_out), "{label}: {row:?}");
        assert_eq!(row[6], plain_yuan(committed), "{label}: {row:?}");
    }

    // The XLSX: the same figures as numbers.
    let res = s.get("/complaints/report.xlsx?by=category").await;
    assert_eq!(res.status(), 200);
    let mut book = xlsx(&res.bytes().await.unwrap());
    let sheet = book.worksheet_range("投诉统计").unwrap();
    assert_eq!(text(&sheet, (1, 0)), "产品质量");
    assert_eq!(number(&sheet, (1, 5)), carried_out as f64 / 100.0);
    assert_eq!(number(&sheet, (1, 6)), committed as f64 / 100.0);
}

#[tokio::test]
async fn a_complaints_cost_is_the_same_on_its_page_the_report_the_api_and_the_exports() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let id = at_solution(&app, &c).await;
    // Two proposals; the supervisor approves the refund, the compensation is set aside and
    // counts nothing.
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "compensate", "description": "补偿 500 元", "cost_fen": 50_000}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "全额退款 18,000 元", "cost_fen": REFUND}),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let refund = body["id"].as_i64().unwrap();
    let (status, _) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{refund}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 200);
    let s = app.login("jing.li", TEST_PASSWORD).await;

    // Approved, the refund not paid: committed, nothing carried out.
    shown_everywhere(&c, &s, id, 0, REFUND).await;

    // The refund is paid (requested → approved → done): carried out, nothing committed.
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    let rma = d["rmas"][0]["id"].as_i64().unwrap();
    for expected in ["approved", "done"] {
        let (status, body) = post(
            &c.specialist,
            &format!("/api/v1/complaint-rmas/{rma}/advance"),
            json!({"note": "已退款"}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["status"], expected);
    }
    shown_everywhere(&c, &s, id, REFUND, 0).await;

    // Closing the RMA changes nothing: it was carried out when done.
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaint-rmas/{rma}/advance"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    shown_everywhere(&c, &s, id, REFUND, 0).await;
    app.stop().await;
}
