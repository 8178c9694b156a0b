//! 大客户 — the key-account specialist's work (000 §(六)): arranging the customer service
//! manager's regular visits to the key accounts, the visits' reports, the key accounts'
//! ratings of the agents serving them, and the change of agent a low rating proposes,
//! which the manager applies in one step. [`plan`] holds each account's service plan and
//! its reviews (§(六)5), [`policy`] its discounts and incentives (§(六)6).

pub mod plan;
pub mod policy;
mod tiles;

pub(crate) use tiles::TILES;

use jiff::Timestamp;
use kefu_domain::calendar::BusinessCalendar;
use kefu_domain::key_account::{
    KeyAccountError, VisitMode, VisitReport, VisitState, check_arrangement, check_rating,
    check_report, rating_due, rating_quarter_start, visit_due, visit_due_through,
};
use kefu_domain::{Permission, Role};
use kefu_store::key_account::{self as store, Change, NewRating, NewVisit, Rating, Visit};
use kefu_store::{AnyConnection, StoreError};
use serde_json::json;

use crate::follow_up::{local_date, local_midnight};
use crate::notify::{self, kind};
use crate::{Actor, App, Result};

pub use kefu_store::key_account::KeyAccount;

/// People to choose from: (id, name).
pub type People = Vec<(i64, String)>;

/// Changes of agent one list shows, at most.
pub const LIST_LIMIT: i64 = 2000;

/// Key accounts on one page of the list, unless asked otherwise; at most [`MAX_PAGE`].
pub const PAGE_SIZE: i64 = 200;
pub const MAX_PAGE: i64 = 500;

/// Which key accounts a list shows: each set condition narrows it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeyAccountQuery {
    /// Due a manager visit (none planned, none done for three months).
    pub visit_due: bool,
    /// Its service plan's review date has come.
    pub review_due: bool,
    /// Its opinion of its agent not asked this quarter.
    pub rating_due: bool,
    /// The last account of the previous page.
    pub after: Option<i64>,
    /// Page size; brought within 1–[`MAX_PAGE`].
    pub limit: i64,
}

/// A page of the key-account list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAccountPage {
    pub lines: Vec<KeyAccountLine>,
    /// Pass as `after` for the next page; `None` on the last page.
    pub next: Option<i64>,
}

/// A visit to arrange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrangeForm {
    pub customer_id: i64,
    pub manager_id: i64,
    pub scheduled_at: Timestamp,
    pub mode: VisitMode,
    pub purpose: String,
}

/// A visit's report, with the customer's rating of its agent when it was asked.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReportForm {
    pub report: VisitReport,
    /// 1–5 and what the customer said.
    pub rating: Option<(i64, String)>,
}

/// A key account on the list: where it stands, and whether the manager should go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyAccountLine {
    pub account: KeyAccount,
    /// No visit planned, the last one done more than three months ago (or never).
    pub due: bool,
    /// Its service plan's review date has come.
    pub review_due: bool,
    /// Its opinion of its agent was not asked this quarter.
    pub rating_due: bool,
}

/// A manager visit with its customer's ratings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitView {
    pub visit: Visit,
    pub ratings: Vec<Rating>,
}

/// The query's conditions as moments and days the store compares with: the domain's due
/// rules turned into cut-offs on `today` in the calendar's zone.
fn key_account_filter(
    calendar: &BusinessCalendar,
    today: jiff::civil::Date,
    q: &KeyAccountQuery,
) -> store::KeyAccountFilter {
    let day_after = |d: jiff::civil::Date| d.tomorrow().unwrap_or(d);
    store::KeyAccountFilter {
        visit_done_before: q
            .visit_due
            .then(|| local_midnight(calendar, day_after(visit_due_through(today)))),
        review_by: q.review_due.then(|| today.to_string()),
        rated_before: q
            .rating_due
            .then(|| local_midnight(calendar, rating_quarter_start(today))),
    }
}

