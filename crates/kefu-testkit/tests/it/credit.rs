//! Credit: investigations graded by a configurable model, grade history, limits and terms,
//! the graded-handling rule; and the daily view of customers needing attention.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn investigations_grade_customers_and_the_grade_decides_credit() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("ou.agent", &[Role::Agent]).await;
    let info = app.create_user("tan.info", &[Role::InfoSpecialist]).await;
    let agent_api = ApiClient::new(&app, &app.token_for(agent).await);
    let info_api = ApiClient::new(&app, &app.token_for(info).await);
    let id = json_body(
        agent_api
            .json(
                Method::POST,
                "/api/v1/customers",
                &json!({"name": "宁波海天塑机"}),
            )
            .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let s = app.login("tan.info", TEST_PASSWORD).await;
    let path = format!("/customers/{id}/credit/investigations");
    let res = s
        .post_form(
            &path,
            &[
                ("on", "2026-11-20"),
                ("score_payment_history", "95"),
                ("evidence_payment_history", "近两年 24 笔货款均按期支付"),
                ("score_years_of_cooperation", "90"),
                ("score_disputes", "100"),
                ("notes", "财务部核对"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let c = json_body(
        info_api
            .get(&format!("/api/v1/customers/{id}/credit?amount_fen=100"))
            .await,
    )
    .await;
    assert_eq!(c["grade"], "A");
    assert_eq!(c["decision"], "needs_approval", "no limit set yet");

    let res = s
        .post_form(
            &format!("/customers/{id}/credit/terms"),
            &[("limit", "50,000"), ("payment_terms", "月结 30 天")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let c = json_body(
        info_api
            .get(&format!("/api/v1/customers/{id}/credit?amount_fen=4000000"))
            .await,
    )
    .await;
    assert_eq!(
        (c["limit_fen"].as_i64(), c["decision"].as_str()),
        (Some(5_000_000), Some("allowed"))
    );
    let c = json_body(
        info_api
            .get(&format!("/api/v1/customers/{id}/credit?amount_fen=6000000"))
            .await,
    )
    .await;
    assert_eq!(c["decision"], "needs_approval", "over the limit");

    // A later investigation lowers the grade; the history keeps both.
    s.post_form(
        &path,
        &[
            ("on", "2026-11-25"),
            ("score_payment_history", "50"),
            ("evidence_payment_history", "两笔逾期 60 天"),
            ("score_disputes", "60"),
        ],
    )
    .await;
    let page = s
        .get(&format!("/customers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("信用等级: A → D"),
        "grade history on the 360 page"
    );
    assert!(page.contains("两笔逾期 60 天") && page.contains("近两年 24 笔货款均按期支付"));
    assert!(page.contains("不可赊购，须先付款"));
    let c = json_body(
        info_api
            .get(&format!("/api/v1/customers/{id}/credit?amount_fen=1"))
            .await,
    )
    .await;
    assert_eq!(c["decision"], "refused");

    // Bad input and people without the duty.
    let res = s
        .post_form(&path, &[("score_payment_history", "150")])
        .await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("每项得分须在 0–100 之间")
    );
    let res = s.post_form(&path, &[("notes", "空")]).await;
    assert_eq!(res.status(), 422);
    let res = s
        .post_form(&format!("/customers/{id}/credit/terms"), &[("limit", "-5")])
        .await;
    assert_eq!(res.status(), 422);
    let a = app.login("ou.agent", TEST_PASSWORD).await;
    assert_eq!(
        a.post_form(&path, &[("score_disputes", "80")])
            .await
            .status(),
        403
    );

    // The model is the admin's to tune; nonsense is refused; new investigations use it.
    let res = s
        .post_form(
            "/admin/credit",
            &[
                ("weight_payment_history", "1"),
                ("a_from", "60"),
                ("b_from", "70"),
                ("c_from", "50"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("分数线须满足"));
    let res = s
        .post_form(
            "/admin/credit",
            &[
                ("weight_payment_history", "1"),
                ("weight_disputes", "1"),
                ("a_from", "50"),
                ("b_from", "40"),
                ("c_from", "30"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    s.post_form(
        &path,
        &[("score_payment_history", "50"), ("score_disputes", "60")],
    )
    .await;
    let c = json_body(
        info_api
            .get(&format!("/api/v1/customers/{id}/credit"))
            .await,
    )
    .await;
    assert_eq!(
        c["grade"], "A",
        "the same scores grade higher under the looser model"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_daily_view_lists_what_needs_attention_today() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("xie.agent", &[Role::Agent]).await;
    app.create_user("info.he", &[Role::InfoSpecialist]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let mk = |body: serde_json::Value| {
        let api = &api;
        async move {
            json_body(api.json(Method::POST, "/api/v1/customers", &body).await).await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let dormant =
        mk(json!({"name": "大客户久未联系", "tier": "key_account", "owner_id": agent})).await;
    let with_ticket = mk(json!({"name": "有新工单的客户", "owner_id": agent, "contacts": [{"name": "周", "mobile": "13755556666"}]})).await;
    let credit = mk(json!({"name": "信用变化的客户", "owner_id": agent})).await;
    let quiet = mk(json!({"name": "一切正常的客户", "owner_id": agent})).await;
    let _ = quiet;
    api.json(
        Method::POST,
        "/api/v1/tickets",
        &json!({"subject": "咨询", "body": "x", "contact_phone": "13755556666"}),
    )
    .await;
    let info = app.login("info.he", TEST_PASSWORD).await;
    info.post_form(
        &format!("/customers/{credit}/credit/investigations"),
        &[("score_payment_history", "80")],
    )
    .await;

    let s = app.login("xie.agent", TEST_PASSWORD).await;
    let page = s.get("/customers/today").await.text().await.unwrap();
    assert!(page.contains(&format!("/customers/{dormant}\">大客户久未联系")));
    assert!(page.contains("超过 30 天未联系"));
    assert!(page.contains(&format!("/customers/{with_ticket}\">有新工单的客户")));
    assert!(page.contains("有新工单或超时工单"));
    assert!(page.contains(&format!("/customers/{credit}\">信用变化的客户")));
    assert!(!page.contains("一切正常的客户"));
    app.stop().await;
}
