//! 收信（IMAP）— mail fetched from a real dovecot over verified TLS: each mail lands once,
//! in UID order, and only then is flagged, deleted or moved; mail there before kefu stays;
//! a reader client taking \Seen first steals nothing; a recreated folder (new UIDVALIDITY)
//! is read again without duplicates; a wrong password or a dead server flags the mailbox
//! and backs off; two instances read one mailbox once.

mod crash;
mod failures;
mod settings;

use std::time::{Duration, Instant};

use kefu_app::Actor;
use kefu_app::channel::email::ImapForm;
use kefu_testkit::{ImapPeer, TestApp};

use crate::mail_ingest::{Mailbox, count, mail, mailbox};

/// A mailbox of `app` fetched from `peer`'s `folder` over TLS, trusting the peer's
/// certificate; `after` is `seen`, `delete` or `move` (to `Processed`).
pub async fn fetched_mailbox(app: &TestApp, peer: &ImapPeer, folder: &str, after: &str) -> Mailbox {
    let mb = mailbox(app).await;
    app.app
        .save_imap_settings(&Actor::system(), mb.id, &form(peer, folder, after), None)
        .await
        .expect("IMAP settings");
    mb
}

pub fn form(peer: &ImapPeer, folder: &str, after: &str) -> ImapForm {
    ImapForm {
        host: "localhost".to_owned(),
        port: peer.imaps_port.to_string(),
        security: "tls".to_owned(),
        username: peer.user.clone(),
        password: peer.password.clone(),
        folder: folder.to_owned(),
        after: after.to_owned(),
        move_to: if after == "move" {
            "Processed".to_owned()
        } else {
            String::new()
        },
        poll_secs: "5".to_owned(),
        ca_pem: peer.ca_pem.clone(),
    }
}

/// Mails stored for channel `channel` (each once, whatever became of it).
pub async fn stored(app: &TestApp, channel: i64) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) FROM inbound_mails WHERE channel_id = {channel}"),
    )
    .await
}

/// Waits until channel `channel` has stored `n` mails (at most 20 s).
pub async fn wait_stored(app: &TestApp, channel: i64, n: i64, peer: &ImapPeer) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let got = stored(app, channel).await;
        if got >= n {
            assert_eq!(got, n, "more mail stored than sent");
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{got} of {n} mails stored; mailbox state: {:?}; dovecot log: {}",
            app.app
                .email_channel_imap(&Actor::system(), channel)
                .await
                .ok()
                .flatten()
                .map(|m| (m.status, m.error)),
            peer.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `check` holds of the peer's `folder` (at most 20 s).
pub async fn wait_folder(
    peer: &ImapPeer,
    folder: &str,
    what: &str,
    check: impl Fn(&[(u32, bool)]) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mails = peer.mails(folder).await;
        if check(&mails) {
            return;
        }
        assert!(Instant::now() < deadline, "{what}: {folder} is {mails:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn customer_mail(n: u32) -> Vec<u8> {
    mail(
        &format!("imap-{n}@customer.example"),
        ("王芳", "wangfang@customer.example"),
        &format!("订单 {n} 的发票还没收到"),
        "",
        &format!("您好，订单 {n} 的发票一直没有收到，请帮忙查一下。"),
    )
}

#[tokio::test]
async fn fetched_mail_lands_once_and_is_flagged_only_after() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    // Two mails wait before kefu ever connects; one of them a person already read.
    peer.append("INBOX", &customer_mail(1)).await;
    peer.append("INBOX", &customer_mail(2)).await;
    peer.read_all("INBOX").await;
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "seen").await;
    // \Seen does not hide mail from kefu: both land.
    wait_stored(&app, mb.id, 2, &peer).await;
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets WHERE channel = 'email'").await,
        2
    );
    let subject: String = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT subject FROM tickets ORDER BY id LIMIT 1")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(subject, "订单 1 的发票还没收到");
    // New mail arrives while kefu waits (IDLE): it lands and is then flagged seen.
    peer.append("INBOX", &customer_mail(3)).await;
    wait_stored(&app, mb.id, 3, &peer).await;
    wait_folder(&peer, "INBOX", "the third mail flagged seen", |m| {
        m.len() == 3 && m.iter().all(|(_, seen)| *seen)
    })
    .await;
    let state = app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .expect("fetched");
    assert_eq!(state.status.as_deref(), Some("ok"));
    assert!(state.idle, "dovecot offers IDLE");
    assert_eq!(state.last_uid, 3);
    assert_eq!(state.kept_through_uid, 2, "the two mails there before kefu");
    // The same mail delivered again (a second copy in the folder) lands nowhere new.
    peer.append("INBOX", &customer_mail(3)).await;
    wait_folder(&peer, "INBOX", "the copy read", |m| m.len() == 4 && m[3].1).await;
    assert_eq!(stored(&app, mb.id).await, 3);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM ticket_messages WHERE channel = 'email'"
        )
        .await,
        3
    );
}

