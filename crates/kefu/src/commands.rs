//! What the subcommands that work on the data do: importing customers, planning visits,
//! sending the relationship surveys, the mail channels and the staff accounts.

use anyhow::{Context, bail};
use kefu_app::users::UserForm;
use kefu_app::{Actor, App};
use kefu_domain::{Locale, Role, RoleSet, StaffLevel};

use super::{MailCommand, UserCommand, read_password_stdin};

/// `kefu import customers`: reads the file, shows a progress bar, prints the outcome, the
/// title rows passed over, the first problems and the first duplicates (each naming the row
/// or customer it repeats) in Chinese, as the import page words them, and writes the full
/// report (the page's report CSV) when asked.
pub(crate) async fn import_customers(
    app: &App,
    path: &std::path::Path,
    dry_run: bool,
    merge: bool,
    report_path: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    use kefu_app::customer_import::{Duplicates, Problem};
    use kefu_app::export::{CsvEncoding, Export};
    use kefu_web::import_report::{column_text, reason_text, report_sheet};
    let tr = kefu_web::i18n::Tr(Locale::ZhCn);
    let (name, bytes) = read_import(path)?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} 行 ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let progress = |done: usize, total: usize| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    };
    let duplicates = if merge {
        Duplicates::Merge
    } else {
        Duplicates::Skip
    };
    let outcome = app
        .import_customers(
            &Actor::system(),
            &name,
            &bytes,
            dry_run,
            duplicates,
            &progress,
        )
        .await;
    bar.finish_and_clear();
    let report = match outcome {
        Ok(r) => r,
        Err(e) => {
            let info = kefu_web::error::WebError::from(e).into_info();
            let detail = info
                .detail
                .clone()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default();
            bail!("{}{detail}", info.message(tr));
        }
    };
    let verb = tr.t(if dry_run {
        "import.summary_dry_run"
    } else {
        "import.summary_done"
    });
    println!(
        "{}",
        tr.f(
            "import.summary",
            &[
                ("verb", verb),
                ("rows", &report.rows.to_string()),
                ("created", &report.created.to_string()),
                ("merged", &report.merged.to_string()),
                ("skipped", &report.skipped.to_string()),
                ("failed", &report.failed.to_string()),
                ("encoding", report.encoding),
            ],
        )
    );
    // One line a row: 第 3 行 · 手机 · 不是有效的大陆手机号 · 123.
    let line = |p: &Problem| {
        let value = if p.reason == "not_saved" {
            ""
        } else {
            p.value.as_str()
        };
        let row = p.row.to_string();
        let reason = reason_text(tr, p);
        if p.column.is_empty() {
            tr.f(
                "import.notice_line",
                &[("row", &row), ("reason", &reason), ("value", value)],
            )
        } else {
            tr.f(
                "import.line",
                &[
                    ("row", &row),
                    ("column", &column_text(tr, &p.column)),
                    ("reason", &reason),
                    ("value", value),
                ],
            )
        }
    };
    for p in &report.notices {
        println!("  {}", line(p));
    }
    for (list, more) in [
        (&report.problems, "import.more_problems"),
        (&report.duplicates, "import.more_duplicates"),
    ] {
        for p in list.iter().take(20) {
            println!("  {}", line(p));
        }
        if list.len() > 20 {
            println!("  {}", tr.f(more, &[("count", &list.len().to_string())]));
        }
    }
    if let Some(out) = report_path {
        let csv = Export::new(report_sheet(tr, report.lines()), None).csv(CsvEncoding::Utf8Bom)?;
        std::fs::write(out, csv).with_context(|| format!("writing {}", out.display()))?;
        println!(
            "{}",
            tr.f(
                "import.report_written",
                &[("path", &out.display().to_string())]
            )
        );
    }
    Ok(())
}

/// What `kefu import` reads into the catalogue.
#[derive(Clone, Copy)]
pub(crate) enum CatalogueKind {
    Products,
    Parts,
}

