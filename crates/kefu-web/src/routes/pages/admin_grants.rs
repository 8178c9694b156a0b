//! 角色权限 — the department's choice of which roles may reveal customers' numbers: the
//! policy's default per role, and an administrator's grant or withdrawal of it.

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use kefu_domain::permission::GRANTABLE;
use kefu_domain::{Permission, Role};

use crate::AppState;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

struct GrantRow {
    /// The form field: `<permission>:<role>`.
    name: String,
    role: String,
    default: bool,
    granted: bool,
}

#[derive(Template)]
#[template(path = "admin_grants.html")]
struct GrantsPage {
    t: Tr,
    layout: Layout,
    /// Per grantable permission: its key and its rows.
    sections: Vec<(&'static str, Vec<GrantRow>)>,
    saved: bool,
}

pub async fn show(
    State(state): State<AppState>,
    identity: Identity,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let t = identity.tr();
    let grants = state.app.role_grants(&identity.actor()).await?;
    let sections = GRANTABLE
        .into_iter()
        .map(|p| {
            let rows = grants
                .iter()
                .filter(|g| g.permission == p)
                .map(|g| GrantRow {
                    name: format!("{}:{}", p.key(), g.role.key()),
                    role: t.tk("role", g.role.key()),
                    default: g.default,
                    granted: g.granted,
                })
                .collect();
            (p.key(), rows)
        })
        .collect();
    super::ok(&GrantsPage {
        t,
        layout: Layout::new(&identity, "/admin/users"),
        sections,
        saved: q.iter().any(|(k, v)| k == "saved" && v == "1"),
    })
}

/// Saves the grants the form showed (each listed in a `shown` field): a checked box grants,
/// an unchecked one withdraws. A role the form did not show is left as it is, so a form cut
/// short never withdraws anything it did not ask about.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let name = |p: Permission, r: Role| format!("{}:{}", p.key(), r.key());
    for p in GRANTABLE {
        for r in Role::ALL {
            let n = name(p, r);
            if !pairs.iter().any(|(k, v)| k == "shown" && *v == n) {
                continue;
            }
            let granted = pairs.iter().any(|(k, v)| *k == n && v == "1");
            state.app.set_role_grant(&actor, r, p, granted).await?;
        }
    }
    Ok(Redirect::to("/admin/grants?saved=1").into_response())
}
