//! A real Chromium through haproxy: an agent signs in at the balancer's address, opens
//! pages and answers a ticket with its form, while the page's own requests land on every
//! instance (each answer names its instance in `X-Kefu-Instance`, which same-origin
//! `fetch()` may read) — signed in on each, its CSRF token accepted by each. Then the
//! queue open in Chromium fills in by itself with tickets written through each instance
//! directly: its live stream is held by one of them, so at least two of the three changes
//! crossed instances. Skips without Chromium, like the other browser tests.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use kefu_domain::Role;
use kefu_testkit::browser::{self, Browser};
use kefu_testkit::{TEST_PASSWORD, json_body};
use serde_json::json;

use super::{Cluster, all_names};

/// How long a ticket written through one instance may take to show in a queue open in
/// Chromium: the change log is read every 500 ms, then the queue fetches itself again.
const LIVE_WITHIN: Duration = Duration::from_secs(10);

/// How long a page may take to load through the balancer; what a person would wait.
const PAGE_LOAD_WITHIN: Duration = Duration::from_secs(10);

/// Run in the page: a few same-origin requests as the page's script makes them — a page
/// read (still signed in?) and a CSRF-checked post (the presence beat, token in the
/// `X-CSRF-Token` header), in turns — and one post with a wrong token. Each with the
/// instance that answered.
const PROBE: &str = r#"
var ticket = arguments[0];
var done = arguments[arguments.length - 1];
var csrf = document.querySelector('meta[name="kefu-csrf"]').getAttribute("content");
var presence = function (token) {
  return fetch("/tickets/" + ticket + "/presence", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": token },
    body: "replying=0"
  });
};
(async function () {
  var out = [];
  for (var i = 0; i < 6; i++) {
    var g = await fetch("/account", { credentials: "same-origin" });
    var page = await g.text();
    out.push({ kind: "get", status: g.status, path: new URL(g.url).pathname,
               by: g.headers.get("x-kefu-instance"),
               signed_in: page.indexOf('action="/logout"') >= 0 });
    var p = await presence(csrf);
    await p.text();
    out.push({ kind: "post", status: p.status, by: p.headers.get("x-kefu-instance") });
  }
  var forged = await presence("not-the-token");
  await forged.text();
  out.push({ kind: "forged", status: forged.status, by: forged.headers.get("x-kefu-instance") });
  return out;
})().then(done, function (e) { done([{ kind: "error", error: String(e) }]); });
"#;

/// Signs in through the sign-in form at `base` and waits for the dashboard.
async fn sign_in(c: &Client, base: &str, username: &str) {
    c.goto(&format!("{base}/login"))
        .await
        .expect("the sign-in page");
    c.find(Locator::Id("username"))
        .await
        .expect("the user name field")
        .send_keys(username)
        .await
        .expect("typed");
    c.find(Locator::Id("password"))
        .await
        .expect("the password field")
        .send_keys(TEST_PASSWORD)
        .await
        .expect("typed");
    c.find(Locator::Id("login-submit"))
        .await
        .expect("the sign-in button")
        .click()
        .await
        .expect("clicked");
    c.wait()
        .for_element(Locator::Css("[data-testid=dashboard-title]"))
        .await
        .expect("the dashboard after signing in through the balancer");
}

/// Opens `path` through the balancer and checks the user is still signed in there.
async fn open_signed_in(c: &Client, base: &str, path: &str) {
    c.goto(&format!("{base}{path}")).await.expect("a page");
    let at = c.current_url().await.expect("the page's address");
    let wanted = path.split('?').next().unwrap_or(path);
    assert_eq!(at.path(), wanted, "{path} was not sent to the sign-in page");
    assert!(
        c.find(Locator::Css("form[action='/logout']")).await.is_ok(),
        "{path}: still signed in"
    );
}

