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

#[derive(Template)]
#[template(path = "admin_jobs.html")]
struct JobsPage {
    t: Tr,
    layout: Layout,
    rows: Vec<JobView>,
    hint: String,
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
    super::ok(&JobsPage {
        t,
        layout: Layout::new(&identity, "/admin/jobs"),
        rows,
        hint,
    })
}
