//! 工作队列 — the queues an agent works from: mine, unassigned, my groups, waiting, all
//! open, everything; with filters, sorting and keyset pages that cost the same at page one
//! and page ten thousand.

use jiff::{SignedDuration, Timestamp};
use kefu_domain::Permission;
use kefu_domain::ticket::StatusCategory;
use kefu_store::ticket::setup as store_setup;
use kefu_store::ticket::{
    self as store, AssigneeFilter, Cursor, ListPlan, PlanKind, SortKey, Ticket, TicketFilter,
};

use crate::{Actor, App, Result};

/// A named queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Queue {
    /// 我的工单 — open tickets assigned to me.
    #[default]
    Mine,
    /// 未分配 — open tickets nobody has yet.
    Unassigned,
    /// 我的组 — open tickets of the groups I belong to.
    MyGroups,
    /// 等待中 — waiting for the customer or another department.
    Pending,
    /// 已超时 — a running SLA deadline has passed.
    Overdue,
    /// 全部未结 — every open ticket.
    Open,
    /// 全部 — every ticket, closed ones too.
    All,
}

impl Queue {
    pub const ALL: [Queue; 7] = [
        Queue::Mine,
        Queue::Unassigned,
        Queue::MyGroups,
        Queue::Pending,
        Queue::Overdue,
        Queue::Open,
        Queue::All,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Queue::Mine => "mine",
            Queue::Unassigned => "unassigned",
            Queue::MyGroups => "groups",
            Queue::Pending => "pending",
            Queue::Overdue => "overdue",
            Queue::Open => "open",
            Queue::All => "all",
        }
    }

    pub fn parse(s: &str) -> Option<Queue> {
        Queue::ALL.into_iter().find(|q| q.key() == s)
    }
}

/// A window of running SLA deadlines a queue may be narrowed to; the workbench's tiles
/// open the queues narrowed so. Resolved against the clock (and the business calendar)
/// when the queue is read, so a link means the same whenever it is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    /// 即将到期 — due within the next [`DUE_SOON_MINUTES`] business minutes, not yet passed.
    Soon,
    /// 已超时 — already passed.
    Overdue,
    /// 今日超时 — passed today (since local midnight), still running.
    Today,
}

impl DueWindow {
    pub const ALL: [DueWindow; 3] = [DueWindow::Soon, DueWindow::Overdue, DueWindow::Today];

    pub fn key(self) -> &'static str {
        match self {
            DueWindow::Soon => "soon",
            DueWindow::Overdue => "overdue",
            DueWindow::Today => "today",
        }
    }

    pub fn parse(s: &str) -> Option<DueWindow> {
        DueWindow::ALL.into_iter().find(|w| w.key() == s)
    }
}

/// 即将到期 — a deadline within this many business minutes (two business hours) is due
/// soon.
pub const DUE_SOON_MINUTES: i64 = 120;

/// A queue with filters, order and position.
#[derive(Debug, Clone, Default)]
pub struct QueueQuery {
    pub queue: Queue,
    /// Narrowing filters on top of the queue's own.
    pub filter: TicketFilter,
    /// Only tickets whose running deadline falls in this window.
    pub due: Option<DueWindow>,
    /// Only tickets opened more than this many days ago (积压时长).
    pub older_than_days: Option<i64>,
    pub sort: SortKey,
    pub ascending: bool,
    pub after: Option<Cursor>,
    /// Page size, 1–200.
    pub limit: i64,
}

/// One page and where the next begins.
#[derive(Debug, Clone)]
pub struct QueuePage {
    pub tickets: Vec<Ticket>,
    pub next: Option<Cursor>,
}

/// How many tickets wait in each personal queue (capped, for badges).
#[derive(Debug, Clone, Copy, Default)]
pub struct QueueCounts {
    pub mine: i64,
    pub unassigned: i64,
    pub groups: i64,
    pub pending: i64,
    pub overdue: i64,
}

/// The badge cap: "999+" is as informative as the exact count and far cheaper.
pub const COUNT_CAP: i64 = 1000;

impl App {
    async fn queue_filter(
        &self,
        actor: &Actor,
        queue: Queue,
        base: &TicketFilter,
    ) -> Result<TicketFilter> {
        let mut f = base.clone();
        let me = actor.user_id().unwrap_or(0);
        match queue {
            Queue::Mine => {
                f.active_only = true;
                f.assignee = AssigneeFilter::User(me);
            }
            Queue::Unassigned => {
                f.active_only = true;
                f.assignee = AssigneeFilter::Nobody;
            }
            Queue::MyGroups => {
                f.active_only = true;
                let mut conn = self.store.conn().await?;
                f.groups = Some(store_setup::group_ids_of(&mut conn, me).await?);
            }
            Queue::Pending => {
                f.categories = vec![
                    StatusCategory::PendingCustomer,
                    StatusCategory::PendingInternal,
                ];
            }
            Queue::Overdue => f.due_before = Some(self.now()),
            Queue::Open => f.active_only = true,
            Queue::All => {}
        }
        Ok(f)
    }

