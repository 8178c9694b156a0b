//! `kefu-bench accounts`: the demo company at a scale, then a year of orders (a million
//! lines by default, one shipment each and what it owes), the payments that settled them,
//! and a year of closed RMAs with their costs. Measured through kefu's own use cases, in
//! this process: last month's statements for every customer (time, statements made), the
//! same generation again (every one there already), the ageing report (first page, the
//! overdue ones, the last page), customers' accounts, the after-sales cost report over
//! the year by month, product, cause and customer, and the satisfaction report over the
//! year by month and round, and by product (the tickets' RMAs, the customers' orders).

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use kefu_app::receivable::AgeingQuery;
use kefu_app::satisfaction::report::ReportQuery;
use kefu_app::{Actor, App};
use kefu_domain::aftersales::cost::CostGroup;
use kefu_domain::satisfaction::report::{CsatBy, NpsBy};
use kefu_domain::{FixedClock, Role};
use serde_json::json;

use crate::setup::{DemoCompany, demo_company, machine};
use crate::timing::timed;

#[derive(clap::Args)]
pub struct AccountsArgs {
    /// The demo company's size: small, medium (100k tickets, 10k customers), large (1M), or
    /// a ticket count.
    #[arg(long, default_value = "medium")]
    scale: String,
    /// A PostgreSQL server to run on instead of SQLite (the run makes its own database).
    #[arg(long, env = "KEFU_BENCH_PG_URL")]
    postgres: Option<String>,
    #[arg(long, default_value = "bench-accounts")]
    data_dir: PathBuf,
    /// The kefu binary (default: the one built next to this benchmark).
    #[arg(long)]
    kefu: Option<PathBuf>,
    /// Order lines over the year, four to an order.
    #[arg(long, default_value_t = 1_000_000)]
    order_lines: i64,
    /// Customers the orders go to.
    #[arg(long, default_value_t = 10_000)]
    customers: i64,
    /// Closed RMAs over the year, two costs each.
    #[arg(long, default_value_t = 100_000)]
    rmas: i64,
    /// Times each report is made (the median is reported).
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    #[arg(long, default_value = "bench-accounts.json")]
    json: PathBuf,
}

