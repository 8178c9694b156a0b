//! 满意度报表 — tickets of two agents rated in November and one in October, a relationship
//! round with a promoter and a detractor: the report groups the ratings by month (empty
//! months shown), by agent and by tier, the rounds by round and tier with the NPS, the
//! standard questions per round; the customers' words are searched by a word; the XLSX is
//! read back cell by cell and the CSV with a CSV reader; bad months and groupings are
//! refused; only those who manage satisfaction read it.

use calamine::Reader;
use jiff::SignedDuration;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::quiet_app;

/// A ticket of `agent`'s (user `agent_id`) from the customer whose contact's mobile is
/// `mobile` (so it is linked to that customer), written from its own address `email`,
/// resolved and surveyed; the customer gives `score` and `comment`. The ticket's id.
pub(super) async fn rated(
    app: &TestApp,
    (agent, agent_id): (&ApiClient, i64),
    mobile: &str,
    email: &str,
    score: i64,
    comment: &str,
) -> i64 {
    let res = agent
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "报修", "body": "空调不制冷", "contact_name": "客户",
                    "contact_phone": mobile, "contact_email": email}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let ticket = json_body(res).await["id"].as_i64().unwrap();
    let res = agent
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{ticket}"),
            &json!({"status": "resolved", "assignee_id": agent_id}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.app.send_csat_surveys().await.unwrap(), 1);
    let mut conn = app.app.store.conn().await.unwrap();
    let body: String = sqlx::query_scalar(
        "SELECT body FROM ticket_messages WHERE ticket_id = $1 AND body LIKE '%/s/%'",
    )
    .bind(ticket)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let start = body.find("/s/").unwrap() + 3;
    let link: String = body[start..]
        .split(char::is_whitespace)
        .next()
        .unwrap()
        .to_owned();
    app.app.answer_csat(&link, score, comment).await.unwrap();
    ticket
}

