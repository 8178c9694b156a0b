//! Bad input: a backup cut short, one byte flipped, one from a newer kefu or in another
//! format, a file that is no backup, a restore into a database with data, a second restore
//! at once — each refused with a message naming what is wrong, the target unchanged. And a
//! backup from an older kefu: restored at its migration, then migrated.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use kefu_app::backup::{BackupError, RestoreOptions, backup, restore, verify};
use kefu_app::ticket::{Intake, Upload};
use kefu_app::{Actor, App, Settings};
use kefu_domain::SystemClock;
use kefu_domain::ticket::Channel;
use kefu_store::Store;
use kefu_testkit::{TestApp, TestOptions};
use serde_json::json;

use super::{Scratch, assert_same, dump, fresh_targets, parts, sqlite_target};

/// What a refusal must be, by name: (what, the file, the error, words in its message).
type Check<'a> = (
    &'a str,
    &'a PathBuf,
    Box<dyn Fn(&BackupError) -> bool>,
    &'a str,
);

/// A small database's backup: a few tickets, one with a file.
async fn small_backup(scratch: &Scratch) -> (TestApp, PathBuf) {
    let source = TestApp::spawn().await;
    let system = Actor::system();
    for i in 0..4 {
        let files = [Upload {
            filename: "说明.txt".to_owned(),
            bytes: format!("第 {i} 份说明：安装高度 2.2 米").into_bytes(),
        }];
        let intake = Intake::new(Channel::Api, &format!("备份校验 {i}"), "请看附件");
        source
            .app
            .intake_with_files(&system, &intake, &files)
            .await
            .unwrap();
    }
    let file = scratch.path("good.zip");
    backup(&source.app.store, &file, source.now(), &|_, _| {})
        .await
        .expect("backup");
    (source, file)
}

async fn restore_plain(store: &Store, file: &Path) -> Result<(), BackupError> {
    restore(
        store,
        file,
        &RestoreOptions::default(),
        jiff::Timestamp::UNIX_EPOCH,
        &|_, _| {},
    )
    .await
    .map(|_| ())
}

/// A target no one has touched: no tables, no migrations.
async fn assert_untouched(store: &Store, label: &str) {
    let t = store.restore_target(10).await.unwrap();
    assert_eq!(t.migration, None, "{label}: migrated");
    assert!(t.rows.is_empty(), "{label}: tables {:?}", t.rows);
}

/// A copy of the backup with its manifest edited (every part copied as it is).
fn with_manifest(src: &Path, dst: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect();
    let mut out = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut edit = Some(edit);
    for name in names {
        let mut bytes = Vec::new();
        archive
            .by_name(&name)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        if name == "manifest.json" {
            let mut manifest: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
            (edit.take().unwrap())(&mut manifest);
            bytes = serde_json::to_vec_pretty(&manifest).unwrap();
        }
        out.start_file(name.as_str(), options).unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap();
}

/// The backup with one byte flipped in the middle of its largest table's compressed data.
fn flipped(src: &Path) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let names: Vec<String> = archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .filter(|n| n.starts_with("tables/"))
        .collect();
    let (start, size) = names
        .iter()
        .map(|n| {
            let e = archive.by_name(n).unwrap();
            (e.data_start().unwrap(), e.compressed_size())
        })
        .max_by_key(|(_, size)| *size)
        .unwrap();
    let mut bytes = std::fs::read(src).unwrap();
    bytes[(start + size / 2) as usize] ^= 0x55;
    bytes
}

