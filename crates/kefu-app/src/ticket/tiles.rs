//! The tickets' tiles on the workbench: the agent's own open tickets by status, those due
//! within two business hours, overdue, and waiting for an answer; the manager's SLA risk
//! and backlog. Each is counted with the filter of the queue its link opens
//! ([`App::queue_query_filter`]), so a tile's number is the number of rows that queue lists.

use jiff::SignedDuration;
use kefu_domain::{Permission, Role};
use kefu_store::ticket::setup as store_setup;
use kefu_store::ticket::{self as store, TicketFilter};

use super::queue::{COUNT_CAP, DueWindow, Queue, QueueQuery};
use crate::workbench::{Count, Filled, Label, Reader, TileBody, TileFuture, TileLine, TileSpec};
use crate::{App, Result};

/// The backlog's ages, in days: opened more than a day, three days, a week ago.
const AGES: [i64; 3] = [1, 3, 7];

pub(crate) const TILES: &[TileSpec] = &[
    TileSpec {
        key: "tickets.my_open",
        title: "workbench.tile.my_open",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: my_open,
    },
    TileSpec {
        key: "tickets.due_soon",
        title: "workbench.tile.due_soon",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: due_soon,
    },
    TileSpec {
        key: "tickets.my_overdue",
        title: "workbench.tile.my_overdue",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: my_overdue,
    },
    TileSpec {
        key: "tickets.awaiting_me",
        title: "workbench.tile.awaiting_me",
        roles: &[Role::Agent],
        permission: Permission::TicketWork,
        fill: awaiting_me,
    },
    TileSpec {
        key: "tickets.sla",
        title: "workbench.tile.sla",
        roles: &[Role::CsManager],
        permission: Permission::TicketWork,
        fill: sla,
    },
    TileSpec {
        key: "tickets.backlog_status",
        title: "workbench.tile.backlog_status",
        roles: &[Role::CsManager],
        permission: Permission::TicketWork,
        fill: backlog_by_status,
    },
    TileSpec {
        key: "tickets.backlog_age",
        title: "workbench.tile.backlog_age",
        roles: &[Role::CsManager],
        permission: Permission::TicketWork,
        fill: backlog_by_age,
    },
];

fn query(queue: Queue) -> QueueQuery {
    QueueQuery {
        queue,
        limit: 50,
        ..QueueQuery::default()
    }
}

/// The queue's link: `/tickets?queue=mine&…`.
fn link(queue: Queue, more: &str) -> String {
    if more.is_empty() {
        format!("/tickets?queue={}", queue.key())
    } else {
        format!("/tickets?queue={}&{more}", queue.key())
    }
}

/// How many tickets the queue query lists (capped as the queue badges are).
async fn count(app: &App, r: &Reader, q: &QueueQuery) -> Result<Count> {
    let f = app.queue_query_filter(&r.actor, q).await?;
    let mut conn = app.store.conn().await?;
    Ok(Count::capped(
        store::count(&mut conn, &f, COUNT_CAP).await?,
        COUNT_CAP,
    ))
}

/// One count, one link.
fn single(count: Count, link: String, alert: bool) -> Option<Filled> {
    Some(Filled {
        link: Some(link),
        body: TileBody::Count {
            count,
            alert: alert && count.n > 0,
        },
        hint: None,
    })
}

/// The tickets of `f` per status, in the order the department set its statuses, each line
/// opening `queue` with that status filter.
async fn by_status(app: &App, f: &TicketFilter, queue: Queue) -> Result<Vec<TileLine>> {
    let mut conn = app.store.conn().await?;
    let counts = store::count_by_status(&mut conn, f).await?;
    let statuses = store_setup::statuses(&mut conn).await?;
    let mut lines: Vec<TileLine> = statuses
        .iter()
        .filter_map(|s| {
            let n = counts.iter().find(|(k, _)| *k == s.key)?.1;
            Some(TileLine {
                label: Label::Named {
                    zh: s.name_zh.clone(),
                    en: s.name_en.clone(),
                },
                count: Count::exact(n),
                link: link(queue, &format!("status={}", s.key)),
                alert: false,
                note: None,
            })
        })
        .collect();
    // A status removed from the settings while tickets still hold it: shown by its key.
    for (key, n) in &counts {
        if !statuses.iter().any(|s| s.key == *key) {
            lines.push(TileLine {
                label: Label::Text(key.clone()),
                count: Count::exact(*n),
                link: link(queue, &format!("status={key}")),
                alert: false,
                note: None,
            });
        }
    }
    Ok(lines)
}

