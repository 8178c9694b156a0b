//! `kefu-bench queues` — every queue tab × every order × both directions, first page and
//! the next, over a loaded database (a `run`'s): the server's time for each over the API
//! (p50/p99, concurrent clients) beside the plan the database chose for it (the indexes it
//! reads, and whether it sorts), then the customer list. The user is the demo agent with the
//! most open tickets, made a member of every group for the run (a supervisor's 我的组: one
//! index range per group, merged). Markdown, and JSON with `--json`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use kefu_app::Actor;
use kefu_app::ticket::{NewGroup, Queue, QueueQuery};
use kefu_store::ticket::{PlanKind, SortKey};
use serde_json::{Value, json};

use crate::harness::{Spread, open_app, serve};
use crate::run::{kefu_binary, kefu_cmd};

#[derive(clap::Args)]
pub struct QueuesArgs {
    /// The loaded database: sqlite://…/kefu.db of a `run --data-dir D` (D/kefu/kefu.db), or
    /// a PostgreSQL URL.
    #[arg(long)]
    database_url: String,
    /// Working directory of the server started for the run (its log and search index).
    #[arg(long, default_value = "bench-queues")]
    data_dir: PathBuf,
    /// The kefu binary (default: the one built next to this benchmark).
    #[arg(long)]
    kefu: Option<PathBuf>,
    /// Requests per queue, order and page.
    #[arg(long, default_value_t = 200)]
    requests: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 4)]
    clients: usize,
    /// Where the JSON report goes.
    #[arg(long)]
    json: Option<PathBuf>,
}

const SORTS: [(SortKey, &str); 4] = [
    (SortKey::Updated, "updated"),
    (SortKey::Created, "created"),
    (SortKey::Priority, "priority"),
    (SortKey::Due, "due"),
];

