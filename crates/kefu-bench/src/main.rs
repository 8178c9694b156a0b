//! kefu-bench — loads a number of tickets through kefu's own intake path, then measures
//! the staff pages over HTTP with concurrent clients and prints median and p99 latencies.
//!
//! Run by hand (release build): `cargo run --release -p kefu-bench -- tickets --count 100000`.
//! Figures depend on the machine; compare runs made on the same one.

mod accounts;
mod baseline;
mod complaints;
mod day;
mod mail;
mod procstat;
mod quality;
mod queues;
mod run;
mod search;
mod setup;
mod timing;

// Live chat and the channels' webhooks, measured against the real server.
mod chat;
mod harness;
mod webhooks;

// Several instances behind haproxy.
mod instances;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;
use kefu::config::ServerConfig;
use kefu_app::Actor;
use kefu_app::ticket::Intake;
use kefu_app::users::UserForm;
use kefu_domain::ticket::{Channel, Priority, TicketType};
use kefu_domain::{Locale, Role, RoleSet, SystemClock};
use tokio::net::TcpListener;

#[derive(Parser)]
#[command(about = "kefu benchmark: load tickets, measure pages")]
enum Command {
    /// Load tickets and measure the queue and ticket pages.
    Tickets(TicketsArgs),
    /// Import customers from generated CSV and XLSX files, then measure customer search.
    Customers(CustomersArgs),
    /// Open complaints (some judged), then measure the statistics report and the list.
    Complaints(complaints::ComplaintsArgs),
    /// Mail fetched by IMAP from a real dovecot: a full mailbox's mails/s, and a delivered
    /// mail's time to its ticket with IDLE and when polled.
    Mail(mail::MailArgs),
    /// Build the search index over a `tickets` run's database, measure queries and freshness.
    Search(search::SearchArgs),
    /// Live chat with many widgets open: a visitor's message to the agent's console and the
    /// agent's answer back, p50/p99, with every failure counted.
    Chat(chat::ChatArgs),
    /// The mail, phone, SMS and WeChat webhooks posted concurrently: ack p50/p99/max and
    /// posts/s per endpoint, the outcome counted in the database.
    Webhooks(webhooks::WebhooksArgs),
    /// One mixed API load through haproxy with one, two and three instances on one
    /// PostgreSQL database: requests/s, latency, and the CPU each part used.
    Instances(instances::InstancesArgs),
    /// 服务质量 at a scale: the morning's sample of a crowded day (time, spread), the daily
    /// report over many anomalies (time per revision, XLSX size), the demo's calibration.
    Quality(quality::QualityArgs),
    /// 对账与应收 at a scale: a year of orders (a million lines), payments and RMAs; last
    /// month's statements for every customer, the ageing report, accounts, the cost report.
    Accounts(accounts::AccountsArgs),
    /// Every queue tab × order × direction over a loaded database: server p50/p99 per page
    /// beside the plan the database chose.
    Queues(queues::QueuesArgs),
    /// The benchmark: the demo company at a scale, the real server, every measure, the
    /// raw-insert baseline; Markdown and JSON.
    Run(run::RunArgs),
    /// A working day at once: agents at work on the pages, tickets arriving through the API
    /// and the web form, the report every minute, jobs and search running; page p50/p99,
    /// intake, index freshness, job lag, write waits, CPU and memory.
    Day(day::DayArgs),
}

#[derive(clap::Args)]
struct CustomersArgs {
    /// Rows per import file (CSV and XLSX are both measured at this size); at most the
    /// import's limit, `MAX_IMPORT_ROWS`.
    #[arg(long, default_value_t = kefu_app::customer_import::MAX_IMPORT_ROWS)]
    rows: usize,
    /// Customers in the archive when search is measured (more CSV imports fill it up).
    #[arg(long, default_value_t = 1_000_000)]
    total: usize,
    #[arg(long, default_value = "bench-customers")]
    data_dir: std::path::PathBuf,
    /// Requests per measured search.
    #[arg(long, default_value_t = 300)]
    requests: usize,
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
}

const SURNAMES: [&str; 16] = [
    "王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
];
const CITIES: [(&str, &str); 10] = [
    ("浙江", "杭州"),
    ("江苏", "苏州"),
    ("广东", "广州"),
    ("四川", "成都"),
    ("北京", "北京"),
    ("上海", "上海"),
    ("湖北", "武汉"),
    ("山东", "青岛"),
    ("福建", "厦门"),
    ("陕西", "西安"),
];
const TRADES: [&str; 8] = [
    "贸易", "机电", "家电", "物业", "酒店", "科技", "电器", "五金",
];

