//! Telephone systems over the API: made (the secret once), read, changed against their
//! version, extensions mapped to agents and unmapped, the secret rotated — the webhook then
//! takes events signed with the new secret only.

use kefu_testkit::TestApp;
use reqwest::Method;
use serde_json::json;

use super::{admin, agent, get, send};
use crate::phone::{Line, event, post_event};

const LIST: &str = "/api/v1/channels/phone";

#[tokio::test]
async fn telephone_systems_and_their_extensions_are_administered_over_the_api() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chapi.phone.admin").await;
    let (agent_id, agent) = agent(&app, "chapi.phone.agent").await;

    // Not for an agent.
    assert_eq!(get(&agent, LIST).await.status, 403);
    let a = send(
        &agent,
        Method::POST,
        LIST,
        None,
        Some(json!({"name": "呼叫中心"})),
    )
    .await;
    assert_eq!(a.status, 403);

    // Refused input, named.
    for (body, code) in [
        (
            json!({"name": "呼叫中心", "area_code": "杭州"}),
            "bad_area_code",
        ),
        (json!({"name": ""}), "bad_name"),
        (
            json!({"name": "呼叫中心", "group_id": 999999}),
            "unknown_group",
        ),
    ] {
        let a = send(&api, Method::POST, LIST, None, Some(body.clone())).await;
        assert_eq!(a.status, 422, "{body}: {}", a.text);
        assert_eq!(a.code(), code, "{}", a.text);
    }

    // Made: the secret answered once.
    let made = send(
        &api,
        Method::POST,
        LIST,
        None,
        Some(json!({"name": "呼叫中心", "area_code": "571"})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let id = made.body["channel"]["id"].as_i64().unwrap();
    let secret = made.body["webhook_secret"].as_str().unwrap().to_owned();
    assert_eq!(secret.len(), 64);
    assert_eq!(made.body["channel"]["area_code"], "0571");
    assert_eq!(
        made.body["channel"]["webhook"],
        format!("/api/v1/channels/phone/{id}/events")
    );
    let path = format!("{LIST}/{id}");
    let read = get(&api, &path).await;
    assert_eq!(read.status, 200);
    let first = read.etag.clone().expect("an ETag");

    // Extension 8001 rings at the agent, against the version read.
    let ext = format!("{path}/extensions");
    let mapped = send(
        &api,
        Method::PUT,
        &format!("{ext}/8001"),
        Some(&first),
        Some(json!({ "user_id": agent_id })),
    )
    .await;
    assert_eq!(mapped.status, 200, "{}", mapped.text);
    assert_eq!(mapped.body[0]["extension"], "8001");
    assert_eq!(mapped.body[0]["user_id"], agent_id);
    assert_eq!(
        mapped.body[0]["user_name"].as_str().map(str::is_empty),
        Some(false)
    );
    let after_map = mapped.etag.clone().expect("the new version");
    assert_ne!(after_map, first);
    // From the old version: refused, nothing mapped.
    let stale = send(
        &api,
        Method::PUT,
        &format!("{ext}/8002"),
        Some(&first),
        Some(json!({ "user_id": agent_id })),
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    for (which, body, code) in [
        ("8%20002", json!({ "user_id": agent_id }), "bad_extension"),
        ("8003", json!({ "user_id": 999999 }), "unknown_assignee"),
    ] {
        let a = send(
            &api,
            Method::PUT,
            &format!("{ext}/{which}"),
            None,
            Some(body),
        )
        .await;
        assert_eq!(a.status, 422, "{which}: {}", a.text);
        assert_eq!(a.code(), code);
    }
    let a = send(
        &agent,
        Method::PUT,
        &format!("{ext}/8009"),
        None,
        Some(json!({ "user_id": agent_id })),
    )
    .await;
    assert_eq!(a.status, 403);
    let listed = get(&api, &ext).await;
    assert_eq!(listed.status, 200);
    assert_eq!(listed.body.as_array().unwrap().len(), 1, "{}", listed.text);
    assert_eq!(get(&api, LIST).await.body[0]["extensions"], 1);

    // A call at 8001, signed with the secret: taken.
    let line = Line {
        id,
        secret: secret.clone(),
    };
    let (status, answer) = post_event(
        &app,
        &line,
        &event(&app, "chapi-1", "ringing", "+86 139 0000 1111"),
    )
    .await;
    assert_eq!(status, 201, "{answer}");

    // A new secret, once: the old one stops at once, the new one is taken.
    let rotated = send(&api, Method::POST, &format!("{path}/secret"), None, None).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.body["webhook_secret"].as_str().unwrap().to_owned();
    assert_eq!(new_secret.len(), 64);
    assert_ne!(new_secret, secret);
    let (status, answer) = post_event(
        &app,
        &line,
        &event(&app, "chapi-2", "ringing", "+86 139 0000 1111"),
    )
    .await;
    assert_eq!(status, 401, "the old secret: {answer}");
    assert_eq!(answer["error"]["code"], "webhook_rejected");
    let line = Line {
        id,
        secret: new_secret.clone(),
    };
    let (status, answer) = post_event(
        &app,
        &line,
        &event(&app, "chapi-2", "ringing", "+86 139 0000 1111"),
    )
    .await;
    assert_eq!(status, 201, "the new one: {answer}");

    // Changed against the current version: the area code removed, switched off — the
    // webhook then refuses events.
    let current = get(&api, &path).await.etag.unwrap();
    let stale = send(
        &api,
        Method::PATCH,
        &path,
        Some(&after_map),
        Some(json!({"name": "呼叫中心（杭州）"})),
    )
    .await;
    assert_eq!(
        stale.status, 412,
        "the secret's rotation moved the version on"
    );
    let changed = send(
        &api,
        Method::PATCH,
        &path,
        Some(&current),
        Some(json!({"name": "呼叫中心（杭州）", "area_code": "", "active": false})),
    )
    .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["name"], "呼叫中心（杭州）");
    assert!(changed.body["area_code"].is_null());
    assert_eq!(changed.body["active"], false);
    let (status, answer) = post_event(
        &app,
        &line,
        &event(&app, "chapi-3", "ringing", "+86 139 0000 1111"),
    )
    .await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"]["code"], "channel_inactive");
    let bad = send(
        &api,
        Method::PATCH,
        &path,
        None,
        Some(json!({"area_code": "0"})),
    )
    .await;
    assert_eq!(bad.status, 422);
    assert_eq!(bad.code(), "bad_area_code");

    // 8001 unmapped: nobody's any more; unmapping it again finds nothing.
    let one = format!("{ext}/8001");
    let a = send(&api, Method::DELETE, &one, None, None).await;
    assert_eq!(a.status, 204, "{}", a.text);
    assert_eq!(get(&api, &ext).await.body, json!([]));
    assert_eq!(
        send(&api, Method::DELETE, &one, None, None).await.status,
        404
    );
    assert_eq!(app.audit_entries("extension_mapped").await.len(), 2);

    // No answer holds a secret; no such system is 404.
    for text in [get(&api, LIST).await.text, get(&api, &path).await.text] {
        assert!(!text.contains(&secret) && !text.contains(&new_secret));
    }
    assert_eq!(get(&api, &format!("{LIST}/999999")).await.status, 404);
    assert_eq!(
        get(&api, &format!("{LIST}/999999/extensions")).await.status,
        404
    );
    app.stop().await;
}
