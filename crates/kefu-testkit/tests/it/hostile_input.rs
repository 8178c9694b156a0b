//! Hostile input at the edge: control characters and bytes that are not UTF-8 in JSON
//! bodies, query strings, urlencoded and multipart forms are refused where they enter,
//! naming the field, the same on SQLite and PostgreSQL (which would otherwise answer a NUL
//! with a 500 where SQLite stores it); and a key outside a closed set (a priority, a stage)
//! is answered with the keys that are allowed.

use kefu_domain::Role;
use kefu_domain::complaint::Stage;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::tickets::count_tickets;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";

async fn agent(app: &TestApp, username: &str) -> (ApiClient, Session) {
    let id = app.create_user(username, &[Role::Agent]).await;
    let api = ApiClient::new(app, &app.token_for(id).await);
    (api, app.login(username, TEST_PASSWORD).await)
}

async fn message_count(app: &TestApp) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM ticket_messages")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

/// The status and the JSON error of an API answer.
async fn refusal(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, json_body(res).await["error"].clone())
}

/// Posts a urlencoded body exactly as given (bytes that are not UTF-8 included).
async fn post_raw_form(s: &Session, path: &str, body: Vec<u8>) -> reqwest::Response {
    s.client
        .post(s.url(path))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("POST")
}

