//! Mailboxes over the API: made, read, changed against their version, switched off, their
//! secret rotated; their SMTP server set (the password written, never answered) and tried
//! with a test mail against a real SMTP server.

use kefu_testkit::{SmtpPeer, TestApp};
use reqwest::Method;
use serde_json::json;

use super::{admin, agent, get, send};
use crate::mail_ingest::{Mailbox, mail, mailbox, post_mail};
use crate::mail_out::{SMTP_PASSWORD, SMTP_USER, parsed};

const LIST: &str = "/api/v1/channels/email";

fn customer_mail(n: u32) -> Vec<u8> {
    mail(
        &format!("chapi-{n}@customer.example"),
        ("王芳", "wangfang@customer.example"),
        &format!("发票 {n}"),
        "",
        "您好，发票还没收到。",
    )
}

#[tokio::test]
async fn a_mailbox_is_made_read_and_changed_over_the_api_against_its_version() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chapi.mail.admin").await;
    let (_, agent) = agent(&app, "chapi.mail.agent").await;

    // Not for an agent.
    let refused = get(&agent, LIST).await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.code(), "forbidden");
    let refused = send(
        &agent,
        Method::POST,
        LIST,
        None,
        Some(json!({"name": "售后邮箱", "address": "support@hengxin.example"})),
    )
    .await;
    assert_eq!(refused.status, 403);

    // Input kefu refuses: 422 in the error shape, naming why; nothing is made.
    for (body, code) in [
        (
            json!({"name": "售后邮箱", "address": "not-an-address"}),
            "invalid_email",
        ),
        (
            json!({"name": "   ", "address": "support@hengxin.example"}),
            "bad_name",
        ),
        (
            json!({"name": "售后邮箱", "address": "support@hengxin.example", "group_id": 999999}),
            "unknown_group",
        ),
    ] {
        let a = send(&api, Method::POST, LIST, None, Some(body.clone())).await;
        assert_eq!(a.status, 422, "{body}: {}", a.text);
        assert_eq!(a.code(), code, "{}", a.text);
        assert!(a.body["error"]["message"].is_string());
    }
    let a = send(
        &api,
        Method::POST,
        LIST,
        None,
        Some(
            json!({"name": "售后邮箱", "address": "support@hengxin.example", "smtp_password": "x"}),
        ),
    )
    .await;
    assert_eq!(a.status, 400, "an unknown field: {}", a.text);
    assert_eq!(a.code(), "invalid_field");
    assert_eq!(get(&api, LIST).await.body, json!([]));

    // Made: the webhook secret answered this once.
    let made = send(
        &api,
        Method::POST,
        LIST,
        None,
        Some(json!({"name": "售后邮箱", "address": "Support@Hengxin.example"})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["channel"]["id"].as_i64().unwrap();
    let secret = made.body["webhook_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    let c = &made.body["channel"];
    assert_eq!(c["address"], "support@hengxin.example");
    assert_eq!(c["active"], true);
    assert!(c["smtp"].is_null());
    assert_eq!(c["webhook"], format!("/api/v1/channels/email/{id}/inbound"));
    let again = send(
        &api,
        Method::POST,
        LIST,
        None,
        Some(json!({"name": "售后邮箱", "address": "other@hengxin.example"})),
    )
    .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "name_taken");

    // Read back, its version as ETag.
    let path = format!("{LIST}/{id}");
    let read = get(&api, &path).await;
    assert_eq!(read.status, 200);
    let first = read.etag.clone().expect("an ETag");
    assert_eq!(first, format!("\"{}\"", read.body["version"]));
    assert_eq!(read.body["name"], "售后邮箱");

    // Changed against the version read; the same change from the old version is refused
    // and changes nothing.
    let changed = send(
        &api,
        Method::PATCH,
        &path,
        Some(&first),
        Some(json!({"name": "售后邮箱（华东）", "active": false})),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["name"], "售后邮箱（华东）");
    assert_eq!(changed.body["active"], false);
    assert_ne!(changed.etag.as_deref(), Some(first.as_str()));
    let stale = send(
        &api,
        Method::PATCH,
        &path,
        Some(&first),
        Some(json!({"name": "别的名字"})),
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.code(), "stale_version");
    assert_eq!(get(&api, &path).await.body["name"], "售后邮箱（华东）");
    let bad = send(
        &api,
        Method::PATCH,
        &path,
        None,
        Some(json!({"address": "nobody"})),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.code(), "invalid_email");

    // Switched off, its webhook refuses mail; on again, it takes it.
    let mb = Mailbox {
        id,
        secret: secret.clone(),
    };
    let (status, answer) = post_mail(&app, &mb, &customer_mail(1)).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"]["code"], "channel_inactive");
    let on = send(
        &api,
        Method::PATCH,
        &path,
        None,
        Some(json!({"active": true})),
    )
    .await;
    assert_eq!(on.status, 200);

    // A new secret, once; the old one stops at once.
    let rotated = send(&api, Method::POST, &format!("{path}/secret"), None, None).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    assert_eq!(rotated.body["channel_id"], id);
    let new_secret = rotated.body["webhook_secret"].as_str().unwrap().to_owned();
    assert_ne!(new_secret, secret);
    let (status, _) = post_mail(&app, &mb, &customer_mail(2)).await;
    assert_eq!(status, 401, "the old secret");
    let mb = Mailbox {
        id,
        secret: new_secret.clone(),
    };
    let (status, answer) = post_mail(&app, &mb, &customer_mail(2)).await;
    assert_eq!(status, 201, "the new one: {answer}");

    // The list says what it received; no answer holds a secret.
    let list = get(&api, LIST).await;
    assert_eq!(list.status, 200);
    let entries = list.body.as_array().unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e["channel"]["id"], id);
    assert!(e["last_received_at"].is_string(), "{e}");
    assert_eq!(e["failed_mails"], 0);
    assert!(e["imap_status"].is_null());
    assert_eq!(e["needs_attention"], false);
    for text in [list.text, get(&api, &path).await.text] {
        assert!(!text.contains(&secret) && !text.contains(&new_secret));
    }

    // No such mailbox.
    let missing = get(&api, &format!("{LIST}/999999")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.code(), "not_found");
    app.stop().await;
}

