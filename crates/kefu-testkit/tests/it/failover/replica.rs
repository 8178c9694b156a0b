//! 只读副本 — the complaint statistics report read from a streaming standby
//! (`read_database_url`). With the standby's replay paused the report (API, page, CSV
//! export) still shows what the standby has, while a complaint just opened is on its own
//! page, on the board and in the API at once (they read the primary); with replay resumed
//! the report catches up. With the standby stopped the primary answers the report within
//! a bound and nothing fails; started again, the standby serves the report again. A
//! `read_database_url` that cannot name a replica stops kefu at start with its reason.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use kefu::config::{ConfigError, FileConfig, Overrides, ServerConfig};
use kefu_domain::{Role, SystemClock};
use kefu_store::{Backend, ReaderUrlError};
use kefu_testkit::pg_peer::DATABASE;
use kefu_testkit::{ApiClient, PgPeer, Session, TEST_PASSWORD, TestApp, TestOptions, json_body};
use kefu_web::WebConfig;
use reqwest::Method;
use serde_json::json;

/// The standby's name: its replication slot and `application_name` on the primary. It is
/// not in `synchronous_standby_names`: replication is asynchronous, as a reporting replica's
/// usually is (a synchronous one would hold every commit while its replay is paused).
const STANDBY: &str = "kefu_replica";

/// The longest one report may take, the standby stopped or not: kefu waits one second
/// for a connection to the replica, then reads from the primary; the rest is margin for a
/// loaded two-core machine.
const REPORT_BOUND: Duration = Duration::from_secs(5);

/// How long replay may take to bring the standby, and so the report, up to date.
const CATCH_UP: Duration = Duration::from_secs(15);

/// GETs `path`; the body of a 200 answered within [`REPORT_BOUND`].
async fn fetch(res: impl Future<Output = reqwest::Response>, path: &str) -> String {
    let started = Instant::now();
    let res = res.await;
    let took = started.elapsed();
    let status = res.status();
    let body = res.text().await.expect("a body");
    assert_eq!(status, 200, "GET {path}: {body}");
    assert!(
        took < REPORT_BOUND,
        "GET {path} took {took:?}, more than {REPORT_BOUND:?}"
    );
    body
}

