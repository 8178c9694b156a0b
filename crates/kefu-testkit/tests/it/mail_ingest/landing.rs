//! Where mail lands: a new ticket with its subject, text and contact (UTF-8 and GBK); once,
//! however often and however concurrently it is delivered; a reply on its ticket with the
//! quoted history folded; a `[KF…]` subject on its ticket only from someone on it.

use std::collections::HashSet;

use kefu_app::Actor;
use kefu_app::ticket::TicketChanges;
use kefu_domain::Role;
use kefu_domain::ticket::Channel;
use kefu_testkit::{TEST_PASSWORD, TestApp};

use super::{MAILBOX, base64_lines, count, mail, mailbox, post_mail};

#[tokio::test]
async fn a_signed_mail_opens_a_ticket_with_its_subject_text_and_contact() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let raw = mail(
        "first.1@example.com",
        ("王芳", "Wang.Fang@Example.com"),
        "空调不制冷",
        "",
        "我家的空调从昨天开始不制冷了，型号 KFR-35GW。",
    );
    let (status, answer) = post_mail(&app, &mb, &raw).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["status"], "ticket_created");
    let id = answer["ticket_id"].as_i64().expect("a ticket");
    let mail_id = answer["mail_id"].as_i64().expect("a stored mail");

    let d = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert_eq!(d.ticket.subject, "空调不制冷");
    assert_eq!(d.ticket.channel, Channel::Email);
    assert_eq!(d.ticket.contact_name.as_deref(), Some("王芳"));
    assert_eq!(
        d.ticket.contact_email.as_deref(),
        Some("wang.fang@example.com"),
        "the address as it compares (no digits to mask here)"
    );
    assert_eq!(d.ticket.external_id.as_deref(), Some("first.1@example.com"));
    assert_eq!(d.messages.len(), 1);
    assert_eq!(d.messages[0].author_kind, "customer");
    assert!(
        d.messages[0].body.contains("从昨天开始不制冷了"),
        "{}",
        d.messages[0].body
    );

    // The original is kept as it arrived, for the administrator to download.
    app.create_user("mail.admin", &[Role::Admin]).await;
    let s = app.login("mail.admin", TEST_PASSWORD).await;
    let res = s
        .get(&format!("/admin/channels/{}/mails/{mail_id}/raw", mb.id))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "message/rfc822");
    assert_eq!(res.bytes().await.unwrap().as_ref(), raw.as_slice());

    // A mail in GBK, as Outlook zh-CN and Foxmail send it: subject and text decoded.
    let (subject, _, _) = encoding_rs::GBK.encode("退货申请");
    let (text, _, _) = encoding_rs::GBK.encode("收到的电饭煲内胆有划痕，申请退货。");
    let gbk = format!(
        "From: =?GBK?B?{}?= <li.na@example.com>\r\nTo: {MAILBOX}\r\nSubject: =?GBK?B?{}?=\r\n\
         Message-ID: <gbk.1@example.com>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=\"GBK\"\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
        super::base64(&encoding_rs::GBK.encode("李娜").0),
        super::base64(&subject),
        base64_lines(&text),
    );
    let (status, answer) = post_mail(&app, &mb, gbk.as_bytes()).await;
    assert_eq!(status, 201, "{answer}");
    let id = answer["ticket_id"].as_i64().unwrap();
    let d = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert_eq!(d.ticket.subject, "退货申请");
    assert_eq!(d.ticket.contact_name.as_deref(), Some("李娜"));
    assert!(
        d.messages[0].body.contains("内胆有划痕"),
        "{}",
        d.messages[0].body
    );
    app.stop().await;
}

#[tokio::test]
async fn the_same_mail_twice_and_eight_times_at_once_lands_once() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let raw = mail(
        "twice@example.com",
        ("张伟", "zhang.wei@example.com"),
        "发票抬头",
        "",
        "请把发票抬头改成公司名称。",
    );
    let (status, first) = post_mail(&app, &mb, &raw).await;
    assert_eq!(status, 201);
    let (status, again) = post_mail(&app, &mb, &raw).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["ticket_id"], first["ticket_id"]);
    assert_eq!(again["mail_id"], first["mail_id"]);

    let raw = mail(
        "storm@example.com",
        ("张伟", "zhang.wei@example.com"),
        "送货时间",
        "",
        "请周六上午送货。",
    );
    let mut handles = Vec::new();
    for _ in 0..8 {
        let client = app.client();
        let url = app.url(&super::inbound_path(mb.id));
        let ts = app.now().as_second();
        let signature = super::sign(&mb.secret, ts, &raw);
        let body = raw.clone();
        handles.push(tokio::spawn(async move {
            let res = client
                .post(url)
                .header("content-type", "message/rfc822")
                .header("x-kefu-timestamp", ts.to_string())
                .header("x-kefu-signature", signature)
                .body(body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, kefu_testkit::json_body(res).await)
        }));
    }
    let mut created = 0;
    let mut tickets = HashSet::new();
    for h in handles {
        let (status, answer) = h.await.unwrap();
        match answer["status"].as_str() {
            Some("ticket_created") => {
                assert_eq!(status, 201);
                created += 1;
            }
            Some("duplicate") => assert_eq!(status, 200),
            other => panic!("unexpected {status} {other:?}: {answer}"),
        }
        tickets.insert(
            answer["ticket_id"]
                .as_i64()
                .expect("every answer names the ticket"),
        );
    }
    assert_eq!(created, 1, "one delivery created the ticket");
    assert_eq!(tickets.len(), 1, "every delivery names the same ticket");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM inbound_mails").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM ticket_messages").await, 2);
    app.stop().await;
}

