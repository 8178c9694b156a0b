//! Browser and session hardening: the headers every answer carries, pages without inline
//! script for the Content-Security-Policy to allow, CSRF tokens bound to the session, form
//! posts another site sends refused, and signing in again over a stale session cookie.

use std::sync::Arc;

use kefu_app::audit::action;
use kefu_domain::{Access, Role};
use kefu_store::audit::AuditFilter;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body};
use kefu_web::Surface;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::multipart::{Form, Part};
use reqwest::{Method, Url};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

/// A browser whose cookie jar the test can read and plant cookies in.
fn browser(app: &TestApp) -> (Session, Arc<Jar>) {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let session = Session {
        client,
        base: app.base.clone(),
    };
    (session, jar)
}

fn base_url(app: &TestApp) -> Url {
    Url::parse(&app.base).expect("base URL")
}

fn cookie_value(jar: &Jar, url: &Url, name: &str) -> Option<String> {
    let header = jar.cookies(url)?;
    header.to_str().ok()?.split("; ").find_map(|pair| {
        pair.split_once('=')
            .filter(|(k, _)| *k == name)
            .map(|(_, v)| v.to_owned())
    })
}

/// A cookie put into the browser behind the server's back: one that a stale tab still holds,
/// or one planted from a sibling domain.
fn plant(jar: &Jar, url: &Url, name: &str, value: &str) {
    jar.add_cookie_str(&format!("{name}={value}; Path=/"), url);
}

async fn refusals(app: &TestApp) -> Vec<String> {
    let f = AuditFilter {
        action: Some(action::CSRF_REJECTED),
        limit: 100,
        ..Default::default()
    };
    app.app
        .audit_log(&kefu_app::Actor::system(), &f)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.detail.unwrap_or_default())
        .collect()
}

/// The headers every answer must carry; `what` names the answer in failures.
fn assert_hardened(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("{what}: no {name} header"))
            .to_owned()
    };
    let csp = get("content-security-policy");
    let directive = |name: &str| {
        csp.split(';')
            .map(str::trim)
            .find(|d| d.split_whitespace().next() == Some(name))
            .unwrap_or_else(|| panic!("{what}: no {name} in {csp}"))
            .to_owned()
    };
    assert_eq!(directive("script-src"), "script-src 'self'", "{what}");
    assert_eq!(
        directive("frame-ancestors"),
        "frame-ancestors 'none'",
        "{what}"
    );
    assert_eq!(directive("connect-src"), "connect-src 'self'", "{what}");
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{what}: {csp}"
    );
    assert_eq!(get("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(get("x-frame-options"), "DENY", "{what}");
    assert_eq!(get("referrer-policy"), "same-origin", "{what}");
    assert_eq!(get("cache-control"), "no-store", "{what}");
}

/// Some text from byte `at` on (a character boundary), for a failure message.
fn snippet(text: &str, at: usize) -> String {
    text[at..].chars().take(60).collect()
}

/// Inline script, inline event handlers, `javascript:` addresses and inline style: what the
/// policy refuses, so what no page may contain.
fn inline_code(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find("<script") {
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e);
        let tag = &rest[i..tag_end];
        if !tag.contains(" src=") {
            found.push(format!("inline script: {}", snippet(rest, i)));
        }
        rest = &rest[tag_end..];
    }
    for marker in ["<style", " style=\"", " style='", "javascript:"] {
        if let Some(i) = lower.find(marker) {
            found.push(format!("{marker}: {}", snippet(&lower, i)));
        }
    }
    // on…= attributes: " on" then letters then "=".
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices(" on") {
        let name_end = bytes[i + 3..]
            .iter()
            .position(|b| !b.is_ascii_lowercase())
            .map_or(bytes.len(), |p| i + 3 + p);
        if name_end > i + 3 && bytes.get(name_end) == Some(&b'=') {
            found.push(format!("event handler: {}", snippet(&lower, i)));
        }
    }
    found
}

