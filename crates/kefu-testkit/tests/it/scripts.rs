//! Reply scripts: proposed by an agent, approved by a manager, found by search, and used on
//! a ticket with placeholders filled and macro actions applied.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_proposed_script_is_approved_then_used_on_a_ticket() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("xia.agent", &[Role::Agent]).await;
    app.create_user("gao.manager", &[Role::CsManager]).await;
    let a = app.login("xia.agent", TEST_PASSWORD).await;
    let m = app.login("gao.manager", TEST_PASSWORD).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);

    // The starter scripts are there from the first start.
    let list = a.get("/scripts").await.text().await.unwrap();
    assert!(list.contains("首次问候") && list.contains("结束语"));

    let res = a
        .post_form(
            "/scripts",
            &[
                ("category", "售后"),
                ("title", "退货需提供照片"),
                (
                    "body",
                    "{客户名称}您好，退货请提供商品照片，工单 {ticket_number} 由{客服姓名}跟进。",
                ),
                ("macro_status", "pending_customer"),
                ("macro_priority", ""),
                ("macro_tags", "退货"),
                ("macro_assign_me", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("主管审核通过后即可使用"));
    let approved = json_body(api.get("/api/v1/scripts?q=%E9%80%80%E8%B4%A7").await).await;
    assert_eq!(approved, json!([]), "not usable before approval");

    // Bad input is explained.
    let res = a
        .post_form(
            "/scripts",
            &[("category", "售后"), ("title", ""), ("body", "x")],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("话术标题须为"));

    // Agents cannot approve; the manager can.
    let pending = m.get("/scripts").await.text().await.unwrap();
    assert!(pending.contains("待审核") && pending.contains("退货需提供照片"));
    let i = pending.find("/scripts/").unwrap();
    let path: String = pending[i..].chars().take_while(|c| *c != '"').collect();
    let id = path
        .trim_start_matches("/scripts/")
        .trim_end_matches("/review")
        .to_owned();
    assert_eq!(
        a.post_form(&format!("/scripts/{id}/review"), &[("decision", "approve")])
            .await
            .status(),
        403
    );
    let res = m
        .post_form(
            &format!("/scripts/{id}/review"),
            &[("decision", "approve"), ("note", "可以")],
        )
        .await;
    assert_eq!(res.status(), 303);

    // Used on a ticket: text filled in for this customer and agent, macro applied.
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "申请退货", "body": "鞋子尺码不合适", "contact_name": "钱女士"}),
        )
        .await,
    )
    .await;
    let tid = t["id"].as_i64().unwrap();
    let number = t["number"].as_str().unwrap().to_owned();
    let found = json_body(
        api.get(&format!(
            "/api/v1/scripts?q=%E9%80%80%E8%B4%A7&ticket_id={tid}"
        ))
        .await,
    )
    .await;
    assert_eq!(
        found[0]["rendered"],
        format!("钱女士您好，退货请提供商品照片，工单 {number} 由测试 xia.agent跟进。")
    );
    let res = a
        .post_form(
            &format!("/tickets/{tid}/script"),
            &[("script", id.as_str())],
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    assert!(
        page.contains(&format!("钱女士您好，退货请提供商品照片，工单 {number}")),
        "the reply box holds the text"
    );
    let d = json_body(api.get(&format!("/api/v1/tickets/{tid}")).await).await;
    assert_eq!(d["ticket"]["status"], "pending_customer");
    assert_eq!(d["ticket"]["tags"], json!(["退货"]));
    assert_eq!(d["ticket"]["assignee_id"], agent);
    let used = json_body(api.get("/api/v1/scripts?q=%E9%80%80%E8%B4%A7").await).await;
    assert_eq!(used[0]["use_count"], 1);

    // Retired scripts are no longer offered.
    m.post_form(&format!("/scripts/{id}/review"), &[("decision", "reject")])
        .await;
    let res = a
        .post_form(
            &format!("/tickets/{tid}/script"),
            &[("script", id.as_str())],
        )
        .await;
    assert_eq!(res.status(), 404);
    app.stop().await;
}
