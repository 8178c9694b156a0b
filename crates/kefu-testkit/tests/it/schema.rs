//! Both backends build the same schema from their migration folders.

use kefu_store::{Backend, Store, dialect};
use kefu_testkit::TestApp;

#[tokio::test]
async fn both_backends_expose_the_same_tables_and_columns() {
    let app = TestApp::spawn().await;
    let dir = std::env::temp_dir().join(format!("kefu-schema-{}", std::process::id()));
    let sqlite = Store::connect(&kefu::config::sqlite_url(&dir))
        .await
        .unwrap();
    sqlite.migrate().await.unwrap();
    let sqlite_cols = dialect::schema_columns(Backend::Sqlite, &mut sqlite.conn().await.unwrap())
        .await
        .unwrap();
    let ours = dialect::schema_columns(app.backend(), &mut app.app.store.conn().await.unwrap())
        .await
        .unwrap();
    assert!(
        sqlite_cols
            .iter()
            .any(|(t, c)| t == "users" && c == "password_hash")
    );
    assert!(
        sqlite_cols
            .iter()
            .any(|(t, c)| t == "change_log" && c == "entity_id")
    );
    assert!(
        sqlite_cols
            .iter()
            .any(|(t, c)| t == "idempotency_keys" && c == "fingerprint")
    );
    assert_eq!(
        ours,
        sqlite_cols,
        "the {} schema differs from SQLite's",
        app.backend().name()
    );
    sqlite.close().await;
    let _ = std::fs::remove_dir_all(dir);
    app.stop().await;
}

#[tokio::test]
async fn business_writes_land_in_the_change_log() {
    let app = TestApp::spawn().await;
    let id = app
        .create_user("log.user", &[kefu_domain::Role::Agent])
        .await;
    let mut c = app.app.store.conn().await.unwrap();
    let changes = kefu_store::changelog::since(&mut c, 0, 100).await.unwrap();
    assert!(
        changes
            .iter()
            .any(|ch| ch.entity == "user" && ch.entity_id == id && ch.operation == "create")
    );
    app.stop().await;
}
