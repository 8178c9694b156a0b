//! Three instances started together: one migration run, one set of seeds; a browser
//! session, its CSRF tokens, search and live updates across them; periodic jobs once.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kefu_domain::Role;
use kefu_testkit::{TEST_PASSWORD, json_body};
use serde_json::{Value, json};

use super::{Cluster, all_names, instance};

/// How long a ticket written through one instance may take to be found through another.
const SEARCH_WITHIN: Duration = Duration::from_secs(10);

/// The PostgreSQL migrations kefu embeds.
fn migration_files() -> usize {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../kefu-store/migrations/postgres"
    );
    std::fs::read_dir(dir)
        .expect("the migrations folder")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".sql"))
        .count()
}

async fn scalar(cluster: &Cluster, sql: &str) -> i64 {
    let mut c = cluster
        .observer
        .app
        .store
        .conn()
        .await
        .expect("a connection");
    sqlx::query_scalar(sql)
        .fetch_one(&mut *c)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_one_database_behind_haproxy() {
    let Some(cluster) = Cluster::start(None).await else {
        return;
    };

    // -- Started together: migrated once (under sqlx's advisory lock), seeded once. -------
    {
        let mut c = cluster
            .observer
            .app
            .store
            .conn()
            .await
            .expect("a connection");
        let applied: Vec<(i64, bool)> =
            sqlx::query_as("SELECT version, success FROM _sqlx_migrations ORDER BY version")
                .fetch_all(&mut *c)
                .await
                .expect("the migrations table");
        assert_eq!(applied.len(), migration_files(), "{applied:?}");
        assert!(applied.iter().all(|(_, ok)| *ok), "{applied:?}");
        let versions: BTreeSet<i64> = applied.iter().map(|(v, _)| *v).collect();
        assert_eq!(versions.len(), applied.len(), "each version once");
    }
    assert_eq!(
        scalar(
            &cluster,
            "SELECT COUNT(*) FROM users WHERE username = 'admin'"
        )
        .await,
        1
    );
    assert_eq!(scalar(&cluster, "SELECT COUNT(*) FROM calendars").await, 1);
    assert_eq!(
        scalar(
            &cluster,
            "SELECT COUNT(*) FROM (SELECT title FROM reply_scripts GROUP BY title \
             HAVING COUNT(*) > 1) AS twice"
        )
        .await,
        0,
        "the starter scripts are seeded once, not once per instance"
    );

    let observer = &cluster.observer;
    let agent = observer.create_user("inst.agent", &[Role::Agent]).await;
    let writer = observer.create_user("inst.writer", &[Role::Agent]).await;
    let writer_token = observer.token_for(writer).await;
    let agent_token = observer.token_for(agent).await;

    // -- A browser through the balancer: signed in everywhere, forms accepted everywhere. --
    let browser = Cluster::browser(&cluster.balancer.base);
    let res = browser.sign_in("inst.agent", TEST_PASSWORD).await;
    assert_eq!(res.status(), 303, "sign-in through the balancer");
    let mut answered = BTreeSet::from([instance(&res)]);
    for round in 0..4 {
        for page in ["/", "/tickets", "/account"] {
            let res = browser.get(page).await;
            let by = instance(&res);
            assert_eq!(res.status(), 200, "{page} answered by {by}");
            answered.insert(by);
        }
        // The token comes from a page one instance rendered, the post lands on another.
        let locale = if round % 2 == 0 { "en" } else { "zh-CN" };
        let res = browser
            .post_form("/account/locale", &[("locale", locale)])
            .await;
        let by = instance(&res);
        assert_eq!(res.status(), 303, "a form post answered by {by}");
        answered.insert(by);
    }
    assert_eq!(answered, all_names(), "every instance answered the browser");
    // And explicitly: a token from the first instance's page, posted to each other one.
    let first = kefu_testkit::Session {
        client: browser.client.clone(),
        base: cluster.servers[0].base.clone(),
    };
    let token = first.csrf().await;
    for server in &cluster.servers[1..] {
        let res = browser
            .client
            .post(format!("{}/account/locale", server.base))
            .form(&[("_csrf", token.as_str()), ("locale", "zh-CN")])
            .send()
            .await
            .expect("POST");
        assert_eq!(res.status(), 303, "CSRF token of kefu-a at {}", server.base);
    }

    // -- Live updates: a stream held by the third instance sees a write through the first.
    let watcher = Cluster::browser(&cluster.servers[2].base);
    assert_eq!(
        watcher.sign_in("inst.agent", TEST_PASSWORD).await.status(),
        303
    );
    let res = watcher.get("/events/tickets").await;
    assert_eq!(res.status(), 200);
    let mut stream = res.bytes_stream();
    tokio::time::sleep(Duration::from_millis(700)).await;

    // -- Search: a ticket written through one instance, found through each. -------------
    let http = reqwest::Client::new();
    let t = json_body(
        http.post(format!("{}/api/v1/tickets", cluster.servers[0].base))
            .bearer_auth(&writer_token)
            .json(&json!({"subject": "申请退货退款", "body": "扫地机外壳破损，多实例测试"}))
            .send()
            .await
            .expect("POST ticket"),
    )
    .await;
    let id = t["id"].as_i64().expect("the new ticket's id");

    let want = format!("data: {{\"ticket\":{id},\"by\":{writer}}}");
    let mut seen = String::new();
    let got = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(chunk) = stream.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk.expect("a chunk")));
            if seen.contains(&want) {
                return true;
            }
        }
        false
    })
    .await;
    assert_eq!(
        got,
        Ok(true),
        "kefu-c's stream shows the ticket written through kefu-a: {seen}"
    );
    drop(stream);

    let url = |base: &str| {
        format!(
            "{base}/api/v1/search?q={}&kind=ticket",
            kefu_web::auth::urlencode("退货")
        )
    };
    for server in &cluster.servers {
        let t0 = Instant::now();
        loop {
            let hits: Value = match http
                .get(url(&server.base))
                .bearer_auth(&agent_token)
                .send()
                .await
            {
                Ok(res) => res.json().await.unwrap_or(Value::Null),
                Err(_) => Value::Null,
            };
            if hits
                .as_array()
                .is_some_and(|a| a.iter().any(|h| h["id"] == id && h["kind"] == "ticket"))
            {
                break;
            }
            assert!(
                t0.elapsed() < SEARCH_WITHIN,
                "{} did not find ticket {id} within {} s: {hits}",
                server.base,
                SEARCH_WITHIN.as_secs()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    // -- Periodic jobs: one row per key, each run by one instance once. ------------------
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut c = observer.app.store.conn().await.expect("a connection");
        let rows: Vec<(String, String, i64, String)> = sqlx::query_as(
            "SELECT kind, unique_key, attempts, status FROM jobs \
             WHERE unique_key IS NOT NULL ORDER BY id",
        )
        .fetch_all(&mut *c)
        .await
        .expect("jobs");
        drop(c);
        let kinds: BTreeSet<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        let settled = rows.iter().all(|r| r.3 == "succeeded");
        if settled && kinds.contains("sla_check") && kinds.contains("purge_sessions") {
            for (kind, key, attempts, _) in &rows {
                assert_eq!(*attempts, 1, "{kind} {key} ran {attempts} times");
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the periodic jobs did not all succeed within 20 s: {rows:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
