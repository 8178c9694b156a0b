//! `kefu` — the command line of the customer service system.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use kefu::config::{self, FileConfig, Overrides, ServerConfig};
use kefu_app::{Actor, App};
use kefu_domain::SystemClock;
use kefu_store::Store;
use kefu_web::SecureCookies;

mod commands;
mod quality;

use commands::{
    CatalogueKind, import_catalogue, import_customers, mail_command, plan_follow_ups, send_surveys,
    user_command,
};

#[derive(Parser)]
#[command(
    name = "kefu",
    version,
    about = "kefu 客服 — the customer service department's system"
)]
struct Cli {
    /// TOML configuration file (default: ./kefu.toml when present).
    #[arg(long, global = true, env = "KEFU_CONFIG")]
    config: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB.
    #[arg(long, global = true, env = "KEFU_DATABASE_URL")]
    database_url: Option<String>,
    /// Directory of the embedded SQLite database when no URL is given (default ./data).
    #[arg(long, global = true, env = "KEFU_DATA_DIR")]
    data_dir: Option<PathBuf>,
    /// Log filter: error, warn, info, debug, trace, or e.g. "kefu_web=debug,info".
    #[arg(long, global = true, env = "KEFU_LOG")]
    log_level: Option<String>,
    /// Log format: text or json.
    #[arg(long, global = true, env = "KEFU_LOG_FORMAT")]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the web application, API and background jobs.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// E-mail channels: add one, import mail files into one.
    #[command(subcommand)]
    Mail(MailCommand),
    /// 回访: plan the visits of the follow-up rules.
    #[command(subcommand)]
    Followup(FollowupCommand),
    /// 关系调查: send the relationship surveys' invitations and reminders due now.
    #[command(subcommand)]
    Survey(SurveyCommand),
    /// 质检: the daily quality anomaly report.
    #[command(subcommand)]
    Quality(QualityCommand),
    /// Rebuild this instance's search index from the database (with kefu stopped).
    Reindex,
    /// Fill a fresh database with the demo company 杭州恒信电器有限公司: staff in every role,
    /// customers, half a year of tickets with conversations, complaints in every stage.
    Demo(DemoArgs),
    /// Write a backup of the whole database (attachments included) to FILE while kefu
    /// runs; with --verify, check a backup file instead.
    Backup(BackupArgs),
    /// Restore a backup into an empty database (stop kefu first); this instance's search
    /// index is built again.
    Restore(RestoreArgs),
}

#[derive(Args)]
struct BackupArgs {
    /// The backup file: written (it must not exist yet), or checked with --verify.
    file: PathBuf,
    /// Check FILE — the manifest, every table's SHA-256 and row count — and write nothing.
    #[arg(long)]
    verify: bool,
}

#[derive(Args)]
struct RestoreArgs {
    /// The backup file (from `kefu backup`, of either database).
    file: PathBuf,
    /// Replace everything in a database that is not empty.
    #[arg(long)]
    force: bool,
}

