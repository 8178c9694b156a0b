//! Several instances behind haproxy: one mixed API load through the balancer with one, two
//! and three `kefu serve` processes on one PostgreSQL database, one count after another —
//! requests/s, latency, each instance's share, and the CPU each part of the machine used
//! (the instances, PostgreSQL, haproxy, the load generator), so that what limits the
//! throughput is in the figures rather than guessed.
//!
//! The mix, per client and in turn: one internal note added to a ticket, one queue read
//! (50 tickets), three tickets read — the number of tickets stays the same, so every count
//! of instances works on the same data (created tickets would make each later count's
//! queue reads sort more) — each answered by whichever instance haproxy picks (round robin, no
//! stickiness, a new connection to the instance per request: the configuration the
//! several-instances tests run and the README shows).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use kefu_app::Actor;
use kefu_app::users::UserForm;
use kefu_domain::{Locale, Role, RoleSet};
use kefu_testkit::Balancer;
use serde_json::{Value, json};

use crate::harness::{PASSWORD, Spread, open_app, serve_with};
use crate::procstat::{machine_ticks, postgres_pids, ticks, ticks_per_second};
use crate::run::{Server, fresh_database, kefu_binary};

#[derive(clap::Args)]
pub struct InstancesArgs {
    /// The PostgreSQL server URL (instances share one database; a SQLite file is one
    /// process's).
    #[arg(long)]
    postgres: String,
    /// The numbers of instances measured, one after another.
    #[arg(long, default_value = "1,2,3")]
    instances: String,
    /// Concurrent clients, each sending its next request when the last is answered.
    #[arg(long, default_value_t = 32)]
    clients: usize,
    /// How long each count is measured (after a warm-up of two seconds).
    #[arg(long, default_value_t = 20)]
    seconds: u64,
    /// Tickets made before the load; the load reads them.
    #[arg(long, default_value_t = 2000)]
    tickets: usize,
    #[arg(long, default_value = "bench-instances")]
    data_dir: PathBuf,
    /// The kefu binary (default: beside this one).
    #[arg(long)]
    kefu: Option<PathBuf>,
}

/// What one count of instances measured.
struct Measured {
    instances: usize,
    seconds: f64,
    times: Spread,
    written: usize,
    failed: usize,
    /// Requests answered per instance name (`X-Kefu-Instance`).
    shares: Vec<(String, usize)>,
    /// CPU seconds per wall second, per part.
    cpu: Cpu,
}

#[derive(Default, Clone, Copy)]
struct Cpu {
    kefu: f64,
    postgres: f64,
    haproxy: f64,
    generator: f64,
    /// The whole machine, busy share of all cores (0–1).
    machine: f64,
}

