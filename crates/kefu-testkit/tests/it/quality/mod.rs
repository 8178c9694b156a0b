//! 服务质量管理 — scorecards, the daily sample and the inspections.

mod anomalies;
mod calibration;
mod inspections;
mod measures;
mod meetings;
mod report_mail;
pub(crate) mod reports;
mod sample;
mod scorecards;

use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

/// A ticket by `api`'s user, assigned to `agent` and resolved now, with the agent's
/// public reply `reply`; its id.
pub(crate) async fn resolved_ticket(
    api: &ApiClient,
    agent: i64,
    subject: &str,
    reply: &str,
) -> i64 {
    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": subject, "body": "客户来信，详见附件。", "contact_name": "赵女士"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let id = json_body(res).await["id"].as_i64().unwrap();
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"assignee_id": agent}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": reply, "status": "resolved", "internal": false}),
        )
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    id
}

/// How many rows `sql` counts.
pub(crate) async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.app.store.conn().await.unwrap();
    sqlx::query_scalar(sql).fetch_one(&mut *conn).await.unwrap()
}
