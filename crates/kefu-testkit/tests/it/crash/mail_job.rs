//! A job killed mid-run runs again after its lease, with its effect once: a reply's mail
//! is being handed to the SMTP peer (`slow+…@`: the peer keeps the mail at once and holds
//! back its 250) when the server is killed. The job stays claimed by the dead server until
//! its lease runs out — nobody runs it meanwhile — then the restarted server runs it again:
//! the same mail with the same Message-ID, settled as sent once, one `mail_sent` event.
//!
//! The peer got the mail twice. SMTP cannot be exactly-once: a sender that dies after the
//! server took the mail but before its answer arrived cannot know it was taken. kefu sends
//! at least once, and every attempt carries the Message-ID made when the reply was queued,
//! so the receiving side recognises a repeat.

use std::time::{Duration, Instant};

use kefu_domain::Role;
use kefu_testkit::{ServerProcess, SmtpPeer, TestApp, TestOptions};
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::ENTRY;
use crate::mail_ingest::{inbound_path, mail, mailbox, sign};
use crate::mail_out::{SMTP_PASSWORD, SMTP_USER, events, header, sends, use_peer};

/// Long enough that the restarted server is up well before it runs out, so the test sees
/// the job left alone meanwhile.
const LEASE: Duration = Duration::from_secs(8);

/// The mail job: (status, attempts, locked_until in microseconds).
async fn mail_job(app: &TestApp) -> (String, i64, Option<i64>) {
    let mut c = app.app.store.conn().await.expect("a connection");
    sqlx::query_as("SELECT status, attempts, locked_until FROM jobs WHERE kind = $1")
        .bind(kefu_jobs::kind::MAIL_SEND)
        .fetch_one(&mut *c)
        .await
        .expect("the mail job")
}

/// Waits until the peer has taken `n` mails; all it took.
async fn taken(peer: &SmtpPeer, n: usize, within: Duration) -> Vec<Vec<u8>> {
    let deadline = Instant::now() + within;
    loop {
        let got = peer.received();
        if got.len() >= n {
            return got;
        }
        assert!(
            Instant::now() < deadline,
            "the peer took {} of {n} mails within {} s",
            got.len(),
            within.as_secs()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn message_id(raw: &[u8]) -> String {
    header(raw, "Message-ID")
        .expect("a Message-ID")
        .trim_matches(['<', '>'])
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mail_job_killed_mid_send_runs_again_after_its_lease_with_one_effect() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let observer = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let backend = observer.backend().name();
    let mb = mailbox(&observer).await;
    use_peer(&observer, mb.id, &peer).await;
    let agent = observer.create_user("crash.mail", &[Role::Agent]).await;
    let token = observer.token_for(agent).await;
    let mut server =
        ServerProcess::start_with_lease(ENTRY, &observer.database_url, Some(LEASE)).await;
    let http = reqwest::Client::new();

    // A customer writes in from an address whose mail the peer answers slowly.
    let raw = mail(
        "slow.1@kunde.example",
        ("周先生", "slow+zhou@kunde.example"),
        "热水器不出热水",
        "",
        "热水器打开后一直不出热水，型号 JSQ30-16。",
    );
    let ts = observer.now().as_second();
    let res = http
        .post(format!("{}{}", server.base, inbound_path(mb.id)))
        .header(CONTENT_TYPE, "message/rfc822")
        .header("x-kefu-timestamp", ts.to_string())
        .header("x-kefu-signature", sign(&mb.secret, ts, &raw))
        .body(raw)
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 201);
    let landed: Value = res.json().await.expect("JSON");
    let ticket = landed["ticket_id"].as_i64().expect("a ticket");

    let res = http
        .post(format!("{}/api/v1/tickets/{ticket}/messages", server.base))
        .bearer_auth(&token)
        .json(&json!({"body": "您好，师傅明天上午上门检修热水器。"}))
        .send()
        .await
        .expect("POST");
    assert_eq!(res.status(), 201);

    // The worker hands the mail over; the peer has all of it and holds back its answer.
    let first = taken(&peer, 1, Duration::from_secs(30)).await;
    let (status, attempts, leased_until) = mail_job(&observer).await;
    assert_eq!((status.as_str(), attempts), ("processing", 1));
    let leased_until = leased_until.expect("a lease");
    let queued = sends(&observer, ticket).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(
        queued[0].status, "queued",
        "not settled: the 250 never came"
    );
    server.kill9();

    server.restart().await;
    // The dead server's lease holds: nobody runs the job meanwhile.
    let mut watched = Duration::ZERO;
    while observer.now().as_microsecond() + 500_000 < leased_until {
        let (status, attempts, _) = mail_job(&observer).await;
        assert_eq!(
            (status.as_str(), attempts),
            ("processing", 1),
            "run again while its lease held"
        );
        assert_eq!(peer.received().len(), 1);
        tokio::time::sleep(Duration::from_millis(100)).await;
        watched += Duration::from_millis(100);
    }
    // Then the restarted server runs it again: the same mail.
    let got = taken(&peer, 2, LEASE + Duration::from_secs(60)).await;
    assert!(observer.now().as_microsecond() >= leased_until);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (status, _, _) = mail_job(&observer).await;
        if status == "succeeded" && sends(&observer, ticket).await[0].status == "sent" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the job did not finish: {status}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, attempts, _) = mail_job(&observer).await;
    assert_eq!(attempts, 2, "one run killed, one run again");
    let done = sends(&observer, ticket).await;
    assert_eq!(done.len(), 1, "one mail");
    assert_eq!(done[0].status, "sent");
    assert_eq!(events(&observer, ticket, "mail_sent").await.len(), 1);
    assert_eq!(message_id(&first[0]), done[0].message_id);
    assert_eq!(
        message_id(&got[1]),
        done[0].message_id,
        "the mail sent again keeps its Message-ID"
    );
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(
        peer.received().len(),
        2,
        "nothing more after it was settled"
    );
    eprintln!(
        "crash test ({backend}): a mail job killed mid-send was left alone for {:.1} s until \
         its lease ran out, ran again, and was settled once; the peer took it twice with \
         Message-ID <{}>",
        watched.as_secs_f64(),
        done[0].message_id
    );
    drop(server);
}
