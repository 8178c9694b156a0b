//! Whoever must act hears of it: the complaint specialists of a complaint an agent
//! registered, its specialist (not the agent) when a department answers, the after-sales
//! specialists when an RMA opens, the measure's owner when an evaluation names them.

use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{cast, intake, post};

/// The kinds of `username`'s notifications, newest first.
async fn kinds(app: &TestApp, username: &str) -> Vec<String> {
    let mut conn = app.app.store.conn().await.unwrap();
    let user = kefu_store::staff::user_by_username(&mut conn, username)
        .await
        .unwrap()
        .id;
    kefu_store::notification::latest(&mut conn, user, 50)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.kind)
        .collect()
}

#[tokio::test]
async fn each_step_tells_whoever_must_act_next() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    app.create_user("shou.hou", &[Role::AftersalesSpecialist])
        .await;
    let owner = json_body(c.quality.get("/api/v1/me").await).await["id"].clone();

    // An agent registers: the complaint specialists hear of it; the agent is not its handler.
    let (status, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert!(
        kinds(&app, "tou.su")
            .await
            .contains(&"complaint_new".into())
    );
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (_, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "同批次热处理异常，已隔离库存。"}),
    )
    .await;
    assert!(
        kinds(&app, "tou.su")
            .await
            .contains(&"complaint_answered".into()),
        "the specialist who accepted it reviews the answer"
    );
    assert!(
        !kinds(&app, "ke.fu")
            .await
            .contains(&"complaint_answered".into())
    );
    post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "production", "responsible_department_id": c.quality_dept, "findings": "炉温失控"}),
    )
    .await;

    // A refund approved: the after-sales specialists carry it out.
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "refund", "description": "退款", "cost_fen": 100_000}),
    )
    .await;
    assert!(
        kinds(&app, "jing.li")
            .await
            .contains(&"complaint_approval".into())
    );
    let refund = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{refund}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert!(
        kinds(&app, "shou.hou")
            .await
            .contains(&"complaint_rma".into())
    );

    // The customer prefers an apology; the evaluation names the measure's owner.
    let (_, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": false, "comment": "只要道歉"}),
    )
    .await;
    let rma = d["rmas"][0]["id"].as_i64().unwrap();
    post(
        &c.specialist,
        &format!("/api/v1/complaint-rmas/{rma}/cancel"),
        json!({"reason": "客户不要退款"}),
    )
    .await;
    let (_, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "apologise", "description": "书面致歉", "cost_fen": 0}),
    )
    .await;
    let apology = body["id"].as_i64().unwrap();
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{apology}/decision"),
        json!({"approve": true}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied", "comment": "接受道歉"}),
    )
    .await;
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/evaluation"),
        json!({"summary": "致歉结案", "lessons": "出厂检验加严", "measure": "热处理炉加装温度报警",
               "measure_owner_id": owner, "measure_due": "2099-12-31"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert!(
        kinds(&app, "pin.zhi")
            .await
            .contains(&"complaint_measure".into())
    );
    let page = app.login("pin.zhi", TEST_PASSWORD).await;
    let html = page.get("/notifications").await.text().await.unwrap();
    assert!(
        html.contains("改进措施由您负责，完成期限 2099-12-31"),
        "{html}"
    );
}

#[tokio::test]
async fn a_manager_sees_every_proposal_waiting_in_one_list() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let mut waiting = Vec::new();
    for (remedy, cost) in [("refund", 1_800_000), ("compensate", 50_000)] {
        let id = super::at_solution(&app, &c).await;
        let (_, body) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/proposals"),
            json!({"remedy": remedy, "description": "方案", "cost_fen": cost}),
        )
        .await;
        waiting.push((id, body["id"].as_i64().unwrap()));
    }

    let res = c.specialist.get("/api/v1/complaint-approvals").await;
    assert_eq!(res.status(), 403, "only those who approve");
    let list = json_body(c.manager.get("/api/v1/complaint-approvals").await).await;
    let got: Vec<(i64, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["complaint_id"].as_i64().unwrap(),
                w["proposal"]["id"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, waiting, "every one, the oldest first");
    assert_eq!(list[0]["proposal"]["cost_fen"], 1_800_000);

    let manager = app.login("jing.li", TEST_PASSWORD).await;
    let board = manager.get("/complaints").await.text().await.unwrap();
    assert!(board.contains("待我审批 2"), "the board says how many wait");
    let page = manager
        .get("/complaints/approvals")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("data-testid=\"approval-row\"").count(), 2);
    assert!(page.contains("18,000.00") || page.contains("18000.00"));

    // Decided, it leaves the list.
    post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{}/decision", waiting[0].1),
        json!({"approve": true}),
    )
    .await;
    let list = json_body(c.manager.get("/api/v1/complaint-approvals").await).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let res = specialist.get("/complaints/approvals").await;
    assert_eq!(res.status(), 403);
    let board = specialist.get("/complaints").await.text().await.unwrap();
    assert!(!board.contains("approvals-link"));
}
