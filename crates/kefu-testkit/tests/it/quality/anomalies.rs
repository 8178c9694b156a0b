//! 服务质量异常 — anomalies open once from their sources (a failed inspection, however often
//! it is scored again; a breached deadline; a complaint whose cause is the service) or by
//! hand, numbered per day, and close only once investigated.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::resolved_ticket;
use crate::key_accounts::{code, send};

async fn anomalies(api: &ApiClient, query: &str) -> Vec<Value> {
    let v = json_body(api.get(&format!("/api/v1/quality/anomalies{query}")).await).await;
    v.as_array().unwrap().clone()
}

/// Full marks on every item that applies, but `zero` (scored 0).
fn scores(detail: &Value, zero: &str) -> Value {
    let items: Vec<Value> = detail["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["applies"] == true)
        .map(|i| {
            let top = i["levels"].as_u64().unwrap() - 1;
            json!({"key": i["key"], "score": if i["key"] == zero { 0 } else { top }})
        })
        .collect();
    json!({"scorecard_version_id": detail["scorecard_version_id"], "items": items,
           "comment": "用语生硬。"})
}

#[tokio::test]
async fn anomalies_open_once_from_their_sources_and_close_only_investigated() {
    // Wednesday 2026-12-02 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new("2026-12-02T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user("zl.zhijian", &[Role::QualitySpecialist])
        .await;
    let agent_id = app.create_user("zl.kefu", &[Role::Agent]).await;
    let manager_id = app.create_user("zl.jingli", &[Role::CsManager]).await;
    let handler_id = app
        .create_user("zl.tousu", &[Role::ComplaintSpecialist])
        .await;
    let inspector = ApiClient::new(&app, &app.token_for(q1).await);
    let agent = ApiClient::new(&app, &app.token_for(agent_id).await);
    let manager = ApiClient::new(&app, &app.token_for(manager_id).await);
    let handler = ApiClient::new(&app, &app.token_for(handler_id).await);

    // A failed inspection: one anomaly, critical, numbered for the day.
    let ticket = resolved_ticket(&agent, agent_id, "热水器漏水", "这个不归我管。").await;
    clock.advance(SignedDuration::from_mins(30));
    let (status, _) = send(
        &inspector,
        Method::POST,
        "/api/v1/quality/samples",
        &json!({}),
    )
    .await;
    assert_eq!(status, 201);
    let list = json_body(
        inspector
            .get("/api/v1/quality/inspections?scope=todo")
            .await,
    )
    .await;
    let inspection = list[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/quality/inspections/{inspection}");
    let detail = json_body(inspector.get(&path).await).await;
    let (status, r) = send(
        &inspector,
        Method::POST,
        &format!("{path}/score"),
        &scores(&detail, "a4"),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let found = anomalies(&inspector, "?source=inspection").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let a = &found[0];
    assert_eq!(a["number"], "ZL20261202-0001");
    assert_eq!(a["source_key"], inspection.to_string());
    assert_eq!(
        (a["severity"].clone(), a["status"].clone()),
        (json!("critical"), json!("open"))
    );
    assert_eq!(
        (a["agent_id"].clone(), a["ticket_id"].clone()),
        (json!(agent_id), json!(ticket))
    );
    assert_eq!(a["service_item"], "在线咨询");
    assert_eq!(a["evidence"], "用语生硬。");
    assert!(a["description"].as_str().unwrap().contains("致命项"), "{a}");
    // Appealed, sent back, failed again: still the one anomaly.
    send(
        &agent,
        Method::POST,
        &format!("{path}/appeal"),
        &json!({"reason": "不同意"}),
    )
    .await;
    let (status, _) = send(
        &manager,
        Method::POST,
        &format!("{path}/decision"),
        &json!({"decision": "rescore"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, r) = send(
        &inspector,
        Method::POST,
        &format!("{path}/score"),
        &scores(&detail, "b4"),
    )
    .await;
    assert_eq!((status, r["status"].clone()), (200, json!("revised")));
    assert_eq!(anomalies(&inspector, "?source=inspection").await.len(), 1);

    // A breached deadline: one anomaly however often the check runs, on two instances.
    let res = agent
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "发票抬头开错了", "body": "请重开发票", "assignee_id": agent_id}),
        )
        .await;
    let late = json_body(res).await["id"].as_i64().unwrap();
    // Its first answer was due at 14:00 (120 business minutes, lunch excluded).
    clock.advance(SignedDuration::from_hours(5));
    let peer = app.spawn_peer().await;
    let (x, y) = tokio::join!(app.app.run_sla_check(), peer.app.run_sla_check());
    let _ = (x.unwrap(), y.unwrap());
    app.app.run_sla_check().await.unwrap();
    let breaches = anomalies(&inspector, "?source=sla_breach").await;
    assert_eq!(breaches.len(), 1, "{breaches:?}");
    assert_eq!(breaches[0]["ticket_id"], late);
    assert_eq!(breaches[0]["number"], "ZL20261202-0002");
    assert!(
        breaches[0]["description"]
            .as_str()
            .unwrap()
            .contains("首次响应"),
        "{}",
        breaches[0]
    );
    peer.stop().await;

    // A complaint whose investigation finds the service at fault.
    let customer = json_body(
        manager
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "宁波恒达机电有限公司"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (status, c) = send(
        &agent,
        Method::POST,
        "/api/v1/complaints",
        &json!({"customer_id": customer, "complainant": "王经理", "channel": "phone",
                "content": "客服三次答应回电都没有回。", "category": "service", "severity": "major"}),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    let complaint = c["id"].as_i64().unwrap();
    let step = |s: &str| format!("/api/v1/complaints/{complaint}/{s}");
    let (status, r) = send(&handler, Method::POST, &step("intake"), &json!({})).await;
    assert_eq!(status, 200, "{r}");
    let member = app
        .create_user_in("zl.bumen", &[Role::Department], Some("quality"))
        .await;
    let member = ApiClient::new(&app, &app.token_for(member).await);
    let dept = app
        .app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "quality")
        .unwrap()
        .id;
    let promised = (app.now() + SignedDuration::from_hours(48)).to_string();
    let (status, d) = send(
        &handler,
        Method::POST,
        &step("judgement"),
        &json!({"valid": true, "department_id": dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    let (status, r) = send(
        &member,
        Method::POST,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        &json!({"answer": "已核实，客服未按承诺回电。"}),
    )
    .await;
    assert!(status < 300, "{r}");
    let (status, r) = send(
        &handler,
        Method::POST,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        &json!({"accept": true}),
    )
    .await;
    assert!(status < 300, "{r}");
    let (status, r) = send(
        &handler,
        Method::POST,
        &step("investigation"),
        &json!({"cause": "service", "responsible_user_id": agent_id, "findings": "回电承诺未登记。"}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    let from_complaint = anomalies(&inspector, "?source=complaint").await;
    assert_eq!(from_complaint.len(), 1);
    assert_eq!(from_complaint[0]["source_key"], complaint.to_string());
    assert_eq!(from_complaint[0]["agent_id"], agent_id);
    assert_eq!(from_complaint[0]["service_item"], "电话受理");
    assert_eq!(from_complaint[0]["evidence"], "回电承诺未登记。");
    // Told of the breach and the complaint; the failed inspection was the specialist's own.
    assert_eq!(app.notified("quality_anomaly", Some(q1)).await, 2);

    // By hand: refusals keep nothing; then recorded and investigated; closing waits for it.
    let items = json_body(inspector.get("/api/v1/quality/service-items").await).await;
    assert_eq!(items.as_array().unwrap().len(), 9);
    let visit_item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["key"] == "visit")
        .unwrap()["id"]
        .clone();
    for (body, status, want) in [
        (
            json!({"service_item_id": visit_item, "severity": "minor", "description": " "}),
            422,
            "anomaly_no_description",
        ),
        (
            json!({"service_item_id": 999, "severity": "minor", "description": "回访漏记"}),
            422,
            "anomaly_unknown_service_item",
        ),
        (
            json!({"service_item_id": visit_item, "severity": "huge", "description": "回访漏记"}),
            422,
            "unknown_value",
        ),
        (
            json!({"service_item_id": visit_item, "severity": "minor", "description": "回访漏记", "occurred_on": "2026-12-09"}),
            422,
            "anomaly_future_date",
        ),
    ] {
        let (s, r) = send(&inspector, Method::POST, "/api/v1/quality/anomalies", &body).await;
        assert_eq!((s, code(&r)), (status, Some(want)), "{body}");
    }
    assert_eq!(anomalies(&inspector, "?source=manual").await.len(), 0);
    let (status, r) = send(
        &inspector,
        Method::POST,
        "/api/v1/quality/anomalies",
        &json!({"service_item_id": visit_item, "severity": "minor", "agent_id": agent_id,
                "description": "回访记录缺少客户原话。", "occurred_on": "2026-12-01"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let manual = r["id"].as_i64().unwrap();
    let one = format!("/api/v1/quality/anomalies/{manual}");
    let res = inspector.get(&one).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let a = json_body(res).await;
    assert_eq!(
        (a["number"].clone(), a["occurred_on"].clone()),
        (json!("ZL20261202-0004"), json!("2026-12-01"))
    );
    let (status, r) = send(
        &inspector,
        Method::POST,
        &format!("{one}/close"),
        &json!({}),
    )
    .await;
    assert_eq!((status, code(&r)), (409, Some("anomaly_not_investigated")));
    let (status, r) = send(
        &inspector,
        Method::POST,
        &format!("{one}/investigation"),
        &json!({"cause": "people", "findings": ""}),
    )
    .await;
    assert_eq!((status, code(&r)), (422, Some("anomaly_no_findings")));
    let res = inspector
        .request(Method::POST, &format!("{one}/investigation"))
        .header("If-Match", &etag)
        .json(&json!({"cause": "process", "responsible_user_id": agent_id, "findings": "回访模板未要求填写原话。"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = inspector
        .request(Method::POST, &format!("{one}/close"))
        .header("If-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        412,
        "closed from the version before the investigation"
    );
    let (status, r) = send(
        &inspector,
        Method::POST,
        &format!("{one}/close"),
        &json!({}),
    )
    .await;
    assert_eq!((status, r["status"].clone()), (200, json!("closed")));
    assert_eq!(r["cause"], "process");
    let (status, r) = send(
        &inspector,
        Method::POST,
        &format!("{one}/investigation"),
        &json!({"cause": "people", "findings": "改"}),
    )
    .await;
    assert_eq!((status, code(&r)), (409, Some("anomaly_closed")));
    assert_eq!(agent.get("/api/v1/quality/anomalies").await.status(), 403);

    // The page: the list, the workbench tile, and a refused close in words.
    let s = app.login("zl.zhijian", TEST_PASSWORD).await;
    let home = s.get("/").await.text().await.unwrap();
    assert!(home.contains("data-tile=\"quality.anomalies_open\""));
    let list = s
        .get("/quality/anomalies?status=open")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        list.matches("data-testid=\"anomaly-row\"").count(),
        3,
        "{list}"
    );
    let first = breaches[0]["id"].as_i64().unwrap();
    let res = s
        .post_form(&format!("/quality/anomalies/{first}/close"), &[])
        .await;
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("异常未经调查处理，不能关闭。")
    );
    let res = s
        .post_form(
            &format!("/quality/anomalies/{first}/investigation"),
            &[
                ("cause", "system"),
                ("responsible", ""),
                ("findings", "工单未自动分派。"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = s
        .get(&format!("/quality/anomalies/{first}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"anomaly-cause\">系统"),
        "{page}"
    );
    app.stop().await;
}
