//! 地址验证 and 手机号登录: a portal account sees the web-form tickets of an e-mail address or
//! mobile only once it has proven it reads it (a link, a text-message code), never before and
//! never by claiming it; a mobile code signs in. The link and the code are read from the
//! outbox, where they wait for the mail and SMS channels.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_domain::{FixedClock, Role};
use kefu_store::outbox::OutboundMessage;
use kefu_testkit::{
    ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, form_fields, json_body,
};

fn anonymous(app: &TestApp) -> Session {
    Session {
        client: app.client(),
        base: app.base.clone(),
    }
}

async fn spawn() -> (TestApp, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap()));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    (app, clock)
}

/// Files a request on the public web form, as a visitor without an account.
async fn web_form(app: &TestApp, fields: &[(&str, &str)]) {
    let s = anonymous(app);
    let page = s.get("/support").await.text().await.unwrap();
    let token = form_fields(&page, "/support")
        .into_iter()
        .find(|(k, _)| k == "form_token")
        .map(|(_, v)| v)
        .unwrap();
    let mut all: Vec<(&str, &str)> = vec![("form_token", token.as_str())];
    all.extend_from_slice(fields);
    let res = s.post_form("/support", &all).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("您的工单号是"));
}

async fn ticket_id(app: &TestApp, subject: &str) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT id FROM tickets WHERE subject = $1")
        .bind(subject)
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

