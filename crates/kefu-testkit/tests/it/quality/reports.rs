//! 质量异常分析日报表 — made once by the job at its time on the next business day (two
//! instances racing), a weekend folded into Friday's, figures against the previous business
//! day and the week's mean, a late anomaly shown as 补录 in the next report, made again only
//! with a reason, refused for a day not over or not a business day; the XLSX read back
//! cell by cell; the pages.

use std::sync::Arc;

use calamine::Reader;
use jiff::Timestamp;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{count, resolved_ticket};
use crate::key_accounts::{code, send};
use crate::spreadsheet::{number, text};

pub(crate) fn beijing(day: &str, time: &str) -> Timestamp {
    format!("{day}T{time}+08:00[Asia/Shanghai]")
        .parse::<jiff::Zoned>()
        .unwrap()
        .timestamp()
}

/// The id of service item `key`.
async fn item(api: &ApiClient, key: &str) -> i64 {
    let items = json_body(api.get("/api/v1/quality/service-items").await).await;
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == key)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// Records an anomaly by hand; its id.
pub(crate) async fn record(
    api: &ApiClient,
    item: i64,
    agent: Option<i64>,
    occurred_on: &str,
    what: &str,
) -> i64 {
    let (status, r) = send(
        api,
        Method::POST,
        "/api/v1/quality/anomalies",
        &json!({"service_item_id": item, "agent_id": agent, "severity": "major",
                "description": what, "occurred_on": occurred_on}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    r["id"].as_i64().unwrap()
}

/// Full marks on every item that applies.
fn full_marks(detail: &Value) -> Value {
    let items: Vec<Value> = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["applies"] == true)
        .map(|i| json!({"key": i["key"], "score": i["levels"].as_u64().unwrap() - 1}))
        .collect();
    json!({"scorecard_version_id": detail["scorecard_version_id"], "items": items,
           "comment": "服务规范。"})
}

#[tokio::test]
async fn the_daily_report_is_made_once_folds_the_weekend_and_shows_late_anomalies() {
    // Thursday 2026-12-03 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new(beijing("2026-12-03", "10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user_in("rb.zhijian", &[Role::QualitySpecialist], Some("quality"))
        .await;
    let agent_id = app
        .create_user_in("rb.kefu", &[Role::Agent], Some("customer_service"))
        .await;
    let manager_id = app.create_user("rb.jingli", &[Role::CsManager]).await;
    {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query("UPDATE users SET email = 'jingli@hengxin.example' WHERE id = $1")
            .bind(manager_id)
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let quality = ApiClient::new(&app, &app.token_for(q1).await);
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let (phone, visit, email) = (
        item(&quality, "phone").await,
        item(&quality, "visit").await,
        item(&quality, "email").await,
    );

    // Thursday: one anomaly (the previous business day of Friday's report).
    record(
        &quality,
        phone,
        Some(agent_id),
        "2026-12-03",
        "电话未按规范应答。",
    )
    .await;
    // Friday: an inspection scored with full marks, two anomalies (one investigated, with
    // a measure due that day and never started).
    clock.set(beijing("2026-12-04", "10:00"));
    resolved_ticket(&agent, agent_id, "空调不制冷", "您好，师傅明天上午上门。").await;
    clock.set(beijing("2026-12-04", "10:30"));
    let (status, _) = send(
        &quality,
        Method::POST,
        "/api/v1/quality/samples",
        &json!({}),
    )
    .await;
    assert_eq!(status, 201);
    let todo = json_body(quality.get("/api/v1/quality/inspections?scope=todo").await).await;
    let path = format!("/api/v1/quality/inspections/{}", todo[0]["id"]);
    let detail = json_body(quality.get(&path).await).await;
    let (status, r) = send(
        &quality,
        Method::POST,
        &format!("{path}/score"),
        &full_marks(&detail),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let a1 = record(
        &quality,
        phone,
        Some(agent_id),
        "2026-12-04",
        "客户来电三次未接通。",
    )
    .await;
    let a2 = record(
        &quality,
        visit,
        None,
        "2026-12-04",
        "回访记录缺少客户原话。",
    )
    .await;
    let (status, r) = send(
        &quality,
        Method::POST,
        &format!("/api/v1/quality/anomalies/{a2}/investigation"),
        &json!({"cause": "process", "findings": "回访模板没有要求记录客户原话。"}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let (status, r) = send(
        &quality,
        Method::POST,
        &format!("/api/v1/quality/anomalies/{a2}/measures"),
        &json!({"kind": "corrective", "body": "修改回访模板，客户原话设为必填。",
                "owner_id": agent_id, "due_on": "2026-12-04"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    // Saturday: no report of its own, folded into Friday's.
    clock.set(beijing("2026-12-05", "11:00"));
    let a3 = record(&quality, email, None, "2026-12-05", "周末邮件两天未回复。").await;
    assert_eq!(app.app.run_quality_report().await.unwrap(), None);

    // Monday before the report's time: nothing; at 08:30 two instances make it once.
    clock.set(beijing("2026-12-07", "08:29"));
    assert_eq!(app.app.run_quality_report().await.unwrap(), None);
    clock.set(beijing("2026-12-07", "08:30"));
    let peer = app.spawn_quiet_peer().await;
    let (a, b) = tokio::join!(app.app.run_quality_report(), peer.app.run_quality_report());
    let made: Vec<_> = [a.unwrap(), b.unwrap()].into_iter().flatten().collect();
    assert_eq!(made.len(), 1, "{made:?}");
    assert_eq!(made[0].0.to_string(), "2026-12-04");
    assert_eq!(app.app.run_quality_report().await.unwrap(), None);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM quality_reports").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbound_messages WHERE kind = 'quality_daily_report' \
             AND address = 'jingli@hengxin.example'"
        )
        .await,
        1,
        "mailed once to the manager"
    );
    assert_eq!(app.notified("quality_report", Some(manager_id)).await, 1);
    assert_eq!(app.notified("quality_report", Some(q1)).await, 1);

    let r = json_body(quality.get("/api/v1/quality/reports/2026-12-04").await).await;
    let body = &r["body"];
    assert_eq!(
        (r["covers_to"].clone(), r["revision"].clone()),
        (json!("2026-12-07"), json!(1))
    );
    assert_eq!(r["made_by"], Value::Null, "made by the job");
    assert_eq!(body["new"], 3, "Friday's two and Saturday's: {body}");
    assert_eq!(body["late"], 0);
    assert_eq!(body["open"], 4);
    assert_eq!(body["closed"], 0);
    assert_eq!(
        body["inspections"],
        json!({"done": 1, "score_tenths": 1000, "passed": 1})
    );
    assert_eq!(body["today"]["average_tenths"], 1000);
    assert_eq!(body["today"]["pass_permille"], 1000);
    assert_eq!(body["previous"]["anomalies"], 1, "Thursday's");
    assert_eq!(body["previous"]["inspections"], 0);
    assert_eq!(
        body["mean"]["anomalies"], 14,
        "one in seven days: 0.14 a day (hundredths)"
    );
    let items: Vec<(String, i64, i64)> = body["by_service_item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["label"].as_str().unwrap().to_owned(),
                l["new"].as_i64().unwrap(),
                l["open"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("电话受理".to_owned(), 1, 2),
            ("回访".to_owned(), 1, 1),
            ("邮件回复".to_owned(), 1, 1),
        ]
    );
    assert_eq!(body["by_source"][0]["label"], "manual");
    let agents: Vec<&str> = body["by_agent"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        agents,
        ["", "测试 rb.kefu"],
        "most new first: two without an agent"
    );
    assert_eq!(
        body["by_department"][1],
        json!({"label": "客户服务部", "new": 1, "open": 2, "closed": 0}),
        "the agent's department"
    );
    assert_eq!(body["causes"], json!([["process", 1]]));
    assert_eq!(body["overdue_total"], 1);
    assert_eq!(body["overdue_measures"][0]["days_overdue"], 3);
    let listed: Vec<i64> = body["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [a1, a2, a3]);

    // Monday: an anomaly of Friday recorded late, and one of Monday. Tuesday's report (of
    // Monday) lists Monday's, then Friday's as 补录.
    clock.set(beijing("2026-12-07", "10:00"));
    let late = record(
        &quality,
        phone,
        Some(agent_id),
        "2026-12-04",
        "周五投诉补录。",
    )
    .await;
    let monday = record(&quality, visit, None, "2026-12-07", "回访超时。").await;
    clock.set(beijing("2026-12-08", "09:00"));
    let made = app
        .app
        .run_quality_report()
        .await
        .unwrap()
        .expect("Monday's report");
    assert_eq!(made.0.to_string(), "2026-12-07");
    let r = json_body(quality.get("/api/v1/quality/reports/2026-12-07").await).await;
    let body = &r["body"];
    assert_eq!(
        (body["new"].clone(), body["late"].clone()),
        (json!(1), json!(1))
    );
    let listed: Vec<(i64, bool)> = body["anomalies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["id"].as_i64().unwrap(), a["late"].as_bool().unwrap()))
        .collect();
    assert_eq!(listed, [(monday, false), (late, true)]);
    assert_eq!(
        body["previous"]["anomalies"], 4,
        "Friday's days, as they stand now"
    );

    // Made again: only with a reason, as a new revision that keeps the first; refused for a
    // day not over, a day that is no business day, and what is no date — nothing written.
    let make = |date: &str, reason: &str| json!({"date": date, "reason": reason});
    for (body, status, want) in [
        (make("2026-12-04", " "), 422, "quality_report_needs_reason"),
        (make("2026-12-08", ""), 422, "quality_report_future"),
        (
            make("2026-12-05", ""),
            422,
            "quality_report_not_business_day",
        ),
        (make("2026-13-01", ""), 400, "invalid_field"),
        (make("1999-12-31", ""), 422, "date_out_of_range"),
    ] {
        let (s, r) = send(&quality, Method::POST, "/api/v1/quality/reports", &body).await;
        assert_eq!((s, code(&r)), (status, Some(want)), "{body}: {r}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM quality_reports").await, 2);
    let (s, r) = send(
        &agent,
        Method::POST,
        "/api/v1/quality/reports",
        &make("2026-12-04", "补录后重出"),
    )
    .await;
    assert_eq!(s, 403, "{r}");
    let (s, r) = send(
        &quality,
        Method::POST,
        "/api/v1/quality/reports",
        &make("2026-12-04", "补录后重出"),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    assert_eq!(
        (r["revision"].clone(), r["reason"].clone()),
        (json!(2), json!("补录后重出"))
    );
    assert_eq!(r["made_by"], "测试 rb.zhijian");
    assert_eq!(r["body"]["new"], 4, "the late one now in its own day");
    assert_eq!(r["revisions"].as_array().unwrap().len(), 2);
    let first = json_body(
        quality
            .get("/api/v1/quality/reports/2026-12-04?revision=1")
            .await,
    )
    .await;
    assert_eq!(
        first["body"]["new"], 3,
        "the first revision stays as issued"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM outbound_messages WHERE kind = 'quality_daily_report'"
        )
        .await,
        3
    );
    assert_eq!(
        app.notified("quality_report", Some(q1)).await,
        2,
        "not told of their own"
    );
    let list = json_body(quality.get("/api/v1/quality/reports").await).await;
    let dates: Vec<(&str, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["date"].as_str().unwrap(), s["revision"].as_i64().unwrap()))
        .collect();
    assert_eq!(dates, [("2026-12-07", 1), ("2026-12-04", 2)]);

    // The XLSX of the first revision, cell by cell; its chart is in the file.
    let res = quality
        .get("/api/v1/quality/reports/2026-12-04/xlsx?revision=1")
        .await;
    assert_eq!(res.status(), 200);
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(disposition.contains("filename*=UTF-8''"), "{disposition}");
    let bytes = res.bytes().await.unwrap();
    let mut book = crate::spreadsheet::xlsx(&bytes);
    assert_eq!(
        book.sheet_names(),
        ["日报", "分类统计", "异常清单", "逾期措施"]
    );
    let s = book.worksheet_range("日报").unwrap();
    assert_eq!(text(&s, (0, 0)), "质量异常分析日报表");
    assert_eq!(text(&s, (6, 0)), "指标");
    assert_eq!(text(&s, (7, 0)), "质检数");
    assert_eq!(number(&s, (7, 1)), 1.0);
    assert_eq!(text(&s, (8, 0)), "平均分");
    assert_eq!(number(&s, (8, 1)), 100.0);
    assert_eq!(number(&s, (9, 1)), 100.0, "合格率 in percent");
    assert_eq!(text(&s, (10, 0)), "新增异常");
    assert_eq!(number(&s, (10, 1)), 3.0);
    assert_eq!(number(&s, (10, 2)), 1.0, "the previous business day");
    assert!(
        (number(&s, (10, 3)) - 0.14).abs() < 1e-9,
        "the week's daily mean"
    );
    assert_eq!(number(&s, (10, 4)), 200.0, "+200 % on the previous day");
    assert_eq!(text(&s, (16, 0)), "逾期措施");
    assert_eq!(number(&s, (16, 1)), 1.0);
    let s = book.worksheet_range("分类统计").unwrap();
    assert_eq!(text(&s, (0, 0)), "服务项目");
    assert_eq!(
        (text(&s, (1, 0)), number(&s, (1, 1)), number(&s, (1, 2))),
        ("电话受理", 1.0, 2.0)
    );
    assert_eq!(text(&s, (5, 0)), "来源");
    assert_eq!(text(&s, (6, 0)), "手工登记");
    let s = book.worksheet_range("异常清单").unwrap();
    assert_eq!(text(&s, (0, 10)), "补录");
    assert_eq!(text(&s, (1, 2)), "电话受理");
    assert_eq!(text(&s, (1, 4)), "测试 rb.kefu");
    assert_eq!(text(&s, (2, 8)), "流程");
    assert_eq!(s.height(), 4, "heading and three anomalies");
    let s = book.worksheet_range("逾期措施").unwrap();
    assert_eq!(text(&s, (1, 1)), "修改回访模板，客户原话设为必填。");
    assert_eq!(number(&s, (1, 4)), 3.0);
    let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    assert!(
        zip.file_names()
            .any(|n| n.is_ok_and(|n| n.starts_with("xl/charts/chart"))),
        "the chart of the service items"
    );

    // The pages: the list, the report with its 补录 mark and revisions; a refused date
    // re-renders the form with the reason in Chinese; an agent has no way in.
    let web = app.login("rb.zhijian", TEST_PASSWORD).await;
    let html = web.get("/quality/reports").await.text().await.unwrap();
    assert_eq!(
        html.matches("data-testid=\"report-row\"").count(),
        2,
        "{html}"
    );
    assert!(
        html.contains("2026-12-04 – 2026-12-06"),
        "the folded weekend: {html}"
    );
    let html = web
        .get("/quality/reports/2026-12-07")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        html.matches("data-testid=\"late-badge\"").count(),
        1,
        "{html}"
    );
    let html = web
        .get("/quality/reports/2026-12-04")
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("补录后重出") && html.contains("data-testid=\"report-revisions\""));
    let res = web
        .post_form(
            "/quality/reports",
            &[("date", "2026-12-05"), ("reason", "")],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("并入 2026-12-04 的日报表"), "{html}");
    assert_eq!(web.get("/quality/reports/2026-12-09").await.status(), 404);
    let res = web.get("/quality/reports/2026-12-04/xlsx").await;
    assert_eq!(res.status(), 200);
    let agent_web = app.login("rb.kefu", TEST_PASSWORD).await;
    assert_eq!(agent_web.get("/quality/reports").await.status(), 403);
    peer.stop().await;
    app.stop().await;
}
