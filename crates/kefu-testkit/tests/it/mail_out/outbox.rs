//! The portal's verification link goes out by mail: while no mailbox can send, it waits
//! (the job tries again); once one can, it arrives, in the customer's language, with a link
//! to this server that proves the address when followed.

use jiff::SignedDuration;
use kefu_testkit::{Session, SmtpPeer, TEST_PASSWORD};

use super::{SMTP_PASSWORD, SMTP_USER, header, parsed, quiet_app, run_jobs, use_peer};
use crate::mail_ingest::{MAILBOX, mailbox};

/// The first http(s) link in a text.
fn link_in(text: &str) -> Option<String> {
    let start = text.find("http")?;
    let rest = &text[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    Some(rest[..end].to_owned())
}

#[tokio::test]
async fn the_verification_link_arrives_by_mail_once_a_mailbox_can_send_and_works() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let (app, clock) = quiet_app().await;
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let res = visitor
        .post_form(
            "/portal/register",
            &[
                ("email", "zhou.wei@example.com"),
                ("name", "周伟"),
                ("phone", ""),
                ("password", TEST_PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // No mailbox sends yet: the message waits, and says why.
    run_jobs(&app).await;
    let waiting = {
        let mut c = app.app.store.conn().await.unwrap();
        kefu_store::outbox::to_address(&mut c, "email", "zhou.wei@example.com", 10)
            .await
            .unwrap()
    };
    assert_eq!(waiting.len(), 1);
    assert!(waiting[0].delivered_at.is_none());
    assert!(
        waiting[0]
            .last_error
            .as_deref()
            .unwrap_or_default()
            .contains("no e-mail channel has an SMTP server"),
        "{:?}",
        waiting[0].last_error
    );
    assert!(peer.received().is_empty());

    // A mailbox gets a server; the job's next attempt sends the link.
    let mb = mailbox(&app).await;
    use_peer(&app, mb.id, &peer).await;
    clock.advance(SignedDuration::from_secs(31));
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let m = parsed(&got[0]);
    assert_eq!(m.to[0].address, "zhou.wei@example.com");
    assert_eq!(m.from.as_ref().unwrap().address, MAILBOX);
    assert_eq!(m.subject, "请验证您的邮箱地址");
    assert_eq!(
        header(&got[0], "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let link = link_in(&m.text).expect("a link in the mail");
    assert!(
        link.starts_with(&format!("{}/portal/verify/", app.base)),
        "{link}"
    );

    // Delivered: its values are not kept, and nothing is sent again.
    let delivered = {
        let mut c = app.app.store.conn().await.unwrap();
        kefu_store::outbox::to_address(&mut c, "email", "zhou.wei@example.com", 10)
            .await
            .unwrap()
    };
    assert!(delivered[0].delivered_at.is_some());
    assert_eq!(delivered[0].params, "{}");
    clock.advance(SignedDuration::from_mins(10));
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1);

    // Followed, the link proves the address.
    let res = app.client().get(&link).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("邮箱已验证"), "{body}");
    app.stop().await;
}
