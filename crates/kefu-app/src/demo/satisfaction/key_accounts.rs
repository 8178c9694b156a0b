//! 大客户 — the key-account specialist's work of the last months: the customer service
//! manager's visits (about half the accounts seen in the last three months, each with its
//! report and the account's rating of its agent; a couple of low ratings, each proposing a
//! change of agent; a few visits arranged for the coming weeks, one or two cancelled), a
//! service plan for about a third of the accounts (some due for review), and a few
//! discount and incentive policies approved, waiting, or turned down.

use std::collections::HashSet;

use fastrand::Rng;
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::key_account::plan::{GoalState, Stage};
use kefu_domain::key_account::policy::{PolicyKind, PolicyState};
use kefu_domain::key_account::{VisitMode, VisitState};
use kefu_store::StoreError;
use kefu_store::bulk::{
    self, AgentChangeRow, Batch, KeyCustomer, ManagerVisitRow, PolicyDecision, RatingRow,
};
use kefu_store::key_account_plan::{Goal, NewPlan, NewPolicy, NewReview};

use super::{Context, days_after, hours, months_after, reachable_until, texts, weighted};
use crate::App;
use crate::demo::DemoError;
use crate::demo::customers::pick;
use crate::follow_up::local_date;

/// When in the day the manager sees a customer.
const VISIT_TIMES: [(i8, i8); 4] = [(9, 30), (10, 0), (14, 0), (15, 30)];

/// Who does the work: the managers who visit and decide, the specialists who arrange and
/// propose.
struct People {
    managers: Vec<i64>,
    specialists: Vec<i64>,
}

/// A service plan and its reviews, before they are written.
struct PlanWritten {
    customer_id: i64,
    stage: Stage,
    needs: String,
    every_months: i64,
    next_review_on: Date,
    author_id: Option<i64>,
    goals: Vec<Goal>,
    reviews: Vec<ReviewWritten>,
    reminded_for: Option<String>,
    created_at: Timestamp,
    updated_at: Timestamp,
}

/// One review of a plan: when, the stage before and after, what it found, the next date.
struct ReviewWritten {
    at: Timestamp,
    before: Stage,
    after: Stage,
    findings: &'static str,
    next_review_on: Date,
}

