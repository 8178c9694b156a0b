//! A mailbox's IMAP server over the API, against a real dovecot: refused settings named,
//! set against the mailbox's version (the password never answered), the mail there
//! fetched and the reading state shown, the connection test; a wrong password reported by
//! the test and flagged on the mailbox; the server taken away.

use std::time::{Duration, Instant};

use kefu_testkit::{ImapPeer, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Answer, admin, agent, get, send};
use crate::mail_imap::{customer_mail, wait_stored};
use crate::mail_ingest::{mailbox, mailbox_named};

fn server(peer: &ImapPeer, password: &str) -> Value {
    json!({
        "host": "localhost",
        "port": peer.imaps_port,
        "security": "tls",
        "username": peer.user,
        "password": password,
        "after": "seen",
        "poll_secs": 5,
        "ca_pem": peer.ca_pem,
    })
}

/// Reads `path` until `done` holds of its reading state (at most 30 s).
async fn wait_reading(
    api: &kefu_testkit::ApiClient,
    path: &str,
    what: &str,
    done: impl Fn(&Value) -> bool,
) -> Answer {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let a = get(api, path).await;
        if done(&a.body["server"]["reading"]) {
            return a;
        }
        assert!(Instant::now() < deadline, "{what}: {}", a.text);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn the_imap_server_is_set_tested_and_watched_over_the_api() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    peer.append("INBOX", &customer_mail(1)).await;
    let app = TestApp::spawn().await;
    let api = admin(&app, "chapi.imap.admin").await;
    let (_, agent) = agent(&app, "chapi.imap.agent").await;
    let mb = mailbox(&app).await;
    let path = format!("/api/v1/channels/email/{}/imap", mb.id);
    let test = format!("{path}/test");

    // Not fetched yet: nothing to test; not for an agent.
    let none = get(&api, &path).await;
    assert_eq!(none.status, 200, "{}", none.text);
    assert!(none.body["server"].is_null());
    let read = none.etag.clone().expect("the mailbox's version");
    let a = send(&api, Method::POST, &test, None, None).await;
    assert_eq!(a.status, 409);
    assert_eq!(a.code(), "imap_not_set");
    assert_eq!(get(&agent, &path).await.status, 403);
    let a = send(&agent, Method::POST, &test, None, None).await;
    assert_eq!(a.status, 403);

    // Refused settings: 422 naming the field; nothing stored, no password echoed.
    let mut cleartext = server(&peer, &peer.password);
    cleartext["host"] = json!("imap.exmail.qq.com");
    cleartext["security"] = json!("none");
    let mut no_password = server(&peer, "");
    no_password.as_object_mut().unwrap().remove("password");
    let mut bad_interval = server(&peer, &peer.password);
    bad_interval["poll_secs"] = json!(1);
    for (body, code, field) in [
        (cleartext, "imap_cleartext_remote", "security"),
        (no_password, "imap_missing_password", "password"),
        (bad_interval, "imap_bad_interval", "poll_secs"),
    ] {
        let a = send(&api, Method::PUT, &path, None, Some(body)).await;
        assert_eq!(a.status, 422, "{}", a.text);
        assert_eq!(a.code(), code, "{}", a.text);
        assert_eq!(a.body["error"]["detail"], field, "{}", a.text);
        assert!(!a.text.contains(&peer.password));
    }
    assert!(get(&api, &path).await.body["server"].is_null());

    // Set against the version read: the password stored, never answered.
    let set = send(
        &api,
        Method::PUT,
        &path,
        Some(&read),
        Some(server(&peer, &peer.password)),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let s = &set.body["server"];
    assert_eq!(s["host"], "localhost");
    assert_eq!(s["port"], i64::from(peer.imaps_port));
    assert_eq!(s["folder"], "INBOX");
    assert_eq!(s["after"], "seen");
    assert_eq!(s["poll_secs"], 5);
    assert_eq!(s["password_set"], true);
    assert!(s.get("password").is_none());
    assert!(!set.text.contains(&peer.password));
    let stale = send(
        &api,
        Method::PUT,
        &path,
        Some(&read),
        Some(server(&peer, &peer.password)),
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    assert_eq!(stale.code(), "stale_version");

    // The mail there is fetched, and the reading state says so.
    wait_stored(&app, mb.id, 1, &peer).await;
    let state = wait_reading(&api, &path, "read once", |r| {
        r["status"] == "ok" && r["last_uid"] == 1
    })
    .await;
    let r = &state.body["server"]["reading"];
    assert_eq!(r["fetched_total"], 1, "{}", state.text);
    assert_eq!(r["failures"], 0);
    assert_eq!(r["idle"], true, "dovecot offers IDLE");
    assert!(r["uid_validity"].is_i64());
    assert!(r["checked_at"].is_string());
    assert!(r["error"].is_null());
    let listed = get(&api, "/api/v1/channels/email").await;
    assert_eq!(listed.body[0]["imap_status"], "ok", "{}", listed.text);

    // The connection test: signed in, the folder opened read-only.
    let tried = send(&api, Method::POST, &test, None, None).await;
    assert_eq!(tried.status, 200, "{}", tried.text);
    assert_eq!(tried.body["ok"], true, "{}", tried.text);
    assert_eq!(tried.body["messages"], 1);
    assert_eq!(tried.body["idle"], true);
    assert!(tried.body["error"].is_null());

    // A mailbox whose password is wrong: the test reports the server's refusal, and
    // reading it is flagged with the server's words and backs off.
    let other = mailbox_named(&app, "投诉邮箱", "tousu@hengxin.example").await;
    let other_path = format!("/api/v1/channels/email/{other}/imap");
    let set = send(
        &api,
        Method::PUT,
        &other_path,
        None,
        Some(server(&peer, "a-wrong-password")),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.text);
    let tried = send(
        &api,
        Method::POST,
        &format!("{other_path}/test"),
        None,
        None,
    )
    .await;
    assert_eq!(tried.status, 200, "{}", tried.text);
    assert_eq!(tried.body["ok"], false, "{}", tried.text);
    let error = tried.body["error"].as_str().unwrap_or_default().to_owned();
    assert!(!error.is_empty(), "{}", tried.text);
    assert!(!tried.text.contains("a-wrong-password"));
    let failing = wait_reading(&api, &other_path, "flagged", |r| r["status"] == "error").await;
    let r = &failing.body["server"]["reading"];
    assert!(r["failures"].as_i64().unwrap() >= 1, "{}", failing.text);
    assert!(r["error"].as_str().is_some_and(|e| !e.is_empty()));
    assert!(r["next_attempt_at"].is_string());
    assert!(!failing.text.contains("a-wrong-password"));
    let listed = get(&api, "/api/v1/channels/email").await;
    let entry = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["channel"]["id"] == other)
        .cloned()
        .expect("listed");
    assert_eq!(entry["imap_status"], "error");
    assert_eq!(entry["needs_attention"], true);

    // Taken away: not fetched any more, nothing to test.
    let current = get(&api, &path).await.etag.unwrap();
    let gone = send(&api, Method::DELETE, &path, Some(&current), None).await;
    assert_eq!(gone.status, 204, "{}", gone.text);
    assert!(get(&api, &path).await.body["server"].is_null());
    assert_eq!(
        send(&api, Method::POST, &test, None, None).await.code(),
        "imap_not_set"
    );

    // Audited with the server, never the password.
    let entries = format!("{:?}", app.audit_entries("channel_imap_updated").await);
    assert!(entries.contains("localhost"));
    assert!(!entries.contains(&peer.password) && !entries.contains("a-wrong-password"));
    assert_eq!(app.audit_entries("channel_imap_tested").await.len(), 2);
    app.stop().await;
}
