use kefu_domain::Role;
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use kefu_web::WebConfig;
use reqwest::Method;
use serde_json::json;

async fn admin_api(app: &TestApp) -> ApiClient {
    let id = app.create_user("api.admin", &[Role::Admin]).await;
    ApiClient::new(app, &app.token_for(id).await)
}

#[tokio::test]
async fn me_describes_the_token_owner() {
    let app = TestApp::spawn().await;
    let id = app
        .create_user("me.user", &[Role::Agent, Role::InfoSpecialist])
        .await;
    let api = ApiClient::new(&app, &app.token_for(id).await);
    let res = api.get("/api/v1/me").await;
    assert_eq!(res.status(), 200);
    let me = json_body(res).await;
    assert_eq!(me["username"], "me.user");
    assert_eq!(me["roles"], json!(["info_specialist", "agent"]));
    let perms: Vec<&str> = me["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(perms.contains(&"audit_view") && !perms.contains(&"user_manage"));
    app.stop().await;
}

#[tokio::test]
async fn users_are_created_listed_and_changed_over_the_api() {
    let app = TestApp::spawn().await;
    let api = admin_api(&app).await;
    let res = api
        .json(Method::POST, "/api/v1/users", &json!({
            "username": "chen.kefu", "display_name": "陈客服", "roles": ["agent", "complaint_specialist"],
            "department": "customer_service", "level": "junior_agent"
        }))
        .await;
    assert_eq!(res.status(), 201);
    let created = json_body(res).await;
    let password = created["generated_password"].as_str().unwrap().to_owned();
    assert_eq!(password.len(), 16);
    let id = created["user"]["id"].as_i64().unwrap();
    assert_eq!(created["user"]["department"], "customer_service");

    // The generated password works, and must be changed first.
    let s = kefu_testkit::Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = s.sign_in("chen.kefu", &password).await;
    assert_eq!(res.headers()["location"], "/account?must_change=1");

    // A token of the account works only once its owner has chosen their own password:
    // until then the account is still in the hands of whoever set the one-time password.
    let token = app
        .app
        .create_token(&kefu_app::Actor::system(), id, "接口")
        .await
        .unwrap()
        .secret;
    let theirs = kefu_testkit::ApiClient::new(&app, &token);
    let res = theirs.get("/api/v1/me").await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "password_change_required"
    );
    let res = s
        .post_form(
            "/account/password",
            &[
                ("current", password.as_str()),
                ("new", "Kefu-own-2026!"),
                ("confirm", "Kefu-own-2026!"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(theirs.get("/api/v1/me").await.status(), 200);

    let dup = api
        .json(
            Method::POST,
            "/api/v1/users",
            &json!({"username": "chen.kefu", "display_name": "重复", "roles": ["agent"]}),
        )
        .await;
    assert_eq!(dup.status(), 409);
    assert_eq!(json_body(dup).await["error"]["code"], "username_taken");

    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            &json!({"roles": ["cs_manager"], "level": "senior_manager"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let user = json_body(res).await;
    assert_eq!(user["roles"], json!(["cs_manager"]));
    assert_eq!(user["level"], "senior_manager");
    assert_eq!(user["display_name"], "陈客服", "absent fields stay");

    let audit = json_body(api.get("/api/v1/audit?action=roles_changed").await).await;
    let entry = &audit.as_array().unwrap()[0];
    assert_eq!(entry["actor_name"], "api.admin");
    let detail: serde_json::Value =
        serde_json::from_str(entry["detail"].as_str().unwrap()).unwrap();
    assert_eq!(detail["old"], json!(["complaint_specialist", "agent"]));
    assert_eq!(detail["new"], json!(["cs_manager"]));

    let list = json_body(api.get("/api/v1/users").await).await;
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "chen.kefu")
    );
    let deps = json_body(api.get("/api/v1/departments").await).await;
    assert_eq!(deps.as_array().unwrap().len(), 7);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_gets_one_json_error_shape_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let api = admin_api(&app).await;
    let before = app
        .app
        .list_users(&kefu_app::Actor::system())
        .await
        .unwrap()
        .len();

    let malformed = api
        .request(Method::POST, "/api/v1/users")
        .header("content-type", "application/json")
        .body("{\"username\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    assert_eq!(
        json_body(malformed).await["error"]["code"],
        "malformed_json"
    );

    let wrong_type = api
        .request(Method::POST, "/api/v1/users")
        .body("username=x")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    assert_eq!(
        json_body(wrong_type).await["error"]["code"],
        "unsupported_media_type"
    );

    let missing = api
        .json(
            Method::POST,
            "/api/v1/users",
            &json!({"username": "no.name"}),
        )
        .await;
    assert_eq!(missing.status(), 400);
    let body = json_body(missing).await;
    assert_eq!(body["error"]["code"], "invalid_field");
    assert!(
        body["error"]["detail"]
            .as_str()
            .unwrap()
            .contains("display_name")
    );

    let bad_name = api
        .json(
            Method::POST,
            "/api/v1/users",
            &json!({"username": "张三", "display_name": "张三", "roles": ["agent"]}),
        )
        .await;
    assert_eq!(bad_name.status(), 422);
    assert_eq!(
        json_body(bad_name).await["error"]["code"],
        "invalid_username"
    );

    let bad_role = api
        .json(
            Method::POST,
            "/api/v1/users",
            &json!({"username": "x.role", "display_name": "x", "roles": ["boss"]}),
        )
        .await;
    assert_eq!(bad_role.status(), 422);
    let bad_role = json_body(bad_role).await;
    assert_eq!(bad_role["error"]["code"], "unknown_value");
    assert!(
        bad_role["error"]["detail"]
            .as_str()
            .unwrap()
            .contains("agent"),
        "{bad_role}"
    );

    let bad_id = api.get("/api/v1/users/abc").await;
    assert_eq!(bad_id.status(), 400);
    assert!(json_body(bad_id).await["error"]["code"].is_string());

    let missing_user = api.get("/api/v1/users/999999").await;
    assert_eq!(missing_user.status(), 404);

    assert_eq!(
        app.app
            .list_users(&kefu_app::Actor::system())
            .await
            .unwrap()
            .len(),
        before
    );
    app.stop().await;
}

#[tokio::test]
async fn oversize_bodies_are_refused() {
    let web = WebConfig {
        max_body_bytes: 4096,
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(TestOptions {
        web,
        ..Default::default()
    })
    .await;
    let api = admin_api(&app).await;
    let huge = "客".repeat(10_000);
    let res = api
        .json(
            Method::POST,
            "/api/v1/users",
            &json!({"username": "big.one", "display_name": huge, "roles": ["agent"]}),
        )
        .await;
    assert_eq!(res.status(), 413);
    assert_eq!(json_body(res).await["error"]["code"], "payload_too_large");
    // Forms too.
    app.create_user("form.admin", &[Role::Admin]).await;
    let s = app.login("form.admin", kefu_testkit::TEST_PASSWORD).await;
    let res = s
        .post_form(
            "/admin/users",
            &[
                ("username", "big.two"),
                ("display_name", &huge),
                ("roles", "agent"),
            ],
        )
        .await;
    assert_eq!(res.status(), 413);
    let users = app
        .app
        .list_users(&kefu_app::Actor::system())
        .await
        .unwrap();
    assert!(users.iter().all(|u| !u.username.starts_with("big.")));
    app.stop().await;
}

#[tokio::test]
async fn a_revoked_token_is_refused_and_audited() {
    let app = TestApp::spawn().await;
    let id = app.create_user("tok.user", &[Role::Agent]).await;
    let secret = app.token_for(id).await;
    let api = ApiClient::new(&app, &secret);
    assert_eq!(api.get("/api/v1/me").await.status(), 200);
    let tokens = json_body(api.get("/api/v1/tokens").await).await;
    let token_id = tokens[0]["id"].as_i64().unwrap();
    assert!(secret.starts_with(tokens[0]["prefix"].as_str().unwrap()));
    assert_eq!(
        api.request(Method::DELETE, &format!("/api/v1/tokens/{token_id}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );

    let res = api.get("/api/v1/me").await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_body(res).await["error"]["code"], "token_revoked");
    let f = kefu_store::audit::AuditFilter {
        action: Some("token_rejected"),
        limit: 5,
        ..Default::default()
    };
    let entries = app
        .app
        .audit_log(&kefu_app::Actor::system(), &f)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);

    let garbage = ApiClient::new(&app, "kefu_0000");
    let res = garbage.get("/api/v1/me").await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_body(res).await["error"]["code"], "unauthorized");
    app.stop().await;
}

#[tokio::test]
async fn deactivated_users_lose_api_access_and_sessions() {
    let app = TestApp::spawn().await;
    let api = admin_api(&app).await;
    let id = app.create_user("gone.user", &[Role::Agent]).await;
    let their_api = ApiClient::new(&app, &app.token_for(id).await);
    let session = app.login("gone.user", kefu_testkit::TEST_PASSWORD).await;
    assert_eq!(session.get("/").await.status(), 200);

    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{id}"),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(json_body(res).await["active"], false);
    assert_eq!(their_api.get("/api/v1/me").await.status(), 401);
    assert_eq!(session.get("/").await.status(), 303);
    let s = kefu_testkit::Session {
        client: app.client(),
        base: app.base.clone(),
    };
    assert_eq!(
        s.sign_in("gone.user", kefu_testkit::TEST_PASSWORD)
            .await
            .status(),
        401
    );
    app.stop().await;
}

#[tokio::test]
async fn the_last_administrator_cannot_be_removed() {
    let app = TestApp::spawn().await;
    let api = admin_api(&app).await;
    // Two admins now: the bootstrap `admin` and `api.admin`.
    let me = json_body(api.get("/api/v1/me").await).await;
    let admin = json_body(api.get("/api/v1/users").await)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "admin")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        api.json(
            Method::PATCH,
            &format!("/api/v1/users/{admin}"),
            &json!({"active": false})
        )
        .await
        .status(),
        200
    );
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{}", me["id"]),
            &json!({"roles": ["agent"]}),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_body(res).await["error"]["code"], "last_admin");
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{}", me["id"]),
            &json!({"active": false}),
        )
        .await;
    assert_eq!(res.status(), 409);
    assert_eq!(json_body(res).await["error"]["code"], "self_deactivation");
    // Nothing half-written: still an admin.
    assert_eq!(
        json_body(api.get("/api/v1/me").await).await["roles"],
        json!(["admin"])
    );
    app.stop().await;
}

#[tokio::test]
async fn the_api_is_rate_limited_per_token() {
    let web = WebConfig {
        api_rate_per_minute: 5,
        ..WebConfig::default()
    };
    let app = TestApp::spawn_with(TestOptions {
        web,
        ..Default::default()
    })
    .await;
    let a = app.create_user("rate.a", &[Role::Agent]).await;
    let b = app.create_user("rate.b", &[Role::Agent]).await;
    let api_a = ApiClient::new(&app, &app.token_for(a).await);
    let api_b = ApiClient::new(&app, &app.token_for(b).await);
    let first = api_a.get("/api/v1/me").await;
    assert_eq!(first.headers()["x-ratelimit-limit"], "5");
    assert_eq!(first.headers()["x-ratelimit-remaining"], "4");
    assert!(first.headers().get("x-ratelimit-reset").is_some());
    for _ in 0..4 {
        assert_eq!(api_a.get("/api/v1/me").await.status(), 200);
    }
    let limited = api_a.get("/api/v1/me").await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    assert_eq!(json_body(limited).await["error"]["code"], "rate_limited");
    assert_eq!(
        api_b.get("/api/v1/me").await.status(),
        200,
        "other tokens are unaffected"
    );
    app.stop().await;
}
