//! The channel page's SMTP server: set against the version seen (an older form is refused
//! with 409), cleartext only to this machine, a test mail that shows the server's answer
//! — 250 and 550 alike — and a password that no page, API answer, audit entry or job ever
//! shows once saved.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, Session, SmtpPeer, TEST_PASSWORD, TestApp, form_fields};

use super::{SMTP_PASSWORD, SMTP_USER, parsed};
use crate::mail_ingest::mailbox;

/// The form posting to `action` on `page`, some fields changed, posted as the browser would.
async fn submit(
    s: &Session,
    page: &str,
    action: &str,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = form_fields(page, action);
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(f) => f.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    s.client
        .post(s.url(action))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn page(s: &Session, path: &str) -> String {
    let res = s.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

#[tokio::test]
async fn the_smtp_server_is_set_tried_with_a_test_mail_and_its_password_never_shown() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let admin = app.create_user("smtp.admin", &[Role::Admin]).await;
    let s = app.login("smtp.admin", TEST_PASSWORD).await;
    let mb = mailbox(&app).await;
    let path = format!("/admin/channels/{}", mb.id);
    let smtp = format!("{path}/smtp");
    let test = format!("{path}/test-mail");
    let port = peer.port.to_string();

    let before = page(&s, &path).await;
    assert!(before.contains("未设置发信服务器"));

    // Cleartext to another machine is refused; the input comes back, the password not.
    let res = submit(
        &s,
        &before,
        &smtp,
        &[
            ("smtp_host", "smtp.exmail.qq.com"),
            ("smtp_port", "25"),
            ("smtp_security", "none"),
            ("smtp_username", SMTP_USER),
            ("smtp_password", SMTP_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await.unwrap();
    assert!(refused.contains("不加密的连接只允许发往本机"), "{refused}");
    assert!(refused.contains("value=\"smtp.exmail.qq.com\""));
    assert!(!refused.contains(SMTP_PASSWORD));

    // Saved; a test mail through it to an address typed in.
    let res = submit(
        &s,
        &before,
        &smtp,
        &[
            ("smtp_host", "127.0.0.1"),
            ("smtp_port", &port),
            ("smtp_security", "none"),
            ("smtp_username", SMTP_USER),
            ("smtp_password", SMTP_PASSWORD),
            ("smtp_from_name", "恒信售后"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let saved = page(&s, &path).await;
    assert!(
        saved.contains(&format!("发信：127.0.0.1:{port}")),
        "{saved}"
    );
    assert!(saved.contains("已设置（留空则不修改）"));
    assert!(!saved.contains(SMTP_PASSWORD));

    let res = submit(&s, &saved, &test, &[("to", "ops@example.com")]).await;
    assert_eq!(res.status(), 200);
    let answered = res.text().await.unwrap();
    assert!(answered.contains("data-ok=\"true\""), "{answered}");
    assert!(
        answered.contains("测试邮件已发出。服务器答复：250"),
        "{answered}"
    );
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let m = parsed(&got[0]);
    assert_eq!(m.to[0].address, "ops@example.com");
    assert!(m.subject.contains("发信测试"), "{}", m.subject);

    // A refusal is an answer too, shown in its own words.
    let res = submit(&s, &saved, &test, &[("to", "reject+ops@example.com")]).await;
    assert_eq!(res.status(), 200);
    let answered = res.text().await.unwrap();
    assert!(answered.contains("data-ok=\"false\""));
    assert!(
        answered.contains("测试邮件未能发出。服务器答复：550 5.1.1 Recipient address rejected"),
        "{answered}"
    );

    // Saved again without a password, the stored one stays (the server still lets kefu in).
    let res = submit(&s, &saved, &smtp, &[("smtp_from_name", "恒信客服中心")]).await;
    assert_eq!(res.status(), 303);
    let resaved = page(&s, &path).await;
    let res = submit(&s, &resaved, &test, &[("to", "ops2@example.com")]).await;
    assert!(res.text().await.unwrap().contains("data-ok=\"true\""));
    let got = peer.wait_for(2).await;
    assert_eq!(got.len(), 2);
    assert_eq!(
        parsed(&got[1]).from.unwrap().name.as_deref(),
        Some("恒信客服中心")
    );

    // A wrong password: the server's 535, not kefu's guess.
    let res = submit(
        &s,
        &resaved,
        &smtp,
        &[("smtp_password", "not-the-password")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let wrong = page(&s, &path).await;
    let res = submit(&s, &wrong, &test, &[("to", "ops@example.com")]).await;
    let answered = res.text().await.unwrap();
    assert!(answered.contains("data-ok=\"false\""));
    assert!(answered.contains("535"), "{answered}");

    // The page read before that save is a version behind: its form is refused.
    let res = submit(&s, &resaved, &smtp, &[("smtp_password", SMTP_PASSWORD)]).await;
    assert_eq!(res.status(), 409);
    let stale = res.text().await.unwrap();
    assert!(stale.contains("data-testid=\"stale-changes\""));
    assert!(!stale.contains(SMTP_PASSWORD));

    // Nowhere to be read: pages, the API, the audit log, the jobs.
    for p in [
        path.as_str(),
        "/admin/channels",
        "/admin/jobs",
        "/admin/audit",
    ] {
        assert!(!page(&s, p).await.contains(SMTP_PASSWORD), "{p}");
    }
    let api = ApiClient::new(&app, &app.token_for(admin).await);
    let audit = api.get("/api/v1/audit").await.text().await.unwrap();
    assert!(audit.contains("channel_smtp_updated"), "{audit}");
    assert!(audit.contains("channel_test_mail"));
    assert!(!audit.contains(SMTP_PASSWORD));
    for e in app.audit_entries("channel_smtp_updated").await {
        assert!(!format!("{e:?}").contains(SMTP_PASSWORD));
        assert!(!format!("{e:?}").contains("not-the-password"));
    }
    let channel = app
        .app
        .email_channel(&kefu_app::Actor::system(), mb.id)
        .await
        .unwrap();
    assert!(!format!("{channel:?}").contains("not-the-password"));
    app.stop().await;
}
