//! The home page: one panel per role the user holds, saying what that role's work is.
//! The business areas fill these panels with live figures as they land.

use askama::Template;
use axum::response::Response;

use super::ok;
use crate::auth::Identity;
use crate::error::WebError;
use crate::i18n::Tr;
use crate::view::Layout;

struct RolePanel {
    title: String,
    body: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    t: Tr,
    layout: Layout,
    greeting: String,
    panels: Vec<RolePanel>,
}

pub async fn show(identity: Identity) -> Result<Response, WebError> {
    let user = identity.user()?;
    let t = identity.tr();
    let panels = user
        .roles
        .iter()
        .map(|r| RolePanel {
            title: t.tk("role", r.key()),
            body: t.tk("dashboard", &format!("role_{}", r.key())),
        })
        .collect();
    let greeting = t.f("dashboard.greeting", &[("name", &user.display_name)]);
    ok(&DashboardPage {
        t,
        layout: Layout::new(&identity, "/"),
        greeting,
        panels,
    })
}
