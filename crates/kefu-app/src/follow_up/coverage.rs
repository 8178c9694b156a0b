//! 回访覆盖 — 必须保证优质客户的100%的回访 (002 §三4): for a period and a tier, every customer
//! in scope with its completed visit or why it is missing, and the planned, done and
//! overdue visits per agent; the warning, a set number of days before the period ends, to
//! the manager, the relationship specialists and the owners of the customers still missing.
//!
//! In scope: every customer, not lost (流失), that held the tier at some moment of the period
//! (see [`held_tier_during`]) — the tier on the period's first day, or won during it.
//! Covered:
//! a visit of any reason (periodic, after a complaint, by hand) completed within the
//! period; a visit only attempted (no answer, wrong number, refused, call back) does not
//! count.

use std::collections::{HashMap, HashSet};

use jiff::{SignedDuration, Timestamp};
use kefu_domain::customer::Tier;
use kefu_domain::follow_up::plan::{PlanPeriod, TierChange, held_tier_during};
use kefu_domain::follow_up::rule::RuleSpec;
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::follow_up::{self as store, CoverageVisit};

use super::{load_settings, local_midnight, rule_view};
use crate::notify::{self, kind};
use crate::{Actor, App, AppError, Result};

/// Why a customer in scope is, or is not, covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageState {
    /// 已回访 — a visit completed in the period.
    Done,
    /// 待回访 — planned, not yet tried.
    Planned,
    /// 未联系上 — tried, never reached.
    Unreached,
    /// 无可拨时段 — the contact rests through every calling hour left in the window.
    NoSlot,
    /// 已取消
    Cancelled,
    /// 逾期 — the period is over and the visit was not made.
    Overdue,
    /// 未安排 — no visit was planned (a customer upgraded after the last planning run, or a
    /// rule switched off).
    NotPlanned,
}

impl CoverageState {
    pub fn key(self) -> &'static str {
        match self {
            CoverageState::Done => "done",
            CoverageState::Planned => "planned",
            CoverageState::Unreached => "unreached",
            CoverageState::NoSlot => "no_slot",
            CoverageState::Cancelled => "cancelled",
            CoverageState::Overdue => "overdue",
            CoverageState::NotPlanned => "not_planned",
        }
    }
}

/// One customer in scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageRow {
    pub customer_id: i64,
    pub customer_name: String,
    /// The tier now (a customer downgraded during the period shows its new tier).
    pub tier_now: String,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub state: CoverageState,
    /// The completed visit, else the period's planned one.
    pub visit_id: Option<i64>,
    pub done_at: Option<Timestamp>,
    pub agent_name: Option<String>,
    pub attempts: i64,
    pub satisfaction: Option<String>,
}

/// Planned, done and overdue visits of one agent in the period.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub planned: i64,
    pub done: i64,
    pub overdue: i64,
}

/// A period's coverage figures without the rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageCounts {
    pub period: String,
    pub tier: Tier,
    pub in_scope: i64,
    pub covered: i64,
    pub missing: i64,
    pub at_risk: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageReport {
    pub period: String,
    pub tier: Tier,
    pub start: Timestamp,
    pub end: Timestamp,
    pub rows: Vec<CoverageRow>,
    pub covered: i64,
    pub missing: i64,
    /// Inside the warning days before the period's end with customers still missing.
    pub at_risk: bool,
    pub standings: Vec<Standing>,
}

impl CoverageReport {
    /// Customers in scope.
    pub fn in_scope(&self) -> i64 {
        self.rows.len() as i64
    }

    /// Covered customers as a share of those in scope, in per mille (1000 when none is in
    /// scope: nothing is missing).
    pub fn permille(&self) -> i64 {
        (self.covered * 1000)
            .checked_div(self.in_scope())
            .unwrap_or(1000)
    }
}

impl App {
    /// The coverage report for `period` (`2026-12`, `2026-Q4`…) and `tier`.
    pub async fn follow_up_coverage(
        &self,
        actor: &Actor,
        period: &str,
        tier: Tier,
    ) -> Result<CoverageReport> {
        actor.require(Permission::FollowUpManage)?;
        let p = PlanPeriod::parse(period)?;
        self.coverage_of(p, tier).await
    }

