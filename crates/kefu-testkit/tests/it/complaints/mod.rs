//! The complaint closed loop: a complaint walked through every stage over the API and on the
//! pages, the department answering its notice, the supervisor's approval, the RMA, the
//! follow-up reopening an unsatisfied complaint and made by the agent chosen for it,
//! evidence files, deadlines escalating, and bad input refused with nothing changed.
//!
//! This module holds the cast of people and the helpers the tests share; the tests live in
//! the submodules, by area.

mod aftersales;
mod bounds;
mod corners;
mod cost;
mod deadlines;
mod follow_up_agent;
mod follow_up_visit;
mod intake;
mod loop_api;
mod notices_to_act;
mod pages;
mod report;
mod rma_cancel;
mod wording;

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

pub(crate) struct Cast {
    pub(crate) specialist: ApiClient,
    pub(crate) manager: ApiClient,
    pub(crate) quality: ApiClient,
    pub(crate) sales: ApiClient,
    pub(crate) agent: ApiClient,
    pub(crate) quality_dept: i64,
}

pub(crate) async fn cast(app: &TestApp) -> Cast {
    let specialist = app
        .create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
    let manager = app.create_user("jing.li", &[Role::CsManager]).await;
    let quality = app
        .create_user_in("pin.zhi", &[Role::Department], Some("quality"))
        .await;
    let sales = app
        .create_user_in("xiao.shou", &[Role::Department], Some("sales"))
        .await;
    let agent = app.create_user("ke.fu", &[Role::Agent]).await;
    let quality_dept = app
        .app
        .departments()
        .await
        .unwrap()
        .into_iter()
        .find(|d| d.key == "quality")
        .unwrap()
        .id;
    Cast {
        specialist: ApiClient::new(app, &app.token_for(specialist).await),
        manager: ApiClient::new(app, &app.token_for(manager).await),
        quality: ApiClient::new(app, &app.token_for(quality).await),
        sales: ApiClient::new(app, &app.token_for(sales).await),
        agent: ApiClient::new(app, &app.token_for(agent).await),
        quality_dept,
    }
}

pub(crate) async fn post(api: &ApiClient, path: &str, body: Value) -> (u16, Value) {
    let res = api.json(Method::POST, path, &body).await;
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

async fn stage(api: &ApiClient, id: i64) -> String {
    let d = json_body(api.get(&format!("/api/v1/complaints/{id}")).await).await;
    d["complaint"]["stage"].as_str().unwrap().to_owned()
}

fn intake() -> Value {
    json!({
        "complainant": "王经理",
        "complainant_phone": "13812345678",
        "channel": "phone",
        "content": "上周收到的 200 个 GX-3341 轴承有 30 个外圈开裂，要求尽快处理。",
        "order_number": "PO-2026-00817",
        "part_number": "GX-3341",
        "quantity": 30,
        "delivery_date": "2026-11-10",
        "product": "深沟球轴承",
        "category": "quality",
        "severity": "serious"
    })
}

/// A new complaint walked over the API to the solution stage (registered, accepted, judged
/// valid, answered by the quality department, investigated); its id.
pub(crate) async fn at_solution(app: &TestApp, c: &Cast) -> i64 {
    let (status, body) = post(&c.agent, "/api/v1/complaints", intake()).await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/intake"),
        json!({}),
    )
    .await;
    let promised = (app.now() + jiff::SignedDuration::from_hours(48)).to_string();
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/judgement"),
        json!({"valid": true, "department_id": c.quality_dept, "promised_answer_at": promised}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    let notice = d["notices"][0]["id"].as_i64().unwrap();
    post(
        &c.quality,
        &format!("/api/v1/complaint-notices/{notice}/answer"),
        json!({"answer": "同批次热处理异常，已隔离库存。"}),
    )
    .await;
    post(
        &c.specialist,
        &format!("/api/v1/complaint-notices/{notice}/review"),
        json!({"accept": true}),
    )
    .await;
    let (status, d) = post(
        &c.specialist,
        &format!("/api/v1/complaints/{id}/investigation"),
        json!({"cause": "production", "responsible_department_id": c.quality_dept, "findings": "热处理炉温控失效"}),
    )
    .await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["complaint"]["stage"], "solution");
    id
}

/// The part of `page` inside the element marked `data-testid="{testid}"`, up to the first
/// `</{tag}>` after it — enough to look at one card or table of kefu's own pages.
fn section<'a>(page: &'a str, testid: &str, tag: &str) -> &'a str {
    let marker = format!("data-testid=\"{testid}\"");
    let start = page
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker} on the page:\n{page}"));
    let end = page[start..]
        .find(&format!("</{tag}>"))
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// Fen as the pages write yuan: thousands separated, two decimals (`18,000.00`).
fn page_yuan(fen: i64) -> String {
    let digits = (fen / 100).to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{out}.{:02}", fen % 100)
}

/// Fen as a CSV writes yuan: no separators, two decimals (`18000.00`).
fn plain_yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}
