//! 回访任务 — the visits the periodic rules planned over the last three months (key
//! accounts every month, VIP customers every quarter, as the shipped rules say) and what
//! came of them. Most periods' visits were made: some at the first call, some after an
//! unanswered one or a call-back the contact asked for, each done with the whole result the
//! record form requires (满意/一般/不满意, what it was about, the customer's words, the next
//! action). A few of an earlier period were never made (overdue); this period's are partly
//! made, the rest planned for the coming days. A quiet customer is not reached after its
//! last contact.

use std::collections::HashSet;

use fastrand::Rng;
use jiff::Timestamp;
use jiff::civil::Date;
use kefu_domain::customer::{ContactChannel, RestHours};
use kefu_domain::follow_up::CallWindow;
use kefu_domain::follow_up::plan::PlanPeriod;
use kefu_domain::follow_up::rule::RuleKind;
use kefu_domain::follow_up::visit::{Attempt, Reach, Reason, VisitStatus, needs_quality_check};
use kefu_store::StoreError;
use kefu_store::bulk::{self, Batch, KeyCustomer, VisitRow};
use kefu_store::follow_up::{self as store, AttemptRow, RuleRow};

use super::{Context, ROWS_PER_COMMIT, early, hours, mins, reachable_until, texts, weighted};
use crate::App;
use crate::demo::DemoError;
use crate::demo::customers::pick;
use crate::follow_up::call_window;

/// Visits written at most: a large company's three months stay quick to load.
const MAX_VISITS: usize = 30_000;
/// How far back the periods reach.
const HISTORY_DAYS: i64 = 92;
/// Of the visits of a period over, how many in a hundred were made (when the customer could
/// be reached).
const MADE_OF_PAST: u8 = 94;
/// What came of the calls before the one that reached the contact.
const SOON: &[(Reach, u32)] = &[(Reach::NoAnswer, 70), (Reach::CallBack, 30)];
/// What came of the calls of a visit never made.
const IN_VAIN: &[(Reach, u32)] = &[
    (Reach::NoAnswer, 66),
    (Reach::CallBack, 24),
    (Reach::WrongNumber, 4),
    (Reach::Refused, 6),
];

/// A periodic rule the demo plans for.
struct Rule {
    id: i64,
    tier: String,
    months: i64,
    group_id: Option<i64>,
}

/// One visit to plan: a rule's period for one customer.
struct Planned<'a> {
    rule: &'a Rule,
    period: PlanPeriod,
    customer: &'a KeyCustomer,
}

/// One visit as made, before the ids are chosen: its row, its attempts in order, and which
/// attempt completed it.
struct Made {
    visit: VisitRow,
    attempts: Vec<AttemptRow>,
    done: Option<usize>,
}

/// Writes the visits; returns how many.
pub(super) async fn write(app: &App, rng: &mut Rng, cx: &Context<'_>) -> Result<usize, DemoError> {
    let rules = {
        let mut conn = app.store.conn().await?;
        periodic_rules(store::rules(&mut conn).await?)
    };
    let since = super::days_after(cx.today(), -HISTORY_DAYS);
    let history_start = cx.midnight(since);
    let mut visited = HashSet::new();
    let mut made = Vec::new();
    for p in plan(cx, &rules, since) {
        // A customer added during these months has its first visit here; the others were
        // visited before the demo's history begins.
        let first = !visited.contains(&p.customer.id) && p.customer.created_at >= history_start;
        let stand_in = pick(rng, &cx.world.cast.agents).map(|a| a.id);
        if let Some(m) = visit(rng, cx, &p, first, stand_in) {
            if m.done.is_some() {
                visited.insert(p.customer.id);
            }
            made.push(m);
        }
    }
    save(app, made).await
}

/// The active periodic rules of the key accounts and VIP customers.
fn periodic_rules(rows: Vec<RuleRow>) -> Vec<Rule> {
    rows.into_iter()
        .filter(|r| r.active && r.kind == RuleKind::TierPeriodic.key())
        .filter_map(|r| {
            Some(Rule {
                id: r.id,
                tier: r.tier.filter(|t| t == "key_account" || t == "vip")?,
                months: r.every_months?,
                group_id: r.group_id,
            })
        })
        .collect()
}

/// Each rule's periods that end after `since`, the newest first.
fn periods(today: Date, months: i64, since: Date) -> Vec<PlanPeriod> {
    let mut out = Vec::new();
    let Ok(mut p) = PlanPeriod::containing(today, months) else {
        return out;
    };
    while p.end() > since && out.len() < 12 {
        out.push(p);
        let Ok(before) = p.start().yesterday() else {
            break;
        };
        let Ok(prev) = PlanPeriod::containing(before, months) else {
            break;
        };
        p = prev;
    }
    out
}

