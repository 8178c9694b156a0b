//! Credit: investigations graded by a configurable model, grade history, limits and terms,
//! the graded-handling rule; and the daily view of customers needing attention.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
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
    // Grade D with the terms agreed at A: they are kept, but suspended, not in force.
    assert!(page.contains("不可赊购：D 级须先付款（约定的“月结 30 天”暂停）"));
    assert!(page.contains("<s>月结 30 天</s>"));
    let c = json_body(
        info_api
            .get(&format!("/api/v1/customers/{id}/credit?amount_fen=1"))
            .await,
    )
    .await;
    assert_eq!(c["decision"], "refused");
    assert_eq!(c["reason"], "terms_suspended");
    assert_eq!(c["terms_in_force"], false);

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

/// The credit card of the 360 page: its terms and its graded-handling answer.
async fn credit_card(s: &Session, id: i64) -> String {
    let page = s
        .get(&format!("/customers/{id}"))
        .await
        .text()
        .await
        .unwrap();
    let start = page.find("data-testid=\"credit\"").unwrap();
    let end = start + page[start..].find("</dl>").unwrap();
    page[start..end].to_owned()
}

#[tokio::test]
async fn payment_terms_and_graded_handling_never_contradict() {
    let app = TestApp::spawn().await;
    let info = app.create_user("gu.info", &[Role::InfoSpecialist]).await;
    let api = ApiClient::new(&app, &app.token_for(info).await);
    let s = app.login("gu.info", TEST_PASSWORD).await;
    let mk = |name: &'static str| {
        let api = &api;
        async move {
            json_body(
                api.json(Method::POST, "/api/v1/customers", &json!({"name": name}))
                    .await,
            )
            .await["id"]
                .as_i64()
                .unwrap()
        }
    };
    let grade = |id: i64, payment: &'static str, disputes: &'static str| {
        let s = &s;
        async move {
            let res = s
                .post_form(
                    &format!("/customers/{id}/credit/investigations"),
                    &[
                        ("score_payment_history", payment),
                        ("score_years_of_cooperation", payment),
                        ("score_disputes", disputes),
                    ],
                )
                .await;
            assert_eq!(res.status(), 303);
        }
    };
    let terms = |id: i64, terms: &'static str| {
        let s = &s;
        async move {
            let res = s
                .post_form(
                    &format!("/customers/{id}/credit/terms"),
                    &[("limit", "100,000"), ("payment_terms", terms)],
                )
                .await;
            assert_eq!(res.status(), 303, "terms are set whatever the grade");
        }
    };
    let credit = |id: i64| {
        let api = &api;
        async move {
            json_body(
                api.get(&format!("/api/v1/customers/{id}/credit?amount_fen=100"))
                    .await,
            )
            .await
        }
    };

    // Grade A with a limit, but the terms ask for payment first: never "on credit".
    let a = mk("温州瓯江阀门厂").await;
    grade(a, "95", "100").await;
    terms(a, "款到发货").await;
    let card = credit_card(&s, a).await;
    assert!(!card.contains("可在额度内赊购"), "{card}");
    assert!(
        card.contains("不可赊购：按约定的“款到发货”须先付款"),
        "{card}"
    );
    let c = credit(a).await;
    assert_eq!(
        (&c["grade"], &c["decision"], &c["reason"], &c["terms_kind"]),
        (
            &json!("A"),
            &json!("refused"),
            &json!("refused_by_terms"),
            &json!("pay_first")
        )
    );
    terms(a, "货到付款").await;
    let card = credit_card(&s, a).await;
    assert!(
        card.contains("不可赊购：按约定的“货到付款”货到即付款"),
        "{card}"
    );
    assert_eq!(credit(a).await["terms_kind"], "pay_on_delivery");
    // The same customer on credit terms buys on credit within the limit.
    terms(a, "月结60天").await;
    assert!(credit_card(&s, a).await.contains("可在额度内赊购"));
    assert_eq!(credit(a).await["decision"], "allowed");

    // Grade D given credit terms: the terms stand, suspended, and the answer says so.
    let d = mk("台州椒江五金批发部").await;
    grade(d, "40", "50").await;
    terms(d, "月结30天").await;
    let card = credit_card(&s, d).await;
    assert!(
        card.contains("不可赊购：D 级须先付款（约定的“月结30天”暂停）"),
        "{card}"
    );
    assert!(card.contains("<s>月结30天</s>") && card.contains("terms-suspended"));
    let c = credit(d).await;
    assert_eq!(
        (
            &c["decision"],
            &c["reason"],
            &c["terms_in_force"],
            &c["terms_kind"]
        ),
        (
            &json!("refused"),
            &json!("terms_suspended"),
            &json!(false),
            &json!("on_credit")
        )
    );

    // Not graded yet, with credit terms: suspended as well.
    let none = mk("丽水青田石材").await;
    terms(none, "月结 60 天").await;
    let card = credit_card(&s, none).await;
    assert!(
        card.contains("不可赊购：未评级须先付款（约定的“月结 60 天”暂停）"),
        "{card}"
    );

    // Terms graded handling cannot read: the grade decides, and the page says so.
    terms(a, "按年度合同约定").await;
    let card = credit_card(&s, a).await;
    assert!(card.contains("可在额度内赊购") && card.contains("未能识别的付款条件"));
    assert_eq!(credit(a).await["terms_kind"], "unstated");
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
    assert!(page.contains("新工单，尚未回复"));
    assert!(page.contains(&format!("/customers/{credit}\">信用变化的客户")));
    assert!(!page.contains("一切正常的客户"));
    app.stop().await;
}

