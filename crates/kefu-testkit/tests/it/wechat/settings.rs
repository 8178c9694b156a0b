//! 公众号设置 — an official account added under 设置 → 渠道 (the Token generated when none is
//! entered, shown once, and the server address to enter in 公众平台), tried with 测试 (an
//! access token fetched, or WeChat's errcode and errmsg shown), refused with a clear error
//! for an http:// API elsewhere than this machine; the same over the API; and the
//! AppSecret, the Token and the access tokens in no API answer, page or audit entry.

use kefu_domain::Role;
use kefu_testkit::wechat_peer::{APP_ID, APP_SECRET, signed_query};
use kefu_testkit::{Session, TEST_PASSWORD, WechatPeer, form_fields, json_body};
use reqwest::Method;
use serde_json::json;

use super::{TOKEN, api_for, quiet_app, server_path};

/// The form posting to `action` on `page`, some fields changed, posted as the browser would.
async fn submit(
    s: &Session,
    page: &str,
    action: &str,
    changes: &[(&str, &str)],
) -> reqwest::Response {
    let mut fields = form_fields(page, action);
    for (key, value) in changes {
        match fields.iter_mut().find(|(k, _)| k == key) {
            Some(f) => f.1 = (*value).to_owned(),
            None => fields.push(((*key).to_owned(), (*value).to_owned())),
        }
    }
    s.client
        .post(s.url(action))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

async fn page(s: &Session, path: &str) -> String {
    let res = s.get(path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.text().await.unwrap()
}

/// The text between `start` and the next `<`.
fn text_after<'a>(html: &'a str, start: &str) -> &'a str {
    let i = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} in the page"))
        + start.len();
    let rest = &html[i..];
    &rest[..rest.find('<').unwrap_or(rest.len())]
}

