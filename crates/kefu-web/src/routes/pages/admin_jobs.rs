//! 后台任务 — the jobs failing, for the administrator: failed for good in the last days, or
//! waiting to be tried again after an error, with the error each last met.

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use kefu_app::jobs::FAILED_WITHIN_DAYS;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct JobView {
    pub id: i64,
    pub kind: String,
    pub status: String,
    pub attempts: String,
    pub error: String,
    pub updated: String,
    pub next_run: Option<String>,
}

/// 定时备份 — one scheduled backup in the schedule's directory.
pub struct BackupView {
    pub name: String,
    pub size: String,
    pub written: String,
}

/// The scheduled backups, when a schedule is set.
pub struct BackupsView {
    pub hint: String,
    pub files: Vec<BackupView>,
}

#[derive(Template)]
#[template(path = "admin_jobs.html")]
struct JobsPage {
    t: Tr,
    layout: Layout,
    rows: Vec<JobView>,
    hint: String,
    backups: Option<BackupsView>,
}

/// `12.3 MiB`.
fn mebibytes(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// `GET /admin/jobs`.
pub async fn list(State(state): State<AppState>, identity: Identity) -> Result<Response, WebError> {
    let t = identity.tr();
    let rows = state
        .app
        .failing_jobs(&identity.actor())
        .await?
        .into_iter()
        .map(|j| {
            let retrying = j.status != "failed";
            JobView {
                id: j.id,
                kind: j.kind,
                status: t.tk("jobs.status", if retrying { "retrying" } else { "failed" }),
                attempts: format!("{} / {}", j.attempts, j.max_attempts),
                error: j.last_error.unwrap_or_default(),
                updated: local_time(j.updated_at),
                next_run: retrying.then(|| local_time(j.run_at)),
            }
        })
        .collect();
    let hint = t.f(
        "workbench.hint.jobs",
        &[("days", FAILED_WITHIN_DAYS.to_string().as_str())],
    );
    let backups = state
        .app
        .backup_files(&identity.actor())?
        .map(|(schedule, files)| BackupsView {
            hint: t.f(
                "jobs.backups_hint",
                &[
                    ("dir", schedule.dir.display().to_string().as_str()),
                    ("keep", schedule.keep.to_string().as_str()),
                ],
            ),
            files: files
                .into_iter()
                .map(|f| BackupView {
                    name: f.name,
                    size: mebibytes(f.bytes),
                    written: f.modified.map(local_time).unwrap_or_default(),
                })
                .collect(),
        });
    super::ok(&JobsPage {
        t,
        layout: Layout::new(&identity, "/admin/jobs"),
        rows,
        hint,
        backups,
    })
}
