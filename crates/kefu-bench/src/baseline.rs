//! The benchmark's baselines: the rows an API ticket creation writes, inserted straight into
//! a fresh database of the same engine — one ticket per transaction, and many tickets per
//! transaction in multi-row statements (the engine's ceiling for these rows) — so
//! `kefu-bench run` can compare kefu with what the database alone does on the same machine
//! in the same run.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use jiff::{SignedDuration, Timestamp};
use kefu_domain::ticket::{Channel, Priority, StatusCategory, TicketType};
use kefu_domain::{Clock, SystemClock};
use kefu_store::Store;
use kefu_store::bulk::Batch;
use kefu_store::ticket::conversation::{Event, Message};
use kefu_store::ticket::{Ticket, TicketSla};

/// The same rows an API ticket creation writes (ticket, first message, "created" event,
/// change-log entry), `per_transaction` tickets per transaction (one multi-row statement
/// per table), `clients` writers at once, into a fresh database of the same engine.
/// Returns tickets per second.
pub async fn run(
    url: &str,
    tickets: usize,
    clients: usize,
    per_transaction: usize,
) -> anyhow::Result<f64> {
    let per_transaction = per_transaction.max(1);
    let store = Store::connect(url).await?;
    store.migrate().await?;
    let store = Arc::new(store);
    let next = Arc::new(AtomicUsize::new(0));
    let now = SystemClock.now();
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (store, next) = (store.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let first = next.fetch_add(per_transaction, Ordering::Relaxed);
                if first >= tickets {
                    return Ok::<(), anyhow::Error>(());
                }
                let mut batch = Batch::default();
                for n in first..(first + per_transaction).min(tickets) {
                    add_ticket(&mut batch, n as i64 + 1, now);
                }
                let mut tx = store.begin().await?;
                batch.write(&mut tx).await?;
                tx.commit().await?;
            }
        }));
    }
    for w in workers {
        w.await??;
    }
    let secs = started.elapsed().as_secs_f64();
    store.close().await;
    Ok(tickets as f64 / secs)
}

/// Ticket `id`'s rows, as an API creation writes them.
fn add_ticket(batch: &mut Batch, id: i64, now: Timestamp) {
    let at = now + SignedDuration::from_micros(id);
    batch.ticket(&raw_ticket(id, at));
    batch.message(&Message {
        id: 0,
        ticket_id: id,
        visibility: "public".into(),
        author_kind: "customer".into(),
        author_user_id: None,
        author_name: "王女士".into(),
        body: "家里的变频空调开机半小时还是不制冷，外机有异响，麻烦尽快安排师傅上门看看。".into(),
        created_at: at,
    });
    batch.event(&Event {
        id: 0,
        ticket_id: id,
        at,
        actor_user_id: None,
        actor_name: "kefu".into(),
        field: "created".into(),
        old_value: None,
        new_value: Some("api".into()),
    });
    batch.change("ticket", id, None, at);
}

fn raw_ticket(id: i64, at: Timestamp) -> Ticket {
    Ticket {
        id,
        number: format!("KF20260101-{id:06}"),
        ticket_type: TicketType::FaultReport,
        channel: Channel::Api,
        status: "new".into(),
        category: StatusCategory::New,
        priority: Priority::Normal,
        subject: "空调不制冷，外机异响".into(),
        customer_name: Some("杭州明达贸易有限公司".into()),
        contact_name: Some("王女士".into()),
        contact_email: None,
        contact_phone: Some("13812345678".into()),
        assignee_id: None,
        assignee_name: None,
        group_id: None,
        group_name: None,
        tags: Vec::new(),
        external_id: None,
        created_by_user_id: None,
        created_at: at,
        updated_at: at,
        first_response_at: None,
        resolved_at: None,
        closed_at: None,
        message_count: 1,
        requester_id: None,
        status_changed_at: at,
        customer_id: None,
        sla: TicketSla {
            customer_tier: Some("normal".into()),
            first_response_due_at: Some(at + SignedDuration::from_hours(2)),
            resolution_due_at: Some(at + SignedDuration::from_hours(24)),
            next_due_at: Some(at + SignedDuration::from_hours(2)),
            next_target: Some("first_response".into()),
            ..TicketSla::default()
        },
        version: 1,
    }
}
