//! The portal's sign-in code goes by text: while no SMS channel is switched on it waits
//! (its job tries again); once one is, it reaches the gateway — the kind as template, the
//! code in the parameters and in the text rendered in the customer's language — and the
//! outbox forgets it.

use jiff::SignedDuration;
use kefu_testkit::{Session, SmsPeer, form_fields};

use super::{SIGN, gateway, quiet_app, run_jobs};

#[tokio::test]
async fn a_portal_sign_in_code_reaches_the_gateway_once_a_channel_is_on() {
    let peer = SmsPeer::start().await;
    let (app, clock) = quiet_app().await;
    let visitor = Session {
        client: app.client(),
        base: app.base.clone(),
    };
    let login = visitor.get("/portal/login").await.text().await.unwrap();
    let csrf = form_fields(&login, "/portal/login/code")
        .into_iter()
        .find(|(k, _)| k == "_csrf")
        .unwrap()
        .1;
    let res = visitor
        .client
        .post(visitor.url("/portal/login/code"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("mobile", "139 1234 5678"),
            ("next", "/portal"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // No SMS channel yet: the code waits, and says why.
    run_jobs(&app).await;
    let waiting = {
        let mut c = app.app.store.conn().await.unwrap();
        kefu_store::outbox::to_address(&mut c, "sms", "13912345678", 10)
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
            .contains("no SMS channel"),
        "{:?}",
        waiting[0].last_error
    );
    let code: String =
        serde_json::from_str::<serde_json::Value>(&waiting[0].params).unwrap()["code"]
            .as_str()
            .unwrap()
            .to_owned();
    assert!(peer.received().is_empty());

    // A channel is switched on; the job's next attempt sends the code.
    gateway(&app, &peer).await;
    clock.advance(SignedDuration::from_secs(31));
    run_jobs(&app).await;
    let got = peer.wait_for(1).await;
    assert_eq!(got.len(), 1);
    let body = &got[0].body;
    assert_eq!(body["to"], "+8613912345678");
    assert_eq!(body["sign_name"], SIGN);
    assert_eq!(body["template"], "portal_sign_in_code");
    assert_eq!(body["params"]["code"], code.as_str());
    assert_eq!(body["params"]["minutes"], 10);
    assert_eq!(body["reference"], format!("kf-o{}", waiting[0].id));
    let text = body["text"].as_str().unwrap();
    assert!(
        text.contains(&code) && text.contains("登录验证码"),
        "{text}"
    );

    // Delivered: the outbox forgets the code, and nothing goes again.
    let delivered = {
        let mut c = app.app.store.conn().await.unwrap();
        kefu_store::outbox::to_address(&mut c, "sms", "13912345678", 10)
            .await
            .unwrap()
    };
    assert!(delivered[0].delivered_at.is_some());
    assert_eq!(delivered[0].params, "{}");
    clock.advance(SignedDuration::from_mins(5));
    run_jobs(&app).await;
    assert_eq!(peer.received().len(), 1);
    app.stop().await;
}
