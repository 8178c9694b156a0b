//! 导入记录 — the imports that ran (and the dry runs), newest first: one's own, or every one
//! for an administrator; `?errors=1` only those with rows that failed, `?days=N` only the
//! last N days (as the workbench's tiles open it). Each links its per-row report.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use jiff::SignedDuration;
use kefu_app::customer_import::IMPORTS_SHOWN;
use kefu_store::customer::ImportFilter;

use super::tickets::field;
use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

pub struct ImportRow {
    pub id: i64,
    pub at: String,
    pub filename: String,
    pub by: String,
    pub dry_run: bool,
    pub rows: i64,
    pub created: i64,
    pub merged: i64,
    pub skipped: i64,
    pub failed: i64,
}

#[derive(Template)]
#[template(path = "customer_imports.html")]
struct ImportsPage {
    t: Tr,
    layout: Layout,
    rows: Vec<ImportRow>,
    /// The narrowing asked for, in words.
    narrowed: Vec<String>,
    /// Said when the list was cut.
    cut: Option<String>,
}

/// `GET /customers/imports`.
pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let mut narrowed = Vec::new();
    let with_errors = field(&pairs, "errors") == "1";
    if with_errors {
        narrowed.push(t.t("imports.with_errors").to_owned());
    }
    let days = match field(&pairs, "days") {
        "" => None,
        d => Some(
            d.parse::<i64>()
                .ok()
                .filter(|d| (1..=3650).contains(d))
                .ok_or_else(|| WebError::bad_request("invalid_field", format!("days: {d:?}")))?,
        ),
    };
    if let Some(d) = days {
        narrowed.push(t.f(
            "workbench.hint.recent_days",
            &[("days", d.to_string().as_str())],
        ));
    }
    let f = ImportFilter {
        user_id: None,
        with_errors,
        since: days.map(|d| state.app.now() - SignedDuration::from_hours(24 * d)),
    };
    let rows: Vec<ImportRow> = state
        .app
        .customer_imports(&identity.actor(), &f)
        .await?
        .into_iter()
        .map(|i| ImportRow {
            id: i.id,
            at: local_time(i.created_at),
            filename: i.filename,
            by: i.user_name.unwrap_or_default(),
            dry_run: i.dry_run,
            rows: i.rows,
            created: i.created,
            merged: i.merged,
            skipped: i.skipped,
            failed: i.failed,
        })
        .collect();
    let cut = (rows.len() as i64 >= IMPORTS_SHOWN).then(|| {
        t.f(
            "approvals.cut",
            &[("n", IMPORTS_SHOWN.to_string().as_str())],
        )
    });
    super::ok(&ImportsPage {
        t,
        layout: Layout::new(&identity, "/customers"),
        rows,
        narrowed,
        cut,
    })
}
