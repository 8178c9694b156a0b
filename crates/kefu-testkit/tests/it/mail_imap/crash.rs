//! kill -9 in the middle of fetching 1,000 mails: after a restart exactly 1,000 mails and
//! 1,000 tickets, none lost, none twice. The reader is a separate process (this test
//! binary run again for the ignored `reader_process` below), so the kill is a real
//! SIGKILL of a kefu that is mid-transaction, not a polite stop.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kefu_testkit::{ImapPeer, TestApp, TestOptions};

use super::{customer_mail, fetched_mailbox, stored};
use crate::mail_ingest::count;

/// The environment variable that makes `reader_process` serve a database.
const DATABASE: &str = "KEFU_CRASH_READER_DATABASE";

/// Mails in the mailbox.
const MAILS: u32 = 1000;

/// A kefu instance on the database named by [`DATABASE`], reading mailboxes until killed.
/// Ignored in a normal run; without the variable it returns at once.
#[tokio::test]
#[ignore = "run as a child process by crash_mid_fetch_loses_and_doubles_nothing"]
async fn reader_process() {
    let Ok(url) = std::env::var(DATABASE) else {
        return;
    };
    let _app = TestApp::spawn_with(TestOptions {
        join_database: Some(url),
        ..TestOptions::default()
    })
    .await;
    std::future::pending::<()>().await;
}

fn start_reader(database: &str) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "mail_imap::crash::reader_process",
            "--ignored",
            "--test-threads=1",
        ])
        .env(DATABASE, database)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("reader process starts")
}

#[tokio::test]
async fn crash_mid_fetch_loses_and_doubles_nothing() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    {
        let mut s = peer.session().await;
        for n in 1..=MAILS {
            s.append("INBOX", None, None, customer_mail(n))
                .await
                .expect("APPEND");
        }
        let _ = s.logout().await;
    }
    // This instance only watches: it reads no mailbox (no worker).
    let app = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let mb = fetched_mailbox(&app, &peer, "INBOX", "seen").await;

    let mut reader = start_reader(&app.database_url);
    let deadline = Instant::now() + Duration::from_secs(120);
    while stored(&app, mb.id).await < 150 {
        assert!(Instant::now() < deadline, "the reader never got going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    reader.kill().expect("SIGKILL");
    let _ = reader.wait();
    let at_kill = stored(&app, mb.id).await;
    assert!(
        at_kill < i64::from(MAILS),
        "killed mid-fetch ({at_kill} stored)"
    );

    // A new instance takes the mailbox once the dead one's lease runs out, and goes on.
    let started = Instant::now();
    let mut reader = start_reader(&app.database_url);
    let deadline = Instant::now() + Duration::from_secs(240);
    while stored(&app, mb.id).await < i64::from(MAILS) {
        assert!(
            Instant::now() < deadline,
            "{} of {MAILS} after the restart",
            stored(&app, mb.id).await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let took = started.elapsed();
    // Let it read once more: nothing new may come of it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    reader.kill().expect("SIGKILL");
    let _ = reader.wait();
    assert_eq!(stored(&app, mb.id).await, i64::from(MAILS));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM tickets WHERE channel = 'email'").await,
        i64::from(MAILS),
        "one ticket per mail: none lost, none twice"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(DISTINCT message_id) FROM inbound_mails WHERE status = 'ticket_created'"
        )
        .await,
        i64::from(MAILS)
    );
    eprintln!(
        "crash test: killed at {at_kill} stored; the rest ({}) took {:.1} s after the restart \
         (a dead reader's lease runs out within 30 s)",
        i64::from(MAILS) - at_kill,
        took.as_secs_f64()
    );
}
