//! 收信经 postfix — mail handed by SMTP to a real postfix, as the internet hands it to a
//! company's mail server, and from there to kefu: delivered by LMTP into dovecot and read by
//! kefu over IMAP, or piped by `contrib/postfix/kefu-mail-pipe` to the signed webhook
//! (`pipe.rs`). Each mail lands once however often it is delivered, also twice at once.

mod pipe;

use std::time::{Duration, Instant};

use kefu_app::Actor;
use kefu_testkit::{ImapPeer, PostfixPeer, TestApp};

use crate::mail_imap::{customer_mail, fetched_mailbox, stored, wait_folder, wait_stored};
use crate::mail_ingest::count;

/// The customer's address (the envelope sender postfix is given).
pub const SENDER: &str = "wangfang@customer.example";

pub async fn tickets(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) FROM tickets WHERE channel = 'email'").await
}

/// The first mail channel `channel` stored, as it reached kefu.
pub async fn first_raw(app: &TestApp, channel: i64) -> String {
    let id = count(
        app,
        &format!("SELECT MIN(id) FROM inbound_mails WHERE channel_id = {channel}"),
    )
    .await;
    let (_, raw) = app
        .app
        .inbound_mail_raw(&Actor::system(), channel, id)
        .await
        .expect("the stored mail");
    String::from_utf8_lossy(&raw).into_owned()
}

#[tokio::test]
async fn mail_through_postfix_and_dovecot_lands_once() {
    let Some(imap) = ImapPeer::start().await else {
        return;
    };
    let Some(postfix) = PostfixPeer::to_mailbox(&imap).await else {
        return;
    };
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &imap, "INBOX", "seen").await;
    // kefu's first read done, every mail below is new to it (and flagged once stored).
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .and_then(|m| m.status)
        .is_none()
    {
        assert!(Instant::now() < deadline, "never read: {}", imap.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let first = postfix.send(SENDER, &imap.user, &customer_mail(1)).await;
    let line = postfix.wait_delivered(&first).await;
    assert!(
        line.contains(&format!("relay=127.0.0.1[127.0.0.1]:{}", imap.lmtp_port)),
        "delivered by LMTP to dovecot: {line}"
    );
    wait_stored(&app, mb.id, 1, &imap).await;
    assert_eq!(tickets(&app).await, 1);
    let raw = first_raw(&app, mb.id).await;
    assert!(
        raw.contains(&format!("(Postfix) with ESMTP id {first}")),
        "kefu read the mail postfix delivered: {raw}"
    );
    // The same mail again, then twice at once (a sender's retry, a second route): postfix
    // delivers every copy into the mailbox, and kefu reads each without landing it again.
    let again = postfix.send(SENDER, &imap.user, &customer_mail(1)).await;
    let mail = customer_mail(1);
    let (a, b) = tokio::join!(
        postfix.send(SENDER, &imap.user, &mail),
        postfix.send(SENDER, &imap.user, &mail),
    );
    for id in [&again, &a, &b] {
        postfix.wait_delivered(id).await;
    }
    wait_folder(&imap, "INBOX", "all four copies read", |m| {
        m.len() == 4 && m.iter().all(|(_, seen)| *seen)
    })
    .await;
    assert_eq!(stored(&app, mb.id).await, 1);
    assert_eq!(tickets(&app).await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM ticket_messages WHERE channel = 'email'"
        )
        .await,
        1
    );
    assert!(postfix.queue_is_empty(), "{}", postfix.queue_listing());
}