/// The visits the rules planned, oldest period first. When there would be more than
/// [`MAX_VISITS`], the newest periods are kept: every rule's current one first, then the
/// one before, and so on.
fn plan<'a>(cx: &'a Context<'_>, rules: &'a [Rule], since: Date) -> Vec<Planned<'a>> {
    let today = cx.today();
    // (how many periods back, the rule, the period, its customers)
    let mut slots: Vec<(usize, &Rule, PlanPeriod, Vec<&KeyCustomer>)> = Vec::new();
    for rule in rules {
        for (back, period) in periods(today, rule.months, since).into_iter().enumerate() {
            let end = cx.midnight(period.end());
            let customers = cx
                .customers
                .iter()
                .filter(|c| c.tier == rule.tier && c.status != "lost" && c.created_at < end)
                .collect();
            slots.push((back, rule, period, customers));
        }
    }
    slots.sort_by_key(|(back, ..)| *back);
    let mut left = MAX_VISITS;
    for (_, _, _, customers) in &mut slots {
        customers.truncate(left);
        left -= customers.len();
    }
    slots.sort_by_key(|(_, _, period, _)| period.start());
    slots
        .into_iter()
        .flat_map(|(_, rule, period, customers)| {
            customers.into_iter().map(move |customer| Planned {
                rule,
                period,
                customer,
            })
        })
        .collect()
}

/// The channel the plan job gives a visit: the phone when the contact has a number and
/// does not refuse calls, else the contact's preferred channel, else e-mail.
fn visit_channel(c: &KeyCustomer) -> ContactChannel {
    if c.contact_id.is_none() {
        return ContactChannel::Phone;
    }
    let refuses = |ch: ContactChannel| c.opt_outs.split(',').any(|o| o == ch.key());
    if (c.mobile.is_some() || c.phone.is_some()) && !refuses(ContactChannel::Phone) {
        return ContactChannel::Phone;
    }
    if let Some(p) = c
        .preferred_channel
        .as_deref()
        .and_then(|p| p.parse::<ContactChannel>().ok())
        && !refuses(p)
    {
        return p;
    }
    if c.email.is_some() {
        return ContactChannel::Email;
    }
    ContactChannel::Phone
}

/// One planned visit and what came of it; `None` when it would be planned after now (or
/// after its period).
fn visit(
    rng: &mut Rng,
    cx: &Context<'_>,
    p: &Planned<'_>,
    first: bool,
    stand_in: Option<i64>,
) -> Option<Made> {
    let now = cx.now();
    let c = p.customer;
    let start = cx.midnight(p.period.start());
    let end = cx.midnight(p.period.end());
    // The plan job runs at the start of each period, or plans a customer added later when
    // it next runs.
    let planned = (start + mins(rng.i64(1..20))).max(c.created_at + mins(rng.i64(5..90)));
    if planned >= end || planned >= now {
        return None;
    }
    let rest = RestHours::parse(&c.rest_hours).unwrap_or_default();
    let window = call_window(&cx.calendar, &cx.follow_up.calling_hours, &cx.roster, &rest);
    let period = p.period.key();
    let mut made = Made {
        visit: VisitRow {
            id: 0,
            plan_key: Some(format!("r{}:c{}:{period}", p.rule.id, c.id)),
            rule_id: Some(p.rule.id),
            reason: Reason::Periodic.key(),
            period: Some(period),
            tier: Some(p.rule.tier.clone()),
            customer_id: c.id,
            contact_id: c.contact_id,
            agent_id: c.owner_id,
            group_id: if c.owner_id.is_some() {
                None
            } else {
                p.rule.group_id
            },
            channel: visit_channel(c).key(),
            due_at: planned,
            window_end: end,
            slot_at: window.earliest(planned, end).map(|s| s.start),
            callback_at: None,
            first_visit: first,
            status: VisitStatus::Planned.key(),
            attempts: 0,
            done_attempt_id: None,
            done_at: None,
            satisfaction: None,
            unverified: false,
            version: 1,
            created_at: planned,
            updated_at: planned,
        },
        attempts: Vec::new(),
        done: None,
    };
    // Who calls: the owner, or whoever took the visit from the group.
    let caller = Caller {
        window: &window,
        by: c.owner_id.or(stand_in),
        customer: c,
        min_call_seconds: cx.follow_up.min_call_seconds,
    };
    let until = end.min(now - mins(5));
    let over = end <= now;
    let share_gone = if over {
        1.0
    } else {
        now.duration_since(planned).as_secs() as f64
            / end.duration_since(planned).as_secs().max(1) as f64
    };
    let wanted = if over {
        rng.u8(0..100) < MADE_OF_PAST
    } else {
        rng.f64() < 0.9 * share_gone
    };
    let Some(slot) = made.visit.slot_at.filter(|s| *s < until) else {
        return Some(made);
    };
    // Most calls come early in the window.
    let first_try = early(rng, slot, until);
    let reachable = reachable_until(c, now).min(until);
    if wanted && first_try < reachable {
        caller.make(rng, &mut made, first_try, until, reachable);
    } else if over || rng.u8(0..10) < 3 {
        caller.try_in_vain(rng, &mut made, first_try, until);
    } else if rng.u8(0..10) < 4 {
        reschedule(rng, &window, &mut made, now);
    }
    Some(made)
}