#[tokio::test]
async fn damaged_newer_and_foreign_files_are_refused_before_anything_is_written() {
    let scratch = Scratch::new("refusals");
    let (source, good) = small_backup(&scratch).await;
    let bytes = std::fs::read(&good).unwrap();
    let latest = kefu_store::backup::latest_migration();

    let cut = scratch.path("cut.zip");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let flip = scratch.path("flipped.zip");
    std::fs::write(&flip, flipped(&good)).unwrap();
    let newer = scratch.path("newer.zip");
    with_manifest(&good, &newer, |m| m["migration"] = json!(latest + 1));
    let format = scratch.path("format2.zip");
    with_manifest(&good, &format, |m| m["format_version"] = json!(2));
    let counted = scratch.path("counted.zip");
    with_manifest(&good, &counted, |m| {
        let rows = m["tables"][0]["rows"].as_u64().unwrap();
        m["tables"][0]["rows"] = json!(rows + 1);
    });
    let notes = scratch.path("notes.zip");
    std::fs::write(&notes, "这不是备份文件").unwrap();
    let bare = scratch.path("bare.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&bare).unwrap());
        w.start_file("readme.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(b"hello").unwrap();
        w.finish().unwrap();
    }

    // What `kefu backup --verify` says of each (the newer one is whole: only a restore
    // refuses it).
    verify(&good).await.expect("the good one is whole");
    verify(&newer).await.expect("a newer backup is still whole");
    let checks: Vec<Check> = vec![
        (
            "cut short",
            &cut,
            Box::new(|e: &BackupError| matches!(e, BackupError::Unreadable { .. })),
            "not a complete kefu backup",
        ),
        (
            "one byte flipped",
            &flip,
            Box::new(|e: &BackupError| {
                matches!(
                    e,
                    BackupError::Damaged { .. } | BackupError::Checksum { .. }
                )
            }),
            "the backup is damaged: tables/",
        ),
        (
            "format version 2",
            &format,
            Box::new(|e: &BackupError| {
                matches!(
                    e,
                    BackupError::FormatVersion {
                        found: 2,
                        supported: 1
                    }
                )
            }),
            "format version 2",
        ),
        (
            "a row count that lies",
            &counted,
            Box::new(|e: &BackupError| matches!(e, BackupError::RowCount { .. })),
            "rows where its manifest says",
        ),
        (
            "not a zip",
            &notes,
            Box::new(|e: &BackupError| matches!(e, BackupError::Unreadable { .. })),
            "not a complete kefu backup",
        ),
        (
            "a zip without a manifest",
            &bare,
            Box::new(|e: &BackupError| matches!(e, BackupError::NoManifest { .. })),
            "it has no manifest.json",
        ),
    ];
    for (what, file, is, words) in &checks {
        let e = verify(file).await.expect_err(what);
        assert!(is(&e), "{what}: {e:?}");
        assert!(e.to_string().contains(words), "{what}: {e}");
    }

    for target in fresh_targets().await {
        let store = Store::connect(&target.url).await.unwrap();
        for (what, file, is, words) in &checks {
            let e = restore_plain(&store, file).await.expect_err(what);
            assert!(is(&e), "{} {what}: {e:?}", target.label);
            assert!(
                e.to_string().contains(words),
                "{} {what}: {e}",
                target.label
            );
            assert_untouched(&store, what).await;
        }
        let e = restore_plain(&store, &newer).await.expect_err("newer");
        match &e {
            BackupError::Newer { found, known } => {
                assert_eq!((*found, *known), (latest + 1, latest));
            }
            other => panic!("{}: {other:?}", target.label),
        }
        assert!(e.to_string().contains("upgrade kefu"), "{e}");
        assert_untouched(&store, "newer").await;
        // The good one still restores.
        restore_plain(&store, &good).await.expect("the good backup");
        assert_same(target.label, &parts(&good), &dump(&store).await);
        store.close().await;
    }
    source.stop().await;
}

#[tokio::test]
async fn a_database_with_data_is_refused_unless_forced() {
    let scratch = Scratch::new("not-empty");
    let (source, good) = small_backup(&scratch).await;
    // Another company's kefu, in use (no job worker: nothing writes while we look).
    let other = TestApp::spawn_with(TestOptions {
        without_worker: true,
        ..TestOptions::default()
    })
    .await;
    other
        .app
        .intake(
            &Actor::system(),
            &Intake::new(Channel::Api, "另一家的工单", "不应被悄悄覆盖"),
        )
        .await
        .unwrap();
    let store = Store::connect(&other.database_url).await.unwrap();
    let before = dump(&store).await;
    let e = restore_plain(&store, &good).await.expect_err("not empty");
    match &e {
        BackupError::NotEmpty { tables } => {
            assert!(tables.contains("tickets: 1"), "{tables}");
            assert!(tables.contains("users"), "{tables}");
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("--force"), "{e}");
    assert_same("refused", &before, &dump(&store).await);

    let report = restore(
        &store,
        &good,
        &RestoreOptions { force: true },
        source.now(),
        &|_, _| {},
    )
    .await
    .expect("forced");
    assert!(report.replaced);
    assert_same("forced", &parts(&good), &dump(&store).await);
    store.close().await;
    other.stop().await;
    source.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_restore_at_the_same_time_is_refused() {
    let scratch = Scratch::new("busy");
    let (source, good) = small_backup(&scratch).await;
    for target in fresh_targets().await {
        let store = Store::connect(&target.url).await.unwrap();
        // Another `kefu restore` (its own connections) holds the lock.
        let other = Store::connect(&target.url).await.unwrap();
        let lock = other.lock_restore().await.expect("lock");
        let e = restore_plain(&store, &good).await.expect_err("busy");
        assert!(matches!(e, BackupError::Busy), "{}: {e:?}", target.label);
        assert!(e.to_string().contains("another kefu restore"), "{e}");
        assert_untouched(&store, "busy").await;
        drop(lock);

        // Two at once: one restores, the other is refused — busy, or finding the first's
        // data when it came second.
        let (a, b) = tokio::join!(restore_plain(&store, &good), restore_plain(&other, &good));
        let refused: Vec<BackupError> = [a, b].into_iter().filter_map(Result::err).collect();
        assert_eq!(refused.len(), 1, "{}: {refused:?}", target.label);
        assert!(
            matches!(refused[0], BackupError::Busy | BackupError::NotEmpty { .. }),
            "{}: {:?}",
            target.label,
            refused[0]
        );
        assert_same(target.label, &parts(&good), &dump(&store).await);
        store.close().await;
        other.close().await;
    }
    source.stop().await;
}

#[tokio::test]
async fn a_backup_from_an_older_kefu_is_restored_then_migrated() {
    // A database as kefu left it at migration 34, when attachments kept their bytes in
    // ticket_attachments.data (0035 moved them into attachment_blobs).
    const OLD: i64 = 34;
    let scratch = Scratch::new("older");
    let old = sqlite_target();
    let store = Store::connect(&old.url).await.unwrap();
    store.migrate_to(OLD).await.unwrap();
    let photo = b"\x89PNG\r\n\x1a\n old photo bytes \x00\xff".to_vec();
    {
        let mut conn = store.conn().await.unwrap();
        sqlx::query(
            "INSERT INTO tickets (id, number, ticket_type, channel, status, status_category, \
             active, priority, priority_rank, subject, created_at, updated_at) \
             VALUES (1, 'KF20261125000001', 'inquiry', 'api', 'new', 'new', 1, 'normal', 2, \
             '旧版本的工单', 0, 0)",
        )
        .execute(&mut *conn)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO ticket_attachments (id, ticket_id, filename, content_type, size, \
             sha256, data, created_at) VALUES (1, 1, '旧照片.png', 'image/png', $1, $2, $3, 0)",
        )
        .bind(photo.len() as i64)
        .bind("ab".repeat(32))
        .bind(photo.clone())
        .execute(&mut *conn)
        .await
        .unwrap();
    }
    let file = scratch.path("old.zip");
    let report = backup(&store, &file, jiff::Timestamp::UNIX_EPOCH, &|_, _| {})
        .await
        .unwrap();
    store.close().await;
    assert_eq!(report.manifest.migration, OLD);
    assert!(report.manifest.table("attachment_blobs").is_none());

    let after = kefu_store::backup::known_migrations()
        .into_iter()
        .filter(|v| *v > OLD)
        .count();
    for target in fresh_targets().await {
        let store = Store::connect(&target.url).await.unwrap();
        // Migrated by this kefu already (and empty): taken back to the backup's migration.
        store.migrate().await.unwrap();
        let restored = restore(
            &store,
            &file,
            &RestoreOptions::default(),
            jiff::Timestamp::UNIX_EPOCH,
            &|_, _| {},
        )
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", target.label));
        assert_eq!(restored.migrated_after, after, "{}", target.label);
        assert_eq!(
            restored.target_migration,
            Some(kefu_store::backup::latest_migration())
        );
        let mut snap = store.snapshot().await.unwrap();
        assert_eq!(
            snap.migration().await.unwrap(),
            kefu_store::backup::latest_migration()
        );
        snap.finish().await.unwrap();
        let app = App::new(
            store.clone(),
            std::sync::Arc::new(SystemClock),
            Settings::default(),
        );
        let (name, _, bytes) = app
            .attachment_file(&Actor::system(), 1, 1)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", target.label));
        assert_eq!((name.as_str(), bytes), ("旧照片.png", photo.clone()));
        store.close().await;
    }
}
