//! 服务质量 — the quality specialists' last two weeks, done through the use cases on a clock
//! set to each business day: the morning's daily report, the day's sample drawn and scored
//! (most results good, some a point short, a few failing a critical item and opening their
//! anomaly), the agents' acknowledgements and an appeal the manager decided, anomalies
//! recorded by hand, investigated two days later, measures planned, carried out and, a week
//! after, verified by the other specialist, anomalies closed; one calibration round, and
//! the last meeting on the vital few service items.
//!
//! Volumes follow the samples the default rules draw; at the large scale the history is
//! shorter, so the load stays quick.

use std::sync::Arc;

use fastrand::Rng;
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::quality::anomaly::{AnomalySeverity, AnomalyStatus, CauseCategory};
use kefu_domain::quality::measure::{MeasureKind, MeasureStatus};
use kefu_domain::quality::{AppealDecision, InspectionStatus, Scorecard};
use kefu_domain::{FixedClock, Role};
use kefu_store::quality::inspection::InspectionRow;

use super::{DemoError, World};
use crate::quality::{
    AnomalyForm, AnomalyInvestigation, InspectionScope, ItemScoreForm, MeasureForm, MeetingForm,
    ScoreForm,
};
use crate::{Actor, App};

/// Business days of history, by scale.
fn history_days(tickets: usize) -> usize {
    if tickets > 200_000 { 3 } else { 10 }
}

/// What a specialist writes by hand, per service item key.
const MANUAL: &[(&str, &str)] = &[
    ("phone", "来电高峰时段排队超过五分钟，客户挂断后无人回拨。"),
    (
        "online",
        "在线咨询回复模板化，未回答客户关于保修期的具体问题。",
    ),
    ("email", "客户邮件两个工作日未回复，客户再次来电催促。"),
    ("repair", "维修师傅上门迟到一小时，未提前告知客户。"),
    ("return", "退货登记的型号与实物不符，客户二次寄回。"),
    ("order", "订单交期变更未通知客户，客户到期未收到货。"),
    ("visit", "回访记录只写“满意”，未记录客户原话。"),
    ("statement", "对账单漏记一笔退款，客户质疑对账结果。"),
];

/// The findings and a measure for each cause.
const CAUSES: &[(CauseCategory, u32, &str, &str)] = &[
    (
        CauseCategory::People,
        40,
        "坐席对售后政策不熟悉，答复前未查知识库。",
        "组织售后政策培训，并在周会上抽查。",
    ),
    (
        CauseCategory::Process,
        25,
        "流程中没有规定超时提醒，工单被遗漏。",
        "在工单流程中增加超时提醒，并由组长每日检查。",
    ),
    (
        CauseCategory::Rules,
        10,
        "制度对该情形没有明确要求。",
        "修订服务规范，明确该情形的处理要求。",
    ),
    (
        CauseCategory::System,
        10,
        "系统故障导致消息未及时送达。",
        "与信息部门确认修复，增加故障时的人工巡检。",
    ),
    (
        CauseCategory::Product,
        10,
        "产品批次质量问题引起客户不满。",
        "将问题批次反馈品质部，跟踪改进结果。",
    ),
    (
        CauseCategory::Customer,
        5,
        "客户提供的信息有误。",
        "在受理时增加信息复核一步。",
    ),
];

fn weighted_cause(rng: &mut Rng) -> &'static (CauseCategory, u32, &'static str, &'static str) {
    let total: u32 = CAUSES.iter().map(|c| c.1).sum();
    let mut roll = rng.u32(0..total);
    for c in CAUSES {
        if roll < c.1 {
            return c;
        }
        roll -= c.1;
    }
    &CAUSES[0]
}

