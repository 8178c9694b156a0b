//! 投诉结案回访 — the follow-up call of a complaint with a customer is a visit on the
//! follow-up agent's list: planned when the customer accepts the solution, to the contact
//! who complained, with the handler's script. Its result is the complaint's: unsatisfied on
//! the visit sends the complaint back to its solution (no second complaint), and a result
//! recorded on the complaint completes the visit.

use jiff::SignedDuration;
use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::follow_up_agent::{to_follow_up, user_id};
use super::{Cast, cast, intake, post, stage};

async fn get(api: &ApiClient, path: &str) -> Value {
    let res = api.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "{path}");
    json_body(res).await
}

/// An attempt that reached the contact, made a few minutes ago.
fn reached(app: &TestApp, satisfaction: &str, words: &str) -> Value {
    let start = app.now() - SignedDuration::from_mins(6);
    json!({
        "reach": "reached", "started_at": start.to_string(),
        "ended_at": (start + SignedDuration::from_mins(4)).to_string(),
        "satisfaction": satisfaction, "aspects": ["product"],
        "words": words, "next_action": "重新换货",
    })
}

async fn complaints_count(app: &TestApp) -> i64 {
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM complaints")
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

/// A complaint by the customer's contact 王经理, walked to its follow-up with `agent` as
/// the follow-up agent; (customer, complaint, contact).
async fn complaint_of_customer(app: &TestApp, c: &Cast, agent: i64) -> (i64, i64, i64) {
    let (status, body) = post(
        &c.manager,
        "/api/v1/customers",
        json!({
            "name": "华东轴承厂", "tier": "key_account",
            "contacts": [
                {"name": "李", "title": "采购", "mobile": "13900001111"},
                {"name": "王", "title": "经理", "mobile": "138-1234-5678"},
            ],
        }),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let customer = body["id"].as_i64().unwrap();
    let mut conn = app.app.store.conn().await.unwrap();
    let contact: i64 = sqlx::query_scalar(
        "SELECT id FROM customer_contacts WHERE customer_id = $1 AND name = '王'",
    )
    .bind(customer)
    .fetch_one(&mut *conn)
    .await
    .unwrap();
    drop(conn);
    let mut form = intake();
    form["customer_id"] = json!(customer);
    let (status, body) = post(&c.agent, "/api/v1/complaints", form).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    to_follow_up(c, id, Some(json!({"follow_up_agent_id": agent}))).await;
    (customer, id, contact)
}

#[tokio::test]
async fn the_follow_up_call_is_a_visit_whose_result_moves_the_complaint() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let agent = user_id(&app, "ke.fu").await;
    let (customer, id, contact) = complaint_of_customer(&app, &c, agent).await;

    let d = get(&c.agent, &format!("/api/v1/complaints/{id}")).await;
    let visit = d["follow_up_visit_id"]
        .as_i64()
        .expect("accepting planned a visit");
    let v = get(&c.agent, &format!("/api/v1/follow-ups/{visit}")).await;
    assert_eq!(v["reason"], "complaint", "{v}");
    assert_eq!(v["complaint_id"], id);
    assert_eq!(v["customer_id"], customer);
    assert_eq!(
        v["contact_id"], contact,
        "the contact who complained, by number"
    );
    assert_eq!(v["agent_id"], agent, "the follow-up agent makes it");
    assert_eq!(v["channel"], "phone");
    assert_eq!(
        v["opening"], d["follow_ups"][0]["script"],
        "the visit asks what the handler wrote"
    );
    assert_eq!(
        v["window_end"], d["complaint"]["stage_due_at"],
        "due by the complaint's follow-up deadline"
    );
    let list = get(&c.agent, "/api/v1/follow-ups?until=2099-01-01T00:00:00Z").await;
    assert!(
        list.as_array().unwrap().iter().any(|x| x["id"] == visit),
        "on the agent's list: {list}"
    );

    // Nobody answered: the complaint waits for the call.
    let path = format!("/api/v1/follow-ups/{visit}/attempts");
    let start = app.now() - SignedDuration::from_mins(3);
    let (status, a) = post(
        &c.agent,
        &path,
        json!({"reach": "no_answer", "started_at": start.to_string(),
               "ended_at": (start + SignedDuration::from_mins(1)).to_string()}),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(stage(&c.specialist, id).await, "follow_up");

    // Unsatisfied on the visit: the complaint goes back to its solution; no second
    // complaint is opened for it.
    let before = complaints_count(&app).await;
    let (status, a) = post(
        &c.agent,
        &path,
        reached(&app, "unsatisfied", "换的货还是有裂纹"),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    assert!(
        a["complaint_id"].is_null() && a["ticket_id"].is_null(),
        "{a}"
    );
    assert_eq!(complaints_count(&app).await, before);
    let d = get(&c.specialist, &format!("/api/v1/complaints/{id}")).await;
    assert_eq!(d["complaint"]["stage"], "solution");
    assert_eq!(d["follow_ups"][0]["result"], "unsatisfied");
    let comment = d["follow_ups"][0]["comment"].as_str().unwrap();
    assert!(
        comment.contains("换的货还是有裂纹") && comment.contains("重新换货"),
        "the customer's words and the next action: {comment}"
    );
    assert!(
        d["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["status"] != "approved"),
        "the solution no longer stands"
    );
    let logged = d["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["action"] == "follow_up_unsatisfied")
        .count();
    assert_eq!(logged, 1, "one step, by the agent");

    // A second solution accepted: a second visit. Recorded on the complaint, it completes
    // that visit with the same result.
    let (status, p) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/proposals"),
        json!({"remedy": "replace", "description": "整批更换", "cost_fen": 0}),
    )
    .await;
    assert_eq!(status, 201, "{p}");
    let (status, _) = post(
        &c.manager,
        &format!("/api/v1/complaint-proposals/{}/decision", p["id"]),
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
    let second = d["follow_up_visit_id"].as_i64().unwrap();
    assert_ne!(second, visit, "a new call for the new solution");
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/follow-up"),
        json!({"result": "satisfied", "comment": "换货后一切正常"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "evaluation");
    let v = get(&c.agent, &format!("/api/v1/follow-ups/{second}")).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(v["satisfaction"], "satisfied");
    let history = v["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["words"], "换货后一切正常");
    assert_eq!(v["unverified"], true, "no call proves it");
    // Done on both sides: the visit takes no second result.
    let (status, e) = post(
        &c.agent,
        &format!("/api/v1/follow-ups/{second}/attempts"),
        reached(&app, "satisfied", "好"),
    )
    .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (409, Some("visit_finished"))
    );

    // A complaint with nobody in the archive has no visit; its follow-up is recorded on
    // the complaint alone.
    let mut form = intake();
    form["complainant"] = json!("路过的顾客");
    form["complainant_phone"] = json!("13700000000");
    let (status, body) = post(&c.agent, "/api/v1/complaints", form).await;
    assert_eq!(status, 201, "{body}");
    let other = body["id"].as_i64().unwrap();
    to_follow_up(&c, other, Some(json!({}))).await;
    let d = get(&c.agent, &format!("/api/v1/complaints/{other}")).await;
    assert!(d["complaint"]["customer_id"].is_null(), "{d}");
    assert!(d["follow_up_visit_id"].is_null(), "{d}");
    app.stop().await;
}

#[tokio::test]
async fn the_complaint_page_links_to_its_visit_and_the_visit_back() {
    let app = TestApp::spawn().await;
    let c = cast(&app).await;
    let agent = user_id(&app, "ke.fu").await;
    let (_, id, _) = complaint_of_customer(&app, &c, agent).await;
    let d = get(&c.agent, &format!("/api/v1/complaints/{id}")).await;
    let visit = d["follow_up_visit_id"].as_i64().unwrap();
    let session = app.login("ke.fu", kefu_testkit::TEST_PASSWORD).await;
    let page = session
        .get(&format!("/complaints/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(
            "href=\"/follow-ups/{visit}\" data-testid=\"complaint-visit-link\""
        )),
        "{page}"
    );
    let page = session
        .get(&format!("/follow-ups/{visit}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!(
            "href=\"/complaints/{id}\" data-testid=\"visit-for-complaint\""
        )),
        "{page}"
    );
    assert!(page.contains("回访的投诉"));
    let _ = Method::GET;
    app.stop().await;
}
