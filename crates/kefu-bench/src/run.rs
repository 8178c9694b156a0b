//! `kefu-bench run` — the project's benchmark: loads the demo company at a chosen scale into
//! a fresh database (SQLite or PostgreSQL), starts the real `kefu serve` process, and
//! measures over HTTP with concurrent clients: API ticket creation, the staff queue and
//! ticket pages, the workbench of every role, customer search, full-text search and the complaint statistics report,
//! with the server's peak memory. In the same run it measures a baseline — the same rows a
//! ticket creation writes, inserted one ticket per transaction straight into a fresh
//! database of the same engine with the same durability settings — so the ratio
//! kefu/baseline holds on a noisy machine. Prints a Markdown table and writes a JSON file.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Clock, SystemClock};
use serde_json::{Value, json};

use crate::setup::{backend_name, load_demo, machine, wait_for_index, working_dir};
use crate::{ms, percentile};

#[derive(clap::Args)]
pub struct RunArgs {
    /// The demo company's size: small, medium (100k tickets), large (1M), or a ticket count.
    #[arg(long, default_value = "medium")]
    scale: String,
    /// A PostgreSQL server to run on instead of SQLite, e.g.
    /// postgres://postgres@127.0.0.1:5432/postgres; the run creates its own databases there.
    #[arg(long, env = "KEFU_BENCH_PG_URL")]
    postgres: Option<String>,
    /// Working directory: the SQLite files, the search index, the logs (emptied first).
    #[arg(long, default_value = "bench-run")]
    data_dir: PathBuf,
    /// The kefu binary (default: the one built next to this benchmark).
    #[arg(long)]
    kefu: Option<PathBuf>,
    /// Concurrent clients creating tickets through the API.
    #[arg(long, default_value_t = 16)]
    clients: usize,
    /// Concurrent clients loading pages and searching (agents at work).
    #[arg(long, default_value_t = 4)]
    page_clients: usize,
    /// Tickets created through the API (and rows of the baseline).
    #[arg(long, default_value_t = 20_000)]
    create: usize,
    /// Requests per measured page or search.
    #[arg(long, default_value_t = 2_000)]
    requests: usize,
    /// Requests of the complaint statistics report (one client).
    #[arg(long, default_value_t = 20)]
    report_requests: usize,
    /// Where the JSON report goes.
    #[arg(long, default_value = "bench-report.json")]
    json: PathBuf,
    /// Skip the load: reuse the database left in --data-dir by an earlier run (SQLite).
    #[arg(long)]
    reuse: bool,
    /// SQLite's durability: `normal` (kefu's default: a commit survives a crash of kefu)
    /// or `full` (it also survives power loss: every commit waits for the disk). The
    /// baseline runs with the same. Ignored on PostgreSQL.
    #[arg(long, default_value = "normal")]
    sqlite_synchronous: String,
}

pub(crate) const PASSWORD: &str = "bench-password-2026";

/// One measured row of the report.
struct Row {
    name: String,
    requests: usize,
    clients: usize,
    seconds: f64,
    client: Vec<Duration>,
    server: Vec<Duration>,
}

impl Row {
    fn json(&self) -> Value {
        json!({
            "name": self.name,
            "requests": self.requests,
            "clients": self.clients,
            "per_second": self.requests as f64 / self.seconds,
            "client_ms": {"p50": millis(percentile(&self.client, 0.5)), "p99": millis(percentile(&self.client, 0.99))},
            "server_ms": {"p50": millis(percentile(&self.server, 0.5)), "p99": millis(percentile(&self.server, 0.99))},
        })
    }

    fn markdown(&self) -> String {
        format!(
            "| {} | {} | {} | {:.0} | {} / {} | {} / {} |",
            self.name,
            self.requests,
            self.clients,
            self.requests as f64 / self.seconds,
            ms(percentile(&self.server, 0.5)),
            ms(percentile(&self.server, 0.99)),
            ms(percentile(&self.client, 0.5)),
            ms(percentile(&self.client, 0.99)),
        )
    }
}

fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 10_000.0).round() / 10.0
}

/// The server's own time for a request, from its `Server-Timing: app;dur=…` header.
pub(crate) fn server_time(res: &reqwest::Response) -> Option<Duration> {
    let h = res.headers().get("server-timing")?.to_str().ok()?;
    let dur = h.split(';').find_map(|p| p.trim().strip_prefix("dur="))?;
    dur.parse::<f64>()
        .ok()
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
}

/// A request to make: method, path, optional JSON body.
type Request = (reqwest::Method, String, Option<Value>);

