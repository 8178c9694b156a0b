//! What is refused: forged, stale and unsigned posts (401, audited, nothing stored); events
//! kefu cannot take — an unknown event or direction, no call id, a time far from now, a
//! recording that is not a web link — (422, the field named, nothing stored); a switched-off
//! channel (403).

use kefu_app::Actor;
use kefu_testkit::TestApp;
use serde_json::json;

use super::{count, event, line, post_event, post_raw, sign};

/// A refused post: the reason expected, the timestamp and signature headers sent (if any),
/// and the body.
type Refused = (&'static str, Option<String>, Option<String>, Vec<u8>);

#[tokio::test]
async fn forged_stale_or_unsigned_events_are_refused_audited_and_store_nothing() {
    let app = TestApp::spawn().await;
    let l = line(&app, "").await;
    let body = serde_json::to_vec(&event(&app, "f-1", "ringing", "13812345678")).unwrap();
    let mut tampered = body.clone();
    let at = tampered.len() - 3;
    tampered[at] ^= 1;
    let now = app.now().as_second();
    let s = &l.secret;
    let cases: Vec<Refused> = vec![
        (
            "bad_signature",
            Some(now.to_string()),
            Some(sign("not-the-secret", now, &body)),
            body.clone(),
        ),
        (
            "bad_signature",
            Some(now.to_string()),
            Some(sign(s, now, &body)),
            tampered,
        ),
        (
            "stale_timestamp",
            Some((now - 360).to_string()),
            Some(sign(s, now - 360, &body)),
            body.clone(),
        ),
        (
            "missing_timestamp",
            None,
            Some(sign(s, now, &body)),
            body.clone(),
        ),
        (
            "missing_signature",
            Some(now.to_string()),
            None,
            body.clone(),
        ),
    ];
    let n = cases.len();
    for (reason, ts, sig, b) in cases {
        let (status, answer) = post_raw(&app, l.id, ts, sig, b).await;
        assert_eq!(status, 401, "{reason}: {answer}");
        assert_eq!(answer["error"]["code"], "webhook_rejected", "{answer}");
        assert_eq!(answer["error"]["detail"], reason, "{answer}");
    }
    let entries = app.audit_entries("webhook_rejected").await;
    assert_eq!(entries.len(), n);
    for e in &entries {
        assert_eq!(e.target_type.as_deref(), Some("phone_channel"));
        assert_eq!(e.target_id.as_deref(), Some(l.id.to_string().as_str()));
        let detail = e.detail.clone().unwrap_or_default();
        assert!(!detail.contains(&l.secret), "no secret in the audit log");
        assert!(!detail.contains("13812345678"), "no body in the audit log");
    }
    // A forged post with a body kefu could not read is refused for its signature first.
    let (status, _) = post_raw(
        &app,
        l.id,
        Some(now.to_string()),
        Some("sha256=00".into()),
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM phone_call_events").await,
        0
    );
    // A channel that does not exist is not found.
    let (status, _) = post_raw(&app, l.id + 100, None, None, body.clone()).await;
    assert_eq!(status, 404);
    app.stop().await;
}

#[tokio::test]
async fn events_kefu_cannot_take_are_refused_with_the_field_and_store_nothing() {
    let app = TestApp::spawn().await;
    let l = line(&app, "").await;
    let long_ago = (app.now() - jiff::SignedDuration::from_hours(24 * 30)).to_string();
    let ahead = (app.now() + jiff::SignedDuration::from_hours(2)).to_string();
    let base = event(&app, "b-1", "ringing", "13812345678");
    let with = |key: &str, value: serde_json::Value| {
        let mut b = base.clone();
        b[key] = value;
        b
    };
    let without = |key: &str| {
        let mut b = base.clone();
        b.as_object_mut().unwrap().remove(key);
        b
    };
    let cases = vec![
        ("unknown_value", "event", with("event", json!("rung"))),
        (
            "unknown_value",
            "direction",
            with("direction", json!("sideways")),
        ),
        ("call_event_missing", "call_id", without("call_id")),
        (
            "call_event_missing",
            "call_id",
            with("call_id", json!("  ")),
        ),
        ("call_event_missing", "event", without("event")),
        ("call_event_bad_time", "at", with("at", json!("yesterday"))),
        ("call_event_out_of_range", "at", with("at", json!(long_ago))),
        ("call_event_out_of_range", "at", with("at", json!(ahead))),
        (
            "call_event_bad_recording_url",
            "recording_url",
            with("recording_url", json!("ftp://pbx.example.com/r/1.wav")),
        ),
        (
            "call_event_bad_recording_url",
            "recording_url",
            with("recording_url", json!("javascript:alert(1)")),
        ),
        (
            "call_event_bad_duration",
            "duration_secs",
            with("duration_secs", json!(-5)),
        ),
    ];
    for (code, field, body) in cases {
        let (status, answer) = post_event(&app, &l, &body).await;
        assert_eq!(status, 422, "{field}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{answer}");
        let detail = answer["error"]["detail"].as_str().unwrap_or_default();
        assert!(detail.starts_with(field), "{field}: {answer}");
        assert!(
            !answer["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .is_empty(),
            "{answer}"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM phone_call_events").await,
        0
    );
    // Well-formed JSON of another shape is refused too, and a good event still lands.
    let (status, _) = post_event(&app, &l, &json!(["ringing"])).await;
    assert_eq!(status, 400);
    let (status, answer) = post_event(&app, &l, &base).await;
    assert_eq!(status, 201, "{answer}");
    app.stop().await;
}

#[tokio::test]
async fn a_switched_off_channel_takes_no_events() {
    let app = TestApp::spawn().await;
    let l = line(&app, "").await;
    app.app
        .set_phone_channel_active(&Actor::system(), l.id, false, None)
        .await
        .unwrap();
    let (status, answer) =
        post_event(&app, &l, &event(&app, "o-1", "ringing", "13812345678")).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"]["code"], "channel_inactive");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 0);
    app.stop().await;
}
