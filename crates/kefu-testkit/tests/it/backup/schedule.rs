//! Scheduled backups: one per period, run by the job worker, the newest N kept, listed on
//! the administrators' job page; a backup that cannot be written is told to every
//! administrator and shows as a failed job.

use std::sync::Arc;

use jiff::SignedDuration;
use kefu_app::Actor;
use kefu_app::Settings;
use kefu_app::backup::schedule::{self, Schedule, When};
use kefu_app::backup::verify;
use kefu_domain::{FixedClock, Role};
use kefu_testkit::{TEST_PASSWORD, TestApp, TestOptions};

use super::Scratch;

#[tokio::test]
async fn scheduled_backups_keep_the_newest_and_failures_reach_the_administrators() {
    let scratch = Scratch::new("schedule");
    let dir = scratch.path("backups");
    let clock = Arc::new(FixedClock::new("2026-11-25T02:00:00Z".parse().unwrap()));
    let settings = Settings {
        backup: Some(Schedule {
            dir: dir.clone(),
            when: When::Every(SignedDuration::from_hours(1)),
            keep: 2,
        }),
        ..Settings::default()
    };
    let app = TestApp::spawn_with(TestOptions {
        settings,
        clock: Some(clock.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let worker = kefu_jobs::Worker::new(app.app.clone(), "backup-test".to_owned());

    // Four hours, a backup each; a second round within an hour makes none.
    let mut made = Vec::new();
    for _ in 0..4 {
        made.push(schedule::file_name(app.now()));
        worker.tick().await.unwrap();
        worker.tick().await.unwrap();
        clock.advance(SignedDuration::from_hours(1));
    }
    let kept: Vec<String> = schedule::list(&dir)
        .unwrap()
        .into_iter()
        .map(|f| f.name)
        .collect();
    assert_eq!(kept, made[2..].to_vec(), "the newest two are kept");
    for name in &kept {
        let manifest = verify(&dir.join(name)).await.expect("a whole backup");
        assert!(manifest.table("users").is_some_and(|t| t.rows >= 1));
    }

    // The administrators' job page lists them.
    app.create_user("bei.fen", &[Role::Admin]).await;
    let admin = app.login("bei.fen", TEST_PASSWORD).await;
    let page = admin.get("/admin/jobs").await.text().await.unwrap();
    assert!(page.contains("data-testid=\"backups\""), "{page}");
    for name in &kept {
        assert!(page.contains(name.as_str()), "{name} on the page");
    }
    assert!(
        !page.contains(made[0].as_str()),
        "a removed backup is not listed"
    );

    // A directory that cannot be made: the job fails, every administrator hears of it.
    let blocker = scratch.path("blocker");
    std::fs::write(&blocker, "a file where the directory should be").unwrap();
    let mut broken = app.app.clone();
    broken.settings.backup = Some(Schedule {
        dir: blocker.join("backups"),
        when: When::Daily { hour: 3, minute: 0 },
        keep: 2,
    });
    kefu_jobs::Worker::new(broken, "backup-broken".to_owned())
        .tick()
        .await
        .unwrap();
    let system = Actor::system();
    for username in ["admin", "bei.fen"] {
        let id = app
            .app
            .get_user_by_username(&system, username)
            .await
            .unwrap()
            .id;
        let mut conn = app.app.store.conn().await.unwrap();
        let told = kefu_store::notification::latest(&mut conn, id, 20)
            .await
            .unwrap()
            .into_iter()
            .find(|n| n.kind == kefu_app::notify::kind::BACKUP_FAILED)
            .unwrap_or_else(|| panic!("{username} was not told"));
        assert!(told.params.contains("blocker"), "{}", told.params);
        assert!(told.params.contains("cannot write"), "{}", told.params);
    }
    let failing = app.app.failing_jobs(&system).await.unwrap();
    let job = failing
        .iter()
        .find(|j| j.kind == "backup")
        .expect("the failed backup is on the job list");
    assert!(
        job.last_error
            .as_deref()
            .is_some_and(|e| e.contains("cannot write")),
        "{job:?}"
    );
    let page = admin.get("/admin/jobs").await.text().await.unwrap();
    assert!(page.contains("cannot write"), "the job page shows why");
    app.stop().await;
}
