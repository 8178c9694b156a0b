//! `kefu backup` and `kefu restore`: the commands around [`kefu_app::backup`], with a line
//! of progress, the size and time of what was done, and every refusal in the department's
//! words. Also the check, at start-up, of whether a restore since the search index was
//! built means it must be built again.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use kefu_app::App;
use kefu_app::backup::{BackupError, RestoreOptions};
use kefu_domain::{Clock, Locale, SystemClock};
use kefu_store::Store;
use kefu_web::i18n::Tr;

fn tr() -> Tr {
    Tr(Locale::ZhCn)
}

/// The refusal in words, as the command's error.
fn refusal(e: &BackupError) -> anyhow::Error {
    let args = e.args();
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    anyhow::anyhow!("{}", tr().f(e.key(), &args))
}

/// `1.2 GiB (1288490189 bytes)`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    if unit == "B" {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {unit} ({bytes} B)")
    }
}

fn spinner() -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}

async fn connect(url: &str) -> anyhow::Result<Store> {
    Store::connect(url)
        .await
        .with_context(|| format!("opening the database {url}"))
}

/// `kefu backup FILE` and `kefu backup --verify FILE`.
pub async fn backup_command(url: &str, path: &Path, verify: bool) -> anyhow::Result<()> {
    let t = tr();
    let file = path.display().to_string();
    if verify {
        let started = Instant::now();
        let manifest = kefu_app::backup::verify(path)
            .await
            .map_err(|e| refusal(&e))?;
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        println!(
            "{}",
            t.f(
                "backup_cli.verified",
                &[
                    ("file", &file),
                    ("size", &size(bytes)),
                    ("tables", &manifest.tables.len().to_string()),
                    ("rows", &manifest.rows().to_string()),
                    ("backend", &manifest.backend),
                    ("migration", &manifest.migration.to_string()),
                    ("created_at", &manifest.created_at),
                    ("kefu_version", &manifest.kefu_version),
                    ("secs", &format!("{:.1}", started.elapsed().as_secs_f64())),
                ],
            )
        );
        return Ok(());
    }
    let store = connect(url).await?;
    let bar = spinner();
    let progress = |table: &str, rows: u64| bar.set_message(format!("{table} · {rows}"));
    let result = kefu_app::backup::backup(&store, path, SystemClock.now(), &progress).await;
    bar.finish_and_clear();
    store.close().await;
    let report = result.map_err(|e| refusal(&e))?;
    println!(
        "{}",
        t.f(
            "backup_cli.written",
            &[
                ("file", &file),
                ("size", &size(report.bytes)),
                ("tables", &report.manifest.tables.len().to_string()),
                ("rows", &report.manifest.rows().to_string()),
                ("backend", &report.manifest.backend),
                ("migration", &report.manifest.migration.to_string()),
                ("secs", &format!("{:.1}", report.seconds)),
            ],
        )
    );
    println!(
        "{}",
        t.f("backup_cli.sha256", &[("sha256", &report.manifest.sha256)])
    );
    Ok(())
}

/// `kefu restore FILE [--force]`; `search_dir` is this instance's search index, built
/// again from the restored database.
pub async fn restore_command(
    url: &str,
    path: &Path,
    force: bool,
    search_dir: &Path,
) -> anyhow::Result<()> {
    let t = tr();
    let store = connect(url).await?;
    let bar = spinner();
    let progress = |table: &str, rows: u64| bar.set_message(format!("{table} · {rows}"));
    let result = kefu_app::backup::restore(
        &store,
        path,
        &RestoreOptions { force },
        SystemClock.now(),
        &progress,
    )
    .await;
    bar.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            store.close().await;
            return Err(refusal(&e));
        }
    };
    let m = &report.manifest;
    println!(
        "{}",
        t.f(
            "backup_cli.restored",
            &[
                ("file", &path.display().to_string()),
                ("backend", store.backend().name()),
                ("from_backend", &m.backend),
                ("created_at", &m.created_at),
                ("tables", &m.tables.len().to_string()),
                ("rows", &report.rows.to_string()),
                ("secs", &format!("{:.1}", report.seconds)),
            ],
        )
    );
    if report.replaced {
        println!("{}", t.t("backup_cli.replaced"));
    }
    if report.migrated_after > 0 {
        println!(
            "{}",
            t.f(
                "backup_cli.migrated",
                &[
                    ("count", &report.migrated_after.to_string()),
                    ("migration", &m.migration.to_string()),
                ],
            )
        );
    }
    let started = Instant::now();
    match rebuild_search(&store, search_dir, &report.mark).await {
        Ok(documents) => println!(
            "{}",
            t.f(
                "backup_cli.search_rebuilt",
                &[
                    ("documents", &documents.to_string()),
                    ("secs", &format!("{:.1}", started.elapsed().as_secs_f64())),
                    ("dir", &search_dir.display().to_string()),
                ],
            )
        ),
        Err(e) => println!(
            "{}",
            t.f("backup_cli.search_later", &[("error", &format!("{e:#}"))])
        ),
    }
    store.close().await;
    Ok(())
}