pub async fn run(args: InstancesArgs) -> anyhow::Result<()> {
    let counts: Vec<usize> = args
        .instances
        .split(',')
        .map(|n| n.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .context("--instances takes counts such as 1,2,3")?;
    ensure!(
        counts.iter().all(|&n| (1..=16).contains(&n)),
        "--instances: each count is 1 to 16"
    );
    ensure!(args.clients > 0, "--clients must be at least 1");
    ensure!(args.tickets > 0, "--tickets must be at least 1");
    ensure!(
        kefu_testkit::balancer::program().is_some(),
        "haproxy is not installed (apt-get install haproxy)"
    );
    let bin = kefu_binary(args.kefu.as_deref())?;
    if args.data_dir.exists() {
        std::fs::remove_dir_all(&args.data_dir)?;
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let dir = args.data_dir.canonicalize()?;
    let url = fresh_database(Some(&args.postgres), &dir, "instances", false).await?;
    let token = set_up(&url).await?;

    eprintln!("making {} tickets…", args.tickets);
    let ids = {
        let server = start_instance(&bin, &url, &dir, 0).await?;
        make_tickets(&server.base, &token, args.tickets).await?
    };

    let mut results = Vec::new();
    for &n in &counts {
        eprintln!(
            "{n} instance(s) behind haproxy: {} clients, {} s…",
            args.clients, args.seconds
        );
        let mut servers = Vec::new();
        for i in 0..n {
            servers.push(start_instance(&bin, &url, &dir, i).await?);
        }
        let ports: Vec<u16> = servers
            .iter()
            .map(|s| s.base.rsplit(':').next().and_then(|p| p.parse().ok()))
            .collect::<Option<_>>()
            .context("the instances' ports")?;
        let balancer = Balancer::start(&ports)
            .await
            .context("haproxy did not start")?;
        let pids: Vec<u32> = servers.iter().map(|s| s.child.id()).collect();
        let m = measure(
            n,
            &balancer,
            &pids,
            &token,
            &ids,
            args.clients,
            Duration::from_secs(args.seconds),
        )
        .await?;
        eprintln!("  {}", row(&m));
        results.push(m);
        drop(balancer);
        drop(servers);
    }

    println!(
        "instances — postgres, haproxy in front (round robin), {} clients, {} s per count; \
         mix per client: note 1, queue 1, ticket 3",
        args.clients, args.seconds
    );
    println!();
    println!(
        "| instances | requests | req/s | notes/s | p50 ms | p99 ms | max ms | failed | share per instance | \
         CPU kefu | CPU postgres | CPU haproxy | CPU load generator | machine busy |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|");
    for m in &results {
        println!("{}", row(m));
    }
    println!();
    println!(
        "CPU: cores used (CPU seconds per second) by the instances together, every postgres \
         process on this machine, haproxy and this program; machine busy: share of all cores."
    );
    let report = json!({
        "backend": "postgres",
        "clients": args.clients,
        "seconds_per_count": args.seconds,
        "tickets": args.tickets,
        "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "counts": results.iter().map(|m| json!({
            "instances": m.instances,
            "seconds": m.seconds,
            "requests_per_second": m.times.count() as f64 / m.seconds,
            "notes_per_second": m.written as f64 / m.seconds,
            "latency": m.times.json(),
            "failed": m.failed,
            "shares": m.shares.iter().map(|(k, v)| json!({"instance": k, "requests": v})).collect::<Vec<_>>(),
            "cpu_cores": {
                "kefu": m.cpu.kefu,
                "postgres": m.cpu.postgres,
                "haproxy": m.cpu.haproxy,
                "load_generator": m.cpu.generator,
            },
            "machine_busy": m.cpu.machine,
        })).collect::<Vec<_>>(),
    });
    std::fs::write(
        dir.join("instances.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    let failed: usize = results.iter().map(|m| m.failed).sum();
    if failed > 0 {
        bail!(
            "{failed} requests were not answered with 2xx: these figures are not of a working site"
        );
    }
    Ok(())
}

fn row(m: &Measured) -> String {
    let shares = m
        .shares
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "| {} | {} | {:.0} | {:.0} | {} | {} | {shares} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} % |",
        m.instances,
        m.times.count(),
        m.times.count() as f64 / m.seconds,
        m.written as f64 / m.seconds,
        m.times.cells(),
        m.failed,
        m.cpu.kefu,
        m.cpu.postgres,
        m.cpu.haproxy,
        m.cpu.generator,
        m.cpu.machine * 100.0,
    )
}

/// An agent with an API token, as an administrator would add one; returns the token.
async fn set_up(url: &str) -> anyhow::Result<String> {
    let app = open_app(url).await?;
    let system = Actor::system();
    let id = app
        .create_user(
            &system,
            &UserForm {
                username: "bench.lb".to_owned(),
                display_name: "负载均衡压测".to_owned(),
                email: None,
                password: Some(PASSWORD.to_owned()),
                department: None,
                level: None,
                locale: Locale::ZhCn,
                roles: RoleSet::new([Role::Agent]),
            },
        )
        .await?
        .user
        .id;
    Ok(app.create_token(&system, id, "bench").await?.secret)
}

/// `kefu serve` number `i` (`--instance kefu-i`), in its own directory.
async fn start_instance(bin: &Path, url: &str, dir: &Path, i: usize) -> anyhow::Result<Server> {
    let name = format!("kefu-{i}");
    serve_with(bin, url, &dir.join(&name), &["--instance", &name]).await
}

fn new_ticket(i: usize) -> Value {
    json!({
        "type": "fault_report",
        "channel": "api",
        "subject": format!("洗衣机脱水时异响（多实例压测 {i}）"),
        "body": "滚筒洗衣机脱水时声音很大，机身晃动，请安排师傅检查。",
        "contact_name": "周先生",
        "customer_tier": "normal",
    })
}

/// `count` tickets through the API of the instance at `base`; their ids.
async fn make_tickets(base: &str, token: &str, count: usize) -> anyhow::Result<Vec<i64>> {
    let client = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..8 {
        let (client, base, token, next) = (
            client.clone(),
            base.to_owned(),
            token.to_owned(),
            next.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut ids = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, anyhow::Error>(ids);
                }
                let res = client
                    .post(format!("{base}/api/v1/tickets"))
                    .bearer_auth(&token)
                    .json(&new_ticket(i))
                    .send()
                    .await?;
                let status = res.status();
                let body: Value = res.json().await?;
                ensure!(status.is_success(), "a ticket was refused: {status} {body}");
                ids.push(body["id"].as_i64().context("the new ticket's id")?);
            }
        }));
    }
    let mut ids = Vec::new();
    for w in workers {
        ids.extend(w.await??);
    }
    Ok(ids)
}

