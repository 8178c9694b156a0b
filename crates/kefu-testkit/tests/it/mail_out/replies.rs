//! An agent's public reply on a mail ticket goes to the customer by mail: threaded to
//! their mail, the ticket number in the subject, sent once; their answer lands on the same
//! ticket. A 451 is tried again with the same Message-ID; a 550 is final, its words on the
//! ticket and the jobs page; an address that bounced gets nothing.

use jiff::SignedDuration;
use kefu_app::Actor;
use kefu_app::channel::email::Sender;
use kefu_app::ticket::{Reply, Upload, Visibility};
use kefu_domain::Role;
use kefu_testkit::{ApiClient, SmtpPeer, TEST_PASSWORD, TestApp};

use super::{SMTP_PASSWORD, SMTP_USER};
use super::{events, header, parsed, quiet_app, reply, run_jobs, sends, use_peer};
use crate::mail_ingest::{MAILBOX, mail, mailbox, post_mail};

async fn agent(app: &TestApp) -> ApiClient {
    let id = app.create_user("mail.agent", &[Role::Agent]).await;
    ApiClient::new(app, &app.token_for(id).await)
}

async fn number(app: &TestApp, ticket: i64) -> String {
    app.app
        .ticket_detail(&Actor::system(), ticket)
        .await
        .unwrap()
        .ticket
        .number
}

#[tokio::test]
async fn a_reply_goes_back_threaded_once_and_the_customers_answer_lands_on_its_ticket() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let (app, clock) = quiet_app().await;
    let mb = mailbox(&app).await;
    use_peer(&app, mb.id, &peer).await;
    let api = agent(&app).await;
    let first = mail(
        "kehu.1@example.com",
        ("王芳", "Wang.Fang@Example.com"),
        "空调不制冷",
        "",
        "我家的空调从昨天开始不制冷了。",
    );
    let (status, answer) = post_mail(&app, &mb, &first).await;
    assert_eq!(status, 201, "{answer}");
    let id = answer["ticket_id"].as_i64().unwrap();
    let number = number(&app, id).await;

    clock.advance(SignedDuration::from_mins(1));
    reply(&api, id, "您好，师傅明天上午上门检修。").await;
    let queued = sends(&app, id).await;
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].status, "queued", "queued with the reply");
    assert!(
        peer.received().is_empty(),
        "sent by the job, not the request"
    );

    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let m = parsed(&got[0]);
    assert_eq!(m.to.len(), 1);
    assert_eq!(m.to[0].address, "wang.fang@example.com");
    let from = m.from.clone().expect("a sender");
    assert_eq!(from.address, MAILBOX);
    assert_eq!(from.name.as_deref(), Some("恒信售后"));
    assert_eq!(m.subject, format!("Re: 空调不制冷 [{number}]"));
    assert_eq!(m.in_reply_to, vec!["kehu.1@example.com".to_owned()]);
    assert_eq!(m.references, vec!["kehu.1@example.com".to_owned()]);
    assert!(
        m.message_id.starts_with(&format!("kf.{id}."))
            && m.message_id.ends_with("@hengxin.example"),
        "{}",
        m.message_id
    );
    assert_eq!(
        m.message_id, queued[0].message_id,
        "the id made at queue time"
    );
    assert!(m.text.contains("师傅明天上午上门检修"), "{}", m.text);
    assert_eq!(m.sender, Sender::Human);
    assert_eq!(header(&got[0], "Auto-Submitted"), None, "a person wrote it");

    // Sent once: more rounds send nothing more.
    clock.advance(SignedDuration::from_hours(2));
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1);
    let done = sends(&app, id).await;
    assert_eq!(done[0].status, "sent");
    assert!(
        done[0]
            .last_reply
            .as_deref()
            .unwrap_or_default()
            .starts_with("250")
    );
    assert_eq!(events(&app, id, "mail_sent").await.len(), 1);

    // The customer answers: In-Reply-To names kefu's mail, the subject nothing.
    clock.advance(SignedDuration::from_mins(1));
    let threading = format!(
        "In-Reply-To: <{0}>\r\nReferences: <kehu.1@example.com> <{0}>\r\n",
        m.message_id
    );
    let answer_mail = mail(
        "kehu.2@example.com",
        ("王芳", "wang.fang@example.com"),
        "Re: 空调的事",
        &threading,
        "好的，明天上午家里有人。",
    );
    let (status, landed) = post_mail(&app, &mb, &answer_mail).await;
    assert_eq!(status, 200, "{landed}");
    assert_eq!(landed["status"], "added_to_ticket");
    assert_eq!(landed["ticket_id"], id);

    // The next reply names the whole thread, its own Message-ID new; its file goes along.
    clock.advance(SignedDuration::from_mins(1));
    app.app
        .reply_with_files(
            &Actor::system(),
            id,
            &Reply {
                body: "收到，附上保修卡信息。".to_owned(),
                visibility: Visibility::Public,
                status: None,
            },
            &[Upload {
                filename: "保修卡.txt".to_owned(),
                bytes: "型号 KFR-35GW，保修至 2028 年".as_bytes().to_vec(),
            }],
        )
        .await
        .unwrap();
    // An internal note is never mailed.
    app.app
        .reply(
            &Actor::system(),
            id,
            &Reply {
                body: "内部备注：师傅已排班".to_owned(),
                visibility: Visibility::Internal,
                status: None,
            },
        )
        .await
        .unwrap();
    run_jobs(&app).await;
    let got = peer.wait_for(2).await;
    assert_eq!(got.len(), 2, "the reply, not the note");
    let second = parsed(&got[1]);
    assert_ne!(second.message_id, m.message_id);
    assert_eq!(second.in_reply_to, vec!["kehu.2@example.com".to_owned()]);
    assert_eq!(
        second.references,
        vec![
            "kehu.1@example.com".to_owned(),
            m.message_id.clone(),
            "kehu.2@example.com".to_owned()
        ]
    );
    assert!(second.text.contains("附上保修卡信息"), "{}", second.text);
    assert_eq!(second.attachments.len(), 1);
    assert_eq!(second.attachments[0].file_name, "保修卡.txt");
    assert_eq!(
        second.attachments[0].bytes,
        "型号 KFR-35GW，保修至 2028 年".as_bytes()
    );
    assert_eq!(sends(&app, id).await.len(), 2);
    app.stop().await;
}