/// Moves a visit nobody tried yet to a moment of the coming days, as an agent planning
/// the week does.
fn reschedule(rng: &mut Rng, window: &CallWindow<'_>, made: &mut Made, now: Timestamp) {
    let v = &mut made.visit;
    let wanted = now + hours(rng.i64(2..24 * 7));
    let Some(slot) = window.earliest(wanted, v.window_end) else {
        return;
    };
    let at = early(rng, v.created_at, now);
    v.slot_at = Some(slot.start);
    v.version += 1;
    v.updated_at = at.max(v.updated_at);
}

/// The one making a visit's calls, by its contact's calling window.
struct Caller<'a> {
    window: &'a CallWindow<'a>,
    by: Option<i64>,
    customer: &'a KeyCustomer,
    min_call_seconds: i64,
}

impl Caller<'_> {
    /// Calls until the contact is reached (perhaps not at the first call) and records the
    /// whole result; if time runs out first, the visit stays planned with its attempts.
    fn make(
        &self,
        rng: &mut Rng,
        made: &mut Made,
        from: Timestamp,
        until: Timestamp,
        reachable: Timestamp,
    ) {
        let failures = weighted(rng, &[(0, 72), (1, 20), (2, 8)]).unwrap_or(0);
        let Some(mut at) = self.fail(rng, made, from, until, failures, SOON) else {
            return;
        };
        // A call-back is made at the time asked for; another try when the rules allow.
        if made.visit.callback_at.is_none() {
            match self.window.earliest(at, reachable) {
                Some(slot) => at = slot.start,
                None => return,
            }
        }
        let channel = match self.customer.preferred_channel.as_deref() {
            // A contact who lives on WeChat is often asked there.
            Some("wechat") if rng.bool() => ContactChannel::Wechat,
            _ => made.visit.channel.parse().unwrap_or(ContactChannel::Phone),
        };
        let talk = match channel {
            ContactChannel::Phone => rng.i64(100..540),
            _ => rng.i64(240..1_500),
        };
        let ended = at + jiff::SignedDuration::from_secs(talk);
        if ended >= reachable {
            return;
        }
        let (satisfaction, aspects, words, next_action) = texts::visit_result(rng);
        let attempt = Attempt {
            reach: Reach::Reached,
            channel,
            started_at: at,
            ended_at: ended,
            call_id: None,
            callback_at: None,
            satisfaction: Some(satisfaction),
            aspects: aspects.to_vec(),
            words,
            next_action: next_action.to_owned(),
        };
        let recorded = (ended + mins(rng.i64(0..8))).min(until);
        // The record form's own check: a done visit has every part of its result.
        if attempt.check(recorded).is_err() {
            return;
        }
        let v = &mut made.visit;
        v.status = VisitStatus::Done.key();
        v.done_at = Some(ended);
        v.satisfaction = Some(satisfaction.key());
        v.unverified = needs_quality_check(channel, None, self.min_call_seconds);
        v.callback_at = None;
        made.done = Some(made.attempts.len());
        self.record(made, &attempt, recorded);
    }

    /// One to three tries that reach nobody: the visit stays planned (overdue, when its
    /// period is over).
    fn try_in_vain(&self, rng: &mut Rng, made: &mut Made, from: Timestamp, until: Timestamp) {
        let tries = weighted(rng, &[(1, 55), (2, 30), (3, 15)]).unwrap_or(1);
        self.fail(rng, made, from, until, tries, IN_VAIN);
    }

    /// `n` attempts that reach nobody, from `from`, each as often as in `reaches`; returns
    /// when the next may be made (the call-back time asked for, or a while after the last),
    /// `None` when time ran out.
    fn fail(
        &self,
        rng: &mut Rng,
        made: &mut Made,
        from: Timestamp,
        until: Timestamp,
        n: usize,
        reaches: &[(Reach, u32)],
    ) -> Option<Timestamp> {
        let mut at = from;
        for _ in 0..n {
            let start = match made.visit.callback_at {
                Some(asked) => asked,
                None => self.window.earliest(at, until)?.start,
            };
            let reach = weighted(rng, reaches).unwrap_or(Reach::NoAnswer);
            let ended = start + jiff::SignedDuration::from_secs(rng.i64(15..70));
            let recorded = ended + mins(rng.i64(0..4));
            if recorded >= until {
                return None;
            }
            let callback = (reach == Reach::CallBack).then(|| {
                let asked = recorded + hours(rng.i64(1..30));
                // People ask for a round time.
                let minute = asked.as_second().rem_euclid(1_800);
                asked - jiff::SignedDuration::from_secs(minute)
            });
            let callback = callback.filter(|at| *at > recorded + mins(30));
            let reach = if reach == Reach::CallBack && callback.is_none() {
                Reach::NoAnswer
            } else {
                reach
            };
            let (words, next_action) = texts::unreached(rng, reach);
            let attempt = Attempt {
                reach,
                channel: made.visit.channel.parse().unwrap_or(ContactChannel::Phone),
                started_at: start,
                ended_at: ended,
                call_id: None,
                callback_at: callback,
                satisfaction: None,
                aspects: Vec::new(),
                words: words.to_owned(),
                next_action: next_action.to_owned(),
            };
            self.record(made, &attempt, recorded);
            // The next try: when the contact asked, else a while after this one.
            let v = &mut made.visit;
            v.callback_at = callback;
            v.slot_at = match callback {
                Some(asked) => Some(asked),
                None => self
                    .window
                    .earliest(recorded.max(v.due_at) + hours(2), v.window_end)
                    .map(|s| s.start),
            };
            at = match callback {
                Some(asked) => asked,
                None => v.slot_at? + hours(rng.i64(0..30)),
            };
        }
        Some(at)
    }

    /// Adds `a`, recorded at `at`, to the visit: each attempt moves its version on.
    fn record(&self, made: &mut Made, a: &Attempt, at: Timestamp) {
        made.attempts.push(AttemptRow {
            id: 0,
            visit_id: 0,
            reach: a.reach.key().to_owned(),
            channel: a.channel.key().to_owned(),
            started_at: a.started_at,
            ended_at: a.ended_at,
            call_id: a.call_id,
            callback_at: a.callback_at,
            satisfaction: a.satisfaction.map(|s| s.key().to_owned()),
            aspects: a.aspects.iter().map(|x| x.key().to_owned()).collect(),
            words: a.words.clone(),
            next_action: a.next_action.clone(),
            by_user_id: self.by,
            by_name: None,
            created_at: at,
        });
        let v = &mut made.visit;
        v.attempts += 1;
        v.version += 1;
        v.updated_at = at;
    }
}