/// The report's total count over the last 30 days as the API, the page and the CSV
/// export show it: the three read the same figures, and none may bypass the replica.
async fn report_totals(manager: &ApiClient, browser: &Session) -> [i64; 3] {
    let path = "/api/v1/complaints/stats";
    let api: serde_json::Value =
        serde_json::from_str(&fetch(manager.get(path), path).await).expect("JSON");
    let api = api["totals"]["count"].as_i64().expect("a total");
    let path = "/complaints/report";
    let page = fetch(browser.get(path), path).await;
    let marker = "data-testid=\"total-count\">";
    let start = page
        .find(marker)
        .unwrap_or_else(|| panic!("no total on the report page:\n{page}"))
        + marker.len();
    let end = page[start..].find('<').expect("the total ends") + start;
    let page: i64 = page[start..end].trim().parse().expect("a count");
    let path = "/complaints/report.csv";
    let csv = fetch(browser.get(path), path).await;
    let csv: i64 = csv
        .lines()
        .find(|l| l.starts_with("合计,"))
        .and_then(|l| l.split(',').nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no total row in the CSV export:\n{csv}"));
    [api, page, csv]
}

/// Waits until the report counts `n` complaints everywhere; how long that took.
async fn until_report_counts(manager: &ApiClient, browser: &Session, n: i64) -> Duration {
    let started = Instant::now();
    loop {
        let totals = report_totals(manager, browser).await;
        if totals == [n; 3] {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < CATCH_UP,
            "the report (API, page, CSV) counts {totals:?} after {CATCH_UP:?}, not {n}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The complaints stored on a cluster, read without kefu.
async fn stored(peer: &PgPeer) -> i64 {
    peer.psql(DATABASE, "SELECT COUNT(*) FROM complaints")
        .await
        .trim()
        .parse()
        .expect("a count")
}

/// Waits until the standby has applied everything the primary had written when asked.
async fn replayed(primary: &PgPeer, standby: &PgPeer) {
    let lsn = primary
        .psql("postgres", "SELECT pg_current_wal_lsn()")
        .await;
    let lsn = lsn.trim();
    let sql = format!("SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn");
    let deadline = Instant::now() + CATCH_UP;
    while standby.psql("postgres", &sql).await.trim() != "t" {
        assert!(
            Instant::now() < deadline,
            "the standby did not replay up to {lsn} within {CATCH_UP:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Pauses the standby's replay and waits until it has paused: it receives the primary's
/// changes but applies none, so what it serves stays as it is — a replica lagging behind.
async fn pause_replay(standby: &PgPeer) {
    standby
        .psql("postgres", "SELECT pg_wal_replay_pause()")
        .await;
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let state = standby
            .psql("postgres", "SELECT pg_get_wal_replay_pause_state()")
            .await;
        if state.trim() == "paused" {
            return;
        }
        assert!(Instant::now() < deadline, "replay did not pause: {state:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Opens a complaint over the API; its id.
async fn open_complaint(agent: &ApiClient, n: u32) -> i64 {
    let res = agent
        .json(
            Method::POST,
            "/api/v1/complaints",
            &json!({
                "complainant": "周经理",
                "complainant_phone": "13700005555",
                "channel": "phone",
                "content": format!("第 {n} 批 GX-3341 轴承外圈开裂，要求更换。"),
                "order_number": format!("PO-REPLICA-{n:04}"),
                "category": "quality",
                "severity": "major"
            }),
        )
        .await;
    let status = res.status();
    let body = json_body(res).await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_i64().expect("an id")
}

/// Whether the API's list of open complaints holds `id`.
async fn listed(api: &ApiClient, id: i64) -> bool {
    let list = json_body(api.get("/api/v1/complaints").await).await;
    list.as_array()
        .expect("a list")
        .iter()
        .any(|c| c["id"].as_i64() == Some(id))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_report_reads_the_replica_and_the_primary_answers_without_it() {
    if !super::once_per_suite() {
        return;
    }
    let Some(primary) = PgPeer::start_with(&["wal_level = replica"]).await else {
        return;
    };
    let standby = PgPeer::standby_of(&primary, STANDBY).await;
    let app = TestApp::spawn_with(TestOptions {
        join_database: Some(primary.url()),
        read_database_url: Some(standby.url()),
        web: WebConfig {
            api_rate_per_minute: 100_000,
            ..WebConfig::default()
        },
        ..TestOptions::default()
    })
    .await;
    assert_eq!(app.backend(), Backend::Postgres);
    let manager_id = app.create_user("jing.li", &[Role::CsManager]).await;
    let manager_token = app.token_for(manager_id).await;
    let manager = ApiClient::new(&app, &manager_token);
    let specialist_id = app
        .create_user("tou.su", &[Role::ComplaintSpecialist])
        .await;
    let specialist = ApiClient::new(&app, &app.token_for(specialist_id).await);
    let reader = app.login("jing.li", TEST_PASSWORD).await;
    let writer = app.login("tou.su", TEST_PASSWORD).await;

    // One complaint, replayed on the standby: the report counts it.
    open_complaint(&specialist, 1).await;
    replayed(&primary, &standby).await;
    assert_eq!(stored(&standby).await, 1);
    until_report_counts(&manager, &reader, 1).await;

    // The standby falls behind: replay paused.
    pause_replay(&standby).await;
    // A complaint opened on the page's form: the page shown after the form, the board, the
    // API's complaint and list read the primary and show it at once.
    let res = writer
        .post_form(
            "/complaints",
            &[
                ("complainant", "周经理"),
                ("complainant_phone", "13700005555"),
                ("channel", "phone"),
                ("content", "第 2 批 GX-3341 轴承外圈开裂，要求更换。"),
                ("order_number", "PO-REPLICA-0002"),
                ("category", "quality"),
                ("severity", "major"),
            ],
        )
        .await;
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    let Some(location) = location.filter(|_| status == 303) else {
        panic!("{status}: {}", res.text().await.unwrap_or_default());
    };
    let second: i64 = location
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("not a complaint's page: {location}"));
    let page = fetch(writer.get(&location), &location).await;
    assert!(page.contains("PO-REPLICA-0002"), "{page}");
    assert!(
        !page.contains("13700005555"),
        "the complainant's phone is shown unmasked"
    );
    let board = fetch(writer.get("/complaints"), "/complaints").await;
    assert!(
        board.contains(&format!("href=\"/complaints/{second}\"")),
        "the board lacks the new complaint"
    );
    let path = format!("/api/v1/complaints/{second}");
    let detail: serde_json::Value =
        serde_json::from_str(&fetch(specialist.get(&path), &path).await).expect("JSON");
    assert_eq!(detail["complaint"]["order_number"], "PO-REPLICA-0002");
    assert!(listed(&specialist, second).await, "not in the API's list");
    // Two on the primary, one on the standby — and the report shows the standby's.
    assert_eq!(stored(&primary).await, 2);
    assert_eq!(stored(&standby).await, 1, "the standby's replay is paused");
    assert_eq!(
        report_totals(&manager, &reader).await,
        [1; 3],
        "the report reads the replica"
    );

    // Replay resumes: the report catches up.
    standby
        .psql("postgres", "SELECT pg_wal_replay_resume()")
        .await;
    let caught_up = until_report_counts(&manager, &reader, 2).await;
    println!(
        "replica: the report caught up {:.2} s after replay resumed",
        caught_up.as_secs_f64()
    );

    // The standby falls behind again, then stops. A prober asks for the report meanwhile.
    pause_replay(&standby).await;
    let third = open_complaint(&specialist, 3).await;
    assert_eq!(report_totals(&manager, &reader).await, [2; 3]);
    let stop = Arc::new(AtomicBool::new(false));
    let prober = {
        let stop = stop.clone();
        let api = ApiClient::new(&app, &manager_token);
        tokio::spawn(async move {
            let mut seen = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                let started = Instant::now();
                let status = api
                    .request(Method::GET, "/api/v1/complaints/stats")
                    .timeout(Duration::from_secs(30))
                    .send()
                    .await
                    .map_or(0, |res| res.status().as_u16());
                seen.push((status, started.elapsed()));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            seen
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    standby.stop_fast().await;
    // Without its replica kefu reads the report from the primary — which has the third
    // complaint the paused standby never applied — within the bound, every time.
    for _ in 0..2 {
        let started = Instant::now();
        assert_eq!(
            report_totals(&manager, &reader).await,
            [3; 3],
            "the report read from the primary"
        );
        println!(
            "replica: without the standby, the report (API, page, CSV) answered in {:.2} s",
            started.elapsed().as_secs_f64()
        );
    }
    let path = format!("/api/v1/complaints/{third}");
    fetch(specialist.get(&path), &path).await;
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200, "the replica is no part of health");
    stop.store(true, Ordering::Relaxed);
    let seen = prober.await.expect("the prober");
    assert!(seen.len() >= 3, "the prober asked {} times", seen.len());
    for (status, took) in &seen {
        assert_eq!(
            *status, 200,
            "the report while the standby stopped: {seen:?}"
        );
        assert!(
            *took < REPORT_BOUND,
            "the report took {took:?} while the standby stopped: {seen:?}"
        );
    }

    // Started again, the standby replays what it missed and serves the report again: it
    // falls behind once more, and the report shows its count, not the primary's.
    standby.start().await;
    replayed(&primary, &standby).await;
    assert_eq!(stored(&standby).await, 3);
    pause_replay(&standby).await;
    open_complaint(&specialist, 4).await;
    assert_eq!(stored(&primary).await, 4);
    assert_eq!(
        report_totals(&manager, &reader).await,
        [3; 3],
        "the report is read from the replica again"
    );
    standby
        .psql("postgres", "SELECT pg_wal_replay_resume()")
        .await;
    until_report_counts(&manager, &reader, 4).await;
    app.stop().await;
}

/// A configuration as a test builds it for [`kefu::server::prepare`].
fn config(database_url: &str, read_database_url: &str) -> ServerConfig {
    ServerConfig {
        listen: "127.0.0.1:0".parse().expect("address"),
        database_url: database_url.to_owned(),
        read_database_url: Some(read_database_url.to_owned()),
        web: WebConfig::default(),
        app: kefu_app::Settings::default(),
        search_dir: None,
    }
}

#[tokio::test]
async fn a_read_database_url_that_names_no_replica_stops_kefu_at_start() {
    if !super::once_per_suite() {
        return;
    }
    // Nothing listens on port 1: a start that waited for this primary would wait 30 s.
    let primary = "postgres://kefu@127.0.0.1:1/kefu";
    let sqlite_dir = std::env::temp_dir().join(format!("kefu-replica-{}", std::process::id()));
    let sqlite = format!("sqlite://{}", sqlite_dir.join("kefu.db").display());
    let cases = [
        (
            primary,
            "sqlite://replica.db",
            ReaderUrlError::NotPostgres("sqlite".into()),
            "read_database_url must be a PostgreSQL URL, postgres://USER@HOST:PORT/DB (a replica of database_url), not a sqlite: URL",
        ),
        (
            primary,
            "mysql://kefu:s3cret@127.0.0.1/kefu",
            ReaderUrlError::NotPostgres("mysql".into()),
            "not a mysql: URL",
        ),
        (
            primary,
            "postgres://kefu:s3cret@127.0.0.1:notaport/kefu",
            ReaderUrlError::Unparsable("invalid port number".into()),
            "read_database_url is not a valid PostgreSQL URL (invalid port number)",
        ),
        (
            primary,
            "postgres://kefu@127.0.0.1:5433,127.0.0.1:5434/kefu",
            ReaderUrlError::SeveralHosts("127.0.0.1:5433,127.0.0.1:5434".into()),
            "read_database_url names several hosts (127.0.0.1:5433,127.0.0.1:5434): name one replica",
        ),
        (
            primary,
            "",
            ReaderUrlError::Empty,
            "read_database_url is empty",
        ),
        (
            sqlite.as_str(),
            "postgres://kefu@127.0.0.1:5433/kefu",
            ReaderUrlError::PrimaryIsSqlite,
            "database_url is SQLite, which has no replicas",
        ),
    ];
    for (database_url, read, expected, message) in cases {
        // `kefu serve` resolves its configuration first: refused there.
        let overrides = Overrides {
            database_url: Some(database_url.to_owned()),
            ..Overrides::default()
        };
        let file = FileConfig {
            read_database_url: Some(read.to_owned()),
            ..FileConfig::default()
        };
        let e = ServerConfig::resolve(overrides, file).unwrap_err();
        assert!(
            matches!(&e, ConfigError::ReadDatabaseUrl(r) if *r == expected),
            "{read:?}: {e:?}"
        );
        let text = e.to_string();
        assert!(text.contains(message), "{read:?}: {text}");
        assert!(
            !text.contains("s3cret"),
            "the password in the message: {text}"
        );
        // A configuration built otherwise (as the tests do) is refused by the start itself,
        // before it waits for the primary.
        let started = Instant::now();
        let refused =
            match kefu::server::prepare(&config(database_url, read), Arc::new(SystemClock)).await {
                Ok(_) => panic!("kefu started with read_database_url {read:?}"),
                Err(e) => e,
            };
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{read:?} refused only after {:?}: kefu waited for the primary first",
            started.elapsed()
        );
        assert_eq!(
            refused.downcast_ref::<ReaderUrlError>(),
            Some(&expected),
            "{read:?}: {refused:#}"
        );
        assert!(refused.to_string().contains(message), "{refused:#}");
    }
    assert!(
        !sqlite_dir.exists(),
        "the SQLite database was created before its read_database_url was refused"
    );
    // A replica URL of one PostgreSQL host is accepted without connecting to it.
    let overrides = Overrides {
        database_url: Some(primary.to_owned()),
        ..Overrides::default()
    };
    let file = FileConfig {
        read_database_url: Some("postgres://kefu@127.0.0.1:5433/kefu?sslmode=prefer".into()),
        ..FileConfig::default()
    };
    let c = ServerConfig::resolve(overrides, file).expect("a replica URL is accepted");
    assert_eq!(
        c.read_database_url.as_deref(),
        Some("postgres://kefu@127.0.0.1:5433/kefu?sslmode=prefer")
    );
}