/// Customer row `n` of a generated import file: unique name and mobile.
fn customer_row(n: usize) -> Vec<String> {
    let (province, city) = CITIES[n % CITIES.len()];
    let trade = TRADES[(n / 10) % TRADES.len()];
    vec![
        format!(
            "{city}{}{trade}有限公司{n}",
            ["恒通", "明达", "天府", "粤海", "京华", "浦江"][n % 6]
        ),
        format!("{}经理", SURNAMES[n % SURNAMES.len()]),
        format!("1{}{:09}", [3, 5, 8, 7, 9][n % 5], n),
        format!("{province} {city}"),
        ["大客户", "VIP", "普通", "普通", "普通"][n % 5].to_owned(),
        ["终端客户", "经销商", "代理商"][n % 3].to_owned(),
        format!("c{n}@example.cn"),
    ]
}

const CUSTOMER_HEADERS: [&str; 7] = [
    "客户名称",
    "联系人",
    "手机",
    "地区",
    "客户等级",
    "客户类型",
    "邮箱",
];

fn customers_csv(from: usize, rows: usize) -> Vec<u8> {
    let mut out = CUSTOMER_HEADERS.join(",");
    out.push('\n');
    for n in from..from + rows {
        out.push_str(&customer_row(n).join(","));
        out.push('\n');
    }
    out.into_bytes()
}

fn customers_xlsx(from: usize, rows: usize) -> anyhow::Result<Vec<u8>> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (c, h) in CUSTOMER_HEADERS.iter().enumerate() {
        sheet.write_string(0, c as u16, *h)?;
    }
    for (r, n) in (from..from + rows).enumerate() {
        for (c, v) in customer_row(n).iter().enumerate() {
            sheet.write_string(r as u32 + 1, c as u16, v)?;
        }
    }
    Ok(book.save_to_buffer()?)
}

