//! Intake under concurrency: requests arriving together are written together, each ticket
//! whole, numbers unique (gapless on SQLite), retried deliveries one ticket, and two
//! instances on one database never sharing a number.

use std::collections::HashSet;

use kefu_app::Actor;
use kefu_app::ticket::{Intake, NewGroup};
use kefu_domain::Role;
use kefu_domain::ticket::Channel;
use kefu_testkit::{ApiClient, TestApp};
use serde_json::json;

use crate::tickets::{count_tickets, create};

#[tokio::test]
async fn ticket_numbers_stay_unique_under_concurrent_intake() {
    let app = TestApp::spawn().await;
    let agent = app.create_user("zhou.agent", &[Role::Agent]).await;
    let api = ApiClient::new(&app, &app.token_for(agent).await);
    let mut handles = Vec::new();
    for i in 0..16 {
        let api = ApiClient {
            client: api.client.clone(),
            base: api.base.clone(),
            token: api.token.clone(),
        };
        handles.push(tokio::spawn(async move {
            // Every other request is a retry of the one before it.
            let ext = format!("sms-{}", i / 2);
            let (status, t) = create(
                &api,
                json!({"channel": "sms", "subject": format!("短信 {i}"), "body": "查询物流", "external_id": ext}),
            )
            .await;
            (status, t["number"].as_str().unwrap_or_default().to_owned(), ext)
        }));
    }
    let mut numbers = HashSet::new();
    let mut created = 0;
    for h in handles {
        let (status, number, _) = h.await.unwrap();
        assert!(status == 201 || status == 200, "{status}");
        if status == 201 {
            created += 1;
        }
        numbers.insert(number);
    }
    assert_eq!(created, 8, "one ticket per external id");
    assert_eq!(numbers.len(), 8);
    assert_eq!(count_tickets(&app).await, 8);
    app.stop().await;
}

/// Intakes that arrive together are written together in one transaction; each ticket must
/// still come out whole (its message, history and change-log entry), numbered, balanced by
/// the group's least-open rule, and a retried delivery in the same batch must not fail it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tickets_arriving_together_are_each_written_whole() {
    let app = TestApp::spawn().await;
    let a = app.create_user("a.agent", &[Role::Agent]).await;
    let b = app.create_user("b.agent", &[Role::Agent]).await;
    let group = app
        .app
        .create_group(
            &Actor::system(),
            &NewGroup {
                name: "售后一组".into(),
                manager_user_id: None,
                assignment: "least_open".into(),
                members: vec![a, b],
            },
        )
        .await
        .unwrap();
    // First everything at once for the group, then retried deliveries at once: a batch with
    // a retry in it falls back to writing each request alone.
    let mut numbers = HashSet::new();
    let mut per_agent = std::collections::HashMap::new();
    for round in [0..40, 40..60] {
        let mut handles = Vec::new();
        for i in round {
            let app = app.app.clone();
            handles.push(tokio::spawn(async move {
                let mut intake =
                    Intake::new(Channel::Api, &format!("批量 {i}"), &format!("正文 {i}"));
                if i < 40 {
                    intake.group_id = Some(group);
                } else if i % 2 == 0 {
                    intake.external_id = Some(format!("dup-{i}"));
                }
                let system = Actor::system();
                let first = app.intake(&system, &intake);
                let again = async {
                    if intake.external_id.is_some() {
                        Some(app.intake(&system, &intake).await.unwrap())
                    } else {
                        None
                    }
                };
                let (first, again) = tokio::join!(first, again);
                (i, first.unwrap(), again)
            }));
        }
        for h in handles {
            let (i, out, again) = h.await.unwrap();
            let t = &out.ticket;
            if let Some(again) = again {
                assert_eq!(again.ticket.id, t.id, "one ticket per delivery id");
                assert!(
                    out.created != again.created,
                    "exactly one of the two created it"
                );
            }
            assert_eq!(t.subject, format!("批量 {i}"));
            assert!(numbers.insert(t.number.clone()), "{} twice", t.number);
            if i < 40 {
                let assignee = t.assignee_id.expect("the group assigns");
                assert!(t.assignee_name.is_some());
                *per_agent.entry(assignee).or_insert(0) += 1;
            }
            let detail = app.app.ticket_detail(&Actor::system(), t.id).await.unwrap();
            assert_eq!(detail.messages.len(), 1);
            assert_eq!(detail.messages[0].body, format!("正文 {i}"));
            assert_eq!(detail.ticket.message_count, 1);
            assert!(detail.events.iter().any(|e| e.field == "created"));
        }
    }
    assert_eq!(count_tickets(&app).await, 60);
    assert_eq!(per_agent.get(&a), Some(&20), "{per_agent:?}");
    assert_eq!(per_agent.get(&b), Some(&20), "{per_agent:?}");
    let mut c = app.app.store.conn().await.unwrap();
    let logged: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT entity_id) FROM change_log WHERE entity = 'ticket' AND operation = 'create'",
    )
    .fetch_one(&mut *c)
    .await
    .unwrap();
    assert_eq!(logged, 60);
    drop(c);
    if app.backend() == kefu_store::Backend::Sqlite {
        let mut seqs: Vec<i64> = numbers
            .iter()
            .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
            .collect();
        seqs.sort_unstable();
        assert_eq!(
            seqs,
            (1..=60).collect::<Vec<i64>>(),
            "no gaps on one writer"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn two_instances_on_one_database_never_share_a_ticket_number() {
    let app = TestApp::spawn().await;
    // A second instance of kefu: its own pool and its own reserved numbers, same database.
    let store = kefu_store::Store::connect(&app.database_url).await.unwrap();
    let second = kefu_app::App::new(store, app.app.clock(), app.app.settings.clone());
    let mut handles = Vec::new();
    for i in 0..40 {
        let instance = if i % 2 == 0 {
            app.app.clone()
        } else {
            second.clone()
        };
        handles.push(tokio::spawn(async move {
            let intake = Intake::new(Channel::Phone, &format!("来电 {i}"), "咨询安装时间");
            instance
                .intake(&Actor::system(), &intake)
                .await
                .unwrap()
                .ticket
                .number
        }));
    }
    let mut numbers = Vec::new();
    for h in handles {
        numbers.push(h.await.unwrap());
    }
    let unique: HashSet<&String> = numbers.iter().collect();
    assert_eq!(unique.len(), 40, "{numbers:?}");
    let mut seqs: Vec<i64> = numbers
        .iter()
        .map(|n| n.rsplit('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort_unstable();
    match app.backend() {
        // One writer: the day's numbers follow creation without gaps.
        kefu_store::Backend::Sqlite => assert_eq!(seqs, (1..=40).collect::<Vec<i64>>()),
        // Each instance numbers from a block of its own.
        kefu_store::Backend::Postgres => {
            let block = kefu_store::Backend::Postgres.ticket_number_block();
            assert!(seqs.iter().all(|s| (1..=2 * block).contains(s)), "{seqs:?}");
            assert!(
                seqs.iter().any(|s| *s > block),
                "the second instance's block"
            );
        }
    }
    second.store.close().await;
    app.stop().await;
}
