//! pg_auto_failover promotes the secondary by itself after its primary is killed under load.

use std::time::{Duration, Instant};

use kefu_domain::Role;
use kefu_store::Backend;
use kefu_testkit::auto_failover::NODES;
use kefu_testkit::{ApiClient, PgAutoFailover, TestApp, TestOptions, json_body};
use kefu_web::WebConfig;
use reqwest::Method;
use serde_json::json;

use crate::degrade::{Load, NEVER_HANGS, assert_all_stored, retry_after, timed};

/// From the kill to the first write on the new primary: the monitor's checks as
/// `PgAutoFailover` sets them promote the secondary about 7 s after the kill (by hand, on an
/// idle machine); the rest is margin for a loaded two-core machine.
const FAILOVER_PATIENCE: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn primary_killed_and_secondary_promoted_by_pg_auto_failover() {
    if !super::once_per_suite() {
        return;
    }
    let Some(mut formation) = PgAutoFailover::launch().await else {
        return;
    };
    let [primary_port, secondary_port] = formation.ports;

    // Synchronous replication as pg_auto_failover sets it by default: the formation asks for
    // no particular number of synchronous standbys (`number_sync_standbys` 0) and every node
    // counts in the write quorum (`replication-quorum` true), so a commit on the primary
    // returns once the secondary has it.
    let monitor = formation.monitor_port;
    let sync_standbys = formation
        .psql(
            monitor,
            "pg_auto_failover",
            "SELECT number_sync_standbys FROM pgautofailover.formation WHERE formationid = 'default'",
        )
        .await;
    assert_eq!(sync_standbys.trim(), "0", "number_sync_standbys");
    let quorum = formation
        .psql(
            monitor,
            "pg_auto_failover",
            "SELECT string_agg(nodename || ':' || replicationquorum, ',' ORDER BY nodeid) \
             FROM pgautofailover.node",
        )
        .await;
    assert_eq!(
        quorum.trim(),
        format!("{}:true,{}:true", NODES[0], NODES[1]),
        "replication quorum"
    );
    let settings = formation
        .psql(
            primary_port,
            "postgres",
            "SELECT current_setting('synchronous_commit') || ' ' \
             || current_setting('synchronous_standby_names')",
        )
        .await;
    assert!(
        settings
            .trim()
            .starts_with("on ANY 1 (pgautofailover_standby_"),
        "synchronous_commit and synchronous_standby_names on the primary: {settings:?}"
    );
    let sync_state = formation
        .psql(
            primary_port,
            "postgres",
            "SELECT sync_state FROM pg_stat_replication",
        )
        .await;
    assert_eq!(
        sync_state.trim(),
        "quorum",
        "the secondary replicates synchronously"
    );
    println!(
        "pg_auto_failover: number_sync_standbys {}, replication quorum {}, on the primary \
         synchronous_commit/synchronous_standby_names {}",
        sync_standbys.trim(),
        quorum.trim(),
        settings.trim()
    );

    // kefu on the formation's own connection string (both nodes, read-write sessions).
    let url = formation.kefu_url().await;
    assert!(url.contains("target_session_attrs=read-write"), "{url}");
    assert!(
        url.contains(&format!(
            "127.0.0.1:{primary_port},127.0.0.1:{secondary_port}"
        )),
        "{url}"
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
        primary_port,
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

    // The primary's machine dies: its keeper and its PostgreSQL killed at once.
    formation.kill_node(0).await;
    let killed = Instant::now();

    // No primary until the monitor has given up on the old one: a fast 503 with
    // Retry-After, not a hang, not a 500.
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

    // The test promotes nothing: pg_auto_failover does, and kefu follows without a restart.
    let (first_id, first_write) = loop {
        let res = prober
            .request(Method::POST, "/api/v1/tickets")
            .header("Idempotency-Key", "auto-failover-first-write")
            .json(&json!({"subject": "自动切换后的第一张工单", "body": "新主库上的第一次写入"}))
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
            killed.elapsed() < FAILOVER_PATIENCE,
            "no write succeeded within {} s of the kill:\n{}",
            FAILOVER_PATIENCE.as_secs(),
            formation.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    println!(
        "pg_auto_failover: primary killed; first acknowledged write on the new primary \
         {:.2} s later",
        first_write.as_secs_f64()
    );
    assert_eq!(
        super::server_port(&app).await,
        secondary_port,
        "kefu moved to the new primary"
    );
    // The monitor made the secondary the primary (`wait_primary`: a primary without a
    // standby); its report may trail the promotion by a moment.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let states = formation.states().await;
        let promoted = states
            .iter()
            .find(|s| s.name == NODES[1])
            .unwrap_or_else(|| panic!("no {} in {states:?}", NODES[1]));
        if matches!(promoted.current.as_str(), "wait_primary" | "primary") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the monitor does not report {} as the primary: {states:?}",
            NODES[1]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);

    // The writers went on by themselves; nothing they were told was stored is missing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let logs = load.finish().await;
    let mut acked = vec![(first_id, "自动切换后的第一张工单".to_owned())];
    let (mut unavailable, mut before_kill) = (0, 0);
    for (n, log) in logs.iter().enumerate() {
        assert!(
            log.unexpected.is_empty(),
            "writer {n} saw: {:#?}",
            log.unexpected
        );
        assert!(
            log.acked.iter().any(|(_, _, at)| *at > killed),
            "writer {n} wrote nothing after the kill"
        );
        unavailable += log.unavailable;
        before_kill += log.acked.iter().filter(|(_, _, at)| *at < killed).count();
        acked.extend(log.acked.iter().map(|(id, s, _)| (*id, s.clone())));
    }
    assert!(before_kill > 0, "nothing was written before the kill");
    assert!(unavailable > 0, "the writers never met the failover");
    // Read through kefu (now on the new primary), and on the new primary directly.
    assert_all_stored(&app, &acked).await;
    let on_new_primary = super::ticket_ids(&formation.node_url(1)).await;
    let lost: Vec<i64> = acked
        .iter()
        .map(|(id, _)| *id)
        .filter(|id| !on_new_primary.contains(id))
        .collect();
    println!(
        "pg_auto_failover: {} tickets acknowledged ({before_kill} before the kill), \
         {unavailable} answers 503, lost: {}",
        acked.len(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "acknowledged but not on the new primary: {lost:?}"
    );
    app.stop().await;
}
