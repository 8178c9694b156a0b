//! 回调 — every webhook of the route table (the API routes the guard leaves to the handler:
//! mail in, call events, texts and delivery reports, WeChat's server check and messages) fed
//! posts whose signature is missing, malformed (not `sha256=`, not hex, not text, a
//! timestamp that is no number or overflows), stale, ahead, made with another secret or over
//! another body: each answers 401 with the JSON error (never a 500, never 400 first), each
//! refusal is audited against its channel, and nothing is stored. The same posts signed
//! right then go through, so the refusals were for the signature alone.

use std::collections::BTreeSet;

use kefu_app::Actor;
use kefu_domain::Access;
use kefu_testkit::wechat_peer::{self, signature, signed_query, text_message};
use kefu_testkit::{SmsPeer, TestApp, TestOptions, WechatPeer};
use kefu_web::Surface;
use reqwest::header::HeaderValue;
use serde_json::Value;

use super::count;

/// The Token of the test official account.
const TOKEN: &str = "hookToken2026";
const OPENID: &str = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

/// The webhooks this walk knows how to feed: a new public API route must be added here.
const WEBHOOKS: [(&str, &str); 5] = [
    ("POST", "/api/v1/channels/email/{id}/inbound"),
    ("POST", "/api/v1/channels/phone/{id}/events"),
    ("POST", "/api/v1/channels/sms/{id}/events"),
    ("GET", "/api/v1/channels/wechat/{id}"),
    ("POST", "/api/v1/channels/wechat/{id}"),
];

/// `sha256=` and the HMAC of `<timestamp>.` and the body under the secret.
fn sign(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut message = format!("{timestamp}.").into_bytes();
    message.extend_from_slice(body);
    format!(
        "sha256={}",
        kefu_app::secret::hmac_sha256_hex(secret.as_bytes(), &message)
    )
}

/// One refused post: what it is, and its two headers (each may be missing).
struct Bad {
    what: &'static str,
    timestamp: Option<HeaderValue>,
    signature: Option<HeaderValue>,
    body: Vec<u8>,
}

fn text(v: &str) -> Option<HeaderValue> {
    Some(HeaderValue::from_str(v).expect("a header value"))
}

/// Every way a post can fail the `X-Kefu-Signature` check, for `secret` and `body` at
/// `now`.
fn bad_posts(secret: &str, body: &[u8], now: i64) -> Vec<Bad> {
    let ts = now.to_string();
    let good = sign(secret, &ts, body);
    let mut other_body = body.to_vec();
    other_body.extend_from_slice(b" ");
    let hex_only = good.trim_start_matches("sha256=").to_owned();
    let body_only = format!(
        "sha256={}",
        kefu_app::secret::hmac_sha256_hex(secret.as_bytes(), body)
    );
    let stale = (now - 3600).to_string();
    let ahead = (now + 3600).to_string();
    let huge = "99999999999999999999999";
    let min = i64::MIN.to_string();
    let b =
        |what: &'static str, timestamp: Option<HeaderValue>, signature: Option<HeaderValue>| Bad {
            what,
            timestamp,
            signature,
            body: body.to_vec(),
        };
    vec![
        b("no headers", None, None),
        b("no signature", text(&ts), None),
        b("no timestamp", None, text(&good)),
        b("empty headers", text(""), text("")),
        b("bare hex", text(&ts), text(&hex_only)),
        b(
            "another scheme",
            text(&ts),
            text(&format!("md5={hex_only}")),
        ),
        b("not hex", text(&ts), text("sha256=zz-not-hex-zz")),
        b(
            "not text",
            text(&ts),
            Some(HeaderValue::from_bytes(b"sha256=\xff\xfe").expect("obs-text")),
        ),
        b("timestamp not a number", text("yesterday"), text(&good)),
        b(
            "timestamp overflows",
            text(huge),
            text(&sign(secret, huge, body)),
        ),
        b(
            "timestamp at the end of time",
            text(&min),
            text(&sign(secret, &min, body)),
        ),
        b("stale", text(&stale), text(&sign(secret, &stale, body))),
        b("ahead", text(&ahead), text(&sign(secret, &ahead, body))),
        b(
            "another secret",
            text(&ts),
            text(&sign("not-the-secret", &ts, body)),
        ),
        b("the body alone signed", text(&ts), text(&body_only)),
        Bad {
            what: "another body",
            timestamp: text(&ts),
            signature: text(&good),
            body: other_body,
        },
    ]
}

