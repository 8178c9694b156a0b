//! The customer side: the public web form, and the portal where a customer sees and
//! answers their own tickets — and nobody else's.

use kefu_app::Actor;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

fn anonymous(app: &TestApp) -> Session {
    Session {
        client: app.client(),
        base: app.base.clone(),
    }
}

async fn register(app: &TestApp, email: &str, name: &str) -> Session {
    let s = anonymous(app);
    let res = s
        .post_form(
            "/portal/register",
            &[
                ("email", email),
                ("name", name),
                ("phone", "13800000000"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{email} registers");
    s
}

fn form_token(html: &str) -> String {
    let marker = "name=\"form_token\" value=\"";
    let start = html.find(marker).unwrap() + marker.len();
    html[start..start + 32].to_owned()
}

#[tokio::test]
async fn the_web_form_files_one_ticket_per_submission_and_explains_refusals() {
    let mut options = TestOptions::default();
    options.settings.web_form_per_hour = 2;
    let app = TestApp::spawn_with(options).await;
    let agent = app.create_user("he.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let s = anonymous(&app);

    let page = s.get("/support").await.text().await.unwrap();
    assert!(page.contains("在线提交"));
    let token = form_token(&page);
    let fields = [
        ("name", "周先生"),
        ("phone", "13712345678"),
        ("type", "fault_report"),
        ("subject", "热水器显示 E3 故障"),
        ("body", "热水器开机后显示 E3，无法加热。"),
        ("form_token", token.as_str()),
    ];
    let res = s.post_form("/support", &fields).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(
        body.contains("您的工单号是 KF"),
        "the customer gets the number"
    );
    // The same form sent twice (a refresh) is one ticket.
    let again = s.post_form("/support", &fields).await.text().await.unwrap();
    let number = |b: &str| {
        let i = b.find("KF").unwrap();
        b[i..i + 15].to_owned()
    };
    assert_eq!(number(&body), number(&again));

    let q = json_body(api.get("/api/v1/tickets?queue=unassigned").await).await;
    assert_eq!(q["tickets"].as_array().unwrap().len(), 1);
    assert_eq!(q["tickets"][0]["channel"], "web_form");
    assert_eq!(q["tickets"][0]["type"], "fault_report");
    // Masked like every phone; the clear number is one audited reveal away.
    assert_eq!(q["tickets"][0]["contact_phone"], "137****5678");

    // No way to reach the customer: refused, with the reason, and the text kept.
    let res = s
        .post_form(
            "/support",
            &[
                ("name", "无名"),
                ("subject", "咨询"),
                ("body", "请回电"),
                ("form_token", "x1"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let body = res.text().await.unwrap();
    assert!(body.contains("电子邮箱或电话") && body.contains("请回电"));

    // A third submission within the hour from the same address is refused.
    let res = s
        .post_form(
            "/support",
            &[
                ("name", "周先生"),
                ("phone", "13712345678"),
                ("subject", "再问"),
                ("body", "还是 E3"),
                ("form_token", "x2"),
            ],
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = s
        .post_form(
            "/support",
            &[
                ("name", "周先生"),
                ("phone", "13712345678"),
                ("subject", "三问"),
                ("body", "E3"),
                ("form_token", "x3"),
            ],
        )
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("一小时后再试"));
    app.stop().await;
}

#[tokio::test]
async fn customers_see_and_answer_their_own_tickets_only() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("lu.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let a = register(&app, "wang@example.com", "王女士").await;
    let b = register(&app, "li@example.com", "李先生").await;

    // A files a request with a photo.
    let page = a.get("/portal/tickets/new").await.text().await.unwrap();
    let token = form_token(&page);
    let csrf = a.csrf().await;
    let png: &[u8] =
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
    let form = Form::new()
        .text("_csrf", csrf)
        .text("form_token", token)
        .text("type", "after_sales")
        .text("subject", "冰箱冷藏室不制冷")
        .text("body", "冷藏室温度一直在 15 度左右。")
        .part("files", Part::bytes(png.to_vec()).file_name("温度.png"));
    let res = a
        .client
        .post(a.url("/portal/tickets"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = location
        .trim_start_matches("/portal/tickets/")
        .parse()
        .unwrap();
    let mine = a.get("/portal").await.text().await.unwrap();
    assert!(mine.contains("冰箱冷藏室不制冷") && mine.contains("已受理"));

    // Staff see who filed it, answer, and note something internal.
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["ticket"]["channel"], "portal");
    assert_eq!(d["ticket"]["contact_email"], "wang@example.com");
    api.json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/messages"),
        &json!({"body": "请问冰箱型号是多少？", "status": "pending_customer", "internal": false}),
    )
    .await;
    api.json(
        Method::POST,
        &format!("/api/v1/tickets/{id}/messages"),
        &json!({"body": "疑似压缩机问题，内部备注", "internal": true}),
    )
    .await;
    api.json(
        Method::PATCH,
        &format!("/api/v1/tickets/{id}"),
        &json!({"assignee_id": agent}),
    )
    .await;

    let view = a.get(&location).await.text().await.unwrap();
    assert!(view.contains("请问冰箱型号是多少？"));
    assert!(
        !view.contains("内部备注"),
        "internal notes never reach the customer"
    );
    assert!(view.contains("待您回复") && view.contains("客服正在等待您的回复"));
    assert!(view.contains("温度.png"));

    // B sees none of it: not the ticket, not its file, not in the list.
    assert_eq!(b.get(&location).await.status(), 404);
    let aid = {
        let i = view
            .find(&format!("/portal/tickets/{id}/attachments/"))
            .unwrap();
        view[i..]
            .chars()
            .take_while(|c| *c != '"')
            .collect::<String>()
    };
    assert_eq!(a.get(&aid).await.status(), 200);
    assert_eq!(b.get(&aid).await.status(), 404);
    assert!(
        !b.get("/portal")
            .await
            .text()
            .await
            .unwrap()
            .contains("冰箱")
    );
    let res = b
        .post_form(&format!("{location}/reply"), &[("body", "我来插一句")])
        .await;
    assert_eq!(res.status(), 404);
    // Staff pages stay closed to customers.
    assert!(
        b.get("/tickets").await.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );

    // Staff file a ticket for B from a phone call: it shows in B's portal, not A's.
    let b_id: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT id FROM portal_customers WHERE email = 'li@example.com'")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    let res = api
        .json(Method::POST, "/api/v1/tickets", &json!({"channel": "phone", "subject": "来电：安装预约", "body": "周六上午安装", "requester_id": b_id}))
        .await;
    assert_eq!(res.status(), 201);
    assert!(
        b.get("/portal")
            .await
            .text()
            .await
            .unwrap()
            .contains("来电：安装预约")
    );
    assert!(
        !a.get("/portal")
            .await
            .text()
            .await
            .unwrap()
            .contains("来电：安装预约")
    );
    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "x", "body": "y", "requester_id": 999_999}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "unknown_customer");

    // A answers: the ticket opens again, the next-response clock starts, the agent hears.
    let res = a
        .post_form(
            &format!("{location}/reply"),
            &[("body", "型号是 BCD-520W。")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(d["ticket"]["status"], "open");
    assert!(d["ticket"]["sla"]["next_response_due_at"].is_string());
    let last = d["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["author_kind"], "customer");
    assert_eq!(last["author_name"], "王女士");
    let agent_user = app.app.get_user(&Actor::system(), agent).await.unwrap();
    let agent_actor = Actor::user(
        kefu_domain::CurrentUser {
            id: agent,
            username: agent_user.username,
            display_name: agent_user.display_name,
            roles: agent_user.roles,
            grants: Default::default(),
            locale: agent_user.locale,
            must_change_password: false,
        },
        None,
    );
    let notes = app.app.notifications(&agent_actor).await.unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.kind == "customer_replied" && n.ticket_id == Some(id))
    );
    app.stop().await;
}

#[tokio::test]
async fn portal_accounts_sign_in_out_and_refuse_bad_input() {
    let app = TestApp::spawn().await;
    register(&app, "zhang@example.com", "张经理").await;
    let s = anonymous(&app);
    // The portal asks for sign-in and comes back.
    let res = s.get("/portal/tickets/new").await;
    assert_eq!(
        res.headers()["location"],
        "/portal/login?next=/portal/tickets/new"
    );
    let res = s
        .post_form(
            "/portal/login",
            &[
                ("email", "zhang@example.com"),
                ("password", "wrong-password"),
                ("next", "/portal"),
            ],
        )
        .await;
    assert_eq!(res.status(), 401);
    assert!(
        res.text().await.unwrap().contains("zhang@example.com"),
        "the email stays filled in"
    );
    let res = s
        .post_form(
            "/portal/login",
            &[
                ("email", "ZHANG@example.com "),
                ("password", TEST_PASSWORD),
                ("next", "/portal/tickets/new"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal/tickets/new");
    assert!(
        s.get("/portal")
            .await
            .text()
            .await
            .unwrap()
            .contains("张经理")
    );
    s.post_form("/portal/logout", &[]).await;
    assert_eq!(s.get("/portal").await.status(), 303);

    let t = anonymous(&app);
    let res = t
        .post_form(
            "/portal/register",
            &[
                ("email", "zhang@example.com"),
                ("name", "冒名"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("该邮箱已注册"));
    let res = t
        .post_form(
            "/portal/register",
            &[
                ("email", "new@example.com"),
                ("name", "新客户"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("密码至少需要"));
    app.stop().await;
}
