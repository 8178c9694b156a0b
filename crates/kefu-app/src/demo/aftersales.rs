//! 售后 — the after-sales department's catalogue and its last month of returns and repairs,
//! through the use cases on a clock set to each step: five categories of household
//! appliances with their parts and the distributors' price list, service points in six
//! cities, a category policy for televisions beside the company's 三包, and RMAs registered
//! by the agents over thirty days — approved (by the policy, the specialist or the manager),
//! received, inspected, quoted when paid, refunded, replaced or repaired, closed; the newest
//! still on their way, a few rejected or cancelled, one disputed and ruled.

use std::sync::Arc;

use fastrand::Rng;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::aftersales::catalogue::{Part, PartUse, PriceList, Product};
use kefu_domain::aftersales::dispute::{DisputeCase, Ruling};
use kefu_domain::aftersales::policy::{ClauseKey, Fault, RmaKind, default_policy};
use kefu_domain::aftersales::rma::{Inspection, RmaMove, RmaSource, RmaState};
use kefu_domain::aftersales::service_point::{Checked, ServicePoint, default_checklist};
use kefu_domain::customer::CustomerType;
use kefu_domain::{FixedClock, Role};

use super::{DemoError, World};
use crate::App;
use crate::aftersales::{MoveInput, PolicyDraft, PriceChange, RmaRequest};

/// (category, SKU, name, model, list price in yuan, warranty months, serial-tracked)
const PRODUCTS: &[(&str, &str, &str, &str, i64, u32, bool)] = &[
    (
        "空调",
        "KFR-26GW/A1",
        "挂壁式空调 1匹",
        "KFR-26GW",
        2_599,
        36,
        true,
    ),
    (
        "空调",
        "KFR-35GW/A1",
        "挂壁式空调 1.5匹",
        "KFR-35GW",
        3_299,
        36,
        true,
    ),
    (
        "空调",
        "KFR-72LW/B2",
        "柜式空调 3匹",
        "KFR-72LW",
        7_999,
        36,
        true,
    ),
    (
        "洗衣机",
        "XQG80-B",
        "滚筒洗衣机 8公斤",
        "XQG80-B1",
        2_299,
        24,
        true,
    ),
    (
        "洗衣机",
        "XQB100-D",
        "波轮洗衣机 10公斤",
        "XQB100-D",
        1_499,
        24,
        false,
    ),
    (
        "冰箱",
        "BCD-215",
        "双门冰箱 215升",
        "BCD-215TM",
        1_899,
        36,
        true,
    ),
    (
        "冰箱",
        "BCD-470W",
        "十字对开门冰箱 470升",
        "BCD-470WD",
        4_999,
        36,
        true,
    ),
    (
        "热水器",
        "RSQ-60",
        "电热水器 60升",
        "RSQ-60E",
        1_299,
        24,
        false,
    ),
    (
        "热水器",
        "RSQ-80",
        "电热水器 80升",
        "RSQ-80E",
        1_599,
        24,
        false,
    ),
    ("电视", "TV-55U", "4K 电视 55英寸", "55U7", 3_499, 12, true),
    ("电视", "TV-65U", "4K 电视 65英寸", "65U7", 5_499, 12, true),
];

/// (part number, name, cost in yuan, unit, used in SKUs)
const PARTS: &[(&str, &str, i64, &str, &[&str])] = &[
    (
        "P-YSJ-01",
        "压缩机",
        680,
        "台",
        &["KFR-26GW/A1", "KFR-35GW/A1", "BCD-215"],
    ),
    (
        "P-YSJ-02",
        "大功率压缩机",
        1_350,
        "台",
        &["KFR-72LW/B2", "BCD-470W"],
    ),
    ("P-DJ-01", "洗涤电机", 320, "台", &["XQG80-B", "XQB100-D"]),
    ("P-JRG-01", "加热管", 85, "根", &["RSQ-60", "RSQ-80"]),
    (
        "P-ZB-01",
        "空调主控板",
        260,
        "块",
        &["KFR-26GW/A1", "KFR-35GW/A1", "KFR-72LW/B2"],
    ),
    ("P-ZB-02", "电视主板", 540, "块", &["TV-55U", "TV-65U"]),
    (
        "P-YKQ-01",
        "遥控器",
        35,
        "个",
        &["KFR-26GW/A1", "KFR-35GW/A1", "TV-55U", "TV-65U"],
    ),
    ("P-MFT-01", "门封条", 60, "条", &["BCD-215", "BCD-470W"]),
];

/// A demo service point: name, province, city, categories, capacity, turnaround days.
type DemoPoint = (
    &'static str,
    &'static str,
    &'static str,
    &'static [&'static str],
    u32,
    u32,
);