/// `kefu import products|parts`: imports (or checks) the file and prints what it did and
/// every refused cell (第 3 行 · 价格 · 金额格式不对 · 12.345), as the import page words them;
/// fails when any cell was refused, nothing having been written.
pub(crate) async fn import_catalogue(
    app: &App,
    kind: CatalogueKind,
    path: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    use kefu_web::import_report::{catalogue_problem, catalogue_summary};
    let tr = kefu_web::i18n::Tr(Locale::ZhCn);
    let (name, bytes) = read_import(path)?;
    let actor = Actor::system();
    let outcome = match kind {
        CatalogueKind::Products => app.import_products(&actor, &name, &bytes, dry_run).await,
        CatalogueKind::Parts => app.import_parts(&actor, &name, &bytes, dry_run).await,
    };
    let report = match outcome {
        Ok(r) => r,
        Err(e) => {
            let info = kefu_web::error::WebError::from(e).into_info();
            bail!("{}", info.message(tr));
        }
    };
    println!("{}", catalogue_summary(tr, &report));
    for (row, e) in &report.problems {
        let (column, reason) = catalogue_problem(tr, e);
        print_problem(tr, *row, &column, &reason, &e.value);
    }
    if !report.problems.is_empty() {
        bail!(
            "{}",
            tr.f(
                "catalogue.import.refused",
                &[("n", &report.problems.len().to_string())]
            )
        );
    }
    Ok(())
}

/// `kefu mail`: the counts of an import, or a new channel and its secret, in Chinese as
/// the pages word them.
/// `kefu followup plan`: one line per rule, as the zh-CN reader reads it.
pub(crate) async fn plan_follow_ups(
    app: &App,
    period: Option<&str>,
    dry_run: bool,
) -> anyhow::Result<()> {
    let tr = kefu_web::i18n::Tr(Locale::ZhCn);
    let report = app
        .plan_follow_ups(&Actor::system(), period, dry_run)
        .await
        .map_err(|e| anyhow::anyhow!(kefu_web::error::WebError::from(e).into_info().message(tr)))?;
    let key = if dry_run {
        "follow_up_cli.dry_run_line"
    } else {
        "follow_up_cli.line"
    };
    for r in &report.rules {
        println!(
            "{}",
            tr.f(
                key,
                &[
                    ("name", &r.name),
                    ("period", &r.period),
                    ("customers", &r.customers.to_string()),
                    ("created", &r.created.to_string()),
                    ("without_slot", &r.without_slot.to_string()),
                ],
            )
        );
    }
    if report.rules.is_empty() {
        println!("{}", tr.t("follow_up_cli.no_rules"));
    }
    Ok(())
}

pub(crate) async fn send_surveys(app: &App) -> anyhow::Result<()> {
    let tr = kefu_web::i18n::Tr(Locale::ZhCn);
    let started = std::time::Instant::now();
    let mut total = kefu_app::satisfaction::relationship::RoundRun::default();
    // A run stops after its time budget: go on until one sends nothing.
    loop {
        let run = app.send_relationship_surveys().await.map_err(|e| {
            anyhow::anyhow!(kefu_web::error::WebError::from(e).into_info().message(tr))
        })?;
        if run == Default::default() {
            break;
        }
        total.invited += run.invited;
        total.skipped += run.skipped;
        total.reminded += run.reminded;
    }
    println!(
        "{}",
        tr.f(
            "relationship.cli_line",
            &[
                ("invited", &total.invited.to_string()),
                ("skipped", &total.skipped.to_string()),
                ("reminded", &total.reminded.to_string()),
                ("secs", &format!("{:.1}", started.elapsed().as_secs_f64())),
            ],
        )
    );
    Ok(())
}

pub(crate) async fn mail_command(app: &App, cmd: &MailCommand) -> anyhow::Result<()> {
    let tr = kefu_web::i18n::Tr(Locale::ZhCn);
    match cmd {
        MailCommand::Import { channel, files } => {
            let counts = kefu::mail::import(app, *channel, files, |p| {
                eprintln!(
                    "{}",
                    tr.f(
                        "mail_cli.file_failed",
                        &[
                            ("file", &p.file),
                            ("index", &p.index.to_string()),
                            ("error", &p.error),
                        ],
                    )
                );
            })
            .await?;
            println!(
                "{}",
                tr.f(
                    "mail_cli.summary",
                    &[
                        ("total", &counts.total.to_string()),
                        ("created", &counts.created.to_string()),
                        ("added", &counts.added.to_string()),
                        ("duplicate", &counts.duplicate.to_string()),
                        ("bounce", &counts.bounce.to_string()),
                        ("failed", &counts.failed.to_string()),
                    ],
                )
            );
        }
        MailCommand::AddChannel {
            name,
            address,
            group,
        } => {
            let form = kefu_app::channel::email::ChannelForm {
                name: name.clone(),
                address: address.clone(),
                group_id: *group,
                active: true,
            };
            let created = app.create_email_channel(&Actor::system(), &form).await?;
            let id = created.channel_id.to_string();
            println!(
                "{}",
                tr.f("mail_cli.channel_created", &[("name", name), ("id", &id)])
            );
            println!(
                "{}",
                tr.f("mail_cli.secret", &[("secret", &created.secret)])
            );
            println!("{}", tr.f("mail_cli.webhook", &[("id", &id)]));
        }
    }
    Ok(())
}

