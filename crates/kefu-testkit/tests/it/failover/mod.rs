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
