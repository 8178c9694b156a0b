//! Every queue tab in every order is read from an index in that order, on this backend: the
//! database's own plan (`EXPLAIN QUERY PLAN` on SQLite; on PostgreSQL `EXPLAIN` of both the
//! plan made for the page's values and the generic plan a prepared statement settles on)
//! has no sort and no scan of the table, on the first page and on the next one. PostgreSQL
//! plans by its statistics, so it is asked over a demo company of 50k tickets, loaded and
//! settled (vacuumed, analysed) as `kefu demo` leaves it; SQLite keeps none, and must also
//! read each queue from the index made for it.

use std::collections::HashMap;

use kefu_app::Actor;
use kefu_app::demo::DemoPlan;
use kefu_app::ticket::{NewGroup, Queue, QueueQuery};
use kefu_store::Backend;
use kefu_store::sla::{SlaMark, explain_due_unhandled_sqlite};
use kefu_store::ticket::{ListPlan, PlanKind, SortKey, TicketFilter};
use kefu_testkit::{TestApp, TestOptions};

const SORTS: [SortKey; 4] = [
    SortKey::Updated,
    SortKey::Created,
    SortKey::Priority,
    SortKey::Due,
];

async fn actor_of(app: &TestApp, id: i64) -> Actor {
    Actor::of_user(&app.app.get_user(&Actor::system(), id).await.unwrap())
}

/// Open tickets per assignee, counted page by page through the open queue.
async fn open_per_assignee(app: &TestApp) -> HashMap<i64, usize> {
    let mut counts = HashMap::new();
    let mut q = QueueQuery {
        queue: Queue::Open,
        limit: 200,
        ..QueueQuery::default()
    };
    loop {
        let page = app.app.queue_page(&Actor::system(), &q).await.unwrap();
        for t in &page.tickets {
            if let Some(a) = t.assignee_id {
                *counts.entry(a).or_default() += 1;
            }
        }
        match page.next {
            Some(next) => q.after = Some(next),
            None => return counts,
        }
    }
}

fn kinds(backend: Backend) -> &'static [PlanKind] {
    match backend {
        Backend::Sqlite => &[PlanKind::Custom],
        Backend::Postgres => &[PlanKind::Custom, PlanKind::Generic],
    }
}

/// The index SQLite reads each queue from, in each order. SQLite keeps no statistics, so
/// its choice follows from the query and the schema alone: an index that merely comes out
/// in order (all working tickets by priority, filtered down to one group's) would pass the
/// sort check while reading far more than the queue.
fn sqlite_index(queue: Queue, sort: SortKey) -> &'static str {
    use SortKey::*;
    match (queue, sort) {
        (Queue::Mine | Queue::Unassigned, Updated) => "tickets_assignee",
        (Queue::Mine | Queue::Unassigned, Created) => "tickets_q_assignee_created",
        (Queue::Mine | Queue::Unassigned, Priority) => "tickets_q_assignee_priority",
        (Queue::Mine | Queue::Unassigned, Due) => "tickets_assignee_due",
        (Queue::MyGroups, Updated) => "tickets_group",
        (Queue::MyGroups, Created) => "tickets_q_group_created",
        (Queue::MyGroups, Priority) => "tickets_q_group_priority",
        (Queue::MyGroups, Due) => "tickets_q_group_due",
        (Queue::Pending, Updated) => "tickets_q_category_updated",
        (Queue::Pending, Created) => "tickets_q_category_created",
        (Queue::Pending, Priority) => "tickets_q_category_priority",
        (Queue::Pending, Due) => "tickets_q_category_due",
        (Queue::Overdue | Queue::Open, Updated) => "tickets_active_updated",
        (Queue::Overdue | Queue::Open, Created) => "tickets_q_open_created",
        (Queue::Overdue | Queue::Open, Priority) => "tickets_q_open_priority",
        (Queue::Overdue | Queue::Open, Due) => "tickets_sla_next",
        (Queue::All, Updated) => "tickets_updated",
        (Queue::All, Created) => "tickets_created",
        (Queue::All, Priority) => "tickets_priority",
        (Queue::All, Due) => "tickets_due",
    }
}