/// 我的未结工单 — my open tickets by status.
fn my_open<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = app
            .queue_query_filter(&r.actor, &query(Queue::Mine))
            .await?;
        let lines = by_status(app, &f, Queue::Mine).await?;
        Ok(Some(Filled {
            link: Some(link(Queue::Mine, "")),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}

/// 即将到期 — mine, due within two business hours.
fn due_soon<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let q = QueueQuery {
            due: Some(DueWindow::Soon),
            ..query(Queue::Mine)
        };
        let n = count(app, r, &q).await?;
        let mut filled = single(n, link(Queue::Mine, "due=soon"), true);
        if let Some(f) = filled.as_mut() {
            f.hint = Some(Label::Key("workbench.hint.due_soon"));
        }
        Ok(filled)
    })
}

/// 已超时 — mine, past a running deadline.
fn my_overdue<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let q = QueueQuery {
            due: Some(DueWindow::Overdue),
            ..query(Queue::Mine)
        };
        let n = count(app, r, &q).await?;
        Ok(single(n, link(Queue::Mine, "due=overdue"), true))
    })
}

/// 客户已回复 — mine, the customer wrote last and waits for my answer.
fn awaiting_me<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut q = query(Queue::Mine);
        q.filter.awaiting_reply = true;
        let n = count(app, r, &q).await?;
        Ok(single(n, link(Queue::Mine, "awaiting=1"), true))
    })
}

/// SLA 风险 — every open ticket due soon, those that ran past their deadline today, and
/// every one overdue.
fn sla<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let mut lines = Vec::new();
        for (label, queue, window, more) in [
            (
                "workbench.line.at_risk",
                Queue::Open,
                DueWindow::Soon,
                "due=soon",
            ),
            (
                "workbench.line.breached_today",
                Queue::Open,
                DueWindow::Today,
                "due=today",
            ),
            (
                "workbench.line.overdue_all",
                Queue::Overdue,
                DueWindow::Overdue,
                "",
            ),
        ] {
            let q = QueueQuery {
                due: Some(window),
                ..query(queue)
            };
            let n = count(app, r, &q).await?;
            lines.push(TileLine {
                label: Label::Key(label),
                count: n,
                link: link(queue, more),
                alert: n.n > 0 && window != DueWindow::Soon,
                note: None,
            });
        }
        Ok(Some(Filled {
            link: Some(link(Queue::Overdue, "")),
            body: TileBody::Lines(lines),
            hint: Some(Label::Key("workbench.hint.due_soon")),
        }))
    })
}

/// 积压（按状态） — every open ticket by status.
fn backlog_by_status<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = app
            .queue_query_filter(&r.actor, &query(Queue::Open))
            .await?;
        let lines = by_status(app, &f, Queue::Open).await?;
        Ok(Some(Filled {
            link: Some(link(Queue::Open, "")),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}

/// 积压（按时长） — open tickets opened more than a day, three days, a week ago.
fn backlog_by_age<'a>(app: &'a App, r: &'a Reader) -> TileFuture<'a> {
    Box::pin(async move {
        let f = app
            .queue_query_filter(&r.actor, &query(Queue::Open))
            .await?;
        let before: Vec<_> = AGES
            .iter()
            .map(|d| r.now - SignedDuration::from_hours(24 * d))
            .collect();
        let counts = {
            let mut conn = app.store.conn().await?;
            store::count_created_before(&mut conn, &f, &before).await?
        };
        let lines = AGES
            .iter()
            .zip(counts)
            .map(|(days, n)| TileLine {
                label: Label::Format(
                    "workbench.line.older_than",
                    vec![("days", days.to_string())],
                ),
                count: Count::exact(n),
                link: link(Queue::Open, &format!("age={days}")),
                alert: *days >= 7 && n > 0,
                note: None,
            })
            .collect();
        Ok(Some(Filled {
            link: Some(link(Queue::Open, "")),
            body: TileBody::Lines(lines),
            hint: None,
        }))
    })
}
