//! 主备切换 — PostgreSQL that survives its own failure. A primary with a synchronous
//! streaming standby (private clusters, `kefu_testkit::PgPeer`), kefu on the two-host URL
//! (`target_session_attrs=read-write`), API clients writing tickets: the primary is killed
//! (`kill -9`), the standby promoted, and kefu answers 503 with `Retry-After` meanwhile,
//! moves to the new primary by itself, and every acknowledged ticket is on it.
//!
//! These tests bring their own databases, whatever `KEFU_TEST_DATABASE_URL` says, so they
//! run once: in the suite's pass without it.

mod streaming;

// The same with pg_auto_failover (monitor, primary, secondary), which promotes the secondary
// by itself.
mod auto;

/// Whether this is the suite's pass on its own default database (not PostgreSQL's).
fn once_per_suite() -> bool {
    !std::env::var("KEFU_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty())
}

// The complaint statistics report on a streaming standby (`read_database_url`): it lags
// while the standby does, the primary answers without it, bad URLs stop kefu at start.
mod replica;

/// The port of the server kefu's store now talks to.
pub(super) async fn server_port(app: &kefu_testkit::TestApp) -> u16 {
    let mut conn = app.app.store.conn().await.expect("a connection");
    let port: i32 = sqlx::query_scalar("SELECT inet_server_port()")
        .fetch_one(&mut *conn)
        .await
        .expect("the server's port");
    u16::try_from(port).expect("a port")
}

/// The ids of the tickets stored on the server at `url`, read without kefu.
pub(super) async fn ticket_ids(url: &str) -> std::collections::HashSet<i64> {
    use sqlx::Connection as _;

    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url)
        .await
        .expect("a connection to the new primary");
    let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM tickets")
        .fetch_all(&mut conn)
        .await
        .expect("tickets");
    let _ = conn.close().await;
    ids.into_iter().collect()
}
