//! The job queue on the real database: leases, single claims, retries.

use jiff::SignedDuration;
use kefu_store::jobs::{self, NewJob};
use kefu_testkit::{TestApp, TestOptions};

/// A server whose own worker stays out of the queue these tests drive by hand.
async fn quiet_app() -> TestApp {
    TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..Default::default()
    })
    .await
}

#[tokio::test]
async fn a_job_is_claimed_once_and_reclaimed_after_its_lease() {
    let app = quiet_app().await;
    let store = &app.app.store;
    // Far enough ahead that the server's own worker, on the real clock, leaves them alone.
    let now = app.now() + SignedDuration::from_hours(48);
    let mut a = store.conn().await.unwrap();
    let mut b = store.conn().await.unwrap();
    let job = NewJob {
        kind: "test_job",
        unique_key: Some("test:1"),
        payload: "{}",
        run_at: now,
        max_attempts: 3,
    };
    assert!(jobs::enqueue(&mut a, &job, now).await.unwrap());
    assert!(
        !jobs::enqueue(&mut b, &job, now).await.unwrap(),
        "same unique key: one row"
    );

    let lease = SignedDuration::from_mins(5);
    let first = jobs::claim(&mut a, "worker-a", now, lease)
        .await
        .unwrap()
        .expect("claimed");
    assert_eq!(first.kind, "test_job");
    assert!(
        jobs::claim(&mut b, "worker-b", now, lease)
            .await
            .unwrap()
            .is_none(),
        "leased to worker-a"
    );

    // worker-a dies; after the lease runs out worker-b takes over.
    let later = now + SignedDuration::from_mins(6);
    let again = jobs::claim(&mut b, "worker-b", later, lease)
        .await
        .unwrap()
        .expect("reclaimed");
    assert_eq!(again.id, first.id);
    assert_eq!(again.attempts, 2);
    // worker-a's late report changes nothing: the lease is no longer its own.
    jobs::succeed(&mut a, first.id, "worker-a", later)
        .await
        .unwrap();
    jobs::fail(&mut b, again.id, "worker-b", "boom", None, later)
        .await
        .unwrap();
    let rows = jobs::list(&mut a, 10).await.unwrap();
    let row = rows.iter().find(|r| r.id == first.id).unwrap();
    assert_eq!(row.status, "failed");
    assert_eq!(row.last_error.as_deref(), Some("boom"));
    // Pooled connections go back before the server closes its pool.
    drop((a, b));
    app.stop().await;
}

#[tokio::test]
async fn concurrent_claims_never_hand_out_a_job_twice() {
    let app = quiet_app().await;
    let store = app.app.store.clone();
    let now = app.now() + SignedDuration::from_hours(48);
    {
        let mut c = store.conn().await.unwrap();
        for i in 0..20 {
            let key = format!("many:{i}");
            let job = NewJob {
                kind: "test_job",
                unique_key: Some(&key),
                payload: "{}",
                run_at: now,
                max_attempts: 1,
            };
            jobs::enqueue(&mut c, &job, now).await.unwrap();
        }
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            let mut c = store.conn().await.unwrap();
            let name = format!("w{w}");
            while let Some(j) = jobs::claim(&mut c, &name, now, SignedDuration::from_mins(5))
                .await
                .unwrap()
            {
                if j.kind == "test_job" {
                    got.push(j.id);
                }
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let n = all.len();
    all.dedup();
    assert_eq!(all.len(), n, "a job was claimed twice");
    assert_eq!(n, 20);
    app.stop().await;
}

#[tokio::test]
async fn the_worker_purges_expired_sessions_once_per_period() {
    let app = TestApp::spawn().await;
    // The server's own worker enqueues this hour's purge job within its first round.
    let mut done = false;
    for _ in 0..50 {
        let mut c = app.app.store.conn().await.unwrap();
        let rows = jobs::list(&mut c, 50).await.unwrap();
        let purges: Vec<_> = rows
            .iter()
            .filter(|r| r.kind == kefu_jobs::kind::PURGE_SESSIONS)
            .collect();
        assert!(
            purges.len() <= 1,
            "one purge job per period, got {}",
            purges.len()
        );
        if purges.first().is_some_and(|r| r.status == "succeeded") {
            done = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(done, "the purge job ran");
    app.stop().await;
}