    /// The filter a queue query reads: the queue's own, the query's narrowing filters, the
    /// deadline window and the age, resolved now. The workbench counts with it too, so a
    /// tile's number is the number of rows its link lists.
    pub(crate) async fn queue_query_filter(
        &self,
        actor: &Actor,
        q: &QueueQuery,
    ) -> Result<TicketFilter> {
        let mut f = self.queue_filter(actor, q.queue, &q.filter).await?;
        let now = self.now();
        match q.due {
            None => {}
            Some(DueWindow::Overdue) => f.due_before = Some(now),
            Some(DueWindow::Soon) => {
                f.due_from = Some(now);
                f.due_before = Some(self.business_minutes_ahead(now, DUE_SOON_MINUTES).await?);
            }
            Some(DueWindow::Today) => {
                f.due_from = Some(crate::workbench::start_of_day(now));
                f.due_before = Some(now);
            }
        }
        if let Some(days) = q.older_than_days {
            f.created_before = Some(now - SignedDuration::from_hours(24 * days.clamp(0, 3650)));
        }
        Ok(f)
    }

    /// The instant `minutes` business minutes after `from` on the default calendar. A
    /// calendar without any working time has no business minutes: clock minutes then.
    async fn business_minutes_ahead(&self, from: Timestamp, minutes: i64) -> Result<Timestamp> {
        let mut conn = self.store.conn().await?;
        let (mut calendars, default) = crate::calendar::load_all(&mut conn).await?;
        let plain = from + SignedDuration::from_mins(minutes);
        Ok(match default.and_then(|d| calendars.remove(&d)) {
            Some(cal) => cal.add_minutes(from, minutes).unwrap_or(plain),
            None => plain,
        })
    }

    /// One page of a queue.
    pub async fn queue_page(&self, actor: &Actor, q: &QueueQuery) -> Result<QueuePage> {
        actor.require(Permission::TicketWork)?;
        let filter = self.queue_query_filter(actor, q).await?;
        let limit = q.limit.clamp(1, 200);
        let mut conn = self.store.conn().await?;
        // One extra row tells whether a next page exists.
        let mut tickets =
            store::list(&mut conn, &filter, q.sort, q.ascending, q.after, limit + 1).await?;
        let next = if tickets.len() as i64 > limit {
            tickets.truncate(limit as usize);
            tickets.last().map(|t| Cursor {
                value: q.sort.value(t),
                id: t.id,
            })
        } else {
            None
        };
        let tickets = tickets
            .into_iter()
            .map(crate::confidential::mask_ticket)
            .collect();
        Ok(QueuePage { tickets, next })
    }

    /// How the database would read this page of a queue: from an index in the queue's
    /// order, never a sort of what it matched (the tests and the benchmark check it).
    pub async fn queue_plan(
        &self,
        actor: &Actor,
        q: &QueueQuery,
        kind: PlanKind,
    ) -> Result<ListPlan> {
        actor.require(Permission::TicketWork)?;
        let filter = self.queue_query_filter(actor, q).await?;
        let limit = q.limit.clamp(1, 200);
        let mut conn = self.store.conn().await?;
        Ok(store::explain_list(
            &mut conn,
            &filter,
            q.sort,
            q.ascending,
            q.after,
            limit + 1,
            kind,
        )
        .await?)
    }

    /// Badge counts of the personal queues.
    pub async fn queue_counts(&self, actor: &Actor) -> Result<QueueCounts> {
        actor.require(Permission::TicketWork)?;
        let base = TicketFilter::default();
        let mut out = QueueCounts::default();
        for (queue, slot) in [
            (Queue::Mine, &mut out.mine),
            (Queue::Unassigned, &mut out.unassigned),
            (Queue::MyGroups, &mut out.groups),
            (Queue::Pending, &mut out.pending),
            (Queue::Overdue, &mut out.overdue),
        ] {
            let f = self.queue_filter(actor, queue, &base).await?;
            let mut conn = self.store.conn().await?;
            *slot = store::count(&mut conn, &f, COUNT_CAP).await?;
        }
        Ok(out)
    }
}