/// Ticks of each part at one moment.
struct Sample {
    kefu: u64,
    postgres: u64,
    haproxy: u64,
    generator: u64,
    machine: (u64, u64),
}

fn sample(kefu: &[u32], haproxy: Option<u32>) -> Sample {
    Sample {
        kefu: kefu.iter().map(|&p| ticks(p)).sum(),
        postgres: postgres_pids().into_iter().map(ticks).sum(),
        haproxy: haproxy.map(ticks).unwrap_or(0),
        generator: ticks(std::process::id()),
        machine: machine_ticks(),
    }
}

async fn measure(
    instances: usize,
    balancer: &Balancer,
    kefu: &[u32],
    token: &str,
    ids: &[i64],
    clients: usize,
    length: Duration,
) -> anyhow::Result<Measured> {
    let client = reqwest::Client::new();
    let ids = Arc::new(ids.to_vec());
    let counting = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for c in 0..clients {
        let (client, base, token) = (client.clone(), balancer.base.clone(), token.to_owned());
        let (ids, counting, stop) = (ids.clone(), counting.clone(), stop.clone());
        workers.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let mut k = c;
            while !stop.load(Ordering::Relaxed) {
                k += 1;
                let req = match k % 5 {
                    0 => client
                        .post(format!(
                            "{base}/api/v1/tickets/{}/messages",
                            ids[(k * 104_729) % ids.len()]
                        ))
                        .json(&json!({"body": format!("已联系用户，约好上门时间（{k}）"), "internal": true})),
                    1 => client.get(format!("{base}/api/v1/tickets?queue=all&limit=50")),
                    _ => client.get(format!(
                        "{base}/api/v1/tickets/{}",
                        ids[(k * 7919) % ids.len()]
                    )),
                };
                let t0 = Instant::now();
                let res = req.bearer_auth(&token).send().await;
                let (ok, by) = match res {
                    Ok(res) => {
                        let by = res
                            .headers()
                            .get("x-kefu-instance")
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or("?")
                            .to_owned();
                        let ok = res.status().is_success();
                        (res.bytes().await.is_ok() && ok, by)
                    }
                    Err(_) => (false, "?".to_owned()),
                };
                if !counting.load(Ordering::Relaxed) {
                    continue;
                }
                if ok {
                    tally.times.push(t0.elapsed());
                    if k % 5 == 0 {
                        tally.written += 1;
                    }
                    *tally.by.entry(by).or_default() += 1;
                } else {
                    tally.failed += 1;
                }
            }
            tally
        }));
    }
    // Warm-up: connections made, caches filled, then the counted part.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before = sample(kefu, balancer.pid());
    let started = Instant::now();
    counting.store(true, Ordering::Relaxed);
    tokio::time::sleep(length).await;
    counting.store(false, Ordering::Relaxed);
    let seconds = started.elapsed().as_secs_f64();
    let after = sample(kefu, balancer.pid());
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for w in workers {
        let t = w.await?;
        all.times.extend(t.times);
        all.written += t.written;
        all.failed += t.failed;
        for (k, v) in t.by {
            *all.by.entry(k).or_default() += v;
        }
    }
    let hz = ticks_per_second();
    let cores = |a: u64, b: u64| b.saturating_sub(a) as f64 / hz / seconds;
    let busy = after.machine.0.saturating_sub(before.machine.0) as f64;
    let total = after.machine.1.saturating_sub(before.machine.1).max(1) as f64;
    Ok(Measured {
        instances,
        seconds,
        times: Spread::new(all.times),
        written: all.written,
        failed: all.failed,
        shares: all.by.into_iter().collect(),
        cpu: Cpu {
            kefu: cores(before.kefu, after.kefu),
            postgres: cores(before.postgres, after.postgres),
            haproxy: cores(before.haproxy, after.haproxy),
            generator: cores(before.generator, after.generator),
            machine: busy / total,
        },
    })
}

#[derive(Default)]
struct Tally {
    times: Vec<Duration>,
    written: usize,
    failed: usize,
    by: std::collections::BTreeMap<String, usize>,
}
