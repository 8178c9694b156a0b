//! The daily report reaches the manager's real mailbox once: two instances make it at its
//! time and their job workers send it through postfix into dovecot, where it is read back
//! over IMAP — the summary as text and HTML, the XLSX attached and readable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use calamine::Reader;
use kefu_app::Actor;
use kefu_app::channel::email::SmtpForm;
use kefu_domain::{FixedClock, Role};
use kefu_jobs::Worker;
use kefu_testkit::{ApiClient, ImapPeer, PostfixPeer, TestApp, TestOptions};

use super::reports::{beijing, record};
use crate::mail_ingest::mailbox;
use crate::mail_out::{header, parsed};
use crate::spreadsheet::{number, text};

#[tokio::test]
async fn two_instances_mail_the_daily_report_once_into_a_real_mailbox() {
    let Some(imap) = ImapPeer::start().await else {
        return;
    };
    let Some(postfix) = PostfixPeer::to_mailbox(&imap).await else {
        return;
    };
    // Friday 2026-12-04 10:00 in Beijing.
    let clock = Arc::new(FixedClock::new(beijing("2026-12-04", "10:00")));
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let q1 = app
        .create_user("rm.zhijian", &[Role::QualitySpecialist])
        .await;
    let manager_id = app.create_user("rm.jingli", &[Role::CsManager]).await;
    {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query("UPDATE users SET email = $1 WHERE id = $2")
            .bind(&imap.user)
            .bind(manager_id)
            .execute(&mut *c)
            .await
            .unwrap();
    }
    let mb = mailbox(&app).await;
    app.app
        .save_smtp_settings(
            &Actor::system(),
            mb.id,
            &SmtpForm {
                host: "127.0.0.1".to_owned(),
                port: postfix.smtp_port.to_string(),
                security: "none".to_owned(),
                username: String::new(),
                password: String::new(),
                from_name: "恒信客服".to_owned(),
            },
            None,
        )
        .await
        .expect("SMTP settings");
    let quality = ApiClient::new(&app, &app.token_for(q1).await);
    let items = kefu_testkit::json_body(quality.get("/api/v1/quality/service-items").await).await;
    let phone = items[0]["id"].as_i64().unwrap();
    record(&quality, phone, None, "2026-12-04", "客户来电三次未接通。").await;

    // Monday 08:30: both instances try; their workers race for the mail.
    clock.set(beijing("2026-12-07", "08:30"));
    let peer = app.spawn_quiet_peer().await;
    let (a, b) = tokio::join!(app.app.run_quality_report(), peer.app.run_quality_report());
    assert_eq!(
        [a.unwrap(), b.unwrap()].iter().flatten().count(),
        1,
        "made once"
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ticks = 0;
    while imap.mails("INBOX").await.is_empty() {
        assert!(
            Instant::now() < deadline,
            "no mail arrived: {}",
            postfix.log()
        );
        let w1 = Worker::new(app.app.clone(), "report-a".to_owned());
        let w2 = Worker::new(peer.app.clone(), "report-b".to_owned());
        let _ = tokio::join!(w1.tick(), w2.tick());
        ticks += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // More rounds on both: nothing more goes out.
    for _ in 0..3 {
        let w1 = Worker::new(app.app.clone(), "report-a".to_owned());
        let w2 = Worker::new(peer.app.clone(), "report-b".to_owned());
        let _ = tokio::join!(w1.tick(), w2.tick());
    }
    postfix.wait_queue_empty().await;
    let mails = imap.raw_mails("INBOX").await;
    assert_eq!(mails.len(), 1, "one mail after {ticks} rounds");
    let raw = &mails[0];
    let m = parsed(raw);
    assert_eq!(m.subject, "质量异常分析日报表 2026-12-04");
    assert_eq!(m.to[0].address, imap.user);
    assert_eq!(
        header(raw, "Auto-Submitted").as_deref(),
        Some("auto-generated")
    );
    let source = String::from_utf8_lossy(raw);
    assert!(
        source.contains("multipart/alternative") && source.contains("text/html"),
        "the summary as HTML too"
    );
    assert!(m.text.contains("新增异常: 1"), "{}", m.text);
    // Each test instance has its own address; a site's instances share one.
    assert!(
        [&app.base, &peer.base].iter().any(|base| m
            .text
            .contains(&format!("{base}/quality/reports/2026-12-04"))),
        "{}",
        m.text
    );
    let file = m
        .attachments
        .iter()
        .find(|a| a.file_name.ends_with(".xlsx"))
        .expect("the XLSX attached");
    assert_eq!(file.file_name, "质量异常分析日报表-2026-12-04.xlsx");
    let mut book = crate::spreadsheet::xlsx(&file.bytes);
    let s = book.worksheet_range("日报").unwrap();
    assert_eq!(text(&s, (10, 0)), "新增异常");
    assert_eq!(number(&s, (10, 1)), 1.0);
    let s = book.worksheet_range("异常清单").unwrap();
    assert_eq!(text(&s, (1, 9)), "客户来电三次未接通。");
    peer.stop().await;
    app.stop().await;
}
