//! 跨站请求伪造 — beyond `hardening.rs`: an `Origin` of `null` (a sandboxed frame, a
//! redirect across sites) or of another port is another site's, on the sign-in form, the
//! portal's and an upload (checked before the body is read, nothing stored); and a browser's
//! cookies are worth nothing to the API, which takes bearer tokens only.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::{PNG, anonymous, count};

#[tokio::test]
async fn origins_that_are_not_kefus_are_refused_on_every_kind_of_form() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("cs.qian", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let other_port = {
        let port: u16 = app.base.rsplit(':').next().unwrap().parse().unwrap();
        format!("http://127.0.0.1:{}", port.wrapping_add(1))
    };
    let foreign = ["null", other_port.as_str(), "https://evil.example"];

    // The sign-in form: the right password and token, sent from elsewhere, signs nobody in.
    let visitor = anonymous(&app);
    let token = visitor.csrf().await;
    for origin in foreign {
        let res = visitor
            .client
            .post(visitor.url("/login"))
            .header("origin", origin)
            .form(&[
                ("_csrf", token.as_str()),
                ("username", "cs.qian"),
                ("password", TEST_PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{origin}");
        assert!(
            res.headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap().starts_with("kefu_session=")),
            "{origin}: no session"
        );
    }
    // The portal's registration likewise.
    for origin in foreign {
        let res = visitor
            .client
            .post(visitor.url("/portal/register"))
            .header("origin", origin)
            .form(&[
                ("_csrf", token.as_str()),
                ("email", "cs.customer@example.com"),
                ("name", "钱女士"),
                ("password", TEST_PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{origin}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM portal_customers").await,
        0
    );

    // An upload with a good token from another site: refused, no message, no file.
    let ticket = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "包装破损", "body": "见照片"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let s = app.login("cs.qian", TEST_PASSWORD).await;
    let token = s.csrf().await;
    let messages = count(&app, "SELECT COUNT(*) FROM ticket_messages").await;
    for origin in foreign {
        let form = Form::new()
            .text("_csrf", token.clone())
            .text("body", "已收到照片")
            .text("visibility", "public")
            .part("files", Part::bytes(PNG.to_vec()).file_name("破损.png"));
        let res = s
            .client
            .post(s.url(&format!("/tickets/{ticket}/reply")))
            .header("origin", origin)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{origin}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ticket_messages").await,
        messages
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ticket_attachments").await,
        0
    );

    let refused = app.audit_entries("csrf_rejected").await;
    assert_eq!(refused.len(), 3 * foreign.len());
    for e in &refused {
        let detail = e.detail.clone().unwrap_or_default();
        assert!(
            detail.contains("\"reason\":\"cross_site\"")
                && detail.contains("\"header\":\"origin\""),
            "{detail}"
        );
    }

    // kefu's own origin passes: the same form works.
    let token = visitor.csrf().await;
    let res = visitor
        .client
        .post(visitor.url("/login"))
        .header("origin", app.base.as_str())
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "cs.qian"),
            ("password", TEST_PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    app.stop().await;
}

#[tokio::test]
async fn a_browser_session_opens_no_door_to_the_api() {
    let app = TestApp::spawn().await;
    app.create_user("cs.sun", &[Role::Agent]).await;
    let s = app.login("cs.sun", TEST_PASSWORD).await;
    let token = s.csrf().await;
    // Signed in, with the page's token in the header scripts use: the API still wants a
    // bearer token, so a page elsewhere that makes the browser call it gets nowhere.
    let res = s.get("/api/v1/me").await;
    assert_eq!(res.status(), 401);
    assert_eq!(json_body(res).await["error"]["code"], "unauthorized");
    let res = s
        .client
        .post(s.url("/api/v1/tickets"))
        .header("x-csrf-token", token.as_str())
        .json(&json!({"subject": "伪造", "body": "伪造"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = s
        .client
        .post(s.url("/api/v1/tickets"))
        .header("content-type", "text/plain")
        .body(r#"{"subject": "伪造", "body": "伪造"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a form-like simple request too");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);
    app.stop().await;
}
