//! What the measures do before they measure: the machine's description, the demo
//! company loaded, the working directory, the search index waited for.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use serde_json::{Value, json};

use crate::run::{PASSWORD, json_get, kefu_cmd, run_checked, urlencode};

pub(crate) fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpu
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map(str::trim)
        .unwrap_or("unknown")
        .to_owned();
    let mem = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kb: u64 = mem
        .lines()
        .find(|l| l.starts_with("MemTotal"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "cpu": model,
        "memory_gib": (mem_kb as f64 / 1048576.0 * 10.0).round() / 10.0,
        "os": std::env::consts::OS,
    })
}

/// Waits until the search index holds every record: customers are indexed after every
/// ticket, so the newest customer found means all are in (a new instance builds its
/// index in the background).
pub(crate) async fn wait_for_index(
    api: &reqwest::Client,
    base: &str,
    token: &str,
) -> anyhow::Result<()> {
    let newest = json_get(api, base, token, "/api/v1/customers?limit=1").await?;
    let probe_id = newest[0]["id"].as_i64().context("a customer")?;
    let probe = newest[0]["name"].as_str().context("a name")?.to_owned();
    let t0 = Instant::now();
    loop {
        let path = format!("/api/v1/search?q={}&kind=customer", urlencode(&probe));
        let hits = json_get(api, base, token, &path).await?;
        let found = hits
            .as_array()
            .is_some_and(|a| a.iter().any(|h| h["id"] == probe_id));
        if found {
            return Ok(());
        }
        ensure!(
            t0.elapsed() < Duration::from_secs(3600),
            "search index never caught up"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

/// Loads the demo company at `scale` (seed 1) into the empty database at `url`; the
/// password of every demo account is [`PASSWORD`]. Answers the seconds it took.
pub(crate) fn load_demo(
    bin: &Path,
    url: &str,
    kefu_dir: &Path,
    scale: &str,
) -> anyhow::Result<f64> {
    let t0 = Instant::now();
    let mut c = kefu_cmd(bin, url, kefu_dir);
    c.args(["demo", "--scale", scale, "--seed", "1", "--password-stdin"]);
    let out = run_checked(c, Some(&format!("{PASSWORD}\n")))?;
    eprint!("{out}");
    Ok(t0.elapsed().as_secs_f64())
}

/// The backend a run measures, as its report names it.
pub(crate) fn backend_name(postgres: Option<&str>) -> &'static str {
    if postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    }
}

/// The run's working directory, emptied first unless the run reuses what is there.
pub(crate) fn working_dir(data_dir: &Path, reuse: bool) -> anyhow::Result<PathBuf> {
    if !reuse && data_dir.exists() {
        std::fs::remove_dir_all(data_dir).context("emptying the data dir")?;
    }
    std::fs::create_dir_all(data_dir)?;
    Ok(data_dir.canonicalize()?)
}

/// A demo company loaded into a fresh database for a measure: its store, the backend's
/// name, the seconds the load took, and today (Beijing) as the run started.
pub(crate) struct DemoCompany {
    pub store: kefu_store::Store,
    pub backend: &'static str,
    pub load_seconds: f64,
    pub now: jiff::Timestamp,
    pub today: jiff::civil::Date,
}

/// Loads the demo company at `scale` into a fresh database `name` (under `data_dir`, or
/// on the PostgreSQL server at `postgres`) with the kefu binary `kefu` (default: the one
/// beside this benchmark), and opens its store.
pub(crate) async fn demo_company(
    postgres: Option<&str>,
    data_dir: &Path,
    kefu: Option<&Path>,
    scale: &str,
    name: &str,
) -> anyhow::Result<DemoCompany> {
    let bin = crate::run::kefu_binary(kefu)?;
    let backend = backend_name(postgres);
    let dir = working_dir(data_dir, false)?;
    let url = crate::run::fresh_database(postgres, &dir, name, false).await?;
    eprintln!("loading the demo company ({scale}) on {backend}…");
    let load_seconds = load_demo(&bin, &url, &dir.join("kefu"), scale)?;
    let store = kefu_store::Store::connect(&url).await?;
    let now = kefu_domain::Clock::now(&kefu_domain::SystemClock);
    let today = now
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai")?)
        .date();
    Ok(DemoCompany {
        store,
        backend,
        load_seconds,
        now,
        today,
    })
}
