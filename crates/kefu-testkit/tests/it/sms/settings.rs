//! The SMS channels' settings and the webhook's refusals: a forged, stale or unsigned post
//! is refused (401), audited, and stores nothing; `http://` to another machine is refused as
//! send URL, by the API and the page; the webhook secret is shown once and the API key
//! never, in no API answer, page or audit entry; the test button reaches the gateway.

use kefu_testkit::sms_peer::{Answer, post_signed, sign};
use kefu_testkit::{SmsPeer, form_fields, json_body, unescape_html};
use reqwest::Method;
use serde_json::json;

use super::{API_KEY, MOBILE_E164, SIGN, admin, count, gateway, quiet_app, text};

/// A refused post: the reason expected, the timestamp and signature headers sent (if any),
/// and the body.
type Refused = (&'static str, Option<String>, Option<String>, Vec<u8>);

#[tokio::test]
async fn forged_stale_or_unsigned_posts_are_refused_audited_and_store_nothing() {
    let peer = SmsPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let g = gateway(&app, &peer).await;
    let body = serde_json::to_vec(&text(&app, "x-1", MOBILE_E164, "你好")).unwrap();
    let now = app.now().as_second();
    let s = &g.secret;
    let cases: Vec<Refused> = vec![
        (
            "bad_signature",
            Some(now.to_string()),
            Some(sign("not-the-secret", now, &body)),
            body.clone(),
        ),
        (
            "stale_timestamp",
            Some((now - 400).to_string()),
            Some(sign(s, now - 400, &body)),
            body.clone(),
        ),
        (
            "missing_signature",
            Some(now.to_string()),
            None,
            body.clone(),
        ),
        (
            "missing_timestamp",
            None,
            Some(sign(s, now, &body)),
            body.clone(),
        ),
    ];
    let n = cases.len();
    for (reason, ts, sig, b) in cases {
        let (status, answer) = post_signed(&app.base, g.id, ts, sig, b).await;
        assert_eq!(status, 401, "{reason}: {answer}");
        assert_eq!(answer["error"]["code"], "webhook_rejected", "{answer}");
        assert_eq!(answer["error"]["detail"], reason, "{answer}");
    }
    let entries = app.audit_entries("webhook_rejected").await;
    assert_eq!(entries.len(), n);
    for e in &entries {
        assert_eq!(e.target_type.as_deref(), Some("sms_channel"));
        assert_eq!(e.target_id.as_deref(), Some(g.id.to_string().as_str()));
        let detail = e.detail.clone().unwrap_or_default();
        assert!(!detail.contains(&g.secret) && !detail.contains("13812345678"));
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_inbound").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);

    // Signed but unreadable: refused by the rules, nothing stored either.
    let bad = serde_json::to_vec(&json!({"type": "mo", "message_id": "x-2"})).unwrap();
    let (status, answer) = post_signed(
        &app.base,
        g.id,
        Some(now.to_string()),
        Some(sign(s, now, &bad)),
        bad,
    )
    .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "unknown_value");
    let anonymous = text(&app, "x-3", "anonymous", "你好");
    let (status, answer) = peer
        .post_event(&app.base, g.id, &g.secret, now, &anonymous)
        .await;
    assert_eq!(status, 422, "{answer}");
    assert_eq!(answer["error"]["code"], "sms_event_bad_number");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_inbound").await, 0);

    // Switched off: refused.
    app.app
        .set_sms_channel_active(&kefu_app::Actor::system(), g.id, false, None)
        .await
        .unwrap();
    let (status, answer) = peer
        .post_event(
            &app.base,
            g.id,
            &g.secret,
            now,
            &text(&app, "x-4", MOBILE_E164, "在吗"),
        )
        .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"]["code"], "channel_inactive");
    app.stop().await;
}

#[tokio::test]
async fn cleartext_to_another_machine_is_refused_and_the_secrets_are_never_shown_again() {
    let peer = SmsPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let (api, session) = admin(&app, "sms.set.admin").await;

    // http:// to another machine: refused by the API and by the page, nothing made.
    let res = api
        .json(
            Method::POST,
            "/api/v1/channels/sms",
            &json!({"name": "外部网关", "send_url": "http://example.com/send", "sign_name": SIGN}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "sms_cleartext_remote"
    );
    let list = session
        .get("/admin/channels/sms")
        .await
        .text()
        .await
        .unwrap();
    let mut fields = form_fields(&list, "/admin/channels/sms");
    for (k, v) in fields.iter_mut() {
        match k.as_str() {
            "name" => *v = "外部网关".into(),
            "send_url" => *v = "http://example.com".into(),
            "sign_name" => *v = SIGN.into(),
            _ => {}
        }
    }
    let res = session
        .client
        .post(session.url("/admin/channels/sms"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let html = unescape_html(&res.text().await.unwrap());
    assert!(html.contains("http:// 只允许发往本机"), "the page says why");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sms_channels").await, 0);

    // Made through the API: the secret comes this once, the key never.
    let res = api
        .json(
            Method::POST,
            "/api/v1/channels/sms",
            &json!({
                "name": "短信网关",
                "send_url": peer.send_url(),
                "sign_name": SIGN,
                "api_key": API_KEY,
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created = json_body(res).await;
    let id = created["channel"]["id"].as_i64().unwrap();
    let secret = created["webhook_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(created["channel"]["api_key_set"], true);
    assert!(!created.to_string().contains(API_KEY));
    assert_eq!(
        created["channel"]["webhook"],
        format!("/api/v1/channels/sms/{id}/events")
    );

    // A change against the version read; an empty key removes it.
    let res = api.get(&format!("/api/v1/channels/sms/{id}")).await;
    let etag = res.headers()["etag"].to_str().unwrap().to_owned();
    let res = api
        .request(Method::PATCH, &format!("/api/v1/channels/sms/{id}"))
        .header("if-match", "\"999\"")
        .json(&json!({"sign_name": "【恒信】"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412, "a stale version");
    let res = api
        .request(Method::PATCH, &format!("/api/v1/channels/sms/{id}"))
        .header("if-match", etag)
        .json(&json!({"sign_name": "【恒信】", "api_key": "sk-second-key"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let changed = json_body(res).await;
    assert_eq!(changed["sign_name"], "【恒信】");

    // The test button reaches the gateway with the new key and says what it answered.
    peer.script(&[Answer::Accept, Answer::Reject(403, "签名未报备".to_owned())]);
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/channels/sms/{id}/test"),
            &json!({"to": "138 1234 5678"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let answer = json_body(res).await;
    assert_eq!(answer["ok"], true, "{answer}");
    assert_eq!(answer["answer"], "HTTP 200 · gw-1");
    let got = peer.received();
    assert_eq!(got[0].body["template"], "test");
    assert_eq!(got[0].body["to"], MOBILE_E164);
    assert_eq!(got[0].body["sign_name"], "【恒信】");
    assert_eq!(
        got[0].authorization.as_deref(),
        Some("Bearer sk-second-key")
    );
    let page = session
        .post_form(
            &format!("/admin/channels/sms/{id}/test"),
            &[("to", "13812345678")],
        )
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("HTTP 403: 签名未报备"),
        "the page shows the refusal"
    );
    assert!(
        !html.contains("13812345678"),
        "the number is not shown again"
    );
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/channels/sms/{id}/test"),
            &json!({"to": "0571-8888 6666"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "sms_bad_number");
    assert_eq!(app.audit_entries("channel_test_sms").await.len(), 2);

    // A new secret, once; the old one stops at once.
    let res = api
        .json(
            Method::POST,
            &format!("/api/v1/channels/sms/{id}/secret"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let rotated = json_body(res).await["webhook_secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(rotated, secret);
    let now = app.now().as_second();
    let (status, _) = peer
        .post_event(
            &app.base,
            id,
            &secret,
            now,
            &text(&app, "s-1", MOBILE_E164, "你好"),
        )
        .await;
    assert_eq!(status, 401, "the old secret");
    let (status, _) = peer
        .post_event(
            &app.base,
            id,
            &rotated,
            now,
            &text(&app, "s-1", MOBILE_E164, "你好"),
        )
        .await;
    assert_eq!(status, 201, "the new one");

    // Neither secret nor key in any answer, page or audit entry since.
    let mut seen = vec![
        api.get("/api/v1/channels/sms").await.text().await.unwrap(),
        api.get(&format!("/api/v1/channels/sms/{id}"))
            .await
            .text()
            .await
            .unwrap(),
        session
            .get("/admin/channels/sms")
            .await
            .text()
            .await
            .unwrap(),
        session
            .get(&format!("/admin/channels/sms/{id}"))
            .await
            .text()
            .await
            .unwrap(),
        session.get("/admin/channels").await.text().await.unwrap(),
        api.get("/api/v1/audit").await.text().await.unwrap(),
    ];
    seen.push(
        app.audit_entries("channel_created")
            .await
            .into_iter()
            .chain(app.audit_entries("channel_updated").await)
            .filter_map(|e| e.detail)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    for text in &seen {
        for hidden in [API_KEY, "sk-second-key", secret.as_str(), rotated.as_str()] {
            assert!(!text.contains(hidden), "{hidden} shown: {text}");
        }
    }
    assert!(seen[0].contains("\"api_key_set\":true"));
    app.stop().await;
}