/// A ticket written through the API of the instance at `base`: its id.
async fn new_ticket(http: &reqwest::Client, base: &str, token: &str, subject: &str) -> i64 {
    let res = http
        .post(format!("{base}/api/v1/tickets"))
        .bearer_auth(token)
        .json(&json!({"subject": subject, "body": "客户来电，请尽快处理"}))
        .send()
        .await
        .expect("POST a ticket");
    json_body(res).await["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a ticket written through {base}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_through_haproxy_stays_signed_in_on_every_instance() {
    if browser::missing() {
        return;
    }
    let Some(cluster) = Cluster::start(None).await else {
        return;
    };
    let observer = &cluster.observer;
    observer.create_user("lb.xu", &[Role::Agent]).await;
    let writer = observer.create_user("lb.wang", &[Role::Agent]).await;
    let writer_token = observer.token_for(writer).await;
    let http = reqwest::Client::new();
    let ticket = new_ticket(
        &http,
        &cluster.servers[0].base,
        &writer_token,
        "净水器接头漏水",
    )
    .await;

    let b = Browser::start().await;
    let c = &b.client;
    let base = cluster.balancer.base.as_str();
    // A page that waits for a free connection fails here instead of after WebDriver's
    // five minutes.
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
        None,
        Some(PAGE_LOAD_WITHIN),
        None,
    ))
    .await
    .expect("the page load timeout");
    sign_in(c, base, "lb.xu").await;
    let ticket_page = format!("/tickets/{ticket}");
    // Each of these pages holds one or two live streams while open; left behind in the
    // browser's back/forward cache they would use up its six connections to the site.
    for _ in 0..2 {
        for path in ["/tickets", "/account", ticket_page.as_str(), "/"] {
            let opened = Instant::now();
            open_signed_in(c, base, path).await;
            assert!(
                opened.elapsed() < PAGE_LOAD_WITHIN,
                "{path} took {:?} to open: pages left behind still hold their connections",
                opened.elapsed()
            );
        }
    }

    // -- The page's own requests: on every instance, signed in, the token accepted. -------
    open_signed_in(c, base, "/account").await;
    let mut read_by = BTreeSet::new();
    let mut posted_to = BTreeSet::new();
    for _ in 0..4 {
        let out = c
            .execute_async(PROBE, vec![json!(ticket)])
            .await
            .expect("the page's requests");
        let calls = out
            .as_array()
            .unwrap_or_else(|| panic!("the probe returned {out}"));
        for call in calls {
            let by = call["by"].as_str().unwrap_or_default().to_owned();
            match call["kind"].as_str() {
                Some("get") => {
                    assert_eq!(call["status"], 200, "{call}");
                    assert_eq!(call["path"], "/account", "signed in at {by}: {call}");
                    assert_eq!(call["signed_in"], true, "signed in at {by}: {call}");
                    read_by.insert(by);
                }
                Some("post") => {
                    assert_eq!(call["status"], 200, "the page's token at {by}: {call}");
                    posted_to.insert(by);
                }
                Some("forged") => {
                    assert_eq!(call["status"], 403, "a wrong token at {by}: {call}");
                }
                _ => panic!("the page's requests failed: {call}"),
            }
        }
        if read_by == all_names() && posted_to == all_names() {
            break;
        }
    }
    assert_eq!(
        read_by,
        all_names(),
        "pages read signed in on every instance"
    );
    assert_eq!(
        posted_to,
        all_names(),
        "the page's token accepted by every instance"
    );

    // -- Forms: the ticket answered three times with its reply form. ---------------------
    let answers = [
        "您好，师傅明天上午上门检查接头。",
        "已为您登记保修，无需付费。",
        "上门前师傅会先电话联系您。",
    ];
    for text in answers {
        open_signed_in(c, base, &ticket_page).await;
        let form = c
            .find(Locator::Css("form.reply"))
            .await
            .expect("the reply form");
        form.find(Locator::Css("textarea[name=body]"))
            .await
            .expect("the reply box")
            .send_keys(text)
            .await
            .expect("typed");
        form.find(Locator::Css("button[type=submit]"))
            .await
            .expect("the send button")
            .click()
            .await
            .expect("clicked");
        let xpath = format!(
            "//*[@data-testid='timeline']//div[contains(@class, 'msg-body') and contains(., '{text}')]"
        );
        let shown = c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await;
        assert!(shown.is_ok(), "the reply {text:?} was accepted and shown");
        assert!(
            c.find(Locator::Css("[data-testid=form-error]"))
                .await
                .is_err(),
            "no error after the reply {text:?}"
        );
        assert!(
            c.find(Locator::Css("form[action='/logout']")).await.is_ok(),
            "still signed in after the reply {text:?}"
        );
    }
    let mut conn = observer.app.store.conn().await.expect("a connection");
    for text in answers {
        let stored: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ticket_messages WHERE ticket_id = $1 AND body = $2",
        )
        .bind(ticket)
        .bind(text)
        .fetch_one(&mut *conn)
        .await
        .expect("the ticket's messages");
        assert_eq!(stored, 1, "the reply {text:?} stored once");
    }
    drop(conn);

    // -- Live: the open queue shows tickets written through each instance directly. -----
    open_signed_in(c, base, "/tickets?queue=unassigned").await;
    c.wait()
        .for_element(Locator::Css("[data-live-queue]"))
        .await
        .expect("the live queue");
    // Marks this page: gone if it were loaded again.
    c.execute("window.kefuStayed = true; return true;", vec![])
        .await
        .expect("a mark on the page");
    // Let the page's stream connect (through the balancer, to one instance).
    tokio::time::sleep(Duration::from_millis(800)).await;
    let subjects = ["冰箱冷藏室不制冷", "洗碗机不进水", "热水器打不着火"];
    for (server, subject) in cluster.servers.iter().zip(subjects) {
        let written = Instant::now();
        new_ticket(&http, &server.base, &writer_token, subject).await;
        let row = c
            .wait()
            .at_most(LIVE_WITHIN)
            .for_element(Locator::LinkText(subject))
            .await;
        assert!(
            row.is_ok(),
            "the ticket written through {} did not show in the open queue within {LIVE_WITHIN:?}",
            server.base
        );
        eprintln!(
            "chromium through haproxy: a ticket written through {} shown in {:?}",
            server.base,
            written.elapsed()
        );
    }
    let stayed = c
        .execute("return window.kefuStayed === true;", vec![])
        .await
        .expect("the mark");
    assert_eq!(stayed, json!(true), "the queue updated without a reload");
    b.close().await;
}
