//! 服务器验证 — the `echostr` check: answered, as plain text, only when the signature is the
//! SHA-1 of the account's Token, the timestamp and the nonce, and the timestamp is fresh;
//! anything else is 401, audited with the reason (never the Token or the query), and a
//! message posted with such a signature stores nothing.

use kefu_testkit::wechat_peer::{signature, signed_query, text_message};
use kefu_testkit::{TestApp, WechatPeer};

use super::{OPENID, TOKEN, account, count, nonce, post_with, quiet_app, server_path};

async fn check(app: &TestApp, id: i64, query: &str) -> (u16, String, String) {
    let res = app
        .client()
        .get(app.url(&format!("{}?{query}", server_path(id))))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, content_type, res.text().await.unwrap())
}

#[tokio::test]
async fn the_server_check_answers_echostr_only_to_the_accounts_signature() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let now = app.now().as_second();
    let echostr = "7193582462937581093";

    let q = signed_query(TOKEN, now, "1514623");
    let (status, content_type, body) = check(&app, id, &format!("{q}&echostr={echostr}")).await;
    assert_eq!(status, 200, "{body}");
    assert!(content_type.starts_with("text/plain"), "{content_type}");
    assert_eq!(body, echostr);

    // Another Token, a stale timestamp, no signature, a signature of other parts.
    let wrong = signed_query("anotherToken42", now, "1514623");
    let stale = signed_query(TOKEN, now - 400, "1514623");
    let unsigned = format!("timestamp={now}&nonce=1514623");
    let swapped = format!(
        "signature={}&timestamp={now}&nonce=1514624",
        signature(TOKEN, &now.to_string(), "1514623")
    );
    let refused = [
        (wrong, "bad_signature"),
        (stale, "stale_timestamp"),
        (unsigned, "missing_signature"),
        (swapped, "bad_signature"),
    ];
    for (query, reason) in &refused {
        let (status, _, body) = check(&app, id, &format!("{query}&echostr={echostr}")).await;
        assert_eq!(status, 401, "{reason}: {body}");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["error"]["code"], "webhook_rejected", "{body}");
        assert_eq!(v["error"]["detail"], *reason, "{body}");
        assert!(!body.contains(echostr));
    }

    // A message signed wrong: refused the same way, nothing stored, no job queued.
    let xml = text_message(OPENID, now, "你好", 6_001_000_000_000_000_001);
    let bad = signed_query("anotherToken42", now, &nonce());
    let (status, body) = post_with(&app, id, &format!("{bad}&openid={OPENID}"), &xml).await;
    assert_eq!(status, 401, "{body}");
    assert_ne!(body, "success");

    let entries = app.audit_entries("webhook_rejected").await;
    assert_eq!(entries.len(), refused.len() + 1);
    for e in &entries {
        assert_eq!(e.target_type.as_deref(), Some("wechat_channel"));
        assert_eq!(e.target_id.as_deref(), Some(id.to_string().as_str()));
        let detail = e.detail.clone().unwrap_or_default();
        assert!(detail.contains("reason"), "{detail}");
        assert!(!detail.contains(TOKEN), "no Token in the audit log");
        assert!(!detail.contains(echostr), "no query in the audit log");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM wechat_inbound").await, 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM wechat_users").await, 0);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'wechat_inbound'"
        )
        .await,
        0
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM tickets").await, 0);

    // No such account: 404, whatever the signature.
    let (status, _, _) = check(&app, id + 100, &format!("{q}&echostr={echostr}")).await;
    assert_eq!(status, 404);
    app.stop().await;
}
