//! 回访人 — the follow-up call made by an agent: chosen at intake (by default the ticket's
//! assignee), told when the call is due, and allowed to record its result on the page and
//! over the API; any other agent, or a department's staff, is refused.

use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Cast, cast, intake, post, stage};

/// The id of user `username`.
pub(super) async fn user_id(app: &TestApp, username: &str) -> i64 {
    let mut conn = app.app.store.conn().await.unwrap();
    kefu_store::staff::user_by_username(&mut conn, username)
        .await
        .unwrap()
        .id
}

/// Complaint `id` walked over the API to its follow-up: intake completed with
/// `intake_body` (unless `None`, when it was completed already), judged valid with the
/// answer promised by default, the notice answered and accepted, the investigation
/// recorded, an apology approved and accepted by the customer.
pub(super) async fn to_follow_up(c: &Cast, id: i64, intake_body: Option<Value>) {
    if let Some(body) = intake_body {
        let (status, d) = post(
            &c.specialist,
            &format!("/api/v1/complaints/{id}/intake"),
            body,
        )
        .await;
        assert_eq!(status, 200, "{d}");
    }
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert!(
        d["complaint"]["promised_answer_at"].is_string(),
        "promised by default"
    );
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    let (status, _) = post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "同批次热处理异常，已隔离库存。"}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "production", "findings": "热处理炉温控失效"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let (status, p) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "apologise", "description": "书面致歉并加强出厂检验", "cost_fen": 0}),
    )
    .await;
    assert_eq!(status, 201, "{p}");
    let proposal = p["id"].as_i64().unwrap();
    let (status, _) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{proposal}/decision"),
        json!({"approve": true}),
    )
    .await;
    assert_eq!(status, 200);
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/customer-decision"),
        json!({"accepted": true}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "follow_up");
}

#[tokio::test]
async fn the_agent_chosen_at_intake_is_told_and_records_the_follow_up_over_the_api() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let other = app.create_user("ling.agent", &[Role::Agent]).await;
    let other = kefu_testkit::ApiClient::new(&app, &app.token_for(other).await);
    let agent = user_id(&app, "ke.fu").await;
    let quality_user = user_id(&app, "pin.zhi").await;

    let (status, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    // A department's staff do not make customer calls: refused, nothing changes.
    let (status, body) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({"follow_up_agent_id": quality_user}),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "unknown_assignee");
    assert_eq!(stage(&c.specialist, id).await, "intake");

    to_follow_up(
        &c,
        id,
        Some(json!({"comment": "信息齐全", "follow_up_agent_id": agent})),
    )
    .await;
    let d = json_body(c.agent.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["complaint"]["follow_up_agent_id"], agent);
    assert_eq!(d["complaint"]["follow_up_agent"], "测试 ke.fu");
    assert_eq!(
        d["follow_ups"][0]["assignee_id"], agent,
        "the call is theirs"
    );

    // The agent heard that the call is due, and the notification opens the complaint.
    let mut conn = app.app.store.conn().await.unwrap();
    let note = kefu_store::notification::latest(&mut conn, agent, 10)
        .await
        .unwrap()
        .into_iter()
        .find(|n| n.kind == "complaint_follow_up")
        .expect("the follow-up agent was told");
    drop(conn);
    assert_eq!(
        note.ticket_id,
        d["complaint"]["ticket_id"].as_i64(),
        "about the complaint's ticket"
    );
    let session = app.login("ke.fu", TEST_PASSWORD).await;
    let res = session
        .post_form(&format!("/notifications/{}/open", note.id), &[])
        .await;
    assert_eq!(
        res.headers()["location"].to_str().unwrap(),
        format!("/complaints/{id}")
    );
    let list = session.get("/notifications").await.text().await.unwrap();
    assert!(list.contains("回访"), "the notification reads in Chinese");

    // Another agent, and the department's staff, may not record it.
    let (status, body) = post(
        &other,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied"}),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (status, _) = post(
        &c.quality,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied"}),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(stage(&c.specialist, id).await, "follow_up");

    // The agent records the call.
    let (status, d) = post(
        &c.agent,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied", "comment": "客户对致歉和整改表示认可"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "evaluation");
    assert_eq!(d["follow_ups"][0]["result"], "satisfied");
    app.stop().await;
}

#[tokio::test]
async fn the_ticket_assignee_is_the_default_and_records_the_follow_up_on_the_page() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    app.create_user("ling.agent", &[Role::Agent]).await;
    let agent = user_id(&app, "ke.fu").await;

    // A complaint from a ticket assigned to the agent.
    let t = json_body(
        c.agent
            .json(
                Method::POST,
                "/api/v1/tickets",
                &json!({"subject": "轴承开裂", "body": "30 个外圈开裂", "contact_name": "王经理",
                    "assignee_id": agent}),
            )
            .await,
    )
    .await;
    let ticket = t["id"].as_i64().unwrap();
    let mut body = intake();
    body["ticket_id"] = json!(ticket);
    let (status, body) = post(&c.agent, "/api/v1/complaints", body).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();

    // The intake form offers the agents, the ticket's assignee chosen.
    let specialist = app.login("tou.su", TEST_PASSWORD).await;
    let page = specialist
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"follow-up-agent-select\""));
    assert!(
        page.contains(&format!("<option value=\"{agent}\" selected>")),
        "the ticket's assignee is the default"
    );
    let res = specialist
        .post_form(
            &format!("/complaints/{id}/intake"),
            &[("comment", ""), ("follow_up_agent", "")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(
        d["complaint"]["follow_up_agent_id"], agent,
        "left to the default: the ticket's assignee"
    );
    to_follow_up(&c, id, None).await;

    // On the page: the agent sees who calls and the follow-up form; another agent sees who
    // calls but no form, and is refused when posting it anyway.
    let mine = app.login("ke.fu", TEST_PASSWORD).await;
    let page = mine
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"follow-up-agent\""));
    assert!(page.contains("data-testid=\"step-follow-up\""));
    let other = app.login("ling.agent", TEST_PASSWORD).await;
    let page = other
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"follow-up-agent\">测试 ke.fu</dd>"));
    assert!(!page.contains("data-testid=\"step-follow-up\""));
    let res = other
        .post_form(
            &format!("/complaints/{id}/follow-up"),
            &[("result", "satisfied"), ("comment", "")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(stage(&c.specialist, id).await, "follow_up");

    let res = mine
        .post_form(
            &format!("/complaints/{id}/follow-up"),
            &[
                ("result", "neutral"),
                ("comment", "基本满意，希望缩短到货时间"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(stage(&c.specialist, id).await, "evaluation");
    let d = json_body(c.specialist.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert_eq!(d["follow_ups"][0]["result"], "neutral");
    app.stop().await;
}
