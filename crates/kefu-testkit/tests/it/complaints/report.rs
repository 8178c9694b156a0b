//! 投诉统计 — the statistics report counting by dimension and stage, and its exports.

use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{cast, intake, post};

#[tokio::test]
async fn the_statistics_report_counts_by_dimension_and_stage_and_exports() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for (category, product, severity) in [
        ("quality", "深沟球轴承", "serious"),
        ("quality", "深沟球轴承", "major"),
        ("delivery", "空调外机", "minor"),
    ] {
        let mut body = intake();
        body["category"] = json!(category);
        body["product"] = json!(product);
        body["severity"] = json!(severity);
        let (_, created) = post(&c.agent, "/api/v1/complaints", body).await;
        ids.push(created["id"].as_i64().unwrap());
    }
    // One judged not valid, one valid with a notice answered and accepted.
    for id in &ids[..2] {
        post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/intake"),
            json!({}),
        )
        .await;
    }
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[0]),
        json!({"valid": false, "reason": "客户安装不当", "reply": "您好，经核实属安装问题，我们会安排技术指导。"}),
    )
    .await;
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (_, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[1]),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(d["complaint"]["stage"], "notice");

    let stats = json_body(c.manager.get("/api/v1/complaints/stats?by=category").await).await;
    assert_eq!(stats["totals"]["count"], 3, "{stats}");
    assert_eq!(stats["totals"]["invalid"], 1);
    assert_eq!(stats["totals"]["valid"], 1);
    assert_eq!(
        stats["totals"]["closed"], 1,
        "closed as invalid counts as closed"
    );
    assert_eq!(stats["rows"][0]["key"], "quality");
    assert_eq!(stats["rows"][0]["count"], 2);
    assert_eq!(stats["rows"][1]["key"], "delivery");
    let series_total: i64 = stats["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["count"].as_i64().unwrap())
        .sum();
    assert_eq!(series_total, 3, "every complaint falls in one period");
    let stages: Vec<&str> = stats["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["intake", "validity"], "stages left, in order");
    assert_eq!(stats["stages"][0]["times"], 2);
    let by_validity = json_body(c.manager.get("/api/v1/complaints/stats?by=validity").await).await;
    let keys: Vec<&str> = by_validity["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"pending") && keys.contains(&"invalid") && keys.contains(&"valid"));
    let by_product = json_body(c.manager.get("/api/v1/complaints/stats?by=product").await).await;
    assert_eq!(by_product["rows"][0]["key"], "深沟球轴承");
    // A range before anything happened is empty; bad ranges and dimensions are refused.
    let empty = json_body(
        c.manager
            .get("/api/v1/complaints/stats?from=2020-01-01&to=2020-01-31")
            .await,
    )
    .await;
    assert_eq!(empty["totals"]["count"], 0);
    assert_eq!(empty["series"].as_array().unwrap().len(), 31);
    let res = c
        .manager
        .get("/api/v1/complaints/stats?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "report_reversed");
    let res = c.manager.get("/api/v1/complaints/stats?by=colour").await;
    assert_eq!(res.status(), 422);
    let res = c
        .manager
        .get("/api/v1/complaints/stats?from=yesterday")
        .await;
    assert_eq!(res.status(), 400);
    // Department staff do not see the statistics.
    let res = c.quality.get("/api/v1/complaints/stats").await;
    assert_eq!(res.status(), 403);

    // The page shows the chart and the table; the exports carry the same figures.
    let s = app.login("jing.li", TEST_PASSWORD).await;
    let page = s
        .get("/complaints/report?by=category")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"report-chart\""));
    assert!(page.contains("产品质量"));
    assert!(page.contains("交付与物流"));
    let res = s.get("/complaints/report.csv?by=category").await;
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    assert!(csv.contains("产品质量,2,1,1,1"), "{csv}");
    assert!(csv.contains("合计,3,1,1,1"), "{csv}");
    assert!(csv.contains("受理,2"), "{csv}");
    let res = s.get("/complaints/report.xlsx?by=category").await;
    assert_eq!(res.status(), 200);
    assert!(res.bytes().await.unwrap().starts_with(b"PK"));
    let res = s
        .get("/complaints/report?from=2026-02-01&to=2026-01-01")
        .await;
    assert_eq!(res.status(), 422);
    app.stop().await;
}

/// The report's exports, read back strictly: a CSV reader that refuses rows of unequal
/// length, in UTF-8 with the byte-order mark Excel needs and in GBK; the XLSX cell by cell
/// with calamine. Each carries the figures the page and the statistics show.
#[tokio::test]
async fn the_report_exports_are_well_formed_typed_and_agree_with_the_page() {
    use calamine::Reader;

    use crate::spreadsheet::{
        date_serial, excel_day, gbk_csv, number, number_format, text, utf8_csv, xlsx,
    };

    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut ids = Vec::new();
    for (category, product) in [
        ("quality", "深沟球轴承"),
        ("quality", "深沟球轴承"),
        ("delivery", "空调外机"),
    ] {
        let mut body = intake();
        body["category"] = json!(category);
        body["product"] = json!(product);
        let (status, created) = post(&c.agent, "/api/v1/complaints", body).await;
        assert_eq!(status, 201, "{created}");
        ids.push(created["id"].as_i64().unwrap());
    }
    for id in &ids[..2] {
        post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/intake"),
            json!({}),
        )
        .await;
    }
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{}/judgement", ids[0]),
        json!({"valid": false, "reason": "客户安装不当", "reply": "您好，经核实属安装问题，我们会安排技术指导。"}),
    )
    .await;
    // Costs carried out with fen in them (a penalty is carried out once recorded): ¥1,234.56
    // on a quality complaint, ¥0.07 on the delivery one.
    let mut conn = app.app.store.conn().await.unwrap();
    for (id, fen) in [(ids[1], 123_456_i64), (ids[2], 7)] {
        sqlx::query(
            "INSERT INTO complaint_penalties (complaint_id, amount_fen, reason, recorded_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(fen)
        .bind("质量事故处罚制度第 3 条")
        .bind(app.now().as_microsecond())
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    drop(conn);

    let today = app
        .now()
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai").unwrap())
        .date();
    let from = today.checked_sub(jiff::Span::new().days(6)).unwrap();
    let q = format!("from={from}&to={today}&by=category&period=day");
    let stats = json_body(
        c.manager
            .get(&format!("/api/v1/complaints/stats?{q}"))
            .await,
    )
    .await;
    let rows = stats["rows"].as_array().unwrap();
    let stages = stats["stages"].as_array().unwrap();
    let series = stats["series"].as_array().unwrap();
    assert_eq!(stats["totals"]["count"], 3, "{stats}");
    assert_eq!(stats["totals"]["cost_fen"], 123_463, "{stats}");
    assert_eq!(stats["totals"]["cost_carried_out_fen"], 123_463, "{stats}");
    assert_eq!(stats["totals"]["cost_committed_fen"], 0, "{stats}");
    assert_eq!(series.len(), 7);
    assert!(!stages.is_empty());
    let yuan = |v: &serde_json::Value| {
        let fen = v.as_i64().unwrap();
        format!("{}.{:02}", fen / 100, fen % 100)
    };
    let label = |key: &str| match key {
        "quality" => "产品质量",
        "delivery" => "交付与物流",
        other => panic!("unexpected category {other}"),
    };
    let stage_label = |key: &str| match key {
        "intake" => "受理",
        "validity" => "判断",
        other => panic!("unexpected stage {other}"),
    };

    let s = app.login("jing.li", TEST_PASSWORD).await;
    let page = s
        .get(&format!("/complaints/report?{q}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"total-count\">3</div>"),
        "{page}"
    );
    assert!(
        page.contains("data-testid=\"total-cost\">¥1,234.63</div>"),
        "{page}"
    );
    assert!(page.contains("data-testid=\"export-csv-gbk\""));

    // CSV, UTF-8: the breakdown, its total, the stages and the trend, every row as wide as
    // the widest table, one record per line.
    let res = s.get(&format!("/complaints/report.csv?{q}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=utf-8"
    );
    let csv = utf8_csv(&res.bytes().await.unwrap());
    assert!(csv.iter().all(|r| r.len() == 8), "{csv:?}");
    assert_eq!(
        csv[0],
        [
            "投诉类别",
            "投诉数",
            "成立",
            "不成立",
            "已结案",
            "已发生成本（元）",
            "已批准未执行（元）",
            "平均结案时长（小时）"
        ]
    );
    let figures = |r: &serde_json::Value| {
        vec![
            r["count"].to_string(),
            r["valid"].to_string(),
            r["invalid"].to_string(),
            r["closed"].to_string(),
            yuan(&r["cost_carried_out_fen"]),
            yuan(&r["cost_committed_fen"]),
        ]
    };
    for (i, r) in rows.iter().enumerate() {
        assert_eq!(csv[i + 1][0], label(r["key"].as_str().unwrap()));
        assert_eq!(csv[i + 1][1..7], figures(r), "{csv:?}");
    }
    assert_eq!(
        csv[1][..7],
        ["产品质量", "2", "0", "1", "1", "1234.56", "0.00"]
    );
    let total = rows.len() + 1;
    assert_eq!(csv[total][0], "合计");
    assert_eq!(csv[total][1..7], figures(&stats["totals"]));
    assert!(csv[total + 1].iter().all(String::is_empty), "a blank row");
    let stage_head = total + 2;
    assert_eq!(
        csv[stage_head][..3],
        ["阶段", "次数", "平均工作时长（分钟）"]
    );
    assert!(csv[stage_head][3..].iter().all(String::is_empty));
    for (i, st) in stages.iter().enumerate() {
        let row = &csv[stage_head + 1 + i];
        assert_eq!(row[0], stage_label(st["stage"].as_str().unwrap()));
        assert_eq!(row[1], st["times"].to_string());
        assert_eq!(row[2], st["avg_business_minutes"].to_string());
    }
    let series_head = stage_head + stages.len() + 2;
    assert_eq!(csv[series_head][..3], ["周期开始", "投诉数", "不成立"]);
    for (i, p) in series.iter().enumerate() {
        let row = &csv[series_head + 1 + i];
        assert_eq!(row[0], p["period_start"].as_str().unwrap());
        assert_eq!(row[1], p["count"].to_string());
        assert_eq!(row[2], p["invalid"].to_string());
    }
    assert_eq!(csv.len(), series_head + 1 + series.len());

    // CSV, GBK on request: the same rows; an encoding nobody offers is refused.
    let res = s
        .get(&format!("/complaints/report.csv?{q}&encoding=gbk"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "text/csv; charset=gbk"
    );
    assert_eq!(gbk_csv(&res.bytes().await.unwrap()), csv);
    let res = s
        .get(&format!("/complaints/report.csv?{q}&encoding=latin1"))
        .await;
    assert_eq!(res.status(), 422);

    // XLSX: named sheets, counts and money as numbers, money formatted, periods as dates.
    let res = s.get(&format!("/complaints/report.xlsx?{q}")).await;
    assert_eq!(res.status(), 200);
    let mut book = xlsx(&res.bytes().await.unwrap());
    assert_eq!(book.sheet_names(), ["投诉统计", "条件"]);
    let sheet = book.worksheet_range("投诉统计").unwrap();
    assert_eq!(text(&sheet, (0, 0)), "投诉类别");
    for (i, r) in rows.iter().chain([&stats["totals"]]).enumerate() {
        let y = u32::try_from(i + 1).unwrap();
        for (x, field) in ["count", "valid", "invalid", "closed"].iter().enumerate() {
            let x = u32::try_from(x + 1).unwrap();
            assert_eq!(number(&sheet, (y, x)), r[*field].as_i64().unwrap() as f64);
        }
        for (x, field) in [(5, "cost_carried_out_fen"), (6, "cost_committed_fen")] {
            let cost = number(&sheet, (y, x));
            assert_eq!((cost * 100.0).round() as i64, r[field].as_i64().unwrap());
            assert_eq!(
                number_format(&mut book, "投诉统计", (y, x)).as_deref(),
                Some("#,##0.00"),
                "money is formatted as money"
            );
        }
    }
    assert_eq!(number(&sheet, (1, 5)), 1234.56);
    let total = u32::try_from(total).unwrap();
    assert_eq!(text(&sheet, (total, 0)), "合计");
    let stage_head = u32::try_from(stage_head).unwrap();
    assert_eq!(text(&sheet, (stage_head, 0)), "阶段");
    assert_eq!(
        number(&sheet, (stage_head + 1, 1)),
        stages[0]["times"].as_i64().unwrap() as f64
    );
    let series_head = u32::try_from(series_head).unwrap();
    assert_eq!(text(&sheet, (series_head, 0)), "周期开始");
    for (i, p) in series.iter().enumerate() {
        let y = series_head + 1 + u32::try_from(i).unwrap();
        let day: jiff::civil::Date = p["period_start"].as_str().unwrap().parse().unwrap();
        assert_eq!(date_serial(&sheet, (y, 0)), excel_day(day));
        assert_eq!(
            number_format(&mut book, "投诉统计", (y, 0)).as_deref(),
            Some("yyyy-mm-dd")
        );
        assert_eq!(number(&sheet, (y, 1)), p["count"].as_i64().unwrap() as f64);
    }
    // The second sheet says what was counted: the period as dates, the dimension, the
    // granularity, and when.
    let about = book.worksheet_range("条件").unwrap();
    assert_eq!(text(&about, (1, 0)), "开始日期");
    assert_eq!(date_serial(&about, (1, 1)), excel_day(from));
    assert_eq!(text(&about, (2, 0)), "结束日期");
    assert_eq!(date_serial(&about, (2, 1)), excel_day(today));
    assert_eq!(text(&about, (3, 0)), "统计维度");
    assert_eq!(text(&about, (3, 1)), "投诉类别");
    assert_eq!(text(&about, (4, 0)), "时间粒度");
    assert_eq!(text(&about, (4, 1)), "按日");
    assert_eq!(text(&about, (5, 0)), "导出时间");
    assert_eq!(date_serial(&about, (5, 1)).floor(), excel_day(today));
    app.stop().await;
}