/// The scores a specialist gives: full marks mostly, a point off now and then, and now and
/// then a critical item failed. `jitter` scores again as a second inspector would: the same
/// mostly, a level apart here and there.
fn scores(
    rng: &mut Rng,
    card: &Scorecard,
    channel: &str,
    first: Option<&[ItemScoreForm]>,
) -> Vec<ItemScoreForm> {
    let fail_critical = first.is_none() && rng.u8(0..100) < 7;
    let mut out = Vec::new();
    for item in card.sections.iter().flat_map(|s| s.items.iter()) {
        let applies = item.channels.is_empty() || item.channels.iter().any(|c| c == channel);
        if !applies {
            continue;
        }
        let top = item.levels.saturating_sub(1);
        let score = match first.and_then(|f| f.iter().find(|x| x.key == item.key)) {
            Some(given) if rng.u8(0..100) < 85 => given.score,
            Some(given) => {
                let s = given.score.unwrap_or(top);
                Some(if s == top { s.saturating_sub(1) } else { s + 1 })
            }
            None if item.critical && fail_critical => Some(0),
            None if !item.critical && rng.u8(0..100) < 8 => Some(top.saturating_sub(1)),
            None => Some(top),
        };
        let failed = score == Some(0) && item.critical;
        out.push(ItemScoreForm {
            key: item.key.clone(),
            score,
            comment: if failed {
                "未按规范处理，影响客户体验。".to_owned()
            } else {
                String::new()
            },
            evidence: if failed {
                "见对话记录".to_owned()
            } else {
                String::new()
            },
        });
    }
    out
}

/// The people who do the quality work.
struct Staff {
    specialists: Vec<Actor>,
    manager: Actor,
    by_id: std::collections::HashMap<i64, Actor>,
}

impl Staff {
    fn actor(&self, id: i64) -> Option<&Actor> {
        self.by_id.get(&id)
    }

    /// The specialist who is not `id` (the verifier, the second inspector).
    fn other_than(&self, id: Option<i64>) -> &Actor {
        self.specialists
            .iter()
            .find(|a| a.user_id() != id)
            .unwrap_or(&self.specialists[0])
    }
}

