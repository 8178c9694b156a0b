//! A streaming standby promoted by hand after its primary is killed under load.

use std::time::{Duration, Instant};

use kefu_domain::Role;
use kefu_store::Backend;
use kefu_testkit::pg_peer::{DATABASE, SUPERUSER};
use kefu_testkit::{ApiClient, PgPeer, TestApp, TestOptions, json_body};
use kefu_web::WebConfig;
use reqwest::Method;
use serde_json::json;

use crate::degrade::{Load, NEVER_HANGS, assert_all_stored, retry_after, timed};

/// The standby's name: its replication slot and `application_name` on the primary.
const STANDBY: &str = "kefu_standby";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn primary_killed_and_standby_promoted_under_load() {
    if !super::once_per_suite() {
        return;
    }
    // Synchronous replication: a commit returns once the standby has it on disk, so the
    // standby holds every write kefu acknowledged.
    // The standby's name is set once the standby exists: before, every commit (the peer's
    // own CREATE DATABASE first) would wait for a standby that is not there.
    let Some(primary) =
        PgPeer::start_with(&["wal_level = replica", "synchronous_commit = on"]).await
    else {
        return;
    };
    let standby = PgPeer::standby_of(&primary, STANDBY).await;
    primary
        .psql(
            "postgres",
            &format!("ALTER SYSTEM SET synchronous_standby_names = '{STANDBY}'"),
        )
        .await;
    primary.psql("postgres", "SELECT pg_reload_conf()").await;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let sync = primary
            .psql(
                "postgres",
                &format!(
                    "SELECT sync_state FROM pg_stat_replication WHERE application_name = '{STANDBY}'"
                ),
            )
            .await;
        if sync.trim() == "sync" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the standby is not synchronous: {sync:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let url = format!(
        "postgres://{SUPERUSER}@127.0.0.1:{},127.0.0.1:{}/{DATABASE}?target_session_attrs=read-write",
        primary.port, standby.port
    );
    let app = TestApp::spawn_with(TestOptions {
        join_database: Some(url),
        web: WebConfig {
            api_rate_per_minute: 100_000,
            ..WebConfig::default()
        },
        ..TestOptions::default()
    })
    .await;
    assert_eq!(app.backend(), Backend::Postgres);
    assert_eq!(
        super::server_port(&app).await,
        primary.port,
        "kefu is on the primary"
    );

    let mut writers = Vec::new();
    for n in 0..4 {
        let id = app.create_user(&format!("writer{n}"), &[Role::Agent]).await;
        writers.push(ApiClient::new(&app, &app.token_for(id).await));
    }
    let prober_id = app.create_user("prober", &[Role::Agent]).await;
    let prober = ApiClient::new(&app, &app.token_for(prober_id).await);
    let load = Load::start(writers);
    tokio::time::sleep(Duration::from_secs(2)).await;

    // The primary crashes: no shutdown, its sessions cut.
    primary.kill9_postmaster().await;
    let killed = Instant::now();

    // No primary yet: a fast 503 with Retry-After, not a hang, not a 500.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (res, took) = timed(
        prober
            .request(Method::GET, "/api/v1/me")
            .timeout(NEVER_HANGS)
            .send(),
    )
    .await;
    let res = res.expect("an answer without a primary");
    assert_eq!(res.status(), 503, "without a primary");
    assert!(retry_after(&res).is_some(), "503 without Retry-After");
    assert!(took < NEVER_HANGS, "the answer took {took:?}");
    let body = json_body(res).await;
    assert_eq!(body["error"]["code"], "database_unavailable", "{body}");

    // The operator (or a tool) promotes the standby; kefu is not restarted.
    standby.promote().await;
    let promoted = Instant::now();
    let (first_id, first_write) = loop {
        let res = prober
            .request(Method::POST, "/api/v1/tickets")
            .header("Idempotency-Key", "failover-first-write")
            .json(&json!({"subject": "主备切换后的第一张工单", "body": "新主库上的第一次写入"}))
            .timeout(NEVER_HANGS)
            .send()
            .await
            .expect("an answer");
        match res.status().as_u16() {
            201 => {
                let body = json_body(res).await;
                break (body["id"].as_i64().expect("an id"), killed.elapsed());
            }
            503 => assert!(retry_after(&res).is_some(), "503 without Retry-After"),
            status => panic!("{status}: {}", res.text().await.unwrap_or_default()),
        }
        assert!(
            promoted.elapsed() < Duration::from_secs(20),
            "no write succeeded within 20 s of the promotion"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "failover: primary killed; standby promoted {:.2} s later; first acknowledged write \
         on the new primary {:.2} s after the kill ({:.2} s after the promotion)",
        (promoted - killed).as_secs_f64(),
        first_write.as_secs_f64(),
        (first_write - (promoted - killed)).as_secs_f64()
    );
    assert_eq!(
        super::server_port(&app).await,
        standby.port,
        "kefu moved to the new primary"
    );
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // The writers went on by themselves; nothing they were told was stored is missing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let logs = load.finish().await;
    let mut acked = vec![(first_id, "主备切换后的第一张工单".to_owned())];
    let (mut unavailable, mut before_kill) = (0, 0);
    for (n, log) in logs.iter().enumerate() {
        assert!(
            log.unexpected.is_empty(),
            "writer {n} saw: {:#?}",
            log.unexpected
        );
        assert!(
            log.acked.iter().any(|(_, _, at)| *at > promoted),
            "writer {n} wrote nothing after the promotion"
        );
        unavailable += log.unavailable;
        before_kill += log.acked.iter().filter(|(_, _, at)| *at < killed).count();
        acked.extend(log.acked.iter().map(|(id, s, _)| (*id, s.clone())));
    }
    assert!(before_kill > 0, "nothing was written before the kill");
    assert!(unavailable > 0, "the writers never met the failover");
    // Read through kefu (now on the new primary), and on the new primary directly.
    assert_all_stored(&app, &acked).await;
    let on_new_primary = super::ticket_ids(&standby.url()).await;
    let lost: Vec<i64> = acked
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !on_new_primary.contains(id))
        .collect();
    println!(
        "failover: {} tickets acknowledged ({before_kill} before the kill), {unavailable} \
         answers 503, lost: {}",
        acked.len(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "acknowledged but not on the new primary: {lost:?}"
    );
    app.stop().await;
}
