//! A person signs in with a real browser and sees their dashboard, at desktop and phone
//! widths. Screenshots are kept under `<target>/screenshots/`.
//!
//! This module holds the steps journeys share (signing in and out, filling a form, checking
//! the width); the journeys live in the submodules, by area.

mod aftersales;
mod agent_speed;
mod chat;
mod complaints;
mod csat;
mod dashboard;
mod follow_ups;
mod layout;
mod orders;
mod phone;
mod pickers;
mod quality;
mod security;
mod statements;
mod tickets;
mod workbench;

use fantoccini::Locator;
use kefu_testkit::{TEST_PASSWORD, TestApp};

/// The text of the element `css` names, once it shows.
async fn text_of(c: &fantoccini::Client, css: &str) -> String {
    c.wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .unwrap()
}

/// Signs in through the login form and waits for the dashboard.
async fn sign_in(c: &fantoccini::Client, app: &TestApp, username: &str) {
    c.goto(&app.url("/login")).await.unwrap();
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys(username)
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(TEST_PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Id("login-submit"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=dashboard-title]"))
        .await
        .unwrap();
}

/// Types `text` into the picker `input` until the suggestion matching `xpath` shows: the
/// search index follows the change log in the background, and on a busy machine a record
/// saved a moment ago may not be found by the first keystrokes — an agent would type again.
async fn type_until_suggested(
    c: &fantoccini::Client,
    input: &fantoccini::elements::Element,
    text: &str,
    xpath: &str,
    what: &str,
) -> fantoccini::elements::Element {
    let started = std::time::Instant::now();
    loop {
        input.clear().await.unwrap();
        input.send_keys(text).await.unwrap();
        let found = c
            .wait()
            .at_most(std::time::Duration::from_secs(3))
            .for_element(Locator::XPath(xpath))
            .await;
        match found {
            Ok(e) => return e,
            Err(e) if started.elapsed() > std::time::Duration::from_secs(90) => {
                panic!("{what}: {e}")
            }
            Err(_) => {}
        }
    }
}

/// The page fits the window's width: nothing makes it scroll sideways.
async fn assert_no_sideways_scroll(c: &fantoccini::Client, what: &str) {
    let widths = c
        .execute(
            "const d = document.documentElement; \
             const wide = [...document.querySelectorAll('body *')] \
               .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1) \
               .map(e => e.tagName + '.' + e.className); \
             return [d.scrollWidth, d.clientWidth, wide.slice(0, 5).join(' ')];",
            vec![],
        )
        .await
        .unwrap();
    let scroll = widths[0].as_i64().unwrap();
    let client = widths[1].as_i64().unwrap();
    assert!(
        scroll <= client,
        "{what} scrolls sideways ({scroll} > {client}): {}",
        widths[2]
    );
}

/// Waits until the element marked `testid` shows `want` as its `data-state` (a record's
/// page reloads after each step).
async fn wait_state(c: &fantoccini::Client, testid: &str, want: &str) {
    let started = std::time::Instant::now();
    loop {
        let shown = match c
            .find(Locator::Css(&format!("[data-testid={testid}]")))
            .await
        {
            Ok(e) => e.attr("data-state").await.ok().flatten(),
            Err(_) => None,
        };
        if shown.as_deref() == Some(want) {
            return;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{testid} shows {shown:?}, not {want}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// Fills the form marked `testid` (inputs and textareas by name; `select:NAME` picks the
/// option whose text contains the value) and submits it with its first submit button, or
/// the one matching `button`.
async fn fill_and_submit(
    c: &fantoccini::Client,
    testid: &str,
    fields: &[(&str, &str)],
    button: Option<&str>,
) {
    let form = c
        .wait()
        .for_element(Locator::Css(&format!("[data-testid={testid}]")))
        .await
        .unwrap_or_else(|e| panic!("form {testid}: {e}"));
    for (name, value) in fields {
        if let Some(select) = name.strip_prefix("select:") {
            form.find(Locator::XPath(&format!(
                ".//select[@name='{select}']/option[contains(normalize-space(.), '{value}')]"
            )))
            .await
            .unwrap_or_else(|e| panic!("{testid} select {select}={value}: {e}"))
            .click()
            .await
            .unwrap();
        } else {
            let el = form
                .find(Locator::Css(&format!("[name={name}]")))
                .await
                .unwrap_or_else(|e| panic!("{testid} field {name}: {e}"));
            el.clear().await.unwrap();
            el.send_keys(value).await.unwrap();
        }
    }
    let submit = match button {
        Some(css) => form.find(Locator::Css(css)).await.unwrap(),
        None => form
            .find(Locator::Css("button[type=submit]"))
            .await
            .unwrap(),
    };
    submit.click().await.unwrap();
}

async fn sign_out(c: &fantoccini::Client) {
    c.find(Locator::Css("form[action='/logout'] button"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait().for_element(Locator::Id("username")).await.unwrap();
}