/// Sends every request with `clients` concurrent clients; fails on any non-2xx answer.
async fn measure(
    name: &str,
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    clients: usize,
    requests: Vec<Request>,
) -> anyhow::Result<Row> {
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (client, base, token) = (client.clone(), base.to_owned(), token.map(str::to_owned));
        let (requests, next) = (requests.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((method, path, body)) = requests.get(i) else {
                    return Ok::<_, anyhow::Error>(times);
                };
                let mut req = client.request(method.clone(), format!("{base}{path}"));
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                if let Some(b) = body {
                    req = req.json(b);
                }
                let t0 = Instant::now();
                let res = req.send().await?;
                let server = server_time(&res);
                let status = res.status();
                let text = res.bytes().await?;
                let elapsed = t0.elapsed();
                ensure!(
                    status.is_success(),
                    "{method} {path} answered {status}: {}",
                    String::from_utf8_lossy(&text[..text.len().min(300)])
                );
                times.push((elapsed, server.unwrap_or(elapsed)));
            }
        }));
    }
    let mut client_times = Vec::new();
    let mut server_times = Vec::new();
    for w in workers {
        for (c, s) in w.await?? {
            client_times.push(c);
            server_times.push(s);
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    client_times.sort();
    server_times.sort();
    let row = Row {
        name: name.to_owned(),
        requests: requests.len(),
        clients,
        seconds,
        client: client_times,
        server: server_times,
    };
    eprintln!("  {}", row.markdown());
    Ok(row)
}

/// The server process and its peak memory.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Server {
    pub(crate) fn rss_kb(&self, field: &str) -> Option<u64> {
        crate::procstat::status_kb(self.child.id(), field)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
    }
}

pub(crate) fn kefu_binary(arg: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(p) = arg {
        return Ok(p.to_owned());
    }
    let me = std::env::current_exe()?;
    let beside = me.with_file_name("kefu");
    ensure!(
        beside.exists(),
        "no kefu binary at {} (build it: cargo build --release -p kefu, or pass --kefu)",
        beside.display()
    );
    Ok(beside)
}

/// A fresh database for `name`: a SQLite file under `dir`, or a new PostgreSQL database.
pub(crate) async fn fresh_database(
    postgres: Option<&str>,
    dir: &Path,
    name: &str,
    reuse: bool,
) -> anyhow::Result<String> {
    match postgres {
        None => {
            let place = dir.join(name);
            if !reuse && place.exists() {
                std::fs::remove_dir_all(&place)?;
            }
            Ok(kefu::config::sqlite_url(&place))
        }
        Some(server) => {
            let db = format!("kefu_bench_{name}");
            if !reuse {
                kefu_store::dialect::recreate_database(server, &db).await?;
            }
            let (base, query) = server
                .split_once('?')
                .map_or((server, None), |(b, q)| (b, Some(q)));
            let base = &base[..base.rfind('/').context("the URL names a database")?];
            Ok(match query {
                Some(q) => format!("{base}/{db}?{q}"),
                None => format!("{base}/{db}"),
            })
        }
    }
}

pub(crate) fn kefu_cmd(bin: &Path, url: &str, dir: &Path) -> Command {
    let mut c = Command::new(bin);
    c.arg("--database-url")
        .arg(url)
        .arg("--data-dir")
        .arg(dir)
        .env("KEFU_LOG", "warn")
        .env_remove("KEFU_CONFIG");
    c
}

