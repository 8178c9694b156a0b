//! 回访的真实性 — a phone visit is proved only by a call with its customer: a call from
//! another number is refused as the visit's call and nothing is stored; a call of the
//! contact's number long enough completes the visit with no word to quality.

use reqwest::Method;
use serde_json::{Value, json};

use super::{call, cast_with, customer, reached};
use crate::phone::{Line, event, line, post_event};

/// A call from `from` lasting `seconds`, reported by the telephone system on `l`; its id.
async fn reported_call(
    app: &kefu_testkit::TestApp,
    l: &Line,
    id: &str,
    from: &str,
    seconds: i64,
) -> i64 {
    post_event(app, l, &event(app, id, "ringing", from)).await;
    let mut hangup = event(app, id, "hangup", from);
    hangup["duration_secs"] = json!(seconds);
    let (status, answer) = post_event(app, l, &hangup).await;
    assert_eq!(status, 200, "{answer}");
    answer["call"].as_i64().unwrap()
}

/// Visit `id` as the API shows it.
async fn visit(api: &kefu_testkit::ApiClient, id: i64) -> Value {
    call(
        api,
        Method::GET,
        &format!("/api/v1/follow-ups/{id}"),
        Value::Null,
    )
    .await
    .1
}

#[tokio::test]
async fn only_a_call_with_the_customer_proves_a_phone_visit() {
    let c = cast_with(true).await;
    customer(&c, "通话验证的大客户", "key_account", "").await;
    c.app.app.run_follow_up_plan().await.unwrap();
    let (_, list) = call(&c.agent, Method::GET, "/api/v1/follow-ups", Value::Null).await;
    let id = list[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/follow-ups/{id}/attempts");
    // The contact's mobile is 139 1234 0000; a stranger's call lasts longer.
    let l = line(&c.app, "").await;
    let theirs = reported_call(&c.app, &l, "v-1", "139 1234 0000", 95).await;
    let stranger = reported_call(&c.app, &l, "v-2", "+86 138 0000 9999", 300).await;

    let mut with_stranger = reached("2026-12-03T09:50", "satisfied", &["agent"]);
    with_stranger["call_id"] = json!(stranger);
    let (status, e) = call(&c.agent, Method::POST, &path, with_stranger).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("visit_call_of_another")),
        "{e}"
    );
    let v = visit(&c.agent, id).await;
    assert_eq!(v["attempts"], 0, "nothing refused was stored: {v}");
    assert_eq!(v["status"], "planned");

    let mut with_contact = reached("2026-12-03T09:50", "satisfied", &["agent"]);
    with_contact["call_id"] = json!(theirs);
    let (status, a) = call(&c.agent, Method::POST, &path, with_contact).await;
    assert_eq!(status, 201, "{a}");
    let v = visit(&c.agent, id).await;
    assert_eq!(v["status"], "done", "{v}");
    assert_eq!(
        crate::mail_ingest::count(
            &c.app,
            &format!(
                "SELECT COUNT(*) FROM follow_up_attempts WHERE visit_id = {id} \
                 AND call_id = {theirs}"
            ),
        )
        .await,
        1
    );
    assert_eq!(
        c.app.notified("follow_up_unverified", None).await,
        0,
        "a call of 95 s with the customer proves the visit"
    );
    c.app.stop().await;
}