#[tokio::test]
async fn delete_spares_mail_from_before_kefu() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    peer.append("INBOX", &customer_mail(1)).await;
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "delete").await;
    wait_stored(&app, mb.id, 1, &peer).await;
    peer.append("INBOX", &customer_mail(2)).await;
    wait_stored(&app, mb.id, 2, &peer).await;
    // The mail from before stays (flagged nothing); the new one is gone once stored.
    wait_folder(&peer, "INBOX", "only the old mail left", |m| {
        m.len() == 1 && m[0].0 == 1
    })
    .await;
}

#[tokio::test]
async fn move_takes_stored_mail_to_another_folder() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    peer.create("Processed").await;
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "move").await;
    // Wait for the first read, so the mail below is new to kefu.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .and_then(|m| m.status)
        .is_none()
    {
        assert!(Instant::now() < deadline, "never read: {}", peer.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    peer.append("INBOX", &customer_mail(1)).await;
    wait_stored(&app, mb.id, 1, &peer).await;
    wait_folder(&peer, "Processed", "moved", |m| m.len() == 1).await;
    wait_folder(&peer, "INBOX", "moved away", <[_]>::is_empty).await;
}

#[tokio::test]
async fn recreated_folder_is_read_again_without_duplicates() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    peer.create("Support").await;
    peer.append("Support", &customer_mail(1)).await;
    peer.append("Support", &customer_mail(2)).await;
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "Support", "seen").await;
    wait_stored(&app, mb.id, 2, &peer).await;
    let before = app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .unwrap();
    // The folder is made anew (restored from a backup): new UIDVALIDITY, UIDs from 1.
    peer.recreate("Support").await;
    peer.append("Support", &customer_mail(1)).await;
    peer.append("Support", &customer_mail(2)).await;
    peer.append("Support", &customer_mail(3)).await;
    wait_stored(&app, mb.id, 3, &peer).await;
    wait_folder(&peer, "Support", "all read", |m| {
        m.len() == 3 && m.iter().all(|(_, s)| *s)
    })
    .await;
    let after = app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(after.uid_validity, before.uid_validity);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets WHERE channel = 'email'").await,
        3,
        "the two mails read before do not land twice"
    );
}

#[tokio::test]
async fn two_instances_read_one_mailbox_once() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    let first = TestApp::spawn().await;
    let second = first.spawn_peer().await;
    let mb = fetched_mailbox(&first, &peer, "INBOX", "seen").await;
    for n in 1..=20 {
        peer.append("INBOX", &customer_mail(n)).await;
    }
    wait_stored(&first, mb.id, 20, &peer).await;
    assert_eq!(
        count(
            &first,
            "SELECT COUNT(*) FROM tickets WHERE channel = 'email'"
        )
        .await,
        20
    );
    let holders = count(
        &first,
        "SELECT COUNT(DISTINCT lease_owner) FROM imap_mailboxes WHERE lease_owner IS NOT NULL",
    )
    .await;
    assert_eq!(holders, 1, "one instance holds the mailbox");
    second.stop().await;
}

#[tokio::test]
async fn a_server_without_idle_is_polled() {
    let Some(peer) = ImapPeer::start_without_idle().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "seen").await;
    // Delivered as a mail server delivers (LMTP), after kefu's first read.
    let deadline = Instant::now() + Duration::from_secs(20);
    while app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .and_then(|m| m.status)
        .is_none()
    {
        assert!(Instant::now() < deadline, "never read: {}", peer.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    peer.deliver(&customer_mail(1)).await;
    // The polling interval is 5 s: the mail lands on the next poll.
    wait_stored(&app, mb.id, 1, &peer).await;
    let state = app
        .app
        .email_channel_imap(&Actor::system(), mb.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!state.idle, "the server offers no IDLE");
    wait_folder(&peer, "INBOX", "flagged seen", |m| m.len() == 1 && m[0].1).await;
}
