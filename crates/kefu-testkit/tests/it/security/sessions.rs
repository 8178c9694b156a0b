//! 会话 — session ids: never one the browser brought (fixation), a new one at every sign-in
//! (the one it replaces ended), dead on the server after sign-out, and none surviving a
//! change of roles (the administrator who changed their own carries on under a new id).
//! Every cookie kefu sets is `HttpOnly`, `SameSite=Lax` and for the whole site.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, form_fields, json_body};
use reqwest::Method;
use serde_json::json;

use super::{anonymous, base_url, browser, cookie_value, holding, location, plant};

const SESSION: &str = "kefu_session";
const PORTAL: &str = "kefu_portal";

/// Whether a browser holding only this staff session cookie is signed in.
async fn staff_alive(app: &TestApp, id: &str) -> bool {
    holding(app, SESSION, id).get("/").await.status() == 200
}

#[tokio::test]
async fn signing_in_issues_a_new_session_id() {
    let app = TestApp::spawn().await;
    let url = base_url(&app);
    app.create_user("fx.wang", &[Role::Agent]).await;
    app.create_user("fx.li", &[Role::Agent]).await;
    let (s, jar) = browser(&app);

    // An id chosen by someone else and planted before sign-in (a shared computer, a
    // sibling domain): it is sent with the sign-in and never becomes a session.
    let planted = "ab".repeat(32);
    let token = s.csrf().await;
    plant(&jar, &url, SESSION, &planted);
    let res = s
        .client
        .post(s.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "fx.wang"),
            ("password", TEST_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let first = cookie_value(&jar, &url, SESSION).expect("signed in");
    assert_ne!(first, planted, "the session id is kefu's own");
    assert_eq!(first.len(), 64);
    assert!(
        !staff_alive(&app, &planted).await,
        "the planted id is nobody"
    );
    assert!(staff_alive(&app, &first).await);
    let pre_session = cookie_value(&jar, &url, "kefu_csrf").expect("the pre-session cookie");
    assert_ne!(
        first, pre_session,
        "the pre-session cookie does not become the session"
    );

    // Signing in again in the same browser (another account): another id, and the one it
    // replaces is dead.
    let res = s.sign_in("fx.li", TEST_PASSWORD).await;
    assert_eq!(res.status(), 303);
    let second = cookie_value(&jar, &url, SESSION).expect("signed in again");
    assert_ne!(second, first);
    assert!(
        !staff_alive(&app, &first).await,
        "the replaced session ended"
    );
    let home = s.get("/").await.text().await.unwrap();
    assert!(home.contains("fx.li"), "signed in as the second account");

    // A portal sign-in: a new id too.
    let customer = anonymous(&app);
    let res = customer
        .post_form(
            "/portal/register",
            &[
                ("email", "fx.customer@example.com"),
                ("name", "付女士"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let (c, cjar) = browser(&app);
    let token = c.csrf().await;
    plant(&cjar, &url, PORTAL, &planted);
    let res = c
        .client
        .post(c.url("/portal/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("email", "fx.customer@example.com"),
            ("password", TEST_PASSWORD),
            ("next", "/portal"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let portal = cookie_value(&cjar, &url, PORTAL).expect("signed in to the portal");
    assert_ne!(portal, planted);
    let res = holding(&app, PORTAL, &planted).get("/portal").await;
    assert_eq!(res.status(), 303, "the planted portal id is nobody");
    assert_eq!(
        holding(&app, PORTAL, &portal).get("/portal").await.status(),
        200
    );
    app.stop().await;
}

#[tokio::test]
async fn a_signed_out_session_id_is_dead_on_the_server() {
    let app = TestApp::spawn().await;
    let url = base_url(&app);
    app.create_user("so.zhou", &[Role::Agent]).await;
    let (s, jar) = browser(&app);
    assert_eq!(s.sign_in("so.zhou", TEST_PASSWORD).await.status(), 303);
    let id = cookie_value(&jar, &url, SESSION).expect("signed in");
    assert!(staff_alive(&app, &id).await);
    assert_eq!(s.post_form("/logout", &[]).await.status(), 303);
    // The browser forgot it; a copy kept elsewhere (another tab, a captured cookie) is
    // refused by the server, page and form alike.
    let copy = holding(&app, SESSION, &id);
    let res = copy.get("/account").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"), "{}", location(&res));
    let res = copy
        .client
        .post(copy.url("/account/locale"))
        .form(&[("locale", "en")])
        .send()
        .await
        .unwrap();
    assert!(
        res.status() == 303 || res.status() == 403,
        "{}",
        res.status()
    );

    // The portal's too.
    let (c, cjar) = browser(&app);
    let res = c
        .post_form(
            "/portal/register",
            &[
                ("email", "so.customer@example.com"),
                ("name", "周先生"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let id = cookie_value(&cjar, &url, PORTAL).expect("signed in to the portal");
    assert_eq!(
        holding(&app, PORTAL, &id).get("/portal").await.status(),
        200
    );
    assert_eq!(c.post_form("/portal/logout", &[]).await.status(), 303);
    let res = holding(&app, PORTAL, &id).get("/portal").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/portal/login"));
    app.stop().await;
}

/// The account form of user `id` as the page fills it, with the roles replaced.
async fn with_roles(s: &kefu_testkit::Session, id: i64, roles: &[&str]) -> Vec<(String, String)> {
    let action = format!("/admin/users/{id}");
    let page = s.get(&action).await.text().await.unwrap();
    let mut fields: Vec<(String, String)> = form_fields(&page, &action)
        .into_iter()
        .filter(|(k, _)| k != "roles")
        .collect();
    fields.extend(roles.iter().map(|r| ("roles".to_owned(), (*r).to_owned())));
    fields
}

#[tokio::test]
async fn a_change_of_roles_ends_the_users_sessions() {
    let app = TestApp::spawn().await;
    let url = base_url(&app);
    let admin_id = app
        .create_user("rc.admin", &[Role::Admin, Role::CsManager])
        .await;
    let agent_id = app.create_user("rc.agent", &[Role::Agent]).await;
    let (admin, admin_jar) = browser(&app);
    assert_eq!(admin.sign_in("rc.admin", TEST_PASSWORD).await.status(), 303);
    let (agent, agent_jar) = browser(&app);
    assert_eq!(agent.sign_in("rc.agent", TEST_PASSWORD).await.status(), 303);
    let before = cookie_value(&agent_jar, &url, SESSION).expect("signed in");

    // The administrator makes the agent a complaint specialist on the Users page: the
    // agent's sign-in ends, and its id does not come back.
    let fields = with_roles(&admin, agent_id, &["complaint_specialist"]).await;
    let res = admin
        .client
        .post(admin.url(&format!("/admin/users/{agent_id}")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    assert!(!staff_alive(&app, &before).await, "the old session ended");
    let res = agent.get("/").await;
    assert_eq!(res.status(), 303);
    assert!(location(&res).starts_with("/login"));
    // Signing in again gives a new id, with the new role.
    assert_eq!(agent.sign_in("rc.agent", TEST_PASSWORD).await.status(), 303);
    let after = cookie_value(&agent_jar, &url, SESSION).expect("signed in again");
    assert_ne!(after, before);
    assert_eq!(agent.get("/complaints").await.status(), 200);

    // Over the API the same.
    let api = ApiClient::new(&app, &app.token_for(admin_id).await);
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{agent_id}"),
            &json!({"roles": ["agent"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert!(!staff_alive(&app, &after).await);
    // A change that leaves the roles as they were keeps the sessions.
    assert_eq!(agent.sign_in("rc.agent", TEST_PASSWORD).await.status(), 303);
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/users/{agent_id}"),
            &json!({"display_name": "荣客服", "roles": ["agent"]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(agent.get("/").await.status(), 200, "no role changed");

    // The administrator changes their own roles: their browser carries on under a new id,
    // and the old one is dead.
    let own_before = cookie_value(&admin_jar, &url, SESSION).expect("signed in");
    let fields = with_roles(&admin, admin_id, &["admin"]).await;
    let res = admin
        .client
        .post(admin.url(&format!("/admin/users/{admin_id}")))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let own_after = cookie_value(&admin_jar, &url, SESSION).expect("a new session");
    assert_ne!(own_after, own_before);
    assert!(!staff_alive(&app, &own_before).await);
    assert_eq!(admin.get("/admin/users").await.status(), 200);

    let entries = app.audit_entries("roles_changed").await;
    assert_eq!(entries.len(), 3);
    for e in &entries {
        let detail: serde_json::Value =
            serde_json::from_str(e.detail.as_deref().unwrap_or("{}")).unwrap();
        assert!(
            detail["sessions_ended"].as_u64().is_some_and(|n| n >= 1),
            "{detail}"
        );
    }
    let me = json_body(api.get(&format!("/api/v1/users/{admin_id}")).await).await;
    assert_eq!(me["roles"], json!(["admin"]));
    app.stop().await;
}

#[tokio::test]
async fn every_cookie_kefu_sets_is_http_only_and_same_site() {
    let app = TestApp::spawn().await;
    app.create_user("ck.zhao", &[Role::Agent]).await;
    let mut cookies: Vec<String> = Vec::new();
    let mut keep = |res: &reqwest::Response| {
        for v in res.headers().get_all("set-cookie") {
            cookies.push(v.to_str().unwrap().to_owned());
        }
    };
    let s = anonymous(&app);
    keep(&s.get("/login").await);
    let res = s.sign_in("ck.zhao", TEST_PASSWORD).await;
    keep(&res);
    keep(&s.post_form("/logout", &[]).await);
    let c = anonymous(&app);
    keep(&c.get("/support").await);
    keep(
        &c.post_form(
            "/portal/register",
            &[
                ("email", "ck.customer@example.com"),
                ("name", "赵女士"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await,
    );
    keep(&c.post_form("/portal/logout", &[]).await);
    for name in ["kefu_csrf=", "kefu_session=", "kefu_portal="] {
        assert!(
            cookies.iter().any(|c| c.starts_with(name)),
            "{name} was set: {cookies:?}"
        );
    }
    for c in &cookies {
        assert!(
            c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.contains("Path=/"),
            "{c}"
        );
    }
    app.stop().await;
}
