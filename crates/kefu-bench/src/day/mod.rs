//! `kefu-bench day` — a department's working day, all at once: agents signed in once and
//! then working their queues through the pages (open a queue, open a ticket, answer with a
//! script, change a status, search, open a customer), new tickets arriving at a steady rate
//! through the API and the public web form, a manager opening the complaint statistics
//! report every minute, and the server's own jobs and search follower running as they do.
//!
//! The agents' think time between two steps is exponential (a Poisson process per agent)
//! with the mean `--think-seconds`; arrivals are open-loop at `--intake-per-second` (a slow
//! answer does not slow the next arrival). Reported: each page kind's p50/p99 as the client
//! and the server (`Server-Timing`) saw it, intake p99 per path, how long a new ticket took
//! to be found by search (index freshness), job lag and write waits from `/metrics`, and
//! CPU and memory over time.

mod arrivals;
mod figures;
mod staff;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::ensure;
use serde_json::json;

use crate::harness::{Spread, serve_with, sign_in, sign_in_with};
use crate::procstat::status_kb;
use crate::run::{fresh_database, json_get, kefu_binary, kefu_cmd, run_checked, server_time};
use crate::setup::{backend_name, load_demo, machine, wait_for_index, working_dir};
use arrivals::{arrivals, reports};
use figures::{Usage, histograms, scrape, watch_usage};
use staff::agent;

#[derive(clap::Args)]
pub struct DayArgs {
    /// The demo company's size: small, medium (100k tickets), large (1M), or a ticket count.
    #[arg(long, default_value = "medium")]
    scale: String,
    /// A PostgreSQL server to run on instead of SQLite (the run makes its own database).
    #[arg(long, env = "KEFU_BENCH_PG_URL")]
    postgres: Option<String>,
    /// Working directory: the SQLite file, the search index, the server's log.
    #[arg(long, default_value = "bench-day")]
    data_dir: PathBuf,
    /// The kefu binary (default: the one built next to this benchmark).
    #[arg(long)]
    kefu: Option<PathBuf>,
    /// Skip the load: reuse the demo company left in --data-dir (or the PostgreSQL
    /// database) by an earlier run.
    #[arg(long)]
    reuse: bool,
    /// Agents at work, each signed in once (the demo's agents, in turn).
    #[arg(long, default_value_t = 200)]
    agents: usize,
    /// Mean think time between two steps of an agent, in seconds (exponential).
    #[arg(long, default_value_t = 3.0)]
    think_seconds: f64,
    /// New tickets a second, half through the API and half through the web form.
    #[arg(long, default_value_t = 50.0)]
    intake_per_second: f64,
    /// How long the day is measured, in seconds (after a warm-up of a tenth of it).
    #[arg(long, default_value_t = 300)]
    seconds: u64,
    /// Where the JSON report goes.
    #[arg(long, default_value = "bench-day.json")]
    json: PathBuf,
}

/// One answer: its kind, how long the client and the server took, and whether it was the
/// answer a person expects.
pub(super) struct Seen {
    pub(super) kind: &'static str,
    pub(super) client: Duration,
    pub(super) server: Option<Duration>,
    pub(super) ok: bool,
    /// The HTTP status, 0 when no answer came.
    pub(super) status: u16,
}

#[derive(Clone)]
pub(super) struct Recorder {
    pub(super) measuring: Arc<AtomicBool>,
    pub(super) seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    pub(super) fn note(&self, kind: &'static str, began: Instant, res: Option<&reqwest::Response>) {
        if !self.measuring.load(Ordering::Relaxed) {
            return;
        }
        let seen = Seen {
            kind,
            client: began.elapsed(),
            server: res.and_then(server_time),
            ok: res.is_some_and(|r| r.status().is_success() || r.status().is_redirection()),
            status: res.map_or(0, |r| r.status().as_u16()),
        };
        self.seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(seen);
    }

    /// Sends `req`, notes it as `kind` and answers the status and body.
    pub(super) async fn send(
        &self,
        kind: &'static str,
        req: reqwest::RequestBuilder,
    ) -> Option<(u16, String)> {
        let began = Instant::now();
        let res = req.send().await.ok();
        self.note(kind, began, res.as_ref());
        let res = res?;
        let status = res.status().as_u16();
        Some((status, res.text().await.unwrap_or_default()))
    }
}

