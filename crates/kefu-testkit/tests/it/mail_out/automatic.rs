//! Automatic mail — a trigger's reply (自动确认) goes out marked `Auto-Submitted:
//! auto-replied`; it never answers an auto-reply, and stops at the hourly cap per address.

use jiff::SignedDuration;
use kefu_app::Actor;
use kefu_domain::Role;
use kefu_testkit::{SmtpPeer, TEST_PASSWORD};

use super::{SMTP_PASSWORD, SMTP_USER, events, header, parsed, quiet_app, run_jobs, use_peer};
use crate::mail_ingest::{mail, mailbox, post_mail};

#[tokio::test]
async fn a_triggers_reply_says_it_is_automatic_skips_auto_repliers_and_stops_at_the_cap() {
    let Some(peer) = SmtpPeer::start_with_login(SMTP_USER, SMTP_PASSWORD).await else {
        return;
    };
    let (app, clock) = quiet_app().await;
    let mb = mailbox(&app).await;
    use_peer(&app, mb.id, &peer).await;
    app.create_user("auto.admin", &[Role::Admin]).await;
    let s = app.login("auto.admin", TEST_PASSWORD).await;
    let greeting = app
        .app
        .scripts(
            &Actor::system(),
            kefu_domain::kb::ScriptStatus::Approved,
            None,
        )
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.script.title == "首次问候")
        .unwrap()
        .script
        .id;
    let script = format!("script:{greeting}");
    let res = s
        .post_form(
            "/admin/triggers",
            &[
                ("name", "邮件自动确认"),
                ("event", "create"),
                ("active", "1"),
                ("c0_field", "channel"),
                ("c0_op", "is"),
                ("c0_value", "email"),
                ("a0_action", "reply_with_script"),
                ("a0_target", &script),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);

    // A customer's mail: the acknowledgement goes back, saying it is automatic.
    let first = mail(
        "wang.1@example.com",
        ("王芳", "wang.fang@example.com"),
        "空调不制冷",
        "",
        "空调不制冷了。",
    );
    let (status, answer) = post_mail(&app, &mb, &first).await;
    assert_eq!(status, 201, "{answer}");
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(
        header(&got[0], "Auto-Submitted").as_deref(),
        Some("auto-replied")
    );
    let m = parsed(&got[0]);
    assert_eq!(m.to[0].address, "wang.fang@example.com");
    assert!(m.text.starts_with("王芳您好"), "{}", m.text);
    assert_eq!(m.in_reply_to, vec!["wang.1@example.com".to_owned()]);

    // An out-of-office notice opens its ticket, but gets no automatic answer.
    let ooo = mail(
        "ooo.1@example.com",
        ("李娜", "li.na@example.com"),
        "自动回复：休假中",
        "Auto-Submitted: auto-replied\r\n",
        "我正在休假，12 月 1 日回来。",
    );
    let (status, answer) = post_mail(&app, &mb, &ooo).await;
    assert_eq!(status, 201, "{answer}");
    let ooo_ticket = answer["ticket_id"].as_i64().unwrap();
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1, "no answer to an auto-reply");
    assert_eq!(
        events(&app, ooo_ticket, "mail_not_sent").await,
        vec!["no_auto_reply"]
    );

    // Three automatic mails an hour per address; the fourth is held back.
    let mut last = 0;
    for n in 2..=4 {
        let raw = mail(
            &format!("wang.{n}@example.com"),
            ("王芳", "wang.fang@example.com"),
            &format!("又一个问题 {n}"),
            "",
            "还有一个问题。",
        );
        let (status, answer) = post_mail(&app, &mb, &raw).await;
        assert_eq!(status, 201, "{answer}");
        last = answer["ticket_id"].as_i64().unwrap();
    }
    run_jobs(&app).await;
    assert_eq!(peer.wait_for(3).await.len(), 3, "two more, then the cap");
    assert_eq!(events(&app, last, "mail_not_sent").await, vec!["auto_cap"]);

    // An hour later the address may be answered again.
    clock.advance(SignedDuration::from_mins(61));
    let raw = mail(
        "wang.5@example.com",
        ("王芳", "wang.fang@example.com"),
        "最后一个问题",
        "",
        "最后一个问题。",
    );
    post_mail(&app, &mb, &raw).await;
    run_jobs(&app).await;
    assert_eq!(peer.wait_for(4).await.len(), 4);
    app.stop().await;
}