    async fn coverage_of(&self, p: PlanPeriod, tier: Tier) -> Result<CoverageReport> {
        let now = self.now();
        let mut conn = self.store.conn().await?;
        let settings = load_settings(&mut conn).await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let (start, end) = (
            local_midnight(&calendar, p.start()),
            local_midnight(&calendar, p.end()),
        );
        let candidates = store::scope_candidates(&mut conn, tier.key(), start, end).await?;
        let ids: Vec<i64> = candidates.iter().map(|c| c.id).collect();
        let mut changes: HashMap<i64, Vec<TierChange>> = HashMap::new();
        for (customer, at, old, new) in store::tier_changes(&mut conn, &ids).await? {
            changes.entry(customer).or_default().push(TierChange {
                at,
                old: old.and_then(|t| t.parse().ok()),
                new: new.and_then(|t| t.parse().ok()),
            });
        }
        let key = p.key();
        let candidates_set: HashSet<i64> = ids.iter().copied().collect();
        let mut visits: HashMap<i64, Vec<CoverageVisit>> = HashMap::new();
        for v in store::coverage_visits(&mut conn, &key, start, end).await? {
            if candidates_set.contains(&v.customer_id) {
                visits.entry(v.customer_id).or_default().push(v);
            }
        }
        drop(conn);
        let mut rows = Vec::new();
        for c in candidates {
            let current: Tier = c.tier.parse().map_err(|_| {
                AppError::Store(StoreError::Corrupt(format!("customers.tier = {}", c.tier)))
            })?;
            let mine = changes.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            if !held_tier_during(tier, current, c.created_at, mine, start, end) {
                continue;
            }
            let theirs = visits.get(&c.id).map(Vec::as_slice).unwrap_or_default();
            let done = theirs
                .iter()
                .find(|v| v.status == "done" && v.done_at.is_some_and(|d| d >= start && d < end));
            let planned = theirs
                .iter()
                .find(|v| v.period.as_deref() == Some(key.as_str()));
            let shown = done.or(planned);
            let state = match (done, planned) {
                (Some(_), _) => CoverageState::Done,
                (None, None) => CoverageState::NotPlanned,
                (None, Some(v)) => match v.status.as_str() {
                    "cancelled" => CoverageState::Cancelled,
                    _ if v.window_end <= now => CoverageState::Overdue,
                    _ if v.attempts > 0 => CoverageState::Unreached,
                    _ if v.slot_at.is_none() => CoverageState::NoSlot,
                    _ => CoverageState::Planned,
                },
            };
            rows.push(CoverageRow {
                customer_id: c.id,
                customer_name: c.name,
                tier_now: c.tier,
                owner_id: c.owner_id,
                owner_name: c.owner_name,
                state,
                visit_id: shown.map(|v| v.id),
                done_at: done.and_then(|v| v.done_at),
                agent_name: shown.and_then(|v| v.agent_name.clone()),
                attempts: shown.map_or(0, |v| v.attempts),
                satisfaction: done.and_then(|v| v.satisfaction.clone()),
            });
        }
        let covered = rows
            .iter()
            .filter(|r| r.state == CoverageState::Done)
            .count() as i64;
        let missing = rows.len() as i64 - covered;
        let warn_from = end - SignedDuration::from_hours(24 * settings.coverage_warning_days);
        let in_scope: HashSet<i64> = rows.iter().map(|r| r.customer_id).collect();
        let mut standings: Vec<Standing> = Vec::new();
        for v in visits
            .values()
            .flatten()
            .filter(|v| v.period.as_deref() == Some(key.as_str()) && v.status != "cancelled")
            .filter(|v| in_scope.contains(&v.customer_id))
        {
            let at = match standings.iter().position(|s| s.agent_id == v.agent_id) {
                Some(i) => i,
                None => {
                    standings.push(Standing {
                        agent_id: v.agent_id,
                        agent_name: v.agent_name.clone(),
                        planned: 0,
                        done: 0,
                        overdue: 0,
                    });
                    standings.len() - 1
                }
            };
            let s = &mut standings[at];
            s.planned += 1;
            if v.status == "done" {
                s.done += 1;
            } else if v.window_end <= now {
                s.overdue += 1;
            }
        }
        standings.sort_by(|a, b| a.agent_name.cmp(&b.agent_name));
        Ok(CoverageReport {
            period: key,
            tier,
            start,
            end,
            covered,
            missing,
            at_risk: missing > 0 && now >= warn_from && now < end,
            rows,
            standings,
        })
    }

