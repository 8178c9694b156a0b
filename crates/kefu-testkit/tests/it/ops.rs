use std::time::{Duration, Instant};

use kefu_domain::Role;
use kefu_testkit::{ApiClient, TestApp, json_body};

#[tokio::test]
async fn healthz_reports_the_database() {
    let app = TestApp::spawn().await;
    let res = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // Every answer says how long the server spent on it (the benchmark reads this).
    let timing = res.headers()["server-timing"].to_str().unwrap().to_owned();
    let ms: f64 = timing.strip_prefix("app;dur=").unwrap().parse().unwrap();
    assert!((0.0..1000.0).contains(&ms), "{timing}");
    let missing = app
        .client()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert!(missing.headers().contains_key("server-timing"));
    let body = json_body(res).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["database"]["status"], "ok");
    assert_eq!(body["database"]["backend"], app.backend().name());
    app.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = TestApp::spawn().await;
    let c = app.client();
    for _ in 0..3 {
        c.get(app.url("/login")).send().await.unwrap();
    }
    let text = metrics_text(&app).await;
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("kefu_http_requests_total")
                && l.contains("route=\"/login\"")
                && l.contains("method=\"GET\"")
        })
        .unwrap_or_else(|| panic!("no request counter for /login in:\n{text}"));
    assert!(line.ends_with(" 3"), "{line}");
    assert!(text.contains("kefu_http_request_duration_seconds_bucket"));
    assert!(text.contains("kefu_db_pool_max_connections"));
    app.stop().await;
}

async fn metrics_text(app: &TestApp) -> String {
    let res = app.client().get(app.url("/metrics")).send().await.unwrap();
    res.text().await.unwrap()
}

/// The value of the sample `name` (with its labels, as printed) in a metrics text.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

#[tokio::test]
async fn metrics_show_write_waits_and_how_late_and_long_jobs_ran() {
    let app = TestApp::spawn().await;
    let id = app.create_user("wang.li", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(id).await);
    let scrape = || metrics_text(&app);
    let begun = |text: &str| sample(text, "kefu_db_write_wait_seconds_count").unwrap_or(0.0);
    let before = begun(&scrape().await);
    for n in 0..3 {
        let res = api
            .json(
                reqwest::Method::POST,
                "/api/v1/tickets",
                &serde_json::json!({"subject": format!("空调不制冷 {n}"), "body": "外机不转"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    // The worker runs the periodic SLA check within a poll (200 ms in tests) of starting.
    let started = Instant::now();
    let text = loop {
        let text = scrape().await;
        if sample(&text, "kefu_job_lag_seconds_count{kind=\"sla_check\"}").is_some() {
            break text;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no job lag for sla_check in:\n{text}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Every creation began a write transaction (a batch of one each, one after another).
    assert!(begun(&text) >= before + 3.0, "{text}");
    let within_5s = sample(&text, "kefu_db_write_wait_seconds_bucket{le=\"5.0\"}").unwrap();
    assert!(within_5s >= before + 3.0, "{text}");
    let ran = sample(&text, "kefu_job_duration_seconds_count{kind=\"sla_check\"}").unwrap();
    assert!(ran >= 1.0, "{text}");
    let lag = sample(&text, "kefu_job_lag_seconds_sum{kind=\"sla_check\"}").unwrap();
    assert!((0.0..5.0).contains(&lag), "a job due now waited {lag} s");
    app.stop().await;
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc = json_body(res).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for spec in kefu_web::route_specs() {
        if spec.surface != kefu_web::Surface::Api || spec.path == "/api/v1/openapi.json" {
            continue;
        }
        let item = paths
            .get(spec.path)
            .unwrap_or_else(|| panic!("{} missing from the OpenAPI document", spec.path));
        let method = spec.method.as_str().to_lowercase();
        assert!(
            item.get(&method).is_some(),
            "{} {} missing from the OpenAPI document",
            spec.method,
            spec.path
        );
    }
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    app.stop().await;
}

#[tokio::test]
async fn unknown_routes_get_a_page_or_json_404() {
    let app = TestApp::spawn().await;
    let c = app.client();
    let page = c
        .get(app.url("/no/such/page"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 404);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("Not found"), "{html}");

    let zh = c
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(zh.contains("页面不存在"), "Chinese is the default: {zh}");

    let api = c.get(app.url("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(api.status(), 404);
    let body = json_body(api).await;
    assert_eq!(body["error"]["code"], "not_found");
    assert!(body["error"]["message"].as_str().unwrap().len() > 3);
    app.stop().await;
}

#[tokio::test]
async fn static_assets_are_embedded() {
    let app = TestApp::spawn().await;
    let res = app
        .client()
        .get(app.url("/static/kefu.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
    assert!(res.text().await.unwrap().contains(".topbar"));
    let missing = app
        .client()
        .get(app.url("/static/nope.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);
    app.stop().await;
}

#[tokio::test]
async fn graceful_shutdown_finishes_and_closes_the_database() {
    let app = TestApp::spawn().await;
    let base = app.base.clone();
    app.stop().await;
    assert!(
        reqwest::get(format!("{base}/healthz")).await.is_err(),
        "no longer listening"
    );
}

/// On SQLite a commit never checkpoints the write-ahead log (that flush, inside a commit,
/// held every queued writer up); a task of the store does, once a second, beside the
/// writers: new tickets reach the database file itself within seconds.
#[tokio::test]
async fn sqlite_checkpoints_beside_the_writers_not_in_their_commits() {
    let app = TestApp::spawn().await;
    if app.backend() != kefu_store::Backend::Sqlite {
        app.stop().await;
        return;
    }
    let mut conn = app.app.store.conn().await.unwrap();
    let auto: i64 = sqlx::query_scalar("PRAGMA wal_autocheckpoint")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(auto, 0, "commits checkpoint by themselves");
    drop(conn);

    let file = std::path::PathBuf::from(
        app.database_url
            .strip_prefix("sqlite://")
            .unwrap()
            .split('?')
            .next()
            .unwrap(),
    );
    // The database file alone, without its log, as a copy: what has been checkpointed.
    let copy = file.with_extension("copy.db");
    let in_file = || async {
        std::fs::copy(&file, &copy).ok()?;
        let url = format!("sqlite://{}?mode=ro", copy.display());
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
            .await
            .ok()?;
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM tickets WHERE subject LIKE '空调故障%'")
            .fetch_one(&mut c)
            .await
            .ok()
    };
    let agent = app.create_user("wal.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    for n in 0..20 {
        let res = api
            .json(
                reqwest::Method::POST,
                "/api/v1/tickets",
                &serde_json::json!({"subject": format!("空调故障 {n}"), "body": "压缩机不启动"}),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    // Twenty tickets are far fewer pages than SQLite's own threshold (1,000): only the
    // store's task copies them into the file.
    let deadline = Instant::now() + Duration::from_secs(10);
    while in_file().await != Some(20) {
        assert!(
            Instant::now() < deadline,
            "the tickets are not in the database file: the log was not checkpointed"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let _ = std::fs::remove_file(&copy);
    app.stop().await;
}