pub(crate) fn run_checked(mut c: Command, input: Option<&str>) -> anyhow::Result<String> {
    c.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = c.spawn()?;
    if let Some(text) = input {
        use std::io::Write;
        child
            .stdin
            .take()
            .context("stdin")?
            .write_all(text.as_bytes())?;
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output()?;
    ensure!(out.status.success(), "{c:?} failed");
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

pub(crate) async fn wait_until_up(base: &str, server: &mut Server) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    for _ in 0..600 {
        if let Some(status) = server.child.try_wait()? {
            bail!("kefu exited while starting: {status}");
        }
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await
            && r.status().is_success()
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("kefu did not answer /healthz within a minute")
}

/// Signs in through the login form; the client keeps the session cookie.
async fn sign_in(base: &str, username: &str) -> anyhow::Result<reqwest::Client> {
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let start = login.find(marker).context("csrf on the login page")? + marker.len();
    let csrf = login[start..start + 64].to_owned();
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", username),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await?;
    ensure!(
        res.status().is_success() || res.status().is_redirection(),
        "sign-in of {username} failed: {}",
        res.status()
    );
    Ok(client)
}

pub(crate) async fn json_get(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
) -> anyhow::Result<Value> {
    let res = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await?;
    ensure!(status.is_success(), "{path} answered {status}: {body}");
    Ok(body)
}

fn get(path: String) -> Request {
    (reqwest::Method::GET, path, None)
}

pub(crate) fn urlencode(s: &str) -> String {
    kefu_web::auth::urlencode(s)
}

/// Tickets a transaction in the multi-row baseline: the most kefu's intake writes together.
const BASELINE_BATCH: usize = 64;

/// The administrator the benchmark adds to the demo company.
const ADMIN: &str = "bench-admin";

/// Whose workbench is measured: a demo user for every role.
const WORKBENCH_USERS: [(&str, &str); 10] = [
    ("agent", "agent01"),
    ("complaint specialist", "complaint01"),
    ("manager", "manager"),
    ("information specialist", "info01"),
    ("administrator", ADMIN),
    ("quality specialist", "quality01"),
    ("key-account specialist", "keyaccount01"),
    ("after-sales specialist", "aftersales01"),
    ("CRM specialist", "crm01"),
    ("department", "sales-01"),
];

pub async fn run(args: RunArgs) -> anyhow::Result<()> {
    let bin = kefu_binary(args.kefu.as_deref())?;
    let backend = backend_name(args.postgres.as_deref());
    let dir = working_dir(&args.data_dir, args.reuse)?;
    let synchronous = kefu_store::Synchronous::parse(&args.sqlite_synchronous)
        .context("--sqlite-synchronous: normal or full")?;
    let url = fresh_database(args.postgres.as_deref(), &dir, "kefu", args.reuse).await?;
    let durable = |url: String| match synchronous {
        kefu_store::Synchronous::Normal => url,
        level => kefu_store::dialect::with_synchronous(&url, level),
    };
    let url = durable(url);
    let kefu_dir = dir.join("kefu");
    let mut report = json!({
        "backend": backend,
        "sqlite_synchronous": args.postgres.is_none().then_some(synchronous.key()),
        "scale": args.scale,
        "machine": machine(),
        "clients": args.clients,
        "page_clients": args.page_clients,
    });

    // 1. The demo company.
    let load_seconds = if args.reuse {
        None
    } else {
        eprintln!("loading the demo company ({}) on {backend}…", args.scale);
        Some(load_demo(&bin, &url, &kefu_dir, &args.scale)?)
    };
    let mut token_cmd = kefu_cmd(&bin, &url, &kefu_dir);
    token_cmd.args(["token", "create", "--user", "manager", "--name", "bench"]);
    let token = run_checked(token_cmd, None)?.trim().to_owned();
    // The demo company has no administrator of its own; the workbench is measured for one.
    if !args.reuse {
        let mut admin_cmd = kefu_cmd(&bin, &url, &kefu_dir);
        admin_cmd.args(["user", "add", ADMIN, "--role", "admin", "--password-stdin"]);
        run_checked(admin_cmd, Some(&format!("{PASSWORD}\n")))?;
    }

    // 2. The server, as a user runs it.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let log = std::fs::File::create(dir.join("server.log"))?;
    let mut c = kefu_cmd(&bin, &url, &kefu_dir);
    c.args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("KEFU_API_RATE_LIMIT", "1000000000")
        .stdout(Stdio::null())
        .stderr(log);
    let started = Instant::now();
    let mut server = Server {
        child: c.spawn()?,
        base: format!("http://127.0.0.1:{port}"),
    };
    let base = server.base.clone();
    wait_until_up(&base, &mut server).await?;
    let start_seconds = started.elapsed().as_secs_f64();
    let api = reqwest::Client::new();

    // The search index is built in the background on a new instance: wait for it.
    let sample = json_get(&api, &base, &token, "/api/v1/tickets?queue=all&limit=200").await?;
    let tickets: Vec<Value> = sample["tickets"].as_array().cloned().unwrap_or_default();
    ensure!(!tickets.is_empty(), "the demo loaded no tickets");
    wait_for_index(&api, &base, &token).await?;
    let index_seconds = started.elapsed().as_secs_f64();
    eprintln!("kefu up in {start_seconds:.1} s, search index ready after {index_seconds:.1} s");

    let rss_idle = server.rss_kb("VmRSS:");
    let customers = json_get(&api, &base, &token, "/api/v1/customers?limit=200").await?;
    let names: Vec<String> = customers
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c["name"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    ensure!(!names.is_empty(), "no customers");
    let ids: Vec<i64> = tickets.iter().filter_map(|t| t["id"].as_i64()).collect();
    let max_id = ids.iter().copied().max().unwrap_or(1);

    let mut rows = Vec::new();
    let n = args.requests;
    let clients = args.page_clients;
    eprintln!();
    eprintln!("measuring…");

    // 3. Pages of the staff UI, signed in as an agent.
    let agent = sign_in(&base, "agent01").await?;
    for (name, queue) in [
        ("queue page: mine", "mine"),
        ("queue page: all open", "open"),
        ("queue page: overdue", "overdue"),
    ] {
        let reqs = (0..n)
            .map(|_| get(format!("/tickets?queue={queue}")))
            .collect();
        rows.push(measure(name, &agent, &base, None, clients, reqs).await?);
    }
    let reqs = (0..n)
        .map(|i| get(format!("/tickets/{}", 1 + (i as i64 * 7919) % max_id)))
        .collect();
    rows.push(measure("ticket page", &agent, &base, None, clients, reqs).await?);

    // The workbench 工作台, as each role lands on it: one demo user per role.
    for (role, username) in WORKBENCH_USERS {
        let client = sign_in(&base, username).await?;
        let reqs = (0..n.div_ceil(4)).map(|_| get("/".to_owned())).collect();
        let name = format!("workbench: {role}");
        rows.push(measure(&name, &client, &base, None, clients, reqs).await?);
    }

    // 4. Customer search (the archive's list box) and full-text search.
    let reqs = (0..n)
        .map(|i| get(format!("/api/v1/customers?q={:04}", (i * 7919) % 10_000)))
        .collect();
    rows.push(
        measure(
            "customer search: last 4 digits",
            &api,
            &base,
            Some(&token),
            clients,
            reqs,
        )
        .await?,
    );
    let reqs = (0..n)
        .map(|i| {
            let name = &names[i % names.len()];
            let part: String = name.chars().skip(2).take(2).collect();
            get(format!("/api/v1/customers?q={}", urlencode(&part)))
        })
        .collect();
    rows.push(
        measure(
            "customer search: part of a name",
            &api,
            &base,
            Some(&token),
            clients,
            reqs,
        )
        .await?,
    );
    let words = [
        "不制冷",
        "漏水",
        "噪音",
        "空调 外机",
        "冰箱 异味",
        "退款",
        "发票",
        "安装",
    ];
    let reqs = (0..n)
        .map(|i| {
            get(format!(
                "/api/v1/search?q={}",
                urlencode(words[i % words.len()])
            ))
        })
        .collect();
    rows.push(
        measure(
            "full-text search: words",
            &api,
            &base,
            Some(&token),
            clients,
            reqs,
        )
        .await?,
    );
    // The broadest phrase: two very common bigrams (不制 + 制冷) in tens of thousands of
    // conversations.
    let reqs = (0..n.div_ceil(2))
        .map(|_| get(format!("/api/v1/search?q={}", urlencode("不制冷"))))
        .collect();
    rows.push(
        measure(
            "full-text search: 不制冷 alone",
            &api,
            &base,
            Some(&token),
            clients,
            reqs,
        )
        .await?,
    );
    let reqs = (0..n)
        .map(|i| {
            get(format!(
                "/api/v1/search?q={}",
                urlencode(&names[i % names.len()])
            ))
        })
        .collect();
    rows.push(
        measure(
            "full-text search: a customer name",
            &api,
            &base,
            Some(&token),
            clients,
            reqs,
        )
        .await?,
    );

    // 5. The complaint statistics report over the whole half year, one request at a time.
    let now = SystemClock.now();
    let day = |t: Timestamp| t.to_string().get(..10).unwrap_or_default().to_owned();
    let from = day(now - SignedDuration::from_hours(200 * 24));
    let to = day(now + SignedDuration::from_hours(48));
    let reqs = (0..args.report_requests)
        .map(|i| {
            let by = ["category", "cause", "department", "channel", "severity"][i % 5];
            get(format!(
                "/api/v1/complaints/stats?by={by}&from={from}&to={to}"
            ))
        })
        .collect();
    rows.push(
        measure(
            "complaint statistics, half a year",
            &api,
            &base,
            Some(&token),
            1,
            reqs,
        )
        .await?,
    );

    // 6. API ticket creation.
    let reqs = (0..args.create)
        .map(|i| {
            let body = json!({
                "type": "fault_report",
                "channel": "api",
                "subject": format!("空调不制冷，外机异响（压测 {i}）"),
                "body": "家里的变频空调开机半小时还是不制冷，外机有异响，麻烦尽快安排师傅上门看看。",
                "contact_name": "王女士",
                "contact_phone": "13812345678",
                "customer_tier": "normal",
            });
            (reqwest::Method::POST, "/api/v1/tickets".to_owned(), Some(body))
        })
        .collect();
    let creation = measure(
        "API ticket creation",
        &api,
        &base,
        Some(&token),
        args.clients,
        reqs,
    )
    .await?;
    let created_per_second = creation.requests as f64 / creation.seconds;
    rows.push(creation);
    let rss_peak = server.rss_kb("VmHWM:");
    let rss_anon = server.rss_kb("RssAnon:");
    drop(server);

    // 7. The baseline, same engine and durability, same machine, same run.
    eprintln!("baseline: {} raw ticket inserts…", args.create);
    let base_url = fresh_database(args.postgres.as_deref(), &dir, "baseline", false).await?;
    let base_url = durable(base_url);
    let baseline_per_second = crate::baseline::run(&base_url, args.create, args.clients, 1).await?;
    let ratio = created_per_second / baseline_per_second;
    // The engine's ceiling for these rows: as many tickets a transaction as kefu's intake
    // writes together at most, one multi-row statement per table.
    eprintln!("baseline: the same rows, {BASELINE_BATCH} tickets a transaction…");
    let multi_url = fresh_database(args.postgres.as_deref(), &dir, "baseline_multi", false).await?;
    let multi_url = durable(multi_url);
    let multi_per_second =
        crate::baseline::run(&multi_url, args.create, args.clients, BASELINE_BATCH).await?;
    let multi_ratio = created_per_second / multi_per_second;

    println!();
    println!(
        "kefu benchmark — {backend}, demo scale {} ({} CPUs, {})",
        args.scale, report["machine"]["cpus"], report["machine"]["cpu"]
    );
    println!();
    println!(
        "| measure | requests | clients | per s | server p50 / p99 ms | client p50 / p99 ms |"
    );
    println!("|---|---:|---:|---:|---|---|");
    for r in &rows {
        println!("{}", r.markdown());
    }
    println!();
    println!("| figure | value |");
    println!("|---|---|");
    if let Some(s) = load_seconds {
        println!("| demo load | {s:.0} s |");
    }
    println!("| start to /healthz | {start_seconds:.1} s |");
    println!("| search index ready after start | {index_seconds:.1} s |");
    println!("| API ticket creation | {created_per_second:.0} tickets/s |");
    println!("| raw-insert baseline | {baseline_per_second:.0} tickets/s |");
    println!("| kefu / baseline | {:.0} % |", ratio * 100.0);
    println!(
        "| multi-row baseline, {BASELINE_BATCH} tickets a transaction | {multi_per_second:.0} tickets/s |"
    );
    println!(
        "| kefu / multi-row baseline | {:.0} % |",
        multi_ratio * 100.0
    );
    if args.postgres.is_none() {
        println!("| SQLite synchronous | {} |", synchronous.key());
    }
    if let Some(kb) = rss_idle {
        println!("| server RSS after start | {:.0} MB |", kb as f64 / 1024.0);
    }
    if let Some(kb) = rss_peak {
        println!("| server peak RSS | {:.0} MB |", kb as f64 / 1024.0);
    }
    if let Some(kb) = rss_anon {
        println!(
            "| server RSS at the end, heap only (without mapped index files) | {:.0} MB |",
            kb as f64 / 1024.0
        );
    }

    report["rows"] = Value::Array(rows.iter().map(Row::json).collect());
    report["demo_load_seconds"] = json!(load_seconds);
    report["start_seconds"] = json!(start_seconds);
    report["search_ready_seconds"] = json!(index_seconds);
    report["creation_per_second"] = json!(created_per_second);
    report["baseline_per_second"] = json!(baseline_per_second);
    report["creation_vs_baseline"] = json!(ratio);
    report["multi_row_baseline_per_second"] = json!(multi_per_second);
    report["creation_vs_multi_row_baseline"] = json!(multi_ratio);
    report["rss_after_start_mb"] = json!(rss_idle.map(|kb| kb as f64 / 1024.0));
    report["rss_peak_mb"] = json!(rss_peak.map(|kb| kb as f64 / 1024.0));
    report["rss_anon_end_mb"] = json!(rss_anon.map(|kb| kb as f64 / 1024.0));
    std::fs::write(&args.json, serde_json::to_string_pretty(&report)?)?;
    println!();
    println!("JSON report: {}", args.json.display());
    Ok(())
}