/// `hour:minute` on `date`, Beijing time.
pub(super) fn at(date: Date, hour: i8, minute: i8) -> Timestamp {
    date.at(hour, minute, 0, 0)
        .to_zoned(
            jiff::tz::TimeZone::get(crate::ticket::NUMBER_TIME_ZONE)
                .unwrap_or(jiff::tz::TimeZone::UTC),
        )
        .map(|z| z.timestamp())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

pub(super) async fn load(
    app: &App,
    rng: &mut Rng,
    world: &World,
    tickets: usize,
) -> Result<usize, DemoError> {
    let team = super::Team::read(app).await?;
    let specialists = team.with(Role::QualitySpecialist);
    let Some(manager) = team.first(Role::CsManager) else {
        return Ok(0);
    };
    if specialists.is_empty() {
        return Ok(0);
    }
    let staff = Staff {
        by_id: team
            .users
            .iter()
            .map(|u| (u.id, Actor::of_user(u)))
            .collect(),
        specialists,
        manager,
    };
    let clock = Arc::new(FixedClock::new(world.now));
    let q = app.on_clock(clock.clone());
    let calendar = {
        let mut conn = app.store.conn().await?;
        app.business_calendar(&mut conn).await?
    };
    let today = crate::follow_up::local_date(&calendar, world.now);
    let mut days = Vec::new();
    let mut d = today;
    while days.len() < history_days(tickets) {
        d = kefu_domain::quality::report::previous_business_day(&calendar, d).unwrap_or(d);
        days.push(d);
    }
    days.reverse();
    let items = q.quality_service_items(&staff.manager).await?;
    let mut written = 0;
    let mut appealed = false;
    for (n, day) in days.iter().copied().enumerate() {
        // 08:30: the daily report of the day before.
        clock.set(at(day, 8, 30));
        if q.run_quality_report().await?.is_some() {
            written += 1;
        }
        // The sample, drawn in the morning, and scored through the day.
        clock.set(at(day, 10, 40));
        q.draw_quality_sample(&staff.specialists[n % staff.specialists.len()])
            .await?;
        let todo = q
            .quality_inspections(
                &staff.manager,
                InspectionScope::Everyone,
                Some(InspectionStatus::Assigned),
            )
            .await?;
        let mut card: Option<(i64, Scorecard)> = None;
        let mut scored: Vec<(InspectionRow, Vec<ItemScoreForm>)> = Vec::new();
        for (i, row) in todo.into_iter().enumerate() {
            let inspector = row
                .inspector_id
                .and_then(|id| staff.actor(id))
                .unwrap_or(&staff.specialists[0]);
            if card.is_none() {
                let v = q.quality_inspection(inspector, row.id).await?;
                card = Some((v.card_version_id, v.card));
            }
            let Some((version, sheet)) = &card else {
                continue;
            };
            clock.set(at(day, 11, 0) + SignedDuration::from_mins(i as i64 * 3 % 300));
            let given = scores(rng, sheet, &row.channel, None);
            let form = ScoreForm {
                card_version_id: *version,
                items: given.clone(),
                comment: "服务过程整体规范。".to_owned(),
            };
            q.score_inspection(inspector, row.id, &form, None).await?;
            written += 1;
            scored.push((row, given));
        }
        // The agents answer their results in the afternoon; one appeal in the fortnight.
        clock.set(at(day, 16, 30));
        for (row, given) in &scored {
            let Some(agent) = staff.actor(row.agent_id) else {
                continue;
            };
            let failed = given
                .iter()
                .any(|g| g.score == Some(0) && !g.comment.is_empty());
            if failed && !appealed {
                q.appeal_inspection(
                    agent,
                    row.id,
                    "当时客户情绪激动，我已按流程安抚并转交。",
                    None,
                )
                .await?;
                clock.set(at(day, 17, 30));
                q.decide_quality_appeal(
                    &staff.manager,
                    row.id,
                    AppealDecision::Uphold,
                    "对话记录显示未按规范处理，维持原评分。",
                    None,
                )
                .await?;
                appealed = true;
            } else if rng.u8(0..10) < 8 {
                q.acknowledge_inspection(agent, row.id, None).await?;
            }
        }
        // One calibration round, mid-way: the other specialist scores a few again, blind.
        if n == days.len() / 2 {
            clock.set(at(day, 17, 0));
            for (row, given) in scored.iter().take(8) {
                let second = staff.other_than(row.inspector_id);
                let Some(second_id) = second.user_id() else {
                    continue;
                };
                if row.agent_id == second_id {
                    continue;
                }
                let asker = staff
                    .actor(row.inspector_id.unwrap_or(0))
                    .unwrap_or(&staff.manager);
                let id = q.ask_quality_calibration(asker, row.id, second_id).await?;
                let Some((version, sheet)) = &card else {
                    continue;
                };
                let form = ScoreForm {
                    card_version_id: *version,
                    items: scores(rng, sheet, &row.channel, Some(given)),
                    comment: String::new(),
                };
                q.score_quality_calibration(second, id, &form).await?;
                written += 1;
            }
        }
        // Anomalies seen by hand.
        clock.set(at(day, 15, 0));
        for _ in 0..rng.usize(0..=2) {
            let (key, text) = MANUAL[rng.usize(..MANUAL.len())];
            let Some(item) = items.iter().find(|i| i.key == key) else {
                continue;
            };
            let form = AnomalyForm {
                service_item_id: item.id,
                channel: None,
                agent_id: None,
                severity: if rng.u8(0..10) < 2 {
                    AnomalySeverity::Minor
                } else {
                    AnomalySeverity::Major
                },
                description: text.to_owned(),
                evidence: String::new(),
                occurred_on: Some(day),
            };
            q.record_quality_anomaly(&staff.specialists[0], &form)
                .await?;
            written += 1;
        }
        // Two days on: investigations, measures; measures carried out; a week after they
        // are done, verified; anomalies closed.
        clock.set(at(day, 16, 0));
        written += investigate(&q, rng, &staff, day, &calendar).await?;
        written += carry_out(&q, &staff, day).await?;
    }
    // The last meeting, on the fortnight's vital few.
    if let (Some(first), Some(last)) = (days.first(), days.last()) {
        clock.set(at(*last, 17, 0));
        let mut attendees: Vec<i64> = staff
            .specialists
            .iter()
            .filter_map(Actor::user_id)
            .collect();
        attendees.extend(staff.manager.user_id());
        q.record_quality_meeting(
            &staff.specialists[0],
            &MeetingForm {
                title: "质量异常讨论会".to_owned(),
                from: *first,
                to: *last,
                held_on: *last,
                decisions: "电话受理与邮件回复的异常最多：下周完成售后政策培训，邮件超时设提醒，由组长每日检查。"
                    .to_owned(),
                attendees,
                measures: Vec::new(),
            },
        )
        .await?;
        written += 1;
    }
    // This morning's report, once its time has come.
    clock.set(world.now);
    if q.run_quality_report().await?.is_some() {
        written += 1;
    }
    Ok(written)
}

/// Investigates the anomalies of two business days ago, plans a measure on most.
async fn investigate(
    q: &App,
    rng: &mut Rng,
    staff: &Staff,
    today: Date,
    calendar: &kefu_domain::calendar::BusinessCalendar,
) -> Result<usize, DemoError> {
    let Some(before) = kefu_domain::quality::report::previous_business_day(calendar, today)
        .and_then(|d| kefu_domain::quality::report::previous_business_day(calendar, d))
    else {
        return Ok(0);
    };
    let open = q
        .quality_anomalies(&staff.manager, Some(AnomalyStatus::Open), None, None)
        .await?;
    let mut n = 0;
    for a in open.iter().filter(|a| a.occurred_on <= before.to_string()) {
        let (cause, _, findings, measure) = weighted_cause(rng);
        let investigator = &staff.specialists[a.id as usize % staff.specialists.len()];
        q.investigate_quality_anomaly(
            investigator,
            a.id,
            &AnomalyInvestigation {
                cause: *cause,
                responsible_user_id: a.agent_id,
                findings: (*findings).to_owned(),
            },
            None,
        )
        .await?;
        n += 1;
        if rng.u8(0..10) < 7 {
            let owner = a
                .agent_id
                .or_else(|| investigator.user_id())
                .unwrap_or_default();
            q.plan_quality_measure(
                investigator,
                a.id,
                &MeasureForm {
                    kind: if rng.bool() {
                        MeasureKind::Corrective
                    } else {
                        MeasureKind::Preventive
                    },
                    body: (*measure).to_owned(),
                    owner_id: owner,
                    due_on: today + jiff::Span::new().days(rng.i64(2..=6)),
                },
            )
            .await?;
            n += 1;
        }
    }
    Ok(n)
}

/// Measures due by today are done by their owners; those done a week or more ago are
/// verified by someone else (mostly effective), and their anomalies closed.
async fn carry_out(q: &App, staff: &Staff, today: Date) -> Result<usize, DemoError> {
    let mut n = 0;
    let all = q
        .quality_measures(
            &staff.manager,
            crate::quality::MeasureScope::Everyone,
            false,
        )
        .await?;
    for m in all {
        let due: Date = m.due_on.parse().unwrap_or(today);
        let Some(owner) = staff.actor(m.owner_id) else {
            continue;
        };
        match m.status.parse::<MeasureStatus>() {
            Ok(MeasureStatus::Planned) if due <= today => {
                q.progress_quality_measure(
                    owner,
                    m.id,
                    MeasureStatus::InProgress,
                    "已开始。",
                    None,
                )
                .await?;
                q.progress_quality_measure(owner, m.id, MeasureStatus::Done, "已完成。", None)
                    .await?;
                n += 1;
            }
            Ok(MeasureStatus::Done) => {
                let done: Date = m
                    .done_on
                    .as_deref()
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(today);
                if done + jiff::Span::new().days(7) <= today {
                    let verifier = staff.other_than(Some(m.owner_id));
                    let effective = m.id % 6 != 0;
                    q.verify_quality_measure(
                        verifier,
                        m.id,
                        effective,
                        if effective {
                            "一周内同类问题未再发生。"
                        } else {
                            "同类问题仍有发生，需要重新分析原因。"
                        },
                        None,
                    )
                    .await?;
                    if effective {
                        q.close_quality_anomaly(verifier, m.anomaly_id, None)
                            .await?;
                    }
                    n += 1;
                }
            }
            _ => {}
        }
    }
    Ok(n)
}
