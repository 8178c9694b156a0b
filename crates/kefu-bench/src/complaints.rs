//! `kefu-bench complaints`: opens complaints through kefu's own use case (each with its
//! complaint ticket), walks a share of them through intake and the validity judgement, then
//! measures the complaint statistics report and the complaint list over HTTP.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use kefu::config::ServerConfig;
use kefu_app::Actor;
use kefu_app::complaint::{ComplaintForm, Judgement};
use kefu_app::users::UserForm;
use kefu_domain::complaint::{Category, Severity};
use kefu_domain::complaint_report::Dimension;
use kefu_domain::ticket::Channel;
use kefu_domain::{Locale, Role, RoleSet, SystemClock};
use tokio::net::TcpListener;

use crate::{PROBLEMS, PRODUCTS, ms, percentile, pick};

#[derive(clap::Args)]
pub struct ComplaintsArgs {
    /// How many complaints to open.
    #[arg(long, default_value_t = 100_000)]
    count: usize,
    /// Every n-th complaint is also taken in and judged (one in three by default).
    #[arg(long, default_value_t = 3)]
    judge_every: usize,
    #[arg(long, default_value = "bench-complaints")]
    data_dir: std::path::PathBuf,
    #[arg(long, default_value_t = 8)]
    load_concurrency: usize,
    /// Requests per measured report.
    #[arg(long, default_value_t = 20)]
    requests: usize,
}

const CHANNELS: [Channel; 4] = [
    Channel::Phone,
    Channel::Email,
    Channel::WebForm,
    Channel::Portal,
];

fn form(n: usize, now: jiff::Timestamp) -> ComplaintForm {
    // Spread over the last half year, so the report's periods are filled.
    let back = jiff::SignedDuration::from_mins(((n * 7919) % (180 * 24 * 60)) as i64);
    ComplaintForm {
        customer_id: None,
        complainant: format!("{}先生", pick(&["王", "李", "张", "刘", "陈", "杨"], n)),
        complainant_phone: Some(format!("139{:08}", n % 100_000_000)),
        channel: pick(&CHANNELS, n),
        content: format!(
            "购买的{}{}，第 {n} 号投诉，要求尽快处理。",
            pick(&PRODUCTS, n),
            pick(&PROBLEMS, n / 3)
        ),
        received_at: Some(now - back),
        order_number: format!("PO-2026-{:05}", n % 100_000),
        part_number: format!("GX-{:04}", n % 400),
        quantity: Some((n % 50 + 1) as i64),
        delivery_date: None,
        product: pick(&PRODUCTS, n).to_owned(),
        category: pick(Category::ALL, n / 7),
        severity: pick(Severity::ALL, n / 5),
    }
}

pub async fn run(args: ComplaintsArgs) -> anyhow::Result<()> {
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
    let departments = app.departments().await?;
    let now = app.now();

    let t0 = Instant::now();
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..args.load_concurrency {
        let app = app.clone();
        let next = next.clone();
        let departments: Vec<i64> = departments.iter().map(|d| d.id).collect();
        let (count, judge_every) = (args.count, args.judge_every.max(1));
        tasks.push(tokio::spawn(async move {
            let system = Actor::system();
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= count {
                    return Ok::<(), anyhow::Error>(());
                }
                let id = app.open_complaint(&system, None, &form(n, now)).await?;
                if n.is_multiple_of(judge_every) {
                    app.complete_intake(&system, id, "", None, None).await?;
                    let j = if n.is_multiple_of(judge_every * 4) {
                        Judgement::Invalid {
                            reason: "属使用咨询".into(),
                            reply: "您好，经核实属于使用问题，我们将安排技术指导。".into(),
                            script_id: None,
                        }
                    } else {
                        Judgement::Valid {
                            department_id: pick(&departments, n),
                            promised_answer_at: now + jiff::SignedDuration::from_hours(72),
                            customer_message: "您好，您的投诉已受理，我们将于三日内答复。".into(),
                            comment: String::new(),
                            follow_up_agent_id: None,
                        }
                    };
                    app.judge_complaint(&system, id, &j, None).await?;
                }
                if n > 0 && n.is_multiple_of(10_000) {
                    println!("  {n} complaints");
                }
            }
        }));
    }
    for t in tasks {
        t.await??;
    }
    let load = t0.elapsed();
    println!(
        "\nloaded {} complaints in {:.0} s ({:.0}/s, each with its ticket; one in {} judged)",
        args.count,
        load.as_secs_f64(),
        args.count as f64 / load.as_secs_f64(),
        args.judge_every
    );

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
                username: "bench.manager".into(),
                display_name: "压测经理".into(),
                email: None,
                password: Some("bench-password-123".into()),
                department: None,
                level: None,
                locale: Locale::ZhCn,
                roles: RoleSet::new([Role::CsManager]),
            },
        )
        .await?
        .user
        .id;
    let token = app.create_token(&system, user, "bench").await?.secret;
    let client = reqwest::Client::new();
    let today = now
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai")?)
        .date();
    let from = today.checked_sub(jiff::Span::new().days(183))?;
    let mut paths: Vec<(String, String)> = Dimension::ALL
        .iter()
        .map(|d| {
            (
                format!("statistics by {}, half a year", d.key()),
                format!(
                    "/api/v1/complaints/stats?from={from}&to={today}&by={}",
                    d.key()
                ),
            )
        })
        .collect();
    paths.push((
        "statistics by category, last 30 days".into(),
        "/api/v1/complaints/stats?by=category".into(),
    ));
    paths.push((
        "open complaints, 100 nearest deadlines".into(),
        "/api/v1/complaints?limit=100".into(),
    ));
    println!();
    println!("| request | complaints | requests | median ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, path) in &paths {
        let mut l: Vec<Duration> = Vec::new();
        for _ in 0..args.requests {
            let t = Instant::now();
            let res = client
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send()
                .await?;
            let status = res.status();
            res.bytes().await?;
            anyhow::ensure!(status.is_success(), "{path} answered {status}");
            l.push(t.elapsed());
        }
        l.sort();
        println!(
            "| {name} | {} | {} | {} | {} |",
            args.count,
            l.len(),
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.99))
        );
    }
    let _ = stop_tx.send(());
    server.await??;
    Ok(())
}