pub async fn run(args: DayArgs) -> anyhow::Result<()> {
    let bin = kefu_binary(args.kefu.as_deref())?;
    let backend = backend_name(args.postgres.as_deref());
    let dir = working_dir(&args.data_dir, args.reuse)?;
    let url = fresh_database(args.postgres.as_deref(), &dir, "kefu", args.reuse).await?;
    let kefu_dir = dir.join("kefu");
    if !args.reuse {
        eprintln!("loading the demo company ({}) on {backend}…", args.scale);
        load_demo(&bin, &url, &kefu_dir, &args.scale)?;
    }
    let mut token_cmd = kefu_cmd(&bin, &url, &kefu_dir);
    token_cmd.args([
        "token",
        "create",
        "--user",
        "manager",
        "--name",
        "bench-day",
    ]);
    let token = run_checked(token_cmd, None)?.trim().to_owned();

    let server = serve_with(&bin, &url, &dir, &["--trust-proxy-headers", "true"]).await?;
    let base = server.base.clone();
    let pid = server.child.id();
    let api = reqwest::Client::new();
    eprintln!("kefu is up; waiting for the search index…");
    wait_for_index(&api, &base, &token).await?;
    let rss_start = status_kb(pid, "VmRSS:").unwrap_or(0);
    // About how many tickets the day starts with: the newest one's id (the demo's, and what
    // earlier runs added).
    let newest = json_get(
        &api,
        &base,
        &token,
        "/api/v1/tickets?queue=all&sort=created&limit=1",
    )
    .await?;
    let tickets = newest["tickets"][0]["id"].as_i64().unwrap_or(0);

    // The demo's agents, signed in once each; more agents than accounts sign some in twice
    // (two desks, one account).
    let mut accounts = Vec::new();
    for i in 1.. {
        let name = format!("agent{i:02}");
        if sign_in(&base, &name).await.is_err() {
            break;
        }
        accounts.push(name);
        if accounts.len() >= args.agents {
            break;
        }
    }
    ensure!(!accounts.is_empty(), "the demo company has no agent01");
    eprintln!(
        "signing in {} agents over {} accounts…",
        args.agents,
        accounts.len()
    );
    let mut sessions = Vec::new();
    for n in 0..args.agents {
        // A browser follows a form's redirect with a request of its own, measured as such.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        sessions.push(sign_in_with(client, &base, &accounts[n % accounts.len()]).await?);
    }
    let manager = sign_in(&base, "manager").await?;

    let start = Instant::now();
    let rec = Recorder {
        measuring: Arc::new(AtomicBool::new(false)),
        seen: Arc::default(),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let freshness = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (n, client) in sessions.into_iter().enumerate() {
        tasks.push(tokio::spawn(agent(
            n,
            client,
            base.clone(),
            rec.clone(),
            stop.clone(),
            args.think_seconds,
        )));
    }
    tasks.push(tokio::spawn(arrivals(
        base.clone(),
        token.clone(),
        args.intake_per_second,
        rec.clone(),
        stop.clone(),
        freshness.clone(),
    )));
    tasks.push(tokio::spawn(reports(
        manager,
        base.clone(),
        rec.clone(),
        stop.clone(),
    )));
    let usage = tokio::spawn(watch_usage(pid, start, stop.clone()));

    let warm = Duration::from_secs((args.seconds / 10).max(5));
    eprintln!("warming up for {} s…", warm.as_secs());
    tokio::time::sleep(warm).await;
    let before = scrape(&base).await?;
    let measured_from = Instant::now();
    rec.measuring.store(true, Ordering::Relaxed);
    eprintln!("measuring for {} s…", args.seconds);
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    rec.measuring.store(false, Ordering::Relaxed);
    let measured = measured_from.elapsed().as_secs_f64();
    let after = scrape(&base).await?;
    stop.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
    let usage = usage.await.unwrap_or_default();
    let rss_peak = status_kb(pid, "VmHWM:").unwrap_or(0);
    drop(server);

    // Pages and intake.
    let seen = std::mem::take(&mut *rec.seen.lock().unwrap_or_else(|e| e.into_inner()));
    let mut kinds: BTreeMap<&str, Vec<&Seen>> = BTreeMap::new();
    for s in &seen {
        kinds.entry(s.kind).or_default().push(s);
    }
    println!();
    println!(
        "## kefu-bench day — {backend}, {tickets} tickets, {} agents (think {:.1} s mean, exponential), {:.0} new tickets/s, {measured:.0} s",
        args.agents, args.think_seconds, args.intake_per_second
    );
    println!();
    println!("| kind | answers | failed | server p50 | p99 | max | client p50 | p99 | max |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (kind, list) in &kinds {
        let failed = list.iter().filter(|s| !s.ok).count();
        let mut refusals: BTreeMap<u16, usize> = BTreeMap::new();
        for s in list.iter().filter(|s| !s.ok) {
            *refusals.entry(s.status).or_default() += 1;
        }
        if !refusals.is_empty() {
            failures.push(format!("{kind}: {refusals:?}"));
        }
        let server = Spread::new(list.iter().filter_map(|s| s.server).collect());
        let client = Spread::new(list.iter().map(|s| s.client).collect());
        println!(
            "| {kind} | {} | {failed} | {} | {} |",
            list.len(),
            server.cells(),
            client.cells()
        );
        rows.push(json!({
            "kind": kind,
            "answers": list.len(),
            "failed": failed,
            "per_second": list.len() as f64 / measured,
            "server": server.json(),
            "client": client.json(),
        }));
    }
    if !failures.is_empty() {
        println!();
        println!(
            "Failed answers by status (0: none came): {}",
            failures.join("; ")
        );
    }
    let fresh = Spread::new(freshness.lock().unwrap_or_else(|e| e.into_inner()).clone());
    println!();
    println!(
        "Index freshness (a new ticket found by search, after its 201), {} probes: p50 | p99 | max ms = {}",
        fresh.count(),
        fresh.cells()
    );

    // The server's own figures over the measured window.
    let waits = histograms(&after, "kefu_db_write_wait_seconds")
        .remove("")
        .unwrap_or_default()
        .minus(
            &histograms(&before, "kefu_db_write_wait_seconds")
                .remove("")
                .unwrap_or_default(),
        );
    println!(
        "Write transactions: {:.0} begun; waited p50 ≤ {} ms, p99 ≤ {} ms; {:.0} waited over 50 ms",
        waits.count,
        waits.quantile(0.5) * 1000.0,
        waits.quantile(0.99) * 1000.0,
        waits.above(0.05)
    );
    let lag_before = histograms(&before, "kefu_job_lag_seconds");
    let took_before = histograms(&before, "kefu_job_duration_seconds");
    let took_after = histograms(&after, "kefu_job_duration_seconds");
    let mut jobs = Vec::new();
    println!();
    println!("| job | runs | lag p99 ≤ s | ran mean ms | ran p99 ≤ ms |");
    println!("|---|---|---|---|---|");
    for (kind, lag) in histograms(&after, "kefu_job_lag_seconds") {
        let lag = lag.minus(&lag_before.get(&kind).cloned().unwrap_or_default());
        let took = took_after
            .get(&kind)
            .cloned()
            .unwrap_or_default()
            .minus(&took_before.get(&kind).cloned().unwrap_or_default());
        if lag.count == 0.0 {
            continue;
        }
        let name = kind.trim_start_matches("kind=");
        let mean = took.sum / took.count.max(1.0) * 1000.0;
        println!(
            "| {name} | {:.0} | {} | {mean:.1} | {} |",
            lag.count,
            lag.quantile(0.99),
            took.quantile(0.99) * 1000.0
        );
        jobs.push(json!({
            "kind": name,
            "runs": lag.count,
            "lag_p99_s_at_most": lag.quantile(0.99),
            "ran_mean_ms": mean,
            "ran_p99_ms_at_most": took.quantile(0.99) * 1000.0,
        }));
    }

    let mean = |f: fn(&Usage) -> f64| usage.iter().map(f).sum::<f64>() / usage.len().max(1) as f64;
    let top = |f: fn(&Usage) -> f64| usage.iter().map(f).fold(0.0, f64::max);
    println!();
    println!(
        "CPU (100 % = one core): kefu mean {:.0} % (max {:.0} %), PostgreSQL mean {:.0} % (max {:.0} %), this benchmark's clients mean {:.0} %; machine busy mean {:.0} % of its cores",
        mean(|u| u.kefu_cpu),
        top(|u| u.kefu_cpu),
        mean(|u| u.postgres_cpu),
        top(|u| u.postgres_cpu),
        mean(|u| u.generator_cpu),
        mean(|u| u.machine_busy)
    );
    println!(
        "kefu RSS: {:.0} MB when the day began, {:.0} MB max while sampled, {:.0} MB peak (VmHWM)",
        rss_start as f64 / 1024.0,
        top(|u| u.kefu_rss_mb),
        rss_peak as f64 / 1024.0
    );

    let report = json!({
        "backend": backend,
        "scale": if args.reuse { "reused" } else { args.scale.as_str() },
        "tickets_at_start": tickets,
        "machine": machine(),
        "agents": args.agents,
        "agent_accounts": accounts.len(),
        "think_seconds_mean": args.think_seconds,
        "intake_per_second": args.intake_per_second,
        "measured_seconds": measured,
        "kinds": rows,
        "index_freshness": fresh.json(),
        "write_waits": {
            "count": waits.count,
            "p50_s_at_most": waits.quantile(0.5),
            "p99_s_at_most": waits.quantile(0.99),
            "over_50ms": waits.above(0.05),
        },
        "jobs": jobs,
        "rss_kb": {"start": rss_start, "peak": rss_peak},
        "usage": usage.iter().map(|u| json!({
            "at_s": u.at,
            "kefu_cpu_pct": u.kefu_cpu,
            "postgres_cpu_pct": u.postgres_cpu,
            "generator_cpu_pct": u.generator_cpu,
            "machine_busy_pct": u.machine_busy,
            "kefu_rss_mb": u.kefu_rss_mb,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(&args.json, serde_json::to_vec_pretty(&report)?)?;
    eprintln!("report written to {}", args.json.display());
    Ok(())
}
