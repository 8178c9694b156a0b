//! PostgreSQL restarted (`pg_ctl restart -m fast`) and then stopped for a few seconds while
//! four API clients write tickets: fast 503s with `Retry-After` in the outage, the pool
//! back by itself, jobs and webhooks resuming, nothing acknowledged lost.

use std::time::{Duration, Instant};

use kefu_domain::{Locale, Role};
use kefu_store::Backend;
use kefu_testkit::wechat_peer::text_message;
use kefu_testkit::{
    ApiClient, PgPeer, TEST_PASSWORD, TestApp, TestOptions, WechatPeer, json_body, unescape_html,
};
use kefu_web::WebConfig;
use kefu_web::error::UNAVAILABLE_RETRY_SECS;
use kefu_web::i18n::text;

use super::{Load, NEVER_HANGS, assert_all_stored, retry_after, timed};
use crate::mail_ingest::{mail, mailbox, post_mail};
use crate::wechat::{OPENID, account, count, post_xml, ticket_of};

/// Polls `GET /api/v1/me` until it answers 200: how long that took.
async fn until_first_ok(api: &ApiClient) -> Duration {
    let started = Instant::now();
    loop {
        let res = api
            .request(reqwest::Method::GET, "/api/v1/me")
            .timeout(NEVER_HANGS)
            .send()
            .await;
        if res.is_ok_and(|r| r.status() == 200) {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "kefu did not answer 200 within 20 s of PostgreSQL being back"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_restarted_and_stopped_under_load() {
    if !super::once_per_suite() {
        return;
    }
    let Some(pg) = PgPeer::launch().await else {
        return;
    };
    let app = TestApp::spawn_with(TestOptions {
        join_database: Some(pg.url()),
        web: WebConfig {
            api_rate_per_minute: 100_000,
            ..WebConfig::default()
        },
        ..TestOptions::default()
    })
    .await;
    assert_eq!(app.backend(), Backend::Postgres);

    let mut writers = Vec::new();
    for n in 0..4 {
        let id = app.create_user(&format!("writer{n}"), &[Role::Agent]).await;
        writers.push(ApiClient::new(&app, &app.token_for(id).await));
    }
    let reader_id = app.create_user("reader", &[Role::Agent]).await;
    let reader = ApiClient::new(&app, &app.token_for(reader_id).await);
    let person = app.login("reader", TEST_PASSWORD).await;
    assert_eq!(person.get("/tickets").await.status(), 200);
    let wechat_api = WechatPeer::start().await;
    let wechat = account(&app, &wechat_api).await;
    let mailbox = mailbox(&app).await;

    let load = Load::start(writers);
    tokio::time::sleep(Duration::from_secs(1)).await;

    // A fast restart: sessions ended mid-request, the server back within a second.
    pg.restart_fast().await;
    let after_restart = until_first_ok(&reader).await;
    println!(
        "degrade: pg_ctl restart -m fast returned; first 200 {:.2} s later",
        after_restart.as_secs_f64()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;

    // A stop: the outage as a program, a person, a balancer and two senders see it.
    pg.stop_fast().await;
    let went_down = Instant::now();
    let wechat_xml = text_message(
        OPENID,
        app.now().as_second(),
        "停机期间发来的微信消息：我家热水器漏水了，请尽快安排师傅",
        6_200_000_000_000_000_001,
    );
    let raw_mail = mail(
        "outage-1@customer.example",
        ("顾客", "guke@customer.example"),
        "停机期间的来信：热水器漏水",
        "",
        "热水器漏水，请尽快处理。",
    );
    let (api, page, page_en, health, wx, em) = tokio::join!(
        timed(reader.get("/api/v1/me")),
        timed(person.get("/tickets")),
        timed(async {
            person
                .client
                .get(person.url("/tickets"))
                .header("accept-language", "en")
                .send()
                .await
                .expect("GET")
        }),
        timed(async {
            app.client()
                .get(app.url("/healthz"))
                .send()
                .await
                .expect("GET")
        }),
        timed(post_xml(&app, wechat, &wechat_xml)),
        timed(post_mail(&app, &mailbox, &raw_mail)),
    );
    let secs = UNAVAILABLE_RETRY_SECS.to_string();

    // The API: 503, Retry-After, the structured error.
    let (api, took) = api;
    println!(
        "degrade: API answered {} in {took:?} with the database down",
        api.status()
    );
    assert_eq!(api.status(), 503);
    assert!(took < NEVER_HANGS, "the API answer took {took:?}");
    assert_eq!(retry_after(&api), Some(UNAVAILABLE_RETRY_SECS));
    let body = json_body(api).await;
    assert_eq!(body["error"]["code"], "database_unavailable", "{body}");
    assert_eq!(
        body["error"]["message"],
        text(
            Locale::ZhCn,
            "error.database_unavailable",
            &[("secs", secs.as_str())]
        )
    );

    // A person: a page in their language saying to try again shortly.
    for ((res, took), locale) in [(page, Locale::ZhCn), (page_en, Locale::En)] {
        assert_eq!(res.status(), 503, "{locale:?}");
        assert!(took < NEVER_HANGS, "the page took {took:?}");
        assert_eq!(retry_after(&res), Some(UNAVAILABLE_RETRY_SECS));
        let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(ct.starts_with("text/html"), "{ct}");
        let html = unescape_html(&res.text().await.unwrap());
        assert!(
            html.contains(&format!("lang=\"{}\"", locale.key())),
            "{html}"
        );
        assert!(
            html.contains(text(locale, "error.title_503", &[]).as_str()),
            "{html}"
        );
        let message = text(
            locale,
            "error.database_unavailable",
            &[("secs", secs.as_str())],
        );
        assert!(html.contains(&message), "{html}");
    }

    // The balancer: not 200, so it drains this instance.
    let (health, took) = health;
    assert_eq!(health.status(), 503);
    assert!(took < NEVER_HANGS, "/healthz took {took:?}");
    assert_eq!(retry_after(&health), Some(UNAVAILABLE_RETRY_SECS));
    let body = json_body(health).await;
    assert_eq!(body["database"]["status"], "unreachable", "{body}");

    // The senders: 503, so WeChat and the mail server send again.
    let ((wx_status, wx_body), _) = wx;
    assert_eq!(wx_status, 503, "{wx_body}");
    let ((mail_status, mail_body), _) = em;
    assert_eq!(mail_status, 503, "{mail_body}");
    assert_eq!(mail_body["error"]["code"], "database_unavailable");

    tokio::time::sleep(Duration::from_secs(1)).await;
    let outage = went_down.elapsed();
    pg.start().await;
    let up = Instant::now();
    let back = until_first_ok(&reader).await;
    println!(
        "degrade: PostgreSQL down {:.1} s; from it accepting connections again to the first 200: {:.2} s",
        outage.as_secs_f64(),
        back.as_secs_f64()
    );
    assert!(back < Duration::from_secs(10), "first 200 after {back:?}");
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // Sent again, each lands once.
    let (status, body) = post_xml(&app, wechat, &wechat_xml).await;
    assert_eq!((status, body.as_str()), (200, "success"));
    let (status, first) = post_mail(&app, &mailbox, &raw_mail).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["status"], "ticket_created");
    let (status, again) = post_mail(&app, &mailbox, &raw_mail).await;
    assert_eq!((status, again["status"].as_str()), (200, Some("duplicate")));
    assert_eq!(again["ticket_id"], first["ticket_id"]);

    // The job worker is back: it lands the WeChat message on a ticket.
    let started = Instant::now();
    let ticket = loop {
        if let Some(t) = ticket_of(&app, OPENID).await {
            break t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the WeChat message's job did not run within 30 s of the database being back"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    println!(
        "degrade: the job worker landed the WeChat message {:.1} s after the first 200",
        started.elapsed().as_secs_f64()
    );
    let (status, _) = post_xml(&app, wechat, &wechat_xml).await;
    assert_eq!(status, 200);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM wechat_inbound").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM tickets WHERE channel = 'wechat'"
        )
        .await,
        1
    );
    assert!(ticket > 0);

    // The writers went on by themselves; nothing they were told was stored is missing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let logs = load.finish().await;
    let mut acked = Vec::new();
    let (mut unavailable, mut slowest) = (0, Duration::ZERO);
    for (n, log) in logs.iter().enumerate() {
        assert!(
            log.unexpected.is_empty(),
            "writer {n} saw: {:#?}",
            log.unexpected
        );
        assert!(
            log.acked.iter().any(|(_, _, at)| *at > up),
            "writer {n} wrote nothing after the database was back"
        );
        unavailable += log.unavailable;
        slowest = slowest.max(log.slowest);
        acked.extend(log.acked.iter().map(|(id, s, _)| (*id, s.clone())));
    }
    println!(
        "degrade: {} tickets acknowledged, {unavailable} answers 503, slowest answer {:.2} s",
        acked.len(),
        slowest.as_secs_f64()
    );
    assert!(unavailable > 0, "the writers never met the outage");
    assert!(slowest < NEVER_HANGS, "an answer took {slowest:?}");
    assert_all_stored(&app, &acked).await;
    app.stop().await;
}
