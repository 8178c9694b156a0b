//! Attachments: uploaded with a reply on the page or through the API, checked by size and
//! by the type in their bytes, served back safely; a refused file leaves nothing behind.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, TestOptions, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0";

async fn ticket(api: &ApiClient) -> i64 {
    let t = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "包装破损", "body": "见照片"}),
        )
        .await,
    )
    .await;
    t["id"].as_i64().unwrap()
}

async fn message_count(app: &TestApp) -> i64 {
    let mut c = app.app.store.conn().await.unwrap();
    sqlx::query_scalar("SELECT COUNT(*) FROM ticket_messages")
        .fetch_one(&mut *c)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_reply_carries_files_and_refused_files_write_nothing() {
    let mut options = TestOptions::default();
    options.settings.attachment_max_bytes = 64 * 1024;
    let app = TestApp::spawn_with(options).await;
    let agent = app.create_user("tang.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let id = ticket(&api).await;
    let s = app.login("tang.agent", TEST_PASSWORD).await;
    let csrf = s.csrf().await;

    let post = |form: Form| {
        s.client
            .post(s.url(&format!("/tickets/{id}/reply")))
            .multipart(form)
            .send()
    };
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("body", "已收到照片，安排补发。")
        .text("visibility", "public")
        .part("files", Part::bytes(PNG.to_vec()).file_name("破损照片.jpg"))
        .part("files", Part::bytes(Vec::new()).file_name(""));
    let res = post(form).await.unwrap();
    assert_eq!(res.status(), 303);
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    assert!(page.contains("破损照片.jpg"));
    let href_start = page.find(&format!("/tickets/{id}/attachments/")).unwrap();
    let href: String = page[href_start..]
        .chars()
        .take_while(|c| *c != '"')
        .collect();
    let file = s.get(&href).await;
    if file.status() != 200 {
        panic!("{href}: {}", file.text().await.unwrap());
    }
    assert_eq!(
        file.headers()["content-type"],
        "image/png",
        "the bytes decide the type"
    );
    assert_eq!(file.headers()["x-content-type-options"], "nosniff");
    assert_eq!(file.bytes().await.unwrap().as_ref(), PNG);
    let before = message_count(&app).await;

    // A program dressed as a PDF is refused, with the reason, and the reply is not stored.
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("body", "发票见附件")
        .part("files", Part::bytes(EXE.to_vec()).file_name("发票.pdf"));
    let res = post(form).await.unwrap();
    assert_eq!(res.status(), 415);
    let body = res.text().await.unwrap();
    assert!(body.contains("不接受这种类型的文件"));
    assert!(body.contains("发票见附件"), "the typed reply comes back");
    // Too large.
    let form = Form::new()
        .text("_csrf", csrf.clone())
        .text("body", "大文件")
        .part(
            "files",
            Part::bytes([PNG, &vec![0u8; 70 * 1024]].concat()).file_name("big.png"),
        );
    let res = post(form).await.unwrap();
    assert_eq!(res.status(), 413);
    assert!(res.text().await.unwrap().contains("不能超过"));
    // Without the CSRF token the upload is refused before anything runs.
    let form = Form::new()
        .text("body", "伪造")
        .part("files", Part::bytes(PNG.to_vec()).file_name("a.png"));
    assert_eq!(post(form).await.unwrap().status(), 403);
    assert_eq!(
        message_count(&app).await,
        before,
        "no refused reply was stored"
    );

    // Another ticket's attachment is not reachable through this one.
    let other = ticket(&api).await;
    let aid = href.rsplit('/').next().unwrap();
    let res = s.get(&format!("/tickets/{other}/attachments/{aid}")).await;
    assert_eq!(res.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn the_api_uploads_and_downloads_attachments() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("yu.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let id = ticket(&api).await;
    let form = Form::new()
        .part("file", Part::bytes(PNG.to_vec()).file_name("现场.png"))
        .part(
            "file",
            Part::bytes("型号 GX-3341，序列号 0042".as_bytes().to_vec()).file_name("铭牌.txt"),
        )
        .part(
            "file",
            Part::bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec())
                .file_name("发票.pdf"),
        );
    let res = api
        .request(Method::POST, &format!("/api/v1/tickets/{id}/attachments"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let files = json_body(res).await;
    assert_eq!(files[0]["content_type"], "image/png");
    assert_eq!(files[1]["content_type"], "text/plain; charset=utf-8");
    let aid = files[1]["id"].as_i64().unwrap();
    let res = api
        .get(&format!("/api/v1/tickets/{id}/attachments/{aid}"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(res.text().await.unwrap(), "型号 GX-3341，序列号 0042");
    // Served under a sandbox, where browsers' PDF viewers do not run: a PDF downloads; a
    // picture is shown in place.
    let disposition = |res: &reqwest::Response| {
        let v = res.headers()["content-disposition"].to_str().unwrap();
        v[..v.find(';').unwrap()].to_owned()
    };
    for (index, expected) in [(0, "inline"), (2, "attachment")] {
        let file = files[index]["id"].as_i64().unwrap();
        let res = api
            .get(&format!("/api/v1/tickets/{id}/attachments/{file}"))
            .await;
        assert_eq!(disposition(&res), expected, "{}", files[index]["filename"]);
        assert!(
            res.headers()["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("sandbox")
        );
    }

    let form = Form::new().part("file", Part::bytes(EXE.to_vec()).file_name("setup.exe"));
    let res = api
        .request(Method::POST, &format!("/api/v1/tickets/{id}/attachments"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "attachment_forbidden_type"
    );
    let d = json_body(api.get(&format!("/api/v1/tickets/{id}")).await).await;
    let events: Vec<&str> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == "attachment")
        .map(|e| e["new_value"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["现场.png", "铭牌.txt", "发票.pdf"]);
    app.stop().await;
}