fn state_of(v: &Visit) -> VisitState {
    v.state.parse().unwrap_or(VisitState::Planned)
}

impl App {
    /// A page of the key accounts the query holds, by name, each with its last and next
    /// manager visit, last rating and plan.
    pub async fn key_accounts(&self, actor: &Actor, q: &KeyAccountQuery) -> Result<KeyAccountPage> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now());
        let filter = key_account_filter(&calendar, today, q);
        let limit = q.limit.clamp(1, MAX_PAGE);
        // One more than the page tells whether another follows.
        let mut accounts = store::key_accounts(&mut conn, &filter, q.after, limit + 1).await?;
        let next = if accounts.len() as i64 > limit {
            accounts.truncate(limit as usize);
            accounts.last().map(|a| a.customer_id)
        } else {
            None
        };
        let lines = accounts
            .into_iter()
            .map(|a| KeyAccountLine {
                due: a.next_visit_at.is_none()
                    && visit_due(a.last_visit_at.map(|t| local_date(&calendar, t)), today),
                rating_due: rating_due(a.last_rated_at.map(|t| local_date(&calendar, t)), today),
                review_due: a
                    .next_review_on
                    .as_deref()
                    .and_then(|d| d.parse().ok())
                    .is_some_and(|d| kefu_domain::key_account::plan::review_due(d, today)),
                account: a,
            })
            .collect();
        Ok(KeyAccountPage { lines, next })
    }

    /// How many key accounts the query holds (its page and size aside).
    pub async fn count_key_accounts(&self, actor: &Actor, q: &KeyAccountQuery) -> Result<i64> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let calendar = self.business_calendar(&mut conn).await?;
        let today = local_date(&calendar, self.now());
        let filter = key_account_filter(&calendar, today, q);
        Ok(store::count_key_accounts(&mut conn, &filter).await?)
    }

    /// Every key account a visit may be arranged for: (id, name) by name.
    pub async fn key_account_names(&self, actor: &Actor) -> Result<People> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        Ok(store::key_account_names(&mut conn).await?)
    }

    /// Arranges the manager's visit to a key account and tells the manager.
    pub async fn arrange_manager_visit(&self, actor: &Actor, f: &ArrangeForm) -> Result<i64> {
        actor.require(Permission::KeyAccountManage)?;
        let now = self.now();
        let purpose = check_arrangement(f.scheduled_at, &f.purpose, now)?;
        let mut tx = self.store.begin().await?;
        let customer = kefu_store::customer::by_id(&mut tx, f.customer_id).await?;
        if customer.tier != "key_account" {
            return Err(KeyAccountError::NotKeyAccount.into());
        }
        let manager = match kefu_store::staff::user_by_id(&mut tx, f.manager_id).await {
            Ok(u) if u.active && u.roles.contains(Role::CsManager) => u,
            Ok(_) | Err(StoreError::NotFound) => return Err(KeyAccountError::NotAManager.into()),
            Err(e) => return Err(e.into()),
        };
        let id = store::insert_visit(
            &mut tx,
            &NewVisit {
                customer_id: customer.id,
                manager_id: manager.id,
                arranged_by: actor.user_id(),
                scheduled_at: f.scheduled_at,
                mode: f.mode.key(),
                purpose: &purpose,
            },
            now,
        )
        .await?;
        notify::notify(
            &mut tx,
            &[manager.id],
            kind::MANAGER_VISIT_ARRANGED,
            None,
            &json!({
                "customer": customer.name,
                "due": f.scheduled_at.to_string(),
                "manager_visit": id,
            }),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(id)
    }

    /// One manager visit, with its customer's ratings of the agents.
    pub async fn manager_visit(&self, actor: &Actor, id: i64) -> Result<VisitView> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let visit = store::visit(&mut conn, id).await?;
        let ratings = store::ratings_of(&mut conn, visit.customer_id).await?;
        Ok(VisitView { visit, ratings })
    }

    /// The manager visits scheduled in `[from, to)`, of one manager when given.
    pub async fn manager_visits(
        &self,
        actor: &Actor,
        from: Timestamp,
        to: Timestamp,
        manager: Option<i64>,
    ) -> Result<Vec<Visit>> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        Ok(store::visits_between(&mut conn, from, to, manager).await?)
    }

    /// A customer's manager visits and ratings, for its page.
    pub async fn key_account_history(
        &self,
        actor: &Actor,
        customer: i64,
    ) -> Result<(Vec<Visit>, Vec<Rating>)> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        Ok((
            store::visits_of(&mut conn, customer).await?,
            store::ratings_of(&mut conn, customer).await?,
        ))
    }

    /// 拜访报告 — the visit's report (it is done then), with the customer's rating of its
    /// agent when it was asked; a low rating proposes a change of agent.
    pub async fn report_manager_visit(&self, actor: &Actor, id: i64, f: &ReportForm) -> Result<()> {
        actor.require(Permission::KeyAccountManage)?;
        let report = check_report(&f.report)?;
        let rating = match &f.rating {
            Some((score, comment)) => Some((*score, check_rating(*score, comment)?)),
            None => None,
        };
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let visit = store::visit(&mut tx, id).await?;
        if !store::report_visit(
            &mut tx,
            id,
            &report.summary,
            &report.requests,
            &report.actions,
            now,
        )
        .await?
        {
            return Err(KeyAccountError::VisitClosed(state_of(&visit)).into());
        }
        if let Some((score, (comment, low))) = rating {
            self.record_rating(
                &mut tx,
                actor,
                visit.customer_id,
                Some(id),
                score,
                &comment,
                low,
                now,
            )
            .await?;
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Cancels a planned visit, saying why.
    pub async fn cancel_manager_visit(&self, actor: &Actor, id: i64, reason: &str) -> Result<()> {
        actor.require(Permission::KeyAccountManage)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(KeyAccountError::Required { field: "reason" }.into());
        }
        let mut tx = self.store.begin().await?;
        let visit = store::visit(&mut tx, id).await?;
        if !store::cancel_visit(&mut tx, id, reason, self.now()).await? {
            return Err(KeyAccountError::VisitClosed(state_of(&visit)).into());
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// 征求意见 — a key account's rating of the agent serving it (its owner), heard by
    /// phone or in person; a low one proposes a change of agent. Returns the change
    /// proposed, if any.
    pub async fn rate_agent(
        &self,
        actor: &Actor,
        customer: i64,
        score: i64,
        comment: &str,
    ) -> Result<Option<i64>> {
        actor.require(Permission::KeyAccountManage)?;
        let (comment, low) = check_rating(score, comment)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let proposed = self
            .record_rating(&mut tx, actor, customer, None, score, &comment, low, now)
            .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(proposed)
    }

    #[allow(clippy::too_many_arguments)]
    async fn record_rating(
        &self,
        conn: &mut AnyConnection,
        actor: &Actor,
        customer: i64,
        visit: Option<i64>,
        score: i64,
        comment: &str,
        low: bool,
        now: Timestamp,
    ) -> Result<Option<i64>> {
        let c = kefu_store::customer::by_id(&mut *conn, customer).await?;
        let agent = c.owner_id.ok_or(KeyAccountError::NoAgent)?;
        let rating = store::insert_rating(
            &mut *conn,
            &NewRating {
                customer_id: customer,
                agent_id: agent,
                score,
                comment,
                visit_id: visit,
                rated_by: actor.user_id(),
            },
            now,
        )
        .await?;
        if !low {
            return Ok(None);
        }
        let Some(change) = store::propose_change(&mut *conn, customer, rating, agent, now).await?
        else {
            return Ok(None);
        };
        let agent_name = kefu_store::staff::user_by_id(&mut *conn, agent)
            .await?
            .display_name;
        let to = notify::with_role(&mut *conn, Role::CsManager).await?;
        notify::notify(
            &mut *conn,
            &to,
            kind::AGENT_CHANGE_PROPOSED,
            None,
            &json!({
                "customer": c.name,
                "score": score.to_string(),
                "from": agent_name,
                "agent_change": change,
            }),
            now,
        )
        .await?;
        Ok(Some(change))
    }

    /// The changes of agent proposed and waiting (`waiting`), or every one.
    pub async fn agent_changes(&self, actor: &Actor, waiting: bool) -> Result<Vec<Change>> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        Ok(store::changes(&mut conn, waiting, LIST_LIMIT).await?)
    }

    /// 调整客户服务人员 — applies a proposed change in one step: the customer's owner becomes
    /// `to_agent` (its history says so), the follow-up visits still to be made move to
    /// them, and they are told.
    pub async fn apply_agent_change(
        &self,
        actor: &Actor,
        id: i64,
        to_agent: i64,
        note: &str,
    ) -> Result<()> {
        actor.require(Permission::KeyAccountApprove)?;
        let now = self.now();
        let mut tx = self.store.begin().await?;
        let change = store::change(&mut tx, id).await?;
        if change.state != "proposed" {
            return Err(KeyAccountError::ChangeDecided.into());
        }
        match kefu_store::staff::user_by_id(&mut tx, to_agent).await {
            Ok(u) if u.active && u.id != change.from_agent_id => {}
            Ok(_) | Err(StoreError::NotFound) => return Err(KeyAccountError::BadNewAgent.into()),
            Err(e) => return Err(e.into()),
        }
        if !store::decide_change(
            &mut tx,
            id,
            "applied",
            Some(to_agent),
            actor.user_id(),
            note.trim(),
            now,
        )
        .await?
        {
            return Err(KeyAccountError::ChangeDecided.into());
        }
        crate::customer::set_owner(&mut tx, actor, change.customer_id, Some(to_agent), now).await?;
        store::move_open_follow_ups(&mut tx, change.customer_id, change.from_agent_id, to_agent)
            .await?;
        notify::notify(
            &mut tx,
            &[to_agent],
            kind::KEY_ACCOUNT_ASSIGNED,
            None,
            &json!({"customer": change.customer_name, "key_account": change.customer_id}),
            now,
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Dismisses a proposed change: the agent stays.
    pub async fn dismiss_agent_change(&self, actor: &Actor, id: i64, note: &str) -> Result<()> {
        actor.require(Permission::KeyAccountApprove)?;
        let mut tx = self.store.begin().await?;
        store::change(&mut tx, id).await?;
        if !store::decide_change(
            &mut tx,
            id,
            "dismissed",
            None,
            actor.user_id(),
            note.trim(),
            self.now(),
        )
        .await?
        {
            return Err(KeyAccountError::ChangeDecided.into());
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// Who may visit (the active managers) and who may serve a key account (the active
    /// staff of customer service), each as (id, name).
    pub async fn key_account_people(&self, actor: &Actor) -> Result<(People, People)> {
        actor.require(Permission::KeyAccountManage)?;
        let mut conn = self.store.conn().await?;
        let users = kefu_store::staff::list_users(&mut conn).await?;
        let active = users.iter().filter(|u| u.active);
        let managers = active
            .clone()
            .filter(|u| u.roles.contains(Role::CsManager))
            .map(|u| (u.id, u.display_name.clone()))
            .collect();
        let agents = active
            .filter(|u| u.roles.allows(Permission::TicketWork))
            .map(|u| (u.id, u.display_name.clone()))
            .collect();
        Ok((managers, agents))
    }

    /// How many key accounts are due a manager visit; for the tile.
    pub(crate) async fn key_accounts_due(&self, actor: &Actor) -> Result<i64> {
        let due = KeyAccountQuery {
            visit_due: true,
            ..KeyAccountQuery::default()
        };
        self.count_key_accounts(actor, &due).await
    }
}