/// Builds this instance's search index from the restored database and notes the restore
/// it was built after.
async fn rebuild_search(store: &Store, dir: &Path, mark: &str) -> anyhow::Result<u64> {
    let (index, _) = kefu_search::SearchIndex::open(dir)
        .with_context(|| format!("opening the search index in {}", dir.display()))?;
    let app = App::new(
        store.clone(),
        Arc::new(SystemClock),
        kefu_app::Settings::default(),
    )
    .with_search(Arc::new(index));
    let documents = app.reindex(&|_, _| {}).await?;
    std::fs::write(restore_marker(dir), mark)
        .with_context(|| format!("writing {}", restore_marker(dir).display()))?;
    Ok(documents)
}

/// The file beside the search index naming the restore the index was built after
/// (`data/search.restore` for `data/search`).
fn restore_marker(dir: &Path) -> PathBuf {
    let mut name = dir.file_name().unwrap_or_default().to_os_string();
    name.push(".restore");
    dir.with_file_name(name)
}

/// Whether this instance's search index, at change-log position `cursor`, must be built
/// again because it was built from another database than the one kefu now runs on: the
/// database was restored from a backup since (every restore leaves a mark, which each
/// instance notes beside its index), or the index is past the end of the change log.
/// Noting the mark comes first: a rebuild cut short leaves the index at position 0, which
/// is built again anyway.
pub async fn search_outdated(app: &App, dir: &Path, cursor: i64) -> bool {
    let Ok(mut conn) = app.store.conn().await else {
        return false;
    };
    let ahead = matches!(
        kefu_store::changelog::latest_id(&mut conn).await,
        Ok(head) if cursor > head
    );
    let mark = kefu_store::backup::latest_restore(&mut conn)
        .await
        .ok()
        .flatten();
    let Some(mark) = mark else {
        return ahead;
    };
    let marker = restore_marker(dir);
    let seen = std::fs::read_to_string(&marker).unwrap_or_default();
    if seen.trim() == mark {
        return ahead;
    }
    if let Err(e) = std::fs::write(&marker, &mark) {
        tracing::warn!(error = %e, file = %marker.display(), "cannot note the restore beside the search index");
    }
    tracing::info!("the database was restored from a backup: the search index is built again");
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(512), "512 B");
        assert_eq!(size(1536), "1.5 KiB (1536 B)");
        assert_eq!(size(3 * 1024 * 1024 * 1024), "3.0 GiB (3221225472 B)");
    }

    #[test]
    fn every_refusal_and_line_is_translated() {
        let mut keys: Vec<&str> = BackupError::KEYS.to_vec();
        keys.extend([
            "backup_cli.verified",
            "backup_cli.written",
            "backup_cli.sha256",
            "backup_cli.restored",
            "backup_cli.replaced",
            "backup_cli.migrated",
            "backup_cli.search_rebuilt",
            "backup_cli.search_later",
        ]);
        for locale in [Locale::ZhCn, Locale::En] {
            for key in &keys {
                assert_ne!(Tr(locale).t(key), *key, "{key} in {}", locale.key());
            }
        }
        assert_eq!(
            BackupError::Busy.key(),
            "backup_error.busy",
            "keys are what KEYS lists"
        );
    }

    #[test]
    fn the_marker_sits_beside_the_index() {
        assert_eq!(
            restore_marker(Path::new("data/search")),
            PathBuf::from("data/search.restore")
        );
    }
}
