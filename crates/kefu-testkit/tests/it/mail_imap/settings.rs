//! The IMAP part of a channel's page: saved through the form (the password written, never
//! shown back, kept when left empty), refused input answered in Chinese with the input
//! kept, a form from an older version refused with 409, the connection test, and the
//! audit entries naming the server but never the password.

use kefu_domain::Role;
use kefu_testkit::{ImapPeer, TEST_PASSWORD, TestApp, form_fields, unescape_html};

use super::{customer_mail, wait_stored};
use crate::mail_ingest::mailbox;

fn with(fields: &[(String, String)], set: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, _)| !set.iter().any(|(s, _)| s == k))
        .cloned()
        .collect();
    out.extend(set.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
    out
}

#[tokio::test]
async fn the_page_sets_tests_and_guards_the_imap_server() {
    let Some(peer) = ImapPeer::start().await else {
        return;
    };
    let app = TestApp::spawn().await;
    app.create_user("imap.page", &[Role::Admin]).await;
    let s = app.login("imap.page", TEST_PASSWORD).await;
    let mb = mailbox(&app).await;
    let path = format!("/admin/channels/{}", mb.id);
    let action = format!("/admin/channels/{}/imap", mb.id);
    let page = s.get(&path).await.text().await.unwrap();
    assert!(page.contains("未设置收信服务器"), "{page}");
    let fields = form_fields(&page, &action);
    let port = peer.imaps_port.to_string();

    // Cleartext to another machine: refused in Chinese, input kept, nothing stored.
    let bad = with(
        &fields,
        &[
            ("imap_host", "imap.exmail.qq.com"),
            ("imap_security", "none"),
            ("imap_username", &peer.user),
            ("imap_password", "whatever"),
        ],
    );
    let pairs: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = s.post_form(&action, &pairs).await;
    assert_eq!(res.status(), 422);
    let body = unescape_html(&res.text().await.unwrap());
    assert!(body.contains("不加密的连接只允许连到本机"), "{body}");
    assert!(body.contains("imap.exmail.qq.com"), "input kept");
    assert!(
        !body.contains("whatever"),
        "a typed password is never sent back"
    );
    assert!(
        app.app
            .email_channel_imap(&kefu_app::Actor::system(), mb.id)
            .await
            .unwrap()
            .is_none()
    );

    // The real server, its certificate pasted: saved, and the mail there lands.
    peer.append("INBOX", &customer_mail(1)).await;
    let good = with(
        &fields,
        &[
            ("imap_host", "localhost"),
            ("imap_port", &port),
            ("imap_security", "tls"),
            ("imap_username", &peer.user),
            ("imap_password", &peer.password),
            ("imap_after", "seen"),
            ("imap_poll_secs", "5"),
            ("imap_ca_pem", &peer.ca_pem),
        ],
    );
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let res = s.post_form(&action, &pairs).await;
    assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    wait_stored(&app, mb.id, 1, &peer).await;
    let page = s.get(&path).await.text().await.unwrap();
    assert!(page.contains("已收取 1 封"), "{page}");
    assert!(page.contains("已设置（留空则不修改）"));
    assert!(
        !page.contains(&peer.password),
        "the password is never shown"
    );

    // Saved again with the password left empty (and the form's fresh version): kept.
    let fields = form_fields(&page, &action);
    let keep = with(&fields, &[("imap_poll_secs", "30")]);
    let pairs: Vec<(&str, &str)> = keep.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(s.post_form(&action, &pairs).await.status(), 303);
    let res = s.post_form(&format!("{action}/test"), &[]).await;
    assert_eq!(res.status(), 200);
    let body = unescape_html(&res.text().await.unwrap());
    assert!(
        body.contains("连接成功：文件夹中有 1 封邮件，即时推送（IDLE）"),
        "{body}"
    );

    // The first form again, made against an older version: 409, nothing changed.
    let res = s.post_form(&action, &pairs).await;
    assert_eq!(res.status(), 409);
    let stored = app
        .app
        .email_channel_imap(&kefu_app::Actor::system(), mb.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.poll_secs, 30);

    // The audit log names the server, never the password.
    let entries = app.audit_entries("channel_imap_updated").await;
    assert_eq!(entries.len(), 2);
    let all = format!("{entries:?}");
    assert!(all.contains("localhost"));
    assert!(!all.contains(&peer.password));
    assert_eq!(app.audit_entries("channel_imap_tested").await.len(), 1);
}
