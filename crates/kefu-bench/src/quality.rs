//! `kefu-bench quality`: the demo company at a scale, then a day crowded with `--day-tickets`
//! resolved tickets for the morning's sample, and `--anomalies` anomalies over the half
//! year for the daily report. Measured through kefu's own use cases, in this process on a
//! clock set to the day: the sample's draw (time, and its spread over the inspectors and
//! the rules), the daily report made again (time per revision), its XLSX (time, size), and
//! the demo's calibration round (the inspectors' agreement).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use kefu_app::{Actor, App};
use kefu_domain::quality::report::previous_business_day;
use kefu_domain::{FixedClock, Locale, Role};
use serde_json::json;

use crate::setup::{DemoCompany, demo_company, machine};
use crate::timing::timed;

#[derive(clap::Args)]
pub struct QualityArgs {
    /// The demo company's size: small, medium (100k tickets), large (1M), or a ticket count.
    #[arg(long, default_value = "large")]
    scale: String,
    /// A PostgreSQL server to run on instead of SQLite (the run makes its own database).
    #[arg(long, env = "KEFU_BENCH_PG_URL")]
    postgres: Option<String>,
    #[arg(long, default_value = "bench-quality")]
    data_dir: PathBuf,
    /// The kefu binary (default: the one built next to this benchmark).
    #[arg(long)]
    kefu: Option<PathBuf>,
    /// Resolved tickets on the sampled day.
    #[arg(long, default_value_t = 20_000)]
    day_tickets: i64,
    /// Anomalies over the half year before the report.
    #[arg(long, default_value_t = 50_000)]
    anomalies: usize,
    /// Revisions of the report made (the median is reported).
    #[arg(long, default_value_t = 5)]
    reports: usize,
    #[arg(long, default_value = "bench-quality.json")]
    json: PathBuf,
}

fn at(date: jiff::civil::Date, hour: i8, minute: i8) -> anyhow::Result<jiff::Timestamp> {
    Ok(date
        .at(hour, minute, 0, 0)
        .to_zoned(jiff::tz::TimeZone::get("Asia/Shanghai")?)?
        .timestamp())
}

pub async fn run(args: QualityArgs) -> anyhow::Result<()> {
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
        "quality",
    )
    .await?;
    let calendar = kefu_domain::calendar::BusinessCalendar::china_standard();
    // The sample is drawn on the next business day at 10:00, from the work since the last
    // one (the demo's, on the business day before): that span gets the crowded day.
    let day = if calendar.is_working_day(today) {
        today
    } else {
        kefu_domain::quality::report::next_business_day(&calendar, today).context("a day")?
    };
    let before = previous_business_day(&calendar, day).context("a business day")?;
    let clock = Arc::new(FixedClock::new(at(day, 10, 0)?));
    let app = App::new(store.clone(), clock.clone(), kefu_app::Settings::default())
        .with_texts(Arc::new(kefu_web::i18n::text));
    let users = {
        let mut conn = store.conn().await?;
        kefu_store::staff::list_users(&mut conn).await?
    };
    let specialist = users
        .iter()
        .find(|u| u.roles.contains(Role::QualitySpecialist))
        .map(Actor::of_user)
        .context("a quality specialist")?;
    let manager = users
        .iter()
        .find(|u| u.roles.contains(Role::CsManager))
        .map(Actor::of_user)
        .context("a manager")?;

    // The crowded day: resolved between the last sample and 10:00.
    let moved = {
        let mut conn = store.conn().await?;
        kefu_store::bulk::crowd_day(
            &mut conn,
            args.day_tickets,
            at(before, 11, 0)?,
            at(day, 9, 59)?,
        )
        .await?
    };
    eprintln!("{moved} tickets resolved on the sampled day");
    let t0 = Instant::now();
    let drawn = app.draw_quality_sample(&specialist).await?;
    let sample_seconds = t0.elapsed().as_secs_f64();
    // Every item of the sample (the pages list 500 at most).
    let sampled = {
        let mut conn = store.conn().await?;
        kefu_store::quality::inspection::inspections(
            &mut conn,
            &kefu_store::quality::inspection::InspectionFilter {
                inspector_id: None,
                agent_id: None,
                statuses: Vec::new(),
                sample_date: Some(day.to_string()),
                limit: 1_000_000,
            },
        )
        .await?
    };
    let mut by_inspector: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_rule: BTreeMap<String, usize> = BTreeMap::new();
    for i in &sampled {
        *by_inspector
            .entry(i.inspector_name.clone().unwrap_or_default())
            .or_default() += 1;
        *by_rule.entry(i.rule.clone()).or_default() += 1;
    }
    eprintln!(
        "sample of {day}: {} candidates, {} inspections in {sample_seconds:.2} s",
        drawn.candidates, drawn.inspections
    );

    // The half year's anomalies, then the report made again and again.
    let items: Vec<i64> = app
        .quality_service_items(&manager)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    {
        let mut conn = store.conn().await?;
        kefu_store::bulk::bench_anomalies(&mut conn, args.anomalies, before, 180, &items, now)
            .await?;
    }
    clock.set(at(day, 10, 30)?);
    let mut n = 0;
    let (report_time, report) = timed(args.reports, || {
        n += 1;
        let title = format!("基准测试 {n}");
        let (app, specialist) = (&app, &specialist);
        async move { Ok(app.make_quality_report(specialist, before, &title).await?) }
    })
    .await?;
    let t = Instant::now();
    let (_, xlsx) = app.quality_report_xlsx(Locale::ZhCn, &report)?;
    let xlsx_seconds = t.elapsed().as_secs_f64();
    let calibration = app.quality_calibrations(&manager).await?;
    let agreement = calibration.overall;

    let out = json!({
        "backend": backend,
        "scale": args.scale,
        "machine": machine(),
        "load_seconds": load_seconds,
        "sample": {
            "day": day.to_string(),
            "resolved_tickets_moved_in": moved,
            "candidates": drawn.candidates,
            "inspections": drawn.inspections,
            "seconds": sample_seconds,
            "by_inspector": by_inspector,
            "by_rule": by_rule,
        },
        "report": {
            "date": before.to_string(),
            "anomalies_in_database": args.anomalies,
            "listed": report.body.anomalies.len(),
            "new": report.body.new,
            "open": report.body.open,
            "time": report_time,
            "xlsx_bytes": xlsx.len(),
            "xlsx_seconds": xlsx_seconds,
        },
        "calibration": {
            "rounds": agreement.rounds,
            "items_alike_permille": agreement.item_permille(),
            "mean_total_difference_tenths": agreement.mean_distance_tenths(),
            "same_verdict_permille": agreement.verdict_permille(),
        },
    });
    std::fs::write(&args.json, serde_json::to_string_pretty(&out)?)?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    store.close().await;
    Ok(())
}
