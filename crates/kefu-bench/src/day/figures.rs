//! What the day is read by besides the answers: CPU and memory from `/proc`, and the
//! server's own histograms from `/metrics`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::procstat::{machine_ticks, postgres_pids, status_kb, ticks, ticks_per_second};

/// CPU (as a share of one core) and memory of kefu and PostgreSQL, every five seconds.
#[derive(Default, Clone)]
pub(super) struct Usage {
    pub(super) at: f64,
    pub(super) kefu_cpu: f64,
    pub(super) postgres_cpu: f64,
    /// This benchmark's own share: the clients run on the same two cores.
    pub(super) generator_cpu: f64,
    pub(super) machine_busy: f64,
    pub(super) kefu_rss_mb: f64,
}

pub(super) async fn watch_usage(pid: u32, start: Instant, stop: Arc<AtomicBool>) -> Vec<Usage> {
    let hz = ticks_per_second();
    let mut out = Vec::new();
    let me = std::process::id();
    let mut last = (
        Instant::now(),
        ticks(pid),
        postgres_ticks(),
        machine_ticks(),
        ticks(me),
    );
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let now = (
            Instant::now(),
            ticks(pid),
            postgres_ticks(),
            machine_ticks(),
            ticks(me),
        );
        let secs = now.0.duration_since(last.0).as_secs_f64();
        let share = |a: u64, b: u64| (b.saturating_sub(a)) as f64 / hz / secs * 100.0;
        let (busy, total) = (
            now.3.0.saturating_sub(last.3.0),
            now.3.1.saturating_sub(last.3.1),
        );
        out.push(Usage {
            at: now.0.duration_since(start).as_secs_f64(),
            kefu_cpu: share(last.1, now.1),
            postgres_cpu: share(last.2, now.2),
            generator_cpu: share(last.4, now.4),
            machine_busy: busy as f64 / total.max(1) as f64 * 100.0,
            kefu_rss_mb: status_kb(pid, "VmRSS:").unwrap_or(0) as f64 / 1024.0,
        });
        last = now;
    }
    out
}

pub(super) fn postgres_ticks() -> u64 {
    postgres_pids().into_iter().map(ticks).sum()
}

/// A histogram of `/metrics`: cumulative counts per upper bound, the count and the sum.
#[derive(Debug, Default, Clone)]
pub(super) struct Histogram {
    pub(super) buckets: Vec<(f64, f64)>,
    pub(super) count: f64,
    pub(super) sum: f64,
}

impl Histogram {
    /// How many observations were above `bound` (a bucket's bound).
    pub(super) fn above(&self, bound: f64) -> f64 {
        let within = self
            .buckets
            .iter()
            .find(|(le, _)| (*le - bound).abs() < 1e-9)
            .map_or(0.0, |(_, c)| *c);
        self.count - within
    }

    /// The bound under which `p` of the observations fell (the bucket's upper bound).
    pub(super) fn quantile(&self, p: f64) -> f64 {
        let want = self.count * p;
        self.buckets
            .iter()
            .find(|(_, c)| *c >= want)
            .map_or(f64::INFINITY, |(le, _)| *le)
    }

    pub(super) fn minus(&self, earlier: &Histogram) -> Histogram {
        Histogram {
            buckets: self
                .buckets
                .iter()
                .map(|(le, c)| {
                    let before = earlier
                        .buckets
                        .iter()
                        .find(|(l, _)| l == le)
                        .map_or(0.0, |(_, b)| *b);
                    (*le, c - before)
                })
                .collect(),
            count: self.count - earlier.count,
            sum: self.sum - earlier.sum,
        }
    }
}

/// The histograms named `name` in an OpenMetrics text, by their labels (`kind="…"`).
pub(super) fn histograms(text: &str, name: &str) -> BTreeMap<String, Histogram> {
    let mut out: BTreeMap<String, Histogram> = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let (series, value) = match rest.rsplit_once(' ') {
            Some(x) => x,
            None => continue,
        };
        let Ok(value) = value.parse::<f64>() else {
            continue;
        };
        let (part, labels) = series.split_once('{').unwrap_or((series, ""));
        let labels = labels.trim_end_matches('}');
        let mut key = Vec::new();
        let mut le = None;
        for l in labels.split(',').filter(|l| !l.is_empty()) {
            match l.split_once('=') {
                Some(("le", v)) => le = Some(v.trim_matches('"').to_owned()),
                Some((k, v)) => key.push(format!("{k}={}", v.trim_matches('"'))),
                None => {}
            }
        }
        let h = out.entry(key.join(",")).or_default();
        match part {
            "_bucket" => {
                let bound = match le.as_deref() {
                    Some("+Inf") | None => f64::INFINITY,
                    Some(v) => v.parse().unwrap_or(f64::INFINITY),
                };
                h.buckets.push((bound, value));
            }
            "_count" => h.count = value,
            "_sum" => h.sum = value,
            _ => {}
        }
    }
    out
}

pub(super) async fn scrape(base: &str) -> anyhow::Result<String> {
    Ok(reqwest::get(format!("{base}/metrics"))
        .await?
        .text()
        .await?)
}