pub(crate) async fn user_command(app: &App, cmd: &UserCommand) -> anyhow::Result<()> {
    let actor = Actor::system();
    let find = |username: &str| {
        let username = username.to_owned();
        let actor = actor.clone();
        async move {
            app.get_user_by_username(&actor, &username)
                .await
                .with_context(|| format!("no user named {username:?}"))
        }
    };
    match cmd {
        UserCommand::Add {
            username,
            roles,
            display_name,
            email,
            department,
            level,
            locale,
            password_stdin,
        } => {
            let roles: RoleSet = roles
                .iter()
                .map(|r| r.parse::<Role>().map_err(|e| anyhow::anyhow!("{e}")))
                .collect::<anyhow::Result<_>>()?;
            let level = level
                .as_deref()
                .map(|l| l.parse::<StaffLevel>())
                .transpose()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let locale = locale
                .as_deref()
                .map(|l| l.parse::<Locale>())
                .transpose()
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let password = if *password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            let form = UserForm {
                username: username.clone(),
                display_name: display_name.clone().unwrap_or_else(|| username.clone()),
                email: email.clone(),
                password,
                department: department.clone(),
                level,
                locale: locale.unwrap_or_default(),
                roles,
            };
            let created = app.create_user(&actor, &form).await?;
            println!(
                "created user {} (id {})",
                created.user.username, created.user.id
            );
            if let Some(p) = created.generated_password {
                println!("one-time password: {p}");
            }
        }
        UserCommand::List => {
            println!(
                "{:<6} {:<20} {:<20} {:<8} roles",
                "id", "username", "name", "active"
            );
            for u in app.list_users(&actor).await? {
                let roles: Vec<&str> = u.roles.iter().map(Role::key).collect();
                println!(
                    "{:<6} {:<20} {:<20} {:<8} {}",
                    u.id,
                    u.username,
                    u.display_name,
                    if u.active { "yes" } else { "no" },
                    roles.join(",")
                );
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let u = find(username).await?;
            let password = if *password_stdin {
                Some(read_password_stdin()?)
            } else {
                None
            };
            match app
                .reset_password(&actor, u.id, password.as_deref())
                .await?
            {
                Some(p) => println!("one-time password for {}: {p}", u.username),
                None => println!("password of {} changed", u.username),
            }
        }
        UserCommand::Disable { username } => {
            let u = find(username).await?;
            app.set_user_active(&actor, u.id, false).await?;
            println!("user {} deactivated", u.username);
        }
        UserCommand::Enable { username } => {
            let u = find(username).await?;
            app.set_user_active(&actor, u.id, true).await?;
            println!("user {} activated", u.username);
        }
    }
    Ok(())
}

/// `kefu import payments`: imports (or checks) the finance department's payment file and
/// prints what it did and every refused cell, as the import page words them; fails when
/// any cell was refused, nothing having been written.
pub(crate) async fn import_payments(
    app: &App,
    path: &std::path::Path,
    dry_run: bool,
) -> anyhow::Result<()> {
    use kefu_web::import_report::{payment_problem, payment_summary};
    let tr = kefu_web::i18n::Tr(Locale::ZhCn);
    let (name, bytes) = read_import(path)?;
    let report = match app
        .import_payments(&Actor::system(), &name, &bytes, dry_run)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let info = kefu_web::error::WebError::from(e).into_info();
            bail!("{}", info.message(tr));
        }
    };
    println!("{}", payment_summary(tr, &report));
    for (row, e) in &report.problems {
        let (column, reason) = payment_problem(tr, e);
        print_problem(tr, *row, &column, &reason, &e.value);
    }
    if !report.problems.is_empty() {
        bail!("{}", payment_summary(tr, &report));
    }
    Ok(())
}

/// An import file's name (as the import page would see it) and its bytes.
fn read_import(path: &std::path::Path) -> anyhow::Result<(String, Vec<u8>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok((name, bytes))
}

/// One refused cell of an import, as the import page words it (第 3 行 · 价格 · …).
fn print_problem(tr: kefu_web::i18n::Tr, row: usize, column: &str, reason: &str, value: &str) {
    println!(
        "  {}",
        tr.f(
            "import.line",
            &[
                ("row", &row.to_string()),
                ("column", column),
                ("reason", reason),
                ("value", value),
            ],
        )
    );
}
