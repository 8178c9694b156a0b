//! 安全 in Chromium: stored markup runs on no page (a hook proves it: `window.__xss` unset,
//! no alert, no `on…` attribute or `javascript:` address in the DOM, also in what scripts
//! build, such as the picker's suggestions); another site's form acts for nobody (the origin
//! check on a same-site page, the `SameSite` cookie on a cross-site one); no site can show
//! kefu in a frame.
//!
//! Screenshots: `security-xss-ticket` (a ticket whose every field is markup, shown as text).

use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use kefu_app::Actor;
use kefu_domain::{Locale, Role};
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::host_page::HostPage;
use kefu_testkit::{TEST_PASSWORD, TestApp};
use serde_json::Value;

use super::{sign_in, type_until_suggested};
use crate::security::xss::{self, Fields};

/// What ran, or could run, on the page: the payloads' global, inline handlers and
/// `javascript:` addresses in the DOM as it is now, and inline script elements.
const HOOK: &str = "\
    const found = [];\
    if (typeof window.__xss !== 'undefined') found.push('window.__xss = ' + String(window.__xss));\
    for (const el of document.querySelectorAll('*')) {\
      for (const a of Array.from(el.attributes)) {\
        const n = a.name.toLowerCase();\
        const v = a.value.trim().toLowerCase();\
        if (n.startsWith('on')) found.push('<' + el.tagName.toLowerCase() + ' ' + n + '=' + a.value + '>');\
        if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(n) && v.startsWith('javascript:'))\
          found.push('<' + el.tagName.toLowerCase() + ' ' + n + '=' + a.value + '>');\
      }\
      if (el.tagName === 'SCRIPT' && !el.src) found.push('inline script: ' + el.textContent.slice(0, 80));\
    }\
    return found;";

/// Names the field a `window.__xss = k` came from.
fn explain(item: &str, fields: &Fields) -> String {
    match item
        .strip_prefix("window.__xss = ")
        .and_then(|k| k.parse::<usize>().ok())
    {
        Some(k) => format!("{item} (field {})", fields.name(k)),
        None => item.to_owned(),
    }
}

/// Opens `url` and reports what ran there.
async fn ran_on(c: &Client, url: &str, what: &str, fields: &Fields) -> Vec<String> {
    let mut found = Vec::new();
    if let Err(e) = c.goto(url).await {
        match c.get_alert_text().await {
            Ok(text) => {
                found.push(format!("{what}: an alert said {text:?}"));
                let _ = c.dismiss_alert().await;
            }
            Err(_) => panic!("{what}: {e}"),
        }
    }
    // What scripts fetch and build (a transcript, a call's banner) lands a moment later.
    tokio::time::sleep(Duration::from_millis(250)).await;
    found.extend(hook(c, what, fields).await);
    found
}

/// Runs the hook on the page as it is.
async fn hook(c: &Client, what: &str, fields: &Fields) -> Vec<String> {
    let mut found = Vec::new();
    if let Ok(text) = c.get_alert_text().await {
        found.push(format!("{what}: an alert said {text:?}"));
        let _ = c.dismiss_alert().await;
    }
    let items = c
        .execute(HOOK, vec![])
        .await
        .unwrap_or_else(|e| panic!("{what}: the hook: {e}"));
    for item in items.as_array().into_iter().flatten() {
        let item = item.as_str().unwrap_or_default();
        found.push(format!("{what}: {}", explain(item, fields)));
    }
    found
}

#[tokio::test]
async fn stored_markup_runs_on_no_page_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let s = xss::seed(&app).await;
    let w = xss::walk(&s).await;
    assert!(w.problems.is_empty(), "{}", w.problems.join("\n"));
    assert!(
        w.staff_pages.len() > 20,
        "only {} pages show a payload",
        w.staff_pages.len()
    );
    let b = Browser::start().await;
    let c = &b.client;
    let mut ran = Vec::new();

    sign_in(c, &app, xss::STAFF).await;
    for path in &w.staff_pages {
        ran.extend(ran_on(c, &app.url(path), path, &s.fields).await);
    }

    // A ticket whose every field is markup, as people see it.
    c.goto(&app.url(&format!("/tickets/{}", s.ticket)))
        .await
        .unwrap();
    b.screenshot("security-xss-ticket").await;
    // The picker builds its suggestions from the archive's answer, in the page.
    c.goto(&app.url("/tickets/new")).await.unwrap();
    let picker = c
        .wait()
        .for_element(Locator::Css("[data-testid=new-ticket-customer-picker]"))
        .await
        .unwrap();
    let suggestion = type_until_suggested(
        c,
        &picker,
        xss::WORD,
        &format!(
            "//ul[@class='suggest']//button[contains(., '{}')]",
            xss::WORD
        ),
        "the customer named with markup is suggested",
    )
    .await;
    let shown = suggestion.text().await.unwrap();
    assert!(
        shown.contains("<script>") || shown.contains("<img"),
        "the suggestion shows the markup as text: {shown}"
    );
    ran.extend(hook(c, "the picker's suggestions", &s.fields).await);

    // The customer's side, in the same browser.
    c.goto(&app.url("/portal/login")).await.unwrap();
    let form = c
        .wait()
        .for_element(Locator::Css("form[action='/portal/login']"))
        .await
        .unwrap();
    form.find(Locator::Css("[name=email]"))
        .await
        .unwrap()
        .send_keys(xss::CUSTOMER_EMAIL)
        .await
        .unwrap();
    form.find(Locator::Css("[name=password]"))
        .await
        .unwrap()
        .send_keys(TEST_PASSWORD)
        .await
        .unwrap();
    form.find(Locator::Css("button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let started = Instant::now();
    while c
        .current_url()
        .await
        .unwrap()
        .path()
        .starts_with("/portal/login")
    {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the customer signs in"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for path in &w.portal_pages {
        ran.extend(ran_on(c, &app.url(path), path, &s.fields).await);
    }
    assert!(
        ran.is_empty(),
        "{} things ran:\n{}",
        ran.len(),
        ran.join("\n")
    );
    println!(
        "xss in chromium: {} staff pages and {} portal pages opened, nothing ran",
        w.staff_pages.len(),
        w.portal_pages.len()
    );
    b.close().await;
    app.stop().await;
}

/// A prize page with a form that posts to kefu, carrying the signed-in user's own token
/// (the worst case: the token leaked).
fn prize_page(action: &str, token: &str) -> String {
    format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>幸运抽奖</title>\
         </head><body><h1>恭喜中奖</h1><form method=\"post\" action=\"{action}\">\
         <input type=\"hidden\" name=\"_csrf\" value=\"{token}\">\
         <input type=\"hidden\" name=\"locale\" value=\"en\">\
         <button id=\"claim\" type=\"submit\">领取奖品</button></form></body></html>"
    )
}

