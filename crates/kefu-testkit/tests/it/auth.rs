use std::sync::Arc;

use jiff::SignedDuration;
use kefu_app::Settings;
use kefu_app::audit::action;
use kefu_domain::{FixedClock, Role};
use kefu_store::audit::AuditFilter;
use kefu_testkit::{Session, TEST_PASSWORD, TestApp, TestOptions};
use kefu_web::{SecureCookies, WebConfig};

async fn audit_count(app: &TestApp, action: &str) -> usize {
    app.audit_entries(action).await.len()
}

fn anonymous(app: &TestApp) -> Session {
    Session {
        client: app.client(),
        base: app.base.clone(),
    }
}

fn location(res: &reqwest::Response) -> String {
    res.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn sign_in_reaches_the_dashboard_with_a_safe_cookie() {
    let app = TestApp::spawn().await;
    app.create_user("zhang.san", &[Role::Agent]).await;
    let s = anonymous(&app);
    let res = s.sign_in("zhang.san", TEST_PASSWORD).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/");
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("kefu_session="))
        .expect("session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain HTTP without a proxy: no Secure flag"
    );

    let home = s.get("/").await;
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(
        html.contains("测试 zhang.san") && html.contains("工作台") && html.contains("客服专员"),
        "{html}"
    );
    assert_eq!(audit_count(&app, action::LOGIN_SUCCEEDED).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_clear_answer() {
    let app = TestApp::spawn().await;
    app.create_user("li.si", &[Role::Agent]).await;
    for (user, pass) in [
        ("li.si", "not-the-password"),
        ("nobody", "whatever-password"),
    ] {
        let s = anonymous(&app);
        let res = s.sign_in(user, pass).await;
        assert_eq!(res.status(), 401);
        assert!(
            res.headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("kefu_session="))
        );
        let html = res.text().await.unwrap();
        assert!(html.contains("用户名或密码错误"), "{html}");
        assert!(
            html.contains(&format!("value=\"{user}\"")),
            "the username stays filled in"
        );
    }
    let f = AuditFilter {
        action: Some(action::LOGIN_FAILED),
        limit: 10,
        ..Default::default()
    };
    let entries = app
        .app
        .audit_log(&kefu_app::Actor::system(), &f)
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .any(|e| e.detail.as_deref() == Some(r#"{"reason":"unknown_user"}"#))
    );
    assert!(
        entries
            .iter()
            .any(|e| e.detail.as_deref() == Some(r#"{"reason":"wrong_password"}"#))
    );
    assert!(entries.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")));
    app.stop().await;
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_and_the_address() {
    let settings = Settings {
        throttle_per_account: 3,
        throttle_per_ip: 5,
        ..Settings::default()
    };
    let app = TestApp::spawn_with(TestOptions {
        settings,
        ..Default::default()
    })
    .await;
    app.create_user("wang.wu", &[Role::Agent]).await;
    app.create_user("zhao.liu", &[Role::Agent]).await;
    let s = anonymous(&app);
    for _ in 0..3 {
        assert_eq!(s.sign_in("wang.wu", "wrong-password!").await.status(), 401);
    }
    // Even the right password is refused while the account is throttled.
    let res = s.sign_in("wang.wu", TEST_PASSWORD).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    assert!(res.text().await.unwrap().contains("登录失败次数过多"));
    assert_eq!(audit_count(&app, action::LOGIN_THROTTLED).await, 1);

    // Another account from the same address still works until the address limit.
    assert_eq!(s.sign_in("zhao.liu", TEST_PASSWORD).await.status(), 303);
    for _ in 0..2 {
        assert_eq!(
            anonymous(&app)
                .sign_in("zhao.liu", "wrong-password!")
                .await
                .status(),
            401
        );
    }
    assert_eq!(
        anonymous(&app)
            .sign_in("zhao.liu", TEST_PASSWORD)
            .await
            .status(),
        429,
        "5 failures from one address"
    );
    app.stop().await;
}

#[tokio::test]
async fn sign_out_ends_the_session() {
    let app = TestApp::spawn().await;
    app.create_user("sun.qi", &[Role::Agent]).await;
    let s = app.login("sun.qi", TEST_PASSWORD).await;
    let res = s.post_form("/logout", &[]).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?signed_out=1");
    let home = s.get("/").await;
    assert_eq!(home.status(), 303);
    assert!(location(&home).starts_with("/login"));
    assert_eq!(audit_count(&app, action::LOGOUT).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn an_expired_session_sends_the_user_to_sign_in_with_a_reason() {
    let clock = Arc::new(FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap()));
    let settings = Settings {
        session_idle: SignedDuration::from_mins(30),
        ..Settings::default()
    };
    let app = TestApp::spawn_with(TestOptions {
        settings,
        clock: Some(clock.clone()),
        ..Default::default()
    })
    .await;
    app.create_user("zhou.ba", &[Role::Agent]).await;
    let s = app.login("zhou.ba", TEST_PASSWORD).await;
    clock.advance(SignedDuration::from_mins(20));
    assert_eq!(
        s.get("/").await.status(),
        200,
        "use keeps the session alive"
    );
    clock.advance(SignedDuration::from_mins(25));
    assert_eq!(
        s.get("/").await.status(),
        200,
        "45 min after sign-in but 25 after last use"
    );
    clock.advance(SignedDuration::from_mins(31));
    let res = s.get("/account").await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/login?next=/account&expired=1");
    let page = s
        .get("/login?next=/account&expired=1")
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("会话已过期"), "{page}");
    app.stop().await;
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    app.create_user("wu.jiu", &[Role::Admin]).await;
    let s = app.login("wu.jiu", TEST_PASSWORD).await;

    // Missing token.
    let res = s
        .client
        .post(s.url("/admin/users"))
        .form(&[
            ("username", "forged.one"),
            ("display_name", "伪造"),
            ("roles", "agent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("表单已失效"));
    // Wrong token.
    let res = s
        .client
        .post(s.url("/admin/users"))
        .form(&[
            ("_csrf", "0".repeat(64).as_str()),
            ("username", "forged.two"),
            ("display_name", "伪造"),
            ("roles", "agent"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let users = app
        .app
        .list_users(&kefu_app::Actor::system())
        .await
        .unwrap();
    assert!(users.iter().all(|u| !u.username.starts_with("forged")));
    assert_eq!(audit_count(&app, action::CSRF_REJECTED).await, 2);

    // The sign-in form is protected too.
    let res = app
        .client()
        .post(app.url("/login"))
        .form(&[("username", "wu.jiu"), ("password", TEST_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    app.stop().await;
}

#[tokio::test]
async fn the_first_admin_must_choose_a_password() {
    let app = TestApp::spawn().await;
    let s = anonymous(&app);
    let res = s.sign_in("admin", &app.admin_password).await;
    assert_eq!(res.status(), 303);
    assert_eq!(location(&res), "/account?must_change=1");
    let home = s.get("/admin/users").await;
    assert_eq!(
        home.status(),
        303,
        "every page leads to the password form first"
    );
    assert_eq!(location(&home), "/account?must_change=1");

    let admin_pw = app.admin_password.clone();
    let mismatch = s
        .post_form(
            "/account/password",
            &[
                ("current", &admin_pw),
                ("new", "新的管理员密码-2026"),
                ("confirm", "different-one-2026"),
            ],
        )
        .await;
    assert_eq!(mismatch.status(), 422);
    assert!(
        mismatch
            .text()
            .await
            .unwrap()
            .contains("两次输入的新密码不一致")
    );
    let short = s
        .post_form(
            "/account/password",
            &[
                ("current", &admin_pw),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("至少需要 10 个字符"));
    let wrong = s
        .post_form(
            "/account/password",
            &[
                ("current", "not-it-at-all"),
                ("new", "新的管理员密码-2026"),
                ("confirm", "新的管理员密码-2026"),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 422);
    assert!(wrong.text().await.unwrap().contains("当前密码不正确"));

    let ok = s
        .post_form(
            "/account/password",
            &[
                ("current", &admin_pw),
                ("new", "新的管理员密码-2026"),
                ("confirm", "新的管理员密码-2026"),
            ],
        )
        .await;
    assert_eq!(ok.status(), 303);
    assert_eq!(s.get("/admin/users").await.status(), 200);
    // The old password no longer works; the new one does.
    assert_eq!(
        anonymous(&app).sign_in("admin", &admin_pw).await.status(),
        401
    );
    assert_eq!(
        anonymous(&app)
            .sign_in("admin", "新的管理员密码-2026")
            .await
            .status(),
        303
    );
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() {
    let app = TestApp::spawn().await;
    app.create_user("zheng.shi", &[Role::Agent]).await;
    let laptop = app.login("zheng.shi", TEST_PASSWORD).await;
    let phone = app.login("zheng.shi", TEST_PASSWORD).await;
    let res = laptop
        .post_form(
            "/account/password",
            &[
                ("current", TEST_PASSWORD),
                ("new", "另一个足够长的新密码"),
                ("confirm", "另一个足够长的新密码"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        laptop.get("/").await.status(),
        200,
        "the session that changed it stays"
    );
    assert_eq!(phone.get("/").await.status(), 303, "other sessions end");
    app.stop().await;
}

#[tokio::test]
async fn each_user_reads_kefu_in_their_language() {
    let app = TestApp::spawn().await;
    app.create_user("lin.en", &[Role::Agent]).await;
    let s = app.login("lin.en", TEST_PASSWORD).await;
    assert!(s.get("/").await.text().await.unwrap().contains("工作台"));
    assert_eq!(
        s.post_form("/account/locale", &[("locale", "en")])
            .await
            .status(),
        303
    );
    let html = s.get("/").await.text().await.unwrap();
    assert!(
        html.contains("Home") && html.contains("lang=\"en\""),
        "{html}"
    );
    let bad = s.post_form("/account/locale", &[("locale", "fr")]).await;
    // A language kefu does not have is refused with the ones it has.
    assert_eq!(bad.status(), 422);
    let text = bad.text().await.unwrap();
    assert!(text.contains("zh-CN") && text.contains("en"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn cookies_are_secure_behind_tls() {
    let web = WebConfig {
        secure_cookies: SecureCookies::Always,
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(TestOptions {
        web,
        ..Default::default()
    })
    .await;
    let res = app.client().get(app.url("/login")).send().await.unwrap();
    let c = res.headers()["set-cookie"].to_str().unwrap();
    assert!(c.contains("Secure") && c.contains("HttpOnly"), "{c}");
    app.stop().await;
}