#[tokio::test]
async fn every_answer_carries_the_hardening_headers() {
    let app = TestApp::spawn().await;
    let id = app.create_user("hd.zhao", &[Role::Agent]).await;
    let s = app.login("hd.zhao", TEST_PASSWORD).await;
    let api = ApiClient::new(&app, &app.token_for(id).await);

    let page = s.get("/").await;
    assert_eq!(page.status(), 200);
    assert_hardened(&page, "the dashboard");
    let login = app.client().get(app.url("/login")).send().await.unwrap();
    assert_hardened(&login, "the sign-in page");
    let answer = api.get("/api/v1/me").await;
    assert_eq!(answer.status(), 200);
    assert_hardened(&answer, "an API answer");
    let missing = s.get("/tickets/999999").await;
    assert_eq!(missing.status(), 404);
    assert_hardened(&missing, "an error page");
    let refused = app
        .client()
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
    assert_hardened(&refused, "an API error");
    let support = app.client().get(app.url("/support")).send().await.unwrap();
    assert_hardened(&support, "the public web form");

    // Static assets keep their cache time (and still get the rest).
    let css = s.get("/static/kefu.css").await;
    assert_eq!(css.headers()["cache-control"], "public, max-age=3600");
    assert_eq!(css.headers()["x-content-type-options"], "nosniff");

    // Attachments keep their own, stricter policy: shown inline, sandboxed, never framed.
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "包装破损", "body": "见照片"}),
        )
        .await,
    )
    .await;
    let ticket = t["id"].as_i64().unwrap();
    let form = Form::new().part("file", Part::bytes(PNG.to_vec()).file_name("破损.png"));
    let files = json_body(
        api.request(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/attachments"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap(),
    )
    .await;
    let aid = files[0]["id"].as_i64().unwrap();
    let file = s.get(&format!("/tickets/{ticket}/attachments/{aid}")).await;
    assert_eq!(file.status(), 200);
    let h = file.headers();
    assert_eq!(h["content-type"], "image/png");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline"),
        "an image is shown in the browser"
    );
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(file.bytes().await.unwrap().as_ref(), PNG);
    app.stop().await;
}

