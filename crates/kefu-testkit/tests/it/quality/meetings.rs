//! 质量异常讨论会 — a period's anomalies ranked by service item (the vital few up to four
//! fifths), their causes and measures; a meeting recorded with its attendees, decisions and
//! new measures (tracked, their owners told) all or nothing; refused periods and records.

use std::sync::Arc;

use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::count;
use super::reports::{beijing, record};
use crate::key_accounts::{code, send};

async fn items(api: &ApiClient) -> Vec<(String, i64)> {
    json_body(api.get("/api/v1/quality/service-items").await)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["key"].as_str().unwrap().to_owned(),
                i["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_meeting_discusses_the_vital_few_and_its_measures_are_tracked() {
    let clock = Arc::new(FixedClock::new(beijing("2026-12-07", "10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user("hy.zhijian", &[Role::QualitySpecialist])
        .await;
    let manager = app.create_user("hy.jingli", &[Role::CsManager]).await;
    let agent = app.create_user("hy.kefu", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(q1).await);
    let item = |key: &str, all: &[(String, i64)]| all.iter().find(|(k, _)| k == key).unwrap().1;
    let all = items(&api).await;
    let (phone, email, visit, ret) = (
        item("phone", &all),
        item("email", &all),
        item("visit", &all),
        item("return", &all),
    );
    let mut phones = Vec::new();
    for day in ["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-04"] {
        phones.push(record(&api, phone, Some(agent), day, "来电未按规范应答。").await);
    }
    let mut emails = Vec::new();
    for day in ["2026-12-01", "2026-12-03", "2026-12-06"] {
        emails.push(record(&api, email, None, day, "邮件超时未回复。").await);
    }
    record(&api, visit, None, "2026-12-02", "回访未记录原话。").await;
    record(&api, ret, None, "2026-12-05", "退货登记错误。").await;
    let today = record(&api, phone, None, "2026-12-07", "今天的异常。").await;
    for (id, cause) in [
        (phones[0], "people"),
        (phones[1], "people"),
        (emails[0], "process"),
    ] {
        let (s, r) = send(
            &api,
            Method::POST,
            &format!("/api/v1/quality/anomalies/{id}/investigation"),
            &json!({"cause": cause, "findings": "已查明。"}),
        )
        .await;
        assert_eq!(s, 200, "{r}");
    }

    let s = json_body(
        api.get("/api/v1/quality/meeting-summary?from=2026-11-30&to=2026-12-06")
            .await,
    )
    .await;
    assert_eq!(s["total"], 9, "{s}");
    let pareto: Vec<(String, i64, i64, bool)> = s["pareto"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["service_item"].as_str().unwrap().to_owned(),
                l["count"].as_i64().unwrap(),
                l["cumulative_permille"].as_i64().unwrap(),
                l["vital"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        pareto,
        [
            ("电话受理".to_owned(), 4, 444, true),
            ("邮件回复".to_owned(), 3, 778, true),
            ("回访".to_owned(), 1, 889, true),
            ("退换货".to_owned(), 1, 1000, false),
        ]
    );
    let causes: Vec<(String, String, i64)> = s["causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["service_item"].as_str().unwrap().to_owned(),
                c["cause"].as_str().unwrap().to_owned(),
                c["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(
        causes.contains(&("电话受理".to_owned(), "people".to_owned(), 2)),
        "{causes:?}"
    );
    assert!(
        causes.contains(&("邮件回复".to_owned(), String::new(), 2)),
        "{causes:?}"
    );
    for (query, status, want) in [
        ("from=2026-12-06&to=2026-11-30", 422, "dates_reversed"),
        (
            "from=2025-01-01&to=2026-12-06",
            422,
            "meeting_period_too_long",
        ),
        ("from=2026-11-31&to=2026-12-06", 400, "invalid_field"),
    ] {
        let res = api
            .get(&format!("/api/v1/quality/meeting-summary?{query}"))
            .await;
        assert_eq!(res.status(), status, "{query}");
        assert_eq!(code(&json_body(res).await), Some(want), "{query}");
    }

    // Refused records leave nothing: no attendees, no decisions, a day to come, a measure
    // on an anomaly of another period.
    let measure = |anomaly: i64, body: &str| {
        json!({"anomaly_id": anomaly, "kind": "corrective", "body": body,
               "owner_id": agent, "due_on": "2026-12-14"})
    };
    let meeting = |attendees: Value, decisions: &str, held_on: &str, measures: Value| {
        json!({"title": "十二月第一周质量讨论会", "from": "2026-11-30", "to": "2026-12-06",
               "held_on": held_on, "decisions": decisions, "attendees": attendees,
               "measures": measures})
    };
    for (body, status, want) in [
        (
            meeting(json!([]), "加强培训", "2026-12-07", json!([])),
            422,
            "meeting_no_attendees",
        ),
        (
            meeting(json!([q1]), " ", "2026-12-07", json!([])),
            422,
            "meeting_no_decisions",
        ),
        (
            meeting(json!([q1]), "加强培训", "2026-12-08", json!([])),
            422,
            "meeting_held_in_future",
        ),
        (
            meeting(
                json!([q1]),
                "加强培训",
                "2026-12-07",
                json!([
                    measure(phones[0], "电话礼仪培训"),
                    measure(today, "今天的措施")
                ]),
            ),
            422,
            "meeting_anomaly_outside",
        ),
        (
            meeting(json!([999_999]), "加强培训", "2026-12-07", json!([])),
            404,
            "not_found",
        ),
    ] {
        let (s, r) = send(&api, Method::POST, "/api/v1/quality/meetings", &body).await;
        assert_eq!((s, code(&r)), (status, Some(want)), "{body}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM quality_meetings").await,
        0
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM quality_measures").await,
        0,
        "all or nothing"
    );

    let (s, r) = send(
        &api,
        Method::POST,
        "/api/v1/quality/meetings",
        &meeting(
            json!([q1, manager, agent]),
            "电话受理和邮件回复是主要异常项目：本周完成电话礼仪培训，邮件设提醒。",
            "2026-12-07",
            json!([
                measure(phones[0], "电话礼仪培训"),
                measure(emails[0], "邮件超时提醒")
            ]),
        ),
    )
    .await;
    assert_eq!(s, 201, "{r}");
    let id = r["id"].as_i64().unwrap();
    assert_eq!(app.notified("quality_measure", Some(agent)).await, 2);
    let m = json_body(api.get(&format!("/api/v1/quality/meetings/{id}")).await).await;
    assert_eq!(m["meeting"]["attendees"].as_array().unwrap().len(), 3);
    let decided: Vec<&str> = m["decided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["body"].as_str().unwrap())
        .collect();
    assert_eq!(decided, ["电话礼仪培训", "邮件超时提醒"]);
    assert_eq!(m["summary"]["measure_states"]["planned"], 2);
    let mine = json_body(
        ApiClient::new(&app, &app.token_for(agent).await)
            .get("/api/v1/quality/measures?pending=true")
            .await,
    )
    .await;
    assert_eq!(
        mine.as_array().unwrap().len(),
        2,
        "tracked like any measure"
    );

    // The pages: the agenda with its Pareto, a refused record shown again with what was
    // typed, the minutes.
    let web = app.login("hy.zhijian", TEST_PASSWORD).await;
    let html = web
        .get("/quality/meetings/agenda?from=2026-11-30&to=2026-12-06")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(html.matches("data-testid=\"pareto-line\"").count(), 4);
    assert_eq!(html.matches("data-vital=\"true\"").count(), 3);
    assert!(html.contains("data-testid=\"pareto-chart\""));
    let res = web
        .post_form(
            "/quality/meetings",
            &[
                ("from", "2026-11-30"),
                ("to", "2026-12-06"),
                ("title", "复盘会"),
                ("held_on", "2026-12-07"),
                ("decisions", ""),
                ("attendee", &q1.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("请写明会议决定。"), "{html}");
    assert!(html.contains("value=\"复盘会\""), "what was typed stays");
    let res = web
        .post_form(
            "/quality/meetings",
            &[
                ("from", "2026-11-30"),
                ("to", "2026-12-06"),
                ("title", "复盘会"),
                ("held_on", "2026-12-07"),
                ("decisions", "退换货登记改为双人复核。"),
                ("attendee", &q1.to_string()),
                ("attendee", &manager.to_string()),
                ("body0", "退换货登记双人复核"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422, "a measure without its anomaly and owner");
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("第 1 项新措施需要选择异常、负责人和完成期限。")
    );
    let html = web
        .get(&format!("/quality/meetings/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("测试 hy.jingli"), "attendees named");
    assert_eq!(html.matches("data-testid=\"decided-measure\"").count(), 2);
    let list = web.get("/quality/meetings").await.text().await.unwrap();
    assert_eq!(list.matches("data-testid=\"meeting-row\"").count(), 1);
    let agent_web = app.login("hy.kefu", TEST_PASSWORD).await;
    assert_eq!(agent_web.get("/quality/meetings").await.status(), 403);
    app.stop().await;
}
