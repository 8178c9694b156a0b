//! 上传 — what an upload may be: SVG and HTML are refused whatever they are called; text
//! that is HTML inside, and a picture that is also a page (a polyglot), are served so no
//! browser runs them (`nosniff`, a sandbox, a download); limits per file, per request and
//! per message hold with nothing stored; a name with directories in it keeps only its
//! last part.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{PNG, count};

/// An SVG as drawing programs save it (an XML declaration first).
const SVG: &[u8] = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" \
    onload=\"alert(1)\"><script>alert(2)</script></svg>";
/// An SVG as a script writes it.
const BARE_SVG: &[u8] = b"<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"></svg>";
const HTML: &[u8] = b"<!doctype html><html><body><script>alert(1)</script></body></html>";

async fn ticket(api: &ApiClient) -> i64 {
    json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "包装破损", "body": "见照片"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

/// Uploads `files` (name, bytes) to the ticket through the API: the status and the answer.
async fn upload(api: &ApiClient, ticket: i64, files: &[(&str, &[u8])]) -> (u16, Value) {
    let mut form = Form::new();
    for (name, bytes) in files {
        form = form.part(
            "file",
            Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/attachments"),
        )
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

/// Posts a reply with `files` from the ticket page.
async fn reply(s: &Session, ticket: i64, files: &[(&str, &[u8])]) -> reqwest::Response {
    let mut form = Form::new()
        .text("_csrf", s.csrf().await)
        .text("body", "见附件")
        .text("visibility", "public");
    for (name, bytes) in files {
        form = form.part(
            "files",
            Part::bytes(bytes.to_vec()).file_name((*name).to_owned()),
        );
    }
    s.client
        .post(s.url(&format!("/tickets/{ticket}/reply")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn agent(app: &TestApp, name: &str) -> (ApiClient, Session) {
    let id = app.create_user(name, &[Role::Agent]).await;
    (
        ApiClient::new(app, &app.token_for(id).await),
        app.login(name, TEST_PASSWORD).await,
    )
}

/// The headers a served file must carry so that no browser runs it.
fn assert_inert(res: &reqwest::Response, what: &str) {
    let h = res.headers();
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{what}: {csp}"
    );
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
}

#[tokio::test]
async fn svg_and_html_are_refused_or_served_inert() {
    let app = TestApp::spawn().await;
    let (api, s) = agent(&app, "up.he").await;
    let id = ticket(&api).await;

    // SVG and HTML, under their own names and under a picture's or a text's: refused by
    // their bytes (or, with no signature, by a name that is no accepted text).
    for (name, bytes) in [
        ("logo.svg", SVG),
        ("logo.png", SVG),
        ("说明.txt", SVG),
        ("icon.svg", BARE_SVG),
        ("page.html", HTML),
        ("page.htm", HTML),
        ("photo.jpg", HTML),
        ("说明.txt", HTML),
    ] {
        let (status, answer) = upload(&api, id, &[(name, bytes)]).await;
        assert_eq!(status, 415, "{name}: {answer}");
        assert_eq!(
            answer["error"]["code"], "attachment_forbidden_type",
            "{name}"
        );
        let res = reply(&s, id, &[(name, bytes)]).await;
        assert_eq!(res.status(), 415, "{name} from the page");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ticket_attachments").await,
        0
    );

    // Text that only holds markup is kept as text: served as plain text or CSV, as a
    // download, under a sandbox, never sniffed into a page or a drawing.
    let note = "客户留言：<script>alert(1)</script><img src=x onerror=alert(2)>".as_bytes();
    let sheet = "名称,备注\n<svg onload=alert(1)>,x\n".as_bytes();
    let (status, answer) = upload(
        &api,
        id,
        &[
            ("图标.txt", BARE_SVG),
            ("留言.txt", note),
            ("数据.csv", sheet),
        ],
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    for (i, kind) in [
        (0, "text/plain; charset=utf-8"),
        (1, "text/plain; charset=utf-8"),
        (2, "text/csv; charset=utf-8"),
    ] {
        let aid = answer[i]["id"].as_i64().unwrap();
        assert_eq!(answer[i]["content_type"], kind);
        for path in [
            format!("/tickets/{id}/attachments/{aid}"),
            format!("/api/v1/tickets/{id}/attachments/{aid}"),
        ] {
            let res = if path.starts_with("/api/") {
                api.get(&path).await
            } else {
                s.get(&path).await
            };
            assert_eq!(res.status(), 200, "{path}");
            assert_eq!(res.headers()["content-type"], kind, "{path}");
            assert!(
                res.headers()["content-disposition"]
                    .to_str()
                    .unwrap()
                    .starts_with("attachment"),
                "{path}: downloaded, not shown"
            );
            assert_inert(&res, &path);
        }
    }

    // A GIF that is also a page: a picture by its bytes, shown as one, never as a page.
    let polyglot = [&b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"[..], HTML].concat();
    let (status, answer) = upload(&api, id, &[("动图.gif", polyglot.as_slice())]).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer[0]["content_type"], "image/gif");
    let aid = answer[0]["id"].as_i64().unwrap();
    let res = s.get(&format!("/tickets/{id}/attachments/{aid}")).await;
    assert_eq!(res.headers()["content-type"], "image/gif");
    assert_inert(&res, "the polyglot");
    app.stop().await;
}

#[tokio::test]
async fn upload_limits_hold_per_file_per_request_and_per_message() {
    let mut options = TestOptions::default();
    options.settings.attachment_max_bytes = 64 * 1024;
    options.settings.attachments_per_message = 3;
    options.web.max_upload_bytes = 160 * 1024;
    let app = TestApp::spawn_with(options).await;
    let (api, s) = agent(&app, "up.lu").await;
    let id = ticket(&api).await;
    let picture = |kib: usize| [PNG, &vec![0u8; kib * 1024]].concat();
    let (big, fair, small) = (picture(70), picture(60), picture(1));
    let messages = count(&app, "SELECT COUNT(*) FROM ticket_messages").await;

    // One file over the per-file limit.
    let (status, answer) = upload(&api, id, &[("大图.png", big.as_slice())]).await;
    assert_eq!(status, 413, "{answer}");
    assert_eq!(answer["error"]["code"], "attachment_too_large");
    // Three files each within it, together over the request's limit.
    let three = [
        ("一.png", fair.as_slice()),
        ("二.png", fair.as_slice()),
        ("三.png", fair.as_slice()),
    ];
    let (status, answer) = upload(&api, id, &three).await;
    assert_eq!(status, 413, "{answer}");
    let res = reply(&s, id, &three).await;
    assert_eq!(res.status(), 413, "from the page");
    // More files than a message may carry.
    let four = [
        ("一.png", small.as_slice()),
        ("二.png", small.as_slice()),
        ("三.png", small.as_slice()),
        ("四.png", small.as_slice()),
    ];
    let (status, answer) = upload(&api, id, &four).await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "too_many");
    let res = reply(&s, id, &four).await;
    assert_eq!(res.status(), 422, "from the page");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ticket_attachments").await,
        0,
        "no refused file was kept"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM ticket_messages").await,
        messages,
        "no refused reply was kept"
    );

    // Within every limit it goes through.
    let two = [("一.png", fair.as_slice()), ("二.png", fair.as_slice())];
    let (status, answer) = upload(&api, id, &two).await;
    assert_eq!(status, 201, "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn path_traversal_file_names_keep_only_their_last_part() {
    let app = TestApp::spawn().await;
    let (api, s) = agent(&app, "up.wu").await;
    let id = ticket(&api).await;
    let text: &[u8] = "型号 GX-3341".as_bytes();
    let names = [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("..\\..\\windows\\win.ini.txt", "win.ini.txt"),
        ("/var/lib/kefu/kefu.db.txt", "kefu.db.txt"),
        ("....//....//备份.txt", "备份.txt"),
        (".hidden.txt", "hidden.txt"),
        ("..", "attachment"),
    ];
    for (sent, kept) in names {
        let (status, answer) = upload(&api, id, &[(sent, text)]).await;
        // A name left with no extension is no text file: refused by type, not stored
        // under a path.
        if kept == "attachment" {
            assert_eq!(status, 415, "{sent}: {answer}");
            continue;
        }
        assert_eq!(status, 201, "{sent}: {answer}");
        assert_eq!(answer[0]["filename"], kept, "{sent}");
        let aid = answer[0]["id"].as_i64().unwrap();
        let res = s.get(&format!("/tickets/{id}/attachments/{aid}")).await;
        let disposition = res.headers()["content-disposition"].to_str().unwrap();
        assert!(
            !disposition.contains('/')
                && !disposition.contains('\\')
                && !disposition.contains(".."),
            "{sent}: {disposition}"
        );
    }
    let mut c = app.app.store.conn().await.unwrap();
    let stored: Vec<String> = sqlx::query_scalar("SELECT filename FROM ticket_attachments")
        .fetch_all(&mut *c)
        .await
        .unwrap();
    assert!(
        stored
            .iter()
            .all(|n| !n.contains('/') && !n.contains('\\') && !n.starts_with('.')),
        "{stored:?}"
    );
    app.stop().await;
}