pub async fn run(args: AccountsArgs) -> anyhow::Result<()> {
    let DemoCompany {
        store,
        backend,
        load_seconds,
        now,
        today,
    } = demo_company(
        args.postgres.as_deref(),
        &args.data_dir,
        args.kefu.as_deref(),
        &args.scale,
        "accounts",
    )
    .await?;
    let clock = Arc::new(FixedClock::new(now));
    let app = App::new(store.clone(), clock.clone(), kefu_app::Settings::default())
        .with_texts(Arc::new(kefu_web::i18n::text));
    let users = {
        let mut conn = store.conn().await?;
        kefu_store::staff::list_users(&mut conn).await?
    };
    let manager = users
        .iter()
        .find(|u| u.roles.contains(Role::CsManager))
        .map(Actor::of_user)
        .context("a manager")?;

    eprintln!(
        "writing {} order lines for {} customers and {} RMAs…",
        args.order_lines, args.customers, args.rmas
    );
    let t = Instant::now();
    let written = {
        let mut tx = store.begin().await?;
        let w = kefu_store::bulk::bench_accounts(
            &mut tx,
            store.backend(),
            kefu_store::bulk::BenchAccounts {
                order_lines: args.order_lines,
                customers: args.customers,
                rmas: args.rmas,
                today,
            },
        )
        .await?;
        tx.commit().await?;
        w
    };
    store.settle_after_load().await?;
    let fill_seconds = t.elapsed().as_secs_f64();
    eprintln!("{written:?} in {fill_seconds:.1} s");

    // Last month's statements, for every customer with a balance or entries; then again.
    let last_month = today.first_of_month() - jiff::Span::new().days(1);
    let period = format!("{:04}-{:02}", last_month.year(), last_month.month());
    let t = Instant::now();
    let made = app.generate_statements(&manager, &period, None).await?;
    let generate_seconds = t.elapsed().as_secs_f64();
    eprintln!(
        "{} statements of {period} in {generate_seconds:.1} s",
        made.created
    );
    let t = Instant::now();
    let again = app.generate_statements(&manager, &period, None).await?;
    let again_seconds = t.elapsed().as_secs_f64();

    // The ageing report: the first page, the overdue customers, the last page.
    let ageing = |query: AgeingQuery| {
        let (app, manager) = (&app, &manager);
        move || async move { Ok(app.ageing(manager, &query).await?) }
    };
    let (first_page, report) = timed(
        args.repeat,
        ageing(AgeingQuery {
            page: 1,
            ..AgeingQuery::default()
        }),
    )
    .await?;
    let (overdue_page, overdue) = timed(
        args.repeat,
        ageing(AgeingQuery {
            page: 1,
            overdue_only: true,
            ..AgeingQuery::default()
        }),
    )
    .await?;
    let (last_page, _) = timed(
        args.repeat,
        ageing(AgeingQuery {
            page: report.pages(),
            ..AgeingQuery::default()
        }),
    )
    .await?;
    let busiest = report.rows.first().map(|r| r.customer_id).unwrap_or(1);
    let (account, acct) = timed(args.repeat, || async {
        Ok(app.customer_account(&manager, busiest).await?)
    })
    .await?;

    // The after-sales cost report over the year.
    let from = today - jiff::Span::new().days(330);
    let from = format!("{:04}-{:02}", from.year(), from.month());
    let to = format!("{:04}-{:02}", today.year(), today.month());
    let mut costs = serde_json::Map::new();
    let mut cases = 0;
    for group in [
        CostGroup::Month,
        CostGroup::Product,
        CostGroup::Cause,
        CostGroup::Customer,
    ] {
        let (times, r) = timed(args.repeat, || async {
            Ok(app.cost_report(&manager, &from, &to, group).await?)
        })
        .await?;
        cases = r.cases;
        costs.insert(
            group.key().to_owned(),
            json!({"time": times, "rows": r.rows.len(), "total_fen": r.total.total()}),
        );
    }

    // The satisfaction report over the year: by month and round, then by product.
    let mut satisfaction = serde_json::Map::new();
    for (csat_by, nps_by) in [
        (CsatBy::Month, NpsBy::Round),
        (CsatBy::Product, NpsBy::Product),
    ] {
        let query = ReportQuery {
            from: from.clone(),
            to: to.clone(),
            csat_by,
            nps_by,
            survey: None,
            words: String::new(),
        };
        let (times, r) = timed(args.repeat, || async {
            Ok(app.satisfaction_report(&manager, &query).await?)
        })
        .await?;
        satisfaction.insert(
            csat_by.key().to_owned(),
            json!({"time": times, "csat_rows": r.csat.len(), "surveys": r.csat_total.sent,
                "nps_rows": r.nps.len(), "invitations": r.nps_total.sent}),
        );
    }

    let out = json!({
        "backend": backend,
        "scale": args.scale,
        "machine": machine(),
        "load_seconds": load_seconds,
        "fill": {
            "seconds": fill_seconds,
            "orders": written.orders,
            "order_lines": written.order_lines,
            "shipments": written.shipments,
            "receivables": written.receivables,
            "open_receivables": written.open_receivables,
            "payments": written.payments,
            "rmas": written.rmas,
            "rma_costs": written.rma_costs,
            "customers": written.customers,
        },
        "statements": {
            "period": period,
            "created": made.created,
            "seconds": generate_seconds,
            "again_existing": again.existing,
            "again_seconds": again_seconds,
        },
        "ageing": {
            "customers": report.customers,
            "overdue_customers": overdue.customers,
            "total_fen": report.total(),
            "totals_fen": report.totals,
            "first_page": first_page,
            "overdue_page": overdue_page,
            "last_page": last_page,
        },
        "account": {
            "receivables_listed": acct.receivables.len(),
            "time": account,
        },
        "costs": {
            "from": from,
            "to": to,
            "cases": cases,
            "by": costs,
        },
        "satisfaction": satisfaction,
    });
    std::fs::write(&args.json, serde_json::to_string_pretty(&out)?)?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    store.close().await;
    Ok(())
}