#[tokio::test]
async fn a_451_is_tried_again_later_with_the_same_message_id_and_sent_once() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let (app, clock) = quiet_app().await;
    let mb = mailbox(&app).await;
    use_peer(&app, mb.id, &peer).await;
    let api = agent(&app).await;
    let raw = mail(
        "li.1@example.com",
        ("李娜", "tempfail+li.na@example.com"),
        "退货申请",
        "",
        "电饭煲内胆有划痕，申请退货。",
    );
    let (_, answer) = post_mail(&app, &mb, &raw).await;
    let id = answer["ticket_id"].as_i64().unwrap();
    reply(&api, id, "您好，已为您登记退货。").await;

    run_jobs(&app).await;
    assert!(peer.received().is_empty(), "451: not taken");
    let refused = peer.tempfailed();
    assert_eq!(refused.len(), 1);
    let waiting = sends(&app, id).await;
    assert_eq!(waiting[0].status, "queued", "to be tried again");
    assert!(
        waiting[0]
            .last_reply
            .as_deref()
            .unwrap_or_default()
            .starts_with("451"),
        "{:?}",
        waiting[0].last_reply
    );
    let mut c = app.app.store.conn().await.unwrap();
    let jobs = kefu_store::jobs::list(&mut c, 50).await.unwrap();
    drop(c);
    let job = jobs.iter().find(|j| j.kind == "mail_send").unwrap();
    assert_eq!(job.status, "enqueued");
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or_default()
            .contains("451")
    );

    // Not before its back-off; after it, sent — with the Message-ID the 451 saw.
    run_jobs(&app).await;
    assert!(peer.received().is_empty());
    clock.advance(SignedDuration::from_secs(31));
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        parsed(&got[0]).message_id,
        parsed(&refused[0]).message_id,
        "a retry carries the same Message-ID"
    );
    clock.advance(SignedDuration::from_hours(3));
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1, "sent once");
    let done = sends(&app, id).await;
    assert_eq!(done[0].status, "sent");
    assert_eq!(done[0].attempts, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_550_fails_for_good_with_the_servers_words_on_the_ticket_and_the_jobs_page() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let (app, clock) = quiet_app().await;
    let mb = mailbox(&app).await;
    use_peer(&app, mb.id, &peer).await;
    let api = agent(&app).await;
    let raw = mail(
        "zhao.1@example.com",
        ("赵磊", "reject+zhao.lei@example.com"),
        "发票抬头",
        "",
        "请把发票抬头改成公司名称。",
    );
    let (_, answer) = post_mail(&app, &mb, &raw).await;
    let id = answer["ticket_id"].as_i64().unwrap();
    reply(&api, id, "您好，发票已重开。").await;
    run_jobs(&app).await;
    assert!(peer.received().is_empty());

    let failed = sends(&app, id).await;
    assert_eq!(failed[0].status, "failed");
    assert_eq!(failed[0].attempts, 1, "no retry after a 5xx");
    let said = events(&app, id, "mail_send_failed").await;
    assert_eq!(said.len(), 1);
    assert!(
        said[0].starts_with("550") && said[0].contains("Recipient address rejected"),
        "{said:?}"
    );
    let s = app.login("mail.agent", TEST_PASSWORD).await;
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    assert!(
        page.contains("邮件发送失败：550 5.1.1 Recipient address rejected"),
        "the ticket says why"
    );

    app.create_user("mail.admin", &[Role::Admin]).await;
    let admin = app.login("mail.admin", TEST_PASSWORD).await;
    let jobs_page = admin.get("/admin/jobs").await.text().await.unwrap();
    assert!(jobs_page.contains("mail_send"), "{jobs_page}");
    assert!(jobs_page.contains("550 5.1.1 Recipient address rejected"));
    let mut c = app.app.store.conn().await.unwrap();
    let jobs = kefu_store::jobs::list(&mut c, 50).await.unwrap();
    drop(c);
    let job = jobs.iter().find(|j| j.kind == "mail_send").unwrap();
    assert_eq!(job.status, "failed");
    assert_eq!(job.attempts, 1);

    // Nothing tries it again.
    clock.advance(SignedDuration::from_hours(5));
    run_jobs(&app).await;
    assert_eq!(sends(&app, id).await[0].attempts, 1);
    assert!(peer.received().is_empty());
    app.stop().await;
}