async fn bench_customers(args: CustomersArgs) -> anyhow::Result<()> {
    let max_rows = kefu_app::customer_import::MAX_IMPORT_ROWS;
    anyhow::ensure!(
        (1..=max_rows).contains(&args.rows),
        "--rows must be 1..={max_rows}, the import's limit per file"
    );
    if args.data_dir.exists() {
        std::fs::remove_dir_all(&args.data_dir)?;
    }
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: kefu::config::sqlite_url(&args.data_dir),
        read_database_url: None,
        web: kefu_web::WebConfig {
            api_rate_per_minute: 1_000_000,
            ..kefu_web::WebConfig::default()
        },
        app: kefu_app::Settings::default(),
        search_dir: None,
    };
    let app = kefu::server::prepare(&config, Arc::new(SystemClock))
        .await?
        .app;
    let system = Actor::system();
    let none = |_: usize, _: usize| {};
    let skip = kefu_app::customer_import::Duplicates::Skip;

    println!("| import | rows | seconds | rows/s | file MB |");
    println!("|---|---:|---:|---:|---:|");
    let csv = customers_csv(0, args.rows);
    let started = Instant::now();
    let r = app
        .import_customers(&system, "bench.csv", &csv, false, skip, &none)
        .await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "| CSV (UTF-8) | {} | {secs:.1} | {:.0} | {:.1} |",
        r.created,
        r.created as f64 / secs,
        csv.len() as f64 / 1048576.0
    );
    let xlsx = customers_xlsx(args.rows, args.rows)?;
    let started = Instant::now();
    let r = app
        .import_customers(&system, "bench.xlsx", &xlsx, false, skip, &none)
        .await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "| XLSX | {} | {secs:.1} | {:.0} | {:.1} |",
        r.created,
        r.created as f64 / secs,
        xlsx.len() as f64 / 1048576.0
    );

    let mut loaded = 2 * args.rows;
    while loaded < args.total {
        let n = args.rows.min(args.total - loaded);
        let csv = customers_csv(loaded, n);
        app.import_customers(&system, "fill.csv", &csv, false, skip, &none)
            .await?;
        loaded += n;
        println!("  {loaded} customers");
    }

    let listener = TcpListener::bind(config.listen).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kefu::server::run(
        app.clone(),
        config.web.clone(),
        listener,
        kefu::server::RunOptions {
            job_poll: None,
            ..kefu::server::RunOptions::default()
        },
        async {
            let _ = stop_rx.await;
        },
    ));
    let user = app
        .create_user(
            &system,
            &UserForm {
                username: "bench.search".into(),
                display_name: "压测".into(),
                email: None,
                password: Some("bench-password-123".into()),
                department: None,
                level: None,
                locale: Locale::ZhCn,
                roles: RoleSet::new([Role::Agent]),
            },
        )
        .await?
        .user
        .id;
    let token = app.create_token(&system, user, "bench").await?.secret;
    let client = reqwest::Client::new();
    let total = loaded;
    let searches: Vec<(&str, PathFor)> = vec![
        (
            "last 4 digits of a mobile",
            Box::new(move |i| format!("/api/v1/customers?q={:04}", (i * 7919) % 10_000)),
        ),
        (
            "first 7 digits of a mobile",
            Box::new(move |i| {
                let n = (i * 7919) % total;
                format!(
                    "/api/v1/customers?q=1{}{:05}",
                    [3, 5, 8, 7, 9][n % 5],
                    n / 10_000
                )
            }),
        ),
        (
            "email",
            Box::new(move |i| format!("/api/v1/customers?q=c{}@example.cn", (i * 7919) % total)),
        ),
        (
            "name, any part (明达…)",
            Box::new(move |i| {
                format!(
                    "/api/v1/customers?q=%E6%98%8E%E8%BE%BE%E6%9C%BA%E7%94%B5%E6%9C%89%E9%99%90%E5%85%AC%E5%8F%B8{}",
                    (i * 7919) % total
                )
            }),
        ),
        (
            "list, filter tier + province",
            Box::new(|_| {
                "/api/v1/customers?tier=key_account&province=%E6%B5%99%E6%B1%9F".to_owned()
            }),
        ),
    ];
    println!();
    println!("| search | customers | requests | median ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, path) in &searches {
        let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicUsize::new(0));
        let mut workers = Vec::new();
        for _ in 0..args.concurrency {
            let client = client.clone();
            let base = base.clone();
            let token = token.clone();
            let latencies = latencies.clone();
            let counter = counter.clone();
            let urls: Vec<String> = (0..args.requests).map(path).collect();
            workers.push(tokio::spawn(async move {
                loop {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    if i >= urls.len() {
                        return Ok::<(), anyhow::Error>(());
                    }
                    let t0 = Instant::now();
                    let res = client
                        .get(format!("{base}{}", urls[i]))
                        .bearer_auth(&token)
                        .send()
                        .await?;
                    let status = res.status();
                    res.bytes().await?;
                    anyhow::ensure!(status.is_success(), "{} answered {status}", urls[i]);
                    latencies.lock().await.push(t0.elapsed());
                }
            }));
        }
        for w in workers {
            w.await??;
        }
        let mut l = latencies.lock().await.clone();
        l.sort();
        println!(
            "| {name} | {total} | {} | {} | {} |",
            l.len(),
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.99))
        );
    }
    let _ = stop_tx.send(());
    server.await??;
    Ok(())
}

#[derive(clap::Args)]
struct TicketsArgs {
    /// How many tickets to load.
    #[arg(long, default_value_t = 100_000)]
    count: usize,
    /// Database URL; default a fresh SQLite file under --data-dir.
    #[arg(long)]
    database_url: Option<String>,
    /// Where the SQLite file goes (emptied first).
    #[arg(long, default_value = "bench-data")]
    data_dir: std::path::PathBuf,
    /// Concurrent intake tasks while loading.
    #[arg(long, default_value_t = 8)]
    load_concurrency: usize,
    /// Concurrent HTTP clients while measuring.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Requests per measured page.
    #[arg(long, default_value_t = 1000)]
    requests: usize,
    /// Reuse the database if it already holds tickets (skip loading).
    #[arg(long)]
    reuse: bool,
}

const PRODUCTS: [&str; 12] = [
    "变频空调",
    "滚筒洗衣机",
    "双开门冰箱",
    "燃气热水器",
    "液晶电视",
    "电饭煲",
    "扫地机器人",
    "空气净化器",
    "净水器",
    "微波炉",
    "油烟机",
    "洗碗机",
];
const PROBLEMS: [&str; 12] = [
    "不制冷",
    "噪音很大",
    "无法开机",
    "显示故障代码 E3",
    "漏水",
    "遥控失灵",
    "安装预约",
    "发票开错",
    "物流延迟",
    "配件缺失",
    "外观划伤",
    "申请退货",
];
const CUSTOMERS: [&str; 8] = [
    "杭州明达贸易有限公司",
    "苏州恒通机电",
    "王先生",
    "李女士",
    "成都天府家电城",
    "广州粤海酒店",
    "赵女士",
    "北京京华物业",
];

/// The path of the i-th request to a measured page.
type PathFor = Box<dyn Fn(usize) -> String + Send + Sync>;