const POINTS: &[DemoPoint] = &[
    (
        "杭州西湖服务站",
        "浙江",
        "杭州",
        &["空调", "洗衣机", "冰箱", "热水器"],
        12,
        5,
    ),
    (
        "宁波海曙服务站",
        "浙江",
        "宁波",
        &["空调", "冰箱", "电视"],
        8,
        5,
    ),
    (
        "上海徐汇服务站",
        "上海",
        "上海",
        &["空调", "洗衣机", "冰箱", "热水器", "电视"],
        15,
        4,
    ),
    (
        "广州天河服务站",
        "广东",
        "广州",
        &["空调", "洗衣机", "热水器", "电视"],
        10,
        5,
    ),
    (
        "成都武侯服务站",
        "四川",
        "成都",
        &["空调", "冰箱", "洗衣机"],
        8,
        6,
    ),
    (
        "北京朝阳服务站",
        "北京",
        "北京",
        &["空调", "洗衣机", "冰箱", "热水器", "电视"],
        15,
        4,
    ),
];

/// (fault description, kind)
const FAULTS: &[(&str, RmaKind)] = &[
    ("开机后不制冷，室外机不启动", RmaKind::Repair),
    ("运行时噪音很大，有异响", RmaKind::Repair),
    ("到货外壳有磕碰凹陷", RmaKind::Exchange),
    ("通电后无反应", RmaKind::Return),
    ("加热到一半自动断电", RmaKind::Repair),
    ("屏幕出现竖线", RmaKind::Exchange),
    ("少发了遥控器和说明书", RmaKind::Refund),
    ("漏水，地面有积水", RmaKind::Repair),
    ("客户买错型号，想退货", RmaKind::Return),
    ("脱水时剧烈晃动", RmaKind::Repair),
];

/// How many RMAs the last month holds, by the demo's size.
fn rma_count(tickets: usize) -> usize {
    (tickets / 100).clamp(24, 300)
}

pub(super) fn at(day: Date, hour: i8, minute: i8) -> Timestamp {
    super::quality::at(day, hour, minute)
}

/// The day `n` days before `d`.
fn days_before(d: Date, n: i64) -> Date {
    d.checked_sub(jiff::Span::new().days(n)).unwrap_or(d)
}

fn steps_in(rng: &mut Rng, from: Timestamp, days: std::ops::Range<i64>) -> Timestamp {
    from + SignedDuration::from_hours(rng.i64(days) * 24 + rng.i64(0..4))
}

