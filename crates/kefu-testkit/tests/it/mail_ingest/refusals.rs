//! What does not land as sent: forged, stale and unsigned posts (401, audited, nothing
//! stored); a body over the limit (413 before it is read); mail that cannot be read (kept in
//! the failed list, the next mail still lands); a program dressed as a PDF (quarantined,
//! the mail lands); a bounce (an event on its ticket, no new ticket).

use std::time::Duration;

use kefu_app::Actor;
use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp, json_body};
use serde_json::Value;

use super::{MAILBOX, base64_lines, count, inbound_path, mail, mailbox, post_mail, sign};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\xf8\x0f\0\0\x01\x01\0\x05\x18\xd8N\0\0\0\0IEND\xaeB`\x82";
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0\0\0\0\0";

/// Posts `body` with the given headers (each may be missing).
/// A refused post: the expected reason, the timestamp and signature headers sent (if any), and
/// the body.
type Refused = (&'static str, Option<String>, Option<String>, Vec<u8>);

async fn post_raw(
    app: &TestApp,
    channel: i64,
    timestamp: Option<String>,
    signature: Option<String>,
    body: Vec<u8>,
) -> (u16, Value) {
    let mut req = app
        .client()
        .post(app.url(&inbound_path(channel)))
        .header("content-type", "message/rfc822")
        .body(body);
    if let Some(t) = timestamp {
        req = req.header("x-kefu-timestamp", t);
    }
    if let Some(s) = signature {
        req = req.header("x-kefu-signature", s);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, json_body(res).await)
}

#[tokio::test]
async fn forged_stale_or_unsigned_posts_are_refused_audited_and_store_nothing() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let raw = mail(
        "forged@example.com",
        ("王芳", "wang.fang@example.com"),
        "退款",
        "",
        "正文-不该出现在审计日志里",
    );
    let mut tampered = raw.clone();
    let last = tampered.len() - 3;
    tampered[last] ^= 1;
    let now = app.now().as_second();
    let s = &mb.secret;
    let cases: Vec<Refused> = vec![
        (
            "bad_signature",
            Some(now.to_string()),
            Some(sign("not-the-secret", now, &raw)),
            raw.clone(),
        ),
        (
            "bad_signature",
            Some(now.to_string()),
            Some(sign(s, now, &raw)),
            tampered,
        ),
        (
            "stale_timestamp",
            Some((now - 360).to_string()),
            Some(sign(s, now - 360, &raw)),
            raw.clone(),
        ),
        (
            "stale_timestamp",
            Some((now + 360).to_string()),
            Some(sign(s, now + 360, &raw)),
            raw.clone(),
        ),
        (
            "missing_timestamp",
            None,
            Some(sign(s, now, &raw)),
            raw.clone(),
        ),
        (
            "missing_signature",
            Some(now.to_string()),
            None,
            raw.clone(),
        ),
        (
            "bad_timestamp",
            Some("yesterday".to_owned()),
            Some(sign(s, now, &raw)),
            raw.clone(),
        ),
    ];
    let n = cases.len();
    for (reason, ts, sig, body) in cases {
        let (status, answer) = post_raw(&app, mb.id, ts, sig, body).await;
        assert_eq!(status, 401, "{reason}: {answer}");
        assert_eq!(answer["error"]["code"], "webhook_rejected", "{answer}");
        assert_eq!(answer["error"]["detail"], reason, "{answer}");
    }
    let entries = app.audit_entries("webhook_rejected").await;
    assert_eq!(entries.len(), n);
    for e in &entries {
        assert_eq!(e.target_type.as_deref(), Some("email_channel"));
        assert_eq!(e.target_id.as_deref(), Some(mb.id.to_string().as_str()));
        let detail = e.detail.clone().unwrap_or_default();
        assert!(detail.contains("reason"), "{detail}");
        assert!(!detail.contains(&mb.secret), "no secret in the audit log");
        assert!(!detail.contains("不该出现"), "no body in the audit log");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM inbound_mails").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);
    // A channel that does not exist is not found; signed right, the mail lands.
    let (status, _) = post_raw(&app, mb.id + 100, None, None, raw.clone()).await;
    assert_eq!(status, 404);
    let (status, answer) = post_mail(&app, &mb, &raw).await;
    assert_eq!(status, 201, "{answer}");
    app.stop().await;
}

/// Reads one HTTP answer off a socket: the status and the body (by `Content-Length`, or
/// chunked), without waiting for the connection to close.
fn read_answer(s: &mut std::net::TcpStream) -> (u16, String) {
    use std::io::Read;
    fn whole(buf: &[u8]) -> Option<(u16, String)> {
        let text = String::from_utf8_lossy(buf);
        let (head, body) = text.split_once("\r\n\r\n")?;
        let status: u16 = head.split_whitespace().nth(1)?.parse().ok()?;
        let lower = head.to_ascii_lowercase();
        let length = lower
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse::<usize>().ok());
        if let Some(len) = length {
            return (body.len() >= len).then(|| (status, body[..len].to_owned()));
        }
        let mut out = String::new();
        let mut rest = body;
        loop {
            let (size, after) = rest.split_once("\r\n")?;
            let n = usize::from_str_radix(size.trim(), 16).ok()?;
            if n == 0 {
                return Some((status, out));
            }
            out.push_str(after.get(..n)?);
            rest = after.get(n + 2..)?;
        }
    }
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    loop {
        if let Some(answer) = whole(&buf) {
            return answer;
        }
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    whole(&buf).unwrap_or_else(|| panic!("no whole answer: {}", String::from_utf8_lossy(&buf)))
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_it_is_read_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let declared: usize = 60 * 1024 * 1024;
    assert!(declared > kefu_app::channel::email::webhook_body_limit());
    let addr = app.base.trim_start_matches("http://").to_owned();
    let path = inbound_path(mb.id);
    let ts = app.now().as_second();
    let (status, body) = tokio::task::spawn_blocking(move || {
        use std::io::Write;
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: message/rfc822\r\n\
             Content-Length: {declared}\r\nX-Kefu-Timestamp: {ts}\r\n\
             X-Kefu-Signature: sha256=00\r\n\r\n"
        );
        s.write_all(head.as_bytes()).unwrap();
        // The start of the 60 MB; kefu answers without waiting for the rest.
        let _ = s.write_all(&[b'a'; 64 * 1024]);
        read_answer(&mut s)
    })
    .await
    .unwrap();
    assert_eq!(status, 413, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["error"]["code"], "payload_too_large");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM inbound_mails").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);
    app.stop().await;
}

/// A mail of `depth` multiparts, each inside the one before.
fn nested(depth: usize) -> Vec<u8> {
    let mut s = format!(
        "From: 陈先生 <13812345678@qq.com>\r\nTo: {MAILBOX}\r\nSubject: nested\r\n\
         Message-ID: <deep@example.com>\r\nMIME-Version: 1.0\r\n"
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
async fn unreadable_mail_waits_in_the_failed_list_and_the_next_mail_still_lands() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let deep = nested(100);
    let (status, answer) = post_mail(&app, &mb, &deep).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "failed");
    assert!(answer["ticket_id"].is_null());
    let deep_id = answer["mail_id"].as_i64().expect("kept");
    let (_, again) = post_mail(&app, &mb, &deep).await;
    assert_eq!(again["status"], "failed");
    assert_eq!(again["mail_id"], deep_id, "kept once");
    // Not a mail at all.
    let (status, empty) = post_mail(&app, &mb, b"").await;
    assert_eq!(status, 200, "{empty}");
    assert_eq!(empty["status"], "failed");
    let empty_id = empty["mail_id"].as_i64().unwrap();
    // The next mail lands all the same.
    let (status, _) = post_mail(
        &app,
        &mb,
        &mail(
            "after@example.com",
            ("王芳", "wang.fang@example.com"),
            "还在吗",
            "",
            "你好",
        ),
    )
    .await;
    assert_eq!(status, 201);

    app.create_user("failed.admin", &[Role::Admin]).await;
    let s = app.login("failed.admin", TEST_PASSWORD).await;
    let list_path = format!("/admin/channels/{}/failed", mb.id);
    let page = s.get(&list_path).await.text().await.unwrap();
    assert_eq!(
        page.matches("data-testid=\"failed-mail\"").count(),
        2,
        "{page}"
    );
    assert!(page.contains("层级过深或部分过多"));
    assert!(page.contains("138****5678@qq.com"), "the sender, masked");
    assert!(!page.contains("13812345678"), "never in clear");
    let channels = s.get("/admin/channels").await.text().await.unwrap();
    assert!(
        channels.contains("data-testid=\"failed-count\">2<"),
        "{channels}"
    );

    // Tried again, the nested one still fails and stays.
    let res = s
        .post_form(&format!("{list_path}/{deep_id}/retry"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("outcome=failed"), "{to}");
    assert!(
        s.get(&to)
            .await
            .text()
            .await
            .unwrap()
            .contains("仍然无法解析")
    );

    // A mail an older kefu could not read, readable now: tried again, it lands.
    let readable = mail(
        "older@example.com",
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
             VALUES ($1, 'sha256:older', 'failed', $2, $3, 'cli', 'malformed', 'older parser', \
             0, $4, $4) RETURNING id",
        )
        .bind(mb.id)
        .bind(readable.len() as i64)
        .bind(readable.clone())
        .bind(app.now().as_microsecond())
        .fetch_one(&mut *c)
        .await
        .unwrap()
    };
    let res = s
        .post_form(&format!("{list_path}/{older}/retry"), &[])
        .await;
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(to.contains("outcome=ticket_created"), "{to}");
    let ticket: i64 = to.rsplit("ticket=").next().unwrap().parse().unwrap();
    let d = app
        .app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap();
    assert_eq!(d.ticket.subject, "旧邮件");

    // Discarded, the empty one leaves the list (the nested one stays).
    let res = s
        .post_form(&format!("{list_path}/{empty_id}/discard"), &[])
        .await;
    assert_eq!(res.status(), 303);
    let page = s.get(&list_path).await.text().await.unwrap();
    assert_eq!(page.matches("data-testid=\"failed-mail\"").count(), 1);
    assert_eq!(app.audit_entries("failed_mail_discarded").await.len(), 1);
    // Its original can still be downloaded.
    let res = s
        .get(&format!("/admin/channels/{}/mails/{deep_id}/raw", mb.id))
        .await;
    assert_eq!(res.bytes().await.unwrap().as_ref(), deep.as_slice());
    app.stop().await;
}

#[tokio::test]
async fn a_program_dressed_as_a_pdf_is_quarantined_and_the_mail_still_lands() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let raw = format!(
        "From: 王芳 <wang.fang@example.com>\r\nTo: {MAILBOX}\r\nSubject: invoice\r\n\
         Message-ID: <files@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n\
         --mix\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix\r\nContent-Type: application/pdf; name=\"invoice.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"invoice.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix\r\nContent-Type: image/png; name=\"photo.png\"\r\n\
         Content-Disposition: attachment; filename=\"photo.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n\
         --mix--\r\n",
        base64_lines("发票和照片见附件。".as_bytes()),
        base64_lines(EXE),
        base64_lines(PNG),
    );
    let (status, answer) = post_mail(&app, &mb, raw.as_bytes()).await;
    assert_eq!(status, 201, "{answer}");
    let id = answer["ticket_id"].as_i64().unwrap();
    let d = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert_eq!(d.attachments.len(), 2, "{:?}", d.attachments);
    let pdf = d
        .attachments
        .iter()
        .find(|a| a.filename == "invoice.pdf")
        .unwrap();
    let png = d
        .attachments
        .iter()
        .find(|a| a.filename == "photo.png")
        .unwrap();
    assert!(pdf.quarantined);
    assert!(!png.quarantined);
    assert_eq!(png.content_type, "image/png");
    assert!(
        d.events.iter().any(|e| e.field == "attachment_quarantined"
            && e.new_value.as_deref() == Some("invoice.pdf"))
    );

    app.create_user("files.agent", &[Role::Agent]).await;
    let s = app.login("files.agent", TEST_PASSWORD).await;
    let res = s
        .get(&format!("/tickets/{id}/attachments/{}", pdf.id))
        .await;
    assert_eq!(res.status(), 404, "a quarantined file is never served");
    let res = s
        .get(&format!("/tickets/{id}/attachments/{}", png.id))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    assert!(page.contains("data-testid=\"quarantined\""));
    assert!(page.contains("已隔离"));
    assert!(
        !page.contains(&format!("/attachments/{}\"", pdf.id)),
        "no link to it"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bounce_for_a_known_ticket_is_an_event_there_and_opens_no_ticket() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let (_, first) = post_mail(
        &app,
        &mb,
        &mail(
            "bounced.1@example.com",
            ("王芳", "wang.fang@example.com"),
            "热水器报修",
            "",
            "热水器显示 E1。",
        ),
    )
    .await;
    let id = first["ticket_id"].as_i64().unwrap();
    let dsn = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: {MAILBOX}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn.1@mx.example.com>\r\n\
         Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"rpt\"\r\n\r\n\
         --rpt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\
         This is the mail system at host mx.example.com. Your message could not be delivered.\r\n\r\n\
         --rpt\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mx.example.com\r\n\r\n\
         Final-Recipient: rfc822; wang.fang@example.com\r\nOriginal-Recipient: rfc822; wang.fang@example.com\r\n\
         Action: failed\r\nStatus: 5.1.1\r\n\
         Diagnostic-Code: smtp; 550 5.1.1 <wang.fang@example.com>: Recipient address rejected\r\n\r\n\
         --rpt\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         From: {MAILBOX}\r\nTo: wang.fang@example.com\r\nSubject: Re: 热水器报修\r\n\
         Message-ID: <bounced.1@example.com>\r\n\r\n\
         --rpt--\r\n"
    );
    let (status, answer) = post_mail(&app, &mb, dsn.as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "bounce");
    assert_eq!(answer["ticket_id"], id);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets").await,
        1,
        "no new ticket"
    );
    let d = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert!(
        d.events.iter().any(|e| e.field == "mail_bounced"),
        "{:?}",
        d.events
    );
    assert_eq!(
        d.messages.len(),
        1,
        "a bounce is no message of the customer's"
    );
    let mut c = app.app.store.conn().await.unwrap();
    let flagged = kefu_store::mail::inbound::bounced(&mut c, "wang.fang@example.com")
        .await
        .unwrap()
        .expect("the address is flagged");
    assert_eq!(flagged.ticket_id, Some(id));
    assert!(
        flagged
            .status
            .as_deref()
            .is_some_and(|s| s.contains("5.1.1")),
        "{flagged:?}"
    );
    let no_reply: i64 = sqlx::query_scalar(
        "SELECT no_auto_reply FROM inbound_mails WHERE message_id = 'dsn.1@mx.example.com'",
    )
    .fetch_one(&mut *c)
    .await
    .unwrap();
    assert_eq!(no_reply, 1, "nothing answers a bounce");
    drop(c);
    app.stop().await;
}