#[tokio::test]
async fn a_reply_lands_on_its_ticket_with_the_quoted_history_folded() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let (_, first) = post_mail(
        &app,
        &mb,
        &mail(
            "ask.1@example.com",
            ("王芳", "wang.fang@example.com"),
            "空调漏水",
            "",
            "室内机一直在滴水。",
        ),
    )
    .await;
    let id = first["ticket_id"].as_i64().unwrap();
    // Answered and resolved; the customer writes again.
    let resolved = TicketChanges {
        status: Some("resolved".to_owned()),
        ..TicketChanges::default()
    };
    app.app
        .update_ticket(&Actor::system(), id, &resolved, None)
        .await
        .unwrap();
    let reply = mail(
        "reply.2@example.com",
        ("王芳", "wang.fang@example.com"),
        "回复：空调漏水",
        "In-Reply-To: <ask.1@example.com>\r\nReferences: <ask.1@example.com>\r\n",
        "还是在滴水，周五上午在家。\r\n\r\n在 2026年11月23日 10:00，恒信售后 写道：\r\n> 请问室内机是否安装水平？\r\n> 请拍照发给我们。\r\n",
    );
    let (status, answer) = post_mail(&app, &mb, &reply).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "added_to_ticket");
    assert_eq!(answer["ticket_id"], id);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);

    let d = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert_eq!(
        d.ticket.status, "open",
        "the customer's mail reopens the ticket"
    );
    let last = d.messages.last().unwrap();
    assert_eq!(last.author_kind, "customer");
    assert!(last.body.contains("周五上午在家"), "{}", last.body);
    assert!(
        !last.body.contains("是否安装水平"),
        "the quoted history is not in the message: {}",
        last.body
    );
    let quoted = d
        .quoted
        .iter()
        .find(|(m, _)| *m == last.id)
        .map(|(_, q)| q.as_str())
        .expect("the quoted history is kept with the message");
    assert!(quoted.contains("是否安装水平"), "{quoted}");

    app.create_user("reply.agent", &[Role::Agent]).await;
    let s = app.login("reply.agent", TEST_PASSWORD).await;
    let page = s.get(&format!("/tickets/{id}")).await.text().await.unwrap();
    let folded = page
        .find("data-testid=\"quoted\"")
        .expect("the quoted history is on the page, folded");
    assert!(page[..folded].ends_with("<details class=\"quoted\" "));
    assert!(page[folded..].contains("显示引用的原文"));
    assert!(page[folded..].contains("是否安装水平"));
    app.stop().await;
}

#[tokio::test]
async fn a_ticket_number_in_the_subject_counts_only_from_someone_on_the_ticket() {
    let app = TestApp::spawn().await;
    let mb = mailbox(&app).await;
    let (_, first) = post_mail(
        &app,
        &mb,
        &mail(
            "kf.1@example.com",
            ("王芳", "wang.fang@example.com"),
            "洗衣机异响",
            "",
            "脱水时声音很大。",
        ),
    )
    .await;
    let id = first["ticket_id"].as_i64().unwrap();
    let number = app
        .app
        .ticket_detail(&Actor::system(), id)
        .await
        .unwrap()
        .ticket
        .number;

    // The contact writes a new mail (no In-Reply-To) naming the ticket.
    let (status, answer) = post_mail(
        &app,
        &mb,
        &mail(
            "kf.2@example.com",
            ("王芳", "WANG.FANG@example.com"),
            &format!("[{number}] 补充照片"),
            "",
            "补充一下，异响在脱水最后一分钟。",
        ),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "added_to_ticket");
    assert_eq!(answer["ticket_id"], id);

    // A stranger naming it gets a ticket of their own, which names the one referred to.
    let (status, answer) = post_mail(
        &app,
        &mb,
        &mail(
            "kf.3@example.com",
            ("李雷", "li.lei@example.com"),
            &format!("Re: [{number}] 我家的也有异响"),
            "",
            "同一个型号，也是脱水时响。",
        ),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["status"], "ticket_created");
    let other = answer["ticket_id"].as_i64().unwrap();
    assert_ne!(other, id);
    let d = app
        .app
        .ticket_detail(&Actor::system(), other)
        .await
        .unwrap();
    assert_eq!(
        d.ticket.contact_email.as_deref(),
        Some("li.lei@example.com")
    );
    assert!(
        d.events
            .iter()
            .any(|e| e.field == "mail_reference" && e.new_value.as_deref() == Some(number.as_str())),
        "{:?}",
        d.events
    );
    let original = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert_eq!(
        original.messages.len(),
        2,
        "the stranger's mail is not on it"
    );
    app.stop().await;
}