/// The indexes SQLite reads a queue page from: its queue's, and for the overdue queue in
/// another order than the deadline's, the marked tickets' index of that order beside the
/// deadline index of those the sweep has not marked yet.
fn sqlite_indexes(queue: Queue, sort: SortKey) -> Vec<&'static str> {
    match (queue, sort) {
        (Queue::Overdue, SortKey::Updated) => {
            vec!["tickets_escalation_pending", "tickets_q_overdue_updated"]
        }
        (Queue::Overdue, SortKey::Created) => {
            vec!["tickets_escalation_pending", "tickets_q_overdue_created"]
        }
        (Queue::Overdue, SortKey::Priority) => {
            vec!["tickets_escalation_pending", "tickets_q_overdue_priority"]
        }
        _ => vec![sqlite_index(queue, sort)],
    }
}

/// Whether the plan sorts anything but the overdue tickets the sweep has not marked yet
/// (read by their deadline from `tickets_escalation_pending`; a sweep interval's worth). A
/// sort reads what SQLite names just before it, and what PostgreSQL puts just below it.
fn sorts_more_than_the_unmarked(plan: &ListPlan) -> bool {
    let lines: Vec<&str> = plan
        .text
        .lines()
        .map(|l| l.trim().trim_start_matches("->").trim())
        .collect();
    let reads_tickets = |l: &&&str| {
        l.starts_with("SEARCH t ") || l.starts_with("SCAN t ") || l.contains(" on tickets ")
    };
    lines.iter().enumerate().any(|(i, l)| {
        let sorted = if l.contains("TEMP B-TREE") {
            lines[..i].iter().rev().find(|l| reads_tickets(l))
        } else if *l == "Sort" || *l == "Incremental Sort" {
            lines[i + 1..].iter().find(|l| reads_tickets(l))
        } else {
            return false;
        };
        !sorted.is_some_and(|r| r.contains("tickets_escalation_pending"))
    })
}

fn check(plan: &ListPlan, expected: Option<Vec<&str>>, what: &str, failures: &mut Vec<String>) {
    let wrong_index = expected.as_ref().is_some_and(|e| plan.indexes != *e);
    let sorts = plan.sorts && sorts_more_than_the_unmarked(plan);
    if sorts || plan.scans_table || plan.indexes.is_empty() || wrong_index {
        failures.push(format!(
            "{what}: reads {:?}{}\n{}\n",
            plan.indexes,
            expected
                .map(|e| format!(", expected {e:?}"))
                .unwrap_or_default(),
            plan.text
        ));
    }
}

