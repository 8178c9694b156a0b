//! 处理时限 — overdue stages and notices escalating once, and an admin setting the stage
//! deadlines per severity.

use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::json;

use super::{cast, intake, post};

#[tokio::test]
async fn overdue_stages_and_notices_escalate_once() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let (_, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    let id = body["id"].as_i64().unwrap();
    // Nothing is overdue yet (a warning may go out: the intake stage is short).
    assert_eq!(app.app.run_complaint_deadlines().await.unwrap().1, 0);
    // Push the deadline into the past, as time passing would.
    let mut conn = app.app.store.conn().await.unwrap();
    let mut complaint = kefu_store::complaint::by_id(&mut conn, id).await.unwrap();
    complaint.stage_due_at = Some(app.now() - jiff::SignedDuration::from_mins(1));
    kefu_store::complaint::save(&mut conn, &complaint)
        .await
        .unwrap();
    drop(conn);
    let (a, b) = tokio::join!(
        app.app.run_complaint_deadlines(),
        app.app.run_complaint_deadlines()
    );
    assert_eq!(a.unwrap().1 + b.unwrap().1, 1, "escalated exactly once");
    assert_eq!(app.app.run_complaint_deadlines().await.unwrap(), (0, 0));
    let d = json_body(c.manager.get(&format!("/api/v1/complaints/{id}")).await).await;
    assert!(
        d["steps"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["action"] == "escalated")
    );
    let mut conn = app.app.store.conn().await.unwrap();
    let manager = kefu_store::staff::user_by_username(&mut conn, "jing.li")
        .await
        .unwrap()
        .id;
    let notes = kefu_store::notification::latest(&mut conn, manager, 10)
        .await
        .unwrap();
    assert!(notes.iter().any(|n| n.kind == "complaint_overdue"));
    app.stop().await;
}

#[tokio::test]
async fn an_admin_sets_stage_deadlines_per_severity() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    app.create_user("guan.li", &[Role::Admin]).await;
    let admin = app.login("guan.li", TEST_PASSWORD).await;
    let page = admin
        .get("/admin/complaint-deadlines")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("name=\"m_major_intake\""));
    assert!(page.contains("placeholder=\"60\""), "the default shows");
    let res = admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "0")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("阶段时限须为"));
    let res = admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "abc")])
        .await;
    assert_eq!(res.status(), 422);

    let mut body = intake();
    body["severity"] = json!("major");
    let (_, before) = post(&c.agent, "/api/v1/complaints", body.clone()).await;
    let res = admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "5")])
        .await;
    assert_eq!(res.status(), 303);
    let (_, after) = post(&c.agent, "/api/v1/complaints", body).await;
    let due = |id: i64| {
        let api = &c.specialist;
        async move {
            let d = json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await;
            d["complaint"]["stage_due_at"]
                .as_str()
                .unwrap()
                .parse::<jiff::Timestamp>()
                .unwrap()
        }
    };
    let (a, b) = (
        due(before["id"].as_i64().unwrap()).await,
        due(after["id"].as_i64().unwrap()).await,
    );
    assert!(b < a, "5 business minutes fall before 60: {b} vs {a}");
    // Emptying the field restores the default; stages of other severities were untouched.
    let all = app
        .app
        .complaint_deadlines(&kefu_app::Actor::system())
        .await
        .unwrap();
    let set: Vec<_> = all.iter().filter(|d| d.minutes.is_some()).collect();
    assert_eq!(set.len(), 1);
    admin
        .post_form("/admin/complaint-deadlines", &[("m_major_intake", "")])
        .await;
    let all = app
        .app
        .complaint_deadlines(&kefu_app::Actor::system())
        .await
        .unwrap();
    assert!(all.iter().all(|d| d.minutes.is_none()));
    app.stop().await;
}