/// Writes the visits, ratings, plans and policies; returns the manager visits written.
pub(super) async fn write(app: &App, rng: &mut Rng, cx: &Context<'_>) -> Result<usize, DemoError> {
    let cast = &cx.world.cast;
    let people = People {
        managers: cast.managers.iter().map(|p| p.id).collect(),
        specialists: cast.key_account_owners.iter().map(|p| p.id).collect(),
    };
    if people.managers.is_empty() {
        return Ok(0);
    }
    let accounts: Vec<&KeyCustomer> = cx.key_accounts().collect();
    let mut visits: Vec<ManagerVisitRow> = accounts
        .iter()
        .filter_map(|c| manager_visit(rng, cx, c, &people))
        .collect();
    let mut plans = Vec::new();
    for c in &accounts {
        if rng.u8(0..100) < 33
            && let Some(p) = plan(rng, cx, c, &people)
        {
            plans.push(p);
        }
    }
    let mut tx = app.store.begin().await?;
    let visit_ids = bulk::reserve_ids(&mut tx, "manager_visits", visits.len()).await?;
    let mut batch = Batch::default();
    for (v, id) in visits.iter_mut().zip(visit_ids) {
        v.id = id;
        batch.manager_visit(v);
    }
    let ratings = heard_ratings(rng, &visits, &accounts);
    let rating_ids = bulk::reserve_ids(&mut tx, "agent_ratings", ratings.len()).await?;
    for ((mut r, low), id) in ratings.into_iter().zip(rating_ids) {
        r.id = id;
        batch.agent_rating(&r);
        if low {
            batch.agent_change(&AgentChangeRow {
                customer_id: r.customer_id,
                rating_id: id,
                from_agent_id: r.agent_id,
                state: "proposed",
                to_agent_id: None,
                decided_by: None,
                decided_at: None,
                note: None,
                created_at: r.rated_at,
            });
        }
    }
    for p in &plans {
        push_plan(&mut batch, p);
    }
    policies(rng, cx, &accounts, &people, &mut batch);
    batch.write(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(visits.len())
}

/// The manager's visit to `c`, if it had one: done in the last three months (about half),
/// arranged for the coming weeks, or cancelled.
fn manager_visit(
    rng: &mut Rng,
    cx: &Context<'_>,
    c: &KeyCustomer,
    people: &People,
) -> Option<ManagerVisitRow> {
    let now = cx.now();
    let today = cx.today();
    let roll = rng.u8(0..100);
    let manager = *pick(rng, &people.managers)?;
    let arranged_by = c
        .owner_id
        .or_else(|| pick(rng, &people.specialists).copied());
    let mode = weighted(
        rng,
        &[
            (VisitMode::OnSite, 60),
            (VisitMode::Video, 20),
            (VisitMode::Phone, 20),
        ],
    )
    .unwrap_or(VisitMode::OnSite);
    let purpose = pick(rng, texts::VISIT_PURPOSES).map_or("季度例行拜访", |p| *p);
    let (hour, minute) = VISIT_TIMES[rng.usize(..VISIT_TIMES.len())];
    let joined = local_date(&cx.calendar, c.created_at);
    let mut v = ManagerVisitRow {
        id: 0,
        customer_id: c.id,
        manager_id: manager,
        arranged_by,
        scheduled_at: now,
        mode: mode.key(),
        purpose: purpose.to_owned(),
        state: VisitState::Planned.key(),
        summary: None,
        requests: None,
        actions: None,
        reported_at: None,
        cancel_reason: None,
        created_at: now,
        updated_at: now,
    };
    match roll {
        0..50 => {
            // Seen while the account could still be reached.
            let latest = reachable_until(c, now) - hours(30);
            let from = days_after(today, -90).max(days_after(joined, 7));
            let to = local_date(&cx.calendar, latest);
            let span = from.until(to).ok()?.get_days();
            if span < 0 {
                return None;
            }
            let day = cx.working_day(days_after(from, rng.i64(0..=i64::from(span))));
            v.scheduled_at = cx.at(day, hour, minute);
            if v.scheduled_at >= latest || v.scheduled_at <= c.created_at {
                return None;
            }
            let reported = (v.scheduled_at + hours(rng.i64(3..30))).min(now - hours(1));
            let (summary, requests, actions) = texts::visit_report(rng);
            v.state = VisitState::Done.key();
            v.summary = Some(summary);
            v.requests = requests.map(str::to_owned);
            v.actions = Some(actions.to_owned());
            v.reported_at = Some(reported);
            v.created_at = (v.scheduled_at - hours(24 * rng.i64(3..15))).max(c.created_at);
            v.updated_at = reported;
        }
        50..58 => {
            let day = cx.working_day(days_after(today, rng.i64(3..28)));
            v.scheduled_at = cx.at(day, hour, minute);
            v.created_at = (now - hours(rng.i64(2..24 * 7))).max(c.created_at);
            v.updated_at = v.created_at;
        }
        58..60 => {
            let day = cx.working_day(days_after(today, -rng.i64(5..60)));
            v.scheduled_at = cx.at(day, hour, minute);
            v.created_at = (v.scheduled_at - hours(24 * rng.i64(7..15))).max(c.created_at);
            v.updated_at = (v.scheduled_at - hours(rng.i64(4..48))).max(v.created_at);
            if v.scheduled_at >= now || v.scheduled_at <= c.created_at {
                return None;
            }
            v.state = VisitState::Cancelled.key();
            v.cancel_reason = pick(rng, texts::CANCEL_REASONS).map(|r| (*r).to_owned());
        }
        _ => return None,
    }
    Some(v)
}

/// The accounts' ratings of their agents, heard on the visits done: mostly 4–5, a couple
/// of 1–2 (each proposing a change of agent, the `true` beside it).
fn heard_ratings(
    rng: &mut Rng,
    visits: &[ManagerVisitRow],
    accounts: &[&KeyCustomer],
) -> Vec<(RatingRow, bool)> {
    let heard: Vec<(&ManagerVisitRow, i64)> = visits
        .iter()
        .filter(|v| v.state == VisitState::Done.key())
        .filter_map(|v| {
            // The accounts are in id order.
            let i = accounts
                .binary_search_by_key(&v.customer_id, |c| c.id)
                .ok()?;
            Some((v, accounts[i].owner_id?))
        })
        .collect();
    let lows = (2 + heard.len() / 150).min(heard.len() / 2);
    let mut order: Vec<usize> = (0..heard.len()).collect();
    rng.shuffle(&mut order);
    let low: HashSet<usize> = order.into_iter().take(lows).collect();
    heard
        .iter()
        .enumerate()
        .map(|(n, (v, owner))| {
            let is_low = low.contains(&n);
            let score = if is_low {
                weighted(rng, &[(1, 40), (2, 60)]).unwrap_or(2)
            } else {
                weighted(rng, &[(5, 60), (4, 32), (3, 8)]).unwrap_or(5)
            };
            let rating = RatingRow {
                id: 0,
                customer_id: v.customer_id,
                agent_id: *owner,
                score,
                comment: texts::rating_comment(rng, is_low).to_owned(),
                visit_id: Some(v.id),
                rated_by: Some(v.manager_id),
                rated_at: v.reported_at.unwrap_or(v.updated_at),
            };
            (rating, is_low)
        })
        .collect()
}

/// The stage an account moved to `stage` from at its last review.
fn stage_before(stage: Stage) -> Stage {
    match stage {
        Stage::Exploring | Stage::Forming => Stage::Exploring,
        Stage::Stable => Stage::Forming,
        Stage::Declining => Stage::Stable,
    }
}

/// `c`'s service plan, written some reviews ago: its stage, needs and goals, reviewed every
/// three (or six) months, the next review a few weeks off or, for some, come already.
fn plan(rng: &mut Rng, cx: &Context<'_>, c: &KeyCustomer, people: &People) -> Option<PlanWritten> {
    let today = cx.today();
    let stage = weighted(
        rng,
        &[
            (Stage::Stable, 45),
            (Stage::Forming, 30),
            (Stage::Exploring, 15),
            (Stage::Declining, 10),
        ],
    )?;
    let every = weighted(rng, &[(3, 80), (6, 20)])?;
    let due = rng.u8(0..100) < 25;
    let next = if due {
        days_after(today, -rng.i64(1..25))
    } else {
        days_after(today, rng.i64(5..every * 28 - 3))
    };
    // The plan was written, then reviewed `k` times, each `every` months after the last.
    let joined = local_date(&cx.calendar, c.created_at);
    let mut k = weighted(rng, &[(0, 35), (1, 40), (2, 25)])?;
    let dates = loop {
        let dates: Vec<Date> = (0..=k + 1)
            .rev()
            .map(|i| months_after(next, -every * i))
            .collect();
        if k == 0 || dates[0] > joined {
            break dates;
        }
        k -= 1;
    };
    let written = dates[0].max(days_after(joined, 2));
    if written >= today {
        return None;
    }
    let moved = k > 0 && rng.u8(0..10) < 3;
    let reviewer = c
        .owner_id
        .or_else(|| pick(rng, &people.specialists).copied());
    let reviews: Vec<ReviewWritten> = (1..=k as usize)
        .map(|j| {
            let last = j == k as usize;
            let after = if last || !moved {
                stage
            } else {
                stage_before(stage)
            };
            let before = if last && moved {
                stage_before(stage)
            } else {
                after
            };
            ReviewWritten {
                at: cx.at(dates[j], 15, 0),
                before,
                after,
                findings: texts::review_findings(rng, before != after),
                next_review_on: dates[j + 1],
            }
        })
        .collect();
    let created_at = cx.at(written, 16, 0);
    let updated_at = reviews.last().map_or(created_at, |r| r.at);
    Some(PlanWritten {
        customer_id: c.id,
        stage,
        needs: texts::plan_needs(rng, stage),
        every_months: every,
        next_review_on: next,
        author_id: reviewer,
        goals: goals(rng, stage, next, today),
        reviews,
        reminded_for: due.then(|| next.to_string()),
        created_at,
        updated_at,
    })
}

/// Two or three goals fitting `stage`, most due after the next review; those due already
/// met or missed.
fn goals(rng: &mut Rng, stage: Stage, next: Date, today: Date) -> Vec<Goal> {
    let pool = texts::plan_goals(stage);
    let mut order: Vec<usize> = (0..pool.len()).collect();
    rng.shuffle(&mut order);
    let n = 2 + usize::from(rng.bool());
    order
        .into_iter()
        .take(n)
        .map(|i| {
            let (goal, measure) = pool[i];
            let due_on = (rng.u8(0..10) < 8).then(|| months_after(next, rng.i64(0..=3)));
            let state = match due_on {
                Some(d) if d < today && rng.u8(0..10) < 7 => GoalState::Met,
                Some(d) if d < today => GoalState::Missed,
                _ => GoalState::Open,
            };
            Goal {
                stage: stage.key().to_owned(),
                goal: goal.to_owned(),
                measure: measure.to_owned(),
                due_on: due_on.map(|d| d.to_string()),
                state: state.key().to_owned(),
            }
        })
        .collect()
}

/// The plan with its goals, then its reviews in the order they were held.
fn push_plan(batch: &mut Batch, p: &PlanWritten) {
    let next = p.next_review_on.to_string();
    batch.service_plan(
        &NewPlan {
            customer_id: p.customer_id,
            stage: p.stage.key(),
            needs: &p.needs,
            review_every_months: p.every_months,
            next_review_on: &next,
            author_id: p.author_id,
            goals: &p.goals,
        },
        p.reminded_for.as_deref(),
        p.created_at,
        p.updated_at,
    );
    for r in &p.reviews {
        let next = r.next_review_on.to_string();
        batch.service_plan_review(
            &NewReview {
                customer_id: p.customer_id,
                reviewer_id: p.author_id,
                stage_before: r.before.key(),
                stage_after: r.after.key(),
                findings: r.findings,
                next_review_on: &next,
            },
            r.at,
        );
    }
}

/// A few policies, about one account in twenty: the first turned down, about a quarter
/// waiting for the manager, the rest approved and in force for a year.
fn policies(
    rng: &mut Rng,
    cx: &Context<'_>,
    accounts: &[&KeyCustomer],
    people: &People,
    batch: &mut Batch,
) {
    let now = cx.now();
    let count = (accounts.len() / 20).clamp(3, 40).min(accounts.len());
    let mut order: Vec<usize> = (0..accounts.len()).collect();
    rng.shuffle(&mut order);
    for (n, i) in order.into_iter().take(count).enumerate() {
        let c = accounts[i];
        let state = match n {
            0 => PolicyState::Rejected,
            _ if n % 4 == 1 => PolicyState::Pending,
            _ => PolicyState::Approved,
        };
        let text = if state == PolicyState::Rejected {
            texts::POLICIES
                .iter()
                .find(|p| p.0 == PolicyKind::Rebate)
                .copied()
        } else {
            pick(rng, texts::POLICIES).copied()
        };
        let Some((kind, title, conditions, rate_bp, threshold_fen)) = text else {
            continue;
        };
        let proposed_at = match state {
            PolicyState::Pending => now - hours(rng.i64(2..24 * 8)),
            _ => now - hours(24 * rng.i64(10..120)),
        }
        .max(c.created_at + hours(24));
        if proposed_at >= now {
            continue;
        }
        let from = months_after(local_date(&cx.calendar, proposed_at).first_of_month(), 1);
        let until = days_after(months_after(from, 12), -1);
        let (valid_from, valid_until) = (from.to_string(), until.to_string());
        let proposed_by = c
            .owner_id
            .or_else(|| pick(rng, &people.specialists).copied());
        let decided_at = (proposed_at + hours(rng.i64(3..72))).min(now - hours(1));
        let decided = state != PolicyState::Pending && decided_at > proposed_at;
        let note = match state {
            PolicyState::Rejected => pick(rng, texts::REJECTIONS).copied(),
            _ => Some("同意，按合同执行。"),
        };
        let policy = NewPolicy {
            customer_id: c.id,
            kind: kind.key(),
            title,
            conditions,
            rate_bp,
            threshold_fen,
            valid_from: &valid_from,
            valid_until: &valid_until,
            proposed_by,
        };
        let decision = PolicyDecision {
            state: if decided {
                state.key()
            } else {
                PolicyState::Pending.key()
            },
            decided_by: decided
                .then(|| pick(rng, &people.managers).copied())
                .flatten(),
            decided_at: decided.then_some(decided_at),
            note: note.filter(|_| decided),
        };
        batch.key_account_policy(&policy, proposed_at, &decision);
    }
}
