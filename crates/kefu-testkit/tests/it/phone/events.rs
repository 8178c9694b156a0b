//! Events land once and make the same call in any order.

use kefu_domain::Role;
use kefu_testkit::TestApp;
use serde_json::json;

use super::{call_field, count, event, line, map, post_event};

#[tokio::test]
async fn signed_events_make_one_call_that_moves_through_its_states() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("cti.agent", &[Role::Agent]).await;
    let l = line(&app, "0571").await;
    map(&app, &l, "8001", agent).await;

    let (status, answer) = post_event(
        &app,
        &l,
        &event(&app, "c-100", "ringing", "+86 138 1234 5678"),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(answer["status"], "created");
    assert_eq!(answer["call_status"], "ringing");
    let call = answer["call"].as_i64().unwrap();

    let (status, answer) = post_event(
        &app,
        &l,
        &event(&app, "c-100", "answered", "+86 138 1234 5678"),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "updated");
    assert_eq!(answer["call"], call);
    assert_eq!(answer["call_status"], "answered");

    let mut hangup = event(&app, "c-100", "hangup", "+86 138 1234 5678");
    hangup["duration_secs"] = json!(192);
    hangup["recording_url"] = json!("https://pbx.example.com/rec/c-100.mp3");
    let (status, answer) = post_event(&app, &l, &hangup).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["call_status"], "done");

    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 1);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM phone_call_events").await,
        3
    );
    // The number as the archive compares it, the agent of the extension, the talk time.
    assert_eq!(
        call_field(&app, call, "customer_number").await,
        "13812345678"
    );
    assert_eq!(
        call_field(&app, call, "agent_user_id").await,
        agent.to_string()
    );
    assert_eq!(call_field(&app, call, "duration_secs").await, "192");
    assert_eq!(call_field(&app, call, "direction").await, "inbound");
    assert_eq!(
        call_field(&app, call, "recording_url").await,
        "https://pbx.example.com/rec/c-100.mp3"
    );
    // Nobody missed it: no callback.
    assert_eq!(call_field(&app, call, "callback").await, "");
    app.stop().await;
}

#[tokio::test]
async fn each_event_sent_twice_and_at_once_is_written_once() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("cti.twice", &[Role::Agent]).await;
    let l = line(&app, "").await;
    map(&app, &l, "8001", agent).await;
    for kind in ["ringing", "answered", "hangup"] {
        let body = event(&app, "c-200", kind, "13912345678");
        // Twice in a row…
        let (first, _) = post_event(&app, &l, &body).await;
        let (again, answer) = post_event(&app, &l, &body).await;
        assert!(first == 201 || first == 200, "{kind}: {first}");
        assert_eq!(again, 200, "{kind}: {answer}");
        assert_eq!(answer["status"], "duplicate", "{kind}: {answer}");
    }
    // …and eight deliveries of one event of another call at the same moment.
    let body = event(&app, "c-201", "ringing", "13912345678");
    let posts = (0..8).map(|_| post_event(&app, &l, &body));
    let answers = futures_util::future::join_all(posts).await;
    let created = answers.iter().filter(|(s, _)| *s == 201).count();
    let duplicates = answers
        .iter()
        .filter(|(s, a)| *s == 200 && a["status"] == "duplicate")
        .count();
    assert_eq!((created, duplicates), (1, 7), "{answers:?}");
    let calls: Vec<i64> = answers
        .iter()
        .map(|(_, a)| a["call"].as_i64().unwrap())
        .collect();
    assert!(
        calls.windows(2).all(|w| w[0] == w[1]),
        "one call: {calls:?}"
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 2);
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM phone_call_events").await,
        4
    );
    // One pop per ringing call, however often the ring was delivered.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'phone_pop'"
        )
        .await,
        2
    );
    // Different events of one call at the same moment fold into one call.
    let kinds = ["ringing", "answered", "hangup"];
    let bodies: Vec<_> = kinds
        .iter()
        .map(|k| {
            let mut b = event(&app, "c-202", k, "13912345678");
            if *k == "hangup" {
                b["duration_secs"] = json!(61);
            }
            b
        })
        .collect();
    let answers =
        futures_util::future::join_all(bodies.iter().map(|b| post_event(&app, &l, b))).await;
    assert!(
        answers.iter().all(|(s, _)| *s == 200 || *s == 201),
        "{answers:?}"
    );
    let call = answers[0].1["call"].as_i64().unwrap();
    assert_eq!(call_field(&app, call, "status").await, "done");
    assert_eq!(call_field(&app, call, "duration_secs").await, "61");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM phone_calls").await, 3);
    app.stop().await;
}

#[tokio::test]
async fn a_hangup_before_its_answer_makes_the_right_call_and_a_late_ring_changes_nothing() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("cti.order", &[Role::Agent]).await;
    let l = line(&app, "").await;
    map(&app, &l, "8001", agent).await;
    let number = "0571-8888 6666";

    // The hangup (with its talk time) arrives first, then the answer, then the ring.
    let mut hangup = event(&app, "c-300", "hangup", number);
    hangup["duration_secs"] = json!(95);
    let (status, answer) = post_event(&app, &l, &hangup).await;
    assert_eq!(status, 201, "{answer}");
    assert_eq!(
        answer["call_status"], "done",
        "talk time means it was answered"
    );
    let call = answer["call"].as_i64().unwrap();
    let (_, answer) = post_event(&app, &l, &event(&app, "c-300", "answered", number)).await;
    assert_eq!(answer["call_status"], "done");
    let (_, answer) = post_event(&app, &l, &event(&app, "c-300", "ringing", number)).await;
    assert_eq!(
        answer["call_status"], "done",
        "a late ring does not make it ring"
    );
    assert_eq!(call_field(&app, call, "duration_secs").await, "95");
    assert_eq!(
        call_field(&app, call, "customer_number").await,
        "057188886666"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM change_log WHERE entity = 'phone_pop'"
        )
        .await,
        0,
        "a ring after the hangup pops nothing"
    );
    assert_eq!(call_field(&app, call, "callback").await, "");

    // Without talk time, a hangup first reads as missed, until the answer arrives.
    let (_, answer) = post_event(&app, &l, &event(&app, "c-301", "hangup", number)).await;
    assert_eq!(answer["call_status"], "missed");
    let missed = answer["call"].as_i64().unwrap();
    assert_eq!(call_field(&app, missed, "callback").await, "pending");
    let (_, answer) = post_event(&app, &l, &event(&app, "c-301", "answered", number)).await;
    assert_eq!(answer["call_status"], "done");
    assert_eq!(
        call_field(&app, missed, "callback").await,
        "",
        "an answered call leaves no callback"
    );
    app.stop().await;
}