#[tokio::test]
async fn control_characters_in_json_are_refused_by_path_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let (api, _) = agent(&app, "nul.json").await;

    let cases = [
        (json!({"subject": "a\u{0}b", "body": "x"}), "subject"),
        (json!({"subject": "x", "body": "响铃\u{7}"}), "body"),
        (
            json!({"subject": "x", "body": "x", "customer_name": "王\u{7f}"}),
            "customer_name",
        ),
        (
            json!({"subject": "x", "body": "x", "tags": ["ok", "b\u{1b}[31m"]}),
            "tags[1]",
        ),
        (
            json!({"subject": "x", "body": "x", "fields": {"k\u{0}": "v"}}),
            "fields.k\\0",
        ),
        (json!({"subject": "x\u{ffff}", "body": "x"}), "subject"),
    ];
    for (body, path) in cases {
        let (status, error) = refusal(api.json(Method::POST, "/api/v1/tickets", &body).await).await;
        assert_eq!(status, 400, "{body} → {error}");
        assert_eq!(error["code"], "control_character", "{body}");
        assert_eq!(error["detail"], path, "{body}");
        assert!(
            error["message"].as_str().unwrap().contains(path),
            "the message names the field: {error}"
        );
    }
    assert_eq!(count_tickets(&app).await, 0, "no refused ticket was stored");

    // Tab, line feed and carriage return are text, not control characters.
    let res = api
        .json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "换行\t测试", "body": "第一行\r\n第二行"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let t = json_body(res).await;
    assert_eq!(t["subject"], "换行\t测试");
    let id = t["id"].as_i64().unwrap();

    // Changes and replies go through the same check.
    let before = message_count(&app).await;
    let (status, error) = refusal(
        api.json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"subject": "改\u{0}名"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["detail"].as_str()), (400, Some("subject")));
    let (status, error) = refusal(
        api.json(
            Method::POST,
            &format!("/api/v1/tickets/{id}/messages"),
            &json!({"body": "回复\u{0}"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, error["detail"].as_str()), (400, Some("body")));
    assert_eq!(message_count(&app).await, before);
    let t = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(t["ticket"]["subject"], "换行\t测试");
    app.stop().await;
}

#[tokio::test]
async fn query_strings_with_control_characters_or_bad_utf8_are_refused_not_500() {
    let app = TestApp::spawn().await;
    let (api, s) = agent(&app, "nul.query").await;

    for (path, code) in [
        ("/api/v1/search?q=a%00b", "control_character"),
        ("/api/v1/tickets?q=a%00b", "control_character"),
        ("/api/v1/tickets?q=a%1Bb", "control_character"),
        ("/api/v1/search?q=bad%FF%FE", "invalid_utf8"),
    ] {
        let (status, error) = refusal(api.get(path).await).await;
        assert_eq!(status, 400, "{path} → {error}");
        assert_eq!(error["code"], code, "{path}");
        assert_eq!(error["detail"], "q", "{path}");
    }
    // A tab is fine.
    assert!(
        api.get("/api/v1/search?q=a%09b")
            .await
            .status()
            .is_success()
    );

    // The page answers in the reader's language, as a page.
    let res = s.get("/search?q=a%00b").await;
    assert_eq!(res.status(), 400);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = res.text().await.unwrap();
    assert!(page.contains("控制字符"), "{page}");
    let res = s.get("/search?q=bad%FF%FE").await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("UTF-8"));
    assert_eq!(s.get("/search?q=%E9%80%80%E8%B4%A7").await.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_page_form_that_is_not_utf8_or_holds_a_control_character_stores_nothing() {
    let app = TestApp::spawn().await;
    let (_, s) = agent(&app, "bad.form").await;
    let csrf = s.csrf().await;
    let form = |subject: &[u8]| -> Vec<u8> {
        let mut body =
            format!("_csrf={csrf}&type=inquiry&channel=phone&priority=normal&body=x").into_bytes();
        body.extend_from_slice(b"&subject=");
        body.extend_from_slice(subject);
        body
    };

    // Percent-encoded bytes that are not UTF-8, then the same bytes raw.
    for subject in [&b"bad%FF%FE"[..], &b"bad\xff\xfe"[..]] {
        let res = post_raw_form(&s, "/tickets", form(subject)).await;
        assert_eq!(res.status(), 400, "{}", String::from_utf8_lossy(subject));
        let page = res.text().await.unwrap();
        assert!(
            page.contains("UTF-8") && page.contains("“subject”"),
            "{page}"
        );
    }
    // A NUL and an escape character.
    for subject in [&b"a%00b"[..], &b"a%1B%5B31m"[..]] {
        let res = post_raw_form(&s, "/tickets", form(subject)).await;
        assert_eq!(res.status(), 400);
        assert!(res.text().await.unwrap().contains("控制字符"));
    }
    assert_eq!(count_tickets(&app).await, 0, "no refused ticket was stored");

    // A forged form is still refused as forged, whatever its text.
    let forged = b"_csrf=nope&subject=bad%FF&body=x".to_vec();
    assert_eq!(post_raw_form(&s, "/tickets", forged).await.status(), 403);

    // The same form with clean text goes through.
    let res = post_raw_form(&s, "/tickets", form("正常标题".as_bytes())).await;
    assert_eq!(res.status(), 303);
    assert_eq!(count_tickets(&app).await, 1);
    app.stop().await;
}

#[tokio::test]
async fn control_characters_in_multipart_text_fields_are_refused() {
    let app = TestApp::spawn().await;
    let (api, s) = agent(&app, "bad.multipart").await;
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "包装破损", "body": "见照片"}),
        )
        .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let csrf = s.csrf().await;
    let before = message_count(&app).await;
    let reply = |form: Form| {
        s.client
            .post(s.url(&format!("/tickets/{id}/reply")))
            .multipart(form)
            .send()
    };

    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("body", "已收到\u{1}照片")
        .text("visibility", "public");
    let res = reply(form).await.unwrap();
    assert_eq!(res.status(), 400);
    let page = res.text().await.unwrap();
    assert!(
        page.contains("控制字符") && page.contains("“body”"),
        "{page}"
    );

    let form = Form::new()
        .text("_csrf", csrf.clone())
        .part("body", Part::bytes(b"bad\xff\xfe".to_vec()))
        .text("visibility", "public")
        .part("files", Part::bytes(PNG.to_vec()).file_name("照片.png"));
    let res = reply(form).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("UTF-8"));

    // A file name is text too (a noncharacter: C0 controls cannot pass a part's header).
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("body", "见附件")
        .text("visibility", "public")
        .part(
            "files",
            Part::bytes(PNG.to_vec()).file_name("照\u{ffff}片.png"),
        );
    let res = reply(form).await.unwrap();
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("控制字符"));
    assert_eq!(
        message_count(&app).await,
        before,
        "no refused reply was stored"
    );

    // Over the API, with the JSON error shape.
    let form = Form::new()
        .text("note", "a\u{0}b")
        .part("files", Part::bytes(PNG.to_vec()).file_name("a.png"));
    let res = api
        .request(Method::POST, &format!("/api/v1/tickets/{id}/attachments"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, error) = refusal(res).await;
    assert_eq!(status, 400, "{error}");
    assert_eq!(error["code"], "control_character");
    assert_eq!(error["detail"], "note");
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_key_is_answered_with_the_allowed_values() {
    let app = TestApp::spawn().await;
    let (api, _) = agent(&app, "bad.key").await;

    let (status, error) = refusal(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "x", "body": "x", "priority": "ultra"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["code"], "unknown_value");
    for part in ["priority", "ultra", "low, normal, high, urgent"] {
        assert!(error["detail"].as_str().unwrap().contains(part), "{error}");
        assert!(error["message"].as_str().unwrap().contains(part), "{error}");
    }
    assert_eq!(count_tickets(&app).await, 0);

    let (status, error) = refusal(
        api.json(
            Method::POST,
            "/api/v1/customers",
            &json!({"name": "杭州明达", "status": "x"}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (422, Some("unknown_value"))
    );
    assert!(
        error["detail"].as_str().unwrap().starts_with("status: "),
        "{error}"
    );
    assert!(
        error["detail"].as_str().unwrap().contains("active"),
        "{error}"
    );

    // Query parameters too.
    let stages: Vec<&str> = Stage::ALL.iter().map(|s| s.key()).collect();
    let (status, error) = refusal(api.get("/api/v1/complaints?stage=nope").await).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (422, Some("unknown_value"))
    );
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .contains(&stages.join(", ")),
        "{error}"
    );
    let (status, error) = refusal(api.get("/api/v1/scripts?status=x").await).await;
    assert_eq!(status, 422);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("proposed, approved, rejected"),
        "{error}"
    );
    let (status, error) = refusal(api.get("/api/v1/tickets?sort=colour").await).await;
    assert_eq!(status, 422);
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .contains("updated, created, priority, due")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let (api, _) = agent(&app, "array.body").await;
    let before = count_tickets(&app).await;
    for body in [json!([]), json!(["来电", "咨询"]), json!("来电"), json!(42)] {
        let (status, error) = refusal(api.json(Method::POST, "/api/v1/tickets", &body).await).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(error["code"], "invalid_field", "{body}");
    }
    assert_eq!(count_tickets(&app).await, before);
    app.stop().await;
}