#[derive(Args)]
struct DemoArgs {
    /// small (3,000 tickets), medium (100k), large (1M), or a ticket count like 20k or 1m.
    /// Customers are a tenth of the tickets.
    #[arg(long, default_value = "small")]
    scale: String,
    /// The same seed gives the same company.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Read the demo accounts' password from standard input instead of generating one.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import customers from a CSV (UTF-8 or GBK) or XLSX file with Chinese or English
    /// headers (客户名称/name, 联系人/contact, 手机/mobile, 地区/region, 客户等级/tier …).
    Customers {
        file: PathBuf,
        /// Check the file and report what would happen, writing nothing.
        #[arg(long)]
        dry_run: bool,
        /// Merge rows into existing customers (same mobile or same normalised name)
        /// instead of skipping them.
        #[arg(long)]
        merge: bool,
        /// Write the per-row problems (row, column, reason, value) to this CSV file.
        #[arg(long)]
        report: Option<PathBuf>,
    },
    /// Import products from a CSV or XLSX file (产品编码/sku, 名称/name, 类别/category,
    /// 价格/price in yuan; 型号, 保修期(月), 序列号管理, 启用), matched by SKU. All or nothing:
    /// one refused cell and nothing is written.
    Products {
        file: PathBuf,
        /// Check the file and report what would happen, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import payments from the finance department's CSV or XLSX file (客户/customer or
    /// 客户编号/customer_id, 金额/amount in yuan, 到账日期/received_on, 流水号/reference;
    /// 备注/note), each allocated to the oldest amounts owed. All or nothing; a serial number
    /// the customer already has (same amount and day) is not recorded twice.
    Payments {
        file: PathBuf,
        /// Check the file and report what would happen, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Import parts from a CSV or XLSX file (料号/part_number, 名称/name, 成本/cost in yuan;
    /// 单位, 适用产品 as SKU*quantity, 启用), matched by part number. All or nothing.
    Parts {
        file: PathBuf,
        /// Check the file and report what would happen, writing nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum QualityCommand {
    /// Print the 质量异常分析日报表 of a business day, making it when it was not made yet
    /// (and mailing it, as the daily job does); --reason makes it again as a new revision.
    Report {
        /// The business day, e.g. 2026-11-23; its days must be over.
        #[arg(long)]
        date: String,
        /// Make the report again as a new revision, for this reason.
        #[arg(long)]
        reason: Option<String>,
        /// Mail the latest revision to the customer service managers again.
        #[arg(long)]
        send: bool,
        /// Also write the report's XLSX to this file.
        #[arg(long)]
        xlsx: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum SurveyCommand {
    /// Invite every customer of each active survey's segment not yet invited this round and
    /// remind the unanswered whose reminder is due, until nothing more can go now (what the
    /// job does every 15 minutes, a batch at a time); prints the counts.
    Send,
}

#[derive(Subcommand)]
enum FollowupCommand {
    /// Plan the visits of every active rule for a period (one per rule, customer and
    /// period, as the hourly job does); prints what each rule planned.
    Plan {
        /// `2026-12` (monthly rules), `2026-Q4`, `2026-H2` or `2026`; default each rule's
        /// current period.
        #[arg(long)]
        period: Option<String>,
        /// Count what would be planned and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum MailCommand {
    /// Import mail into an e-mail channel through the same path as its webhook: .eml files
    /// (one mail each) and .mbox files (split on their "From " lines, mboxrd). A mail
    /// received before (same channel and Message-ID) is counted as a duplicate.
    Import {
        /// The e-mail channel's id (see the 渠道 page or `kefu mail add-channel`).
        #[arg(long)]
        channel: i64,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Add an e-mail channel; prints its id and its webhook secret (shown once).
    AddChannel {
        #[arg(long)]
        name: String,
        /// The mailbox address kefu answers from.
        #[arg(long)]
        address: String,
        /// The id of the group new tickets go to.
        #[arg(long)]
        group: Option<i64>,
    },
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "KEFU_LISTEN")]
    listen: Option<String>,
    /// Largest accepted request body in bytes (default 1048576).
    #[arg(long, env = "KEFU_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// API calls allowed per token per minute (default 600).
    #[arg(long, env = "KEFU_API_RATE_LIMIT")]
    api_rate_limit: Option<u32>,
    /// Trust X-Forwarded-For / X-Forwarded-Proto (only behind your own reverse proxy).
    #[arg(long, env = "KEFU_TRUST_PROXY_HEADERS")]
    trust_proxy_headers: Option<bool>,
    /// Secure cookie attribute: auto, always or never (default auto).
    #[arg(long, env = "KEFU_SECURE_COOKIES")]
    secure_cookies: Option<SecureCookies>,
    /// The address people reach kefu at, e.g. https://kefu.example.com (default: the
    /// request's Host); form posts from another origin are refused.
    #[arg(long, env = "KEFU_PUBLIC_URL")]
    public_url: Option<String>,
    /// This instance's name, sent as the X-Kefu-Instance header of every answer (default:
    /// host name and process id).
    #[arg(long, env = "KEFU_INSTANCE")]
    instance: Option<String>,
    /// Seconds /healthz answers 503 at shutdown before the listener closes, so a load
    /// balancer drains this instance first (default 0).
    #[arg(long, env = "KEFU_SHUTDOWN_DRAIN_SECONDS")]
    shutdown_drain_seconds: Option<u64>,
    /// Load the demo company first when the database is fresh (scale: small, medium,
    /// large or a ticket count; default small).
    #[arg(long, num_args = 0..=1, default_missing_value = "small", value_name = "SCALE")]
    demo: Option<String>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a staff account; prints a generated one-time password unless --password-stdin.
    Add {
        username: String,
        /// Role key (repeatable): admin, cs_manager, crm_specialist, quality_specialist,
        /// info_specialist, key_account_specialist, aftersales_specialist,
        /// complaint_specialist, agent, department.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Name shown in kefu (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Department key: customer_service, sales, design, production, warehouse, finance, quality.
        #[arg(long)]
        department: Option<String>,
        /// Level: junior_agent, intermediate_supervisor, senior_manager, director.
        #[arg(long)]
        level: Option<String>,
        /// zh-CN (default) or en.
        #[arg(long)]
        locale: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts.
    List,
    /// Set a new password; prints a generated one-time password unless --password-stdin.
    Passwd {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Deactivate an account: its sessions end and its API tokens stop working.
    Disable { username: String },
    /// Reactivate a deactivated account.
    Enable { username: String },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token for a user and print it (shown once).
    Create {
        #[arg(long)]
        user: String,
        /// A name to recognise the token by.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

fn init_logging(level: Option<&str>, format: Option<&str>) -> anyhow::Result<()> {
    let filter = tracing_subscriber::EnvFilter::try_new(level.unwrap_or("info"))
        .context("invalid log level; use error, warn, info, debug, trace or a filter such as kefu_web=debug,info")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format.unwrap_or("text") {
        "json" => builder.json().init(),
        "text" => builder.init(),
        other => bail!("invalid log format {other:?}: use text or json"),
    }
    Ok(())
}

fn read_password_stdin() -> anyhow::Result<String> {
    let mut s = String::new();
    std::io::stdin()
        .read_to_string(&mut s)
        .context("reading the password from standard input")?;
    let p = s.trim_end_matches(['\n', '\r']).to_owned();
    if p.is_empty() {
        bail!("no password on standard input");
    }
    Ok(p)
}

async fn open_app(cli: &Cli, file: &FileConfig) -> anyhow::Result<App> {
    let url = config::database_url(cli.database_url.clone(), cli.data_dir.clone(), file);
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("opening the database {url}"))?;
    store.migrate().await?;
    // With the texts of what kefu sends, so that a file written here reads as the pages'.
    Ok(
        App::new(store, Arc::new(SystemClock), kefu_app::Settings::default())
            .with_texts(Arc::new(kefu_web::i18n::text)),
    )
}

fn main() -> anyhow::Result<()> {
    // Before the runtime's threads start allocating.
    kefu::memory::tune();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let file = FileConfig::load(cli.config.as_deref())?;
    // Reading or writing whole tables makes every statement "slow" by sqlx's measure; a
    // backup's progress line says more than a warning per table.
    let quiet_default = match &cli.command {
        Command::Backup(_) | Command::Restore(_) => Some("info,sqlx::query=error"),
        _ => None,
    };
    init_logging(
        cli.log_level
            .as_deref()
            .or(file.log_level.as_deref())
            .or(quiet_default),
        cli.log_format.as_deref().or(file.log_format.as_deref()),
    )?;
    match &cli.command {
        Command::Serve(a) => {
            let overrides = Overrides {
                listen: a.listen.clone(),
                database_url: cli.database_url.clone(),
                data_dir: cli.data_dir.clone(),
                max_body_bytes: a.max_body_bytes,
                api_rate_limit_per_minute: a.api_rate_limit,
                trust_proxy_headers: a.trust_proxy_headers,
                secure_cookies: a.secure_cookies,
                public_url: a.public_url.clone(),
                instance_name: a.instance.clone(),
                shutdown_drain_seconds: a.shutdown_drain_seconds,
            };
            let demo = a
                .demo
                .as_deref()
                .map(|scale| kefu_app::demo::DemoPlan::for_scale(scale, 1))
                .transpose()?;
            kefu::server::serve(ServerConfig::resolve(overrides, file)?, demo).await
        }
        Command::Demo(a) => {
            let mut plan = kefu_app::demo::DemoPlan::for_scale(&a.scale, a.seed)?;
            if a.password_stdin {
                let password = read_password_stdin()?;
                kefu_domain::staff::check_password(&password)?;
                plan.password = Some(password);
            }
            let app = open_app(&cli, &file).await?;
            let result = kefu::demo::load(&app, &plan).await;
            app.store.close().await;
            Ok(result?)
        }
        Command::Migrate => {
            let app = open_app(&cli, &file).await?;
            println!("migrations applied ({})", app.store.backend().name());
            app.store.close().await;
            Ok(())
        }
        Command::User(cmd) => {
            let app = open_app(&cli, &file).await?;
            let result = user_command(&app, cmd).await;
            app.store.close().await;
            result
        }
        Command::Import(ImportCommand::Customers {
            file: path,
            dry_run,
            merge,
            report,
        }) => {
            let app = open_app(&cli, &file).await?;
            let result = import_customers(&app, path, *dry_run, *merge, report.as_deref()).await;
            app.store.close().await;
            result
        }
        Command::Import(ImportCommand::Products {
            file: path,
            dry_run,
        }) => {
            let app = open_app(&cli, &file).await?;
            let result = import_catalogue(&app, CatalogueKind::Products, path, *dry_run).await;
            app.store.close().await;
            result
        }
        Command::Import(ImportCommand::Payments {
            file: path,
            dry_run,
        }) => {
            let app = open_app(&cli, &file).await?;
            let result = commands::import_payments(&app, path, *dry_run).await;
            app.store.close().await;
            result
        }
        Command::Import(ImportCommand::Parts {
            file: path,
            dry_run,
        }) => {
            let app = open_app(&cli, &file).await?;
            let result = import_catalogue(&app, CatalogueKind::Parts, path, *dry_run).await;
            app.store.close().await;
            result
        }
        Command::Followup(FollowupCommand::Plan { period, dry_run }) => {
            let app = open_app(&cli, &file).await?;
            let result = plan_follow_ups(&app, period.as_deref(), *dry_run).await;
            app.store.close().await;
            result
        }
        Command::Survey(SurveyCommand::Send) => {
            let app = open_app(&cli, &file).await?;
            let result = send_surveys(&app).await;
            app.store.close().await;
            result
        }
        Command::Quality(QualityCommand::Report {
            date,
            reason,
            send,
            xlsx,
        }) => {
            let app = open_app(&cli, &file).await?;
            let result = quality::report(
                &app,
                quality::ReportRequest {
                    date,
                    reason: reason.as_deref(),
                    send: *send,
                    xlsx: xlsx.as_deref(),
                },
            )
            .await;
            app.store.close().await;
            result
        }
        Command::Mail(cmd) => {
            let app = open_app(&cli, &file).await?;
            let result = mail_command(&app, cmd).await;
            app.store.close().await;
            result
        }
        Command::Reindex => {
            let dir = config::search_dir(cli.data_dir.clone(), &file);
            let (index, _) = kefu_search::SearchIndex::open(&dir).with_context(|| {
                format!(
                    "opening the search index in {} (is kefu still running? stop it first)",
                    dir.display()
                )
            })?;
            let app = open_app(&cli, &file).await?.with_search(Arc::new(index));
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} ({per_sec}, 剩余 {eta})",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let started = std::time::Instant::now();
            let progress = |done: u64, total: u64| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let result = app.reindex(&progress).await;
            bar.finish_and_clear();
            app.store.close().await;
            let n = result?;
            println!(
                "search index rebuilt: {n} documents in {:.1} s ({})",
                started.elapsed().as_secs_f64(),
                dir.display()
            );
            Ok(())
        }
        Command::Backup(a) => {
            let url = config::database_url(cli.database_url.clone(), cli.data_dir.clone(), &file);
            kefu::backup::backup_command(&url, &a.file, a.verify).await
        }
        Command::Restore(a) => {
            let url = config::database_url(cli.database_url.clone(), cli.data_dir.clone(), &file);
            let search_dir = config::search_dir(cli.data_dir.clone(), &file);
            kefu::backup::restore_command(&url, &a.file, a.force, &search_dir).await
        }
        Command::Token(TokenCommand::Create { user, name }) => {
            let app = open_app(&cli, &file).await?;
            let actor = Actor::system();
            let result = async {
                let u = app
                    .get_user_by_username(&actor, user)
                    .await
                    .with_context(|| format!("no user named {user:?}"))?;
                let created = app.create_token(&actor, u.id, name).await?;
                println!("{}", created.secret);
                eprintln!(
                    "token {:?} created for {}; it is shown only this once.",
                    name, u.username
                );
                Ok(())
            }
            .await;
            app.store.close().await;
            result
        }
    }
}
