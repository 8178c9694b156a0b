//! What a signed post is refused for, with nothing stored: XML with a DTD and an external
//! entity (400; the file it names appears nowhere), an entity reference kefu does not know
//! (400), a body over 64 KiB (413), an encrypted message (422: plaintext mode only),
//! something that is not WeChat's XML (400), a switched-off account (403).

use kefu_app::Actor;
use kefu_testkit::WechatPeer;
use kefu_testkit::wechat_peer::{ACCOUNT, signed_query, text_message};

use super::{OPENID, TOKEN, account, count, nonce, post_with, post_xml, quiet_app, run_jobs};

/// Nothing of any post was kept: no message, no job, no follower, no ticket.
async fn nothing_stored(app: &kefu_testkit::TestApp) {
    for table in [
        "wechat_inbound",
        "wechat_users",
        "tickets",
        "ticket_messages",
    ] {
        assert_eq!(
            count(app, &format!("SELECT COUNT(*) FROM {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        count(
            app,
            "SELECT COUNT(*) FROM jobs WHERE kind = 'wechat_inbound'"
        )
        .await,
        0
    );
}

fn error_code(body: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    v["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn xml_with_an_external_entity_is_refused_and_the_file_appears_nowhere() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let now = app.now().as_second();
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    let first_line = passwd.lines().next().unwrap_or("root:x:0:0").to_owned();

    let xxe = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <!DOCTYPE xml [\n  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n\
         <xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>\
         <FromUserName><![CDATA[{OPENID}]]></FromUserName>\
         <CreateTime>{now}</CreateTime><MsgType><![CDATA[text]]></MsgType>\
         <Content>&xxe;</Content><MsgId>6600000000000000001</MsgId></xml>"
    );
    let (status, body) = post_xml(&app, id, &xxe).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "wechat_dtd");
    assert!(!body.contains(&first_line), "the file is not in the answer");

    // A parameter entity, and a DOCTYPE in lower case, all the same.
    let param = xxe.replace(
        "<!ENTITY xxe SYSTEM",
        "<!ENTITY % remote SYSTEM \"http://127.0.0.1:1/x.dtd\"> %remote; <!ENTITY xxe SYSTEM",
    );
    let (status, body) = post_xml(&app, id, &param).await;
    assert_eq!((status, error_code(&body).as_str()), (400, "wechat_dtd"));
    let lower = xxe.replace("<!DOCTYPE", "<!doctype");
    let (status, body) = post_xml(&app, id, &lower).await;
    assert_eq!((status, error_code(&body).as_str()), (400, "wechat_dtd"));

    // An entity nobody declared is not expanded to anything: refused.
    let undeclared =
        text_message(OPENID, now, "x", 6_600_000_000_000_000_002).replace("<![CDATA[x]]>", "&xxe;");
    let (status, body) = post_xml(&app, id, &undeclared).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), "wechat_entity");

    run_jobs(&app).await;
    nothing_stored(&app).await;
    // Nowhere in what kefu keeps: not in a ticket, a stored message or the audit log.
    let mut c = app.app.store.conn().await.unwrap();
    for sql in [
        "SELECT COUNT(*) FROM ticket_messages WHERE body LIKE $1",
        "SELECT COUNT(*) FROM wechat_inbound WHERE raw LIKE $1",
        "SELECT COUNT(*) FROM audit_log WHERE detail LIKE $1",
    ] {
        let n: i64 = sqlx::query_scalar(sql)
            .bind(format!("%{first_line}%"))
            .fetch_one(&mut *c)
            .await
            .unwrap();
        assert_eq!(n, 0, "{sql}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_oversize_an_encrypted_or_a_broken_body_is_refused() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let id = account(&app, &peer).await;
    let now = app.now().as_second();

    // Over 64 KiB: 413, signature and all.
    let big = text_message(OPENID, now, &"长".repeat(23_000), 6_700_000_000_000_000_001);
    assert!(big.len() > 64 * 1024);
    let (status, body) = post_xml(&app, id, &big).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(error_code(&body), "payload_too_large");

    // 安全模式: refused, the answer saying plaintext mode is the one kefu reads.
    let encrypted = format!(
        "<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>\
         <Encrypt><![CDATA[OJJq1JzUK0mBVJbsybX2XmhPpBQmJqCVQQ4kxNRV7SxOHVjxA6JVZL6LHB9Vdq]]></Encrypt></xml>"
    );
    let q = signed_query(TOKEN, now, &nonce());
    let aes = format!("{q}&encrypt_type=aes&msg_signature=0123456789abcdef&openid={OPENID}");
    let (status, body) = post_with(&app, id, &aes, &encrypted).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(error_code(&body), "wechat_encrypted");
    assert!(body.contains("明文模式"), "{body}");
    // The same body without the query's hint: refused all the same.
    let (status, body) = post_xml(&app, id, &encrypted).await;
    assert_eq!(
        (status, error_code(&body).as_str()),
        (422, "wechat_encrypted")
    );

    // Not WeChat's XML.
    for broken in [
        "不是XML".to_owned(),
        "<xml><Content>未闭合</xml>".to_owned(),
        text_message(OPENID, now, "x", 1)
            .replace("<FromUserName>", "<Sender>")
            .replace("</FromUserName>", "</Sender>"),
    ] {
        let (status, body) = post_xml(&app, id, &broken).await;
        assert_eq!(status, 400, "{broken}: {body}");
        assert!(error_code(&body).starts_with("wechat_"), "{body}");
    }

    // A switched-off account takes nothing.
    app.app
        .set_wechat_channel_active(&Actor::system(), id, false, None)
        .await
        .unwrap();
    let ok = text_message(OPENID, now, "在吗", 6_700_000_000_000_000_002);
    let (status, body) = post_xml(&app, id, &ok).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(error_code(&body), "channel_inactive");

    run_jobs(&app).await;
    nothing_stored(&app).await;
    app.stop().await;
}
