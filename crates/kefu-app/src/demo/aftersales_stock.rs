//! The demo's spare parts: the central warehouse and each service point's stock, last
//! month's receipts and transfers, a part issued to each repair with its faulty part back as
//! defective goods (most disposals approved by the manager, the latest waiting), each
//! repair's labour and freight, last and this month's budgets, and this month's issue plans
//! — approved for most points, one waiting, some points below plan.

use fastrand::Rng;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::FixedClock;
use kefu_domain::aftersales::cost::CostKind;
use kefu_domain::aftersales::rma::{Inspection, RmaState};
use kefu_domain::aftersales::stock::{Disposal, Movement, MovementKind, PlanLine};
use kefu_store::aftersales::rma::RmaFilter;

use super::DemoError;
use crate::aftersales::DefectiveInput;
use crate::{Actor, App};

fn at(day: Date, hour: i8) -> Timestamp {
    super::aftersales::at(day, hour, 0)
}

/// Loads the stock; how many records it wrote.
pub(super) async fn load(
    a: &App,
    clock: &FixedClock,
    rng: &mut Rng,
    keeper: &Actor,
    manager: &Actor,
    today: Date,
) -> Result<usize, DemoError> {
    let mut written = 0;
    let month_ago = today - jiff::Span::new().days(35);
    clock.set(at(month_ago, 9));
    let warehouse = a
        .create_stock_location(keeper, "中心仓（杭州）", None)
        .await?;
    let mut points = Vec::new();
    for p in a.service_points(keeper).await? {
        let name = format!("{}库", p.row.point.name);
        points.push((
            p.row.id,
            a.create_stock_location(keeper, &name, Some(p.row.id))
                .await?,
        ));
    }
    written += 1 + points.len();
    let parts = a.parts(keeper, None, None, None, 200).await?;
    let doc =
        |prefix: &str, day: Date, n: usize| format!("{prefix}{}-{n:02}", day.strftime("%Y%m%d"));
    let mv = |kind, quantity, location, to| Movement {
        kind,
        quantity,
        location,
        to,
    };
    for (n, p) in parts.iter().enumerate() {
        // Enough for every point's transfer below (at most 6 each), whatever the draw.
        let q = i64::from(rng.u8(30..80)) + 6 * i64::try_from(points.len()).unwrap_or(0);
        let m = mv(MovementKind::Receipt, q, warehouse, None);
        a.record_stock_movement(keeper, p.id, m, &doc("RK", month_ago, n + 1), None, "")
            .await?;
        written += 1;
    }
    clock.set(at(month_ago + jiff::Span::new().days(1), 10));
    let mut n = 0;
    for (_, location) in &points {
        for p in &parts {
            n += 1;
            let m = mv(
                MovementKind::Transfer,
                i64::from(rng.u8(2..7)),
                warehouse,
                Some(*location),
            );
            let day = month_ago + jiff::Span::new().days(1);
            a.record_stock_movement(keeper, p.id, m, &doc("DB", day, n), None, "")
                .await?;
            written += 1;
        }
    }

    // Each repair found faulty takes a part at its point; the faulty part comes back.
    let mut repairs = Vec::new();
    let mut before = None;
    loop {
        let page = a
            .rmas(
                keeper,
                &RmaFilter {
                    states: vec![RmaState::Repaired, RmaState::Closed],
                    before,
                    limit: 200,
                    ..RmaFilter::default()
                },
            )
            .await?;
        let Some(last) = page.last() else { break };
        before = Some(last.rma.id);
        repairs.extend(page.into_iter().filter(|l| {
            l.rma.inspection == Some(Inspection::FaultConfirmed)
                && l.rma.service_point_id.is_some()
                && l.rma.received_at.is_some()
        }));
    }
    repairs.sort_by_key(|l| l.rma.id);
    let mut registered = Vec::new();
    for l in &repairs {
        let (Some(point), Some(received)) = (l.rma.service_point_id, l.rma.received_at) else {
            continue;
        };
        let Some((_, location)) = points.iter().find(|(p, _)| *p == point) else {
            continue;
        };
        let used = a
            .parts(keeper, None, Some(l.rma.product_id), None, 20)
            .await?;
        let Some(part) = used.first() else { continue };
        let when = (received + SignedDuration::from_hours(20)).min(at(today, 8));
        clock.set(when);
        let m = mv(MovementKind::Issue, 1, *location, None);
        let issued = a
            .record_stock_movement(
                keeper,
                part.id,
                m,
                &format!("LL-{}", l.rma.number),
                Some(l.rma.id),
                "",
            )
            .await;
        if issued.is_err() {
            // The point ran out: the repair waited for a transfer the demo leaves out.
            continue;
        }
        // The technician's labour and the freight both ways.
        let labour = i64::from(rng.u8(5..16)) * 1_000;
        a.add_rma_cost(keeper, l.rma.id, CostKind::Labour, labour, "维修工时")
            .await?;
        let freight = i64::from(rng.u8(15..41)) * 100;
        a.add_rma_cost(keeper, l.rma.id, CostKind::Freight, freight, "往返运费")
            .await?;
        let disposal = match rng.u8(0..10) {
            0..=5 => Disposal::Scrap,
            6..=7 => Disposal::ReturnToSupplier,
            _ => Disposal::RepairRestock,
        };
        let id = a
            .register_defective(
                keeper,
                DefectiveInput {
                    rma_id: Some(l.rma.id),
                    part_id: part.id,
                    location_id: *location,
                    quantity: 1,
                    disposal,
                    document: String::new(),
                    note: "维修更换下的旧件".to_owned(),
                },
            )
            .await?;
        written += 2;
        registered.push((id, when));
    }

    // The disposals were decided the next day, but the latest's, which waits for the manager.
    if let Some((_, rest)) = registered.split_last() {
        for (id, when) in rest {
            clock.set((*when + SignedDuration::from_hours(24)).min(at(today, 9)));
            a.decide_defective(manager, *id, true, "同意").await?;
            written += 1;
        }
    }

    // Budgets: last month's and this month's, by the size of the department.
    for month in [
        today - jiff::Span::new().days(i64::from(today.day())),
        today,
    ] {
        let period = month.strftime("%Y-%m").to_string();
        let fen = 100_000 + i64::try_from(repairs.len()).unwrap_or(0) * 30_000;
        a.set_aftersales_budget(keeper, &period, fen).await?;
        written += 1;
    }

    // This month's plans: the keeper proposes, the manager approves all but the last.
    clock.set(at(
        today - jiff::Span::new().days(i64::from(today.day()) - 1),
        9,
    ));
    let period = a.stock_period();
    for (k, (_, location)) in points.iter().enumerate() {
        let mut lines = Vec::new();
        for p in &parts {
            if rng.u8(0..3) > 0 {
                lines.push(PlanLine {
                    part_number: p.part.part_number.clone(),
                    quantity: i64::from(rng.u8(3..8)),
                });
            }
        }
        if lines.is_empty() {
            continue;
        }
        a.propose_stock_plan(keeper, *location, &period, &lines)
            .await?;
        written += lines.len();
        if k + 1 < points.len() {
            a.decide_stock_plan(manager, *location, &period, true)
                .await?;
        }
    }
    Ok(written)
}