fn pick<T: Copy>(list: &[T], n: usize) -> T {
    list[n % list.len()]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The workspace's reqwest comes without a TLS crypto provider of its own.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let args = match Command::parse() {
        Command::Tickets(a) => a,
        Command::Customers(a) => return bench_customers(a).await,
        Command::Complaints(a) => return complaints::run(a).await,
        Command::Quality(a) => return quality::run(a).await,
        Command::Accounts(a) => return accounts::run(a).await,
        Command::Search(a) => return search::run(a).await,
        Command::Mail(a) => return mail::run(a).await,
        Command::Chat(a) => return chat::run(a).await,
        Command::Webhooks(a) => return webhooks::run(a).await,
        Command::Run(a) => return run::run(a).await,
        Command::Queues(a) => return queues::run(a).await,
        Command::Instances(a) => return instances::run(a).await,
        Command::Day(a) => return day::run(a).await,
    };
    let url = match &args.database_url {
        Some(u) => u.clone(),
        None => {
            if !args.reuse && args.data_dir.exists() {
                std::fs::remove_dir_all(&args.data_dir).context("emptying the data dir")?;
            }
            kefu::config::sqlite_url(&args.data_dir)
        }
    };
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: url.clone(),
        read_database_url: None,
        web: kefu_web::WebConfig {
            api_rate_per_minute: 1_000_000,
            ..kefu_web::WebConfig::default()
        },
        app: kefu_app::Settings::default(),
        search_dir: None,
    };
    let prepared = kefu::server::prepare(&config, Arc::new(SystemClock)).await?;
    let app = prepared.app;
    let system = Actor::system();
    let password = "bench-password-123";
    let agent = match app
        .list_users(&system)
        .await?
        .into_iter()
        .find(|u| u.username == "bench.agent")
    {
        Some(u) => u.id,
        None => {
            app.create_user(
                &system,
                &UserForm {
                    username: "bench.agent".into(),
                    display_name: "压测客服".into(),
                    email: None,
                    password: Some(password.into()),
                    department: None,
                    level: None,
                    locale: Locale::ZhCn,
                    roles: RoleSet::new([Role::Agent]),
                },
            )
            .await?
            .user
            .id
        }
    };

    let existing = {
        let mut conn = app.store.conn().await?;
        kefu_store::ticket::count(&mut conn, &Default::default(), i64::MAX).await?
    } as usize;
    let to_load = args.count.saturating_sub(existing);
    if to_load > 0 {
        println!(
            "loading {to_load} tickets through the intake path ({} tasks)…",
            args.load_concurrency
        );
        let started = Instant::now();
        let next = Arc::new(AtomicUsize::new(existing));
        let end = existing + to_load;
        let mut tasks = Vec::new();
        for _ in 0..args.load_concurrency {
            let app = app.clone();
            let next = next.clone();
            tasks.push(tokio::spawn(async move {
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= end {
                        return Ok::<(), anyhow::Error>(());
                    }
                    let product = pick(&PRODUCTS, n);
                    let problem = pick(&PROBLEMS, n / 7);
                    let mut req = Intake::new(
                        pick(
                            &[
                                Channel::Phone,
                                Channel::Email,
                                Channel::WebForm,
                                Channel::Wechat,
                            ],
                            n / 3,
                        ),
                        &format!("{product}{problem}"),
                        &format!(
                            "客户反映：{product}{problem}，订单号 PO-2026-{:05}，请尽快处理。",
                            n % 100_000
                        ),
                    );
                    req.ticket_type = pick(
                        &[
                            TicketType::Inquiry,
                            TicketType::AfterSales,
                            TicketType::Complaint,
                            TicketType::FaultReport,
                            TicketType::OrderIssue,
                        ],
                        n / 11,
                    );
                    req.priority = pick(
                        &[
                            Priority::Normal,
                            Priority::Normal,
                            Priority::High,
                            Priority::Low,
                            Priority::Urgent,
                        ],
                        n / 5,
                    );
                    req.customer_name = Some(pick(&CUSTOMERS, n / 13).to_owned());
                    req.contact_phone = Some(format!("138{:08}", n % 100_000_000));
                    // One ticket in five is the measuring agent's own.
                    if n.is_multiple_of(5) {
                        req.assignee_id = Some(agent);
                    }
                    app.intake(&Actor::system(), &req).await?;
                    if n > 0 && n.is_multiple_of(50_000) {
                        println!("  {n} tickets");
                    }
                }
            }));
        }
        for t in tasks {
            t.await??;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "loaded {to_load} tickets in {secs:.1} s ({:.0} tickets/s)",
            to_load as f64 / secs
        );
    }

    let listener = TcpListener::bind(config.listen).await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kefu::server::run(
        app.clone(),
        config.web.clone(),
        listener,
        kefu::server::RunOptions {
            job_poll: None,
            ..kefu::server::RunOptions::default()
        },
        async {
            let _ = stop_rx.await;
        },
    ));

    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let login = client
        .get(format!("{base}/login"))
        .send()
        .await?
        .text()
        .await?;
    let marker = "name=\"_csrf\" value=\"";
    let start = login.find(marker).context("csrf on login page")? + marker.len();
    let csrf = login[start..start + 64].to_owned();
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("username", "bench.agent"),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await?;
    anyhow::ensure!(
        res.status().is_success() || res.status().is_redirection(),
        "sign-in failed"
    );

    // A cursor deep in the open queue, to show that page 1000 costs what page 1 does.
    let deep = {
        let mut conn = app.store.conn().await?;
        let f = kefu_store::ticket::TicketFilter {
            active_only: true,
            ..Default::default()
        };
        let rows = kefu_store::ticket::list(
            &mut conn,
            &f,
            kefu_store::ticket::SortKey::Updated,
            false,
            None,
            1,
        )
        .await?;
        let mut cursor = rows.first().map(|t| kefu_store::ticket::Cursor {
            value: kefu_store::ticket::SortKey::Updated.value(t),
            id: t.id,
        });
        // Walk ~half way down by keyset pages of 500.
        for _ in 0..(args.count / 1000).min(1000) {
            let page = kefu_store::ticket::list(
                &mut conn,
                &f,
                kefu_store::ticket::SortKey::Updated,
                false,
                cursor,
                500,
            )
            .await?;
            match page.last() {
                Some(t) => {
                    cursor = Some(kefu_store::ticket::Cursor {
                        value: kefu_store::ticket::SortKey::Updated.value(t),
                        id: t.id,
                    })
                }
                None => break,
            }
        }
        cursor
            .map(|c| format!("{}.{}", c.value, c.id))
            .unwrap_or_default()
    };
    let total = args.count.max(1) as i64;
    let pages: Vec<(&str, PathFor)> = vec![
        (
            "queue: mine",
            Box::new(|_| "/tickets?queue=mine".to_owned()),
        ),
        (
            "queue: all open",
            Box::new(|_| "/tickets?queue=open".to_owned()),
        ),
        (
            "queue: all open, deep page",
            Box::new(move |_| format!("/tickets?queue=open&after={deep}")),
        ),
        (
            "queue: open, high priority",
            Box::new(|_| "/tickets?queue=open&priority=high".to_owned()),
        ),
        (
            "ticket page",
            Box::new(move |i| format!("/tickets/{}", 1 + (i as i64 * 7919) % total)),
        ),
    ];

    println!();
    println!("| page | tickets | requests | concurrency | median ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, path) in &pages {
        // Warm up.
        for i in 0..20 {
            client
                .get(format!("{base}{}", path(i)))
                .send()
                .await?
                .bytes()
                .await?;
        }
        let path = Arc::new(path);
        let latencies = Arc::new(tokio::sync::Mutex::new(Vec::with_capacity(args.requests)));
        let counter = Arc::new(AtomicUsize::new(0));
        let mut workers = Vec::new();
        for _ in 0..args.concurrency {
            let client = client.clone();
            let base = base.clone();
            let latencies = latencies.clone();
            let counter = counter.clone();
            let url_for: Vec<String> = (0..args.requests).map(|i| path(i)).collect();
            workers.push(tokio::spawn(async move {
                loop {
                    let i = counter.fetch_add(1, Ordering::Relaxed);
                    if i >= url_for.len() {
                        return Ok::<(), anyhow::Error>(());
                    }
                    let t0 = Instant::now();
                    let res = client.get(format!("{base}{}", url_for[i])).send().await?;
                    let status = res.status();
                    res.bytes().await?;
                    anyhow::ensure!(status.is_success(), "{} answered {status}", url_for[i]);
                    latencies.lock().await.push(t0.elapsed());
                }
            }));
        }
        for w in workers {
            w.await??;
        }
        let mut l = latencies.lock().await.clone();
        l.sort();
        println!(
            "| {name} | {} | {} | {} | {} | {} |",
            args.count,
            l.len(),
            args.concurrency,
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.99))
        );
    }
    let _ = stop_tx.send(());
    server.await??;
    Ok(())
}
