//! 渠道 — e-mail out, against a real SMTP server (`kefu_testkit::SmtpPeer`, aiosmtpd): an
//! agent's reply goes back to the customer threaded to their mail and their answer lands on
//! the same ticket; a 451 is tried again with the same Message-ID, a 550 fails for good
//! with the server's words on the ticket and the jobs page; a bounced address gets
//! nothing; automatic replies say so, skip auto-repliers and stop at the hourly cap; the
//! portal's verification link arrives and works; the channel page sets the server, tries
//! it, and never shows its password.
//!
//! These servers run no job worker of their own: each test runs the worker's rounds itself
//! ([`run_jobs`]) on a clock it moves, so a retry's back-off is a step of the test.

mod automatic;
mod outbox;
mod replies;
mod settings;

use std::sync::Arc;

use kefu_app::Actor;
use kefu_app::channel::email::{InboundMail, MailLimits, SmtpForm, parse};
use kefu_domain::FixedClock;
use kefu_jobs::Worker;
use kefu_store::mail::outbound::MailSend;
use kefu_testkit::{ApiClient, SmtpPeer, TestApp};
use reqwest::Method;
use serde_json::json;

/// The user and password the peer lets in.
pub const SMTP_USER: &str = "kefu-out";
pub const SMTP_PASSWORD: &str = "Smtp-Pa55-7f3c9e21-out";

/// A server whose clock and job rounds the test drives.
pub async fn quiet_app() -> (TestApp, Arc<FixedClock>) {
    TestApp::quiet_at("2026-11-23T02:00:00Z").await
}

/// One round of the job worker: every due job runs once.
pub async fn run_jobs(app: &TestApp) -> usize {
    Worker::new(app.app.clone(), "mail-test-worker".to_owned())
        .tick()
        .await
        .expect("a worker round")
}

/// Points the mailbox at the peer: no encryption (the peer is on this machine), signed in
/// as the peer's user.
pub async fn use_peer(app: &TestApp, channel: i64, peer: &SmtpPeer) {
    app.app
        .save_smtp_settings(
            &Actor::system(),
            channel,
            &SmtpForm {
                host: "127.0.0.1".to_owned(),
                port: peer.port.to_string(),
                security: "none".to_owned(),
                username: SMTP_USER.to_owned(),
                password: SMTP_PASSWORD.to_owned(),
                from_name: "恒信售后".to_owned(),
            },
            None,
        )
        .await
        .expect("SMTP settings");
}

/// A mail as the peer took it, read by kefu's own parser.
pub fn parsed(raw: &[u8]) -> InboundMail {
    parse(raw, &MailLimits::default()).expect("a mail kefu can read")
}

/// The first value of header `name` in a raw mail, unfolded.
pub fn header(raw: &[u8], name: &str) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let head = text.split("\r\n\r\n").next().unwrap_or_default();
    let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
    unfolded.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().to_owned())
    })
}

/// A public reply by the agent through the API.
pub async fn reply(api: &ApiClient, ticket: i64, body: &str) {
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/tickets/{ticket}/messages"),
            &json!({ "body": body }),
        )
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 201, "{body}");
}

/// The mails kefu sent or queued about a ticket.
pub async fn sends(app: &TestApp, ticket: i64) -> Vec<MailSend> {
    let mut c = app.app.store.conn().await.unwrap();
    kefu_store::mail::outbound::of_ticket(&mut c, ticket)
        .await
        .unwrap()
}

/// The ticket's events of `field`, their values.
pub async fn events(app: &TestApp, ticket: i64, field: &str) -> Vec<String> {
    app.app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap()
        .events
        .into_iter()
        .filter(|e| e.field == field)
        .map(|e| e.new_value.unwrap_or_default())
        .collect()
}