async fn register(app: &TestApp, email: &str, name: &str, phone: &str) -> Session {
    let s = anonymous(app);
    let res = s
        .post_form(
            "/portal/register",
            &[
                ("email", email),
                ("name", name),
                ("phone", phone),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "{email} registers");
    s
}

/// What the outbox holds for an address, newest first.
async fn outbox(app: &TestApp, channel: &str, address: &str) -> Vec<OutboundMessage> {
    let mut c = app.app.store.conn().await.unwrap();
    kefu_store::outbox::to_address(&mut c, channel, address, 50)
        .await
        .unwrap()
}

fn param(m: &OutboundMessage, key: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(&m.params).unwrap();
    v[key].as_str().unwrap().to_owned()
}

async fn page(s: &Session, path: &str) -> String {
    let res = s.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// Posts a code form as shown (its handle and token) with `code` typed in.
async fn enter_code(s: &Session, form_page: &str, action: &str, code: &str) -> reqwest::Response {
    let fields: Vec<(String, String)> = form_fields(form_page, action)
        .into_iter()
        .map(|(k, v)| {
            if k == "code" {
                (k, code.to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    s.client
        .post(s.url(action))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// Asks for a sign-in code on the sign-in page's mobile form.
async fn ask_code(s: &Session, csrf: &str, mobile: &str) -> reqwest::Response {
    s.client
        .post(s.url("/portal/login/code"))
        .form(&[("_csrf", csrf), ("mobile", mobile), ("next", "/portal")])
        .send()
        .await
        .unwrap()
}

fn another_code(code: &str) -> &'static str {
    if code == "000000" { "000001" } else { "000000" }
}

#[tokio::test]
async fn web_form_tickets_of_an_email_show_once_the_link_in_the_mail_is_followed() {
    let (app, clock) = spawn().await;
    let agent = app.create_user("ver.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let subject = "热水器显示 E3（网页表单）";
    web_form(
        &app,
        &[
            ("name", "周伟"),
            ("email", " Zhou.Wei@Example.com "),
            ("phone", "13600001111"),
            ("subject", subject),
            ("body", "热水器开机后显示 E3，无法加热。"),
        ],
    )
    .await;
    let id = ticket_id(&app, subject).await;

    // Registering with the address brings nothing yet; a link is queued for the mailbox.
    let a = register(&app, "zhou.wei@example.com", "周伟", "").await;
    let home = page(&a, "/portal").await;
    assert!(!home.contains(subject), "not before the address is proven");
    assert!(home.contains("zhou.wei@example.com") && home.contains("未验证"));
    assert_eq!(a.get(&format!("/portal/tickets/{id}")).await.status(), 404);
    let mail = outbox(&app, "email", "zhou.wei@example.com").await;
    assert_eq!(mail.len(), 1);
    assert_eq!(mail[0].kind, "portal_verify_email");
    assert!(mail[0].delivered_at.is_none());
    let first_link = param(&mail[0], "path");
    assert!(first_link.starts_with("/portal/verify/"));

    // Someone who registers with the same phone, unproven, sees nothing of it either.
    let b = register(&app, "mallory@example.com", "冒名者", "13600001111").await;
    assert!(!page(&b, "/portal").await.contains(subject));
    assert_eq!(b.get(&format!("/portal/tickets/{id}")).await.status(), 404);

    // A day later the link has run out, and asking again at once is refused.
    clock.advance(SignedDuration::from_hours(25));
    let res = anonymous(&app).get(&first_link).await;
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("已过期"));
    assert!(!page(&a, "/portal").await.contains(subject));
    let res = a.post_form("/portal/verify/email", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal?notice=link_sent");
    let res = a.post_form("/portal/verify/email", &[]).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("秒后再试"));
    let mail = outbox(&app, "email", "zhou.wei@example.com").await;
    assert_eq!(mail.len(), 2, "one more link, not two");
    let link = param(&mail[0], "path");
    assert_ne!(link, first_link);

    // The link works in any browser, once.
    let res = anonymous(&app).get(&link).await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("邮箱已验证") && body.contains("zhou.wei@example.com"));
    let res = anonymous(&app).get(&link).await;
    assert_eq!(res.status(), 410);
    assert!(res.text().await.unwrap().contains("已经使用过"));
    assert_eq!(
        anonymous(&app)
            .get("/portal/verify/0123abcd")
            .await
            .status(),
        404
    );

    // Now the earlier ticket is the customer's to read and answer.
    let home = page(&a, "/portal").await;
    assert!(home.contains(subject) && home.contains("已验证"));
    let view = page(&a, &format!("/portal/tickets/{id}")).await;
    assert!(view.contains("热水器开机后显示 E3"));
    let res = a
        .post_form(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "今天早上又出现了 E3。")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    let last = d["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["author_kind"], "customer");
    assert_eq!(last["body"], "今天早上又出现了 E3。");

    // The other account still cannot reach it.
    assert!(!page(&b, "/portal").await.contains(subject));
    assert_eq!(b.get(&format!("/portal/tickets/{id}")).await.status(), 404);
    let res = b
        .post_form(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "插一句")],
        )
        .await;
    assert_eq!(res.status(), 404);

    // A web form sent later from the address shows without anything more.
    let later = "热水器又坏了（网页表单）";
    web_form(
        &app,
        &[
            ("name", "周伟"),
            ("email", "ZHOU.WEI@example.com"),
            ("subject", later),
            ("body", "E3 又出现了。"),
        ],
    )
    .await;
    assert!(page(&a, "/portal").await.contains(later));

    // The audit log says an address was proven and of which kind, never the link.
    let proofs = app.audit_entries("portal_address_verified").await;
    assert_eq!(proofs.len(), 1);
    assert_eq!(proofs[0].detail.as_deref(), Some(r#"{"kind":"email"}"#));
    let token = link.trim_start_matches("/portal/verify/");
    assert!(!format!("{:?}", proofs[0]).contains(token));
    app.stop().await;
}

#[tokio::test]
async fn a_mobile_code_signs_in_and_brings_the_web_form_tickets_of_that_mobile() {
    let (app, clock) = spawn().await;
    let agent = app.create_user("sms.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let subject = "冰箱冷藏室不制冷（网页表单）";
    web_form(
        &app,
        &[
            ("name", "吴先生"),
            ("phone", "+86 139-1234-5678"),
            ("subject", subject),
            ("body", "冷藏室一直 15 度。"),
        ],
    )
    .await;
    let other = "空调异响（网页表单）";
    web_form(
        &app,
        &[
            ("name", "郑女士"),
            ("phone", "13700002222"),
            ("subject", other),
            ("body", "外机声音很大。"),
        ],
    )
    .await;
    let id = ticket_id(&app, subject).await;

    let s = anonymous(&app);
    let login = page(&s, "/portal/login").await;
    assert!(login.contains("手机号登录"));
    let fields = form_fields(&login, "/portal/login/code");
    let csrf = fields.iter().find(|(k, _)| k == "_csrf").unwrap().1.clone();
    let ask = |mobile: &'static str| ask_code(&s, &csrf, mobile);

    // A code goes to the mobile; the page shows the number masked only.
    let res = ask("139 1234 5678").await;
    assert_eq!(res.status(), 200);
    let form = res.text().await.unwrap();
    assert!(form.contains("139****5678") && !form.contains("13912345678"));
    let sms = outbox(&app, "sms", "13912345678").await;
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].kind, "portal_sign_in_code");
    let code = param(&sms[0], "code");
    assert_eq!(code.len(), 6);
    assert!(
        !form.contains(&code),
        "the code travels by text message only"
    );

    // Not six digits: said so, and not counted.
    let res = enter_code(&s, &form, "/portal/login/code/confirm", "12ab").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("6 位数字"));
    // Wrong codes count down, then the code stops working, even the right one.
    let wrong = another_code(&code);
    let res = enter_code(&s, &form, "/portal/login/code/confirm", wrong).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("还可以再试 4 次"));
    for _ in 0..3 {
        let res = enter_code(&s, &form, "/portal/login/code/confirm", wrong).await;
        assert_eq!(res.status(), 422);
    }
    let res = enter_code(&s, &form, "/portal/login/code/confirm", wrong).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("输错次数过多"));
    let res = enter_code(&s, &form, "/portal/login/code/confirm", &code).await;
    assert_eq!(res.status(), 429, "a locked code stays locked");
    assert_eq!(s.get("/portal").await.status(), 303, "not signed in");

    // Another code at once is refused; a minute later it comes.
    let res = ask("13912345678").await;
    assert_eq!(res.status(), 429);
    let body = res.text().await.unwrap();
    assert!(body.contains("秒后再试") && !body.contains("13912345678"));
    clock.advance(SignedDuration::from_secs(61));
    let res = ask("13912345678").await;
    assert_eq!(res.status(), 200);
    let form = res.text().await.unwrap();
    let code = param(&outbox(&app, "sms", "13912345678").await[0], "code");
    // Ten minutes later it has run out.
    clock.advance(SignedDuration::from_mins(11));
    let res = enter_code(&s, &form, "/portal/login/code/confirm", &code).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("已过期"));

    // The right code in time signs in: a new account with only the mobile, which sees the
    // web-form ticket of that mobile and no other.
    let res = ask("13912345678").await;
    assert_eq!(res.status(), 200);
    let form = res.text().await.unwrap();
    let code = param(&outbox(&app, "sms", "13912345678").await[0], "code");
    let res = enter_code(&s, &form, "/portal/login/code/confirm", &code).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal");
    let home = page(&s, "/portal").await;
    assert!(home.contains(subject) && !home.contains(other));
    assert!(home.contains("139****5678") && !home.contains("13912345678"));
    let view = page(&s, &format!("/portal/tickets/{id}")).await;
    assert!(view.contains("冷藏室一直 15 度。"));
    let res = s
        .post_form(
            &format!("/portal/tickets/{id}/reply"),
            &[("body", "型号 BCD-520W。")],
        )
        .await;
    assert_eq!(res.status(), 303);
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    let last = d["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["author_kind"], "customer");
    assert_eq!(last["author_name"], "139****5678");

    // Signing in again with a code finds the same account.
    s.post_form("/portal/logout", &[]).await;
    clock.advance(SignedDuration::from_secs(61));
    let fresh = anonymous(&app);
    let login = page(&fresh, "/portal/login").await;
    let mut fields = form_fields(&login, "/portal/login/code");
    for (k, v) in &mut fields {
        if k == "mobile" {
            *v = "13912345678".into();
        }
    }
    let res = fresh
        .client
        .post(fresh.url("/portal/login/code"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let form = res.text().await.unwrap();
    let code = param(&outbox(&app, "sms", "13912345678").await[0], "code");
    let res = enter_code(&fresh, &form, "/portal/login/code/confirm", &code).await;
    assert_eq!(res.status(), 303);
    assert!(page(&fresh, "/portal").await.contains(subject));
    let accounts: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT COUNT(*) FROM portal_customers WHERE phone = '13912345678'")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(accounts, 1);

    // A number without an account gets the same answer as one with.
    let res = ask("13700009999").await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("验证码已发送至 137****9999")
    );
    let res = ask("12345").await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("11 位大陆手机号"));

    // Wrong codes are audited by the code's row, never with the code or the number.
    let failed = app.audit_entries("portal_code_failed").await;
    assert_eq!(failed.len(), 5);
    let codes: Vec<String> = outbox(&app, "sms", "13912345678")
        .await
        .iter()
        .map(|m| param(m, "code"))
        .collect();
    for e in failed
        .iter()
        .chain(app.audit_entries("portal_registered").await.iter())
        .chain(app.audit_entries("portal_address_verified").await.iter())
    {
        let text = format!("{e:?}");
        assert!(!text.contains("13912345678"), "{text}");
        assert!(codes.iter().all(|c| !text.contains(c.as_str())), "{text}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_signed_in_customer_proves_their_mobile_which_another_account_then_cannot() {
    let (app, clock) = spawn().await;
    let subject = "洗衣机漏水（网页表单）";
    web_form(
        &app,
        &[
            ("name", "李女士"),
            ("phone", "13812345678"),
            ("subject", subject),
            ("body", "洗衣机底部漏水。"),
        ],
    )
    .await;
    let a = register(&app, "li@example.com", "李女士", "138-1234-5678").await;
    let home = page(&a, "/portal").await;
    assert!(!home.contains(subject));
    assert!(home.contains("138****5678") && !home.contains("13812345678"));
    let res = a.post_form("/portal/verify/mobile", &[]).await;
    assert_eq!(res.status(), 200);
    let form = res.text().await.unwrap();
    assert!(form.contains("138****5678"));
    let sms = outbox(&app, "sms", "13812345678").await;
    assert_eq!(sms[0].kind, "portal_verify_mobile");
    let code = param(&sms[0], "code");
    let wrong = another_code(&code);
    let res = enter_code(&a, &form, "/portal/verify/mobile/confirm", wrong).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("还可以再试 4 次"));
    let res = enter_code(&a, &form, "/portal/verify/mobile/confirm", &code).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/portal?notice=mobile_verified");
    let home = page(&a, "/portal?notice=mobile_verified").await;
    assert!(home.contains(subject) && home.contains("手机号已验证"));

    // Another account with the same number on file cannot prove it too.
    let b = register(&app, "fake@example.com", "冒名者", "13812345678").await;
    clock.advance(SignedDuration::from_secs(61));
    let res = b.post_form("/portal/verify/mobile", &[]).await;
    assert_eq!(res.status(), 200);
    let form = res.text().await.unwrap();
    let code = param(&outbox(&app, "sms", "13812345678").await[0], "code");
    let res = enter_code(&b, &form, "/portal/verify/mobile/confirm", &code).await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("另一个门户账户"));
    assert!(!page(&b, "/portal").await.contains(subject));

    // A code sign-in with the mobile is a sign-in to the account that proved it.
    clock.advance(SignedDuration::from_secs(61));
    let s = anonymous(&app);
    let login = page(&s, "/portal/login").await;
    let mut fields = form_fields(&login, "/portal/login/code");
    for (k, v) in &mut fields {
        if k == "mobile" {
            *v = "13812345678".into();
        }
    }
    let res = s
        .client
        .post(s.url("/portal/login/code"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    let form = res.text().await.unwrap();
    let code = param(&outbox(&app, "sms", "13812345678").await[0], "code");
    let res = enter_code(&s, &form, "/portal/login/code/confirm", &code).await;
    assert_eq!(res.status(), 303);
    let home = page(&s, "/portal").await;
    assert!(home.contains("李女士") && home.contains(subject));
    app.stop().await;
}
