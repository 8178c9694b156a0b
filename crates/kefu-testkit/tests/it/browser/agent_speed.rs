//! An agent working by keyboard: a reply script put in where the cursor is (the page not
//! reloaded, what was typed kept), suggestions chosen with the arrow keys, the shortcut
//! list, and shortcuts that wait while an input method composes.

use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use kefu_domain::Role;
use kefu_testkit::TestApp;
use kefu_testkit::browser::{self, Browser};
use serde_json::{Value, json};

use super::sign_in;

/// Presses keys as a person does: each down then up, held ones (`Key::Control`) first.
async fn press(c: &Client, held: &[Key], keys: &[char]) {
    let mut actions = KeyActions::new("keyboard".to_owned());
    for k in held {
        actions = actions.then(KeyAction::Down {
            value: char::from(*k),
        });
    }
    for k in keys {
        actions = actions
            .then(KeyAction::Down { value: *k })
            .then(KeyAction::Up { value: *k });
    }
    for k in held.iter().rev() {
        actions = actions.then(KeyAction::Up {
            value: char::from(*k),
        });
    }
    c.perform_actions(actions).await.unwrap();
}

async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.unwrap()
}

/// Waits until `script` returns `want` (ten seconds at most); returns what it last said.
async fn until(c: &Client, script: &str, want: &Value) -> Value {
    let t0 = Instant::now();
    loop {
        let got = c.execute(script, vec![]).await.unwrap_or(Value::Null);
        if &got == want || t0.elapsed() > Duration::from_secs(10) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn new_ticket(app: &TestApp, agent: i64, subject: &str) -> i64 {
    let api = kefu_testkit::ApiClient::new(app, &app.token_for(agent).await);
    kefu_testkit::json_body(
        api.json(
            reqwest::Method::POST,
            "/api/v1/tickets",
            &json!({"subject": subject, "body": "客户来电咨询", "contact_name": "王经理"}),
        )
        .await,
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

const BOX: &str = "document.querySelector('form.reply textarea[name=body]')";

#[tokio::test]
async fn a_script_goes_in_at_the_cursor_without_a_reload_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("su.du", &[Role::Agent]).await;
    let ticket = new_ticket(&app, agent, "询问发票").await;
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "su.du").await;
    c.goto(&app.url(&format!("/tickets/{ticket}")))
        .await
        .unwrap();
    let reply = c
        .wait()
        .for_element(Locator::Css("form.reply textarea[name=body]"))
        .await
        .unwrap();
    // A mark on the page: a reload would lose it.
    js(c, "window.kefuMark = 'same page'; return true;").await;
    reply.send_keys("您好，稍后回复").await.unwrap();
    // The cursor after "您好，".
    js(c, &format!("{BOX}.setSelectionRange(3, 3); return true;")).await;
    c.find(Locator::XPath(
        "//*[@data-testid='script-picker']//select//option[contains(., '请求补充信息')]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    c.find(Locator::Css("[data-testid=use-script]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let script =
        "王经理您好，为了尽快处理您的问题，请您提供订单号、产品型号以及问题照片。感谢您的配合！";
    let want = format!("您好，{script}稍后回复");
    let got = until(c, &format!("return {BOX}.value"), &json!(want)).await;
    assert_eq!(got, json!(want), "the script goes in at the cursor");
    assert_eq!(
        js(c, &format!("return {BOX}.selectionStart")).await,
        json!(3 + script.chars().count()),
        "the cursor is after the script"
    );
    assert_eq!(
        js(c, "return window.kefuMark || null").await,
        json!("same page"),
        "the page was not reloaded"
    );
    b.screenshot("script-at-cursor").await;

    // From the typeahead, by keyboard: down to the suggestion, Enter. Enter while an
    // input method composes chooses nothing.
    let typeahead = c
        .find(Locator::Css("[data-testid=script-typeahead]"))
        .await
        .unwrap();
    typeahead.send_keys("结束语").await.unwrap();
    c.wait()
        .for_element(Locator::XPath(
            "//*[@data-testid='script-picker']//li[@role='option']//button[contains(., '结束语')]",
        ))
        .await
        .expect("the script is suggested");
    typeahead.send_keys(&Key::Down).await.unwrap();
    let active = js(
        c,
        "const i = document.querySelector('[data-testid=script-typeahead]'); \
         const li = document.getElementById(i.getAttribute('aria-activedescendant') || ''); \
         return li ? [li.getAttribute('aria-selected'), li.textContent] : null;",
    )
    .await;
    assert_eq!(active[0], "true", "{active}");
    assert!(
        active[1].as_str().is_some_and(|t| t.contains("结束语")),
        "{active}"
    );
    js(
        c,
        "document.querySelector('[data-testid=script-typeahead]').dispatchEvent(\
           new KeyboardEvent('keydown', {key: 'Enter', isComposing: true, bubbles: true, cancelable: true})); \
         return true;",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        js(c, &format!("return {BOX}.value")).await,
        json!(want),
        "nothing chosen while composing"
    );
    typeahead.send_keys(&Key::Enter).await.unwrap();
    let closing =
        "王经理您好，您的问题已处理完毕。如还有其他需要，欢迎随时联系我们，祝您生活愉快！";
    let want = format!("您好，{script}{closing}稍后回复");
    let got = until(c, &format!("return {BOX}.value"), &json!(want)).await;
    assert_eq!(got, json!(want), "the chosen script goes in at the cursor");
    assert_eq!(
        js(c, "return window.kefuMark || null").await,
        json!("same page")
    );
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn shortcuts_are_listed_and_wait_while_an_input_method_composes_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let agent = app.create_user("kj.agent", &[Role::Agent]).await;
    let first = new_ticket(&app, agent, "电视机没有声音").await;
    let second = new_ticket(&app, agent, "洗衣机漏水").await;
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "kj.agent").await;

    // The queue: j / k move a highlight, o opens; the queue's tickets are remembered.
    c.goto(&app.url("/tickets?queue=all")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=ticket-row]"))
        .await
        .unwrap();
    let rows = js(
        c,
        "return [...document.querySelectorAll('tr[data-testid=ticket-row] input[name=ids]')].map(i => Number(i.value));",
    )
    .await;
    let rows: Vec<i64> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows.contains(&first) && rows.contains(&second));
    press(c, &[], &['j', 'j']).await;
    let current = js(
        c,
        "const r = document.querySelector('tr.kb-current input[name=ids]'); return r ? Number(r.value) : null;",
    )
    .await;
    assert_eq!(current, json!(rows[1]));
    press(c, &[], &['o']).await;
    let url = until(
        c,
        "return location.pathname",
        &json!(format!("/tickets/{}", rows[1])),
    )
    .await;
    assert_eq!(url, json!(format!("/tickets/{}", rows[1])));
    c.wait()
        .for_element(Locator::Css("form.reply textarea[name=body]"))
        .await
        .unwrap();

    // `?` shows the list of shortcuts; Escape closes it.
    press(c, &[], &['?']).await;
    let help = c
        .wait()
        .for_element(Locator::Css("dialog[data-testid=shortcuts][open]"))
        .await
        .expect("the shortcut list opens");
    assert!(help.text().await.unwrap().contains("键盘快捷键"));
    b.screenshot("shortcuts").await;
    press(c, &[], &[char::from(Key::Escape)]).await;
    let open = until(
        c,
        "return document.getElementById('shortcuts').open",
        &json!(false),
    )
    .await;
    assert_eq!(open, json!(false));

    // While an input method composes, `r` is part of the pinyin, not a shortcut.
    let focused = "return document.activeElement === document.querySelector('form.reply textarea[name=body]')";
    js(
        c,
        "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'r', isComposing: true, bubbles: true, cancelable: true})); return true;",
    )
    .await;
    assert_eq!(js(c, focused).await, json!(false), "composing: no shortcut");
    js(
        c,
        "document.body.dispatchEvent(new CompositionEvent('compositionstart', {bubbles: true})); \
         document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'r', bubbles: true, cancelable: true})); \
         return true;",
    )
    .await;
    assert_eq!(
        js(c, focused).await,
        json!(false),
        "between compositionstart and compositionend: no shortcut"
    );
    js(
        c,
        "document.body.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true})); \
         document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'n', bubbles: true, cancelable: true})); \
         return true;",
    )
    .await;
    assert_eq!(js(c, focused).await, json!(true), "n: an internal note");
    assert_eq!(
        js(
            c,
            "return document.querySelector('form.reply input[name=visibility][value=internal]').checked"
        )
        .await,
        json!(true)
    );
    // Typing in the box, letters are text, not shortcuts.
    press(c, &[], &['k']).await;
    assert_eq!(
        js(c, "return location.pathname").await,
        json!(format!("/tickets/{}", rows[1]))
    );
    js(c, &format!("{BOX}.value = ''; {BOX}.blur(); return true;")).await;

    // `a` assigns the ticket to oneself, through the properties form's version check.
    assert_eq!(
        js(
            c,
            "return !!document.querySelector('[data-testid=assign-me]')"
        )
        .await,
        json!(true),
        "not the agent's yet"
    );
    press(c, &[], &['a']).await;
    let gone = until(
        c,
        "return document.querySelector('[data-testid=assign-me]') === null && \
                !!document.querySelector('[data-testid=timeline]')",
        &json!(true),
    )
    .await;
    assert_eq!(gone, json!(true), "the page comes back without the form");
    let api = kefu_testkit::ApiClient::new(&app, &app.token_for(agent).await);
    let t = kefu_testkit::json_body(api.get(&format!("/api/v1/tickets/{}", rows[1])).await).await;
    assert_eq!(
        t["ticket"]["assignee_id"],
        json!(agent),
        "the ticket is mine"
    );

    // `r`, then Ctrl+Enter sends the reply.
    press(c, &[], &['r']).await;
    assert_eq!(js(c, focused).await, json!(true), "r: the reply box");
    c.find(Locator::Css("form.reply textarea[name=body]"))
        .await
        .unwrap()
        .send_keys("已为您登记，明天回电")
        .await
        .unwrap();
    press(c, &[Key::Control], &[char::from(Key::Enter)]).await;
    c.wait()
        .for_element(Locator::XPath(
            "//*[@data-testid='timeline']//*[contains(., '已为您登记，明天回电')]",
        ))
        .await
        .expect("Ctrl+Enter sends the reply");

    // k: the previous ticket of the queue the agent came from.
    js(
        c,
        "document.activeElement && document.activeElement.blur(); return true;",
    )
    .await;
    press(c, &[], &['k']).await;
    let url = until(
        c,
        "return location.pathname",
        &json!(format!("/tickets/{}", rows[0])),
    )
    .await;
    assert_eq!(url, json!(format!("/tickets/{}", rows[0])));
    b.close().await;
    app.stop().await;
}
