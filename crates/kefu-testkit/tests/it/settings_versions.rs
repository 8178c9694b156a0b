//! Settings carry versions like tickets, customers and complaints: a settings form sent
//! from a version no longer stored saves nothing and comes back (409) with the reader's
//! input kept and the other administrator's values named; the API's conditional writes
//! (`If-Match`) are exactly the ones the OpenAPI document says.

use kefu_app::Actor;
use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, form_fields, json_body};
use reqwest::Method;
use serde_json::{Value, json};

async fn post(s: &Session, path: &str, form: &[(String, String)]) -> reqwest::Response {
    // The form as scraped carries the page's CSRF token already; post_form adds it again,
    // and the server reads the first.
    let fields: Vec<(&str, &str)> = form
        .iter()
        .filter(|(k, _)| k != "_csrf")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    s.post_form(path, &fields).await
}

/// The form posting to `action` on page `page`, as the reader's browser would send it.
async fn form(s: &Session, page: &str, action: &str) -> Vec<(String, String)> {
    let res = s.get(page).await;
    assert_eq!(res.status(), 200, "{page}");
    form_fields(&res.text().await.unwrap(), action)
}

fn with(form: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    form.iter()
        .map(|(k, v)| {
            let v = if k == key {
                value.to_owned()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

fn saved(status: reqwest::StatusCode) -> bool {
    status.is_redirection() || status == 200 || status == 201
}

/// The settings the admin pages edit, one record of each: (edit page, form action).
async fn settings_pages(app: &TestApp, admin: &Session, api: &ApiClient) -> Vec<(String, String)> {
    let system = Actor::system();
    let res = admin
        .post_form(
            "/admin/groups",
            &[
                ("name", "售后组"),
                ("manager", ""),
                ("assignment", "manual"),
            ],
        )
        .await;
    assert!(saved(res.status()), "group created");
    let group = app.app.ticket_groups(&system).await.unwrap()[0].id;
    let policy = app.app.sla_policies(&system).await.unwrap()[0].id;
    let calendar = app.app.calendars(&system).await.unwrap()[0].id;
    let res = admin
        .post_form(
            "/admin/triggers",
            &[
                ("name", "新工单加标签"),
                ("event", "create"),
                ("position", "10"),
                ("active", "1"),
                ("a0_action", "add_tag"),
                ("a0_text", "新"),
            ],
        )
        .await;
    assert!(saved(res.status()), "trigger created");
    let trigger = app.app.triggers(&system).await.unwrap()[0].row.id;
    let user = app.create_user("zhou.agent", &[Role::Agent]).await;
    let res = api
        .json(
            Method::POST,
            "/api/v1/scripts",
            &json!({"category": "售后", "title": "退货流程", "body": "您好，退货请……"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let script = json_body(res).await["id"].as_i64().unwrap();
    [
        format!("/admin/groups/{group}"),
        format!("/admin/sla/policies/{policy}"),
        format!("/admin/calendars/{calendar}"),
        format!("/admin/triggers/{trigger}"),
        format!("/admin/users/{user}"),
        format!("/scripts/{script}"),
        "/admin/credit".to_owned(),
        "/admin/complaint-deadlines".to_owned(),
    ]
    .into_iter()
    .map(|p| (p.clone(), p))
    .collect()
}

#[tokio::test]
async fn every_settings_form_sent_from_an_older_version_is_refused_and_comes_back() {
    let app = TestApp::spawn().await;
    let admin_id = app
        .create_user("qi.admin", &[Role::Admin, Role::CsManager])
        .await;
    let admin = app.login("qi.admin", TEST_PASSWORD).await;
    let api = ApiClient::new(&app, &app.token_for(admin_id).await);
    for (page, action) in settings_pages(&app, &admin, &api).await {
        let first = form(&admin, &page, &action).await;
        assert!(
            first.iter().any(|(k, v)| k == "version" && !v.is_empty()),
            "{page}: the form carries its version"
        );
        // Saved once: the setting moves on to the next version.
        let res = post(&admin, &action, &first).await;
        assert!(saved(res.status()), "{page}: {}", res.status());
        // The same form again is from a version no longer stored.
        let res = post(&admin, &action, &first).await;
        assert_eq!(res.status(), 409, "{page}");
        let body = res.text().await.unwrap();
        assert!(body.contains("data-testid=\"stale-changes\""), "{page}");
        // The form that came back carries the current version: sending it is a decision
        // made on what the reader now sees, and it is saved.
        let again = form_fields(&body, &action);
        let res = post(&admin, &action, &again).await;
        assert!(saved(res.status()), "{page}: {}", res.status());
    }
}

#[tokio::test]
async fn a_stale_policy_form_names_the_other_change_and_keeps_the_readers_input() {
    let app = TestApp::spawn().await;
    app.create_user("qi.admin", &[Role::Admin]).await;
    app.create_user("fang.admin", &[Role::Admin]).await;
    let a = app.login("qi.admin", TEST_PASSWORD).await;
    let b = app.login("fang.admin", TEST_PASSWORD).await;
    let system = Actor::system();
    let before = app.app.sla_policies(&system).await.unwrap()[0].clone();
    let path = format!("/admin/sla/policies/{}", before.id);

    let a_form = form(&a, &path, &path).await;
    let b_form = form(&b, &path, &path).await;
    let res = post(&a, &path, &with(&a_form, "name", "紧急工单（夜间）")).await;
    assert!(saved(res.status()));
    let res = post(&b, &path, &with(&b_form, "first_response", "20")).await;
    assert_eq!(res.status(), 409);
    let body = res.text().await.unwrap();
    let notice = &body[body.find("data-testid=\"stale-changes\"").unwrap()..];
    let notice = &notice[..notice.find("</div>").unwrap()];
    assert!(
        notice.contains("紧急工单（夜间）"),
        "the other change named: {notice}"
    );
    assert!(
        !notice.contains("工作日历"),
        "fields alike are not listed: {notice}"
    );
    let kept = form_fields(&body, &path);
    assert!(
        kept.contains(&("first_response".into(), "20".into())),
        "input kept"
    );

    // Nothing of the stale form was written.
    let now = app.app.sla_policies(&system).await.unwrap();
    let now = now.iter().find(|p| p.id == before.id).unwrap();
    assert_eq!(now.name, "紧急工单（夜间）");
    assert_eq!(now.first_response_minutes, before.first_response_minutes);
    assert_eq!(now.version, before.version + 1);
}

async fn api_for(app: &TestApp, username: &str, roles: &[Role]) -> (i64, ApiClient) {
    let id = app.create_user(username, roles).await;
    (id, ApiClient::new(app, &app.token_for(id).await))
}

fn etag(res: &reqwest::Response) -> String {
    res.headers()["etag"].to_str().unwrap().to_owned()
}

async fn send_if(api: &ApiClient, method: Method, path: &str, tag: &str, body: Value) -> u16 {
    api.request(method, path)
        .header("if-match", tag)
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn accounts_and_scripts_honour_if_match_in_the_api() {
    let app = TestApp::spawn().await;
    let (_, admin) = api_for(&app, "qi.admin", &[Role::Admin, Role::CsManager]).await;
    let agent = app.create_user("zhou.agent", &[Role::Agent]).await;
    let path = format!("/api/v1/users/{agent}");

    let res = admin.get(&path).await;
    let read = etag(&res);
    assert_eq!(read, format!("\"{}\"", json_body(res).await["version"]));
    let res = admin
        .request(Method::PATCH, &path)
        .header("if-match", &read)
        .json(&json!({"display_name": "周一"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_ne!(etag(&res), read, "the version moved on");
    let stale = send_if(
        &admin,
        Method::PATCH,
        &path,
        &read,
        json!({"display_name": "周二"}),
    )
    .await;
    assert_eq!(stale, 412);
    assert_eq!(
        json_body(admin.get(&path).await).await["display_name"],
        "周一"
    );

    let res = admin
        .json(
            Method::POST,
            "/api/v1/scripts",
            &json!({"category": "售后", "title": "退货流程", "body": "您好，退货请……"}),
        )
        .await;
    let id = json_body(res).await["id"].as_i64().unwrap();
    let list = json_body(admin.get("/api/v1/scripts?status=approved").await).await;
    let version = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == id)
        .unwrap()["version"]
        .as_i64()
        .unwrap();
    let review = format!("/api/v1/scripts/{id}/review");
    let old = format!("\"{}\"", version - 1);
    let refused = send_if(
        &admin,
        Method::POST,
        &review,
        &old,
        json!({"approve": false}),
    )
    .await;
    assert_eq!(refused, 412);
    let current = format!("\"{version}\"");
    let done = send_if(
        &admin,
        Method::POST,
        &review,
        &current,
        json!({"approve": false}),
    )
    .await;
    assert_eq!(done, 204);
}

/// Every write of the document that names a record in its path, sent with a malformed
/// `If-Match`: the ones that read the header refuse it before anything else, and they are
/// exactly those whose operation documents `If-Match`.
#[tokio::test]
async fn the_writes_that_read_if_match_are_the_ones_the_document_names() {
    let app = TestApp::spawn().await;
    let (_, admin) = api_for(&app, "qi.admin", &[Role::Admin, Role::CsManager]).await;
    let doc = json_body(
        app.client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let mut documented = Vec::new();
    let mut reading = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.contains("{id}") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            // Revoking a token is no edit of a versioned record (and would revoke ours).
            if !["post", "patch", "put"].contains(&method.as_str()) {
                continue;
            }
            let names_it = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match"));
            if names_it {
                assert!(
                    op["responses"]["412"].is_object(),
                    "{method} {path}: 412 documented"
                );
                documented.push(format!("{method} {path}"));
            }
            // Every placeholder (the id, a line's number, an extension) as 1.
            let concrete: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let res = admin
                .request(method.to_uppercase().parse().unwrap(), &concrete)
                .header("if-match", "W/\"1\"")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            if status == 400 && body.contains("If-Match") {
                reading.push(format!("{method} {path}"));
            }
        }
    }
    documented.sort();
    reading.sort();
    assert!(documented.len() >= 17, "{documented:?}");
    assert_eq!(reading, documented);
}
