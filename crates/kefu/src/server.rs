//! Bringing kefu up and down.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use kefu_app::App;
use kefu_app::demo::{DemoError, DemoPlan};
use kefu_domain::{Clock, SystemClock};
use kefu_jobs::{MailboxReaders, Worker};
use kefu_store::Store;
use kefu_web::{AppState, WebConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::ServerConfig;

/// A ready application: connected, migrated, with an administrator.
pub struct Prepared {
    pub app: App,
    /// The one-time password of the `admin` account, when this start created it.
    pub admin_password: Option<String>,
    /// The search index is new (first start, or it was unreadable) and must be filled.
    pub search_rebuild: bool,
}

/// Connects to the database, applies migrations and, on the very first start, creates the
/// administrator.
pub async fn prepare(config: &ServerConfig, clock: Arc<dyn Clock>) -> anyhow::Result<Prepared> {
    // A mistaken replica URL is refused before the primary is waited for.
    if let Some(url) = &config.read_database_url {
        kefu_store::check_reader_url(&config.database_url, url)?;
    }
    let mut store = Store::connect(&config.database_url).await?;
    if let Some(url) = &config.read_database_url {
        store = store.with_reader(url)?;
    }
    store.migrate().await?;
    let texts: kefu_app::Texts = Arc::new(kefu_web::i18n::text);
    let mut app = App::new(store, clock, config.app.clone()).with_texts(texts);
    let mut search_rebuild = false;
    if let Some(dir) = &config.search_dir {
        // The index is derived data: a broken one is rebuilt, and one that cannot be opened
        // at all (a read-only disk, another process holding it) leaves kefu running without
        // search rather than not running.
        match kefu_search::SearchIndex::open(dir) {
            Ok((index, fresh)) => {
                // An index still at position 0 is new or its rebuild was cut short (the
                // server stopped during it): it is built again.
                search_rebuild = fresh || index.cursor() == 0;
                // So is one built from another database than this one: the database was
                // restored from a backup since (see crate::backup).
                if crate::backup::search_outdated(&app, dir, index.cursor()).await {
                    search_rebuild = true;
                }
                index.when_indexed(|| {
                    crate::memory::give_back();
                });
                app = app.with_search(Arc::new(index));
            }
            Err(e) => tracing::error!(
                error = %e,
                dir = %dir.display(),
                "search is off: the index cannot be opened"
            ),
        }
    }
    let admin_password = app.bootstrap_admin().await?;
    app.ensure_ticket_defaults().await?;
    app.ensure_starter_scripts().await?;
    Ok(Prepared {
        app,
        admin_password,
        search_rebuild,
    })
}

/// Tuning of [`run`] that tests change.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// How often the job worker looks for due jobs; `None` runs no worker in this process.
    pub job_poll: Option<Duration>,
    /// How often the search index reads the change log.
    pub search_poll: Duration,
    /// Fill the search index from the database before following the change log.
    pub search_rebuild: bool,
    /// How long a job this instance claims is its own before another may take it over
    /// (the job of an instance that died runs again after it).
    pub job_lease: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            job_poll: Some(Duration::from_secs(5)),
            search_poll: Duration::from_millis(500),
            search_rebuild: false,
            job_lease: kefu_jobs::DEFAULT_LEASE,
        }
    }
}

/// Keeps the search index following the change log until `stop`.
async fn follow_changes(app: App, poll: Duration, rebuild: bool, mut stop: watch::Receiver<bool>) {
    if rebuild {
        let started = std::time::Instant::now();
        tokio::select! {
            built = app.reindex(&|_, _| {}) => {
                match built {
                    Ok(n) => tracing::info!(
                        documents = n,
                        secs = started.elapsed().as_secs_f64(),
                        "search index built"
                    ),
                    Err(e) => tracing::error!(error = %e, "search index build failed"),
                }
                // The build's buffers are freed now; without this their pages stay resident.
                crate::memory::give_back();
            },
            // A million tickets take minutes to index; stopping does not wait for them. The
            // index stays at position 0 and the next start builds it again.
            _ = stop.changed() => return,
        }
    }
    loop {
        // A long catch-up (a large load landed since the last poll) does not hold up a
        // stop either: what it has not committed, the next start reads again.
        tokio::select! {
            caught = app.search_catch_up() => if let Err(e) = caught {
                tracing::warn!(error = %e, "search index could not follow the change log");
            },
            _ = stop.changed() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = stop.changed() => return,
        }
    }
}

/// Asks the allocator for its free pages back once a [`TRIM_EVERY`](crate::memory::TRIM_EVERY)
/// until `stop`: what a busy hour allocated and freed does not stay resident.
async fn give_back_memory(mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(crate::memory::TRIM_EVERY) => {}
            _ = stop.changed() => return,
        }
        // It walks every arena under its lock: off the request threads.
        let _ = tokio::task::spawn_blocking(crate::memory::give_back).await;
    }
}

