//! `kefu-bench search`: on a database the `tickets` run filled, builds the search index from
//! scratch (time and size), then measures search over HTTP and how soon a new ticket is
//! found (the index follows the change log).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use kefu::config::ServerConfig;
use kefu_app::Actor;
use kefu_app::users::UserForm;
use kefu_domain::{Locale, Role, RoleSet, SystemClock};
use tokio::net::TcpListener;

use crate::{ms, percentile};

#[derive(clap::Args)]
pub struct SearchArgs {
    /// The data directory of an earlier `kefu-bench tickets` run (its database is used as is).
    #[arg(long, default_value = "bench-data")]
    data_dir: std::path::PathBuf,
    /// Requests per measured query.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// New tickets whose freshness is measured.
    #[arg(long, default_value_t = 20)]
    fresh: usize,
}

fn dir_size(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| match e.metadata() {
                    Ok(m) if m.is_dir() => dir_size(&e.path()),
                    Ok(m) => m.len(),
                    Err(_) => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

pub async fn run(args: SearchArgs) -> anyhow::Result<()> {
    let search_dir = args.data_dir.join("search");
    let _ = std::fs::remove_dir_all(&search_dir);
    let config = ServerConfig {
        listen: "127.0.0.1:0".parse()?,
        database_url: kefu::config::sqlite_url(&args.data_dir),
        read_database_url: None,
        web: kefu_web::WebConfig {
            api_rate_per_minute: 1_000_000,
            ..kefu_web::WebConfig::default()
        },
        app: kefu_app::Settings::default(),
        search_dir: Some(search_dir.clone()),
    };
    let app = kefu::server::prepare(&config, Arc::new(SystemClock))
        .await?
        .app;
    let tickets = {
        let mut conn = app.store.conn().await?;
        kefu_store::ticket::count(&mut conn, &Default::default(), i64::MAX).await?
    };
    anyhow::ensure!(
        tickets > 0,
        "no tickets in {}: run `kefu-bench tickets --count N --data-dir {}` first",
        args.data_dir.display(),
        args.data_dir.display()
    );

    println!("building the search index for {tickets} tickets…");
    let started = Instant::now();
    let last = std::sync::Mutex::new(Instant::now());
    let documents = app
        .reindex(&|done, total| {
            let mut l = last.lock().unwrap_or_else(|e| e.into_inner());
            if l.elapsed() > Duration::from_secs(15) {
                println!("  {done}/{total}");
                *l = Instant::now();
            }
        })
        .await
        .context("building the index")?;
    let build = started.elapsed();
    let size = dir_size(&search_dir);
    println!(
        "\n| index | tickets | documents | build s | docs/s | size MB |\n|---|---:|---:|---:|---:|---:|\n| tantivy (jieba + bigrams) | {tickets} | {documents} | {:.0} | {:.0} | {:.0} |",
        build.as_secs_f64(),
        documents as f64 / build.as_secs_f64(),
        size as f64 / 1_048_576.0
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
    let system = Actor::system();
    let user = app
        .create_user(
            &system,
            &UserForm {
                username: format!("bench.s{}", kefu_app::secret::random_hex(3)),
                display_name: "搜索压测".into(),
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
    let queries = [
        ("a dictionary word (不制冷)", "不制冷"),
        ("a product (空气净化器)", "空气净化器"),
        ("two words (冰箱 漏水)", "冰箱 漏水"),
        ("part of a word (故障代码)", "故障代码"),
        ("an order number", "PO-2026-00817"),
        ("a word in nothing (火星)", "火星"),
    ];
    println!();
    println!("| query | tickets | requests | median ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, q) in queries {
        let url = format!("{base}/api/v1/search?q={}", kefu_web::auth::urlencode(q));
        let latencies = Arc::new(tokio::sync::Mutex::new(Vec::new()));
        let counter = Arc::new(AtomicUsize::new(0));
        let mut workers = Vec::new();
        for _ in 0..args.concurrency {
            let (client, url, token) = (client.clone(), url.clone(), token.clone());
            let (latencies, counter) = (latencies.clone(), counter.clone());
            let requests = args.requests;
            workers.push(tokio::spawn(async move {
                while counter.fetch_add(1, Ordering::Relaxed) < requests {
                    let t0 = Instant::now();
                    let res = client.get(&url).bearer_auth(&token).send().await?;
                    let status = res.status();
                    res.bytes().await?;
                    anyhow::ensure!(status.is_success(), "{url} answered {status}");
                    latencies.lock().await.push(t0.elapsed());
                }
                Ok::<(), anyhow::Error>(())
            }));
        }
        for w in workers {
            w.await??;
        }
        let mut l = latencies.lock().await.clone();
        l.sort();
        println!(
            "| {name} | {tickets} | {} | {} | {} |",
            l.len(),
            ms(percentile(&l, 0.5)),
            ms(percentile(&l, 0.99))
        );
    }

    // Freshness: from the ticket's creation answered to the first search that finds it.
    let mut lags = Vec::new();
    for i in 0..args.fresh {
        let code = format!("FRESH-{}-{i}", kefu_app::secret::random_hex(3));
        let res = client
            .post(format!("{base}/api/v1/tickets"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"subject": format!("新鲜度测试 {code}"), "body": "刚刚创建的工单"}))
            .send()
            .await?;
        anyhow::ensure!(
            res.status().is_success(),
            "creating answered {}",
            res.status()
        );
        let t0 = Instant::now();
        let url = format!("{base}/api/v1/search?q={code}");
        loop {
            let hits: serde_json::Value = client
                .get(&url)
                .bearer_auth(&token)
                .send()
                .await?
                .json()
                .await?;
            if hits.as_array().is_some_and(|a| !a.is_empty()) {
                break;
            }
            anyhow::ensure!(t0.elapsed() < Duration::from_secs(10), "{code} never found");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        lags.push(t0.elapsed());
    }
    lags.sort();
    println!(
        "\nfreshness over {} new tickets: median {} ms, max {} ms (the index reads the change log every 500 ms)",
        lags.len(),
        ms(percentile(&lags, 0.5)),
        ms(percentile(&lags, 1.0))
    );
    let _ = stop_tx.send(());
    server.await??;
    Ok(())
}
