//! 回访周报 — the weekly analysis of follow-up visits the supervisor gets (002 §三2: 认真
//! 记录每一个客户回访结果，最后分析结果，上报客服主管): per agent, the visits completed,
//! their satisfaction, those completed without a call to prove them and those whose
//! window closed unmade; the attempts by what came of them; what the 一般 and 不满意 were
//! about; and each of them with the customer's words and what it opened.
//!
//! A job sends last week's analysis to the customer service managers once, from Monday
//! [`SEND_HOUR`]:00 local time, whichever instance gets there first.

use jiff::Timestamp;
use kefu_domain::follow_up::visit::{Aspect, Reach};
use kefu_domain::follow_up::week::{BadWeek, SEND_HOUR, Week};
use kefu_domain::input::Keyed;
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;
use kefu_store::follow_up::{self as store, AgentTally, NotSatisfied};

use super::local_midnight;
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

/// The 一般 and 不满意 visits an analysis lists, at most.
pub const NOT_SATISFIED_LIMIT: i64 = 1000;

/// 回访分析周报
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeeklyAnalysis {
    pub week: Week,
    pub start: Timestamp,
    pub end: Timestamp,
    /// Per agent, most visits first.
    pub agents: Vec<AgentTally>,
    /// Every agent together.
    pub total: AgentTally,
    /// Attempts by what came of them, in the order of [`Reach`].
    pub reach: Vec<(Reach, i64)>,
    /// What the 一般 and 不满意 were about, in the order of [`Aspect`].
    pub aspects: Vec<(Aspect, i64)>,
    pub not_satisfied: Vec<NotSatisfied>,
    /// More 一般 and 不满意 than listed.
    pub truncated: bool,
}

impl WeeklyAnalysis {
    /// 满意率 in per mille of the completed visits; `None` without any.
    pub fn satisfied_permille(&self) -> Option<i64> {
        (self.total.done > 0).then(|| self.total.satisfied * 1000 / self.total.done)
    }

    /// Attempts of the week.
    pub fn attempts(&self) -> i64 {
        self.reach.iter().map(|(_, n)| n).sum()
    }
}

/// Reads `2026-W49`; this week when empty.
pub fn week_or_this(key: &str, today: jiff::civil::Date) -> std::result::Result<Week, BadWeek> {
    match key.trim() {
        "" => Ok(Week::containing(today)),
        k => Week::parse(k),
    }
}

impl App {
    /// 回访周报 of `week`.
    pub async fn follow_up_analysis(&self, actor: &Actor, week: Week) -> Result<WeeklyAnalysis> {
        actor.require(Permission::FollowUpManage)?;
        self.analysis_of(week).await
    }

    /// Today's date where the department works.
    pub async fn follow_up_today(&self) -> Result<jiff::civil::Date> {
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        Ok(super::local_date(&calendar, self.now()))
    }

    async fn analysis_of(&self, week: Week) -> Result<WeeklyAnalysis> {
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let (start, end) = (
            local_midnight(&calendar, week.start()),
            local_midnight(&calendar, week.end()),
        );
        let agents = store::agent_tallies(&mut conn, start, end).await?;
        let mut total = AgentTally::default();
        for a in &agents {
            total.done += a.done;
            total.satisfied += a.satisfied;
            total.neutral += a.neutral;
            total.unsatisfied += a.unsatisfied;
            total.unverified += a.unverified;
            total.overdue += a.overdue;
        }
        let counted = store::reach_tallies(&mut conn, start, end).await?;
        let reach = <Reach as Keyed>::keys()
            .into_iter()
            .filter_map(|k| k.parse::<Reach>().ok())
            .map(|r| {
                let n = counted
                    .iter()
                    .find(|(k, _)| k == r.key())
                    .map_or(0, |(_, n)| *n);
                (r, n)
            })
            .collect();
        let aspect_keys = <Aspect as Keyed>::keys();
        let aspect_counts = store::aspect_tallies(&mut conn, start, end, &aspect_keys).await?;
        let aspects = aspect_keys
            .iter()
            .filter_map(|k| k.parse::<Aspect>().ok())
            .zip(aspect_counts)
            .collect();
        let mut not_satisfied =
            store::not_satisfied(&mut conn, start, end, NOT_SATISFIED_LIMIT + 1).await?;
        let truncated = not_satisfied.len() as i64 > NOT_SATISFIED_LIMIT;
        not_satisfied.truncate(NOT_SATISFIED_LIMIT as usize);
        Ok(WeeklyAnalysis {
            week,
            start,
            end,
            agents,
            total,
            reach,
            aspects,
            not_satisfied,
            truncated,
        })
    }

    /// The weekly job: from Monday [`SEND_HOUR`]:00, tells the customer service managers
    /// of last week's analysis, once. Returns whether it was sent now.
    pub async fn send_follow_up_analysis(&self) -> Result<bool> {
        let now = self.now();
        let (today, hour) = {
            let mut conn = self.store.conn().await?;
            let calendar = self.business_calendar(&mut conn).await?;
            let local = now.to_zoned(calendar.time_zone().clone());
            (local.date(), local.hour())
        };
        let this = Week::containing(today);
        if today == this.start() && hour < SEND_HOUR {
            return Ok(false);
        }
        let week = this.previous();
        let a = self.analysis_of(week).await?;
        let mut tx = self.store.begin().await?;
        // Nobody to tell yet (a new department): tried again by the next run.
        let to = notify::with_role(&mut tx, Role::CsManager).await?;
        if to.is_empty() || !store::claim_analysis(&mut tx, &week.key(), now).await? {
            return Ok(false);
        }
        let params = serde_json::json!({
            "week": week.key(),
            "done": a.total.done,
            "satisfied": a.satisfied_permille().map_or_else(
                || "—".to_owned(),
                |p| format!("{}.{}%", p / 10, p % 10),
            ),
            "unsatisfied": a.total.unsatisfied,
            "overdue": a.total.overdue,
        });
        notify::notify(&mut tx, &to, kind::FOLLOW_UP_ANALYSIS, None, &params, now).await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(true)
    }
}
