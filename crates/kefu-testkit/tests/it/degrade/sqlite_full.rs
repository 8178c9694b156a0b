//! SQLite on a full disk. The disk is simulated: the database file is capped at its size
//! with SQLite's own page cap (`PRAGMA max_page_count`, set on every connection by
//! `Store::set_page_cap`), so a write that needs another page fails with SQLITE_FULL —
//! "database or disk is full" — exactly as when the file system has no room left. The
//! tests do not fill a real file system (that needs a mount, which needs root).

use kefu_domain::{Locale, Role};
use kefu_store::Backend;
use kefu_testkit::{ApiClient, TestApp, TestOptions, json_body};
use kefu_web::WebConfig;
use kefu_web::error::STORAGE_FULL_RETRY_SECS;
use kefu_web::i18n::text;
use reqwest::Method;
use serde_json::json;

use super::{assert_all_stored, retry_after};

async fn create(api: &ApiClient, subject: &str) -> reqwest::Response {
    api.json(
        Method::POST,
        "/api/v1/tickets",
        &json!({"subject": subject, "body": "磁盘满时提交的工单"}),
    )
    .await
}

#[tokio::test]
async fn a_full_disk_refuses_writes_with_507_and_leaves_the_database_whole() {
    if !super::once_per_suite() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("kefu-full-{}", kefu_app::secret::random_hex(6)));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let app = TestApp::spawn_with(TestOptions {
        join_database: Some(kefu::config::sqlite_url(&dir)),
        web: WebConfig {
            api_rate_per_minute: 100_000,
            ..WebConfig::default()
        },
        ..TestOptions::default()
    })
    .await;
    assert_eq!(app.backend(), Backend::Sqlite);
    let agent = app.create_user("writer", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);

    let mut acked = Vec::new();
    for n in 1..=5 {
        let subject = format!("磁盘满之前 第{n}单");
        let res = create(&api, &subject).await;
        assert_eq!(res.status(), 201);
        acked.push((json_body(res).await["id"].as_i64().unwrap(), subject));
    }

    // The disk fills up: no page beyond the file's size now.
    let pages: i64 = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    app.app
        .store
        .set_page_cap(Some(u32::try_from(pages).unwrap() + 1));
    let mut refused = None;
    for n in 1..=500 {
        let subject = format!("磁盘将满 第{n}单");
        let res = create(&api, &subject).await;
        match res.status().as_u16() {
            201 => acked.push((json_body(res).await["id"].as_i64().unwrap(), subject)),
            507 => {
                refused = Some(res);
                break;
            }
            other => panic!("{other}: {}", res.text().await.unwrap_or_default()),
        }
    }
    let res = refused.expect("a write refused once the disk is full");
    assert_eq!(retry_after(&res), Some(STORAGE_FULL_RETRY_SECS));
    let body = json_body(res).await;
    assert_eq!(body["error"]["code"], "storage_full", "{body}");
    assert_eq!(
        body["error"]["message"],
        text(Locale::ZhCn, "error.storage_full", &[])
    );
    // Reading goes on, and the balancer keeps the instance: another would not help.
    let first = acked[0].0;
    let res = api.get(&format!("/api/v1/tickets/{first}")).await;
    assert_eq!(res.status(), 200);
    let health = app.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    println!(
        "degrade: SQLite capped at {pages} pages refused a write with 507 after {} tickets",
        acked.len()
    );

    // Space is freed: writes work again, with nothing restarted.
    app.app.store.set_page_cap(None);
    for n in 1..=3 {
        let subject = format!("释放空间之后 第{n}单");
        let res = create(&api, &subject).await;
        let status = res.status();
        let body = json_body(res).await;
        assert_eq!(status, 201, "{body}");
        acked.push((body["id"].as_i64().unwrap(), subject));
    }
    let check: String = {
        let mut c = app.app.store.conn().await.unwrap();
        sqlx::query_scalar("PRAGMA integrity_check")
            .fetch_one(&mut *c)
            .await
            .unwrap()
    };
    assert_eq!(check, "ok");
    assert_all_stored(&app, &acked).await;
    app.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}
