//! What the workbench tests set up, shared by the HTTP tests (`workbench.rs`) and the browser
//! journeys (`browser/workbench.rs`): one user per role, complaints walked to a department
//! notice, imports and a failing job, and which records a tile's link opens.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

/// The `data-testid` of one record on the page at `link`.
pub(crate) fn record_testid(link: &str) -> &'static str {
    match link.split('?').next().unwrap() {
        "/tickets" => "ticket-row",
        "/complaints" => "complaint-card",
        "/customers/today" => "today-customer",
        "/customers" => "customer-row",
        "/customers/imports" => "import-row",
        "/notifications" => "notification",
        "/approvals" => "approval-row",
        "/admin/audit" => "audit-row",
        "/admin/jobs" => "job-row",
        "/calls" => "call-row",
        "/follow-ups" => "follow-up-row",
        "/follow-ups/coverage" => "coverage-row",
        "/satisfaction" => "csat-line",
        "/key-accounts" => "key-account-row",
        "/key-accounts/changes" => "agent-change-row",
        "/key-accounts/policies" => "policy-row",
        "/admin/channels/sms" => "sms-failed-row",
        "/admin/channels" => "channel-row",
        "/quality/inspections" => "inspection-row",
        "/quality/anomalies" => "anomaly-row",
        "/quality/measures" => "measure-row",
        "/quality/calibrations" => "calibration-row",
        "/aftersales/rmas" => "rma-row",
        "/aftersales/disputes" => "dispute-row",
        "/aftersales/stock" => "stock-row",
        "/aftersales/stock/plans" => "plan-row",
        "/aftersales/defective" => "defective-row",
        "/orders" => "order-row",
        "/custom-requests" => "custom-row",
        "/receivables" => "ageing-row",
        "/statements" => "statement-row",
        other => panic!("a tile opens {other}, whose records this test cannot count"),
    }
}

/// What marks one record in the HTML of the page at `link`.
pub(crate) fn record_marker(link: &str) -> String {
    format!("data-testid=\"{}\"", record_testid(link))
}

pub(crate) async fn post(api: &ApiClient, path: &str, body: Value) -> Value {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status().as_u16();
    let body = json_body(res).await;
    assert!(status < 300, "POST {path}: {status} {body}");
    body
}

pub(crate) fn complaint_intake() -> Value {
    json!({
        "complainant": "王经理",
        "complainant_phone": "13812345678",
        "channel": "phone",
        "content": "客服人员三次答应回电都没有回，问题一直拖着。",
        "order_number": "PO-2026-00817",
        "part_number": "GX-3341",
        "quantity": 30,
        "delivery_date": "2026-02-10",
        "product": "深沟球轴承",
        "category": "service",
        "severity": "major"
    })
}

/// A complaint registered by `agent`, accepted and judged valid by `specialist` with a notice
/// to department `dept`, its answer promised in 48 hours; its id and the notice's id.
pub(crate) async fn complaint_with_notice(
    app: &TestApp,
    agent: &ApiClient,
    specialist: &ApiClient,
    dept: i64,
) -> (i64, i64) {
    let id = post(agent, "/api/v1/complaints", complaint_intake()).await["id"]
        .as_i64()
        .unwrap();
    post(
        specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let promised = (app.now() + SignedDuration::from_hours(48)).to_string();
    let d = post(
        specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": dept, "promised_answer_at": promised}),
    )
    .await;
    (id, d["notices"][0]["id"].as_i64().unwrap())
}

pub(crate) struct Staff {
    pub(crate) agent: i64,
    pub(crate) info: i64,
}

/// The user holding just `role`: `wb.<role>`, with `-` for `_`.
pub(crate) fn username(role: Role) -> String {
    format!("wb.{}", role.key().replace('_', "-"))
}

/// One user per role, named by [`username`]; the department member belongs to 品质部.
pub(crate) async fn staff(app: &TestApp) -> Staff {
    let mut agent = 0;
    let mut info = 0;
    for role in Role::ALL {
        let department = (role == Role::Department).then_some("quality");
        let id = app
            .create_user_in(&username(role), &[role], department)
            .await;
        match role {
            Role::Agent => agent = id,
            Role::InfoSpecialist => info = id,
            _ => {}
        }
    }
    Staff { agent, info }
}

pub(crate) async fn login(app: &TestApp, role: Role) -> Session {
    app.login(&username(role), TEST_PASSWORD).await
}

pub(crate) async fn api_of(app: &TestApp, role: Role) -> ApiClient {
    let name = username(role);
    let id = app
        .app
        .list_users(&kefu_app::Actor::system())
        .await
        .unwrap()
        .into_iter()
        .find(|u| u.username == name)
        .unwrap()
        .id;
    ApiClient::new(app, &app.token_for(id).await)
}

/// The id of the department with key `key` (`quality` is 品质部).
pub(crate) async fn department_id(app: &TestApp, key: &str) -> i64 {
    app.app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == key)
        .unwrap()
        .id
}

/// Two customer imports by `user` at `now`, the first with two failed rows, and a background
/// job that failed for good — what no page makes on demand.
pub(crate) async fn imports_and_a_failing_job(app: &TestApp, user: i64, now: Timestamp) {
    let mut conn = app.app.store.conn().await.unwrap();
    for (file, failed) in [("客户名单.xlsx", 2), ("补充名单.csv", 0)] {
        kefu_store::customer::insert_import(
            &mut conn,
            &kefu_store::customer::ImportRecord {
                id: 0,
                user_id: Some(user),
                filename: file.to_owned(),
                dry_run: false,
                duplicates: "skip".to_owned(),
                encoding: "utf-8".to_owned(),
                rows: 10,
                created: 10 - failed,
                merged: 0,
                skipped: 0,
                failed,
                problems: "[]".to_owned(),
                created_at: now,
            },
        )
        .await
        .unwrap();
    }
    let job = kefu_store::jobs::NewJob {
        kind: "workbench.test",
        unique_key: None,
        payload: "{}",
        run_at: now,
        max_attempts: 1,
    };
    kefu_store::jobs::enqueue(&mut conn, &job, now)
        .await
        .unwrap();
    let claimed = kefu_store::jobs::claim(&mut conn, "wb-test", now, SignedDuration::from_mins(5))
        .await
        .unwrap()
        .expect("the job is claimed");
    kefu_store::jobs::fail(&mut conn, claimed.id, "wb-test", "连接被拒绝", None, now)
        .await
        .unwrap();
}