#[tokio::test]
async fn unknown_roles_levels_and_locales_of_an_account_are_answered_with_the_allowed_ones() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("guan.li", &[Role::Admin]).await;
    let api = ApiClient::new(&app, &app.token_for(admin).await);
    let before = json_body(api.get("/api/v1/users").await).await;

    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.key()).collect();
    let levels: Vec<&str> = kefu_domain::StaffLevel::ALL
        .iter()
        .map(|l| l.key())
        .collect();
    let locales: Vec<&str> = kefu_domain::Locale::ALL.iter().map(|l| l.key()).collect();
    for (patch, field, allowed) in [
        (
            json!({"roles": ["agent", "boss"]}),
            "roles",
            roles.join(", "),
        ),
        (json!({"level": "boss"}), "level", levels.join(", ")),
        (json!({"locale": "boss"}), "locale", locales.join(", ")),
    ] {
        let mut body = json!({"username": "x.key", "display_name": "x", "roles": ["agent"]});
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, error) = refusal(api.json(Method::POST, "/api/v1/users", &body).await).await;
        assert_eq!(status, 422, "{body} → {error}");
        assert_eq!(error["code"], "unknown_value", "{body}");
        for part in [field, "boss", allowed.as_str()] {
            assert!(error["detail"].as_str().unwrap().contains(part), "{error}");
            assert!(error["message"].as_str().unwrap().contains(part), "{error}");
        }
    }
    assert_eq!(json_body(api.get("/api/v1/users").await).await, before);

    // Changing an account is answered the same, and changes nothing.
    let (status, error) = refusal(
        api.json(
            Method::PATCH,
            &format!("/api/v1/users/{admin}"),
            &json!({"roles": ["admin", "boss"]}),
        )
        .await,
    )
    .await;
    assert_eq!(
        (status, error["code"].as_str()),
        (422, Some("unknown_value"))
    );
    assert!(
        error["detail"]
            .as_str()
            .unwrap()
            .contains(&roles.join(", ")),
        "{error}"
    );
    app.stop().await;
}

