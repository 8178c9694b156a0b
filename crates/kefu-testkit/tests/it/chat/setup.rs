//! Setting a chat channel up: the admin page with the tag to paste (and refusals on it), the
//! same over the API, audited; the widget's script, served from the binary in the
//! visitor's language with caching headers.

use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, TestApp, form_fields, json_body, unescape_html};
use reqwest::Method;
use serde_json::json;

use super::{SHOP, admin, channel};

#[tokio::test]
async fn a_chat_channel_is_set_up_with_the_tag_to_paste() {
    let app = TestApp::spawn().await;
    app.create_user("chat.setup", &[Role::Admin]).await;
    let s = app.login("chat.setup", TEST_PASSWORD).await;
    let list = s.get("/admin/channels").await.text().await.unwrap();
    assert!(
        list.contains("/admin/channels/chat"),
        "the channels page links chat"
    );

    // A page that is no origin is refused, with the words of the page.
    let res = s
        .post_form(
            "/admin/channels/chat",
            &[
                ("name", "官网客服"),
                ("origins", "https://shop.example.com/products"),
                ("group", ""),
                ("max_chars", "2000"),
                ("greeting", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), 422);
    let html = res.text().await.unwrap();
    assert!(html.contains("不是有效的网站来源"), "{html}");

    let res = s
        .post_form(
            "/admin/channels/chat",
            &[
                ("name", "官网客服"),
                (
                    "origins",
                    "https://Shop.Example.com/\nhttp://127.0.0.1:8081",
                ),
                ("group", ""),
                ("max_chars", "500"),
                ("greeting", "您好，有什么可以帮您？"),
            ],
        )
        .await;
    assert_eq!(res.status(), 303);
    let page = res.headers()["location"].to_str().unwrap().to_owned();
    let id: i64 = page.rsplit('/').next().unwrap().parse().unwrap();
    let html = s.get(&page).await.text().await.unwrap();
    let want = format!(
        "<script src=\"{}/chat/widget.js\" data-kefu-chat=\"{id}\" async></script>",
        app.base
    );
    assert!(unescape_html(&html).contains(&want), "the tag: {html}");
    let fields = form_fields(&html, &format!("/admin/channels/chat/{id}"));
    let origins = fields.iter().find(|(k, _)| k == "origins").unwrap();
    assert_eq!(
        origins.1, "https://shop.example.com\nhttp://127.0.0.1:8081",
        "origins are kept as browsers send them"
    );
    let created = app.audit_entries("channel_created").await;
    assert!(
        created
            .iter()
            .any(|e| e.target_type.as_deref() == Some("chat_channel")
                && e.target_id.as_deref() == Some(id.to_string().as_str())),
        "audited"
    );

    // The same over the API, with its version for a change.
    let api = admin(&app, "chat.api").await;
    let res = api
        .request(Method::GET, &format!("/api/v1/chat/channels/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let body = json_body(res).await;
    assert_eq!(body["snippet"], want);
    assert_eq!(body["max_message_chars"], 500);
    let res = api
        .request(Method::PATCH, &format!("/api/v1/chat/channels/{id}"))
        .header("if-match", "\"1\"")
        .json(&json!({"allowed_origins": ["shop.example.com"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "chat_bad_origin");
    let res = api
        .request(Method::PATCH, &format!("/api/v1/chat/channels/{id}"))
        .header("if-match", "\"1\"")
        .json(&json!({"greeting": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(json_body(res).await["greeting"].is_null());
    let res = api
        .request(Method::PATCH, &format!("/api/v1/chat/channels/{id}"))
        .header("if-match", "\"1\"")
        .json(&json!({"name": "旧版本"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 412, "a stale version is refused");
    app.stop().await;
}

#[tokio::test]
async fn the_widget_script_is_served_from_the_binary_in_the_visitors_language() {
    let app = TestApp::spawn().await;
    let api = admin(&app, "chat.js").await;
    channel(&api, "官网", json!({})).await;
    let c = app.client();
    let res = c
        .get(app.url("/chat/widget.js"))
        .header("accept-language", "zh-CN,zh;q=0.9")
        .header("origin", SHOP)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    assert_eq!(res.headers()["cache-control"], "public, max-age=3600");
    assert!(
        res.headers()["vary"]
            .to_str()
            .unwrap()
            .contains("Accept-Language")
    );
    let js = res.text().await.unwrap();
    assert!(
        !js.contains("__KEFU_CHAT_TEXTS__"),
        "the words are filled in"
    );
    assert!(
        js.contains("在线客服") && js.contains("Shift+Enter"),
        "zh-CN"
    );
    assert!(js.contains("isComposing") && js.contains("229"));
    let en = c
        .get(app.url("/chat/widget.js"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(en.contains("Chat with us"), "English");
    app.stop().await;
}
