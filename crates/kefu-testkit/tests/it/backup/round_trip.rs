//! Demo data and attachments, backed up while a task keeps opening tickets, restored into a
//! fresh database of every backend: every table equals the snapshot, the attachments'
//! bytes come back, the sequences go on past the restored ids, and search finds the same
//! tickets.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kefu_app::backup::{RestoreOptions, backup, restore, verify};
use kefu_app::search::SearchRequest;
use kefu_app::ticket::{Intake, Upload};
use kefu_app::{Actor, App};
use kefu_domain::ticket::Channel;
use kefu_store::Store;
use kefu_testkit::{TestApp, TestOptions};

use super::{
    Scratch, Tables, Target, assert_same, column, dump, fresh_targets, int, parts, postgres_target,
    sqlite_target, text,
};

/// Bytes a PNG starts with, then every byte value and then some: a file no text column
/// could carry unharmed.
fn picture(seed: u8) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend(
        (0..=255u8)
            .cycle()
            .take(40_000)
            .map(|b| b.wrapping_mul(seed | 1)),
    );
    bytes
}

/// Tickets only these words find.
const FINDABLE: [(&str, &str); 3] = [
    (
        "离心风机低速异响",
        "客户反映离心风机在低速档有异响，型号 XF-2207，已购一年",
    ),
    (
        "恢复演练 冷凝器漏液",
        "冷凝器接口处漏液，订单号 PO-2026-31415",
    ),
    ("恢复演练 遥控器失灵", "遥控器全部按键失灵，换过电池仍不行"),
];

/// (query, the ids of the tickets it must find).
type Queries = Vec<(String, BTreeSet<i64>)>;

async fn ticket_hits(app: &App, q: &str) -> BTreeSet<i64> {
    let request = SearchRequest {
        text: q.to_owned(),
        limit: 100,
        ..SearchRequest::default()
    };
    app.search(&Actor::system(), &request)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|h| h.kind.key() == "ticket")
        .map(|h| h.id)
        .collect()
}