#[tokio::test]
async fn the_daily_view_lists_a_customer_once_with_every_reason_and_its_tickets() {
    // Monday 2 March 2026, 09:00 in Beijing: a working day, so deadlines fall today.
    let start: jiff::Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
    let clock = Arc::new(FixedClock::new(start));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..TestOptions::default()
    })
    .await;
    let agent = app.create_user("fang.agent", &[Role::Agent]).await;
    app.create_user("info.lin", &[Role::InfoSpecialist]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let id = json_body(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "嘉兴南湖纺织", "owner_id": agent,
                    "contacts": [{"name": "沈", "mobile": "13566667777"}]}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let ticket = |subject: &'static str| {
        let api = &api;
        async move {
            json_body(
                api.json(
                    Method::POST,
                    "/api/v1/tickets",
                    &json!({"subject": subject, "body": "x", "contact_phone": "13566667777"}),
                )
                .await,
            )
            .await
        }
    };
    let late = ticket("织机断纱报修").await;
    // Past the first answer's deadline, and a second request nobody has answered yet.
    clock.advance(SignedDuration::from_hours(3));
    let fresh = ticket("询问新款面料").await;
    let info = app.login("info.lin", TEST_PASSWORD).await;
    let res = info
        .post_form(
            &format!("/customers/{id}/credit/investigations"),
            &[("score_payment_history", "80")],
        )
        .await;
    assert_eq!(res.status(), 303);

    let s = app.login("fang.agent", TEST_PASSWORD).await;
    let page = s.get("/customers/today").await.text().await.unwrap();
    let link = format!("/customers/{id}\">嘉兴南湖纺织");
    assert_eq!(page.matches(&link).count(), 1, "listed once: {page}");
    let row_start = page.find(&link).unwrap();
    let row = &page[row_start..row_start + page[row_start..].find("</tr>").unwrap()];
    for (reason, text) in [
        ("overdue_ticket", "超时工单"),
        ("new_ticket", "新工单，尚未回复"),
        ("credit", "信用等级、额度或付款条件有变化"),
    ] {
        assert!(
            row.contains(&format!("data-reason=\"{reason}\">{text}")),
            "{reason}: {row}"
        );
    }
    for t in [&late, &fresh] {
        assert!(
            row.contains(&format!(
                "/tickets/{}\">{}",
                t["id"],
                t["number"].as_str().unwrap()
            )),
            "the ticket is named and linked: {row}"
        );
    }
    let overdue = &row[row.find("overdue_ticket").unwrap()..row.find("new_ticket").unwrap()];
    assert!(overdue.contains(late["number"].as_str().unwrap()));
    assert!(!overdue.contains(fresh["number"].as_str().unwrap()));
    app.stop().await;
}