#[tokio::test]
async fn no_page_needs_inline_script_or_style() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("hd.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    // Something for the pages with an id to show: a customer and a ticket.
    api.json(
        Method::POST,
        "/api/v1/customers",
        &json!({"name": "杭州明达贸易有限公司", "contacts": [{"name": "王经理", "mobile": "13812345678"}]}),
    )
    .await;
    api.json(
        Method::POST,
        "/api/v1/tickets",
        &json!({"subject": "询问发票", "body": "发票什么时候寄出？"}),
    )
    .await;
    app.create_user("hd.everyone", &Role::ALL).await;
    let staff = app.login("hd.everyone", TEST_PASSWORD).await;
    let customer = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = customer
        .post_form(
            "/portal/register",
            &[
                ("email", "hd@example.com"),
                ("name", "走查客户"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303, "the customer registers");

    let mut failures = Vec::new();
    let mut pages = 0;
    for spec in kefu_web::route_specs() {
        if spec.surface != Surface::Page || spec.method != Method::GET {
            continue;
        }
        let path = spec.path.replace("{id}", "1").replace("{attachment}", "1");
        let who = if spec.access == Access::Customer {
            &customer
        } else {
            &staff
        };
        let res = who.get(&path).await;
        assert_hardened(&res, &path);
        let html = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        // Exports, files and the live event stream are not pages (and the stream never
        // ends): only HTML is read.
        if !html {
            continue;
        }
        pages += 1;
        let body = res.text().await.unwrap();
        for problem in inline_code(&body) {
            failures.push(format!("{path}: {problem}"));
        }
    }
    assert!(pages > 30, "only {pages} pages were walked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    app.stop().await;
}

#[tokio::test]
async fn a_csrf_token_counts_only_in_the_session_it_was_made_for() {
    let app = TestApp::spawn().await;
    let url = base_url(&app);
    app.create_user("hd.li", &[Role::Agent]).await;
    app.create_user("hd.wang", &[Role::Agent]).await;
    let li = app.login("hd.li", TEST_PASSWORD).await;
    let li_token = li.csrf().await;
    let (wang, wang_jar) = browser(&app);
    assert_eq!(wang.sign_in("hd.wang", TEST_PASSWORD).await.status(), 303);

    // Li's token, with a CSRF cookie to match planted in Wang's browser (a sibling domain
    // can set cookies for kefu's host): refused, and nothing changes.
    plant(&wang_jar, &url, "kefu_csrf", &li_token);
    let res = wang
        .client
        .post(wang.url("/account/locale"))
        .form(&[("_csrf", li_token.as_str()), ("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(wang.get("/").await.text().await.unwrap().contains("工作台"));

    // Nor does a sign-in page's token, taken with its pre-session cookie from another
    // browser, act in a signed-in session.
    let (anonymous, anonymous_jar) = browser(&app);
    let login_token = anonymous.csrf().await;
    let pre_session = cookie_value(&anonymous_jar, &url, "kefu_csrf").expect("pre-session");
    plant(&wang_jar, &url, "kefu_csrf", &pre_session);
    let res = wang
        .client
        .post(wang.url("/account/locale"))
        .form(&[("_csrf", login_token.as_str()), ("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // The anonymous browser's own token still signs it in.
    assert_eq!(
        anonymous.sign_in("hd.li", TEST_PASSWORD).await.status(),
        303
    );

    // Each session's own token works.
    assert_eq!(
        wang.post_form("/account/locale", &[("locale", "en")])
            .await
            .status(),
        303
    );
    assert_eq!(
        li.post_form("/account/locale", &[("locale", "en")])
            .await
            .status(),
        303
    );
    let refused = refusals(&app).await;
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|d| d.contains("\"reason\":\"token\"") && d.contains("/account/locale")),
        "{refused:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_form_another_site_sends_is_refused_even_with_a_good_token() {
    let app = TestApp::spawn().await;
    app.create_user("hd.qian", &[Role::Agent]).await;
    let s = app.login("hd.qian", TEST_PASSWORD).await;
    let token = s.csrf().await;
    let post = |headers: &[(&'static str, &str)]| {
        let mut req = s
            .client
            .post(s.url("/account/locale"))
            .form(&[("_csrf", token.as_str()), ("locale", "en")]);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    let res = post(&[("sec-fetch-site", "cross-site")]).await.unwrap();
    assert_eq!(res.status(), 403);
    let res = post(&[("origin", "https://evil.example")]).await.unwrap();
    assert_eq!(res.status(), 403);
    let res = post(&[("sec-fetch-site", "same-site")]).await.unwrap();
    assert_eq!(res.status(), 403, "a sibling subdomain is another site too");
    assert!(
        s.get("/").await.text().await.unwrap().contains("工作台"),
        "the language did not change"
    );
    let refused = refusals(&app).await;
    assert_eq!(refused.len(), 3, "{refused:?}");
    assert!(
        refused
            .iter()
            .all(|d| d.contains("\"reason\":\"cross_site\"")),
        "{refused:?}"
    );
    assert!(refused.iter().any(|d| d.contains("https://evil.example")));

    // From kefu's own pages it passes; so does a client that says nothing of its origin.
    let res = post(&[
        ("sec-fetch-site", "same-origin"),
        ("origin", app.base.as_str()),
    ])
    .await
    .unwrap();
    assert_eq!(res.status(), 303);
    let res = post(&[]).await.unwrap();
    assert_eq!(res.status(), 303);

    // The public web form works from its own page and not from anyone else's.
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let page = visitor.get("/support").await.text().await.unwrap();
    let token = kefu_testkit::extract_csrf(&page).expect("the web form carries a token");
    let fields = |t: &str| {
        vec![
            ("_csrf".to_owned(), t.to_owned()),
            ("name".to_owned(), "周先生".to_owned()),
            ("phone".to_owned(), "13712345678".to_owned()),
            ("subject".to_owned(), "热水器显示 E3 故障".to_owned()),
            ("body".to_owned(), "无法加热。".to_owned()),
        ]
    };
    let res = visitor
        .client
        .post(visitor.url("/support"))
        .header("origin", "https://evil.example")
        .form(&fields(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = visitor
        .client
        .post(visitor.url("/support"))
        .header("origin", app.base.as_str())
        .header("sec-fetch-site", "same-origin")
        .form(&fields(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("您的工单号是 KF"));
    app.stop().await;
}

#[tokio::test]
async fn signing_in_over_a_stale_session_cookie_keeps_the_new_session() {
    let app = TestApp::spawn().await;
    let url = base_url(&app);
    app.create_user("hd.sun", &[Role::Agent]).await;
    let (s, jar) = browser(&app);
    assert_eq!(s.sign_in("hd.sun", TEST_PASSWORD).await.status(), 303);
    let stale = cookie_value(&jar, &url, "kefu_session").expect("signed in");

    // The password is changed from another device: this browser's session ends.
    let phone = app.login("hd.sun", TEST_PASSWORD).await;
    let new_password = "另一个足够长的新密码";
    let res = phone
        .post_form(
            "/account/password",
            &[
                ("current", TEST_PASSWORD),
                ("new", new_password),
                ("confirm", new_password),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // The sign-in page this browser shows (reading it drops the dead cookie from the jar;
    // a tab opened before keeps sending it, so it is put back).
    let token = s.csrf().await;
    plant(&jar, &url, "kefu_session", &stale);
    let res = s
        .client
        .post(s.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "hd.sun"),
            ("password", new_password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let home = s.get("/").await;
    assert_eq!(
        home.status(),
        200,
        "signed in, not sent back to the sign-in page"
    );
    assert!(home.text().await.unwrap().contains("dashboard-title"));

    // The same for a portal customer who signed out in another tab.
    let (c, cjar) = browser(&app);
    let res = c
        .post_form(
            "/portal/register",
            &[
                ("email", "hd.sun@example.com"),
                ("name", "孙女士"),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let stale = cookie_value(&cjar, &url, "kefu_portal").expect("signed in to the portal");
    let (other_tab, other_jar) = browser(&app);
    plant(&other_jar, &url, "kefu_portal", &stale);
    assert_eq!(
        other_tab.post_form("/portal/logout", &[]).await.status(),
        303
    );
    let token = c.csrf().await;
    plant(&cjar, &url, "kefu_portal", &stale);
    let res = c
        .client
        .post(c.url("/portal/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("email", "hd.sun@example.com"),
            ("password", TEST_PASSWORD),
            ("next", "/portal"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let home = c.get("/portal").await;
    assert_eq!(home.status(), 200, "signed in to the portal");
    assert!(home.text().await.unwrap().contains("孙女士"));
    app.stop().await;
}
