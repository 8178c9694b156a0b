//! The 渠道 pages: a channel's secret is shown on the answer that made it and never again
//! (no page, no API answer, no audit entry), signs mail until it is rotated; a form from
//! an older version of the channel is refused with 409; a switched-off channel takes no
//! mail.

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TEST_PASSWORD, TestApp, form_fields};

use super::{mail, post_signed};

fn secret_on(page: &str) -> String {
    let marker = "data-testid=\"channel-secret\">";
    let start = page.find(marker).expect("the secret is shown") + marker.len();
    let end = page[start..].find('<').unwrap() + start;
    page[start..end].to_owned()
}

#[tokio::test]
async fn a_channels_secret_is_shown_once_and_signs_mail_until_rotated() {
    let app = TestApp::spawn().await;
    let admin = app.create_user("chan.admin", &[Role::Admin]).await;
    let s = app.login("chan.admin", TEST_PASSWORD).await;
    let res = s
        .post_form(
            "/admin/channels",
            &[
                ("name", "售后邮箱"),
                ("address", " Support@Hengxin.example "),
                ("group", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 201);
    let created = res.text().await.unwrap();
    let secret = secret_on(&created);
    assert_eq!(secret.len(), 64);
    assert!(secret.chars().all(|c| c.is_ascii_hexdigit()));

    let channels = app
        .app
        .email_channels(&kefu_app::Actor::system())
        .await
        .unwrap();
    assert_eq!(channels.len(), 1);
    let id = channels[0].channel.id;
    assert_eq!(channels[0].channel.address, "support@hengxin.example");

    // Never shown again: not on the list, the channel's page, the audit log or the API.
    let list = s.get("/admin/channels").await.text().await.unwrap();
    assert!(list.contains("售后邮箱") && list.contains("support@hengxin.example"));
    assert!(!list.contains(&secret));
    let edit = s
        .get(&format!("/admin/channels/{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(!edit.contains(&secret));
    let api = ApiClient::new(&app, &app.token_for(admin).await);
    let audit = api.get("/api/v1/audit").await.text().await.unwrap();
    assert!(audit.contains("channel_created"), "{audit}");
    assert!(!audit.contains(&secret));
    let openapi = api.get("/api/v1/openapi.json").await.text().await.unwrap();
    assert!(openapi.contains("/api/v1/channels/email/{id}/inbound"));

    // It signs mail.
    let now = app.now().as_second();
    let first = mail(
        "s.1@example.com",
        ("王芳", "wang.fang@example.com"),
        "一",
        "",
        "第一封",
    );
    let (status, _) = post_signed(&app, id, &secret, now, &first).await;
    assert_eq!(status, 201);

    // Rotated: the new one is shown once, the old one stops working.
    let rotate = format!("/admin/channels/{id}/secret");
    let res = s
        .client
        .post(s.url(&rotate))
        .form(&form_fields(&edit, &rotate))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let rotated = secret_on(&res.text().await.unwrap());
    assert_ne!(rotated, secret);
    let second = mail(
        "s.2@example.com",
        ("王芳", "wang.fang@example.com"),
        "二",
        "",
        "第二封",
    );
    let (status, answer) = post_signed(&app, id, &secret, now, &second).await;
    assert_eq!(status, 401, "{answer}");
    let (status, _) = post_signed(&app, id, &rotated, now, &second).await;
    assert_eq!(status, 201);
    assert!(
        !s.get(&format!("/admin/channels/{id}"))
            .await
            .text()
            .await
            .unwrap()
            .contains(&rotated)
    );

    // The page read before the rotation is a version behind: its save is refused.
    let save = format!("/admin/channels/{id}");
    let mut fields = form_fields(&edit, &save);
    for (k, v) in fields.iter_mut() {
        if k == "name" {
            *v = "售后邮箱（旧）".to_owned();
        }
    }
    let res = s
        .client
        .post(s.url(&save))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert!(
        res.text()
            .await
            .unwrap()
            .contains("data-testid=\"stale-changes\"")
    );

    // Switched off, the channel takes no mail.
    let fresh = s.get(&save).await.text().await.unwrap();
    let active = format!("/admin/channels/{id}/active");
    let res = s
        .client
        .post(s.url(&active))
        .form(&form_fields(&fresh, &active))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let third = mail(
        "s.3@example.com",
        ("王芳", "wang.fang@example.com"),
        "三",
        "",
        "第三封",
    );
    let (status, answer) = post_signed(&app, id, &rotated, now, &third).await;
    assert_eq!(status, 403, "{answer}");
    assert_eq!(answer["error"]["code"], "channel_inactive");
    assert_eq!(app.audit_entries("channel_secret_rotated").await.len(), 1);
    assert_eq!(app.audit_entries("channel_deactivated").await.len(), 1);
    for e in app.audit_entries("channel_secret_rotated").await {
        assert!(!e.detail.unwrap_or_default().contains(&rotated));
    }
    app.stop().await;
}
