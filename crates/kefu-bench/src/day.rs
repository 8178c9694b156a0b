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

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use serde_json::{Value, json};

use crate::harness::{Spread, serve_with, sign_in, sign_in_with};
use crate::procstat::{machine_ticks, postgres_pids, status_kb, ticks, ticks_per_second};
use crate::run::{
    fresh_database, json_get, kefu_binary, kefu_cmd, load_demo, machine, run_checked, server_time,
    urlencode, wait_for_index,
};

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

/// Words agents search for: the demo's common complaints.
const TERMS: [&str; 10] = [
    "不制冷",
    "退款",
    "漏水",
    "发票",
    "安装",
    "维修",
    "物流",
    "噪音",
    "质量",
    "上门",
];

const QUEUES: [&str; 7] = [
    "mine",
    "unassigned",
    "groups",
    "pending",
    "overdue",
    "open",
    "all",
];
/// Whether a refused status change was told already (the first one is, as a sample).
static TOLD: AtomicBool = AtomicBool::new(false);

const SORTS: [&str; 4] = ["updated", "created", "priority", "due"];

/// One answer: its kind, how long the client and the server took, and whether it was the
/// answer a person expects.
struct Seen {
    kind: &'static str,
    client: Duration,
    server: Option<Duration>,
    ok: bool,
    /// The HTTP status, 0 when no answer came.
    status: u16,
}