/// Serves HTTP and runs background jobs until `shutdown` resolves; then lets requests in
/// flight and the current job finish, and closes the database cleanly.
pub async fn run(
    app: App,
    web: WebConfig,
    listener: TcpListener,
    options: RunOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let (stop_tx, stop_rx) = watch::channel(false);
    let follow_rx = stop_rx.clone();
    // The instance's name (as in `X-Kefu-Instance`) and a random suffix: unique even when
    // two instances were given one name.
    let name = format!("{}-{}", web.instance, kefu_app::secret::random_hex(4));
    // The mailboxes read by IMAP run beside the jobs, under the same instance name.
    let readers = options.job_poll.map(|poll| {
        tokio::spawn(MailboxReaders::new(app.clone(), name.clone(), poll).run(stop_rx.clone()))
    });
    let state = AppState::new(app.clone(), web);
    let metrics = state.metrics();
    app.store.on_write_wait({
        let metrics = metrics.clone();
        move |wait| metrics.write_waited(wait)
    });
    let worker = options.job_poll.map(|poll| {
        tokio::spawn(
            Worker::new(app.clone(), name)
                .with_poll_interval(poll)
                .with_lease(options.job_lease)
                .on_job(move |kind, lag, took| metrics.job_ran(kind, lag, took))
                .run(stop_rx),
        )
    });

    let trimmer = tokio::spawn(give_back_memory(follow_rx.clone()));
    let follower = app.has_search().then(|| {
        tokio::spawn(follow_changes(
            app.clone(),
            options.search_poll,
            options.search_rebuild,
            follow_rx,
        ))
    });

    let served = kefu_web::serve(listener, state, shutdown).await;

    let _ = stop_tx.send(true);
    let _ = stopping("memory trimmer", trimmer).await;
    if let Some(f) = follower {
        let _ = stopping("search follower", f).await;
    }
    if let Some(r) = readers {
        let _ = stopping("mailbox readers", r).await;
    }
    if let Some(w) = worker
        && let Err(e) = stopping("job worker", w).await
    {
        tracing::error!(error = %e, "job worker ended abnormally");
    }
    stopping("database pool", app.store.close()).await;
    tracing::info!("kefu stopped");
    served.map_err(Into::into)
}

/// Awaits one part of the shutdown, saying in the log which part holds it up when it takes
/// longer than [`SLOW_STOP`] (a stop that never ends is then explained by its last line).
async fn stopping<F: Future>(part: &'static str, done: F) -> F::Output {
    let mut done = std::pin::pin!(done);
    tokio::select! {
        out = &mut done => out,
        _ = tokio::time::sleep(SLOW_STOP) => {
            tracing::error!(part, secs = SLOW_STOP.as_secs(), "shutdown is still waiting");
            done.await
        }
    }
}

/// How long one part of the shutdown may take before the log says it is waited for.
const SLOW_STOP: Duration = Duration::from_secs(10);

/// `kefu serve`.
pub async fn serve(config: ServerConfig, demo: Option<DemoPlan>) -> anyhow::Result<()> {
    let shutdown = shutdown_signal();
    let prepared = prepare(&config, Arc::new(SystemClock)).await?;
    if let Some(plan) = demo {
        match crate::demo::load(&prepared.app, &plan).await {
            Ok(()) => {}
            Err(DemoError::NotFresh) => {
                println!(
                    "演示数据未载入：数据库中已有数据 / demo not loaded: the database already has data"
                );
            }
            Err(e) => return Err(e.into()),
        }
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr()?;
    let host = if addr.ip().is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        addr.ip().to_string()
    };
    let url = if addr.is_ipv6() {
        format!("http://[{host}]:{}", addr.port())
    } else {
        format!("http://{host}:{}", addr.port())
    };
    println!(
        "kefu 客服 is running at {url}  (database: {})",
        prepared.app.store.backend().name()
    );
    if let Some(password) = &prepared.admin_password {
        println!();
        println!("  First start: an administrator account was created.");
        println!("  首次启动，已创建管理员账户：");
        println!("    username / 用户名: admin");
        println!("    password / 密码:   {password}");
        println!("  This password is shown once and must be changed at first sign-in.");
        println!("  此密码只显示这一次，首次登录后须修改。");
        println!();
    }
    tracing::info!(%url, "listening");
    run(
        prepared.app,
        config.web,
        listener,
        RunOptions {
            search_rebuild: prepared.search_rebuild,
            ..RunOptions::default()
        },
        shutdown,
    )
    .await
}

/// Ctrl-C or SIGTERM. The handlers are installed when this is called, not when the
/// future is first polled, so a signal arriving during start-up still shuts down cleanly.
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = signal(SignalKind::terminate()).ok();
        let mut int = signal(SignalKind::interrupt()).ok();
        async move {
            let term = async {
                match term.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            let int = async {
                match int.as_mut() {
                    Some(s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = term => {},
                _ = int => {},
            }
            tracing::info!("shutting down: finishing requests in flight");
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down: finishing requests in flight");
    }
}