/// Posts `bad` to `path` as `content_type`: the status, the content type and the body.
async fn post(app: &TestApp, path: &str, content_type: &str, bad: &Bad) -> (u16, String, String) {
    let mut req = app
        .client()
        .post(app.url(path))
        .header("content-type", content_type)
        .body(bad.body.clone());
    if let Some(t) = &bad.timestamp {
        req = req.header("x-kefu-timestamp", t.clone());
    }
    if let Some(s) = &bad.signature {
        req = req.header("x-kefu-signature", s.clone());
    }
    let res = req.send().await.expect("POST");
    read(res).await
}

async fn read(res: reqwest::Response) -> (u16, String, String) {
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, kind, res.text().await.unwrap_or_default())
}

/// A refusal as it must be: 401, the JSON error shape, `webhook_rejected` with a reason.
fn check_refused(what: &str, (status, kind, body): &(u16, String, String)) -> Option<String> {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let ok = *status == 401
        && kind.starts_with("application/json")
        && json["error"]["code"] == "webhook_rejected"
        && json["error"]["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty());
    (!ok).then(|| format!("{what}: {status} {kind} {body}"))
}

/// What a refused post must not leave behind.
const TABLES: [&str; 8] = [
    "tickets",
    "ticket_messages",
    "inbound_mails",
    "phone_calls",
    "phone_call_events",
    "sms_inbound",
    "wechat_inbound",
    "wechat_users",
];

#[tokio::test]
async fn every_webhook_refuses_bad_signatures_with_401() {
    let found: BTreeSet<(String, String)> = kefu_web::route_specs()
        .into_iter()
        .filter(|s| {
            s.surface == Surface::Api
                && s.access == Access::Public
                && s.path != "/api/v1/openapi.json"
        })
        .map(|s| (s.method.as_str().to_owned(), s.path.to_owned()))
        .collect();
    let known: BTreeSet<(String, String)> = WEBHOOKS
        .iter()
        .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
        .collect();
    assert_eq!(
        found, known,
        "the public API routes are the webhooks walked here"
    );

    let sms_peer = SmsPeer::start().await;
    let wx_peer = WechatPeer::start().await;
    let app = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..Default::default()
    })
    .await;
    let system = Actor::system();
    let mailbox = app
        .app
        .create_email_channel(
            &system,
            &kefu_app::channel::email::ChannelForm {
                name: "售后邮箱".to_owned(),
                address: "support@hook.example".to_owned(),
                group_id: None,
                active: true,
            },
        )
        .await
        .unwrap();
    let line = app
        .app
        .create_phone_channel(
            &system,
            &kefu_app::channel::phone::PhoneChannelForm {
                name: "客服热线".to_owned(),
                group_id: None,
                area_code: "0571".to_owned(),
                active: true,
            },
        )
        .await
        .unwrap();
    let gateway = app
        .app
        .create_sms_channel(
            &system,
            &kefu_app::channel::sms::SmsChannelForm {
                name: "短信网关".to_owned(),
                send_url: sms_peer.send_url(),
                sign_name: crate::sms::SIGN.to_owned(),
                group_id: None,
                active: true,
                api_key: Some(crate::sms::API_KEY.to_owned()),
            },
        )
        .await
        .unwrap();
    let account = app
        .app
        .create_wechat_channel(
            &system,
            &kefu_app::channel::wechat::WechatChannelForm {
                name: "恒信服务号".to_owned(),
                app_id: wechat_peer::APP_ID.to_owned(),
                app_secret: wechat_peer::APP_SECRET.to_owned(),
                token: TOKEN.to_owned(),
                api_base: wx_peer.base.clone(),
                group_id: None,
                active: true,
            },
        )
        .await
        .unwrap()
        .channel_id;
    let now = app.now().as_second();

    let mail = crate::mail_ingest::mail(
        "hook@example.com",
        ("王芳", "wang.fang@example.com"),
        "退款",
        "",
        "正文-不该出现在审计日志里",
    );
    let call = serde_json::to_vec(&crate::phone::event(
        &app,
        "hook-1",
        "ringing",
        "13912340003",
    ))
    .unwrap();
    let sms =
        serde_json::to_vec(&crate::sms::text(&app, "hook-1", "+8613912340004", "你好")).unwrap();
    let signed: [(&str, String, &str, &str, &[u8]); 3] = [
        (
            "email_channel",
            format!("/api/v1/channels/email/{}/inbound", mailbox.channel_id),
            mailbox.secret.as_str(),
            "message/rfc822",
            mail.as_slice(),
        ),
        (
            "phone_channel",
            format!("/api/v1/channels/phone/{}/events", line.channel_id),
            line.secret.as_str(),
            "application/json",
            call.as_slice(),
        ),
        (
            "sms_channel",
            format!("/api/v1/channels/sms/{}/events", gateway.channel_id),
            gateway.secret.as_str(),
            "application/json",
            sms.as_slice(),
        ),
    ];

    let mut problems = Vec::new();
    let mut refused = 0;
    for (kind, path, secret, content_type, body) in &signed {
        for bad in bad_posts(secret, body, now) {
            let answer = post(&app, path, content_type, &bad).await;
            problems.extend(check_refused(&format!("{kind}: {}", bad.what), &answer));
            refused += 1;
        }
    }

    // WeChat signs in the query string, over its Token.
    let server = format!("/api/v1/channels/wechat/{account}");
    let ts = now.to_string();
    let stale = signed_query(TOKEN, now - 3600, "1514623");
    let ahead = signed_query(TOKEN, now + 3600, "1514623");
    let other = signed_query("anotherToken42", now, "1514623");
    let word = format!(
        "signature={}&timestamp=yesterday&nonce=1514623",
        signature(TOKEN, "yesterday", "1514623")
    );
    let huge = "99999999999999999999999";
    let overflow = format!(
        "signature={}&timestamp={huge}&nonce=1514623",
        signature(TOKEN, huge, "1514623")
    );
    let swapped = format!(
        "signature={}&timestamp={ts}&nonce=1514624",
        signature(TOKEN, &ts, "1514623")
    );
    let queries = [
        ("no query", String::new()),
        ("no signature", format!("timestamp={ts}&nonce=1514623")),
        (
            "no timestamp",
            format!(
                "signature={}&nonce=1514623",
                signature(TOKEN, &ts, "1514623")
            ),
        ),
        (
            "not hex",
            format!("signature=zz-not-hex&timestamp={ts}&nonce=1514623"),
        ),
        ("timestamp not a number", word),
        ("timestamp overflows", overflow),
        ("stale", stale),
        ("ahead", ahead),
        ("another Token", other),
        ("another nonce", swapped),
    ];
    let xml = text_message(OPENID, now, "你好", 6_001_000_000_000_000_009);
    let client = app.client();
    for (what, query) in &queries {
        let res = client
            .get(app.url(&format!("{server}?{query}&echostr=7193582462937581093")))
            .send()
            .await
            .unwrap();
        let answer = read(res).await;
        if answer.2.contains("7193582462937581093") {
            problems.push(format!("wechat check, {what}: the echostr came back"));
        }
        problems.extend(check_refused(&format!("wechat check: {what}"), &answer));
        let res = client
            .post(app.url(&format!("{server}?{query}&openid={OPENID}")))
            .header("content-type", "text/xml")
            .body(xml.clone())
            .send()
            .await
            .unwrap();
        let answer = read(res).await;
        problems.extend(check_refused(&format!("wechat message: {what}"), &answer));
        refused += 2;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));

    // Each refusal audited against its channel, with the reason and nothing else.
    let entries = app.audit_entries("webhook_rejected").await;
    assert_eq!(entries.len(), refused);
    for e in &entries {
        let kind = e.target_type.as_deref().unwrap_or_default();
        assert!(
            [
                "email_channel",
                "phone_channel",
                "sms_channel",
                "wechat_channel"
            ]
            .contains(&kind),
            "{kind}"
        );
        let detail = e.detail.clone().unwrap_or_default();
        assert!(detail.contains("reason"), "{detail}");
        assert!(!detail.contains("不该出现"), "no body in the audit log");
        for secret in [&mailbox.secret, &line.secret, &gateway.secret] {
            assert!(
                !detail.contains(secret.as_str()),
                "no secret in the audit log"
            );
        }
        assert!(!detail.contains(TOKEN), "no Token in the audit log");
    }
    for table in TABLES {
        assert_eq!(
            count(&app, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'wechat_inbound'"
        )
        .await,
        0
    );

    // Signed right, the same posts go through.
    for (kind, path, secret, content_type, body) in &signed {
        let res = app
            .client()
            .post(app.url(path))
            .header("content-type", *content_type)
            .header("x-kefu-timestamp", now.to_string())
            .header("x-kefu-signature", sign(secret, &now.to_string(), body))
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        let status = res.status();
        assert!(
            status.is_success(),
            "{kind}: {status} {}",
            res.text().await.unwrap()
        );
    }
    let q = signed_query(TOKEN, now, "1514623");
    let res = client
        .get(app.url(&format!("{server}?{q}&echostr=7193582462937581093")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "7193582462937581093");
    let res = client
        .post(app.url(&format!("{server}?{q}&openid={OPENID}")))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.text().await.unwrap(), "success");
    app.stop().await;
}
