//! A customer's text: a new ticket (channel 短信, the archive's customer with the number
//! linked, the number masked everywhere); the same text again, or twice at once, lands
//! once; the next text from the number lands on its open ticket, and once that ticket is
//! resolved, a new one opens.

use jiff::SignedDuration;
use kefu_app::Actor;
use kefu_testkit::{SmsPeer, TEST_PASSWORD};
use reqwest::Method;
use serde_json::json;

use super::{
    MOBILE, MOBILE_E164, agent, count, customer, gateway, messages, page, post, quiet_app, text,
};

#[tokio::test]
async fn a_text_opens_one_ticket_however_often_and_however_concurrently_it_comes() {
    let peer = SmsPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (_, api) = agent(&app, "sms.in.agent").await;
    let owner = customer(&api, "恒信物业", "王芳", MOBILE).await;

    let first = text(
        &app,
        "gw-mo-1",
        MOBILE_E164,
        "热水器不出热水\n型号 JSQ30-12",
    );
    let (status, answer) = post(&app, &peer, &g, &first).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["status"], "ticket_created");
    let id = answer["ticket_id"].as_i64().unwrap();

    let d = app.app.ticket_detail(&Actor::system(), id).await.unwrap();
    assert_eq!(d.ticket.channel.key(), "sms");
    assert_eq!(d.ticket.subject, "热水器不出热水");
    assert_eq!(d.ticket.customer_id, Some(owner), "the contact's customer");
    assert_eq!(d.ticket.contact_name.as_deref(), Some("王芳"));
    assert_eq!(
        d.ticket.contact_phone.as_deref(),
        Some("138****5678"),
        "masked as it leaves the use cases"
    );
    assert_eq!(
        messages(&app, id).await,
        vec![(
            "customer".to_owned(),
            "热水器不出热水\n型号 JSQ30-12".to_owned()
        )]
    );
    // The message is marked as come by text: a public reply goes back by text.
    let channel: Option<String> = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("SELECT channel FROM ticket_messages WHERE ticket_id = $1")
            .bind(id)
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(channel.as_deref(), Some("sms"));

    // The same text again: nothing new.
    let (status, again) = post(&app, &peer, &g, &first).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["status"], "duplicate");
    assert_eq!(again["ticket_id"], id);

    // Another text, delivered twice at once by a gateway that retried too soon: one lands.
    let second = text(&app, "gw-mo-2", "138 1234 5678", "今天下午有人在家");
    let (a, b) = tokio::join!(
        post(&app, &peer, &g, &second),
        post(&app, &peer, &g, &second)
    );
    let mut statuses = vec![
        a.1["status"].as_str().unwrap().to_owned(),
        b.1["status"].as_str().unwrap().to_owned(),
    ];
    statuses.sort();
    assert_eq!(statuses, ["added_to_ticket", "duplicate"], "{a:?} {b:?}");
    assert_eq!(a.1["ticket_id"], id);
    assert_eq!(b.1["ticket_id"], id);
    assert_eq!(messages(&app, id).await.len(), 2, "one message per text");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM sms_inbound").await,
        2,
        "each text stored once"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 1);

    // A new number's first text, twice at once: one ticket.
    let other = text(&app, "gw-mo-3", "+8613900001111", "空调外机漏水");
    let (a, b) = tokio::join!(post(&app, &peer, &g, &other), post(&app, &peer, &g, &other));
    let mut codes = [a.0, b.0];
    codes.sort();
    assert_eq!(codes, [200, 201], "{a:?} {b:?}");
    assert_eq!(a.1["ticket_id"], b.1["ticket_id"]);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 2);
    let other_id = a.1["ticket_id"].as_i64().unwrap();
    let o = app
        .app
        .ticket_detail(&Actor::system(), other_id)
        .await
        .unwrap();
    assert_eq!(o.ticket.customer_id, None, "nobody's number: no customer");
    assert_eq!(o.messages.len(), 1);

    // The pages show the numbers masked only.
    app.create_user("sms.in.reader", &[kefu_domain::Role::Agent])
        .await;
    let s = app.login("sms.in.reader", TEST_PASSWORD).await;
    for path in [format!("/tickets/{id}"), format!("/tickets/{other_id}")] {
        let html = page(&s, &path).await;
        assert!(!html.contains(MOBILE), "{path}");
        assert!(!html.contains("13900001111"), "{path}");
    }
    assert!(
        page(&s, &format!("/tickets/{id}"))
            .await
            .contains("138****5678")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_number_texts_onto_its_open_ticket_and_after_it_is_resolved_opens_a_new_one() {
    let peer = SmsPeer::start().await;
    let (app, clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let (_, api) = agent(&app, "sms.thread.agent").await;

    let (status, first) = post(
        &app,
        &peer,
        &g,
        &text(&app, "t-1", MOBILE_E164, "洗衣机不脱水"),
    )
    .await;
    assert_eq!(status, 201, "{first}");
    let id = first["ticket_id"].as_i64().unwrap();

    // Three days later, written another way: the same number, the same open ticket.
    clock.advance(SignedDuration::from_hours(72));
    let (status, second) = post(
        &app,
        &peer,
        &g,
        &text(&app, "t-2", "0086-138-1234-5678", "还是不行"),
    )
    .await;
    assert_eq!(status, 200, "{second}");
    assert_eq!(second["status"], "added_to_ticket");
    assert_eq!(second["ticket_id"], id);

    // Resolved: the next text opens a new ticket.
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/tickets/{id}"),
            &json!({"status": "resolved"}),
        )
        .await;
    let status = res.status();
    let body = res.text().await.unwrap();
    assert_eq!(status, 200, "{body}");
    clock.advance(SignedDuration::from_mins(5));
    let (status, third) = post(&app, &peer, &g, &text(&app, "t-3", MOBILE, "又坏了")).await;
    assert_eq!(status, 201, "{third}");
    assert_ne!(third["ticket_id"], id);

    // Eight days of silence: even an open ticket is not continued.
    let newer = third["ticket_id"].as_i64().unwrap();
    clock.advance(SignedDuration::from_hours(24 * 8));
    let (status, fourth) = post(&app, &peer, &g, &text(&app, "t-4", MOBILE, "你好")).await;
    assert_eq!(status, 201, "{fourth}");
    assert_ne!(fourth["ticket_id"], newer);
    assert_eq!(messages(&app, id).await.len(), 2);
    app.stop().await;
}