// Two threads: the demo is generated on one while the other writes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_queue_in_every_order_reads_an_index_in_order() {
    let at: jiff::Timestamp = "2026-11-25T02:00:00Z".parse().unwrap();
    let app = TestApp::spawn_with(TestOptions {
        clock: Some(std::sync::Arc::new(kefu_domain::FixedClock::new(at))),
        without_worker: true,
        search_poll: Some(std::time::Duration::from_secs(3600)),
        ..TestOptions::default()
    })
    .await;
    let backend = app.backend();
    let scale = match backend {
        Backend::Sqlite => "20k",
        Backend::Postgres => "50k",
    };
    let mut demo = DemoPlan::for_scale(scale, 7).unwrap();
    demo.password = Some("演示密码-demo-2026".into());
    app.app.load_demo(&demo, &|_, _, _| {}).await.unwrap();
    let system = Actor::system();

    // 我的工单 of the busiest agent; 我的组 of someone in one group and of a supervisor in
    // every group (one index range per group, merged).
    let counts = open_per_assignee(&app).await;
    let (&busiest, &open) = counts.iter().max_by_key(|(id, n)| (**n, -**id)).unwrap();
    assert!(open > 51, "the busiest agent has {open} open tickets");
    let supervisor = actor_of(&app, busiest).await;
    let groups = app.app.ticket_groups(&system).await.unwrap();
    assert!(groups.len() >= 3, "{} groups", groups.len());
    let mut single = None;
    for g in &groups {
        let mut members = app.app.group_members(&system, g.id).await.unwrap();
        if single.is_none()
            && let Some(m) = members.iter().find(|m| **m != busiest)
        {
            single = Some(*m);
        }
        members.push(busiest);
        let changed = NewGroup {
            name: g.name.clone(),
            manager_user_id: g.manager_user_id,
            assignment: g.assignment.clone(),
            members,
        };
        app.app
            .save_group(&system, Some(g.id), &changed, Some(g.version))
            .await
            .unwrap();
    }
    let member = actor_of(&app, single.expect("a group with members")).await;

    let mut cases: Vec<(&str, &Actor, Queue)> = Queue::ALL
        .iter()
        .map(|q| ("supervisor", &supervisor, *q))
        .collect();
    cases.push(("one group's member", &member, Queue::MyGroups));

    let mut failures = Vec::new();
    let mut checked = 0;
    for (who, actor, queue) in cases {
        for sort in SORTS {
            for ascending in [false, true] {
                let mut q = QueueQuery {
                    queue,
                    sort,
                    ascending,
                    limit: 50,
                    ..QueueQuery::default()
                };
                let first = app.app.queue_page(actor, &q).await.unwrap();
                let mut pages = vec![("page 1", None)];
                if let Some(next) = first.next {
                    pages.push(("page 2", Some(next)));
                }
                for (page, after) in pages {
                    q.after = after;
                    for kind in kinds(backend) {
                        let plan = app.app.queue_plan(actor, &q, *kind).await.unwrap();
                        let what = format!(
                            "{} of {who}, {sort:?} {}, {page}, {kind:?} plan",
                            queue.key(),
                            if ascending { "ascending" } else { "descending" }
                        );
                        let expected =
                            (backend == Backend::Sqlite).then(|| sqlite_indexes(queue, sort));
                        check(&plan, expected, &what, &mut failures);
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} plans sort, scan the table or read another index than their queue's:\n{}",
        failures.len(),
        failures.join("\n")
    );

    // The SLA sweep finds the tickets it has not warned or escalated yet from the partial
    // index of each; on SQLite, without statistics, only when told.
    if backend == Backend::Sqlite {
        let mut conn = app.app.store.conn().await.unwrap();
        for (mark, index) in [
            (SlaMark::Warned, "tickets_warning_pending"),
            (SlaMark::Escalated, "tickets_escalation_pending"),
        ] {
            let steps = explain_due_unhandled_sqlite(&mut conn, mark).await.unwrap();
            assert_eq!(
                steps,
                [format!(
                    "SEARCH tickets USING INDEX {index} (active=? AND sla_next_due_at<?)"
                )],
                "{mark:?}"
            );
        }
    }

    // The check sees a sort when there is one: a customer's tickets by priority come from
    // the customer's index and are sorted, a handful of rows.
    let customer = app
        .app
        .queue_page(
            &system,
            &QueueQuery {
                queue: Queue::All,
                limit: 1,
                ..QueueQuery::default()
            },
        )
        .await
        .unwrap()
        .tickets[0]
        .customer_id
        .expect("a demo ticket of an archived customer");
    let narrowed = QueueQuery {
        queue: Queue::All,
        sort: SortKey::Priority,
        filter: TicketFilter {
            customer_id: Some(customer),
            ..TicketFilter::default()
        },
        limit: 50,
        ..QueueQuery::default()
    };
    let plan = app
        .app
        .queue_plan(&system, &narrowed, PlanKind::Custom)
        .await
        .unwrap();
    assert!(plan.sorts, "{}", plan.text);
    app.stop().await;
}
