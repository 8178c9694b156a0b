//! A mailbox that cannot be read is flagged with the server's words and backs off; fixing
//! it reads again at once. An oversize mail waits in the failed list and stays on the
//! server; the mails after it land.

use std::time::{Duration, Instant};

use kefu_app::Actor;
use kefu_store::mail::imap::ImapMailbox;
use kefu_testkit::{ImapPeer, TestApp};

use super::{customer_mail, fetched_mailbox, form, wait_folder, wait_stored};
use crate::mail_ingest::count;

async fn state(app: &TestApp, channel: i64) -> ImapMailbox {
    app.app
        .email_channel_imap(&Actor::system(), channel)
        .await
        .unwrap()
        .expect("fetched")
}

async fn wait_failing(app: &TestApp, channel: i64) -> ImapMailbox {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = state(app, channel).await;
        if s.status.as_deref() == Some("error") {
            return s;
        }
        assert!(Instant::now() < deadline, "never flagged: {s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn wrong_password_flags_the_mailbox_until_fixed() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    peer.append("INBOX", &customer_mail(1)).await;
    let app = TestApp::spawn().await;
    app.create_user("imap.admin", &[kefu_domain::Role::Admin])
        .await;
    let mb = {
        let mb = crate::mail_ingest::mailbox(&app).await;
        let mut f = form(&peer, "INBOX", "seen");
        f.password = "a-wrong-password".to_owned();
        app.app
            .save_imap_settings(&Actor::system(), mb.id, &f, None)
            .await
            .unwrap();
        mb
    };
    let failing = wait_failing(&app, mb.id).await;
    let error = failing.error.clone().unwrap_or_default();
    assert!(error.contains("LOGIN"), "the server's refusal: {error}");
    assert!(!error.contains("a-wrong-password") && !error.contains("imap-测试"));
    assert_eq!(failing.failures, 1);
    assert!(failing.next_at > app.now(), "backs off");
    // The page says so, in Chinese, and never shows a password.
    let admin = app.login("imap.admin", kefu_testkit::TEST_PASSWORD).await;
    let page = admin
        .get(&format!("/admin/channels/{}", mb.id))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("收信失败（连续 1 次）"), "{page}");
    assert!(!page.contains("a-wrong-password"));
    // The administrators heard of it once (not at every retry), and it opens the mailbox.
    let bell = admin.get("/notifications").await.text().await.unwrap();
    assert_eq!(bell.matches("收信失败：").count(), 1, "{bell}");
    assert_eq!(
        app.notified("mailbox_failing", None).await,
        2,
        "the bootstrap admin and this one"
    );
    // The workbench tile counts it, and its link lists just that mailbox.
    let other = crate::mail_ingest::mailbox_named(&app, "投诉邮箱", "tousu@hengxin.example").await;
    let home = admin.get("/").await.text().await.unwrap();
    let at = home
        .find("data-tile=\"email.attention\"")
        .expect("the tile shows");
    let tile = &home[at..at + home[at..].find("</article>").unwrap()];
    assert!(tile.contains("data-count=\"1\""), "{tile}");
    let list = admin
        .get("/admin/channels?attention=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(list.matches("data-testid=\"channel-row\"").count(), 1);
    assert!(list.contains(&format!("/admin/channels/{}\"", mb.id)));
    assert!(!list.contains(&format!("/admin/channels/{}\"", other)));
    // Nothing landed meanwhile.
    assert_eq!(super::stored(&app, mb.id).await, 0);
    // The administrator types the right password: read at once.
    let f = form(&peer, "INBOX", "seen");
    app.app
        .save_imap_settings(
            &Actor::system(),
            mb.id,
            &f,
            Some(failing_version(&app, mb.id).await),
        )
        .await
        .unwrap();
    wait_stored(&app, mb.id, 1, &peer).await;
    // The status is written after the message is stored: wait for it too.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = state(&app, mb.id).await;
        if (s.status.as_deref(), s.failures) == (Some("ok"), 0) {
            break;
        }
        assert!(Instant::now() < deadline, "never cleared: {s:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn failing_version(app: &TestApp, channel: i64) -> i64 {
    app.app
        .email_channel(&Actor::system(), channel)
        .await
        .unwrap()
        .version
}

#[tokio::test]
async fn a_dead_server_flags_the_mailbox() {
    let Some(mut peer) = ImapPeer::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "seen").await;
    peer.append("INBOX", &customer_mail(1)).await;
    wait_stored(&app, mb.id, 1, &peer).await;
    peer.stop();
    let failing = wait_failing(&app, mb.id).await;
    assert!(failing.next_at > app.now());
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM imap_mailboxes WHERE lease_owner IS NOT NULL"
        )
        .await
            == 0,
        "a failed reader lets the mailbox go"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let mb = crate::mail_ingest::mailbox(&app).await;
    let mut f = form(&peer, "INBOX", "seen");
    f.ca_pem = String::new();
    app.app
        .save_imap_settings(&Actor::system(), mb.id, &f, None)
        .await
        .unwrap();
    let failing = wait_failing(&app, mb.id).await;
    assert!(
        failing.error.as_deref().unwrap_or("").contains("TLS"),
        "{failing:?}"
    );
}

#[tokio::test]
async fn an_oversize_mail_waits_in_the_failed_list_and_stays() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "delete").await;
    // Wait for the first read: the mails below are new, so kefu may delete what it took.
    let deadline = Instant::now() + Duration::from_secs(20);
    while state(&app, mb.id).await.status.is_none() {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut big = customer_mail(1);
    let pad = "x".repeat(998);
    let mut body = String::new();
    while body.len() < 26 * 1024 * 1024 {
        body.push_str(&pad);
        body.push_str("\r\n");
    }
    big.extend_from_slice(body.as_bytes());
    peer.append("INBOX", &big).await;
    peer.append("INBOX", &customer_mail(2)).await;
    wait_stored(&app, mb.id, 2, &peer).await;
    assert_eq!(
        count(
            &app,
            &format!(
                "SELECT COUNT(*) FROM inbound_mails WHERE channel_id = {} \
                 AND status = 'failed' AND reason = 'too_large'",
                mb.id
            )
        )
        .await,
        1
    );
    // The mail after it landed and was deleted; the oversize one stays on the server.
    wait_folder(&peer, "INBOX", "only the oversize mail left", |m| {
        m.len() == 1
    })
    .await;
}
