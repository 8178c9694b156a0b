//! The administrator's user pages.

use kefu_domain::Role;
use kefu_testkit::{Session, TEST_PASSWORD, TestApp, extract_csrf};

async fn admin(app: &TestApp) -> Session {
    app.create_user("page.admin", &[Role::Admin]).await;
    app.login("page.admin", TEST_PASSWORD).await
}

#[tokio::test]
async fn an_admin_adds_a_user_who_can_then_sign_in() {
    let app = TestApp::spawn().await;
    let s = admin(&app).await;
    let form = s.get("/admin/users/new").await.text().await.unwrap();
    assert!(
        form.contains("客户投诉管理专员")
            && form.contains("初级客服专员")
            && form.contains("客户服务部")
    );

    let res = s
        .post_form(
            "/admin/users",
            &[
                ("username", "Liu.Fang"),
                ("display_name", "刘芳"),
                ("email", "liufang@example.cn"),
                ("department", "customer_service"),
                ("level", "intermediate_supervisor"),
                ("locale", "zh-CN"),
                ("roles", "agent"),
                ("roles", "quality_specialist"),
            ],
        )
        .await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let marker = "data-testid=\"generated-password\">";
    let start = html.find(marker).expect("generated password shown") + marker.len();
    let password = &html[start..start + 16];

    let list = s.get("/admin/users").await.text().await.unwrap();
    assert!(
        list.contains("liu.fang")
            && list.contains("刘芳")
            && list.contains("客户服务质量管理专员、客服专员"),
        "{list}"
    );

    let newbie = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = newbie.sign_in("liu.fang", password).await;
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["location"], "/account?must_change=1");
    app.stop().await;
}

#[tokio::test]
async fn a_refused_form_comes_back_filled_in_with_the_reason() {
    let app = TestApp::spawn().await;
    let s = admin(&app).await;
    let dup = s
        .post_form(
            "/admin/users",
            &[
                ("username", "page.admin"),
                ("display_name", "重复的人"),
                ("roles", "agent"),
            ],
        )
        .await;
    assert_eq!(dup.status(), 409);
    let html = dup.text().await.unwrap();
    assert!(
        html.contains("该用户名已被使用") && html.contains("value=\"重复的人\""),
        "{html}"
    );

    let no_roles = s
        .post_form(
            "/admin/users",
            &[("username", "no.roles"), ("display_name", "无角色")],
        )
        .await;
    assert_eq!(no_roles.status(), 422);
    assert!(
        no_roles
            .text()
            .await
            .unwrap()
            .contains("请至少选择一个角色")
    );

    let bad_email = s
        .post_form(
            "/admin/users",
            &[
                ("username", "bad.mail"),
                ("display_name", "邮箱"),
                ("email", "not-an-email"),
                ("roles", "agent"),
            ],
        )
        .await;
    assert_eq!(bad_email.status(), 422);
    assert!(
        bad_email
            .text()
            .await
            .unwrap()
            .contains("电子邮箱格式不正确")
    );
    let users = app
        .app
        .list_users(&kefu_app::Actor::system())
        .await
        .unwrap();
    assert!(
        users
            .iter()
            .all(|u| u.username != "no.roles" && u.username != "bad.mail")
    );
    app.stop().await;
}

