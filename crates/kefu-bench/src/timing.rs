//! What the report benchmarks (`accounts`, `quality`) share: a report made a few times over
//! the same data, its median and slowest time.

use std::time::Instant;

use anyhow::Context;
use serde_json::{Value, json};

/// Runs `f` `n` times (at least once): the median and slowest milliseconds with the count
/// as JSON, and the last run's result.
pub(crate) async fn timed<F, Fut, T>(n: usize, mut f: F) -> anyhow::Result<(Value, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..n.max(1) {
        let t = Instant::now();
        last = Some(f().await?);
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let out = json!({
        "median_ms": (times[times.len() / 2] * 1000.0).round(),
        "max_ms": (times[times.len() - 1] * 1000.0).round(),
        "runs": times.len(),
    });
    Ok((out, last.context("a run")?))
}