pub(super) async fn customer(
    api: &ApiClient,
    name: &str,
    tier: &str,
    province: &str,
    mobile: &str,
) -> i64 {
    let res = api
        .json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": name, "tier": tier, "province": province,
                    "contacts": [{"name": "经理", "mobile": mobile}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    json_body(res).await["id"].as_i64().unwrap()
}

pub(super) async fn report(api: &ApiClient, query: &str) -> (u16, Value) {
    let res = api
        .get(&format!("/api/v1/satisfaction/report?{query}"))
        .await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

#[tokio::test]
async fn the_report_groups_both_surveys_searches_the_words_and_exports() {
    // Monday 2026-10-26 10:00 in Beijing.
    let (app, clock) = quiet_app().await;
    clock.set("2026-10-26T02:00:00Z".parse().unwrap());
    let manager = app.create_user("bao.biao", &[Role::CsManager]).await;
    let api = ApiClient::new(&app, &app.token_for(manager).await);
    let zhang_id = app.create_user("zhang.kf", &[Role::Agent]).await;
    let zhang = ApiClient::new(&app, &app.token_for(zhang_id).await);
    let li_id = app.create_user("li.kf", &[Role::Agent]).await;
    let li = ApiClient::new(&app, &app.token_for(li_id).await);
    let (big_mobile, small_mobile) = ("13800000011", "13800000012");
    let big = customer(&api, "浙江大客户", "key_account", "浙江", big_mobile).await;
    customer(&api, "江苏普通客户", "normal", "江苏", small_mobile).await;

    // October: one rating. November: three, two of 张's and one of 李's.
    let zhang = (&zhang, zhang_id);
    let li = (&li, li_id);
    rated(&app, zhang, big_mobile, "a1@example.com", 5, "").await;
    clock.set("2026-11-16T02:00:00Z".parse().unwrap());
    rated(
        &app,
        zhang,
        big_mobile,
        "a2@example.com",
        5,
        "安装师傅很专业",
    )
    .await;
    rated(
        &app,
        zhang,
        small_mobile,
        "b1@example.com",
        2,
        "等待时间太久了",
    )
    .await;
    rated(&app, li, small_mobile, "b2@example.com", 4, "").await;

    // A relationship round of every tier: the key account a promoter, the other a detractor.
    let res = api
        .json(
            Method::POST,
            "/api/v1/relationship-surveys",
            &json!({"name": "年度关系调查", "every_months": 12, "link_days": 14,
                    "remind_after_days": 0, "active": true,
                    "questions": [{"text": "还有什么建议？", "kind": "text"}]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let survey = json_body(res).await["id"].as_i64().unwrap();
    assert_eq!(
        app.app.send_relationship_surveys().await.unwrap().invited,
        2
    );
    let mut conn = app.app.store.conn().await.unwrap();
    let links: Vec<String> = sqlx::query_scalar(
        "SELECT params FROM outbound_messages WHERE kind = 'relationship_invitation' ORDER BY id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let link = |i: usize| {
        let v: Value = serde_json::from_str(&links[i]).unwrap();
        let full = v["link"].as_str().unwrap().to_owned();
        full[full.find("/r/").unwrap() + 3..].to_owned()
    };
    let given = |pairs: &[(&str, &str)]| -> Vec<kefu_domain::satisfaction::relationship::Given> {
        pairs
            .iter()
            .map(|(k, v)| kefu_domain::satisfaction::relationship::Given {
                key: (*k).to_owned(),
                value: (*v).to_owned(),
            })
            .collect()
    };
    app.app
        .answer_relationship(
            &link(0),
            &given(&[
                ("keep", "5"),
                ("repurchase", "5"),
                ("recommend", "10"),
                ("switch", "4"),
                ("q1", "希望交货再快一点"),
            ]),
        )
        .await
        .unwrap();
    app.app
        .answer_relationship(
            &link(1),
            &given(&[
                ("keep", "2"),
                ("repurchase", "3"),
                ("recommend", "3"),
                ("switch", "1"),
            ]),
        )
        .await
        .unwrap();
    clock.advance(SignedDuration::from_hours(24));

    // By month: September empty, October 1, November 3 (average 3.7, 2 of 3 satisfied).
    let (s, r) = report(&api, "from=2026-09&to=2026-11").await;
    assert_eq!(s, 200, "{r}");
    let months: Vec<(&str, i64, i64)> = r["csat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap(),
                g["sent"].as_i64().unwrap(),
                g["answered"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        months,
        [("2026-09", 0, 0), ("2026-10", 1, 1), ("2026-11", 3, 3)]
    );
    let nov = &r["csat"][2];
    assert_eq!(nov["average_tenths"], 37);
    assert_eq!(nov["satisfied_rate_tenths"], 667);
    assert_eq!(nov["low"], 1);
    assert_eq!(r["csat_total"]["sent"], 4);
    assert_eq!(r["csat_total"]["average_tenths"], 40);
    // The round: 2 invited, 2 answered, NPS (1 − 1) / 2 = 0; the standard questions'
    // averages of the round.
    assert_eq!(r["nps"][0]["key"], "2026");
    assert_eq!(r["nps_total"]["answered"], 2);
    assert_eq!(r["nps_total"]["nps_tenths"], 0);
    assert_eq!(r["trend"][0]["keep"], 35);
    assert_eq!(r["trend"][0]["recommend"], 65);
    assert_eq!(r["said"].as_array().unwrap().len(), 3, "{}", r["said"]);

    // By agent and by tier; the words searched.
    let (_, r) = report(
        &api,
        "from=2026-11&to=2026-11&csat_by=agent&nps_by=tier&q=太久",
    )
    .await;
    let agents: Vec<(&str, i64, i64)> = r["csat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap(),
                g["answered"].as_i64().unwrap(),
                g["average_tenths"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(agents.contains(&("测试 zhang.kf", 2, 35)), "{agents:?}");
    assert!(agents.contains(&("测试 li.kf", 1, 40)), "{agents:?}");
    let tiers: Vec<(&str, i64)> = r["nps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap(),
                g["nps_tenths"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tiers, [("key_account", 1000), ("normal", -1000)]);
    let said = r["said"].as_array().unwrap();
    assert_eq!(said.len(), 1);
    assert_eq!(said[0]["text"], "等待时间太久了");
    assert_eq!(said[0]["score"], 2);
    let (_, r) = report(
        &api,
        &format!("from=2026-11&to=2026-11&survey={survey}&q=交货"),
    )
    .await;
    assert_eq!(r["said"][0]["source"], "relationship");
    assert_eq!(r["said"][0]["customer_id"], big);
    let (_, r) = report(&api, "from=2026-11&to=2026-11&csat_by=region").await;
    let mut regions: Vec<(&str, i64)> = r["csat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g["key"].as_str().unwrap(), g["sent"].as_i64().unwrap()))
        .collect();
    regions.sort_unstable();
    assert_eq!(
        regions,
        [("江苏省", 2), ("浙江省", 1)],
        "provinces as the archive keeps them"
    );

    // Refusals.
    let (s, e) = report(&api, "from=2026-13").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("report_bad_month"))
    );
    let (s, e) = report(&api, "from=2026-11&to=2026-10").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("report_months_backwards"))
    );
    let (s, e) = report(&api, "from=2024-01&to=2026-11").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("satisfaction_report_too_long"))
    );
    let (s, e) = report(&api, "csat_by=weather").await;
    assert_eq!(
        (s, e["error"]["code"].as_str()),
        (422, Some("unknown_value"))
    );

    // The page, the XLSX cell by cell and a CSV with a CSV reader.
    let session = app.login("bao.biao", TEST_PASSWORD).await;
    let page = session
        .get("/satisfaction/report?from=2026-09&to=2026-11")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-testid=\"report-csat-row\"").count(), 3);
    assert!(page.contains("等待时间太久了"));
    let res = session.get("/satisfaction/report?from=2026-13").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("“2026-13”不是月份"));
    let res = session
        .get("/satisfaction/report.xlsx?from=2026-09&to=2026-11")
        .await;
    assert_eq!(res.status(), 200);
    let mut book = crate::spreadsheet::xlsx(&res.bytes().await.unwrap());
    let names = book.sheet_names().to_vec();
    assert_eq!(names.len(), 4);
    let csat = book.worksheet_range(&names[0]).unwrap();
    assert_eq!(crate::spreadsheet::text(&csat, (0, 0)), "月份");
    assert_eq!(crate::spreadsheet::text(&csat, (3, 0)), "2026-11");
    assert_eq!(crate::spreadsheet::number(&csat, (3, 1)), 3.0);
    assert_eq!(crate::spreadsheet::number(&csat, (3, 4)), 3.7);
    assert_eq!(crate::spreadsheet::number(&csat, (3, 5)), 66.7);
    assert_eq!(crate::spreadsheet::text(&csat, (4, 0)), "合计");
    let nps = book.worksheet_range(&names[1]).unwrap();
    assert_eq!(crate::spreadsheet::text(&nps, (1, 0)), "2026");
    assert_eq!(crate::spreadsheet::number(&nps, (1, 7)), 0.0);
    let said = book.worksheet_range(&names[3]).unwrap();
    assert_eq!(crate::spreadsheet::text(&said, (0, 4)), "客户原话");
    let res = session
        .get("/satisfaction/report.csv?table=nps&nps_by=tier&from=2026-11&to=2026-11")
        .await;
    assert_eq!(res.status(), 200);
    let rows = crate::spreadsheet::utf8_csv(&res.bytes().await.unwrap());
    assert_eq!(rows[0][0], "客户等级");
    assert_eq!(rows[1][0], "大客户");
    assert_eq!(rows[1][7], "100.0");
    assert_eq!(rows[2][7], "-100.0");
    let res = session
        .get("/satisfaction/report.csv?table=everything")
        .await;
    assert_eq!(res.status(), 422);

    app.create_user("pu.tong", &[Role::Agent]).await;
    let agent = app.login("pu.tong", TEST_PASSWORD).await;
    assert_eq!(agent.get("/satisfaction/report").await.status(), 403);
}
