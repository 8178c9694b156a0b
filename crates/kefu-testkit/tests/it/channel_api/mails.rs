//! A mailbox's failed list over the API: unreadable mail posted to the webhook waits there
//! (the sender masked), is tried again (still failing, or landing once kefu can read it),
//! discarded, and downloaded as it arrived.

use kefu_app::Actor;
use kefu_testkit::TestApp;
use reqwest::Method;

use super::{admin, agent, get, send};
use crate::mail_ingest::{MAILBOX, count, mail, mailbox, post_mail};

/// A mail of `depth` multiparts, each inside the one before.
fn nested(depth: usize) -> Vec<u8> {
    let mut s = format!(
        "From: 陈先生 <13900001111@qq.com>\r\nTo: {MAILBOX}\r\nSubject: nested\r\n\
         Message-ID: <chapi-deep@example.com>\r\nMIME-Version: 1.0\r\n"
    );
    for i in 0..depth {
        s.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"
        ));
    }
    s.push_str("Content-Type: text/plain\r\n\r\nbottom\r\n");
    for i in (0..depth).rev() {
        s.push_str(&format!("--b{i}--\r\n"));
    }
    s.into_bytes()
}

#[tokio::test]
async fn the_failed_list_is_read_retried_discarded_and_downloaded_over_the_api() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chapi.failed.admin").await;
    let (_, agent) = agent(&app, "chapi.failed.agent").await;
    let mb = mailbox(&app).await;
    let failed = format!("/api/v1/channels/email/{}/failed-mails", mb.id);

    // Two mails kefu cannot read, and one it can.
    let deep = nested(100);
    let (status, answer) = post_mail(&app, &mb, &deep).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "failed");
    let deep_id = answer["mail_id"].as_i64().unwrap();
    let (_, answer) = post_mail(&app, &mb, b"").await;
    assert_eq!(answer["status"], "failed");
    let empty_id = answer["mail_id"].as_i64().unwrap();
    let (status, answer) = post_mail(
        &app,
        &mb,
        &mail(
            "chapi-ok@example.com",
            ("王芳", "wang.fang@example.com"),
            "还在吗",
            "",
            "你好",
        ),
    )
    .await;
    assert_eq!(status, 201);
    let landed_id = answer["mail_id"].as_i64().unwrap();

    // Listed newest first, the sender masked; not for an agent.
    assert_eq!(get(&agent, &failed).await.status, 403);
    let list = get(&api, &failed).await;
    assert_eq!(list.status, 200, "{}", list.text);
    let rows = list.body.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{}", list.text);
    assert_eq!(rows[0]["id"], empty_id);
    assert_eq!(rows[0]["reason"], "malformed");
    assert_eq!(rows[1]["id"], deep_id);
    assert_eq!(rows[1]["reason"], "too_complex");
    assert_eq!(rows[1]["source"], "webhook");
    assert_eq!(rows[1]["size"], deep.len() as i64);
    assert_eq!(rows[1]["sender"], "139****1111@qq.com");
    assert_eq!(
        rows[1]["raw"],
        format!("/api/v1/channels/email/{}/mails/{deep_id}/raw", mb.id)
    );
    assert!(!list.text.contains("13900001111"), "never in clear");
    let entries = get(&api, "/api/v1/channels/email").await;
    assert_eq!(entries.body[0]["failed_mails"], 2);
    assert_eq!(entries.body[0]["needs_attention"], true);

    // Tried again, the nested one still fails and stays.
    let retried = send(
        &api,
        Method::POST,
        &format!("{failed}/{deep_id}/retry"),
        None,
        None,
    )
    .await;
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_eq!(retried.body["status"], "failed");
    assert!(retried.body["ticket_id"].is_null());
    assert_eq!(get(&api, &failed).await.body.as_array().unwrap().len(), 2);

    // A mail an older kefu could not read, readable now: tried again, it lands.
    let readable = mail(
        "chapi-older@example.com",
        ("赵敏", "zhao.min@example.com"),
        "旧邮件",
        "",
        "这封邮件以前没能解析。",
    );
    let older: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar(
            "INSERT INTO inbound_mails (channel_id, message_id, status, size, raw, source, \
             reason, reason_detail, no_auto_reply, received_at, updated_at) \
             VALUES ($1, 'sha256:chapi-older', 'failed', $2, $3, 'cli', 'malformed', \
             'older parser', 0, $4, $4) RETURNING id",
        )
        .bind(mb.id)
        .bind(readable.len() as i64)
        .bind(readable.clone())
        .bind(app.now().as_microsecond())
        .fetch_one(&mut *c)
        .await
        .unwrap()
    };
    let retried = send(
        &api,
        Method::POST,
        &format!("{failed}/{older}/retry"),
        None,
        None,
    )
    .await;
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_eq!(retried.body["status"], "ticket_created");
    let ticket = retried.body["ticket_id"].as_i64().expect("its ticket");
    let d = app
        .app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap();
    assert_eq!(d.ticket.subject, "旧邮件");

    // A mail that landed is in no failed list: nothing to retry or discard.
    let a = send(
        &api,
        Method::POST,
        &format!("{failed}/{landed_id}/retry"),
        None,
        None,
    )
    .await;
    assert_eq!(a.status, 404, "{}", a.text);
    assert_eq!(a.code(), "not_found");

    // Discarded, the empty one leaves the list for good.
    let discard = format!("{failed}/{empty_id}");
    let a = send(&api, Method::DELETE, &discard, None, None).await;
    assert_eq!(a.status, 204, "{}", a.text);
    let rows = get(&api, &failed).await.body;
    assert_eq!(rows.as_array().unwrap().len(), 1);
    assert_eq!(rows[0]["id"], deep_id);
    assert_eq!(
        send(&api, Method::DELETE, &discard, None, None)
            .await
            .status,
        404
    );
    assert_eq!(app.audit_entries("failed_mail_discarded").await.len(), 1);

    // Its original can still be downloaded, as it arrived; each download audited.
    let res = api
        .get(&format!(
            "/api/v1/channels/email/{}/mails/{deep_id}/raw",
            mb.id
        ))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "message/rfc822"
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), deep.as_slice());
    assert_eq!(app.audit_entries("mail_downloaded").await.len(), 1);
    let res = agent
        .get(&format!(
            "/api/v1/channels/email/{}/mails/{deep_id}/raw",
            mb.id
        ))
        .await;
    assert_eq!(res.status(), 403);

    // Another mailbox's mail is not this one's.
    let other = crate::mail_ingest::mailbox_named(&app, "投诉邮箱", "tousu@hengxin.example").await;
    let a = get(
        &api,
        &format!("/api/v1/channels/email/{other}/mails/{deep_id}/raw"),
    )
    .await;
    assert_eq!(a.status, 404);
    assert_eq!(
        get(&api, "/api/v1/channels/email/999999/failed-mails")
            .await
            .status,
        404
    );
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM inbound_mails WHERE channel_id = {} AND status = 'failed'",
                mb.id
            )
        )
        .await,
        1
    );
    app.stop().await;
}
