//! 附件 stored once by SHA-256: the same file on two mails and an agent's upload is one
//! stored copy, served alike from every ticket; deleting a ticket's attachments keeps the
//! bytes while another attachment names them and removes them with the last one.

use kefu_app::Actor;
use kefu_domain::Role;
use kefu_store::ticket::conversation;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, json_body};
use reqwest::Method;
use reqwest::multipart::{Form, Part};
use serde_json::json;

use super::{MAILBOX, base64_lines, count, mailbox, post_mail};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
/// The SHA-256 of [`PNG`], worked out apart from kefu.
const PNG_SHA256: &str = "d0afbaf740ad2d35e78e6238ae16b5b17bdfd8d2b26351fc66bc2dfdf8e59f9f";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0";

/// A mail from `from` with a line of text and `files` (name, declared type, bytes) attached.
fn mail_with_files(
    message_id: &str,
    from: &str,
    subject: &str,
    files: &[(&str, &str, &[u8])],
) -> Vec<u8> {
    let mut raw = format!(
        "From: {from}\r\nTo: {MAILBOX}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        base64_lines("附件请查收。".as_bytes()),
    );
    for (name, kind, bytes) in files {
        raw.push_str(&format!(
            "--mix\r\nContent-Type: {kind}; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            base64_lines(bytes),
        ));
    }
    raw.push_str("--mix--\r\n");
    raw.into_bytes()
}

/// How many stored copies of the bytes with digest `sha256` there are.
async fn copies(app: &TestApp, sha256: &str) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM attachment_blobs WHERE sha256 = '{sha256}'"),
    )
    .await
}

/// Deletes the ticket's attachments as ticket deletion and erasure do: how many went.
async fn delete_files(app: &TestApp, ticket: i64) -> u64 {
    let mut tx = app.app.store.begin().await.unwrap();
    let deleted = conversation::delete_attachments(&mut tx, ticket)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    deleted
}

/// The id of the ticket's attachment called `filename`.
async fn file_id(app: &TestApp, ticket: i64, filename: &str) -> i64 {
    app.app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap()
        .attachments
        .iter()
        .find(|a| a.filename == filename)
        .unwrap_or_else(|| panic!("{filename} on ticket {ticket}"))
        .id
}

async fn upload(api: &ApiClient, ticket: i64, filename: &str) -> serde_json::Value {
    let res = api
        .request(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/attachments"),
        )
        .multipart(Form::new().part(
            "file",
            Part::bytes(PNG.to_vec()).file_name(filename.to_owned()),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    json_body(res).await
}

#[tokio::test]
async fn the_same_file_by_mail_and_upload_is_stored_once_and_goes_with_its_last_attachment() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let (status, answer) = post_mail(
        &app,
        &mb,
        &mail_with_files(
            "logo.1@example.com",
            "Wang Fang <wang.fang@example.com>",
            "order 1",
            &[
                ("logo.png", "image/png", PNG),
                ("invoice.pdf", "application/pdf", EXE),
            ],
        ),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let first = answer["ticket_id"].as_i64().unwrap();
    let (status, answer) = post_mail(
        &app,
        &mb,
        &mail_with_files(
            "logo.2@example.com",
            "Li Lei <li.lei@example.com>",
            "order 2",
            &[("signature.png", "image/png", PNG)],
        ),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    let second = answer["ticket_id"].as_i64().unwrap();
    assert_ne!(first, second);

    let agent = app.create_user("blob.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let third = json_body(
        api.json(
            Method::POST,
            "/api/v1/tickets",
            &json!({"subject": "现场照片", "body": "见附件"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let uploaded = upload(&api, third, "现场.png").await;
    assert_eq!(uploaded[0]["sha256"], PNG_SHA256);
    let uploaded_id = uploaded[0]["id"].as_i64().unwrap();

    // Three attachments, one copy of the bytes, keyed by their SHA-256.
    assert_eq!(
        count(
            &app,
            &format!("SELECT COUNT(*) FROM ticket_attachments WHERE sha256 = '{PNG_SHA256}'"),
        )
        .await,
        3
    );
    assert_eq!(copies(&app, PNG_SHA256).await, 1, "the logo is stored once");
    let detail = app
        .app
        .ticket_detail(&Actor::system(), first)
        .await
        .unwrap();
    let program = detail
        .attachments
        .iter()
        .find(|a| a.filename == "invoice.pdf")
        .unwrap()
        .clone();
    assert!(program.quarantined);
    assert_eq!(
        copies(&app, &program.sha256).await,
        1,
        "a quarantined file is kept"
    );

    // Each ticket serves the same bytes under its own attachment; the quarantined file stays
    // unserved.
    let logo_1 = file_id(&app, first, "logo.png").await;
    let logo_2 = file_id(&app, second, "signature.png").await;
    let s = app.login("blob.agent", TEST_PASSWORD).await;
    for (ticket, file) in [(first, logo_1), (second, logo_2), (third, uploaded_id)] {
        let res = s
            .get(&format!("/tickets/{ticket}/attachments/{file}"))
            .await;
        assert_eq!(res.status(), 200, "ticket {ticket}, file {file}");
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    }
    let res = api
        .get(&format!("/api/v1/tickets/{second}/attachments/{logo_2}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let res = s
        .get(&format!("/tickets/{first}/attachments/{}", program.id))
        .await;
    assert_eq!(res.status(), 404, "a quarantined file is never served");
    // Another ticket's id does not reach the shared bytes.
    let res = s
        .get(&format!("/tickets/{second}/attachments/{logo_1}"))
        .await;
    assert_eq!(res.status(), 404);

    // The first ticket's files go: the logo stays for the others, the program goes with its
    // only attachment.
    assert_eq!(delete_files(&app, first).await, 2);
    assert_eq!(copies(&app, PNG_SHA256).await, 1);
    assert_eq!(copies(&app, &program.sha256).await, 0);
    let res = s
        .get(&format!("/tickets/{second}/attachments/{logo_2}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let res = s
        .get(&format!("/tickets/{first}/attachments/{logo_1}"))
        .await;
    assert_eq!(res.status(), 404);

    assert_eq!(delete_files(&app, second).await, 1);
    assert_eq!(
        copies(&app, PNG_SHA256).await,
        1,
        "the upload still names it"
    );
    let res = s
        .get(&format!("/tickets/{third}/attachments/{uploaded_id}"))
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

    // The last attachment naming the bytes takes them along.
    assert_eq!(delete_files(&app, third).await, 1);
    assert_eq!(
        copies(&app, PNG_SHA256).await,
        0,
        "no attachment names the logo"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM attachment_blobs").await,
        0
    );

    // The same file arriving afterwards is stored afresh.
    let again = upload(&api, third, "现场.png").await;
    let again_id = again[0]["id"].as_i64().unwrap();
    assert_eq!(copies(&app, PNG_SHA256).await, 1);
    let res = s
        .get(&format!("/tickets/{third}/attachments/{again_id}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    app.stop().await;
}