#[tokio::test]
async fn an_account_is_added_from_the_channels_page_and_tested() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    app.create_user("wx.admin", &[Role::Admin]).await;
    let s = app.login("wx.admin", TEST_PASSWORD).await;

    let channels = page(&s, "/admin/channels").await;
    assert!(channels.contains("href=\"/admin/channels/wechat\""));
    let list = page(&s, "/admin/channels/wechat").await;

    // http:// to another machine would carry the AppSecret in clear: refused, input kept.
    let res = submit(
        &s,
        &list,
        "/admin/channels/wechat",
        &[
            ("name", "恒信售后服务号"),
            ("app_id", APP_ID),
            ("app_secret", APP_SECRET),
            ("api_base", "http://api.weixin.qq.com"),
        ],
    )
    .await;
    assert_eq!(res.status(), 422);
    let refused = res.text().await.unwrap();
    assert!(refused.contains("http:// 只允许用于本机"), "{refused}");
    assert!(refused.contains("value=\"恒信售后服务号\""));
    assert!(!refused.contains(APP_SECRET));

    // Added with the peer as its API and no Token entered: one is generated, shown once.
    let res = submit(
        &s,
        &list,
        "/admin/channels/wechat",
        &[
            ("name", "恒信售后服务号"),
            ("app_id", APP_ID),
            ("app_secret", APP_SECRET),
            ("api_base", peer.base.as_str()),
        ],
    )
    .await;
    assert_eq!(res.status(), 201);
    let created = res.text().await.unwrap();
    assert!(!created.contains(APP_SECRET));
    let token = text_after(&created, "data-testid=\"wechat-token\">").to_owned();
    assert_eq!(token.len(), 32, "{token}");
    let url = text_after(&created, "data-testid=\"wechat-server-url\">").to_owned();
    let id: i64 = url
        .rsplit('/')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("an account id in {url}"));
    assert_eq!(url, format!("{}{}", app.base, server_path(id)));

    // WeChat's check with the generated Token passes.
    let q = signed_query(&token, app.now().as_second(), "27183");
    let res = app
        .client()
        .get(app.url(&format!("{}?{q}&echostr=hello42", server_path(id))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.text().await.unwrap(), "hello42");

    // Neither secret is shown again.
    let edit_path = format!("/admin/channels/wechat/{id}");
    let edit = page(&s, &edit_path).await;
    for html in [&edit, &page(&s, "/admin/channels/wechat").await] {
        assert!(!html.contains(APP_SECRET));
        assert!(!html.contains(&token));
    }

    // 测试: WeChat gives a token.
    let test_path = format!("{edit_path}/test");
    let res = submit(&s, &edit, &test_path, &[]).await;
    assert_eq!(res.status(), 200);
    let tested = res.text().await.unwrap();
    assert!(tested.contains("测试成功"), "{tested}");
    assert_eq!(peer.token_calls().len(), 1);
    assert_eq!(peer.token_calls()[0].secret, APP_SECRET);

    // A wrong AppSecret saved (the Token left as it is): the test shows WeChat's refusal.
    let res = submit(&s, &edit, &edit_path, &[("app_secret", "notTheSecret0")]).await;
    assert_eq!(res.status(), 303);
    let edit = page(&s, &edit_path).await;
    let res = submit(&s, &edit, &test_path, &[]).await;
    let tested = res.text().await.unwrap();
    assert!(tested.contains("errcode 40125"), "{tested}");
    assert!(tested.contains("invalid appsecret"), "{tested}");
    assert!(!tested.contains("notTheSecret0"));
    // The Token still works: it was left empty.
    let q = signed_query(&token, app.now().as_second(), "27184");
    let res = app
        .client()
        .get(app.url(&format!("{}?{q}&echostr=again", server_path(id))))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Audited, without the secrets.
    let tests = app.audit_entries("wechat_channel_tested").await;
    assert_eq!(tests.len(), 2);
    for action in [
        "channel_created",
        "channel_updated",
        "wechat_channel_tested",
    ] {
        for e in app.audit_entries(action).await {
            let detail = e.detail.unwrap_or_default();
            assert!(!detail.contains(APP_SECRET), "{action}: {detail}");
            assert!(!detail.contains("notTheSecret0"), "{action}: {detail}");
            assert!(!detail.contains(&token), "{action}: {detail}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn the_api_manages_accounts_and_never_answers_a_secret() {
    let peer = WechatPeer::start().await;
    let (app, _clock) = quiet_app().await;
    let (_, admin) = api_for(&app, "wx.admin", &[Role::Admin]).await;
    let (_, agent) = api_for(&app, "wx.agent", &[Role::Agent]).await;

    let res = admin
        .json(
            Method::POST,
            "/api/v1/wechat/accounts",
            &json!({
                "name": "恒信售后服务号",
                "app_id": APP_ID,
                "app_secret": APP_SECRET,
                "token": TOKEN,
                "api_base": peer.base,
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let text = res.text().await.unwrap();
    assert!(
        !text.contains(APP_SECRET) && !text.contains(TOKEN),
        "{text}"
    );
    let created: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(created["generated_token"].is_null());
    let id = created["account"]["id"].as_i64().unwrap();
    assert_eq!(
        created["account"]["server_url"],
        format!("{}{}", app.base, server_path(id))
    );

    // A Token WeChat would not take, an http API elsewhere: refused, named.
    let res = admin
        .json(
            Method::POST,
            "/api/v1/wechat/accounts",
            &json!({"name": "另一个", "app_id": APP_ID, "app_secret": "s", "token": "ab"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(json_body(res).await["error"]["code"], "wechat_bad_token");
    let res = admin
        .json(
            Method::PATCH,
            &format!("/api/v1/wechat/accounts/{id}"),
            &json!({"api_base": "http://10.0.0.8:8080"}),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(
        json_body(res).await["error"]["code"],
        "wechat_cleartext_remote"
    );

    // Tested over the API; the token WeChat issued is in no answer either.
    let res = admin
        .json(
            Method::POST,
            &format!("/api/v1/wechat/accounts/{id}/test"),
            &json!({}),
        )
        .await;
    let tested = json_body(res).await;
    assert_eq!(tested["ok"], true, "{tested}");
    assert_eq!(tested["expires_in"], 7200);

    let res = admin
        .json(
            Method::PATCH,
            &format!("/api/v1/wechat/accounts/{id}"),
            &json!({"name": "恒信客服", "app_secret": "aNewSecret123"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let mut answers = vec![res.text().await.unwrap()];
    for path in [
        "/api/v1/wechat/accounts".to_owned(),
        format!("/api/v1/wechat/accounts/{id}"),
    ] {
        let res = admin.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        answers.push(res.text().await.unwrap());
    }
    let issued = peer.token_calls().len();
    assert_eq!(issued, 1);
    for a in &answers {
        assert!(a.contains("恒信客服"), "{a}");
        for secret in [APP_SECRET, TOKEN, "aNewSecret123", "ACCESS_TOKEN_"] {
            assert!(!a.contains(secret), "{secret} in {a}");
        }
    }
    // Agents work tickets, they do not set up channels.
    assert_eq!(agent.get("/api/v1/wechat/accounts").await.status(), 403);
    app.stop().await;
}
