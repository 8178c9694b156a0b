//! 检查点 — SQLite's write-ahead log copied back into the database file, off the writers'
//! turn.
//!
//! SQLite checkpoints by itself when a commit finds the log past 1,000 pages, inside that
//! commit: with `synchronous = NORMAL` that is when the database file is flushed to disk,
//! tens of milliseconds on a virtual machine's disk, while the committing writer still
//! holds kefu's write turn — and every writer queued behind it waits (writes waiting over
//! 50 ms in a working day at a million tickets). Connections are opened with
//! `wal_autocheckpoint = 0` instead, and this task checkpoints once a second on a
//! connection of its own. A `PASSIVE` checkpoint runs beside the writer: it copies what is
//! committed and waits for nobody. A second with nothing written costs a look at the log.

use std::time::Duration;

use sqlx::AnyPool;

/// How often the log is copied back.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// Checkpoints the database of `pool` every [`CHECKPOINT_EVERY`] until the pool is closed.
pub(crate) async fn checkpoint_until_closed(pool: AnyPool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "the write-ahead log could not be checkpointed");
        }
    }
}