#[tokio::test]
async fn an_unknown_ticket_status_is_answered_with_the_statuses_there_are() {
    let app = TestApp::spawn().await;
    let (api, _) = agent(&app, "bad.status").await;
    app.create_user("status.admin", &[Role::Admin]).await;
    let admin = app.login("status.admin", TEST_PASSWORD).await;
    let res = admin
        .post_form(
            "/admin/ticket-settings/statuses",
            &[
                ("key", "waiting_parts"),
                ("category", "pending_internal"),
                ("name_zh", "等待备件"),
                ("name_en", "Waiting for parts"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "状态", "body": "x"}),
        )
        .await,
    )
    .await;
    let id = t["id"].as_i64().unwrap();
    let (status, error) = refusal(
        api.json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "sleeping"}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{error}");
    assert_eq!(error["code"], "unknown_status");
    for part in [
        "sleeping",
        "new, open, pending_customer, pending_internal",
        "waiting_parts",
    ] {
        assert!(error["detail"].as_str().unwrap().contains(part), "{error}");
        assert!(error["message"].as_str().unwrap().contains(part), "{error}");
    }
    let t = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    assert_eq!(t["ticket"]["status"], "new", "nothing changed");
    app.stop().await;
}

async fn count_complaints(app: &TestApp) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM complaints")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_page_form_with_an_unknown_key_is_refused_not_given_a_default() {
    let app = TestApp::spawn().await;
    let (_, s) = agent(&app, "bad.form").await;

    // A complaint with a category no select offers.
    let res = s
        .post_form(
            "/complaints",
            &[
                ("complainant", "赵先生"),
                ("channel", "phone"),
                ("content", "收到的 5 台空调外壳破损"),
                ("category", "bogus"),
                ("severity", "major"),
            ],
        )
        .await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert!(status == 422 || status == 400, "{status}");
    assert!(body.contains("bogus"), "the value is named");
    assert!(
        body.contains("quality, delivery, service, billing, installation, other"),
        "the allowed categories are listed"
    );
    assert_eq!(count_complaints(&app).await, 0, "no complaint as 其他");

    // A ticket with a priority no select offers.
    let res = s
        .post_form(
            "/tickets",
            &[
                ("type", "inquiry"),
                ("channel", "phone"),
                ("priority", "bogus"),
                ("subject", "来电咨询"),
                ("body", "客户询问发货时间"),
            ],
        )
        .await;
    let status = res.status().as_u16();
    let body = res.text().await.unwrap();
    assert!(status == 422 || status == 400, "{status}");
    assert!(body.contains("low, normal, high, urgent"), "{body}");
    assert!(body.contains("来电咨询"), "what was typed comes back");
    assert_eq!(count_tickets(&app).await, 0, "no ticket as 普通");

    // An empty choice keeps the form's default.
    let res = s
        .post_form(
            "/tickets",
            &[
                ("priority", ""),
                ("subject", "来电咨询"),
                ("body", "客户询问发货时间"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    assert_eq!(count_tickets(&app).await, 1);

    // A queue filter is refused the same, not ignored.
    let res = s.get("/tickets?priority=bogus").await;
    assert_eq!(res.status(), 422);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("low, normal, high, urgent")
    );
    app.stop().await;
}