pub async fn run(args: QueuesArgs) -> anyhow::Result<()> {
    let bin = kefu_binary(args.kefu.as_deref())?;
    let app = open_app(&args.database_url).await?;
    let system = Actor::system();

    // The busiest agent: open tickets counted page by page.
    eprintln!("finding the agent with the most open tickets…");
    let mut counts = std::collections::HashMap::<i64, usize>::new();
    let mut q = QueueQuery {
        queue: Queue::Open,
        limit: 200,
        ..QueueQuery::default()
    };
    loop {
        let page = app.queue_page(&system, &q).await?;
        for t in &page.tickets {
            if let Some(a) = t.assignee_id {
                *counts.entry(a).or_default() += 1;
            }
        }
        match page.next {
            Some(n) => q.after = Some(n),
            None => break,
        }
    }
    let (&user_id, &open) = counts
        .iter()
        .max_by_key(|(id, n)| (**n, -**id))
        .context("no assigned open tickets")?;
    let user = app.get_user(&system, user_id).await?;
    let groups = app.ticket_groups(&system).await?;
    for g in &groups {
        let mut members = app.group_members(&system, g.id).await?;
        if !members.contains(&user_id) {
            members.push(user_id);
            let changed = NewGroup {
                name: g.name.clone(),
                manager_user_id: g.manager_user_id,
                assignment: g.assignment.clone(),
                members,
            };
            app.save_group(&system, Some(g.id), &changed, Some(g.version))
                .await?;
        }
    }
    eprintln!(
        "{} ({open} open tickets), in all {} groups",
        user.username,
        groups.len()
    );
    let actor = Actor::of_user(&user);
    let postgres = app.store.backend() == kefu_store::Backend::Postgres;

    let kefu_dir = args.data_dir.join("kefu");
    std::fs::create_dir_all(&kefu_dir)?;
    let mut token_cmd = kefu_cmd(&bin, &args.database_url, &kefu_dir);
    token_cmd.args([
        "token",
        "create",
        "--user",
        &user.username,
        "--name",
        "bench-queues",
    ]);
    let out = token_cmd.output()?;
    anyhow::ensure!(
        out.status.success(),
        "token: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout)?.trim().to_owned();
    let server = serve(&bin, &args.database_url, &args.data_dir).await?;
    let http = reqwest::Client::new();

    println!(
        "| queue | order | page | server p50 / p99 / max ms | plan{} |",
        if postgres { " (custom · generic)" } else { "" }
    );
    println!("|---|---|---|---|---|");
    let mut report = Vec::new();
    for queue in Queue::ALL {
        for (sort, sort_key) in SORTS {
            for ascending in [false, true] {
                let dir = if ascending { "asc" } else { "desc" };
                let first = format!(
                    "/api/v1/tickets?queue={}&sort={sort_key}&dir={dir}&limit=50",
                    queue.key()
                );
                let page: Value = http
                    .get(format!("{}{first}", server.base))
                    .bearer_auth(&token)
                    .send()
                    .await?
                    .error_for_status()?
                    .json()
                    .await?;
                let mut pages = vec![("1", first.clone(), None)];
                if let Some(next) = page["next"].as_str() {
                    let cursor = next.split_once('.').and_then(|(v, id)| {
                        Some(kefu_store::ticket::Cursor {
                            value: v.parse().ok()?,
                            id: id.parse().ok()?,
                        })
                    });
                    pages.push(("2", format!("{first}&after={next}"), cursor));
                }
                for (n, path, after) in pages {
                    let times = measure(&http, &server.base, &token, &path, &args).await?;
                    let q = QueueQuery {
                        queue,
                        sort,
                        ascending,
                        after,
                        limit: 50,
                        ..QueueQuery::default()
                    };
                    let mut plans = Vec::new();
                    let kinds: &[PlanKind] = if postgres {
                        &[PlanKind::Custom, PlanKind::Generic]
                    } else {
                        &[PlanKind::Custom]
                    };
                    for kind in kinds {
                        let plan = app.queue_plan(&actor, &q, *kind).await?;
                        plans.push(format!(
                            "{}{}",
                            plan.indexes.join(", "),
                            if plan.sorts { " + SORT" } else { "" }
                        ));
                    }
                    let spread = Spread::new(times);
                    println!(
                        "| {} | {sort_key} {dir} | {n} | {} | {} |",
                        queue.key(),
                        spread.cells().replace(" | ", " / "),
                        plans.join(" · ")
                    );
                    report.push(json!({
                        "queue": queue.key(), "sort": sort_key, "dir": dir, "page": n,
                        "server": spread.json(), "plans": plans,
                    }));
                }
            }
        }
    }
    // 客户档案: one order (newest first), first page.
    let times = measure(
        &http,
        &server.base,
        &token,
        "/api/v1/customers?limit=50",
        &args,
    )
    .await?;
    let spread = Spread::new(times);
    println!(
        "| customers | newest first | 1 | {} | — |",
        spread.cells().replace(" | ", " / ")
    );
    report.push(json!({"queue": "customers", "server": spread.json()}));
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&json!(report))?)?;
    }
    drop(server);
    Ok(())
}

/// The server's own times (`Server-Timing: app`) for `requests` GETs of `path`.
async fn measure(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
    args: &QueuesArgs,
) -> anyhow::Result<Vec<Duration>> {
    let left = Arc::new(std::sync::atomic::AtomicUsize::new(args.requests));
    let mut workers = Vec::new();
    for _ in 0..args.clients {
        let (http, url, token, left) = (
            http.clone(),
            format!("{base}{path}"),
            token.to_owned(),
            left.clone(),
        );
        workers.push(tokio::spawn(async move {
            let mut times = Vec::new();
            while left
                .fetch_update(
                    std::sync::atomic::Ordering::Relaxed,
                    std::sync::atomic::Ordering::Relaxed,
                    |n| n.checked_sub(1),
                )
                .is_ok()
            {
                let res = http.get(&url).bearer_auth(&token).send().await?;
                anyhow::ensure!(res.status().is_success(), "{url}: {}", res.status());
                if let Some(t) = crate::run::server_time(&res) {
                    times.push(t);
                }
                res.bytes().await?;
            }
            anyhow::Ok(times)
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await??);
    }
    Ok(all)
}