/// Chooses the ids (visits, then attempts, as the attempts and a done visit name each
/// other) and writes everything; returns the visits written.
async fn save(app: &App, mut made: Vec<Made>) -> Result<usize, DemoError> {
    let mut tx = app.store.begin().await?;
    let visit_ids = bulk::reserve_ids(&mut tx, "follow_up_visits", made.len()).await?;
    let attempts = made.iter().map(|m| m.attempts.len()).sum();
    let mut attempt_ids = bulk::reserve_ids(&mut tx, "follow_up_attempts", attempts)
        .await?
        .into_iter();
    let mut batch = Batch::default();
    let mut written = 0;
    for (m, id) in made.iter_mut().zip(visit_ids) {
        m.visit.id = id;
        for a in &mut m.attempts {
            a.visit_id = id;
            if let Some(aid) = attempt_ids.next() {
                a.id = aid;
            }
        }
        m.visit.done_attempt_id = m.done.and_then(|i| m.attempts.get(i)).map(|a| a.id);
        batch.follow_up_visit(&m.visit);
        for a in &m.attempts {
            batch.follow_up_attempt(a);
        }
        written += 1;
        if batch.len() >= ROWS_PER_COMMIT {
            batch.write(&mut tx).await?;
            tx.commit().await.map_err(StoreError::from)?;
            tx = app.store.begin().await?;
        }
    }
    batch.write(&mut tx).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(written)
}
