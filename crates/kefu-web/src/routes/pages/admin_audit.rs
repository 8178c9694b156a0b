//! The audit log page: who did what sensitive thing, when, from where.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use kefu_store::audit::AuditFilter;
use serde::Deserialize;

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::{Layout, local_time};

const PAGE_SIZE: i64 = 50;

/// Audited actions offered in the filter.
const ACTIONS: &[&str] = &[
    "login_succeeded",
    "login_failed",
    "login_throttled",
    "logout",
    "password_changed",
    "password_reset",
    "user_created",
    "user_updated",
    "roles_changed",
    "user_deactivated",
    "user_activated",
    "token_created",
    "token_revoked",
    "token_rejected",
    "csrf_rejected",
    "access_denied",
    "sensitive_revealed",
    "sensitive_exported",
    "customers_imported",
    "grant_changed",
    "script_reviewed",
    "channel_created",
    "channel_updated",
    "channel_deactivated",
    "channel_activated",
    "channel_secret_rotated",
    "webhook_rejected",
    "failed_mail_discarded",
    "mail_downloaded",
];

struct Row {
    at: String,
    actor: String,
    action: String,
    target: String,
    ip: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "admin_audit.html")]
struct AuditPage {
    t: Tr,
    layout: Layout,
    rows: Vec<Row>,
    actions: Vec<(&'static str, String, bool)>,
    action: String,
    older: Option<i64>,
    /// Only today's entries (`today=1`, as the workbench's tiles open the log).
    today: bool,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    action: Option<String>,
    before: Option<i64>,
    today: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    identity: Identity,
    Query(q): Query<AuditQuery>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let action = q
        .action
        .filter(|a| ACTIONS.contains(&a.as_str()))
        .unwrap_or_default();
    let today = q.today.as_deref() == Some("1");
    let filter = AuditFilter {
        action: Some(action.as_str()).filter(|a| !a.is_empty()),
        actor_user_id: None,
        before_id: q.before,
        since: today.then(|| state.app.today_began()),
        limit: PAGE_SIZE,
    };
    let entries = state.app.audit_log(&identity.actor(), &filter).await?;
    let older = (entries.len() as i64 == PAGE_SIZE)
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    let rows = entries
        .into_iter()
        .map(|e| Row {
            at: local_time(e.at),
            actor: e.actor_name.unwrap_or_default(),
            action: t.tk("audit.action", &e.action),
            target: match (e.target_type, e.target_id) {
                (Some(k), Some(id)) => format!("{k} {id}"),
                _ => String::new(),
            },
            ip: e.ip.unwrap_or_default(),
            detail: e.detail.unwrap_or_default(),
        })
        .collect();
    let actions = ACTIONS
        .iter()
        .map(|a| (*a, t.tk("audit.action", a), *a == action))
        .collect();
    super::ok(&AuditPage {
        t,
        layout: Layout::new(&identity, "/admin/audit"),
        rows,
        actions,
        action,
        older,
        today,
    })
}
