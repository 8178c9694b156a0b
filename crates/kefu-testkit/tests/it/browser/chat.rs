//! 在线客服 in browsers: a page of another web site (its own origin, served by the test)
//! carries the widget's tag; a visitor opens the widget, types while an input method
//! composes (Enter then sends nothing), sends with Enter; an agent, in a second browser,
//! goes 在线, sees the chat arrive in the console without reloading, accepts and answers;
//! the visitor's page shows the answer.
//!
//! Screenshots: `chat-widget` (the visitor's page with the answer), `chat-console`.

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::host_page::HostPage;
use kefu_testkit::{TestApp, json_body};
use reqwest::Method;
use serde_json::{Value, json};

use super::sign_in;
use crate::chat::{admin, count};

/// The widget's shadow root, in the visitor's page.
const ROOT: &str = "const r = document.querySelector('[data-kefu-chat-host]').shadowRoot;";

async fn run(c: &Client, script: &str) -> Value {
    c.execute(&format!("{ROOT} {script}"), vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Runs `script` until it returns true, for at most `secs` seconds.
async fn until(c: &Client, script: &str, secs: u64, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        if run(c, script).await == json!(true) {
            return;
        }
        if Instant::now() > deadline {
            let shown = run(c, "return r.innerHTML;").await;
            panic!("{what} within {secs} s; the widget shows: {shown}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// How many of the visitor's messages the widget shows.
const VISITOR_BUBBLES: &str =
    "return r.querySelectorAll('[data-part=message][data-from=visitor]').length;";

#[tokio::test]
async fn a_chat_from_another_site_is_answered_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let api = admin(&app, "web.chat.admin").await;
    let res = api
        .json(
            Method::POST,
            "/api/v1/chat/channels",
            &json!({"name": "官网在线客服", "greeting": "您好，欢迎咨询！"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let created = json_body(res).await;
    let channel = created["id"].as_i64().unwrap();
    let snippet = created["snippet"].as_str().unwrap().to_owned();
    let host = HostPage::serve(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>明达商城</title></head><body><h1>明达商城</h1><p>欢迎光临。</p>{snippet}\
         </body></html>"
    ))
    .await;
    // The shop's origin is the one the channel allows.
    let res = api
        .json(
            Method::PATCH,
            &format!("/api/v1/chat/channels/{channel}"),
            &json!({"allowed_origins": [host.base.clone()]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    app.create_user("web.chat.agent", &[Role::Agent]).await;

    // The agent goes 在线 in the console.
    let agent_browser = Browser::start().await;
    let ac = &agent_browser.client;
    sign_in(ac, &app, "web.chat.agent").await;
    ac.goto(&app.url("/chat")).await.unwrap();
    ac.wait()
        .for_element(Locator::Css("[data-testid=go-online]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    ac.wait()
        .for_element(Locator::Css("[data-testid=go-away]"))
        .await
        .expect("the agent is 在线");
    // Give the console a moment to start listening on /chat/events.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // The visitor on the shop's page.
    let visitor_browser = Browser::start().await;
    let vc = &visitor_browser.client;
    vc.goto(&host.url()).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(15);
    while vc
        .execute(
            "return !!document.querySelector('[data-kefu-chat-host]');",
            vec![],
        )
        .await
        .unwrap()
        != json!(true)
    {
        assert!(Instant::now() < deadline, "the widget appears on the page");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    run(
        vc,
        "r.querySelector('[data-part=launcher]').click(); return true;",
    )
    .await;
    until(
        vc,
        "const s = r.querySelector('[data-part=status]'); \
         return !!s && s.textContent.indexOf('稍候') >= 0;",
        15,
        "the widget connects and says an agent will come",
    )
    .await;
    until(
        vc,
        "return r.textContent.indexOf('您好，欢迎咨询！') >= 0;",
        5,
        "the greeting",
    )
    .await;

    // Enter while the input method composes sends nothing.
    let shown = run(
        vc,
        "const t = r.querySelector('[data-part=input]'); t.focus(); t.value = 'baoxiu'; \
         t.dispatchEvent(new CompositionEvent('compositionstart', {data: ''})); \
         t.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', \
           isComposing: true, bubbles: true, cancelable: true})); \
         return r.querySelectorAll('[data-part=message][data-from=visitor]').length;",
    )
    .await;
    assert_eq!(shown, json!(0), "nothing sent while composing");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(run(vc, VISITOR_BUBBLES).await, json!(0));
    assert_eq!(
        run(vc, "return r.querySelector('[data-part=input]').value;").await,
        json!("baoxiu"),
        "the composition stays in the box"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM chat_messages WHERE $1 > 0", 1).await,
        0,
        "nothing reached kefu"
    );
    // Shift+Enter is a new line, not a send.
    run(
        vc,
        "const t = r.querySelector('[data-part=input]'); \
         t.dispatchEvent(new CompositionEvent('compositionend', {data: '保修'})); \
         t.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', \
           shiftKey: true, bubbles: true, cancelable: true})); return true;",
    )
    .await;
    assert_eq!(run(vc, VISITOR_BUBBLES).await, json!(0));
    // The composition done, Enter sends.
    run(
        vc,
        "const t = r.querySelector('[data-part=input]'); \
         t.value = '你好，我想咨询一下空调的保修'; \
         t.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter', \
           bubbles: true, cancelable: true})); return true;",
    )
    .await;
    until(
        vc,
        "const m = r.querySelector('[data-part=message][data-from=visitor]'); \
         return !!m && !m.classList.contains('pending');",
        10,
        "the message is sent and acknowledged",
    )
    .await;
    assert_eq!(
        run(vc, "return r.querySelector('[data-part=input]').value;").await,
        json!(""),
        "the box is empty again"
    );

    // The console hears of it without reloading: the chat waits, the agent accepts.
    ac.execute("window.kefuKept = true; return null;", vec![])
        .await
        .unwrap();
    let accept = ac
        .wait()
        .at_most(Duration::from_secs(15))
        .for_element(Locator::Css(
            "[data-testid=chat-queue] [data-testid=accept]",
        ))
        .await
        .expect("the waiting chat shows in the console");
    let kept = ac
        .execute("return window.kefuKept === true;", vec![])
        .await
        .unwrap();
    assert_eq!(kept, json!(true), "the queue came without a reload");
    accept.click().await.unwrap();
    let input = ac
        .wait()
        .for_element(Locator::Css("[data-testid=chat-input]"))
        .await
        .expect("the chat opens with its reply box");
    let transcript = ac
        .find(Locator::Css("[data-testid=chat-transcript]"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(transcript.contains("空调的保修"), "{transcript}");
    input.send_keys("您好，空调整机保修六年。").await.unwrap();
    ac.find(Locator::Css("[data-testid=chat-send]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The visitor's page shows the answer.
    until(
        vc,
        "return [...r.querySelectorAll('[data-part=message][data-from=agent] [data-part=text]')] \
           .some(e => e.textContent === '您好，空调整机保修六年。');",
        15,
        "the agent's answer on the visitor's page",
    )
    .await;
    until(
        vc,
        "return r.querySelector('[data-part=status]').textContent.indexOf('测试 web.chat.agent') >= 0;",
        10,
        "the widget names who answers",
    )
    .await;
    visitor_browser.screenshot("chat-widget").await;
    ac.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::XPath(
            "//*[@data-testid='chat-transcript']//div[contains(., '整机保修六年')]",
        ))
        .await
        .expect("the console shows the answer in the transcript");
    agent_browser.screenshot("chat-console").await;
    visitor_browser.close().await;
    agent_browser.close().await;
    drop(host);
    app.stop().await;
}