/// Clicks the page's button and waits until the browser is on kefu's origin.
async fn claim(c: &Client, app: &TestApp) -> String {
    c.find(Locator::Id("claim"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let started = Instant::now();
    loop {
        let url = c.current_url().await.unwrap();
        if url.as_str().starts_with(&app.base) {
            return c.source().await.unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the form went to kefu"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn locale_of(app: &TestApp, id: i64) -> Locale {
    app.app.get_user(&Actor::system(), id).await.unwrap().locale
}

#[tokio::test]
async fn another_sites_form_acts_for_nobody_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    let id = app.create_user("cb.zhang", &[Role::Agent]).await;
    let b = Browser::start().await;
    let c = &b.client;
    sign_in(c, &app, "cb.zhang").await;
    c.goto(&app.url("/account")).await.unwrap();
    let token = c
        .find(Locator::Css("input[name=_csrf]"))
        .await
        .unwrap()
        .attr("value")
        .await
        .unwrap()
        .expect("the page's token");
    let host = HostPage::serve(prize_page(&app.url("/account/locale"), &token)).await;

    // Same site (127.0.0.1, another port): the browser sends the cookie and says where the
    // post came from; kefu refuses it.
    c.goto(&host.url()).await.unwrap();
    let page = claim(c, &app).await;
    assert!(page.contains("表单已失效"), "refused: {page}");
    assert_eq!(locale_of(&app, id).await, Locale::ZhCn, "nothing changed");
    let refused = app.audit_entries("csrf_rejected").await;
    assert_eq!(refused.len(), 1);
    assert!(
        refused[0]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("cross_site"),
        "{:?}",
        refused[0].detail
    );

    // Cross site (localhost): the browser keeps the SameSite=Lax cookie back, so the post
    // comes from nobody — had the cookie gone along, the origin check would have refused and
    // audited it a second time.
    let cross = host.url().replace("127.0.0.1", "localhost");
    c.goto(&cross).await.unwrap();
    claim(c, &app).await;
    assert_eq!(locale_of(&app, id).await, Locale::ZhCn, "nothing changed");
    assert_eq!(
        app.audit_entries("csrf_rejected").await.len(),
        1,
        "the cross-site post reached kefu without the session"
    );

    // The browser is still signed in, in Chinese.
    c.goto(&app.url("/")).await.unwrap();
    c.wait()
        .for_element(Locator::Css("[data-testid=dashboard-title]"))
        .await
        .expect("still signed in");
    assert!(c.source().await.unwrap().contains("工作台"));
    b.close().await;
    app.stop().await;
}

#[tokio::test]
async fn no_site_frames_kefu_in_chromium() {
    if browser::missing() {
        return;
    }
    let app = TestApp::spawn().await;
    app.create_user("fr.li", &[Role::Agent]).await;
    let pages = ["/login", "/portal/login", "/support", "/"];
    let mut html = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>框架</title></head><body>\
         <iframe srcdoc=\"<input id=username>\"></iframe>",
    );
    for p in pages {
        html.push_str(&format!("<iframe src=\"{}\"></iframe>", app.url(p)));
    }
    html.push_str("</body></html>");
    let host = HostPage::serve(html).await;
    let b = Browser::start().await;
    let c = &b.client;
    // Signed in, so even a page that needs a session would have something to show.
    sign_in(c, &app, "fr.li").await;
    c.goto(&host.url()).await.unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The first frame is the host's own: a frame's contents can be read.
    c.enter_frame(0).await.unwrap();
    assert!(
        c.find(Locator::Id("username")).await.is_ok(),
        "the control frame is readable"
    );
    c.enter_parent_frame().await.unwrap();
    for (i, p) in pages.iter().enumerate() {
        c.enter_frame(u16::try_from(i + 1).unwrap()).await.unwrap();
        let inside: Value = c
            .execute(
                "return [String(location.href), document.querySelectorAll('form, main').length];",
                vec![],
            )
            .await
            .unwrap_or(Value::Null);
        let href = inside[0].as_str().unwrap_or_default().to_owned();
        assert!(
            !href.starts_with(&app.base) || inside[1] == 0,
            "{p} is shown in another site's frame: {inside}"
        );
        assert!(
            c.find(Locator::Id("username")).await.is_err(),
            "{p}: no kefu form in the frame"
        );
        c.enter_parent_frame().await.unwrap();
    }
    b.close().await;
    app.stop().await;
}
