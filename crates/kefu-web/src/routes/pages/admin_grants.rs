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

/// Saves every role's grant: a checked box grants, an unchecked one withdraws.
pub async fn save(
    State(state): State<AppState>,
    identity: Identity,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = identity.actor();
    let checked = |p: Permission, r: Role| {
        let name = format!("{}:{}", p.key(), r.key());
        pairs.iter().any(|(k, v)| *k == name && v == "1")
    };
    for p in GRANTABLE {
        for r in Role::ALL {
            state
                .app
                .set_role_grant(&actor, r, p, checked(p, r))
                .await?;
        }
    }
    Ok(Redirect::to("/admin/grants?saved=1").into_response())
}
