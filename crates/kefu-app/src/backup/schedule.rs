//! 定时备份 — backups made by the `backup` job at a time of day or at an interval into one
//! directory, keeping the newest N. The job is periodic like the others (one per period,
//! claimed with a lease, so one instance makes it); a failed backup is told to every
//! administrator and stays on the job list, and the next period tries again.
//!
//! Any instance may take the job: with several instances the directory must be the same
//! place for all of them (a shared mount), or be set on one instance only.

use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use kefu_domain::{Permission, Role};
use kefu_store::StoreError;

use super::{BackupError, BackupReport, backup};
use crate::notify::{kind, notify, with_role};
use crate::{Actor, App, Result};

/// The `[backup]` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Where the backups go.
    pub dir: PathBuf,
    pub when: When,
    /// How many of the newest to keep (at least one).
    pub keep: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Once a day at this hour and minute, Beijing time.
    Daily { hour: i8, minute: i8 },
    /// Every so long (at least a minute), in periods counted from the Unix epoch as the
    /// other periodic jobs' are.
    Every(SignedDuration),
}

/// Scheduled backups are named `kefu-backup-20261125-030000.zip` (Beijing time), so their
/// names sort as their times; retention removes only files named so.
pub const FILE_PREFIX: &str = "kefu-backup-";
pub const FILE_SUFFIX: &str = ".zip";

fn zone() -> TimeZone {
    TimeZone::get("Asia/Shanghai").unwrap_or(TimeZone::fixed(jiff::tz::offset(8)))
}

impl When {
    /// `HH:MM`, e.g. `03:00`.
    pub fn daily_at(text: &str) -> Option<When> {
        let (h, m) = text.trim().split_once(':')?;
        let hour: i8 = h.parse().ok()?;
        let minute: i8 = m.parse().ok()?;
        let valid = (0..24).contains(&hour) && (0..60).contains(&minute) && m.len() == 2;
        valid.then_some(When::Daily { hour, minute })
    }
}

impl Schedule {
    /// The key of the period `now` is in; the job is enqueued once per key. A backup time
    /// missed while kefu was stopped is made when it starts.
    pub fn period_key(&self, now: Timestamp) -> String {
        match self.when {
            When::Every(every) => {
                let secs = every.as_secs().max(60);
                format!("backup:{}", now.as_second().div_euclid(secs))
            }
            When::Daily { hour, minute } => {
                // The day whose backup time came last: before 03:00 it is yesterday's.
                let local = now.to_zoned(zone()).datetime();
                let since = SignedDuration::from_mins(i64::from(hour) * 60 + i64::from(minute));
                let day = local.checked_sub(since).unwrap_or(local).date();
                format!("backup:{day}")
            }
        }
    }
}

/// The name of the scheduled backup made at `at`.
pub fn file_name(at: Timestamp) -> String {
    format!(
        "{FILE_PREFIX}{}{FILE_SUFFIX}",
        at.to_zoned(zone()).strftime("%Y%m%d-%H%M%S")
    )
}

/// One scheduled backup on disk.
#[derive(Debug, Clone)]
pub struct BackupFile {
    pub name: String,
    pub path: PathBuf,
    pub bytes: u64,
    pub modified: Option<Timestamp>,
}

/// The scheduled backups in `dir`, oldest first; none when the directory does not exist.
pub fn list(dir: &Path) -> std::io::Result<Vec<BackupFile>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.starts_with(FILE_PREFIX) || !name.ends_with(FILE_SUFFIX) {
            continue;
        }
        let meta = entry.metadata()?;
        if !meta.is_file() {
            continue;
        }
        files.push(BackupFile {
            name,
            path: entry.path(),
            bytes: meta.len(),
            modified: meta
                .modified()
                .ok()
                .and_then(|t| Timestamp::try_from(t).ok()),
        });
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// Removes the oldest scheduled backups beyond the newest `keep` (at least one is kept);
/// returns what it removed.
pub fn prune(dir: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let files = list(dir)?;
    let surplus = files.len().saturating_sub(keep.max(1));
    let mut removed = Vec::new();
    for f in files.into_iter().take(surplus) {
        std::fs::remove_file(&f.path)?;
        removed.push(f.path);
    }
    Ok(removed)
}

impl App {
    /// The `backup` job: this period's backup into the schedule's directory, then the
    /// oldest beyond `keep` removed. A failure is told to every administrator. `None`
    /// without a schedule.
    pub async fn run_scheduled_backup(&self) -> Result<Option<BackupReport>, BackupError> {
        let Some(schedule) = self.settings.backup.clone() else {
            return Ok(None);
        };
        let outcome = self.scheduled_backup(&schedule).await;
        match &outcome {
            Ok(r) => tracing::info!(
                file = %r.path.display(),
                bytes = r.bytes,
                rows = r.manifest.rows(),
                secs = r.seconds,
                "scheduled backup written"
            ),
            Err(e) => {
                tracing::error!(error = %e, dir = %schedule.dir.display(), "scheduled backup failed");
                if let Err(told) = self.tell_backup_failed(&schedule, e).await {
                    tracing::error!(error = %told, "the failed backup could not be told to the administrators");
                }
            }
        }
        outcome.map(Some)
    }