/// Loads the after-sales part of the demo; the rows written (catalogue, points, RMAs).
pub(super) async fn load(
    app: &App,
    rng: &mut Rng,
    world: &World,
    tickets: usize,
) -> Result<usize, DemoError> {
    let team = super::Team::read(app).await?;
    let (keepers, managers, agents) = (
        team.with(Role::AftersalesSpecialist),
        team.with(Role::CsManager),
        team.with(Role::Agent),
    );
    let (Some(keeper), Some(manager), false) =
        (keepers.first(), managers.first(), agents.is_empty())
    else {
        return Ok(0);
    };
    let clock = Arc::new(FixedClock::new(
        world.now - SignedDuration::from_hours(40 * 24),
    ));
    let a = app.on_clock(clock.clone());
    let mut written = 0;

    // The catalogue.
    let mut categories = Vec::new();
    for (cat, ..) in PRODUCTS {
        if !categories.iter().any(|(n, _)| n == cat) {
            let id = a.add_product_category(keeper, cat).await?;
            categories.push((*cat, id));
            written += 1;
        }
    }
    let category = |name: &str| {
        categories
            .iter()
            .find(|(n, _)| *n == name)
            .map_or(0, |(_, id)| *id)
    };
    let mut products = Vec::new();
    for (cat, sku, name, model, yuan, warranty, serial) in PRODUCTS {
        let id = a
            .create_product(
                keeper,
                Product {
                    sku: (*sku).to_owned(),
                    name: (*name).to_owned(),
                    model: (*model).to_owned(),
                    category_id: category(cat),
                    price_fen: yuan * 100,
                    warranty_months: *warranty,
                    serial_tracked: *serial,
                    active: true,
                },
            )
            .await?;
        products.push((id, *sku, yuan * 100, *serial));
        written += 1;
    }
    let product = |sku: &str| products.iter().find(|p| p.1 == sku).map_or(0, |p| p.0);
    for (number, name, yuan, unit, used_in) in PARTS {
        a.create_part(
            keeper,
            Part {
                part_number: (*number).to_owned(),
                name: (*name).to_owned(),
                cost_fen: yuan * 100,
                unit: (*unit).to_owned(),
                active: true,
                uses: used_in
                    .iter()
                    .map(|sku| PartUse {
                        product_id: product(sku),
                        quantity: 1,
                    })
                    .collect(),
            },
        )
        .await?;
        written += 1;
    }
    let today = crate::workbench::local_date(world.now);
    let year_start = Date::new(today.year(), 1, 1).unwrap_or(today);
    let list = a
        .create_price_list(
            keeper,
            PriceList {
                name: format!("{} 经销价", today.year()),
                customer_type: Some(CustomerType::Distributor),
                valid_from: year_start,
                valid_to: None,
                active: true,
            },
        )
        .await?;
    let changes: Vec<PriceChange> = products
        .iter()
        .map(|(_, sku, fen, _)| PriceChange {
            sku: (*sku).to_owned(),
            price_fen: Some(fen * 88 / 100 / 100 * 100),
        })
        .collect();
    a.set_list_prices(keeper, list, 1, &changes).await?;
    written += 1;

    // Televisions: a 15-day return window of their own, from the start of the month.
    let month_start = Date::new(today.year(), today.month(), 1).unwrap_or(today);
    let mut tv = default_policy();
    tv.return_days = 15;
    a.issue_aftersales_policy(
        keeper,
        PolicyDraft {
            category_id: Some(category("电视")),
            valid_from: days_before(month_start, 60),
            valid_to: None,
            policy: tv,
            note: "电视类退货期延长至15天".to_owned(),
        },
    )
    .await?;
    written += 1;

    for (name, province, city, cats, capacity, days) in POINTS {
        a.create_service_point(
            keeper,
            ServicePoint {
                name: (*name).to_owned(),
                province: (*province).to_owned(),
                city: (*city).to_owned(),
                address: String::new(),
                categories: cats.iter().map(|c| category(c)).collect(),
                capacity: *capacity,
                turnaround_days: *days,
                active: true,
            },
        )
        .await?;
        written += 1;
    }

    // The last month of RMAs.
    let n = rma_count(tickets);
    let customers = {
        let mut conn = app.store.conn().await?;
        kefu_store::bulk::rma_customers(&mut conn, n as i64).await?
    };
    if customers.is_empty() {
        return Ok(written);
    }
    let mut disputed = false;
    for i in 0..n {
        // Registered 30 days ago to today, in the morning or afternoon.
        let age = (30 * (n - 1 - i) / n.max(1)) as i64;
        let day = days_before(today, age);
        let registered = at(day, 9 + rng.i8(0..8), rng.i8(0..60));
        if registered > world.now {
            continue;
        }
        clock.set(registered);
        let (fault_text, kind) = FAULTS[rng.usize(..FAULTS.len())];
        let (pid, sku, price, serial) = products[rng.usize(..products.len())];
        let fault = match rng.u8(0..20) {
            0 => Fault::CustomerDamage,
            1 if kind == RmaKind::Return => Fault::NoFault,
            _ => Fault::Quality,
        };
        // Most within the windows; some weeks or months after the delivery.
        let delivered_days = match rng.u8(0..10) {
            0..=4 => rng.i64(1..7),
            5..=6 => rng.i64(7..16),
            7..=8 => rng.i64(30..300),
            _ => rng.i64(400..700),
        };
        let delivered_on = days_before(day, delivered_days);
        let amount = match kind {
            RmaKind::Refund => rng.i64(50..200) * 100,
            RmaKind::Repair => rng.i64(0..6) * 5_000,
            _ => price,
        };
        let req = RmaRequest {
            source: RmaSource::Staff,
            customer_id: customers[i % customers.len()],
            ticket_id: None,
            complaint_rma_id: None,
            kind,
            product_id: pid,
            order_number: format!("SO{}{:04}", day.year(), 100 + i),
            serial: if serial {
                format!(
                    "{}{:06}",
                    sku.replace(['-', '/'], ""),
                    rng.u32(0..1_000_000)
                )
            } else {
                String::new()
            },
            quantity: 1,
            fault,
            description: fault_text.to_owned(),
            delivered_on,
            requested_on: None,
            amount_fen: amount,
            paid_fen: price,
        };
        let registrar = &agents[i % agents.len()];
        let (id, state) = a.request_rma(registrar, &req).await?;
        written += 1;
        // Each later step a business day or few after the one before, up to now.
        let mut when = registered;
        let mut state = state;
        // Who approves: read once, when the RMA first waits for approval.
        let mut decided_by_manager = None;
        let step = |rng: &mut Rng, when: Timestamp, days: std::ops::Range<i64>| {
            let next = steps_in(rng, when, days);
            (next <= world.now).then_some(next)
        };
        loop {
            let m = match state {
                RmaState::PendingApproval => {
                    let detail = a.rma(manager, id).await?;
                    decided_by_manager = Some(detail.rma.rma.approver.key() == "manager");
                    if detail.rma.rma.verdict.key() == "outside" && rng.u8(0..3) == 0 {
                        RmaMove::Reject
                    } else {
                        RmaMove::Approve
                    }
                }
                RmaState::AwaitingGoods => {
                    if rng.u8(0..25) == 0 {
                        RmaMove::Cancel
                    } else {
                        RmaMove::Receive
                    }
                }
                RmaState::Received => {
                    let result = match fault {
                        Fault::CustomerDamage => Inspection::CustomerDamage,
                        Fault::NoFault => Inspection::NoFault,
                        Fault::Quality if rng.u8(0..12) == 0 => Inspection::NoFault,
                        Fault::Quality => Inspection::FaultConfirmed,
                    };
                    RmaMove::Inspect {
                        result,
                        quote_fen: Some(rng.i64(8..40) * 1_000),
                    }
                }
                RmaState::Quoted => {
                    if rng.u8(0..5) == 0 {
                        RmaMove::DeclineQuote
                    } else {
                        RmaMove::AcceptQuote
                    }
                }
                RmaState::Approved => match kind {
                    RmaKind::Return | RmaKind::Refund => RmaMove::Refund {
                        amount_fen: amount.clamp(1, price),
                    },
                    RmaKind::Exchange => RmaMove::Replace,
                    RmaKind::Repair => RmaMove::Repair,
                },
                RmaState::Refunded | RmaState::Replaced | RmaState::Repaired => RmaMove::Close,
                RmaState::Closed | RmaState::Rejected | RmaState::Cancelled => break,
            };
            let days = match state {
                RmaState::AwaitingGoods => 2..6,
                RmaState::Approved => 1..4,
                _ => 0..2,
            };
            let Some(next) = step(rng, when, days) else {
                break;
            };
            when = next;
            clock.set(when);
            let actor = match (&m, decided_by_manager) {
                (RmaMove::Approve | RmaMove::Reject, Some(true)) => manager,
                _ => &keepers[i % keepers.len()],
            };
            let note = match m {
                RmaMove::Reject => "超出三包期限，建议有偿维修".to_owned(),
                RmaMove::Cancel => "客户自行修复，撤回申请".to_owned(),
                RmaMove::DeclineQuote => "客户认为报价偏高，不修了".to_owned(),
                _ => String::new(),
            };
            state = a
                .move_rma(
                    actor,
                    id,
                    None,
                    &MoveInput {
                        step: m,
                        note,
                        replacement_serial: String::new(),
                    },
                )
                .await?;
        }
        // One rejected claim of damage goes to a dispute, ruled on the policy.
        if !disputed && fault == Fault::CustomerDamage && state.is_final() {
            disputed = true;
            let d = a.rma(manager, id).await?;
            clock.set(when + SignedDuration::from_hours(2));
            let dispute = a
                .open_dispute(
                    registrar,
                    d.rma.rma.customer_id,
                    Some(id),
                    DisputeCase {
                        subject: format!("{} 是否属人为损坏", d.rma.product),
                        customer_position: "正常使用中出现故障，不是人为损坏，要求免费处理。"
                            .to_owned(),
                        company_position: "检测发现外壳和内部件有撞击痕迹，属人为损坏。".to_owned(),
                        evidence: format!("售后单 {} 检测记录及照片", d.rma.rma.number),
                    },
                )
                .await?;
            clock.set(when + SignedDuration::from_hours(26));
            a.rule_dispute(
                keeper,
                dispute,
                None,
                Ruling {
                    text: "检测结论属实，属人为损坏，不在三包范围；按有偿维修处理，免收检测费。"
                        .to_owned(),
                    policy_id: d.rma.rma.policy_id,
                    clause: ClauseKey::CustomerDamage,
                },
            )
            .await?;
            written += 1;
        }
    }

    // Last week's inspection of each point.
    let inspected = days_before(today, 7);
    clock.set(at(inspected, 15, 0));
    for (k, p) in a.service_points(keeper).await?.iter().enumerate() {
        let items: Vec<Checked> = default_checklist()
            .into_iter()
            .enumerate()
            .map(|(j, item)| Checked {
                item,
                passed: (j + k) % 5 != 0,
            })
            .collect();
        a.inspect_service_point(
            keeper,
            p.row.id,
            inspected,
            &items,
            "未达标项限期一周整改，下次检查复核。",
        )
        .await?;
        written += 1;
    }
    written += super::aftersales_stock::load(&a, &clock, rng, keeper, manager, today).await?;
    Ok(written)
}