    /// How many customers are in the coverage scope of `p` and `tier`, and how many are
    /// covered — the report's figures without its rows: the customers whose tier did not
    /// change since the period began are counted in the database, only the few whose tier
    /// changed are read and replayed. What the workbench counts on every load.
    async fn coverage_counts(&self, p: PlanPeriod, tier: Tier) -> Result<CoverageCounts> {
        let now = self.now();
        let mut conn = self.store.conn().await?;
        let settings = load_settings(&mut conn).await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let (start, end) = (
            local_midnight(&calendar, p.start()),
            local_midnight(&calendar, p.end()),
        );
        let (mut in_scope, mut covered) =
            store::steady_counts(&mut conn, tier.key(), start, end).await?;
        let changed = store::changed_candidates(&mut conn, tier.key(), start, end).await?;
        let ids: Vec<i64> = changed.iter().map(|c| c.0).collect();
        let mut changes: HashMap<i64, Vec<TierChange>> = HashMap::new();
        for (customer, at, old, new) in store::tier_changes(&mut conn, &ids).await? {
            changes.entry(customer).or_default().push(TierChange {
                at,
                old: old.and_then(|t| t.parse().ok()),
                new: new.and_then(|t| t.parse().ok()),
            });
        }
        let done: HashSet<i64> = store::done_in(&mut conn, &ids, start, end)
            .await?
            .into_iter()
            .collect();
        for (id, current, created_at) in changed {
            let Ok(current) = current.parse::<Tier>() else {
                continue;
            };
            let mine = changes.get(&id).map(Vec::as_slice).unwrap_or_default();
            if held_tier_during(tier, current, created_at, mine, start, end) {
                in_scope += 1;
                covered += i64::from(done.contains(&id));
            }
        }
        let missing = in_scope - covered;
        let warn_from = end - SignedDuration::from_hours(24 * settings.coverage_warning_days);
        Ok(CoverageCounts {
            period: p.key(),
            tier,
            in_scope,
            covered,
            missing,
            at_risk: missing > 0 && now >= warn_from && now < end,
        })
    }

    /// The figures of each active rule's current period, for the workbench.
    pub(crate) async fn current_coverage(&self) -> Result<Vec<CoverageCounts>> {
        let now = self.now();
        let (rules, calendar) = {
            let mut conn = self.store.conn().await?;
            (
                store::rules(&mut conn).await?,
                self.business_calendar(&mut conn).await?,
            )
        };
        let today = super::local_date(&calendar, now);
        let mut out: Vec<CoverageCounts> = Vec::new();
        for row in rules.into_iter().filter(|r| r.active) {
            // Coverage is the periodic rules' duty; occasions and dormant customers add
            // visits on top of it.
            let RuleSpec::TierPeriodic { tier, months } = rule_view(row)?.spec else {
                continue;
            };
            let p = PlanPeriod::containing(today, i64::from(months))?;
            if out.iter().any(|r| r.tier == tier && r.period == p.key()) {
                continue;
            }
            out.push(self.coverage_counts(p, tier).await?);
        }
        Ok(out)
    }

    /// The periodic check: once per period and tier, when coverage is at risk, tells the
    /// manager, the relationship and key-account specialists and the owners of the
    /// customers still missing. Returns the warnings sent.
    pub async fn warn_follow_up_coverage(&self) -> Result<usize> {
        let now = self.now();
        let mut sent = 0;
        for counts in self.current_coverage().await? {
            if !counts.at_risk {
                continue;
            }
            let report = self
                .coverage_of(PlanPeriod::parse(&counts.period)?, counts.tier)
                .await?;
            let mut tx = self.store.begin().await?;
            if !store::claim_coverage_warning(
                &mut tx,
                &report.period,
                report.tier.key(),
                report.missing,
                now,
            )
            .await?
            {
                continue;
            }
            let mut to = Vec::new();
            for role in [
                Role::CsManager,
                Role::CrmSpecialist,
                Role::KeyAccountSpecialist,
            ] {
                to.extend(notify::with_role(&mut tx, role).await?);
            }
            let active: Vec<i64> = kefu_store::staff::list_users(&mut tx)
                .await?
                .into_iter()
                .filter(|u| u.active)
                .map(|u| u.id)
                .collect();
            to.extend(
                report
                    .rows
                    .iter()
                    .filter(|r| r.state != CoverageState::Done)
                    .filter_map(|r| r.owner_id)
                    .filter(|o| active.contains(o)),
            );
            let params = serde_json::json!({
                "coverage": report.period,
                "tier": report.tier.key(),
                "missing": report.missing,
                "total": report.in_scope(),
                "due": report.end.to_string(),
            });
            notify::notify(&mut tx, &to, kind::FOLLOW_UP_COVERAGE, None, &params, now).await?;
            tx.commit().await.map_err(StoreError::from)?;
            sent += 1;
        }
        Ok(sent)
    }
}