#[derive(Clone)]
struct Recorder {
    measuring: Arc<AtomicBool>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Recorder {
    fn note(&self, kind: &'static str, began: Instant, res: Option<&reqwest::Response>) {
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
    async fn send(
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

/// A small deterministic generator per agent (xorshift64*), so a run repeats its choices.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    /// An exponential wait with mean `mean` seconds.
    fn think(&mut self, mean: f64) -> Duration {
        let u = (self.next() >> 11) as f64 / (1u64 << 53) as f64;
        Duration::from_secs_f64(-mean * (1.0 - u).max(1e-12).ln())
    }
}

/// The value of the first `name="…" value="…"` after `from` in `html`.
fn input_value<'a>(html: &'a str, from: usize, name: &str) -> Option<&'a str> {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html.get(from..)?.find(&marker)? + from + marker.len();
    let end = html[at..].find('"')? + at;
    Some(&html[at..end])
}

/// The numbers after each `prefix` in `html` (`href="/tickets/` → ticket ids).
fn ids_after(html: &str, prefix: &str) -> Vec<i64> {
    html.match_indices(prefix)
        .filter_map(|(i, _)| {
            let rest = &html[i + prefix.len()..];
            let end = rest.find(|c: char| !c.is_ascii_digit())?;
            rest[..end].parse().ok()
        })
        .collect()
}

/// The option values of the `<select name="{name}"…>` starting after `from`.
fn options(html: &str, from: usize, name: &str) -> Vec<String> {
    let marker = format!("<select name=\"{name}\"");
    let Some(start) = html
        .get(from..)
        .and_then(|h| h.find(&marker))
        .map(|i| i + from)
    else {
        return Vec::new();
    };
    let end = html[start..]
        .find("</select>")
        .map_or(html.len(), |e| e + start);
    html[start..end]
        .match_indices("<option value=\"")
        .filter_map(|(i, m)| {
            let rest = &html[start + i + m.len()..end];
            rest.find('"').map(|e| rest[..e].to_owned())
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// One agent's day: steps with think time between them until `stop`.
async fn agent(
    n: usize,
    client: reqwest::Client,
    base: String,
    rec: Recorder,
    stop: Arc<AtomicBool>,
    think: f64,
) {
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15 ^ (n as u64 + 1).wrapping_mul(0xff51_afd7_ed55_8ccd));
    // Agents do not all start at the same instant.
    tokio::time::sleep(dice.think(think)).await;
    while !stop.load(Ordering::Relaxed) {
        let queue = QUEUES[dice.below(QUEUES.len())];
        let sort = SORTS[dice.below(SORTS.len())];
        let path = format!("{base}/tickets?queue={queue}&sort={sort}");
        let Some((_, html)) = rec.send("queue", client.get(path)).await else {
            tokio::time::sleep(dice.think(think)).await;
            continue;
        };
        let ids = ids_after(&html, "href=\"/tickets/");
        tokio::time::sleep(dice.think(think)).await;
        if ids.is_empty() || stop.load(Ordering::Relaxed) {
            continue;
        }
        let id = ids[dice.below(ids.len())];
        let Some((200, page)) = rec
            .send("ticket", client.get(format!("{base}/tickets/{id}")))
            .await
        else {
            continue;
        };
        let mut page = page;
        let csrf = input_value(&page, 0, "_csrf")
            .unwrap_or_default()
            .to_owned();
        tokio::time::sleep(dice.think(think)).await;

        // Half the tickets opened get an answer from a script.
        let scripts = options(&page, 0, "script");
        if dice.chance(0.5) && !scripts.is_empty() && !stop.load(Ordering::Relaxed) {
            let script = &scripts[dice.below(scripts.len())];
            let used = rec
                .send(
                    "script",
                    client
                        .post(format!("{base}/tickets/{id}/script/{script}"))
                        .header("x-csrf-token", &csrf)
                        .header("accept", "application/json"),
                )
                .await;
            let text = used
                .and_then(|(_, body)| serde_json::from_str::<Value>(&body).ok())
                .and_then(|v| v["text"].as_str().map(str::to_owned))
                .unwrap_or_else(|| "您好，您的问题已收到，我们正在处理。".to_owned());
            tokio::time::sleep(dice.think(think)).await;
            let form = reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("visibility", "public")
                .text("body", text);
            let sent = rec
                .send(
                    "reply",
                    client
                        .post(format!("{base}/tickets/{id}/reply"))
                        .multipart(form),
                )
                .await;
            // The browser follows the redirect to the ticket page, now with the reply.
            if sent.is_some_and(|(status, _)| status == 303)
                && let Some((200, fresh)) = rec
                    .send("ticket", client.get(format!("{base}/tickets/{id}")))
                    .await
            {
                page = fresh;
            }
            tokio::time::sleep(dice.think(think)).await;
        }

        // A third get a new status, through the properties form as shown.
        if dice.chance(0.33) && !stop.load(Ordering::Relaxed) {
            let from = page.find("data-testid=\"properties\"").unwrap_or(0);
            let version = input_value(&page, from, "version");
            let shown = input_value(&page, from, "orig_status");
            let statuses = options(&page, from, "status");
            // A closed ticket is only reopened by its customer's reply: agents leave it.
            if let (Some(version), Some(shown)) = (version, shown.filter(|s| *s != "closed")) {
                // Nothing goes back to "new", and closing follows solving (a closed ticket
                // is the customer's to reopen).
                let others: Vec<&String> = statuses
                    .iter()
                    .filter(|s| *s != shown && *s != "new" && *s != "closed")
                    .collect();
                if !others.is_empty() {
                    let status = others[dice.below(others.len())];
                    let form = [
                        ("_csrf", csrf.as_str()),
                        ("version", version),
                        ("orig_status", shown),
                        ("status", status.as_str()),
                    ];
                    let sent = rec
                        .send(
                            "status",
                            client.post(format!("{base}/tickets/{id}")).form(&form),
                        )
                        .await;
                    match sent {
                        Some((303, _)) => {
                            rec.send("ticket", client.get(format!("{base}/tickets/{id}")))
                                .await;
                        }
                        Some((code, body)) if !TOLD.swap(true, Ordering::Relaxed) => {
                            let said = body
                                .find("role=\"alert\"")
                                .and_then(|i| body.get(i..(i + 300).min(body.len())))
                                .unwrap_or_default();
                            eprintln!("a status change was refused ({code}), first of any: {said}");
                        }
                        _ => {}
                    }
                    tokio::time::sleep(dice.think(think)).await;
                }
            }
        }

        if dice.chance(0.3) && !stop.load(Ordering::Relaxed) {
            let term = urlencode(TERMS[dice.below(TERMS.len())]);
            rec.send("search", client.get(format!("{base}/search?q={term}")))
                .await;
            tokio::time::sleep(dice.think(think)).await;
        }

        let customers = ids_after(&page, "href=\"/customers/");
        if dice.chance(0.3) && !customers.is_empty() && !stop.load(Ordering::Relaxed) {
            let customer = customers[0];
            rec.send(
                "customer",
                client.get(format!("{base}/customers/{customer}")),
            )
            .await;
            tokio::time::sleep(dice.think(think)).await;
        }
    }
}

/// One arrival through the public web form: the form as a customer loads it, then sent.
/// Each visitor comes from an address of its own (through the reverse proxy kefu is told
/// to trust), as customers do; from one address the form's per-address limit would stop
/// them after twenty.
async fn web_form(client: reqwest::Client, base: String, rec: Recorder, n: u64) {
    let from = format!("10.{}.{}.{}", (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff);
    let Some((200, html)) = rec
        .send(
            "support form",
            client
                .get(format!("{base}/support"))
                .header("x-forwarded-for", &from),
        )
        .await
    else {
        return;
    };
    let csrf = input_value(&html, 0, "_csrf")
        .unwrap_or_default()
        .to_owned();
    let token = input_value(&html, 0, "form_token")
        .unwrap_or_default()
        .to_owned();
    let form = reqwest::multipart::Form::new()
        .text("_csrf", csrf)
        .text("form_token", token)
        .text("name", format!("顾客{n}"))
        .text("phone", format!("139{:08}", n % 100_000_000))
        .text("subject", format!("网页表单来单 {n}：空调外机噪音大"))
        .text(
            "body",
            "空调外机噪音很大，晚上影响休息，请安排师傅上门检查。",
        );
    rec.send(
        "intake: web form",
        client
            .post(format!("{base}/support"))
            .header("x-forwarded-for", &from)
            .multipart(form),
    )
    .await;
}

/// Arrivals at `rate` a second until `stop`, alternating the API and the web form; every
/// `probe_every`th API ticket carries a word of its own, and the time until search finds
/// it is noted as the index's freshness.
async fn arrivals(
    base: String,
    token: String,
    rate: f64,
    rec: Recorder,
    stop: Arc<AtomicBool>,
    freshness: Arc<Mutex<Vec<Duration>>>,
) {
    let api = reqwest::Client::new();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate.max(0.01)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let n = Arc::new(AtomicU64::new(0));
    while !stop.load(Ordering::Relaxed) {
        tick.tick().await;
        let k = n.fetch_add(1, Ordering::Relaxed);
        let (base, rec) = (base.clone(), rec.clone());
        if k % 2 == 1 {
            // A customer's browser: a client of its own, as each visitor has its cookies.
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("a client");
            tokio::spawn(web_form(client, base, rec, k));
            continue;
        }
        let (api, token, freshness) = (api.clone(), token.clone(), freshness.clone());
        // About one probe a second.
        let probe = (k / 2).is_multiple_of((rate.round().max(2.0) as u64 / 2).max(1));
        tokio::spawn(async move {
            let word = format!("fresh{k}probe");
            let subject = if probe {
                format!("接口来单 {k} {word}：冰箱不制冷")
            } else {
                format!("接口来单 {k}：冰箱不制冷")
            };
            let body =
                json!({"subject": subject, "body": "冰箱买了两个月，冷藏室不制冷，请尽快处理。"});
            let began = Instant::now();
            let res = api
                .post(format!("{base}/api/v1/tickets"))
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
                .ok();
            rec.note("intake: API", began, res.as_ref());
            let Some(res) = res.filter(|r| r.status() == 201) else {
                return;
            };
            let Ok(created) = res.json::<Value>().await else {
                return;
            };
            if !probe || !rec.measuring.load(Ordering::Relaxed) {
                return;
            }
            let id = created["id"].as_i64().unwrap_or(0);
            let acked = Instant::now();
            let path = format!("/api/v1/search?q={word}&kind=ticket");
            while acked.elapsed() < Duration::from_secs(60) {
                if let Ok(hits) = json_get(&api, &base, &token, &path).await
                    && hits
                        .as_array()
                        .is_some_and(|a| a.iter().any(|h| h["id"] == id))
                {
                    freshness
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(acked.elapsed());
                    return;
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
        });
    }
}

/// The manager opens the complaint statistics report every minute.
async fn reports(client: reqwest::Client, base: String, rec: Recorder, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        rec.send(
            "complaint report",
            client.get(format!("{base}/complaints/report")),
        )
        .await;
        for _ in 0..60 {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

/// CPU (as a share of one core) and memory of kefu and PostgreSQL, every five seconds.
#[derive(Default, Clone)]
struct Usage {
    at: f64,
    kefu_cpu: f64,
    postgres_cpu: f64,
    /// This benchmark's own share: the clients run on the same two cores.
    generator_cpu: f64,
    machine_busy: f64,
    kefu_rss_mb: f64,
}

async fn watch_usage(pid: u32, start: Instant, stop: Arc<AtomicBool>) -> Vec<Usage> {
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

fn postgres_ticks() -> u64 {
    postgres_pids().into_iter().map(ticks).sum()
}

/// A histogram of `/metrics`: cumulative counts per upper bound, the count and the sum.
#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: Vec<(f64, f64)>,
    count: f64,
    sum: f64,
}

impl Histogram {
    /// How many observations were above `bound` (a bucket's bound).
    fn above(&self, bound: f64) -> f64 {
        let within = self
            .buckets
            .iter()
            .find(|(le, _)| (*le - bound).abs() < 1e-9)
            .map_or(0.0, |(_, c)| *c);
        self.count - within
    }

    /// The bound under which `p` of the observations fell (the bucket's upper bound).
    fn quantile(&self, p: f64) -> f64 {
        let want = self.count * p;
        self.buckets
            .iter()
            .find(|(_, c)| *c >= want)
            .map_or(f64::INFINITY, |(le, _)| *le)
    }

    fn minus(&self, earlier: &Histogram) -> Histogram {
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
fn histograms(text: &str, name: &str) -> BTreeMap<String, Histogram> {
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

async fn scrape(base: &str) -> anyhow::Result<String> {
    Ok(reqwest::get(format!("{base}/metrics"))
        .await?
        .text()
        .await?)
}

pub async fn run(args: DayArgs) -> anyhow::Result<()> {
    let bin = kefu_binary(args.kefu.as_deref())?;
    let backend = if args.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    if !args.reuse && args.data_dir.exists() {
        std::fs::remove_dir_all(&args.data_dir).context("emptying the data dir")?;
    }
    std::fs::create_dir_all(&args.data_dir)?;
    let dir = args.data_dir.canonicalize()?;
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