#[tokio::test]
async fn an_address_whose_mail_bounced_gets_no_more() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let (app, _clock) = quiet_app().await;
    let mb = mailbox(&app).await;
    use_peer(&app, mb.id, &peer).await;
    let api = agent(&app).await;
    let raw = mail(
        "zhou.1@example.com",
        ("周敏", "zhou.min@example.com"),
        "热水器报修",
        "",
        "热水器显示 E3。",
    );
    let (_, answer) = post_mail(&app, &mb, &raw).await;
    let id = answer["ticket_id"].as_i64().unwrap();
    reply(&api, id, "请问热水器型号是多少？").await;
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let sent_id = parsed(&got[0]).message_id;

    // The mailbox later bounces it: the report names kefu's Message-ID, so it lands on
    // the ticket and flags the address.
    let dsn = format!(
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\nTo: {MAILBOX}\r\n\
         Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn.zhou@mx.example.com>\r\n\
         Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/report; report-type=delivery-status; boundary=\"rpt\"\r\n\r\n\
         --rpt\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n\
         Your message could not be delivered.\r\n\r\n\
         --rpt\r\nContent-Type: message/delivery-status\r\n\r\n\
         Reporting-MTA: dns; mx.example.com\r\n\r\n\
         Final-Recipient: rfc822; zhou.min@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\n\
         Diagnostic-Code: smtp; 552 5.2.2 mailbox full\r\n\r\n\
         --rpt\r\nContent-Type: text/rfc822-headers\r\n\r\n\
         From: {MAILBOX}\r\nTo: zhou.min@example.com\r\nSubject: Re: 热水器报修\r\n\
         Message-ID: <{sent_id}>\r\n\r\n\
         --rpt--\r\n"
    );
    let (status, bounced) = post_mail(&app, &mb, dsn.as_bytes()).await;
    assert_eq!(status, 200, "{bounced}");
    assert_eq!(bounced["status"], "bounce");
    assert_eq!(
        bounced["ticket_id"], id,
        "threaded by the Message-ID kefu sent"
    );

    reply(&api, id, "您好，请问还需要上门吗？").await;
    run_jobs(&app).await;
    assert_eq!(
        peer.received().len(),
        1,
        "nothing more to a bounced address"
    );
    assert_eq!(sends(&app, id).await.len(), 1, "not even queued");
    assert_eq!(events(&app, id, "mail_not_sent").await, vec!["bounced"]);
    let s = app.login("mail.agent", TEST_PASSWORD).await;
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    assert!(page.contains("地址曾退信，未发送"));
    app.stop().await;
}
