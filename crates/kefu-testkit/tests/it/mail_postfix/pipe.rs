//! Mail piped by postfix to the webhook (`kefu-mail-pipe`, as README.md sets it up): it
//! lands once; a refused signature or kefu being away keeps it in postfix's queue until it
//! can land (exit status 75, EX_TEMPFAIL); a switched-off channel returns it to its sender
//! (77, EX_NOPERM).

use kefu_app::Actor;
use kefu_testkit::postfix_peer::{self, WEBHOOK_DOMAIN};
use kefu_testkit::{PostfixPeer, TestApp};

use super::{SENDER, first_raw, tickets};
use crate::mail_imap::stored;
use crate::mail_ingest::{mail, mailbox};

fn recipient() -> String {
    format!("support@{WEBHOOK_DOMAIN}")
}

fn piped_mail(n: u32) -> Vec<u8> {
    mail(
        &format!("piped-{n}@customer.example"),
        ("王芳", SENDER),
        &format!("安装预约 {n} 想改期"),
        "",
        "您好，原定周六上午的热水器安装，能否改到下周一上午？谢谢。",
    )
}

#[tokio::test]
async fn piped_mail_lands_once() {
    if !postfix_peer::usable() {
        return;
    }
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let Some(postfix) = PostfixPeer::to_kefu(&app.base, mb.id, &mb.secret).await else {
        return;
    };
    let first = postfix.send(SENDER, &recipient(), &piped_mail(1)).await;
    let line = postfix.wait_delivered(&first).await;
    assert!(
        line.contains("relay=kefu0"),
        "delivered by the pipe: {line}"
    );
    assert_eq!(tickets(&app).await, 1);
    let raw = first_raw(&app, mb.id).await;
    // `flags=R`: the envelope sender comes along, for kefu's auto-reply rules.
    assert!(
        raw.starts_with(&format!("Return-Path: <{SENDER}>")),
        "the mail as piped: {raw}"
    );
    assert!(
        raw.contains(&format!("(Postfix) with ESMTP id {first}")),
        "{raw}"
    );
    // Again, then twice at once: every copy is posted, kefu answers `duplicate`, and
    // postfix counts each as delivered.
    let again = postfix.send(SENDER, &recipient(), &piped_mail(1)).await;
    let (to, mail) = (recipient(), piped_mail(1));
    let (a, b) = tokio::join!(
        postfix.send(SENDER, &to, &mail),
        postfix.send(SENDER, &to, &mail),
    );
    for id in [&again, &a, &b] {
        postfix.wait_delivered(id).await;
    }
    assert_eq!(tickets(&app).await, 1);
    assert_eq!(stored(&app, mb.id).await, 1);
    postfix.wait_queue_empty().await;
}

#[tokio::test]
async fn a_refused_signature_keeps_the_mail_until_the_secret_is_right() {
    if !postfix_peer::usable() {
        return;
    }
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    // A secret file out of date (the channel's secret was rotated, the file not).
    let Some(mut postfix) = PostfixPeer::to_kefu(&app.base, mb.id, &"0".repeat(64)).await else {
        return;
    };
    let id = postfix.send(SENDER, &recipient(), &piped_mail(2)).await;
    let line = postfix.wait_status(&id, "deferred").await;
    assert!(
        line.contains("kefu answered 401 webhook_rejected (bad_signature)"),
        "the reason is in postfix's log: {line}"
    );
    assert_eq!(postfix.queued(), 1, "postfix keeps the mail");
    assert_eq!(tickets(&app).await, 0);
    assert_eq!(stored(&app, mb.id).await, 0);
    assert!(!app.audit_entries("webhook_rejected").await.is_empty());
    // The administrator puts the current secret in the file and flushes the queue.
    postfix.set_secret(WEBHOOK_DOMAIN, &mb.secret);
    postfix.flush_until_delivered(&id).await;
    assert_eq!(tickets(&app).await, 1);
    postfix.wait_queue_empty().await;
}

#[tokio::test]
async fn mail_waits_in_postfix_while_kefu_is_away() {
    if !postfix_peer::usable() {
        return;
    }
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    // postfix posts to an instance that then stops; another serves the same database.
    let away = app.spawn_peer().await;
    let away_url = away.base.clone();
    let Some(mut postfix) = PostfixPeer::to_kefu(&away_url, mb.id, &mb.secret).await else {
        return;
    };
    away.stop().await;
    let id = postfix.send(SENDER, &recipient(), &piped_mail(3)).await;
    let line = postfix.wait_status(&id, "deferred").await;
    assert!(
        line.contains(&format!("kefu at {away_url} cannot be reached")),
        "{line}"
    );
    assert_eq!(postfix.queued(), 1, "postfix keeps the mail");
    assert_eq!(tickets(&app).await, 0);
    // kefu is back (at the running instance's address): the kept mail lands once.
    postfix.set_kefu_url(WEBHOOK_DOMAIN, &app.base).await;
    postfix.flush_until_delivered(&id).await;
    assert_eq!(tickets(&app).await, 1);
    postfix.wait_queue_empty().await;
}

#[tokio::test]
async fn a_switched_off_channel_returns_the_mail_to_its_sender() {
    if !postfix_peer::usable() {
        return;
    }
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    app.app
        .set_email_channel_active(&Actor::system(), mb.id, false, None)
        .await
        .expect("switched off");
    let Some(postfix) = PostfixPeer::to_kefu(&app.base, mb.id, &mb.secret).await else {
        return;
    };
    let id = postfix.send(SENDER, &recipient(), &piped_mail(4)).await;
    let line = postfix.wait_status(&id, "bounced").await;
    assert!(
        line.contains("kefu answered 403 channel_inactive"),
        "{line}"
    );
    // Returned to the sender (here nowhere: the test's postfix sends nowhere else).
    postfix.wait_queue_empty().await;
    assert_eq!(tickets(&app).await, 0);
    assert_eq!(stored(&app, mb.id).await, 0);
}