    async fn scheduled_backup(&self, schedule: &Schedule) -> Result<BackupReport, BackupError> {
        let now = self.now();
        let dir_err = |source| BackupError::Write {
            path: schedule.dir.display().to_string(),
            source,
        };
        std::fs::create_dir_all(&schedule.dir).map_err(dir_err)?;
        let path = schedule.dir.join(file_name(now));
        let report = backup(&self.store, &path, now, &|_, _| {}).await?;
        for removed in prune(&schedule.dir, schedule.keep).map_err(dir_err)? {
            tracing::info!(file = %removed.display(), "old backup removed");
        }
        Ok(report)
    }

    async fn tell_backup_failed(&self, schedule: &Schedule, e: &BackupError) -> Result<()> {
        let mut tx = self.store.begin().await?;
        let admins = with_role(&mut tx, Role::Admin).await?;
        let params = serde_json::json!({
            "dir": schedule.dir.display().to_string(),
            "error": e.to_string(),
        });
        notify(
            &mut tx,
            &admins,
            kind::BACKUP_FAILED,
            None,
            &params,
            self.now(),
        )
        .await?;
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The schedule and the backups in its directory, newest first, as this instance sees
    /// them; `None` without a schedule.
    pub fn backup_files(&self, actor: &Actor) -> Result<Option<(Schedule, Vec<BackupFile>)>> {
        actor.require(Permission::UserManage)?;
        let Some(schedule) = &self.settings.backup else {
            return Ok(None);
        };
        let mut files = list(&schedule.dir).unwrap_or_else(|e| {
            tracing::warn!(error = %e, dir = %schedule.dir.display(), "backup directory unreadable");
            Vec::new()
        });
        files.reverse();
        Ok(Some((schedule.clone(), files)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn daily(hour: i8, minute: i8) -> Schedule {
        Schedule {
            dir: PathBuf::from("/tmp"),
            when: When::Daily { hour, minute },
            keep: 7,
        }
    }

    #[test]
    fn a_daily_backup_belongs_to_the_day_its_time_last_came() {
        let s = daily(3, 0);
        // 02:59 and 03:00 Beijing time on 11-25 (18:59 and 19:00 UTC on 11-24).
        let before: Timestamp = "2026-11-24T18:59:00Z".parse().unwrap();
        let at: Timestamp = "2026-11-24T19:00:00Z".parse().unwrap();
        let later: Timestamp = "2026-11-25T18:58:00Z".parse().unwrap();
        assert_eq!(s.period_key(before), "backup:2026-11-24");
        assert_eq!(s.period_key(at), "backup:2026-11-25");
        assert_eq!(s.period_key(later), "backup:2026-11-25");
    }

    #[test]
    fn times_of_day_are_read_strictly() {
        assert_eq!(
            When::daily_at("03:30"),
            Some(When::Daily {
                hour: 3,
                minute: 30
            })
        );
        assert_eq!(When::daily_at("24:00"), None);
        assert_eq!(When::daily_at("3:7"), None);
        assert_eq!(When::daily_at("noon"), None);
    }

    #[test]
    fn names_sort_as_times() {
        let a: Timestamp = "2026-11-24T19:00:00Z".parse().unwrap();
        let b: Timestamp = "2026-11-25T01:00:00Z".parse().unwrap();
        assert_eq!(file_name(a), "kefu-backup-20261125-030000.zip");
        assert!(file_name(a) < file_name(b));
    }

    #[test]
    fn retention_keeps_the_newest() {
        let dir = std::env::temp_dir().join(format!("kefu-prune-{}", crate::secret::random_hex(6)));
        std::fs::create_dir_all(&dir).unwrap();
        for day in 20..25 {
            std::fs::write(
                dir.join(format!("kefu-backup-202611{day}-030000.zip")),
                b"x",
            )
            .unwrap();
        }
        std::fs::write(dir.join("keep-me.zip"), b"x").unwrap();
        let removed = prune(&dir, 2).unwrap();
        assert_eq!(removed.len(), 3);
        let left: Vec<String> = list(&dir).unwrap().into_iter().map(|f| f.name).collect();
        assert_eq!(
            left,
            [
                "kefu-backup-20261123-030000.zip",
                "kefu-backup-20261124-030000.zip"
            ]
        );
        assert!(dir.join("keep-me.zip").exists());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