#[tokio::test]
async fn an_admin_edits_deactivates_and_resets() {
    let app = TestApp::spawn().await;
    let s = admin(&app).await;
    let id = app.create_user("he.yun", &[Role::Agent]).await;
    let theirs = app.login("he.yun", TEST_PASSWORD).await;

    let res = s
        .post_form(
            &format!("/admin/users/{id}"),
            &[
                ("display_name", "何云"),
                ("roles", "cs_manager"),
                ("level", "senior_manager"),
                ("locale", "en"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let user = app
        .app
        .get_user(&kefu_app::Actor::system(), id)
        .await
        .unwrap();
    assert_eq!(user.display_name, "何云");
    assert!(user.roles.contains(Role::CsManager) && !user.roles.contains(Role::Agent));
    assert_eq!(user.level.as_deref(), Some("senior_manager"));

    let res = s
        .post_form(&format!("/admin/users/{id}/active"), &[("active", "0")])
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(theirs.get("/").await.status(), 303, "their session ended");
    let page = s
        .get(&format!("/admin/users/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("启用账户"));

    let res = s
        .post_form(&format!("/admin/users/{id}/password"), &[])
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-testid=\"generated-password\"")
    );

    // An admin cannot lock themselves out.
    let me = app
        .app
        .get_user_by_username(&kefu_app::Actor::system(), "page.admin")
        .await
        .unwrap();
    let res = s
        .post_form(
            &format!("/admin/users/{}/active", me.id),
            &[("active", "0")],
        )
        .await;
    assert_eq!(res.status(), 409);
    assert!(res.text().await.unwrap().contains("不能停用自己的账户"));
    app.stop().await;
}

#[tokio::test]
async fn tokens_are_created_shown_once_and_revoked_from_the_page() {
    let app = TestApp::spawn().await;
    app.create_user("tok.page", &[Role::Agent]).await;
    let s = app.login("tok.page", TEST_PASSWORD).await;
    let res = s
        .post_form("/account/tokens", &[("name", "呼叫中心对接")])
        .await;
    assert_eq!(res.status(), 201);
    let html = res.text().await.unwrap();
    let marker = "data-testid=\"new-token\">";
    let start = html.find(marker).unwrap() + marker.len();
    let secret = html[start..].split('<').next().unwrap().to_owned();
    assert!(secret.starts_with("kefu_") && secret.len() == 69);

    let api = kefu_testkit::ApiClient::new(&app, &secret);
    assert_eq!(api.get("/api/v1/me").await.status(), 200);
    let list = s.get("/account/tokens").await.text().await.unwrap();
    assert!(
        list.contains("呼叫中心对接") && !list.contains(&secret),
        "the secret is never shown again"
    );

    let id = app
        .app
        .tokens_of(
            &kefu_app::Actor::system(),
            app.app
                .get_user_by_username(&kefu_app::Actor::system(), "tok.page")
                .await
                .unwrap()
                .id,
        )
        .await
        .unwrap()[0]
        .id;
    assert_eq!(
        s.post_form(&format!("/account/tokens/{id}/revoke"), &[])
            .await
            .status(),
        303
    );
    assert_eq!(api.get("/api/v1/me").await.status(), 401);

    let empty = s.post_form("/account/tokens", &[("name", "  ")]).await;
    assert_eq!(empty.status(), 422);

    // Someone else's token is "not found", not revocable.
    let other = app.create_user("tok.other", &[Role::Agent]).await;
    let other_token = app
        .app
        .create_token(&kefu_app::Actor::system(), other, "x")
        .await
        .unwrap();
    let res = s
        .post_form(
            &format!("/account/tokens/{}/revoke", other_token.token.id),
            &[],
        )
        .await;
    assert_eq!(res.status(), 404);
    assert!(extract_csrf(&s.get("/account/tokens").await.text().await.unwrap()).is_some());
    app.stop().await;
}

#[tokio::test]
async fn the_audit_page_shows_who_did_what() {
    let app = TestApp::spawn().await;
    let s = admin(&app).await;
    let _ = Session {
        client: app.client(),
        base: app.base.clone(),
    }
    .sign_in("page.admin", "wrong-password")
    .await;
    let html = s.get("/admin/audit").await.text().await.unwrap();
    assert!(
        html.contains("登录失败") && html.contains("登录成功") && html.contains("127.0.0.1"),
        "{html}"
    );
    let filtered = s
        .get("/admin/audit?action=login_failed")
        .await
        .text()
        .await
        .unwrap();
    assert!(!filtered.contains("<td>登录成功</td>"));
    app.stop().await;
}