#[tokio::test]
async fn the_smtp_server_is_set_and_tried_over_the_api_and_its_password_never_answered() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let api = admin(&app, "chapi.smtp.admin").await;
    let (_, agent) = agent(&app, "chapi.smtp.agent").await;
    let mb = mailbox(&app).await;
    let path = format!("{LIST}/{}", mb.id);
    let smtp = format!("{path}/smtp");
    let test = format!("{path}/test-mail");
    let to = |addr: &str| Some(json!({ "to": addr }));

    // No server yet: nothing to try.
    let a = send(&api, Method::POST, &test, None, to("ops@example.com")).await;
    assert_eq!(a.status, 409, "{}", a.text);
    assert_eq!(a.code(), "smtp_not_set");
    let a = send(
        &agent,
        Method::PUT,
        &smtp,
        None,
        Some(json!({"host": "127.0.0.1"})),
    )
    .await;
    assert_eq!(a.status, 403);

    // Refused settings: 422 naming the field; nothing stored, the password not echoed.
    for (body, code, field) in [
        (
            json!({"host": "smtp.exmail.qq.com", "security": "none",
                   "username": SMTP_USER, "password": SMTP_PASSWORD}),
            "smtp_cleartext_remote",
            "security",
        ),
        (
            json!({"host": "127.0.0.1", "port": 0, "security": "none"}),
            "smtp_bad_port",
            "port",
        ),
        (
            json!({"host": "127.0.0.1", "security": "ssl3"}),
            "smtp_bad_security",
            "security",
        ),
        (
            json!({"host": "127.0.0.1", "security": "none", "password": SMTP_PASSWORD}),
            "smtp_password_without_user",
            "password",
        ),
    ] {
        let a = send(&api, Method::PUT, &smtp, None, Some(body.clone())).await;
        assert_eq!(a.status, 422, "{body}: {}", a.text);
        assert_eq!(a.code(), code, "{}", a.text);
        assert_eq!(a.body["error"]["detail"], field, "{}", a.text);
        assert!(!a.text.contains(SMTP_PASSWORD));
    }
    assert!(get(&api, &path).await.body["smtp"].is_null());

    // Set against the version read: the password is stored, never answered.
    let read = get(&api, &path).await.etag.expect("an ETag");
    let server = json!({
        "host": "127.0.0.1",
        "port": peer.port,
        "security": "none",
        "username": SMTP_USER,
        "password": SMTP_PASSWORD,
        "from_name": "恒信售后",
    });
    let set = send(&api, Method::PUT, &smtp, Some(&read), Some(server.clone())).await;
    assert_eq!(set.status, 200, "{}", set.text);
    let s = &set.body["smtp"];
    assert_eq!(s["host"], "127.0.0.1");
    assert_eq!(s["port"], i64::from(peer.port));
    assert_eq!(s["username"], SMTP_USER);
    assert_eq!(s["password_set"], true);
    assert!(s.get("password").is_none());
    assert!(!set.text.contains(SMTP_PASSWORD));
    assert_ne!(set.etag.as_deref(), Some(read.as_str()));
    let stale = send(&api, Method::PUT, &smtp, Some(&read), Some(server)).await;
    assert_eq!(stale.status, 412, "{}", stale.text);

    // A test mail reaches the server, which signed kefu in with the stored password.
    let a = send(&api, Method::POST, &test, None, to("ops@example.com")).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["ok"], true, "{}", a.text);
    assert!(
        a.body["answer"].as_str().unwrap().starts_with("250"),
        "{}",
        a.text
    );
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(parsed(&got[0]).to[0].address, "ops@example.com");

    // Saved again without a password: the stored one stays, and still signs in.
    let kept = send(
        &api,
        Method::PUT,
        &smtp,
        None,
        Some(
            json!({"host": "127.0.0.1", "port": peer.port, "security": "none",
                    "username": SMTP_USER, "from_name": "恒信客服中心"}),
        ),
    )
    .await;
    assert_eq!(kept.status, 200, "{}", kept.text);
    assert_eq!(kept.body["smtp"]["password_set"], true);
    let a = send(&api, Method::POST, &test, None, to("ops2@example.com")).await;
    assert_eq!(a.body["ok"], true, "{}", a.text);
    assert_eq!(peer.wait_for(2).await.len(), 2);

    // The server's refusal is an answer, not an error; a bad address is refused.
    let a = send(
        &api,
        Method::POST,
        &test,
        None,
        to("reject+ops@example.com"),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.body["ok"], false);
    assert!(
        a.body["answer"].as_str().unwrap().contains("550"),
        "{}",
        a.text
    );
    let a = send(&api, Method::POST, &test, None, to("ops-at-example.com")).await;
    assert_eq!(a.status, 422);
    assert_eq!(a.code(), "invalid_email");

    // Taken away: the mailbox sends nothing.
    let current = get(&api, &path).await.etag.unwrap();
    let gone = send(&api, Method::DELETE, &smtp, Some(&current), None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert!(get(&api, &path).await.body["smtp"].is_null());
    let a = send(&api, Method::POST, &test, None, to("ops@example.com")).await;
    assert_eq!(a.code(), "smtp_not_set");

    // The password is in no answer and no audit entry.
    let audit = get(&api, "/api/v1/audit").await.text;
    assert!(audit.contains("channel_smtp_updated"), "{audit}");
    for text in [
        get(&api, LIST).await.text,
        get(&api, &path).await.text,
        audit,
    ] {
        assert!(!text.contains(SMTP_PASSWORD));
    }
    for e in app.audit_entries("channel_smtp_updated").await {
        assert!(!format!("{e:?}").contains(SMTP_PASSWORD));
    }
    app.stop().await;
}