/// Waits until every query finds what it must (the index is built in the background).
async fn searches_agree(app: &App, queries: &Queries, label: &str) {
    let t0 = Instant::now();
    loop {
        let mut all = true;
        for (q, want) in queries {
            let got = ticket_hits(app, q).await;
            if &got != want {
                all = false;
                if t0.elapsed() > Duration::from_secs(60) {
                    panic!("{label}: {q:?} finds {got:?}, the source found {want:?}");
                }
            }
        }
        if all {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The source filled: the demo company, tickets with attachments (one picture on three
/// tickets, kept once), and tickets only a few words find. Returns the ticket ids with
/// attachments and the queries with what they find.
async fn fill(source: &TestApp) -> (Vec<i64>, Queries) {
    let mut plan = kefu_app::demo::DemoPlan::for_scale("300", 5).unwrap();
    plan.password = Some("演示密码-backup-2026".into());
    source.app.load_demo(&plan, &|_, _, _| {}).await.unwrap();
    let system = Actor::system();
    let mut attached = Vec::new();
    for i in 0..3 {
        let files = [
            Upload {
                filename: format!("现场照片{i}.png"),
                bytes: picture(7),
            },
            Upload {
                filename: "保修卡.txt".to_owned(),
                bytes: format!("型号 KFR-35GW，保修至 2028 年，第 {i} 份").into_bytes(),
            },
        ];
        let intake = Intake::new(Channel::Api, &format!("附件备份 {i}"), "请查收照片和保修卡");
        let out = source
            .app
            .intake_with_files(&system, &intake, &files)
            .await
            .unwrap();
        attached.push(out.ticket.id);
    }
    let mut queries = Queries::new();
    let mut drills = BTreeSet::new();
    for (subject, body) in FINDABLE {
        let id = source
            .app
            .intake(&system, &Intake::new(Channel::Api, subject, body))
            .await
            .unwrap()
            .ticket
            .id;
        if subject.contains("恢复演练") {
            drills.insert(id);
        } else {
            queries.push(("XF-2207".to_owned(), BTreeSet::from([id])));
            queries.push(("离心风机".to_owned(), BTreeSet::from([id])));
        }
    }
    queries.push(("恢复演练".to_owned(), drills));
    (attached, queries)
}

/// What the snapshot must show to be one moment of the database: every message's ticket
/// is there, and the tickets the writer opened one after another are a prefix (none
/// missing before the last), each with its first message, counted on it.
fn assert_consistent(snapshot: &Tables, label: &str) -> usize {
    let ids: BTreeSet<i64> = column(snapshot, "tickets", "id")
        .into_iter()
        .map(int)
        .collect();
    let messages: Vec<i64> = column(snapshot, "ticket_messages", "ticket_id")
        .into_iter()
        .map(int)
        .collect();
    assert!(
        messages.iter().all(|t| ids.contains(t)),
        "{label}: a message without its ticket"
    );
    let subjects = column(snapshot, "tickets", "subject");
    let counts = column(snapshot, "tickets", "message_count");
    let mut written: Vec<usize> = Vec::new();
    for ((id, subject), count) in ids.iter().zip(&subjects).zip(&counts) {
        let Some(n) = text(subject).strip_prefix("备份进行中 ") else {
            continue;
        };
        written.push(n.parse().unwrap());
        let stored = messages.iter().filter(|t| *t == id).count() as i64;
        assert!(
            stored >= 1 && int(count) == stored,
            "{label}: ticket {id} counts {} messages and has {stored}",
            int(count)
        );
    }
    written.sort_unstable();
    assert_eq!(
        written,
        (0..written.len()).collect::<Vec<_>>(),
        "{label}: the tickets written one after another are a prefix"
    );
    written.len()
}

/// Backs `source` up while a task keeps opening tickets, then restores into `targets`.
async fn round_trip(source: TestApp, targets: Vec<Target>, label: &str) {
    let (attached, queries) = fill(&source).await;
    let scratch = Scratch::new("round-trip");
    let file = scratch.path("kefu.zip");

    // A task opens tickets one after another until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let opened = Arc::new(AtomicU64::new(0));
    let writer = {
        let app = source.app.clone();
        let (stop, opened) = (stop.clone(), opened.clone());
        tokio::spawn(async move {
            let mut n = 0u64;
            while !stop.load(Ordering::SeqCst) {
                let intake = Intake::new(
                    Channel::Api,
                    &format!("备份进行中 {n}"),
                    "备份进行时打开的工单",
                );
                app.intake(&Actor::system(), &intake).await.unwrap();
                n += 1;
                opened.store(n, Ordering::SeqCst);
            }
        })
    };
    let wait_for = |n: u64| {
        let opened = opened.clone();
        async move {
            let t0 = Instant::now();
            while opened.load(Ordering::SeqCst) < n {
                assert!(
                    t0.elapsed() < Duration::from_secs(30),
                    "the writer is stuck"
                );
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    wait_for(3).await;
    let before = opened.load(Ordering::SeqCst);
    let report = backup(&source.app.store, &file, source.now(), &|_, _| {})
        .await
        .expect("backup");
    let during = opened.load(Ordering::SeqCst);
    wait_for(during + 3).await;
    stop.store(true, Ordering::SeqCst);
    writer.await.unwrap();
    let total = opened.load(Ordering::SeqCst);
    eprintln!(
        "{label}: backup of {} rows, {} bytes in {:.2} s; {} tickets opened during it",
        report.manifest.rows(),
        report.bytes,
        report.seconds,
        during - before
    );
    assert!(
        during > before,
        "{label}: tickets were opened while the backup ran"
    );

    let snapshot = parts(&file);
    let in_snapshot = assert_consistent(&snapshot, label) as u64;
    assert!(
        before <= in_snapshot && in_snapshot < total,
        "{label}: the snapshot has {in_snapshot} of the writer's tickets, {before} before the backup and {total} in the end"
    );
    assert_eq!(verify(&file).await.expect("verify"), report.manifest);
    assert_eq!(report.manifest.backend, source.backend().name());
    assert!(report.manifest.table("_sqlx_migrations").is_none());
    assert!(!snapshot["attachment_blobs"].1.is_empty());

    let max_ticket = column(&snapshot, "tickets", "id")
        .into_iter()
        .map(int)
        .max()
        .unwrap();
    for target in targets {
        let label = format!("{label} → {}", target.label);
        let store = Store::connect(&target.url).await.unwrap();
        let restored = restore(
            &store,
            &file,
            &RestoreOptions::default(),
            source.now(),
            &|_, _| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{label}: {e}"));
        assert_eq!(restored.rows, report.manifest.rows(), "{label}");
        assert!(!restored.replaced, "{label}");
        assert_same(&label, &snapshot, &dump(&store).await);
        store.close().await;

        // kefu on the restored database: the files come back byte for byte, new tickets get
        // new ids, and search (its index built from the restored data) finds the same.
        let app = TestApp::spawn_with(TestOptions {
            join_database: Some(target.url.clone()),
            ..TestOptions::default()
        })
        .await;
        let system = Actor::system();
        let tickets = column(&snapshot, "ticket_attachments", "ticket_id");
        let ids = column(&snapshot, "ticket_attachments", "id");
        let mut pictures = 0;
        for (ticket, id) in tickets.into_iter().zip(ids) {
            let (ticket, id) = (int(ticket), int(id));
            if !attached.contains(&ticket) {
                continue;
            }
            let (name, _, bytes) = app
                .app
                .attachment_file(&system, ticket, id)
                .await
                .unwrap_or_else(|e| panic!("{label}: attachment {id}: {e}"));
            if name.ends_with(".png") {
                assert_eq!(bytes, picture(7), "{label}: {name}");
                pictures += 1;
            } else {
                assert!(String::from_utf8(bytes).unwrap().contains("KFR-35GW"));
            }
        }
        assert_eq!(pictures, 3, "{label}: every picture came back");
        let fresh = app
            .app
            .intake(
                &system,
                &Intake::new(Channel::Api, "恢复后新建", "恢复之后的第一张工单"),
            )
            .await
            .unwrap();
        assert!(
            fresh.ticket.id > max_ticket,
            "{label}: a new ticket gets a new id ({} after {max_ticket})",
            fresh.ticket.id
        );
        searches_agree(&app.app, &queries, &label).await;
        app.stop().await;
    }
    searches_agree(&source.app, &queries, &format!("{label} (source)")).await;
    source.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_under_load_restores_into_every_backend_equal_to_its_snapshot() {
    // The source runs on the suite's backend; the backup goes into a fresh SQLite database
    // and, with a PostgreSQL server, a fresh PostgreSQL one (PostgreSQL → SQLite).
    // No job worker: the demo fills a database nobody works on yet.
    let source = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    let label = source.backend().name();
    round_trip(source, fresh_targets().await, label).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_backup_restores_into_postgresql() {
    // With a PostgreSQL server the test above ran from PostgreSQL; this one from SQLite.
    let Some(target) = postgres_target().await else {
        eprintln!("no KEFU_TEST_DATABASE_URL: SQLite → PostgreSQL not tried");
        return;
    };
    let file = sqlite_target();
    let source = TestApp::spawn_with(TestOptions {
        join_database: Some(file.url.clone()),
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    round_trip(source, vec![target], "sqlite").await;
    drop(file);
}
